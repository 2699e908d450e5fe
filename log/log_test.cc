// Copyright 2026 The Runnel Authors.
#include "runnel/log.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
#include "log/background_syncer.h"
#include "log/format.h"
#include "log/prefaulter.h"
#include "log/segment_cache.h"
#include "runnel/clock.h"
#include "runnel/mem_file_system.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace {

using ::runnel::testing::StatusIs;
using ::testing::HasSubstr;
using Code = absl::StatusCode;

// One batch of `count` records "key-i" -> "value-i" (base offset 0: the log
// assigns the real one).
std::string Batch(int count, int64_t timestamp = 1700000000000,
                  size_t value_bytes = 10) {
  std::string out;
  RecordBatchBuilder builder(RecordBatchOptions{}, &out);
  for (int i = 0; i < count; ++i) {
    std::string value = absl::StrCat("value-", i);
    value.resize(std::max(value.size(), value_bytes), '.');
    EXPECT_TRUE(
        builder.Append(timestamp + i, absl::StrCat("key-", i), value).ok());
  }
  EXPECT_TRUE(builder.Finish().ok());
  return out;
}

// All records readable from `offset` on, as "offset:key=value".
std::vector<std::string> ReadAll(Log* log, int64_t offset = 0) {
  std::vector<std::string> out;
  while (offset < log->log_end_offset()) {
    absl::StatusOr<LogReadResult> read = log->Read(offset, 1 << 20);
    EXPECT_TRUE(read.ok()) << read.status();
    if (!read.ok() || read->batches.empty()) break;
    for (absl::string_view bytes : read->batches) {
      absl::StatusOr<DecodedBatch> batch = DecodedBatch::Decode(bytes);
      EXPECT_TRUE(batch.ok()) << batch.status();
      if (!batch.ok()) return out;
      for (const RecordView& r : batch->records()) {
        if (r.offset < offset) continue;
        out.push_back(absl::StrCat(r.offset, ":", r.key.value_or("null"), "=",
                                   r.value.value_or("null")));
      }
      offset =
          batch->header().base_offset + batch->header().last_offset_delta + 1;
    }
  }
  return out;
}

enum class FsKind { kMem, kPosix };

class LogTest : public ::testing::TestWithParam<FsKind> {
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
          tmp != nullptr ? tmp : "/tmp", "/log_test-",
          ::testing::UnitTest::GetInstance()->current_test_info()->name());
      absl::Status cleared = fs_->RemoveAll(dir_);
      ASSERT_TRUE(cleared.ok() || absl::IsNotFound(cleared)) << cleared;
    }
    options_.file_system = fs_;
    options_.preallocate_bytes = 64 * 1024;
  }

  std::unique_ptr<Log> OpenLog() {
    absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(dir_, options_);
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? *std::move(log) : nullptr;
  }

  MemFileSystem mem_;
  std::unique_ptr<FileSystem> posix_;
  FileSystem* fs_ = nullptr;
  std::string dir_;
  LogOptions options_;
};

INSTANTIATE_TEST_SUITE_P(FileSystems, LogTest,
                         ::testing::Values(FsKind::kMem, FsKind::kPosix),
                         [](const auto& info) {
                           return info.param == FsKind::kMem ? "Mem" : "Posix";
                         });

TEST_P(LogTest, NewLogIsEmptyWithOneSegment) {
  std::unique_ptr<Log> log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->log_start_offset(), 0);
  EXPECT_EQ(log->log_end_offset(), 0);
  EXPECT_EQ(log->segment_count(), 1);
  absl::StatusOr<LogReadResult> read = log->Read(0, 100);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(read->batches.empty());
  EXPECT_THAT(fs_->FileExists(dir_ + "/00000000000000000000.log"),
              ::runnel::testing::IsOkAndHolds(true));
}

TEST_P(LogTest, AppendAssignsConsecutiveOffsets) {
  std::unique_ptr<Log> log = OpenLog();
  absl::StatusOr<AppendInfo> first = log->Append(Batch(3));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->first_offset, 0);
  EXPECT_EQ(first->last_offset, 2);
  EXPECT_EQ(first->record_count, 3);
  absl::StatusOr<AppendInfo> second = log->Append(Batch(2) + Batch(4));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->first_offset, 3);
  EXPECT_EQ(second->last_offset, 8);
  EXPECT_EQ(log->log_end_offset(), 9);
  EXPECT_THAT(ReadAll(log.get()),
              ::testing::ElementsAre("0:key-0=value-0...", "1:key-1=value-1...",
                                     "2:key-2=value-2...", "3:key-0=value-0...",
                                     "4:key-1=value-1...", "5:key-0=value-0...",
                                     "6:key-1=value-1...", "7:key-2=value-2...",
                                     "8:key-3=value-3..."));
}

