// Copyright 2026 The Runnel Authors.
//
// Consumer: every call, with its edge cases (reset policies, out-of-range
// positions, restart from committed offsets, auto-commit on a simulated
// clock, Wakeup and blocking Poll across threads, Pause/Resume, concurrent
// use, zero-copy view lifetime, corruption) and offset-range reads.
#include "runnel/consumer.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
#include "partition/broker_test_util.h"
#include "runnel/admin.h"
#include "runnel/broker.h"
#include "runnel/mem_file_system.h"

namespace runnel {
namespace {

using ::runnel::testing::MakeBatch;
using ::runnel::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Values(const ConsumerRecords& records) {
  std::vector<std::string> out;
  for (const ConsumerRecord& r : records) {
    out.emplace_back(r.value.value_or("<null>"));
  }
  return out;
}

class ConsumerTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    BrokerOptions options;
    options.data_dir = "/data";
    options.file_system = &fs_;
    options.clock = &clock_;
    options.maintenance_interval = absl::ZeroDuration();
    ASSERT_OK_AND_ASSIGN(broker_, Broker::Open(options));
    Admin admin(broker_.get());
    absl::Status created = admin.CreateTopic({"t", 2});
    ASSERT_TRUE(created.ok() || absl::IsAlreadyExists(created)) << created;
  }

  void Restart() {
    broker_.reset();
    Open();
  }

  void Append(int32_t p, absl::string_view prefix, int count) {
    std::shared_ptr<Partition> partition = *broker_->GetPartition("t", p);
    ASSERT_TRUE(partition->Append(MakeBatch(prefix, count)).ok());
  }

  std::unique_ptr<Consumer> Make(ConsumerOptions options = {}) {
    absl::StatusOr<std::unique_ptr<Consumer>> consumer =
        Consumer::Create(broker_.get(), options);
    EXPECT_TRUE(consumer.ok()) << consumer.status();
    return consumer.ok() ? std::move(*consumer) : nullptr;
  }

  static ConsumerOptions Group(absl::string_view group) {
    ConsumerOptions options;
    options.group_id = std::string(group);
    options.auto_offset_reset = OffsetReset::kEarliest;
    options.enable_auto_commit = false;
    return options;
  }

  MemFileSystem fs_;
  SimulatedClock clock_{absl::FromUnixMillis(1700000000000)};
  std::unique_ptr<Broker> broker_;
  const TopicPartition t0_{"t", 0};
  const TopicPartition t1_{"t", 1};
};

TEST_F(ConsumerTest, AssignAndPollReturnsRecordsInOrder) {
  Append(0, "a", 3);
  Append(1, "b", 2);
  ConsumerOptions options;
  options.auto_offset_reset = OffsetReset::kEarliest;
  std::unique_ptr<Consumer> consumer = Make(options);
  RUNNEL_ASSERT_OK(consumer->Assign({t0_, t1_}));
  ASSERT_OK_AND_ASSIGN(ConsumerRecords records,
                       consumer->Poll(absl::ZeroDuration()));
  EXPECT_EQ(records.count(), 5u);
  EXPECT_THAT(Values(records), ::testing::UnorderedElementsAre(
                                   "a-0", "a-1", "a-2", "b-0", "b-1"));
  absl::Span<const ConsumerRecord> zero = records.records(t0_);
  ASSERT_EQ(zero.size(), 3u);
  EXPECT_EQ(zero[2].offset, 2);
  EXPECT_EQ(zero[2].topic, "t");
  EXPECT_EQ(*zero[2].key, "k2");
  EXPECT_EQ(zero[0].timestamp, 1000);
  EXPECT_EQ(records.partitions().size(), 2u);
  EXPECT_THAT(consumer->Position(t0_), testing::IsOkAndHolds(3));
  ASSERT_OK_AND_ASSIGN(ConsumerRecords none,
                       consumer->Poll(absl::ZeroDuration()));
  EXPECT_TRUE(none.empty());
}

TEST_F(ConsumerTest, MaxPollRecordsSplitsAcrossPolls) {
  Append(0, "a", 10);
  ConsumerOptions options;
  options.auto_offset_reset = OffsetReset::kEarliest;
  options.max_poll_records = 4;
  std::unique_ptr<Consumer> consumer = Make(options);
  RUNNEL_ASSERT_OK(consumer->Assign({t0_}));
  std::vector<std::string> all;
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(ConsumerRecords r,
                         consumer->Poll(absl::ZeroDuration()));
    EXPECT_LE(r.count(), 4u);
    for (const std::string& v : Values(r)) all.push_back(v);
  }
  EXPECT_EQ(all.size(), 10u);
  EXPECT_EQ(all.front(), "a-0");
  EXPECT_EQ(all.back(), "a-9");
}

