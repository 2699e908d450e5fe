// Copyright 2026 The Runnel Authors.
//
// The group coordinator: one Group per group id, each a small state machine
// (Empty -> PreparingRebalance -> Stable -> ...) advanced by its members'
// calls. See group_coordinator.h for the protocol.
#include "consumer_group/group_coordinator.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "consumer_group/group_metadata_format.h"

namespace runnel {
namespace {

constexpr char kServiceName[] = "runnel.group_coordinator";

std::vector<std::string> SortedUnique(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

std::vector<TopicPartition> Sorted(std::vector<TopicPartition> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

// One group's state. Every method requires `mu`.
class GroupCoordinator::Group {
 public:
  struct Member {
    std::string id;
    std::string instance_id;
    std::string client_id;
    std::vector<std::string> topics;  // sorted
    std::vector<std::shared_ptr<PartitionAssignor>> assignors;
    RebalanceProtocol protocol = RebalanceProtocol::kEager;
    absl::Duration session_timeout;
    absl::Duration rebalance_timeout;
    DataNotifier* notifier = nullptr;
    bool heartbeating = true;  // open in this process
    absl::Time last_heartbeat;
    absl::Time last_poll;
    bool joined = false;                     // has joined the pending rebalance
    std::vector<TopicPartition> owned;       // as it said at its last join
    std::vector<TopicPartition> assignment;  // of the current generation
    // Whether the member took `assignment` (Sync) since it was made. A
    // member that has not must still get it, even once a new rebalance
    // began: Kafka hands every member its share the moment a generation
    // completes, so cooperative hand-offs never wait on polling order.
    bool collected = true;
  };

  Group(std::string id, Broker* broker, OffsetStore* store, Clock* clock)
      : id(std::move(id)), broker_(broker), store_(store), clock_(clock) {}

  Mutex mu;
  const std::string id;
  GroupState state ABSL_GUARDED_BY(mu) = GroupState::kEmpty;
  int32_t generation ABSL_GUARDED_BY(mu) = 0;
  std::string protocol_name ABSL_GUARDED_BY(mu);
  RebalanceProtocol protocol ABSL_GUARDED_BY(mu) = RebalanceProtocol::kEager;
  std::string leader ABSL_GUARDED_BY(mu);
  std::map<std::string, Member> members ABSL_GUARDED_BY(mu);
  // group.instance.id -> member id.
  std::map<std::string, std::string> static_members ABSL_GUARDED_BY(mu);
  absl::Status assign_error ABSL_GUARDED_BY(mu);
  // Member ids a static member's later incarnation took over.
  std::set<std::string> fenced ABSL_GUARDED_BY(mu);

  absl::Time Now() const { return clock_->Now(); }

  absl::StatusOr<Member*> FindMember(absl::string_view member_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    auto it = members.find(std::string(member_id));
    if (it != members.end()) return &it->second;
    if (fenced.count(std::string(member_id)) != 0) {
      return GroupStatus(
          GroupError::kFencedInstanceId, id,
          absl::StrCat("member ", member_id,
                       " was replaced by a newer consumer with its "
                       "group.instance.id; close this one"));
    }
    return GroupStatus(GroupError::kUnknownMemberId, id,
                       absl::StrCat("member ", member_id,
                                    " is not in the group (it left, or was "
                                    "removed after a session or poll "
                                    "timeout); rejoin"));
  }

  // Brings the group up to the clock: expirations, then a rebalance that
  // may now complete. Every call starts with it.
  void Refresh() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    Expire();
    TryComplete();
  }

  // Removes members whose session or poll interval ran out.
  void Expire() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    const absl::Time now = Now();
    std::vector<std::string> gone;
    for (auto& [member_id, m] : members) {
      if (!m.heartbeating) {
        if (now - m.last_heartbeat >= m.session_timeout) {
          gone.push_back(member_id);
        }
      } else if (state == GroupState::kStable &&
                 now - m.last_poll >= m.rebalance_timeout) {
        if (m.instance_id.empty()) {
          gone.push_back(member_id);
        } else {  // static: stops heartbeating, goes after its session
          m.heartbeating = false;
          m.last_heartbeat = now;
        }
      }
    }
    for (const std::string& member_id : gone) RemoveMember(member_id);
  }

  void RemoveMember(const std::string& member_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    auto it = members.find(member_id);
    if (it == members.end()) return;
    if (it->second.notifier != nullptr) it->second.notifier->Notify();
    auto s = static_members.find(it->second.instance_id);
    if (s != static_members.end() && s->second == member_id) {
      static_members.erase(s);
    }
    members.erase(it);
    if (leader == member_id) leader.clear();
    PrepareRebalance();
  }

  void NotifyAll() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    for (auto& [member_id, m] : members) {
      if (m.notifier != nullptr) m.notifier->Notify();
    }
  }

