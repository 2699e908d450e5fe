// Copyright 2026 The Runnel Authors.
//
// runnel/assignor.h — how a consumer group's partitions are divided among
// its members: Kafka's ConsumerPartitionAssignor, with its four built-in
// strategies, and the interface for writing your own.
//
//   runnel::ConsumerOptions options;
//   options.group_id = "billing";
//   options.partition_assignment_strategy = "cooperative-sticky";
//   // or a custom one:
//   options.assignors = {std::make_shared<MyRackAwareAssignor>()};
//
// The built-ins (names as Kafka's `partition.assignment.strategy` accepts
// them, short or as Kafka's class names):
//   - "range" (org.apache.kafka.clients.consumer.RangeAssignor): per topic,
//     members sorted by group.instance.id (else member id) take contiguous
//     ranges; the first `partitions % members` take one more.
//   - "roundrobin" (...RoundRobinAssignor): every subscribed partition,
//     sorted by topic and partition, dealt to the sorted members in turn,
//     skipping members not subscribed to its topic.
//   - "sticky" (...StickyAssignor): as balanced as round robin (member
//     counts differ by at most one where subscriptions are equal), while
//     keeping as many partitions as possible with their previous owner.
//   - "cooperative-sticky" (...CooperativeStickyAssignor): sticky, and
//     incremental: a partition moving from one member to another is left out
//     of this generation's assignment, so its old owner revokes only it and
//     rejoins; the next generation gives it to its new owner. Members never
//     give up partitions that do not move.
//
// Determinism: for the same inputs every built-in returns the same result
// (ties broken by member id, then topic and partition), which is what makes
// the group tests reproducible.
//
// Thread-safety: Assign is const and may be called from any thread; the
// coordinator calls it under the group's lock, on the thread whose call
// completes a rebalance, so it must not call back into a consumer or the
// coordinator.
#ifndef RUNNEL_CONSUMER_GROUP_ASSIGNOR_H_
#define RUNNEL_CONSUMER_GROUP_ASSIGNOR_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runnel/partition.h"

namespace runnel {

// Kafka's RebalanceProtocol: EAGER (every member revokes everything before
// a rebalance) or COOPERATIVE (members keep what does not move).
enum class RebalanceProtocol { kEager, kCooperative };

// One member's subscription, as the assignor sees it (Kafka's
// ConsumerPartitionAssignor.Subscription).
struct MemberSubscription {
  // The topics it subscribes to (sorted, no duplicates).
  std::vector<std::string> topics;
  // What it owned in the previous generation (sorted), for stickiness.
  std::vector<TopicPartition> owned_partitions;
  // group.instance.id, empty for a dynamic member.
  std::string group_instance_id;
};

// The group: member id -> subscription (ordered, so iteration is
// deterministic).
using GroupSubscription = std::map<std::string, MemberSubscription>;

// The partition count of every subscribed topic that exists. Topics a
// member subscribes to but that are missing here get no partitions.
using PartitionCounts = std::map<std::string, int32_t>;

// member id -> its partitions (sorted). Every member of the subscription
// has an entry, possibly empty.
using GroupAssignment = std::map<std::string, std::vector<TopicPartition>>;

class PartitionAssignor {
 public:
  virtual ~PartitionAssignor() = default;

  // The strategy's name as members announce it ("range", ...). Members of a
  // group agree on a strategy by name.
  virtual std::string name() const = 0;

  // The rebalance protocols it supports. A consumer uses COOPERATIVE only
  // if every assignor it is configured with supports it (Kafka's rule).
  virtual std::vector<RebalanceProtocol> supported_protocols() const {
    return {RebalanceProtocol::kEager};
  }

  // Divides the partitions in `counts` among `group`. Each partition of a
  // subscribed topic goes to at most one member subscribed to its topic.
  // An error fails the rebalance (the group stays without assignment and
  // members see the error from Poll).
  virtual absl::StatusOr<GroupAssignment> Assign(
      const PartitionCounts& counts, const GroupSubscription& group) const = 0;
};

std::shared_ptr<PartitionAssignor> NewRangeAssignor();
std::shared_ptr<PartitionAssignor> NewRoundRobinAssignor();
std::shared_ptr<PartitionAssignor> NewStickyAssignor();
std::shared_ptr<PartitionAssignor> NewCooperativeStickyAssignor();

// A built-in assignor by Kafka name, short ("range", "roundrobin", "sticky",
// "cooperative-sticky") or class name ("org.apache.kafka.clients.consumer.
// RangeAssignor", ...). InvalidArgument naming `name` otherwise.
absl::StatusOr<std::shared_ptr<PartitionAssignor>> AssignorByName(
    absl::string_view name);

// The assignors of a partition.assignment.strategy value: a comma-separated
// list of names (Kafka's default: "range,cooperative-sticky"), in order of
// preference. InvalidArgument naming the bad entry, or for an empty list.
absl::StatusOr<std::vector<std::shared_ptr<PartitionAssignor>>>
AssignorsFromStrategy(absl::string_view strategy);

}  // namespace runnel

#endif  // RUNNEL_CONSUMER_GROUP_ASSIGNOR_H_