TEST_F(ConsumerTest, ResetPolicies) {
  Append(0, "old", 2);
  ConsumerOptions latest;
  latest.auto_offset_reset = OffsetReset::kLatest;
  std::unique_ptr<Consumer> consumer = Make(latest);
  RUNNEL_ASSERT_OK(consumer->Assign({t0_}));
  EXPECT_THAT(consumer->Position(t0_), testing::IsOkAndHolds(2));
  Append(0, "new", 1);
  ASSERT_OK_AND_ASSIGN(ConsumerRecords r, consumer->Poll(absl::ZeroDuration()));
  EXPECT_THAT(Values(r), ElementsAre("new-0"));

  ConsumerOptions none;
  none.auto_offset_reset = OffsetReset::kNone;
  std::unique_ptr<Consumer> strict = Make(none);
  RUNNEL_ASSERT_OK(strict->Assign({t0_}));
  EXPECT_THAT(strict->Poll(absl::ZeroDuration()).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("t-0 and auto.offset.reset is none")));
  RUNNEL_ASSERT_OK(strict->Seek(t0_, 1));
  ASSERT_OK_AND_ASSIGN(r, strict->Poll(absl::ZeroDuration()));
  EXPECT_THAT(Values(r), ElementsAre("old-1", "new-0"));
}

TEST_F(ConsumerTest, OutOfRangePositionIsReset) {
  Append(0, "a", 5);
  std::shared_ptr<Partition> p = *broker_->GetPartition("t", 0);
  ASSERT_TRUE(p->DeleteRecordsBefore(3).ok());
  ConsumerOptions options;
  options.auto_offset_reset = OffsetReset::kEarliest;
  std::unique_ptr<Consumer> consumer = Make(options);
  RUNNEL_ASSERT_OK(consumer->Assign({t0_}));
  RUNNEL_ASSERT_OK(consumer->Seek(t0_, 1));  // below the log start now
  ASSERT_OK_AND_ASSIGN(ConsumerRecords r, consumer->Poll(absl::ZeroDuration()));
  EXPECT_THAT(Values(r), ElementsAre("a-3", "a-4"));
  RUNNEL_ASSERT_OK(consumer->Seek(t0_, 99));  // past the end
  ASSERT_OK_AND_ASSIGN(r, consumer->Poll(absl::ZeroDuration()));
  EXPECT_THAT(Values(r), ElementsAre("a-3", "a-4"));  // earliest again
}

TEST_F(ConsumerTest, SeeksAndOffsetQueries) {
  Append(0, "a", 4);
  std::unique_ptr<Consumer> consumer = Make(Group("g"));
  RUNNEL_ASSERT_OK(consumer->Assign({t0_}));
  RUNNEL_ASSERT_OK(consumer->SeekToEnd({t0_}));
  EXPECT_THAT(consumer->Position(t0_), testing::IsOkAndHolds(4));
  RUNNEL_ASSERT_OK(consumer->SeekToBeginning({t0_}));
  EXPECT_THAT(consumer->Position(t0_), testing::IsOkAndHolds(0));
  EXPECT_THAT(consumer->Seek(t1_, 0),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("t-1")));
  EXPECT_THAT(consumer->Seek(t0_, -1),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("-1")));
  EXPECT_THAT(consumer->BeginningOffsets({t0_, t1_}),
              testing::IsOkAndHolds(ElementsAre(0, 0)));
  EXPECT_THAT(consumer->EndOffsets({t0_, t1_}),
              testing::IsOkAndHolds(ElementsAre(4, 0)));
  ASSERT_OK_AND_ASSIGN(auto times,
                       consumer->OffsetsForTimes({{t0_, 1002}, {t0_, 9999}}));
  ASSERT_TRUE(times[0].has_value());
  EXPECT_LE(times[0]->offset, 2);
  EXPECT_FALSE(times[1].has_value());
  EXPECT_THAT(consumer->EndOffsets({{"nope", 0}}).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nope")));
}