  void PrepareRebalance() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (state == GroupState::kPreparingRebalance) return;
    state = GroupState::kPreparingRebalance;
    absl::Duration timeout = absl::ZeroDuration();
    for (auto& [member_id, m] : members) {
      m.joined = false;
      timeout = std::max(timeout, m.rebalance_timeout);
    }
    rebalance_deadline_ = Now() + timeout;
    NotifyAll();
  }

  // Completes the pending rebalance once every member rejoined, or when
  // the rebalance timeout passed (without those that did not).
  void TryComplete() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (state != GroupState::kPreparingRebalance) return;
    std::vector<std::string> missing;
    for (const auto& [member_id, m] : members) {
      if (!m.joined) missing.push_back(member_id);
    }
    if (!missing.empty() && Now() < rebalance_deadline_) return;
    for (const std::string& member_id : missing) RemoveMember(member_id);
    Complete();
  }

  // The partition counts of every topic a member subscribes to.
  PartitionCounts CurrentCounts() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    PartitionCounts counts;
    for (const auto& [member_id, m] : members) {
      for (const std::string& topic : m.topics) {
        if (counts.count(topic) != 0) continue;
        absl::StatusOr<TopicInfo> info = broker_->GetTopic(topic);
        if (info.ok()) {
          counts[topic] = static_cast<int32_t>(info->partitions.size());
        }
      }
    }
    return counts;
  }

  // True (once) when a subscribed topic appeared, vanished or grew since
  // the last assignment.
  bool MetadataChanged() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    const uint64_t version = broker_->metadata_version();
    if (version == metadata_version_) return false;
    metadata_version_ = version;
    PartitionCounts now = CurrentCounts();
    if (now == counts_) return false;
    return true;
  }

  // Writes the group's state (Kafka's GroupMetadataValue) durably, so a
  // restarted broker knows its generation and static members.
  absl::Status Persist() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    GroupMetadata record;
    record.protocol_type = "consumer";
    record.generation = generation;
    if (!protocol_name.empty()) record.protocol = protocol_name;
    if (!leader.empty()) record.leader = leader;
    record.current_state_timestamp = absl::ToUnixMillis(Now());
    for (const auto& [member_id, m] : members) {
      MemberMetadata mm;
      mm.member_id = member_id;
      if (!m.instance_id.empty()) mm.group_instance_id = m.instance_id;
      mm.client_id = m.client_id;
      mm.client_host = "in-process";
      mm.rebalance_timeout_ms =
          static_cast<int32_t>(absl::ToInt64Milliseconds(m.rebalance_timeout));
      mm.session_timeout_ms =
          static_cast<int32_t>(absl::ToInt64Milliseconds(m.session_timeout));
      ConsumerSubscription sub;
      sub.topics = m.topics;
      sub.owned_partitions = m.owned;
      sub.generation_id = generation;
      absl::StatusOr<std::string> sub_bytes = EncodeConsumerSubscription(sub);
      if (!sub_bytes.ok()) return sub_bytes.status();
      mm.subscription = *std::move(sub_bytes);
      ConsumerAssignment assignment;
      assignment.partitions = m.assignment;
      absl::StatusOr<std::string> a_bytes =
          EncodeConsumerAssignment(assignment);
      if (!a_bytes.ok()) return a_bytes.status();
      mm.assignment = *std::move(a_bytes);
      record.members.push_back(std::move(mm));
    }
    absl::StatusOr<std::string> value = EncodeGroupMetadataValue(record);
    if (!value.ok()) return value.status();
    return store_->StoreGroupMetadata(id, *value);
  }

  // Takes back a stored group after a restart. Dynamic members are gone
  // (their consumers lived in the process that stopped); static ones keep
  // their place and assignment until their session times out, so if they
  // come back in time nothing moves. If dynamic members were dropped, the
  // rest must rebalance.
  // `keep_dynamic` (a read-only broker beside the live writer): the
  // dynamic members are alive in the writer's process, so keep them too.
  absl::Status Restore(const GroupMetadata& record, bool keep_dynamic)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    generation = record.generation;
    protocol_name = record.protocol.value_or("");
    leader = record.leader.value_or("");
    const absl::Time now = Now();
    bool dropped = false;
    for (const MemberMetadata& mm : record.members) {
      const bool is_static =
          mm.group_instance_id.has_value() && !mm.group_instance_id->empty();
      if (!is_static && !keep_dynamic) {
        dropped = true;
        continue;
      }
      absl::StatusOr<ConsumerSubscription> sub =
          DecodeConsumerSubscription(mm.subscription);
      if (!sub.ok()) return sub.status();
      absl::StatusOr<ConsumerAssignment> assignment =
          DecodeConsumerAssignment(mm.assignment);
      if (!assignment.ok()) return assignment.status();
      Member m;
      m.id = mm.member_id;
      m.instance_id = mm.group_instance_id.value_or("");
      m.client_id = mm.client_id;
      m.topics = sub->topics;
      m.owned = sub->owned_partitions;
      m.assignment = assignment->partitions;
      if (absl::StatusOr<std::shared_ptr<PartitionAssignor>> a =
              AssignorByName(protocol_name);
          a.ok()) {
        m.assignors = {*a};
      }
      m.session_timeout = absl::Milliseconds(mm.session_timeout_ms);
      m.rebalance_timeout = absl::Milliseconds(mm.rebalance_timeout_ms);
      m.heartbeating = false;
      m.last_heartbeat = m.last_poll = now;
      if (is_static) static_members[m.instance_id] = m.id;
      members[m.id] = std::move(m);
    }
    if (leader.empty() || members.count(leader) == 0) {
      leader = members.empty() ? "" : members.begin()->first;
    }
    state = members.empty() ? GroupState::kEmpty : GroupState::kStable;
    metadata_version_ = broker_->metadata_version();
    counts_ = CurrentCounts();
    if (dropped && !members.empty()) PrepareRebalance();
    return absl::OkStatus();
  }

  // INCONSISTENT_GROUP_PROTOCOL unless `r` shares a strategy with every
  // member (but `ignore`).
  absl::Status CheckProtocols(const JoinGroupRequest& r,
                              absl::string_view ignore) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    std::set<std::string> common;
    for (const auto& a : r.assignors) common.insert(a->name());
    for (const auto& [member_id, m] : members) {
      if (member_id == ignore) continue;
      std::set<std::string> theirs;
      for (const auto& a : m.assignors) theirs.insert(a->name());
      std::set<std::string> both;
      std::set_intersection(common.begin(), common.end(), theirs.begin(),
                            theirs.end(), std::inserter(both, both.begin()));
      common = std::move(both);
    }
    if (!common.empty()) return absl::OkStatus();
    std::vector<std::string> mine;
    for (const auto& a : r.assignors) mine.push_back(a->name());
    return GroupStatus(
        GroupError::kInconsistentGroupProtocol, id,
        absl::StrCat("partition.assignment.strategy [",
                     absl::StrJoin(mine, ","),
                     "] shares no strategy with the group's members"));
  }

 private:
  // The leader's first strategy that every member has.
  const PartitionAssignor* ChooseAssignor() const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    const Member& lead = members.at(leader);
    for (const auto& candidate : lead.assignors) {
      bool everyone = true;
      for (const auto& [member_id, m] : members) {
        everyone &= std::any_of(
            m.assignors.begin(), m.assignors.end(),
            [&](const auto& a) { return a->name() == candidate->name(); });
      }
      if (everyone) return candidate.get();
    }
    return nullptr;  // CheckProtocols keeps this from happening
  }

  // A new generation: elect the strategy, run it, hand out partitions.
  void Complete() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    ++generation;
    assign_error = absl::OkStatus();
    if (members.empty()) {
      state = GroupState::kEmpty;
      protocol_name.clear();
      leader.clear();
      // Best effort: if this fails, a restart restores the last members,
      // which then time out like any absent static member.
      Persist().IgnoreError();
      return;
    }
    if (leader.empty()) leader = members.begin()->first;
    const PartitionAssignor* assignor = ChooseAssignor();
    protocol = RebalanceProtocol::kCooperative;
    GroupSubscription subscription;
    for (const auto& [member_id, m] : members) {
      if (m.protocol != RebalanceProtocol::kCooperative) {
        protocol = RebalanceProtocol::kEager;
      }
      subscription[member_id] = {m.topics, m.owned, m.instance_id};
    }
    metadata_version_ = broker_->metadata_version();
    counts_ = CurrentCounts();
    absl::StatusOr<GroupAssignment> result =
        assignor == nullptr
            ? absl::InternalError("no strategy common to every member")
            : assignor->Assign(counts_, subscription);
    if (result.ok()) assign_error = Validate(*result);
    if (!result.ok()) assign_error = result.status();
    if (!assign_error.ok()) {
      assign_error =
          absl::Status(assign_error.code(),
                       absl::StrCat("group ", id, ": assignor ",
                                    assignor == nullptr ? "" : assignor->name(),
                                    " failed: ", assign_error.message()));
    }
    protocol_name = assignor == nullptr ? "" : assignor->name();
    for (auto& [member_id, m] : members) {
      m.assignment.clear();
      m.collected = false;
      if (assign_error.ok()) {
        auto it = result->find(member_id);
        if (it != result->end()) m.assignment = Sorted(it->second);
      }
    }
    state = GroupState::kStable;
    const absl::Time now = Now();
    for (auto& [member_id, m] : members) {
      m.last_poll = std::max(m.last_poll, now);
    }
    if (absl::Status s = Persist(); !s.ok() && assign_error.ok()) {
      assign_error = s;  // members see it from Poll; the next rebalance retries
    }
    NotifyAll();
  }

  // An assignor's result must give each partition to at most one member,
  // only to members of the group.
  absl::Status Validate(const GroupAssignment& result) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    std::set<TopicPartition> seen;
    for (const auto& [member_id, partitions] : result) {
      if (members.count(member_id) == 0) {
        return absl::InternalError(
            absl::StrCat("assigned partitions to unknown member ", member_id));
      }
      for (const TopicPartition& tp : partitions) {
        if (!seen.insert(tp).second) {
          return absl::InternalError(absl::StrCat("assigned ", tp.ToString(),
                                                  " to more than one member"));
        }
      }
    }
    return absl::OkStatus();
  }

  Broker* const broker_;
  OffsetStore* const store_;
  Clock* const clock_;
  absl::Time rebalance_deadline_ ABSL_GUARDED_BY(mu);
  uint64_t metadata_version_ ABSL_GUARDED_BY(mu) = 0;
  PartitionCounts counts_ ABSL_GUARDED_BY(mu);
};

