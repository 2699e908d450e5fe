// Copyright 2026 The Runnel Authors.
//
// The built-in assignors: coverage and balance over a grid of group sizes,
// Kafka's own test vectors for range and round robin (RangeAssignorTest,
// RoundRobinAssignorTest in apache/kafka), unequal subscriptions,
// stickiness when members join and leave, the cooperative hand-over in two
// rounds, a randomized multi-generation property test, bad input, speed,
// and the strategy names.
#include "runnel/assignor.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
#include "runnel/partition.h"

namespace runnel {

// Readable failure messages ("t-3").
void PrintTo(const TopicPartition& tp, std::ostream* os) {
  *os << tp.ToString();
}

namespace {

using ::runnel::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TopicPartition Tp(const std::string& topic, int32_t partition) {
  return TopicPartition{topic, partition};
}

MemberSubscription Sub(std::vector<std::string> topics,
                       std::vector<TopicPartition> owned = {},
                       std::string instance = "") {
  std::sort(topics.begin(), topics.end());
  std::sort(owned.begin(), owned.end());
  return MemberSubscription{std::move(topics), std::move(owned),
                            std::move(instance)};
}

std::string MemberName(int i) { return absl::StrCat("m", 1000 + i); }

// N members all subscribed to `topics`.
GroupSubscription Group(int members, const std::vector<std::string>& topics) {
  GroupSubscription group;
  for (int i = 0; i < members; ++i) group[MemberName(i)] = Sub(topics);
  return group;
}

// The previous assignment as every member's owned partitions.
GroupSubscription WithOwned(GroupSubscription group,
                            const GroupAssignment& previous) {
  for (auto& [id, sub] : group) {
    auto it = previous.find(id);
    sub.owned_partitions =
        it == previous.end() ? std::vector<TopicPartition>{} : it->second;
  }
  return group;
}

std::vector<std::shared_ptr<PartitionAssignor>> AllAssignors() {
  return {NewRangeAssignor(), NewRoundRobinAssignor(), NewStickyAssignor(),
          NewCooperativeStickyAssignor()};
}

// Every member has an entry (and nothing else does), every list is sorted,
// every partition exists and goes to a subscriber, and none goes twice. With
// `complete`, every partition of a subscribed topic is assigned.
void ExpectValid(const PartitionCounts& counts, const GroupSubscription& group,
                 const GroupAssignment& assignment, bool complete) {
  ASSERT_EQ(assignment.size(), group.size());
  std::set<TopicPartition> seen;
  std::set<std::string> subscribed;
  for (const auto& [id, sub] : group) {
    subscribed.insert(sub.topics.begin(), sub.topics.end());
    auto it = assignment.find(id);
    ASSERT_NE(it, assignment.end()) << id;
    const std::vector<TopicPartition>& list = it->second;
    EXPECT_TRUE(std::is_sorted(list.begin(), list.end())) << id;
    for (const TopicPartition& tp : list) {
      EXPECT_TRUE(seen.insert(tp).second) << tp.ToString() << " twice";
      EXPECT_TRUE(
          std::binary_search(sub.topics.begin(), sub.topics.end(), tp.topic))
          << id << " got " << tp.ToString() << " without subscribing";
      auto count = counts.find(tp.topic);
      ASSERT_NE(count, counts.end()) << tp.ToString();
      EXPECT_GE(tp.partition, 0);
      EXPECT_LT(tp.partition, count->second) << tp.ToString();
    }
  }
  if (!complete) return;
  for (const std::string& topic : subscribed) {
    auto count = counts.find(topic);
    if (count == counts.end()) continue;
    for (int32_t p = 0; p < count->second; ++p) {
      EXPECT_EQ(seen.count(Tp(topic, p)), 1u) << topic << "-" << p;
    }
  }
}

std::pair<size_t, size_t> MinMax(const GroupAssignment& assignment) {
  size_t lo = SIZE_MAX, hi = 0;
  for (const auto& [id, list] : assignment) {
    lo = std::min(lo, list.size());
    hi = std::max(hi, list.size());
  }
  return {lo, hi};
}

// No partition could go to another subscriber of its topic that has at
// least two fewer partitions (balance for unequal subscriptions).
void ExpectLocallyBalanced(const GroupSubscription& group,
                           const GroupAssignment& assignment) {
  for (const auto& [from, list] : assignment) {
    for (const TopicPartition& tp : list) {
      for (const auto& [to, sub] : group) {
        if (!std::binary_search(sub.topics.begin(), sub.topics.end(),
                                tp.topic)) {
          continue;
        }
        EXPECT_LT(list.size(), assignment.at(to).size() + 2)
            << tp.ToString() << " could move from " << from << " to " << to;
      }
    }
  }
}

// member -> owner of each partition in `assignment`.
std::map<TopicPartition, std::string> Owners(const GroupAssignment& a) {
  std::map<TopicPartition, std::string> owners;
  for (const auto& [id, list] : a) {
    for (const TopicPartition& tp : list) owners[tp] = id;
  }
  return owners;
}

// No partition is assigned to a member while another member owns it.
void ExpectNoDoubleOwnership(const GroupSubscription& group,
                             const GroupAssignment& assignment) {
  for (const auto& [id, list] : assignment) {
    for (const TopicPartition& tp : list) {
      for (const auto& [other, sub] : group) {
        if (other == id) continue;
        EXPECT_FALSE(std::binary_search(sub.owned_partitions.begin(),
                                        sub.owned_partitions.end(), tp))
            << tp.ToString() << " given to " << id << " while " << other
            << " owns it";
      }
    }
  }
}

// ------------------------------------------------------------- the grid

TEST(AssignorTest, GridCoversEveryPartitionOnceAndBalances) {
  for (const auto& assignor : AllAssignors()) {
    for (int n : {1, 2, 3, 5, 10}) {
      for (int m : {1, 3, 10, 100}) {
        SCOPED_TRACE(
            absl::StrCat(assignor->name(), " members=", n, " partitions=", m));
        const PartitionCounts counts = {{"t", m}};
        const GroupSubscription group = Group(n, {"t"});
        ASSERT_OK_AND_ASSIGN(GroupAssignment a,
                             assignor->Assign(counts, group));
        ExpectValid(counts, group, a, /*complete=*/true);
        auto [lo, hi] = MinMax(a);
        EXPECT_LE(hi - lo, 1u);
        int non_empty = 0;
        for (const auto& [id, list] : a) non_empty += list.empty() ? 0 : 1;
        EXPECT_EQ(non_empty, std::min(n, m));
      }
    }
  }
}

TEST(AssignorTest, MultiTopicGrid) {
  for (const auto& assignor : AllAssignors()) {
    for (int n : {1, 2, 3, 5, 10}) {
      for (int m : {1, 3, 10, 100}) {
        SCOPED_TRACE(
            absl::StrCat(assignor->name(), " members=", n, " partitions=", m));
        const PartitionCounts counts = {{"a", m}, {"b", m + 1}, {"c", 2}};
        const GroupSubscription group = Group(n, {"a", "b", "c"});
        ASSERT_OK_AND_ASSIGN(GroupAssignment a,
                             assignor->Assign(counts, group));
        ExpectValid(counts, group, a, /*complete=*/true);
        // Range balances per topic only; the others overall.
        if (assignor->name() != "range") {
          auto [lo, hi] = MinMax(a);
          EXPECT_LE(hi - lo, 1u);
        }
      }
    }
  }
}

TEST(AssignorTest, EmptyGroupAndNoTopics) {
  for (const auto& assignor : AllAssignors()) {
    SCOPED_TRACE(assignor->name());
    ASSERT_OK_AND_ASSIGN(GroupAssignment empty,
                         assignor->Assign({{"t", 3}}, {}));
    EXPECT_THAT(empty, IsEmpty());
    // Subscribed to nothing, or to a topic that does not exist.
    GroupSubscription group = {{"a", Sub({})}, {"b", Sub({"missing"})}};
    ASSERT_OK_AND_ASSIGN(GroupAssignment a,
                         assignor->Assign({{"t", 3}, {"zero", 0}}, group));
    ASSERT_EQ(a.size(), 2u);
    EXPECT_THAT(a["a"], IsEmpty());
    EXPECT_THAT(a["b"], IsEmpty());
  }
}

TEST(AssignorTest, OnlySubscribedTopicsAndMissingTopicsGetNothing) {
  for (const auto& assignor : AllAssignors()) {
    SCOPED_TRACE(assignor->name());
    GroupSubscription group = {{"c", Sub({"t", "gone"})}};
    ASSERT_OK_AND_ASSIGN(GroupAssignment a,
                         assignor->Assign({{"t", 3}, {"other", 3}}, group));
    EXPECT_THAT(a["c"], ElementsAre(Tp("t", 0), Tp("t", 1), Tp("t", 2)));
  }
}

TEST(AssignorTest, NegativeCountIsInvalidArgumentNamingTheTopic) {
  for (const auto& assignor : AllAssignors()) {
    SCOPED_TRACE(assignor->name());
    EXPECT_THAT(
        assignor->Assign({{"t", 3}, {"broken", -1}}, Group(2, {"t"})).status(),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("broken")));
  }
}

TEST(AssignorTest, Deterministic) {
  PartitionCounts counts = {{"a", 7}, {"b", 5}};
  GroupSubscription group = {{"x", Sub({"a", "b"}, {Tp("a", 1), Tp("b", 0)})},
                             {"y", Sub({"a"}, {Tp("a", 1)})},
                             {"z", Sub({"b"})}};
  for (const auto& assignor : AllAssignors()) {
    SCOPED_TRACE(assignor->name());
    ASSERT_OK_AND_ASSIGN(GroupAssignment first,
                         assignor->Assign(counts, group));
    ASSERT_OK_AND_ASSIGN(GroupAssignment second,
                         assignor->Assign(counts, group));
    EXPECT_EQ(first, second);
    ExpectValid(counts, group, first,
                /*complete=*/assignor->name() != "cooperative-sticky");
  }
}

// ---------------------------------------------------------------- range

TEST(RangeAssignorTest, TwoConsumersTwoTopicsSixPartitions) {
  ASSERT_OK_AND_ASSIGN(GroupAssignment a,
                       NewRangeAssignor()->Assign({{"t0", 3}, {"t1", 3}},
                                                  Group(2, {"t0", "t1"})));
  EXPECT_THAT(a[MemberName(0)],
              ElementsAre(Tp("t0", 0), Tp("t0", 1), Tp("t1", 0), Tp("t1", 1)));
  EXPECT_THAT(a[MemberName(1)], ElementsAre(Tp("t0", 2), Tp("t1", 2)));
}

TEST(RangeAssignorTest, MixedTopics) {
  GroupSubscription group = {{"consumer1", Sub({"topic1"})},
                             {"consumer2", Sub({"topic1", "topic2"})},
                             {"consumer3", Sub({"topic1"})}};
  ASSERT_OK_AND_ASSIGN(
      GroupAssignment a,
      NewRangeAssignor()->Assign({{"topic1", 3}, {"topic2", 2}}, group));
  EXPECT_THAT(a["consumer1"], ElementsAre(Tp("topic1", 0)));
  EXPECT_THAT(a["consumer2"],
              ElementsAre(Tp("topic1", 1), Tp("topic2", 0), Tp("topic2", 1)));
  EXPECT_THAT(a["consumer3"], ElementsAre(Tp("topic1", 2)));
}

TEST(RangeAssignorTest, StaticMembersSortByInstanceIdAndComeFirst) {
  const PartitionCounts counts = {{"topic1", 3}, {"topic2", 3}};
  // consumer-b sorts after consumer-a by member id, but its instance id
  // wins.
  GroupSubscription both_static = {
      {"consumer-b", Sub({"topic1", "topic2"}, {}, "instance1")},
      {"consumer-a", Sub({"topic1", "topic2"}, {}, "instance2")}};
  GroupSubscription one_static = {
      {"consumer-b", Sub({"topic1", "topic2"}, {}, "instance1")},
      {"consumer-a", Sub({"topic1", "topic2"})}};
  for (const GroupSubscription& group : {both_static, one_static}) {
    ASSERT_OK_AND_ASSIGN(GroupAssignment a,
                         NewRangeAssignor()->Assign(counts, group));
    EXPECT_THAT(a["consumer-b"], ElementsAre(Tp("topic1", 0), Tp("topic1", 1),
                                             Tp("topic2", 0), Tp("topic2", 1)));
    EXPECT_THAT(a["consumer-a"], ElementsAre(Tp("topic1", 2), Tp("topic2", 2)));
  }
}

TEST(RangeAssignorTest, StaticAssignmentPersistsAcrossDynamicMembers) {
  const PartitionCounts counts = {{"topic1", 5}, {"topic2", 4}};
  GroupSubscription group;
  for (int i = 1; i <= 3; ++i) {
    group[absl::StrCat("consumer", i)] =
        Sub({"topic1", "topic2"}, {}, absl::StrCat("instance", i));
  }
  group["consumer4"] = Sub({"topic1", "topic2"});
  GroupAssignment expected = {
      {"consumer1", {Tp("topic1", 0), Tp("topic1", 1), Tp("topic2", 0)}},
      {"consumer2", {Tp("topic1", 2), Tp("topic2", 1)}},
      {"consumer3", {Tp("topic1", 3), Tp("topic2", 2)}},
      {"consumer4", {Tp("topic1", 4), Tp("topic2", 3)}}};
  ASSERT_OK_AND_ASSIGN(GroupAssignment a,
                       NewRangeAssignor()->Assign(counts, group));
  EXPECT_EQ(a, expected);
  // A new dynamic member replaces consumer4 ("consumer0" sorts before the
  // static members by id, but dynamic members come last).
  group.erase("consumer4");
  group["consumer0"] = Sub({"topic1", "topic2"});
  expected.erase("consumer4");
  expected["consumer0"] = {Tp("topic1", 4), Tp("topic2", 3)};
  ASSERT_OK_AND_ASSIGN(a, NewRangeAssignor()->Assign(counts, group));
  EXPECT_EQ(a, expected);
}

// ---------------------------------------------------------- round robin

TEST(RoundRobinAssignorTest, TwoConsumersTwoTopicsSixPartitions) {
  GroupSubscription group = {{"consumer1", Sub({"topic1", "topic2"})},
                             {"consumer2", Sub({"topic1", "topic2"})}};
  ASSERT_OK_AND_ASSIGN(
      GroupAssignment a,
      NewRoundRobinAssignor()->Assign({{"topic1", 3}, {"topic2", 3}}, group));
  EXPECT_THAT(a["consumer1"],
              ElementsAre(Tp("topic1", 0), Tp("topic1", 2), Tp("topic2", 1)));
  EXPECT_THAT(a["consumer2"],
              ElementsAre(Tp("topic1", 1), Tp("topic2", 0), Tp("topic2", 2)));
}

TEST(RoundRobinAssignorTest, MixedTopicsSkipUnsubscribedMembers) {
  GroupSubscription group = {{"consumer1", Sub({"topic1"})},
                             {"consumer2", Sub({"topic1", "topic2"})},
                             {"consumer3", Sub({"topic1"})}};
  ASSERT_OK_AND_ASSIGN(
      GroupAssignment a,
      NewRoundRobinAssignor()->Assign({{"topic1", 3}, {"topic2", 2}}, group));
  EXPECT_THAT(a["consumer1"], ElementsAre(Tp("topic1", 0)));
  EXPECT_THAT(a["consumer2"],
              ElementsAre(Tp("topic1", 1), Tp("topic2", 0), Tp("topic2", 1)));
  EXPECT_THAT(a["consumer3"], ElementsAre(Tp("topic1", 2)));
}

TEST(RoundRobinAssignorTest, StaticMembersFirst) {
  GroupSubscription group = {
      {"consumer-b", Sub({"topic1", "topic2"}, {}, "instance1")},
      {"consumer-a", Sub({"topic1", "topic2"})}};
  ASSERT_OK_AND_ASSIGN(
      GroupAssignment a,
      NewRoundRobinAssignor()->Assign({{"topic1", 3}, {"topic2", 3}}, group));
  EXPECT_THAT(a["consumer-b"],
              ElementsAre(Tp("topic1", 0), Tp("topic1", 2), Tp("topic2", 1)));
  EXPECT_THAT(a["consumer-a"],
              ElementsAre(Tp("topic1", 1), Tp("topic2", 0), Tp("topic2", 2)));
}

TEST(RoundRobinAssignorTest, StaticAssignmentPersistsAcrossDynamicMembers) {
  const PartitionCounts counts = {{"topic1", 3}, {"topic2", 3}};
  GroupSubscription group;
  for (int i = 1; i <= 3; ++i) {
    group[absl::StrCat("consumer", i)] =
        Sub({"topic1", "topic2"}, {}, absl::StrCat("instance", i));
  }
  group["consumer4"] = Sub({"topic1", "topic2"});
  GroupAssignment expected = {{"consumer1", {Tp("topic1", 0), Tp("topic2", 1)}},
                              {"consumer2", {Tp("topic1", 1), Tp("topic2", 2)}},
                              {"consumer3", {Tp("topic1", 2)}},
                              {"consumer4", {Tp("topic2", 0)}}};
  ASSERT_OK_AND_ASSIGN(GroupAssignment a,
                       NewRoundRobinAssignor()->Assign(counts, group));
  EXPECT_EQ(a, expected);
  group.erase("consumer4");
  group["consumer5"] = Sub({"topic1", "topic2"});
  expected.erase("consumer4");
  expected["consumer5"] = {Tp("topic2", 0)};
  ASSERT_OK_AND_ASSIGN(a, NewRoundRobinAssignor()->Assign(counts, group));
  EXPECT_EQ(a, expected);
}

// --------------------------------------------------------------- sticky

TEST(StickyAssignorTest, UnequalSubscriptionsAreCoveredAndBalanced) {
  // c1 and c3 can only take topic1; c2 takes topic2 and shares topic1.
  const PartitionCounts counts = {{"topic1", 3}, {"topic2", 2}};
  GroupSubscription group = {{"c1", Sub({"topic1"})},
                             {"c2", Sub({"topic1", "topic2"})},
                             {"c3", Sub({"topic1"})}};
  for (const auto& assignor :
       {NewStickyAssignor(), NewCooperativeStickyAssignor()}) {
    ASSERT_OK_AND_ASSIGN(GroupAssignment a, assignor->Assign(counts, group));
    ExpectValid(counts, group, a, /*complete=*/true);
    ExpectLocallyBalanced(group, a);
    EXPECT_THAT(a["c2"], ElementsAre(Tp("topic2", 0), Tp("topic2", 1)));
    // topic1's three partitions split 2 + 1 between c1 and c3 (as in
    // Kafka's StickyAssignorTest: c1 gets topic1-0 and topic1-2).
    EXPECT_THAT(a["c1"], ElementsAre(Tp("topic1", 0), Tp("topic1", 2)));
    EXPECT_THAT(a["c3"], ElementsAre(Tp("topic1", 1)));
  }
}

TEST(StickyAssignorTest, NewSubscriberOfAnOwnedTopicTakesHalf) {
  // a owned all of t and keeps half; b, newly subscribed, gets the rest.
  std::vector<TopicPartition> all;
  for (int p = 0; p < 10; ++p) all.push_back(Tp("t", p));
  GroupSubscription group = {{"a", Sub({"t", "u"}, all)}, {"b", Sub({"t"})}};
  const PartitionCounts counts = {{"t", 10}, {"u", 2}};
  ASSERT_OK_AND_ASSIGN(GroupAssignment a,
                       NewStickyAssignor()->Assign(counts, group));
  ExpectValid(counts, group, a, /*complete=*/true);
  ExpectLocallyBalanced(group, a);
  // 12 partitions between two members: 6 each, a keeps 4 of t plus u.
  EXPECT_EQ(a["a"].size(), 6u);
  EXPECT_EQ(a["b"].size(), 6u);
  for (const TopicPartition& tp : a["a"]) {
    if (tp.topic == "t") {
      EXPECT_EQ(std::count(all.begin(), all.end(), tp), 1) << tp.ToString();
    }
  }
}

TEST(StickyAssignorTest, KeepsOwnedPartitions) {
  // A round robin result that is already balanced stays as it is.
  const PartitionCounts counts = {{"t", 9}, {"u", 4}};
  GroupSubscription group = Group(4, {"t", "u"});
  ASSERT_OK_AND_ASSIGN(GroupAssignment rr,
                       NewRoundRobinAssignor()->Assign(counts, group));
  for (const auto& assignor :
       {NewStickyAssignor(), NewCooperativeStickyAssignor()}) {
    ASSERT_OK_AND_ASSIGN(GroupAssignment a,
                         assignor->Assign(counts, WithOwned(group, rr)));
    EXPECT_EQ(a, rr) << assignor->name();
  }
}

TEST(StickyAssignorTest, AddingAMemberMovesOnlyItsShare) {
  for (int n : {1, 2, 3, 5, 10}) {
    for (int p : {1, 3, 10, 100}) {
      SCOPED_TRACE(absl::StrCat("members=", n, " partitions=", p));
      const PartitionCounts counts = {{"t", p}};
      GroupSubscription group = Group(n, {"t"});
      ASSERT_OK_AND_ASSIGN(GroupAssignment before,
                           NewStickyAssignor()->Assign(counts, group));
      group = WithOwned(group, before);
      const std::string newcomer = MemberName(n);
      group[newcomer] = Sub({"t"});
      ASSERT_OK_AND_ASSIGN(GroupAssignment after,
                           NewStickyAssignor()->Assign(counts, group));
      ExpectValid(counts, group, after, /*complete=*/true);
      auto [lo, hi] = MinMax(after);
      EXPECT_LE(hi - lo, 1u);
      // Everything that moved went to the newcomer, and it got no more
      // than its share.
      const auto old_owners = Owners(before);
      int moved = 0;
      for (const auto& [tp, owner] : Owners(after)) {
        if (owner == old_owners.at(tp)) continue;
        ++moved;
        EXPECT_EQ(owner, newcomer) << tp.ToString();
      }
      EXPECT_EQ(moved, static_cast<int>(after[newcomer].size()));
      EXPECT_LE(moved, (p + n) / (n + 1));  // ceil(p / (n + 1))
    }
  }
}

TEST(StickyAssignorTest, RemovingAMemberMovesOnlyItsPartitions) {
  for (int n : {2, 3, 5, 10}) {
    for (int p : {1, 3, 10, 100}) {
      SCOPED_TRACE(absl::StrCat("members=", n, " partitions=", p));
      const PartitionCounts counts = {{"a", p}, {"b", 3}};
      GroupSubscription group = Group(n, {"a", "b"});
      ASSERT_OK_AND_ASSIGN(GroupAssignment before,
                           NewStickyAssignor()->Assign(counts, group));
      group = WithOwned(group, before);
      const std::string leaver = MemberName(n / 2);
      group.erase(leaver);
      ASSERT_OK_AND_ASSIGN(GroupAssignment after,
                           NewStickyAssignor()->Assign(counts, group));
      ExpectValid(counts, group, after, /*complete=*/true);
      auto [lo, hi] = MinMax(after);
      EXPECT_LE(hi - lo, 1u);
      const auto after_owners = Owners(after);
      for (const auto& [tp, owner] : Owners(before)) {
        if (owner != leaver) {
          EXPECT_EQ(after_owners.at(tp), owner) << tp.ToString();
        }
      }
    }
  }
}

TEST(StickyAssignorTest, IgnoresOwnedPartitionsThatNoLongerApply) {
  // x owned u-0 (no longer subscribed), t-7 (gone) and t-0 (still valid).
  GroupSubscription group = {
      {"x", Sub({"t"}, {Tp("t", 0), Tp("t", 7), Tp("u", 0)})},
      {"y", Sub({"t", "u"})}};
  const PartitionCounts counts = {{"t", 2}, {"u", 1}};
  ASSERT_OK_AND_ASSIGN(GroupAssignment a,
                       NewStickyAssignor()->Assign(counts, group));
  ExpectValid(counts, group, a, /*complete=*/true);
  // x keeps t-0; u-0 can only go to y; t-1 breaks the 1:1 tie by id.
  EXPECT_THAT(a["x"], ElementsAre(Tp("t", 0), Tp("t", 1)));
  EXPECT_THAT(a["y"], ElementsAre(Tp("u", 0)));
}

TEST(StickyAssignorTest, DoublyClaimedPartitionGoesToOneClaimant) {
  GroupSubscription group = {{"b", Sub({"t"}, {Tp("t", 0), Tp("t", 1)})},
                             {"a", Sub({"t"}, {Tp("t", 0), Tp("t", 2)})},
                             {"c", Sub({"t"})}};
  const PartitionCounts counts = {{"t", 6}};
  ASSERT_OK_AND_ASSIGN(GroupAssignment a,
                       NewStickyAssignor()->Assign(counts, group));
  ExpectValid(counts, group, a, /*complete=*/true);
  // Deterministic: the first claimant by member id ("a") keeps t-0.
  EXPECT_THAT(a["a"], ElementsAre(Tp("t", 0), Tp("t", 2)));
  EXPECT_THAT(a["b"], ::testing::Contains(Tp("t", 1)));
  EXPECT_EQ(a["b"].size(), 2u);
  EXPECT_EQ(a["c"].size(), 2u);
}

// --------------------------------------------------- cooperative sticky

TEST(CooperativeStickyAssignorTest, Protocols) {
  EXPECT_THAT(
      NewCooperativeStickyAssignor()->supported_protocols(),
      ElementsAre(RebalanceProtocol::kCooperative, RebalanceProtocol::kEager));
  for (const auto& assignor :
       {NewRangeAssignor(), NewRoundRobinAssignor(), NewStickyAssignor()}) {
    EXPECT_THAT(assignor->supported_protocols(),
                ElementsAre(RebalanceProtocol::kEager))
        << assignor->name();
  }
}

TEST(CooperativeStickyAssignorTest, HandsOverInTwoRounds) {
  const PartitionCounts counts = {{"t", 9}, {"u", 3}};
  GroupSubscription group = Group(3, {"t", "u"});
  ASSERT_OK_AND_ASSIGN(GroupAssignment gen1,
                       NewCooperativeStickyAssignor()->Assign(counts, group));
  ExpectValid(counts, group, gen1, /*complete=*/true);

  // A fourth member joins: the sticky target moves three partitions to it.
  group = WithOwned(group, gen1);
  const std::string newcomer = MemberName(3);
  group[newcomer] = Sub({"t", "u"});
  ASSERT_OK_AND_ASSIGN(GroupAssignment target,
                       NewStickyAssignor()->Assign(counts, group));
  EXPECT_EQ(target[newcomer].size(), 3u);

  ASSERT_OK_AND_ASSIGN(GroupAssignment round1,
                       NewCooperativeStickyAssignor()->Assign(counts, group));
  ExpectValid(counts, group, round1, /*complete=*/false);
  ExpectNoDoubleOwnership(group, round1);
  // The newcomer waits for the revocations; nobody else loses anything
  // that is not moving, and nobody gains anything.
  EXPECT_THAT(round1[newcomer], IsEmpty());
  for (const auto& [id, list] : round1) {
    for (const TopicPartition& tp : list) {
      EXPECT_EQ(Owners(target)[tp], id) << tp.ToString();
    }
  }
  size_t assigned = 0;
  for (const auto& [id, list] : round1) assigned += list.size();
  EXPECT_EQ(assigned, 12u - 3u);

  // The old owners revoked what they lost and rejoin: the target is
  // reached, and cooperative agrees with sticky.
  group = WithOwned(group, round1);
  ASSERT_OK_AND_ASSIGN(GroupAssignment round2,
                       NewCooperativeStickyAssignor()->Assign(counts, group));
  ExpectValid(counts, group, round2, /*complete=*/true);
  ExpectNoDoubleOwnership(group, round2);
  EXPECT_EQ(round2, target);
  ASSERT_OK_AND_ASSIGN(GroupAssignment sticky2,
                       NewStickyAssignor()->Assign(counts, group));
  EXPECT_EQ(round2, sticky2);
}

TEST(CooperativeStickyAssignorTest, ContestedPartitionIsWithheld) {
  // a and b both claim t-0: neither gets it until both have let it go.
  GroupSubscription group = {{"a", Sub({"t"}, {Tp("t", 0), Tp("t", 1)})},
                             {"b", Sub({"t"}, {Tp("t", 0), Tp("t", 2)})}};
  const PartitionCounts counts = {{"t", 4}};
  ASSERT_OK_AND_ASSIGN(GroupAssignment a,
                       NewCooperativeStickyAssignor()->Assign(counts, group));
  ExpectValid(counts, group, a, /*complete=*/false);
  ExpectNoDoubleOwnership(group, a);
  for (const auto& [id, list] : a) {
    EXPECT_THAT(list, ::testing::Not(::testing::Contains(Tp("t", 0)))) << id;
  }
  EXPECT_THAT(a["a"], ::testing::Contains(Tp("t", 1)));
  EXPECT_THAT(a["b"], ::testing::Contains(Tp("t", 2)));
}

TEST(CooperativeStickyAssignorTest, ClaimOnAnUnsubscribedTopicBlocksToo) {
  // x still holds u-0 although it unsubscribed; y must wait for it.
  GroupSubscription group = {{"x", Sub({"t"}, {Tp("u", 0)})},
                             {"y", Sub({"t", "u"})}};
  const PartitionCounts counts = {{"t", 2}, {"u", 1}};
  ASSERT_OK_AND_ASSIGN(GroupAssignment a,
                       NewCooperativeStickyAssignor()->Assign(counts, group));
  ExpectNoDoubleOwnership(group, a);
  EXPECT_THAT(a["y"], ::testing::Not(::testing::Contains(Tp("u", 0))));
  group["x"].owned_partitions = a["x"];
  group["y"].owned_partitions = a["y"];
  ASSERT_OK_AND_ASSIGN(a,
                       NewCooperativeStickyAssignor()->Assign(counts, group));
  ExpectValid(counts, group, a, /*complete=*/true);
  EXPECT_THAT(a["y"], ::testing::Contains(Tp("u", 0)));
}

// ------------------------------------------------------------ property

// Generations of a group whose members come and go; owned partitions are
// the previous generation's assignment (with cooperative, what each member
// kept). Checks coverage, balance, and the cooperative rules.
void RunGenerations(uint32_t seed, bool equal_subscriptions) {
  SCOPED_TRACE(absl::StrCat("seed=", seed,
                            " equal_subscriptions=", equal_subscriptions));
  std::mt19937 rng(seed);
  const std::vector<std::string> topics = {"a", "b", "c", "d"};
  PartitionCounts counts;
  for (const std::string& t : topics) {
    counts[t] = std::uniform_int_distribution<int>(0, 12)(rng);
  }
  auto random_topics = [&]() {
    if (equal_subscriptions) return topics;
    std::vector<std::string> out;
    for (const std::string& t : topics) {
      if (rng() % 2) out.push_back(t);
    }
    if (out.empty()) out.push_back(topics[rng() % topics.size()]);
    return out;
  };
  auto sticky = NewStickyAssignor();
  auto coop = NewCooperativeStickyAssignor();
  GroupSubscription eager_group, coop_group;
  int next_id = 0;
  for (int gen = 0; gen < 25; ++gen) {
    SCOPED_TRACE(absl::StrCat("generation ", gen));
    // Join or leave (same change in both groups).
    const int action = static_cast<int>(rng() % 3);
    if (action < 2 || eager_group.size() < 2) {
      const std::string id =
          absl::StrCat("member-", rng() % 1000, "-", next_id++);
      MemberSubscription sub = Sub(random_topics());
      eager_group[id] = sub;
      coop_group[id] = sub;
    } else {
      auto it = eager_group.begin();
      std::advance(it, rng() % eager_group.size());
      coop_group.erase(it->first);
      eager_group.erase(it);
    }

    ASSERT_OK_AND_ASSIGN(GroupAssignment a,
                         sticky->Assign(counts, eager_group));
    ExpectValid(counts, eager_group, a, /*complete=*/true);
    ExpectLocallyBalanced(eager_group, a);
    if (equal_subscriptions) {
      auto [lo, hi] = MinMax(a);
      EXPECT_LE(hi - lo, 1u);
    }
    eager_group = WithOwned(eager_group, a);

    ASSERT_OK_AND_ASSIGN(GroupAssignment c, coop->Assign(counts, coop_group));
    ExpectValid(counts, coop_group, c, /*complete=*/false);
    ExpectNoDoubleOwnership(coop_group, c);
    // Members keep only what they were given (revoking the rest); when
    // something was withheld, the follow-up rebalance completes it.
    coop_group = WithOwned(coop_group, c);
    for (int round = 0; round < 4; ++round) {
      size_t assigned = 0;
      for (const auto& [id, list] : c) assigned += list.size();
      size_t expected = 0;
      std::set<std::string> subscribed;
      for (const auto& [id, sub] : coop_group) {
        subscribed.insert(sub.topics.begin(), sub.topics.end());
      }
      for (const std::string& t : subscribed) expected += counts[t];
      if (assigned == expected) break;
      ASSERT_OK_AND_ASSIGN(GroupAssignment s,
                           sticky->Assign(counts, coop_group));
      ASSERT_OK_AND_ASSIGN(c, coop->Assign(counts, coop_group));
      ExpectValid(counts, coop_group, c, /*complete=*/false);
      ExpectNoDoubleOwnership(coop_group, c);
      if (equal_subscriptions) {
        // One follow-up is enough when subscriptions are equal, and it
        // withholds nothing: the result is sticky's.
        ExpectValid(counts, coop_group, c, /*complete=*/true);
        EXPECT_EQ(c, s);
      }
      coop_group = WithOwned(coop_group, c);
    }
    ExpectValid(counts, coop_group, c, /*complete=*/true);
    ExpectLocallyBalanced(coop_group, c);
  }
}

TEST(AssignorPropertyTest, RandomGenerationsEqualSubscriptions) {
  for (uint32_t seed = 1; seed <= 40; ++seed) RunGenerations(seed, true);
}

TEST(AssignorPropertyTest, RandomGenerationsUnequalSubscriptions) {
  for (uint32_t seed = 1; seed <= 40; ++seed) RunGenerations(seed, false);
}

// ------------------------------------------------------------ large groups
// (Their speed is measured in benchmarks/group_bench, not here.)

TEST(AssignorLargeGroupTest, ThousandPartitionsHundredMembers) {
  PartitionCounts counts;
  std::vector<std::string> topics;
  for (int t = 0; t < 10; ++t) {
    topics.push_back(absl::StrCat("topic-", t));
    counts[topics.back()] = 100;
  }
  GroupSubscription equal = Group(100, topics);
  // Unequal: member i skips topic i % 10 (the general sticky path).
  GroupSubscription unequal;
  for (int i = 0; i < 100; ++i) {
    std::vector<std::string> mine;
    for (int t = 0; t < 10; ++t) {
      if (t != i % 10) mine.push_back(topics[t]);
    }
    unequal[MemberName(i)] = Sub(mine);
  }
  for (const auto& assignor : AllAssignors()) {
    for (GroupSubscription group : {equal, unequal}) {
      SCOPED_TRACE(assignor->name());
      // Twice: fresh, then with owned partitions after 10 members left.
      ASSERT_OK_AND_ASSIGN(GroupAssignment first,
                           assignor->Assign(counts, group));
      group = WithOwned(group, first);
      for (int i = 0; i < 10; ++i) group.erase(MemberName(i * 7));
      ASSERT_OK_AND_ASSIGN(GroupAssignment a, assignor->Assign(counts, group));
      ExpectValid(counts, group, a,
                  /*complete=*/assignor->name() != "cooperative-sticky");
    }
  }
}

TEST(AssignorLargeGroupTest, OneMemberOwnedEverythingUnequal) {
  // The sticky general path's worst case: one member owned all 1000
  // partitions of one topic; 99 others join, subscriptions unequal.
  const PartitionCounts counts = {{"big", 1000}, {"small", 1}};
  std::vector<TopicPartition> all;
  for (int p = 0; p < 1000; ++p) all.push_back(Tp("big", p));
  GroupSubscription group;
  group[MemberName(0)] = Sub({"big", "small"}, all);
  for (int i = 1; i < 100; ++i) group[MemberName(i)] = Sub({"big"});
  for (const auto& assignor :
       {NewStickyAssignor(), NewCooperativeStickyAssignor()}) {
    SCOPED_TRACE(assignor->name());
    ASSERT_OK_AND_ASSIGN(GroupAssignment a, assignor->Assign(counts, group));
    const bool coop = assignor->name() == "cooperative-sticky";
    ExpectValid(counts, group, a, /*complete=*/!coop);
    if (coop) {
      // Only what the old owner keeps (10 of big, and small-0) is
      // assigned now.
      EXPECT_EQ(a[MemberName(0)].size(), 11u);
      for (int i = 1; i < 100; ++i) EXPECT_THAT(a[MemberName(i)], IsEmpty());
    } else {
      ExpectLocallyBalanced(group, a);
      // 1001 partitions over 100 members; the old owner keeps 10 of its
      // own (small-0 counts as its 11th).
      EXPECT_EQ(a[MemberName(0)].size(), 11u);
    }
  }
}

// ------------------------------------------------------------ names

TEST(AssignorByNameTest, ShortAndClassNames) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"range", "range"},
      {"roundrobin", "roundrobin"},
      {"sticky", "sticky"},
      {"cooperative-sticky", "cooperative-sticky"},
      {"org.apache.kafka.clients.consumer.RangeAssignor", "range"},
      {"org.apache.kafka.clients.consumer.RoundRobinAssignor", "roundrobin"},
      {"org.apache.kafka.clients.consumer.StickyAssignor", "sticky"},
      {"org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
       "cooperative-sticky"},
      {"  range\t", "range"},
  };
  for (const auto& [input, name] : cases) {
    ASSERT_OK_AND_ASSIGN(auto assignor, AssignorByName(input));
    EXPECT_EQ(assignor->name(), name) << input;
  }
}

