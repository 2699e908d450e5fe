// ReadBatchHeader, VerifyBatchCrc, RecordBatchView, RecordIterator,
// DecodedBatch, ParseControlRecord.
//
// Every length, count and varint read from the batch is checked against the
// bytes actually present before it is used; errors are built out of line so
// the per-record path stays small.
#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "log/big_endian.h"
#include "log/crc32c.h"
#include "log/format.h"
#include "log/lz4_codec.h"
#include "log/record_batch_internal.h"
#include "log/varint.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace {

using internal::VarintStatus;

// --- Errors (cold). ---

ABSL_ATTRIBUTE_NOINLINE absl::Status BatchError(int64_t base_offset,
                                                absl::string_view what) {
  return absl::DataLossError(
      absl::StrCat("record batch at base offset ", base_offset, ": ", what));
}

// Where the records section of a batch lives, for error positions.
struct Section {
  const char* begin;
  const char* end;
  bool decompressed;
};

ABSL_ATTRIBUTE_NOINLINE absl::Status RecordError(const RecordBatchHeader& h,
                                                 const Section& s,
                                                 int32_t index, const char* at,
                                                 absl::string_view what) {
  const size_t pos = static_cast<size_t>(at - s.begin);
  return BatchError(
      h.base_offset,
      s.decompressed ? absl::StrCat("record ", index, " at byte ", pos,
                                    " of the decompressed records: ", what)
                     : absl::StrCat("record ", index, " at byte ",
                                    format::kRecordsOffset + pos, ": ", what));
}

ABSL_ATTRIBUTE_NOINLINE absl::Status VarintError(const RecordBatchHeader& h,
                                                 const Section& s,
                                                 int32_t index, const char* at,
                                                 absl::string_view field,
                                                 VarintStatus status) {
  return RecordError(
      h, s, index, at,
      absl::StrCat(field, ": ", internal::VarintStatusName(status)));
}

ABSL_ATTRIBUTE_NOINLINE absl::Status LengthError(const RecordBatchHeader& h,
                                                 const Section& s,
                                                 int32_t index, const char* at,
                                                 absl::string_view field,
                                                 int64_t length, size_t left) {
  return RecordError(
      h, s, index, at,
      length < 0 ? absl::StrCat(field, " length ", length, " is invalid")
                 : absl::StrCat(field, " length ", length, " exceeds the ",
                                left, " bytes left in the record"));
}

// --- Field readers (hot). ---

// Reads a length-prefixed byte string that must end by `end`. -1 means null
// when `nullable`.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline absl::Status ReadBytes(
    const RecordBatchHeader& h, const Section& s, int32_t index, const char** p,
    const char* end, absl::string_view field, bool nullable,
    std::optional<absl::string_view>* out) {
  const char* at = *p;
  int32_t length;
  VarintStatus vs = internal::DecodeVarint(p, end, &length);
  if (ABSL_PREDICT_FALSE(vs != VarintStatus::kOk)) {
    return VarintError(h, s, index, at, field, vs);
  }
  const size_t left = static_cast<size_t>(end - *p);
  if (length == format::kNullLength && nullable) {
    out->reset();
    return absl::OkStatus();
  }
  if (ABSL_PREDICT_FALSE(length < 0 || static_cast<size_t>(length) > left)) {
    return LengthError(h, s, index, at, field, length, left);
  }
  *out = absl::string_view(*p, static_cast<size_t>(length));
  *p += length;
  return absl::OkStatus();
}

