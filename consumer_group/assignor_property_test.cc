// Copyright 2026 The Runnel Authors.
//
// The built-in assignors over many generations: a randomized property test
// (members join and leave, owned = the previous assignment) and large
// groups (1000 partitions, 100 members).
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
#include "runnel/assignor.h"
#include "runnel/partition.h"

namespace runnel {
namespace assignor_testing {
namespace {

using ::runnel::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

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

}  // namespace
}  // namespace assignor_testing
}  // namespace runnel
