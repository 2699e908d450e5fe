// Copyright 2026 The Runnel Authors.
//
// The formats, from apache/kafka (paths at its trunk of 2024-10; before
// Kafka 3.7 the two group records' schemas were under
// core/src/main/resources/common/message/, the same but for version 4).
// Every record is written version-prefixed (MessageUtil.
// toVersionPrefixedBytes): an int16 version, then the fields.
//
// Key (group-coordinator/src/main/resources/common/message/
// GroupMetadataKey.json, "validVersions": "2", non-flexible):
//   int16  version   2 (0-1 = offset commit, 3+ = newer coordinator records;
//                    GroupCoordinatorRecordSerde.apiMessageKeyFor)
//   string group     int16 length + UTF-8 bytes
//
// Value (GroupMetadataValue.json, "validVersions": "0-4",
// "flexibleVersions": "4+"):
//   int16    version
//   string   protocolType              0+
//   int32    generation                0+
//   string?  protocol                  0+ (nullable)
//   string?  leader                    0+ (nullable)
//   int64    currentStateTimestamp     2+ (default -1)
//   array    members                   0+, each MemberMetadata:
//     string   memberId                0+
//     string?  groupInstanceId         3+ (nullable, default null)
//     string   clientId                0+
//     string   clientHost              0+
//     int32    rebalanceTimeout        1+ (default -1)
//     int32    sessionTimeout          0+
//     bytes    subscription            0+
//     bytes    assignment              0+
//     (v4: tagged fields)
//   (v4: tagged fields)
// Non-flexible (v0-3): string = int16 length (-1 = null), bytes and array =
// int32 length/count. Flexible (v4): compact forms, an unsigned varint of
// length + 1 (0 = null), and after each struct a tagged-field section
// (varint count, then per field varint tag, varint size, bytes); this
// value defines no tagged fields, so all are skipped.
// Kafka writes version 3 from IBP 2.3 on, never 4 ("Serialize with the
// highest supported non-flexible version": GroupMetadataManager.
// groupMetadataValue in core/src/main/scala/kafka/coordinator/group/
// GroupMetadataManager.scala; MetadataVersion.groupMetadataValueVersion in
// server-common). On load a v0 member's rebalance timeout is its session
// timeout (readGroupMessageValue there; GroupMetadataManager.replay in
// group-coordinator maps the default -1 likewise).
//
// ConsumerProtocolSubscription (clients/src/main/resources/common/message/
// ConsumerProtocolSubscription.json, "validVersions": "0-3", non-flexible):
//   int16    version
//   array    Topics of string          0+
//   bytes?   UserData                  0+ (nullable)
//   array    OwnedPartitions           1+, each: string Topic,
//                                         array Partitions of int32
//   int32    GenerationId              2+ (default -1)
//   string?  RackId                    3+ (nullable, default null)
// ConsumerProtocolAssignment (ConsumerProtocolAssignment.json, "0-3", the
// same layout in every version):
//   int16    version
//   array    AssignedPartitions        each: string Topic, array Partitions
//   bytes?   UserData                  (nullable)
// clients/src/main/java/org/apache/kafka/clients/consumer/internals/
// ConsumerProtocol.java writes the highest version by default, sorts the
// topics and owned partitions, groups partitions by topic, and reads a
// version past the highest as the highest (negative ones are rejected);
// ConsumerProtocolTest.deserializeFutureSubscriptionVersion reads a
// version-100 subscription with an extra trailing field.
//
// Checks, as Kafka's generated readers make them (generator/src/main/java/
// org/apache/kafka/message/MessageDataGenerator.java): a negative length
// is null, an error for a non-nullable field; a compact string over 0x7fff
// bytes is an error; an array count over the bytes remaining is an error;
// bytes after the last field are ignored. Runnel is stricter in two ways:
// a negative length other than -1 is an error (Kafka never writes one),
// and an array count is checked against the smallest encoding of its
// elements, not just one byte each.
//
// Everything is big-endian (Java's ByteBuffer).
#include "consumer_group/group_metadata_format.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "log/big_endian.h"

