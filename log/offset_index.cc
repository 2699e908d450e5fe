// Copyright 2026 The Runnel Authors.
#include "log/offset_index.h"

#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "log/big_endian.h"
#include "log/format.h"

namespace runnel {

namespace {
constexpr uint32_t kMaxPosition = std::numeric_limits<int32_t>::max();
}  // namespace

OffsetIndex::OffsetIndex(std::string path, int64_t base_offset)
    : MappedIndexFile("offset index", format::kOffsetIndexEntrySize,
                      std::move(path), base_offset) {}

absl::StatusOr<std::unique_ptr<OffsetIndex>> OffsetIndex::Open(
    FileSystem* fs, std::string path, int64_t base_offset,
    size_t max_index_bytes, bool writable) {
  return OpenIndex(std::unique_ptr<OffsetIndex>(
                       new OffsetIndex(std::move(path), base_offset)),
                   fs, max_index_bytes, writable);
}

absl::Status OffsetIndex::Append(int64_t offset, uint32_t position) {
  absl::Status status = CheckUsable("append to", /*write=*/true);
  if (!status.ok()) return status;
  const size_t n = entries();
  if (n >= max_entries()) {
    return absl::FailedPreconditionError(
        absl::StrCat("append to ", kind(), " ", path(), ": index is full (", n,
                     " entries)"));
  }
  if (n > 0 && offset <= last_offset()) {
    return absl::InvalidArgumentError(
        absl::StrCat("append to ", kind(), " ", path(), ": offset ", offset,
                     " is not greater than the last offset ", last_offset()));
  }
  int32_t relative;
  status = ToRelative("append to", offset, &relative);
  if (!status.ok()) return status;
  if (position > kMaxPosition) {
    return absl::InvalidArgumentError(
        absl::StrCat("append to ", kind(), " ", path(), ": position ", position,
                     " does not fit in an int32"));
  }
  if (absl::Status s = EnsureSlot(n); !s.ok()) return s;
  char* slot = MutableSlot(n);
  internal::StoreBigEndian32(slot, static_cast<uint32_t>(relative));
  internal::StoreBigEndian32(slot + 4, position);
  PublishEntries(n + 1);
  return absl::OkStatus();
}

absl::StatusOr<OffsetPosition> OffsetIndex::Lookup(int64_t target) const {
  absl::Status usable = CheckUsable("look up in", /*write=*/false);
  if (!usable.ok()) return usable;
  const ptrdiff_t i = LargestAtMost(
      entries(), target, [this](size_t i) { return OffsetOfEntry(i); });
  if (i < 0) return OffsetPosition{base_offset(), 0};
  return ReadEntry(static_cast<size_t>(i));
}

absl::StatusOr<OffsetPosition> OffsetIndex::EntryAt(size_t i) const {
  absl::Status valid = CheckEntryIndex(i);
  if (!valid.ok()) return valid;
  return ReadEntry(i);
}

int64_t OffsetIndex::last_offset() const {
  const size_t n = entries();
  return n == 0 ? base_offset() : OffsetOfEntry(n - 1);
}

absl::Status OffsetIndex::Validate() const {
  absl::Status usable = CheckUsable("validate", /*write=*/false);
  if (!usable.ok()) return usable;
  const size_t n = entries();
  for (size_t i = 0; i < n; ++i) {
    const OffsetPosition cur = ReadEntry(i);
    absl::Status in_segment = CheckOffsetInSegment(i);
    if (!in_segment.ok()) return in_segment;
    if (cur.position > kMaxPosition) {
      return CorruptEntry(i, absl::StrCat("has a negative position ",
                                          static_cast<int32_t>(cur.position)));
    }
    if (i == 0) continue;
    const OffsetPosition prev = ReadEntry(i - 1);
    if (cur.offset <= prev.offset || cur.position < prev.position) {
      return CorruptEntry(
          i, absl::StrCat("(offset ", cur.offset, ", position ", cur.position,
                          ") does not follow entry ", i - 1, " (offset ",
                          prev.offset, ", position ", prev.position,
                          "): offsets must increase and positions must not "
                          "decrease"));
    }
  }
  return absl::OkStatus();
}

int64_t OffsetIndex::OffsetOfEntry(size_t i) const {
  return base_offset() +
         format::DecodeOffsetIndexEntry(Slot(i)).relative_offset;
}

OffsetPosition OffsetIndex::ReadEntry(size_t i) const {
  const format::OffsetIndexEntry e = format::DecodeOffsetIndexEntry(Slot(i));
  return OffsetPosition{base_offset() + e.relative_offset, e.position};
}

}  // namespace runnel
