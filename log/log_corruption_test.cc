// Copyright 2026 The Runnel Authors.
//
// Every single-byte change in a closed segment is detected: reading the log
// after the change reports DataLoss for it, and no batch handed out differs
// from what was appended. Covers the fields outside the CRC too (base
// offset, batch length, leader epoch, magic).
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
#include "runnel/log.h"
#include "runnel/mem_file_system.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace {

constexpr char kDir[] = "/data/orders-0";
constexpr char kFirstSegment[] = "/data/orders-0/00000000000000000000.log";

LogOptions Options(FileSystem* fs) {
  LogOptions options;
  options.file_system = fs;
  options.segment_bytes = 600;
  options.preallocate_bytes = 4096;
  options.index_interval_bytes = 100;
  return options;
}

std::string Batch(int i) {
  std::string out;
  RecordBatchBuilder builder(RecordBatchOptions{}, &out);
  EXPECT_TRUE(builder
                  .Append(1700000000000 + i, absl::StrCat("key-", i),
                          absl::StrCat("value-", i))
                  .ok());
  EXPECT_TRUE(builder.Append(1700000000000 + i, std::nullopt, "second").ok());
  EXPECT_TRUE(builder.Finish().ok());
  return out;
}

// Reads batch by batch from the start; stops at the first error.
struct ReadOutcome {
  std::vector<std::string> batches;
  absl::Status error;
};
ReadOutcome ReadEverything(Log* log) {
  ReadOutcome out;
  int64_t offset = log->log_start_offset();
  while (offset < log->log_end_offset()) {
    absl::StatusOr<LogReadResult> read = log->Read(offset, 1);
    if (!read.ok()) {
      out.error = read.status();
      return out;
    }
    if (read->batches.empty()) break;
    absl::StatusOr<RecordBatchHeader> h = ReadBatchHeader(read->batches[0]);
    if (!h.ok()) {
      out.error = h.status();
      return out;
    }
    out.batches.emplace_back(read->batches[0]);
    offset = h->last_offset() + 1;
  }
  return out;
}

TEST(LogCorruptionTest, EveryByteChangeInAClosedSegmentIsDetected) {
  MemFileSystem fs;
  {
    absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(kDir, Options(&fs));
    ASSERT_TRUE(log.ok()) << log.status();
    for (int i = 0; i < 20; ++i) ASSERT_TRUE((*log)->Append(Batch(i)).ok());
    ASSERT_GE((*log)->segment_count(), 3);
    ASSERT_TRUE((*log)->Close().ok());
  }
  std::vector<std::string> original;
  {
    absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(kDir, Options(&fs));
    ASSERT_TRUE(log.ok());
    ReadOutcome clean = ReadEverything(log->get());
    ASSERT_TRUE(clean.error.ok()) << clean.error;
    original = clean.batches;
  }
  absl::StatusOr<std::string> segment =
      ::runnel::testing::ReadFile(&fs, kFirstSegment);
  ASSERT_TRUE(segment.ok());

  int changes = 0;
  for (size_t pos = 0; pos < segment->size(); ++pos) {
    for (unsigned char mask : {0x01, 0x10, 0x80, 0xFF}) {
      std::string changed = *segment;
      changed[pos] = static_cast<char>(changed[pos] ^ mask);
      ASSERT_TRUE(
          ::runnel::testing::WriteFile(&fs, kFirstSegment, changed).ok());
      absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(kDir, Options(&fs));
      ASSERT_TRUE(log.ok()) << log.status();
      ReadOutcome outcome = ReadEverything(log->get());
      EXPECT_TRUE(absl::IsDataLoss(outcome.error))
          << "byte " << pos << " ^ " << int{mask} << " went unnoticed";
      ASSERT_LE(outcome.batches.size(), original.size());
      for (size_t i = 0; i < outcome.batches.size(); ++i) {
        ASSERT_EQ(outcome.batches[i], original[i])
            << "byte " << pos << " ^ " << int{mask} << ": batch " << i
            << " was returned changed";
      }
      ++changes;
    }
  }
  ASSERT_TRUE(::runnel::testing::WriteFile(&fs, kFirstSegment, *segment).ok());
  EXPECT_EQ(changes, static_cast<int>(segment->size()) * 4);
}

}  // namespace
}  // namespace runnel
