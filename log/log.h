// Copyright 2026 The Runnel Authors.
//
// runnel/log.h — one partition's durable commit log in one directory.
//
// A Log is a sequence of Kafka RecordBatch v2 batches with consecutive
// offsets, stored as segment files `<20-digit base offset>.log` with their
// `.index` and `.timeindex` in Kafka's own layouts (log/format.h), so Kafka's
// tools can read the directory. The Broker (to come) owns one Log per
// partition; a Log can also be used on its own.
//
//   runnel::LogOptions options;
//   options.segment_bytes = 64 << 20;
//   absl::StatusOr<std::unique_ptr<runnel::Log>> log =
//       runnel::Log::Open("/data/orders-0", options);
//   std::string batch = ...;              // e.g. from RecordBatchBuilder
//   absl::StatusOr<runnel::AppendInfo> info = (*log)->Append(batch);
//   RETURN_IF_ERROR((*log)->Sync());       // info->last_offset is durable
//   absl::StatusOr<runnel::LogReadResult> read = (*log)->Read(0, 1 << 20);
//   for (absl::string_view b : read->batches) { ... RecordBatchView::Parse }
//
// Durability contract:
//   - When Append returns OK, the batch has its offsets, is visible to every
//     reader of this Log, and is in the operating system's page cache: it
//     survives a crash of this process but NOT a crash of the machine or a
//     power loss.
//   - When Sync returns OK, every batch whose Append returned before Sync
//     was called is on stable storage (msync/fdatasync of the segments
//     written since the last sync, and fsync of the directory for any
//     segment created since). Concurrent Sync callers share one flush (group
//     commit).
//   - A rolled segment is synced in the background soon after the roll (as
//     Kafka's roll schedules its flush; see
//     LogOptions::sync_rolled_segments_in_background), which then counts it
//     durable (recovery_point()) without any Sync.
//   - flush.messages / flush.ms make Append call Sync itself once that many
//     messages (or that much time) are unflushed; by default (Kafka's
//     defaults) they never do, as in Kafka, which relies on replication.
//   - After a crash, Open recovers: everything that was synced is present
//     and byte-identical; anything after it may be cut, but the log is
//     always a prefix of what was appended (no holes, no reordering, no
//     garbage). A batch that fails its CRC below the recovery point is
//     never returned as data: Read gives DataLossError naming the file and
//     position, and `corrupt_batches_found()` counts it.
//   - Truncation (TruncateTo, TruncateFullyAndStartAt) is durable when it
//     returns OK: no crash after that brings a truncated batch back. A
//     crash during TruncateTo leaves the old log, the truncated one, or a
//     prefix of the old log no shorter than the truncated one — never
//     stale batches after newer ones. (Appends after a truncation follow
//     the rules above: the log after a crash is a prefix of "what was kept,
//     then what was appended since".)
//
// Replication (followers): AppendAsFollower appends a leader's batches with
// their own offsets and leader epochs; TruncateTo and
// TruncateFullyAndStartAt are Kafka's Log.truncateTo and
// truncateFullyAndStartAt; set_leader_epoch tells the log the newest epoch.
// The leader-epoch cache (which epoch starts where) is the replication
// layer's, not the log's.
//
// Thread-safety: Append and Sync may be called from any thread (appends are
// serialized internally; one appender at a time writes). Read, offsets and
// OffsetForTimestamp may be called concurrently from many threads; readers
// see only whole batches whose Append has returned. TruncateTo and
// TruncateFullyAndStartAt run under the append lock, after any running
// maintenance pass; reads below the cut keep working meanwhile, but the
// caller must make sure nobody reads at or after the cut (see TruncateTo).
//
// Lifetimes: a LogReadResult pins the mapped segment it points into: its
// views stay valid until it is destroyed, even if retention deletes the
// segment meanwhile. The Log must outlive nothing else; Close (or the
// destructor) seals the active segment and writes the recovery point.
#ifndef RUNNEL_LOG_LOG_H_
#define RUNNEL_LOG_LOG_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/inlined_vector.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "runnel/clock.h"
#include "runnel/file_system.h"
#include "util/mutex.h"

