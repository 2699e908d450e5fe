// Copyright 2026 The Runnel Authors.
//
// GroupAdmin: listing, describing, lag, deleting and resetting groups,
// every error case, and what survives a broker restart.
#include "runnel/group_admin.h"

#include <memory>
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
#include "runnel/mem_file_system.h"

namespace runnel {
namespace {

using ::runnel::testing::IsOkAndHolds;
using ::runnel::testing::MakeBatch;
using ::runnel::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

class GroupAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Open();
    ASSERT_TRUE(Admin(broker_.get()).CreateTopic({"t", 2}).ok());
    // Offsets 0-9 on each partition, timestamps 1000 + offset.
    for (int32_t p = 0; p < 2; ++p) {
      std::shared_ptr<Partition> part = *broker_->GetPartition("t", p);
      for (int i = 0; i < 10; ++i) {
        ASSERT_TRUE(part->Append(MakeBatch("v", 1, 1000 + i)).ok());
      }
    }
  }

  void Open() {
    BrokerOptions options;
    options.data_dir = "/data";
    options.file_system = &fs_;
    options.clock = &clock_;
    options.maintenance_interval = absl::ZeroDuration();
    ASSERT_OK_AND_ASSIGN(broker_, Broker::Open(options));
  }

  // A subscribed member that has polled once (`polled`: what it got).
  std::unique_ptr<Consumer> Member(const std::string& group,
                                   size_t* polled = nullptr) {
    ConsumerOptions o;
    o.group_id = group;
    o.client_id = "worker";
    o.enable_auto_commit = false;
    o.auto_offset_reset = OffsetReset::kEarliest;
    absl::StatusOr<std::unique_ptr<Consumer>> c =
        Consumer::Create(broker_.get(), o);
    EXPECT_TRUE(c.ok()) << c.status();
    EXPECT_TRUE((*c)->Subscribe({"t"}).ok());
    absl::StatusOr<ConsumerRecords> r = (*c)->Poll(absl::ZeroDuration());
    EXPECT_TRUE(r.ok()) << r.status();
    if (polled != nullptr && r.ok()) *polled = r->count();
    return *std::move(c);
  }

  MemFileSystem fs_;
  SimulatedClock clock_{absl::FromUnixSeconds(1700000000)};
  std::unique_ptr<Broker> broker_;
};

TEST_F(GroupAdminTest, ListDescribeAndLag) {
  std::unique_ptr<Consumer> c = Member("billing");
  RUNNEL_ASSERT_OK(c->CommitSync({{{"t", 0}, 4}}));
  GroupAdmin admin(broker_.get());
  ASSERT_OK_AND_ASSIGN(std::vector<GroupListing> groups, admin.ListGroups());
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].group_id, "billing");
  EXPECT_EQ(groups[0].state, GroupState::kStable);
  EXPECT_EQ(GroupStateName(groups[0].state), "Stable");

  ASSERT_OK_AND_ASSIGN(GroupDescription d, admin.DescribeGroup("billing"));
  ASSERT_EQ(d.members.size(), 1u);
  EXPECT_EQ(d.members[0].client_id, "worker");
  EXPECT_THAT(d.members[0].assignment,
              ElementsAre(TopicPartition{"t", 0}, TopicPartition{"t", 1}));

  ASSERT_OK_AND_ASSIGN(GroupLag lag, admin.DescribeLag("billing"));
  ASSERT_EQ(lag.partitions.size(), 2u);
  EXPECT_EQ(lag.partitions[0].committed, 4);
  EXPECT_EQ(lag.partitions[0].log_end_offset, 10);
  EXPECT_EQ(lag.partitions[0].lag, 6);
  EXPECT_EQ(lag.partitions[0].member_id, d.members[0].member_id);
  EXPECT_EQ(lag.partitions[1].committed, std::nullopt);  // no commit: "-"
  EXPECT_EQ(lag.partitions[1].lag, std::nullopt);
  EXPECT_EQ(lag.total_lag, 6);

  EXPECT_THAT(admin.ListGroupOffsets("billing"),
              IsOkAndHolds(ElementsAre(Pair(TopicPartition{"t", 0}, 4))));
  EXPECT_THAT(admin.DescribeGroup("nobody").status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nobody")));
}

