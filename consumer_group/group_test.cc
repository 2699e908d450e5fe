// Copyright 2026 The Runnel Authors.
//
// Consumer groups end to end, deterministic: consumers on one broker over
// a MemFileSystem and a SimulatedClock, driven by Poll(0) in rounds from
// this thread (no sleeps; timeouts are virtual time).
#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
#include "partition/broker_test_util.h"
#include "runnel/admin.h"
#include "runnel/broker.h"
#include "runnel/clock.h"
#include "runnel/consumer.h"
#include "runnel/group_admin.h"
#include "runnel/mem_file_system.h"

namespace runnel {
namespace {

using ::runnel::testing::MakeBatch;
using ::runnel::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

// Records the listener calls of one consumer.
class Recorder : public ConsumerRebalanceListener {
 public:
  void OnPartitionsRevoked(absl::Span<const TopicPartition> p) override {
    revoked.push_back({p.begin(), p.end()});
    if (on_revoked) on_revoked(p);
  }
  void OnPartitionsAssigned(absl::Span<const TopicPartition> p) override {
    assigned.push_back({p.begin(), p.end()});
  }
  void OnPartitionsLost(absl::Span<const TopicPartition> p) override {
    lost.push_back({p.begin(), p.end()});
  }
  std::vector<std::vector<TopicPartition>> revoked, assigned, lost;
  std::function<void(absl::Span<const TopicPartition>)> on_revoked;
};

class GroupTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    BrokerOptions options;
    options.data_dir = "/data";
    options.file_system = &fs_;
    options.clock = &clock_;
    options.maintenance_interval = absl::ZeroDuration();
    ASSERT_OK_AND_ASSIGN(broker_, Broker::Open(options));
  }

  void CreateTopic(const std::string& name, int32_t partitions) {
    ASSERT_TRUE(Admin(broker_.get()).CreateTopic({name, partitions}).ok());
  }

  void Produce(const std::string& topic, int32_t partition, int count) {
    std::shared_ptr<Partition> p = *broker_->GetPartition(topic, partition);
    ASSERT_TRUE(
        p->Append(MakeBatch(absl::StrCat(topic, "-", partition), count)).ok());
  }

  ConsumerOptions Options(const std::string& group, const std::string& client,
                          const std::string& strategy = "range") {
    ConsumerOptions o;
    o.group_id = group;
    o.client_id = client;
    o.auto_offset_reset = OffsetReset::kEarliest;
    o.enable_auto_commit = false;
    o.partition_assignment_strategy = strategy;
    return o;
  }

  std::unique_ptr<Consumer> Make(const ConsumerOptions& options) {
    absl::StatusOr<std::unique_ptr<Consumer>> c =
        Consumer::Create(broker_.get(), options);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? *std::move(c) : nullptr;
  }

  // Polls every consumer `rounds` times; returns the values each got.
  std::vector<std::vector<std::string>> PollRounds(
      const std::vector<Consumer*>& consumers, int rounds = 4) {
    std::vector<std::vector<std::string>> got(consumers.size());
    for (int round = 0; round < rounds; ++round) {
      for (size_t i = 0; i < consumers.size(); ++i) {
        absl::StatusOr<ConsumerRecords> r =
            consumers[i]->Poll(absl::ZeroDuration());
        EXPECT_TRUE(r.ok()) << r.status();
        if (!r.ok()) continue;
        for (const ConsumerRecord& rec : *r) {
          got[i].push_back(
              absl::StrCat(rec.topic, "-", rec.partition, "@", rec.offset));
        }
      }
    }
    return got;
  }

  // Every assigned partition, checking none is assigned twice.
  std::set<TopicPartition> AssignedOnce(
      const std::vector<Consumer*>& consumers) {
    std::set<TopicPartition> all;
    for (Consumer* c : consumers) {
      for (const TopicPartition& tp : c->Assignment()) {
        EXPECT_TRUE(all.insert(tp).second) << tp.ToString() << " twice";
      }
    }
    return all;
  }

  MemFileSystem fs_;
  SimulatedClock clock_{absl::FromUnixSeconds(1700000000)};
  std::unique_ptr<Broker> broker_;
};

