// Copyright 2026 The Runnel Authors.
//
// log/time_index.h — one segment's `.timeindex` file (Kafka's TimeIndex): a
// sparse map from timestamps to offsets. Entry (T, O) means "the largest
// timestamp seen up to offset O is T", so a search by time finds the offset
// to start reading from (then the offset index gives the position).
// Internal. Byte layout: log/format.h section 4 (12-byte entries, int64
// timestamp then int32 relative offset, big-endian).
//
//   absl::StatusOr<std::unique_ptr<runnel::TimeIndex>> index =
//       runnel::TimeIndex::Open(fs, dir + "/00000000000000000100.timeindex",
//                               /*base_offset=*/100,
//                               runnel::format::kDefaultSegmentIndexBytes,
//                               /*writable=*/true);
//   if (!index.ok()) return index.status();
//   // Together with each offset-index entry:
//   absl::Status s = (*index)->MaybeAppend(max_timestamp_so_far,
//                                          offset_of_max_timestamp);
//   // On roll, the final entry goes into the slot IsFull() kept free:
//   s = (*index)->MaybeAppend(max_timestamp_so_far, offset_of_max_timestamp,
//                             /*skip_full_check=*/true);
//   absl::StatusOr<runnel::TimestampOffset> at = (*index)->Lookup(ts);
//
// Open, preallocation (10485760 rounds down to 10485756 bytes), the entry
// count of a reopened file (its zero tail), Flush, Close(trim), TruncateTo and
// Reset are those of MappedIndexFile (log/mapped_index_file.h); read its
// banner. After an unclean shutdown call Validate() on a reopened index and
// rebuild it (Reset + MaybeAppend from a scan of the .log) if it fails.
//
// Thread-safety: one writer (MaybeAppend; TruncateTo/Reset/Close
// exclusively) and many concurrent readers (Lookup, EntryAt, last_entry,
// entries, Validate). See MappedIndexFile.
//
// Errors: calls after Close return FailedPrecondition; messages name the
// path.
#ifndef RUNNEL_LOG_TIME_INDEX_H_
#define RUNNEL_LOG_TIME_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "log/mapped_index_file.h"
#include "runnel/file_system.h"

namespace runnel {

// A timestamp and an offset (Kafka's TimestampOffset). timestamp is
// format::kNoTimestamp (-1) in the "no entry" answers.
struct TimestampOffset {
  int64_t timestamp = 0;
  int64_t offset = 0;

  friend bool operator==(const TimestampOffset& a, const TimestampOffset& b) {
    return a.timestamp == b.timestamp && a.offset == b.offset;
  }
  friend bool operator!=(const TimestampOffset& a, const TimestampOffset& b) {
    return !(a == b);
  }
};

class TimeIndex final : public internal::MappedIndexFile {
 public:
  // As OffsetIndex::Open, with 12-byte entries: DataLoss if the length is
  // not a multiple of 12.
  static absl::StatusOr<std::unique_ptr<TimeIndex>> Open(FileSystem* fs,
                                                         std::string path,
                                                         int64_t base_offset,
                                                         size_t max_index_bytes,
                                                         bool writable);

  // Appends (timestamp, offset) if timestamp > last_entry().timestamp;
  // otherwise does nothing and returns OK (so an empty index takes only
  // timestamps >= 0). Errors, checked first: an offset below the last
  // entry's, or not fitting as a relative offset, is InvalidArgument;
  // IsFull() without skip_full_check, or no free slot at all, is
  // FailedPrecondition. Writer only.
  absl::Status MaybeAppend(int64_t timestamp, int64_t offset,
                           bool skip_full_check = false);

  // The entry with the largest timestamp <= timestamp;
  // {kNoTimestamp (-1), base_offset()} if there is none.
  absl::StatusOr<TimestampOffset> Lookup(int64_t timestamp) const;

  // Entry `i`; OutOfRange unless i < entries().
  absl::StatusOr<TimestampOffset> EntryAt(size_t i) const;

  // The last entry, or {kNoTimestamp (-1), base_offset()} if there is none
  // (also after Close).
  TimestampOffset last_entry() const;

  // True when only the slot kept for the roll's final entry is left:
  // entries() >= max_entries() − 1.
  bool IsFull() const { return entries() + 1 >= max_entries(); }

  // Checks the entries: timestamps >= 0 and strictly increasing, relative
  // offsets in [0, INT32_MAX] and non-decreasing. DataLoss naming the path
  // and the first bad entry otherwise.
  absl::Status Validate() const;

 private:
  TimeIndex(std::string path, int64_t base_offset);

  int64_t OffsetOfEntry(size_t i) const override;
  int64_t TimestampOfEntry(size_t i) const;
  TimestampOffset ReadEntry(size_t i) const;
};

}  // namespace runnel

#endif  // RUNNEL_LOG_TIME_INDEX_H_