// Parses the record at *pos (the index-th), advancing *pos past it.
// Appends its headers to *headers and stores their count in
// out->headers.size() with a null data pointer; the caller points the span
// at the right place in *headers once no more reallocation can happen.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline absl::Status ParseRecord(
    const RecordBatchHeader& h, const Section& s, int32_t index,
    const char** pos, int64_t* prev_offset_delta,
    std::vector<RecordHeaderView>* headers, RecordView* out) {
  const char* p = *pos;
  int32_t length;
  VarintStatus vs = internal::DecodeVarint(&p, s.end, &length);
  if (ABSL_PREDICT_FALSE(vs != VarintStatus::kOk)) {
    return VarintError(h, s, index, *pos, "record length", vs);
  }
  const size_t left = static_cast<size_t>(s.end - p);
  if (ABSL_PREDICT_FALSE(length <
                             static_cast<int32_t>(format::kMinRecordBodySize) ||
                         static_cast<size_t>(length) > left)) {
    return RecordError(
        h, s, index, *pos,
        absl::StrCat("record length ", length, " is invalid (", left,
                     " bytes left, minimum ", format::kMinRecordBodySize, ")"));
  }
  const char* end = p + length;
  if (ABSL_PREDICT_FALSE(*p != 0)) {
    return RecordError(h, s, index, p,
                       absl::StrCat("record attributes are ",
                                    static_cast<int>(*p), ", must be 0"));
  }
  ++p;

  const char* at = p;
  int64_t timestamp_delta;
  vs = internal::DecodeVarlong(&p, end, &timestamp_delta);
  if (ABSL_PREDICT_FALSE(vs != VarintStatus::kOk)) {
    return VarintError(h, s, index, at, "timestamp delta", vs);
  }
  at = p;
  int32_t offset_delta;
  vs = internal::DecodeVarint(&p, end, &offset_delta);
  if (ABSL_PREDICT_FALSE(vs != VarintStatus::kOk)) {
    return VarintError(h, s, index, at, "offset delta", vs);
  }
  if (ABSL_PREDICT_FALSE(offset_delta <= *prev_offset_delta ||
                         offset_delta > h.last_offset_delta)) {
    return RecordError(
        h, s, index, at,
        absl::StrCat("offset delta ", offset_delta,
                     " is not in (previous delta ", *prev_offset_delta,
                     ", lastOffsetDelta ", h.last_offset_delta, "]"));
  }

  absl::Status st = ReadBytes(h, s, index, &p, end, "key", true, &out->key);
  if (ABSL_PREDICT_FALSE(!st.ok())) return st;
  st = ReadBytes(h, s, index, &p, end, "value", true, &out->value);
  if (ABSL_PREDICT_FALSE(!st.ok())) return st;

  at = p;
  int32_t header_count;
  vs = internal::DecodeVarint(&p, end, &header_count);
  if (ABSL_PREDICT_FALSE(vs != VarintStatus::kOk)) {
    return VarintError(h, s, index, at, "header count", vs);
  }
  // Each header takes at least two bytes (two one-byte lengths).
  if (ABSL_PREDICT_FALSE(header_count < 0 ||
                         static_cast<size_t>(header_count) >
                             static_cast<size_t>(end - p) / 2)) {
    return RecordError(
        h, s, index, at,
        absl::StrCat("header count ", header_count, " is invalid for the ",
                     end - p, " bytes left in the record"));
  }
  for (int32_t i = 0; i < header_count; ++i) {
    std::optional<absl::string_view> key;
    headers->emplace_back();
    RecordHeaderView& header = headers->back();
    st = ReadBytes(h, s, index, &p, end, "header key", false, &key);
    if (ABSL_PREDICT_FALSE(!st.ok())) return st;
    header.key = *key;
    st = ReadBytes(h, s, index, &p, end, "header value", true, &header.value);
    if (ABSL_PREDICT_FALSE(!st.ok())) return st;
  }
  if (ABSL_PREDICT_FALSE(p != end)) {
    return RecordError(h, s, index, p,
                       absl::StrCat(end - p,
                                    " unread bytes before the end of the "
                                    "record (record length ",
                                    length, ")"));
  }

  if (h.timestamp_type == TimestampType::kLogAppendTime) {
    out->timestamp = h.max_timestamp;  // Kafka's rule for LogAppendTime
  } else if (ABSL_PREDICT_FALSE(__builtin_add_overflow(
                 h.base_timestamp, timestamp_delta, &out->timestamp))) {
    return RecordError(
        h, s, index, *pos,
        absl::StrCat("timestamp delta ", timestamp_delta,
                     " overflows base timestamp ", h.base_timestamp));
  }
  // ReadBatchHeader checked base_offset + last_offset_delta fits.
  out->offset = h.base_offset + offset_delta;
  out->headers = absl::Span<const RecordHeaderView>(
      nullptr, static_cast<size_t>(header_count));
  *prev_offset_delta = offset_delta;
  *pos = end;
  return absl::OkStatus();
}

ABSL_ATTRIBUTE_NOINLINE absl::Status MissingRecordsError(
    const RecordBatchHeader& h, int32_t found) {
  return BatchError(h.base_offset,
                    absl::StrCat("recordsCount is ", h.record_count,
                                 " but the records end after ", found));
}

