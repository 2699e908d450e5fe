// Copyright 2026 The Runnel Authors.
//
// log/offset_index.h — one segment's `.index` file (Kafka's OffsetIndex): a
// sparse map from offsets to byte positions in the segment's `.log`, so a
// read starts scanning near its target instead of at the segment's start.
// Internal. Byte layout: log/format.h section 3 (8-byte entries, int32
// relative offset then int32 position, big-endian).
//
//   absl::StatusOr<std::unique_ptr<runnel::OffsetIndex>> index =
//       runnel::OffsetIndex::Open(fs, dir + "/00000000000000000100.index",
//                                 /*base_offset=*/100,
//                                 runnel::format::kDefaultSegmentIndexBytes,
//                                 /*writable=*/true);
//   if (!index.ok()) return index.status();
//   if ((*index)->IsFull()) { ... roll the segment first ... }
//   absl::Status s = (*index)->Append(/*offset=*/180, /*position=*/4150);
//   absl::StatusOr<runnel::OffsetPosition> start = (*index)->Lookup(200);
//   // start->offset == 180, start->position == 4150: scan the .log from
//   // byte 4150 for offset 200.
//
// Open, preallocation, the entry count of a reopened file (its zero tail),
// Flush, Close(trim), TruncateTo and Reset are those of MappedIndexFile
// (log/mapped_index_file.h); read its banner. After an unclean shutdown call
// Validate() on a reopened index and rebuild it (Reset + Append from a scan
// of the .log) if it fails.
//
// Thread-safety: one writer (Append; TruncateTo/Reset/Close exclusively)
// and many concurrent readers (Lookup, EntryAt, last_offset, entries,
// Validate). See MappedIndexFile.
//
// Errors: calls after Close return FailedPrecondition; messages name the
// path.
#ifndef RUNNEL_LOG_OFFSET_INDEX_H_
#define RUNNEL_LOG_OFFSET_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "log/mapped_index_file.h"
#include "runnel/file_system.h"

namespace runnel {

// An offset and the .log byte position of the batch holding it (Kafka's
// OffsetPosition).
struct OffsetPosition {
  int64_t offset = 0;
  uint32_t position = 0;

  friend bool operator==(const OffsetPosition& a, const OffsetPosition& b) {
    return a.offset == b.offset && a.position == b.position;
  }
  friend bool operator!=(const OffsetPosition& a, const OffsetPosition& b) {
    return !(a == b);
  }
};

class OffsetIndex final : public internal::MappedIndexFile {
 public:
  // Opens the index of the segment starting at `base_offset` (>= 0).
  // `max_index_bytes` is segment.index.bytes (format::
  // kDefaultSegmentIndexBytes); a writable index preallocates that much
  // (rounded down to whole entries, at least one entry: InvalidArgument
  // otherwise). Errors: the file system's (NotFound for a missing read-only
  // file, ResourceExhausted for a full disk), DataLoss if the length is not
  // a multiple of 8.
  static absl::StatusOr<std::unique_ptr<OffsetIndex>> Open(
      FileSystem* fs, std::string path, int64_t base_offset,
      size_t max_index_bytes, bool writable);

  // Adds the entry (offset, position). `offset` must be greater than
  // last_offset() (any offset >= base_offset() when empty) and
  // offset − base_offset() must fit in [0, INT32_MAX]: InvalidArgument
  // otherwise. `position` must be <= INT32_MAX (Kafka stores an int32):
  // InvalidArgument. A full index is FailedPrecondition (check IsFull() and
  // roll first). Writer only.
  absl::Status Append(int64_t offset, uint32_t position);

  // The entry with the largest offset <= target; {base_offset(), 0} if
  // there is none (empty index, or target below the first entry).
  absl::StatusOr<OffsetPosition> Lookup(int64_t target) const;

  // Entry `i`; OutOfRange unless i < entries().
  absl::StatusOr<OffsetPosition> EntryAt(size_t i) const;

  // True when no more entries fit.
  bool IsFull() const { return entries() >= max_entries(); }

  // The offset of the last entry, or base_offset() if there is none.
  int64_t last_offset() const;

  // Checks the entries: relative offsets in [0, INT32_MAX] and strictly
  // increasing, positions in [0, INT32_MAX] and non-decreasing. DataLoss
  // naming the path and the first bad entry otherwise.
  absl::Status Validate() const;

 private:
  OffsetIndex(std::string path, int64_t base_offset);

  int64_t OffsetOfEntry(size_t i) const override;
  OffsetPosition ReadEntry(size_t i) const;
};

}  // namespace runnel

#endif  // RUNNEL_LOG_OFFSET_INDEX_H_
