// Copyright 2026 The Runnel Authors.
//
// The consumer's buffered fetch (consumer/fetch_buffer.h), through the
// Consumer API: a fetch is handed out over several Polls, a Seek drops what
// is buffered, headers and compressed records stay valid while their
// ConsumerRecords lives, and control batches are stepped over.
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
#include "runnel/consumer.h"
#include "runnel/mem_file_system.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace {

using ::runnel::testing::MakeBatch;
using ::testing::ElementsAre;

std::vector<int64_t> Offsets(const ConsumerRecords& records) {
  std::vector<int64_t> out;
  for (const ConsumerRecord& r : records) out.push_back(r.offset);
  return out;
}

class FetchBufferTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BrokerOptions options;
    options.data_dir = "/data";
    options.file_system = &fs_;
    options.maintenance_interval = absl::ZeroDuration();
    ASSERT_OK_AND_ASSIGN(broker_, Broker::Open(options));
    RUNNEL_ASSERT_OK(Admin(broker_.get()).CreateTopic({"t", 1}));
    ASSERT_OK_AND_ASSIGN(partition_, broker_->GetPartition("t", 0));
  }

  void Append(const std::string& batch) {
    RUNNEL_ASSERT_OK(partition_->Append(batch).status());
  }

  // Records "<prefix>-i" with headers ("i", i) and ("n", null).
  static std::string BatchWithHeaders(absl::string_view prefix, int count,
                                      Compression compression) {
    std::vector<Record> records(static_cast<size_t>(count));
    for (int i = 0; i < count; ++i) {
      Record& r = records[static_cast<size_t>(i)];
      r.timestamp = 1000 + i;
      r.value = absl::StrCat(prefix, "-", i);
      r.headers = {{"i", absl::StrCat(i)}, {"n", std::nullopt}};
    }
    RecordBatchOptions options;
    options.compression = compression;
    absl::StatusOr<std::string> batch = EncodeRecordBatch(options, records);
    EXPECT_TRUE(batch.ok()) << batch.status();
    return batch.ok() ? *batch : "";
  }

  std::unique_ptr<Consumer> Make(int max_poll_records,
                                 size_t max_partition_fetch_bytes = 1 << 20) {
    ConsumerOptions options;
    options.max_partition_fetch_bytes = max_partition_fetch_bytes;
    options.auto_offset_reset = OffsetReset::kEarliest;
    options.max_poll_records = max_poll_records;
    absl::StatusOr<std::unique_ptr<Consumer>> consumer =
        Consumer::Create(broker_.get(), options);
    EXPECT_TRUE(consumer.ok()) << consumer.status();
    if (!consumer.ok()) return nullptr;
    EXPECT_TRUE((*consumer)->Assign({tp_}).ok());
    return std::move(*consumer);
  }

  MemFileSystem fs_;
  std::unique_ptr<Broker> broker_;
  std::shared_ptr<Partition> partition_;
  const TopicPartition tp_{"t", 0};
};

TEST_F(FetchBufferTest, SeeksDropWhatIsBuffered) {
  Append(MakeBatch("a", 10));
  std::unique_ptr<Consumer> consumer = Make(3);
  ASSERT_OK_AND_ASSIGN(ConsumerRecords r, consumer->Poll(absl::ZeroDuration()));
  EXPECT_THAT(Offsets(r), ElementsAre(0, 1, 2));
  RUNNEL_ASSERT_OK(consumer->Seek(tp_, 1));  // back, inside the buffer
  ASSERT_OK_AND_ASSIGN(r, consumer->Poll(absl::ZeroDuration()));
  EXPECT_THAT(Offsets(r), ElementsAre(1, 2, 3));
  RUNNEL_ASSERT_OK(consumer->Seek(tp_, 8));  // forward, inside the buffer
  ASSERT_OK_AND_ASSIGN(r, consumer->Poll(absl::ZeroDuration()));
  EXPECT_THAT(Offsets(r), ElementsAre(8, 9));
  RUNNEL_ASSERT_OK(consumer->SeekToBeginning({tp_}));
  ASSERT_OK_AND_ASSIGN(r, consumer->Poll(absl::ZeroDuration()));
  EXPECT_THAT(Offsets(r), ElementsAre(0, 1, 2));
  EXPECT_THAT(consumer->Position(tp_), testing::IsOkAndHolds(3));
}