TEST_F(GroupTest, QueueModelSharesPartitionsAndEachRecordOnce) {
  CreateTopic("jobs", 6);
  for (int p = 0; p < 6; ++p) Produce("jobs", p, 10);
  std::vector<std::unique_ptr<Consumer>> owned;
  std::vector<Consumer*> cs;
  for (int i = 0; i < 3; ++i) {
    owned.push_back(Make(Options("workers", absl::StrCat("w", i))));
    RUNNEL_ASSERT_OK(owned.back()->Subscribe({"jobs"}));
    cs.push_back(owned.back().get());
  }
  std::vector<std::vector<std::string>> got = PollRounds(cs, 6);
  EXPECT_EQ(AssignedOnce(cs).size(), 6u);
  std::multiset<std::string> all;
  for (Consumer* c : cs) EXPECT_EQ(c->Assignment().size(), 2u);
  // Records polled before the last rebalance can repeat (nothing was
  // committed); after it, each consumer reads only its own partitions.
  for (int p = 0; p < 6; ++p) Produce("jobs", p, 1);
  got = PollRounds(cs, 2);
  for (size_t i = 0; i < cs.size(); ++i) {
    EXPECT_EQ(got[i].size(), 2u);
    all.insert(got[i].begin(), got[i].end());
  }
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), 6u);
  const int32_t generation = cs[0]->GroupMetadata().generation_id;
  for (Consumer* c : cs) {
    EXPECT_EQ(c->GroupMetadata().generation_id, generation);
    EXPECT_FALSE(c->GroupMetadata().member_id.empty());
  }
}

TEST_F(GroupTest, PublishSubscribeAcrossGroups) {
  CreateTopic("news", 2);
  Produce("news", 0, 3);
  Produce("news", 1, 2);
  std::unique_ptr<Consumer> a = Make(Options("g1", "a"));
  std::unique_ptr<Consumer> b = Make(Options("g2", "b"));
  RUNNEL_ASSERT_OK(a->Subscribe({"news"}));
  RUNNEL_ASSERT_OK(b->Subscribe({"news"}));
  std::vector<std::vector<std::string>> got = PollRounds({a.get(), b.get()});
  EXPECT_EQ(got[0].size(), 5u);
  EXPECT_EQ(got[1].size(), 5u);
  EXPECT_EQ(got[0], got[1]);
}

TEST_F(GroupTest, AtMostMinOfConsumersAndPartitionsAreActive) {
  CreateTopic("t", 3);
  std::vector<std::unique_ptr<Consumer>> owned;
  std::vector<Consumer*> cs;
  for (int i = 0; i < 5; ++i) {
    owned.push_back(Make(Options("g", absl::StrCat("c", i))));
    RUNNEL_ASSERT_OK(owned.back()->Subscribe({"t"}));
    cs.push_back(owned.back().get());
  }
  PollRounds(cs);
  EXPECT_EQ(AssignedOnce(cs).size(), 3u);
  int active = 0;
  for (Consumer* c : cs) active += c->Assignment().empty() ? 0 : 1;
  EXPECT_EQ(active, 3);
  ASSERT_OK_AND_ASSIGN(GroupDescription d,
                       GroupAdmin(broker_.get()).DescribeGroup("g"));
  EXPECT_EQ(d.state, GroupState::kStable);
  EXPECT_EQ(d.members.size(), 5u);
  EXPECT_EQ(d.partition_assignor, "range");
  EXPECT_EQ(d.protocol_type, "consumer");
}

TEST_F(GroupTest, LeavingMemberHandsItsPartitionsOver) {
  CreateTopic("t", 4);
  std::unique_ptr<Consumer> a = Make(Options("g", "a"));
  std::unique_ptr<Consumer> b = Make(Options("g", "b"));
  RUNNEL_ASSERT_OK(a->Subscribe({"t"}));
  RUNNEL_ASSERT_OK(b->Subscribe({"t"}));
  PollRounds({a.get(), b.get()});
  EXPECT_EQ(a->Assignment().size(), 2u);
  RUNNEL_ASSERT_OK(b->Close());
  PollRounds({a.get()});
  EXPECT_EQ(a->Assignment().size(), 4u);
}

