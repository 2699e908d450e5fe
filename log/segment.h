// Copyright 2026 The Runnel Authors.
//
// log/segment.h — one segment of a partition log: the `.log` file of
// concatenated RecordBatch v2 batches named by its base offset, with its
// `.index` and `.timeindex` (Kafka's layouts, log/format.h). Internal to
// log/; the Log owns segments and decides when to roll.
//
// States:
//   active  — the one segment being appended to. Its `.log` is mapped
//             read-write with a growable mapping (address space for the
//             whole segment reserved up front); file space is reserved in
//             chunks ahead of the write position (File::Reserve), so the
//             mapping never covers unreserved bytes and a full disk is a
//             ResourceExhausted status, never a SIGBUS.
//   sealed  — rolled or recovered: trimmed to its logical size, read-only.
//             Opened lazily (no descriptor or mapping until first read) and
//             closed again by the log's open-segment budget.
//
// Readers and the appender: one appender (the Log serializes appends) and
// many concurrent readers. The appender copies a batch, updates the indexes
// and only then publishes the new size with release ordering; readers load
// it with acquire ordering and never look past it, so they see whole,
// sealed batches only.
//
// Lifetimes: a reader keeps a segment (and so its mapping) alive through a
// std::shared_ptr; a segment deleted by retention stays mapped until the
// last reader lets go.
//
// Recycling (SegmentOptions::recycle_files > 0; RocksDB's
// recycle_log_file_num, Redpanda's and Chronicle's segment pools): when
// DeleteFiles removes a sealed segment that nobody has mapped, its .log is
// renamed into the directory's pool ("recycle-<base>.tmp") instead of being
// unlinked, up to recycle_files files; CreateActive renames a pool file to
// the new segment's name and appends over it. Its blocks are allocated and
// written and its pages usually still cached (in huge folios), so the new
// segment needs neither fallocate nor fresh, zeroed pages: appends run as
// over pre-faulted memory. Why old bytes are never taken for data:
//   - only the active (last) segment holds them, past its size(); Seal
//     trims and syncs them away before the segment stops being active;
//   - after a crash, recovery scans the last segment, and every old batch
//     has a base offset below the new segment's base (offsets only grow in
//     a log), so Recover stops at the first of them (a stale batch is
//     rejected like a torn one) and the tail is cut;
//   - pool files end in ".tmp", which Log::Open removes, so a pool never
//     survives a restart and no pool file is ever listed as a segment.
// A segment some reader still has mapped is deleted, not recycled: its
// bytes must not change under the reader.
#ifndef RUNNEL_LOG_SEGMENT_H_
#define RUNNEL_LOG_SEGMENT_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "log/offset_index.h"
#include "log/time_index.h"
#include "runnel/clock.h"
#include "runnel/file_system.h"
#include "runnel/record_batch.h"
#include "util/mutex.h"

namespace runnel {
namespace internal {

struct SegmentOptions {
  // index.interval.bytes: an offset-index entry after at least this many
  // bytes of batches since the last entry.
  size_t index_interval_bytes = 4096;
  // segment.index.bytes: preallocated size of each index file.
  size_t max_index_bytes = 10 * 1024 * 1024;
  // Address space reserved for an active segment's mapping: the most its
  // .log can hold (segment.bytes, or one larger batch in an empty segment).
  uint64_t capacity_bytes = uint64_t{1} << 30;
  // The largest file reservation (fallocate) made at a time; they start at
  // 64 KiB and double up to this.
  uint64_t reserve_chunk_bytes = uint64_t{16} << 20;
  // Keep one reservation of headroom faulted in ahead of the appender, on
  // the prefaulter's thread (log/prefaulter.h), while the appender is fast
  // (see Segment::ReserveFor).
  bool prefault = true;
  // The appender was fast in the segment before this one (a roll): its
  // first reservation is prefaulted too.
  bool appending_fast = false;
  // Start writing through the file (see Segment::WriteThroughFile): for
  // logs that sync.
  bool write_through = false;
  // Times the appender's pace for the prefaulter's page-size choice (see
  // Segment::ReserveFor); nullptr: Clock::Real().
  Clock* clock = nullptr;
  // How many .log files deleted by retention (DeleteFiles) are kept in the
  // directory's recycle pool for new active segments (CreateActive) to
  // reuse; 0 disables recycling. See "Recycling" above.
  int recycle_files = 0;
};

// Bytes of a segment, with the mapping that holds them pinned: valid for as
// long as this object (or a copy) lives, whatever happens to the segment.
struct PinnedBytes {
  std::shared_ptr<const MappedRegion> mapping;
  absl::string_view bytes;
};

// What a recovery scan of one segment found.
struct SegmentScan {
  uint64_t valid_bytes = 0;  // the prefix made of whole, valid batches
  int64_t next_offset = 0;   // last valid batch's last offset + 1
  int64_t batches = 0;
  uint64_t invalid_bytes = 0;  // bytes after the valid prefix
  bool tail_is_zeros = true;   // all invalid bytes are zero (preallocation)
  absl::Status first_error;    // why the scan stopped early (OK if it didn't)
};

class Segment {
 public:
  // Creates a new, empty active segment in `dir` (its .log must not exist).
  static absl::StatusOr<std::shared_ptr<Segment>> CreateActive(
      FileSystem* fs, std::string dir, int64_t base_offset,
      const SegmentOptions& options);

