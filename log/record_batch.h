// Kafka RecordBatch v2: the unit Runnel stores, replicates nothing of, and
// hands to consumers. This header encodes batches (RecordBatchBuilder,
// EncodeRecordBatch, EncodeControlBatch) and decodes them (ReadBatchHeader,
// VerifyBatchCrc, RecordBatchView, RecordIterator, DecodedBatch). The bytes
// are exactly Kafka's; see log/format.h for the layout.
//
// Encoding:
//
//   runnel::RecordBatchOptions options;        // Kafka producer defaults
//   options.compression = runnel::Compression::kLz4;
//   std::string buffer;                         // may already hold batches
//   runnel::RecordBatchBuilder builder(options, &buffer);
//   builder.Append(now_ms, "key", "value");    // offsets 0, 1, …
//   absl::StatusOr<runnel::RecordBatchHeader> header = builder.Finish();
//
// Decoding (CRC checked, every length bounds-checked):
//
//   absl::StatusOr<runnel::RecordBatchView> batch =
//       runnel::RecordBatchView::Parse(bytes);
//   if (!batch.ok()) return batch.status();     // DataLoss on corruption
//   runnel::RecordIterator it(*batch);
//   runnel::RecordView record;
//   while (it.Next(&record)) Use(record.offset, record.key, record.value);
//   if (!it.status().ok()) return it.status();
//
// Or all at once, fully validated before anything is handed out:
//
//   absl::StatusOr<runnel::DecodedBatch> decoded =
//       runnel::DecodedBatch::Decode(bytes);
//   for (const runnel::RecordView& r : decoded->records()) …
//
// Errors: a corrupt or truncated batch gives absl::DataLossError naming the
// batch's base offset and the byte position (within the batch, or within the
// decompressed records for compressed batches). gzip/snappy/zstd give
// absl::UnimplementedError. Decompressed data larger than
// DecodeOptions::max_decompressed_bytes gives absl::ResourceExhaustedError.
// Invalid arguments to the encoder give absl::InvalidArgumentError.
//
// Thread safety: all free functions are thread-safe. RecordBatchBuilder,
// RecordIterator and DecodedBatch are not (one thread at a time);
// RecordBatchView is immutable after Parse and may be shared read-only.
//
// Lifetimes: views (RecordBatchView, RecordView, RecordHeaderView) point into
// the bytes passed to Parse/Decode, which must outlive them; for compressed
// batches they point into a decompressed buffer shared by the
// RecordBatchView/DecodedBatch and its copies.
#ifndef RUNNEL_LOG_RECORD_BATCH_H_
#define RUNNEL_LOG_RECORD_BATCH_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace runnel {

// Attribute bits 0-2. Values are Kafka's.
enum class Compression : int8_t {
  kNone = 0,
  kGzip = 1,
  kSnappy = 2,
  kLz4 = 3,
  kZstd = 4,
};
// "none", "gzip", "snappy", "lz4", "zstd".
absl::string_view CompressionName(Compression compression);

// Attribute bit 3.
enum class TimestampType : int8_t {
  kCreateTime = 0,     // set by the producer, per record
  kLogAppendTime = 1,  // batch max_timestamp replaces every record timestamp
};

// A record header: the key is never null, the value may be.
struct RecordHeader {
  std::string key;
  std::optional<std::string> value;

  bool operator==(const RecordHeader& o) const {
    return key == o.key && value == o.value;
  }
};

// An owned record, for encoding. A null key/value (std::nullopt) is
// different from an empty one; a null value is a tombstone.
struct Record {
  int64_t timestamp = -1;  // ms since the epoch; -1 = none
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<RecordHeader> headers;

  bool operator==(const Record& o) const {
    return timestamp == o.timestamp && key == o.key && value == o.value &&
           headers == o.headers;
  }
};

// Every field of the 61-byte batch header, attributes decomposed.
struct RecordBatchHeader {
  int64_t base_offset = 0;
  int32_t batch_length = 0;  // bytes after the batch_length field
  int32_t partition_leader_epoch = -1;
  int8_t magic = 2;
  uint32_t crc = 0;  // as stored
  // attributes:
  Compression compression = Compression::kNone;
  TimestampType timestamp_type = TimestampType::kCreateTime;
  bool is_transactional = false;
  bool is_control = false;
  bool has_delete_horizon = false;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = -1;  // first record's, or the delete horizon
  int64_t max_timestamp = -1;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t record_count = 0;

