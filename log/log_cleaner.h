// Copyright 2026 The Runnel Authors.
//
// log/log_cleaner.h — log compaction (Kafka's `cleanup.policy=compact`, and
// the compaction half of `compact,delete`): rewrites a partition's sealed
// segments keeping, for every key, only its latest record, and dropping
// tombstones (null values) once they are older than delete.retention.ms.
// Offsets never change — compaction leaves gaps. Internal to log/: the Log
// runs it (Log::Compact, background cleaning) and swaps its in-memory
// segment list as groups are replaced.
//
//   runnel::internal::LogCleanerOptions options;
//   options.delete_retention_ms = 24 * 3600 * 1000;
//   options.segment_bytes = log_options.segment_bytes;
//   runnel::internal::LogCleaner cleaner(fs, options);
//   runnel::internal::CleanRequest request;
//   request.dir = "/data/orders-0";
//   request.segment_base_offsets = {0, 100, 250};  // sealed, ascending
//   request.end_offset = 400;             // the active segment's base
//   request.first_dirty_offset = checkpoint;  // or the log start offset
//   request.now_ms = clock->NowMs();
//   absl::StatusOr<runnel::internal::CleanResult> result =
//       cleaner.Clean(request, [&](const CleanedGroup& group,
//                                  const SwapFunction& swap) {
//         MutexLock lock(&log_mu);     // no reader may (re)open files now
//         SwapOutcome outcome = swap();
//         if (outcome.committed) ReplaceSegments(group);  // in memory
//         return outcome.status;
//       });
//   if (result.ok()) checkpoint = result->next_dirty_offset;
//
// ONE PASS (Clean):
//   0. CompleteInterruptedCleaning(dir) (log/cleaner_swap.h): leftovers of
//      an earlier pass are finished or undone first.
//   1. MAP: from first_dirty_offset, every record with a key of every
//      non-control batch puts hash(key) → offset into a bounded OffsetMap
//      (log/offset_map.h: 24 bytes per key, at most max_map_bytes). When a
//      new key no longer fits, mapping stops at that record's offset: the
//      pass then cleans only up to there (next_dirty_offset) and a later
//      pass continues (Kafka's dirty-range handling).
//   2. GROUP the segments that hold offsets below next_dirty_offset: runs of
//      adjacent segments whose total size stays <= segment_bytes, whose
//      offsets fit int32 relative to the first one's base, and whose index
//      entries fit segment_index_bytes (Kafka's groupSegmentsBySize).
//   3. For each group, in ascending order: COPY its batches into a new
//      segment b0.{log,index,timeindex}.cleaned (b0 = the group's first base
//      offset), keeping a record iff
//        - its offset is >= next_dirty_offset (not covered by the map), or
//        - it has a key, no later offset of that key is in the map, and it
//          is not an expired tombstone;
//      then SWAP the cleaned segment in for the group (the SwapHook, or
//      directly): log/cleaner_swap.h, crash-safe.
//   A group that is one segment and would lose nothing is left as it is.
//
// RULES, and where they differ from Kafka 3.x:
//   - Tombstones: a record with a null value is dropped when its segment's
//     largest batch timestamp + delete_retention_ms <= now_ms (Kafka's
//     pre-KIP-534 rule, with the segment's largest timestamp standing in
//     for its file's last-modified time). A batch that carries Kafka's
//     delete-horizon attribute (written by Kafka's cleaner) uses it
//     instead: its tombstones go once now_ms >= the horizon. Runnel does not
//     set the attribute. Only tombstones below next_dirty_offset are
//     dropped: every older record of the key goes in the same pass (the map
//     supersedes it), or went in the earlier pass that mapped the tombstone
//     (below first_dirty_offset) — so first_dirty_offset must come from a
//     completed pass.
//   - Null keys: records without a key cannot be compacted; Kafka rejects
//     them on produce for compacted topics and its cleaner discards them.
//     So does this one, below next_dirty_offset, unless
//     retain_null_key_records is set (Runnel's Log accepts them today).
//   - Empty batches: a batch that retains nothing is dropped (Kafka keeps
//     the last batch of each active idempotent producer, empty, to keep
//     producer state; Runnel has no producer state yet).
//   - Control batches are copied unchanged and never mapped; transactional
//     data batches are compacted like others (aborted transactions are not
//     yet removed: transactions come later).
//   - Batches in a codec Runnel cannot decode (gzip, snappy, zstd) are
//     copied unchanged and their keys are not mapped: the result is then
//     less compact than Kafka's, but never loses a latest value.
//   - The cleaned segment of a group whose records are all superseded is an
//     empty segment (a 0-byte .log) named b0: the log keeps its first base
//     offset, as Kafka does.
//
// MEMORY: the OffsetMap (<= max_map_bytes), one decoded batch (LZ4 output
// <= max_decompressed_bytes), and the write buffer (write_buffer_bytes).
// Source segments are read through read-only mappings.
//
// THE LOG'S PART (integration):
//   - Open: call CompleteInterruptedCleaning(fs, dir) before listing
//     segment files.
//   - Only sealed segments are passed, never the active one. Nothing else
//     may create, delete or rename segment files below end_offset while
//     Clean runs (retention, DeleteRecords, another Clean): serialize them.
//     Appends and reads may continue.
//   - In the SwapHook, while swap() runs and until the new list is
//     published, no reader may open a file of the group by path (a lazily
//     reopened old Segment would find the new b0.log, or no file); hold the
//     lock that guards lazy opening, and retire the old Segment objects
//     (those already mapped keep their old bytes; unmapped ones must not
//     reopen by path). After a committed swap the group's segments become
//     one: Segment::Existing(b0) + LoadSealed(group.next_offset).
//   - Reads must skip gaps: an offset may be missing inside a segment, at
//     its end, or in a whole empty segment; the next batch with a larger
//     last offset (maybe in a later segment) is the answer.
//   - Persist next_dirty_offset (Kafka's cleaner-offset-checkpoint) and pass
//     it as first_dirty_offset next time; passing the log start offset is
//     always correct, only slower.
//
// Thread-safety: a LogCleaner is immutable; Clean may run on any thread,
// one pass per directory at a time (see above). The hook runs on Clean's
// thread. Lifetimes: the FileSystem must outlive the LogCleaner.
#ifndef RUNNEL_LOG_LOG_CLEANER_H_
#define RUNNEL_LOG_LOG_CLEANER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "log/cleaner_swap.h"
#include "runnel/file_system.h"

