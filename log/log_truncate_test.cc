// Copyright 2026 The Runnel Authors.
//
// Log::TruncateTo, TruncateFullyAndStartAt, AppendAsFollower and
// set_leader_epoch, on MemFileSystem and POSIX: where cuts land (inside a
// batch, at a batch or segment boundary, across segments), what is kept
// (indexes, timestamps, recovery point, checkpoints), appends and reads
// after a cut, reopening, a reader pinned across a cut, and every rejection
// of a follower append.
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
#include "runnel/log.h"
#include "runnel/mem_file_system.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace {

using ::runnel::testing::StatusIs;
using ::testing::HasSubstr;
using Code = absl::StatusCode;

// `count` records "<tag>-i" with timestamps from `timestamp` (base offset
// 0 and epoch -1 until a log or Stamp sets them).
std::string Batch(int count, absl::string_view tag, int64_t timestamp = 1000) {
  std::string out;
  RecordBatchBuilder builder(RecordBatchOptions{}, &out);
  for (int i = 0; i < count; ++i) {
    EXPECT_TRUE(builder
                    .Append(timestamp + i, absl::StrCat("k", i),
                            absl::StrCat(tag, "-", i, std::string(40, '.')))
                    .ok());
  }
  EXPECT_TRUE(builder.Finish().ok());
  return out;
}

// `batch` as a leader would send it: its offsets and epoch set.
std::string Stamp(std::string batch, int64_t base_offset, int32_t epoch) {
  EXPECT_TRUE(SetBaseOffset(absl::MakeSpan(batch), base_offset).ok());
  EXPECT_TRUE(SetPartitionLeaderEpoch(absl::MakeSpan(batch), epoch).ok());
  return batch;
}

// Every record from the log start on, as "offset:value-prefix".
std::vector<std::string> Records(Log* log) {
  std::vector<std::string> out;
  int64_t offset = log->log_start_offset();
  while (offset < log->log_end_offset()) {
    absl::StatusOr<LogReadResult> read = log->Read(offset, 1 << 20);
    EXPECT_TRUE(read.ok()) << read.status();
    if (!read.ok() || read->batches.empty()) break;
    for (absl::string_view bytes : read->batches) {
      absl::StatusOr<DecodedBatch> batch = DecodedBatch::Decode(bytes);
      EXPECT_TRUE(batch.ok()) << batch.status();
      if (!batch.ok()) return out;
      for (const RecordView& r : batch->records()) {
        const std::string value(r.value.value_or("null"));
        out.push_back(
            absl::StrCat(r.offset, ":", value.substr(0, value.find('.'))));
      }
      offset = batch->header().last_offset() + 1;
    }
  }
  return out;
}

// Records of batches of `per_batch` records tagged tag-0, tag-1, ...
// covering offsets [from, to).
std::vector<std::string> Expected(int64_t from, int64_t to, int per_batch,
                                  absl::string_view tag,
                                  int64_t first_offset = 0) {
  std::vector<std::string> out;
  for (int64_t o = from; o < to; ++o) {
    const int64_t i = o - first_offset;
    out.push_back(absl::StrCat(o, ":", tag, i / per_batch, "-", i % per_batch));
  }
  return out;
}

// Every batch's last offset must lead Read to that same batch (the offset
// index agrees with the data).
void ExpectIndexAgrees(Log* log) {
  for (int64_t offset = log->log_start_offset();
       offset < log->log_end_offset();) {
    absl::StatusOr<LogReadResult> read = log->Read(offset, 1);
    ASSERT_TRUE(read.ok() && !read->batches.empty()) << offset;
    absl::StatusOr<RecordBatchHeader> h = ReadBatchHeader(read->batches[0]);
    ASSERT_TRUE(h.ok());
    absl::StatusOr<LogReadResult> again = log->Read(h->last_offset(), 1);
    ASSERT_TRUE(again.ok() && !again->batches.empty());
    EXPECT_EQ(again->batches[0], read->batches[0]) << "offset " << offset;
    offset = h->last_offset() + 1;
  }
}

enum class FsKind { kMem, kPosix };

