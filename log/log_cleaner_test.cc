// Copyright 2026 The Runnel Authors.
//
// LogCleaner on logs written by runnel::Log (MemFileSystem): what a pass
// keeps and drops, offsets, headers and timestamps, LZ4, the bounded map and
// continuing passes, grouping, the active segment, empty results, control
// and undecodable batches, indexes, the swap hook, cancellation and errors.
// Every test checks the result file by file (ScanLogDir: a valid log) and,
// where it matters, through runnel::Log.
#include "log/log_cleaner.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
#include "log/crc32c.h"
#include "log/format.h"
#include "log/log_cleaner_test_util.h"
#include "log/offset_index.h"
#include "log/offset_map.h"
#include "log/time_index.h"
#include "runnel/log.h"
#include "runnel/mem_file_system.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace internal {
namespace {

using ::runnel::testing::ExpectedAfterClean;
using ::runnel::testing::KeyValue;
using ::runnel::testing::LatestPerKey;
using ::runnel::testing::MakeBatch;
using ::runnel::testing::ScannedLog;
using ::runnel::testing::ScannedRecord;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

constexpr char kDir[] = "/data/topic-0";
constexpr int64_t kFarFuture = int64_t{1} << 50;

std::string Path(int64_t base, absl::string_view suffix) {
  return absl::StrCat(kDir, "/", *format::SegmentFileName(base, suffix));
}

class LogCleanerTest : public ::testing::Test {
 protected:
  LogOptions LogOpts() const {
    LogOptions o;
    o.segment_bytes = 700;
    o.segment_index_bytes = 4096;
    o.index_interval_bytes = 150;
    o.preallocate_bytes = 4096;
    return o;
  }

  LogCleanerOptions CleanerOpts() const {
    LogCleanerOptions o;
    o.segment_bytes = 700 * 3;
    o.segment_index_bytes = 4096;
    o.index_interval_bytes = 150;
    o.delete_retention_ms = 1000;
    o.max_map_bytes = 1 << 20;
    return o;
  }

  void Write(const std::vector<std::string>& batches) {
    ASSERT_TRUE(testing::WriteLog(&fs_, kDir, LogOpts(), batches).ok());
  }

  ScannedLog Scan() {
    absl::StatusOr<ScannedLog> log = testing::ScanLogDir(&fs_, kDir);
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? *log : ScannedLog();
  }

  // All segments but the last (the active one) are cleaned.
  CleanRequest Request(const ScannedLog& log, int64_t now_ms) const {
    CleanRequest r;
    r.dir = kDir;
    for (size_t i = 0; i + 1 < log.segments.size(); ++i) {
      r.segment_base_offsets.push_back(log.segments[i].base_offset);
    }
    r.end_offset = log.segments.back().base_offset;
    r.first_dirty_offset = 0;
    r.now_ms = now_ms;
    return r;
  }

  absl::StatusOr<CleanResult> Clean(const CleanRequest& request,
                                    const LogCleanerOptions& options,
                                    const SwapHook& hook = nullptr) {
    LogCleaner cleaner(&fs_, options);
    return cleaner.Clean(request, hook);
  }

  // Reads the log through runnel::Log: must equal the file scan.
  void ExpectLogReads(const ScannedLog& scanned) {
    int gap_jumps = 0;
    absl::StatusOr<std::vector<ScannedRecord>> read = testing::ReadViaLog(
        &fs_, kDir, LogOpts(), scanned.segments, &gap_jumps);
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_THAT(*read, ElementsAreArray(scanned.records));
  }

  std::string FileContent(const std::string& path) {
    absl::StatusOr<std::string> s = testing::ReadFile(&fs_, path);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : "";
  }