TEST_P(LogTest, ReadFromTheMiddleOfABatchReturnsThatBatch) {
  std::unique_ptr<Log> log = OpenLog();
  ASSERT_TRUE(log->Append(Batch(5)).ok());
  ASSERT_TRUE(log->Append(Batch(5)).ok());
  absl::StatusOr<LogReadResult> read = log->Read(7, 1);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->batches.size(), 1u);  // at least one batch, even > max
  absl::StatusOr<RecordBatchHeader> header = ReadBatchHeader(read->batches[0]);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->base_offset, 5);
  EXPECT_EQ(read->log_end_offset, 10);
}

// The batches of a read, as owned strings (for comparing two reads).
std::vector<std::string> BatchesOf(const absl::StatusOr<LogReadResult>& read) {
  EXPECT_TRUE(read.ok()) << read.status();
  std::vector<std::string> out;
  if (read.ok()) {
    for (absl::string_view b : read->batches) out.emplace_back(b);
  }
  return out;
}

TEST_P(LogTest, ReadsFromAReadPositionMatchReadsFromTheIndex) {
  std::unique_ptr<Log> log = OpenLog();
  for (int i = 0; i < 300; ++i) {  // small batches: many per index entry
    ASSERT_TRUE(log->Append(Batch(1 + i % 3, 1700000000000, 10 + i % 7)).ok());
  }
  ReadPosition from;
  int64_t offset = 0;
  int reads = 0;
  while (offset < log->log_end_offset()) {
    const size_t max_bytes = reads % 2 == 0 ? 1 : 700;  // 1 or a few batches
    absl::StatusOr<LogReadResult> hinted = log->Read(offset, max_bytes, &from);
    ASSERT_EQ(BatchesOf(hinted), BatchesOf(log->Read(offset, max_bytes)))
        << "offset " << offset;
    ASSERT_FALSE(hinted->batches.empty());
    absl::StatusOr<RecordBatchHeader> last =
        ReadBatchHeader(hinted->batches.back());
    ASSERT_TRUE(last.ok());
    EXPECT_EQ(hinted->next.offset, last->last_offset() + 1);
    offset = hinted->next.offset;
    from = hinted->next;
    ++reads;
  }
  EXPECT_EQ(offset, log->log_end_offset());
}

TEST_P(LogTest, AReadPositionThatNoLongerFitsIsNotTrusted) {
  std::unique_ptr<Log> log = OpenLog();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(log->Append(Batch(1)).ok());
  // Positions for offsets 2, 5 and 8, from one-batch reads.
  std::vector<ReadPosition> at(10);
  for (int64_t offset = 0; offset + 1 < 10; ++offset) {
    absl::StatusOr<LogReadResult> read = log->Read(offset, 1);
    ASSERT_TRUE(read.ok()) << read.status();
    at[offset + 1] = read->next;
  }
  const std::vector<std::string> expected = BatchesOf(log->Read(5, 1 << 20));
  // For another offset, an earlier batch, a later batch, mid-batch: the
  // same answer as from the index.
  EXPECT_EQ(BatchesOf(log->Read(5, 1 << 20, &at[8])), expected);
  ReadPosition earlier = at[2];
  earlier.offset = 5;
  EXPECT_EQ(BatchesOf(log->Read(5, 1 << 20, &earlier)), expected);
  ReadPosition later = at[8];
  later.offset = 5;
  EXPECT_EQ(BatchesOf(log->Read(5, 1 << 20, &later)), expected);
  ReadPosition inside = at[5];
  inside.position += 7;
  EXPECT_EQ(BatchesOf(log->Read(5, 1 << 20, &inside)), expected);
  // Truncated and written again with batches of another size.
  ASSERT_TRUE(log->TruncateTo(3).ok());
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(log->Append(Batch(2, 1700000000000, 40)).ok());
  }
  EXPECT_EQ(BatchesOf(log->Read(5, 1 << 20, &at[5])),
            BatchesOf(log->Read(5, 1 << 20)));
  absl::StatusOr<LogReadResult> read = log->Read(5, 1 << 20, &at[5]);
  ASSERT_TRUE(read.ok());
  ASSERT_FALSE(read->batches.empty());
  absl::StatusOr<RecordBatchHeader> first = ReadBatchHeader(read->batches[0]);
  ASSERT_TRUE(first.ok());
  EXPECT_LE(first->base_offset, 5);
  EXPECT_GE(first->last_offset(), 5);
}