namespace runnel {

struct RecordBatchHeader;

namespace internal {
struct CleanedGroup;
struct SwapOutcome;
class OpenSegmentCache;
class Segment;
struct PinnedBytes;
struct SegmentOptions;
struct SegmentScan;
}  // namespace internal

// cleanup.policy: what happens to old data.
enum class CleanupPolicy {
  kDelete,            // "delete": retention.ms / retention.bytes
  kCompact,           // "compact": keep the latest record per key
  kCompactAndDelete,  // "compact,delete": both
};

// Options of one Log. Kafka's topic config key and default in each comment.
struct LogOptions {
  // Where files live. Not owned; must outlive the Log. Default: POSIX.
  FileSystem* file_system = nullptr;
  // Time source for segment.ms / flush.ms. Not owned. Default: real time.
  Clock* clock = nullptr;
  // segment.bytes (1 GiB): roll to a new segment when the next batch would
  // make the active one larger. A single larger batch gets its own segment.
  uint64_t segment_bytes = uint64_t{1} << 30;
  // segment.ms (7 days): roll when the active segment's first batch is this
  // much older than the incoming batch.
  absl::Duration segment_ms = absl::Hours(24 * 7);
  // segment.index.bytes (10 MiB): size of each index file; a full index
  // rolls the segment.
  size_t segment_index_bytes = 10 * 1024 * 1024;
  // index.interval.bytes (4096): bytes between offset-index entries.
  size_t index_interval_bytes = 4096;
  // max.message.bytes (1048588): the largest batch Append accepts.
  size_t max_message_bytes = 1048588;
  // flush.messages (Long.MAX_VALUE): Sync after this many unflushed
  // messages (records). 1 = sync every append.
  int64_t flush_messages = INT64_MAX;
  // flush.ms (Long.MAX_VALUE): Sync when the oldest unflushed append is
  // this old (checked on Append and by FlushIfDue).
  absl::Duration flush_ms = absl::InfiniteDuration();
  // retention.ms (7 days): ApplyRetention deletes old segments whose
  // largest timestamp is older than this. InfiniteDuration: keep forever.
  absl::Duration retention_ms = absl::Hours(24 * 7);
  // retention.bytes (-1 = no limit): ApplyRetention deletes the oldest
  // segments while the log stays at least this large without them.
  int64_t retention_bytes = -1;
  // cleanup.policy (delete).
  CleanupPolicy cleanup_policy = CleanupPolicy::kDelete;
  // delete.retention.ms (1 day): compaction keeps a tombstone at least this
  // long after its segment's newest timestamp.
  absl::Duration delete_retention_ms = absl::Hours(24);
  // log.cleaner.dedupe.buffer.size (128 MiB): the most memory compaction's
  // key map may use; a larger dirty range is compacted over several passes.
  size_t cleaner_dedupe_buffer_bytes = size_t{128} << 20;
  // Runnel: the largest file reservation (fallocate) made at a time ahead
  // of the active segment's write position; reservations start at 64 KiB
  // and double up to this, so idle partitions hold little disk.
  uint64_t preallocate_bytes = uint64_t{16} << 20;
  // Runnel: fault in the active segment's pages ahead of the appender on a
  // background thread while the appender writes 64 MiB/s or faster (in
  // huge pages where the OS has them), so a fast Append takes few page
  // faults. A slower appender takes its own (microseconds each): a
  // background prefault of a whole reservation would hold a core for
  // milliseconds, which a latency-sensitive writer sees in its tail.
  // A log that syncs (Sync, or a flush policy) writes its appends through
  // the file instead, and prefaults nothing: after a sync, stores into the
  // mapping would fault again page by page.
  bool prefault = true;
  // Runnel: how many segment files deleted by retention are kept, renamed
  // into a pool in the log's directory, for new segments to reuse (RocksDB's
  // recycle_log_file_num). A reused file's blocks are allocated and its pages
  // usually still cached, so appends to it cost about what appends to
  // pre-faulted memory do; the price is up to this many segments of disk
  // held after retention (until the next rolls reuse them, or the next
  // Open removes them). Files a reader still has mapped are never reused;
  // old bytes in a reused file are never taken for data (recovery rejects
  // them by their offsets). 0 = delete files as Kafka does.
  int recycle_segments = 1;
  // Runnel: sync a rolled segment on a background thread, as Kafka's roll
  // schedules its flush, rather than inside the Append that rolls it (where
  // writing back segment.bytes of data would stall the appender). Until it
  // is synced, the segment is not counted durable: Sync and Close sync it
  // first, and after a crash recovery scans it and cuts the log at its first
  // invalid batch. false: rolled segments wait for the next Sync or Close
  // (no thread; file operations in a deterministic order, for crash tests).
  bool sync_rolled_segments_in_background = true;
  // The partition leader epoch stamped on every appended batch (in Kafka
  // the broker does this). Reads reject batches whose epoch lies outside
  // [0, leader_epoch]: the field is outside the CRC, so this is what
  // catches a corrupted one. Replication advances it (set_leader_epoch);
  // Open raises it to the newest epoch of the directory's
  // `leader-epoch-checkpoint` (the replication layer's Kafka-format file),
  // so a replicated log reopens able to read its newest batches.
  int32_t leader_epoch = 0;
  // Runnel: bounds the sealed segments (descriptors and mappings) open at
  // once across every Log sharing it; the Broker passes its own. Default:
  // a process-wide bound of 1024. Idle logs keep nothing of their sealed
  // segments open.
  internal::OpenSegmentCache* open_segment_cache = nullptr;
  // Runnel: a name for error messages, e.g. "orders-0" (default: the
  // directory).
  std::string name;
};

// What Append did.
struct AppendInfo {
  int64_t first_offset = -1;  // base offset assigned to the first batch
  int64_t last_offset = -1;   // last offset of the last batch
  int64_t max_timestamp = -1;
  int32_t record_count = 0;
  size_t bytes = 0;
};

// Where a read stopped, so that the read of the offset after it can start
// there rather than at the index entry below (up to index.interval.bytes
// of batches to step over). Opaque; take it from LogReadResult::next and
// give it back to Read. A stale one is harmless: Read checks it and falls
// back to the index.
struct ReadPosition {
  int64_t offset = -1;            // the offset it is a position for
  const void* segment = nullptr;  // the segment it lies in (identity only)
  uint64_t cuts = 0;              // that segment's truncation count then
  uint64_t position = 0;          // byte position in the segment
};

// Whole batches read from the log: views into the mapped segment, pinned by
// this object.
struct LogReadResult {
  std::vector<absl::string_view> batches;
  // The log's end offset when the read happened (Kafka's high watermark
  // stand-in until replication arrives).
  int64_t log_end_offset = 0;
  // Keeps the mapping alive.
  std::vector<std::shared_ptr<const void>> pins;
  // Where the batch after the last one returned starts (set when batches
  // is not empty): pass it to the next Read of next.offset.
  ReadPosition next;
};

// What one Compact pass did.
struct CompactionStats {
  int64_t records_removed = 0;
  int64_t tombstones_removed = 0;
  uint64_t bytes_before = 0;
  uint64_t bytes_after = 0;
  int segments_replaced = 0;
};

// An offset found by timestamp (Kafka's offsetsForTimes answer).
struct OffsetAndTimestamp {
  int64_t timestamp = -1;
  int64_t offset = -1;
};

class Log {
 public:
  // Opens the log in `dir` (created if missing), recovering it: segments
  // after the recovery point are scanned batch by batch (CRC included), a
  // torn or zeroed tail is cut (in a rolled segment the crash kept from
  // its sync, the segments after it are deleted too), indexes are rebuilt
  // where needed. Errors:
  // those of the file system (naming the path); DataLoss if the directory
  // holds something that cannot be a log (naming it).
  static absl::StatusOr<std::unique_ptr<Log>> Open(std::string dir,
                                                   LogOptions options);

  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  // Appends one or more whole batches (concatenated, as in a .log file),
  // assigning offsets: each batch's base offset is rewritten to the log end
  // offset. Every batch is validated first (header, CRC, size <=
  // max.message.bytes); a validation error appends nothing. An I/O error
  // part-way through several batches keeps the batches before it (each
  // batch is all or nothing; log_end_offset() tells). Errors:
  // InvalidArgument (bad or oversized batch, naming its position),
  // ResourceExhausted (disk full, naming the path; the log is unchanged and
  // later appends work once space is back), FailedPrecondition (closed).
  absl::StatusOr<AppendInfo> Append(absl::string_view batches);