class LogTruncateTest : public ::testing::TestWithParam<FsKind> {
 protected:
  void SetUp() override {
    if (GetParam() == FsKind::kMem) {
      fs_ = &mem_;
      dir_ = "/data/orders-0";
    } else {
      posix_ = NewPosixFileSystem();
      fs_ = posix_.get();
      const char* tmp = std::getenv("TEST_TMPDIR");
      dir_ = absl::StrCat(
          tmp != nullptr ? tmp : "/tmp", "/log_truncate_test-",
          ::testing::UnitTest::GetInstance()->current_test_info()->name());
      absl::Status cleared = fs_->RemoveAll(dir_);
      ASSERT_TRUE(cleared.ok() || absl::IsNotFound(cleared)) << cleared;
    }
    options_.file_system = fs_;
    options_.preallocate_bytes = 64 * 1024;
    options_.segment_bytes = 1500;  // about 4 batches of 5 records
    options_.index_interval_bytes = 100;
    options_.retention_ms = absl::InfiniteDuration();
  }

  std::unique_ptr<Log> OpenLog() {
    absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(dir_, options_);
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? *std::move(log) : nullptr;
  }

  // Appends `batches` batches of 5 records tagged "<tag><i>".
  void AppendBatches(Log* log, int batches, absl::string_view tag,
                     int64_t timestamp = 1000) {
    for (int i = 0; i < batches; ++i) {
      absl::StatusOr<AppendInfo> info =
          log->Append(Batch(5, absl::StrCat(tag, i), timestamp + 10 * i));
      ASSERT_TRUE(info.ok()) << info.status();
    }
  }

  // Base offsets of the .log files in the directory.
  std::vector<int64_t> SegmentBases() {
    absl::StatusOr<std::vector<std::string>> names = fs_->ListDir(dir_);
    EXPECT_TRUE(names.ok());
    std::vector<int64_t> bases;
    for (const std::string& name : *names) {
      if (name.size() == 24 && absl::EndsWith(name, ".log")) {
        bases.push_back(std::stoll(name.substr(0, 20)));
      }
    }
    return bases;
  }

  bool HasRecycledFile() {
    absl::StatusOr<std::vector<std::string>> names = fs_->ListDir(dir_);
    EXPECT_TRUE(names.ok());
    for (const std::string& name : *names) {
      if (absl::StartsWith(name, "recycle-")) return true;
    }
    return false;
  }

  MemFileSystem mem_;
  std::unique_ptr<FileSystem> posix_;
  FileSystem* fs_ = nullptr;
  std::string dir_;
  LogOptions options_;
};

INSTANTIATE_TEST_SUITE_P(FileSystems, LogTruncateTest,
                         ::testing::Values(FsKind::kMem, FsKind::kPosix),
                         [](const auto& info) {
                           return info.param == FsKind::kMem ? "Mem" : "Posix";
                         });

TEST_P(LogTruncateTest, InsideABatchDropsTheWholeBatch) {
  std::unique_ptr<Log> log = OpenLog();
  AppendBatches(log.get(), 3, "a");  // offsets 0-4, 5-9, 10-14
  ASSERT_TRUE(log->TruncateTo(7).ok());
  EXPECT_EQ(log->log_end_offset(), 5);  // the batch 5-9 went whole
  EXPECT_EQ(Records(log.get()), Expected(0, 5, 5, "a"));
  absl::StatusOr<AppendInfo> info = log->Append(Batch(5, "b0"));
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->first_offset, 5);
  std::vector<std::string> want = Expected(0, 5, 5, "a");
  for (const std::string& r : Expected(5, 10, 5, "b", 5)) want.push_back(r);
  EXPECT_EQ(Records(log.get()), want);
  ExpectIndexAgrees(log.get());
}

TEST_P(LogTruncateTest, AtABatchBoundaryKeepsEverythingBefore) {
  std::unique_ptr<Log> log = OpenLog();
  AppendBatches(log.get(), 3, "a");
  ASSERT_TRUE(log->TruncateTo(10).ok());
  EXPECT_EQ(log->log_end_offset(), 10);
  EXPECT_EQ(Records(log.get()), Expected(0, 10, 5, "a"));
}