TEST_P(LogTest, ReadOutsideTheLogIsOutOfRangeNamingTheOffsets) {
  std::unique_ptr<Log> log = OpenLog();
  ASSERT_TRUE(log->Append(Batch(2)).ok());
  EXPECT_THAT(
      log->Read(3, 100).status(),
      StatusIs(Code::kOutOfRange, HasSubstr("offset 3 is outside [0, 2]")));
  EXPECT_THAT(log->Read(-1, 100).status(),
              StatusIs(Code::kOutOfRange, HasSubstr("-1")));
}

TEST_P(LogTest, BadBatchesAreRejectedAndNothingIsAppended) {
  std::unique_ptr<Log> log = OpenLog();
  std::string good = Batch(2);
  std::string corrupt = good;
  corrupt[corrupt.size() - 1] ^= 0x40;
  EXPECT_THAT(log->Append(good + corrupt).status(),
              StatusIs(Code::kInvalidArgument,
                       HasSubstr(absl::StrCat("batch at byte ", good.size()))));
  EXPECT_THAT(log->Append(good.substr(0, good.size() - 1)).status(),
              StatusIs(Code::kInvalidArgument, HasSubstr("truncated")));
  EXPECT_THAT(log->Append("").status(),
              StatusIs(Code::kInvalidArgument, HasSubstr("no batches")));
  EXPECT_EQ(log->log_end_offset(), 0);
}

TEST_P(LogTest, OversizedBatchIsRejectedNamingTheLimit) {
  options_.max_message_bytes = 200;
  std::unique_ptr<Log> log = OpenLog();
  EXPECT_THAT(log->Append(Batch(20)).status(),
              StatusIs(Code::kInvalidArgument,
                       HasSubstr("larger than max.message.bytes 200")));
  EXPECT_EQ(log->log_end_offset(), 0);
}

TEST_P(LogTest, RollsWhenTheSegmentIsFullAndReadsAcrossSegments) {
  options_.segment_bytes = 4096;
  std::unique_ptr<Log> log = OpenLog();
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(log->Append(Batch(5, 1700000000000, 40)).ok());
  }
  EXPECT_GT(log->segment_count(), 3);  // ~360-byte batches, 4 KiB segments
  std::vector<std::string> records = ReadAll(log.get());
  ASSERT_EQ(records.size(), 200u);
  EXPECT_EQ(records[123], "123:key-3=value-3" + std::string(33, '.'));
  // A rolled segment is trimmed when it is synced: in the background soon
  // after the roll, or by the next Sync.
  ASSERT_TRUE(log->Sync().ok());
  absl::StatusOr<std::vector<std::string>> names = fs_->ListDir(dir_);
  ASSERT_TRUE(names.ok());
  int logs = 0;
  for (const std::string& name : *names) {
    if (absl::EndsWith(name, ".log")) {
      ++logs;
      absl::StatusOr<uint64_t> size = fs_->GetFileSize(dir_ + "/" + name);
      ASSERT_TRUE(size.ok());
      // Sealed segments are trimmed to whole batches within segment.bytes.
      if (logs < log->segment_count()) {
        EXPECT_LE(*size, 4096u) << name;
      }
    }
  }
  EXPECT_EQ(logs, log->segment_count());
}

TEST_P(LogTest, IndexedLookupsFindEveryOffset) {
  options_.index_interval_bytes = 256;
  std::unique_ptr<Log> log = OpenLog();
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(log->Append(Batch(3)).ok());
  for (int64_t offset : {0, 1, 2, 3, 150, 151, 152, 298, 299}) {
    absl::StatusOr<LogReadResult> read = log->Read(offset, 1);
    ASSERT_TRUE(read.ok()) << read.status();
    ASSERT_EQ(read->batches.size(), 1u);
    absl::StatusOr<RecordBatchHeader> h = ReadBatchHeader(read->batches[0]);
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(h->base_offset, offset / 3 * 3) << offset;
  }
}

TEST_P(LogTest, CleanCloseAndReopenKeepsEverything) {
  options_.segment_bytes = 2048;
  {
    std::unique_ptr<Log> log = OpenLog();
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(log->Append(Batch(4)).ok());
    ASSERT_TRUE(log->Close().ok());
    EXPECT_THAT(log->Close(), StatusIs(Code::kFailedPrecondition,
                                       HasSubstr("already closed")));
  }
  std::unique_ptr<Log> log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->log_end_offset(), 80);
  EXPECT_EQ(log->recovery_point(), 80);
  EXPECT_EQ(ReadAll(log.get()).size(), 80u);
  absl::StatusOr<AppendInfo> more = log->Append(Batch(1));
  ASSERT_TRUE(more.ok()) << more.status();
  EXPECT_EQ(more->first_offset, 80);
  EXPECT_EQ(ReadAll(log.get(), 78).size(), 3u);
}

