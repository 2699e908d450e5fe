// Copyright 2026 The Runnel Authors.
//
// runnel/replica_messages.h — the messages replicas exchange (Kafka's Fetch
// from a follower and OffsetsForLeaderEpoch) and their stable, versioned byte
// encoding. A host that replicates Runnel over its own transport only moves
// the bytes these functions produce (see runnel/replica_transport.h).
//
// Example (a follower builds a fetch; the leader's host dispatches it):
//
//   runnel::ReplicaFetchRequest fetch;
//   fetch.correlation_id = 7;
//   fetch.replica_id = 2;
//   runnel::ReplicaFetchPartition p;
//   p.topic = "orders";
//   p.partition = 0;
//   p.current_leader_epoch = 5;
//   p.fetch_offset = 1200;
//   p.last_fetched_epoch = 4;
//   fetch.partitions.push_back(p);
//   absl::StatusOr<std::string> bytes =
//   runnel::EncodeReplicaFetchRequest(fetch);
//
//   // On the leader, with whatever bytes arrived:
//   absl::StatusOr<runnel::ReplicaMessageHeader> h =
//       runnel::PeekReplicaMessageHeader(bytes);
//   if (h.ok() && h->api_key == runnel::kApiKeyFetch) {
//     absl::StatusOr<runnel::ReplicaFetchRequest> request =
//         runnel::DecodeReplicaFetchRequest(bytes);
//     ...
//   }
//
// ENCODING, version 0. Kafka's primitive types: every integer is big-endian
// two's complement; a string is an int16 length N (0..32767) then N bytes; a
// bytes field is an int32 length N (0..2^31-1) then N bytes; an array is an
// int32 count N (0..2^31-1) then N elements; a nullable struct is an int8
// marker (-1 null, 1 present) then the struct if present. No field of
// version 0 is a null string, null bytes or null array (length/count -1 is
// rejected). Every message is a 9-byte header followed by its body:
//
//   header   byte 0  int16 api_key          1 Fetch, 23 OffsetForLeaderEpoch
//            byte 2  int16 api_version      0
//            byte 4  int8  kind             0 request, 1 response
//            byte 5  int32 correlation_id   chosen by the sender of the
//                                           request, echoed in the response
//
//   Fetch request (api_key 1, kind 0), from byte 9:
//     int32 replica_id, int32 max_wait_ms, int32 min_bytes, int32 max_bytes,
//     int32 count, then per partition (34 bytes + the topic):
//       string topic, int32 partition, int32 current_leader_epoch,
//       int64 fetch_offset, int32 last_fetched_epoch, int64 log_start_offset,
//       int32 partition_max_bytes
//
//   Fetch response (api_key 1, kind 1), from byte 9:
//     int32 count, then per partition (41 bytes + topic + records + the
//     diverging epoch):
//       string topic, int32 partition, int16 error_code,
//       int64 high_watermark, int64 log_start_offset, int64 log_end_offset,
//       int8 diverging_epoch marker (-1 null, 1 present)
//         [if present: int32 epoch, int64 end_offset],
//       int32 leader_epoch, bytes records
//
//   OffsetForLeaderEpoch request (api_key 23, kind 0), from byte 9:
//     int32 replica_id, int32 count, then per partition (14 bytes + topic):
//       string topic, int32 partition, int32 current_leader_epoch,
//       int32 leader_epoch
//
//   OffsetForLeaderEpoch response (api_key 23, kind 1), from byte 9:
//     int32 count, then per partition (20 bytes + topic):
//       string topic, int32 partition, int16 error_code, int32 leader_epoch,
//       int64 end_offset
//
//   For instance the OffsetForLeaderEpoch request {correlation_id 7,
//   replica_id 2, [{"t", 0, current_leader_epoch 5, leader_epoch 4}]} is
//     00 17  00 00  00  00 00 00 07    header: 23, v0, request, 7
//     00 00 00 02  00 00 00 01         replica_id 2, one partition
//     00 01 74  00 00 00 00            "t", partition 0
//     00 00 00 05  00 00 00 04         current_leader_epoch 5, leader_epoch 4
//
// Newer versions may only append fields or change meanings under a new
// api_version; version 0 decoders reject anything but version 0.
//
// DECODING trusts nothing: a truncated message, bytes after the end, an
// unknown api key or kind, an unsupported version, a negative or absurd
// length or count (one the remaining bytes could not hold) or a bad marker
// is InvalidArgument naming the message, the field (e.g.
// "partitions[3].topic") and its byte position. Nothing is allocated by a
// count before it is checked against the bytes left. Values are not
// interpreted (a negative partition decodes fine): that is the handler's
// job. Encoding fails (InvalidArgument naming the field) only if a string,
// bytes field or array is too long for its length prefix.
//
// Thread-safety: plain structs and pure functions.
#ifndef RUNNEL_REPLICATION_REPLICA_MESSAGES_H_
#define RUNNEL_REPLICATION_REPLICA_MESSAGES_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace runnel {

// ---- Header ----------------------------------------------------------------