  MemFileSystem fs_;
};

// 12 keys overwritten in many small batches, timestamps rising.
std::vector<std::string> Overwrites(int rounds, int keys = 12,
                                    Compression codec = Compression::kNone) {
  std::vector<std::string> batches;
  int64_t ts = 1000;
  for (int round = 0; round < rounds; ++round) {
    for (int k = 0; k < keys; k += 3) {
      std::vector<Record> records;
      for (int j = k; j < k + 3 && j < keys; ++j) {
        records.push_back(KeyValue(ts++, absl::StrCat("key", j),
                                   absl::StrCat("value", j, "-", round)));
      }
      batches.push_back(MakeBatch(records, codec));
    }
  }
  return batches;
}

TEST_F(LogCleanerTest, KeepsOnlyTheLatestRecordOfEveryKey) {
  Write(Overwrites(20));
  const ScannedLog before = Scan();
  ASSERT_GE(before.segments.size(), 8u);
  const CleanRequest request = Request(before, kFarFuture);
  absl::StatusOr<CleanResult> result = Clean(request, CleanerOpts());
  ASSERT_TRUE(result.ok()) << result.status();

  const ScannedLog after = Scan();
  const std::vector<ScannedRecord> expected =
      ExpectedAfterClean(before.records, request.end_offset, true);
  EXPECT_THAT(after.records, ElementsAreArray(expected));
  EXPECT_THAT(LatestPerKey(after.records),
              ElementsAreArray(LatestPerKey(before.records)));
  EXPECT_TRUE(after.temp_files.empty());
  EXPECT_EQ(result->next_dirty_offset, request.end_offset);
  EXPECT_EQ(result->stats.records_removed,
            static_cast<int64_t>(before.records.size() - after.records.size()));
  EXPECT_EQ(result->stats.map_entries, 12);
  EXPECT_LT(result->stats.bytes_written, result->stats.bytes_read);
  // Grouped: fewer segments, and the result lists exactly those on disk.
  std::vector<int64_t> on_disk;
  for (const auto& s : after.segments) on_disk.push_back(s.base_offset);
  on_disk.pop_back();  // the active one
  EXPECT_EQ(result->segment_base_offsets, on_disk);
  EXPECT_LT(on_disk.size(), request.segment_base_offsets.size());
  ExpectLogReads(after);

  // A second pass finds nothing more to do.
  absl::StatusOr<CleanResult> again =
      Clean(Request(after, kFarFuture), CleanerOpts());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->stats.records_removed, 0);
  EXPECT_THAT(Scan().records, ElementsAreArray(after.records));
}

TEST_F(LogCleanerTest, OffsetsAndBatchEndsArePreserved) {
  Write(Overwrites(6));
  const ScannedLog before = Scan();
  ASSERT_TRUE(Clean(Request(before, kFarFuture), CleanerOpts()).ok());
  const ScannedLog after = Scan();
  // Every batch left is one of the originals, with the same base offset and
  // last offset (offset deltas keep the gaps).
  std::map<int64_t, int64_t> original_ends;
  for (const RecordBatchHeader& h : before.batches) {
    original_ends[h.base_offset] = h.last_offset();
  }
  for (const RecordBatchHeader& h : after.batches) {
    ASSERT_EQ(original_ends.count(h.base_offset), 1u) << h.base_offset;
    EXPECT_EQ(original_ends[h.base_offset], h.last_offset());
  }
  EXPECT_LT(after.batches.size(), before.batches.size());
}

TEST_F(LogCleanerTest, TombstonesGoOnlyAfterDeleteRetention) {
  std::vector<std::string> batches = Overwrites(4);
  // Delete half the keys, then more traffic so they sit in sealed segments.
  for (int k = 0; k < 12; k += 2) {
    batches.push_back(
        MakeBatch({KeyValue(5000 + k, absl::StrCat("key", k), std::nullopt)}));
  }
  for (const std::string& b : Overwrites(3, 12)) batches.push_back(b);
  for (int k = 1; k < 12; k += 2) {  // and delete the other half later
    batches.push_back(
        MakeBatch({KeyValue(9000 + k, absl::StrCat("key", k), std::nullopt)}));
  }
  for (const std::string& b : Overwrites(2, 3)) batches.push_back(b);
  Write(batches);
  const ScannedLog before = Scan();
  const int64_t max_ts = before.batches.back().max_timestamp;

  // Not yet expired: the latest tombstones stay.
  CleanRequest request = Request(before, max_ts);
  ASSERT_TRUE(Clean(request, CleanerOpts()).ok());
  ScannedLog after = Scan();
  EXPECT_THAT(after.records, ElementsAreArray(ExpectedAfterClean(
                                 before.records, request.end_offset, false)));
  int tombstones = 0;
  for (const ScannedRecord& r : after.records) tombstones += !r.value;
  EXPECT_GT(tombstones, 0);

  // Expired: gone, and nothing of their keys is left in the cleaned part.
  request = Request(after, max_ts + 1000 + 1 + 100000);
  absl::StatusOr<CleanResult> result = Clean(request, CleanerOpts());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->stats.tombstones_removed, tombstones);
  after = Scan();
  EXPECT_THAT(after.records, ElementsAreArray(ExpectedAfterClean(
                                 before.records, request.end_offset, true)));
  ExpectLogReads(after);
}

