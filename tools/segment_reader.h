// Copyright 2026 The Runnel Authors.
//
// tools/segment_reader.h — reads a segment's `.log` batch by batch, the way
// Kafka's FileLogInputStream does, for `runnel dump-log`: each batch's
// framing (baseOffset, batchLength, magic; log/format.h) is trusted to find
// the next one, and the reader says where and why the framing ends. Header
// fields are returned as stored, valid or not, so a corrupt batch can still
// be printed.
//
//   absl::StatusOr<std::unique_ptr<SegmentReader>> reader =
//       SegmentReader::Open(path, BaseOffsetFromName(path));
//   ScannedBatch batch;
//   while ((*reader)->Next(&batch)) Print(batch.position, batch.fields);
//   if ((*reader)->stop() != ScanStop::kEndOfFile) Report((*reader)->why());
//
// Read-only: it never writes, locks or maps the file, so it can read a
// segment another process is appending to (it sees some prefix of it).
//
// Thread-safety: one thread at a time. The reader owns its file.
#ifndef RUNNEL_TOOLS_SEGMENT_READER_H_
#define RUNNEL_TOOLS_SEGMENT_READER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runnel/file_system.h"

namespace runnel {
namespace cli {

// Every field of a RecordBatch v2 header as stored (log/format.h).
struct BatchFields {
  int64_t base_offset = 0;
  int32_t batch_length = 0;
  int32_t partition_leader_epoch = -1;
  int8_t magic = 0;
  uint32_t crc = 0;
  uint16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = -1;
  int64_t max_timestamp = -1;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t record_count = 0;

  int codec() const;  // attribute bits 0-2
  bool log_append_time() const;
  bool is_transactional() const;
  bool is_control() const;
  bool has_delete_horizon() const;
  int64_t last_offset() const { return base_offset + last_offset_delta; }
  uint64_t size_bytes() const;  // 12 + batchLength
};

// One framed batch.
struct ScannedBatch {
  uint64_t position = 0;  // in the file
  BatchFields fields;
  std::string bytes;  // the whole batch
  uint32_t computed_crc = 0;
  bool crc_ok() const { return computed_crc == fields.crc; }
};

// Why Next returned false.
enum class ScanStop {
  kEndOfFile,            // the last batch ended exactly at the end
  kZeroTail,             // only zero bytes follow (reserved space)
  kTruncated,            // a batch runs past the end of the file
  kBadFraming,           // batchLength or magic is impossible
  kOffsetBelowExpected,  // a batch's base offset goes backwards
  kReadError,            // the file could not be read
};

class SegmentReader {
 public:
  // Opens `path` read-only. `base_offset` is the segment's (from its file
  // name, -1 if unknown): a batch below it, or below the end of the last
  // batch with a valid CRC, stops the scan (kOffsetBelowExpected). Errors
  // name the path.
  static absl::StatusOr<std::unique_ptr<SegmentReader>> Open(
      const std::string& path, int64_t base_offset);

  // Reads the batch at position() into *batch and moves past it; false
  // when the framing ends (see stop()).
  bool Next(ScannedBatch* batch);

  ScanStop stop() const { return stop_; }
  // What stopped the scan, naming the position ("" at kEndOfFile).
  const std::string& why() const { return why_; }
  // Where the next batch would start: after Next returned false, the first
  // byte not read as a batch.
  uint64_t position() const { return position_; }
  uint64_t size() const { return size_; }

 private:
  SegmentReader(std::unique_ptr<File> file, uint64_t size, int64_t next)
      : file_(std::move(file)), size_(size), next_offset_(next) {}
  bool Read(uint64_t offset, size_t n, std::string* out);
  bool RestIsZero();
  bool Stop(ScanStop stop, std::string why);

  std::unique_ptr<File> file_;
  uint64_t size_;
  int64_t next_offset_;  // the lowest base offset the next batch may have
  uint64_t position_ = 0;
  bool stopped_ = false;
  ScanStop stop_ = ScanStop::kEndOfFile;
  std::string why_;
};

// The base offset a segment file's name gives
// ("…/00000000000000000042.log" -> 42), or -1 if it is not such a name.
int64_t BaseOffsetFromName(absl::string_view path);

// `path` with everything after the first '.' of its file name replaced by
// `suffix` (Kafka's rule for finding an index's .log).
std::string SiblingPath(absl::string_view path, absl::string_view suffix);

// Whether the directory of the segment file `path` holds a `.log` with a
// larger base offset (then `path` is a sealed segment, not the active one).
bool HasLaterSegment(absl::string_view path);

}  // namespace cli
}  // namespace runnel

#endif  // RUNNEL_TOOLS_SEGMENT_READER_H_
