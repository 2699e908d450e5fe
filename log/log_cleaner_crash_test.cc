// Copyright 2026 The Runnel Authors.
//
// Crash safety of log compaction. A log written by runnel::Log is cleaned
// on a FaultInjectionFileSystem in three sweeps over EVERY operation k of a
// cleaning pass:
//   - operation k fails (EIO): Clean returns the error, and the directory
//     is at once a consistent log with no temp files left;
//   - the machine crashes right after operation k (every later operation
//     fails, then SimulateCrash), with and without torn pages: after
//     CompleteInterruptedCleaning the directory is a consistent log.
// "Consistent" is checked file by file (ScanLogDir: CRCs, offsets strictly
// rising inside segment bounds) and means: every group of segments the pass
// would replace holds exactly its old records or exactly its cleaned ones
// (never a mix, never duplicates or holes), everything else is untouched,
// and every key still reads as its latest value (a dropped tombstone never
// lets an older value reappear). Then the log is read through runnel::Log,
// and one more Clean must reach the fully cleaned content.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "log/cleaner_swap.h"
#include "log/log_cleaner.h"
#include "log/log_cleaner_test_util.h"
#include "runnel/fault_injection_file_system.h"
#include "runnel/log.h"
#include "runnel/mem_file_system.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace internal {
namespace {

using ::runnel::testing::KeyValue;
using ::runnel::testing::MakeBatch;
using ::runnel::testing::ScannedLog;
using ::runnel::testing::ScannedRecord;

constexpr char kDir[] = "/data/compact-0";
constexpr int64_t kNow = int64_t{1} << 50;  // every tombstone has expired

LogOptions LogOpts() {
  LogOptions o;
  o.segment_bytes = 500;
  o.segment_index_bytes = 1024;
  o.index_interval_bytes = 120;
  o.preallocate_bytes = 1024;
  o.retention_ms = absl::InfiniteDuration();
  // Deterministic file operations: rolled segments wait for the next Sync.
  o.sync_rolled_segments_in_background = false;
  return o;
}

LogCleanerOptions CleanerOpts() {
  LogCleanerOptions o;
  o.segment_bytes = 1100;  // groups of two or so
  o.segment_index_bytes = 1024;
  o.index_interval_bytes = 120;
  o.delete_retention_ms = 1000;
  o.write_buffer_bytes = 300;  // several writes per cleaned segment
  return o;
}

// Keys overwritten over and over, some deleted (tombstones late in the log
// whose keys have values in earlier groups), some null-key records.
void BuildLog(FileSystem* fs) {
  std::vector<std::string> batches;
  int64_t ts = 1000;
  for (int round = 0; round < 6; ++round) {
    for (int k = 0; k < 8; k += 2) {
      batches.push_back(MakeBatch(
          {KeyValue(ts++, absl::StrCat("k", k),
                    absl::StrCat("v", k, "-", round, std::string(20, 'x'))),
           KeyValue(ts++, absl::StrCat("k", k + 1),
                    absl::StrCat("v", k + 1, "-", round))},
          round % 2 == 0 ? Compression::kNone : Compression::kLz4));
    }
    if (round == 2) batches.push_back(MakeBatch({KeyValue(ts++, {}, "nokey")}));
    if (round == 4) {
      batches.push_back(MakeBatch({KeyValue(ts++, "k1", std::nullopt),
                                   KeyValue(ts++, "k6", std::nullopt)}));
    }
  }
  batches.push_back(MakeBatch({KeyValue(ts++, "k3", std::nullopt)}));
  for (int i = 0; i < 4; ++i) {
    batches.push_back(
        MakeBatch({KeyValue(ts++, "tail", std::string(150, 't'))}));
  }
  ASSERT_TRUE(testing::WriteLog(fs, kDir, LogOpts(), batches).ok());
}

CleanRequest Request(const ScannedLog& log) {
  CleanRequest r;
  r.dir = kDir;
  for (size_t i = 0; i + 1 < log.segments.size(); ++i) {
    r.segment_base_offsets.push_back(log.segments[i].base_offset);
  }
  r.end_offset = log.segments.back().base_offset;
  r.now_ms = kNow;
  return r;
}

std::vector<ScannedRecord> InRange(const std::vector<ScannedRecord>& records,
                                   int64_t from, int64_t to) {
  std::vector<ScannedRecord> out;
  for (const ScannedRecord& r : records) {
    if (r.offset >= from && r.offset < to) out.push_back(r);
  }
  return out;
}

// The reference: the log before cleaning, after a fault-free pass, the
// pass's groups and how many file-system operations it made.
struct Reference {
  ScannedLog old_log;
  ScannedLog new_log;
  CleanRequest request;
  std::vector<CleanedGroup> groups;
  uint64_t operations = 0;
};

Reference MakeReference() {
  Reference ref;
  MemFileSystem mem;
  BuildLog(&mem);
  ref.old_log = *testing::ScanLogDir(&mem, kDir);
  ref.request = Request(ref.old_log);
  FaultInjectionFileSystem fs(&mem);
  absl::StatusOr<CleanResult> result =
      LogCleaner(&fs, CleanerOpts()).Clean(ref.request);
  EXPECT_TRUE(result.ok()) << result.status();
  if (result.ok()) ref.groups = result->groups;
  ref.operations = fs.operation_count();
  ref.new_log = *testing::ScanLogDir(&mem, kDir);
  return ref;
}

// The checks of the banner, on whatever `mem` holds now.
void ExpectConsistent(const Reference& ref, FileSystem* mem, int* groups_new) {
  absl::StatusOr<ScannedLog> now = testing::ScanLogDir(mem, kDir);
  ASSERT_TRUE(now.ok()) << now.status();
  EXPECT_TRUE(now->temp_files.empty())
      << now->temp_files.size() << " temp files, e.g. "
      << now->temp_files.front();
  int64_t covered_to = 0;
  for (const CleanedGroup& g : ref.groups) {
    const auto got = InRange(now->records, g.base_offset, g.next_offset);
    const auto old_records =
        InRange(ref.old_log.records, g.base_offset, g.next_offset);
    const auto new_records =
        InRange(ref.new_log.records, g.base_offset, g.next_offset);
    if (got == new_records && got != old_records) {
      ++*groups_new;
    } else {
      EXPECT_EQ(got, old_records)
          << "group " << g.base_offset << " is neither old nor new";
    }
    covered_to = g.next_offset;
  }
  EXPECT_EQ(InRange(now->records, covered_to, INT64_MAX),
            InRange(ref.old_log.records, covered_to, INT64_MAX));
  // Latest value of every key: the old one, or gone with its tombstone.
  std::map<std::string, ScannedRecord> old_latest, now_latest;
  for (const ScannedRecord& r : ref.old_log.records) {
    if (r.key) old_latest[*r.key] = r;
  }
  for (const ScannedRecord& r : now->records) {
    if (r.key) now_latest[*r.key] = r;
  }
  for (const auto& [key, latest] : old_latest) {
    auto it = now_latest.find(key);
    if (it == now_latest.end()) {
      EXPECT_FALSE(latest.value.has_value()) << "key " << key << " vanished";
    } else {
      EXPECT_EQ(it->second, latest) << "key " << key;
    }
  }
  // And through the Log itself.
  int gap_jumps = 0;
  absl::StatusOr<std::vector<ScannedRecord>> read =
      testing::ReadViaLog(mem, kDir, LogOpts(), now->segments, &gap_jumps);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, now->records);
}

