// Copyright 2026 The Runnel Authors.
//
// Segment recycling (LogOptions::recycle_segments, log/segment.h): files
// deleted by retention go to the pool, the next roll reuses one, old bytes
// are never served, pinned segments are never reused, and the pool is
// bounded and does not survive Open. On MemFileSystem and PosixFileSystem.
#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "log/background_syncer.h"
#include "log/prefaulter.h"
#include "log/segment.h"
#include "runnel/fault_injection_file_system.h"
#include "runnel/file_system.h"
#include "runnel/log.h"
#include "runnel/mem_file_system.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace {

// One batch of `count` records whose values are `fill` repeated (base
// offset 0: the log assigns the real one).
std::string Batch(int count, char fill, size_t value_bytes = 200) {
  std::string out;
  RecordBatchBuilder builder(RecordBatchOptions{}, &out);
  for (int i = 0; i < count; ++i) {
    EXPECT_TRUE(builder
                    .Append(1700000000000 + i, absl::StrCat("k", i),
                            std::string(value_bytes, fill))
                    .ok());
  }
  EXPECT_TRUE(builder.Finish().ok());
  return out;
}

// Every batch from the log start, in order, as stored.
std::vector<std::string> ReadBatches(Log* log) {
  std::vector<std::string> out;
  int64_t offset = log->log_start_offset();
  while (offset < log->log_end_offset()) {
    absl::StatusOr<LogReadResult> read = log->Read(offset, 1);
    EXPECT_TRUE(read.ok()) << read.status();
    if (!read.ok() || read->batches.empty()) break;
    absl::StatusOr<RecordBatchHeader> h = ReadBatchHeader(read->batches[0]);
    EXPECT_TRUE(h.ok());
    if (!h.ok()) break;
    out.emplace_back(read->batches[0]);
    offset = h->last_offset() + 1;
  }
  return out;
}

enum class FsKind { kMem, kPosix };

class SegmentRecycleTest : public ::testing::TestWithParam<FsKind> {
 protected:
  void SetUp() override {
    if (GetParam() == FsKind::kMem) {
      fs_ = &mem_;
      dir_ = "/data/recycle-0";
    } else {
      posix_ = NewPosixFileSystem();
      fs_ = posix_.get();
      const char* tmp = std::getenv("TEST_TMPDIR");
      std::string name =
          ::testing::UnitTest::GetInstance()->current_test_info()->name();
      std::replace(name.begin(), name.end(), '/', '_');  // "Name/0"
      dir_ = absl::StrCat(tmp != nullptr ? tmp : "/tmp",
                          "/segment_recycle_test-", name);
      absl::Status cleared = fs_->RemoveAll(dir_);
      ASSERT_TRUE(cleared.ok() || absl::IsNotFound(cleared)) << cleared;
    }
    options_.file_system = fs_;
    options_.segment_bytes = 4000;  // a few batches per segment
    options_.preallocate_bytes = 4096;
    options_.retention_ms = absl::InfiniteDuration();
    options_.retention_bytes = 4000;  // about one full segment stays
    options_.recycle_segments = 1;
  }

  std::unique_ptr<Log> OpenLog() {
    absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(dir_, options_);
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? *std::move(log) : nullptr;
  }

  std::vector<std::string> Pool() {
    absl::StatusOr<std::vector<std::string>> pool =
        internal::Segment::ListRecyclePool(fs_, dir_);
    EXPECT_TRUE(pool.ok()) << pool.status();
    return pool.ok() ? *pool : std::vector<std::string>();
  }

  std::vector<std::string> LogFiles() {
    absl::StatusOr<std::vector<std::string>> names = fs_->ListDir(dir_);
    EXPECT_TRUE(names.ok()) << names.status();
    std::vector<std::string> logs;
    if (!names.ok()) return logs;
    for (const std::string& name : *names) {
      if (absl::EndsWith(name, ".log")) logs.push_back(name);
    }
    return logs;
  }

  // Appends `batch` (a fresh copy each time) and returns it as stored.
  std::string Append(Log* log, const std::string& batch) {
    absl::StatusOr<AppendInfo> info = log->Append(batch);
    EXPECT_TRUE(info.ok()) << info.status();
    std::string stored = batch;
    if (info.ok()) {
      EXPECT_TRUE(
          SetBaseOffset(absl::MakeSpan(stored), info->first_offset).ok());
      EXPECT_TRUE(SetPartitionLeaderEpoch(absl::MakeSpan(stored), 0).ok());
    }
    return stored;
  }

