// Copyright 2026 The Runnel Authors.
//
// One appender, readers following the tail, several threads calling Sync
// (group commit), one compacting and one deleting old records, all at once. Run
// under
// --config=tsan (tag "concurrency").
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "runnel/log.h"
#include "runnel/mem_file_system.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace {

constexpr int kBatches = 2000;

std::string Batch(int i) {
  std::string out;
  RecordBatchBuilder builder(RecordBatchOptions{}, &out);
  EXPECT_TRUE(builder.Append(i, absl::StrCat("key-", i), absl::StrCat(i)).ok());
  EXPECT_TRUE(builder.Finish().ok());
  return out;
}

// Follows the log from offset 0 to kBatches, checking every record it sees
// is the one appended at that offset (value == offset). Offsets deleted
// under it are skipped (the start moved).
void FollowTail(Log* log, std::atomic<int>* records_seen) {
  int64_t offset = 0;
  while (offset < kBatches) {
    absl::StatusOr<LogReadResult> read = log->Read(offset, 4096);
    if (absl::IsOutOfRange(read.status())) {
      offset = std::max(offset, log->log_start_offset());
      continue;
    }
    ASSERT_TRUE(read.ok()) << read.status();
    for (absl::string_view bytes : read->batches) {
      absl::StatusOr<DecodedBatch> batch = DecodedBatch::Decode(bytes);
      ASSERT_TRUE(batch.ok()) << batch.status();
      for (const RecordView& r : batch->records()) {
        if (r.offset < offset) continue;
        ASSERT_EQ(r.value, absl::StrCat(r.offset));
        offset = r.offset + 1;
        records_seen->fetch_add(1);
      }
    }
    if (read->batches.empty()) std::this_thread::yield();
  }
}

TEST(LogConcurrencyTest, AppenderReadersSyncersAndDeletionTogether) {
  MemFileSystem fs;
  LogOptions options;
  options.file_system = &fs;
  options.segment_bytes = 8192;  // many rolls
  options.cleanup_policy = CleanupPolicy::kCompactAndDelete;
  options.preallocate_bytes = 4096;
  absl::StatusOr<std::unique_ptr<Log>> opened =
      Log::Open("/data/concurrent-0", options);
  ASSERT_TRUE(opened.ok()) << opened.status();
  Log* log = opened->get();

  std::atomic<bool> done{false};
  std::atomic<int> seen_a{0}, seen_b{0};
  std::vector<std::thread> threads;
  threads.emplace_back([&] { FollowTail(log, &seen_a); });
  threads.emplace_back([&] { FollowTail(log, &seen_b); });
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      while (!done.load()) ASSERT_TRUE(log->Sync().ok());
    });
  }
  threads.emplace_back([&] {  // rewrites segments under the readers
    while (!done.load()) ASSERT_TRUE(log->Compact().ok());
  });
  threads.emplace_back([&] {
    while (!done.load()) {
      const int64_t end = log->log_end_offset();
      ASSERT_TRUE(log->DeleteRecordsBefore(end / 2).ok());
      std::this_thread::yield();
    }
  });
  for (int i = 0; i < kBatches; ++i) {
    absl::StatusOr<AppendInfo> info = log->Append(Batch(i));
    ASSERT_TRUE(info.ok()) << info.status();
    ASSERT_EQ(info->first_offset, i);
  }
  threads[0].join();
  threads[1].join();
  done.store(true);
  for (size_t t = 2; t < threads.size(); ++t) threads[t].join();

  ASSERT_TRUE(log->Sync().ok());
  EXPECT_EQ(log->recovery_point(), kBatches);
  EXPECT_GT(seen_a.load(), 0);
  EXPECT_GT(seen_b.load(), 0);
  // Whatever the threads managed, the log still holds together: the start
  // moves on request and every remaining record reads back.
  ASSERT_TRUE(log->DeleteRecordsBefore(kBatches / 2).ok());
  EXPECT_GE(log->log_start_offset(), kBatches / 2);
  std::atomic<int> remaining{0};
  FollowTail(log, &remaining);
  EXPECT_EQ(remaining.load(), kBatches - log->log_start_offset());
}

}  // namespace
}  // namespace runnel