// One more (fault-free) pass must reach the fully cleaned records.
void ExpectCleanable(const Reference& ref, FileSystem* fs) {
  absl::StatusOr<ScannedLog> now = testing::ScanLogDir(fs, kDir);
  ASSERT_TRUE(now.ok()) << now.status();
  absl::StatusOr<CleanResult> result =
      LogCleaner(fs, CleanerOpts()).Clean(Request(*now));
  ASSERT_TRUE(result.ok()) << result.status();
  absl::StatusOr<ScannedLog> done = testing::ScanLogDir(fs, kDir);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->records, ref.new_log.records);
}

class LogCleanerCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ref_ = MakeReference();
    RecordProperty("operations", static_cast<int>(ref_.operations));
    RecordProperty("groups", static_cast<int>(ref_.groups.size()));
    ASSERT_GE(ref_.groups.size(), 3u);
    ASSERT_GT(ref_.operations, 100u);
    ASSERT_LT(ref_.new_log.records.size(), ref_.old_log.records.size());
  }
  Reference ref_;
};

TEST_F(LogCleanerCrashTest, EveryFailedOperationLeavesAConsistentLog) {
  int groups_new = 0;
  for (uint64_t k = 0; k < ref_.operations; ++k) {
    SCOPED_TRACE(absl::StrCat("operation ", k, " fails"));
    MemFileSystem mem;
    BuildLog(&mem);
    FaultInjectionFileSystem fs(&mem);
    fs.FailOperationAt(k, EIO);
    absl::StatusOr<CleanResult> result =
        LogCleaner(&fs, CleanerOpts()).Clean(ref_.request);
    ASSERT_EQ(fs.faults_injected(), 1u);
    EXPECT_FALSE(result.ok());
    ExpectConsistent(ref_, &mem, &groups_new);
    absl::StatusOr<InterruptedCleaning> done =
        CompleteInterruptedCleaning(&fs, kDir);
    ASSERT_TRUE(done.ok()) << done.status();
    EXPECT_EQ(done->action, InterruptedCleaning::Action::kNone);
    ExpectCleanable(ref_, &fs);
    if (HasFatalFailure() || HasFailure()) return;
  }
  EXPECT_GT(groups_new, 0);  // failures late in the pass keep early groups
}