  // An existing segment, nothing opened yet. `size` and `next_offset` come
  // from recovery or, for segments below the recovery point, from the file
  // size and the next segment's base offset (whichever the log knows).
  static std::shared_ptr<Segment> Existing(FileSystem* fs, std::string dir,
                                           int64_t base_offset,
                                           const SegmentOptions& options);

  ~Segment();
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  int64_t base_offset() const { return base_offset_; }
  const std::string& log_path() const { return log_path_; }
  const std::string& index_path() const { return index_path_; }
  const std::string& time_index_path() const { return time_index_path_; }

  // Bytes of whole batches readers may see (acquire).
  uint64_t size() const { return size_.load(std::memory_order_acquire); }
  // One past the last offset in the segment (base_offset if empty).
  int64_t next_offset() const {
    return next_offset_.load(std::memory_order_acquire);
  }
  // Largest batch max_timestamp seen so far (-1 if none) and the last offset
  // of the batch that holds it.
  int64_t max_timestamp() const;
  int64_t offset_of_max_timestamp() const;
  // The largest batch max_timestamp in the segment (retention.ms): known
  // for scanned or appended segments, else read from the time index's last
  // entry (or, failing that, the batch headers). -1 if empty.
  absl::StatusOr<int64_t> LargestTimestamp();
  // Timestamp of the first batch (for segment.ms); -1 if empty.
  int64_t first_batch_timestamp() const;

  // --- Appender side (one thread at a time; the Log's append lock). ---

  // Appends one batch, writing header.base_offset (the offset the log
  // assigns) and header.partition_leader_epoch into the copied bytes; the
  // rest of `header` must be the batch's own parsed header. Errors:
  // ResourceExhausted if the file cannot be extended (the segment is
  // unchanged), FailedPrecondition if it would not fit in capacity_bytes or the
  // segment is sealed.
  absl::Status Append(absl::string_view batch, const RecordBatchHeader& header);
  // From now on Append writes through the file (pwrite) instead of storing
  // into the mapping, and nothing more is prefaulted. For logs that sync:
  // msync write-protects every page of each folio it writes back (up to
  // 2 MiB), so stores after a sync fault again page by page (each fault
  // marking the whole folio dirty, so the next sync writes it all again);
  // a write dirties only the blocks written and takes no fault. Any thread.
  void WriteThroughFile() {
    write_through_.store(true, std::memory_order_relaxed);
  }
  // Zero-copy append, step 1: `max_bytes` of writable space at the tail
  // (reserved and mapped), not visible to readers. Valid until the next
  // ReserveTail/Append/Seal.
  absl::StatusOr<absl::Span<char>> ReserveTail(size_t max_bytes);
  // Step 2: publishes the header.size_bytes()-byte batch written at the
  // start of the reserved tail, stamping base offset and leader epoch as
  // Append does.
  absl::Status CommitTail(const RecordBatchHeader& header);
  // True if the next batch would add an index entry (more than
  // index.interval.bytes were appended since the last one) and the offset
  // or time index has no room for it: roll first. Appender only; takes mu_
  // only when an entry is due, so most appends take no lock a reader takes.
  bool NoRoomForNextIndexEntry() const;
  // Makes bytes [from, to) of the .log durable (msync of that range); the
  // whole segment (SyncSealed) if it was sealed without a sync.
  absl::Status SyncRange(uint64_t from, uint64_t to);
  // Makes the whole segment durable: .log data and size (fdatasync), and
  // the indexes of a segment sealed without a sync.
  absl::Status SyncAll();
  // Ends the active state: appends the final time-index entry and trims
  // the indexes to their logical sizes. SyncSealed trims the .log and
  // syncs all three; nothing may count the segment durable before it has.
  // The mapping stays for readers.
  absl::Status Seal();
  // For a sealed segment not synced yet: trims the .log to size() and
  // syncs it (through the appender's descriptor, kept for this) and both
  // indexes. The segment's mutex is not held while data is written back, so
  // readers go on. OK, doing nothing, if it was synced already or its files
  // were deleted (retention, truncation).
  absl::Status SyncSealed();