  // Zero-copy append (for producers): calls `build` with writable space for
  // one batch of at most `max_batch_bytes` at the tail of the active
  // segment — memory inside the segment's mapping, valid only during the
  // call. `build` writes one whole batch at its start (for example with
  // RecordBatchBuilder's in-place mode) and returns the batch's size, or an
  // error to append nothing. The log then checks the batch as Append does
  // (header, CRC, max.message.bytes) and assigns its offsets; the record
  // bytes are never copied. `build` runs under the append lock: it must not
  // call back into this Log.
  //
  //   log->AppendInPlace(64 << 10, [&](absl::Span<char> slot)
  //                                    -> absl::StatusOr<size_t> {
  //     runnel::RecordBatchBuilder builder(options, slot);
  //     for (const Event& e : events) RETURN_IF_ERROR(builder.Append(...));
  //     RETURN_IF_ERROR(builder.Finish().status());
  //     return builder.size_bytes();
  //   });
  absl::StatusOr<AppendInfo> AppendInPlace(
      size_t max_batch_bytes,
      absl::FunctionRef<absl::StatusOr<size_t>(absl::Span<char>)> build);

  // A follower's append: writes batches fetched from the leader as they are
  // (Kafka's appendAsFollower). Offsets are NOT assigned: the first batch's
  // base offset must equal log_end_offset() (OutOfRange naming both
  // otherwise) and each next batch must start right after the previous one
  // (InvalidArgument naming the offsets). Each batch keeps its
  // partition_leader_epoch, which must lie in [0, leader_epoch()] and must
  // not decrease from batch to batch (InvalidArgument): the replication
  // layer calls set_leader_epoch on every leader change, before fetching at
  // the new epoch. Otherwise as Append: same validation (header, CRC,
  // max.message.bytes; any error appends nothing), same durability
  // contract, same errors for I/O and for a closed log.
  //
  //   fetched = ...bytes of the leader's response from log_end_offset()...;
  //   absl::StatusOr<runnel::AppendInfo> info = log->AppendAsFollower(fetched);
  absl::StatusOr<AppendInfo> AppendAsFollower(absl::string_view batches);