// Kafka's api keys.
inline constexpr int16_t kApiKeyFetch = 1;
inline constexpr int16_t kApiKeyOffsetForLeaderEpoch = 23;
// The only version this library writes and reads.
inline constexpr int16_t kReplicaMessageVersion = 0;
inline constexpr size_t kReplicaMessageHeaderSize = 9;

enum class ReplicaMessageKind : int8_t { kRequest = 0, kResponse = 1 };

struct ReplicaMessageHeader {
  int16_t api_key = 0;
  int16_t api_version = 0;
  ReplicaMessageKind kind = ReplicaMessageKind::kRequest;
  int32_t correlation_id = 0;
};

// Reads the header so a host can dispatch. InvalidArgument if there are
// fewer than 9 bytes, the api key is not 1 or 23 or the kind is not 0 or 1.
// The version is returned as found (the Decode* functions reject versions
// they do not support).
absl::StatusOr<ReplicaMessageHeader> PeekReplicaMessageHeader(
    absl::string_view bytes);

// ---- Kafka's error codes and sentinels
// ---------------------------------------

inline constexpr int16_t kErrorUnknownServerError = -1;
inline constexpr int16_t kErrorNone = 0;
inline constexpr int16_t kErrorOffsetOutOfRange = 1;
inline constexpr int16_t kErrorCorruptMessage = 2;
inline constexpr int16_t kErrorUnknownTopicOrPartition = 3;
inline constexpr int16_t kErrorLeaderNotAvailable = 5;
inline constexpr int16_t kErrorNotLeaderOrFollower = 6;
inline constexpr int16_t kErrorRequestTimedOut = 7;
inline constexpr int16_t kErrorReplicaNotAvailable = 9;
inline constexpr int16_t kErrorMessageTooLarge = 10;
inline constexpr int16_t kErrorNotEnoughReplicas = 19;
inline constexpr int16_t kErrorNotEnoughReplicasAfterAppend = 20;
inline constexpr int16_t kErrorUnsupportedVersion = 35;
inline constexpr int16_t kErrorInvalidRequest = 42;
inline constexpr int16_t kErrorKafkaStorageError = 56;
inline constexpr int16_t kErrorFencedLeaderEpoch = 74;
inline constexpr int16_t kErrorUnknownLeaderEpoch = 75;
inline constexpr int16_t kErrorOffsetNotAvailable = 78;
inline constexpr int16_t kErrorInvalidRecord = 87;

// Kafka's name for a code ("NOT_LEADER_OR_FOLLOWER"); "UNKNOWN_ERROR_CODE"
// for codes not listed above.
absl::string_view ReplicaErrorName(int16_t code);

// Kafka's UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET: "no such epoch".
inline constexpr int32_t kUndefinedEpoch = -1;
inline constexpr int64_t kUndefinedEpochOffset = -1;

// An epoch and the offset where it ends (exclusive): the answer to
// OffsetsForLeaderEpoch and a fetch response's diverging epoch.
struct EpochEndOffset {
  int32_t epoch = kUndefinedEpoch;
  int64_t end_offset = kUndefinedEpochOffset;

  bool undefined() const { return epoch == kUndefinedEpoch; }
  friend bool operator==(const EpochEndOffset& a, const EpochEndOffset& b) {
    return a.epoch == b.epoch && a.end_offset == b.end_offset;
  }
  friend bool operator!=(const EpochEndOffset& a, const EpochEndOffset& b) {
    return !(a == b);
  }
};

// ---- Fetch (api key 1)
// -------------------------------------------------------

// One partition a follower fetches (Kafka's FetchRequest FetchPartition).
struct ReplicaFetchPartition {
  std::string topic;
  int32_t partition = 0;
  // The follower's idea of the leader's epoch: the leader answers
  // FENCED_LEADER_EPOCH if it is older, UNKNOWN_LEADER_EPOCH if newer.
  int32_t current_leader_epoch = kUndefinedEpoch;
  int64_t fetch_offset = 0;
  // Epoch of the last batch the follower has (KIP-320 divergence check).
  int32_t last_fetched_epoch = kUndefinedEpoch;
  int64_t log_start_offset = -1;
  int32_t partition_max_bytes = 1 << 20;  // replica.fetch.max.bytes

  friend bool operator==(const ReplicaFetchPartition& a,
                         const ReplicaFetchPartition& b);
  friend bool operator!=(const ReplicaFetchPartition& a,
                         const ReplicaFetchPartition& b) {
    return !(a == b);
  }
};

struct ReplicaFetchRequest {
  int32_t correlation_id = 0;
  int32_t replica_id = -1;       // the fetching broker
  int32_t max_wait_ms = 500;     // replica.fetch.wait.max.ms
  int32_t min_bytes = 1;         // replica.fetch.min.bytes
  int32_t max_bytes = 10 << 20;  // replica.fetch.response.max.bytes
  std::vector<ReplicaFetchPartition> partitions;

  friend bool operator==(const ReplicaFetchRequest& a,
                         const ReplicaFetchRequest& b);
  friend bool operator!=(const ReplicaFetchRequest& a,
                         const ReplicaFetchRequest& b) {
    return !(a == b);
  }
};

