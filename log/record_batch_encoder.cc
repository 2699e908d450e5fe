// RecordBatchBuilder, EncodeRecordBatch, EncodeControlBatch.
#include <cstring>
#include <limits>
#include <string>

#include "absl/strings/str_cat.h"
#include "log/big_endian.h"
#include "log/crc32c.h"
#include "log/format.h"
#include "log/lz4_codec.h"
#include "log/record_batch_internal.h"
#include "log/varint.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace {

constexpr uint64_t kInt32Max = std::numeric_limits<int32_t>::max();

// Uniform access to owned and view headers.
absl::string_view HeaderKey(const RecordHeader& h) { return h.key; }
absl::string_view HeaderKey(const RecordHeaderView& h) { return h.key; }
std::optional<absl::string_view> HeaderValue(const RecordHeader& h) {
  if (!h.value.has_value()) return std::nullopt;
  return absl::string_view(*h.value);
}
std::optional<absl::string_view> HeaderValue(const RecordHeaderView& h) {
  return h.value;
}

// Size of a length-prefixed (nullable) byte string, or 0 if it is too long.
uint64_t BytesFieldSize(std::optional<absl::string_view> bytes) {
  if (!bytes.has_value()) return 1;  // varint -1
  if (bytes->size() > kInt32Max) return 0;
  return internal::VarintSize(static_cast<int32_t>(bytes->size())) +
         bytes->size();
}

char* WriteBytesField(std::optional<absl::string_view> bytes, char* p) {
  if (!bytes.has_value()) return internal::EncodeVarint(format::kNullLength, p);
  p = internal::EncodeVarint(static_cast<int32_t>(bytes->size()), p);
  if (!bytes->empty()) std::memcpy(p, bytes->data(), bytes->size());
  return p + bytes->size();
}

