// Copyright 2026 The Runnel Authors.
//
// The formats, from apache/kafka:
//
// Key (group-coordinator/src/main/resources/common/message/
// OffsetCommitKey.json, non-flexible; written version-prefixed by
// GroupMetadataManager.offsetCommitKey in
// core/src/main/scala/kafka/coordinator/group/GroupMetadataManager.scala):
//   int16  version      0 or 1 = offset commit (Kafka writes 1); 2 = group
//                       metadata; later coordinator record types are 3+
//   string group        int16 length + UTF-8 bytes
//   string topic        int16 length + UTF-8 bytes
//   int32  partition
//
// Value (OffsetCommitValue.json, "validVersions": "0-4",
// "flexibleVersions": "4+"):
//   int16  version
//   int64  offset            0+
//   int32  leaderEpoch       3+ (default -1)
//   string metadata          0+ (int16 length; v4: compact string)
//   int64  commitTimestamp   0+
//   int64  expireTimestamp   1 only (default -1)
//   v4 only: tagged fields (unsigned varint count, then tag/size/bytes).
// GroupMetadataManager.offsetCommitValue writes v1 when an expire timestamp
// is set (or for pre-2.1 brokers), else v3; so does Runnel (v3).
//
// Everything is big-endian (Java's ByteBuffer).
#include "consumer_group/offset_store.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "consumer_group/group_metadata_format.h"
#include "log/big_endian.h"
#include "runnel/admin.h"
#include "runnel/clock.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace {

constexpr char kServiceName[] = "runnel.offset_store";
constexpr int16_t kKeyVersion = 1;
constexpr int16_t kValueVersion = 3;
// Kafka's limit on a non-compact string (int16 length).
constexpr size_t kMaxString = 32767;
// Kafka's offset.metadata.max.bytes default.
constexpr size_t kMaxMetadata = 4096;
// Bytes read per Fetch while loading.
constexpr size_t kLoadFetchBytes = size_t{1} << 20;

void PutInt16(std::string* out, int16_t v) {
  char b[2];
  internal::StoreBigEndian16(b, static_cast<uint16_t>(v));
  out->append(b, sizeof(b));
}
void PutInt32(std::string* out, int32_t v) {
  char b[4];
  internal::StoreBigEndian32(b, static_cast<uint32_t>(v));
  out->append(b, sizeof(b));
}
void PutInt64(std::string* out, int64_t v) {
  char b[8];
  internal::StoreBigEndian64(b, static_cast<uint64_t>(v));
  out->append(b, sizeof(b));
}
// A non-nullable, non-compact Kafka string. Callers check the length.
void PutString(std::string* out, absl::string_view s) {
  if (s.size() > kMaxString) s = s.substr(0, kMaxString);
  PutInt16(out, static_cast<int16_t>(s.size()));
  out->append(s.data(), s.size());
}

// Bounds-checked big-endian reads; each returns false past the end (or on
// a malformed string) and then leaves `pos` where the field began.
class Reader {
 public:
  explicit Reader(absl::string_view data) : data_(data) {}

  size_t pos() const { return pos_; }

  bool Int16(int16_t* v) {
    if (data_.size() - pos_ < 2) return false;
    *v = static_cast<int16_t>(internal::LoadBigEndian16(data_.data() + pos_));
    pos_ += 2;
    return true;
  }
  bool Int32(int32_t* v) {
    if (data_.size() - pos_ < 4) return false;
    *v = static_cast<int32_t>(internal::LoadBigEndian32(data_.data() + pos_));
    pos_ += 4;
    return true;
  }
  bool Int64(int64_t* v) {
    if (data_.size() - pos_ < 8) return false;
    *v = static_cast<int64_t>(internal::LoadBigEndian64(data_.data() + pos_));
    pos_ += 8;
    return true;
  }
  // int16 length, then the bytes; null (-1) is rejected: every string
  // here is non-nullable.
  bool String(std::string* s) {
    const size_t start = pos_;
    int16_t n;
    if (!Int16(&n) || n < 0 || !Bytes(static_cast<size_t>(n), s)) {
      pos_ = start;
      return false;
    }
    return true;
  }
  // Flexible versions: unsigned varint (length + 1); 0 (null) rejected.
  bool CompactString(std::string* s) {
    const size_t start = pos_;
    uint32_t n;
    if (!UnsignedVarint(&n) || n == 0 || !Bytes(n - 1, s)) {
      pos_ = start;
      return false;
    }
    return true;
  }
  // Skips a tagged-field section: count, then per field tag, size, bytes.
  bool SkipTaggedFields() {
    const size_t start = pos_;
    uint32_t count;
    bool ok = UnsignedVarint(&count);
    for (uint32_t i = 0; ok && i < count; ++i) {
      uint32_t tag, size;
      ok = UnsignedVarint(&tag) && UnsignedVarint(&size) &&
           data_.size() - pos_ >= size;
      if (ok) pos_ += size;
    }
    if (!ok) pos_ = start;
    return ok;
  }