  // The attribute bits as stored.
  uint16_t attributes() const;
  int64_t last_offset() const { return base_offset + last_offset_delta; }
  int64_t next_offset() const { return last_offset() + 1; }
  // Size of the whole batch in bytes (12 + batch_length).
  size_t size_bytes() const { return 12 + static_cast<size_t>(batch_length); }

  bool operator==(const RecordBatchHeader& o) const;
  bool operator!=(const RecordBatchHeader& o) const { return !(*this == o); }
};

// What the encoder writes into the header. Defaults are those of Kafka's
// producer for a non-idempotent, non-transactional batch.
struct RecordBatchOptions {
  int64_t base_offset = 0;  // usually reassigned by the log (SetBaseOffset)
  int32_t partition_leader_epoch = -1;
  Compression compression = Compression::kNone;
  // If set: timestamp type LogAppendTime and max_timestamp = this value.
  std::optional<int64_t> log_append_time;
  bool is_transactional = false;
  // Normally only set through EncodeControlBatch.
  bool is_control = false;
  // If set: attribute bit 6, and base_timestamp holds this value instead of
  // the first record's timestamp (what Kafka's log cleaner writes).
  std::optional<int64_t> delete_horizon_ms;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
};

// A header as a view, for zero-copy encoding and for decoding.
struct RecordHeaderView {
  absl::string_view key;
  std::optional<absl::string_view> value;
};

// Builds one batch directly at the end of a caller's buffer: records are
// encoded in place as they are appended, and Finish() fills in the header
// (and compresses the records if asked). Bytes already in the buffer are
// never touched, so batches can be built back to back in one write buffer.
//
// If the builder is destroyed without a successful Finish(), or Finish()
// fails, the buffer is truncated back to its size at construction.
//
// Not thread-safe. *out must outlive the builder, and nobody else may modify
// it until Finish() returns.
class RecordBatchBuilder {
 public:
  RecordBatchBuilder(const RecordBatchOptions& options, std::string* out);
  // In-place mode: builds the batch at the start of `buffer` (e.g. a slot
  // at the tail of a log segment, see Log::AppendInPlace), so record bytes
  // are written exactly once. An Append that does not fit fails with
  // ResourceExhausted and changes nothing: Finish what is there and start
  // a new batch. size_bytes() is the batch's size after Finish. With LZ4
  // the compressed records replace the plain ones in the buffer.
  RecordBatchBuilder(const RecordBatchOptions& options,
                     absl::Span<char> buffer);
  ~RecordBatchBuilder();

  RecordBatchBuilder(const RecordBatchBuilder&) = delete;
  RecordBatchBuilder& operator=(const RecordBatchBuilder&) = delete;

  // Appends a record with the next offset delta (0, 1, 2, …). Errors
  // (InvalidArgument): a timestamp < -1 (Kafka's rule), a timestamp delta
  // that overflows int64, a key/value/header or record larger than int32
  // allows, too many records; FailedPrecondition after Finish(). A failed
  // Append leaves the builder as it was.
  absl::Status Append(int64_t timestamp, std::optional<absl::string_view> key,
                      std::optional<absl::string_view> value,
                      absl::Span<const RecordHeaderView> headers = {});
  absl::Status Append(const Record& record);

  int32_t record_count() const { return record_count_; }
  // Bytes this batch occupies in the buffer so far (uncompressed until
  // Finish).
  size_t size_bytes() const;

  // Writes the header and CRC (after compressing, if configured) and returns
  // it. Errors: InvalidArgument for an empty batch or one larger than 2 GiB;
  // Unimplemented for gzip/snappy/zstd; FailedPrecondition if called twice.
  absl::StatusOr<RecordBatchHeader> Finish();

 private:
  template <typename Header>
  absl::Status AppendImpl(int64_t timestamp,
                          std::optional<absl::string_view> key,
                          std::optional<absl::string_view> value,
                          absl::Span<const Header> headers);

  char* batch_data();
  char* Grow(size_t n);
  void ShrinkTo(size_t size);

