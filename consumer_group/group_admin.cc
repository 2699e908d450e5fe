// Copyright 2026 The Runnel Authors.
//
// GroupAdmin: group listings, descriptions, lag and offset resets, read
// from the coordinator (members) and the offset store (commits).
#include "runnel/group_admin.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "consumer_group/group_coordinator.h"
#include "consumer_group/offset_store.h"

namespace runnel {
namespace {

absl::Status UnknownGroup(absl::string_view group) {
  return absl::NotFoundError(absl::StrCat(
      "group ", group, " does not exist (no members, no committed offsets)"));
}

// Where `spec` puts one partition with `committed` (if any).
absl::StatusOr<int64_t> ResetTarget(const TopicPartition& tp, Partition& p,
                                    const OffsetResetSpec& spec,
                                    std::optional<int64_t> committed) {
  const int64_t start = p.log_start_offset();
  const int64_t end = p.high_watermark();
  switch (spec.kind) {
    case OffsetResetSpec::Kind::kEarliest:
      return start;
    case OffsetResetSpec::Kind::kLatest:
      return end;
    case OffsetResetSpec::Kind::kOffset:
      if (spec.value < 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "reset ", tp.ToString(), " to negative offset ", spec.value));
      }
      return std::clamp(spec.value, start, end);  // as Kafka clamps
    case OffsetResetSpec::Kind::kTimestamp: {
      absl::StatusOr<OffsetAndTimestamp> found =
          p.OffsetForTimestamp(spec.value);
      if (absl::IsNotFound(found.status())) return end;
      if (!found.ok()) return found.status();
      return found->offset;
    }
    case OffsetResetSpec::Kind::kShiftBy:
      return std::clamp(committed.value_or(start) + spec.value, start, end);
  }
  return absl::InternalError("unknown reset kind");
}

}  // namespace

absl::string_view GroupStateName(GroupState state) {
  switch (state) {
    case GroupState::kEmpty:
      return "Empty";
    case GroupState::kPreparingRebalance:
      return "PreparingRebalance";
    case GroupState::kStable:
      return "Stable";
    case GroupState::kDead:
      return "Dead";
  }
  return "Unknown";
}

absl::StatusOr<std::vector<GroupListing>> GroupAdmin::ListGroups() const {
  absl::StatusOr<GroupCoordinator*> c = GroupCoordinator::ForBroker(broker_);
  if (!c.ok()) return c.status();
  std::map<std::string, GroupState> groups;
  for (const std::string& g : (*c)->offset_store()->Groups()) {
    groups[g] = GroupState::kEmpty;
  }
  for (const GroupListing& g : (*c)->ListGroups()) {
    if (g.state != GroupState::kEmpty || groups.count(g.group_id) != 0) {
      groups[g.group_id] = g.state;
    }
  }
  std::vector<GroupListing> out;
  for (const auto& [id, state] : groups) out.push_back({id, state});
  return out;
}

absl::StatusOr<GroupDescription> GroupAdmin::DescribeGroup(
    absl::string_view group) const {
  absl::StatusOr<GroupCoordinator*> c = GroupCoordinator::ForBroker(broker_);
  if (!c.ok()) return c.status();
  std::optional<GroupDescription> d = (*c)->DescribeGroup(group);
  const bool has_offsets =
      !(*c)->offset_store()->CommittedOffsets(group).empty();
  if (d.has_value() && (!d->members.empty() || has_offsets)) return *d;
  if (!has_offsets) return UnknownGroup(group);
  GroupDescription empty;
  empty.group_id = std::string(group);
  empty.coordinator = broker_->broker_id();
  return empty;
}

absl::StatusOr<std::vector<std::pair<TopicPartition, int64_t>>>
GroupAdmin::ListGroupOffsets(absl::string_view group) const {
  absl::StatusOr<GroupCoordinator*> c = GroupCoordinator::ForBroker(broker_);
  if (!c.ok()) return c.status();
  std::vector<std::pair<TopicPartition, int64_t>> out;
  for (const auto& [tp, o] : (*c)->offset_store()->CommittedOffsets(group)) {
    out.emplace_back(tp, o.offset);
  }
  return out;
}

absl::StatusOr<GroupLag> GroupAdmin::DescribeLag(
    absl::string_view group) const {
  absl::StatusOr<GroupDescription> d = DescribeGroup(group);
  if (!d.ok()) return d.status();
  absl::StatusOr<GroupCoordinator*> c = GroupCoordinator::ForBroker(broker_);
  if (!c.ok()) return c.status();
  std::map<TopicPartition, PartitionLag> rows;
  for (const auto& [tp, o] : (*c)->offset_store()->CommittedOffsets(group)) {
    rows[tp].committed = o.offset;
  }
  for (const MemberDescription& m : d->members) {
    for (const TopicPartition& tp : m.assignment) {
      rows[tp].member_id = m.member_id;
      rows[tp].client_id = m.client_id;
    }
  }
  GroupLag lag;
  for (auto& [tp, row] : rows) {
    row.tp = tp;
    absl::StatusOr<std::shared_ptr<Partition>> p =
        broker_->GetPartition(tp.topic, tp.partition);
    if (!p.ok()) continue;  // topic deleted since the commit
    row.log_end_offset = (*p)->high_watermark();
    if (row.committed.has_value()) {
      row.lag = std::max<int64_t>(0, row.log_end_offset - *row.committed);
      lag.total_lag += *row.lag;
    }
    lag.partitions.push_back(std::move(row));
  }
  return lag;
}

absl::Status GroupAdmin::DeleteGroup(absl::string_view group) {
  absl::StatusOr<GroupCoordinator*> c = GroupCoordinator::ForBroker(broker_);
  if (!c.ok()) return c.status();
  if (absl::Status s = DescribeGroup(group).status(); !s.ok()) return s;
  return (*c)->WhileEmpty(
      group, [&] { return (*c)->offset_store()->DeleteGroup(group); });
}

absl::StatusOr<std::vector<std::pair<TopicPartition, int64_t>>>
GroupAdmin::ResetOffsets(absl::string_view group,
                         absl::Span<const std::string> topics,
                         const OffsetResetSpec& spec, bool dry_run) {
  absl::StatusOr<GroupCoordinator*> c = GroupCoordinator::ForBroker(broker_);
  if (!c.ok()) return c.status();
  OffsetStore* store = (*c)->offset_store();
  std::vector<std::pair<TopicPartition, int64_t>> out;
  absl::Status status = (*c)->WhileEmpty(group, [&]() -> absl::Status {
    std::vector<std::pair<TopicPartition, OffsetAndMetadata>> commits;
    for (const std::string& topic : topics) {
      absl::StatusOr<TopicInfo> info = broker_->GetTopic(topic);
      if (!info.ok()) return info.status();
      for (size_t i = 0; i < info->partitions.size(); ++i) {
        TopicPartition tp{topic, static_cast<int32_t>(i)};
        std::optional<OffsetAndMetadata> committed =
            store->Committed(group, tp);
        absl::StatusOr<int64_t> target =
            ResetTarget(tp, *info->partitions[i], spec,
                        committed ? std::optional<int64_t>(committed->offset)
                                  : std::nullopt);
        if (!target.ok()) return target.status();
        out.emplace_back(tp, *target);
        OffsetAndMetadata m;
        m.offset = *target;
        commits.emplace_back(tp, std::move(m));
      }
    }
    if (dry_run) return absl::OkStatus();
    return store->Commit(group, commits);
  });
  if (!status.ok()) return status;
  return out;
}

}  // namespace runnel