 private:
  bool Bytes(size_t n, std::string* s) {
    if (data_.size() - pos_ < n) return false;
    s->assign(data_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  // Kafka's ByteUtils.readUnsignedVarint: at most 5 bytes.
  bool UnsignedVarint(uint32_t* v) {
    uint32_t result = 0;
    for (int shift = 0; shift <= 28; shift += 7) {
      if (pos_ >= data_.size()) return false;
      const uint8_t b = static_cast<uint8_t>(data_[pos_++]);
      result |= static_cast<uint32_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *v = result;
        return true;
      }
    }
    return false;
  }

  absl::string_view data_;
  size_t pos_ = 0;
};

// Appends the UTF-16 code units of `s` if it is valid UTF-8 (no overlong
// forms, surrogates or code points past U+10FFFF); false otherwise.
bool Utf8ToUtf16(absl::string_view s, std::vector<uint16_t>* out) {
  size_t i = 0;
  while (i < s.size()) {
    const uint8_t b0 = static_cast<uint8_t>(s[i]);
    int len;
    uint32_t cp, min;
    if (b0 < 0x80) {
      len = 1, cp = b0, min = 0;
    } else if ((b0 & 0xe0) == 0xc0) {
      len = 2, cp = b0 & 0x1f, min = 0x80;
    } else if ((b0 & 0xf0) == 0xe0) {
      len = 3, cp = b0 & 0x0f, min = 0x800;
    } else if ((b0 & 0xf8) == 0xf0) {
      len = 4, cp = b0 & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (s.size() - i < static_cast<size_t>(len)) return false;
    for (int k = 1; k < len; ++k) {
      const uint8_t b = static_cast<uint8_t>(s[i + k]);
      if ((b & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out->push_back(static_cast<uint16_t>(0xd800 + (cp >> 10)));
      out->push_back(static_cast<uint16_t>(0xdc00 + (cp & 0x3ff)));
    } else {
      out->push_back(static_cast<uint16_t>(cp));
    }
    i += static_cast<size_t>(len);
  }
  return true;
}

// java.lang.String.hashCode: s[0]*31^(n-1) + ... + s[n-1] over UTF-16 code
// units, in wrapping 32-bit arithmetic (done unsigned: no signed overflow).
int32_t JavaStringHashCode(absl::string_view s) {
  std::vector<uint16_t> units;
  units.reserve(s.size());
  if (!Utf8ToUtf16(s, &units)) {
    units.clear();  // Latin-1: one code unit per byte
    for (char c : s) units.push_back(static_cast<uint8_t>(c));
  }
  uint32_t h = 0;
  for (uint16_t u : units) h = 31 * h + u;
  return static_cast<int32_t>(h);
}

// org.apache.kafka.common.utils.Utils.abs (clients/src/main/java/org/apache/
// kafka/common/utils/Utils.java):
//   (n == Integer.MIN_VALUE) ? 0 : Math.abs(n)
int32_t KafkaAbs(int32_t n) {
  if (n == INT32_MIN) return 0;
  return n < 0 ? -n : n;
}

absl::Status ValueError(absl::string_view field, size_t pos) {
  return absl::DataLossError(absl::StrCat(
      "corrupt offset commit value: cannot read ", field, " at byte ", pos));
}

}  // namespace

OffsetStore::OffsetStore(Broker* broker) : broker_(broker) {}

absl::StatusOr<OffsetStore*> OffsetStore::ForBroker(Broker* broker) {
  absl::StatusOr<BrokerService*> service = broker->GetOrAddService(
      kServiceName,
      [broker]() -> absl::StatusOr<std::unique_ptr<BrokerService>> {
        if (broker->read_only()) {
          // Nothing to create: no topic yet means no group has committed.
          std::unique_ptr<OffsetStore> store(new OffsetStore(broker));
          if (!broker->GetTopic(kTopic).ok()) {
            return std::unique_ptr<BrokerService>(std::move(store));
          }
          if (absl::Status s = store->Load(); !s.ok()) return s;
          return std::unique_ptr<BrokerService>(std::move(store));
        }
        NewTopic topic(kTopic, kPartitions, /*replication_factor=*/-1,
                       {{"cleanup.policy", "compact"}});
        absl::Status created = Admin(broker).CreateTopic(topic);
        if (!created.ok() && !absl::IsAlreadyExists(created)) return created;
        absl::StatusOr<TopicInfo> info = broker->GetTopic(kTopic);
        if (!info.ok()) return info.status();
        if (info->partitions.size() != static_cast<size_t>(kPartitions)) {
          return absl::FailedPreconditionError(absl::StrCat(
              "topic ", kTopic, " has ", info->partitions.size(),
              " partitions; the offset store needs ", kPartitions));
        }
        std::unique_ptr<OffsetStore> store(new OffsetStore(broker));
        absl::Status loaded = store->Load();
        if (!loaded.ok()) return loaded;
        return std::unique_ptr<BrokerService>(std::move(store));
      });
  if (!service.ok()) return service.status();
  return static_cast<OffsetStore*>(*service);
}

absl::Status OffsetStore::Load() {
  for (int32_t p = 0; p < kPartitions; ++p) {
    absl::Status status = LoadPartition(p);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status OffsetStore::LoadPartition(int32_t partition) {
  absl::StatusOr<std::shared_ptr<Partition>> p =
      broker_->GetPartition(kTopic, partition);
  if (!p.ok()) return p.status();
  int64_t next = (*p)->log_start_offset();
  MutexLock lock(&mu_);
  while (true) {
    absl::StatusOr<FetchResult> fetch = (*p)->Fetch(next, kLoadFetchBytes);
    if (!fetch.ok()) return fetch.status();
    if (fetch->read.batches.empty()) return absl::OkStatus();
    for (absl::string_view bytes : fetch->read.batches) {
      absl::StatusOr<RecordBatchView> batch = RecordBatchView::Parse(bytes);
      if (!batch.ok()) return batch.status();
      const int64_t batch_end = batch->header().next_offset();
      if (batch->header().is_control) {  // transaction markers
        next = batch_end;
        continue;
      }
      RecordIterator it(*batch);
      RecordView record;
      while (it.Next(&record)) {
        if (record.offset < next || !record.key.has_value()) continue;
        std::optional<std::pair<std::string, TopicPartition>> key =
            DecodeKey(*record.key);
        if (!key.has_value()) {
          ApplyGroupRecord(*record.key, record.value);
          continue;
        }
        if (!record.value.has_value()) {  // tombstone
          Apply(key->first, key->second, std::nullopt);
          continue;
        }
        absl::StatusOr<OffsetAndMetadata> value = DecodeValue(*record.value);
        if (!value.ok()) {
          return absl::DataLossError(
              absl::StrCat(kTopic, "-", partition, " offset ", record.offset,
                           ": ", value.status().message()));
        }
        Apply(key->first, key->second, *std::move(value));
      }
      if (!it.status().ok()) return it.status();
      next = batch_end;
    }
  }
}

void OffsetStore::ApplyGroupRecord(absl::string_view key,
                                   std::optional<absl::string_view> value) {
  std::optional<std::string> group = DecodeGroupKey(key);
  if (!group.has_value()) return;  // a later record type: not ours
  if (value.has_value()) {
    group_metadata_[*group] = std::string(*value);
  } else {
    group_metadata_.erase(*group);
  }
}

void OffsetStore::Apply(const std::string& group, const TopicPartition& tp,
                        std::optional<OffsetAndMetadata> value) {
  if (value.has_value()) {
    committed_[group][tp] = *std::move(value);
    return;
  }
  auto it = committed_.find(group);
  if (it == committed_.end()) return;
  it->second.erase(tp);
  if (it->second.empty()) committed_.erase(it);
}

absl::Status OffsetStore::Validate(
    absl::string_view group,
    absl::Span<const std::pair<TopicPartition, OffsetAndMetadata>> offsets)
    const {
  if (group.empty()) {
    return absl::InvalidArgumentError("commit offsets: empty group id");
  }
  if (group.size() > kMaxString) {
    return absl::InvalidArgumentError(
        absl::StrCat("commit offsets: group id of ", group.size(),
                     " bytes is longer than ", kMaxString));
  }
  for (const auto& [tp, offset] : offsets) {
    absl::StatusOr<std::shared_ptr<Partition>> p =
        broker_->GetPartition(tp.topic, tp.partition);
    if (!p.ok()) {
      return absl::Status(
          p.status().code(),
          absl::StrCat("commit offsets for group ", group, " to ",
                       tp.ToString(), ": ", p.status().message()));
    }
    absl::Status online = (*p)->status();
    if (!online.ok()) {
      return absl::Status(online.code(),
                          absl::StrCat("commit offsets for group ", group,
                                       " to ", tp.ToString(), ": partition ",
                                       "unavailable: ", online.message()));
    }
    const int64_t end = (*p)->log_end_offset();
    if (offset.offset < 0 || offset.offset > end) {
      return absl::OutOfRangeError(
          absl::StrCat("commit offsets for group ", group, ": offset ",
                       offset.offset, " of ", tp.ToString(), " is outside [0, ",
                       end, "] (log end offset ", end, ")"));
    }
    if (offset.metadata.size() > kMaxMetadata) {
      return absl::InvalidArgumentError(
          absl::StrCat("commit offsets for group ", group, " to ",
                       tp.ToString(), ": metadata of ", offset.metadata.size(),
                       " bytes is longer than offset.metadata.max.bytes (",
                       kMaxMetadata, ")"));
    }
  }
  return absl::OkStatus();
}

absl::Status OffsetStore::Commit(
    absl::string_view group,
    absl::Span<const std::pair<TopicPartition, OffsetAndMetadata>> offsets) {
  absl::Status valid = Validate(group, offsets);
  if (!valid.ok()) return valid;
  if (offsets.empty()) return absl::OkStatus();

  const std::string group_id(group);
  return AppendAndApply(
      group,
      [&](int64_t now) {
        std::vector<KeyValue> records;
        for (const auto& [tp, offset] : offsets) {
          records.emplace_back(EncodeKey(group, tp), EncodeValue(offset, now));
        }
        return records;
      },
      [&]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
        for (const auto& [tp, offset] : offsets) Apply(group_id, tp, offset);
      });
}

absl::Status OffsetStore::AppendAndApply(
    absl::string_view group,
    absl::FunctionRef<std::vector<KeyValue>(int64_t now_ms)> records,
    absl::FunctionRef<void()> apply) {
  if (broker_->read_only()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "group ", group, ": cannot write to ", kTopic, ": the broker on ",
        broker_->options().data_dir, " was opened read-only"));
  }
  const int32_t partition = PartitionFor(group);
  absl::StatusOr<std::shared_ptr<Partition>> p =
      broker_->GetPartition(kTopic, partition);
  if (!p.ok()) return p.status();
  Clock* clock = broker_->options().clock != nullptr ? broker_->options().clock
                                                     : Clock::Real();
  MutexLock append_lock(&append_mu_[partition]);
  const int64_t now = clock->NowMillis();
  const std::vector<KeyValue> kvs = records(now);
  if (kvs.empty()) return absl::OkStatus();
  std::string batch;
  RecordBatchBuilder builder(RecordBatchOptions{}, &batch);
  for (const auto& [key, value] : kvs) {
    std::optional<absl::string_view> v;
    if (value.has_value()) v = *value;
    if (absl::Status s = builder.Append(now, key, v); !s.ok()) return s;
  }
  absl::StatusOr<RecordBatchHeader> header = builder.Finish();
  if (!header.ok()) return header.status();
  absl::StatusOr<AppendInfo> info = (*p)->Append(batch);
  if (!info.ok()) return info.status();
  absl::Status synced = (*p)->Sync();
  if (!synced.ok()) return synced;
  MutexLock lock(&mu_);
  apply();
  return absl::OkStatus();
}

absl::Status OffsetStore::DeleteGroup(absl::string_view group) {
  const std::string group_id(group);
  // The snapshot is taken under the partition's append lock, so a commit
  // for the group cannot slip in between it and the tombstones.
  return AppendAndApply(
      group,
      [&](int64_t) {
        std::vector<KeyValue> records;
        for (const auto& [tp, offset] : CommittedOffsets(group)) {
          records.emplace_back(EncodeKey(group, tp), std::nullopt);
        }
        MutexLock lock(&mu_);
        if (group_metadata_.contains(group)) {
          records.emplace_back(EncodeGroupKey(group), std::nullopt);
        }
        return records;
      },
      [&]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
        committed_.erase(group_id);
        group_metadata_.erase(group_id);
      });
}

absl::Status OffsetStore::StoreGroupMetadata(
    absl::string_view group, std::optional<absl::string_view> value) {
  if (group.empty() || group.size() > kMaxString) {
    return absl::InvalidArgumentError(absl::StrCat(
        "store group metadata: bad group id of ", group.size(), " bytes"));
  }
  const std::string group_id(group);
  return AppendAndApply(
      group,
      [&](int64_t) {
        std::vector<KeyValue> records;
        records.emplace_back(EncodeGroupKey(group),
                             value.has_value()
                                 ? std::optional<std::string>(*value)
                                 : std::nullopt);
        return records;
      },
      [&]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
        if (value.has_value()) {
          group_metadata_[group_id] = std::string(*value);
        } else {
          group_metadata_.erase(group_id);
        }
      });
}