GroupCoordinator::GroupCoordinator(Broker* broker, OffsetStore* store)
    : broker_(broker),
      store_(store),
      clock_(broker->options().clock != nullptr ? broker->options().clock
                                                : Clock::Real()) {}

absl::StatusOr<GroupCoordinator*> GroupCoordinator::ForBroker(Broker* broker) {
  absl::StatusOr<OffsetStore*> store = OffsetStore::ForBroker(broker);
  if (!store.ok()) return store.status();
  absl::StatusOr<BrokerService*> service = broker->GetOrAddService(
      kServiceName, [&]() -> absl::StatusOr<std::unique_ptr<BrokerService>> {
        std::unique_ptr<GroupCoordinator> c(
            new GroupCoordinator(broker, *store));
        if (absl::Status s = c->Restore(); !s.ok()) return s;
        return std::unique_ptr<BrokerService>(std::move(c));
      });
  if (!service.ok()) return service.status();
  return static_cast<GroupCoordinator*>(*service);
}

absl::Status GroupCoordinator::Restore() {
  for (const auto& [group, value] : store_->GroupMetadataValues()) {
    absl::StatusOr<GroupMetadata> record = DecodeGroupMetadataValue(value);
    if (!record.ok()) {
      return absl::DataLossError(absl::StrCat("group ", group, " in ",
                                              OffsetStore::kTopic, ": ",
                                              record.status().message()));
    }
    std::shared_ptr<Group> g = GetOrCreateGroup(group);
    MutexLock lock(&g->mu);
    if (absl::Status s = g->Restore(*record, broker_->read_only()); !s.ok()) {
      return absl::DataLossError(absl::StrCat(
          "group ", group, " in ", OffsetStore::kTopic, ": ", s.message()));
    }
  }
  return absl::OkStatus();
}

