// Copyright 2026 The Runnel Authors.
#include "log/offset_index.h"

#include <cerrno>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <ostream>
#include <random>
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
#include "runnel/fault_injection_file_system.h"
#include "runnel/mem_file_system.h"

namespace runnel {

// For gtest messages (found by ADL).
void PrintTo(const OffsetPosition& e, std::ostream* os) {
  *os << "{offset " << e.offset << ", position " << e.position << "}";
}

namespace {

using ::runnel::testing::IndexFileSystemTest;
using ::runnel::testing::IsOkAndHolds;
using ::runnel::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kName[] = "00000000000000000100.index";
constexpr int64_t kBase = 100;
constexpr size_t kSmall = 1001;  // rounds down to 1000 bytes, 125 entries

// Raw .index bytes: (relative offset, position) pairs, big-endian.
std::string RawEntries(std::vector<std::pair<uint32_t, uint32_t>> entries) {
  std::string out(entries.size() * 8, '\0');
  for (size_t i = 0; i < entries.size(); ++i) {
    internal::StoreBigEndian32(&out[i * 8], entries[i].first);
    internal::StoreBigEndian32(&out[i * 8 + 4], entries[i].second);
  }
  return out;
}

class OffsetIndexTest : public IndexFileSystemTest {
 protected:
  std::unique_ptr<OffsetIndex> OpenIndex(bool writable,
                                         size_t max_bytes = kSmall) {
    absl::StatusOr<std::unique_ptr<OffsetIndex>> index =
        OffsetIndex::Open(fs(), Path(kName), kBase, max_bytes, writable);
    EXPECT_TRUE(index.ok()) << index.status();
    return index.ok() ? std::move(index).value() : nullptr;
  }

  // An index holding (110, 40), (150, 400), (200, 4000).
  std::unique_ptr<OffsetIndex> OpenThreeEntries() {
    std::unique_ptr<OffsetIndex> index = OpenIndex(/*writable=*/true);
    if (index == nullptr) return nullptr;
    EXPECT_TRUE(index->Append(110, 40).ok());
    EXPECT_TRUE(index->Append(150, 400).ok());
    EXPECT_TRUE(index->Append(200, 4000).ok());
    return index;
  }

  static std::vector<OffsetPosition> AllEntries(const OffsetIndex& index) {
    std::vector<OffsetPosition> out;
    for (size_t i = 0; i < index.entries(); ++i) {
      absl::StatusOr<OffsetPosition> e = index.EntryAt(i);
      EXPECT_TRUE(e.ok()) << e.status();
      if (e.ok()) out.push_back(*e);
    }
    return out;
  }
};

const std::vector<OffsetPosition> kThree = {{110, 40}, {150, 400}, {200, 4000}};

TEST_P(OffsetIndexTest, NewWritableIndexIsPreallocatedAndEmpty) {
  std::unique_ptr<OffsetIndex> index = OpenIndex(/*writable=*/true);
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(FileSize(kName), 1000u);
  EXPECT_EQ(index->entries(), 0u);
  EXPECT_EQ(index->max_entries(), 125u);
  EXPECT_FALSE(index->IsFull());
  EXPECT_EQ(index->last_offset(), kBase);
  EXPECT_EQ(index->base_offset(), kBase);
  EXPECT_EQ(index->path(), Path(kName));
  EXPECT_THAT(index->Lookup(500), IsOkAndHolds(OffsetPosition{kBase, 0}));
  EXPECT_TRUE(index->Validate().ok());
}

TEST_P(OffsetIndexTest, DefaultSizeIsTenMebibytesReservedOnDemand) {
  std::unique_ptr<OffsetIndex> index =
      OpenIndex(/*writable=*/true, format::kDefaultSegmentIndexBytes);
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->max_entries(), 10485760u / 8);
  EXPECT_EQ(FileSize(kName), 4096u);  // the first reservation only
  for (int i = 0; i < 1500; ++i) {
    ASSERT_TRUE(index->Append(kBase + i, 100 * i).ok()) << i;
  }
  EXPECT_EQ(FileSize(kName), 16384u);  // 4 KiB, doubled twice
  EXPECT_THAT(index->Lookup(kBase + 1499),
              IsOkAndHolds(OffsetPosition{kBase + 1499, 149900}));
}

TEST_P(OffsetIndexTest,
       FullDiskWhileGrowingIsResourceExhaustedAndKeepsEntries) {
  MemFileSystem::Options limited;
  limited.capacity_bytes = 4096 + 1024;
  MemFileSystem small(limited);
  absl::StatusOr<std::unique_ptr<OffsetIndex>> opened = OffsetIndex::Open(
      &small, "/t.index", kBase, format::kDefaultSegmentIndexBytes, true);
  ASSERT_TRUE(opened.ok()) << opened.status();
  OffsetIndex& index = **opened;
  for (int i = 0; i < 512; ++i) ASSERT_TRUE(index.Append(kBase + i, i).ok());
  EXPECT_THAT(
      index.Append(kBase + 512, 512),
      StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("/t.index")));
  EXPECT_EQ(index.entries(), 512u);
  EXPECT_THAT(index.Lookup(kBase + 511),
              IsOkAndHolds(OffsetPosition{kBase + 511, 511}));
}