TEST_F(LogCleanerTest, TombstoneExpiryFollowsEachSegmentsNewestTimestamp) {
  // Tombstones at rising timestamps, one per batch, spread over segments.
  std::vector<std::string> batches;
  for (int i = 0; i < 40; ++i) {
    batches.push_back(MakeBatch(
        {KeyValue(i * 1000, absl::StrCat("k", i), std::nullopt),
         KeyValue(i * 1000 + 1, absl::StrCat("v", i), std::string(40, 'v'))}));
  }
  Write(batches);
  const ScannedLog before = Scan();
  const int64_t now = 20000;  // retention 1000: segments up to ts 19000 go
  LogCleanerOptions options = CleanerOpts();
  options.segment_bytes = 1;  // no grouping: one source, one output
  ASSERT_TRUE(Clean(Request(before, now), options).ok());
  const ScannedLog after = Scan();
  // Expected per record: a tombstone stays iff its segment's newest
  // timestamp + 1000 > now.
  std::map<int64_t, int64_t> segment_max;  // base -> newest timestamp
  for (const RecordBatchHeader& h : before.batches) {
    int64_t base = 0;
    for (const auto& s : before.segments) {
      if (s.base_offset <= h.base_offset) base = s.base_offset;
    }
    segment_max[base] = std::max(segment_max[base], h.max_timestamp);
  }
  const int64_t active = before.segments.back().base_offset;
  std::vector<ScannedRecord> expected;
  for (const ScannedRecord& r : before.records) {
    int64_t base = 0;
    for (const auto& s : before.segments) {
      if (s.base_offset <= r.offset) base = s.base_offset;
    }
    if (r.value || base == active || segment_max[base] + 1000 > now) {
      expected.push_back(r);
    }
  }
  EXPECT_THAT(after.records, ElementsAreArray(expected));
  EXPECT_LT(after.records.size(), before.records.size());
  EXPECT_GT(after.records.size(), before.records.size() / 2 + 1);
}

TEST_F(LogCleanerTest, NullKeyRecordsAreDroppedUnlessRetained) {
  std::vector<std::string> batches = Overwrites(3);
  batches.push_back(MakeBatch({KeyValue(2000, std::nullopt, "no key"),
                               KeyValue(2001, "key0", "last")}));
  for (const std::string& b : Overwrites(3)) batches.push_back(b);
  Write(batches);
  const ScannedLog before = Scan();
  const CleanRequest request = Request(before, 0);

  LogCleanerOptions options = CleanerOpts();
  options.retain_null_key_records = true;
  absl::StatusOr<CleanResult> kept = Clean(request, options);
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_THAT(Scan().records,
              ElementsAreArray(ExpectedAfterClean(
                  before.records, request.end_offset, false, true)));
  EXPECT_EQ(kept->stats.null_key_records_removed, 0);

  absl::StatusOr<CleanResult> dropped =
      Clean(Request(Scan(), 0), CleanerOpts());
  ASSERT_TRUE(dropped.ok()) << dropped.status();
  EXPECT_EQ(dropped->stats.null_key_records_removed, 1);
  const ScannedLog after = Scan();
  EXPECT_THAT(after.records, ElementsAreArray(ExpectedAfterClean(
                                 before.records, request.end_offset, false)));
  for (const ScannedRecord& r : after.records) EXPECT_TRUE(r.key.has_value());
}