TEST_P(LogTruncateTest, NoOpAtOrPastTheEndAndRejectedBelowTheStart) {
  std::unique_ptr<Log> log = OpenLog();
  AppendBatches(log.get(), 12, "a");
  ASSERT_TRUE(log->TruncateTo(60).ok());
  ASSERT_TRUE(log->TruncateTo(1000).ok());
  EXPECT_EQ(log->log_end_offset(), 60);
  ASSERT_TRUE(log->DeleteRecordsBefore(22).ok());
  EXPECT_THAT(log->TruncateTo(21),
              StatusIs(Code::kInvalidArgument, HasSubstr("log start offset")));
  EXPECT_EQ(log->log_end_offset(), 60);
  // At the start itself: everything readable goes.
  ASSERT_TRUE(log->TruncateTo(22).ok());
  EXPECT_EQ(log->log_end_offset(), 20);  // the batch 20-24 straddles 22
  EXPECT_LE(log->log_start_offset(), 22);
}

TEST_P(LogTruncateTest, AcrossManySegmentsDeletesWholeSegmentsNeverRecycled) {
  options_.recycle_segments = 2;
  std::unique_ptr<Log> log = OpenLog();
  AppendBatches(log.get(), 40, "a");
  const int64_t segments = log->segment_count();
  ASSERT_GE(segments, 8);
  ASSERT_TRUE(log->Sync().ok());
  ASSERT_TRUE(log->TruncateTo(33).ok());  // inside the batch 30-34
  EXPECT_EQ(log->log_end_offset(), 30);
  EXPECT_LT(log->segment_count(), segments);
  EXPECT_FALSE(HasRecycledFile());  // truncated bytes are never reused
  EXPECT_EQ(Records(log.get()), Expected(0, 30, 5, "a"));
  EXPECT_EQ(log->recovery_point(), 30);
  ExpectIndexAgrees(log.get());
  // Appends continue at the cut, roll into new segments, and read back.
  AppendBatches(log.get(), 10, "b");
  std::vector<std::string> want = Expected(0, 30, 5, "a");
  for (const std::string& r : Expected(30, 80, 5, "b", 30)) want.push_back(r);
  EXPECT_EQ(Records(log.get()), want);
  ExpectIndexAgrees(log.get());
  // And survive a reopen.
  ASSERT_TRUE(log->Close().ok());
  log = OpenLog();
  EXPECT_EQ(log->log_end_offset(), 80);
  EXPECT_EQ(Records(log.get()), want);
  ExpectIndexAgrees(log.get());
}

TEST_P(LogTruncateTest, AtASegmentBoundaryLeavesThatSegmentEmptyAndActive) {
  std::unique_ptr<Log> log = OpenLog();
  AppendBatches(log.get(), 20, "a");
  std::vector<int64_t> bases = SegmentBases();
  ASSERT_GE(bases.size(), 4u);
  const int64_t boundary = bases[2];
  ASSERT_TRUE(log->TruncateTo(boundary).ok());
  EXPECT_EQ(log->log_end_offset(), boundary);
  EXPECT_EQ(log->segment_count(), 3);
  EXPECT_EQ(SegmentBases(),
            std::vector<int64_t>(bases.begin(), bases.begin() + 3));
  EXPECT_EQ(Records(log.get()), Expected(0, boundary, 5, "a"));
  absl::StatusOr<AppendInfo> info = log->Append(Batch(5, "b0"));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->first_offset, boundary);
  EXPECT_EQ(log->segment_count(), 3);  // appended into the emptied segment
  // One offset into it: the segment before stays whole.
  ASSERT_TRUE(log->TruncateTo(boundary + 1).ok());
  EXPECT_EQ(log->log_end_offset(), boundary);
}

TEST_P(LogTruncateTest, WholeActiveSegmentAndEverything) {
  std::unique_ptr<Log> log = OpenLog();
  AppendBatches(log.get(), 2, "a");
  ASSERT_EQ(log->segment_count(), 1);
  ASSERT_TRUE(log->TruncateTo(0).ok());
  EXPECT_EQ(log->log_end_offset(), 0);
  EXPECT_TRUE(Records(log.get()).empty());
  AppendBatches(log.get(), 2, "b");
  EXPECT_EQ(Records(log.get()), Expected(0, 10, 5, "b"));
  ASSERT_TRUE(log->Close().ok());
  log = OpenLog();
  EXPECT_EQ(Records(log.get()), Expected(0, 10, 5, "b"));
}