  // --- Recovery (before the segment is shared with readers). ---

  // Scans every batch from the start, checking headers, CRCs and that
  // offsets increase from `min_base_offset`, and rebuilds both indexes from
  // the valid prefix. Sets size/next_offset to the valid prefix. Does not
  // truncate: the caller decides (TruncateTo) what to do with the rest.
  absl::StatusOr<SegmentScan> Recover(int64_t min_base_offset);
  // Cuts the .log to `size` bytes (after Recover found garbage past it).
  absl::Status TruncateTo(uint64_t size);
  // Reopens a recovered or loaded segment as the active one: read-write
  // with a growable mapping, indexes writable (rebuilt if inconsistent).
  absl::Status MakeActive();
  // For a sealed segment that was not scanned: trusts its file size and
  // validates (or rebuilds) its indexes lazily on first use.
  absl::Status LoadSealed(int64_t next_offset);

  // --- Truncation (the Log's append lock held). ---

  // Where a cut at `offset` falls: the first batch holding an offset >=
  // `offset` (a straddling batch goes whole), or the end.
  struct Cut {
    uint64_t position = 0;    // bytes kept
    int64_t next_offset = 0;  // the segment's next offset after the cut
  };
  absl::StatusOr<Cut> FindCut(int64_t offset);
  // Drops every batch at or after FindCut(offset), durably: publishes the
  // smaller size first (readers taking bytes from now on stop there), then
  // cuts the .log (ftruncate) — or, if a reader still pins a mapping of
  // it, zeroes the dropped bytes instead, so no pinned page ever lies past
  // the end of file — and syncs it; truncates both indexes (flushed,
  // trimmed, synced) and recomputes the timestamps. The segment ends
  // sealed-like (not active); MakeActive makes it the active one again.
  absl::StatusOr<Cut> CutAt(int64_t offset);
  // How many CutAt calls have started (each bumps it before changing any
  // size or byte). A reader that sees it change during a walk may have
  // read bytes being cut or rewritten, and reads again.
  uint64_t cuts() const { return cuts_.load(std::memory_order_acquire); }
  // cuts() for the check after a walk: a read-modify-write, so the byte
  // reads before it cannot be ordered after it (a fence would do, but
  // GCC's ThreadSanitizer rejects fences).
  uint64_t cuts_after_reads() const {
    return cuts_.fetch_add(0, std::memory_order_acq_rel);
  }

  // --- Reader side (any thread). ---

  // Where to start reading for `offset`: the position of a batch at or
  // before the one holding it (offset index lookup).
  absl::StatusOr<uint64_t> FindPosition(int64_t offset);
  // The bytes [position, position + length), which must lie inside size()
  // (checked under the segment's lock, so against a concurrent CutAt too).
  // Maps the segment first if it is not mapped.
  absl::StatusOr<PinnedBytes> View(uint64_t position, uint64_t length);
  // The bytes [position, size()), size() read under the segment's lock: a
  // reader walking them never passes a concurrent CutAt.
  absl::StatusOr<PinnedBytes> ViewFrom(uint64_t position);
  // The time-index entry with the largest timestamp <= ts (or
  // {-1, base_offset}).
  absl::StatusOr<TimestampOffset> LookupTime(int64_t timestamp);