TEST_F(GroupTest, RevokedCallbackCommitsSoTheNextOwnerResumes) {
  CreateTopic("t", 2);
  Produce("t", 0, 5);
  Produce("t", 1, 5);
  Recorder ra;
  std::unique_ptr<Consumer> a = Make(Options("g", "a"));
  ra.on_revoked = [&](absl::Span<const TopicPartition>) {
    EXPECT_TRUE(a->CommitSync().ok());
  };
  RUNNEL_ASSERT_OK(a->Subscribe({"t"}, &ra));
  std::vector<std::vector<std::string>> got = PollRounds({a.get()}, 2);
  EXPECT_EQ(got[0].size(), 10u);
  ASSERT_EQ(ra.assigned.size(), 1u);
  EXPECT_EQ(ra.assigned[0].size(), 2u);
  // b joins: a revokes everything (eager), commits, and b starts at 5.
  std::unique_ptr<Consumer> b = Make(Options("g", "b"));
  RUNNEL_ASSERT_OK(b->Subscribe({"t"}));
  Produce("t", 0, 1);
  Produce("t", 1, 1);
  got = PollRounds({a.get(), b.get()});
  ASSERT_EQ(ra.revoked.size(), 1u);
  EXPECT_EQ(ra.revoked[0].size(), 2u);
  EXPECT_EQ(got[0].size() + got[1].size(), 2u);  // only the new records
  for (const auto& v : got) {
    for (const std::string& s : v) EXPECT_THAT(s, HasSubstr("@5"));
  }
}

TEST_F(GroupTest, PollTimeoutEvictsAndTheStalledMemberLosesItsPartitions) {
  CreateTopic("t", 2);
  Recorder rb;
  ConsumerOptions ob = Options("g", "b");
  ob.max_poll_interval = absl::Seconds(30);
  std::unique_ptr<Consumer> a = Make(Options("g", "a"));
  std::unique_ptr<Consumer> b = Make(ob);
  RUNNEL_ASSERT_OK(a->Subscribe({"t"}));
  RUNNEL_ASSERT_OK(b->Subscribe({"t"}, &rb));
  PollRounds({a.get(), b.get()});
  ASSERT_EQ(b->Assignment().size(), 1u);
  const int32_t generation = b->GroupMetadata().generation_id;
  clock_.Advance(absl::Seconds(31));  // b stalls; a keeps polling
  PollRounds({a.get()});
  EXPECT_EQ(a->Assignment().size(), 2u);
  // b's stale commit is refused: its partition belongs to a now.
  EXPECT_THAT(b->CommitSync({{{"t", 1}, 0}}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("UNKNOWN_MEMBER_ID")));
  // b comes back: told its partitions are lost, it rejoins as a new member.
  PollRounds({b.get(), a.get()});
  EXPECT_EQ(rb.lost.size(), 1u);
  EXPECT_EQ(b->Assignment().size(), 1u);
  EXPECT_GT(b->GroupMetadata().generation_id, generation);
}

TEST_F(GroupTest, SessionTimeoutRemovesAMemberThatStoppedHeartbeating) {
  CreateTopic("t", 2);
  ConsumerOptions ob = Options("g", "b");
  ob.session_timeout = absl::Seconds(10);
  std::unique_ptr<Consumer> a = Make(Options("g", "a"));
  std::unique_ptr<Consumer> b = Make(ob);
  RUNNEL_ASSERT_OK(a->Subscribe({"t"}));
  RUNNEL_ASSERT_OK(b->Subscribe({"t"}));
  PollRounds({a.get(), b.get()});
  RUNNEL_ASSERT_OK(b->Close(GroupMembershipOperation::kRemainInGroup));
  clock_.Advance(absl::Seconds(9));
  PollRounds({a.get()});
  EXPECT_EQ(a->Assignment().size(), 1u);  // b's place is kept
  clock_.Advance(absl::Seconds(1));
  PollRounds({a.get()});
  EXPECT_EQ(a->Assignment().size(), 2u);
}

TEST_F(GroupTest, StaticMemberComesBackWithoutARebalance) {
  CreateTopic("t", 4);
  ConsumerOptions os = Options("g", "s");
  os.group_instance_id = "host-1";
  std::unique_ptr<Consumer> a = Make(Options("g", "a"));
  std::unique_ptr<Consumer> s = Make(os);
  RUNNEL_ASSERT_OK(a->Subscribe({"t"}));
  RUNNEL_ASSERT_OK(s->Subscribe({"t"}));
  PollRounds({a.get(), s.get()});
  const std::vector<TopicPartition> before = s->Assignment();
  const int32_t generation = a->GroupMetadata().generation_id;
  ASSERT_EQ(before.size(), 2u);
  RUNNEL_ASSERT_OK(s->Close());  // static: remains by default
  s.reset();
  clock_.Advance(absl::Seconds(20));
  PollRounds({a.get()});
  EXPECT_EQ(a->Assignment().size(), 2u);
  std::unique_ptr<Consumer> again = Make(os);
  RUNNEL_ASSERT_OK(again->Subscribe({"t"}));
  PollRounds({a.get(), again.get()});
  EXPECT_EQ(again->Assignment(), before);
  EXPECT_EQ(a->GroupMetadata().generation_id, generation);  // no rebalance
  EXPECT_EQ(again->GroupMetadata().generation_id, generation);
}