TEST_F(LogCleanerTest, Lz4BatchesStayLz4) {
  Write(Overwrites(10, 12, Compression::kLz4));
  const ScannedLog before = Scan();
  const CleanRequest request = Request(before, kFarFuture);
  absl::StatusOr<CleanResult> result = Clean(request, CleanerOpts());
  ASSERT_TRUE(result.ok()) << result.status();
  const ScannedLog after = Scan();
  EXPECT_THAT(after.records, ElementsAreArray(ExpectedAfterClean(
                                 before.records, request.end_offset, true)));
  ASSERT_FALSE(after.batches.empty());
  for (const RecordBatchHeader& h : after.batches) {
    EXPECT_EQ(h.compression, Compression::kLz4) << h.base_offset;
  }
  EXPECT_GT(result->stats.records_removed, 0);
}

TEST_F(LogCleanerTest, HeadersAndTimestampsArePreserved) {
  std::vector<std::string> batches;
  for (int i = 0; i < 30; ++i) {
    Record a = KeyValue(100000 - i * 7, absl::StrCat("k", i % 4),
                        absl::StrCat("v", i));
    a.headers = {{"trace", absl::StrCat("t", i)}, {"empty", std::nullopt}};
    Record b = KeyValue(50 + i, absl::StrCat("other", i), "x");  // earlier ts
    b.headers = {{"h", std::string("")}};
    batches.push_back(MakeBatch({a, b}));
  }
  Write(batches);
  const ScannedLog before = Scan();
  const CleanRequest request = Request(before, kFarFuture);
  ASSERT_TRUE(Clean(request, CleanerOpts()).ok());
  // ScannedRecord equality covers timestamps and headers.
  const ScannedLog after = Scan();
  EXPECT_THAT(after.records, ElementsAreArray(ExpectedAfterClean(
                                 before.records, request.end_offset, true)));
  // A rewritten batch's max timestamp is its records' largest.
  for (const RecordBatchHeader& h : after.batches) {
    int64_t max_ts = -1;
    for (const ScannedRecord& r : after.records) {
      if (r.offset >= h.base_offset && r.offset <= h.last_offset()) {
        max_ts = std::max(max_ts, r.timestamp);
      }
    }
    EXPECT_EQ(h.max_timestamp, max_ts) << h.base_offset;
  }
}

TEST_F(LogCleanerTest, BoundedMapCleansAPrefixAndTheNextPassContinues) {
  Write(Overwrites(8, 30));
  const ScannedLog before = Scan();
  LogCleanerOptions options = CleanerOpts();
  options.max_map_bytes = 10 * OffsetMap::kSlotBytes;  // 9 keys
  options.map_load_factor = 0.95;
  CleanRequest request = Request(before, kFarFuture);
  std::vector<ScannedRecord> expected = before.records;
  int passes = 0;
  for (;;) {
    absl::StatusOr<CleanResult> result = Clean(request, options);
    ASSERT_TRUE(result.ok()) << result.status();
    ++passes;
    EXPECT_EQ(result->stats.map_entries, 9);
    ASSERT_GT(result->next_dirty_offset, request.first_dirty_offset);
    // This pass: everything below next_dirty_offset deduplicated against
    // the keys mapped from first_dirty_offset on.
    const ScannedLog now = Scan();
    std::map<std::string, int64_t> latest;
    for (const ScannedRecord& r : expected) {
      if (r.offset >= request.first_dirty_offset &&
          r.offset < result->next_dirty_offset) {
        latest[*r.key] = r.offset;
      }
    }
    std::vector<ScannedRecord> kept;
    for (const ScannedRecord& r : expected) {
      auto it = latest.find(*r.key);
      if (r.offset >= result->next_dirty_offset || it == latest.end() ||
          it->second <= r.offset) {
        kept.push_back(r);
      }
    }
    expected = kept;
    ASSERT_THAT(now.records, ElementsAreArray(expected)) << "pass " << passes;
    if (result->next_dirty_offset == request.end_offset) break;
    request = Request(now, kFarFuture);
    request.first_dirty_offset = result->next_dirty_offset;
  }
  EXPECT_GE(passes, 3);
  EXPECT_THAT(Scan().records, ElementsAreArray(ExpectedAfterClean(
                                  before.records, request.end_offset, true)));
  ExpectLogReads(Scan());
}