TEST_F(ConsumerTest, CommittedOffsetsSurviveRestart) {
  Append(0, "a", 5);
  {
    std::unique_ptr<Consumer> consumer = Make(Group("billing"));
    RUNNEL_ASSERT_OK(consumer->Assign({t0_}));
    RUNNEL_ASSERT_OK(consumer->Seek(t0_, 3));
    RUNNEL_ASSERT_OK(consumer->CommitSync());
    EXPECT_THAT(consumer->Committed({t0_, t1_}),
                testing::IsOkAndHolds(ElementsAre(3, std::nullopt)));
    EXPECT_THAT(consumer->CommitSync({{t0_, 6}}),
                StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("t-0")));
    EXPECT_THAT(consumer->CommitSync({{{"nope", 0}, 0}}),
                StatusIs(absl::StatusCode::kNotFound, HasSubstr("nope")));
  }
  Restart();
  std::unique_ptr<Consumer> consumer = Make(Group("billing"));
  RUNNEL_ASSERT_OK(consumer->Assign({t0_}));
  ASSERT_OK_AND_ASSIGN(ConsumerRecords r, consumer->Poll(absl::ZeroDuration()));
  EXPECT_THAT(Values(r), ElementsAre("a-3", "a-4"));
  // Another group starts from its own reset policy.
  std::unique_ptr<Consumer> other = Make(Group("audit"));
  RUNNEL_ASSERT_OK(other->Assign({t0_}));
  EXPECT_THAT(other->Position(t0_), testing::IsOkAndHolds(0));
}

TEST_F(ConsumerTest, CommitNeedsAGroup) {
  std::unique_ptr<Consumer> consumer = Make();
  RUNNEL_ASSERT_OK(consumer->Assign({t0_}));
  EXPECT_THAT(
      consumer->CommitSync(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("group.id")));
  absl::Status reported;
  consumer->CommitAsync([&](absl::Status s) { reported = s; });
  EXPECT_THAT(reported, StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr("group.id")));
  EXPECT_THAT(
      consumer->Subscribe({"t"}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("group.id")));
}

TEST_F(ConsumerTest, AutoCommitFollowsTheClock) {
  Append(0, "a", 3);
  ConsumerOptions options = Group("auto");
  options.enable_auto_commit = true;
  options.auto_commit_interval = absl::Seconds(5);
  std::unique_ptr<Consumer> consumer = Make(options);
  RUNNEL_ASSERT_OK(consumer->Assign({t0_}));
  ASSERT_OK_AND_ASSIGN(ConsumerRecords r, consumer->Poll(absl::ZeroDuration()));
  EXPECT_EQ(r.count(), 3u);
  ASSERT_OK_AND_ASSIGN(r, consumer->Poll(absl::ZeroDuration()));
  EXPECT_THAT(consumer->Committed({t0_}),
              testing::IsOkAndHolds(ElementsAre(std::nullopt)));
  clock_.Advance(absl::Seconds(5));
  ASSERT_OK_AND_ASSIGN(r, consumer->Poll(absl::ZeroDuration()));
  EXPECT_THAT(consumer->Committed({t0_}),
              testing::IsOkAndHolds(ElementsAre(3)));
}

TEST_F(ConsumerTest, SubscribeTakesEveryPartitionIncludingNewOnes) {
  Append(1, "b", 1);
  std::unique_ptr<Consumer> consumer = Make(Group("sub"));
  RUNNEL_ASSERT_OK(consumer->Subscribe({"t"}));
  EXPECT_TRUE(consumer->Assignment().empty());  // the first Poll joins
  ASSERT_OK_AND_ASSIGN(ConsumerRecords first,
                       consumer->Poll(absl::ZeroDuration()));
  EXPECT_THAT(Values(first), ElementsAre("b-0"));
  EXPECT_THAT(consumer->Assignment(), ElementsAre(t0_, t1_));
  RUNNEL_ASSERT_OK(consumer->CommitSync());
  Admin admin(broker_.get());
  ASSERT_TRUE(admin.CreatePartitions({{"t", 3}})[0].ok());
  ASSERT_TRUE((*broker_->GetPartition("t", 2))->Append(MakeBatch("c", 1)).ok());
  ASSERT_OK_AND_ASSIGN(ConsumerRecords r, consumer->Poll(absl::ZeroDuration()));
  EXPECT_THAT(Values(r), ElementsAre("c-0"));
  EXPECT_EQ(consumer->Assignment().size(), 3u);
  RUNNEL_ASSERT_OK(consumer->Unsubscribe());
  EXPECT_TRUE(consumer->Assignment().empty());
}