  MemFileSystem mem_;
  std::unique_ptr<FileSystem> posix_;
  FileSystem* fs_ = nullptr;
  std::string dir_;
  LogOptions options_;
};

TEST_P(SegmentRecycleTest, RetentionPoolsTheFileAndTheNextRollReusesIt) {
  std::unique_ptr<Log> log = OpenLog();
  ASSERT_NE(log, nullptr);
  std::vector<std::string> appended;
  // ~1.3 KB batches of 'a': three per 4000-byte segment.
  while (log->segment_count() < 4) {
    appended.push_back(Append(log.get(), Batch(5, 'a')));
  }
  internal::Prefaulter::Default()->Drain();  // it may hold old mappings
  // A rolled segment whose sync is under way stays out of the pool.
  internal::BackgroundSyncer::Default()->Drain();
  absl::StatusOr<int> deleted = log->ApplyRetention();
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  ASSERT_GE(*deleted, 1);
  EXPECT_EQ(Pool().size(), 1u);  // one kept, the rest unlinked
  const size_t files_before_roll = LogFiles().size();

  // Roll into the pooled file, with smaller batches of 'b' so that its old
  // bytes ('a' batches) lie past the new data.
  const int64_t segments = log->segment_count();
  std::vector<std::string> fresh;
  while (log->segment_count() == segments) {
    fresh.push_back(Append(log.get(), Batch(1, 'b', 50)));
  }
  EXPECT_TRUE(Pool().empty());
  EXPECT_EQ(LogFiles().size(), files_before_roll + 1);
  fresh.push_back(Append(log.get(), Batch(1, 'b', 50)));

  std::vector<std::string> stored = ReadBatches(log.get());
  ASSERT_GE(stored.size(), fresh.size());
  EXPECT_EQ(std::vector<std::string>(stored.end() - fresh.size(), stored.end()),
            fresh);
  // Closed cleanly, every segment is exactly its batches: the recycled file
  // was trimmed, so a reopen (which trusts sizes) serves the same.
  ASSERT_TRUE(log->Close().ok());
  log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(ReadBatches(log.get()), stored);
}

TEST_P(SegmentRecycleTest, PoolIsBoundedAndGoneAfterOpen) {
  options_.retention_bytes = 0;  // retention deletes all but the active one
  std::unique_ptr<Log> log = OpenLog();
  ASSERT_NE(log, nullptr);
  while (log->segment_count() < 5) Append(log.get(), Batch(5, 'a'));
  internal::Prefaulter::Default()->Drain();  // it may hold old mappings
  // A rolled segment whose sync is under way stays out of the pool.
  internal::BackgroundSyncer::Default()->Drain();
  absl::StatusOr<int> deleted = log->ApplyRetention();
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, 4);
  EXPECT_EQ(Pool().size(), 1u);
  EXPECT_EQ(LogFiles().size(), 1u);
  ASSERT_TRUE(log->Close().ok());
  log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_TRUE(Pool().empty());
  EXPECT_EQ(log->segment_count(), 1);
}

TEST_P(SegmentRecycleTest, ZeroDisablesRecycling) {
  options_.recycle_segments = 0;
  std::unique_ptr<Log> log = OpenLog();
  ASSERT_NE(log, nullptr);
  while (log->segment_count() < 4) Append(log.get(), Batch(5, 'a'));
  internal::Prefaulter::Default()->Drain();  // it may hold old mappings
  // A rolled segment whose sync is under way stays out of the pool.
  internal::BackgroundSyncer::Default()->Drain();
  absl::StatusOr<int> deleted = log->ApplyRetention();
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_GE(*deleted, 1);
  EXPECT_TRUE(Pool().empty());
}

TEST_P(SegmentRecycleTest, SegmentAReaderHoldsIsDeletedNotRecycled) {
  std::unique_ptr<Log> log = OpenLog();
  ASSERT_NE(log, nullptr);
  std::vector<std::string> appended;
  while (log->segment_count() < 4) {
    appended.push_back(Append(log.get(), Batch(5, 'a')));
  }
  // A consumer holds a view of the oldest segment's first batch.
  absl::StatusOr<LogReadResult> held = log->Read(0, 1);
  ASSERT_TRUE(held.ok()) << held.status();
  ASSERT_EQ(held->batches.size(), 1u);
  internal::Prefaulter::Default()->Drain();  // it may hold old mappings
  // A rolled segment whose sync is under way stays out of the pool.
  internal::BackgroundSyncer::Default()->Drain();
  absl::StatusOr<int> deleted = log->ApplyRetention();
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  ASSERT_GE(*deleted, 2);
  // The held segment was deleted, not pooled (the next one was).
  for (const std::string& name : Pool()) {
    EXPECT_NE(name, "recycle-00000000000000000000.tmp");
  }
  // Rolling on cannot reuse it, and the held bytes stay what they were.
  const int64_t segments = log->segment_count();
  while (log->segment_count() == segments) Append(log.get(), Batch(5, 'z'));
  EXPECT_EQ(std::string(held->batches[0]), appended[0]);
}