TEST(AssignorByNameTest, UnknownNameListsValidOnes) {
  for (const std::string bad :
       {"", "Range", "bogus", "org.apache.kafka.clients.consumer.Range"}) {
    EXPECT_THAT(
        AssignorByName(bad).status(),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 AllOf(HasSubstr(absl::StrCat("\"", bad, "\"")),
                       HasSubstr("range"), HasSubstr("cooperative-sticky"),
                       HasSubstr("org.apache.kafka.clients.consumer."
                                 "RoundRobinAssignor"))))
        << bad;
  }
}

TEST(AssignorsFromStrategyTest, ParsesKafkaDefaultAndLists) {
  ASSERT_OK_AND_ASSIGN(auto assignors,
                       AssignorsFromStrategy("range,cooperative-sticky"));
  ASSERT_EQ(assignors.size(), 2u);
  EXPECT_EQ(assignors[0]->name(), "range");
  EXPECT_EQ(assignors[1]->name(), "cooperative-sticky");

  ASSERT_OK_AND_ASSIGN(
      assignors,
      AssignorsFromStrategy(
          " sticky , org.apache.kafka.clients.consumer.RoundRobinAssignor "));
  ASSERT_EQ(assignors.size(), 2u);
  EXPECT_EQ(assignors[0]->name(), "sticky");
  EXPECT_EQ(assignors[1]->name(), "roundrobin");

  ASSERT_OK_AND_ASSIGN(assignors, AssignorsFromStrategy("roundrobin"));
  ASSERT_EQ(assignors.size(), 1u);
  EXPECT_EQ(assignors[0]->name(), "roundrobin");
}

TEST(AssignorsFromStrategyTest, RejectsBadLists) {
  EXPECT_THAT(AssignorsFromStrategy("").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
  EXPECT_THAT(AssignorsFromStrategy("  ").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
  EXPECT_THAT(
      AssignorsFromStrategy("range,,sticky").status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("entry 2")));
  EXPECT_THAT(
      AssignorsFromStrategy("range,").status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("entry 2")));
  EXPECT_THAT(AssignorsFromStrategy("range, bogus").status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("\"bogus\""), HasSubstr("roundrobin"))));
  EXPECT_THAT(AssignorsFromStrategy(
                  "range, org.apache.kafka.clients.consumer.RangeAssignor")
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("more than once")));
  EXPECT_THAT(AssignorsFromStrategy("sticky,sticky").status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("more than once")));
}

}  // namespace
}  // namespace runnel