TEST_P(LogTruncateTest, BelowTheRecoveryPointLowersItAndTheCheckpoint) {
  std::unique_ptr<Log> log = OpenLog();
  AppendBatches(log.get(), 20, "a");
  ASSERT_TRUE(log->Sync().ok());
  ASSERT_EQ(log->recovery_point(), 100);
  ASSERT_TRUE(log->TruncateTo(42).ok());
  EXPECT_EQ(log->log_end_offset(), 40);
  EXPECT_EQ(log->recovery_point(), 40);
  absl::StatusOr<std::string> checkpoint =
      fs_->ReadFileToString(dir_ + "/recovery-point-offset-checkpoint");
  ASSERT_TRUE(checkpoint.ok());
  // Kafka's format: version, count, then "<topic> <partition> <offset>".
  const std::string last_line =
      checkpoint->substr(checkpoint->rfind(' ', checkpoint->size() - 2) + 1);
  EXPECT_LE(std::stoll(last_line), 40) << *checkpoint;
}

TEST_P(LogTruncateTest, TimestampsStayConsistent) {
  std::unique_ptr<Log> log = OpenLog();
  AppendBatches(log.get(), 20, "a", /*timestamp=*/1000);  // up to 1194
  ASSERT_TRUE(log->TruncateTo(50).ok());
  // The largest timestamp kept is 1094.
  absl::StatusOr<OffsetAndTimestamp> found = log->OffsetForTimestamp(1090);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->offset, 45);
  EXPECT_THAT(log->OffsetForTimestamp(1100).status(),
              StatusIs(Code::kNotFound, ::testing::_));
  // New appends with older timestamps are found again.
  AppendBatches(log.get(), 1, "b", /*timestamp=*/500);
  found = log->OffsetForTimestamp(1100);
  EXPECT_THAT(found.status(), StatusIs(Code::kNotFound, ::testing::_));
  AppendBatches(log.get(), 1, "c", /*timestamp=*/5000);
  found = log->OffsetForTimestamp(1100);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->offset, 55);
  ASSERT_TRUE(log->Close().ok());
  log = OpenLog();
  found = log->OffsetForTimestamp(1100);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->offset, 55);
}

// A reader holding a view of the segment being cut keeps valid memory:
// the bytes below the cut stay as they were; those past it were zeroed
// (never cut off under the mapping, which would raise SIGBUS).
TEST_P(LogTruncateTest, PinnedReaderKeepsItsViewAcrossACut) {
  options_.segment_bytes = 1 << 20;
  std::unique_ptr<Log> log = OpenLog();
  AppendBatches(log.get(), 10, "a");
  absl::StatusOr<LogReadResult> held = log->Read(0, 1 << 20);
  ASSERT_TRUE(held.ok());
  ASSERT_EQ(held->batches.size(), 10u);
  const std::vector<std::string> before(held->batches.begin(),
                                        held->batches.end());
  ASSERT_TRUE(log->TruncateTo(25).ok());
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(held->batches[i], before[i]) << i;
  }
  EXPECT_EQ(held->batches[7], std::string(before[7].size(), '\0'));
  // The log goes on: appends land at the cut, reads see them.
  AppendBatches(log.get(), 2, "b");
  std::vector<std::string> want = Expected(0, 25, 5, "a");
  for (const std::string& r : Expected(25, 35, 5, "b", 25)) want.push_back(r);
  EXPECT_EQ(Records(log.get()), want);
  held->pins.clear();
  ASSERT_TRUE(log->Close().ok());
  log = OpenLog();
  EXPECT_EQ(Records(log.get()), want);
  ExpectIndexAgrees(log.get());
}