// Copies every file of `from` into `to`: what a process that died without
// Close leaves behind (the page cache keeps every store, nothing trimmed).
void CopyDir(FileSystem* fs, const std::string& from, const std::string& to) {
  ASSERT_TRUE(fs->CreateDirs(to).ok());
  absl::StatusOr<std::vector<std::string>> names = fs->ListDir(from);
  ASSERT_TRUE(names.ok()) << names.status();
  for (const std::string& name : *names) {
    absl::StatusOr<std::string> content =
        ::runnel::testing::ReadFile(fs, from + "/" + name);
    ASSERT_TRUE(content.ok()) << content.status();
    ASSERT_TRUE(
        ::runnel::testing::WriteFile(fs, to + "/" + name, *content).ok());
  }
}

TEST_P(LogTest, ReopenAfterTheProcessDiedRecoversEveryAppend) {
  options_.segment_bytes = 2048;
  const std::string live = dir_;
  std::unique_ptr<Log> log = OpenLog();
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(log->Append(Batch(2)).ok());
  // A dead process syncs nothing: let the background syncer finish first,
  // or the copy may list a checkpoint's .tmp file that is renamed away
  // before it is read.
  internal::BackgroundSyncer::Default()->Drain();
  dir_ = live + "-after-death";
  CopyDir(fs_, live, dir_);
  std::unique_ptr<Log> recovered = OpenLog();
  ASSERT_NE(recovered, nullptr);
  EXPECT_EQ(recovered->log_end_offset(), 60);
  EXPECT_EQ(ReadAll(recovered.get()), ReadAll(log.get()));
  absl::StatusOr<AppendInfo> more = recovered->Append(Batch(1));
  ASSERT_TRUE(more.ok()) << more.status();
  EXPECT_EQ(more->first_offset, 60);
}

TEST_P(LogTest, TornTailIsCutAtTheLastWholeBatch) {
  std::string path;
  uint64_t valid = 0;
  {
    std::unique_ptr<Log> log = OpenLog();
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(log->Append(Batch(2)).ok());
    valid = log->size_bytes();
    ASSERT_TRUE(log->Close().ok());
  }
  path = dir_ + "/00000000000000000000.log";
  // Half a batch of garbage after the valid data, and no clean marker.
  absl::StatusOr<std::unique_ptr<File>> f =
      fs_->OpenFile(path, OpenOptions::ReadWrite());
  ASSERT_TRUE(f.ok());
  std::string half = Batch(2).substr(0, 40);
  ASSERT_TRUE((*f)->WriteAt(valid, half).ok());
  ASSERT_TRUE((*f)->Close().ok());
  ASSERT_TRUE(fs_->RemoveFile(dir_ + "/.runnel_cleanshutdown").ok());

  std::unique_ptr<Log> log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->log_end_offset(), 10);
  EXPECT_THAT(fs_->GetFileSize(path), ::runnel::testing::IsOkAndHolds(valid));
  absl::StatusOr<AppendInfo> more = log->Append(Batch(1));
  ASSERT_TRUE(more.ok()) << more.status();
  EXPECT_EQ(more->first_offset, 10);
  EXPECT_EQ(ReadAll(log.get()).size(), 11u);
}

TEST_P(LogTest, FlippedByteInASealedSegmentIsNeverReturnedAsData) {
  options_.segment_bytes = 1024;
  std::string path = dir_ + "/00000000000000000000.log";
  {
    std::unique_ptr<Log> log = OpenLog();
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(log->Append(Batch(2)).ok());
    ASSERT_GT(log->segment_count(), 2);
    ASSERT_TRUE(log->Close().ok());
  }
  absl::StatusOr<std::unique_ptr<File>> f =
      fs_->OpenFile(path, OpenOptions::ReadWrite());
  ASSERT_TRUE(f.ok());
  char byte;
  ASSERT_TRUE((*f)->ReadAt(100, absl::MakeSpan(&byte, 1)).ok());
  byte ^= 0x01;
  ASSERT_TRUE((*f)->WriteAt(100, absl::string_view(&byte, 1)).ok());
  ASSERT_TRUE((*f)->Close().ok());

  std::unique_ptr<Log> log = OpenLog();
  ASSERT_NE(log, nullptr);
  // The first batch holds offsets 0-1 and covers byte 100.
  EXPECT_THAT(log->Read(0, 1 << 20).status(),
              StatusIs(Code::kDataLoss, HasSubstr(path)));
  EXPECT_GE(log->corrupt_batches_found(), 1);
  // Later batches are still served.
  absl::StatusOr<LogReadResult> later = log->Read(2, 1 << 20);
  EXPECT_TRUE(later.ok()) << later.status();
}

