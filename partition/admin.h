// Copyright 2026 The Runnel Authors.
//
// runnel/admin.h — topic administration in the shape of Kafka's AdminClient:
// create, delete, list and describe topics, add partitions, describe and
// alter topic configs, list offsets and delete records.
//
//   runnel::Admin admin(broker.get());
//   runnel::NewTopic orders{"orders", /*num_partitions=*/3};
//   orders.configs = {{"retention.ms", "86400000"},
//                     {"cleanup.policy", "compact"}};
//   RETURN_IF_ERROR(admin.CreateTopic(orders));
//   absl::StatusOr<runnel::TopicDescription> d = admin.DescribeTopic("orders");
//   RETURN_IF_ERROR(admin.IncrementalAlterConfigs(
//       "orders", {{"retention.ms", "3600000"}}));
//   auto end = admin.ListOffset({"orders", 0}, runnel::OffsetSpec::Latest());
//
// Batch calls (CreateTopics, DeleteTopics, ...) take Kafka's request lists
// and return one result per entry, in request order; entries succeed or
// fail independently, as in Kafka. Configs are Kafka's string properties
// (runnel/topic_config.h lists the keys and formats).
//
// Errors, each naming the topic (and partition, offset or config key and
// value): InvalidArgument for invalid names, partition counts, replication
// factors, config keys or values, or shrinking a topic; AlreadyExists for a
// duplicate topic; NotFound for an unknown topic or partition; OutOfRange
// for offsets outside a partition; FailedPrecondition once the broker is
// closed; file-system errors as they come. A call that fails on its input
// changes nothing, in memory or on disk. Changes are durable and atomic
// when a call returns OK (see runnel/broker.h).
//
// Thread-safety: thread-safe; calls that change metadata are serialized by
// the broker. Lifetimes: `broker` is not owned and must outlive the Admin.
#ifndef RUNNEL_PARTITION_ADMIN_H_
#define RUNNEL_PARTITION_ADMIN_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "runnel/broker.h"
#include "runnel/partition.h"
#include "runnel/topic_config.h"

namespace runnel {

// A topic to create (Kafka's NewTopic).
struct NewTopic {
  NewTopic() = default;
  NewTopic(std::string name, int32_t num_partitions = -1,
           int16_t replication_factor = -1,
           absl::flat_hash_map<std::string, std::string> configs = {})
      : name(std::move(name)),
        num_partitions(num_partitions),
        replication_factor(replication_factor),
        configs(std::move(configs)) {}

  std::string name;
  // -1: the broker's num.partitions.
  int32_t num_partitions = -1;
  // -1: the broker's default.replication.factor. Until the replication
  // interface arrives, only 1 is possible.
  int16_t replication_factor = -1;
  // Topic config overrides, e.g. {"retention.ms", "60000"}.
  absl::flat_hash_map<std::string, std::string> configs;
};

struct CreateTopicsOptions {
  // Check everything, create nothing (Kafka's validateOnly).
  bool validate_only = false;
};

struct ListTopicsOptions {
  // Also list internal topics (names starting with "__", e.g.
  // __consumer_offsets). Kafka's listInternal.
  bool list_internal = false;
};

struct TopicListing {
  std::string name;
  std::string topic_id;
  bool internal = false;
};

struct PartitionDescription {
  int32_t partition = 0;
  int32_t leader = -1;
  int32_t leader_epoch = 0;
  std::vector<int32_t> replicas;
  std::vector<int32_t> isr;
  int64_t log_start_offset = 0;
  int64_t log_end_offset = 0;
  int64_t high_watermark = 0;
  // OK, or why the partition is offline.
  absl::Status status;
};

struct TopicDescription {
  std::string name;
  std::string topic_id;
  bool internal = false;
  std::vector<PartitionDescription> partitions;
};

// Grow a topic to `total_count` partitions (Kafka's NewPartitions).
struct NewPartitions {
  std::string topic;
  int32_t total_count = 0;
};

// One change of IncrementalAlterConfigs (Kafka's AlterConfigOp).
struct AlterConfigOp {
  enum class Type {
    kSet,     // SET: set the override to `value`
    kDelete,  // DELETE: remove the override (back to the broker default)
  };
  AlterConfigOp() = default;
  AlterConfigOp(std::string key, std::string value, Type type = Type::kSet)
      : key(std::move(key)), value(std::move(value)), type(type) {}