TEST_P(LogTruncateTest, TruncateFullyAndStartAtHigherOffset) {
  std::unique_ptr<Log> log = OpenLog();
  AppendBatches(log.get(), 12, "a");
  ASSERT_TRUE(log->TruncateFullyAndStartAt(1000).ok());
  EXPECT_EQ(log->log_start_offset(), 1000);
  EXPECT_EQ(log->log_end_offset(), 1000);
  EXPECT_EQ(log->recovery_point(), 1000);
  EXPECT_EQ(log->segment_count(), 1);
  EXPECT_THAT(log->Read(5, 100).status(),
              StatusIs(Code::kOutOfRange, ::testing::_));
  absl::StatusOr<AppendInfo> info = log->Append(Batch(5, "b0"));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->first_offset, 1000);
  log.reset();  // closes
  log = OpenLog();
  EXPECT_EQ(log->log_start_offset(), 1000);
  EXPECT_EQ(Records(log.get()), Expected(1000, 1005, 5, "b", 1000));
}

// A lower start than before: files recycled by retention hold batches with
// offsets above it, so they are discarded rather than reused.
TEST_P(LogTruncateTest, TruncateFullyAndStartAtLowerOffsetDropsRecycledFiles) {
  options_.recycle_segments = 2;
  options_.retention_bytes = 3000;
  std::unique_ptr<Log> log = OpenLog();
  AppendBatches(log.get(), 30, "a");
  absl::StatusOr<int> deleted = log->ApplyRetention();
  ASSERT_TRUE(deleted.ok());
  ASSERT_GT(*deleted, 0);
  ASSERT_TRUE(HasRecycledFile());
  ASSERT_TRUE(log->TruncateFullyAndStartAt(0).ok());
  EXPECT_FALSE(HasRecycledFile());
  AppendBatches(log.get(), 8, "b");
  EXPECT_EQ(Records(log.get()), Expected(0, 40, 5, "b"));
  ASSERT_TRUE(log->Close().ok());
  log = OpenLog();
  EXPECT_EQ(log->log_start_offset(), 0);
  EXPECT_EQ(Records(log.get()), Expected(0, 40, 5, "b"));
  EXPECT_THAT(log->TruncateFullyAndStartAt(-1),
              StatusIs(Code::kInvalidArgument, ::testing::_));
}

TEST_P(LogTruncateTest, ClosedLogRefusesTruncation) {
  std::unique_ptr<Log> log = OpenLog();
  AppendBatches(log.get(), 2, "a");
  ASSERT_TRUE(log->Close().ok());
  EXPECT_THAT(log->TruncateTo(0),
              StatusIs(Code::kFailedPrecondition, ::testing::_));
  EXPECT_THAT(log->TruncateFullyAndStartAt(0),
              StatusIs(Code::kFailedPrecondition, ::testing::_));
  EXPECT_THAT(log->AppendAsFollower(Stamp(Batch(1, "x"), 10, 0)).status(),
              StatusIs(Code::kFailedPrecondition, ::testing::_));
}

// --- AppendAsFollower and leader epochs. ---

// A replicated log reopens at the newest epoch of its directory's
// leader-epoch-checkpoint: its newest batches read back at once.
TEST_P(LogTruncateTest, ReopensAtTheEpochOfTheLeaderEpochCheckpoint) {
  {
    std::unique_ptr<Log> log = OpenLog();
    ASSERT_TRUE(log->set_leader_epoch(7).ok());
    AppendBatches(log.get(), 3, "a");
    ASSERT_TRUE(log->Close().ok());
  }
  ASSERT_TRUE(fs_->ReplaceFileDurably(dir_ + "/leader-epoch-checkpoint",
                                      "0\n2\n3 0\n7 0\n")
                  .ok());
  std::unique_ptr<Log> log = OpenLog();
  EXPECT_EQ(log->leader_epoch(), 7);
  absl::StatusOr<LogReadResult> read = log->Read(0, 1 << 20);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_FALSE(read->batches.empty());
  // Without the file, the options' epoch (0) rejects them as corrupt.
  ASSERT_TRUE(fs_->RemoveFile(dir_ + "/leader-epoch-checkpoint").ok());
  log = OpenLog();
  EXPECT_EQ(log->leader_epoch(), 0);
  EXPECT_THAT(log->Read(0, 1 << 20).status(),
              StatusIs(Code::kDataLoss, HasSubstr("leader epoch 7")));
}