TEST_P(LogTest, OffsetForTimestampFindsTheFirstBatchAtOrAfter) {
  options_.index_interval_bytes = 128;
  std::unique_ptr<Log> log = OpenLog();
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(log->Append(Batch(2, 1000 + 10 * i)).ok());
  }
  absl::StatusOr<OffsetAndTimestamp> found = log->OffsetForTimestamp(1205);
  ASSERT_TRUE(found.ok()) << found.status();
  // Batch i covers timestamps 1000+10i .. +1; the first with max >= 1205 is
  // i = 21 (max 1211) at offsets 42-43.
  EXPECT_EQ(found->offset, 42);
  EXPECT_EQ(found->timestamp, 1211);
  EXPECT_EQ(log->OffsetForTimestamp(0)->offset, 0);
  EXPECT_THAT(log->OffsetForTimestamp(5000).status(),
              StatusIs(Code::kNotFound, HasSubstr("5000")));
}

TEST_P(LogTest, SyncAdvancesTheRecoveryPoint) {
  std::unique_ptr<Log> log = OpenLog();
  ASSERT_TRUE(log->Append(Batch(3)).ok());
  EXPECT_EQ(log->recovery_point(), 0);
  ASSERT_TRUE(log->Sync().ok());
  EXPECT_EQ(log->recovery_point(), 3);
}

TEST_P(LogTest, FlushMessagesSyncsInsideAppend) {
  options_.flush_messages = 4;
  std::unique_ptr<Log> log = OpenLog();
  ASSERT_TRUE(log->Append(Batch(3)).ok());
  EXPECT_EQ(log->recovery_point(), 0);
  ASSERT_TRUE(log->Append(Batch(1)).ok());
  EXPECT_EQ(log->recovery_point(), 4);
}

TEST_P(LogTest, AppendAfterCloseFails) {
  std::unique_ptr<Log> log = OpenLog();
  ASSERT_TRUE(log->Close().ok());
  EXPECT_THAT(log->Append(Batch(1)).status(),
              StatusIs(Code::kFailedPrecondition, HasSubstr("closed")));
}

TEST_P(LogTest, ReadViewsOutliveARoll) {
  options_.segment_bytes = 1024;
  std::unique_ptr<Log> log = OpenLog();
  ASSERT_TRUE(log->Append(Batch(2)).ok());
  absl::StatusOr<LogReadResult> read = log->Read(0, 1 << 20);
  ASSERT_TRUE(read.ok());
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(log->Append(Batch(2)).ok());
  ASSERT_GT(log->segment_count(), 1);
  EXPECT_TRUE(DecodedBatch::Decode(read->batches[0]).ok());
}

TEST_P(LogTest, DeleteRecordsBeforeMovesTheStartAndDeletesWholeSegments) {
  options_.segment_bytes = 1024;
  std::unique_ptr<Log> log = OpenLog();
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(log->Append(Batch(2)).ok());
  const int64_t segments = log->segment_count();
  ASSERT_GT(segments, 4);
  absl::StatusOr<LogReadResult> held = log->Read(0, 1 << 20);  // pins seg 0
  ASSERT_TRUE(held.ok());

  EXPECT_THAT(log->DeleteRecordsBefore(50),
              ::runnel::testing::IsOkAndHolds(50));
  EXPECT_EQ(log->log_start_offset(), 50);
  EXPECT_LT(log->segment_count(), segments);
  EXPECT_THAT(
      log->Read(49, 100).status(),
      StatusIs(Code::kOutOfRange, HasSubstr("offset 49 is outside [50, 80]")));
  EXPECT_EQ(ReadAll(log.get(), 50).size(), 30u);
  EXPECT_THAT(fs_->FileExists(dir_ + "/00000000000000000000.log"),
              ::runnel::testing::IsOkAndHolds(false));
  // A reader that held the deleted segment still decodes its views.
  EXPECT_TRUE(DecodedBatch::Decode(held->batches[0]).ok());
  // Lower offsets change nothing; past the end is an error.
  EXPECT_THAT(log->DeleteRecordsBefore(10),
              ::runnel::testing::IsOkAndHolds(50));
  EXPECT_THAT(
      log->DeleteRecordsBefore(81).status(),
      StatusIs(Code::kOutOfRange, HasSubstr("past the log end offset 80")));
  log.reset();  // closes

  std::unique_ptr<Log> reopened = OpenLog();  // the start is durable
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->log_start_offset(), 50);
  EXPECT_EQ(ReadAll(reopened.get(), 50).size(), 30u);
}