namespace runnel {
namespace {

constexpr int16_t kGroupKeyVersion = 2;
constexpr int16_t kMaxValueVersion = 4;
constexpr int16_t kFirstFlexibleValueVersion = 4;
// Kafka's limit on a string (int16 length; enforced for compact ones too).
constexpr size_t kMaxString = 32767;
constexpr size_t kMaxInt32 = std::numeric_limits<int32_t>::max();

// The smallest encoding of one array element, over all versions: a count
// needing more than the bytes remaining is rejected before anything is
// allocated for it.
constexpr size_t kMinMemberBytes = 15;  // v4: 6 compact fields, 2 int32s, tags
constexpr size_t kMinTopicBytes = 2;    // an empty string
constexpr size_t kMinPartitionsBytes = 6;  // empty topic, empty partition array
constexpr size_t kMinPartitionBytes = 4;   // int32

// The path of the field being read or written ("members[2].clientId"), kept
// as pieces and only joined for an error message.
class FieldPath {
 public:
  void Enter(absl::string_view array, size_t index) {
    stack_.emplace_back(array, index);
  }
  void Leave() { stack_.pop_back(); }
  // `field` within the current element; "" names the element itself.
  std::string Name(absl::string_view field) const {
    std::string out;
    for (const auto& [array, index] : stack_) {
      absl::StrAppend(&out, out.empty() ? "" : ".", array, "[", index, "]");
    }
    if (!field.empty()) absl::StrAppend(&out, out.empty() ? "" : ".", field);
    return out;
  }

 private:
  absl::InlinedVector<std::pair<absl::string_view, size_t>, 2> stack_;
};

// Appends Kafka's non-flexible encodings (nothing here writes a flexible
// version). The first error sticks: later calls do nothing and Finish
// returns it.
class Writer {
 public:
  explicit Writer(absl::string_view what) : what_(what) {}

  FieldPath& path() { return path_; }

  void Int16(int16_t v) {
    char b[2];
    internal::StoreBigEndian16(b, static_cast<uint16_t>(v));
    out_.append(b, sizeof(b));
  }
  void Int32(int32_t v) {
    char b[4];
    internal::StoreBigEndian32(b, static_cast<uint32_t>(v));
    out_.append(b, sizeof(b));
  }
  void Int64(int64_t v) {
    char b[8];
    internal::StoreBigEndian64(b, static_cast<uint64_t>(v));
    out_.append(b, sizeof(b));
  }
  void String(absl::string_view field, absl::string_view s) {
    if (!Fits(field, s.size(), kMaxString, "bytes")) return;
    Int16(static_cast<int16_t>(s.size()));
    out_.append(s.data(), s.size());
  }
  void NullableString(absl::string_view field,
                      const std::optional<std::string>& s) {
    if (s.has_value()) {
      String(field, *s);
    } else {
      Int16(-1);
    }
  }
  void Bytes(absl::string_view field, absl::string_view b) {
    if (!Fits(field, b.size(), kMaxInt32, "bytes")) return;
    Int32(static_cast<int32_t>(b.size()));
    out_.append(b.data(), b.size());
  }
  void NullableBytes(absl::string_view field,
                     const std::optional<std::string>& b) {
    if (b.has_value()) {
      Bytes(field, *b);
    } else {
      Int32(-1);
    }
  }
  void Count(absl::string_view field, size_t n) {
    if (Fits(field, n, kMaxInt32, "elements")) Int32(static_cast<int32_t>(n));
  }

  absl::StatusOr<std::string> Finish() && {
    if (!status_.ok()) return status_;
    return std::move(out_);
  }

 private:
  bool Fits(absl::string_view field, size_t n, size_t max,
            absl::string_view unit) {
    if (!status_.ok()) return false;
    if (n <= max) return true;
    status_ = absl::InvalidArgumentError(
        absl::StrCat("encode ", what_, ": ", path_.Name(field), " has ", n, " ",
                     unit, ", more than Kafka's limit of ", max));
    return false;
  }