TEST_F(GroupAdminTest, DeleteAndResetNeedAGroupWithoutMembers) {
  std::unique_ptr<Consumer> c = Member("g");
  RUNNEL_ASSERT_OK(c->CommitSync({{{"t", 0}, 4}, {{"t", 1}, 2}}));
  GroupAdmin admin(broker_.get());
  EXPECT_THAT(admin.DeleteGroup("g"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("NON_EMPTY_GROUP")));
  EXPECT_THAT(admin
                  .ResetOffsets("g", {"t"}, OffsetResetSpec::ToEarliest(),
                                /*dry_run=*/false)
                  .status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("NON_EMPTY_GROUP")));
  RUNNEL_ASSERT_OK(c->Close());
  ASSERT_OK_AND_ASSIGN(std::vector<GroupListing> groups, admin.ListGroups());
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].state, GroupState::kEmpty);  // offsets only

  using R = std::vector<std::pair<TopicPartition, int64_t>>;
  const TopicPartition t0{"t", 0}, t1{"t", 1};
  EXPECT_THAT(admin.ResetOffsets("g", {"t"}, OffsetResetSpec::ShiftBy(-3),
                                 /*dry_run=*/true),
              IsOkAndHolds(R{{t0, 1}, {t1, 0}}));  // clamped
  // A dry run changes nothing.
  EXPECT_THAT(admin.ListGroupOffsets("g"), IsOkAndHolds(R{{t0, 4}, {t1, 2}}));
  EXPECT_THAT(
      admin.ResetOffsets("g", {"t"}, OffsetResetSpec::ToLatest(), false),
      IsOkAndHolds(R{{t0, 10}, {t1, 10}}));
  EXPECT_THAT(
      admin.ResetOffsets("g", {"t"}, OffsetResetSpec::ToOffset(7), false),
      IsOkAndHolds(R{{t0, 7}, {t1, 7}}));
  EXPECT_THAT(
      admin.ResetOffsets("g", {"t"}, OffsetResetSpec::ToTimestamp(1003), false),
      IsOkAndHolds(R{{t0, 3}, {t1, 3}}));
  EXPECT_THAT(admin.ResetOffsets("g", {"t"},
                                 OffsetResetSpec::ToTimestamp(99999), false),
              IsOkAndHolds(R{{t0, 10}, {t1, 10}}));
  EXPECT_THAT(
      admin.ResetOffsets("g", {"t"}, OffsetResetSpec::ToEarliest(), false),
      IsOkAndHolds(R{{t0, 0}, {t1, 0}}));
  EXPECT_THAT(
      admin.ResetOffsets("g", {"t"}, OffsetResetSpec::ToOffset(-1), false)
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("t-0")));
  EXPECT_THAT(
      admin.ResetOffsets("g", {"missing"}, OffsetResetSpec::ToEarliest(), false)
          .status(),
      StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing")));
  // A new member starts where the reset put the group.
  size_t polled = 0;
  std::unique_ptr<Consumer> again = Member("g", &polled);
  EXPECT_EQ(polled, 20u);  // both partitions from offset 0
  RUNNEL_ASSERT_OK(again->Close());

  RUNNEL_ASSERT_OK(admin.DeleteGroup("g"));
  EXPECT_THAT(admin.ListGroups(), IsOkAndHolds(::testing::IsEmpty()));
  EXPECT_THAT(admin.DeleteGroup("g"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("g")));
}

