// Copyright 2026 The Runnel Authors.
#include "log/time_index.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
#include "log/big_endian.h"
#include "log/format.h"
#include "log/index_test_util.h"
#include "runnel/mem_file_system.h"

namespace runnel {

// For gtest messages (found by ADL).
void PrintTo(const TimestampOffset& e, std::ostream* os) {
  *os << "{timestamp " << e.timestamp << ", offset " << e.offset << "}";
}

namespace {

using ::runnel::testing::IndexFileSystemTest;
using ::runnel::testing::IsOkAndHolds;
using ::runnel::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kFile[] = "00000000000000001000.timeindex";
constexpr int64_t kBaseOffset = 1000;
constexpr size_t kMaxBytes = 12 * 50 + 5;  // 50 slots
constexpr TimestampOffset kNone{format::kNoTimestamp, kBaseOffset};

// Raw .timeindex bytes: (timestamp, relative offset) pairs, big-endian.
std::string RawTimeEntries(std::vector<std::pair<int64_t, uint32_t>> slots) {
  std::string out(slots.size() * 12, '\0');
  for (size_t i = 0; i < slots.size(); ++i) {
    internal::StoreBigEndian64(&out[i * 12],
                               static_cast<uint64_t>(slots[i].first));
    internal::StoreBigEndian32(&out[i * 12 + 8], slots[i].second);
  }
  return out;
}

class TimeIndexTest : public IndexFileSystemTest {
 protected:
  absl::StatusOr<std::unique_ptr<TimeIndex>> Open(
      bool writable, size_t max_bytes = kMaxBytes) {
    return TimeIndex::Open(fs(), Path(kFile), kBaseOffset, max_bytes, writable);
  }

  // (1000 ms, 1010), (2000 ms, 1020), (3000 ms, 1020), (5000 ms, 1100).
  void AppendFour(TimeIndex* index) {
    for (const TimestampOffset& e : kFour) {
      ASSERT_TRUE(index->MaybeAppend(e.timestamp, e.offset).ok());
    }
  }

  static std::vector<TimestampOffset> Entries(const TimeIndex& index) {
    std::vector<TimestampOffset> out;
    for (size_t i = 0; i < index.entries(); ++i)
      out.push_back(*index.EntryAt(i));
    return out;
  }

  const std::vector<TimestampOffset> kFour = {
      {1000, 1010}, {2000, 1020}, {3000, 1020}, {5000, 1100}};
};

TEST_P(TimeIndexTest, ReservesWholeEntriesAndGrowsOnDemand) {
  auto index = Open(/*writable=*/true, format::kDefaultSegmentIndexBytes);
  ASSERT_TRUE(index.ok()) << index.status();
  // Room for 10 MiB of entries, but only the first 4 KiB of whole entries
  // reserved: an idle partition does not hold 10 MiB of disk.
  EXPECT_EQ((*index)->max_entries(), 10485756u / 12);
  EXPECT_EQ(FileSize(kFile), 4092u);
  // Appending past the reservation doubles it, in whole entries.
  for (int i = 0; i < 400; ++i) {
    ASSERT_TRUE((*index)->MaybeAppend(1000 + i, kBaseOffset + i).ok()) << i;
  }
  EXPECT_EQ((*index)->entries(), 400u);
  EXPECT_EQ(FileSize(kFile), 8184u);
  EXPECT_EQ((*index)->EntryAt(399)->timestamp, 1399);
  RUNNEL_ASSERT_OK((*index)->Reset());
  EXPECT_EQ((*index)->entries(), 0u);
  EXPECT_EQ((*index)->last_entry(), kNone);
  EXPECT_THAT((*index)->Lookup(123456), IsOkAndHolds(kNone));
}

TEST_P(TimeIndexTest, AppendsOnlyNewMaximumTimestamps) {
  auto index = Open(/*writable=*/true);
  ASSERT_TRUE(index.ok()) << index.status();
  TimeIndex& t = **index;
  ASSERT_TRUE(t.MaybeAppend(-1, 1000).ok());  // no timestamp: nothing
  ASSERT_TRUE(t.MaybeAppend(-7, 1000).ok());
  EXPECT_EQ(t.entries(), 0u);
  ASSERT_TRUE(t.MaybeAppend(0, 1000).ok());
  ASSERT_TRUE(t.MaybeAppend(500, 1005).ok());
  ASSERT_TRUE(t.MaybeAppend(500, 1006).ok());  // same timestamp: no-op
  ASSERT_TRUE(t.MaybeAppend(400, 1007).ok());  // older timestamp: no-op
  ASSERT_TRUE(t.MaybeAppend(600, 1005).ok());  // same offset, newer time
  EXPECT_EQ(Entries(t), (std::vector<TimestampOffset>{
                            {0, 1000}, {500, 1005}, {600, 1005}}));
  EXPECT_EQ(t.last_entry(), (TimestampOffset{600, 1005}));
  EXPECT_TRUE(t.Validate().ok());
}

TEST_P(TimeIndexTest, RejectsBadOffsets) {
  auto index = Open(/*writable=*/true);
  ASSERT_TRUE(index.ok()) << index.status();
  TimeIndex& t = **index;
  EXPECT_THAT(t.MaybeAppend(10, kBaseOffset - 1),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr(kFile), HasSubstr("999"))));
  EXPECT_THAT(
      t.MaybeAppend(10, kBaseOffset + std::numeric_limits<int32_t>::max() + 1),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("relative offset")));
  ASSERT_TRUE(t.MaybeAppend(10, 1050).ok());
  // Lower offset: an error even when the timestamp would be ignored anyway.
  for (int64_t ts : {5, 20}) {
    EXPECT_THAT(t.MaybeAppend(ts, 1049),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         AllOf(HasSubstr(Path(kFile)), HasSubstr("1049"),
                               HasSubstr("1050"))));
  }
  EXPECT_EQ(t.entries(), 1u);
}

