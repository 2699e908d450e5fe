// Copyright 2026 The Runnel Authors.
//
// One writer appends to an index while readers look up and a flusher
// flushes; readers must only ever see complete, consistent entries. Run
// under --config=tsan (tag "concurrency").
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "log/index_test_util.h"
#include "log/offset_index.h"
#include "log/time_index.h"

namespace runnel {
namespace {

using ::runnel::testing::IndexFileSystemTest;

constexpr int64_t kBase = 5000;
constexpr int kEntries = 20000;
constexpr int kReaders = 3;

// Entry i of the offset index is (kBase + 3i + 1, 7i); of the time index
// (10i + 5, kBase + i).
int64_t OffsetOf(int i) { return kBase + 3 * i + 1; }
int64_t TimestampOf(int i) { return 10 * i + 5; }

// Runs `write` once, `read(rng)` in kReaders threads until the writer is
// done, and idx.Flush() in a loop meanwhile; then checks the final index.
template <typename Index, typename Write, typename Read>
void RunConcurrently(Index& idx, Write write, Read read) {
  std::atomic<bool> done{false};
  std::atomic<bool> failed{false};
  std::atomic<int64_t> reads{0};
  std::vector<std::thread> threads;
  for (int r = 0; r < kReaders; ++r) {
    threads.emplace_back([&, r] {
      std::mt19937_64 rng(r);
      while (!done.load(std::memory_order_acquire)) {
        if (!read(rng)) {
          failed.store(true);
          return;
        }
        reads.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  threads.emplace_back([&] {
    while (!done.load(std::memory_order_acquire)) {
      if (!idx.Flush().ok()) return;
      std::this_thread::yield();
    }
  });
  // Let every reader get going before the writer starts.
  while (reads.load() < kReaders && !failed.load()) std::this_thread::yield();
  write();
  done.store(true, std::memory_order_release);
  for (std::thread& t : threads) t.join();
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(idx.entries(), static_cast<size_t>(kEntries));
  EXPECT_TRUE(idx.IsFull());
  EXPECT_TRUE(idx.Validate().ok());
}

class IndexConcurrencyTest : public IndexFileSystemTest {};

TEST_P(IndexConcurrencyTest, OffsetIndexReadersSeeCompleteEntries) {
  auto index = OffsetIndex::Open(fs(), Path("a.index"), kBase, 8 * kEntries,
                                 /*writable=*/true);
  ASSERT_TRUE(index.ok()) << index.status();
  OffsetIndex& idx = **index;
  RunConcurrently(
      idx,
      [&] {
        for (int i = 0; i < kEntries; ++i) {
          ASSERT_TRUE(idx.Append(OffsetOf(i), 7 * i).ok());
        }
      },
      [&](std::mt19937_64& rng) {
        const size_t before = idx.entries();
        const int64_t target =
            kBase + static_cast<int64_t>(rng() % (3 * kEntries + 10));
        absl::StatusOr<OffsetPosition> got = idx.Lookup(target);
        EXPECT_TRUE(got.ok()) << got.status();
        if (!got.ok()) return false;
        // The newest entry <= target among at least `before` entries.
        const int64_t want_i =
            target <= kBase
                ? -1
                : std::min<int64_t>((target - kBase - 1) / 3,
                                    static_cast<int64_t>(before) - 1);
        if (want_i < 0 && got->offset == kBase) return true;
        const int64_t i = (got->offset - kBase - 1) / 3;
        EXPECT_LE(got->offset, target);
        EXPECT_GE(i, want_i) << "target " << target;
        EXPECT_EQ(got->offset, OffsetOf(static_cast<int>(i)));
        EXPECT_EQ(got->position, 7u * i);
        EXPECT_GE(idx.last_offset(), got->offset);
        return !::testing::Test::HasFailure();
      });
}

TEST_P(IndexConcurrencyTest, TimeIndexReadersSeeCompleteEntries) {
  auto index = TimeIndex::Open(fs(), Path("a.timeindex"), kBase,
                               12 * (kEntries + 1), /*writable=*/true);
  ASSERT_TRUE(index.ok()) << index.status();
  TimeIndex& idx = **index;
  RunConcurrently(
      idx,
      [&] {
        for (int i = 0; i < kEntries; ++i) {
          ASSERT_TRUE(idx.MaybeAppend(TimestampOf(i), kBase + i).ok());
        }
      },
      [&](std::mt19937_64& rng) {
        const size_t before = idx.entries();
        const int64_t ts = static_cast<int64_t>(rng() % (10 * kEntries + 10));
        absl::StatusOr<TimestampOffset> got = idx.Lookup(ts);
        EXPECT_TRUE(got.ok()) << got.status();
        if (!got.ok()) return false;
        const int64_t want_i =
            ts < 5 ? -1
                   : std::min<int64_t>((ts - 5) / 10,
                                       static_cast<int64_t>(before) - 1);
        if (want_i < 0 && got->timestamp == -1) return true;
        const int64_t i = got->offset - kBase;
        EXPECT_LE(got->timestamp, ts);
        EXPECT_GE(i, want_i) << "timestamp " << ts;
        EXPECT_EQ(got->timestamp, TimestampOf(static_cast<int>(i)));
        EXPECT_GE(idx.last_entry().timestamp, got->timestamp);
        return !::testing::Test::HasFailure();
      });
}

RUNNEL_INSTANTIATE_ON_ALL_FILE_SYSTEMS(IndexConcurrencyTest);

}  // namespace
}  // namespace runnel
