// Copyright 2026 The Runnel Authors.
//
// replication/leader_epoch_cache.h — one partition replica's leader-epoch
// history (Kafka's LeaderEpochFileCache): which leader epoch wrote which
// offsets, kept durable in the partition's `leader-epoch-checkpoint`
// (replication/leader_epoch_checkpoint.h). Replication uses it to answer
// OffsetsForLeaderEpoch, to detect a diverging follower on fetch (KIP-101,
// KIP-279, KIP-320), and to truncate the history with the log. Internal.
//
//   absl::StatusOr<std::unique_ptr<runnel::LeaderEpochCache>> cache =
//       runnel::LeaderEpochCache::Open(fs, dir + "/leader-epoch-checkpoint");
//   if (!cache.ok()) return cache.status();
//   // The leader appends the first batch of its epoch 5 at offset 1200:
//   RETURN_IF_ERROR((*cache)->Assign(5, 1200));
//   // A follower asks where its last epoch 4 ends on the leader:
//   runnel::EpochEndOffset end = (*cache)->EndOffsetFor(4, log_end_offset);
//   // -> {4, 1200}: the follower truncates to 1200 and fetches from there.
//
// Invariant: entries are strictly increasing in both epoch and start offset
// (Assign removes whatever would break it, as Kafka does).
//
// Durability: every change is written through the file (ReplaceFileDurably:
// tmp, sync, rename, directory sync) before the call returns. If the write
// fails the in-memory history is unchanged and the error is returned; the
// file then holds the old or the new history (a rename may have landed
// before a failed directory sync), so a replica should treat such an error
// as a storage failure and reopen. Calls that change nothing write nothing.
//
// Thread-safety: all methods are thread-safe (one internal mutex; writes
// happen under it, which also keeps writes of the file serialized).
//
// Lifetimes: `fs` is not owned and must outlive the cache.
#ifndef RUNNEL_REPLICATION_LEADER_EPOCH_CACHE_H_
#define RUNNEL_REPLICATION_LEADER_EPOCH_CACHE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "replication/leader_epoch_checkpoint.h"
#include "runnel/file_system.h"
#include "runnel/replica_messages.h"
#include "util/mutex.h"

namespace runnel {

class LeaderEpochCache {
 public:
  // Loads `path`. A missing file is an empty history (the file is created by
  // the first change); a malformed one is DataLoss naming path and line.
  static absl::StatusOr<std::unique_ptr<LeaderEpochCache>> Open(
      FileSystem* fs, absl::string_view path);

  LeaderEpochCache(const LeaderEpochCache&) = delete;
  LeaderEpochCache& operator=(const LeaderEpochCache&) = delete;

  // Records that `epoch` starts at `start_offset`. A no-op if `epoch` is
  // already the latest epoch and starts at or before `start_offset` (an
  // epoch's start never moves up). Otherwise every entry whose epoch is >=
  // `epoch` or whose start offset is >= `start_offset` is removed first
  // (they conflict with the new entry), then the entry is added and the
  // file written. InvalidArgument if either value is negative.
  absl::Status Assign(int32_t epoch, int64_t start_offset);

  // The latest epoch / entry; nullopt when the history is empty.
  std::optional<int32_t> LatestEpoch() const;
  std::optional<EpochEntry> LatestEntry() const;
  std::optional<EpochEntry> EarliestEntry() const;

  // The epoch of the record at `offset`: the epoch of the last entry that
  // starts at or before it; nullopt if `offset` is before the first entry
  // (or the history is empty).
  std::optional<int32_t> EpochForOffset(int64_t offset) const;

  // Kafka's answer to OffsetsForLeaderEpoch for `requested_epoch` (KIP-101,
  // KIP-279): the largest known epoch <= requested and the offset where it
  // ends, i.e. where the next larger epoch starts.
  //   requested == kUndefinedEpoch, or the history is empty  -> {-1, -1}
  //   requested == the latest epoch                          -> {requested,
  //                                                             log_end_offset}
  //   requested > the latest epoch                           -> {-1, -1}
  //   requested below the first epoch  -> {requested, first entry's start}
  //   otherwise -> {floor epoch, start offset of the first epoch > requested}
  EpochEndOffset EndOffsetFor(int32_t requested_epoch,
                              int64_t log_end_offset) const;

  // The log was truncated to `end_offset` (offsets >= it are gone): removes
  // every entry starting at or after it. No-op for a negative offset (e.g.
  // kUndefinedEpochOffset).
  absl::Status TruncateFromEnd(int64_t end_offset);

  // The log now starts at `start_offset` (offsets below it are gone): removes
  // every entry starting at or before it and re-adds the last one removed
  // with `start_offset` as its start, so the epoch in force at the new log
  // start is kept. Exclusive: an entry starting exactly at `start_offset`
  // stays as it is.
  absl::Status TruncateFromStart(int64_t start_offset);

  // Removes every entry (Kafka's clearAndFlush).
  absl::Status Clear();

  // The history, oldest first.
  std::vector<EpochEntry> Entries() const;

  const std::string& path() const { return path_; }

 private:
  LeaderEpochCache(FileSystem* fs, std::string path,
                   std::vector<EpochEntry> entries);

  // Writes `next` and adopts it; writes nothing if it equals the current
  // history.
  absl::Status Commit(std::vector<EpochEntry> next)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  FileSystem* const fs_;
  const std::string path_;
  mutable Mutex mu_;
  std::vector<EpochEntry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace runnel

#endif  // RUNNEL_REPLICATION_LEADER_EPOCH_CACHE_H_