TEST_P(TimeIndexTest, LookupFindsLargestTimestampAtMost) {
  auto index = Open(/*writable=*/true);
  ASSERT_TRUE(index.ok()) << index.status();
  AppendFour(index->get());
  const std::vector<std::pair<int64_t, TimestampOffset>> cases = {
      {std::numeric_limits<int64_t>::min(), kNone},
      {-1, kNone},
      {999, kNone},
      {1000, kFour[0]},
      {1999, kFour[0]},
      {2000, kFour[1]},
      {2500, kFour[1]},
      {3000, kFour[2]},
      {4999, kFour[2]},
      {5000, kFour[3]},
      {std::numeric_limits<int64_t>::max(), kFour[3]},
  };
  for (const auto& c : cases) {
    EXPECT_THAT((*index)->Lookup(c.first), IsOkAndHolds(c.second)) << c.first;
  }
  EXPECT_THAT((*index)->EntryAt(4).status(),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr(kFile)));
}

TEST_P(TimeIndexTest, KeepsOneSlotForTheRollEntry) {
  auto index = Open(/*writable=*/true, 12 * 3);
  ASSERT_TRUE(index.ok()) << index.status();
  TimeIndex& t = **index;
  ASSERT_TRUE(t.MaybeAppend(10, 1000).ok());
  EXPECT_FALSE(t.IsFull());
  ASSERT_TRUE(t.MaybeAppend(20, 1001).ok());
  EXPECT_TRUE(t.IsFull());
  EXPECT_THAT(t.MaybeAppend(30, 1002),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr(Path(kFile)), HasSubstr("full"))));
  ASSERT_TRUE(t.MaybeAppend(30, 1002, /*skip_full_check=*/true).ok());
  EXPECT_EQ(t.entries(), 3u);
  EXPECT_THAT(
      t.MaybeAppend(40, 1003, /*skip_full_check=*/true),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("full")));
  EXPECT_EQ(t.last_entry(), (TimestampOffset{30, 1002}));
}

TEST_P(TimeIndexTest, TruncateToDropsEntriesAtOrAboveOffset) {
  auto index = Open(/*writable=*/true);
  ASSERT_TRUE(index.ok()) << index.status();
  AppendFour(index->get());
  TimeIndex& t = **index;
  ASSERT_TRUE(t.TruncateTo(1101).ok());
  EXPECT_EQ(t.entries(), 4u);
  ASSERT_TRUE(t.TruncateTo(1021).ok());
  EXPECT_EQ(Entries(t),
            (std::vector<TimestampOffset>{kFour[0], kFour[1], kFour[2]}));
  ASSERT_TRUE(t.TruncateTo(1020).ok());  // both entries at 1020 go
  EXPECT_EQ(Entries(t), std::vector<TimestampOffset>{kFour[0]});
  EXPECT_EQ(Contents(kFile).substr(12, 36), std::string(36, '\0'));
  ASSERT_TRUE(t.MaybeAppend(1500, 1015).ok());
  EXPECT_THAT(t.Lookup(9999), IsOkAndHolds(TimestampOffset{1500, 1015}));
  ASSERT_TRUE(t.Reset().ok());
  EXPECT_EQ(t.entries(), 0u);
  EXPECT_EQ(t.last_entry(), kNone);
  ASSERT_TRUE(t.MaybeAppend(1, 1000).ok());
  EXPECT_EQ(t.entries(), 1u);
}