TEST_F(LogCleanerTest, GroupsAdjacentSegmentsUpToSegmentBytes) {
  // Unique keys: nothing is removed, so sizes stay and grouping shows.
  std::vector<std::string> batches;
  for (int i = 0; i < 60; ++i) {
    batches.push_back(
        MakeBatch({KeyValue(i, absl::StrCat("k", i), std::string(50, 'x'))}));
  }
  Write(batches);
  const ScannedLog before = Scan();
  LogCleanerOptions options = CleanerOpts();
  options.segment_bytes = 1500;
  const CleanRequest request = Request(before, 0);
  absl::StatusOr<CleanResult> result = Clean(request, options);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_FALSE(result->groups.empty());
  std::map<int64_t, uint64_t> size_of;
  for (const auto& s : before.segments) size_of[s.base_offset] = s.size;
  size_t replaced = 0;
  for (const CleanedGroup& g : result->groups) {
    EXPECT_EQ(g.base_offset, g.replaced_base_offsets.front());
    EXPECT_LE(g.bytes_before, options.segment_bytes);
    EXPECT_EQ(g.bytes_after, g.bytes_before);  // nothing removed
    EXPECT_GE(g.replaced_base_offsets.size(), 2u);
    uint64_t sum = 0;
    for (int64_t b : g.replaced_base_offsets) sum += size_of[b];
    EXPECT_EQ(sum, g.bytes_before);
    replaced += g.replaced_base_offsets.size();
  }
  // Groups are maximal: a group plus the next segment would be too big.
  for (size_t i = 0; i + 1 < result->groups.size(); ++i) {
    const CleanedGroup& g = result->groups[i];
    EXPECT_GT(g.bytes_before +
                  size_of[result->groups[i + 1].replaced_base_offsets[0]],
              options.segment_bytes);
  }
  const ScannedLog after = Scan();
  EXPECT_THAT(after.records, ElementsAreArray(before.records));
  EXPECT_EQ(after.segments.size(),
            before.segments.size() - replaced + result->groups.size());
  ExpectLogReads(after);
}

TEST_F(LogCleanerTest, NothingToRemoveLeavesSingleSegmentsAlone) {
  std::vector<std::string> batches;
  for (int i = 0; i < 30; ++i) {
    batches.push_back(MakeBatch({KeyValue(i, absl::StrCat("k", i), "v")}));
  }
  Write(batches);
  const ScannedLog before = Scan();
  LogCleanerOptions options = CleanerOpts();
  options.segment_bytes = 1;  // every group is one segment
  absl::StatusOr<CleanResult> result = Clean(Request(before, 0), options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->groups.empty());
  EXPECT_EQ(result->stats.segments_written, 0);
  const ScannedLog after = Scan();
  EXPECT_EQ(after.segments.size(), before.segments.size());
  EXPECT_THAT(after.records, ElementsAreArray(before.records));
}

TEST_F(LogCleanerTest, TheActiveSegmentIsNeverTouched) {
  Write(Overwrites(10));
  const ScannedLog before = Scan();
  const int64_t active = before.segments.back().base_offset;
  std::map<std::string, std::string> files;
  for (const char* suffix : {".log", ".index", ".timeindex"}) {
    files[suffix] = FileContent(Path(active, suffix));
  }
  ASSERT_FALSE(files[".log"].empty());
  const CleanRequest request = Request(before, kFarFuture);
  ASSERT_TRUE(Clean(request, CleanerOpts()).ok());
  for (const char* suffix : {".log", ".index", ".timeindex"}) {
    EXPECT_EQ(FileContent(Path(active, suffix)), files[suffix]) << suffix;
  }
  // Its records are all still there, superseded or not.
  const ScannedLog after = Scan();
  size_t in_active = 0;
  for (const ScannedRecord& r : after.records) in_active += r.offset >= active;
  size_t before_active = 0;
  for (const ScannedRecord& r : before.records) {
    before_active += r.offset >= active;
  }
  EXPECT_EQ(in_active, before_active);
}