  RecordBatchOptions options_;
  std::string* out_;        // null in in-place mode
  size_t start_;            // where this batch begins in *out_
  absl::Span<char> fixed_;  // in-place mode: the caller's buffer
  size_t used_ = 0;         // in-place mode: bytes of it in use
  bool finished_ = false;
  int32_t record_count_ = 0;
  int64_t base_timestamp_ = -1;
  int64_t max_timestamp_ = -1;
};

// Encodes `records` as one batch (offset deltas 0..n-1). Errors as
// RecordBatchBuilder's.
absl::StatusOr<std::string> EncodeRecordBatch(const RecordBatchOptions& options,
                                              absl::Span<const Record> records);

// --- Control batches (transaction markers). ---

enum class ControlRecordType : int16_t {
  kAbort = 0,
  kCommit = 1,
  kUnknown = -1,  // decoded type id other than 0/1 (e.g. KRaft's)
};

struct ControlBatchOptions {
  ControlRecordType type = ControlRecordType::kCommit;
  int32_t coordinator_epoch = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int64_t base_offset = 0;
  int64_t timestamp = -1;
  int32_t partition_leader_epoch = -1;
};

// A transactional control batch with one end-transaction marker record:
// key = version 0 | type, value = version 0 | coordinator epoch. Errors:
// InvalidArgument for type kUnknown or a timestamp < -1.
absl::StatusOr<std::string> EncodeControlBatch(
    const ControlBatchOptions& options);

// Overwrites the base offset of the encoded batch at the start of `batch`
// (the field is outside the CRC, so nothing else changes). Errors:
// InvalidArgument if `batch` is shorter than a header or base_offset < 0.
absl::Status SetBaseOffset(absl::Span<char> batch, int64_t base_offset);
// Likewise for the partition leader epoch (also outside the CRC).
absl::Status SetPartitionLeaderEpoch(absl::Span<char> batch, int32_t epoch);

// --- Decoding. ---

struct DecodeOptions {
  // Compressed batches whose records decompress to more than this fail with
  // ResourceExhausted (a "decompression bomb" cannot exhaust memory).
  size_t max_decompressed_bytes = size_t{64} << 20;
  // Set false only when these exact bytes were verified before (e.g. during
  // recovery); structural checks are done regardless.
  bool verify_crc = true;
};

// Reads and sanity-checks the 61-byte header at the start of `bytes` WITHOUT
// checking the CRC or the records: for scanning a segment batch by batch
// (the next batch starts at header.size_bytes()). `bytes` may extend past
// the batch or end before the batch does, but must hold 61 bytes.
// DataLoss if: fewer than 61 bytes, magic != 2, batch_length < 49, reserved
// attribute bits or codec > 4, negative base offset, record count or last
// offset delta, last_offset_delta < record_count - 1, base_offset +
// last_offset_delta overflowing, or (uncompressed) more records than fit.
absl::StatusOr<RecordBatchHeader> ReadBatchHeader(absl::string_view bytes);

// Checks the stored CRC against bytes [21, 12 + batch_length). `batch` must
// be exactly one batch (as from ReadBatchHeader's size_bytes()). DataLoss on
// mismatch or wrong size.
absl::Status VerifyBatchCrc(absl::string_view batch);
// The same for a batch whose header was already read: `header` must be
// ReadBatchHeader(batch) (saves parsing it again on hot paths).
absl::Status VerifyBatchCrc(const RecordBatchHeader& header,
                            absl::string_view batch);

// Interprets a control record (from a batch with is_control). DataLoss if the
// key is shorter than 4 bytes, the value than 6 (for abort/commit), or a
// version is negative. Types other than 0/1 give kUnknown with type_id set.
struct ControlRecord {
  ControlRecordType type = ControlRecordType::kUnknown;
  int16_t type_id = -1;
  int16_t key_version = 0;
  int16_t value_version = 0;      // abort/commit only
  int32_t coordinator_epoch = 0;  // abort/commit only
};
struct RecordView;
absl::StatusOr<ControlRecord> ParseControlRecord(const RecordView& record);

// One decoded record. Views point into the batch (see Lifetimes above).
struct RecordView {
  int64_t offset = 0;     // base_offset + offset delta
  int64_t timestamp = 0;  // base_timestamp + delta, or max_timestamp for
                          // LogAppendTime batches (Kafka's rule)
  std::optional<absl::string_view> key;    // nullopt = null
  std::optional<absl::string_view> value;  // nullopt = null (tombstone)
  absl::Span<const RecordHeaderView> headers;
};

