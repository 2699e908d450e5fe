// Runnel's on-disk log format, byte by byte. It is Apache Kafka's (3.x)
// partition directory layout, so Kafka's tools (kafka-dump-log.sh) can read a
// Runnel segment and vice versa. Every constant the code uses lives here,
// next to the description of the bytes it names.
//
// Sources: apache/kafka storage/.../log/{LogFileUtils,OffsetIndex,TimeIndex,
// AbstractIndex,LogSegment}.java, clients/.../record/DefaultRecordBatch.java,
// DefaultRecord.java, ControlRecordType.java, EndTransactionMarker.java.
// Notes with commit ids: /work/shared/notes/kafka-format.md.
//
// All fixed-width integers are BIG-endian two's complement.
//
// ===========================================================================
// 1. Directory layout
// ===========================================================================
// One directory per partition: `<topic>-<partition>/`, e.g. `orders-0/`
// (PartitionDirName). A topic name may itself contain '-', so the partition
// number is what follows the LAST '-'.
//
// A partition is a sequence of segments. Segment files are named by the
// segment's base offset (the first offset it may hold, ≤ every offset in it
// and > every offset in earlier segments) as a 20-digit zero-padded decimal
// number plus a suffix (SegmentFileName / ParseSegmentFileName):
//
//   00000000000000000000.log        record batches
//   00000000000000000000.index      offset index
//   00000000000000000000.timeindex  time index
//   00000000000000000000.txnindex   aborted-transaction index (not yet used)
//   00000000000000368769.snapshot   producer-state snapshot (not yet used)
//
// Files in transition carry a second suffix: `.deleted` (scheduled for
// deletion), `.cleaned` (compaction output being written), `.swap` (compaction
// output about to replace the originals), e.g. `00000000000000000000.log.swap`.
//
// ===========================================================================
// 2. `.log` — concatenated RecordBatch v2 batches
// ===========================================================================
// No file header, no padding, no trailer: batch after batch. Each batch is
// kLogOverhead (12) bytes — baseOffset and batchLength — followed by
// batchLength bytes; a reader finds the next batch at +12+batchLength.
//
// RecordBatch v2 header (kRecordBatchHeaderSize = 61 bytes):
//
//   off size field                 notes
//   --- ---- -------------------- ------------------------------------------
//     0    8 baseOffset           offset of the first record. NOT in the CRC:
//                                 the log assigns it after the producer sealed
//                                 the batch.
//     8    4 batchLength          bytes after this field (= total size − 12);
//                                 at least 49 (a header without records).
//    12    4 partitionLeaderEpoch −1 when unknown. NOT in the CRC (the broker
//                                 stamps it on append).
//    16    1 magic                2 (v0/v1 message sets, magic 0/1, are not
//                                 supported). NOT in the CRC.
//    17    4 crc                  CRC-32C (log/crc32c.h) of bytes [21, end of
//                                 batch), stored as uint32.
//    21    2 attributes           bits 0-2 compression codec (0 none, 1 gzip,
//                                 2 snappy, 3 lz4, 4 zstd; 5-7 invalid);
//                                 bit 3 timestamp type (0 CreateTime,
//                                 1 LogAppendTime); bit 4 transactional;
//                                 bit 5 control batch; bit 6 delete horizon
//                                 set (baseTimestamp then holds
//                                 deleteHorizonMs); bits 7-15 reserved, 0
//                                 (Runnel's decoder rejects them).
//    23    4 lastOffsetDelta      offset of the last record − baseOffset. Kept
//                                 when compaction removes records, so it may
//                                 exceed recordsCount − 1.
//    27    8 baseTimestamp        timestamp of the FIRST record (or the delete
//                                 horizon). Later records may be earlier:
//                                 timestamp deltas can be negative.
//    35    8 maxTimestamp         largest record timestamp; with LogAppendTime
//                                 the append time, which then replaces every
//                                 record's timestamp when read.
//    43    8 producerId           −1 when not idempotent/transactional.
//    51    2 producerEpoch        −1 likewise.
//    53    4 baseSequence         −1 likewise.
//    57    4 recordsCount         number of records; stays uncompressed.
//    61    … records              recordsCount records back to back; for a
//                                 compressed batch, bytes 61..end are ONE
//                                 compressed stream of those records.
//
// A byte flip in baseOffset or partitionLeaderEpoch is therefore invisible to
// the CRC; the decoder still rejects a negative baseOffset, and a flip in
// magic is caught because magic must be 2. A flip in batchLength changes the
// range the CRC covers (or the batch no longer fits its buffer).
//
// LZ4 (codec 3) uses the standard LZ4 *frame* format. Runnel writes what
// Kafka's Java client writes: `04 22 4D 18` magic, FLG 0x60 (version 1,
// independent blocks, no block/content checksum, no content size), BD 0x40
// (64 KiB blocks), HC 0x82, then blocks and the 4-byte zero EndMark. Any
// valid frame is accepted when reading (e.g. kafkajs' 4 MiB blocks with a
// content checksum). gzip, snappy and zstd are recognised but not
// implemented: they give absl::UnimplementedError.
//
// Record (all lengths/deltas are zig-zag varints, log/varint.h):
//
//   length          varint   bytes that follow, up to the end of the record
//   attributes      int8     0 (unused)
//   timestampDelta  varlong  record timestamp − baseTimestamp
//   offsetDelta     varint   record offset − baseOffset (0, 1, 2, … as
//                            written; strictly increasing, ≤ lastOffsetDelta)
//   keyLength       varint   −1 = null key; other negatives are invalid
//   key             bytes
//   valueLength     varint   −1 = null value (a tombstone)
//   value           bytes
//   headerCount     varint   ≥ 0
//   headers         headerCount × (
//     headerKeyLength   varint ≥ 0 (header keys are never null; UTF-8)
//     headerKey         bytes
//     headerValueLength varint, −1 = null value
//     headerValue       bytes )
//
// Control batches (attribute bit 5, always also transactional) hold one
// control record that marks the end of a transaction:
//   key   = version int16 (0) | type int16 (0 = ABORT, 1 = COMMIT)   4 bytes
//   value = version int16 (0) | coordinatorEpoch int32               6 bytes
//
// ===========================================================================
// 3. `.index` — sparse offset index
// ===========================================================================
// Entries of kOffsetIndexEntrySize (8) bytes:
//   off size field
//     0    4 relativeOffset  int32: offset − segment base offset, in
//                            [0, INT32_MAX]; strictly increasing
//     4    4 position        int32: byte position in the .log where the
//                            batch holding that offset starts
// An entry is added when more than index.interval.bytes
// (kDefaultIndexIntervalBytes = 4096) were appended since the last one, keyed
// by the last offset of the batch appended next. The active segment's file is
// preallocated to segment.index.bytes (kDefaultSegmentIndexBytes = 10 MiB)
// rounded down to a multiple of the entry size and trimmed on roll.
//
// ===========================================================================
// 4. `.timeindex` — sparse time index
// ===========================================================================
// Entries of kTimeIndexEntrySize (12) bytes:
//   off size field
//     0    8 timestamp       int64: largest timestamp seen up to …
//     8    4 relativeOffset  int32: … this offset (− segment base offset)
// Timestamps strictly increase from entry to entry; one slot is kept free for
// the final entry written when the segment rolls.
#ifndef RUNNEL_LOG_FORMAT_H_
#define RUNNEL_LOG_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace runnel {
namespace format {

// --- RecordBatch v2 header: field offsets from the start of the batch. ---
inline constexpr size_t kBaseOffsetOffset = 0;             // int64
inline constexpr size_t kBatchLengthOffset = 8;            // int32
inline constexpr size_t kPartitionLeaderEpochOffset = 12;  // int32
inline constexpr size_t kMagicOffset = 16;                 // int8
inline constexpr size_t kCrcOffset = 17;                   // uint32
inline constexpr size_t kAttributesOffset = 21;            // int16
inline constexpr size_t kLastOffsetDeltaOffset = 23;       // int32
inline constexpr size_t kBaseTimestampOffset = 27;         // int64
inline constexpr size_t kMaxTimestampOffset = 35;          // int64
inline constexpr size_t kProducerIdOffset = 43;            // int64
inline constexpr size_t kProducerEpochOffset = 51;         // int16
inline constexpr size_t kBaseSequenceOffset = 53;          // int32
inline constexpr size_t kRecordsCountOffset = 57;          // int32
inline constexpr size_t kRecordsOffset = 61;               // records begin

inline constexpr size_t kRecordBatchHeaderSize = 61;
// baseOffset + batchLength: the bytes not counted by batchLength.
inline constexpr size_t kLogOverhead = 12;
// The CRC covers [kCrcCoverageStart, end of batch).
inline constexpr size_t kCrcCoverageStart = kAttributesOffset;
// batchLength of a batch with no records.
inline constexpr int32_t kMinBatchLength =
    static_cast<int32_t>(kRecordBatchHeaderSize - kLogOverhead);  // 49

inline constexpr int8_t kMagicV2 = 2;

// --- Attribute bits (int16 at kAttributesOffset). ---
inline constexpr uint16_t kCompressionCodecMask = 0x07;
inline constexpr uint16_t kTimestampTypeMask = 0x08;  // 1 = LogAppendTime
inline constexpr uint16_t kTransactionalMask = 0x10;
inline constexpr uint16_t kControlMask = 0x20;
inline constexpr uint16_t kDeleteHorizonMask = 0x40;
inline constexpr uint16_t kKnownAttributesMask = 0x7f;
// Codec values 0..4 are defined (none, gzip, snappy, lz4, zstd).
inline constexpr uint16_t kMaxCompressionCodec = 4;

// --- "None" sentinels (Kafka's RecordBatch.NO_*). ---
inline constexpr int64_t kNoProducerId = -1;
inline constexpr int16_t kNoProducerEpoch = -1;
inline constexpr int32_t kNoSequence = -1;
inline constexpr int32_t kNoPartitionLeaderEpoch = -1;
inline constexpr int64_t kNoTimestamp = -1;

// --- Records. ---
// Length value meaning "null" for keys, values and header values.
inline constexpr int32_t kNullLength = -1;
// Smallest possible record after its length varint: attributes, one-byte
// timestampDelta, offsetDelta, keyLength, valueLength, headerCount.
inline constexpr size_t kMinRecordBodySize = 6;
// ...and with the length varint itself.
inline constexpr size_t kMinRecordSize = kMinRecordBodySize + 1;

// --- Control records. ---
inline constexpr int16_t kControlRecordKeyVersion = 0;
inline constexpr size_t kControlRecordKeySize = 4;  // version, type
inline constexpr int16_t kEndTxnMarkerValueVersion = 0;
inline constexpr size_t kEndTxnMarkerValueSize = 6;  // version, epoch
inline constexpr int16_t kControlTypeAbort = 0;
inline constexpr int16_t kControlTypeCommit = 1;

// --- Indexes. ---
inline constexpr size_t kOffsetIndexEntrySize = 8;
inline constexpr size_t kTimeIndexEntrySize = 12;
inline constexpr int32_t kDefaultIndexIntervalBytes = 4096;
inline constexpr int32_t kDefaultSegmentIndexBytes = 10485760;

// --- File names. ---
inline constexpr size_t kSegmentFileNameDigits = 20;
inline constexpr char kLogFileSuffix[] = ".log";
inline constexpr char kIndexFileSuffix[] = ".index";
inline constexpr char kTimeIndexFileSuffix[] = ".timeindex";
inline constexpr char kTxnIndexFileSuffix[] = ".txnindex";
inline constexpr char kSnapshotFileSuffix[] = ".snapshot";
inline constexpr char kDeletedFileSuffix[] = ".deleted";
inline constexpr char kCleanedFileSuffix[] = ".cleaned";
inline constexpr char kSwapFileSuffix[] = ".swap";

enum class SegmentFileType { kLog, kIndex, kTimeIndex, kTxnIndex, kSnapshot };
enum class TempFileState { kNone, kDeleted, kCleaned, kSwap };

// "<20-digit base offset><suffix>", e.g. SegmentFileName(368769, ".index")
// == "00000000000000368769.index". `suffix` must start with '.' and is
// appended verbatim (so ".log.deleted" works). Errors: InvalidArgument for a
// negative base offset or a suffix not starting with '.'.
absl::StatusOr<std::string> SegmentFileName(int64_t base_offset,
                                            absl::string_view suffix);

struct ParsedSegmentFileName {
  int64_t base_offset = 0;
  SegmentFileType type = SegmentFileType::kLog;
  TempFileState temp_state = TempFileState::kNone;
};

// Parses "<20 digits>.<type>[.<temp state>]". Errors (InvalidArgument, the
// name quoted): not exactly 20 digits, offset > INT64_MAX, unknown suffixes.
absl::StatusOr<ParsedSegmentFileName> ParseSegmentFileName(
    absl::string_view name);

// "<topic>-<partition>". Errors: InvalidArgument for an invalid topic name
// (Kafka's rule: 1..249 chars of [a-zA-Z0-9._-], not "." or "..") or a
// negative partition.
absl::StatusOr<std::string> PartitionDirName(absl::string_view topic,
                                             int32_t partition);

struct ParsedPartitionDirName {
  std::string topic;
  int32_t partition = 0;
};

// Inverse of PartitionDirName; the partition follows the last '-'.
// One `.index` entry and one `.timeindex` entry as stored (sections 3, 4).
struct OffsetIndexEntry {
  int32_t relative_offset = 0;
  uint32_t position = 0;
};
struct TimeIndexEntry {
  int64_t timestamp = 0;
  int32_t relative_offset = 0;
};
// `entry` points at kOffsetIndexEntrySize / kTimeIndexEntrySize bytes.
OffsetIndexEntry DecodeOffsetIndexEntry(const char* entry);
TimeIndexEntry DecodeTimeIndexEntry(const char* entry);
// The entries an index file holds: whole entries up to the first unused
// slot of its preallocated tail (zeros: a zero relative offset after the
// first entry, or an all-zero first entry). For readers of the file as
// bytes (dump-log, a read-only log); the Log maps its indexes instead.
std::vector<OffsetIndexEntry> DecodeOffsetIndex(absl::string_view bytes);
std::vector<TimeIndexEntry> DecodeTimeIndex(absl::string_view bytes);

absl::StatusOr<ParsedPartitionDirName> ParsePartitionDirName(
    absl::string_view name);

// OK if `topic` is a valid Kafka topic name, else InvalidArgument saying why.
absl::Status ValidateTopicName(absl::string_view topic);

}  // namespace format
}  // namespace runnel

#endif  // RUNNEL_LOG_FORMAT_H_
