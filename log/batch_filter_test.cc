// Copyright 2026 The Runnel Authors.
#include "log/batch_filter.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace runnel {
namespace internal {
namespace {

using ::testing::ElementsAre;

Record R(int64_t ts, std::string key, std::optional<std::string> value,
         std::vector<RecordHeader> headers = {}) {
  Record r;
  r.timestamp = ts;
  r.key = std::move(key);
  r.value = std::move(value);
  r.headers = std::move(headers);
  return r;
}

std::string Encode(const RecordBatchOptions& options,
                   const std::vector<Record>& records) {
  absl::StatusOr<std::string> batch = EncodeRecordBatch(options, records);
  EXPECT_TRUE(batch.ok()) << batch.status();
  return batch.ok() ? *batch : std::string();
}

// Runs FilterBatch on `bytes` keeping the records whose offset is in `keep`.
absl::StatusOr<FilteredBatch> Filter(const std::string& bytes,
                                     std::vector<int64_t> keep,
                                     std::string* out) {
  absl::StatusOr<RecordBatchView> view = RecordBatchView::Parse(bytes);
  if (!view.ok()) return view.status();
  return FilterBatch(
      *view,
      [&](const RecordView& r) {
        return std::find(keep.begin(), keep.end(), r.offset) != keep.end();
      },
      out);
}

TEST(BatchFilterTest, KeepsAllAsTheSameBytes) {
  RecordBatchOptions options;
  options.base_offset = 100;
  const std::string in =
      Encode(options, {R(5, "a", "1"), R(6, "b", "2"), R(7, "c", "3")});
  std::string out = "prefix";
  absl::StatusOr<FilteredBatch> f = Filter(in, {100, 101, 102}, &out);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->action, FilteredBatch::Action::kKept);
  EXPECT_EQ(f->records_removed, 0);
  EXPECT_EQ(out, "prefix" + in);
}

TEST(BatchFilterTest, DropsABatchThatKeepsNothing) {
  const std::string in = Encode({}, {R(5, "a", "1"), R(6, "b", "2")});
  std::string out;
  absl::StatusOr<FilteredBatch> f = Filter(in, {}, &out);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->action, FilteredBatch::Action::kDropped);
  EXPECT_EQ(f->records_removed, 2);
  EXPECT_TRUE(out.empty());
}

TEST(BatchFilterTest, RewritesKeepingOffsetsHeadersAndProducerFields) {
  for (Compression codec : {Compression::kNone, Compression::kLz4}) {
    SCOPED_TRACE(CompressionName(codec));
    RecordBatchOptions options;
    options.base_offset = 1000;
    options.partition_leader_epoch = 7;
    options.compression = codec;
    options.producer_id = 42;
    options.producer_epoch = 3;
    options.base_sequence = 17;
    options.is_transactional = true;
    const std::vector<Record> records = {
        R(500, "a", "1"),
        R(400, "b", std::nullopt, {{"h1", std::string("v1")}}),
        R(900, "c", "3"),
        R(450, "d", std::string(3000, 'x'), {{"h2", std::nullopt}}),
        R(800, "e", "5"),
    };
    const std::string in = Encode(options, records);
    std::string out;
    // Drop the first and the last: base timestamp and last offset are the
    // interesting cases.
    absl::StatusOr<FilteredBatch> f = Filter(in, {1001, 1003}, &out);
    ASSERT_TRUE(f.ok()) << f.status();
    EXPECT_EQ(f->action, FilteredBatch::Action::kRewritten);
    EXPECT_EQ(f->records_removed, 3);
    absl::StatusOr<DecodedBatch> d = DecodedBatch::Decode(out);
    ASSERT_TRUE(d.ok()) << d.status();
    const RecordBatchHeader& h = d->header();
    EXPECT_EQ(h, f->header);
    EXPECT_EQ(h.size_bytes(), out.size());
    EXPECT_EQ(h.base_offset, 1000);
    EXPECT_EQ(h.last_offset_delta, 4);  // still ends at 1004
    EXPECT_EQ(h.record_count, 2);
    EXPECT_EQ(h.partition_leader_epoch, 7);
    EXPECT_EQ(h.compression, codec);
    EXPECT_TRUE(h.is_transactional);
    EXPECT_EQ(h.producer_id, 42);
    EXPECT_EQ(h.producer_epoch, 3);
    EXPECT_EQ(h.base_sequence, 17);
    EXPECT_EQ(h.base_timestamp, 400);  // the first retained record's
    EXPECT_EQ(h.max_timestamp, 450);
    ASSERT_EQ(d->records().size(), 2u);
    const RecordView& b = d->records()[0];
    EXPECT_EQ(b.offset, 1001);
    EXPECT_EQ(b.timestamp, 400);
    EXPECT_EQ(*b.key, "b");
    EXPECT_FALSE(b.value.has_value());
    ASSERT_EQ(b.headers.size(), 1u);
    EXPECT_EQ(b.headers[0].key, "h1");
    EXPECT_EQ(*b.headers[0].value, "v1");
    const RecordView& dd = d->records()[1];
    EXPECT_EQ(dd.offset, 1003);
    EXPECT_EQ(dd.timestamp, 450);
    EXPECT_EQ(*dd.value, std::string(3000, 'x'));
    ASSERT_EQ(dd.headers.size(), 1u);
    EXPECT_FALSE(dd.headers[0].value.has_value());
  }
}

