// Copyright 2026 The Runnel Authors.
//
// Readers below the cut keep working while a follower truncates and
// re-appends its tail over and over: every read from below a fixed floor
// (which no truncation crosses) succeeds, returns the bytes first written
// there, and nothing is counted as corruption — even for reads whose walk
// runs into bytes being cut (Read stops at the cut instead).
#include <atomic>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "runnel/log.h"
#include "runnel/mem_file_system.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace {

std::string Batch(int64_t base_offset, int tag) {
  std::string out;
  RecordBatchBuilder builder(RecordBatchOptions{}, &out);
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(builder
                    .Append(1000 + i, "k",
                            absl::StrCat(tag, "-", i, std::string(60, 'v')))
                    .ok());
  }
  EXPECT_TRUE(builder.Finish().ok());
  EXPECT_TRUE(SetBaseOffset(absl::MakeSpan(out), base_offset).ok());
  EXPECT_TRUE(SetPartitionLeaderEpoch(absl::MakeSpan(out), 0).ok());
  return out;
}

TEST(LogTruncateConcurrencyTest, ReadsBelowTheCutKeepWorking) {
  MemFileSystem fs;
  LogOptions options;
  options.file_system = &fs;
  options.segment_bytes = 1 << 20;  // reads walk into the part being cut
  options.index_interval_bytes = 200;
  options.retention_ms = absl::InfiniteDuration();
  absl::StatusOr<std::unique_ptr<Log>> log = Log::Open("/data/t-0", options);
  ASSERT_TRUE(log.ok()) << log.status();
  // The floor: 60 batches (4 records each) no truncation goes below.
  constexpr int kFloorBatches = 60;
  constexpr int64_t kFloor = 4 * kFloorBatches;
  std::vector<std::string> floor_batches;
  for (int i = 0; i < kFloorBatches; ++i) {
    floor_batches.push_back(Batch(4 * i, i));
    ASSERT_TRUE((*log)->AppendAsFollower(floor_batches.back()).ok());
  }

  std::atomic<bool> done{false};
  std::atomic<int64_t> reads{0};
  std::atomic<int64_t> retried{0};
  auto reader = [&](uint64_t seed) {
    std::mt19937_64 rng(seed);
    while (!done.load()) {
      const int64_t offset = static_cast<int64_t>(rng() % kFloor);
      absl::StatusOr<LogReadResult> read = (*log)->Read(offset, 1 << 20);
      if (absl::IsUnavailable(read.status())) {
        // Read's contract: a cut under each of its retries (this test cuts
        // without pause) is Unavailable, "read again" — never wrong bytes.
        retried.fetch_add(1);
        continue;
      }
      ASSERT_TRUE(read.ok()) << read.status();
      ASSERT_FALSE(read->batches.empty());
      // Batches past the floor may be cut (zeroed) at any time: as the
      // contract says, never look at them.
      int64_t next = -1;
      for (absl::string_view b : read->batches) {
        if (next >= kFloor) break;
        absl::StatusOr<RecordBatchHeader> h = ReadBatchHeader(b);
        ASSERT_TRUE(h.ok());
        ASSERT_TRUE(next < 0 || h->base_offset == next);
        ASSERT_EQ(b, floor_batches[h->base_offset / 4]);
        next = h->last_offset() + 1;
      }
      reads.fetch_add(1);
    }
  };
  std::thread r1(reader, 1), r2(reader, 2);

  std::mt19937_64 rng(3);
  for (int round = 0; round < 1500; ++round) {
    for (int i = 0, n = 1 + static_cast<int>(rng() % 40); i < n; ++i) {
      const int64_t end = (*log)->log_end_offset();
      ASSERT_TRUE((*log)->AppendAsFollower(Batch(end, 1000 + round)).ok());
    }
    const int64_t end = (*log)->log_end_offset();
    const int64_t cut =
        kFloor + static_cast<int64_t>(rng() % (end - kFloor + 1));
    ASSERT_TRUE((*log)->TruncateTo(cut).ok());
    ASSERT_GE((*log)->log_end_offset(), kFloor);
  }
  done.store(true);
  r1.join();
  r2.join();
  EXPECT_GT(reads.load(), 0) << retried.load() << " reads were Unavailable";
  EXPECT_EQ((*log)->corrupt_batches_found(), 0);
}

}  // namespace
}  // namespace runnel
