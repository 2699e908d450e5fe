// Copyright 2026 The Runnel Authors.
//
// Segment: the appender's side — reserving and prefaulting space ahead,
// copying or writing batches in, and indexing and publishing them.
#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "log/format.h"
#include "log/prefaulter.h"
#include "log/segment.h"
#include "runnel/clock.h"
#include "util/streaming_copy.h"

namespace runnel {
namespace internal {

// Reserves file space so that [0, end) is backed and grows the active
// mapping over it. Reservations grow geometrically (64 KiB, doubling up to
// reserve_chunk_bytes), so an idle partition holds little disk, and stay
// one chunk ahead of `end`: that headroom goes to the prefaulter, so the
// appender finds its pages already faulted in. Nothing changes on failure.
absl::Status Segment::ReserveFor(uint64_t end) {
  if (end <= reserved_) return absl::OkStatus();
  if (end > options_.capacity_bytes) {
    return absl::FailedPreconditionError(
        absl::StrCat(log_path_, ": ", end, " bytes would exceed the segment's ",
                     options_.capacity_bytes, "-byte capacity"));
  }
  constexpr uint64_t kFirstChunk = 64 * 1024;
  const uint64_t max_chunk =
      std::max<uint64_t>(options_.reserve_chunk_bytes, 1);
  const uint64_t chunk = chunk_ == 0 ? std::min(kFirstChunk, max_chunk)
                                     : std::min(chunk_ * 2, max_chunk);
  const uint64_t want = std::min(
      (end + chunk - 1) / chunk * chunk + (options_.prefault ? chunk : 0),
      options_.capacity_bytes);
  MutexLock lock(&mu_);
  if (absl::Status s = file_->Reserve(reserved_, want - reserved_); !s.ok()) {
    return s;
  }
  if (map_ == nullptr) {
    if (absl::Status s = MapForAppendLocked(want); !s.ok()) return s;
  } else if (absl::Status s = map_->Grow(want); !s.ok()) {
    return s;
  }
  if (options_.prefault && !write_through_.load(std::memory_order_relaxed) &&
      AppendingFast(end)) {
    // Only for a fast appender, which would otherwise wait on its page
    // faults. A slow one (a latency-sensitive writer, say 20,000 small
    // records/s) takes a few 1-2 us faults it does not notice, while a
    // prefault job of a whole chunk keeps a core busy for milliseconds:
    // on a machine whose cores the writer and its readers hold, that was
    // the longest Append (4-6 ms; 1.6-2.1 ms without) and 2-15x the p99
    // of BM_Latency_Runnel/spin. Huge pages, once per segment, from the
    // first prefaulted reservation on.
    const bool advise = !huge_pages_advised_;
    huge_pages_advised_ = true;
    Prefaulter::Default()->Enqueue(map_, reserved_, want - reserved_, progress_,
                                   advise);
  }
  reserved_ = want;
  chunk_ = chunk;
  return absl::OkStatus();
}

absl::Status Segment::MapForAppendLocked(uint64_t length) {
  absl::StatusOr<std::unique_ptr<MappedRegion>> map = file_->MapGrowable(
      0, length, options_.capacity_bytes, MapMode::kReadWrite);
  if (!map.ok()) return map.status();
  map_ = *std::move(map);
  active_map_ = map_.get();
  active_file_ = file_.get();
  return absl::OkStatus();
}

// Prefaulting and huge pages for a log written at least this fast. Huge
// pages make streaming appends ~25% faster (fewer faults and TLB misses),
// but on a VM the first touch of a fresh 2 MiB page can stall ~10 ms; a
// slow writer (a latency-sensitive one, say 20,000 small records/s) would
// see that stall in its p99, and small pages cost it nothing it would
// notice.
constexpr double kFastAppendRate = 64.0 * (1 << 20);  // bytes per second

bool Segment::AppendingFast(uint64_t end) {
  Clock* clock = options_.clock != nullptr ? options_.clock : Clock::Real();
  const absl::Time now = clock->Now();
  // The first reservation has no pace of its own: the previous segment's.
  const bool first = last_reserve_time_ == absl::InfinitePast();
  const double seconds = absl::ToDoubleSeconds(now - last_reserve_time_);
  appending_fast_ = first ? options_.appending_fast
                          : end > last_reserve_end_ &&
                                static_cast<double>(end - last_reserve_end_) >=
                                    kFastAppendRate * seconds;
  last_reserve_time_ = now;
  last_reserve_end_ = end;
  return appending_fast_;
}

absl::Status Segment::Append(absl::string_view batch,
                             const RecordBatchHeader& header) {
  absl::StatusOr<absl::Span<char>> tail = ReserveTail(batch.size());
  if (!tail.ok()) return tail.status();
  if (write_through_.load(std::memory_order_relaxed)) {
    const uint64_t position = size_.load(std::memory_order_relaxed);
    if (absl::Status s = WriteStamped(batch, header, position); !s.ok()) {
      return s;
    }
    return PublishTail(header, position);
  }
  // Streaming stores: an appended batch is read later, if at all, by then
  // from memory; a plain copy would read each line of the tail in first
  // (util/streaming_copy.h). The copy's fence orders it before the stamp
  // and the release store that publishes the batch.
  StreamingCopy(tail->data(), batch.data(), batch.size());
  return CommitTail(header);
}

// Base offset and leader epoch lie outside the CRC: stamping them keeps
// the batch valid.
absl::Status Segment::Stamp(absl::Span<char> batch,
                            const RecordBatchHeader& header) {
  if (absl::Status s = SetBaseOffset(batch, header.base_offset); !s.ok()) {
    return s;
  }
  return SetPartitionLeaderEpoch(batch, header.partition_leader_epoch);
}

absl::Status Segment::WriteStamped(absl::string_view batch,
                                   const RecordBatchHeader& header,
                                   uint64_t position) {
  if (batch.size() < format::kRecordBatchHeaderSize ||
      header.size_bytes() != batch.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(log_path_, ": batch of ", batch.size(),
                     " bytes, header says ", header.size_bytes()));
  }
  char head[format::kRecordBatchHeaderSize];
  std::memcpy(head, batch.data(), sizeof(head));
  if (absl::Status s = Stamp(absl::MakeSpan(head, sizeof(head)), header);
      !s.ok()) {
    return s;
  }
  // A crash between the two writes leaves a torn batch, which recovery's
  // CRC check cuts off like any torn tail.
  if (absl::Status s = active_file_->WriteAt(
          position, absl::string_view(head, sizeof(head)));
      !s.ok()) {
    return s;
  }
  return active_file_->WriteAt(position + sizeof(head),
                               batch.substr(sizeof(head)));
}

absl::StatusOr<absl::Span<char>> Segment::ReserveTail(size_t max_bytes) {
  if (active_map_ == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat(log_path_, ": append to a segment that is not active"));
  }
  const uint64_t position = size_.load(std::memory_order_relaxed);
  if (absl::Status s = ReserveFor(position + max_bytes); !s.ok()) return s;
  return absl::MakeSpan(active_map_->mutable_data() + position, max_bytes);
}

