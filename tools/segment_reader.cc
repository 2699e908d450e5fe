// Copyright 2026 The Runnel Authors.
#include "tools/segment_reader.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "log/big_endian.h"
#include "log/crc32c.h"
#include "log/format.h"

namespace runnel {
namespace cli {
namespace {

using internal::LoadBigEndian16;
using internal::LoadBigEndian32;
using internal::LoadBigEndian64;

BatchFields ParseFields(const char* b) {
  using namespace format;  // NOLINT(build/namespaces): field offsets
  BatchFields f;
  f.base_offset = static_cast<int64_t>(LoadBigEndian64(b + kBaseOffsetOffset));
  f.batch_length =
      static_cast<int32_t>(LoadBigEndian32(b + kBatchLengthOffset));
  f.partition_leader_epoch =
      static_cast<int32_t>(LoadBigEndian32(b + kPartitionLeaderEpochOffset));
  f.magic = static_cast<int8_t>(b[kMagicOffset]);
  f.crc = LoadBigEndian32(b + kCrcOffset);
  f.attributes = LoadBigEndian16(b + kAttributesOffset);
  f.last_offset_delta =
      static_cast<int32_t>(LoadBigEndian32(b + kLastOffsetDeltaOffset));
  f.base_timestamp =
      static_cast<int64_t>(LoadBigEndian64(b + kBaseTimestampOffset));
  f.max_timestamp =
      static_cast<int64_t>(LoadBigEndian64(b + kMaxTimestampOffset));
  f.producer_id = static_cast<int64_t>(LoadBigEndian64(b + kProducerIdOffset));
  f.producer_epoch =
      static_cast<int16_t>(LoadBigEndian16(b + kProducerEpochOffset));
  f.base_sequence =
      static_cast<int32_t>(LoadBigEndian32(b + kBaseSequenceOffset));
  f.record_count =
      static_cast<int32_t>(LoadBigEndian32(b + kRecordsCountOffset));
  return f;
}

absl::string_view FileName(absl::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == absl::string_view::npos ? path : path.substr(slash + 1);
}

std::string DirName(absl::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == absl::string_view::npos) return ".";
  return std::string(slash == 0 ? path.substr(0, 1) : path.substr(0, slash));
}

}  // namespace

int BatchFields::codec() const {
  return attributes & format::kCompressionCodecMask;
}
bool BatchFields::log_append_time() const {
  return (attributes & format::kTimestampTypeMask) != 0;
}
bool BatchFields::is_transactional() const {
  return (attributes & format::kTransactionalMask) != 0;
}
bool BatchFields::is_control() const {
  return (attributes & format::kControlMask) != 0;
}
bool BatchFields::has_delete_horizon() const {
  return (attributes & format::kDeleteHorizonMask) != 0;
}
uint64_t BatchFields::size_bytes() const {
  return format::kLogOverhead + static_cast<uint64_t>(batch_length);
}

absl::StatusOr<std::unique_ptr<SegmentReader>> SegmentReader::Open(
    const std::string& path, int64_t base_offset) {
  absl::StatusOr<std::unique_ptr<File>> file =
      FileSystem::Default()->OpenFile(path, OpenOptions::ReadOnly());
  if (!file.ok()) return file.status();
  absl::StatusOr<uint64_t> size = (*file)->Size();
  if (!size.ok()) return size.status();
  return std::unique_ptr<SegmentReader>(new SegmentReader(
      *std::move(file), *size, std::max<int64_t>(base_offset, 0)));
}

bool SegmentReader::Read(uint64_t offset, size_t n, std::string* out) {
  out->resize(n);
  absl::StatusOr<size_t> got =
      file_->ReadAt(offset, absl::Span<char>(out->data(), n));
  if (!got.ok())
    return Stop(ScanStop::kReadError, std::string(got.status().message()));
  if (*got != n) {  // the file shrank under us (a live segment was trimmed)
    size_ = offset + *got;
    return Stop(ScanStop::kTruncated,
                absl::StrCat("the file ends at ", size_, " while reading ", n,
                             " bytes at position ", offset));
  }
  return true;
}

bool SegmentReader::RestIsZero() {
  constexpr size_t kChunk = size_t{1} << 20;
  std::string chunk;
  for (uint64_t at = position_; at < size_; at += kChunk) {
    const size_t n =
        static_cast<size_t>(std::min<uint64_t>(kChunk, size_ - at));
    chunk.resize(n);
    absl::StatusOr<size_t> got =
        file_->ReadAt(at, absl::Span<char>(chunk.data(), n));
    if (!got.ok()) return false;
    if (std::any_of(chunk.begin(), chunk.begin() + *got,
                    [](char c) { return c != 0; })) {
      return false;
    }
  }
  return true;
}

bool SegmentReader::Stop(ScanStop stop, std::string why) {
  // A framing that ends in nothing but zeros is the active segment's
  // reserved space (or a zero-filled torn tail), not a batch.
  if ((stop == ScanStop::kTruncated || stop == ScanStop::kBadFraming) &&
      RestIsZero()) {
    stop = ScanStop::kZeroTail;
    why = absl::StrCat(size_ - position_, " zero bytes from position ",
                       position_);
  }
  stopped_ = true;
  stop_ = stop;
  why_ = std::move(why);
  return false;
}

bool SegmentReader::Next(ScannedBatch* batch) {
  if (stopped_) return false;
  const uint64_t remaining = size_ - position_;
  if (remaining == 0) return Stop(ScanStop::kEndOfFile, "");
  if (remaining < format::kRecordBatchHeaderSize) {
    return Stop(ScanStop::kTruncated,
                absl::StrCat(remaining, " bytes at position ", position_,
                             " are too few for a batch header (",
                             format::kRecordBatchHeaderSize, ")"));
  }
  std::string header;
  if (!Read(position_, format::kRecordBatchHeaderSize, &header)) return false;
  const BatchFields f = ParseFields(header.data());
  if (f.batch_length < format::kMinBatchLength) {
    return Stop(
        ScanStop::kBadFraming,
        absl::StrCat("the batch at position ", position_, " has batchLength ",
                     f.batch_length, " (at byte ",
                     position_ + format::kBatchLengthOffset,
                     "), less than the minimum ", format::kMinBatchLength));
  }
  if (f.magic != format::kMagicV2) {
    return Stop(ScanStop::kBadFraming,
                absl::StrCat("the batch at position ", position_,
                             " has magic byte ", static_cast<int>(f.magic),
                             " (at byte ", position_ + format::kMagicOffset,
                             "), not 2 (RecordBatch v2)"));
  }
  if (f.size_bytes() > remaining) {
    return Stop(
        ScanStop::kTruncated,
        absl::StrCat("the batch at position ", position_, " claims ",
                     f.size_bytes(), " bytes, only ", remaining, " remain"));
  }
  if (f.base_offset < next_offset_) {
    return Stop(
        ScanStop::kOffsetBelowExpected,
        absl::StrCat("the batch at position ", position_, " has base offset ",
                     f.base_offset, ", below the next offset ", next_offset_));
  }
  batch->position = position_;
  batch->fields = f;
  if (!Read(position_, static_cast<size_t>(f.size_bytes()), &batch->bytes)) {
    return false;
  }
  batch->computed_crc =
      Crc32c(absl::string_view(batch->bytes).substr(format::kCrcCoverageStart));
  // Only a batch whose CRC holds is trusted to say where offsets go next
  // (lastOffsetDelta is inside the CRC; baseOffset is not).
  if (batch->crc_ok() && f.last_offset_delta >= 0) {
    next_offset_ = std::max(next_offset_, f.last_offset() + 1);
  }
  position_ += f.size_bytes();
  return true;
}

int64_t BaseOffsetFromName(absl::string_view path) {
  absl::StatusOr<format::ParsedSegmentFileName> parsed =
      format::ParseSegmentFileName(FileName(path));
  return parsed.ok() ? parsed->base_offset : -1;
}

std::string SiblingPath(absl::string_view path, absl::string_view suffix) {
  const absl::string_view name = FileName(path);
  const absl::string_view dir = path.substr(0, path.size() - name.size());
  return absl::StrCat(dir, name.substr(0, name.find('.')), suffix);
}

bool HasLaterSegment(absl::string_view path) {
  const int64_t base = BaseOffsetFromName(path);
  if (base < 0) return false;
  absl::StatusOr<std::vector<std::string>> names =
      FileSystem::Default()->ListDir(DirName(path));
  if (!names.ok()) return false;
  for (const std::string& name : *names) {
    absl::StatusOr<format::ParsedSegmentFileName> parsed =
        format::ParseSegmentFileName(name);
    if (parsed.ok() && parsed->type == format::SegmentFileType::kLog &&
        parsed->temp_state == format::TempFileState::kNone &&
        parsed->base_offset > base) {
      return true;
    }
  }
  return false;
}

}  // namespace cli
}  // namespace runnel