TEST_F(LogCleanerTest, AGroupWithNothingLeftBecomesAnEmptySegment) {
  // The first segments hold only keys that are overwritten later.
  std::vector<std::string> batches;
  for (int i = 0; i < 12; ++i) {
    batches.push_back(MakeBatch({KeyValue(i, "a", std::string(100, 'a')),
                                 KeyValue(i, "b", std::string(100, 'b'))}));
  }
  for (int i = 0; i < 12; ++i) {
    batches.push_back(
        MakeBatch({KeyValue(100 + i, absl::StrCat("c", i), "c")}));
  }
  batches.push_back(
      MakeBatch({KeyValue(500, "a", "A"), KeyValue(501, "b", "B")}));
  for (int i = 0; i < 12; ++i) {
    batches.push_back(
        MakeBatch({KeyValue(600 + i, "d", std::string(200, 'd'))}));
  }
  Write(batches);
  const ScannedLog before = Scan();
  LogCleanerOptions options = CleanerOpts();
  options.segment_bytes = 1400;
  const CleanRequest request = Request(before, kFarFuture);
  absl::StatusOr<CleanResult> result = Clean(request, options);
  ASSERT_TRUE(result.ok()) << result.status();
  const ScannedLog after = Scan();
  ASSERT_FALSE(after.segments.empty());
  EXPECT_EQ(after.segments[0].base_offset, 0);  // the log still starts at 0
  EXPECT_EQ(after.segments[0].size, 0u);
  EXPECT_EQ(FileContent(Path(0, ".index")), "");
  EXPECT_THAT(after.records, ElementsAreArray(ExpectedAfterClean(
                                 before.records, request.end_offset, true)));
  ExpectLogReads(after);
}

TEST_F(LogCleanerTest, ControlBatchesAreKept) {
  std::vector<std::string> batches = Overwrites(3);
  ControlBatchOptions control;
  control.producer_id = 7;
  control.timestamp = 3000;
  batches.push_back(*EncodeControlBatch(control));
  for (const std::string& b : Overwrites(4)) batches.push_back(b);
  Write(batches);
  const ScannedLog before = Scan();
  ASSERT_EQ(before.control_batch_offsets.size(), 1u);
  const CleanRequest request = Request(before, kFarFuture);
  ASSERT_LT(before.control_batch_offsets[0], request.end_offset);
  ASSERT_TRUE(Clean(request, CleanerOpts()).ok());
  const ScannedLog after = Scan();
  EXPECT_EQ(after.control_batch_offsets, before.control_batch_offsets);
  EXPECT_THAT(after.records, ElementsAreArray(ExpectedAfterClean(
                                 before.records, request.end_offset, true)));
}

// A batch claiming gzip (which Runnel cannot decode) is copied as it is and
// its keys are not mapped, so older records of those keys stay too.
TEST_F(LogCleanerTest, UndecodableBatchesAreKeptAsTheyAre) {
  std::string gzip = MakeBatch({KeyValue(10, "key0", "gz")});
  const uint16_t attributes = 1;  // codec gzip; the records stay plain
  gzip[format::kAttributesOffset] = 0;
  gzip[format::kAttributesOffset + 1] = static_cast<char>(attributes);
  const uint32_t crc =
      Crc32c(absl::string_view(gzip).substr(format::kCrcCoverageStart));
  for (int i = 0; i < 4; ++i) {
    gzip[format::kCrcOffset + i] = static_cast<char>(crc >> (24 - 8 * i));
  }
  std::vector<std::string> batches = Overwrites(2);
  batches.push_back(gzip);
  for (const std::string& b : Overwrites(3, 6)) batches.push_back(b);
  Write(batches);
  const ScannedLog before = Scan();
  ASSERT_EQ(before.undecodable_batch_offsets.size(), 1u);
  const CleanRequest request = Request(before, kFarFuture);
  absl::StatusOr<CleanResult> result = Clean(request, CleanerOpts());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->stats.undecodable_batches_kept, 1);
  const ScannedLog after = Scan();
  EXPECT_EQ(after.undecodable_batch_offsets, before.undecodable_batch_offsets);
  // key6..key11 were last written before the gzip batch: kept as latest.
  EXPECT_THAT(after.records, ElementsAreArray(ExpectedAfterClean(
                                 before.records, request.end_offset, true)));
}