absl::Status Segment::CommitTail(const RecordBatchHeader& header) {
  const uint64_t position = size_.load(std::memory_order_relaxed);
  if (active_map_ == nullptr || position + header.size_bytes() > reserved_) {
    return absl::FailedPreconditionError(
        absl::StrCat(log_path_, ": commit of ", header.size_bytes(),
                     " bytes that were not reserved at the tail"));
  }
  const absl::Span<char> batch = absl::MakeSpan(
      active_map_->mutable_data() + position, header.size_bytes());
  if (absl::Status s = Stamp(batch, header); !s.ok()) return s;
  return PublishTail(header, position);
}

absl::Status Segment::PublishTail(const RecordBatchHeader& header,
                                  uint64_t position) {
  NoteMaxTimestamp(header);
  if (IndexEntryDue()) {
    // Readers look entries up under mu_; the rest of an append takes no
    // lock a reader takes.
    MutexLock lock(&mu_);
    if (absl::Status s = AddIndexEntryLocked(header.last_offset(), position);
        !s.ok()) {
      return s;
    }
  }
  bytes_since_index_entry_ += header.size_bytes();
  if (first_batch_timestamp_.load(std::memory_order_relaxed) < 0) {
    first_batch_timestamp_.store(header.max_timestamp,
                                 std::memory_order_release);
  }
  next_offset_.store(header.last_offset() + 1, std::memory_order_release);
  size_.store(position + header.size_bytes(), std::memory_order_release);
  progress_->store(position + header.size_bytes(), std::memory_order_relaxed);
  return absl::OkStatus();
}

// Kafka's LogSegment.append rule: an index entry (this batch's last offset,
// its position) once more than index.interval.bytes were appended since the
// last one, and a time-index entry for the largest timestamp so far.
absl::Status Segment::IndexBatch(const RecordBatchHeader& header,
                                 uint64_t position) {
  NoteMaxTimestamp(header);
  if (IndexEntryDue()) {
    if (absl::Status s = AddIndexEntryLocked(header.last_offset(), position);
        !s.ok()) {
      return s;
    }
  }
  bytes_since_index_entry_ += header.size_bytes();
  return absl::OkStatus();
}

void Segment::NoteMaxTimestamp(const RecordBatchHeader& header) {
  if (header.max_timestamp > max_timestamp_.load(std::memory_order_relaxed)) {
    max_timestamp_.store(header.max_timestamp, std::memory_order_release);
    offset_of_max_timestamp_.store(header.last_offset(),
                                   std::memory_order_release);
  }
}

absl::Status Segment::AddIndexEntryLocked(int64_t last_offset,
                                          uint64_t position) {
  if (absl::Status s =
          index_->Append(last_offset, static_cast<uint32_t>(position));
      !s.ok()) {
    return s;
  }
  if (absl::Status s = time_index_->MaybeAppend(
          max_timestamp_.load(std::memory_order_relaxed),
          offset_of_max_timestamp_.load(std::memory_order_relaxed));
      !s.ok()) {
    return s;
  }
  bytes_since_index_entry_ = 0;
  return absl::OkStatus();
}

bool Segment::NoRoomForNextIndexEntry() const {
  if (!IndexEntryDue()) return false;
  MutexLock lock(&mu_);
  return (index_ != nullptr && index_->IsFull()) ||
         (time_index_ != nullptr && time_index_->IsFull());
}

}  // namespace internal
}  // namespace runnel
