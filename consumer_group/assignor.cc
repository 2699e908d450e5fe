// Copyright 2026 The Runnel Authors.
//
// The built-in assignors. Behaviour follows apache/kafka's RangeAssignor,
// RoundRobinAssignor, AbstractStickyAssignor and CooperativeStickyAssignor
// (clients/src/main/java/org/apache/kafka/clients/consumer/); the member
// order is AbstractPartitionAssignor.MemberInfo's: members with a
// group.instance.id first, by instance id, then the others by member id.
//
// Every assignor works on a Model: the subscribed topics that exist, sorted
// by name, with their partitions numbered 0..total-1 in (topic, partition)
// order, and the members in member-id order (the map's). Working on indices
// keeps the sticky assignor's loops free of string compares.
//
// The sticky assignor has two paths, as Kafka's has:
//   - every member subscribes to the same (existing) topics: each member
//     keeps what it owned up to its quota (floor or ceil of total/members;
//     only total % members of them may keep the ceil), the rest go one at a
//     time to the member with the fewest (ties: member id). The result is
//     balanced to within one, and only partitions above a quota move.
//   - otherwise: each member keeps everything it owned that it may still
//     have, the rest go (most constrained first) to the eligible member with
//     the fewest, then partitions move from a member to an eligible one with
//     at least two fewer until none can. Each move lowers the sum of squared
//     counts, so this ends.
// Kafka breaks a conflicting ownership claim by generation; subscriptions
// here carry none, so the first member (by member id) that may keep it wins.
#include "runnel/assignor.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <queue>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace runnel {
namespace {

constexpr int kNone = -1;

struct ModelTopic {
  const std::string* name;
  int32_t count;
  int base;                  // index of its partition 0
  std::vector<int> members;  // subscribers, in member-id order
};

struct ModelMember {
  const std::string* id;
  const MemberSubscription* sub;
  std::vector<int> topics;  // indices of subscribed existing topics, sorted
};

struct Model {
  std::vector<ModelTopic> topics;    // by name
  std::vector<ModelMember> members;  // by member id
  std::vector<int> topic_of;         // partition index -> topic index
  int total = 0;

  int TopicIndex(const std::string& name) const {
    auto it = std::lower_bound(
        topics.begin(), topics.end(), name,
        [](const ModelTopic& t, const std::string& n) { return *t.name < n; });
    if (it == topics.end() || *it->name != name) return kNone;
    return static_cast<int>(it - topics.begin());
  }
  // The partition's index, or kNone if it is not one of the model's.
  int PartitionIndex(const TopicPartition& tp) const {
    int t = TopicIndex(tp.topic);
    if (t == kNone || tp.partition < 0 || tp.partition >= topics[t].count) {
      return kNone;
    }
    return topics[t].base + tp.partition;
  }
  bool Subscribes(int member, int topic) const {
    const std::vector<int>& ts = members[member].topics;
    return std::binary_search(ts.begin(), ts.end(), topic);
  }
  TopicPartition PartitionAt(int index) const {
    const ModelTopic& t = topics[topic_of[index]];
    return TopicPartition{*t.name, index - t.base};
  }
};

absl::StatusOr<Model> BuildModel(const PartitionCounts& counts,
                                 const GroupSubscription& group) {
  for (const auto& [topic, count] : counts) {
    if (count < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("partition assignment: topic \"", topic,
                       "\" has a negative partition count (", count, ")"));
    }
  }
  Model model;
  std::vector<std::string> names;
  for (const auto& [id, sub] : group) {
    for (const std::string& topic : sub.topics) {
      // A topic without partitions adds nothing (and would make equal
      // subscriptions look unequal).
      const auto it = counts.find(topic);
      if (it != counts.end() && it->second > 0) names.push_back(topic);
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  int64_t total = 0;
  for (const std::string& name : names) {
    const auto it = counts.find(name);
    model.topics.push_back(
        ModelTopic{&it->first, it->second, static_cast<int>(total), {}});
    total += it->second;
    if (total > std::numeric_limits<int>::max()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "partition assignment: too many partitions in the subscribed "
          "topics (more than ",
          std::numeric_limits<int>::max(), " at topic \"", name, "\")"));
    }
  }
  model.total = static_cast<int>(total);
  model.topic_of.resize(model.total);
  for (size_t t = 0; t < model.topics.size(); ++t) {
    const ModelTopic& topic = model.topics[t];
    std::fill_n(model.topic_of.begin() + topic.base, topic.count,
                static_cast<int>(t));
  }
  for (const auto& [id, sub] : group) {
    ModelMember member{&id, &sub, {}};
    for (const std::string& topic : sub.topics) {
      int t = model.TopicIndex(topic);
      if (t != kNone) member.topics.push_back(t);
    }
    std::sort(member.topics.begin(), member.topics.end());
    member.topics.erase(std::unique(member.topics.begin(), member.topics.end()),
                        member.topics.end());
    const int m = static_cast<int>(model.members.size());
    for (int t : member.topics) model.topics[t].members.push_back(m);
    model.members.push_back(std::move(member));
  }
  return model;
}