std::vector<std::pair<std::string, std::string>>
OffsetStore::GroupMetadataValues() const {
  std::vector<std::pair<std::string, std::string>> out;
  {
    MutexLock lock(&mu_);
    out.assign(group_metadata_.begin(), group_metadata_.end());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::pair<TopicPartition, OffsetAndMetadata>>
OffsetStore::CommittedOffsets(absl::string_view group) const {
  std::vector<std::pair<TopicPartition, OffsetAndMetadata>> out;
  {
    MutexLock lock(&mu_);
    auto g = committed_.find(group);
    if (g == committed_.end()) return out;
    out.assign(g->second.begin(), g->second.end());
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

std::vector<std::string> OffsetStore::Groups() const {
  std::vector<std::string> out;
  {
    MutexLock lock(&mu_);
    for (const auto& [group, offsets] : committed_) out.push_back(group);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<OffsetAndMetadata> OffsetStore::Committed(
    absl::string_view group, const TopicPartition& tp) const {
  MutexLock lock(&mu_);
  auto g = committed_.find(group);
  if (g == committed_.end()) return std::nullopt;
  auto it = g->second.find(tp);
  if (it == g->second.end()) return std::nullopt;
  return it->second;
}

int32_t OffsetStore::PartitionFor(absl::string_view group) {
  return KafkaAbs(JavaStringHashCode(group)) % kPartitions;
}

std::string OffsetStore::EncodeKey(absl::string_view group,
                                   const TopicPartition& tp) {
  std::string out;
  out.reserve(2 + 2 + group.size() + 2 + tp.topic.size() + 4);
  PutInt16(&out, kKeyVersion);
  PutString(&out, group);
  PutString(&out, tp.topic);
  PutInt32(&out, tp.partition);
  return out;
}

std::string OffsetStore::EncodeValue(const OffsetAndMetadata& offset,
                                     int64_t commit_timestamp_ms) {
  std::string out;
  out.reserve(2 + 8 + 4 + 2 + offset.metadata.size() + 8);
  PutInt16(&out, kValueVersion);
  PutInt64(&out, offset.offset);
  PutInt32(&out, offset.leader_epoch);
  PutString(&out, offset.metadata);
  PutInt64(&out, commit_timestamp_ms);
  return out;
}

std::optional<std::pair<std::string, TopicPartition>> OffsetStore::DecodeKey(
    absl::string_view key) {
  Reader r(key);
  int16_t version;
  if (!r.Int16(&version) || (version != 0 && version != 1)) {
    return std::nullopt;
  }
  std::pair<std::string, TopicPartition> out;
  if (!r.String(&out.first) || !r.String(&out.second.topic) ||
      !r.Int32(&out.second.partition) || out.second.partition < 0) {
    return std::nullopt;
  }
  // Trailing bytes are ignored, as Kafka's generated readers do.
  return out;
}

absl::StatusOr<OffsetAndMetadata> OffsetStore::DecodeValue(
    absl::string_view value) {
  Reader r(value);
  int16_t version;
  if (!r.Int16(&version)) return ValueError("version", r.pos());
  if (version < 0 || version > 4) {
    return absl::DataLossError(absl::StrCat("offset commit value version ",
                                            version, " is not one of 0-4"));
  }
  OffsetAndMetadata out;
  int64_t commit_timestamp, expire_timestamp;
  if (!r.Int64(&out.offset)) return ValueError("offset", r.pos());
  if (version >= 3 && !r.Int32(&out.leader_epoch)) {
    return ValueError("leaderEpoch", r.pos());
  }
  if (!(version >= 4 ? r.CompactString(&out.metadata)
                     : r.String(&out.metadata))) {
    return ValueError("metadata", r.pos());
  }
  if (!r.Int64(&commit_timestamp)) {
    return ValueError("commitTimestamp", r.pos());
  }
  if (version == 1 && !r.Int64(&expire_timestamp)) {
    return ValueError("expireTimestamp", r.pos());
  }
  if (version >= 4 && !r.SkipTaggedFields()) {
    return ValueError("tagged fields", r.pos());
  }
  return out;
}

}  // namespace runnel