ABSL_ATTRIBUTE_NOINLINE absl::Status TrailingRecordBytesError(
    const RecordBatchHeader& h, const Section& s, const char* at) {
  return RecordError(h, s, h.record_count, at,
                     absl::StrCat(s.end - at, " bytes follow the last of the ",
                                  h.record_count, " records"));
}

Section SectionOf(const RecordBatchView& batch) {
  const absl::string_view records = batch.records_data();
  return Section{records.data(), records.data() + records.size(),
                 batch.header().compression != Compression::kNone};
}

absl::Status WithPrefix(const absl::Status& status, absl::string_view prefix) {
  return absl::Status(status.code(), absl::StrCat(prefix, status.message()));
}

}  // namespace

absl::StatusOr<RecordBatchHeader> ReadBatchHeader(absl::string_view bytes) {
  using namespace format;  // NOLINT(build/namespaces): field offsets
  if (bytes.size() < kRecordBatchHeaderSize) {
    return absl::DataLossError(
        absl::StrCat("record batch header truncated: ", bytes.size(),
                     " bytes, need ", kRecordBatchHeaderSize));
  }
  const char* b = bytes.data();
  RecordBatchHeader h;
  h.base_offset =
      static_cast<int64_t>(internal::LoadBigEndian64(b + kBaseOffsetOffset));
  h.batch_length =
      static_cast<int32_t>(internal::LoadBigEndian32(b + kBatchLengthOffset));
  h.partition_leader_epoch = static_cast<int32_t>(
      internal::LoadBigEndian32(b + kPartitionLeaderEpochOffset));
  h.magic = static_cast<int8_t>(b[kMagicOffset]);
  h.crc = internal::LoadBigEndian32(b + kCrcOffset);
  const uint16_t attributes = internal::LoadBigEndian16(b + kAttributesOffset);
  h.last_offset_delta = static_cast<int32_t>(
      internal::LoadBigEndian32(b + kLastOffsetDeltaOffset));
  h.base_timestamp =
      static_cast<int64_t>(internal::LoadBigEndian64(b + kBaseTimestampOffset));
  h.max_timestamp =
      static_cast<int64_t>(internal::LoadBigEndian64(b + kMaxTimestampOffset));
  h.producer_id =
      static_cast<int64_t>(internal::LoadBigEndian64(b + kProducerIdOffset));
  h.producer_epoch =
      static_cast<int16_t>(internal::LoadBigEndian16(b + kProducerEpochOffset));
  h.base_sequence =
      static_cast<int32_t>(internal::LoadBigEndian32(b + kBaseSequenceOffset));
  h.record_count =
      static_cast<int32_t>(internal::LoadBigEndian32(b + kRecordsCountOffset));

  auto bad = [&h](auto&&... what) {
    return BatchError(h.base_offset, absl::StrCat(what...));
  };
  if (h.magic != kMagicV2) {
    return bad("magic byte ", static_cast<int>(h.magic), " at byte ",
               kMagicOffset, " (only RecordBatch v2, magic 2, is supported)");
  }
  if (h.batch_length < kMinBatchLength) {
    return bad("batchLength ", h.batch_length, " at byte ", kBatchLengthOffset,
               " is less than the minimum ", kMinBatchLength);
  }
  if ((attributes & ~kKnownAttributesMask) != 0) {
    return bad(
        absl::StrFormat("reserved attribute bits set in 0x%04x", attributes),
        " at byte ", kAttributesOffset);
  }
  if ((attributes & kCompressionCodecMask) > kMaxCompressionCodec) {
    return bad("invalid compression codec ", attributes & kCompressionCodecMask,
               " at byte ", kAttributesOffset);
  }
  internal::SetAttributes(attributes, &h);
  if (h.base_offset < 0) {
    return bad("negative base offset at byte ", kBaseOffsetOffset);
  }
  if (h.record_count < 0) {
    return bad("negative recordsCount ", h.record_count, " at byte ",
               kRecordsCountOffset);
  }
  if (h.last_offset_delta < 0 ||
      h.last_offset_delta < static_cast<int64_t>(h.record_count) - 1) {
    return bad("lastOffsetDelta ", h.last_offset_delta, " at byte ",
               kLastOffsetDeltaOffset, " is invalid for recordsCount ",
               h.record_count);
  }
  if (h.base_offset >
      std::numeric_limits<int64_t>::max() - h.last_offset_delta) {
    return bad("last offset overflows (lastOffsetDelta ", h.last_offset_delta,
               ")");
  }
  if (h.compression == Compression::kNone &&
      static_cast<uint64_t>(h.record_count) * kMinRecordSize >
          static_cast<uint64_t>(h.batch_length - kMinBatchLength)) {
    return bad("recordsCount ", h.record_count, " at byte ",
               kRecordsCountOffset, " cannot fit in batchLength ",
               h.batch_length);
  }
  return h;
}

