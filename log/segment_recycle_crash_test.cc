// Copyright 2026 The Runnel Authors.
//
// Crash consistency of runnel::Log with segment recycling
// (LogOptions::recycle_segments): random appends of random sizes, syncs,
// retention every few batches (so deleted segments go to the pool and rolls
// reuse them, leaving old batches past the new data), crashes at random
// points (sometimes tearing the last unsynced page) on a
// FaultInjectionFileSystem, then reopen and check:
//   - every batch synced before the crash is present and byte-identical;
//   - the log is a prefix of what was appended: no old batch of a recycled
//     file is ever served, and appends continue at the right offset;
//   - no corruption is reported (old bytes are a torn tail, not damage);
//   - recycling really happened (the test would prove nothing otherwise).
// Each seed is reproducible; RUNNEL_CRASH_SEEDS and RUNNEL_CRASH_FIRST_SEED
// work as in log_crash_test.
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "log/segment.h"
#include "runnel/fault_injection_file_system.h"
#include "runnel/log.h"
#include "runnel/mem_file_system.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace {

constexpr char kDir[] = "/data/recycle-crash-0";

int IntFromEnv(const char* name, int default_value) {
  const char* env = std::getenv(name);
  int value = default_value;
  if (env != nullptr && !absl::SimpleAtoi(env, &value)) value = default_value;
  return value;
}

// Sizes vary a lot, so a reused file's old batch boundaries rarely line up
// with the new ones (and sometimes do: both must be handled).
std::string RandomBatch(std::mt19937_64* rng, int64_t timestamp) {
  const int records = 1 + static_cast<int>((*rng)() % 6);
  const size_t value_bytes = (*rng)() % 2 == 0 ? 20 : (*rng)() % 500;
  std::string out;
  RecordBatchBuilder builder(RecordBatchOptions{}, &out);
  for (int i = 0; i < records; ++i) {
    std::string value(value_bytes, static_cast<char>('a' + (*rng)() % 26));
    if (!builder.Append(timestamp + i, absl::StrCat("k", i), value).ok()) {
      ADD_FAILURE() << "append to builder failed";
    }
  }
  if (!builder.Finish().ok()) ADD_FAILURE() << "finish failed";
  return out;
}

LogOptions RecyclingOptions(FileSystem* fs) {
  LogOptions options;
  options.file_system = fs;
  options.segment_bytes = 2500;  // rolls every few batches
  options.preallocate_bytes = 4096;
  options.index_interval_bytes = 200;
  options.segment_index_bytes = 8 * 64;
  options.retention_ms = absl::InfiniteDuration();
  options.retention_bytes = 5000;  // ApplyRetention keeps ~2 segments
  options.recycle_segments = 2;
  // Deterministic file operations: rolled segments wait for the next Sync.
  options.sync_rolled_segments_in_background = false;
  return options;
}

// Every batch from the log start, read one at a time.
std::vector<std::string> ReadEveryBatch(Log* log) {
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

struct Model {
  std::vector<std::string> batches;  // as stored (base offsets assigned)
  size_t durable = 0;                // batches covered by a successful Sync
  int64_t start = 0;                 // log start offset

  size_t BatchHolding(int64_t offset) const {
    size_t i = 0;
    while (i < batches.size()) {
      absl::StatusOr<RecordBatchHeader> h = ReadBatchHeader(batches[i]);
      if (h.ok() && h->last_offset() >= offset) break;
      ++i;
    }
    return i;
  }
};

// Runs one seed; returns how many rolls reused a pool file.
int RunSeed(uint64_t seed) {
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  std::mt19937_64 rng(seed);
  MemFileSystem mem;
  FaultInjectionFileSystem fs(&mem);
  Model model;
  int64_t timestamp = 1700000000000;
  int reuses = 0;
  for (int generation = 0; generation < 3; ++generation) {
    absl::StatusOr<std::unique_ptr<Log>> log =
        Log::Open(kDir, RecyclingOptions(&fs));
    EXPECT_TRUE(log.ok()) << log.status();
    if (!log.ok()) return reuses;
    EXPECT_EQ((*log)->log_start_offset(), model.start);
    EXPECT_EQ((*log)->corrupt_batches_found(), 0);
    const size_t first = model.BatchHolding(model.start);
    const std::vector<std::string> stored = ReadEveryBatch(log->get());
    EXPECT_GE(first + stored.size(), std::max(model.durable, first));
    EXPECT_LE(first + stored.size(), model.batches.size());
    for (size_t i = 0; i < stored.size() && !::testing::Test::HasFailure();
         ++i) {
      EXPECT_EQ(stored[i], model.batches[first + i]) << "batch " << first + i;
    }
    if (::testing::Test::HasFailure()) return reuses;
    model.batches.resize(first + stored.size());
    model.durable = model.batches.size();

    const int ops = 20 + static_cast<int>(rng() % 60);
    for (int op = 0; op < ops; ++op) {
      if (rng() % 6 == 0) {
        EXPECT_TRUE((*log)->Sync().ok());
        model.durable = model.batches.size();
        continue;
      }
      if (rng() % 4 == 0) {
        EXPECT_TRUE((*log)->ApplyRetention().ok());
        model.start = (*log)->log_start_offset();
        continue;
      }
      const int64_t segments = (*log)->segment_count();
      absl::StatusOr<std::vector<std::string>> pool =
          internal::Segment::ListRecyclePool(&fs, kDir);
      std::string batch = RandomBatch(&rng, timestamp);
      timestamp += 10;
      absl::StatusOr<AppendInfo> info = (*log)->Append(batch);
      EXPECT_TRUE(info.ok()) << info.status();
      if (!info.ok()) return reuses;
      EXPECT_TRUE(
          SetBaseOffset(absl::MakeSpan(batch), info->first_offset).ok());
      EXPECT_TRUE(SetPartitionLeaderEpoch(absl::MakeSpan(batch), 0).ok());
      model.batches.push_back(batch);
      absl::StatusOr<std::vector<std::string>> after =
          internal::Segment::ListRecyclePool(&fs, kDir);
      if (pool.ok() && after.ok() && (*log)->segment_count() > segments &&
          after->size() < pool->size()) {
        ++reuses;  // this append rolled into a pool file
      }
    }
    CrashOptions crash;
    crash.tear_last_unsynced_page = rng() % 2 == 0;
    crash.seed = rng();
    EXPECT_TRUE(fs.SimulateCrash(crash).ok());
    log->reset();
  }
  return reuses;
}

TEST(SegmentRecycleCrashTest, SyncedBatchesSurviveAndOldBytesAreNeverServed) {
  const int seeds = IntFromEnv("RUNNEL_CRASH_SEEDS", 100);  // 300 crashes
  const int first = IntFromEnv("RUNNEL_CRASH_FIRST_SEED", 0);
  int reuses = 0;
  for (int seed = first; seed < first + seeds; ++seed) {
    reuses += RunSeed(static_cast<uint64_t>(seed));
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GE(reuses, seeds);  // several reused files per seed on average
}

}  // namespace
}  // namespace runnel