TEST_P(OffsetIndexTest, LookupBeforeBetweenExactAndAfterEntries) {
  std::unique_ptr<OffsetIndex> index = OpenThreeEntries();
  ASSERT_NE(index, nullptr);
  const OffsetPosition none{kBase, 0};
  const std::vector<std::pair<int64_t, OffsetPosition>> cases = {
      {std::numeric_limits<int64_t>::min(), none},
      {0, none},
      {kBase, none},
      {109, none},
      {110, kThree[0]},
      {149, kThree[0]},
      {150, kThree[1]},
      {151, kThree[1]},
      {199, kThree[1]},
      {200, kThree[2]},
      {1000000000000, kThree[2]},
      {std::numeric_limits<int64_t>::max(), kThree[2]},
  };
  for (const auto& c : cases) {
    absl::StatusOr<OffsetPosition> got = index->Lookup(c.first);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->offset, c.second.offset) << "target " << c.first;
    EXPECT_EQ(got->position, c.second.position) << "target " << c.first;
  }
  EXPECT_EQ(AllEntries(*index), kThree);
  EXPECT_EQ(index->last_offset(), 200);
}

TEST_P(OffsetIndexTest, LookupMatchesReferenceOnRandomEntries) {
  std::unique_ptr<OffsetIndex> index = OpenIndex(/*writable=*/true, 8 * 600);
  ASSERT_NE(index, nullptr);
  std::mt19937_64 rng(7);
  std::map<int64_t, uint32_t> reference;
  int64_t offset = kBase;
  uint32_t position = 0;
  for (int i = 0; i < 600; ++i) {
    offset += 1 + static_cast<int64_t>(rng() % 50);
    position += static_cast<uint32_t>(rng() % 5000);
    ASSERT_TRUE(index->Append(offset, position).ok());
    reference[offset] = position;
  }
  EXPECT_TRUE(index->IsFull());
  for (int64_t target = 0; target <= offset + 10; ++target) {
    auto it = reference.upper_bound(target);
    const OffsetPosition want =
        it == reference.begin()
            ? OffsetPosition{kBase, 0}
            : OffsetPosition{std::prev(it)->first, std::prev(it)->second};
    ASSERT_THAT(index->Lookup(target), IsOkAndHolds(want)) << target;
  }
}

TEST_P(OffsetIndexTest, EntryAtOutOfRange) {
  std::unique_ptr<OffsetIndex> index = OpenThreeEntries();
  ASSERT_NE(index, nullptr);
  EXPECT_THAT(index->EntryAt(2), IsOkAndHolds(kThree[2]));
  EXPECT_THAT(index->EntryAt(3).status(),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr(kName)));
}