absl::Status VerifyBatchCrc(absl::string_view batch) {
  absl::StatusOr<RecordBatchHeader> h = ReadBatchHeader(batch);
  if (!h.ok()) return h.status();
  return VerifyBatchCrc(*h, batch);
}

absl::Status VerifyBatchCrc(const RecordBatchHeader& h,
                            absl::string_view batch) {
  if (batch.size() != h.size_bytes()) {
    return BatchError(
        h.base_offset,
        absl::StrCat("VerifyBatchCrc: given ", batch.size(),
                     " bytes, batchLength says ", h.size_bytes()));
  }
  const uint32_t computed = Crc32c(batch.substr(format::kCrcCoverageStart));
  if (computed != h.crc) {
    return BatchError(
        h.base_offset,
        absl::StrFormat("CRC mismatch: stored 0x%08x at byte %d, computed "
                        "0x%08x over bytes [%d, %d)",
                        h.crc, format::kCrcOffset, computed,
                        format::kCrcCoverageStart, batch.size()));
  }
  return absl::OkStatus();
}

absl::StatusOr<RecordBatchView> RecordBatchView::Parse(
    absl::string_view bytes, const DecodeOptions& options) {
  absl::StatusOr<RecordBatchHeader> header = ReadBatchHeader(bytes);
  if (!header.ok()) return header.status();
  const RecordBatchHeader& h = *header;
  if (bytes.size() < h.size_bytes()) {
    return BatchError(
        h.base_offset,
        absl::StrCat("truncated: batchLength ", h.batch_length, " means ",
                     h.size_bytes(), " bytes, but only ", bytes.size(),
                     " are present"));
  }
  if (bytes.size() > h.size_bytes()) {
    return BatchError(
        h.base_offset,
        absl::StrCat(bytes.size() - h.size_bytes(),
                     " trailing bytes after the batch's ", h.size_bytes()));
  }
  if (options.verify_crc) {
    absl::Status crc = VerifyBatchCrc(h, bytes);
    if (!crc.ok()) return crc;
  }

  RecordBatchView view;
  view.header_ = h;
  view.bytes_ = bytes;
  const absl::string_view section = bytes.substr(format::kRecordsOffset);
  switch (h.compression) {
    case Compression::kNone:
      view.records_ = section;
      break;
    case Compression::kLz4: {
      auto plain = std::make_shared<std::string>();
      absl::Status s = internal::Lz4FrameDecompress(
          section, options.max_decompressed_bytes, plain.get());
      if (!s.ok()) {
        return WithPrefix(
            s, absl::StrCat("record batch at base offset ", h.base_offset,
                            ": records at bytes [", format::kRecordsOffset,
                            ", ", bytes.size(), "): "));
      }
      view.records_ = *plain;
      view.decompressed_ = std::move(plain);
      if (static_cast<uint64_t>(h.record_count) * format::kMinRecordSize >
          view.records_.size()) {
        return BatchError(
            h.base_offset,
            absl::StrCat("recordsCount ", h.record_count, " cannot fit in the ",
                         view.records_.size(), " decompressed bytes"));
      }
      break;
    }
    case Compression::kGzip:
    case Compression::kSnappy:
    case Compression::kZstd:
      return absl::UnimplementedError(absl::StrCat(
          "record batch at base offset ", h.base_offset, ": compression codec ",
          CompressionName(h.compression), " is not supported"));
  }
  return view;
}

RecordIterator::RecordIterator(const RecordBatchView& batch)
    : batch_(&batch), pos_(batch.records_data().data()) {}

bool RecordIterator::Next(RecordView* record) {
  if (!status_.ok()) return false;
  const RecordBatchHeader& h = batch_->header();
  const Section s = SectionOf(*batch_);
  if (index_ == h.record_count) {
    if (pos_ != s.end) status_ = TrailingRecordBytesError(h, s, pos_);
    return false;
  }
  if (internal::ParseSimpleRecord(h, s.end, &pos_, &prev_offset_delta_,
                                  record)) {
    ++index_;
    return true;
  }
  return NextFully(record);
}