TEST_F(GroupTest, SecondConsumerWithTheSameInstanceIdFencesTheFirst) {
  CreateTopic("t", 2);
  ConsumerOptions os = Options("g", "s");
  os.group_instance_id = "host-1";
  std::unique_ptr<Consumer> first = Make(os);
  RUNNEL_ASSERT_OK(first->Subscribe({"t"}));
  PollRounds({first.get()});
  std::unique_ptr<Consumer> second = Make(os);
  RUNNEL_ASSERT_OK(second->Subscribe({"t"}));
  PollRounds({second.get()});
  EXPECT_EQ(second->Assignment().size(), 2u);
  EXPECT_THAT(first->Poll(absl::ZeroDuration()).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("FENCED_INSTANCE_ID")));
  EXPECT_TRUE(first->Assignment().empty());
}

TEST_F(GroupTest, CooperativeRebalanceRevokesOnlyWhatMoves) {
  CreateTopic("t", 6);
  Recorder ra, rb;
  std::unique_ptr<Consumer> a = Make(Options("g", "a", "cooperative-sticky"));
  std::unique_ptr<Consumer> b = Make(Options("g", "b", "cooperative-sticky"));
  RUNNEL_ASSERT_OK(a->Subscribe({"t"}, &ra));
  PollRounds({a.get()});
  EXPECT_EQ(a->Assignment().size(), 6u);
  RUNNEL_ASSERT_OK(b->Subscribe({"t"}, &rb));
  std::vector<Consumer*> cs = {a.get(), b.get()};
  PollRounds(cs, 6);
  EXPECT_EQ(AssignedOnce(cs).size(), 6u);
  EXPECT_EQ(a->Assignment().size(), 3u);
  EXPECT_EQ(b->Assignment().size(), 3u);
  // a gave up exactly the three that moved, never the ones it kept.
  ASSERT_EQ(ra.revoked.size(), 1u);
  EXPECT_EQ(ra.revoked[0].size(), 3u);
  for (const TopicPartition& tp : ra.revoked[0]) {
    EXPECT_THAT(b->Assignment(), ::testing::Contains(tp));
  }
  EXPECT_THAT(rb.revoked, IsEmpty());
}

// a rejoins (its subscription changed) and keeps its partition while b is
// still to join; b's join completes the generation before a collects its
// assignment. a then closes: the commit in its revoke listener must not be
// fenced as a generation behind, or b would read a's records again.
TEST_F(GroupTest, CooperativeMemberClosingMidRebalanceCommitsWhatItOwns) {
  CreateTopic("t", 2);
  CreateTopic("u", 1);
  Recorder ra;
  std::unique_ptr<Consumer> a = Make(Options("g", "a", "cooperative-sticky"));
  std::unique_ptr<Consumer> b = Make(Options("g", "b", "cooperative-sticky"));
  std::vector<absl::Status> commits;
  ra.on_revoked = [&](absl::Span<const TopicPartition>) {
    commits.push_back(a->CommitSync());
  };
  RUNNEL_ASSERT_OK(a->Subscribe({"t"}, &ra));
  RUNNEL_ASSERT_OK(b->Subscribe({"t"}));
  PollRounds({a.get(), b.get()});  // settles: one partition each
  ASSERT_EQ(a->Assignment().size(), 1u);
  ASSERT_EQ(b->Assignment().size(), 1u);
  commits.clear();  // a's hand-over of one partition to b
  Produce("t", 0, 5);
  Produce("t", 1, 5);
  std::vector<std::vector<std::string>> got = PollRounds({a.get(), b.get()});
  ASSERT_EQ(got[0].size(), 5u);
  ASSERT_EQ(got[1].size(), 5u);
  const int32_t generation = a->GroupMetadata().generation_id;
  RUNNEL_ASSERT_OK(a->Subscribe({"t", "u"}, &ra));
  PollRounds({a.get()}, 1);  // a rejoins; the group waits for b
  PollRounds({b.get()}, 1);  // b rejoins: the generation completes
  ASSERT_EQ(a->GroupMetadata().generation_id, generation);  // not collected
  RUNNEL_ASSERT_OK(a->Close());
  ASSERT_EQ(commits.size(), 1u);
  RUNNEL_EXPECT_OK(commits[0]);
  got = PollRounds({b.get()});
  EXPECT_EQ(b->Assignment().size(), 2u);
  EXPECT_THAT(got[0], IsEmpty()) << "a's records delivered again";
}

