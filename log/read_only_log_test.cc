// Copyright 2026 The Runnel Authors.
#include "runnel/read_only_log.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
#include "log/format.h"
#include "runnel/log.h"
#include "runnel/mem_file_system.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace {

using ::runnel::testing::StatusIs;
using ::testing::HasSubstr;
using Code = absl::StatusCode;

constexpr int64_t kTimestamp = 1700000000000;

// `count` records "v<first>".."v<first+count-1>", timestamps kTimestamp +
// record number (base offset 0: the log assigns the real one).
std::string Batch(int first, int count, size_t value_bytes = 10) {
  std::string out;
  RecordBatchBuilder builder(RecordBatchOptions{}, &out);
  for (int i = first; i < first + count; ++i) {
    std::string value = absl::StrCat("v", i);
    value.resize(std::max(value.size(), value_bytes), '.');
    EXPECT_TRUE(builder.Append(kTimestamp + i, std::nullopt, value).ok());
  }
  EXPECT_TRUE(builder.Finish().ok());
  return out;
}

// Every record readable from `offset` to the reader's end, as
// "offset:value-prefix".
std::vector<std::string> ReadAll(ReadOnlyLog& log, int64_t offset) {
  std::vector<std::string> out;
  while (offset < log.log_end_offset()) {
    absl::StatusOr<LogReadResult> read = log.Read(offset, 4096);
    EXPECT_TRUE(read.ok()) << read.status();
    if (!read.ok() || read->batches.empty()) break;
    for (absl::string_view bytes : read->batches) {
      absl::StatusOr<DecodedBatch> batch = DecodedBatch::Decode(bytes);
      EXPECT_TRUE(batch.ok()) << batch.status();
      if (!batch.ok()) return out;
      for (const RecordView& r : batch->records()) {
        if (r.offset < offset) continue;
        std::string value(r.value.value_or("null"));
        out.push_back(
            absl::StrCat(r.offset, ":", value.substr(0, value.find('.'))));
      }
      offset = batch->header().next_offset();
    }
  }
  return out;
}

std::vector<std::string> Expected(int64_t from, int64_t to) {
  std::vector<std::string> out;
  for (int64_t i = from; i < to; ++i) out.push_back(absl::StrCat(i, ":v", i));
  return out;
}

// Every file of `dir` with its bytes, to show a reader changed nothing.
std::map<std::string, std::string> Snapshot(FileSystem* fs,
                                            const std::string& dir) {
  std::map<std::string, std::string> files;
  absl::StatusOr<std::vector<std::string>> names = fs->ListDir(dir);
  EXPECT_TRUE(names.ok()) << names.status();
  if (!names.ok()) return files;
  for (const std::string& name : *names) {
    absl::StatusOr<std::string> bytes =
        fs->ReadFileToString(absl::StrCat(dir, "/", name));
    files[name] = bytes.ok() ? *bytes : bytes.status().ToString();
  }
  return files;
}

class ReadOnlyLogTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) {
      posix_ = NewPosixFileSystem();
      fs_ = posix_.get();
      const char* tmp = std::getenv("TEST_TMPDIR");
      dir_ = absl::StrCat(
          tmp != nullptr ? tmp : "/tmp", "/ro-",
          ::testing::UnitTest::GetInstance()->current_test_info()->name(),
          "/orders-0");
      fs_->RemoveAll(dir_).IgnoreError();
      ASSERT_TRUE(fs_->CreateDirs(dir_).ok());
    } else {
      fs_ = &mem_;
      dir_ = "/data/orders-0";
    }
    options_.file_system = fs_;
  }

  std::unique_ptr<Log> OpenWriter() {
    absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(dir_, options_);
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? *std::move(log) : nullptr;
  }

  std::unique_ptr<ReadOnlyLog> OpenReader() {
    absl::StatusOr<std::unique_ptr<ReadOnlyLog>> log =
        ReadOnlyLog::Open(fs_, dir_);
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? *std::move(log) : nullptr;
  }

  // Appends batches of 10 records until `records` were appended.
  void Fill(Log& log, int from, int to) {
    for (int i = from; i < to; i += 10) {
      ASSERT_TRUE(log.Append(Batch(i, std::min(10, to - i))).ok());
    }
  }

  std::string SegmentPath(int64_t base) const {
    return absl::StrCat(dir_, "/",
                        *format::SegmentFileName(base, format::kLogFileSuffix));
  }

  MemFileSystem mem_;
  std::unique_ptr<FileSystem> posix_;
  FileSystem* fs_ = nullptr;
  std::string dir_;
  LogOptions options_;
};

INSTANTIATE_TEST_SUITE_P(Fs, ReadOnlyLogTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Posix" : "Mem";
                         });

TEST_P(ReadOnlyLogTest, MissingDirectoryIsNotFoundNamingIt) {
  EXPECT_THAT(ReadOnlyLog::Open(fs_, dir_ + "-nope").status(),
              StatusIs(Code::kNotFound, HasSubstr(dir_ + "-nope")));
}