// Kafka's MemberInfo order: static members (group.instance.id) first, by
// instance id; then dynamic ones by member id. Member id breaks the tie
// between two members claiming one instance id.
std::vector<int> RankMembers(const Model& model) {
  std::vector<int> order(model.members.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  // The string a member sorts by, and whether it is dynamic (sorts last).
  auto key = [&model](int m) -> std::pair<bool, const std::string*> {
    const ModelMember& member = model.members[m];
    const std::string& instance = member.sub->group_instance_id;
    if (instance.empty()) return {true, member.id};
    return {false, &instance};
  };
  std::sort(order.begin(), order.end(), [&key](int a, int b) {
    const auto [a_dynamic, a_key] = key(a);
    const auto [b_dynamic, b_key] = key(b);
    if (a_dynamic != b_dynamic) return !a_dynamic;
    if (*a_key != *b_key) return *a_key < *b_key;
    return a < b;  // member-id order
  });
  return order;
}

// owner[partition] (kNone if unassigned) as the public map, every member
// present, each list sorted.
GroupAssignment ToAssignment(const Model& model,
                             const std::vector<int>& owner) {
  GroupAssignment out;
  std::vector<std::vector<TopicPartition>*> lists;
  lists.reserve(model.members.size());
  for (const ModelMember& member : model.members) {
    lists.push_back(&out[*member.id]);
  }
  // Partition indices are in (topic, partition) order, so appending in
  // index order keeps every list sorted.
  for (int p = 0; p < model.total; ++p) {
    if (owner[p] != kNone) lists[owner[p]]->push_back(model.PartitionAt(p));
  }
  return out;
}

// ---------------------------------------------------------------- range

class RangeAssignor : public PartitionAssignor {
 public:
  std::string name() const override { return "range"; }

  absl::StatusOr<GroupAssignment> Assign(
      const PartitionCounts& counts,
      const GroupSubscription& group) const override {
    absl::StatusOr<Model> model = BuildModel(counts, group);
    if (!model.ok()) return model.status();
    const std::vector<int> order = RankMembers(*model);
    std::vector<int> rank(order.size());
    for (size_t i = 0; i < order.size(); ++i) {
      rank[order[i]] = static_cast<int>(i);
    }

    std::vector<int> owner(model->total, kNone);
    for (const ModelTopic& topic : model->topics) {
      std::vector<int> members = topic.members;
      std::sort(members.begin(), members.end(),
                [&rank](int a, int b) { return rank[a] < rank[b]; });
      const int n = topic.count;
      const int m = static_cast<int>(members.size());
      const int per = n / m;
      const int extra = n % m;
      for (int i = 0; i < m; ++i) {
        const int start = i * per + std::min(i, extra);
        const int length = per + (i < extra ? 1 : 0);
        std::fill_n(owner.begin() + topic.base + start, length, members[i]);
      }
    }
    return ToAssignment(*model, owner);
  }
};

// ---------------------------------------------------------- round robin

class RoundRobinAssignor : public PartitionAssignor {
 public:
  std::string name() const override { return "roundrobin"; }

  absl::StatusOr<GroupAssignment> Assign(
      const PartitionCounts& counts,
      const GroupSubscription& group) const override {
    absl::StatusOr<Model> model = BuildModel(counts, group);
    if (!model.ok()) return model.status();
    const std::vector<int> order = RankMembers(*model);
    std::vector<int> owner(model->total, kNone);
    size_t next = 0;
    for (int p = 0; p < model->total; ++p) {
      // Terminates: the partition's topic is in the model only because
      // some member subscribes to it.
      while (!model->Subscribes(order[next], model->topic_of[p])) {
        next = (next + 1) % order.size();
      }
      owner[p] = order[next];
      next = (next + 1) % order.size();
    }
    return ToAssignment(*model, owner);
  }
};

// --------------------------------------------------------------- sticky

// A member's previously owned partitions that still exist and that it still
// subscribes to, as sorted indices without duplicates.
std::vector<int> ValidOwned(const Model& model, int member) {
  std::vector<int> out;
  for (const TopicPartition& tp : model.members[member].sub->owned_partitions) {
    const int p = model.PartitionIndex(tp);
    if (p != kNone && model.Subscribes(member, model.topic_of[p])) {
      out.push_back(p);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool SameSubscriptions(const Model& model) {
  for (const ModelMember& member : model.members) {
    if (member.topics != model.members.front().topics) return false;
  }
  return true;
}

// Every member subscribes to every topic of the model.
std::vector<int> ConstrainedSticky(const Model& model) {
  const int members = static_cast<int>(model.members.size());
  const int min_quota = model.total / members;
  int max_slots = model.total % members;  // members that may keep min + 1
  std::vector<int> owner(model.total, kNone);
  std::vector<int> count(members, 0);
  for (int m = 0; m < members; ++m) {
    std::vector<int> owned = ValidOwned(model, m);
    owned.erase(std::remove_if(owned.begin(), owned.end(),
                               [&owner](int p) { return owner[p] != kNone; }),
                owned.end());
    int keep = std::min<int>(owned.size(), min_quota);
    if (static_cast<int>(owned.size()) > min_quota && max_slots > 0) {
      keep = min_quota + 1;
      --max_slots;
    }
    for (int i = 0; i < keep; ++i) owner[owned[i]] = m;
    count[m] = keep;
  }
  // Water-fill: the member with the fewest takes the next partition. As no
  // member holds more than the ceil and at most total % members hold it,
  // this ends with every count at the floor or the ceil.
  using Entry = std::pair<int, int>;  // (count, member)
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> fewest;
  for (int m = 0; m < members; ++m) fewest.push({count[m], m});
  for (int p = 0; p < model.total; ++p) {
    if (owner[p] != kNone) continue;
    auto [c, m] = fewest.top();
    fewest.pop();
    owner[p] = m;
    fewest.push({c + 1, m});
  }
  return owner;
}

// The eligible member (subscriber of `topic`) with the fewest partitions;
// ties go to the lowest member index (member id).
int Fewest(const ModelTopic& topic, const std::vector<int>& count) {
  int best = topic.members.front();
  for (int m : topic.members) {
    if (count[m] < count[best]) best = m;
  }
  return best;
}

// Moves partitions of `topic` from the subscriber holding the most of all
// to the one holding the fewest while they differ by two or more. A
// partition its holder did not keep from last generation moves first.
// Costs O(partitions · log subscribers + moves · subscribers).
bool BalanceTopic(const Model& model, int t, const std::vector<int>& kept_by,
                  std::vector<int>& owner, std::vector<int>& count) {
  const ModelTopic& topic = model.topics[t];
  const std::vector<int>& subs = topic.members;  // ascending
  const int n = static_cast<int>(subs.size());
  auto position = [&subs](int member) {
    return static_cast<int>(std::lower_bound(subs.begin(), subs.end(), member) -
                            subs.begin());
  };
  // held[i]: the topic's partitions subscriber i holds, next to move last.
  std::vector<std::vector<int>> held(n);
  for (bool kept : {true, false}) {
    for (int p = topic.base; p < topic.base + topic.count; ++p) {
      if ((kept_by[p] == owner[p]) == kept) {
        held[position(owner[p])].push_back(p);
      }
    }
  }
  bool moved = false;
  while (true) {
    int from = kNone, to = 0;
    for (int i = 0; i < n; ++i) {
      if (count[subs[i]] < count[subs[to]]) to = i;
      if (!held[i].empty() &&
          (from == kNone || count[subs[i]] > count[subs[from]])) {
        from = i;
      }
    }
    if (from == kNone || count[subs[from]] - count[subs[to]] < 2) {
      return moved;
    }
    const int p = held[from].back();
    held[from].pop_back();
    held[to].push_back(p);
    owner[p] = subs[to];
    --count[subs[from]];
    ++count[subs[to]];
    moved = true;
  }
}

// Members subscribe to different topics.
std::vector<int> GeneralSticky(const Model& model) {
  const int members = static_cast<int>(model.members.size());
  std::vector<int> owner(model.total, kNone);
  std::vector<int> count(members, 0);
  for (int m = 0; m < members; ++m) {
    for (int p : ValidOwned(model, m)) {
      if (owner[p] != kNone) continue;
      owner[p] = m;
      ++count[m];
    }
  }
  const std::vector<int> kept_by = owner;
  // The most constrained partitions (fewest subscribers) first.
  std::vector<int> unassigned;
  for (int p = 0; p < model.total; ++p) {
    if (owner[p] == kNone) unassigned.push_back(p);
  }
  std::stable_sort(unassigned.begin(), unassigned.end(), [&](int a, int b) {
    return model.topics[model.topic_of[a]].members.size() <
           model.topics[model.topic_of[b]].members.size();
  });
  for (int p : unassigned) {
    const int m = Fewest(model.topics[model.topic_of[p]], count);
    owner[p] = m;
    ++count[m];
  }
  bool moved = true;
  while (moved) {
    moved = false;
    for (size_t t = 0; t < model.topics.size(); ++t) {
      if (BalanceTopic(model, static_cast<int>(t), kept_by, owner, count)) {
        moved = true;
      }
    }
  }
  return owner;
}

std::vector<int> StickyOwners(const Model& model) {
  if (model.total == 0) return {};
  return SameSubscriptions(model) ? ConstrainedSticky(model)
                                  : GeneralSticky(model);
}

class StickyAssignor : public PartitionAssignor {
 public:
  std::string name() const override { return "sticky"; }

  absl::StatusOr<GroupAssignment> Assign(
      const PartitionCounts& counts,
      const GroupSubscription& group) const override {
    absl::StatusOr<Model> model = BuildModel(counts, group);
    if (!model.ok()) return model.status();
    return ToAssignment(*model, StickyOwners(*model));
  }
};

// --------------------------------------------------- cooperative sticky

class CooperativeStickyAssignor : public PartitionAssignor {
 public:
  std::string name() const override { return "cooperative-sticky"; }

  std::vector<RebalanceProtocol> supported_protocols() const override {
    return {RebalanceProtocol::kCooperative, RebalanceProtocol::kEager};
  }

  absl::StatusOr<GroupAssignment> Assign(
      const PartitionCounts& counts,
      const GroupSubscription& group) const override {
    absl::StatusOr<Model> model = BuildModel(counts, group);
    if (!model.ok()) return model.status();
    std::vector<int> owner = StickyOwners(*model);
    // A partition that some other member still owns is left out: that
    // member revokes it first, and the next rebalance hands it over.
    // (Every claim counts, even one its claimant could not keep.)
    std::vector<int> claimant(model->total, kNone);
    std::vector<bool> contested(model->total, false);
    for (int m = 0; m < static_cast<int>(model->members.size()); ++m) {
      for (const TopicPartition& tp : model->members[m].sub->owned_partitions) {
        const int p = model->PartitionIndex(tp);
        if (p == kNone || claimant[p] == m) continue;
        if (claimant[p] == kNone) {
          claimant[p] = m;
        } else {
          contested[p] = true;
        }
      }
    }
    for (int p = 0; p < model->total; ++p) {
      if (owner[p] == kNone || claimant[p] == kNone) continue;
      if (contested[p] || claimant[p] != owner[p]) owner[p] = kNone;
    }
    return ToAssignment(*model, owner);
  }
};

// ---------------------------------------------------------------- names

struct BuiltIn {
  const char* short_name;
  const char* class_name;
  std::shared_ptr<PartitionAssignor> (*make)();
};

constexpr BuiltIn kBuiltIns[] = {
    {"range", "org.apache.kafka.clients.consumer.RangeAssignor",
     &NewRangeAssignor},
    {"roundrobin", "org.apache.kafka.clients.consumer.RoundRobinAssignor",
     &NewRoundRobinAssignor},
    {"sticky", "org.apache.kafka.clients.consumer.StickyAssignor",
     &NewStickyAssignor},
    {"cooperative-sticky",
     "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
     &NewCooperativeStickyAssignor},
};

std::string ValidNames() {
  std::vector<std::string> names;
  for (const BuiltIn& b : kBuiltIns) names.push_back(b.short_name);
  for (const BuiltIn& b : kBuiltIns) names.push_back(b.class_name);
  return absl::StrJoin(names, ", ");
}

}  // namespace

std::shared_ptr<PartitionAssignor> NewRangeAssignor() {
  return std::make_shared<RangeAssignor>();
}
std::shared_ptr<PartitionAssignor> NewRoundRobinAssignor() {
  return std::make_shared<RoundRobinAssignor>();
}
std::shared_ptr<PartitionAssignor> NewStickyAssignor() {
  return std::make_shared<StickyAssignor>();
}
std::shared_ptr<PartitionAssignor> NewCooperativeStickyAssignor() {
  return std::make_shared<CooperativeStickyAssignor>();
}

absl::StatusOr<std::shared_ptr<PartitionAssignor>> AssignorByName(
    absl::string_view name) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(name);
  for (const BuiltIn& b : kBuiltIns) {
    if (trimmed == b.short_name || trimmed == b.class_name) return b.make();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown partition assignment strategy \"", name,
                   "\"; valid: ", ValidNames()));
}

absl::StatusOr<std::vector<std::shared_ptr<PartitionAssignor>>>
AssignorsFromStrategy(absl::string_view strategy) {
  if (absl::StripAsciiWhitespace(strategy).empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "partition.assignment.strategy is empty; valid names: ", ValidNames()));
  }
  std::vector<std::shared_ptr<PartitionAssignor>> out;
  const std::vector<absl::string_view> entries = absl::StrSplit(strategy, ',');
  for (size_t i = 0; i < entries.size(); ++i) {
    const absl::string_view entry = absl::StripAsciiWhitespace(entries[i]);
    if (entry.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("partition.assignment.strategy \"", strategy,
                       "\": entry ", i + 1, " is empty"));
    }
    absl::StatusOr<std::shared_ptr<PartitionAssignor>> assignor =
        AssignorByName(entry);
    if (!assignor.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("partition.assignment.strategy \"", strategy,
                       "\": ", assignor.status().message()));
    }
    for (const auto& earlier : out) {
      if (earlier->name() == (*assignor)->name()) {
        return absl::InvalidArgumentError(
            absl::StrCat("partition.assignment.strategy \"", strategy, "\": \"",
                         entry, "\" names the assignor \"", (*assignor)->name(),
                         "\" more than once"));
      }
    }
    out.push_back(*std::move(assignor));
  }
  return out;
}

}  // namespace runnel
