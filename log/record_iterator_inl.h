// Copyright 2026 The Runnel Authors.
//
// Inline parts of record_batch.h: the per-record fast path of
// RecordIterator, in the header so that a caller's ForEach loop is compiled
// as one piece (the RecordView then never exists in memory: its fields go
// straight to where the caller wants them). Not an API: include
// "runnel/record_batch.h".
#ifndef RUNNEL_LOG_RECORD_ITERATOR_INL_H_
#define RUNNEL_LOG_RECORD_ITERATOR_INL_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "absl/base/attributes.h"
#include "log/format.h"
#include "log/varint.h"

namespace runnel {
namespace internal {

// The common case of RecordIterator::Next without building a Status: a
// record without headers whose every field is sound. Returns false,
// changing nothing, on anything else; the full parser then parses it again
// and says exactly what is wrong (or handles its headers).
ABSL_ATTRIBUTE_ALWAYS_INLINE inline bool ParseSimpleRecord(
    const RecordBatchHeader& h, const char* section_end, const char** pos,
    int64_t* prev_offset_delta, RecordView* out) {
  constexpr VarintStatus kOk = VarintStatus::kOk;
  const char* p = *pos;
  int32_t length;
  if (DecodeVarint(&p, section_end, &length) != kOk ||
      length < static_cast<int32_t>(format::kMinRecordBodySize) ||
      length > section_end - p || *p != 0) {
    return false;
  }
  const char* end = p + length;
  ++p;  // attributes: 0
  int64_t timestamp_delta;
  int32_t offset_delta;
  int32_t key_length;
  int32_t value_length;
  if (DecodeVarlong(&p, end, &timestamp_delta) != kOk ||
      DecodeVarint(&p, end, &offset_delta) != kOk ||
      offset_delta <= *prev_offset_delta ||
      offset_delta > h.last_offset_delta ||
      DecodeVarint(&p, end, &key_length) != kOk ||
      key_length < format::kNullLength || key_length > end - p) {
    return false;
  }
  const char* key = p;
  if (key_length > 0) p += key_length;
  if (DecodeVarint(&p, end, &value_length) != kOk ||
      value_length < format::kNullLength || value_length > end - p) {
    return false;
  }
  const char* value = p;
  if (value_length > 0) p += value_length;
  // No headers (a 0 count byte), and the record ends right there.
  if (end - p != 1 || *p != 0) return false;
  int64_t timestamp = h.max_timestamp;  // Kafka's rule for LogAppendTime
  if (h.timestamp_type != TimestampType::kLogAppendTime &&
      __builtin_add_overflow(h.base_timestamp, timestamp_delta, &timestamp)) {
    return false;
  }
  out->offset = h.base_offset + offset_delta;
  out->timestamp = timestamp;
  if (key_length < 0) {
    out->key.reset();
  } else {
    out->key.emplace(key, static_cast<size_t>(key_length));
  }
  if (value_length < 0) {
    out->value.reset();
  } else {
    out->value.emplace(value, static_cast<size_t>(value_length));
  }
  out->headers = absl::Span<const RecordHeaderView>();
  *prev_offset_delta = offset_delta;
  *pos = end;
  return true;
}

}  // namespace internal

template <typename Visitor>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline size_t RecordIterator::ForEach(
    size_t max, Visitor&& visit) {
  if (!status_.ok()) return 0;
  const RecordBatchHeader& h = batch_->header();
  const absl::string_view section = batch_->records_data();
  const char* const section_end = section.data() + section.size();
  const size_t n = std::min(max, static_cast<size_t>(h.record_count - index_));
  size_t i = 0;
  while (i < n) {
    // The fast loop. The cursor and the record live in locals (registers):
    // stores through the visitor could alias members, and a record whose
    // address escaped (to NextFully) would be built in memory.
    const char* pos = pos_;
    int64_t prev_offset_delta = prev_offset_delta_;
    const size_t from = i;
    for (; i < n; ++i) {
      RecordView record;
      if (!internal::ParseSimpleRecord(h, section_end, &pos, &prev_offset_delta,
                                       &record)) {
        break;
      }
      visit(static_cast<const RecordView&>(record));
    }
    pos_ = pos;
    prev_offset_delta_ = prev_offset_delta;
    index_ += static_cast<int32_t>(i - from);
    if (i == n) break;
    // A record the fast path does not take: headers, or an error to
    // describe. The full parser, then back to the fast loop.
    RecordView slow;
    if (!NextFully(&slow)) return i;
    visit(static_cast<const RecordView&>(slow));
    ++i;
  }
  // The batch ran out before `max`: nothing may follow its last record.
  if (n < max) CheckNothingFollows();
  return n;
}

}  // namespace runnel

#endif  // RUNNEL_LOG_RECORD_ITERATOR_INL_H_