TEST(BatchFilterTest, LogAppendTimeKeepsTheBatchTimestamp) {
  RecordBatchOptions options;
  options.log_append_time = 12345;
  const std::string in = Encode(options, {R(1, "a", "1"), R(2, "b", "2")});
  std::string out;
  absl::StatusOr<FilteredBatch> f = Filter(in, {1}, &out);
  ASSERT_TRUE(f.ok()) << f.status();
  absl::StatusOr<DecodedBatch> d = DecodedBatch::Decode(out);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->header().timestamp_type, TimestampType::kLogAppendTime);
  EXPECT_EQ(d->header().max_timestamp, 12345);
  ASSERT_EQ(d->records().size(), 1u);
  EXPECT_EQ(d->records()[0].timestamp, 12345);
}

TEST(BatchFilterTest, DeleteHorizonStaysTheBaseTimestamp) {
  RecordBatchOptions options;
  options.delete_horizon_ms = 99999;
  const std::string in = Encode(options, {R(10, "a", "1"), R(20, "b", "2")});
  std::string out;
  absl::StatusOr<FilteredBatch> f = Filter(in, {1}, &out);
  ASSERT_TRUE(f.ok()) << f.status();
  absl::StatusOr<DecodedBatch> d = DecodedBatch::Decode(out);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_TRUE(d->header().has_delete_horizon);
  EXPECT_EQ(d->header().base_timestamp, 99999);
  ASSERT_EQ(d->records().size(), 1u);
  EXPECT_EQ(d->records()[0].timestamp, 20);
}

TEST(BatchFilterTest, RejectsControlBatches) {
  ControlBatchOptions options;
  absl::StatusOr<std::string> in = EncodeControlBatch(options);
  ASSERT_TRUE(in.ok());
  std::string out;
  absl::StatusOr<FilteredBatch> f = Filter(*in, {}, &out);
  EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(out.empty());
}

TEST(BatchFilterTest, PredicateSeesEveryRecordInOrder) {
  const std::string in =
      Encode({}, {R(1, "a", "1"), R(2, "b", "2"), R(3, "c", "3")});
  absl::StatusOr<RecordBatchView> view = RecordBatchView::Parse(in);
  ASSERT_TRUE(view.ok());
  std::vector<int64_t> seen;
  std::string out;
  ASSERT_TRUE(FilterBatch(
                  *view,
                  [&](const RecordView& r) {
                    seen.push_back(r.offset);
                    return r.offset != 1;
                  },
                  &out)
                  .ok());
  EXPECT_THAT(seen, ElementsAre(0, 1, 2));
  absl::StatusOr<DecodedBatch> d = DecodedBatch::Decode(out);
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(d->records().size(), 2u);
  EXPECT_EQ(d->records()[1].offset, 2);
}

}  // namespace
}  // namespace internal
}  // namespace runnel
