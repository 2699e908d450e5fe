// Copyright 2026 The Runnel Authors.
//
// Idempotent producers: the sequence rules of ProducerStateTable, its
// snapshot, and a Partition refusing to write a retried batch twice, before
// and after a restart.
#include "partition/producer_state.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
#include "runnel/admin.h"
#include "runnel/broker.h"
#include "runnel/mem_file_system.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace internal {
namespace {

using ::runnel::testing::StatusIs;
using ::testing::HasSubstr;
using Verdict = ProducerStateTable::Verdict;

RecordBatchHeader Header(int64_t id, int16_t epoch, int32_t sequence,
                         int32_t records) {
  RecordBatchHeader h;
  h.producer_id = id;
  h.producer_epoch = epoch;
  h.base_sequence = sequence;
  h.record_count = records;
  h.last_offset_delta = records - 1;
  return h;
}

TEST(ProducerStateTest, SequencesMustFollowOnAndDuplicatesAreRecognized) {
  ProducerStateTable table;
  EXPECT_EQ(table.Check(Header(7, 0, 0, 3)).kind, Verdict::kAppend);
  table.Record(Header(7, 0, 0, 3), 100, 102);
  EXPECT_EQ(table.Check(Header(7, 0, 3, 2)).kind, Verdict::kAppend);
  table.Record(Header(7, 0, 3, 2), 103, 104);
  Verdict dup = table.Check(Header(7, 0, 0, 3));
  EXPECT_EQ(dup.kind, Verdict::kDuplicate);
  EXPECT_EQ(dup.original.first_offset, 100);
  EXPECT_EQ(dup.original.last_offset, 102);
  Verdict gap = table.Check(Header(7, 0, 9, 1));
  EXPECT_EQ(gap.kind, Verdict::kReject);
  EXPECT_THAT(gap.error, StatusIs(absl::StatusCode::kFailedPrecondition,
                                  HasSubstr("out-of-order sequence 9, "
                                            "expected 5")));
  // Untracked batches and unknown producers pass.
  EXPECT_EQ(table.Check(Header(-1, -1, -1, 1)).kind, Verdict::kAppend);
  EXPECT_EQ(table.Check(Header(8, 0, 42, 1)).kind, Verdict::kAppend);
}

TEST(ProducerStateTest, EpochsFenceOlderAndRestartNewerAtZero) {
  ProducerStateTable table;
  table.Record(Header(7, 2, 0, 1), 0, 0);
  EXPECT_THAT(
      table.Check(Header(7, 1, 1, 1)).error,
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("fenced")));
  EXPECT_EQ(table.Check(Header(7, 3, 5, 1)).kind, Verdict::kReject);
  EXPECT_EQ(table.Check(Header(7, 3, 0, 1)).kind, Verdict::kAppend);
}

TEST(ProducerStateTest, SequenceWrapsAfterInt32Max) {
  ProducerStateTable table;
  table.Record(Header(7, 0, INT32_MAX - 1, 2), 0, 1);  // ends at INT32_MAX
  EXPECT_EQ(table.Check(Header(7, 0, 0, 1)).kind, Verdict::kAppend);
}

TEST(ProducerStateTest, SnapshotRoundTripsAndRejectsDamage) {
  ProducerStateTable table;
  table.Record(Header(7, 1, 0, 3), 10, 12);
  table.Record(Header(9, 0, 4, 1), 13, 13);
  const std::string text = table.Encode(14);
  ProducerStateTable copy;
  EXPECT_THAT(copy.Decode(text), testing::IsOkAndHolds(14));
  EXPECT_EQ(copy.producers(), 2u);
  EXPECT_EQ(copy.Check(Header(7, 1, 0, 3)).kind, Verdict::kDuplicate);
  EXPECT_EQ(copy.Check(Header(9, 0, 6, 1)).kind, Verdict::kReject);
  std::string damaged = text;
  damaged[text.find("batch") + 6] ^= 1;
  EXPECT_THAT(ProducerStateTable().Decode(damaged).status(),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("crc32c")));
}

// A batch as an idempotent producer writes it.
std::string IdempotentBatch(int64_t id, int32_t sequence, int records) {
  RecordBatchOptions options;
  options.producer_id = id;
  options.producer_epoch = 0;
  options.base_sequence = sequence;
  std::string out;
  RecordBatchBuilder builder(options, &out);
  for (int i = 0; i < records; ++i) {
    EXPECT_TRUE(builder.Append(1000 + i, std::nullopt, "v").ok());
  }
  EXPECT_TRUE(builder.Finish().ok());
  return out;
}

TEST(PartitionIdempotenceTest, RetriedBatchIsWrittenOnceEvenAfterRestart) {
  MemFileSystem fs;
  BrokerOptions options;
  options.data_dir = "/data";
  options.file_system = &fs;
  options.maintenance_interval = absl::ZeroDuration();
  const std::string first = IdempotentBatch(42, 0, 3);
  const std::string second = IdempotentBatch(42, 3, 2);
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Broker> broker, Broker::Open(options));
    RUNNEL_ASSERT_OK(Admin(broker.get()).CreateTopic({"t", 1}));
    std::shared_ptr<Partition> p = *broker->GetPartition("t", 0);
    ASSERT_TRUE(p->Append(first).ok());
    ASSERT_OK_AND_ASSIGN(AppendInfo again, p->Append(first));  // a retry
    EXPECT_EQ(again.first_offset, 0);
    EXPECT_EQ(again.last_offset, 2);
    EXPECT_EQ(p->log_end_offset(), 3);
    EXPECT_THAT(p->Append(IdempotentBatch(42, 7, 1)).status(),
                StatusIs(absl::StatusCode::kFailedPrecondition,
                         HasSubstr("t-0: append rejected")));
    ASSERT_TRUE(p->Append(second).ok());
  }
  for (int restart = 0; restart < 2; ++restart) {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Broker> broker, Broker::Open(options));
    std::shared_ptr<Partition> p = *broker->GetPartition("t", 0);
    ASSERT_OK_AND_ASSIGN(AppendInfo replay, p->Append(second));
    EXPECT_EQ(replay.first_offset, 3);
    EXPECT_EQ(p->log_end_offset(), 5) << "restart " << restart;
    // Without the snapshot the state is rebuilt from the log.
    RUNNEL_ASSERT_OK(broker->Close());
    RUNNEL_ASSERT_OK(fs.RemoveFile("/data/t-0/runnel-producer-state"));
  }
}

}  // namespace
}  // namespace internal
}  // namespace runnel