// One partition's answer (Kafka's FetchResponse PartitionData).
struct ReplicaFetchPartitionData {
  std::string topic;
  int32_t partition = 0;
  int16_t error_code = kErrorNone;
  int64_t high_watermark = -1;
  int64_t log_start_offset = -1;
  int64_t log_end_offset = -1;
  // Set when the follower's log diverges from the leader's (KIP-320): the
  // follower truncates to end_offset (or below) before fetching again.
  std::optional<EpochEndOffset> diverging_epoch;
  int32_t leader_epoch = kUndefinedEpoch;  // the leader's current epoch
  std::string records;  // whole RecordBatch v2 batches, opaque here

  friend bool operator==(const ReplicaFetchPartitionData& a,
                         const ReplicaFetchPartitionData& b);
  friend bool operator!=(const ReplicaFetchPartitionData& a,
                         const ReplicaFetchPartitionData& b) {
    return !(a == b);
  }
};

struct ReplicaFetchResponse {
  int32_t correlation_id = 0;
  std::vector<ReplicaFetchPartitionData> partitions;

  friend bool operator==(const ReplicaFetchResponse& a,
                         const ReplicaFetchResponse& b);
  friend bool operator!=(const ReplicaFetchResponse& a,
                         const ReplicaFetchResponse& b) {
    return !(a == b);
  }
};

// ---- OffsetForLeaderEpoch (api key 23)
// ---------------------------------------

struct OffsetsForLeaderEpochPartition {
  std::string topic;
  int32_t partition = 0;
  int32_t current_leader_epoch = kUndefinedEpoch;  // fencing, as in Fetch
  int32_t leader_epoch = kUndefinedEpoch;  // the epoch whose end is asked

  friend bool operator==(const OffsetsForLeaderEpochPartition& a,
                         const OffsetsForLeaderEpochPartition& b);
  friend bool operator!=(const OffsetsForLeaderEpochPartition& a,
                         const OffsetsForLeaderEpochPartition& b) {
    return !(a == b);
  }
};

struct OffsetsForLeaderEpochRequest {
  int32_t correlation_id = 0;
  int32_t replica_id = -1;
  std::vector<OffsetsForLeaderEpochPartition> partitions;

  friend bool operator==(const OffsetsForLeaderEpochRequest& a,
                         const OffsetsForLeaderEpochRequest& b);
  friend bool operator!=(const OffsetsForLeaderEpochRequest& a,
                         const OffsetsForLeaderEpochRequest& b) {
    return !(a == b);
  }
};

struct OffsetsForLeaderEpochPartitionResult {
  std::string topic;
  int32_t partition = 0;
  int16_t error_code = kErrorNone;
  // The largest epoch <= the requested one and where it ends; both -1 if
  // unknown (see LeaderEpochCache::EndOffsetFor).
  int32_t leader_epoch = kUndefinedEpoch;
  int64_t end_offset = kUndefinedEpochOffset;

  friend bool operator==(const OffsetsForLeaderEpochPartitionResult& a,
                         const OffsetsForLeaderEpochPartitionResult& b);
  friend bool operator!=(const OffsetsForLeaderEpochPartitionResult& a,
                         const OffsetsForLeaderEpochPartitionResult& b) {
    return !(a == b);
  }
};

struct OffsetsForLeaderEpochResponse {
  int32_t correlation_id = 0;
  std::vector<OffsetsForLeaderEpochPartitionResult> partitions;

  friend bool operator==(const OffsetsForLeaderEpochResponse& a,
                         const OffsetsForLeaderEpochResponse& b);
  friend bool operator!=(const OffsetsForLeaderEpochResponse& a,
                         const OffsetsForLeaderEpochResponse& b) {
    return !(a == b);
  }
};

// ---- Encoding
// ----------------------------------------------------------------

absl::StatusOr<std::string> EncodeReplicaFetchRequest(
    const ReplicaFetchRequest& request);
absl::StatusOr<std::string> EncodeReplicaFetchResponse(
    const ReplicaFetchResponse& response);
absl::StatusOr<std::string> EncodeOffsetsForLeaderEpochRequest(
    const OffsetsForLeaderEpochRequest& request);
absl::StatusOr<std::string> EncodeOffsetsForLeaderEpochResponse(
    const OffsetsForLeaderEpochResponse& response);

absl::StatusOr<ReplicaFetchRequest> DecodeReplicaFetchRequest(
    absl::string_view bytes);
absl::StatusOr<ReplicaFetchResponse> DecodeReplicaFetchResponse(
    absl::string_view bytes);
absl::StatusOr<OffsetsForLeaderEpochRequest> DecodeOffsetsForLeaderEpochRequest(
    absl::string_view bytes);
absl::StatusOr<OffsetsForLeaderEpochResponse>
DecodeOffsetsForLeaderEpochResponse(absl::string_view bytes);

}  // namespace runnel

#endif  // RUNNEL_REPLICATION_REPLICA_MESSAGES_H_