  // Releases descriptors and mappings of a sealed segment no one reads (the
  // Log's open-segment budget). Reopened lazily.
  void ReleaseResources();
  bool is_open() const;
  // Whether the appender was fast at its last reservation here (for the
  // next segment's SegmentOptions::appending_fast). Appender only.
  bool appending_fast() const { return appending_fast_; }

  // Recovery found bytes at this position that are not a valid batch, in a
  // segment that is not the last one: reads of the offsets that should be
  // there fail with DataLoss naming file and position. -1 if none.
  int64_t corrupt_position() const {
    return corrupt_position_.load(std::memory_order_acquire);
  }
  void set_corrupt_position(int64_t position) {
    corrupt_position_.store(position, std::memory_order_release);
  }

  // Compaction is about to replace this segment's files: from now on it
  // must not open them by path (an open segment keeps serving what it has
  // mapped). Lazy opens fail with Unavailable; the Log then retries with
  // its new segment list. Unretire undoes it if the swap was rolled back.
  void Retire();
  void Unretire();

  // Deletes the segment's files (retention). Readers that hold the segment
  // keep their views; the mapping goes when the last of them lets go. With
  // recycling and `may_recycle`, a sealed .log nobody has mapped goes to
  // the pool instead. Truncation passes false: a truncated segment's
  // batches have offsets above the cut, which a recycled file must never
  // hold (recovery tells stale bytes by their lower offsets).
  absl::Status DeleteFiles(bool may_recycle = true);

  // The pool file names in `dir` (sorted).
  static absl::StatusOr<std::vector<std::string>> ListRecyclePool(
      FileSystem* fs, absl::string_view dir);

 private:
  Segment(FileSystem* fs, std::string dir, int64_t base_offset,
          const SegmentOptions& options);

