// Copyright 2026 The Runnel Authors.
//
// Consumer: group membership — joining, taking an assignment, revoking,
// rejoining and leaving, driven from Poll (see group_coordinator.h for the
// coordinator's side of the protocol).
#include <algorithm>
#include <iterator>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "consumer/assigned_partition.h"
#include "consumer_group/group_coordinator.h"
#include "runnel/consumer.h"

namespace runnel {
namespace {

std::vector<TopicPartition> Minus(const std::vector<TopicPartition>& a,
                                  const std::vector<TopicPartition>& b) {
  std::vector<TopicPartition> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(),
                      std::back_inserter(out));
  return out;
}

std::vector<TopicPartition> SortedCopy(std::vector<TopicPartition> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

std::vector<std::string> Consumer::MatchingTopics() const {
  std::vector<std::string> out;
  for (const TopicInfo& topic : broker_->Topics()) {
    if (absl::StartsWith(topic.name, "__")) continue;  // internal
    if (pattern_(topic.name)) out.push_back(topic.name);
  }
  return out;
}

absl::Status Consumer::StartSubscription(std::vector<std::string> topics,
                                         ConsumerRebalanceListener* listener) {
  if (phase_ == GroupPhase::kNone && !assigned_.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "consumer ", options_.client_id,
        ": Subscribe while manually assigned (Assign({}) first: "
        "subscription and manual assignment are mutually exclusive)"));
  }
  std::sort(topics.begin(), topics.end());
  topics.erase(std::unique(topics.begin(), topics.end()), topics.end());
  listener_ = listener;
  if (topics == subscription_ && phase_ != GroupPhase::kNone) {
    return absl::OkStatus();
  }
  subscription_ = std::move(topics);
  phase_ = GroupPhase::kJoinNeeded;  // the next Poll (re)joins
  return absl::OkStatus();
}

void Consumer::RefreshPattern() {
  const uint64_t version = broker_->metadata_version();
  if (version == pattern_version_) return;
  pattern_version_ = version;
  std::vector<std::string> topics = MatchingTopics();
  if (topics == subscription_) return;
  subscription_ = std::move(topics);
  if (phase_ != GroupPhase::kNone) phase_ = GroupPhase::kJoinNeeded;
}

absl::StatusOr<bool> Consumer::PollGroup() {
  if (!fatal_.ok()) return fatal_;
  if (pattern_ != nullptr) RefreshPattern();
  // A few protocol steps per call (heartbeat -> rejoin -> assignment).
  for (int step = 0; step < 6; ++step) {
    absl::Status status;
    switch (phase_) {
      case GroupPhase::kNone:
        return true;
      case GroupPhase::kStable:
        status = coordinator_->Heartbeat(options_.group_id, member_id_,
                                         generation_, /*polled=*/true);
        if (status.ok()) return true;
        break;
      case GroupPhase::kJoinNeeded:
        status = JoinGroup();
        break;
      case GroupPhase::kAwaitingAssignment: {
        absl::StatusOr<std::optional<MemberAssignment>> a =
            coordinator_->Sync(options_.group_id, member_id_);
        if (a.ok() && !a->has_value()) {
          // Waiting for the others. Cooperative members keep consuming
          // what they own meanwhile; eager ones own nothing now.
          return protocol_ == RebalanceProtocol::kCooperative &&
                 !assigned_.empty();
        }
        if (a.ok()) {
          if (absl::Status s = ApplyAssignment(**a); !s.ok()) return s;
          // Revoked partitions (cooperative) go to their new owner in a
          // follow-up rebalance: rejoin now, as Kafka's consumer does.
          if (phase_ == GroupPhase::kJoinNeeded) continue;
          return true;
        }
        status = a.status();
        break;
      }
    }
    if (absl::Status s = OnGroupError(status); !s.ok()) return s;
  }
  return false;
}

absl::Status Consumer::OnGroupError(const absl::Status& status) {
  switch (GroupErrorOf(status)) {
    case GroupError::kNone:
      return status;
    case GroupError::kRebalanceInProgress:
      phase_ = GroupPhase::kJoinNeeded;
      return absl::OkStatus();
    case GroupError::kIllegalGeneration:
      LosePartitions();
      phase_ = GroupPhase::kJoinNeeded;
      return absl::OkStatus();
    case GroupError::kUnknownMemberId:
      LosePartitions();
      member_id_.clear();
      phase_ = GroupPhase::kJoinNeeded;
      return absl::OkStatus();
    case GroupError::kFencedInstanceId:
      LosePartitions();
      member_id_.clear();
      fatal_ = status;
      return status;
    default:
      return status;
  }
}