// A batch whose header and CRC were checked, with its records section in
// plain (decompressed) form. Records are validated as they are iterated.
// Cheap to copy (the decompressed buffer is shared).
class RecordBatchView {
 public:
  // `bytes` must be exactly one batch. Checks the header (as
  // ReadBatchHeader), the size, the CRC, and decompresses if needed.
  static absl::StatusOr<RecordBatchView> Parse(
      absl::string_view bytes, const DecodeOptions& options = {});

  const RecordBatchHeader& header() const { return header_; }
  // The whole batch as given to Parse.
  absl::string_view bytes() const { return bytes_; }
  // The uncompressed records section.
  absl::string_view records_data() const { return records_; }

 private:
  RecordBatchHeader header_;
  absl::string_view bytes_;
  absl::string_view records_;
  std::shared_ptr<const std::string> decompressed_;  // compressed batches
};

// Walks the records of a batch, validating each one: lengths, varints, null
// markers, offset deltas (strictly increasing, within last_offset_delta),
// that every record's fields end exactly at its length, that exactly
// record_count records are present and nothing follows them. Allocation-free
// per record once its header scratch space has grown.
//
// Not thread-safe. The batch must outlive the iterator. A RecordView's
// `headers` span is valid until the next call to Next().
class RecordIterator {
 public:
  explicit RecordIterator(const RecordBatchView& batch);

  // Fills *record and returns true, or returns false at the end or on error
  // (then status() is not OK).
  bool Next(RecordView* record);
  // Calls visit(const RecordView&) for each of the next records, at most
  // `max`, and returns how many it visited: fewer at the end or on error
  // (then status() is not OK). The fast way to walk a batch: inlined into
  // the caller, so a record's fields go straight to where `visit` puts
  // them. A view's header span is valid only during its visit.
  //   it.ForEach(500, [&](const runnel::RecordView& r) { Use(r); });
  template <typename Visitor>
  size_t ForEach(size_t max, Visitor&& visit);
  const absl::Status& status() const { return status_; }

 private:
  // After the last record: an error if bytes follow it.
  void CheckNothingFollows();
  // Next for a record before the end that the fast path did not take
  // (headers, or an error to describe): the full parser.
  bool NextFully(RecordView* record);

  const RecordBatchView* batch_;
  const char* pos_;
  int32_t index_ = 0;
  int64_t prev_offset_delta_ = -1;
  absl::Status status_;
  std::vector<RecordHeaderView> headers_;
};

// A batch decoded completely: header, CRC and every record validated before
// Decode returns, records as views. Move-only (the views' header spans point
// into its own storage). Reuse one object with DecodeInto to avoid
// reallocating its vectors for every batch.
class DecodedBatch {
 public:
  DecodedBatch() = default;
  DecodedBatch(DecodedBatch&&) = default;
  DecodedBatch& operator=(DecodedBatch&&) = default;
  DecodedBatch(const DecodedBatch&) = delete;
  DecodedBatch& operator=(const DecodedBatch&) = delete;

  static absl::StatusOr<DecodedBatch> Decode(absl::string_view bytes,
                                             const DecodeOptions& options = {});
  // Like Decode, into this object; on error it is left empty.
  absl::Status DecodeInto(absl::string_view bytes,
                          const DecodeOptions& options = {});

  const RecordBatchHeader& header() const { return batch_.header(); }
  const RecordBatchView& batch() const { return batch_; }
  absl::Span<const RecordView> records() const { return records_; }

 private:
  RecordBatchView batch_;
  std::vector<RecordView> records_;
  std::vector<RecordHeaderView> headers_;
};

// Free-function spellings of RecordBatchView::Parse and DecodedBatch::Decode.
inline absl::StatusOr<RecordBatchView> ParseRecordBatch(
    absl::string_view bytes, const DecodeOptions& options = {}) {
  return RecordBatchView::Parse(bytes, options);
}
inline absl::StatusOr<DecodedBatch> DecodeRecordBatch(
    absl::string_view bytes, const DecodeOptions& options = {}) {
  return DecodedBatch::Decode(bytes, options);
}

}  // namespace runnel

#include "runnel/record_iterator_inl.h"  // IWYU pragma: export

#endif  // RUNNEL_LOG_RECORD_BATCH_H_