  absl::Status EnsureMappedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status SyncFilesOfSeal(File& log_file);
  // Opens this segment's .log for CreateActive: a pool file renamed to it
  // if recycling finds one, else a new file.
  absl::StatusOr<std::unique_ptr<File>> CreateLogFile(absl::string_view dir);
  // DeleteFiles' recycling step: true if the .log went to the pool.
  bool MoveLogToPoolLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Lets go of map_, remembering it while readers may still pin it.
  void DropMapLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status RetiredError() const;
  absl::Status EnsureIndexesLocked(bool writable)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status ReserveFor(uint64_t end);
  // Maps the file read-write over `length` bytes, growable to the
  // capacity, for the appender (map_, active_map_ and active_file_).
  absl::Status MapForAppendLocked(uint64_t length)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // True if the appender reached `end` at kFastAppendRate or faster since
  // the last reservation (for the first one: SegmentOptions::appending_fast).
  bool AppendingFast(uint64_t end);
  absl::Status IndexBatch(const RecordBatchHeader& header, uint64_t position)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // IndexBatch's steps: the largest timestamp so far (atomics), whether an
  // index entry is due, and the entries themselves.
  void NoteMaxTimestamp(const RecordBatchHeader& header);
  bool IndexEntryDue() const {
    return bytes_since_index_entry_ > options_.index_interval_bytes;
  }
  absl::Status AddIndexEntryLocked(int64_t last_offset, uint64_t position)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status RebuildIndexesLocked(absl::string_view bytes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status OpenWritableIndexesLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool IndexesConsistentLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CloseIndexesDurablyLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Trims both indexes to their entries and closes them (no sync).
  absl::Status CloseIndexesLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // fdatasyncs both index files, through descriptors of their own.
  absl::Status SyncIndexFiles();
  // FindCut, also giving the timestamps of the batches kept (-1 if none).
  absl::StatusOr<Cut> FindCutLocked(int64_t offset, int64_t* first_timestamp,
                                    int64_t* max_timestamp,
                                    int64_t* offset_of_max_timestamp)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // True if a reader (or the prefaulter) holds a mapping of this segment.
  bool PinnedLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // CutAt's file step: cut or zero [position, old_size) and sync.
  absl::Status CutLogFileLocked(uint64_t position, uint64_t old_size)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status TruncateIndexesLocked(int64_t next_offset)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Writes the log's base offset and leader epoch into `batch` (whose
  // first bytes are a batch header).
  static absl::Status Stamp(absl::Span<char> batch,
                            const RecordBatchHeader& header);
  // Append's write-through step: the batch, stamped as CommitTail stamps
  // it, written at `position` with File::WriteAt.
  absl::Status WriteStamped(absl::string_view batch,
                            const RecordBatchHeader& header, uint64_t position);
  // CommitTail's last step: indexes and publishes the batch at `position`.
  absl::Status PublishTail(const RecordBatchHeader& header, uint64_t position);

  FileSystem* const fs_;
  const int64_t base_offset_;
  const std::string log_path_;
  const std::string index_path_;
  const std::string time_index_path_;
  const std::string dir_;
  const SegmentOptions options_;

  // Published state.
  std::atomic<uint64_t> size_{0};
  std::atomic<int64_t> next_offset_;

  // Held across SyncSealed (not mu_: readers go on meanwhile).
  Mutex seal_sync_mu_ ABSL_ACQUIRED_BEFORE(mu_);

  // Open state; mu_ guards opening, closing and (re)mapping. Readers lock
  // it for every view: it gets its own cache line, away from the published
  // state above and the appender's below.
  alignas(kCacheLineBytes) mutable Mutex mu_;
  std::unique_ptr<File> file_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<MappedRegion> map_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<OffsetIndex> index_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<TimeIndex> time_index_ ABSL_GUARDED_BY(mu_);
  // Mappings map_ held before (readers may still pin them): the segment is
  // recycled only once all of them are gone.
  std::vector<std::weak_ptr<const MappedRegion>> released_maps_
      ABSL_GUARDED_BY(mu_);
  bool active_ ABSL_GUARDED_BY(mu_) = false;
  bool retired_ ABSL_GUARDED_BY(mu_) = false;
  // Sealed and neither synced (SyncSealed) nor deleted since.
  bool unsynced_seal_ ABSL_GUARDED_BY(mu_) = false;
  // The appender's .log handle, from Seal until SyncSealed
  // (which holds it meanwhile).
  std::unique_ptr<File> unsynced_file_ ABSL_GUARDED_BY(mu_);
  // An index file was unreadable and recreated empty: rebuild from the log.
  bool indexes_need_rebuild_ ABSL_GUARDED_BY(mu_) = false;

  // Appender-only state (the Log's append lock). active_map_ == map_ while
  // the segment is active.
  alignas(kCacheLineBytes) MappedRegion* active_map_ = nullptr;
  File* active_file_ = nullptr;  // file_, while active_map_ is set
  uint64_t reserved_ = 0;        // file bytes reserved (active)
  uint64_t chunk_ = 0;           // size of the last reservation
  // When the last reservation was made, and the write position then.
  absl::Time last_reserve_time_ = absl::InfinitePast();
  uint64_t last_reserve_end_ = 0;
  bool huge_pages_advised_ = false;
  // The last reservation found the appender fast (see AppendingFast).
  bool appending_fast_ = false;
  uint64_t bytes_since_index_entry_ = 0;
  std::atomic<int64_t> max_timestamp_{-1};
  std::atomic<int64_t> offset_of_max_timestamp_;
  std::atomic<int64_t> first_batch_timestamp_{-1};
  std::atomic<bool> open_{false};
  std::atomic<int64_t> corrupt_position_{-1};
  mutable std::atomic<uint64_t> cuts_{0};
  // The appender's write position (size()), shared with the prefaulter so
  // it skips what the appender already wrote.
  const std::shared_ptr<std::atomic<uint64_t>> progress_ =
      std::make_shared<std::atomic<uint64_t>>(0);
  bool recycled_ = false;            // set by CreateActive only
  std::atomic<bool> write_through_;  // see WriteThroughFile
};

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_LOG_SEGMENT_H_
