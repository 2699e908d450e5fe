// Copyright 2026 The Runnel Authors.
//
// Crash consistency of Log::TruncateTo and TruncateFullyAndStartAt, and of
// the appends after them, on a FaultInjectionFileSystem. Each generation
// runs random appends (leader and follower), syncs, retention, and then a
// truncation; before it, a persistent fault rule lets a random number of
// file-system operations through and fails every later one — the process
// "dies" at that operation, inside the truncation or inside the appends
// after it — then the machine crashes (power loss, sometimes tearing the
// last unsynced page) and the log is reopened. The oracle:
//   - died inside TruncateTo(offset): the log is a prefix of the OLD log,
//     no shorter than min(its durable part, the cut);
//   - died inside TruncateFullyAndStartAt(offset): a prefix of the old log
//     at the old start, or the empty log at `offset`;
//   - otherwise: a prefix of "what was kept, then what was appended since",
//     no shorter than its durable part (after TruncateTo returns, the kept
//     part is durable) — so a truncated batch never comes back.
// RUNNEL_CRASH_SEEDS / RUNNEL_CRASH_FIRST_SEED as in log_crash_test.
#include <algorithm>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "runnel/fault_injection_file_system.h"
#include "runnel/log.h"
#include "runnel/mem_file_system.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace {

constexpr char kDir[] = "/data/truncate-0";

int EnvInt(const char* name, int default_value) {
  const char* env = std::getenv(name);
  int value = default_value;
  if (env != nullptr && !absl::SimpleAtoi(env, &value)) value = default_value;
  return value;
}

// A batch with random content (so a resurrected batch never equals the
// one that replaced it), its offsets and epoch already set.
std::string RandomBatch(std::mt19937_64* rng, int64_t base_offset,
                        int32_t epoch, int64_t timestamp) {
  const int records = 1 + static_cast<int>((*rng)() % 6);
  std::string out;
  RecordBatchBuilder builder(RecordBatchOptions{}, &out);
  for (int i = 0; i < records; ++i) {
    std::string value((*rng)() % 200, static_cast<char>('a' + (*rng)() % 26));
    value += absl::StrCat((*rng)());
    EXPECT_TRUE(builder.Append(timestamp + i, "k", value).ok());
  }
  EXPECT_TRUE(builder.Finish().ok());
  EXPECT_TRUE(SetBaseOffset(absl::MakeSpan(out), base_offset).ok());
  EXPECT_TRUE(SetPartitionLeaderEpoch(absl::MakeSpan(out), epoch).ok());
  return out;
}

int64_t LastOffset(absl::string_view batch) {
  return ReadBatchHeader(batch)->last_offset();
}

LogOptions SmallLogOptions(FileSystem* fs, int32_t epoch) {
  LogOptions options;
  options.file_system = fs;
  options.segment_bytes = 2000;  // a few batches a segment
  options.preallocate_bytes = 4096;
  options.index_interval_bytes = 150;
  options.segment_index_bytes = 8 * 64;
  options.retention_ms = absl::InfiniteDuration();
  options.retention_bytes = 6000;
  options.recycle_segments = 2;
  options.leader_epoch = epoch;
  // Deterministic file operations: rolled segments wait for the next Sync.
  options.sync_rolled_segments_in_background = false;
  return options;
}

// The log as the test believes it is.
struct Model {
  int64_t start = 0;
  std::vector<std::string> batches;  // from `start`, as stored
  size_t durable = 0;                // batches known on stable storage
  // A batch whose append failed when the process died: its bytes may or
  // may not survive the crash (after every batch in `batches`).
  std::string maybe;
  int64_t end() const {
    return batches.empty() ? start : LastOffset(batches.back()) + 1;
  }
};

// Every batch from the log start, read one at a time through the index.
std::vector<std::string> ReadEveryBatch(Log* log) {
  std::vector<std::string> out;
  for (int64_t offset = log->log_start_offset();
       offset < log->log_end_offset();) {
    absl::StatusOr<LogReadResult> read = log->Read(offset, 1);
    EXPECT_TRUE(read.ok()) << read.status();
    if (!read.ok() || read->batches.empty()) break;
    const int64_t last = LastOffset(read->batches[0]);
    absl::StatusOr<LogReadResult> again = log->Read(last, 1);
    EXPECT_TRUE(again.ok() && !again->batches.empty() &&
                again->batches[0] == read->batches[0])
        << "index lookup of offset " << last << " disagrees with the scan";
    out.emplace_back(read->batches[0]);
    offset = last + 1;
  }
  return out;
}

// True if `stored` is a prefix of `model` of at least `at_least` batches.
::testing::AssertionResult IsPrefix(const std::vector<std::string>& stored,
                                    const std::vector<std::string>& model,
                                    size_t at_least) {
  if (stored.size() > model.size() || stored.size() < at_least) {
    return ::testing::AssertionFailure()
           << stored.size() << " batches recovered, expected between "
           << at_least << " and " << model.size();
  }
  for (size_t i = 0; i < stored.size(); ++i) {
    if (stored[i] != model[i]) {
      return ::testing::AssertionFailure()
             << "batch " << i << " (offset "
             << ReadBatchHeader(stored[i])->base_offset
             << ") differs from what was written there";
    }
  }
  return ::testing::AssertionSuccess();
}

enum class Died { kNo, kInTruncateTo, kInTruncateFully };