  const absl::string_view what_;
  FieldPath path_;
  std::string out_;
  absl::Status status_;
};

// Bounds-checked reads of Kafka's encodings, compact (flexible) or not.
// The first error sticks: later reads do nothing (leaving their outputs
// alone, counts 0) and status() returns it, naming the field and the byte
// it starts at.
class Reader {
 public:
  Reader(absl::string_view data, absl::string_view what)
      : data_(data), what_(what) {}

  bool ok() const { return status_.ok(); }
  const absl::Status& status() const { return status_; }
  FieldPath& path() { return path_; }
  size_t remaining() const { return data_.size() - pos_; }
  // Flexible versions: compact lengths and counts.
  void set_compact(bool compact) { compact_ = compact; }

  void Int16(absl::string_view field, int16_t* v) {
    if (Need(field, 2)) {
      *v = static_cast<int16_t>(internal::LoadBigEndian16(data_.data() + pos_));
      pos_ += 2;
    }
  }
  void Int32(absl::string_view field, int32_t* v) {
    if (Need(field, 4)) {
      *v = static_cast<int32_t>(internal::LoadBigEndian32(data_.data() + pos_));
      pos_ += 4;
    }
  }
  void Int64(absl::string_view field, int64_t* v) {
    if (Need(field, 8)) {
      *v = static_cast<int64_t>(internal::LoadBigEndian64(data_.data() + pos_));
      pos_ += 8;
    }
  }
  void String(absl::string_view field, std::string* s) {
    std::optional<std::string> v;
    Sized(field, /*is_string=*/true, /*nullable=*/false, &v);
    if (v.has_value()) *s = *std::move(v);
  }
  void NullableString(absl::string_view field, std::optional<std::string>* s) {
    Sized(field, /*is_string=*/true, /*nullable=*/true, s);
  }
  void Bytes(absl::string_view field, std::string* b) {
    std::optional<std::string> v;
    Sized(field, /*is_string=*/false, /*nullable=*/false, &v);
    if (v.has_value()) *b = *std::move(v);
  }
  void NullableBytes(absl::string_view field, std::optional<std::string>* b) {
    Sized(field, /*is_string=*/false, /*nullable=*/true, b);
  }
  // An array's element count (arrays here are never nullable); at least
  // `min_element_bytes` must remain per element. 0 after an error.
  size_t Count(absl::string_view field, size_t min_element_bytes) {
    const size_t start = pos_;
    int64_t n;
    if (!Length(field, /*int16_length=*/false, &n)) return 0;
    if (n < 0) {
      Fail(field, start, NullOrNegative(n, /*nullable=*/false));
      return 0;
    }
    const uint64_t need = static_cast<uint64_t>(n) * min_element_bytes;
    if (need > remaining()) {
      Fail(field, start,
           absl::StrCat("count ", n, " needs at least ", need, " bytes, only ",
                        remaining(), " remain"));
      return 0;
    }
    return static_cast<size_t>(n);
  }
  // A tagged-field section; every field is skipped (none is known here).
  void SkipTaggedFields() {
    const size_t start = pos_;
    uint32_t count;
    if (!Varint("_tagged_fields", &count)) return;
    for (uint32_t i = 0; i < count && ok(); ++i) {
      uint32_t tag, size;
      if (!Varint("_tagged_fields", &tag) || !Varint("_tagged_fields", &size)) {
        return;
      }
      if (size > remaining()) {
        Fail("_tagged_fields", start,
             absl::StrCat("tag ", tag, " has size ", size, ", only ",
                          remaining(), " bytes remain"));
        return;
      }
      pos_ += size;
    }
  }
  // Fails with `why` for the field starting at byte `pos`.
  void Fail(absl::string_view field, size_t pos, absl::string_view why) {
    if (!ok()) return;
    status_ = absl::DataLossError(
        absl::StrCat("corrupt ", what_, ": cannot read ", path_.Name(field),
                     " at byte ", pos, ": ", why));
  }

