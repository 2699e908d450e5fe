#include "log/format.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace runnel {
namespace format {
namespace {

TEST(FormatTest, HeaderLayoutIsConsistent) {
  // Each field starts where the previous one ends (sizes from the spec).
  EXPECT_EQ(kBatchLengthOffset, kBaseOffsetOffset + 8);
  EXPECT_EQ(kPartitionLeaderEpochOffset, kBatchLengthOffset + 4);
  EXPECT_EQ(kMagicOffset, kPartitionLeaderEpochOffset + 4);
  EXPECT_EQ(kCrcOffset, kMagicOffset + 1);
  EXPECT_EQ(kAttributesOffset, kCrcOffset + 4);
  EXPECT_EQ(kLastOffsetDeltaOffset, kAttributesOffset + 2);
  EXPECT_EQ(kBaseTimestampOffset, kLastOffsetDeltaOffset + 4);
  EXPECT_EQ(kMaxTimestampOffset, kBaseTimestampOffset + 8);
  EXPECT_EQ(kProducerIdOffset, kMaxTimestampOffset + 8);
  EXPECT_EQ(kProducerEpochOffset, kProducerIdOffset + 8);
  EXPECT_EQ(kBaseSequenceOffset, kProducerEpochOffset + 2);
  EXPECT_EQ(kRecordsCountOffset, kBaseSequenceOffset + 4);
  EXPECT_EQ(kRecordsOffset, kRecordsCountOffset + 4);
  EXPECT_EQ(kRecordBatchHeaderSize, 61u);
  EXPECT_EQ(kLogOverhead, 12u);
  EXPECT_EQ(kMinBatchLength, 49);
  EXPECT_EQ(kOffsetIndexEntrySize, 8u);
  EXPECT_EQ(kTimeIndexEntrySize, 12u);
  EXPECT_EQ(kDefaultIndexIntervalBytes, 4096);
  EXPECT_EQ(kDefaultSegmentIndexBytes, 10485760);
}

TEST(FormatTest, SegmentFileNames) {
  EXPECT_EQ(*SegmentFileName(0, kLogFileSuffix), "00000000000000000000.log");
  EXPECT_EQ(*SegmentFileName(368769, kIndexFileSuffix),
            "00000000000000368769.index");
  EXPECT_EQ(*SegmentFileName(std::numeric_limits<int64_t>::max(), ".timeindex"),
            "09223372036854775807.timeindex");
  EXPECT_EQ(*SegmentFileName(5, ".log.deleted"),
            "00000000000000000005.log.deleted");
  EXPECT_EQ(SegmentFileName(-1, ".log").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SegmentFileName(1, "log").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(FormatTest, ParseSegmentFileNames) {
  absl::StatusOr<ParsedSegmentFileName> p =
      ParseSegmentFileName("00000000000000368769.index");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->base_offset, 368769);
  EXPECT_EQ(p->type, SegmentFileType::kIndex);
  EXPECT_EQ(p->temp_state, TempFileState::kNone);

  p = ParseSegmentFileName("09223372036854775807.log.swap");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->base_offset, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(p->type, SegmentFileType::kLog);
  EXPECT_EQ(p->temp_state, TempFileState::kSwap);

  p = ParseSegmentFileName("00000000000000000007.timeindex.cleaned");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->type, SegmentFileType::kTimeIndex);
  EXPECT_EQ(p->temp_state, TempFileState::kCleaned);
  EXPECT_TRUE(ParseSegmentFileName("00000000000000000007.snapshot").ok());
  EXPECT_TRUE(
      ParseSegmentFileName("00000000000000000007.txnindex.deleted").ok());

  for (const char* bad : {
           "",
           "0.log",
           "0000000000000000000.log",    // 19 digits
           "000000000000000000000.log",  // 21 digits
           "09223372036854775808.log",   // > INT64_MAX
           "99999999999999999999.log",
           "0000000000000000000a.log",
           "-0000000000000000001.log",
           "00000000000000000000",
           "00000000000000000000.",
           "00000000000000000000.logx",
           "00000000000000000000.log.tmp",
           "00000000000000000000.log.deleted.swap",
           "00000000000000000000.LOG",
           "+0000000000000000001.log",
       }) {
    absl::StatusOr<ParsedSegmentFileName> r = ParseSegmentFileName(bad);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(FormatTest, NameRoundTrip) {
  for (int64_t offset : {int64_t{0}, int64_t{1}, int64_t{999999999999},
                         std::numeric_limits<int64_t>::max()}) {
    for (const char* suffix :
         {kLogFileSuffix, kIndexFileSuffix, kTimeIndexFileSuffix}) {
      absl::StatusOr<std::string> name = SegmentFileName(offset, suffix);
      ASSERT_TRUE(name.ok());
      absl::StatusOr<ParsedSegmentFileName> parsed =
          ParseSegmentFileName(*name);
      ASSERT_TRUE(parsed.ok()) << parsed.status();
      EXPECT_EQ(parsed->base_offset, offset);
    }
  }
}

TEST(FormatTest, PartitionDirNames) {
  EXPECT_EQ(*PartitionDirName("orders", 0), "orders-0");
  EXPECT_EQ(*PartitionDirName("my-topic.v2", 17), "my-topic.v2-17");
  absl::StatusOr<ParsedPartitionDirName> p =
      ParsePartitionDirName("my-topic-17");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->topic, "my-topic");
  EXPECT_EQ(p->partition, 17);

  EXPECT_FALSE(PartitionDirName("", 0).ok());
  EXPECT_FALSE(PartitionDirName("..", 0).ok());
  EXPECT_FALSE(PartitionDirName("a/b", 0).ok());
  EXPECT_FALSE(PartitionDirName(std::string(250, 'a'), 0).ok());
  EXPECT_TRUE(PartitionDirName(std::string(249, 'a'), 0).ok());
  EXPECT_FALSE(PartitionDirName("t", -1).ok());
  for (const char* bad : {"orders", "orders-", "-0", "orders-01", "orders-x",
                          "orders-2147483648", "or/ders-0"}) {
    EXPECT_FALSE(ParsePartitionDirName(bad).ok()) << bad;
  }
  EXPECT_TRUE(ParsePartitionDirName("orders-2147483647").ok());
}

// Index files read as bytes: entries up to the zeroed, preallocated tail.
TEST(IndexEntriesTest, DecodeStopsAtTheUnusedTail) {
  // .index: (2, 0), (5, 4150), (9, 8000), then zeros.
  const std::string index(
      "\x00\x00\x00\x02\x00\x00\x00\x00"
      "\x00\x00\x00\x05\x00\x00\x10\x36"
      "\x00\x00\x00\x09\x00\x00\x1f\x40"
      "\x00\x00\x00\x00\x00\x00\x00\x00",
      32);
  const std::vector<OffsetIndexEntry> entries = DecodeOffsetIndex(index);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[1].relative_offset, 5);
  EXPECT_EQ(entries[1].position, 4150u);
  EXPECT_EQ(entries[2].position, 8000u);
  // An all-zero first entry is an empty index.
  EXPECT_TRUE(DecodeOffsetIndex(std::string(16, '\0')).empty());

  // .timeindex: (1000 ms, 3), then zeros; a trailing partial entry is
  // ignored.
  std::string time(12, '\0');
  time[6] = '\x03';
  time[7] = '\xe8';
  time[11] = '\x03';
  time += std::string(12, '\0') + "xyz";
  const std::vector<TimeIndexEntry> times = DecodeTimeIndex(time);
  ASSERT_EQ(times.size(), 1u);
  EXPECT_EQ(times[0].timestamp, 1000);
  EXPECT_EQ(times[0].relative_offset, 3);
}

}  // namespace
}  // namespace format
}  // namespace runnel