namespace runnel {
namespace internal {

// Kafka's topic / broker config key and default in each comment.
struct LogCleanerOptions {
  // delete.retention.ms (86400000, 1 day): how long tombstones stay.
  int64_t delete_retention_ms = 86400000;
  // log.cleaner.dedupe.buffer.size (134217728): memory for the key-hash →
  // offset map; 24 bytes per key (see log/offset_map.h).
  size_t max_map_bytes = size_t{128} << 20;
  // log.cleaner.io.buffer.load.factor (0.9): how full the map may get.
  double map_load_factor = 0.9;
  // segment.bytes (1 GiB): a group's total size limit.
  uint64_t segment_bytes = uint64_t{1} << 30;
  // segment.index.bytes (10 MiB): each cleaned index file's size limit.
  size_t segment_index_bytes = 10 * 1024 * 1024;
  // index.interval.bytes (4096): bytes between offset-index entries.
  size_t index_interval_bytes = 4096;
  // Runnel: keep records with a null key instead of dropping them.
  bool retain_null_key_records = false;
  // Runnel: the largest decompressed batch the cleaner will decode.
  size_t max_decompressed_bytes = size_t{64} << 20;
  // Runnel: bytes of output buffered before each write.
  size_t write_buffer_bytes = size_t{1} << 20;
};

struct CleanRequest {
  // The partition directory.
  std::string dir;
  // Base offsets of the sealed segments to consider, strictly ascending:
  // the log's segments from the first up to, not including, the active one.
  // Each `<base>.log` must be a complete sealed (trimmed) segment.
  std::vector<int64_t> segment_base_offsets;
  // The base offset of the segment after the last one given (the active
  // segment): every offset in the given segments is below it.
  int64_t end_offset = 0;
  // Offsets below this were cleaned by an earlier pass (its
  // next_dirty_offset); mapping starts here. The first segment's base (or
  // 0) means "map everything".
  int64_t first_dirty_offset = 0;
  // The current time (ms since the epoch), for delete.retention.ms.
  int64_t now_ms = 0;
  // If set and it becomes true, Clean stops at the next batch or group
  // boundary with CancelledError (groups already swapped stay swapped).
  const std::atomic<bool>* cancel = nullptr;
};

// One group of segments replaced by one cleaned segment.
struct CleanedGroup {
  // The cleaned segment's base offset (== replaced_base_offsets.front()).
  int64_t base_offset = 0;
  // The segments it replaces, ascending (one or more).
  std::vector<int64_t> replaced_base_offsets;
  // The base offset of the segment after the group (or end_offset): the
  // cleaned segment's next_offset for Segment::LoadSealed.
  int64_t next_offset = 0;
  uint64_t bytes_before = 0;  // the replaced .log files
  uint64_t bytes_after = 0;   // the cleaned .log
  int64_t records_removed = 0;
};

// What one pass read and removed.
struct CleanStats {
  int64_t segments_read = 0;     // segments copied (groups' members)
  int64_t segments_written = 0;  // cleaned segments swapped in
  int64_t batches_read = 0;
  int64_t batches_removed = 0;  // retained nothing
  int64_t records_read = 0;
  int64_t records_removed = 0;  // all reasons, including the two below
  int64_t tombstones_removed = 0;
  int64_t null_key_records_removed = 0;
  int64_t undecodable_batches_kept = 0;  // gzip/snappy/zstd
  int64_t map_entries = 0;               // distinct keys mapped
  uint64_t bytes_read = 0;               // .log bytes of the groups copied
  uint64_t bytes_written = 0;            // .log bytes of the cleaned output
};

struct CleanResult {
  // Offsets below this are clean now: persist it and pass it as the next
  // pass's first_dirty_offset. == end_offset when the map covered
  // everything; less when the map filled up.
  int64_t next_dirty_offset = 0;
  // The groups swapped in, ascending.
  std::vector<CleanedGroup> groups;
  // request.segment_base_offsets after the swaps (each group's members but
  // the first are gone).
  std::vector<int64_t> segment_base_offsets;
  CleanStats stats;
};

// Runs steps 2-5 of the swap (log/cleaner_swap.h) for the group it is
// handed with.
using SwapFunction = std::function<SwapOutcome()>;
// Called once per group whose cleaned files are ready. It must call swap()
// (at most once), typically under the Log's lock, and update the Log's
// segment list if the outcome is committed; its return value becomes
// Clean's error if not OK. If it returns without calling swap(), the
// cleaned files are removed and Clean stops (CancelledError if it returned
// OK): later groups may not be swapped before earlier ones.
using SwapHook =
    std::function<absl::Status(const CleanedGroup&, const SwapFunction&)>;

class LogCleaner {
 public:
  // `fs` is not owned.
  LogCleaner(FileSystem* fs, LogCleanerOptions options);

  // One cleaning pass (see ONE PASS). `hook` may be empty (swap directly).
  // Errors: InvalidArgument for a bad request or options (naming the
  // field), DataLoss for a corrupt or out-of-order batch (naming file and
  // position), Cancelled, the file system's (naming the path). On error,
  // groups already swapped stay swapped (the hook saw them); the group in
  // progress is rolled back or forward; the directory is a consistent log.
  absl::StatusOr<CleanResult> Clean(const CleanRequest& request,
                                    const SwapHook& hook = nullptr) const;

  const LogCleanerOptions& options() const { return options_; }

 private:
  FileSystem* const fs_;
  const LogCleanerOptions options_;
};

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_LOG_LOG_CLEANER_H_