 private:
  bool Need(absl::string_view field, size_t n) {
    if (!ok()) return false;
    if (remaining() >= n) return true;
    Fail(field, pos_,
         absl::StrCat("needs ", n, " bytes, only ", remaining(), " remain"));
    return false;
  }
  // Kafka's ByteUtils.readUnsignedVarint: at most 5 bytes, the fifth
  // without a continuation bit; bits past 32 are dropped.
  bool Varint(absl::string_view field, uint32_t* v) {
    if (!ok()) return false;
    const size_t start = pos_;
    uint32_t result = 0;
    for (int shift = 0; shift <= 28; shift += 7) {
      if (pos_ >= data_.size()) {
        Fail(field, start, "varint runs past the end");
        return false;
      }
      const uint8_t b = static_cast<uint8_t>(data_[pos_++]);
      result |= static_cast<uint32_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *v = result;
        return true;
      }
    }
    Fail(field, start, "varint longer than 5 bytes");
    return false;
  }
  // A length or count prefix: compact = unsigned varint of length + 1
  // (0 = null), else int16 (strings) or int32 (bytes, arrays). Null is -1.
  bool Length(absl::string_view field, bool int16_length, int64_t* n) {
    if (compact_) {
      uint32_t u;
      if (!Varint(field, &u)) return false;
      *n = static_cast<int64_t>(u) - 1;
    } else if (int16_length) {
      int16_t s = 0;
      Int16(field, &s);
      *n = s;
    } else {
      int32_t i = 0;
      Int32(field, &i);
      *n = i;
    }
    return ok();
  }
  static std::string NullOrNegative(int64_t n, bool nullable) {
    if (n == -1 && !nullable) return "null, but the field is not nullable";
    return absl::StrCat("negative length ", n);
  }
  // A string or bytes: length prefix, then the bytes.
  void Sized(absl::string_view field, bool is_string, bool nullable,
             std::optional<std::string>* out) {
    const size_t start = pos_;
    int64_t n;
    if (!Length(field, is_string, &n)) return;
    if (n == -1 && nullable) {
      out->reset();
      return;
    }
    if (n < 0) return Fail(field, start, NullOrNegative(n, nullable));
    if (is_string && static_cast<uint64_t>(n) > kMaxString) {
      return Fail(
          field, start,
          absl::StrCat("length ", n, " is over Kafka's limit of ", kMaxString));
    }
    if (static_cast<uint64_t>(n) > remaining()) {
      return Fail(field, start,
                  absl::StrCat("length ", n, " exceeds the ", remaining(),
                               " bytes remaining"));
    }
    out->emplace(data_.data() + pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
  }

  const absl::string_view data_;
  const absl::string_view what_;
  size_t pos_ = 0;
  bool compact_ = false;
  FieldPath path_;
  absl::Status status_;
};

// Reads the int16 version prefix: 0 to `max`, or (if `newer_as_max`) any
// version >= 0, a later one read as `max`. -1 after an error.
int16_t ReadVersion(Reader& r, int16_t max, bool newer_as_max) {
  int16_t version = -1;
  r.Int16("version", &version);
  if (!r.ok()) return -1;
  if (version >= 0 && version <= max) return version;
  if (version > max && newer_as_max) return max;
  r.Fail("version", 0,
         newer_as_max
             ? absl::StrCat("version ", version, " is negative")
             : absl::StrCat("version ", version, " is not one of 0-", max));
  return -1;
}

int16_t ClampProtocolVersion(int16_t version) {
  return std::clamp<int16_t>(version, 0, kConsumerProtocolVersion);
}

// Sorts partitions by topic, then partition.
std::vector<TopicPartition> Sorted(const std::vector<TopicPartition>& tps) {
  std::vector<TopicPartition> out = tps;
  std::sort(out.begin(), out.end());
  return out;
}

// Kafka's [](Topic, [Partitions]) layout: sorted partitions, one entry per
// run of the same topic.
void WriteTopicPartitions(Writer& w, absl::string_view field,
                          const std::vector<TopicPartition>& tps) {
  const std::vector<TopicPartition> sorted = Sorted(tps);
  size_t topics = 0;
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i == 0 || sorted[i].topic != sorted[i - 1].topic) ++topics;
  }
  w.Count(field, topics);
  size_t i = 0;
  for (size_t t = 0; t < topics; ++t) {
    size_t end = i;
    while (end < sorted.size() && sorted[end].topic == sorted[i].topic) ++end;
    w.path().Enter(field, t);
    w.String("Topic", sorted[i].topic);
    w.Count("Partitions", end - i);
    for (; i < end; ++i) w.Int32(sorted[i].partition);
    w.path().Leave();
  }
}