TEST_F(GroupTest, EveryStrategyBalancesTheGroup) {
  for (const char* strategy :
       {"range", "roundrobin", "sticky", "cooperative-sticky"}) {
    SCOPED_TRACE(strategy);
    const std::string topic = absl::StrCat("s-", strategy);
    CreateTopic(topic, 7);
    std::vector<std::unique_ptr<Consumer>> owned;
    std::vector<Consumer*> cs;
    for (int i = 0; i < 3; ++i) {
      owned.push_back(Make(Options(topic, absl::StrCat("c", i), strategy)));
      RUNNEL_ASSERT_OK(owned.back()->Subscribe({topic}));
      cs.push_back(owned.back().get());
    }
    PollRounds(cs, 8);
    EXPECT_EQ(AssignedOnce(cs).size(), 7u);
    for (Consumer* c : cs) {
      EXPECT_GE(c->Assignment().size(), 2u);
      EXPECT_LE(c->Assignment().size(), 3u);
    }
    ASSERT_OK_AND_ASSIGN(GroupDescription d,
                         GroupAdmin(broker_.get()).DescribeGroup(topic));
    EXPECT_EQ(d.partition_assignor, strategy);
  }
}

TEST_F(GroupTest, MembersWithoutACommonStrategyAreRefused) {
  CreateTopic("t", 2);
  std::unique_ptr<Consumer> a = Make(Options("g", "a", "range"));
  std::unique_ptr<Consumer> b = Make(Options("g", "b", "roundrobin"));
  RUNNEL_ASSERT_OK(a->Subscribe({"t"}));
  RUNNEL_ASSERT_OK(b->Subscribe({"t"}));
  PollRounds({a.get()});
  EXPECT_THAT(b->Poll(absl::ZeroDuration()).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("INCONSISTENT_GROUP_PROTOCOL")));
  EXPECT_THAT(
      Consumer::Create(broker_.get(), Options("g", "c", "bogus")).status(),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("partition.assignment.strategy")));
}

TEST_F(GroupTest, PatternSubscriptionFollowsNewTopics) {
  CreateTopic("metrics.cpu", 1);
  CreateTopic("logs", 1);
  std::unique_ptr<Consumer> c = Make(Options("g", "c"));
  RUNNEL_ASSERT_OK(c->SubscribePattern("metrics\\..*"));
  PollRounds({c.get()});
  EXPECT_THAT(c->Assignment(), ElementsAre(TopicPartition{"metrics.cpu", 0}));
  CreateTopic("metrics.disk", 2);
  Produce("metrics.disk", 1, 1);
  std::vector<std::vector<std::string>> got = PollRounds({c.get()});
  EXPECT_THAT(c->Subscription(), ElementsAre("metrics.cpu", "metrics.disk"));
  EXPECT_EQ(c->Assignment().size(), 3u);
  EXPECT_THAT(got[0], ElementsAre("metrics.disk-1@0"));
  EXPECT_THAT(c->SubscribePattern("("),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("(")));
}

TEST_F(GroupTest, AddedPartitionsTriggerARebalance) {
  CreateTopic("t", 2);
  std::unique_ptr<Consumer> a = Make(Options("g", "a"));
  std::unique_ptr<Consumer> b = Make(Options("g", "b"));
  RUNNEL_ASSERT_OK(a->Subscribe({"t"}));
  RUNNEL_ASSERT_OK(b->Subscribe({"t"}));
  PollRounds({a.get(), b.get()});
  ASSERT_TRUE(Admin(broker_.get()).CreatePartitions({{"t", 4}})[0].ok());
  PollRounds({a.get(), b.get()});
  EXPECT_EQ(AssignedOnce({a.get(), b.get()}).size(), 4u);
  EXPECT_EQ(a->Assignment().size(), 2u);
}