TEST_P(OffsetIndexTest, AppendRejectsOffsetsThatDoNotIncrease) {
  std::unique_ptr<OffsetIndex> index = OpenThreeEntries();
  ASSERT_NE(index, nullptr);
  for (int64_t offset : {200, 199, 110}) {
    EXPECT_THAT(index->Append(offset, 5000),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         AllOf(HasSubstr(Path(kName)),
                               HasSubstr(absl::StrCat("offset ", offset)),
                               HasSubstr("last offset 200"))));
  }
  EXPECT_EQ(AllEntries(*index), kThree);
}

TEST_P(OffsetIndexTest, AppendRejectsRelativeOffsetOverflowAndBadPositions) {
  std::unique_ptr<OffsetIndex> index = OpenIndex(/*writable=*/true);
  ASSERT_NE(index, nullptr);
  const int64_t max_relative = std::numeric_limits<int32_t>::max();
  EXPECT_THAT(index->Append(kBase - 1, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr(Path(kName)), HasSubstr("99"))));
  EXPECT_THAT(index->Append(kBase + max_relative + 1, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("relative offset")));
  EXPECT_THAT(index->Append(kBase + 1, 0x80000000u),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("position 2147483648")));
  EXPECT_EQ(index->entries(), 0u);
  // The edges themselves fit.
  ASSERT_TRUE(index->Append(kBase, 0).ok());
  ASSERT_TRUE(index->Append(kBase + max_relative, 0x7fffffffu).ok());
  EXPECT_THAT(index->Lookup(std::numeric_limits<int64_t>::max()),
              IsOkAndHolds(OffsetPosition{kBase + max_relative, 0x7fffffffu}));
  EXPECT_TRUE(index->Validate().ok());
}

TEST_P(OffsetIndexTest, FullIndexRefusesAppends) {
  std::unique_ptr<OffsetIndex> index = OpenIndex(/*writable=*/true, 8 * 3 + 7);
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->max_entries(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(index->IsFull());
    ASSERT_TRUE(index->Append(kBase + i, 10 * i).ok());
  }
  EXPECT_TRUE(index->IsFull());
  EXPECT_THAT(index->Append(kBase + 10, 100),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr(Path(kName)), HasSubstr("full"))));
  EXPECT_EQ(index->entries(), 3u);
}

TEST_P(OffsetIndexTest, TruncateToDropsEntriesAtOrAboveOffset) {
  std::unique_ptr<OffsetIndex> index = OpenThreeEntries();
  ASSERT_NE(index, nullptr);
  ASSERT_TRUE(index->TruncateTo(1000).ok());
  EXPECT_EQ(index->entries(), 3u);
  ASSERT_TRUE(index->TruncateTo(151).ok());
  EXPECT_EQ(AllEntries(*index),
            (std::vector<OffsetPosition>{kThree[0], kThree[1]}));
  ASSERT_TRUE(index->TruncateTo(150).ok());
  EXPECT_EQ(AllEntries(*index), std::vector<OffsetPosition>{kThree[0]});
  EXPECT_EQ(index->last_offset(), 110);
  EXPECT_THAT(index->Lookup(500), IsOkAndHolds(kThree[0]));
  // The dropped slots are zero again, so a reopen cannot resurrect them.
  EXPECT_EQ(Contents(kName).substr(8, 16), std::string(16, '\0'));
  // Appending continues after the kept entry.
  ASSERT_TRUE(index->Append(120, 90).ok());
  EXPECT_THAT(index->Lookup(130), IsOkAndHolds(OffsetPosition{120, 90}));
  ASSERT_TRUE(index->TruncateTo(kBase).ok());
  EXPECT_EQ(index->entries(), 0u);
  EXPECT_EQ(index->last_offset(), kBase);
}