TEST_F(ConsumerTest, PauseAndResume) {
  Append(0, "a", 1);
  Append(1, "b", 1);
  std::unique_ptr<Consumer> consumer = Make(Group("p"));
  RUNNEL_ASSERT_OK(consumer->Assign({t0_, t1_}));
  RUNNEL_ASSERT_OK(consumer->Pause({t0_}));
  EXPECT_THAT(consumer->Paused(), ElementsAre(t0_));
  ASSERT_OK_AND_ASSIGN(ConsumerRecords r, consumer->Poll(absl::ZeroDuration()));
  EXPECT_THAT(Values(r), ElementsAre("b-0"));
  RUNNEL_ASSERT_OK(consumer->Resume({t0_}));
  ASSERT_OK_AND_ASSIGN(r, consumer->Poll(absl::ZeroDuration()));
  EXPECT_THAT(Values(r), ElementsAre("a-0"));
}

TEST_F(ConsumerTest, BlockedPollWakesOnAppendAndOnWakeup) {
  std::unique_ptr<Consumer> consumer = Make(Group("w"));
  RUNNEL_ASSERT_OK(consumer->Assign({t0_}));
  ASSERT_OK_AND_ASSIGN(int64_t position, consumer->Position(t0_));
  EXPECT_EQ(position, 0);
  std::thread producer([&] {
    absl::SleepFor(absl::Milliseconds(20));
    Append(0, "late", 1);
  });
  ASSERT_OK_AND_ASSIGN(ConsumerRecords r, consumer->Poll(absl::Seconds(60)));
  producer.join();
  EXPECT_THAT(Values(r), ElementsAre("late-0"));

  std::thread waker([&] {
    absl::SleepFor(absl::Milliseconds(20));
    consumer->Wakeup();
  });
  const absl::Time start = absl::Now();
  EXPECT_THAT(consumer->Poll(absl::Seconds(60)).status(),
              StatusIs(absl::StatusCode::kCancelled, HasSubstr("woken")));
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));
  waker.join();
}

TEST_F(ConsumerTest, SecondThreadIsRefused) {
  std::unique_ptr<Consumer> consumer = Make(Group("x"));
  RUNNEL_ASSERT_OK(consumer->Assign({t0_}));
  std::atomic<bool> polling{false};
  std::thread poller([&] {
    polling = true;
    consumer->Poll(absl::Milliseconds(300)).IgnoreError();
  });
  while (!polling) absl::SleepFor(absl::Milliseconds(1));
  absl::SleepFor(absl::Milliseconds(30));
  EXPECT_THAT(consumer->Seek(t0_, 0),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("multi-threaded")));
  poller.join();
  RUNNEL_EXPECT_OK(consumer->Seek(t0_, 0));  // free again
}

TEST_F(ConsumerTest, RecordsStayValidWhileHeldAcrossPolls) {
  Append(0, "keep", 3);
  ConsumerOptions options;
  options.auto_offset_reset = OffsetReset::kEarliest;
  std::unique_ptr<Consumer> consumer = Make(options);
  RUNNEL_ASSERT_OK(consumer->Assign({t0_}));
  ASSERT_OK_AND_ASSIGN(ConsumerRecords first,
                       consumer->Poll(absl::ZeroDuration()));
  Append(0, "more", 2);
  ASSERT_OK_AND_ASSIGN(ConsumerRecords second,
                       consumer->Poll(absl::ZeroDuration()));
  consumer.reset();
  broker_.reset();  // even the broker may go: the records pin their bytes
  EXPECT_THAT(Values(first), ElementsAre("keep-0", "keep-1", "keep-2"));
  EXPECT_THAT(Values(second), ElementsAre("more-0", "more-1"));
}

TEST_F(ConsumerTest, CorruptBatchIsDataLossNamingTheOffset) {
  Append(0, "a", 2);
  Append(0, "b", 2);
  broker_.reset();
  const std::string path = "/data/t-0/00000000000000000000.log";
  ASSERT_OK_AND_ASSIGN(std::string bytes, testing::ReadFile(&fs_, path));
  bytes[bytes.size() - 3] ^= 0x40;  // inside the second batch's records
  RUNNEL_ASSERT_OK(testing::WriteFile(&fs_, path, bytes));
  Open();
  ConsumerOptions options;
  options.auto_offset_reset = OffsetReset::kEarliest;
  options.max_partition_fetch_bytes = 1;  // one batch per Poll
  std::unique_ptr<Consumer> consumer = Make(options);
  RUNNEL_ASSERT_OK(consumer->Assign({t0_}));
  ASSERT_OK_AND_ASSIGN(ConsumerRecords r, consumer->Poll(absl::ZeroDuration()));
  EXPECT_THAT(Values(r), ElementsAre("a-0", "a-1"));
  absl::StatusOr<ConsumerRecords> bad = consumer->Poll(absl::ZeroDuration());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kDataLoss) << bad.status();
  EXPECT_THAT(consumer->Position(t0_), testing::IsOkAndHolds(2));
  RUNNEL_ASSERT_OK(consumer->Seek(t0_, 4));  // skip it
  ASSERT_OK_AND_ASSIGN(r, consumer->Poll(absl::ZeroDuration()));
  EXPECT_TRUE(r.empty());
}

