// Copyright 2026 The Runnel Authors.
//
// internal::Segment: truncation (Log::TruncateTo's part in one segment).
#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "log/segment.h"

namespace runnel {
namespace internal {

absl::StatusOr<Segment::Cut> Segment::FindCut(int64_t offset) {
  MutexLock lock(&mu_);
  int64_t first_ts, max_ts, offset_of_max_ts;
  return FindCutLocked(offset, &first_ts, &max_ts, &offset_of_max_ts);
}

// Walks the batch headers from the start to the first batch holding an
// offset >= `offset`. No CRC check: the batches kept were appended by this
// log or checked by recovery, and only their framing matters here.
absl::StatusOr<Segment::Cut> Segment::FindCutLocked(
    int64_t offset, int64_t* first_timestamp, int64_t* max_timestamp,
    int64_t* offset_of_max_timestamp) {
  if (absl::Status s = EnsureMappedLocked(); !s.ok()) return s;
  const uint64_t size = size_.load(std::memory_order_acquire);
  const absl::string_view bytes = map_ == nullptr
                                      ? absl::string_view()
                                      : absl::string_view(map_->data(), size);
  *first_timestamp = -1;
  *max_timestamp = -1;
  *offset_of_max_timestamp = base_offset_;
  Cut cut{size, std::min(offset, next_offset())};
  for (uint64_t pos = 0; pos < bytes.size();) {
    absl::StatusOr<RecordBatchHeader> header =
        ReadBatchHeader(bytes.substr(pos));
    if (!header.ok() || header->size_bytes() > bytes.size() - pos) {
      return absl::DataLossError(absl::StrCat(
          log_path_, ": truncation to offset ", offset,
          " found no batch boundary at position ", pos, ": ",
          header.ok() ? "batch runs past the end" : header.status().message()));
    }
    if (header->last_offset() >= offset) {
      cut = Cut{pos, std::min(offset, header->base_offset)};
      break;
    }
    if (*first_timestamp < 0) *first_timestamp = header->max_timestamp;
    if (header->max_timestamp > *max_timestamp) {
      *max_timestamp = header->max_timestamp;
      *offset_of_max_timestamp = header->last_offset();
    }
    pos += header->size_bytes();
  }
  return cut;
}

absl::StatusOr<Segment::Cut> Segment::CutAt(int64_t offset) {
  MutexLock lock(&mu_);
  if (retired_) return RetiredError();
  int64_t first_ts, max_ts, offset_of_max_ts;
  absl::StatusOr<Cut> cut =
      FindCutLocked(offset, &first_ts, &max_ts, &offset_of_max_ts);
  if (!cut.ok()) return cut.status();
  const uint64_t old_size = size_.load(std::memory_order_relaxed);
  cuts_.fetch_add(1, std::memory_order_seq_cst);
  // Publish first: View/ViewFrom check the size under mu_, so every reader
  // that takes bytes from now on stops at the cut.
  size_.store(cut->position, std::memory_order_release);
  next_offset_.store(cut->next_offset, std::memory_order_release);
  progress_->store(cut->position, std::memory_order_relaxed);
  first_batch_timestamp_.store(first_ts, std::memory_order_release);
  max_timestamp_.store(max_ts, std::memory_order_release);
  offset_of_max_timestamp_.store(offset_of_max_ts, std::memory_order_release);
  if (corrupt_position_.load() >= static_cast<int64_t>(cut->position)) {
    corrupt_position_.store(-1, std::memory_order_release);
  }
  if (absl::Status s = CutLogFileLocked(cut->position, old_size); !s.ok()) {
    return s;
  }
  if (absl::Status s = TruncateIndexesLocked(cut->next_offset); !s.ok()) {
    return s;
  }
  // Not active any more: MakeActive maps it afresh over the cut file.
  active_ = false;
  active_map_ = nullptr;
  active_file_ = nullptr;
  reserved_ = 0;
  return *cut;
}

bool Segment::PinnedLocked() const {
  if (map_ != nullptr && map_.use_count() > 1) return true;
  for (const std::weak_ptr<const MappedRegion>& m : released_maps_) {
    if (!m.expired()) return true;
  }
  return false;
}

// Cutting the file shrinks every mapping of it: a page wholly past the new
// end of file raises SIGBUS when touched. So the file is cut only when no
// one but this segment maps it (pins are only copied from map_ under mu_,
// held here). Otherwise the dropped bytes are zeroed in place: a zero tail
// is what recovery cuts, the size stays, and a pinned page stays valid.
// Either way the file is synced, so the dropped batches never come back.
absl::Status Segment::CutLogFileLocked(uint64_t position, uint64_t old_size) {
  absl::StatusOr<std::unique_ptr<File>> file =
      fs_->OpenFile(log_path_, OpenOptions::ReadWrite());
  if (!file.ok()) return file.status();
  if (PinnedLocked()) {
    static const std::string* const kZeros = new std::string(64 << 10, '\0');
    for (uint64_t pos = position; pos < old_size;) {
      const size_t n = static_cast<size_t>(
          std::min<uint64_t>(kZeros->size(), old_size - pos));
      if (absl::Status s = (*file)->WriteAt(pos, kZeros->substr(0, n));
          !s.ok()) {
        return s;
      }
      pos += n;
    }
  } else {
    DropMapLocked();  // unmapped now: no one else held it
    active_map_ = nullptr;
    active_file_ = nullptr;
    if (absl::Status s = (*file)->Truncate(position); !s.ok()) return s;
  }
  if (absl::Status s = (*file)->Sync(); !s.ok()) return s;
  file_ = *std::move(file);
  return absl::OkStatus();
}

// Kafka's index truncateTo on both indexes, then what Seal leaves: flushed,
// trimmed, synced files. An index that does not hold together is rebuilt
// from the kept bytes instead.
absl::Status Segment::TruncateIndexesLocked(int64_t next_offset) {
  index_.reset();
  time_index_.reset();
  if (absl::Status s = EnsureIndexesLocked(/*writable=*/true); !s.ok()) {
    return s;
  }
  if (absl::Status s = index_->TruncateTo(next_offset); !s.ok()) return s;
  if (absl::Status s = time_index_->TruncateTo(next_offset); !s.ok()) return s;
  if (absl::Status s = EnsureMappedLocked(); !s.ok()) return s;
  if (!IndexesConsistentLocked()) {
    const absl::string_view bytes =
        map_ == nullptr ? absl::string_view()
                        : absl::string_view(map_->data(), size());
    if (absl::Status s = RebuildIndexesLocked(bytes); !s.ok()) return s;
  }
  return CloseIndexesDurablyLocked();
}

}  // namespace internal
}  // namespace runnel