TEST_P(OffsetIndexTest, ResetDropsEverything) {
  std::unique_ptr<OffsetIndex> index = OpenThreeEntries();
  ASSERT_NE(index, nullptr);
  ASSERT_TRUE(index->Reset().ok());
  EXPECT_EQ(index->entries(), 0u);
  EXPECT_THAT(index->Lookup(300), IsOkAndHolds(OffsetPosition{kBase, 0}));
  EXPECT_EQ(Contents(kName), std::string(1000, '\0'));
  ASSERT_TRUE(index->Append(kBase, 0).ok());
  EXPECT_EQ(index->entries(), 1u);
}

TEST_P(OffsetIndexTest, ReopenAfterTrimmedCloseKeepsEntries) {
  std::unique_ptr<OffsetIndex> index = OpenThreeEntries();
  ASSERT_NE(index, nullptr);
  ASSERT_TRUE(index->Flush().ok());
  ASSERT_TRUE(index->Close(/*trim=*/true).ok());
  EXPECT_EQ(FileSize(kName), 3u * 8);

  std::unique_ptr<OffsetIndex> reader = OpenIndex(/*writable=*/false);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(AllEntries(*reader), kThree);
  EXPECT_EQ(reader->max_entries(), 3u);
  EXPECT_TRUE(reader->IsFull());
  EXPECT_TRUE(reader->Validate().ok());
  EXPECT_THAT(
      reader->Append(300, 5000),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("read-only")));
  EXPECT_THAT(
      reader->TruncateTo(0),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("read-only")));
  ASSERT_TRUE(reader->Close(/*trim=*/true).ok());  // trim ignored
  EXPECT_EQ(FileSize(kName), 3u * 8);

  // Writable again: preallocated again, entries kept, appends continue.
  std::unique_ptr<OffsetIndex> writer = OpenIndex(/*writable=*/true);
  ASSERT_NE(writer, nullptr);
  EXPECT_EQ(FileSize(kName), 1000u);
  EXPECT_EQ(AllEntries(*writer), kThree);
  ASSERT_TRUE(writer->Append(300, 5000).ok());
  EXPECT_EQ(writer->entries(), 4u);
}

TEST_P(OffsetIndexTest, ReopenOfUntrimmedFileCountsEntriesBeforeZeroTail) {
  std::unique_ptr<OffsetIndex> index = OpenThreeEntries();
  ASSERT_NE(index, nullptr);
  ASSERT_TRUE(index->Close(/*trim=*/false).ok());
  EXPECT_EQ(FileSize(kName), 1000u);
  for (bool writable : {true, false}) {
    std::unique_ptr<OffsetIndex> again = OpenIndex(writable);
    ASSERT_NE(again, nullptr);
    EXPECT_TRUE(again->Validate().ok());
    EXPECT_EQ(AllEntries(*again), kThree) << writable;
    EXPECT_EQ(again->max_entries(), 125u);
    ASSERT_TRUE(again->Close(/*trim=*/false).ok());
  }
}

TEST_P(OffsetIndexTest, ExistingFileLargerThanMaxIsNotCut) {
  WriteRaw(kName, RawEntries({{1, 10}, {2, 20}, {3, 30}, {4, 40}}));
  std::unique_ptr<OffsetIndex> index = OpenIndex(/*writable=*/true, 16);
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->entries(), 4u);
  EXPECT_EQ(index->max_entries(), 4u);
  EXPECT_TRUE(index->IsFull());
  EXPECT_EQ(FileSize(kName), 32u);
}

TEST_P(OffsetIndexTest, LengthNotMultipleOfEntrySizeIsDataLoss) {
  WriteRaw(kName, std::string(12, '\1'));
  for (bool writable : {true, false}) {
    EXPECT_THAT(
        OffsetIndex::Open(fs(), Path(kName), kBase, kSmall, writable).status(),
        StatusIs(absl::StatusCode::kDataLoss,
                 AllOf(HasSubstr(Path(kName)), HasSubstr("length 12"))));
  }
}