// A corrupt batch on one partition does not cost the records another
// partition gave the same Poll: they come first, the error at the next Poll.
TEST_F(ConsumerTest, RecordsBeforeACorruptBatchAreNotLost) {
  Append(0, "a", 2);
  Append(1, "b", 2);
  broker_.reset();
  const std::string path = "/data/t-1/00000000000000000000.log";
  ASSERT_OK_AND_ASSIGN(std::string bytes, testing::ReadFile(&fs_, path));
  bytes[bytes.size() - 3] ^= 0x40;  // inside t-1's only batch
  RUNNEL_ASSERT_OK(testing::WriteFile(&fs_, path, bytes));
  Open();
  ConsumerOptions options;
  options.auto_offset_reset = OffsetReset::kEarliest;
  std::unique_ptr<Consumer> consumer = Make(options);
  RUNNEL_ASSERT_OK(consumer->Assign({t0_, t1_}));  // t-0 is fetched first
  ASSERT_OK_AND_ASSIGN(ConsumerRecords r, consumer->Poll(absl::ZeroDuration()));
  EXPECT_THAT(Values(r), ElementsAre("a-0", "a-1"));
  absl::StatusOr<ConsumerRecords> bad = consumer->Poll(absl::ZeroDuration());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kDataLoss) << bad.status();
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("t-1"));
  EXPECT_THAT(consumer->Position(t0_), testing::IsOkAndHolds(2));
  EXPECT_THAT(consumer->Position(t1_), testing::IsOkAndHolds(0));
}

TEST_F(ConsumerTest, OffsetRangeReads) {
  Append(0, "a", 5);
  Append(0, "b", 5);
  std::vector<int64_t> offsets;
  RUNNEL_ASSERT_OK(
      ReadOffsetRange(*broker_, t0_, 3, 8, [&](const ConsumerRecord& r) {
        offsets.push_back(r.offset);
        return absl::OkStatus();
      }));
  EXPECT_THAT(offsets, ElementsAre(3, 4, 5, 6, 7));
  EXPECT_THAT(
      ReadOffsetRange(*broker_, t0_, 3, 11,
                      [](const ConsumerRecord&) { return absl::OkStatus(); }),
      StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("t-0")));
  std::vector<absl::StatusOr<int64_t>> latest =
      LatestOffsets(*broker_, {t0_, t1_, {"nope", 0}});
  EXPECT_THAT(latest[0], testing::IsOkAndHolds(10));
  EXPECT_THAT(latest[1], testing::IsOkAndHolds(0));
  EXPECT_EQ(latest[2].status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ConsumerTest, CallsAfterCloseFail) {
  std::unique_ptr<Consumer> consumer = Make(Group("c"));
  RUNNEL_ASSERT_OK(consumer->Close());
  EXPECT_THAT(
      consumer->Poll(absl::ZeroDuration()).status(),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("closed")));
  RUNNEL_EXPECT_OK(consumer->Close());
}

TEST(ConsumerOptionsTest, KafkaProperties) {
  absl::StatusOr<ConsumerOptions> o = ConsumerOptions::FromProperties(
      {{"group.id", "g"},
       {"auto.offset.reset", "earliest"},
       {"enable.auto.commit", "false"},
       {"max.poll.records", "10"},
       {"isolation.level", "read_uncommitted"},
       {"bootstrap.servers", "x:9092"},
       {"key.deserializer", "org.apache.kafka.StringDeserializer"}},
      ConsumerOptions());
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->group_id, "g");
  EXPECT_EQ(o->auto_offset_reset, OffsetReset::kEarliest);
  EXPECT_FALSE(o->enable_auto_commit);
  EXPECT_EQ(o->max_poll_records, 10);
  auto parse = [](const std::string& k, const std::string& v) {
    return ConsumerOptions::FromProperties({{k, v}}, ConsumerOptions())
        .status();
  };
  EXPECT_THAT(parse("auto.offset.reset", "smallest"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("auto.offset.reset")));
  EXPECT_THAT(
      parse("isolation.level", "read_committed"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("transactions")));
  EXPECT_THAT(parse("max.poll.records", "0"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("max.poll.records")));
  EXPECT_THAT(
      parse("group.idd", "x"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("group.idd")));
}

}  // namespace
}  // namespace runnel
