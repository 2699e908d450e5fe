// Copyright 2026 The Runnel Authors.
#include "runnel/replica_messages.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "replication/wire.h"

namespace runnel {

using internal::kMaxWireBytesSize;
using internal::kMaxWireStringSize;
using internal::WireReader;
using internal::WireWriter;

namespace {

constexpr char kFetchRequest[] = "ReplicaFetchRequest";
constexpr char kFetchResponse[] = "ReplicaFetchResponse";
constexpr char kEpochRequest[] = "OffsetsForLeaderEpochRequest";
constexpr char kEpochResponse[] = "OffsetsForLeaderEpochResponse";

// Smallest encoded element of each array (an empty topic, no records, no
// diverging epoch): what an announced count is checked against.
constexpr size_t kFetchPartitionMinBytes = 2 + 4 + 4 + 8 + 4 + 8 + 4;
constexpr size_t kFetchDataMinBytes = 2 + 4 + 2 + 8 + 8 + 8 + 1 + 4 + 4;
constexpr size_t kEpochPartitionMinBytes = 2 + 4 + 4 + 4;
constexpr size_t kEpochResultMinBytes = 2 + 4 + 2 + 4 + 8;

constexpr int8_t kNullMarker = -1;
constexpr int8_t kPresentMarker = 1;

absl::string_view ApiName(int16_t api_key) {
  switch (api_key) {
    case kApiKeyFetch:
      return "Fetch";
    case kApiKeyOffsetForLeaderEpoch:
      return "OffsetForLeaderEpoch";
    default:
      return "unknown";
  }
}

absl::string_view KindName(ReplicaMessageKind kind) {
  return kind == ReplicaMessageKind::kRequest ? "a request" : "a response";
}

// ---- Encoding helpers ----------------------------------------------------

// Checks that every length fits its prefix before anything is written, so
// an encode error never leaves a half-written message behind.
class SizeCheck {
 public:
  explicit SizeCheck(absl::string_view message) : message_(message) {}

  void Count(absl::string_view field, size_t n) {
    Check(field, n, kMaxWireBytesSize, "array");
  }
  void String(absl::string_view field, size_t index, absl::string_view s) {
    Check(absl::StrCat("partitions[", index, "].", field), s.size(),
          kMaxWireStringSize, "string");
  }
  void Bytes(absl::string_view field, size_t index, absl::string_view b) {
    Check(absl::StrCat("partitions[", index, "].", field), b.size(),
          kMaxWireBytesSize, "bytes field");
  }
  const absl::Status& status() const { return status_; }

 private:
  void Check(absl::string_view field, size_t size, size_t max,
             absl::string_view what) {
    if (!status_.ok() || size <= max) return;
    status_ = absl::InvalidArgumentError(
        absl::StrCat("encode ", message_, ": ", field, ": ", what, " of ", size,
                     " exceeds the limit of ", max));
  }

