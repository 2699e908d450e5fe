// Copyright 2026 The Runnel Authors.
//
// runnel/group_admin.h — Kafka's consumer-group administration (the
// AdminClient's group calls and kafka-consumer-groups.sh), in process: list
// and describe groups, their committed offsets and lag, delete a group, and
// reset its offsets.
//
//   runnel::GroupAdmin admin(broker.get());
//   absl::StatusOr<runnel::GroupLag> lag = admin.DescribeLag("billing");
//   for (const runnel::PartitionLag& p : lag->partitions)
//     printf("%s lag %lld\n", p.tp.ToString().c_str(), p.lag.value_or(-1));
//   // Rewind a stopped group to the start of `orders`:
//   runnel::OffsetResetSpec spec = runnel::OffsetResetSpec::ToEarliest();
//   RETURN_IF_ERROR(admin.ResetOffsets("billing", {"orders"}, spec,
//                                      /*dry_run=*/false).status());
//
// Groups are those with members or committed offsets (a group with only
// offsets is "Empty", as in Kafka). Errors name the group (and topic,
// partition): NotFound for an unknown group or topic, FailedPrecondition
// for a group with active members where Kafka requires none
// (NON_EMPTY_GROUP: DeleteGroup and ResetOffsets).
//
// Thread-safety: thread-safe. Lifetimes: the Broker must outlive it.
#ifndef RUNNEL_CONSUMER_GROUP_GROUP_ADMIN_H_
#define RUNNEL_CONSUMER_GROUP_GROUP_ADMIN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "runnel/broker.h"
#include "runnel/partition.h"

namespace runnel {

// Kafka's ConsumerGroupState.
enum class GroupState {
  kEmpty,               // no members (maybe committed offsets)
  kPreparingRebalance,  // waiting for members to (re)join
  kStable,              // every member has its assignment
  kDead,                // deleted
};
// "Empty", "PreparingRebalance", "Stable", "Dead" (Kafka's spelling).
absl::string_view GroupStateName(GroupState state);

struct GroupListing {
  std::string group_id;
  GroupState state = GroupState::kEmpty;
};

// One member, as DescribeConsumerGroups shows it.
struct MemberDescription {
  std::string member_id;
  std::string group_instance_id;  // empty: dynamic member
  std::string client_id;
  std::string host;  // "in-process"
  std::vector<TopicPartition> assignment;
};

struct GroupDescription {
  std::string group_id;
  GroupState state = GroupState::kEmpty;
  std::string protocol_type;       // "consumer" (empty with no members)
  std::string partition_assignor;  // the agreed strategy, e.g. "range"
  int32_t generation = 0;
  int32_t coordinator = 0;  // the broker id
  std::vector<MemberDescription> members;
};

// Lag of one partition the group consumes (or has offsets for).
struct PartitionLag {
  TopicPartition tp;
  std::optional<int64_t> committed;  // CURRENT-OFFSET; nullopt: none
  int64_t log_end_offset = 0;        // LOG-END-OFFSET (high watermark)
  std::optional<int64_t> lag;        // LAG = end - committed, if committed
  std::string member_id;             // CONSUMER-ID; empty: not assigned
  std::string client_id;
};

struct GroupLag {
  std::vector<PartitionLag> partitions;  // sorted by topic, partition
  int64_t total_lag = 0;                 // over partitions with a commit
};

// Where ResetOffsets moves the group (kafka-consumer-groups.sh options).
struct OffsetResetSpec {
  enum class Kind { kEarliest, kLatest, kOffset, kTimestamp, kShiftBy };
  Kind kind = Kind::kEarliest;
  int64_t value = 0;  // the offset, timestamp (ms) or shift

  static OffsetResetSpec ToEarliest() { return {Kind::kEarliest, 0}; }
  static OffsetResetSpec ToLatest() { return {Kind::kLatest, 0}; }
  static OffsetResetSpec ToOffset(int64_t o) { return {Kind::kOffset, o}; }
  // The first offset with a timestamp >= `ms`, else the end.
  static OffsetResetSpec ToTimestamp(int64_t ms) {
    return {Kind::kTimestamp, ms};
  }
  // committed + n (from the committed offset, else the start), clamped to
  // [log start, end] as Kafka clamps.
  static OffsetResetSpec ShiftBy(int64_t n) { return {Kind::kShiftBy, n}; }
};

class GroupAdmin {
 public:
  explicit GroupAdmin(Broker* broker) : broker_(broker) {}

  // Every group, sorted by id.
  absl::StatusOr<std::vector<GroupListing>> ListGroups() const;
  // NotFound if the group has neither members nor offsets.
  absl::StatusOr<GroupDescription> DescribeGroup(absl::string_view group) const;
  // The committed offsets, sorted by topic and partition.
  absl::StatusOr<std::vector<std::pair<TopicPartition, int64_t>>>
  ListGroupOffsets(absl::string_view group) const;
  // Per partition: committed, end, lag and owner; for every partition with
  // a commit and every assigned one.
  absl::StatusOr<GroupLag> DescribeLag(absl::string_view group) const;
  // Removes the group and its offsets (tombstones in __consumer_offsets).
  // FailedPrecondition (NON_EMPTY_GROUP) while it has members.
  absl::Status DeleteGroup(absl::string_view group);
  // Moves the group's offsets for every partition of `topics` per `spec`
  // and returns the new offsets; with `dry_run` only computes them.
  // FailedPrecondition (NON_EMPTY_GROUP) while it has members; NotFound for
  // an unknown topic; InvalidArgument for a negative kOffset.
  absl::StatusOr<std::vector<std::pair<TopicPartition, int64_t>>> ResetOffsets(
      absl::string_view group, absl::Span<const std::string> topics,
      const OffsetResetSpec& spec, bool dry_run);

 private:
  Broker* const broker_;
};

}  // namespace runnel

#endif  // RUNNEL_CONSUMER_GROUP_GROUP_ADMIN_H_