TEST_P(OffsetIndexTest, ValidateRejectsDisorder) {
  struct Case {
    std::vector<std::pair<uint32_t, uint32_t>> entries;
    size_t bad_entry;
  };
  const std::vector<Case> cases = {
      {{{10, 0}, {5, 10}}, 1},             // offsets decrease
      {{{10, 0}, {10, 10}}, 1},            // offsets repeat
      {{{10, 50}, {20, 40}}, 1},           // positions decrease
      {{{10, 50}, {0, 0}, {30, 60}}, 1},   // zero slot inside
      {{{10, 50}, {20, 60}, {30, 0}}, 2},  // torn: position still zero
      {{{0x80000000u, 0}}, 0},             // negative relative offset
      {{{10, 0}, {20, 0x80000000u}}, 1},   // negative position
  };
  for (const Case& c : cases) {
    std::string bytes = RawEntries(c.entries);
    bytes.resize(400, '\0');  // a preallocated zero tail
    WriteRaw(kName, bytes);
    std::unique_ptr<OffsetIndex> index = OpenIndex(/*writable=*/false);
    ASSERT_NE(index, nullptr);
    EXPECT_EQ(index->entries(), c.entries.size());
    EXPECT_THAT(index->Validate(),
                StatusIs(absl::StatusCode::kDataLoss,
                         AllOf(HasSubstr(Path(kName)),
                               HasSubstr(absl::StrCat("entry ", c.bad_entry)))))
        << ::testing::PrintToString(c.entries);
    // Rebuilding is Reset + Append on a writable index.
    std::unique_ptr<OffsetIndex> writer = OpenIndex(/*writable=*/true);
    ASSERT_NE(writer, nullptr);
    ASSERT_TRUE(writer->Reset().ok());
    ASSERT_TRUE(writer->Append(110, 0).ok());
    EXPECT_TRUE(writer->Validate().ok());
  }
}

TEST_P(OffsetIndexTest, EmptyReadOnlyFileIsAnEmptyIndex) {
  WriteRaw(kName, "");
  std::unique_ptr<OffsetIndex> index = OpenIndex(/*writable=*/false);
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->entries(), 0u);
  EXPECT_EQ(index->max_entries(), 0u);
  EXPECT_TRUE(index->IsFull());
  EXPECT_THAT(index->Lookup(1000), IsOkAndHolds(OffsetPosition{kBase, 0}));
  EXPECT_TRUE(index->Validate().ok());
  EXPECT_TRUE(index->Flush().ok());
  EXPECT_TRUE(index->Close(/*trim=*/true).ok());
}

TEST_P(OffsetIndexTest, MissingReadOnlyFileIsNotFound) {
  EXPECT_THAT(
      OffsetIndex::Open(fs(), Path(kName), kBase, kSmall, false).status(),
      StatusIs(absl::StatusCode::kNotFound, HasSubstr(Path(kName))));
}

TEST_P(OffsetIndexTest, BadOpenArguments) {
  EXPECT_THAT(OffsetIndex::Open(fs(), Path(kName), -1, kSmall, true).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("negative base offset")));
  EXPECT_THAT(OffsetIndex::Open(fs(), Path(kName), kBase, 7, true).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("less than one entry")));
  EXPECT_THAT(
      OffsetIndex::Open(fs(), Path(kName), std::numeric_limits<int64_t>::max(),
                        kSmall, true)
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("too large")));
}

TEST_P(OffsetIndexTest, CallsAfterCloseFail) {
  std::unique_ptr<OffsetIndex> index = OpenThreeEntries();
  ASSERT_NE(index, nullptr);
  ASSERT_TRUE(index->Close(/*trim=*/true).ok());
  const auto closed = StatusIs(absl::StatusCode::kFailedPrecondition,
                               AllOf(HasSubstr("closed"), HasSubstr(kName)));
  EXPECT_THAT(index->Append(300, 1), closed);
  EXPECT_THAT(index->Lookup(150).status(), closed);
  EXPECT_THAT(index->EntryAt(0).status(), closed);
  EXPECT_THAT(index->Validate(), closed);
  EXPECT_THAT(index->TruncateTo(0), closed);
  EXPECT_THAT(index->Reset(), closed);
  EXPECT_THAT(index->Flush(), closed);
  EXPECT_THAT(index->Close(/*trim=*/false), closed);
  EXPECT_EQ(index->entries(), 0u);
  EXPECT_EQ(index->last_offset(), kBase);
}

