// Copyright 2026 The Runnel Authors.
//
// LeaderEpochCache under concurrent writers and readers (run under TSan with
// --config=tsan --test_tag_filters=concurrency).
#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "replication/leader_epoch_cache.h"
#include "replication/leader_epoch_checkpoint.h"
#include "runnel/mem_file_system.h"

namespace runnel {
namespace {

bool StrictlyIncreasing(const std::vector<EpochEntry>& entries) {
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].epoch <= entries[i - 1].epoch ||
        entries[i].start_offset <= entries[i - 1].start_offset) {
      return false;
    }
  }
  return true;
}

TEST(LeaderEpochCacheConcurrencyTest, WritersAndReadersKeepTheInvariant) {
  MemFileSystem fs;
  ASSERT_TRUE(fs.CreateDirs("/p").ok());
  absl::StatusOr<std::unique_ptr<LeaderEpochCache>> opened =
      LeaderEpochCache::Open(&fs, "/p/leader-epoch-checkpoint");
  ASSERT_TRUE(opened.ok()) << opened.status();
  LeaderEpochCache* cache = opened->get();

  constexpr int kWriters = 3;
  constexpr int kSteps = 150;
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([cache, w, &failures] {
      for (int i = 0; i < kSteps; ++i) {
        const int32_t epoch = i * kWriters + w;
        absl::Status s = cache->Assign(epoch, int64_t{10} * epoch + w);
        if (s.ok() && i % 17 == 0) s = cache->TruncateFromEnd(5 * epoch);
        if (s.ok() && i % 29 == 0) s = cache->TruncateFromStart(3 * epoch);
        if (!s.ok()) failures.fetch_add(1);
      }
    });
  }
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([cache, &done, &failures] {
      while (!done.load()) {
        if (!StrictlyIncreasing(cache->Entries())) failures.fetch_add(1);
        const std::optional<int32_t> latest = cache->LatestEpoch();
        if (latest.has_value()) {
          const EpochEndOffset end = cache->EndOffsetFor(*latest - 1, 1 << 30);
          if (end.epoch > *latest) failures.fetch_add(1);
        }
        (void)cache->EpochForOffset(500);
      }
    });
  }
  for (int w = 0; w < kWriters; ++w) threads[static_cast<size_t>(w)].join();
  done.store(true);
  for (size_t t = kWriters; t < threads.size(); ++t) threads[t].join();

  EXPECT_EQ(failures.load(), 0);
  const std::vector<EpochEntry> final_entries = cache->Entries();
  EXPECT_TRUE(StrictlyIncreasing(final_entries));
  ASSERT_FALSE(final_entries.empty());
  // The file matches memory after the last write.
  absl::StatusOr<std::vector<EpochEntry>> on_disk =
      ReadLeaderEpochCheckpoint(&fs, "/p/leader-epoch-checkpoint");
  ASSERT_TRUE(on_disk.ok()) << on_disk.status();
  EXPECT_EQ(*on_disk, final_entries);
}

}  // namespace
}  // namespace runnel