TEST_F(GroupAdminTest, OffsetsAndDeletionSurviveRestart) {
  {
    std::unique_ptr<Consumer> a = Member("kept");
    RUNNEL_ASSERT_OK(a->CommitSync({{{"t", 0}, 5}}));
    RUNNEL_ASSERT_OK(a->Close());
    std::unique_ptr<Consumer> b = Member("dropped");
    RUNNEL_ASSERT_OK(b->CommitSync({{{"t", 0}, 1}}));
    RUNNEL_ASSERT_OK(b->Close());
    RUNNEL_ASSERT_OK(GroupAdmin(broker_.get()).DeleteGroup("dropped"));
  }
  broker_.reset();
  Open();
  GroupAdmin admin(broker_.get());
  ASSERT_OK_AND_ASSIGN(std::vector<GroupListing> groups, admin.ListGroups());
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].group_id, "kept");
  ASSERT_OK_AND_ASSIGN(GroupLag lag, admin.DescribeLag("kept"));
  EXPECT_EQ(lag.total_lag, 5);
}

// A read-only broker beside the live one (a second process running `runnel
// consumer-groups --describe`) sees the group as last stored — members,
// assignment, commits and lag — and cannot change it.
TEST_F(GroupAdminTest, ReadOnlyBrokerDescribesTheLiveGroupAndChangesNothing) {
  std::unique_ptr<Consumer> c = Member("billing");
  RUNNEL_ASSERT_OK(c->CommitSync({{{"t", 0}, 4}}));
  BrokerOptions options;
  options.data_dir = "/data";
  options.file_system = &fs_;
  options.read_only = true;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Broker> reader, Broker::Open(options));
  GroupAdmin admin(reader.get());
  ASSERT_OK_AND_ASSIGN(GroupDescription d, admin.DescribeGroup("billing"));
  EXPECT_EQ(d.state, GroupState::kStable);
  ASSERT_EQ(d.members.size(), 1u);  // a dynamic member, alive elsewhere
  EXPECT_EQ(d.members[0].client_id, "worker");
  EXPECT_THAT(d.members[0].assignment,
              ElementsAre(TopicPartition{"t", 0}, TopicPartition{"t", 1}));
  ASSERT_OK_AND_ASSIGN(GroupLag lag, admin.DescribeLag("billing"));
  EXPECT_EQ(lag.total_lag, 6);
  EXPECT_EQ(lag.partitions[0].member_id, d.members[0].member_id);

  EXPECT_THAT(
      admin.DeleteGroup("billing"),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("read-only")));
  EXPECT_THAT(
      admin
          .ResetOffsets("billing", {"t"}, OffsetResetSpec::ToEarliest(),
                        /*dry_run=*/false)
          .status(),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("read-only")));
  ConsumerOptions o;
  o.group_id = "billing";
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Consumer> joiner,
                       Consumer::Create(reader.get(), o));
  ASSERT_TRUE(joiner->Subscribe({"t"}).ok());
  EXPECT_THAT(
      joiner->Poll(absl::ZeroDuration()).status(),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("read-only")));
  // The live group is untouched.
  EXPECT_THAT(GroupAdmin(broker_.get()).DescribeLag("billing"),
              IsOkAndHolds(::testing::Field(&GroupLag::total_lag, 6)));
}

// Read-only on a directory where no group ever committed: no groups, and
// nothing created.
TEST_F(GroupAdminTest, ReadOnlyBrokerWithoutOffsetsTopicListsNoGroups) {
  MemFileSystem fs;
  {
    BrokerOptions options;
    options.data_dir = "/fresh";
    options.file_system = &fs;
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Broker> writer, Broker::Open(options));
  }
  BrokerOptions options;
  options.data_dir = "/fresh";
  options.file_system = &fs;
  options.read_only = true;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Broker> reader, Broker::Open(options));
  EXPECT_THAT(GroupAdmin(reader.get()).ListGroups(),
              IsOkAndHolds(::testing::IsEmpty()));
  EXPECT_TRUE(reader->Topics().empty());
}

}  // namespace
}  // namespace runnel
