// Copyright 2026 The Runnel Authors.
#include "runnel/log_maintainer.h"

#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "runnel/clock.h"
#include "runnel/log.h"
#include "runnel/mem_file_system.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace {

std::string Batch(int key, int64_t timestamp) {
  std::string out;
  RecordBatchBuilder builder(RecordBatchOptions{}, &out);
  EXPECT_TRUE(builder.Append(timestamp, absl::StrCat("k", key % 3), "v").ok());
  EXPECT_TRUE(builder.Finish().ok());
  return out;
}

class LogMaintainerTest : public ::testing::Test {
 protected:
  std::unique_ptr<Log> OpenLog(const std::string& dir, CleanupPolicy policy) {
    LogOptions options;
    options.file_system = &fs_;
    options.clock = &clock_;
    options.segment_bytes = 512;
    options.cleanup_policy = policy;
    options.retention_ms = absl::Seconds(10);
    options.flush_ms = absl::Seconds(1);
    absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(dir, options);
    EXPECT_TRUE(log.ok()) << log.status();
    for (int i = 0; i < 40; ++i) {
      EXPECT_TRUE((*log)->Append(Batch(i, clock_.NowMillis())).ok());
    }
    return *std::move(log);
  }

  MemFileSystem fs_;
  SimulatedClock clock_{absl::FromUnixMillis(1700000000000)};
};

TEST_F(LogMaintainerTest, APassFlushesAppliesRetentionAndCompacts) {
  std::unique_ptr<Log> deleting = OpenLog("/d/a-0", CleanupPolicy::kDelete);
  std::unique_ptr<Log> compacted = OpenLog("/d/b-0", CleanupPolicy::kCompact);
  LogMaintainer maintainer({/*interval=*/absl::ZeroDuration()});
  maintainer.Add(deleting.get());
  maintainer.Add(compacted.get());
  const int64_t compacted_size = static_cast<int64_t>(compacted->size_bytes());

  clock_.Advance(absl::Seconds(2));  // flush.ms passed, retention not yet
  maintainer.RunOnce();
  EXPECT_EQ(deleting->recovery_point(), 40);
  EXPECT_EQ(deleting->log_start_offset(), 0);
  EXPECT_LT(static_cast<int64_t>(compacted->size_bytes()), compacted_size);

  clock_.Advance(absl::Seconds(60));  // past retention.ms
  maintainer.RunOnce();
  EXPECT_EQ(deleting->log_start_offset(), 40);  // all of it expired
  EXPECT_EQ(maintainer.passes(), 2);
  EXPECT_TRUE(maintainer.last_error().ok()) << maintainer.last_error();
  maintainer.Remove(deleting.get());
  maintainer.Remove(compacted.get());
}

TEST_F(LogMaintainerTest, TheThreadRunsPassesAndRemoveIsSafeMidway) {
  std::unique_ptr<Log> log = OpenLog("/d/c-0", CleanupPolicy::kDelete);
  LogMaintainer maintainer({/*interval=*/absl::Milliseconds(1)});
  maintainer.Add(log.get());
  clock_.Advance(absl::Seconds(60));
  maintainer.Trigger();
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  // The pass counts itself after its work is visible: wait for both.
  while ((log->log_start_offset() < 40 || maintainer.passes() < 1) &&
         absl::Now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(log->log_start_offset(), 40);
  EXPECT_GE(maintainer.passes(), 1);
  maintainer.Remove(log.get());
  log.reset();  // no pass may touch it any more
  const int64_t passes = maintainer.passes();
  while (maintainer.passes() < passes + 2 && absl::Now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_GE(maintainer.passes(), passes + 2);
}

}  // namespace
}  // namespace runnel