TEST_P(LogTruncateTest, FollowerCopiesTheLeaderByteForByte) {
  std::unique_ptr<Log> leader = OpenLog();
  ASSERT_TRUE(leader->set_leader_epoch(3).ok());
  AppendBatches(leader.get(), 6, "a");
  ASSERT_TRUE(leader->set_leader_epoch(5).ok());
  AppendBatches(leader.get(), 6, "b");

  LogOptions follower_options = options_;
  const std::string leader_dir = dir_;
  dir_ += "-follower";
  if (GetParam() == FsKind::kPosix) {
    absl::Status cleared = fs_->RemoveAll(dir_);
    ASSERT_TRUE(cleared.ok() || absl::IsNotFound(cleared));
  }
  std::unique_ptr<Log> follower = OpenLog();
  ASSERT_TRUE(follower->set_leader_epoch(5).ok());
  std::vector<std::string> leader_batches;
  while (follower->log_end_offset() < leader->log_end_offset()) {
    absl::StatusOr<LogReadResult> fetched =
        leader->Read(follower->log_end_offset(), 700);
    ASSERT_TRUE(fetched.ok() && !fetched->batches.empty());
    std::string bytes;
    for (absl::string_view b : fetched->batches) {
      bytes.append(b.data(), b.size());
      leader_batches.emplace_back(b);
    }
    const int64_t end = follower->log_end_offset();
    absl::StatusOr<AppendInfo> info = follower->AppendAsFollower(bytes);
    ASSERT_TRUE(info.ok()) << info.status();
    EXPECT_EQ(info->first_offset, end);
  }
  EXPECT_EQ(Records(follower.get()), Records(leader.get()));
  // Byte-identical, epochs included.
  std::vector<std::string> follower_batches;
  for (int64_t o = 0; o < follower->log_end_offset();) {
    absl::StatusOr<LogReadResult> read = follower->Read(o, 1);
    ASSERT_TRUE(read.ok() && !read->batches.empty());
    follower_batches.emplace_back(read->batches[0]);
    o = ReadBatchHeader(read->batches[0])->last_offset() + 1;
  }
  EXPECT_EQ(follower_batches, leader_batches);
  EXPECT_EQ(ReadBatchHeader(follower_batches.front())->partition_leader_epoch,
            3);
  EXPECT_EQ(ReadBatchHeader(follower_batches.back())->partition_leader_epoch,
            5);
  // Reopened with its latest epoch, the follower reads the same.
  ASSERT_TRUE(follower->Close().ok());
  follower_options.leader_epoch = 5;
  options_ = follower_options;
  follower = OpenLog();
  EXPECT_EQ(Records(follower.get()), Records(leader.get()));
  (void)leader_dir;
}

