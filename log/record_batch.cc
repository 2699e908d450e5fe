// The parts of runnel/record_batch.h shared by encoding and decoding.
#include "runnel/record_batch.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "log/big_endian.h"
#include "log/format.h"
#include "log/record_batch_internal.h"

namespace runnel {

absl::string_view CompressionName(Compression compression) {
  switch (compression) {
    case Compression::kNone:
      return "none";
    case Compression::kGzip:
      return "gzip";
    case Compression::kSnappy:
      return "snappy";
    case Compression::kLz4:
      return "lz4";
    case Compression::kZstd:
      return "zstd";
  }
  return "unknown";
}

uint16_t RecordBatchHeader::attributes() const {
  uint16_t bits =
      static_cast<uint16_t>(compression) & format::kCompressionCodecMask;
  if (timestamp_type == TimestampType::kLogAppendTime) {
    bits |= format::kTimestampTypeMask;
  }
  if (is_transactional) bits |= format::kTransactionalMask;
  if (is_control) bits |= format::kControlMask;
  if (has_delete_horizon) bits |= format::kDeleteHorizonMask;
  return bits;
}

bool RecordBatchHeader::operator==(const RecordBatchHeader& o) const {
  return base_offset == o.base_offset && batch_length == o.batch_length &&
         partition_leader_epoch == o.partition_leader_epoch &&
         magic == o.magic && crc == o.crc && compression == o.compression &&
         timestamp_type == o.timestamp_type &&
         is_transactional == o.is_transactional && is_control == o.is_control &&
         has_delete_horizon == o.has_delete_horizon &&
         last_offset_delta == o.last_offset_delta &&
         base_timestamp == o.base_timestamp &&
         max_timestamp == o.max_timestamp && producer_id == o.producer_id &&
         producer_epoch == o.producer_epoch &&
         base_sequence == o.base_sequence && record_count == o.record_count;
}

absl::Status SetBaseOffset(absl::Span<char> batch, int64_t base_offset) {
  if (batch.size() < format::kRecordBatchHeaderSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("SetBaseOffset: ", batch.size(),
                     " bytes is shorter than a batch header"));
  }
  const int32_t last_offset_delta = static_cast<int32_t>(
      internal::LoadBigEndian32(batch.data() + format::kLastOffsetDeltaOffset));
  if (base_offset < 0 ||
      base_offset > std::numeric_limits<int64_t>::max() -
                        std::max<int64_t>(0, last_offset_delta)) {
    return absl::InvalidArgumentError(
        absl::StrCat("SetBaseOffset: base offset ", base_offset,
                     " is negative or overflows with last offset delta ",
                     last_offset_delta));
  }
  internal::StoreBigEndian64(batch.data() + format::kBaseOffsetOffset,
                             static_cast<uint64_t>(base_offset));
  return absl::OkStatus();
}

absl::Status SetPartitionLeaderEpoch(absl::Span<char> batch, int32_t epoch) {
  if (batch.size() < format::kRecordBatchHeaderSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("SetPartitionLeaderEpoch: ", batch.size(),
                     " bytes is shorter than a batch header"));
  }
  internal::StoreBigEndian32(batch.data() + format::kPartitionLeaderEpochOffset,
                             static_cast<uint32_t>(epoch));
  return absl::OkStatus();
}

namespace internal {

void WriteBatchHeader(const RecordBatchHeader& h, char* dst) {
  using namespace format;  // NOLINT(build/namespaces): field offsets
  StoreBigEndian64(dst + kBaseOffsetOffset,
                   static_cast<uint64_t>(h.base_offset));
  StoreBigEndian32(dst + kBatchLengthOffset,
                   static_cast<uint32_t>(h.batch_length));
  StoreBigEndian32(dst + kPartitionLeaderEpochOffset,
                   static_cast<uint32_t>(h.partition_leader_epoch));
  dst[kMagicOffset] = static_cast<char>(h.magic);
  StoreBigEndian32(dst + kCrcOffset, h.crc);
  StoreBigEndian16(dst + kAttributesOffset, h.attributes());
  StoreBigEndian32(dst + kLastOffsetDeltaOffset,
                   static_cast<uint32_t>(h.last_offset_delta));
  StoreBigEndian64(dst + kBaseTimestampOffset,
                   static_cast<uint64_t>(h.base_timestamp));
  StoreBigEndian64(dst + kMaxTimestampOffset,
                   static_cast<uint64_t>(h.max_timestamp));
  StoreBigEndian64(dst + kProducerIdOffset,
                   static_cast<uint64_t>(h.producer_id));
  StoreBigEndian16(dst + kProducerEpochOffset,
                   static_cast<uint16_t>(h.producer_epoch));
  StoreBigEndian32(dst + kBaseSequenceOffset,
                   static_cast<uint32_t>(h.base_sequence));
  StoreBigEndian32(dst + kRecordsCountOffset,
                   static_cast<uint32_t>(h.record_count));
}

void SetAttributes(uint16_t attributes, RecordBatchHeader* h) {
  h->compression =
      static_cast<Compression>(attributes & format::kCompressionCodecMask);
  h->timestamp_type = (attributes & format::kTimestampTypeMask)
                          ? TimestampType::kLogAppendTime
                          : TimestampType::kCreateTime;
  h->is_transactional = (attributes & format::kTransactionalMask) != 0;
  h->is_control = (attributes & format::kControlMask) != 0;
  h->has_delete_horizon = (attributes & format::kDeleteHorizonMask) != 0;
}

}  // namespace internal
}  // namespace runnel