std::shared_ptr<GroupCoordinator::Group> GroupCoordinator::FindGroup(
    absl::string_view group) {
  MutexLock lock(&mu_);
  auto it = groups_.find(group);
  return it == groups_.end() ? nullptr : it->second;
}

std::shared_ptr<GroupCoordinator::Group> GroupCoordinator::GetOrCreateGroup(
    absl::string_view group) {
  MutexLock lock(&mu_);
  std::shared_ptr<Group>& g = groups_[group];
  if (g == nullptr) {
    g = std::make_shared<Group>(std::string(group), broker_, store_, clock_);
  }
  return g;
}

std::string GroupCoordinator::NewMemberId(absl::string_view client_id) {
  // Kafka uses client.id + "-" + a UUID; a counter keeps runs reproducible
  // (member ids order the range and round-robin assignors).
  return absl::StrFormat("%s-%08d", client_id.empty() ? "consumer" : client_id,
                         next_member_number_.fetch_add(1) + 1);
}

absl::Status GroupCoordinator::ReadOnlyError(absl::string_view group) const {
  return absl::FailedPreconditionError(absl::StrCat(
      "group ", group, ": the broker on ", broker_->options().data_dir,
      " was opened read-only; groups can be described, not changed"));
}

absl::StatusOr<std::string> GroupCoordinator::Join(const JoinGroupRequest& r) {
  if (broker_->read_only()) return ReadOnlyError(r.group_id);
  if (r.group_id.empty()) {
    return absl::InvalidArgumentError("join group: empty group.id");
  }
  if (r.assignors.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "join group ", r.group_id, ": no partition.assignment.strategy"));
  }
  std::shared_ptr<Group> g = GetOrCreateGroup(r.group_id);
  MutexLock lock(&g->mu);
  g->Expire();
  std::string member_id = r.member_id;
  std::string taken_over;  // a static member's old id
  if (member_id.empty() && !r.group_instance_id.empty()) {
    auto s = g->static_members.find(r.group_instance_id);
    if (s != g->static_members.end()) taken_over = s->second;
  }
  if (!member_id.empty()) {
    absl::StatusOr<Group::Member*> m = g->FindMember(member_id);
    if (!m.ok()) return m.status();
    if ((*m)->instance_id != r.group_instance_id) {
      return GroupStatus(
          GroupError::kFencedInstanceId, g->id,
          absl::StrCat("member ", member_id, " has instance id ",
                       (*m)->instance_id, ", not ", r.group_instance_id));
    }
  }
  if (absl::Status s =
          g->CheckProtocols(r, member_id.empty() ? taken_over : member_id);
      !s.ok()) {
    return s;
  }

  Group::Member fresh;
  bool unchanged = false;
  if (!taken_over.empty()) {  // a static member comes back: fence the old id
    Group::Member& old = g->members.at(taken_over);
    if (old.notifier != nullptr) old.notifier->Notify();
    fresh = std::move(old);
    unchanged = fresh.topics == SortedUnique(r.topics);
    g->members.erase(taken_over);
    g->fenced.insert(taken_over);
    member_id = NewMemberId(r.client_id);
    if (g->leader == taken_over) g->leader = member_id;
  } else if (member_id.empty()) {
    member_id = NewMemberId(r.client_id);
  } else {
    fresh = std::move(g->members.at(member_id));
  }
  const absl::Time now = g->Now();
  fresh.id = member_id;
  fresh.instance_id = r.group_instance_id;
  fresh.client_id = r.client_id;
  fresh.topics = SortedUnique(r.topics);
  fresh.owned = Sorted(r.owned);
  fresh.assignors = r.assignors;
  fresh.protocol = r.protocol;
  fresh.session_timeout = r.session_timeout;
  fresh.rebalance_timeout = r.rebalance_timeout;
  fresh.notifier = r.notifier;
  fresh.heartbeating = true;
  fresh.last_heartbeat = now;
  fresh.last_poll = now;
  g->members[member_id] = std::move(fresh);
  if (!r.group_instance_id.empty()) {
    g->static_members[r.group_instance_id] = member_id;
  }
  const bool quiet_return = unchanged && g->state == GroupState::kStable;
  if (!quiet_return) g->PrepareRebalance();
  g->members.at(member_id).joined = true;
  g->TryComplete();
  return member_id;
}