TEST_P(SegmentRecycleTest, ReleasedReaderLetsTheNextDeletionRecycle) {
  std::unique_ptr<Log> log = OpenLog();
  ASSERT_NE(log, nullptr);
  while (log->segment_count() < 4) Append(log.get(), Batch(5, 'a'));
  {
    absl::StatusOr<LogReadResult> read = log->Read(0, 1);
    ASSERT_TRUE(read.ok()) << read.status();
  }                                          // let go before retention
  internal::Prefaulter::Default()->Drain();  // it may hold old mappings
  // A rolled segment whose sync is under way stays out of the pool.
  internal::BackgroundSyncer::Default()->Drain();
  absl::StatusOr<int> deleted = log->ApplyRetention();
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(Pool().size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(FileSystems, SegmentRecycleTest,
                         ::testing::Values(FsKind::kMem, FsKind::kPosix));

// A crash while appending into a recycled segment: recovery keeps the
// synced new batches and cuts everything after them, however much old data
// the file holds there (it is not zeros, and must not be served).
TEST(SegmentRecycleCrashTest, OldBytesPastTheCrashAreCutNotServed) {
  MemFileSystem mem;
  FaultInjectionFileSystem fs(&mem);
  LogOptions options;
  options.file_system = &fs;
  options.segment_bytes = 4000;
  options.preallocate_bytes = 4096;
  options.retention_ms = absl::InfiniteDuration();
  options.retention_bytes = 4000;
  options.recycle_segments = 1;
  const std::string dir = "/data/recycle-crash-0";
  std::vector<std::string> kept;
  {
    absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(dir, options);
    ASSERT_TRUE(log.ok()) << log.status();
    while ((*log)->segment_count() < 4) {
      ASSERT_TRUE((*log)->Append(Batch(5, 'a')).ok());
    }
    internal::Prefaulter::Default()->Drain();
    // A rolled segment whose sync is under way stays out of the pool.
    internal::BackgroundSyncer::Default()->Drain();
    ASSERT_TRUE((*log)->ApplyRetention().ok());
    absl::StatusOr<std::vector<std::string>> pool =
        internal::Segment::ListRecyclePool(&fs, dir);
    ASSERT_TRUE(pool.ok());
    ASSERT_EQ(pool->size(), 1u);
    // Fill up to the roll into the recycled file, then two small batches
    // there, one synced.
    const int64_t segments = (*log)->segment_count();
    while ((*log)->segment_count() == segments) {
      ASSERT_TRUE((*log)->Append(Batch(5, 'a')).ok());
    }
    ASSERT_TRUE((*log)->Append(Batch(1, 'b', 20)).ok());
    ASSERT_TRUE((*log)->Sync().ok());
    ASSERT_TRUE((*log)->Append(Batch(1, 'c', 20)).ok());
    kept = ReadBatches(log->get());
    CrashOptions crash;
    crash.seed = 1;
    ASSERT_TRUE(fs.SimulateCrash(crash).ok());
  }
  absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(dir, options);
  ASSERT_TRUE(log.ok()) << log.status();
  std::vector<std::string> stored = ReadBatches(log->get());
  // A prefix of what was appended, at least up to the synced batch.
  ASSERT_GE(stored.size() + 1, kept.size());
  ASSERT_LE(stored.size(), kept.size());
  for (size_t i = 0; i < stored.size(); ++i) EXPECT_EQ(stored[i], kept[i]);
  EXPECT_EQ((*log)->corrupt_batches_found(), 0);
  // Appends continue right after the last batch kept.
  absl::StatusOr<AppendInfo> next = (*log)->Append(Batch(1, 'd', 20));
  ASSERT_TRUE(next.ok()) << next.status();
  absl::StatusOr<RecordBatchHeader> last = ReadBatchHeader(stored.back());
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(next->first_offset, last->last_offset() + 1);
}

}  // namespace
}  // namespace runnel
