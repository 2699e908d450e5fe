// Copyright 2026 The Runnel Authors.
//
// Partition: high watermark, fetch bounds, and waiting for data without
// polling (WaitForData, DataNotifier), with real threads.
#include "runnel/partition.h"

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

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
using ::runnel::testing::ReadValues;
using ::runnel::testing::StatusIs;
using ::testing::HasSubstr;

class PartitionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BrokerOptions options;
    options.data_dir = "/data";
    options.file_system = &fs_;
    options.maintenance_interval = absl::ZeroDuration();
    ASSERT_OK_AND_ASSIGN(broker_, Broker::Open(options));
    Admin admin(broker_.get());
    RUNNEL_ASSERT_OK(admin.CreateTopic({"t", 3}));
    for (int p = 0; p < 3; ++p) {
      ASSERT_OK_AND_ASSIGN(partitions_[p], broker_->GetPartition("t", p));
    }
  }

  MemFileSystem fs_;
  std::unique_ptr<Broker> broker_;
  std::shared_ptr<Partition> partitions_[3];
};

TEST_F(PartitionTest, HighWatermarkFollowsAppendsAtReplicationFactorOne) {
  Partition& p = *partitions_[0];
  EXPECT_EQ(p.high_watermark(), 0);
  ASSERT_OK_AND_ASSIGN(AppendInfo info, p.Append(MakeBatch("a", 4)));
  EXPECT_EQ(info.first_offset, 0);
  EXPECT_EQ(p.high_watermark(), 4);
  EXPECT_EQ(p.log_end_offset(), 4);
  ASSERT_OK_AND_ASSIGN(FetchResult at_end, p.Fetch(4, 1024));
  EXPECT_TRUE(at_end.read.batches.empty());
  EXPECT_EQ(at_end.high_watermark, 4);
  EXPECT_THAT(p.Fetch(5, 1024).status(),
              StatusIs(absl::StatusCode::kOutOfRange,
                       HasSubstr("t-0: fetch offset 5")));
  EXPECT_EQ(p.topic_partition().ToString(), "t-0");
}

TEST_F(PartitionTest, AppendInPlaceWakesAndIsReadable) {
  Partition& p = *partitions_[1];
  const std::string batch = MakeBatch("inplace", 2);
  ASSERT_OK_AND_ASSIGN(
      AppendInfo info,
      p.AppendInPlace(batch.size(),
                      [&](absl::Span<char> slot) -> absl::StatusOr<size_t> {
                        std::copy(batch.begin(), batch.end(), slot.begin());
                        return batch.size();
                      }));
  EXPECT_EQ(info.last_offset, 1);
  EXPECT_TRUE(p.WaitForData(1, absl::Now()));
  EXPECT_THAT(ReadValues(p), testing::IsOkAndHolds(::testing::ElementsAre(
                                 "inplace-0", "inplace-1")));
}

TEST_F(PartitionTest, WaitForDataTimesOutWithoutAppends) {
  const absl::Time start = absl::Now();
  EXPECT_FALSE(partitions_[0]->WaitForData(0, start + absl::Milliseconds(20)));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(20));
}

TEST_F(PartitionTest, WaitForDataReturnsAtOnceWhenDataIsThere) {
  ASSERT_TRUE(partitions_[0]->Append(MakeBatch("a", 1)).ok());
  EXPECT_TRUE(partitions_[0]->WaitForData(0, absl::InfinitePast()));
  EXPECT_FALSE(partitions_[0]->WaitForData(1, absl::InfinitePast()));
}

TEST_F(PartitionTest, AppendWakesABlockedReader) {
  Partition& p = *partitions_[2];
  std::atomic<bool> woke{false};
  std::thread reader([&] {
    // A deadline far away: only the append can end the wait in time.
    woke = p.WaitForData(0, absl::Now() + absl::Seconds(60));
  });
  absl::SleepFor(absl::Milliseconds(10));  // let it block (not required)
  ASSERT_TRUE(p.Append(MakeBatch("x", 1)).ok());
  reader.join();
  EXPECT_TRUE(woke);
}

TEST_F(PartitionTest, ManyReadersEachSeeEveryAppend) {
  Partition& p = *partitions_[0];
  constexpr int kReaders = 4;
  constexpr int kBatches = 50;
  std::vector<std::thread> readers;
  std::atomic<int> finished{0};
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&] {
      int64_t next = 0;
      while (next < kBatches) {
        if (!p.WaitForData(next, absl::Now() + absl::Seconds(60))) return;
        absl::StatusOr<FetchResult> f = p.Fetch(next, 1 << 20);
        if (!f.ok()) return;
        next += static_cast<int64_t>(f->read.batches.size());
      }
      finished++;
    });
  }
  for (int i = 0; i < kBatches; ++i) {
    ASSERT_TRUE(p.Append(MakeBatch("b", 1)).ok());
  }
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(finished.load(), kReaders);
}

TEST_F(PartitionTest, OneNotifierWatchesManyPartitions) {
  DataNotifier notifier;
  for (auto& p : partitions_) p->AddNotifier(&notifier);
  EXPECT_FALSE(notifier.WaitUntil(absl::Now() + absl::Milliseconds(5)));
  std::thread producer([&] {
    absl::SleepFor(absl::Milliseconds(5));
    ASSERT_TRUE(partitions_[2]->Append(MakeBatch("n", 1)).ok());
  });
  EXPECT_TRUE(notifier.WaitUntil(absl::Now() + absl::Seconds(60)));
  producer.join();
  EXPECT_EQ(partitions_[2]->high_watermark(), 1);
  // Sticky: an append before the wait is not missed.
  ASSERT_TRUE(partitions_[1]->Append(MakeBatch("n", 1)).ok());
  EXPECT_TRUE(notifier.WaitUntil(absl::InfinitePast()));
  EXPECT_FALSE(notifier.WaitUntil(absl::InfinitePast()));  // consumed
  for (auto& p : partitions_) p->RemoveNotifier(&notifier);
  ASSERT_TRUE(partitions_[0]->Append(MakeBatch("n", 1)).ok());
  EXPECT_FALSE(notifier.WaitUntil(absl::InfinitePast()));
}

TEST_F(PartitionTest, CloseWakesWaiters) {
  Partition& p = *partitions_[1];
  std::atomic<bool> result{true};
  std::thread reader(
      [&] { result = p.WaitForData(0, absl::Now() + absl::Seconds(60)); });
  absl::SleepFor(absl::Milliseconds(10));
  RUNNEL_ASSERT_OK(broker_->Close());
  reader.join();
  EXPECT_FALSE(result);
  EXPECT_THAT(p.status(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                   HasSubstr("closed")));
}

TEST_F(PartitionTest, FetchedDataOutlivesTheBroker) {
  ASSERT_TRUE(partitions_[0]->Append(MakeBatch("keep", 3)).ok());
  ASSERT_OK_AND_ASSIGN(FetchResult f, partitions_[0]->Fetch(0, 1 << 20));
  broker_.reset();
  ASSERT_EQ(f.read.batches.size(), 1u);
  ASSERT_OK_AND_ASSIGN(RecordBatchView view,
                       RecordBatchView::Parse(f.read.batches[0]));
  EXPECT_EQ(view.header().record_count, 3);
}

}  // namespace
}  // namespace runnel
