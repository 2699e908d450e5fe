// Copyright 2026 The Runnel Authors.
#include "log/mapped_index_file.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"

namespace runnel {
namespace internal {

MappedIndexFile::MappedIndexFile(const char* kind, size_t entry_size,
                                 std::string path, int64_t base_offset)
    : kind_(kind),
      entry_size_(entry_size),
      path_(std::move(path)),
      base_offset_(base_offset) {}

MappedIndexFile::~MappedIndexFile() = default;

absl::Status MappedIndexFile::OpenAndMap(FileSystem* fs, size_t max_index_bytes,
                                         bool writable) {
  writable_ = writable;
  if (base_offset_ < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "open ", kind_, " ", path_, ": negative base offset ", base_offset_));
  }
  // Keeps base_offset_ + any int32 relative offset inside int64.
  if (base_offset_ > std::numeric_limits<int64_t>::max() -
                         std::numeric_limits<int32_t>::max()) {
    return absl::InvalidArgumentError(
        absl::StrCat("open ", kind_, " ", path_, ": base offset ", base_offset_,
                     " is too large"));
  }
  if (writable && max_index_bytes < entry_size_) {
    return absl::InvalidArgumentError(absl::StrCat(
        "open ", kind_, " ", path_, ": max index bytes ", max_index_bytes,
        " is less than one entry (", entry_size_, " bytes)"));
  }
  absl::StatusOr<std::unique_ptr<File>> file = fs->OpenFile(
      path_, writable ? OpenOptions::Create() : OpenOptions::ReadOnly());
  if (!file.ok()) return file.status();
  file_ = std::move(file).value();
  absl::StatusOr<uint64_t> size = file_->Size();
  if (!size.ok()) return size.status();
  if (*size % entry_size_ != 0) {
    return absl::DataLossError(
        absl::StrCat(kind_, " ", path_, ": length ", *size,
                     " is not a multiple of the entry size ", entry_size_));
  }
  uint64_t map_length = *size;
  uint64_t capacity = *size;
  if (writable) {
    capacity =
        std::max<uint64_t>(*size, max_index_bytes / entry_size_ * entry_size_);
    // Blocks are reserved a chunk at a time (EnsureSlot), so thousands of
    // mostly idle partitions do not each hold max_index_bytes of disk.
    map_length = std::max<uint64_t>(
        *size, std::min<uint64_t>(capacity, kFirstReservationBytes /
                                                entry_size_ * entry_size_));
    // Reserve the whole mapped range, not just the growth: an existing file
    // may be sparse, and a store into a hole on a full disk would be a
    // SIGBUS.
    absl::Status reserved = file_->Reserve(0, map_length);
    if (!reserved.ok()) return reserved;
  }
  if (map_length > 0) {
    absl::StatusOr<std::unique_ptr<MappedRegion>> region =
        file_->MapGrowable(0, map_length, capacity,
                           writable ? MapMode::kReadWrite : MapMode::kReadOnly);
    if (!region.ok()) return region.status();
    region_ = std::move(region).value();
    data_ = region_->data();
    mutable_data_ = region_->mutable_data();
  }
  reserved_bytes_ = map_length;
  max_entries_ = capacity / entry_size_;
  // Only the bytes that existed before the reservation can hold entries.
  PublishEntries(CountBeforeZeroTail(*size));
  return absl::OkStatus();
}

absl::Status MappedIndexFile::EnsureSlot(size_t i) {
  const uint64_t needed = (i + 1) * entry_size_;
  if (needed <= reserved_bytes_) return absl::OkStatus();
  const uint64_t capacity = max_entries_ * entry_size_;
  if (needed > capacity) {
    return absl::FailedPreconditionError(absl::StrCat(
        "append to ", kind_, " ", path_, ": index is full (", i, " entries)"));
  }
  uint64_t grown = std::max<uint64_t>(reserved_bytes_ * 2, needed);
  grown = std::min<uint64_t>(
      capacity, (grown + entry_size_ - 1) / entry_size_ * entry_size_);
  if (absl::Status s = file_->Reserve(reserved_bytes_, grown - reserved_bytes_);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = region_->Grow(grown); !s.ok()) return s;
  reserved_bytes_ = grown;
  return absl::OkStatus();
}

size_t MappedIndexFile::CountBeforeZeroTail(size_t bytes) const {
  size_t end = bytes;
  // Word-at-a-time over the aligned part of the tail, then byte by byte.
  while (end >= sizeof(uint64_t)) {
    uint64_t word;
    std::memcpy(&word, data_ + end - sizeof(word), sizeof(word));
    if (word != 0) break;
    end -= sizeof(word);
  }
  while (end > 0 && data_[end - 1] == 0) --end;
  return (end + entry_size_ - 1) / entry_size_;
}