void ReadTopicPartitions(Reader& r, absl::string_view field,
                         std::vector<TopicPartition>* out) {
  const size_t topics = r.Count(field, kMinPartitionsBytes);
  for (size_t t = 0; t < topics && r.ok(); ++t) {
    r.path().Enter(field, t);
    std::string topic;
    r.String("Topic", &topic);
    const size_t n = r.Count("Partitions", kMinPartitionBytes);
    for (size_t i = 0; i < n && r.ok(); ++i) {
      TopicPartition tp;
      tp.topic = topic;
      r.Int32("Partitions", &tp.partition);
      if (r.ok()) out->push_back(std::move(tp));
    }
    r.path().Leave();
  }
}

void ReadMember(Reader& r, int16_t version, MemberMetadata* m) {
  r.String("memberId", &m->member_id);
  if (version >= 3) r.NullableString("groupInstanceId", &m->group_instance_id);
  r.String("clientId", &m->client_id);
  r.String("clientHost", &m->client_host);
  if (version >= 1) r.Int32("rebalanceTimeout", &m->rebalance_timeout_ms);
  r.Int32("sessionTimeout", &m->session_timeout_ms);
  if (version == 0) m->rebalance_timeout_ms = m->session_timeout_ms;
  r.Bytes("subscription", &m->subscription);
  r.Bytes("assignment", &m->assignment);
  if (version >= kFirstFlexibleValueVersion) r.SkipTaggedFields();
}

}  // namespace

std::string EncodeGroupKey(absl::string_view group) {
  if (group.size() > kMaxString) group = group.substr(0, kMaxString);
  Writer w("group metadata key");
  w.Int16(kGroupKeyVersion);
  w.String("group", group);
  return *std::move(w).Finish();  // cannot fail: the group fits
}

std::optional<std::string> DecodeGroupKey(absl::string_view key) {
  Reader r(key, "group metadata key");
  int16_t version = -1;
  r.Int16("version", &version);
  if (!r.ok() || version != kGroupKeyVersion) return std::nullopt;
  std::string group;
  r.String("group", &group);
  if (!r.ok()) return std::nullopt;
  return group;  // trailing bytes ignored, as Kafka's readers do
}

absl::StatusOr<std::string> EncodeGroupMetadataValue(
    const GroupMetadata& group) {
  Writer w("group metadata value");
  w.Int16(kGroupMetadataValueVersion);
  w.String("protocolType", group.protocol_type);
  w.Int32(group.generation);
  w.NullableString("protocol", group.protocol);
  w.NullableString("leader", group.leader);
  w.Int64(group.current_state_timestamp);
  w.Count("members", group.members.size());
  for (size_t i = 0; i < group.members.size(); ++i) {
    const MemberMetadata& m = group.members[i];
    w.path().Enter("members", i);
    w.String("memberId", m.member_id);
    w.NullableString("groupInstanceId", m.group_instance_id);
    w.String("clientId", m.client_id);
    w.String("clientHost", m.client_host);
    w.Int32(m.rebalance_timeout_ms);
    w.Int32(m.session_timeout_ms);
    w.Bytes("subscription", m.subscription);
    w.Bytes("assignment", m.assignment);
    w.path().Leave();
  }
  return std::move(w).Finish();
}