TEST_F(GroupTest, ManualAssignmentCannotCommitForAnActiveGroup) {
  CreateTopic("t", 1);
  Produce("t", 0, 3);
  std::unique_ptr<Consumer> member = Make(Options("g", "m"));
  RUNNEL_ASSERT_OK(member->Subscribe({"t"}));
  PollRounds({member.get()});
  std::unique_ptr<Consumer> manual = Make(Options("g", "x"));
  RUNNEL_ASSERT_OK(manual->Assign({{"t", 0}}));
  EXPECT_THAT(manual->CommitSync({{{"t", 0}, 1}}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("active members")));
  EXPECT_THAT(manual->Subscribe({"t"}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("mutually exclusive")));
  EXPECT_THAT(member->Assign({{"t", 0}}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("mutually exclusive")));
}

TEST_F(GroupTest, GroupStateSurvivesARestart) {
  CreateTopic("t", 4);
  ConsumerOptions os = Options("g", "s");
  os.group_instance_id = "host-1";
  int32_t generation;
  std::vector<TopicPartition> before;
  {
    std::unique_ptr<Consumer> s = Make(os);
    std::unique_ptr<Consumer> d = Make(Options("g", "d"));
    RUNNEL_ASSERT_OK(s->Subscribe({"t"}));
    RUNNEL_ASSERT_OK(d->Subscribe({"t"}));
    PollRounds({s.get(), d.get()});
    before = s->Assignment();
    ASSERT_EQ(before.size(), 2u);
    RUNNEL_ASSERT_OK(s->Close());  // static: keeps its place
    RUNNEL_ASSERT_OK(d->Close(GroupMembershipOperation::kRemainInGroup));
    ASSERT_OK_AND_ASSIGN(GroupDescription desc,
                         GroupAdmin(broker_.get()).DescribeGroup("g"));
    generation = desc.generation;
  }
  broker_.reset();
  Open();
  ASSERT_OK_AND_ASSIGN(GroupDescription after,
                       GroupAdmin(broker_.get()).DescribeGroup("g"));
  // The dynamic member is gone with its process; the static one waits.
  ASSERT_EQ(after.members.size(), 1u);
  EXPECT_EQ(after.members[0].group_instance_id, "host-1");
  EXPECT_EQ(after.generation, generation);
  std::unique_ptr<Consumer> s = Make(os);
  RUNNEL_ASSERT_OK(s->Subscribe({"t"}));
  PollRounds({s.get()});
  // It had to rebalance (the dynamic member's partitions were orphaned),
  // and it now holds everything, in a later generation.
  EXPECT_EQ(s->Assignment().size(), 4u);
  EXPECT_GT(s->GroupMetadata().generation_id, generation);
}

TEST_F(GroupTest, StaticOnlyGroupResumesAfterRestartWithoutRebalance) {
  CreateTopic("t", 4);
  ConsumerOptions o1 = Options("g", "s1"), o2 = Options("g", "s2");
  o1.group_instance_id = "host-1";
  o2.group_instance_id = "host-2";
  std::vector<TopicPartition> a1, a2;
  int32_t generation;
  {
    std::unique_ptr<Consumer> s1 = Make(o1), s2 = Make(o2);
    RUNNEL_ASSERT_OK(s1->Subscribe({"t"}));
    RUNNEL_ASSERT_OK(s2->Subscribe({"t"}));
    PollRounds({s1.get(), s2.get()});
    a1 = s1->Assignment();
    a2 = s2->Assignment();
    generation = s1->GroupMetadata().generation_id;
    RUNNEL_ASSERT_OK(s1->Close());
    RUNNEL_ASSERT_OK(s2->Close());
  }
  broker_.reset();
  Open();
  std::unique_ptr<Consumer> s2 = Make(o2), s1 = Make(o1);
  RUNNEL_ASSERT_OK(s2->Subscribe({"t"}));
  RUNNEL_ASSERT_OK(s1->Subscribe({"t"}));
  PollRounds({s2.get(), s1.get()});
  EXPECT_EQ(s1->Assignment(), a1);
  EXPECT_EQ(s2->Assignment(), a2);
  EXPECT_EQ(s1->GroupMetadata().generation_id, generation);
}

}  // namespace
}  // namespace runnel