  // Kafka's Log.truncateTo: drops every record at or after `offset`, so the
  // next append (AppendAsFollower or Append) lands at the cut. A batch that
  // straddles `offset` goes whole (Kafka does the same): the log then ends
  // at that batch's base offset; log_end_offset() tells the new end. Whole
  // segments after the cut are deleted (never recycled); the segment
  // holding the cut is cut at the batch boundary, loses its index entries
  // at and after it, keeps consistent timestamps, and becomes the active
  // segment. The recovery point becomes min(recovery point, new end) and
  // the recovery-point and cleaner checkpoints are lowered to match.
  // No-op if offset >= log_end_offset(). Errors: InvalidArgument if offset
  // < log_start_offset() (use TruncateFullyAndStartAt); FailedPrecondition
  // if closed; I/O errors naming the path. After an I/O error, appends,
  // retention and compaction fail with FailedPrecondition until a
  // TruncateTo succeeds: retry it (it is idempotent) or reopen the log.
  //
  // Durability: when it returns OK the truncation is on stable storage
  // (every cut file is cut or zeroed and synced, every deleted segment's
  // removal is synced), so no later crash brings a truncated batch back.
  // Segments are deleted newest first, each removal synced before the next,
  // and the holding segment is cut last, so a crash during TruncateTo
  // leaves the old log, the truncated log, or a prefix of the old log no
  // shorter than the truncated one.
  //
  // Concurrency: runs under the append lock, after any maintenance pass in
  // progress (compaction, retention) ends, and excludes Sync. Reads below
  // the new end keep working during and after it. The caller guarantees
  // that nobody reads at or after the cut, from before the call until it
  // returns, and that nobody uses batches past the cut from an earlier
  // Read (the replication layer serves only below the high watermark,
  // which a truncation never crosses). Memory stays safe even so: a
  // segment whose mapping a reader still pins is never cut under it — its
  // bytes past the cut are zeroed instead of cut off (a reader that breaks
  // the rule sees zeros, never a SIGBUS).
  absl::Status TruncateTo(int64_t offset);

