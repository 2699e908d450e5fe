// Copyright 2026 The Runnel Authors.
#include "log/batch_filter.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>

#include "absl/strings/str_cat.h"
#include "log/big_endian.h"
#include "log/crc32c.h"
#include "log/format.h"
#include "log/lz4_codec.h"
#include "log/record_batch_internal.h"
#include "log/varint.h"

namespace runnel {
namespace internal {
namespace {

constexpr uint64_t kInt32Max = std::numeric_limits<int32_t>::max();

uint64_t BytesFieldSize(std::optional<absl::string_view> bytes) {
  if (!bytes.has_value()) return 1;
  return VarintSize(static_cast<int32_t>(bytes->size())) + bytes->size();
}

char* WriteBytesField(std::optional<absl::string_view> bytes, char* p) {
  if (!bytes.has_value()) return EncodeVarint(format::kNullLength, p);
  p = EncodeVarint(static_cast<int32_t>(bytes->size()), p);
  if (!bytes->empty()) std::memcpy(p, bytes->data(), bytes->size());
  return p + bytes->size();
}

// Appends `record` to *out with explicit deltas (format.h, "Record").
// Decoded fields are within int32 lengths, so only the record as a whole
// (its timestamp delta may have grown) needs checking.
absl::Status AppendRecord(const RecordView& record, int64_t timestamp_delta,
                          int32_t offset_delta, std::string* out) {
  uint64_t body = 1 + VarlongSize(timestamp_delta) + VarintSize(offset_delta) +
                  BytesFieldSize(record.key) + BytesFieldSize(record.value) +
                  VarintSize(static_cast<int32_t>(record.headers.size()));
  for (const RecordHeaderView& h : record.headers) {
    body += BytesFieldSize(h.key) + BytesFieldSize(h.value);
  }
  if (body > kInt32Max) {
    return absl::InvalidArgumentError(
        absl::StrCat("record at offset ", record.offset, " would be ", body,
                     " bytes, more than 2^31-1"));
  }
  const size_t start = out->size();
  out->resize(start + VarintSize(static_cast<int32_t>(body)) + body);
  char* p = &(*out)[start];
  p = EncodeVarint(static_cast<int32_t>(body), p);
  *p++ = 0;  // record attributes: unused
  p = EncodeVarlong(timestamp_delta, p);
  p = EncodeVarint(offset_delta, p);
  p = WriteBytesField(record.key, p);
  p = WriteBytesField(record.value, p);
  p = EncodeVarint(static_cast<int32_t>(record.headers.size()), p);
  for (const RecordHeaderView& h : record.headers) {
    p = WriteBytesField(h.key, p);
    p = WriteBytesField(h.value, p);
  }
  return absl::OkStatus();
}

// Appends header + `records` (uncompressed) as one batch with header fields
// from `h`, compressing if h.compression says so. Sets length and CRC.
absl::Status AppendBatch(RecordBatchHeader* h, absl::string_view records,
                         std::string* out) {
  std::string compressed;
  if (h->compression == Compression::kLz4) {
    if (absl::Status s = Lz4FrameCompress(records, &compressed); !s.ok()) {
      return s;
    }
    records = compressed;
  }
  const uint64_t length =
      format::kRecordBatchHeaderSize - format::kLogOverhead + records.size();
  if (length > kInt32Max) {
    return absl::InvalidArgumentError(absl::StrCat("cleaned batch at offset ",
                                                   h->base_offset, " would be ",
                                                   length, " bytes"));
  }
  h->batch_length = static_cast<int32_t>(length);
  h->magic = format::kMagicV2;
  const size_t start = out->size();
  out->resize(start + format::kRecordBatchHeaderSize);
  out->append(records.data(), records.size());
  char* batch = &(*out)[start];
  internal::WriteBatchHeader(*h, batch);  // the CRC is set below
  h->crc = Crc32cExtend(0, batch + format::kCrcCoverageStart,
                        out->size() - start - format::kCrcCoverageStart);
  StoreBigEndian32(batch + format::kCrcOffset, h->crc);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<FilteredBatch> FilterBatch(
    const RecordBatchView& batch,
    absl::FunctionRef<bool(const RecordView&)> retain, std::string* out) {
  const RecordBatchHeader& in = batch.header();
  if (in.is_control) {
    return absl::InvalidArgumentError(
        absl::StrCat("FilterBatch: batch at offset ", in.base_offset,
                     " is a control batch"));
  }
  const bool log_append_time =
      in.timestamp_type == TimestampType::kLogAppendTime;
  FilteredBatch result;
  result.header = in;
  RecordBatchHeader& h = result.header;
  h.record_count = 0;
  h.max_timestamp = -1;
  std::string records;  // the retained records, uncompressed
  RecordIterator it(batch);
  RecordView record;
  while (it.Next(&record)) {
    if (!retain(record)) {
      ++result.records_removed;
      continue;
    }
    if (h.record_count == 0 && !in.has_delete_horizon) {
      h.base_timestamp = record.timestamp;
    }
    int64_t delta;
    if (__builtin_sub_overflow(record.timestamp, h.base_timestamp, &delta)) {
      return absl::InvalidArgumentError(
          absl::StrCat("record at offset ", record.offset, ": timestamp ",
                       record.timestamp, " too far from ", h.base_timestamp));
    }
    absl::Status s = AppendRecord(
        record, delta, static_cast<int32_t>(record.offset - in.base_offset),
        &records);
    if (!s.ok()) return s;
    if (h.record_count == 0 || record.timestamp > h.max_timestamp) {
      h.max_timestamp = record.timestamp;
    }
    ++h.record_count;
  }
  if (!it.status().ok()) return it.status();

  if (result.records_removed == 0) {
    result.action = FilteredBatch::Action::kKept;
    result.header = in;
    out->append(batch.bytes().data(), batch.bytes().size());
    return result;
  }
  if (h.record_count == 0) {
    result.action = FilteredBatch::Action::kDropped;
    result.header = in;
    return result;
  }
  // LogAppendTime: every record reads as the batch's max timestamp.
  if (log_append_time) h.max_timestamp = in.max_timestamp;
  const size_t before = out->size();
  if (absl::Status s = AppendBatch(&h, records, out); !s.ok()) {
    out->resize(before);
    return s;
  }
  result.action = FilteredBatch::Action::kRewritten;
  return result;
}

}  // namespace internal
}  // namespace runnel