void CrashSweep(const Reference& ref, bool tear) {
  int groups_new = 0, rolled_back = 0, rolled_forward = 0;
  for (uint64_t k = 0; k < ref.operations; ++k) {
    SCOPED_TRACE(absl::StrCat("crash after operation ", k));
    MemFileSystem mem;
    BuildLog(&mem);
    FaultInjectionFileSystem fs(&mem);
    FaultRule rule;
    rule.skip = k + 1;  // operations 0..k succeed, every later one fails
    rule.persistent = true;
    fs.AddFault(rule);
    LogCleaner(&fs, CleanerOpts()).Clean(ref.request).IgnoreError();
    CrashOptions crash;
    crash.tear_last_unsynced_page = tear;
    crash.seed = k;
    ASSERT_TRUE(fs.SimulateCrash(crash).ok());
    fs.ClearFaults();
    absl::StatusOr<InterruptedCleaning> done =
        CompleteInterruptedCleaning(&fs, kDir);
    ASSERT_TRUE(done.ok()) << done.status();
    rolled_back += done->action == InterruptedCleaning::Action::kRolledBack;
    rolled_forward +=
        done->action == InterruptedCleaning::Action::kRolledForward;
    ExpectConsistent(ref, &mem, &groups_new);
    ExpectCleanable(ref, &fs);
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GT(groups_new, 0);
  EXPECT_GT(rolled_back, 0);
  EXPECT_GT(rolled_forward, 0);
}

TEST_F(LogCleanerCrashTest, CrashAfterEveryOperationRecovers) {
  CrashSweep(ref_, /*tear=*/false);
}

TEST_F(LogCleanerCrashTest, CrashWithTornPagesAfterEveryOperationRecovers) {
  CrashSweep(ref_, /*tear=*/true);
}

}  // namespace
}  // namespace internal
}  // namespace runnel