TEST_F(FetchBufferTest, LaterAppendsFollowTheBufferedFetch) {
  Append(MakeBatch("a", 4));
  std::unique_ptr<Consumer> consumer = Make(3);
  ASSERT_OK_AND_ASSIGN(ConsumerRecords r, consumer->Poll(absl::ZeroDuration()));
  EXPECT_THAT(Offsets(r), ElementsAre(0, 1, 2));
  Append(MakeBatch("b", 4));  // after the fetch: the next fetch gets it
  std::vector<int64_t> rest;
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(r, consumer->Poll(absl::ZeroDuration()));
    for (int64_t o : Offsets(r)) rest.push_back(o);
  }
  EXPECT_THAT(rest, ElementsAre(3, 4, 5, 6, 7));
}

// More header-bearing records than one header chunk holds, from plain and
// LZ4 batches, handed out over several Polls and all held at once: every
// record keeps its own headers and value, also after the consumer and the
// broker are gone (ASan checks the storage).
TEST_F(FetchBufferTest, HeadersAndCompressedRecordsOutliveTheConsumer) {
  Append(BatchWithHeaders("p", 300, Compression::kNone));
  Append(BatchWithHeaders("z", 300, Compression::kLz4));
  std::unique_ptr<Consumer> consumer = Make(250);
  std::vector<ConsumerRecords> held;
  size_t count = 0;
  while (count < 600) {
    ASSERT_OK_AND_ASSIGN(ConsumerRecords r,
                         consumer->Poll(absl::ZeroDuration()));
    ASSERT_FALSE(r.empty()) << "after " << count;
    count += r.count();
    held.push_back(std::move(r));
  }
  consumer.reset();
  partition_.reset();
  broker_.reset();
  int64_t next = 0;
  for (const ConsumerRecords& records : held) {
    for (const ConsumerRecord& r : records) {
      ASSERT_EQ(r.offset, next);
      const int64_t i = next % 300;
      ASSERT_EQ(*r.value, absl::StrCat(next < 300 ? "p-" : "z-", i));
      ASSERT_EQ(r.headers.size(), 2u);
      EXPECT_EQ(r.headers[0].key, "i");
      EXPECT_EQ(*r.headers[0].value, absl::StrCat(i));
      EXPECT_EQ(r.headers[1].key, "n");
      EXPECT_FALSE(r.headers[1].value.has_value());
      EXPECT_EQ(r.timestamp, 1000 + i);
      ++next;
    }
  }
  EXPECT_EQ(next, 600);
}

TEST_F(FetchBufferTest, ControlBatchesAreSteppedOverInOnePoll) {
  ControlBatchOptions control;
  control.type = ControlRecordType::kCommit;
  control.producer_id = 5;
  control.producer_epoch = 0;
  control.timestamp = 1000;
  ASSERT_OK_AND_ASSIGN(std::string marker, EncodeControlBatch(control));
  Append(marker);
  control.producer_id = 6;
  ASSERT_OK_AND_ASSIGN(marker, EncodeControlBatch(control));
  Append(marker);
  ASSERT_EQ(partition_->high_watermark(), 2);
  Append(MakeBatch("a", 2));
  std::unique_ptr<Consumer> consumer = Make(500);
  ASSERT_OK_AND_ASSIGN(ConsumerRecords r, consumer->Poll(absl::ZeroDuration()));
  EXPECT_THAT(Offsets(r), ElementsAre(2, 3));
  // One batch per fetch: two fetches find only markers, a third the data,
  // still within one Poll(0).
  consumer = Make(500, 1);
  ASSERT_OK_AND_ASSIGN(r, consumer->Poll(absl::ZeroDuration()));
  EXPECT_THAT(Offsets(r), ElementsAre(2, 3));
}

}  // namespace
}  // namespace runnel