absl::StatusOr<std::optional<MemberAssignment>> GroupCoordinator::Sync(
    absl::string_view group, absl::string_view member_id) {
  std::shared_ptr<Group> g = FindGroup(group);
  if (g == nullptr) {
    return GroupStatus(GroupError::kUnknownMemberId, group,
                       absl::StrCat("member ", member_id, " never joined"));
  }
  MutexLock lock(&g->mu);
  if (auto it = g->members.find(std::string(member_id));
      it != g->members.end()) {
    it->second.last_poll = it->second.last_heartbeat = g->Now();
  }
  g->Refresh();
  absl::StatusOr<Group::Member*> m = g->FindMember(member_id);
  if (!m.ok()) return m.status();
  if (g->state == GroupState::kPreparingRebalance) {
    if ((*m)->joined) return std::nullopt;
    if ((*m)->collected || !g->assign_error.ok()) {
      return GroupStatus(GroupError::kRebalanceInProgress, g->id,
                         "a rebalance began; rejoin");
    }
    // The last generation's share, not yet taken: take it, then rejoin.
  }
  if (!g->assign_error.ok()) return g->assign_error;
  (*m)->collected = true;
  return MemberAssignment{g->generation, (*m)->assignment, g->protocol};
}

absl::Status GroupCoordinator::Heartbeat(absl::string_view group,
                                         absl::string_view member_id,
                                         int32_t generation, bool polled) {
  std::shared_ptr<Group> g = FindGroup(group);
  if (g == nullptr) {
    return GroupStatus(GroupError::kUnknownMemberId, group,
                       absl::StrCat("member ", member_id, " never joined"));
  }
  MutexLock lock(&g->mu);
  if (auto it = g->members.find(std::string(member_id));
      it != g->members.end()) {
    Group::Member& m = it->second;
    m.last_heartbeat = g->Now();
    if (polled) {
      m.last_poll = m.last_heartbeat;
      m.heartbeating = true;  // a static member that stalled is back
    }
  }
  g->Refresh();
  absl::StatusOr<Group::Member*> m = g->FindMember(member_id);
  if (!m.ok()) return m.status();
  if (g->state == GroupState::kPreparingRebalance) {
    return GroupStatus(GroupError::kRebalanceInProgress, g->id,
                       "a rebalance began; rejoin");
  }
  if (generation != g->generation) {
    return GroupStatus(
        GroupError::kIllegalGeneration, g->id,
        absl::StrCat("member ", member_id, " is at generation ", generation,
                     ", the group at ", g->generation));
  }
  if (g->MetadataChanged()) {
    g->PrepareRebalance();
    return GroupStatus(GroupError::kRebalanceInProgress, g->id,
                       "subscribed topics changed; rejoin");
  }
  return absl::OkStatus();
}

