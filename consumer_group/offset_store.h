// Copyright 2026 The Runnel Authors.
//
// consumer_group/offset_store.h — committed consumer offsets, stored as
// Kafka stores them: records in the internal compacted topic
// `__consumer_offsets`, keyed by (group, topic, partition), in Kafka's own
// OffsetCommitKey / OffsetCommitValue binary formats, so Kafka's tools can
// decode the topic. Internal to Runnel's consumers and groups.
//
//   absl::StatusOr<OffsetStore*> store = OffsetStore::ForBroker(broker);
//   RETURN_IF_ERROR((*store)->Commit("billing", {{{"orders", 0}, {42}}}));
//   std::optional<OffsetAndMetadata> c =
//       (*store)->Committed("billing", {"orders", 0});   // {42, ...}
//
// One store per broker (a BrokerService): ForBroker creates the topic on
// first use (offsets.topic.num.partitions = 50, cleanup.policy=compact, as
// Kafka) and loads every committed offset by reading it once; later
// commits update memory and the topic. A group's records go to partition
// abs(Java String.hashCode(group)) % 50, as in Kafka.
//
// Durability: Commit returns once the records are appended and synced
// (fsync): a committed offset survives a machine crash.
//
// Errors: Commit checks each partition exists (NotFound naming it) and
// that the offset is within [0, log end offset] (OutOfRange naming
// topic, partition, offset and end); an empty group, a group longer than
// Kafka's string limit (32767 bytes) or metadata longer than Kafka's
// offset.metadata.max.bytes (4096) is InvalidArgument; nothing is written
// if any check fails. ForBroker fails with FailedPrecondition if the topic
// exists with a partition count other than 50, and with DataLoss (naming
// the partition and offset) if a committed value cannot be decoded.
//
// Not modelled: transactional offset commits (Kafka gates them on the
// transaction's marker); control batches are skipped, other records are
// applied as read. Nothing in Runnel writes transactional commits yet.
//
// Thread-safety: thread-safe. Lifetimes: owned by the broker, valid until
// Broker::Close.
#ifndef RUNNEL_CONSUMER_GROUP_OFFSET_STORE_H_
#define RUNNEL_CONSUMER_GROUP_OFFSET_STORE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "runnel/broker.h"
#include "runnel/partition.h"
#include "util/mutex.h"

namespace runnel {

// Kafka's OffsetAndMetadata.
struct OffsetAndMetadata {
  int64_t offset = -1;
  int32_t leader_epoch = -1;  // -1: unknown
  std::string metadata;

  friend bool operator==(const OffsetAndMetadata& a,
                         const OffsetAndMetadata& b) {
    return a.offset == b.offset && a.leader_epoch == b.leader_epoch &&
           a.metadata == b.metadata;
  }
};

class OffsetStore : public BrokerService {
 public:
  // The internal topic and its partition count (Kafka's defaults).
  static constexpr char kTopic[] = "__consumer_offsets";
  static constexpr int32_t kPartitions = 50;

  // The broker's store, created (and the topic with it) on first use.
  static absl::StatusOr<OffsetStore*> ForBroker(Broker* broker);

  // Commits `offsets` for `group` durably (see the banner).
  absl::Status Commit(
      absl::string_view group,
      absl::Span<const std::pair<TopicPartition, OffsetAndMetadata>> offsets);

  // The last committed offset, if any.
  std::optional<OffsetAndMetadata> Committed(absl::string_view group,
                                             const TopicPartition& tp) const;

  // Every committed offset of `group`, sorted by topic and partition.
  std::vector<std::pair<TopicPartition, OffsetAndMetadata>> CommittedOffsets(
      absl::string_view group) const;
  // The groups with committed offsets, sorted.
  std::vector<std::string> Groups() const;
  // Forgets every offset of `group` and its stored group metadata,
  // durably: one batch of tombstones (null values, which compaction later
  // drops), synced.
  absl::Status DeleteGroup(absl::string_view group);