absl::Status Consumer::JoinGroup() {
  if (protocol_ == RebalanceProtocol::kEager) {
    if (absl::Status s = RevokeAll(); !s.ok()) return s;
  }
  JoinGroupRequest r;
  r.group_id = options_.group_id;
  r.member_id = member_id_;
  r.group_instance_id = options_.group_instance_id;
  r.client_id = options_.client_id;
  r.topics = subscription_;
  r.owned = protocol_ == RebalanceProtocol::kCooperative
                ? SortedCopy(Assignment())
                : previous_assignment_;
  r.assignors = assignors_;
  r.protocol = protocol_;
  r.session_timeout = options_.session_timeout;
  r.rebalance_timeout = options_.max_poll_interval;
  r.notifier = &notifier_;
  absl::StatusOr<std::string> member = coordinator_->Join(r);
  if (!member.ok()) return member.status();
  member_id_ = *std::move(member);
  phase_ = GroupPhase::kAwaitingAssignment;
  return absl::OkStatus();
}

absl::Status Consumer::RevokeAll() {
  if (assigned_.empty()) return absl::OkStatus();
  if (options_.enable_auto_commit) {
    absl::Status s = CommitPositions();
    if (!s.ok() && GroupErrorOf(s) == GroupError::kNone) return s;
  }
  previous_assignment_ = SortedCopy(Assignment());
  if (listener_ != nullptr)
    listener_->OnPartitionsRevoked(previous_assignment_);
  return SetAssignment({});
}

absl::Status Consumer::ApplyAssignment(const MemberAssignment& a) {
  generation_ = a.generation;
  std::vector<TopicPartition> target;
  for (const TopicPartition& tp : a.partitions) {  // skip deleted topics
    if (broker_->GetPartition(tp.topic, tp.partition).ok()) {
      target.push_back(tp);
    }
  }
  std::sort(target.begin(), target.end());
  const std::vector<TopicPartition> owned = SortedCopy(Assignment());
  const std::vector<TopicPartition> revoked = Minus(owned, target);
  const std::vector<TopicPartition> added = Minus(target, owned);
  if (!revoked.empty()) {  // cooperative: give up only what moves
    if (options_.enable_auto_commit) {
      std::vector<std::pair<TopicPartition, int64_t>> offsets;
      for (const TopicPartition& tp : revoked) {
        Assigned* as = Find(tp);
        if (as != nullptr && as->position) {
          offsets.emplace_back(tp, *as->position);
        }
      }
      absl::Status s =
          offsets.empty() ? absl::OkStatus() : CommitOffsets(offsets);
      if (!s.ok() && GroupErrorOf(s) == GroupError::kNone) return s;
    }
    if (listener_ != nullptr) listener_->OnPartitionsRevoked(revoked);
  }
  if (absl::Status s = SetAssignment(target); !s.ok()) return s;
  previous_assignment_ = target;
  // Revoked partitions go to their new owner in a follow-up rebalance.
  phase_ = revoked.empty() ? GroupPhase::kStable : GroupPhase::kJoinNeeded;
  if (listener_ != nullptr) listener_->OnPartitionsAssigned(added);
  return absl::OkStatus();
}

void Consumer::LosePartitions() {
  generation_ = -1;
  previous_assignment_.clear();
  if (assigned_.empty()) return;
  const std::vector<TopicPartition> lost = SortedCopy(Assignment());
  if (listener_ != nullptr) listener_->OnPartitionsLost(lost);
  SetAssignment({}).IgnoreError();  // an empty assignment cannot fail
}

// A cooperative member that rejoined keeps consuming what it owns until
// its new assignment is ready; if the group completed that generation in
// the meantime, the member's commits would be fenced as a generation
// behind. Collecting the assignment (without applying it: the member is
// leaving) brings the generation up to date. Safe because the cooperative
// protocol never gives a partition to a new owner in the generation that
// takes it from the old one.
void Consumer::CatchUpGenerationBeforeLeaving() {
  if (phase_ != GroupPhase::kAwaitingAssignment ||
      protocol_ != RebalanceProtocol::kCooperative || assigned_.empty()) {
    return;
  }
  absl::StatusOr<std::optional<MemberAssignment>> a =
      coordinator_->Sync(options_.group_id, member_id_);
  if (a.ok() && a->has_value()) generation_ = (*a)->generation;
}

absl::Status Consumer::LeaveGroup(GroupMembershipOperation membership) {
  absl::Status status;
  CatchUpGenerationBeforeLeaving();
  if (!assigned_.empty()) {
    if (options_.enable_auto_commit) {
      status = CommitPositions();
      if (GroupErrorOf(status) != GroupError::kNone) status = absl::OkStatus();
    }
    if (listener_ != nullptr) {
      listener_->OnPartitionsRevoked(SortedCopy(Assignment()));
    }
    SetAssignment({}).IgnoreError();
  }
  if (!member_id_.empty()) {
    const bool leave = membership == GroupMembershipOperation::kLeaveGroup ||
                       (membership == GroupMembershipOperation::kDefault &&
                        options_.group_instance_id.empty());
    absl::Status s =
        leave ? coordinator_->Leave(options_.group_id, member_id_)
              : coordinator_->Disconnect(options_.group_id, member_id_);
    if (status.ok() && GroupErrorOf(s) == GroupError::kNone) status = s;
  }
  member_id_.clear();
  generation_ = -1;
  phase_ = GroupPhase::kNone;
  return status;
}

}  // namespace runnel