absl::Status CheckCodec(Compression compression) {
  switch (compression) {
    case Compression::kNone:
    case Compression::kLz4:
      return absl::OkStatus();
    case Compression::kGzip:
    case Compression::kSnappy:
    case Compression::kZstd:
      return absl::UnimplementedError(
          absl::StrCat("RecordBatch encoding: compression codec ",
                       CompressionName(compression), " is not supported"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("RecordBatch encoding: invalid compression codec ",
                   static_cast<int>(compression)));
}

}  // namespace

RecordBatchBuilder::RecordBatchBuilder(const RecordBatchOptions& options,
                                       std::string* out)
    : options_(options), out_(out), start_(out->size()) {
  // Room for the header, filled in by Finish().
  out_->resize(start_ + format::kRecordBatchHeaderSize);
}

RecordBatchBuilder::RecordBatchBuilder(const RecordBatchOptions& options,
                                       absl::Span<char> buffer)
    : options_(options),
      out_(nullptr),
      start_(0),
      fixed_(buffer),
      used_(format::kRecordBatchHeaderSize) {}

RecordBatchBuilder::~RecordBatchBuilder() {
  if (!finished_ && out_ != nullptr) out_->resize(start_);
}

size_t RecordBatchBuilder::size_bytes() const {
  return out_ != nullptr ? out_->size() - start_ : used_;
}

char* RecordBatchBuilder::batch_data() {
  return out_ != nullptr ? &(*out_)[start_] : fixed_.data();
}

// Room for `n` more bytes at the end of the batch, or null if a fixed
// buffer has none left (nothing changes then).
char* RecordBatchBuilder::Grow(size_t n) {
  if (out_ != nullptr) {
    const size_t old_size = out_->size();
    out_->resize(old_size + n);
    return &(*out_)[old_size];
  }
  if (used_ > fixed_.size() || n > fixed_.size() - used_) return nullptr;
  char* p = fixed_.data() + used_;
  used_ += n;
  return p;
}

// Cuts the batch back to `size` bytes (header included).
void RecordBatchBuilder::ShrinkTo(size_t size) {
  if (out_ != nullptr) {
    out_->resize(start_ + size);
  } else {
    used_ = size;
  }
}

absl::Status RecordBatchBuilder::Append(
    int64_t timestamp, std::optional<absl::string_view> key,
    std::optional<absl::string_view> value,
    absl::Span<const RecordHeaderView> headers) {
  return AppendImpl(timestamp, key, value, headers);
}

absl::Status RecordBatchBuilder::Append(const Record& record) {
  std::optional<absl::string_view> key, value;
  if (record.key.has_value()) key = *record.key;
  if (record.value.has_value()) value = *record.value;
  return AppendImpl(record.timestamp, key, value,
                    absl::Span<const RecordHeader>(record.headers));
}

template <typename Header>
absl::Status RecordBatchBuilder::AppendImpl(
    int64_t timestamp, std::optional<absl::string_view> key,
    std::optional<absl::string_view> value, absl::Span<const Header> headers) {
  auto invalid = [this](auto&&... why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "RecordBatchBuilder::Append (record ", record_count_, "): ", why...));
  };
  if (finished_) {
    return absl::FailedPreconditionError(
        "RecordBatchBuilder::Append after Finish()");
  }
  // Inline for the codecs that encode (this runs once per record).
  if (options_.compression != Compression::kNone &&
      options_.compression != Compression::kLz4) {
    return CheckCodec(options_.compression);
  }
  if (timestamp < format::kNoTimestamp) {
    return invalid("invalid negative timestamp ", timestamp);
  }
  if (static_cast<uint64_t>(record_count_) >= kInt32Max) {
    return invalid("too many records in one batch");
  }
  // Kafka's base timestamp is the FIRST record's (or the delete horizon).
  int64_t base_timestamp = base_timestamp_;
  if (record_count_ == 0) {
    base_timestamp = options_.delete_horizon_ms.value_or(timestamp);
  }
  int64_t delta;
  if (__builtin_sub_overflow(timestamp, base_timestamp, &delta)) {
    return invalid("timestamp ", timestamp, " is too far from the base ",
                   base_timestamp);
  }

  // Measure first, so the record's length prefix can be written up front
  // and the buffer grows once.
  uint64_t body =
      1 + internal::VarlongSize(delta) + internal::VarintSize(record_count_);
  const uint64_t key_size = BytesFieldSize(key);
  const uint64_t value_size = BytesFieldSize(value);
  if (key_size == 0) return invalid("key larger than 2^31-1 bytes");
  if (value_size == 0) return invalid("value larger than 2^31-1 bytes");
  if (headers.size() > kInt32Max) return invalid("too many headers");
  body += key_size + value_size +
          internal::VarintSize(static_cast<int32_t>(headers.size()));
  for (const Header& h : headers) {
    const uint64_t hk = BytesFieldSize(HeaderKey(h));
    const uint64_t hv = BytesFieldSize(HeaderValue(h));
    if (hk == 0 || hv == 0) return invalid("header larger than 2^31-1 bytes");
    body += hk + hv;
  }
  if (body > kInt32Max) return invalid("record larger than 2^31-1 bytes");
  const uint64_t total =
      internal::VarintSize(static_cast<int32_t>(body)) + body;
  if (size_bytes() - format::kLogOverhead + total > kInt32Max) {
    return invalid("batch would exceed 2^31-1 bytes");
  }

  char* p = Grow(total);
  if (p == nullptr) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "RecordBatchBuilder::Append (record ", record_count_, "): ", total,
        " more bytes do not fit the ", fixed_.size(), "-byte batch buffer"));
  }
  p = internal::EncodeVarint(static_cast<int32_t>(body), p);
  *p++ = 0;  // record attributes: unused
  p = internal::EncodeVarlong(delta, p);
  p = internal::EncodeVarint(record_count_, p);  // offset delta
  p = WriteBytesField(key, p);
  p = WriteBytesField(value, p);
  p = internal::EncodeVarint(static_cast<int32_t>(headers.size()), p);
  for (const Header& h : headers) {
    p = WriteBytesField(HeaderKey(h), p);
    p = WriteBytesField(HeaderValue(h), p);
  }

  if (record_count_ == 0 || timestamp > max_timestamp_) {
    max_timestamp_ = timestamp;
  }
  base_timestamp_ = base_timestamp;
  ++record_count_;
  return absl::OkStatus();
}