TEST_F(LogCleanerTest, CleanedIndexesFindEveryOffset) {
  Write(Overwrites(12));
  const ScannedLog before = Scan();
  LogCleanerOptions options = CleanerOpts();
  options.segment_bytes = 5000;
  ASSERT_TRUE(Clean(Request(before, kFarFuture), options).ok());
  const ScannedLog after = Scan();
  for (size_t i = 0; i + 1 < after.segments.size(); ++i) {
    const int64_t base = after.segments[i].base_offset;
    SCOPED_TRACE(absl::StrCat("segment ", base));
    absl::StatusOr<std::unique_ptr<OffsetIndex>> index = OffsetIndex::Open(
        &fs_, Path(base, ".index"), base, 4096, /*writable=*/false);
    ASSERT_TRUE(index.ok()) << index.status();
    EXPECT_TRUE((*index)->Validate().ok());
    absl::StatusOr<std::unique_ptr<TimeIndex>> time_index = TimeIndex::Open(
        &fs_, Path(base, ".timeindex"), base, 4096, /*writable=*/false);
    ASSERT_TRUE(time_index.ok()) << time_index.status();
    EXPECT_TRUE((*time_index)->Validate().ok());
    // Batch start positions of this segment.
    std::map<int64_t, uint64_t> position_of;  // last offset -> position
    std::vector<uint64_t> starts;
    uint64_t pos = 0;
    for (const RecordBatchHeader& h : after.batches) {
      if (h.base_offset < base ||
          h.base_offset >= after.segments[i + 1].base_offset) {
        continue;
      }
      starts.push_back(pos);
      position_of[h.last_offset()] = pos;
      pos += h.size_bytes();
    }
    EXPECT_EQ(pos, after.segments[i].size);
    if (after.segments[i].size > 600) {
      EXPECT_GT((*index)->entries(), 0u);
    }
    for (const auto& [last, position] : position_of) {
      absl::StatusOr<OffsetPosition> found = (*index)->Lookup(last);
      ASSERT_TRUE(found.ok());
      EXPECT_LE(found->position, position);
      EXPECT_NE(std::find(starts.begin(), starts.end(), found->position),
                starts.end());
    }
  }
  ExpectLogReads(after);
}

TEST_F(LogCleanerTest, TheHookSwapsEachGroupInOrder) {
  Write(Overwrites(15));
  const ScannedLog before = Scan();
  const CleanRequest request = Request(before, kFarFuture);
  std::vector<CleanedGroup> seen;
  absl::StatusOr<CleanResult> result = Clean(
      request, CleanerOpts(),
      [&](const CleanedGroup& group, const SwapFunction& swap) {
        // The cleaned files are ready, the old ones untouched.
        EXPECT_TRUE(fs_.FileExists(Path(group.base_offset, ".log.cleaned"))
                        .value_or(false));
        SwapOutcome outcome = swap();
        EXPECT_TRUE(outcome.committed);
        EXPECT_FALSE(fs_.FileExists(Path(group.base_offset, ".log.cleaned"))
                         .value_or(true));
        seen.push_back(group);
        return outcome.status;
      });
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(seen.size(), result->groups.size());
  ASSERT_GE(seen.size(), 2u);
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].base_offset, result->groups[i].base_offset);
    EXPECT_EQ(seen[i].replaced_base_offsets,
              result->groups[i].replaced_base_offsets);
    if (i > 0) {
      EXPECT_EQ(seen[i].base_offset, seen[i - 1].next_offset);
    }
  }
  EXPECT_EQ(seen.back().next_offset, request.end_offset);
}