TEST_P(LogTruncateTest, FollowerAppendRejectionsAppendNothing) {
  std::unique_ptr<Log> log = OpenLog();
  ASSERT_TRUE(log->set_leader_epoch(4).ok());
  ASSERT_TRUE(log->AppendAsFollower(Stamp(Batch(5, "a0"), 0, 2)).ok());
  auto expect_rejected = [&](const std::string& bytes, Code code,
                             absl::string_view message) {
    EXPECT_THAT(log->AppendAsFollower(bytes).status(),
                StatusIs(code, HasSubstr(std::string(message))));
    EXPECT_EQ(log->log_end_offset(), 5);
  };
  // Not at the log end: before it, or leaving a gap.
  expect_rejected(Stamp(Batch(5, "x"), 3, 2), Code::kOutOfRange,
                  "starts at offset 3 but the log end offset is 5");
  expect_rejected(Stamp(Batch(5, "x"), 6, 2), Code::kOutOfRange,
                  "log end offset is 5");
  // Batches that do not follow each other (a gap, an overlap).
  expect_rejected(Stamp(Batch(5, "x"), 5, 2) + Stamp(Batch(5, "y"), 11, 2),
                  Code::kInvalidArgument, "starts at offset 11, expected 10");
  expect_rejected(Stamp(Batch(5, "x"), 5, 2) + Stamp(Batch(5, "y"), 9, 2),
                  Code::kInvalidArgument, "expected 10");
  // Epochs: newer than the log knows, negative, or going back.
  expect_rejected(Stamp(Batch(5, "x"), 5, 7), Code::kInvalidArgument,
                  "leader epoch 7 outside [0, 4]");
  expect_rejected(Stamp(Batch(5, "x"), 5, -1), Code::kInvalidArgument,
                  "outside [0, 4]");
  expect_rejected(Stamp(Batch(5, "x"), 5, 3) + Stamp(Batch(5, "y"), 10, 2),
                  Code::kInvalidArgument, "below the previous batch's 3");
  // A bad CRC, a truncated batch, too large a batch, nothing at all.
  std::string corrupt = Stamp(Batch(5, "x"), 5, 2);
  corrupt[corrupt.size() - 3] ^= 0x40;
  expect_rejected(corrupt, Code::kInvalidArgument, "append rejected");
  const std::string whole = Stamp(Batch(5, "x"), 5, 2);
  expect_rejected(whole.substr(0, whole.size() - 1), Code::kInvalidArgument,
                  "truncated");
  expect_rejected("", Code::kInvalidArgument, "no batches");
  // Valid first batch, bad second: nothing of either is appended.
  expect_rejected(whole + corrupt.substr(0, 20), Code::kInvalidArgument,
                  "batch at byte");
  EXPECT_EQ(Records(log.get()), Expected(0, 5, 5, "a"));

  options_.max_message_bytes = 200;
  std::unique_ptr<Log> small;
  log.reset();
  small = OpenLog();
  ASSERT_TRUE(small->set_leader_epoch(4).ok());
  EXPECT_THAT(small->AppendAsFollower(whole).status(),
              StatusIs(Code::kInvalidArgument, HasSubstr("max.message.bytes")));
}

TEST_P(LogTruncateTest, LeaderEpochNeverGoesBackAndStampsAppends) {
  options_.leader_epoch = 2;
  std::unique_ptr<Log> log = OpenLog();
  EXPECT_EQ(log->leader_epoch(), 2);
  EXPECT_THAT(log->set_leader_epoch(1),
              StatusIs(Code::kInvalidArgument, HasSubstr("below")));
  ASSERT_TRUE(log->set_leader_epoch(2).ok());
  ASSERT_TRUE(log->set_leader_epoch(9).ok());
  EXPECT_EQ(log->leader_epoch(), 9);
  AppendBatches(log.get(), 1, "a");
  absl::StatusOr<LogReadResult> read = log->Read(0, 1);
  ASSERT_TRUE(read.ok() && !read->batches.empty());
  EXPECT_EQ(ReadBatchHeader(read->batches[0])->partition_leader_epoch, 9);
  // Reopened below an epoch in the log, reads call the batch corrupt (the
  // epoch is outside the CRC): the replication layer reopens with its
  // latest epoch.
  ASSERT_TRUE(log->Close().ok());
  options_.leader_epoch = 9;
  log = OpenLog();
  EXPECT_EQ(Records(log.get()), Expected(0, 5, 5, "a"));
}

// The follower's cycle: diverged tail truncated, the leader's batches
// appended in its place, epochs from both leaders kept.
TEST_P(LogTruncateTest, FollowerTruncatesThenAppendsTheNewLeadersBatches) {
  std::unique_ptr<Log> log = OpenLog();
  ASSERT_TRUE(log->set_leader_epoch(1).ok());
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(
        log->AppendAsFollower(Stamp(Batch(5, absl::StrCat("a", i)), 5 * i, 1))
            .ok());
  }
  ASSERT_TRUE(log->set_leader_epoch(2).ok());
  ASSERT_TRUE(log->TruncateTo(20).ok());
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(log->AppendAsFollower(
                       Stamp(Batch(5, absl::StrCat("b", i)), 20 + 5 * i, 2))
                    .ok());
  }
  std::vector<std::string> want = Expected(0, 20, 5, "a");
  for (const std::string& r : Expected(20, 60, 5, "b", 20)) want.push_back(r);
  EXPECT_EQ(Records(log.get()), want);
  ExpectIndexAgrees(log.get());
  ASSERT_TRUE(log->Close().ok());
  options_.leader_epoch = 2;
  log = OpenLog();
  EXPECT_EQ(Records(log.get()), want);
}

}  // namespace
}  // namespace runnel