absl::StatusOr<RecordBatchHeader> RecordBatchBuilder::Finish() {
  if (finished_) {
    return absl::FailedPreconditionError(
        "RecordBatchBuilder::Finish called twice");
  }
  finished_ = true;
  // Any error below leaves *out_ as it was before this batch.
  auto fail = [this](absl::Status status) {
    if (out_ != nullptr) out_->resize(start_);
    return status;
  };
  if (out_ == nullptr && fixed_.size() < format::kRecordBatchHeaderSize) {
    return fail(absl::ResourceExhaustedError(
        absl::StrCat("RecordBatchBuilder::Finish: a ", fixed_.size(),
                     "-byte buffer cannot hold a batch header")));
  }
  absl::Status codec = CheckCodec(options_.compression);
  if (!codec.ok()) return fail(codec);
  if (record_count_ == 0) {
    return fail(absl::InvalidArgumentError(
        "RecordBatchBuilder::Finish: a batch needs at least one record"));
  }
  if (options_.compression == Compression::kLz4) {
    std::string compressed;
    absl::Status s = internal::Lz4FrameCompress(
        absl::string_view(batch_data() + format::kRecordBatchHeaderSize,
                          size_bytes() - format::kRecordBatchHeaderSize),
        &compressed);
    if (!s.ok()) return fail(s);
    ShrinkTo(format::kRecordBatchHeaderSize);
    char* p = Grow(compressed.size());
    if (p == nullptr) {
      return fail(absl::ResourceExhaustedError(
          "RecordBatchBuilder::Finish: LZ4 output larger than the buffer"));
    }
    std::memcpy(p, compressed.data(), compressed.size());
  }
  const uint64_t batch_length = size_bytes() - format::kLogOverhead;
  if (batch_length > kInt32Max) {
    return fail(absl::InvalidArgumentError(
        absl::StrCat("RecordBatchBuilder::Finish: batch of ", batch_length,
                     " bytes exceeds 2^31-1")));
  }

  RecordBatchHeader h;
  h.base_offset = options_.base_offset;
  h.batch_length = static_cast<int32_t>(batch_length);
  h.partition_leader_epoch = options_.partition_leader_epoch;
  h.magic = format::kMagicV2;
  h.compression = options_.compression;
  h.timestamp_type = options_.log_append_time.has_value()
                         ? TimestampType::kLogAppendTime
                         : TimestampType::kCreateTime;
  h.is_transactional = options_.is_transactional;
  h.is_control = options_.is_control;
  h.has_delete_horizon = options_.delete_horizon_ms.has_value();
  h.last_offset_delta = record_count_ - 1;
  h.base_timestamp = base_timestamp_;
  h.max_timestamp = options_.log_append_time.value_or(max_timestamp_);
  h.producer_id = options_.producer_id;
  h.producer_epoch = options_.producer_epoch;
  h.base_sequence = options_.base_sequence;
  h.record_count = record_count_;

  char* batch = batch_data();
  internal::WriteBatchHeader(h, batch);
  h.crc = Crc32cExtend(0, batch + format::kCrcCoverageStart,
                       size_bytes() - format::kCrcCoverageStart);
  internal::StoreBigEndian32(batch + format::kCrcOffset, h.crc);
  return h;
}

absl::StatusOr<std::string> EncodeRecordBatch(
    const RecordBatchOptions& options, absl::Span<const Record> records) {
  std::string out;
  RecordBatchBuilder builder(options, &out);
  for (const Record& record : records) {
    absl::Status s = builder.Append(record);
    if (!s.ok()) return s;
  }
  absl::StatusOr<RecordBatchHeader> header = builder.Finish();
  if (!header.ok()) return header.status();
  return out;
}

absl::StatusOr<std::string> EncodeControlBatch(
    const ControlBatchOptions& options) {
  if (options.type != ControlRecordType::kAbort &&
      options.type != ControlRecordType::kCommit) {
    return absl::InvalidArgumentError(
        "EncodeControlBatch: type must be kAbort or kCommit");
  }
  char key[format::kControlRecordKeySize];
  internal::StoreBigEndian16(key, format::kControlRecordKeyVersion);
  internal::StoreBigEndian16(key + 2, static_cast<uint16_t>(options.type));
  char value[format::kEndTxnMarkerValueSize];
  internal::StoreBigEndian16(value, format::kEndTxnMarkerValueVersion);
  internal::StoreBigEndian32(value + 2,
                             static_cast<uint32_t>(options.coordinator_epoch));

  // What Kafka's MemoryRecords.withEndTransactionMarker writes.
  RecordBatchOptions batch;
  batch.base_offset = options.base_offset;
  batch.partition_leader_epoch = options.partition_leader_epoch;
  batch.is_transactional = true;
  batch.is_control = true;
  batch.producer_id = options.producer_id;
  batch.producer_epoch = options.producer_epoch;
  std::string out;
  RecordBatchBuilder builder(batch, &out);
  absl::Status s =
      builder.Append(options.timestamp, absl::string_view(key, sizeof(key)),
                     absl::string_view(value, sizeof(value)));
  if (!s.ok()) return s;
  absl::StatusOr<RecordBatchHeader> header = builder.Finish();
  if (!header.ok()) return header.status();
  return out;
}

}  // namespace runnel