absl::Status GroupCoordinator::Leave(absl::string_view group,
                                     absl::string_view member_id) {
  std::shared_ptr<Group> g = FindGroup(group);
  if (g == nullptr) return absl::OkStatus();
  MutexLock lock(&g->mu);
  absl::StatusOr<Group::Member*> m = g->FindMember(member_id);
  if (!m.ok()) return m.status();
  (*m)->notifier = nullptr;
  g->RemoveMember(std::string(member_id));
  g->TryComplete();
  return absl::OkStatus();
}

absl::Status GroupCoordinator::Disconnect(absl::string_view group,
                                          absl::string_view member_id) {
  std::shared_ptr<Group> g = FindGroup(group);
  if (g == nullptr) return absl::OkStatus();
  MutexLock lock(&g->mu);
  absl::StatusOr<Group::Member*> m = g->FindMember(member_id);
  if (!m.ok()) return m.status();
  (*m)->notifier = nullptr;
  (*m)->heartbeating = false;
  (*m)->last_heartbeat = g->Now();
  g->Refresh();
  return absl::OkStatus();
}

absl::Status GroupCoordinator::Commit(
    absl::string_view group, absl::string_view member_id, int32_t generation,
    absl::Span<const std::pair<TopicPartition, OffsetAndMetadata>> offsets) {
  if (broker_->read_only()) return ReadOnlyError(group);
  std::shared_ptr<Group> g =
      member_id.empty() ? FindGroup(group) : GetOrCreateGroup(group);
  if (g == nullptr) return store_->Commit(group, offsets);
  MutexLock lock(&g->mu);
  g->Refresh();
  if (member_id.empty()) {
    if (!g->members.empty()) {
      return GroupStatus(
          GroupError::kUnknownMemberId, g->id,
          "commit failed: the group has active members, and this consumer "
          "is not one of them (use Subscribe, or another group.id)");
    }
    return store_->Commit(group, offsets);
  }
  absl::StatusOr<Group::Member*> m = g->FindMember(member_id);
  if (!m.ok()) {
    return absl::Status(m.status().code(),
                        absl::StrCat("commit failed: ", m.status().message()));
  }
  if (generation != g->generation) {
    return GroupStatus(
        GroupError::kIllegalGeneration, g->id,
        absl::StrCat("commit failed: the group rebalanced (generation ",
                     g->generation, ", member ", member_id, " committed for ",
                     generation,
                     "); its partitions may belong to another member now"));
  }
  (*m)->last_heartbeat = g->Now();
  return store_->Commit(group, offsets);
}

