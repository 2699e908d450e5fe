// Copyright 2026 The Runnel Authors.
#include "log/time_index.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "log/big_endian.h"
#include "log/format.h"

namespace runnel {

TimeIndex::TimeIndex(std::string path, int64_t base_offset)
    : MappedIndexFile("time index", format::kTimeIndexEntrySize,
                      std::move(path), base_offset) {}

absl::StatusOr<std::unique_ptr<TimeIndex>> TimeIndex::Open(
    FileSystem* fs, std::string path, int64_t base_offset,
    size_t max_index_bytes, bool writable) {
  return OpenIndex(
      std::unique_ptr<TimeIndex>(new TimeIndex(std::move(path), base_offset)),
      fs, max_index_bytes, writable);
}

absl::Status TimeIndex::MaybeAppend(int64_t timestamp, int64_t offset,
                                    bool skip_full_check) {
  absl::Status status = CheckUsable("append to", /*write=*/true);
  if (!status.ok()) return status;
  const size_t n = entries();
  if (n >= max_entries() || (!skip_full_check && IsFull())) {
    return absl::FailedPreconditionError(
        absl::StrCat("append to ", kind(), " ", path(), ": index is full (", n,
                     " of ", max_entries(), " entries)"));
  }
  const TimestampOffset last = last_entry();
  if (n > 0 && offset < last.offset) {
    return absl::InvalidArgumentError(
        absl::StrCat("append to ", kind(), " ", path(), ": offset ", offset,
                     " is below the last entry's offset ", last.offset));
  }
  int32_t relative;
  status = ToRelative("append to", offset, &relative);
  if (!status.ok()) return status;
  // Kafka writes an entry only for a new maximum timestamp; the final entry
  // on roll usually repeats the last one and is dropped here.
  if (timestamp <= last.timestamp) return absl::OkStatus();
  if (absl::Status s = EnsureSlot(n); !s.ok()) return s;
  char* slot = MutableSlot(n);
  internal::StoreBigEndian64(slot, static_cast<uint64_t>(timestamp));
  internal::StoreBigEndian32(slot + 8, static_cast<uint32_t>(relative));
  PublishEntries(n + 1);
  return absl::OkStatus();
}

absl::StatusOr<TimestampOffset> TimeIndex::Lookup(int64_t timestamp) const {
  absl::Status usable = CheckUsable("look up in", /*write=*/false);
  if (!usable.ok()) return usable;
  const ptrdiff_t i = LargestAtMost(
      entries(), timestamp, [this](size_t i) { return TimestampOfEntry(i); });
  if (i < 0) return TimestampOffset{format::kNoTimestamp, base_offset()};
  return ReadEntry(static_cast<size_t>(i));
}

absl::StatusOr<TimestampOffset> TimeIndex::EntryAt(size_t i) const {
  absl::Status valid = CheckEntryIndex(i);
  if (!valid.ok()) return valid;
  return ReadEntry(i);
}

TimestampOffset TimeIndex::last_entry() const {
  const size_t n = entries();
  if (n == 0) return TimestampOffset{format::kNoTimestamp, base_offset()};
  return ReadEntry(n - 1);
}

absl::Status TimeIndex::Validate() const {
  absl::Status usable = CheckUsable("validate", /*write=*/false);
  if (!usable.ok()) return usable;
  const size_t n = entries();
  for (size_t i = 0; i < n; ++i) {
    const TimestampOffset cur = ReadEntry(i);
    if (cur.timestamp < 0) {
      return CorruptEntry(
          i, absl::StrCat("has a negative timestamp ", cur.timestamp));
    }
    absl::Status in_segment = CheckOffsetInSegment(i);
    if (!in_segment.ok()) return in_segment;
    if (i == 0) continue;
    const TimestampOffset prev = ReadEntry(i - 1);
    if (cur.timestamp <= prev.timestamp || cur.offset < prev.offset) {
      return CorruptEntry(
          i, absl::StrCat("(timestamp ", cur.timestamp, ", offset ", cur.offset,
                          ") does not follow entry ", i - 1, " (timestamp ",
                          prev.timestamp, ", offset ", prev.offset,
                          "): timestamps must increase and offsets must not "
                          "decrease"));
    }
  }
  return absl::OkStatus();
}

int64_t TimeIndex::OffsetOfEntry(size_t i) const {
  return base_offset() + format::DecodeTimeIndexEntry(Slot(i)).relative_offset;
}

int64_t TimeIndex::TimestampOfEntry(size_t i) const {
  return format::DecodeTimeIndexEntry(Slot(i)).timestamp;
}

TimestampOffset TimeIndex::ReadEntry(size_t i) const {
  return TimestampOffset{TimestampOfEntry(i), OffsetOfEntry(i)};
}

}  // namespace runnel