TEST_P(TimeIndexTest, ReopenTrimmedAndUntrimmed) {
  for (bool trim : {true, false}) {
    SCOPED_TRACE(trim ? "trimmed" : "untrimmed");
    {
      auto index = Open(/*writable=*/true);
      ASSERT_TRUE(index.ok()) << index.status();
      ASSERT_TRUE((*index)->Reset().ok());
      AppendFour(index->get());
      ASSERT_TRUE((*index)->Flush().ok());
      ASSERT_TRUE((*index)->Close(trim).ok());
    }
    EXPECT_EQ(FileSize(kFile), trim ? 4u * 12 : 600u);
    for (bool writable : {false, true}) {
      auto again = Open(writable);
      ASSERT_TRUE(again.ok()) << again.status();
      EXPECT_TRUE((*again)->Validate().ok());
      EXPECT_EQ(Entries(**again), kFour);
      EXPECT_EQ((*again)->last_entry(), kFour[3]);
      EXPECT_EQ((*again)->max_entries(), writable || !trim ? 50u : 4u);
    }
  }
}

TEST_P(TimeIndexTest, CorruptFilesAreDataLoss) {
  WriteRaw(kFile, std::string(24 + 8, '\0'));
  EXPECT_THAT(Open(/*writable=*/true).status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr(Path(kFile)), HasSubstr("12"))));
  const std::vector<
      std::pair<std::vector<std::pair<int64_t, uint32_t>>, size_t>>
      bad = {
          {{{100, 1}, {100, 2}}, 1},          // timestamps repeat
          {{{100, 1}, {90, 2}}, 1},           // timestamps decrease
          {{{100, 5}, {200, 4}}, 1},          // offsets decrease
          {{{100, 5}, {0, 0}, {300, 6}}, 1},  // zero slot inside
          {{{-5, 0}}, 0},                     // negative timestamp
          {{{100, 0x80000000u}}, 0},          // negative relative offset
      };
  for (const auto& b : bad) {
    std::string bytes = RawTimeEntries(b.first);
    bytes.resize(120, '\0');
    WriteRaw(kFile, bytes);
    auto index = Open(/*writable=*/false);
    ASSERT_TRUE(index.ok()) << index.status();
    EXPECT_EQ((*index)->entries(), b.first.size());
    EXPECT_THAT((*index)->Validate(),
                StatusIs(absl::StatusCode::kDataLoss,
                         AllOf(HasSubstr(Path(kFile)),
                               HasSubstr(absl::StrCat("entry ", b.second)))));
  }
}

TEST_P(TimeIndexTest, ClosedIndexRefusesCalls) {
  auto index = Open(/*writable=*/true);
  ASSERT_TRUE(index.ok()) << index.status();
  AppendFour(index->get());
  ASSERT_TRUE((*index)->Close(/*trim=*/true).ok());
  const auto closed =
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("closed"));
  EXPECT_THAT((*index)->MaybeAppend(9000, 2000), closed);
  EXPECT_THAT((*index)->Lookup(1000).status(), closed);
  EXPECT_THAT((*index)->EntryAt(0).status(), closed);
  EXPECT_THAT((*index)->Validate(), closed);
  EXPECT_THAT((*index)->TruncateTo(1000), closed);
  EXPECT_THAT((*index)->Flush(), closed);
  EXPECT_EQ((*index)->last_entry(), kNone);
}

RUNNEL_INSTANTIATE_ON_ALL_FILE_SYSTEMS(TimeIndexTest);

TEST(TimeIndexDiskTest, FullDiskAtPreallocationIsResourceExhausted) {
  MemFileSystem fs(MemFileSystem::Options{/*capacity_bytes=*/100});
  EXPECT_THAT(
      TimeIndex::Open(&fs, "/5.timeindex", 5, 120, /*writable=*/true).status(),
      StatusIs(absl::StatusCode::kResourceExhausted,
               HasSubstr("/5.timeindex")));
}

}  // namespace
}  // namespace runnel