  std::string key;
  std::string value;
  Type type = Type::kSet;
};

// Which offset ListOffsets looks up (Kafka's OffsetSpec).
struct OffsetSpec {
  enum class Kind { kEarliest, kLatest, kTimestamp };
  Kind kind = Kind::kLatest;
  int64_t timestamp = -1;

  static OffsetSpec Earliest() { return {Kind::kEarliest, -1}; }
  static OffsetSpec Latest() { return {Kind::kLatest, -1}; }
  // The first offset whose timestamp is >= `timestamp` (ms since epoch).
  static OffsetSpec ForTimestamp(int64_t timestamp) {
    return {Kind::kTimestamp, timestamp};
  }
};

// Kafka's ListOffsetsResultInfo. For a timestamp later than every record:
// offset -1 and timestamp -1, as Kafka answers.
struct ListOffsetsResultInfo {
  int64_t offset = -1;
  int64_t timestamp = -1;
  int32_t leader_epoch = 0;
};

class Admin {
 public:
  explicit Admin(Broker* broker) : broker_(broker) {}

  absl::Status CreateTopic(const NewTopic& topic,
                           const CreateTopicsOptions& options = {});
  std::vector<absl::Status> CreateTopics(
      absl::Span<const NewTopic> topics,
      const CreateTopicsOptions& options = {});

  // The topic is invisible when this returns; its files go in the
  // background.
  absl::Status DeleteTopic(absl::string_view name);
  std::vector<absl::Status> DeleteTopics(absl::Span<const std::string> names);

  // Sorted by name.
  absl::StatusOr<std::vector<TopicListing>> ListTopics(
      const ListTopicsOptions& options = {});

  absl::StatusOr<TopicDescription> DescribeTopic(absl::string_view name);
  std::vector<absl::StatusOr<TopicDescription>> DescribeTopics(
      absl::Span<const std::string> names);

  // Grow only: a count at or below the current one is InvalidArgument.
  std::vector<absl::Status> CreatePartitions(
      absl::Span<const NewPartitions> requests, bool validate_only = false);

  // Every config of the topic, sorted by key, with where its value comes
  // from (Kafka's DescribeConfigs).
  absl::StatusOr<std::vector<ConfigEntry>> DescribeConfigs(
      absl::string_view topic);
  // Replaces all of the topic's overrides with `configs` (Kafka's legacy
  // AlterConfigs: keys not listed go back to the broker defaults).
  absl::Status AlterConfigs(
      absl::string_view topic,
      const absl::flat_hash_map<std::string, std::string>& configs,
      bool validate_only = false);
  // Applies `ops` to the topic's overrides, all or nothing (Kafka's
  // IncrementalAlterConfigs). Deleting a key that is not overridden is a
  // no-op, as in Kafka.
  absl::Status IncrementalAlterConfigs(absl::string_view topic,
                                       absl::Span<const AlterConfigOp> ops,
                                       bool validate_only = false);

  absl::StatusOr<ListOffsetsResultInfo> ListOffset(const TopicPartition& tp,
                                                   const OffsetSpec& spec);
  std::vector<absl::StatusOr<ListOffsetsResultInfo>> ListOffsets(
      absl::Span<const std::pair<TopicPartition, OffsetSpec>> requests);

  // Deletes the records of each partition below its offset (-1: the high
  // watermark). Returns each partition's new low watermark (log start
  // offset). OutOfRange past the high watermark.
  std::vector<absl::StatusOr<int64_t>> DeleteRecords(
      absl::Span<const std::pair<TopicPartition, int64_t>> requests);

 private:
  Broker* const broker_;
};

}  // namespace runnel

#endif  // RUNNEL_PARTITION_ADMIN_H_
