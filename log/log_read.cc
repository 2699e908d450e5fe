// Copyright 2026 The Runnel Authors.
//
// runnel::Log: reads (Read, OffsetForTimestamp) and the checks that keep
// corrupt bytes from ever being returned as data.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "log/big_endian.h"
#include "log/format.h"
#include "log/log_internal.h"
#include "log/segment_cache.h"
#include "runnel/log.h"
#include "runnel/record_batch.h"

namespace runnel {

using internal::CreateDirsDurably;
using internal::Join;
using internal::kCleanerOffsetFile;
using internal::kCleanShutdownFile;
using internal::kLogStartFile;
using internal::kRecoveryPointFile;
using internal::ReadNumberFile;
using internal::Segment;
using internal::WriteNumberFile;

absl::StatusOr<LogReadResult> Log::Read(int64_t offset, size_t max_bytes,
                                        const ReadPosition* from) {
  // A segment replaced by compaction under this reader reports Unavailable:
  // the segment list has changed, so read again from the new one. So does
  // a segment a TruncateTo cut while this read walked it.
  absl::StatusOr<LogReadResult> result = ReadOnce(offset, max_bytes, from);
  for (int attempt = 0; attempt < 8 && absl::IsUnavailable(result.status());
       ++attempt) {
    result = ReadOnce(offset, max_bytes, nullptr);
  }
  return result;
}

absl::StatusOr<LogReadResult> Log::ReadOnce(int64_t offset, size_t max_bytes,
                                            const ReadPosition* from) {
  LogReadResult result;
  result.log_end_offset = log_end_offset_.load(std::memory_order_acquire);
  const int64_t start = log_start_offset_.load(std::memory_order_acquire);
  if (offset < start || offset > result.log_end_offset) {
    return absl::OutOfRangeError(
        absl::StrCat("log ", Describe(), ": offset ", offset, " is outside [",
                     start, ", ", result.log_end_offset, "]"));
  }
  if (offset == result.log_end_offset) return result;
  std::shared_ptr<const SegmentList> list = segments();
  for (const std::shared_ptr<Segment>* at = list->Floor(offset); at != nullptr;
       at = list->After(at)) {
    const std::shared_ptr<Segment>& segment = *at;
    if (offset >= segment->next_offset()) {
      if (segment->corrupt_position() >= 0) {
        corrupt_batches_.fetch_add(1);
        return absl::DataLossError(
            absl::StrCat("log ", Describe(), ": offset ", offset,
                         " lies in corrupt data of ", segment->log_path(),
                         " at position ", segment->corrupt_position()));
      }
      continue;  // a gap: read from the next segment
    }
    if (ReadSegmentFrom(*segment, offset, max_bytes, from, &result)) {
      Touched(segment, *list);
      return result;
    }
    absl::StatusOr<uint64_t> position = segment->FindPosition(offset);
    if (!position.ok()) return BelowStartOr(offset, position.status());
    absl::Status status =
        ReadSegment(*segment, offset, max_bytes, *position, &result);
    if (absl::IsDataLoss(status) && *position > 0) {
      // The index is only a hint: if it pointed at something that is not a
      // batch boundary, scan the segment from its start instead.
      result.batches.clear();
      result.pins.clear();
      status = ReadSegment(*segment, offset, max_bytes, 0, &result);
    }
    if (absl::IsNotFound(status) || absl::IsUnavailable(status)) {
      return BelowStartOr(offset, status);
    }
    if (!status.ok()) {
      corrupt_batches_.fetch_add(1);
      return status;
    }
    Touched(segment, *list);
    // Compaction may have removed every batch from `offset` to the end of
    // this segment: then the next segment holds what comes next.
    if (!result.batches.empty()) return result;
  }
  return result;
}

// A reader may take a segment from the list just before retention deletes
// it; opening its files then fails. That is no error of the log: the
// offset is now below the log start, so say so as any read there would.
absl::Status Log::BelowStartOr(int64_t offset, absl::Status status) const {
  const int64_t start = log_start_offset_.load(std::memory_order_acquire);
  if (offset >= start) return status;
  return absl::OutOfRangeError(absl::StrCat("log ", Describe(), ": offset ",
                                            offset, " is outside [", start,
                                            ", ", log_end_offset(), "]"));
}

// The checks the CRC cannot make: magic and sizes (ReadBatchHeader), the
// leader epoch the log stamped, and offsets that rise inside their bounds
// (base offset and leader epoch sit outside the CRC). Then the CRC.
absl::Status Log::CheckBatch(const RecordBatchHeader& header,
                             absl::string_view bytes, int64_t min_offset,
                             int64_t end_offset) const {
  const int64_t last = header.base_offset + header.last_offset_delta;
  if (header.base_offset < min_offset || last >= end_offset) {
    return absl::DataLossError(absl::StrCat("offsets ", header.base_offset, "-",
                                            last, " outside [", min_offset,
                                            ", ", end_offset, ")"));
  }
  const int32_t epoch = leader_epoch();
  if (header.partition_leader_epoch < 0 ||
      header.partition_leader_epoch > epoch) {
    return absl::DataLossError(absl::StrCat("partition leader epoch ",
                                            header.partition_leader_epoch,
                                            " outside [0, ", epoch, "]"));
  }
  return VerifyBatchCrc(header, bytes);
}

absl::Status Log::CutDuringRead(const Segment& segment) const {
  return absl::UnavailableError(absl::StrCat("log ", Describe(), ": ",
                                             segment.log_path(),
                                             " was truncated during a read"));
}

namespace {

// A read starts at the index entry at or below its offset, so it first
// passes up to index.interval.bytes (4 KiB) of batches it does not return:
// dozens of them when batches are small. Steps over the batch at the front
// of *rest if it lies wholly below `offset`, on its offset, length and
// magic fields alone (no full header parse, no error Status to build).
// Anything unusual is left to the full path, which names the problem.
bool SkipBatchBefore(int64_t offset, int64_t* min_offset,
                     absl::string_view* rest) {
  using namespace format;  // NOLINT(build/namespaces): field offsets
  if (rest->size() < kRecordBatchHeaderSize) return false;
  const char* b = rest->data();
  const int64_t base =
      static_cast<int64_t>(internal::LoadBigEndian64(b + kBaseOffsetOffset));
  const int32_t length =
      static_cast<int32_t>(internal::LoadBigEndian32(b + kBatchLengthOffset));
  const int32_t delta = static_cast<int32_t>(
      internal::LoadBigEndian32(b + kLastOffsetDeltaOffset));
  if (b[kMagicOffset] != kMagicV2 || length < kMinBatchLength ||
      kLogOverhead + static_cast<uint64_t>(length) > rest->size() ||
      delta < 0 || base < *min_offset || base >= offset ||
      delta >= offset - base) {
    return false;
  }
  *min_offset = base + delta + 1;
  rest->remove_prefix(kLogOverhead + static_cast<size_t>(length));
  return true;
}

}  // namespace

bool Log::ReadSegmentFrom(Segment& segment, int64_t offset, size_t max_bytes,
                          const ReadPosition* from,
                          LogReadResult* result) const {
  if (from == nullptr || from->offset != offset || from->segment != &segment ||
      from->cuts != segment.cuts()) {
    return false;
  }
  // The segment may still be another one at the same address, or the
  // position stale in a way the count did not catch: accept the read only
  // if it starts with the batch that holds `offset`. (Anything else, and
  // a compaction gap too, goes the index's way.)
  const absl::Status status =
      ReadSegment(segment, offset, max_bytes, from->position, result);
  if (status.ok() && !result->batches.empty() &&
      internal::LoadBigEndian64(result->batches.front().data()) <=
          static_cast<uint64_t>(offset)) {
    return true;
  }
  result->batches.clear();
  result->pins.clear();
  result->next = ReadPosition();
  return false;
}

// Reads whole batches of `segment` from `position` on (see Read).
absl::Status Log::ReadSegment(Segment& segment, int64_t offset,
                              size_t max_bytes, uint64_t position,
                              LogReadResult* result) const {
  // Bytes below a cut never change; anything read while a TruncateTo cut
  // this segment may mix old and new bytes: then read again (Read retries
  // Unavailable).
  const uint64_t cuts = segment.cuts();
  absl::StatusOr<internal::PinnedBytes> pinned = segment.ViewFrom(position);
  if (!pinned.ok()) return pinned.status();
  absl::string_view rest = pinned->bytes;
  size_t total = 0;
  int64_t min_offset = segment.base_offset();
  while (!rest.empty()) {
    if (SkipBatchBefore(offset, &min_offset, &rest)) continue;
    const uint64_t at = position + (pinned->bytes.size() - rest.size());
    absl::StatusOr<RecordBatchHeader> header = ReadBatchHeader(rest);
    absl::Status bad = header.status();
    if (bad.ok() && header->size_bytes() > rest.size()) {
      bad = absl::DataLossError("batch runs past the end of the segment");
    }
    if (bad.ok() && header->last_offset() >= offset) {
      if (!result->batches.empty() &&
          total + header->size_bytes() > max_bytes) {
        break;
      }
      // The next batch's base offset bounds this one's last offset. (Most
      // reads end at the segment's end: no header there, and no error
      // Status to build for it.)
      const absl::string_view after = rest.substr(header->size_bytes());
      int64_t end = segment.next_offset();
      if (after.size() >= format::kRecordBatchHeaderSize) {
        absl::StatusOr<RecordBatchHeader> next = ReadBatchHeader(after);
        if (next.ok()) end = next->base_offset;
      }
      bad = CheckBatch(*header, rest.substr(0, header->size_bytes()),
                       min_offset, end);
      if (bad.ok()) {
        result->batches.push_back(rest.substr(0, header->size_bytes()));
        total += header->size_bytes();
      }
    }
    if (!bad.ok()) {
      if (segment.cuts_after_reads() != cuts) return CutDuringRead(segment);
      return absl::DataLossError(absl::StrCat(
          "log ", Describe(), ": corrupt batch in ", segment.log_path(),
          " at position ", at, ": ", bad.message()));
    }
    min_offset = header->last_offset() + 1;
    rest.remove_prefix(header->size_bytes());
  }
  if (segment.cuts_after_reads() != cuts) return CutDuringRead(segment);
  result->pins.push_back(pinned->mapping);
  if (!result->batches.empty()) {
    result->next.offset = min_offset;  // one past the last batch returned
    result->next.segment = &segment;
    result->next.cuts = cuts;
    result->next.position = position + (pinned->bytes.size() - rest.size());
  }
  return absl::OkStatus();
}

absl::StatusOr<OffsetAndTimestamp> Log::OffsetForTimestamp(int64_t timestamp) {
  std::shared_ptr<const SegmentList> list = segments();
  for (const std::shared_ptr<Segment>& segment : list->segments) {
    if (segment->next_offset() <= log_start_offset()) continue;
    if (segment->size() == 0) continue;
    // Skip whole segments whose largest timestamp is older (known for
    // scanned segments; otherwise read their last time-index entry).
    absl::StatusOr<TimestampOffset> floor = segment->LookupTime(timestamp);
    Touched(segment, *list);
    if (!floor.ok()) return floor.status();
    absl::StatusOr<uint64_t> position = segment->FindPosition(floor->offset);
    if (!position.ok()) return position.status();
    absl::StatusOr<internal::PinnedBytes> pinned = segment->ViewFrom(*position);
    if (!pinned.ok()) return pinned.status();
    for (absl::string_view rest = pinned->bytes; !rest.empty();) {
      absl::StatusOr<RecordBatchHeader> header = ReadBatchHeader(rest);
      if (!header.ok()) return header.status();
      if (header->max_timestamp >= timestamp &&
          header->base_offset + header->last_offset_delta >=
              log_start_offset()) {
        return OffsetAndTimestamp{
            header->max_timestamp,
            std::max(header->base_offset, log_start_offset())};
      }
      rest.remove_prefix(header->size_bytes());
    }
  }
  return absl::NotFoundError(absl::StrCat(
      "log ", Describe(), ": no batch with a timestamp >= ", timestamp));
}

}  // namespace runnel