  // Kafka's truncateFullyAndStartAt: deletes every segment and restarts
  // the log empty at `offset` (log start = log end = recovery point =
  // offset; any offset >= 0, below or above the old range). Durable when
  // it returns OK: the log-start checkpoint says `offset` and the old
  // segments' removals are synced. Segments go newest first, each removal
  // synced, so a crash during it leaves a prefix of the old log (possibly
  // empty, at the old start) or the new empty log. Recycled segment files
  // are discarded too (their offsets could lie above a lower new start).
  // Errors: InvalidArgument for offset < 0; FailedPrecondition if closed;
  // I/O errors (then retry, as for TruncateTo). Same concurrency contract
  // as TruncateTo, with every offset "at or after the cut".
  absl::Status TruncateFullyAndStartAt(int64_t offset);

  // The leader epoch Append stamps and reads accept up to (starts as
  // LogOptions::leader_epoch).
  int32_t leader_epoch() const;
  // Raises the leader epoch (the replication layer calls it on every
  // leader change, as leader or follower). Epochs never go back:
  // InvalidArgument if `epoch` < leader_epoch(). Thread-safe.
  absl::Status set_leader_epoch(int32_t epoch);

  // Makes everything appended so far durable (see the contract above).
  absl::Status Sync();
  // Syncs if flush.ms has passed since the oldest unflushed append. For a
  // background flusher.
  absl::Status FlushIfDue();

  // Reads whole batches starting with the one that holds `offset`, from one
  // segment, up to `max_bytes` (at least one batch, however large). Empty
  // if offset == log end offset. Errors: OutOfRange if offset is below the
  // log start or above the log end offset (naming both); DataLoss if a
  // batch header there is corrupt (naming file and position); Unavailable
  // in the unlikely case that compaction or TruncateTo changed the segment
  // under each of several retries (read again). `from`, if given, is the
  // `next` of an earlier read: a sequential reader passes it to start
  // where that read stopped (Kafka keeps the same position in a fetch
  // session); a stale or foreign one only costs the index lookup.
  absl::StatusOr<LogReadResult> Read(int64_t offset, size_t max_bytes,
                                     const ReadPosition* from = nullptr);

  // The first batch whose max timestamp is >= `timestamp` (Kafka's
  // offsetsForTimes): its timestamp and its first offset at or after the
  // log start. NotFound if every batch is older.
  absl::StatusOr<OffsetAndTimestamp> OffsetForTimestamp(int64_t timestamp);

