// Copyright 2026 The Runnel Authors.
//
// libFuzzer target for the replica-message decoders: every input goes
// through PeekReplicaMessageHeader and all four Decode* functions.
// Invariants (a violation aborts, which the fuzzer reports as a crash):
//  - at most one decoder accepts an input, and then Peek agrees with it
//    (api key, kind, version 0, correlation id);
//  - the encoding is canonical: re-encoding a decoded message gives back
//    exactly the input bytes;
//  - every rejection is InvalidArgument.
// ASan/UBSan catch out-of-bounds reads, overflows and huge allocations.
//
// Built two ways (replication/fuzz/BUILD): with libFuzzer under
// --config=fuzz, and linked with replay_main.cc as a regular test that runs
// every file in replication/fuzz/corpus/.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "runnel/replica_messages.h"

namespace runnel {
namespace {

void Check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "replica_messages_fuzzer invariant violated: %s\n",
                 what);
    std::abort();
  }
}

// Decodes with one decoder; on success checks the round trip and the header
// and returns true.
template <typename T>
bool TryCodec(absl::string_view input, int16_t api_key, ReplicaMessageKind kind,
              absl::StatusOr<T> (*decode)(absl::string_view),
              absl::StatusOr<std::string> (*encode)(const T&)) {
  absl::StatusOr<T> message = decode(input);
  if (!message.ok()) {
    Check(message.status().code() == absl::StatusCode::kInvalidArgument,
          "a rejection that is not InvalidArgument");
    return false;
  }
  absl::StatusOr<std::string> again = encode(*message);
  Check(again.ok(), "a decoded message does not encode");
  Check(*again == input, "re-encoding differs from the input");
  absl::StatusOr<ReplicaMessageHeader> header = PeekReplicaMessageHeader(input);
  Check(header.ok(), "Peek rejects a decodable message");
  Check(header->api_key == api_key && header->kind == kind &&
            header->api_version == kReplicaMessageVersion &&
            header->correlation_id == message->correlation_id,
        "Peek disagrees with the decoder");
  return true;
}

void FuzzOne(absl::string_view input) {
  (void)PeekReplicaMessageHeader(input);
  int accepted = 0;
  accepted += TryCodec<ReplicaFetchRequest>(
      input, kApiKeyFetch, ReplicaMessageKind::kRequest,
      &DecodeReplicaFetchRequest, &EncodeReplicaFetchRequest);
  accepted += TryCodec<ReplicaFetchResponse>(
      input, kApiKeyFetch, ReplicaMessageKind::kResponse,
      &DecodeReplicaFetchResponse, &EncodeReplicaFetchResponse);
  accepted += TryCodec<OffsetsForLeaderEpochRequest>(
      input, kApiKeyOffsetForLeaderEpoch, ReplicaMessageKind::kRequest,
      &DecodeOffsetsForLeaderEpochRequest, &EncodeOffsetsForLeaderEpochRequest);
  accepted += TryCodec<OffsetsForLeaderEpochResponse>(
      input, kApiKeyOffsetForLeaderEpoch, ReplicaMessageKind::kResponse,
      &DecodeOffsetsForLeaderEpochResponse,
      &EncodeOffsetsForLeaderEpochResponse);
  Check(accepted <= 1, "more than one decoder accepts the input");
}

}  // namespace
}  // namespace runnel

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  runnel::FuzzOne(absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