RUNNEL_INSTANTIATE_ON_ALL_FILE_SYSTEMS(OffsetIndexTest);

// ---- Only on MemFileSystem: a full disk, crashes ---------------------------

TEST(OffsetIndexDiskTest, FullDiskAtPreallocationIsResourceExhausted) {
  MemFileSystem fs(MemFileSystem::Options{/*capacity_bytes=*/512});
  absl::StatusOr<std::unique_ptr<OffsetIndex>> index =
      OffsetIndex::Open(&fs, "/0.index", 0, 1024, /*writable=*/true);
  EXPECT_THAT(index.status(), StatusIs(absl::StatusCode::kResourceExhausted,
                                       HasSubstr("/0.index")));
  // Nothing half-done is charged; a smaller index fits.
  index = OffsetIndex::Open(&fs, "/0.index", 0, 512, /*writable=*/true);
  ASSERT_TRUE(index.ok()) << index.status();
  EXPECT_EQ((*index)->max_entries(), 64u);
}

// Reopens "/d/0.index" after a crash and returns its entries.
std::vector<int64_t> OffsetsAfterCrash(FaultInjectionFileSystem* fs) {
  std::vector<int64_t> out;
  EXPECT_TRUE(fs->SimulateCrash().ok());
  absl::StatusOr<std::unique_ptr<OffsetIndex>> index =
      OffsetIndex::Open(fs, "/d/0.index", 0, 800, /*writable=*/true);
  EXPECT_TRUE(index.ok()) << index.status();
  if (!index.ok()) return out;
  EXPECT_TRUE((*index)->Validate().ok());
  for (size_t i = 0; i < (*index)->entries(); ++i) {
    out.push_back((*index)->EntryAt(i)->offset);
  }
  return out;
}

TEST(OffsetIndexCrashTest, FlushMakesAppendsAndTruncationsDurable) {
  MemFileSystem mem;
  FaultInjectionFileSystem fs(&mem);
  ASSERT_TRUE(fs.CreateDirs("/d").ok());
  ASSERT_TRUE(fs.SyncDir("/").ok());
  absl::StatusOr<std::unique_ptr<OffsetIndex>> index =
      OffsetIndex::Open(&fs, "/d/0.index", 0, 800, /*writable=*/true);
  ASSERT_TRUE(index.ok()) << index.status();
  ASSERT_TRUE(fs.SyncDir("/d").ok());
  ASSERT_TRUE((*index)->Append(10, 100).ok());
  ASSERT_TRUE((*index)->Append(20, 200).ok());
  ASSERT_TRUE((*index)->Flush().ok());
  ASSERT_TRUE((*index)->Append(30, 300).ok());  // never flushed
  EXPECT_EQ(OffsetsAfterCrash(&fs), (std::vector<int64_t>{10, 20}));

  index = OffsetIndex::Open(&fs, "/d/0.index", 0, 800, /*writable=*/true);
  ASSERT_TRUE(index.ok()) << index.status();
  ASSERT_TRUE((*index)->Append(30, 300).ok());
  ASSERT_TRUE((*index)->Flush().ok());
  ASSERT_TRUE((*index)->TruncateTo(20).ok());
  ASSERT_TRUE((*index)->Flush().ok());  // makes the zeroed slots durable
  EXPECT_EQ(OffsetsAfterCrash(&fs), std::vector<int64_t>{10});
}

}  // namespace
}  // namespace runnel
