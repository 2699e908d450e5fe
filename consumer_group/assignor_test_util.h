// Copyright 2026 The Runnel Authors.
//
// consumer_group/assignor_test_util.h — what the assignor tests share:
// building subscriptions, and checking an assignment's validity, balance
// and ownership rules. Test-only.
#ifndef RUNNEL_CONSUMER_GROUP_ASSIGNOR_TEST_UTIL_H_
#define RUNNEL_CONSUMER_GROUP_ASSIGNOR_TEST_UTIL_H_

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "runnel/assignor.h"
#include "runnel/partition.h"

namespace runnel {

// Readable failure messages ("t-3").
inline void PrintTo(const TopicPartition& tp, std::ostream* os) {
  *os << tp.ToString();
}

namespace assignor_testing {

inline TopicPartition Tp(const std::string& topic, int32_t partition) {
  return TopicPartition{topic, partition};
}

inline MemberSubscription Sub(std::vector<std::string> topics,
                              std::vector<TopicPartition> owned = {},
                              std::string instance = "") {
  std::sort(topics.begin(), topics.end());
  std::sort(owned.begin(), owned.end());
  return MemberSubscription{std::move(topics), std::move(owned),
                            std::move(instance)};
}

inline std::string MemberName(int i) { return absl::StrCat("m", 1000 + i); }

// N members all subscribed to `topics`.
inline GroupSubscription Group(int members,
                               const std::vector<std::string>& topics) {
  GroupSubscription group;
  for (int i = 0; i < members; ++i) group[MemberName(i)] = Sub(topics);
  return group;
}

// The previous assignment as every member's owned partitions.
inline GroupSubscription WithOwned(GroupSubscription group,
                                   const GroupAssignment& previous) {
  for (auto& [id, sub] : group) {
    auto it = previous.find(id);
    sub.owned_partitions =
        it == previous.end() ? std::vector<TopicPartition>{} : it->second;
  }
  return group;
}

inline std::vector<std::shared_ptr<PartitionAssignor>> AllAssignors() {
  return {NewRangeAssignor(), NewRoundRobinAssignor(), NewStickyAssignor(),
          NewCooperativeStickyAssignor()};
}

// Every member has an entry (and nothing else does), every list is sorted,
// every partition exists and goes to a subscriber, and none goes twice. With
// `complete`, every partition of a subscribed topic is assigned.
inline void ExpectValid(const PartitionCounts& counts,
                        const GroupSubscription& group,
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

inline std::pair<size_t, size_t> MinMax(const GroupAssignment& assignment) {
  size_t lo = SIZE_MAX, hi = 0;
  for (const auto& [id, list] : assignment) {
    lo = std::min(lo, list.size());
    hi = std::max(hi, list.size());
  }
  return {lo, hi};
}

// No partition could go to another subscriber of its topic that has at
// least two fewer partitions (balance for unequal subscriptions).
inline void ExpectLocallyBalanced(const GroupSubscription& group,
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
inline std::map<TopicPartition, std::string> Owners(const GroupAssignment& a) {
  std::map<TopicPartition, std::string> owners;
  for (const auto& [id, list] : a) {
    for (const TopicPartition& tp : list) owners[tp] = id;
  }
  return owners;
}

// No partition is assigned to a member while another member owns it.
inline void ExpectNoDoubleOwnership(const GroupSubscription& group,
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

}  // namespace assignor_testing
}  // namespace runnel

#endif  // RUNNEL_CONSUMER_GROUP_ASSIGNOR_TEST_UTIL_H_