  // Kafka's deleteRecords: moves the log start offset up to `offset`
  // (records below it are no longer readable) and deletes the segments
  // wholly below it. Records below `offset` are synced first and the new
  // start is checkpointed before anything is deleted, so after a crash the
  // start never moves back and never passes the recovered end. An offset at or
  // below the current start changes nothing. Returns the log start offset.
  // Errors: OutOfRange if offset > log end offset (naming both).
  absl::StatusOr<int64_t> DeleteRecordsBefore(int64_t offset);

  // Applies retention.ms and retention.bytes now (Kafka's rules): deletes
  // whole segments from the oldest on; if every segment, the active one
  // included, is past retention.ms, the active one is rolled first so it
  // can go too. Returns the number of segments deleted. For a background
  // cleaner thread; safe to call concurrently with everything else.
  absl::StatusOr<int> ApplyRetention();

  // Compacts the sealed segments now (cleanup.policy compact or
  // compact,delete; FailedPrecondition otherwise): keeps the latest record
  // of every key, drops records without a key and tombstones older than
  // delete.retention.ms, keeps offsets (gaps are fine), never touches the
  // active segment. Cleaned segments are swapped in crash-safely (.cleaned,
  // .swap, then replace: a crash at any point leaves either the old or the
  // new segments). Appends pause only while each group is swapped; reads
  // continue. Memory is bounded by cleaner_dedupe_buffer_bytes: a larger
  // dirty range is finished by later passes. For a background cleaner.
  absl::StatusOr<CompactionStats> Compact();

  CleanupPolicy cleanup_policy() const { return options_.cleanup_policy; }
  int64_t log_start_offset() const;
  int64_t log_end_offset() const;
  // Offsets below this are known durable.
  int64_t recovery_point() const;
  int64_t segment_count() const;
  uint64_t size_bytes() const;
  // Segments with an open descriptor or mapping (a metric).
  int64_t open_segment_count() const;
  // Corrupt batches found by recovery or reads (a metric).
  int64_t corrupt_batches_found() const;

  // Seals the active segment, syncs and writes the recovery point, so the
  // next Open scans nothing. Later calls fail with FailedPrecondition.
  absl::Status Close();

 private:
  struct SegmentList;
  Log(std::string dir, LogOptions options);

