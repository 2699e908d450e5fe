// Copyright 2026 The Runnel Authors.
//
// The built-in assignors: coverage and balance over a grid of group sizes,
// Kafka's own test vectors for range and round robin (RangeAssignorTest,
// RoundRobinAssignorTest in apache/kafka), unequal subscriptions,
// stickiness when members join and leave, the cooperative hand-over in two
// rounds, bad input, and the strategy names. Randomized generations and
// large groups: assignor_property_test.cc.
#include "runnel/assignor.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "consumer_group/assignor_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
#include "runnel/partition.h"

namespace runnel {
namespace assignor_testing {
namespace {

using ::runnel::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

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
}  // namespace assignor_testing
}  // namespace runnel