  const absl::string_view message_;
  absl::Status status_;
};

void WriteHeader(WireWriter* w, int16_t api_key, ReplicaMessageKind kind,
                 int32_t correlation_id) {
  w->Int16(api_key);
  w->Int16(kReplicaMessageVersion);
  w->Int8(static_cast<int8_t>(kind));
  w->Int32(correlation_id);
}

// ---- Decoding helpers ------------------------------------------------------

// Reads and checks the header of a message that must be `api_key`/`kind`
// in a version this library reads. Returns the correlation id.
int32_t ReadHeader(WireReader* r, int16_t api_key, ReplicaMessageKind kind) {
  const int16_t key = r->Int16("api_key");
  if (r->ok() && key != api_key) {
    r->Fail("api_key", 0,
            absl::StrCat("api key ", key, " (", ApiName(key), ") is not ",
                         api_key, " (", ApiName(api_key), ")"));
  }
  const int16_t version = r->Int16("api_version");
  if (r->ok() && version != kReplicaMessageVersion) {
    r->Fail("api_version", 2,
            absl::StrCat("unsupported version ", version,
                         " (this library reads version ",
                         kReplicaMessageVersion, ")"));
  }
  const int8_t found = r->Int8("kind");
  if (r->ok() && found != static_cast<int8_t>(kind)) {
    r->Fail(
        "kind", 4,
        found == 0 || found == 1
            ? absl::StrCat("the message is ",
                           KindName(static_cast<ReplicaMessageKind>(found)),
                           ", expected ", KindName(kind))
            : absl::StrCat("unknown kind ", found, " (0 request, 1 response)"));
  }
  return r->Int32("correlation_id");
}

}  // namespace

// ---- Header and error names ------------------------------------------------

absl::StatusOr<ReplicaMessageHeader> PeekReplicaMessageHeader(
    absl::string_view bytes) {
  WireReader r("replica message header", bytes);
  ReplicaMessageHeader h;
  h.api_key = r.Int16("api_key");
  if (r.ok() && h.api_key != kApiKeyFetch &&
      h.api_key != kApiKeyOffsetForLeaderEpoch) {
    r.Fail("api_key", 0,
           absl::StrCat("unknown api key ", h.api_key,
                        " (expected 1 Fetch or 23 OffsetForLeaderEpoch)"));
  }
  h.api_version = r.Int16("api_version");
  const int8_t kind = r.Int8("kind");
  if (r.ok() && kind != 0 && kind != 1) {
    r.Fail("kind", 4,
           absl::StrCat("unknown kind ", kind, " (0 request, 1 response)"));
  }
  h.kind = static_cast<ReplicaMessageKind>(kind);
  h.correlation_id = r.Int32("correlation_id");
  if (!r.ok()) return r.Finish();  // the first error
  return h;
}

absl::string_view ReplicaErrorName(int16_t code) {
  switch (code) {
    case kErrorUnknownServerError:
      return "UNKNOWN_SERVER_ERROR";
    case kErrorNone:
      return "NONE";
    case kErrorOffsetOutOfRange:
      return "OFFSET_OUT_OF_RANGE";
    case kErrorCorruptMessage:
      return "CORRUPT_MESSAGE";
    case kErrorUnknownTopicOrPartition:
      return "UNKNOWN_TOPIC_OR_PARTITION";
    case kErrorLeaderNotAvailable:
      return "LEADER_NOT_AVAILABLE";
    case kErrorNotLeaderOrFollower:
      return "NOT_LEADER_OR_FOLLOWER";
    case kErrorRequestTimedOut:
      return "REQUEST_TIMED_OUT";
    case kErrorReplicaNotAvailable:
      return "REPLICA_NOT_AVAILABLE";
    case kErrorMessageTooLarge:
      return "MESSAGE_TOO_LARGE";
    case kErrorNotEnoughReplicas:
      return "NOT_ENOUGH_REPLICAS";
    case kErrorNotEnoughReplicasAfterAppend:
      return "NOT_ENOUGH_REPLICAS_AFTER_APPEND";
    case kErrorUnsupportedVersion:
      return "UNSUPPORTED_VERSION";
    case kErrorInvalidRequest:
      return "INVALID_REQUEST";
    case kErrorKafkaStorageError:
      return "KAFKA_STORAGE_ERROR";
    case kErrorFencedLeaderEpoch:
      return "FENCED_LEADER_EPOCH";
    case kErrorUnknownLeaderEpoch:
      return "UNKNOWN_LEADER_EPOCH";
    case kErrorOffsetNotAvailable:
      return "OFFSET_NOT_AVAILABLE";
    case kErrorInvalidRecord:
      return "INVALID_RECORD";
    default:
      return "UNKNOWN_ERROR_CODE";
  }
}

// ---- Equality
// ----------------------------------------------------------------

bool operator==(const ReplicaFetchPartition& a,
                const ReplicaFetchPartition& b) {
  return a.topic == b.topic && a.partition == b.partition &&
         a.current_leader_epoch == b.current_leader_epoch &&
         a.fetch_offset == b.fetch_offset &&
         a.last_fetched_epoch == b.last_fetched_epoch &&
         a.log_start_offset == b.log_start_offset &&
         a.partition_max_bytes == b.partition_max_bytes;
}

bool operator==(const ReplicaFetchRequest& a, const ReplicaFetchRequest& b) {
  return a.correlation_id == b.correlation_id && a.replica_id == b.replica_id &&
         a.max_wait_ms == b.max_wait_ms && a.min_bytes == b.min_bytes &&
         a.max_bytes == b.max_bytes && a.partitions == b.partitions;
}

bool operator==(const ReplicaFetchPartitionData& a,
                const ReplicaFetchPartitionData& b) {
  return a.topic == b.topic && a.partition == b.partition &&
         a.error_code == b.error_code && a.high_watermark == b.high_watermark &&
         a.log_start_offset == b.log_start_offset &&
         a.log_end_offset == b.log_end_offset &&
         a.diverging_epoch == b.diverging_epoch &&
         a.leader_epoch == b.leader_epoch && a.records == b.records;
}

bool operator==(const ReplicaFetchResponse& a, const ReplicaFetchResponse& b) {
  return a.correlation_id == b.correlation_id && a.partitions == b.partitions;
}

bool operator==(const OffsetsForLeaderEpochPartition& a,
                const OffsetsForLeaderEpochPartition& b) {
  return a.topic == b.topic && a.partition == b.partition &&
         a.current_leader_epoch == b.current_leader_epoch &&
         a.leader_epoch == b.leader_epoch;
}

bool operator==(const OffsetsForLeaderEpochRequest& a,
                const OffsetsForLeaderEpochRequest& b) {
  return a.correlation_id == b.correlation_id && a.replica_id == b.replica_id &&
         a.partitions == b.partitions;
}

bool operator==(const OffsetsForLeaderEpochPartitionResult& a,
                const OffsetsForLeaderEpochPartitionResult& b) {
  return a.topic == b.topic && a.partition == b.partition &&
         a.error_code == b.error_code && a.leader_epoch == b.leader_epoch &&
         a.end_offset == b.end_offset;
}

bool operator==(const OffsetsForLeaderEpochResponse& a,
                const OffsetsForLeaderEpochResponse& b) {
  return a.correlation_id == b.correlation_id && a.partitions == b.partitions;
}

// ---- Fetch
// -------------------------------------------------------------------

absl::StatusOr<std::string> EncodeReplicaFetchRequest(
    const ReplicaFetchRequest& request) {
  SizeCheck check(kFetchRequest);
  check.Count("partitions", request.partitions.size());
  size_t size = kReplicaMessageHeaderSize + 20;
  for (size_t i = 0; i < request.partitions.size(); ++i) {
    check.String("topic", i, request.partitions[i].topic);
    size += kFetchPartitionMinBytes + request.partitions[i].topic.size();
  }
  if (!check.status().ok()) return check.status();

  std::string out;
  out.reserve(size);
  WireWriter w(&out);
  WriteHeader(&w, kApiKeyFetch, ReplicaMessageKind::kRequest,
              request.correlation_id);
  w.Int32(request.replica_id);
  w.Int32(request.max_wait_ms);
  w.Int32(request.min_bytes);
  w.Int32(request.max_bytes);
  w.Int32(static_cast<int32_t>(request.partitions.size()));
  for (const ReplicaFetchPartition& p : request.partitions) {
    w.String(p.topic);
    w.Int32(p.partition);
    w.Int32(p.current_leader_epoch);
    w.Int64(p.fetch_offset);
    w.Int32(p.last_fetched_epoch);
    w.Int64(p.log_start_offset);
    w.Int32(p.partition_max_bytes);
  }
  return out;
}

absl::StatusOr<ReplicaFetchRequest> DecodeReplicaFetchRequest(
    absl::string_view bytes) {
  WireReader r(kFetchRequest, bytes);
  ReplicaFetchRequest request;
  request.correlation_id =
      ReadHeader(&r, kApiKeyFetch, ReplicaMessageKind::kRequest);
  request.replica_id = r.Int32("replica_id");
  request.max_wait_ms = r.Int32("max_wait_ms");
  request.min_bytes = r.Int32("min_bytes");
  request.max_bytes = r.Int32("max_bytes");
  const size_t count = r.Count("partitions", kFetchPartitionMinBytes);
  if (r.ok()) request.partitions.resize(count);
  for (size_t i = 0; i < count && r.ok(); ++i) {
    ReplicaFetchPartition& p = request.partitions[i];
    r.EnterElement("partitions", i);
    p.topic = r.String("topic");
    p.partition = r.Int32("partition");
    p.current_leader_epoch = r.Int32("current_leader_epoch");
    p.fetch_offset = r.Int64("fetch_offset");
    p.last_fetched_epoch = r.Int32("last_fetched_epoch");
    p.log_start_offset = r.Int64("log_start_offset");
    p.partition_max_bytes = r.Int32("partition_max_bytes");
  }
  absl::Status status = r.Finish();
  if (!status.ok()) return status;
  return request;
}

absl::StatusOr<std::string> EncodeReplicaFetchResponse(
    const ReplicaFetchResponse& response) {
  SizeCheck check(kFetchResponse);
  check.Count("partitions", response.partitions.size());
  size_t size = kReplicaMessageHeaderSize + 4;
  for (size_t i = 0; i < response.partitions.size(); ++i) {
    const ReplicaFetchPartitionData& p = response.partitions[i];
    check.String("topic", i, p.topic);
    check.Bytes("records", i, p.records);
    size += kFetchDataMinBytes + 12 + p.topic.size() + p.records.size();
  }
  if (!check.status().ok()) return check.status();

  std::string out;
  out.reserve(size);
  WireWriter w(&out);
  WriteHeader(&w, kApiKeyFetch, ReplicaMessageKind::kResponse,
              response.correlation_id);
  w.Int32(static_cast<int32_t>(response.partitions.size()));
  for (const ReplicaFetchPartitionData& p : response.partitions) {
    w.String(p.topic);
    w.Int32(p.partition);
    w.Int16(p.error_code);
    w.Int64(p.high_watermark);
    w.Int64(p.log_start_offset);
    w.Int64(p.log_end_offset);
    if (p.diverging_epoch.has_value()) {
      w.Int8(kPresentMarker);
      w.Int32(p.diverging_epoch->epoch);
      w.Int64(p.diverging_epoch->end_offset);
    } else {
      w.Int8(kNullMarker);
    }
    w.Int32(p.leader_epoch);
    w.Bytes(p.records);
  }
  return out;
}

absl::StatusOr<ReplicaFetchResponse> DecodeReplicaFetchResponse(
    absl::string_view bytes) {
  WireReader r(kFetchResponse, bytes);
  ReplicaFetchResponse response;
  response.correlation_id =
      ReadHeader(&r, kApiKeyFetch, ReplicaMessageKind::kResponse);
  const size_t count = r.Count("partitions", kFetchDataMinBytes);
  if (r.ok()) response.partitions.resize(count);
  for (size_t i = 0; i < count && r.ok(); ++i) {
    ReplicaFetchPartitionData& p = response.partitions[i];
    r.EnterElement("partitions", i);
    p.topic = r.String("topic");
    p.partition = r.Int32("partition");
    p.error_code = r.Int16("error_code");
    p.high_watermark = r.Int64("high_watermark");
    p.log_start_offset = r.Int64("log_start_offset");
    p.log_end_offset = r.Int64("log_end_offset");
    const size_t marker_at = r.position();
    const int8_t marker = r.Int8("diverging_epoch");
    if (marker == kPresentMarker) {
      EpochEndOffset diverging;
      diverging.epoch = r.Int32("diverging_epoch.epoch");
      diverging.end_offset = r.Int64("diverging_epoch.end_offset");
      p.diverging_epoch = diverging;
    } else if (marker != kNullMarker && r.ok()) {
      r.Fail("diverging_epoch", marker_at,
             absl::StrCat("marker ", marker, " is neither -1 (null) nor 1"));
    }
    p.leader_epoch = r.Int32("leader_epoch");
    p.records = r.Bytes("records");
  }
  absl::Status status = r.Finish();
  if (!status.ok()) return status;
  return response;
}

// ---- OffsetForLeaderEpoch
// ------------------------------------------------------

absl::StatusOr<std::string> EncodeOffsetsForLeaderEpochRequest(
    const OffsetsForLeaderEpochRequest& request) {
  SizeCheck check(kEpochRequest);
  check.Count("partitions", request.partitions.size());
  size_t size = kReplicaMessageHeaderSize + 8;
  for (size_t i = 0; i < request.partitions.size(); ++i) {
    check.String("topic", i, request.partitions[i].topic);
    size += kEpochPartitionMinBytes + request.partitions[i].topic.size();
  }
  if (!check.status().ok()) return check.status();

  std::string out;
  out.reserve(size);
  WireWriter w(&out);
  WriteHeader(&w, kApiKeyOffsetForLeaderEpoch, ReplicaMessageKind::kRequest,
              request.correlation_id);
  w.Int32(request.replica_id);
  w.Int32(static_cast<int32_t>(request.partitions.size()));
  for (const OffsetsForLeaderEpochPartition& p : request.partitions) {
    w.String(p.topic);
    w.Int32(p.partition);
    w.Int32(p.current_leader_epoch);
    w.Int32(p.leader_epoch);
  }
  return out;
}

absl::StatusOr<OffsetsForLeaderEpochRequest> DecodeOffsetsForLeaderEpochRequest(
    absl::string_view bytes) {
  WireReader r(kEpochRequest, bytes);
  OffsetsForLeaderEpochRequest request;
  request.correlation_id =
      ReadHeader(&r, kApiKeyOffsetForLeaderEpoch, ReplicaMessageKind::kRequest);
  request.replica_id = r.Int32("replica_id");
  const size_t count = r.Count("partitions", kEpochPartitionMinBytes);
  if (r.ok()) request.partitions.resize(count);
  for (size_t i = 0; i < count && r.ok(); ++i) {
    OffsetsForLeaderEpochPartition& p = request.partitions[i];
    r.EnterElement("partitions", i);
    p.topic = r.String("topic");
    p.partition = r.Int32("partition");
    p.current_leader_epoch = r.Int32("current_leader_epoch");
    p.leader_epoch = r.Int32("leader_epoch");
  }
  absl::Status status = r.Finish();
  if (!status.ok()) return status;
  return request;
}

absl::StatusOr<std::string> EncodeOffsetsForLeaderEpochResponse(
    const OffsetsForLeaderEpochResponse& response) {
  SizeCheck check(kEpochResponse);
  check.Count("partitions", response.partitions.size());
  size_t size = kReplicaMessageHeaderSize + 4;
  for (size_t i = 0; i < response.partitions.size(); ++i) {
    check.String("topic", i, response.partitions[i].topic);
    size += kEpochResultMinBytes + response.partitions[i].topic.size();
  }
  if (!check.status().ok()) return check.status();

  std::string out;
  out.reserve(size);
  WireWriter w(&out);
  WriteHeader(&w, kApiKeyOffsetForLeaderEpoch, ReplicaMessageKind::kResponse,
              response.correlation_id);
  w.Int32(static_cast<int32_t>(response.partitions.size()));
  for (const OffsetsForLeaderEpochPartitionResult& p : response.partitions) {
    w.String(p.topic);
    w.Int32(p.partition);
    w.Int16(p.error_code);
    w.Int32(p.leader_epoch);
    w.Int64(p.end_offset);
  }
  return out;
}

absl::StatusOr<OffsetsForLeaderEpochResponse>
DecodeOffsetsForLeaderEpochResponse(absl::string_view bytes) {
  WireReader r(kEpochResponse, bytes);
  OffsetsForLeaderEpochResponse response;
  response.correlation_id = ReadHeader(&r, kApiKeyOffsetForLeaderEpoch,
                                       ReplicaMessageKind::kResponse);
  const size_t count = r.Count("partitions", kEpochResultMinBytes);
  if (r.ok()) response.partitions.resize(count);
  for (size_t i = 0; i < count && r.ok(); ++i) {
    OffsetsForLeaderEpochPartitionResult& p = response.partitions[i];
    r.EnterElement("partitions", i);
    p.topic = r.String("topic");
    p.partition = r.Int32("partition");
    p.error_code = r.Int16("error_code");
    p.leader_epoch = r.Int32("leader_epoch");
    p.end_offset = r.Int64("end_offset");
  }
  absl::Status status = r.Finish();
  if (!status.ok()) return status;
  return response;
}

}  // namespace runnel