  absl::Status Recover();
  int32_t LeaderEpochOnDisk();
  absl::StatusOr<LogReadResult> ReadOnce(int64_t offset, size_t max_bytes,
                                         const ReadPosition* from);
  // Reads `segment` from the position `from` gives, if it is one for
  // `offset` in this segment as it is now; false if not (nothing read).
  bool ReadSegmentFrom(internal::Segment& segment, int64_t offset,
                       size_t max_bytes, const ReadPosition* from,
                       LogReadResult* result) const;
  absl::Status SwapCleanedGroup(
      const internal::CleanedGroup& group,
      const std::function<internal::SwapOutcome()>& swap,
      CompactionStats* stats);
  absl::Status ReadSegment(internal::Segment& segment, int64_t offset,
                           size_t max_bytes, uint64_t position,
                           LogReadResult* result) const;
  absl::Status BelowStartOr(int64_t offset, absl::Status status) const;
  absl::Status CutDuringRead(const internal::Segment& segment) const;
  absl::Status CheckBatch(const RecordBatchHeader& header,
                          absl::string_view bytes, int64_t min_offset,
                          int64_t end_offset) const;
  absl::Status RecoverSegments(std::vector<int64_t> base_offsets,
                               bool clean_shutdown, int64_t clean_end);
  absl::StatusOr<bool> RecoverScannedSegment(internal::Segment& segment,
                                             const internal::SegmentScan& scan,
                                             bool last, int64_t end,
                                             int64_t point);
  absl::Status DropSegmentsAfter(const std::vector<int64_t>& bases,
                                 size_t index);
  absl::Status EnsureActive() ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  // Removes the clean-shutdown marker (durably) before files change.
  absl::Status RemoveCleanShutdownMarker()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  // FailedPrecondition if the log is closed or a truncation failed.
  absl::Status CheckWritable() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  // The headers of one Append's batches (usually one: no allocation).
  using BatchHeaders = absl::InlinedVector<RecordBatchHeader, 1>;
  // Validates every batch of an Append (header, CRC, size).
  absl::Status ValidateBatches(absl::string_view batches,
                               BatchHeaders* headers) const;
  // Appends one validated batch (`header` is its header, as
  // ValidateBatches parsed it); `as_follower` keeps its offsets and epoch.
  absl::Status AppendOne(absl::string_view batch,
                         const RecordBatchHeader& header, bool as_follower,
                         AppendInfo* info)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  // Truncation's steps (log_truncate.cc). On success they tell which
  // segment is active and how many of its bytes are durable.
  absl::Status TruncateLocked(int64_t offset, int64_t* active_base,
                              uint64_t* durable_bytes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  absl::Status TruncateFullyLocked(int64_t offset)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  // Deletes segments [first, end) of `list` newest first, each removal
  // synced before the next, publishing the shorter list after each.
  absl::Status DeleteTrailingSegments(std::shared_ptr<const SegmentList> list,
                                      size_t first)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  // Lowers the recovery-point and cleaner checkpoints to at most `offset`.
  absl::Status LowerCheckpoints(int64_t offset)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  // Waits for a running Sync and keeps others out (truncation changes what
  // they would flush); EndSyncExclusion records what is durable.
  void BeginSyncExclusion();
  void EndSyncExclusion(int64_t segment_base, uint64_t synced_bytes);
  // Syncs the directory if a roll added a segment since the last time, then
  // the rolled segments waiting for it, oldest first (trimming each to its
  // size first), raising the recovery point past each, then checkpoints it
  // (if any was synced).
  // One caller at a time does the work; the background job, Sync, Close and
  // truncation call it.
  absl::Status SyncRolledSegments() ABSL_LOCKS_EXCLUDED(rolled_sync_mu_);
  // Has SyncRolledSegments run on the background thread.
  void ScheduleRolledSync();
  void RaiseRecoveryPoint(int64_t offset);
  // Bookkeeping after a batch was committed to the active segment.
  void Appended(const RecordBatchHeader& header, AppendInfo* info)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  absl::Status ValidateBatch(absl::string_view bytes,
                             RecordBatchHeader* header) const;
  // Rolls if a batch of `batch_bytes` may not go into the active segment;
  // then sets *active to the segment to append to.
  absl::Status MaybeRoll(size_t batch_bytes, int64_t max_timestamp,
                         internal::Segment** active)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  absl::Status Roll() ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  absl::Status MaybeFlush() ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  absl::Status WriteCheckpoint(absl::string_view name, int64_t offset);
  absl::StatusOr<int64_t> ReadCheckpoint(absl::string_view name);
  // Drops the first `count` segments (never the last) from the list,
  // deletes their files and advances the log start offset past them.
  absl::Status DeleteOldestSegments(size_t count)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  absl::StatusOr<size_t> SegmentsPastRetentionMs()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  size_t SegmentsPastRetentionBytes() const;
  std::shared_ptr<const SegmentList> segments() const;
  // Tells the open-segment cache that a sealed segment of `list` was used.
  void Touched(const std::shared_ptr<internal::Segment>& segment,
               const SegmentList& list) const;
  // The last segment (segments()->segments.back() without copying the
  // list), for those that do not hold append_mu_ (Sync).
  std::shared_ptr<internal::Segment> ActiveSegment() const;
  // The same for the appender: no lock a reader takes, so nothing on the
  // append path moves between the appender's and a tailing reader's cores.
  internal::Segment& TailSegment() const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_) {
    return *tail_segment_;
  }
  void PublishSegments(std::shared_ptr<const SegmentList> list)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  // Options for the segments this log creates or opens now (they write
  // through the file once the log syncs).
  internal::SegmentOptions CurrentSegmentOptions() const;
  std::string Describe() const;