TEST_P(ReadOnlyLogTest, SeesWhatAnOpenWriterAppendedAndNothingMore) {
  std::unique_ptr<Log> writer = OpenWriter();
  ASSERT_NE(writer, nullptr);
  std::unique_ptr<ReadOnlyLog> reader = OpenReader();
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->log_end_offset(), 0);
  Fill(*writer, 0, 50);
  EXPECT_EQ(reader->log_end_offset(), 0);  // not until Refresh
  ASSERT_TRUE(reader->Refresh().ok());
  EXPECT_EQ(reader->log_end_offset(), 50);
  EXPECT_EQ(ReadAll(*reader, 0), Expected(0, 50));
  EXPECT_EQ(ReadAll(*reader, 37), Expected(37, 50));
  Fill(*writer, 50, 80);
  ASSERT_TRUE(reader->Refresh().ok());
  EXPECT_EQ(ReadAll(*reader, 45), Expected(45, 80));
  // Reading at the end is empty, past it OutOfRange naming the range.
  absl::StatusOr<LogReadResult> at_end = reader->Read(80, 1 << 20);
  ASSERT_TRUE(at_end.ok());
  EXPECT_TRUE(at_end->batches.empty());
  EXPECT_THAT(reader->Read(81, 1 << 20).status(),
              StatusIs(Code::kOutOfRange, HasSubstr("[0, 80]")));
}

TEST_P(ReadOnlyLogTest, ChangesNothingOnDisk) {
  std::unique_ptr<Log> writer = OpenWriter();
  Fill(*writer, 0, 30);
  const auto before = Snapshot(fs_, dir_);
  std::unique_ptr<ReadOnlyLog> reader = OpenReader();
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(ReadAll(*reader, 0), Expected(0, 30));
  ASSERT_TRUE(reader->OffsetForTimestamp(kTimestamp + 12).ok());
  EXPECT_EQ(Snapshot(fs_, dir_), before);
}

// A batch the writer is still copying, the zeroed preallocation and a stale
// batch of a recycled file all end what the reader accepts.
TEST_P(ReadOnlyLogTest, StopsAtTornZeroedAndStaleBytes) {
  {
    std::unique_ptr<Log> writer = OpenWriter();
    Fill(*writer, 0, 20);
    ASSERT_TRUE(writer->Close().ok());
  }
  absl::StatusOr<uint64_t> end = fs_->GetFileSize(SegmentPath(0));
  ASSERT_TRUE(end.ok());
  absl::StatusOr<std::unique_ptr<File>> file =
      fs_->OpenFile(SegmentPath(0), OpenOptions::ReadWrite());
  ASSERT_TRUE(file.ok());
  // Zeros, as preallocation leaves them.
  ASSERT_TRUE((*file)->WriteAt(*end, std::string(4096, '\0')).ok());
  std::unique_ptr<ReadOnlyLog> reader = OpenReader();
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->log_end_offset(), 20);

  // Half of the next batch (base offset 20 stamped, as the log would).
  std::string next = Batch(20, 10);
  next[7] = 20;  // base offset 20, big-endian int64 at byte 0
  ASSERT_TRUE((*file)->WriteAt(*end, next.substr(0, next.size() / 2)).ok());
  ASSERT_TRUE(reader->Refresh().ok());
  EXPECT_EQ(reader->log_end_offset(), 20);
  // The rest of it: now whole, the reader takes it.
  ASSERT_TRUE(
      (*file)
          ->WriteAt(*end + next.size() / 2, next.substr(next.size() / 2))
          .ok());
  ASSERT_TRUE(reader->Refresh().ok());
  EXPECT_EQ(reader->log_end_offset(), 30);
  EXPECT_EQ(ReadAll(*reader, 0), Expected(0, 30));

  // A whole, valid batch whose offset is too low (a recycled file's old
  // bytes) is not taken for data.
  std::string stale = Batch(3, 10);
  stale[7] = 3;
  ASSERT_TRUE((*file)->WriteAt(*end + next.size(), stale).ok());
  ASSERT_TRUE(reader->Refresh().ok());
  EXPECT_EQ(reader->log_end_offset(), 30);
}

TEST_P(ReadOnlyLogTest, FollowsRollsRetentionAndDeleteRecords) {
  options_.segment_bytes = 1024;
  std::unique_ptr<Log> writer = OpenWriter();
  Fill(*writer, 0, 200);
  ASSERT_GE(writer->segment_count(), 4);
  std::unique_ptr<ReadOnlyLog> reader = OpenReader();
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(ReadAll(*reader, 0), Expected(0, 200));
  EXPECT_EQ(ReadAll(*reader, 133), Expected(133, 200));

  Fill(*writer, 200, 300);  // more segments
  ASSERT_TRUE(writer->DeleteRecordsBefore(150).ok());
  ASSERT_TRUE(reader->Refresh().ok());
  EXPECT_EQ(reader->log_start_offset(), 150);
  EXPECT_EQ(reader->log_end_offset(), 300);
  EXPECT_EQ(ReadAll(*reader, 150), Expected(150, 300));
  EXPECT_THAT(reader->Read(149, 1 << 20).status(),
              StatusIs(Code::kOutOfRange, HasSubstr("149")));
}