bool RecordIterator::NextFully(RecordView* record) {
  const RecordBatchHeader& h = batch_->header();
  const Section s = SectionOf(*batch_);
  if (pos_ == s.end) {
    status_ = MissingRecordsError(h, index_);
    return false;
  }
  headers_.clear();
  status_ =
      ParseRecord(h, s, index_, &pos_, &prev_offset_delta_, &headers_, record);
  if (!status_.ok()) return false;
  record->headers = absl::Span<const RecordHeaderView>(headers_);
  ++index_;
  return true;
}

void RecordIterator::CheckNothingFollows() {
  const Section s = SectionOf(*batch_);
  if (status_.ok() && index_ == batch_->header().record_count &&
      pos_ != s.end) {
    status_ = TrailingRecordBytesError(batch_->header(), s, pos_);
  }
}

absl::StatusOr<DecodedBatch> DecodedBatch::Decode(
    absl::string_view bytes, const DecodeOptions& options) {
  DecodedBatch decoded;
  absl::Status s = decoded.DecodeInto(bytes, options);
  if (!s.ok()) return s;
  return decoded;
}

absl::Status DecodedBatch::DecodeInto(absl::string_view bytes,
                                      const DecodeOptions& options) {
  headers_.clear();
  absl::StatusOr<RecordBatchView> view = RecordBatchView::Parse(bytes, options);
  absl::Status status = view.status();
  if (status.ok()) {
    batch_ = *std::move(view);
    const RecordBatchHeader& h = batch_.header();
    const Section s = SectionOf(batch_);
    // Parse checked record_count * 7 <= section size, so this is bounded.
    records_.resize(static_cast<size_t>(h.record_count));
    const char* pos = s.begin;
    int64_t prev_offset_delta = -1;
    for (int32_t i = 0; i < h.record_count && status.ok(); ++i) {
      if (ABSL_PREDICT_FALSE(pos == s.end)) {
        status = MissingRecordsError(h, i);
        break;
      }
      RecordView* record = &records_[static_cast<size_t>(i)];
      if (internal::ParseSimpleRecord(h, s.end, &pos, &prev_offset_delta,
                                      record)) {
        continue;
      }
      status =
          ParseRecord(h, s, i, &pos, &prev_offset_delta, &headers_, record);
    }
    if (status.ok() && pos != s.end) {
      status = TrailingRecordBytesError(h, s, pos);
    }
  }
  if (!status.ok()) {
    batch_ = RecordBatchView();
    records_.clear();
    headers_.clear();
    return status;
  }
  if (!headers_.empty()) {
    // headers_ no longer grows: point each record's span into it.
    const RecordHeaderView* next = headers_.data();
    for (RecordView& r : records_) {
      r.headers = absl::Span<const RecordHeaderView>(next, r.headers.size());
      next += r.headers.size();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ControlRecord> ParseControlRecord(const RecordView& record) {
  auto bad = [&record](absl::string_view what) {
    return absl::DataLossError(
        absl::StrCat("control record at offset ", record.offset, ": ", what));
  };
  if (!record.key.has_value() ||
      record.key->size() < format::kControlRecordKeySize) {
    return bad("key is null or shorter than 4 bytes");
  }
  ControlRecord control;
  control.key_version =
      static_cast<int16_t>(internal::LoadBigEndian16(record.key->data()));
  control.type_id =
      static_cast<int16_t>(internal::LoadBigEndian16(record.key->data() + 2));
  if (control.key_version < 0) {
    return bad(absl::StrCat("negative key version ", control.key_version));
  }
  if (control.type_id != format::kControlTypeAbort &&
      control.type_id != format::kControlTypeCommit) {
    control.type = ControlRecordType::kUnknown;
    return control;
  }
  control.type = static_cast<ControlRecordType>(control.type_id);
  if (!record.value.has_value() ||
      record.value->size() < format::kEndTxnMarkerValueSize) {
    return bad("end-transaction marker value is null or shorter than 6 bytes");
  }
  control.value_version =
      static_cast<int16_t>(internal::LoadBigEndian16(record.value->data()));
  if (control.value_version < 0) {
    return bad(
        absl::StrCat("negative marker value version ", control.value_version));
  }
  control.coordinator_epoch =
      static_cast<int32_t>(internal::LoadBigEndian32(record.value->data() + 2));
  return control;
}

}  // namespace runnel
