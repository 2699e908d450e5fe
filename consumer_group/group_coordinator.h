// Copyright 2026 The Runnel Authors.
//
// consumer_group/group_coordinator.h — Kafka's group coordinator, in
// process: membership with member ids and generations, rebalances,
// liveness, the assignment, and generation-checked offset commits.
// Internal: the Consumer drives it from Poll; GroupAdmin reads it.
//
// The protocol (Kafka's JoinGroup/SyncGroup/Heartbeat/LeaveGroup, without
// the network), as a consumer sees it:
//
//   member = Join(request)        // new member, or rejoin: a rebalance
//   loop: Sync(group, member)     // nullopt while others still rejoin;
//                                 // then {generation, partitions}
//   each Poll: Heartbeat(group, member, generation)
//                                 // Aborted (REBALANCE_IN_PROGRESS): rejoin
//   Commit(group, member, generation, offsets)  // fenced if stale
//   Leave(group, member)  or  Disconnect(group, member)
//
// No call blocks: a rebalance completes in whichever call finds every
// member rejoined (or the rebalance timeout passed), and the coordinator
// then wakes each member's DataNotifier so a Poll waiting on it goes on.
// The assignment is computed there, by the group leader's assignor (the
// first strategy every member supports, in the leader's order).
//
// Liveness, on the broker's clock, checked lazily by every call:
//   - session.timeout.ms applies to members that stopped heartbeating: a
//     consumer closed with GroupMembershipOperation::kRemainInGroup (static
//     members by default), or one restored after a restart. An open
//     consumer heartbeats implicitly (it is in this process).
//   - max.poll.interval.ms: a member that does not Poll for that long is
//     removed (a static one stops heartbeating, so it goes after its
//     session timeout unless it polls again), and a rebalance begins; so
//     does a member that does not rejoin a rebalance in time.
//   - static membership: a Join with a known group.instance.id and the same
//     topics takes over the old member id (fencing it) and its assignment,
//     with no rebalance.
//
// Errors carry Kafka's error name as the payload kGroupErrorPayload (see
// GroupErrorOf): REBALANCE_IN_PROGRESS (Aborted), UNKNOWN_MEMBER_ID,
// ILLEGAL_GENERATION, FENCED_INSTANCE_ID, NON_EMPTY_GROUP
// (FailedPrecondition), INCONSISTENT_GROUP_PROTOCOL (InvalidArgument).
//
// Thread-safety: thread-safe (one lock per group; a commit holds its
// group's lock across the durable append). Lifetimes: owned by the broker
// (a BrokerService), valid until Broker::Close. A member's notifier must
// stay valid until Leave or Disconnect.
#ifndef RUNNEL_CONSUMER_GROUP_GROUP_COORDINATOR_H_
#define RUNNEL_CONSUMER_GROUP_GROUP_COORDINATOR_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "consumer_group/group_errors.h"
#include "consumer_group/offset_store.h"
#include "runnel/assignor.h"
#include "runnel/broker.h"
#include "runnel/clock.h"
#include "runnel/group_admin.h"
#include "runnel/partition.h"
#include "util/mutex.h"

namespace runnel {

struct JoinGroupRequest {
  std::string group_id;
  std::string member_id;  // empty on the first join
  std::string group_instance_id;
  std::string client_id;
  std::vector<std::string> topics;  // the subscription (any order)
  // What the consumer holds now (cooperative), or held before revoking
  // (eager: a hint for sticky assignors). Sorted.
  std::vector<TopicPartition> owned;
  // In order of preference; the group uses the first every member has.
  std::vector<std::shared_ptr<PartitionAssignor>> assignors;
  // kCooperative only if every assignor supports it.
  RebalanceProtocol protocol = RebalanceProtocol::kEager;
  absl::Duration session_timeout = absl::Seconds(45);
  absl::Duration rebalance_timeout = absl::Minutes(5);  // max.poll.interval
  DataNotifier* notifier = nullptr;  // woken on the group's changes
};

// A member's share of a completed rebalance.
struct MemberAssignment {
  int32_t generation = 0;
  std::vector<TopicPartition> partitions;
  RebalanceProtocol protocol = RebalanceProtocol::kEager;
};

class GroupCoordinator : public BrokerService {
 public:
  // The broker's coordinator (and offset store), made on first use.
  static absl::StatusOr<GroupCoordinator*> ForBroker(Broker* broker);

  // Joins (member_id empty) or rejoins; starts a rebalance unless a static
  // member takes back its place unchanged. Returns the member id.
  absl::StatusOr<std::string> Join(const JoinGroupRequest& request);
  // The member's assignment once the rebalance completed; nullopt while it
  // waits for others. REBALANCE_IN_PROGRESS if it must rejoin first.
  absl::StatusOr<std::optional<MemberAssignment>> Sync(
      absl::string_view group, absl::string_view member_id);
  // Liveness and "is my generation current?". `polled` marks a Poll (for
  // max.poll.interval.ms). REBALANCE_IN_PROGRESS: rejoin.
  absl::Status Heartbeat(absl::string_view group, absl::string_view member_id,
                         int32_t generation, bool polled);
  // Leaves at once (a rebalance for the rest).
  absl::Status Leave(absl::string_view group, absl::string_view member_id);
  // Closed without leaving: the member stays until its session times out
  // (a static member may come back to its place before that).
  absl::Status Disconnect(absl::string_view group, absl::string_view member_id);

  // Commits for a member of `generation`, or, with an empty member id and
  // generation -1, for a group without members (manual assignment).
  absl::Status Commit(
      absl::string_view group, absl::string_view member_id, int32_t generation,
      absl::Span<const std::pair<TopicPartition, OffsetAndMetadata>> offsets);

  // For GroupAdmin: groups with members (and their state); a description;
  // "has members" checks, and running `fn` only while the group has none
  // (NON_EMPTY_GROUP otherwise), under the group's lock so no member joins
  // meanwhile.
  std::vector<GroupListing> ListGroups();
  std::optional<GroupDescription> DescribeGroup(absl::string_view group);
  absl::Status WhileEmpty(absl::string_view group,
                          absl::FunctionRef<absl::Status()> fn);

  OffsetStore* offset_store() const { return store_; }

 private:
  class Group;  // group_coordinator.cc

  GroupCoordinator(Broker* broker, OffsetStore* store);
  // Loads the groups stored in __consumer_offsets (see Group::Restore).
  absl::Status Restore();
  std::shared_ptr<Group> FindGroup(absl::string_view group);
  std::shared_ptr<Group> GetOrCreateGroup(absl::string_view group);
  std::string NewMemberId(absl::string_view client_id);

  // FailedPrecondition for a change to `group` on a read-only broker.
  absl::Status ReadOnlyError(absl::string_view group) const;

  Broker* const broker_;
  OffsetStore* const store_;
  Clock* const clock_;
  Mutex mu_;  // taken before a group's lock, never while holding one
  absl::flat_hash_map<std::string, std::shared_ptr<Group>> groups_
      ABSL_GUARDED_BY(mu_);
  std::atomic<uint64_t> next_member_number_{0};
};

}  // namespace runnel

#endif  // RUNNEL_CONSUMER_GROUP_GROUP_COORDINATOR_H_