void RunSeed(uint64_t seed) {
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  std::mt19937_64 rng(seed);
  MemFileSystem mem;
  FaultInjectionFileSystem fs(&mem);
  Model model;
  int32_t epoch = 0;
  int64_t timestamp = 1700000000000;

  for (int generation = 0; generation < 4; ++generation) {
    absl::StatusOr<std::unique_ptr<Log>> opened =
        Log::Open(kDir, SmallLogOptions(&fs, epoch));
    ASSERT_TRUE(opened.ok()) << opened.status();
    std::unique_ptr<Log> log = *std::move(opened);
    ASSERT_EQ(log->log_start_offset(), model.start);
    const std::vector<std::string> stored = ReadEveryBatch(log.get());
    std::vector<std::string> allowed = model.batches;
    if (!model.maybe.empty()) allowed.push_back(model.maybe);
    ASSERT_TRUE(IsPrefix(stored, allowed, model.durable));
    model.maybe.clear();
    model.batches = stored;
    model.durable = stored.size();
    ASSERT_EQ(log->log_end_offset(), model.end());

    // Some work before the truncation, all of which completes.
    for (int op = 0, ops = 1 + static_cast<int>(rng() % 25); op < ops; ++op) {
      const uint64_t r = rng() % 10;
      if (r == 0) {
        ASSERT_TRUE(log->Sync().ok());
        model.durable = model.batches.size();
      } else if (r == 1) {
        ASSERT_TRUE(log->ApplyRetention().ok());  // feeds the recycle pool
        model.start = log->log_start_offset();
        size_t gone = 0;
        while (gone < model.batches.size() &&
               LastOffset(model.batches[gone]) < model.start) {
          ++gone;
        }
        model.batches.erase(model.batches.begin(),
                            model.batches.begin() + gone);
        model.durable -= std::min(model.durable, gone);
      } else {
        std::string batch =
            RandomBatch(&rng, model.end(), epoch, timestamp += 10);
        ASSERT_TRUE(log->AppendAsFollower(batch).ok());
        model.batches.push_back(batch);
      }
    }

    // Now the process may die at any operation from here on.
    FaultRule death;
    death.persistent = true;
    death.skip = rng() % 120;
    fs.AddFault(death);
    Died died = Died::kNo;
    const Model old = model;
    int64_t full_offset = -1;
    int64_t cut = -1;
    if (rng() % 5 == 0) {
      full_offset =
          static_cast<int64_t>(rng() % 3 == 0 ? rng() % 10 : model.end() + 50);
      if (log->TruncateFullyAndStartAt(full_offset).ok()) {
        model = Model{full_offset, {}, 0, ""};
      } else {
        died = Died::kInTruncateFully;
      }
    } else {
      const int64_t span = model.end() - model.start + 1;
      cut = model.start + static_cast<int64_t>(rng() % span);
      if (log->TruncateTo(cut).ok()) {
        size_t kept = 0;
        while (kept < model.batches.size() &&
               LastOffset(model.batches[kept]) < cut) {
          ++kept;
        }
        model.batches.resize(kept);
        // A real cut syncs what it keeps; at the end it is a no-op.
        if (cut < old.end()) model.durable = kept;
        EXPECT_EQ(log->log_end_offset(), model.end());
      } else {
        died = Died::kInTruncateTo;
      }
    }
    // Appends after it (a new leader's batches) until death or done.
    if (died == Died::kNo) {
      ++epoch;
      ASSERT_TRUE(log->set_leader_epoch(epoch).ok());
      for (int i = 0, n = static_cast<int>(rng() % 12); i < n; ++i) {
        if (rng() % 4 == 0) {
          if (!log->Sync().ok()) break;
          model.durable = model.batches.size();
          continue;
        }
        std::string batch =
            RandomBatch(&rng, model.end(), epoch, timestamp += 10);
        absl::StatusOr<AppendInfo> info =
            rng() % 2 == 0 ? log->AppendAsFollower(batch) : log->Append(batch);
        if (!info.ok()) {
          model.maybe = batch;
          break;
        }
        ASSERT_EQ(info->first_offset, model.end());
        model.batches.push_back(batch);
      }
    }
    CrashOptions crash;
    crash.tear_last_unsynced_page = rng() % 2 == 0;
    crash.seed = rng();
    ASSERT_TRUE(fs.SimulateCrash(crash).ok());
    fs.ClearFaults();
    log.reset();  // its handles are stale: nothing it does now lands

    if (died == Died::kNo) continue;  // checked at the next open
    // Died inside a truncation: check against the old log here.
    ++epoch;  // the test never reopens below an epoch it wrote
    opened = Log::Open(kDir, SmallLogOptions(&fs, epoch));
    ASSERT_TRUE(opened.ok()) << opened.status();
    log = *std::move(opened);
    const std::vector<std::string> after = ReadEveryBatch(log.get());
    if (died == Died::kInTruncateFully &&
        log->log_start_offset() == full_offset && full_offset != old.start) {
      ASSERT_TRUE(after.empty());
      model = Model{full_offset, {}, 0, ""};
    } else {
      ASSERT_EQ(log->log_start_offset(), old.start);
      // TruncateTo: no shorter than the cut, as far as the old log was
      // durable. TruncateFullyAndStartAt: any prefix, even none.
      size_t at_least = 0;
      if (died == Died::kInTruncateTo) {
        while (at_least < old.durable &&
               LastOffset(old.batches[at_least]) < cut) {
          ++at_least;
        }
      }
      ASSERT_TRUE(IsPrefix(after, old.batches, at_least));
      model = Model{old.start, after, after.size(), ""};
    }
    log.reset();
  }
}

TEST(LogTruncateCrashTest, TruncatedBatchesNeverComeBack) {
  const int seeds = EnvInt("RUNNEL_CRASH_SEEDS", 150);  // x4 generations
  const int first = EnvInt("RUNNEL_CRASH_FIRST_SEED", 0);
  for (int seed = first; seed < first + seeds; ++seed) {
    RunSeed(static_cast<uint64_t>(seed));
    if (::testing::Test::HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace runnel