// Prefaulting is for an appender fast enough to wait on page faults: a
// slow one takes its own faults, so no background job holds a core for
// the milliseconds a whole reservation takes.
TEST_P(LogTest, OnlyAFastAppenderIsPrefaulted) {
  SimulatedClock clock(absl::FromUnixMillis(1000000));
  options_.clock = &clock;
  // Chunks reach 4 MiB: the prefaulter skips what the appender already
  // passed (and 2 MiB beyond it), so only a chunk of over 2 MiB is sure to
  // leave it something to fault in however fast the appends run.
  options_.preallocate_bytes = 4 << 20;
  std::unique_ptr<Log> log = OpenLog();
  internal::Prefaulter* prefaulter = internal::Prefaulter::Default();
  prefaulter->Drain();
  const int64_t before = prefaulter->pieces_done();
  // ~1 MiB at one batch a second: every reservation is slow.
  const std::string batch = Batch(100);
  for (size_t bytes = 0; bytes < (size_t{1} << 20); bytes += batch.size()) {
    ASSERT_TRUE(log->Append(batch).ok());
    clock.Advance(absl::Seconds(1));
  }
  prefaulter->Drain();
  EXPECT_EQ(prefaulter->pieces_done(), before);
  // 16 MiB more with no time passing: fast, so prefaulted.
  for (size_t bytes = 0; bytes < (size_t{16} << 20); bytes += batch.size()) {
    ASSERT_TRUE(log->Append(batch).ok());
  }
  prefaulter->Drain();
  EXPECT_GT(prefaulter->pieces_done(), before);
}

TEST_P(LogTest, RetentionMsDeletesSegmentsOlderThanTheCutoff) {
  SimulatedClock clock(absl::FromUnixMillis(1000000));
  options_.clock = &clock;
  options_.segment_bytes = 1024;
  options_.retention_ms = absl::Milliseconds(5000);
  std::unique_ptr<Log> log = OpenLog();
  // Batch i has timestamps 1000000 + 100 i (+1).
  for (int i = 0; i < 60; ++i) {
    ASSERT_TRUE(log->Append(Batch(2, 1000000 + 100 * i)).ok());
  }
  const int64_t segments = log->segment_count();
  EXPECT_THAT(log->ApplyRetention(), ::runnel::testing::IsOkAndHolds(0));
  clock.SetTime(absl::FromUnixMillis(1000000 + 100 * 30 + 5000));
  absl::StatusOr<int> deleted = log->ApplyRetention();
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_GT(*deleted, 0);
  EXPECT_EQ(log->segment_count(), segments - *deleted);
  // Everything older than the cutoff in whole segments is gone; the rest
  // is still there, and nothing at or after the cutoff was deleted.
  EXPECT_GT(log->log_start_offset(), 0);
  EXPECT_LE(log->log_start_offset(), 60);
  EXPECT_EQ(
      static_cast<int64_t>(ReadAll(log.get(), log->log_start_offset()).size()),
      120 - log->log_start_offset());
}

TEST_P(LogTest, RetentionMsRollsAndDeletesEverythingWhenAllIsExpired) {
  SimulatedClock clock(absl::FromUnixMillis(1000000));
  options_.clock = &clock;
  options_.retention_ms = absl::Milliseconds(1000);
  std::unique_ptr<Log> log = OpenLog();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(log->Append(Batch(2, 1000)).ok());
  clock.Advance(absl::Hours(1));
  EXPECT_THAT(log->ApplyRetention(), ::runnel::testing::IsOkAndHolds(1));
  EXPECT_EQ(log->segment_count(), 1);
  EXPECT_EQ(log->log_start_offset(), 10);
  EXPECT_EQ(log->log_end_offset(), 10);
  absl::StatusOr<AppendInfo> next = log->Append(Batch(1, clock.NowMillis()));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->first_offset, 10);
}

TEST_P(LogTest, RetentionBytesKeepsAtLeastThatManyBytes) {
  options_.segment_bytes = 1024;
  options_.retention_bytes = 3000;
  options_.retention_ms = absl::InfiniteDuration();  // bytes alone decide
  std::unique_ptr<Log> log = OpenLog();
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(log->Append(Batch(2)).ok());
  absl::StatusOr<int> deleted = log->ApplyRetention();
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_GT(*deleted, 0);
  EXPECT_GE(log->size_bytes(), 3000u);
  EXPECT_LT(log->size_bytes(), 3000u + 1024u);
  EXPECT_THAT(log->ApplyRetention(), ::runnel::testing::IsOkAndHolds(0));
}