TEST_P(ReadOnlyLogTest, CorruptionInASealedSegmentIsDataLossNamingIt) {
  options_.segment_bytes = 2048;
  {
    std::unique_ptr<Log> writer = OpenWriter();
    Fill(*writer, 0, 100);
    ASSERT_TRUE(writer->Close().ok());
  }
  absl::StatusOr<std::unique_ptr<File>> file =
      fs_->OpenFile(SegmentPath(0), OpenOptions::ReadWrite());
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->WriteAt(200, "XXXX").ok());  // inside a record
  std::unique_ptr<ReadOnlyLog> reader = OpenReader();
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->log_end_offset(), 100);
  absl::Status read = reader->Read(0, 1 << 20).status();
  EXPECT_THAT(read, StatusIs(Code::kDataLoss, HasSubstr(SegmentPath(0))));
  EXPECT_THAT(read, StatusIs(Code::kDataLoss, HasSubstr("position 0")));
}

TEST_P(ReadOnlyLogTest, WaitsOutACompactionSwapThenSaysUnavailable) {
  {
    std::unique_ptr<Log> writer = OpenWriter();
    Fill(*writer, 0, 10);
    ASSERT_TRUE(writer->Close().ok());
  }
  std::unique_ptr<ReadOnlyLog> reader = OpenReader();
  ASSERT_NE(reader, nullptr);
  absl::StatusOr<std::unique_ptr<File>> swap =
      fs_->OpenFile(SegmentPath(0) + ".swap", OpenOptions::CreateNew());
  ASSERT_TRUE(swap.ok());
  EXPECT_THAT(reader->Refresh(),
              StatusIs(Code::kUnavailable, HasSubstr("compaction swap")));
}

TEST_P(ReadOnlyLogTest, OffsetForTimestamp) {
  std::unique_ptr<Log> writer = OpenWriter();
  Fill(*writer, 0, 40);
  std::unique_ptr<ReadOnlyLog> reader = OpenReader();
  ASSERT_NE(reader, nullptr);
  absl::StatusOr<OffsetAndTimestamp> found =
      reader->OffsetForTimestamp(kTimestamp + 23);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->offset, 23);
  EXPECT_EQ(found->timestamp, kTimestamp + 23);
  found = reader->OffsetForTimestamp(kTimestamp + 1000);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->offset, -1);
}

// A writer thread appends (and rolls) while a reader tails with Refresh: the
// reader sees every record once, in order, and never a partial batch.
TEST(ReadOnlyLogConcurrencyTest, TailsALiveWriter) {
  std::unique_ptr<FileSystem> fs = NewPosixFileSystem();
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir =
      absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/ro-live/orders-0");
  fs->RemoveAll(dir).IgnoreError();
  LogOptions options;
  options.file_system = fs.get();
  options.segment_bytes = 64 << 10;
  absl::StatusOr<std::unique_ptr<Log>> writer = Log::Open(dir, options);
  ASSERT_TRUE(writer.ok()) << writer.status();
  absl::StatusOr<std::unique_ptr<ReadOnlyLog>> reader =
      ReadOnlyLog::Open(fs.get(), dir);
  ASSERT_TRUE(reader.ok()) << reader.status();
  constexpr int kRecords = 20000;
  std::thread append([&] {
    for (int i = 0; i < kRecords; i += 20) {
      ASSERT_TRUE((*writer)->Append(Batch(i, 20, 40)).ok());
    }
  });
  int64_t next = 0;
  while (next < kRecords) {
    ASSERT_TRUE((*reader)->Refresh().ok());
    while (next < (*reader)->log_end_offset()) {
      absl::StatusOr<LogReadResult> read = (*reader)->Read(next, 8192);
      ASSERT_TRUE(read.ok()) << read.status();
      ASSERT_FALSE(read->batches.empty());
      for (absl::string_view bytes : read->batches) {
        absl::StatusOr<DecodedBatch> batch = DecodedBatch::Decode(bytes);
        ASSERT_TRUE(batch.ok()) << batch.status();
        for (const RecordView& r : batch->records()) {
          ASSERT_EQ(r.offset, next);
          ASSERT_EQ(r.value->substr(0, r.value->find('.')),
                    absl::StrCat("v", next));
          ++next;
        }
      }
    }
  }
  append.join();
  EXPECT_EQ(next, kRecords);
}

}  // namespace
}  // namespace runnel