  // The group coordinator's record of a group (Kafka's GroupMetadataKey v2
  // -> GroupMetadataValue bytes, see group_metadata_format.h): stored
  // durably, or removed with nullopt (a tombstone).
  absl::Status StoreGroupMetadata(absl::string_view group,
                                  std::optional<absl::string_view> value);
  // Every stored group record, as loaded and since stored (group -> value).
  std::vector<std::pair<std::string, std::string>> GroupMetadataValues() const;

  // Kafka's partition of __consumer_offsets for `group`:
  // Utils.abs(groupId.hashCode) % 50. The hash is Java's String.hashCode over
  // the UTF-16 code units of `group` read as UTF-8; if `group` is not valid
  // UTF-8 its bytes are taken as Latin-1 code units instead (Java's decoder
  // would substitute U+FFFD; Runnel's choice is deterministic and simple).
  static int32_t PartitionFor(absl::string_view group);

  // Kafka's binary formats (OffsetCommitKey v1, OffsetCommitValue v3),
  // exposed for tests and tools. Layouts in offset_store.cc. EncodeKey
  // expects group and topic of at most 32767 bytes, EncodeValue metadata
  // of at most 32767 bytes (Commit checks); longer ones are cut there.
  static std::string EncodeKey(absl::string_view group,
                               const TopicPartition& tp);
  static std::string EncodeValue(const OffsetAndMetadata& offset,
                                 int64_t commit_timestamp_ms);
  // Decodes a key; nullopt for a key that is not an offset commit (Kafka
  // also stores group metadata there, key version 2) or is malformed.
  static std::optional<std::pair<std::string, TopicPartition>> DecodeKey(
      absl::string_view key);
  // Decodes a value of version 0-4 (v0-v2 have no leader epoch: -1).
  // DataLoss naming the field and byte position if it is malformed or of
  // another version.
  static absl::StatusOr<OffsetAndMetadata> DecodeValue(absl::string_view value);

 private:
  explicit OffsetStore(Broker* broker);
  // Reads every partition of the topic from its log start into committed_.
  absl::Status Load();
  absl::Status LoadPartition(int32_t partition);
  // The checks of Commit (see the banner); no side effects.
  absl::Status Validate(
      absl::string_view group,
      absl::Span<const std::pair<TopicPartition, OffsetAndMetadata>> offsets)
      const;
  // A record's key and value (nullopt: a tombstone).
  using KeyValue = std::pair<std::string, std::optional<std::string>>;
  // Under the group's partition's append lock: makes the records with
  // `records(now)` (nothing to do if none), appends them as one batch,
  // syncs, then runs `apply` with mu_ held to update memory.
  absl::Status AppendAndApply(
      absl::string_view group,
      absl::FunctionRef<std::vector<KeyValue>(int64_t now_ms)> records,
      absl::FunctionRef<void()> apply);
  // Applies a loaded group-metadata record (ignores other record types).
  void ApplyGroupRecord(absl::string_view key,
                        std::optional<absl::string_view> value)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Sets (value) or erases (nullopt) one entry.
  void Apply(const std::string& group, const TopicPartition& tp,
             std::optional<OffsetAndMetadata> value)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Broker* const broker_;
  // One per partition of the topic, held across append, sync and the
  // memory update, so memory applies a group's commits in log order (a
  // group's commits all go to one partition). Taken before mu_.
  std::array<Mutex, kPartitions> append_mu_;
  mutable Mutex mu_;
  // group -> (topic, partition) -> offset.
  absl::flat_hash_map<std::string,
                      absl::flat_hash_map<TopicPartition, OffsetAndMetadata>>
      committed_ ABSL_GUARDED_BY(mu_);
  // group -> its GroupMetadataValue bytes.
  absl::flat_hash_map<std::string, std::string> group_metadata_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace runnel

#endif  // RUNNEL_CONSUMER_GROUP_OFFSET_STORE_H_