std::vector<GroupListing> GroupCoordinator::ListGroups() {
  std::vector<std::shared_ptr<Group>> groups;
  {
    MutexLock lock(&mu_);
    for (auto& [name, g] : groups_) groups.push_back(g);
  }
  std::vector<GroupListing> out;
  for (auto& g : groups) {
    MutexLock lock(&g->mu);
    // Read-only: the groups as last stored; their clock runs elsewhere.
    if (!broker_->read_only()) g->Refresh();
    out.push_back({g->id, g->state});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.group_id < b.group_id;
  });
  return out;
}

std::optional<GroupDescription> GroupCoordinator::DescribeGroup(
    absl::string_view group) {
  std::shared_ptr<Group> g = FindGroup(group);
  if (g == nullptr) return std::nullopt;
  MutexLock lock(&g->mu);
  if (!broker_->read_only()) g->Refresh();
  GroupDescription d;
  d.group_id = g->id;
  d.state = g->state;
  d.protocol_type = g->members.empty() ? "" : "consumer";
  d.partition_assignor = g->protocol_name;
  d.generation = g->generation;
  d.coordinator = broker_->broker_id();
  for (const auto& [member_id, m] : g->members) {
    d.members.push_back({member_id, m.instance_id, m.client_id, "in-process",
                         g->state == GroupState::kStable
                             ? m.assignment
                             : std::vector<TopicPartition>{}});
  }
  return d;
}

absl::Status GroupCoordinator::WhileEmpty(
    absl::string_view group, absl::FunctionRef<absl::Status()> fn) {
  if (broker_->read_only()) return ReadOnlyError(group);
  std::shared_ptr<Group> g = FindGroup(group);
  if (g == nullptr) return fn();
  MutexLock lock(&g->mu);
  g->Refresh();
  if (!g->members.empty()) {
    return GroupStatus(
        GroupError::kNonEmptyGroup, g->id,
        absl::StrCat("it has ", g->members.size(),
                     " active member(s); stop its consumers first"));
  }
  return fn();
}

}  // namespace runnel