  const std::string dir_;
  const LogOptions options_;
  // The (topic, partition) this log's checkpoint entries are filed under:
  // from a "<topic>-<partition>" directory name, else (dir name, 0).
  std::string checkpoint_topic_;
  int32_t checkpoint_partition_ = 0;
  FileSystem* const fs_;
  Clock* const clock_;
  internal::OpenSegmentCache* const cache_;

  // Retention, DeleteRecordsBefore and Compact: one at a time.
  Mutex maintenance_mu_ ABSL_ACQUIRED_BEFORE(append_mu_);
  // Appends: one at a time. This group is the appender's alone; the next
  // ones start on their own cache lines, so a tailing reader's locks and
  // the appender's stores do not share one.
  alignas(kCacheLineBytes) Mutex append_mu_ ABSL_ACQUIRED_BEFORE(sync_mu_);
  bool closed_ ABSL_GUARDED_BY(append_mu_) = false;
  // A TruncateTo/TruncateFullyAndStartAt failed part-way: writes wait for
  // a successful retry.
  bool truncate_failed_ ABSL_GUARDED_BY(append_mu_) = false;
  // The last segment is mapped for appending and the clean-shutdown marker
  // is gone (both done lazily, at the first append).
  bool active_ready_ ABSL_GUARDED_BY(append_mu_) = false;
  int64_t unflushed_messages_ ABSL_GUARDED_BY(append_mu_) = 0;
  absl::Time oldest_unflushed_ ABSL_GUARDED_BY(append_mu_) =
      absl::InfiniteFuture();
  // segments_->segments.back(): the list changes only under append_mu_ too.
  internal::Segment* tail_segment_ ABSL_GUARDED_BY(append_mu_) = nullptr;

  // The segment list, replaced (copy-on-write) on roll and deletion.
  alignas(kCacheLineBytes) mutable Mutex segments_mu_;
  std::shared_ptr<const SegmentList> segments_ ABSL_GUARDED_BY(segments_mu_);

  // Group commit: one flusher at a time; others wait for its result.
  alignas(kCacheLineBytes) Mutex sync_mu_;
  CondVar sync_done_;
  bool sync_running_ ABSL_GUARDED_BY(sync_mu_) = false;
  // Bytes of the active segment known durable.
  int64_t synced_segment_base_ ABSL_GUARDED_BY(sync_mu_) = -1;
  uint64_t synced_bytes_ ABSL_GUARDED_BY(sync_mu_) = 0;
  // The log syncs (a flush policy, or Sync was called): its segments'
  // appends write through the file (Segment::WriteThroughFile).
  std::atomic<bool> write_through_;

  // Segments rolled (sealed) and not synced yet (SyncSealed), oldest first,
  // each with its end offset (the next segment's base). rolled_sync_mu_ is held
  // by whoever syncs them, across the sync; only that holder pops, unsynced_mu_
  // guards the queue itself.
  struct RolledSegment {
    std::shared_ptr<internal::Segment> segment;
    int64_t end = 0;
  };
  Mutex rolled_sync_mu_ ABSL_ACQUIRED_BEFORE(unsynced_mu_);
  Mutex unsynced_mu_;
  std::deque<RolledSegment> unsynced_ ABSL_GUARDED_BY(unsynced_mu_);
  // A roll created a segment file whose directory entry is not synced yet.
  std::atomic<bool> dir_sync_pending_{false};

  // Written by the appender (and rarely by maintenance), read by readers.
  alignas(kCacheLineBytes) std::atomic<int64_t> log_start_offset_{0};
  std::atomic<int64_t> log_end_offset_{0};
  std::atomic<int64_t> recovery_point_{0};
  std::atomic<int64_t> corrupt_batches_{0};
  std::atomic<int32_t> leader_epoch_;
};

}  // namespace runnel

#endif  // RUNNEL_LOG_LOG_H_