TEST_P(LogTest, CheckpointsUseKafkasFileFormat) {
  dir_ += "/orders-3";
  std::unique_ptr<Log> log = OpenLog();
  ASSERT_TRUE(log->Append(Batch(4)).ok());
  ASSERT_TRUE(log->DeleteRecordsBefore(2).ok());
  ASSERT_TRUE(log->Close().ok());
  EXPECT_THAT(::runnel::testing::ReadFile(
                  fs_, dir_ + "/recovery-point-offset-checkpoint"),
              ::runnel::testing::IsOkAndHolds("0\n1\norders 3 4\n"));
  EXPECT_THAT(
      ::runnel::testing::ReadFile(fs_, dir_ + "/log-start-offset-checkpoint"),
      ::runnel::testing::IsOkAndHolds("0\n1\norders 3 2\n"));
}

TEST_P(LogTest, IdleLogsKeepNoSealedSegmentOpenAndReadsStayBounded) {
  internal::OpenSegmentCache cache(/*max_open_segments=*/2);
  options_.open_segment_cache = &cache;
  options_.segment_bytes = 1024;
  std::unique_ptr<Log> log = OpenLog();
  for (int i = 0; i < 60; ++i) ASSERT_TRUE(log->Append(Batch(2)).ok());
  ASSERT_GT(log->segment_count(), 6);
  EXPECT_EQ(log->open_segment_count(), 1);  // only the active one
  EXPECT_EQ(ReadAll(log.get()).size(), 120u);
  EXPECT_LE(log->open_segment_count(), 3);  // 2 cached + the active one
  EXPECT_EQ(cache.size(), 2u);
  ASSERT_TRUE(log->Close().ok());

  std::unique_ptr<Log> reopened = OpenLog();
  EXPECT_EQ(reopened->open_segment_count(), 0);  // nothing until used
  EXPECT_EQ(ReadAll(reopened.get()).size(), 120u);
  EXPECT_LE(reopened->open_segment_count(), 3);
}

TEST_P(LogTest, AppendInPlaceBuildsTheBatchInsideTheSegment) {
  std::unique_ptr<Log> log = OpenLog();
  ASSERT_TRUE(log->Append(Batch(1)).ok());
  absl::StatusOr<AppendInfo> info = log->AppendInPlace(
      4096, [](absl::Span<char> slot) -> absl::StatusOr<size_t> {
        RecordBatchBuilder builder(RecordBatchOptions{}, slot);
        for (int i = 0; i < 3; ++i) {
          absl::Status s = builder.Append(1700000000000 + i,
                                          absl::StrCat("in-place-", i), "v");
          if (!s.ok()) return s;
        }
        absl::StatusOr<RecordBatchHeader> header = builder.Finish();
        if (!header.ok()) return header.status();
        return builder.size_bytes();
      });
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->first_offset, 1);
  EXPECT_EQ(info->last_offset, 3);
  EXPECT_THAT(ReadAll(log.get(), 1),
              ::testing::ElementsAre("1:in-place-0=v", "2:in-place-1=v",
                                     "3:in-place-2=v"));
}

TEST_P(LogTest, AppendInPlaceRejectsWhatIsNotAWholeValidBatch) {
  std::unique_ptr<Log> log = OpenLog();
  auto garbage = [](absl::Span<char> slot) -> absl::StatusOr<size_t> {
    std::fill(slot.begin(), slot.begin() + 100, 'x');
    return 100;
  };
  EXPECT_THAT(log->AppendInPlace(4096, garbage).status(),
              StatusIs(Code::kInvalidArgument, HasSubstr("in-place append")));
  auto failing = [](absl::Span<char>) -> absl::StatusOr<size_t> {
    return absl::CancelledError("caller gave up");
  };
  EXPECT_THAT(log->AppendInPlace(4096, failing).status(),
              StatusIs(Code::kCancelled, HasSubstr("caller gave up")));
  EXPECT_THAT(log->AppendInPlace(10, failing).status(),
              StatusIs(Code::kInvalidArgument, HasSubstr("outside [61")));
  EXPECT_EQ(log->log_end_offset(), 0);
  // The log is intact: a normal append goes to offset 0.
  absl::StatusOr<AppendInfo> next = log->Append(Batch(2));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->first_offset, 0);
  EXPECT_EQ(ReadAll(log.get()).size(), 2u);
}

TEST_P(LogTest, SegmentMsRollsWhenTheFirstBatchIsOldEnough) {
  options_.segment_ms = absl::Minutes(10);
  std::unique_ptr<Log> log = OpenLog();
  const int64_t t0 = 1700000000000;
  ASSERT_TRUE(log->Append(Batch(1, t0)).ok());
  ASSERT_TRUE(log->Append(Batch(1, t0 + 9 * 60 * 1000)).ok());
  EXPECT_EQ(log->segment_count(), 1);
  ASSERT_TRUE(log->Append(Batch(1, t0 + 10 * 60 * 1000)).ok());
  EXPECT_EQ(log->segment_count(), 2);  // 10 minutes after the first batch
  EXPECT_THAT(fs_->FileExists(dir_ + "/00000000000000000002.log"),
              ::runnel::testing::IsOkAndHolds(true));
}

