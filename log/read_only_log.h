// Copyright 2026 The Runnel Authors.
//
// runnel/read_only_log.h — reads a partition directory that a Log in another
// process (or in this one) may be writing at the same time: the tools'
// `console-consumer`, `topics --describe` and `consumer-groups --describe`
// on a live data directory, and any host that wants a second, read-only
// view of a log.
//
//   absl::StatusOr<std::unique_ptr<runnel::ReadOnlyLog>> log =
//       runnel::ReadOnlyLog::Open(runnel::FileSystem::Default(),
//                                 "/data/orders-0");
//   if (!log.ok()) return log.status();
//   int64_t offset = (*log)->log_start_offset();
//   while (true) {
//     absl::StatusOr<runnel::LogReadResult> read = (*log)->Read(offset, 1 <<
//     20); if (!read.ok()) return read.status(); if (read->batches.empty()) {
//       RETURN_IF_ERROR((*log)->Refresh());  // see what the writer added
//       ...wait...
//       continue;
//     }
//     ... offset = last offset of the last batch + 1 ...
//   }
//
// What it never does: take the directory lock, create, write, truncate,
// rename or remove anything, or memory-map a file (a writer may shrink a
// file under a mapping, and touching a page past the end of a file is a
// SIGBUS). Every byte is read with pread into memory this object owns.
//
// What a reader sees, and why never a half-written batch:
//   - Segments other than the last are complete: the writer seals (trims
//     and syncs) a segment before it creates the next one. Their batches
//     are read up to the file's size and every one is checked (header,
//     offsets inside the segment's range, CRC-32C) before it is returned.
//   - The last segment is the one being appended to: Open and Refresh scan
//     it from where the previous scan stopped, batch by batch, and accept a
//     batch only if its header is sound, its base offset is exactly the
//     next offset expected, all of its bytes lie inside the file and its
//     CRC-32C matches. The first batch that fails any of these ends the
//     scan: it is still being written (a torn copy fails its CRC), it is the
//     zeroed preallocation, or it is a stale batch of a recycled file (its
//     offset is too low). Reads of the last segment stop at the scanned end.
//     A torn batch passes only if its CRC matches by chance (2^-32).
//   - A compaction swap in progress (a `.log.swap` file present) makes
//     Refresh wait for it (up to a second, then Unavailable): in the middle
//     of a swap some segments' names are briefly missing.
//   - Files that vanish (retention, compaction) are reported as OutOfRange
//     below the log start after a Refresh, never as data.
// Offsets are what the writer had appended, not what it had synced: a
// reader may see records that a power failure would take from the writer.
//
// Thread-safety: every method is thread-safe. Lifetimes: `fs` must outlive
// the object; results of Read own their bytes (through `pins`).
#ifndef RUNNEL_LOG_READ_ONLY_LOG_H_
#define RUNNEL_LOG_READ_ONLY_LOG_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runnel/file_system.h"
#include "runnel/log.h"
#include "util/mutex.h"

namespace runnel {

class ReadOnlyLog {
 public:
  // Lists the segments of `dir` and scans the last one to its last whole,
  // valid batch. NotFound if `dir` does not exist; the file system's errors
  // naming the path. `name` names the log in messages (default: `dir`).
  static absl::StatusOr<std::unique_ptr<ReadOnlyLog>> Open(
      FileSystem* fs, std::string dir, std::string name = "");

  ReadOnlyLog(const ReadOnlyLog&) = delete;
  ReadOnlyLog& operator=(const ReadOnlyLog&) = delete;

  // Catches up with the writer: new batches in the last segment, new
  // segments, segments removed, a new log start offset. Cheap when nothing
  // changed (one directory listing and one small read).
  absl::Status Refresh();

  // Whole batches from the segment holding `offset`, up to `max_bytes` (at
  // least one batch, however large), as Log::Read; empty at the end. Does
  // not refresh. OutOfRange outside [log_start_offset, log_end_offset];
  // DataLoss naming the file and position for a corrupt batch.
  absl::StatusOr<LogReadResult> Read(int64_t offset, size_t max_bytes);

  // Kafka's offsetsForTimes: the first offset whose record timestamp is >=
  // `timestamp`, or {-1, -1} if there is none. Scans batch headers.
  absl::StatusOr<OffsetAndTimestamp> OffsetForTimestamp(int64_t timestamp);

  int64_t log_start_offset() const {
    return log_start_offset_.load(std::memory_order_acquire);
  }
  int64_t log_end_offset() const {
    return log_end_offset_.load(std::memory_order_acquire);
  }

 private:
  struct Segment {
    int64_t base_offset = 0;
    std::string path;
    // Sparse (last offset, position) pairs of batch starts, ascending: from
    // the scans of the last segment, or the segment's `.index` file.
    std::vector<std::pair<int64_t, uint64_t>> positions;
    bool index_loaded = false;
  };
  struct Tail {  // the scan state of the last segment
    int64_t base_offset = -1;
    uint64_t end = 0;         // bytes of whole, valid batches
    int64_t next_offset = 0;  // one past the last valid batch
  };

  ReadOnlyLog(FileSystem* fs, std::string dir, std::string name);

  absl::Status RefreshLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::vector<int64_t>> ListSegments()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status ScanTailLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void LoadIndexLocked(Segment& segment) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<LogReadResult> ReadOnce(int64_t offset, size_t max_bytes);
  // Reads batches of the segment [base, next_base) from `position`, up to
  // `limit` bytes of file, into *result. False if none holds >= offset.
  absl::StatusOr<bool> ReadSegment(const std::string& path, int64_t base,
                                   int64_t next_base, uint64_t position,
                                   uint64_t limit, int64_t offset,
                                   size_t max_bytes, LogReadResult* result);
  absl::Status OutOfRange(int64_t offset) const;

  FileSystem* const fs_;
  const std::string dir_;
  const std::string name_;

  mutable Mutex mu_;
  std::vector<Segment> segments_ ABSL_GUARDED_BY(mu_);  // by base offset
  Tail tail_ ABSL_GUARDED_BY(mu_);
  std::atomic<int64_t> log_start_offset_{0};
  std::atomic<int64_t> log_end_offset_{0};
};

}  // namespace runnel

#endif  // RUNNEL_LOG_READ_ONLY_LOG_H_
