// Copyright 2026 The Runnel Authors.
//
// FetchBuffer: hands out a fetch's records across Polls (see the header).
#include "consumer/fetch_buffer.h"

#include <algorithm>
#include <utility>

#include "absl/base/attributes.h"
#include "absl/strings/str_cat.h"

namespace runnel {
namespace internal {

FetchBuffer::FetchBuffer(std::string describe, int32_t partition)
    : describe_(std::move(describe)), partition_(partition) {}

void FetchBuffer::Reset(FetchResult fetched, int64_t position) {
  Clear();
  batches_ = std::move(fetched.read.batches);
  pins_ = std::move(fetched.read.pins);
  position_ = position;
  if (!batches_.empty()) {
    const uintptr_t first = reinterpret_cast<uintptr_t>(batches_[0].data());
    const uintptr_t end = reinterpret_cast<uintptr_t>(batches_.back().data() +
                                                      batches_.back().size());
    read_ahead_distance_ = end - first;
    read_ahead_ = end;
  }
  for (absl::string_view bytes : batches_) {
    absl::StatusOr<RecordBatchHeader> header = ReadBatchHeader(bytes);
    if (header.ok()) unopened_records_ += header->record_count;
  }
}

size_t FetchBuffer::RecordsLeftBound() const {
  size_t left = unopened_records_;
  if (current_) left += current_->header().record_count;
  return left;
}

void FetchBuffer::Clear() {
  CloseBatch();
  batches_.clear();
  pins_.clear();
  next_ = 0;
  unopened_records_ = 0;
}

void FetchBuffer::CloseBatch() {
  records_.reset();
  current_.reset();
}

absl::Status FetchBuffer::OpenNextBatch(bool* opened) {
  *opened = false;
  while (next_ < batches_.size()) {
    DecodeOptions decode;
    decode.verify_crc = false;  // Log::Read checked every batch it returned
    absl::StatusOr<RecordBatchView> view =
        RecordBatchView::Parse(batches_[next_], decode);
    if (!view.ok()) {
      const int64_t at = position_;
      Clear();
      return absl::DataLossError(absl::StrCat(describe_, " at offset ", at,
                                              ": ", view.status().message()));
    }
    ++next_;
    const RecordBatchHeader& header = view->header();
    unopened_records_ -=
        std::min(unopened_records_, static_cast<size_t>(header.record_count));
    if (header.is_control || header.last_offset() < position_) {
      // Nothing to hand out: step over it (Kafka skips control batches).
      position_ = std::max(position_, header.last_offset() + 1);
      continue;
    }
    current_.emplace(*std::move(view));
    records_.emplace(*current_);
    *opened = true;
    return absl::OkStatus();
  }
  return absl::OkStatus();
}

// Headers live in chunks that never reallocate, so each record's span
// stays valid as more records are added.
static absl::Span<const RecordHeaderView> KeepHeaders(
    absl::Span<const RecordHeaderView> headers,
    std::vector<std::vector<RecordHeaderView>>* chunks) {
  constexpr size_t kChunk = 256;
  if (chunks->empty() ||
      chunks->back().capacity() - chunks->back().size() < headers.size()) {
    chunks->emplace_back();
    chunks->back().reserve(std::max(kChunk, headers.size()));
  }
  std::vector<RecordHeaderView>& chunk = chunks->back();
  const size_t first = chunk.size();
  chunk.insert(chunk.end(), headers.begin(), headers.end());
  return absl::MakeConstSpan(chunk.data() + first, headers.size());
}

absl::Status FetchBuffer::Take(int max_records, absl::string_view topic,
                               ConsumerRecords* out) {
  const size_t max = static_cast<size_t>(std::max(max_records, 0));
  size_t taken = 0;
  bool kept_batch = false;  // current_'s storage already in *out
  while (taken < max) {
    if (!current_) {
      bool opened = false;
      if (absl::Status s = OpenNextBatch(&opened); !s.ok()) return s;
      if (!opened) break;
      kept_batch = false;
    }
    const RecordBatchHeader& header = current_->header();
    if (!kept_batch && header.compression != Compression::kNone) {
      out->views_.push_back(*current_);  // shares the decompressed records
      kept_batch = true;
    }
    const size_t asked = max - taken;
    const size_t visited = records_->ForEach(
        asked, [&](const RecordView& r) ABSL_ATTRIBUTE_ALWAYS_INLINE {
          if (r.offset < position_) return;  // before the fetch position
          if (r.value) ReadAhead(r.value->data() + r.value->size());
          ConsumerRecord* record =
              new (out->records_.AppendUninitialized()) ConsumerRecord;
          FillConsumerRecord(topic, partition_, header, r, record);
          if (!r.headers.empty()) {  // r's headers live only for this call
            record->headers = KeepHeaders(r.headers, &out->header_chunks_);
          }
          position_ = r.offset + 1;
          ++taken;
        });
    if (!records_->status().ok()) return DecodeError();
    if (visited < asked) {
      // A fully read batch moves past its last offset (compaction gaps).
      position_ = std::max(position_, header.last_offset() + 1);
      CloseBatch();
    }
  }
  if (taken > 0) {
    out->pins_.insert(out->pins_.end(), pins_.begin(), pins_.end());
  }
  return absl::OkStatus();
}

absl::Status FetchBuffer::DecodeError() {
  const int64_t at = position_;
  const std::string why(records_->status().message());
  Clear();
  return absl::DataLossError(
      absl::StrCat(describe_, " at offset ", at, ": ", why));
}

}  // namespace internal
}  // namespace runnel