TEST_P(LogTest, FlushMsSyncsOnAppendOrFlushIfDue) {
  SimulatedClock clock(absl::FromUnixMillis(1000));
  options_.clock = &clock;
  options_.flush_ms = absl::Seconds(1);
  std::unique_ptr<Log> log = OpenLog();
  ASSERT_TRUE(log->Append(Batch(2)).ok());
  ASSERT_TRUE(log->FlushIfDue().ok());
  EXPECT_EQ(log->recovery_point(), 0);  // not due yet
  clock.Advance(absl::Milliseconds(1500));
  ASSERT_TRUE(log->FlushIfDue().ok());
  EXPECT_EQ(log->recovery_point(), 2);
  ASSERT_TRUE(log->Append(Batch(1)).ok());
  clock.Advance(absl::Seconds(2));
  ASSERT_TRUE(log->Append(Batch(1)).ok());  // the append itself syncs
  EXPECT_EQ(log->recovery_point(), 4);
}

// One record per batch: key "k<key>", value `value` (null = tombstone).
std::string KeyedBatch(int key, std::optional<std::string> value,
                       int64_t timestamp = 1700000000000) {
  std::string out;
  RecordBatchBuilder builder(RecordBatchOptions{}, &out);
  EXPECT_TRUE(builder.Append(timestamp, absl::StrCat("k", key), value).ok());
  EXPECT_TRUE(builder.Finish().ok());
  return out;
}

TEST_P(LogTest, CompactKeepsTheLatestValuePerKeyAndEveryOffset) {
  SimulatedClock clock(absl::FromUnixMillis(1700000000000));
  options_.clock = &clock;
  options_.cleanup_policy = CleanupPolicy::kCompact;
  options_.segment_bytes = 1024;
  options_.delete_retention_ms = absl::Hours(1);
  std::unique_ptr<Log> log = OpenLog();
  // 10 keys written 10 times each (offset = 10 * round + key), then a
  // tombstone for k3 and a fresh value for k5.
  for (int round = 0; round < 10; ++round) {
    for (int key = 0; key < 10; ++key) {
      ASSERT_TRUE(log->Append(KeyedBatch(key, absl::StrCat("v", round))).ok());
    }
  }
  ASSERT_TRUE(log->Append(KeyedBatch(3, std::nullopt)).ok());         // 100
  ASSERT_TRUE(log->Append(KeyedBatch(5, std::string("last"))).ok());  // 101
  for (int i = 0; i < 20; ++i) {  // push 100 and 101 out of the active one
    ASSERT_TRUE(log->Append(KeyedBatch(9, std::string("tail"))).ok());
  }
  const int64_t end = log->log_end_offset();

  absl::StatusOr<CompactionStats> stats = log->Compact();
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_GT(stats->records_removed, 80);
  EXPECT_LT(stats->bytes_after, stats->bytes_before);
  EXPECT_EQ(log->log_end_offset(), end);  // offsets never change

  std::vector<std::string> records = ReadAll(log.get());
  // Every key's latest value survives, at its own offset; k3's tombstone is
  // kept (younger than delete.retention.ms); k9's older values are gone.
  EXPECT_THAT(records, ::testing::Contains("90:k0=v9"));
  EXPECT_THAT(records, ::testing::Contains("100:k3=null"));
  EXPECT_THAT(records, ::testing::Contains("101:k5=last"));
  EXPECT_THAT(records, ::testing::Not(::testing::Contains("95:k5=v9")));
  EXPECT_THAT(records, ::testing::Not(::testing::Contains("0:k0=v0")));
  EXPECT_EQ(records.back(), absl::StrCat(end - 1, ":k9=tail"));

  // Later: the tombstone expires and goes too; everything survives reopen.
  clock.Advance(absl::Hours(2));
  ASSERT_TRUE(log->Compact().ok());
  EXPECT_THAT(ReadAll(log.get()),
              ::testing::Not(::testing::Contains("100:k3=null")));
  std::vector<std::string> compacted = ReadAll(log.get());
  log.reset();
  std::unique_ptr<Log> reopened = OpenLog();
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(ReadAll(reopened.get()), compacted);
  absl::StatusOr<AppendInfo> next = reopened->Append(KeyedBatch(1, "new"));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->first_offset, end);
}

TEST_P(LogTest, CompactNeedsACompactPolicy) {
  std::unique_ptr<Log> log = OpenLog();  // cleanup.policy delete
  EXPECT_THAT(log->Compact().status(),
              StatusIs(Code::kFailedPrecondition, HasSubstr("cleanup.policy")));
}

}  // namespace
}  // namespace runnel