absl::Status MappedIndexFile::TruncateTo(int64_t offset) {
  absl::Status usable = CheckUsable("truncate", /*write=*/true);
  if (!usable.ok()) return usable;
  // Keep the entries with offset <= offset - 1, i.e. < offset.
  const size_t keep =
      offset <= base_offset_
          ? 0
          : static_cast<size_t>(
                LargestAtMost(entries(), offset - 1,
                              [this](size_t i) { return OffsetOfEntry(i); }) +
                1);
  TruncateToEntries(keep);
  return absl::OkStatus();
}

absl::Status MappedIndexFile::Reset() {
  absl::Status usable = CheckUsable("reset", /*write=*/true);
  if (!usable.ok()) return usable;
  TruncateToEntries(0);
  return absl::OkStatus();
}

void MappedIndexFile::TruncateToEntries(size_t n) {
  const size_t old = entries();
  if (n >= old) return;
  std::memset(MutableSlot(n), 0, (old - n) * entry_size_);
  PublishEntries(n);
  MutexLock lock(&flush_mu_);
  synced_ = std::min(synced_, n);
  dirty_end_ = std::max(dirty_end_, old);
}

absl::Status MappedIndexFile::Flush() {
  absl::Status usable = CheckUsable("flush", /*write=*/false);
  if (!usable.ok() || !writable_) return usable;
  MutexLock lock(&flush_mu_);
  const size_t n = entries();
  const size_t begin = std::min(synced_, n);
  const size_t end = std::max(n, dirty_end_);
  if (end > begin) {
    absl::Status synced =
        region_->Sync(begin * entry_size_, (end - begin) * entry_size_);
    if (!synced.ok()) return synced;
  }
  synced_ = n;
  dirty_end_ = 0;
  return absl::OkStatus();
}

absl::Status MappedIndexFile::Close(bool trim) {
  absl::Status status = CheckUsable("close", /*write=*/false);
  if (!status.ok()) return status;
  closed_ = true;
  const size_t n = entries();
  PublishEntries(0);
  // Unmap before cutting the file: no mapping may reach past its end.
  region_.reset();
  data_ = nullptr;
  mutable_data_ = nullptr;
  max_entries_ = 0;
  if (trim && writable_) status = file_->Truncate(n * entry_size_);
  absl::Status closed = file_->Close();
  file_.reset();
  return status.ok() ? closed : status;
}

absl::Status MappedIndexFile::CheckUsable(absl::string_view op,
                                          bool write) const {
  if (closed_) {
    return absl::FailedPreconditionError(
        absl::StrCat(op, " ", kind_, " ", path_, ": index is closed"));
  }
  if (write && !writable_) {
    return absl::FailedPreconditionError(
        absl::StrCat(op, " ", kind_, " ", path_, ": index is read-only"));
  }
  return absl::OkStatus();
}

absl::Status MappedIndexFile::ToRelative(absl::string_view op, int64_t offset,
                                         int32_t* relative) const {
  // offset >= base_offset_ >= 0 before subtracting, so it cannot overflow.
  if (offset < base_offset_ ||
      offset - base_offset_ > std::numeric_limits<int32_t>::max()) {
    return absl::InvalidArgumentError(absl::StrCat(
        op, " ", kind_, " ", path_, ": offset ", offset,
        " does not fit as a relative offset [0, 2^31-1] from base offset ",
        base_offset_));
  }
  *relative = static_cast<int32_t>(offset - base_offset_);
  return absl::OkStatus();
}

absl::Status MappedIndexFile::CorruptEntry(size_t slot,
                                           absl::string_view what) const {
  return absl::DataLossError(
      absl::StrCat(kind_, " ", path_, ": entry ", slot, " ", what));
}

absl::Status MappedIndexFile::CheckOffsetInSegment(size_t i) const {
  const int64_t offset = OffsetOfEntry(i);
  if (offset >= base_offset_) return absl::OkStatus();
  return CorruptEntry(
      i, absl::StrCat("has offset ", offset, " below the base offset"));
}

absl::Status MappedIndexFile::CheckEntryIndex(size_t i) const {
  absl::Status usable = CheckUsable("read entry of", /*write=*/false);
  if (!usable.ok()) return usable;
  const size_t n = entries();
  if (i >= n) {
    return absl::OutOfRangeError(absl::StrCat(kind_, " ", path_, ": entry ", i,
                                              " requested, ", n, " entries"));
  }
  return absl::OkStatus();
}

}  // namespace internal
}  // namespace runnel
