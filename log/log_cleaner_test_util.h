// Copyright 2026 The Runnel Authors.
//
// log/log_cleaner_test_util.h — test-only helpers for the log cleaner's
// tests: write a partition directory through runnel::Log, scan one back
// file by file (checking that the `.log` files form a valid log), and the
// reference answer of what compaction must keep.
//
//   std::vector<std::string> batches = {MakeBatch({KeyValue(0, "a", "1")})};
//   ASSERT_TRUE(WriteLog(fs, "/p-0", options, batches).ok());
//   absl::StatusOr<ScannedLog> log = ScanLogDir(fs, "/p-0");
//
// Not thread-safe; test use only.
#ifndef RUNNEL_LOG_LOG_CLEANER_TEST_UTIL_H_
#define RUNNEL_LOG_LOG_CLEANER_TEST_UTIL_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "runnel/file_system.h"
#include "runnel/log.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace testing {

// One record as found in the log (control records excluded).
struct ScannedRecord {
  int64_t offset = 0;
  int64_t timestamp = -1;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<RecordHeader> headers;

  bool operator==(const ScannedRecord& o) const {
    return offset == o.offset && timestamp == o.timestamp && key == o.key &&
           value == o.value && headers == o.headers;
  }
};
std::ostream& operator<<(std::ostream& os, const ScannedRecord& r);

struct ScannedSegment {
  int64_t base_offset = 0;
  uint64_t size = 0;
};

struct ScannedLog {
  std::vector<ScannedSegment> segments;            // by base offset
  std::vector<RecordBatchHeader> batches;          // all, in order
  std::vector<ScannedRecord> records;              // data records, in order
  std::vector<int64_t> control_batch_offsets;      // base offsets
  std::vector<int64_t> undecodable_batch_offsets;  // gzip/snappy/zstd
  std::vector<std::string> temp_files;             // .cleaned/.swap/.deleted
};

// Reads every `<base>.log` of `dir` and checks that together they are a
// valid log: every batch passes its CRC and decodes, offsets rise strictly
// across the whole log, each batch lies in [its segment's base, the next
// segment's base). DataLoss saying what is wrong otherwise. Batches in a
// codec Runnel cannot decode are listed, their records not.
absl::StatusOr<ScannedLog> ScanLogDir(FileSystem* fs, const std::string& dir);

// Reads the whole log through runnel::Log (Open with `options`, Read from
// the log start offset batch after batch) and returns its data records. A
// Read that returns nothing below the log end offset (a trailing gap of a
// segment) continues at the next base offset in `segment_bases` and is
// counted in *gap_jumps.
absl::StatusOr<std::vector<ScannedRecord>> ReadViaLog(
    FileSystem* fs, const std::string& dir, LogOptions options,
    const std::vector<ScannedSegment>& segment_bases, int* gap_jumps);

// A record with a timestamp, key and value (nullopt = null).
Record KeyValue(int64_t timestamp, std::optional<std::string> key,
                std::optional<std::string> value);

// One batch of `records` (base offset 0; the log assigns offsets).
std::string MakeBatch(const std::vector<Record>& records,
                      Compression compression = Compression::kNone);

// Opens a Log in `dir` with `options` (file_system set to `fs`), appends
// each batch, and closes it.
absl::Status WriteLog(FileSystem* fs, const std::string& dir,
                      LogOptions options,
                      const std::vector<std::string>& batches);

// What one cleaning pass must leave of `before` (records in offset order):
// records at or above `map_end` stay; below it, a record stays iff it has a
// key (or retain_null_keys), it is the latest record of its key below
// map_end, and it is not a tombstone when tombstones expire.
std::vector<ScannedRecord> ExpectedAfterClean(
    const std::vector<ScannedRecord>& before, int64_t map_end,
    bool tombstones_expire, bool retain_null_keys = false);

// The latest record of every key (null keys excluded), by key.
std::vector<ScannedRecord> LatestPerKey(
    const std::vector<ScannedRecord>& records);

}  // namespace testing
}  // namespace runnel

#endif  // RUNNEL_LOG_LOG_CLEANER_TEST_UTIL_H_