TEST_F(LogCleanerTest, AHookThatDoesNotSwapStopsTheCleaning) {
  Write(Overwrites(15));
  const ScannedLog before = Scan();
  int calls = 0;
  absl::StatusOr<CleanResult> result =
      Clean(Request(before, kFarFuture), CleanerOpts(),
            [&](const CleanedGroup&, const SwapFunction&) {
              ++calls;
              return absl::OkStatus();
            });
  EXPECT_EQ(result.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(calls, 1);
  const ScannedLog after = Scan();
  EXPECT_THAT(after.records, ElementsAreArray(before.records));
  EXPECT_EQ(after.segments.size(), before.segments.size());
  EXPECT_TRUE(after.temp_files.empty());

  result = Clean(Request(before, kFarFuture), CleanerOpts(),
                 [&](const CleanedGroup&, const SwapFunction&) {
                   return absl::UnavailableError("log is closing");
                 });
  EXPECT_THAT(result.status(), testing::StatusIs(absl::StatusCode::kUnavailable,
                                                 HasSubstr("closing")));
  EXPECT_TRUE(Scan().temp_files.empty());
}

TEST_F(LogCleanerTest, CancelStopsBeforeAnythingChanges) {
  Write(Overwrites(10));
  const ScannedLog before = Scan();
  std::atomic<bool> cancel{true};
  CleanRequest request = Request(before, kFarFuture);
  request.cancel = &cancel;
  absl::StatusOr<CleanResult> result = Clean(request, CleanerOpts());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kCancelled);
  EXPECT_THAT(Scan().records, ElementsAreArray(before.records));
}

TEST_F(LogCleanerTest, CorruptBatchIsDataLossAndChangesNothing) {
  Write(Overwrites(10));
  const ScannedLog before = Scan();
  // Flip a byte inside the first segment's first batch's records.
  const std::string path = Path(0, ".log");
  std::string bytes = FileContent(path);
  bytes[format::kRecordsOffset + 5] ^= 0x55;
  ASSERT_TRUE(testing::WriteFile(&fs_, path, bytes).ok());
  absl::StatusOr<CleanResult> result =
      Clean(Request(before, kFarFuture), CleanerOpts());
  EXPECT_THAT(result.status(),
              testing::StatusIs(absl::StatusCode::kDataLoss,
                                HasSubstr("00000000000000000000.log")));
  EXPECT_EQ(FileContent(path), bytes);
  absl::StatusOr<std::vector<std::string>> names = fs_.ListDir(kDir);
  ASSERT_TRUE(names.ok());
  size_t logs = 0;
  for (const std::string& name : *names) {
    EXPECT_THAT(name, ::testing::Not(HasSubstr(".cleaned")));
    logs += absl::EndsWith(name, ".log");
  }
  EXPECT_EQ(logs, before.segments.size());
}

TEST_F(LogCleanerTest, RejectsBadRequests) {
  Write(Overwrites(4));
  const ScannedLog before = Scan();
  CleanRequest request = Request(before, 0);
  ASSERT_GE(request.segment_base_offsets.size(), 2u);

  CleanRequest unsorted = request;
  std::swap(unsorted.segment_base_offsets[0], unsorted.segment_base_offsets[1]);
  EXPECT_EQ(Clean(unsorted, CleanerOpts()).status().code(),
            absl::StatusCode::kInvalidArgument);

  CleanRequest low_end = request;
  low_end.end_offset = request.segment_base_offsets.back();
  EXPECT_EQ(Clean(low_end, CleanerOpts()).status().code(),
            absl::StatusCode::kInvalidArgument);

  LogCleanerOptions tiny = CleanerOpts();
  tiny.max_map_bytes = OffsetMap::kSlotBytes;
  EXPECT_THAT(Clean(request, tiny).status(),
              testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                HasSubstr("max_map_bytes")));

  CleanRequest missing = request;
  missing.segment_base_offsets.insert(missing.segment_base_offsets.begin() + 1,
                                      missing.segment_base_offsets[0] + 1);
  EXPECT_EQ(Clean(missing, CleanerOpts()).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_THAT(Scan().records, ElementsAreArray(before.records));
}

TEST_F(LogCleanerTest, AnEmptyRequestIsANoOp) {
  Write(Overwrites(1));
  CleanRequest request;
  request.dir = kDir;
  request.end_offset = 0;
  absl::StatusOr<CleanResult> result = Clean(request, CleanerOpts());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->groups.empty());
  EXPECT_EQ(result->next_dirty_offset, 0);
}

}  // namespace
}  // namespace internal
}  // namespace runnel