absl::StatusOr<GroupMetadata> DecodeGroupMetadataValue(
    absl::string_view value) {
  Reader r(value, "group metadata value");
  const int16_t version =
      ReadVersion(r, kMaxValueVersion, /*newer_as_max=*/false);
  if (!r.ok()) return r.status();
  r.set_compact(version >= kFirstFlexibleValueVersion);
  GroupMetadata g;
  r.String("protocolType", &g.protocol_type);
  r.Int32("generation", &g.generation);
  r.NullableString("protocol", &g.protocol);
  r.NullableString("leader", &g.leader);
  if (version >= 2) {
    r.Int64("currentStateTimestamp", &g.current_state_timestamp);
  }
  const size_t members = r.Count("members", kMinMemberBytes);
  g.members.reserve(members);  // bounded by the bytes remaining
  for (size_t i = 0; i < members && r.ok(); ++i) {
    r.path().Enter("members", i);
    ReadMember(r, version, &g.members.emplace_back());
    r.path().Leave();
  }
  if (version >= kFirstFlexibleValueVersion) r.SkipTaggedFields();
  if (!r.ok()) return r.status();
  return g;
}

absl::StatusOr<std::string> EncodeConsumerSubscription(
    const ConsumerSubscription& subscription, int16_t version) {
  version = ClampProtocolVersion(version);
  Writer w("consumer subscription");
  w.Int16(version);
  std::vector<std::string> topics = subscription.topics;
  std::sort(topics.begin(), topics.end());
  w.Count("Topics", topics.size());
  for (size_t i = 0; i < topics.size(); ++i) {
    w.path().Enter("Topics", i);
    w.String("", topics[i]);
    w.path().Leave();
  }
  w.NullableBytes("UserData", subscription.user_data);
  if (version >= 1) {
    WriteTopicPartitions(w, "OwnedPartitions", subscription.owned_partitions);
  }
  if (version >= 2) w.Int32(subscription.generation_id);
  if (version >= 3) w.NullableString("RackId", subscription.rack_id);
  return std::move(w).Finish();
}

absl::StatusOr<ConsumerSubscription> DecodeConsumerSubscription(
    absl::string_view subscription) {
  Reader r(subscription, "consumer subscription");
  const int16_t version =
      ReadVersion(r, kConsumerProtocolVersion, /*newer_as_max=*/true);
  if (!r.ok()) return r.status();
  ConsumerSubscription s;
  const size_t topics = r.Count("Topics", kMinTopicBytes);
  s.topics.reserve(topics);
  for (size_t i = 0; i < topics && r.ok(); ++i) {
    r.path().Enter("Topics", i);
    r.String("", &s.topics.emplace_back());
    r.path().Leave();
  }
  r.NullableBytes("UserData", &s.user_data);
  if (version >= 1) {
    ReadTopicPartitions(r, "OwnedPartitions", &s.owned_partitions);
  }
  if (version >= 2) r.Int32("GenerationId", &s.generation_id);
  if (version >= 3) r.NullableString("RackId", &s.rack_id);
  if (!r.ok()) return r.status();
  return s;
}

absl::StatusOr<std::string> EncodeConsumerAssignment(
    const ConsumerAssignment& assignment, int16_t version) {
  Writer w("consumer assignment");
  w.Int16(ClampProtocolVersion(version));
  WriteTopicPartitions(w, "AssignedPartitions", assignment.partitions);
  w.NullableBytes("UserData", assignment.user_data);
  return std::move(w).Finish();
}

absl::StatusOr<ConsumerAssignment> DecodeConsumerAssignment(
    absl::string_view assignment) {
  Reader r(assignment, "consumer assignment");
  ReadVersion(r, kConsumerProtocolVersion, /*newer_as_max=*/true);
  if (!r.ok()) return r.status();
  ConsumerAssignment a;
  ReadTopicPartitions(r, "AssignedPartitions", &a.partitions);
  r.NullableBytes("UserData", &a.user_data);
  if (!r.ok()) return r.status();
  return a;
}

}  // namespace runnel
