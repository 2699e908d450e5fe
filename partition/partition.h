// Copyright 2026 The Runnel Authors.
//
// runnel/partition.h — one partition of a topic on an in-process Broker: its
// Log plus the state that consumers and replication need (high watermark,
// leader epoch, replicas, in-sync replicas) and a way to wait for new data
// without polling.
//
// Partitions come from a Broker (runnel/broker.h); applications do not build
// them. Producers and consumers (to come) use them; until then they are the
// way to append to and read from a topic directly:
//
//   absl::StatusOr<std::shared_ptr<runnel::Partition>> p =
//       broker->GetPartition("orders", 0);
//   if (!p.ok()) return p.status();
//   RETURN_IF_ERROR((*p)->Append(batch).status());
//   // A consumer at `next` blocks until there is something to read:
//   if ((*p)->WaitForData(next, absl::Now() + absl::Seconds(5))) {
//     absl::StatusOr<runnel::FetchResult> f = (*p)->Fetch(next, 1 << 20);
//     ...
//   }
//
// Visibility: a batch is readable by Fetch once it is below the high
// watermark. With replication factor 1 (until the replication interface
// arrives) the high watermark is the log end offset, so a batch is
// readable as soon as its Append returns. Durability is the Log's contract
// (runnel/log.h): Sync makes appended batches durable.
//
// Waiting: WaitForData blocks until the high watermark passes an offset, the
// deadline passes, or the partition is closed or deleted. To wait on many
// partitions at once, register one DataNotifier with each of them: every
// append that moves a high watermark signals it.
//
// Thread-safety: every method is thread-safe. Appends are serialized; reads
// and waits run concurrently with them and with each other.
//
// Lifetimes: a Partition is shared (std::shared_ptr) between the Broker and
// its users. After the Broker closes or the topic is deleted, every call
// fails (FailedPrecondition after Close, NotFound after delete) and waiters
// wake up; data already fetched stays readable while its FetchResult lives.
#ifndef RUNNEL_PARTITION_PARTITION_H_
#define RUNNEL_PARTITION_PARTITION_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "partition/producer_state.h"
#include "runnel/log.h"
#include "runnel/log_maintainer.h"
#include "runnel/read_only_log.h"
#include "util/mutex.h"

namespace runnel {

// A topic name and a partition number (Kafka's TopicPartition).
struct TopicPartition {
  std::string topic;
  int32_t partition = 0;

  template <typename H>
  friend H AbslHashValue(H h, const TopicPartition& tp) {
    return H::combine(std::move(h), tp.topic, tp.partition);
  }
  friend bool operator==(const TopicPartition& a, const TopicPartition& b) {
    return a.partition == b.partition && a.topic == b.topic;
  }
  friend bool operator!=(const TopicPartition& a, const TopicPartition& b) {
    return !(a == b);
  }
  // By topic, then partition (Kafka's sort order for assignments).
  friend bool operator<(const TopicPartition& a, const TopicPartition& b) {
    return a.topic != b.topic ? a.topic < b.topic : a.partition < b.partition;
  }
  // "orders-3", as Kafka prints it (and names the partition's directory).
  std::string ToString() const;
};

// Wakes one waiter when any partition it is registered with gets new data.
// Signals are sticky: a Notify before Wait makes the next Wait return at
// once, so "register, check for data, wait" misses nothing.
//
// Thread-safety: thread-safe. Lifetimes: unregister it from every partition
// (Partition::RemoveNotifier) before destroying it.
class DataNotifier {
 public:
  DataNotifier() = default;
  DataNotifier(const DataNotifier&) = delete;
  DataNotifier& operator=(const DataNotifier&) = delete;

  void Notify();
  // Waits for a Notify (or returns at once if one came since the last
  // Wait) until `deadline`. Returns whether it was notified; clears the
  // signal.
  bool WaitUntil(absl::Time deadline);

 private:
  Mutex mu_;
  CondVar cv_;
  bool signaled_ ABSL_GUARDED_BY(mu_) = false;
};

// What Fetch returns: whole batches below the high watermark.
struct FetchResult {
  // The batches (views into mapped segments) and the pins keeping them
  // mapped. `read.log_end_offset` is the log end offset at the read.
  LogReadResult read;
  int64_t high_watermark = 0;
  int64_t log_start_offset = 0;
};

// The partition's leadership and replica state, as DescribeTopics shows it.
struct PartitionState {
  int32_t leader = -1;  // broker id of the leader, -1 if none
  int32_t leader_epoch = 0;
  std::vector<int32_t> replicas;
  std::vector<int32_t> isr;  // in-sync replicas
};

class Partition {
 public:
  ~Partition();
  Partition(const Partition&) = delete;
  Partition& operator=(const Partition&) = delete;

  const TopicPartition& topic_partition() const { return id_; }
  // The partition's directory (`<data_dir>/<topic>-<partition>`), where the
  // replication layer keeps its checkpoint files beside the log.
  const std::string& dir() const { return dir_; }
  const std::string& topic() const { return id_.topic; }
  int32_t partition() const { return id_.partition; }

  // Appends whole batches (see Log::Append), wakes waiters. Errors: the
  // Log's; FailedPrecondition after Close; NotFound after the topic was
  // deleted; the open error if the partition is offline.
  absl::StatusOr<AppendInfo> Append(absl::string_view batches);
  // Zero-copy append (see Log::AppendInPlace), wakes waiters.
  absl::StatusOr<AppendInfo> AppendInPlace(
      size_t max_batch_bytes,
      absl::FunctionRef<absl::StatusOr<size_t>(absl::Span<char>)> build);
  // Makes every appended batch durable (Log::Sync).
  absl::Status Sync();

  // Reads whole batches from `offset` (see Log::Read), never at or past the
  // high watermark. Empty at the high watermark. OutOfRange (naming the
  // partition, offset and valid range) below the log start offset or past
  // the high watermark. `from`: the `read.next` of an earlier fetch, for a
  // sequential reader (see Log::Read; ignored by read-only partitions).
  absl::StatusOr<FetchResult> Fetch(int64_t offset, size_t max_bytes,
                                    const ReadPosition* from = nullptr);

  // Blocks until high_watermark() > offset (true), or until `deadline`, or
  // the partition is closed or deleted (false).
  bool WaitForData(int64_t offset, absl::Time deadline);
  // Registers `notifier` to be signalled on every append (and on close).
  void AddNotifier(DataNotifier* notifier);
  void RemoveNotifier(DataNotifier* notifier);

  // Kafka's offsetsForTimes (Log::OffsetForTimestamp).
  absl::StatusOr<OffsetAndTimestamp> OffsetForTimestamp(int64_t timestamp);
  // Kafka's deleteRecords (Log::DeleteRecordsBefore); -1 means the high
  // watermark, as in Kafka. Returns the new log start offset (low
  // watermark). OutOfRange past the high watermark.
  absl::StatusOr<int64_t> DeleteRecordsBefore(int64_t offset);

  // --- Replication: the replication layer (runnel/replica_manager.h)
  // calls these; applications do not. With one replica (the default) the
  // high watermark simply follows the log end and none of this is used.

  // Sets leader, leader epoch, replicas and ISR. The epoch never goes back
  // (InvalidArgument) and is stamped on the batches this broker appends as
  // leader. With more than one replica the high watermark stops following
  // appends: UpdateHighWatermark moves it.
  // `high_watermark` is used when the partition becomes replicated: the
  // high watermark drops to min(it, log end) (the last one known
  // committed, e.g. from a checkpoint; everything above may be lost).
  absl::Status SetReplicaState(PartitionState state, int64_t high_watermark);
  // acks=all's check before an append (Kafka's NOT_ENOUGH_REPLICAS):
  // FailedPrecondition naming the partition, the ISR and `min_insync`
  // unless at least `min_insync` replicas are in sync.
  absl::Status CheckInSyncReplicas(int32_t min_insync) const;
  // Leader: raises the high watermark to min(hw, log end) (never lowers
  // it). Follower (`follower` true): sets it to min(hw, log end). Wakes
  // waiters when it moves.
  void UpdateHighWatermark(int64_t hw, bool follower = false);
  // The leader's side of a follower fetch: whole batches from `offset`, up
  // to the log end (not the high watermark). As Log::Read.
  absl::StatusOr<LogReadResult> ReadForReplica(int64_t offset,
                                               size_t max_bytes);
  // Blocks until log_end_offset() > offset (true), `deadline` or close.
  bool WaitForLogEnd(int64_t offset, absl::Time deadline);
  // A follower's append of the leader's batches, offsets and epochs kept
  // (Log::AppendAsFollower); idempotent-producer state follows.
  absl::StatusOr<AppendInfo> AppendAsFollower(absl::string_view batches);
  // Log::TruncateTo / TruncateFullyAndStartAt; the producer state is
  // rebuilt and the high watermark lowered to the new end if above it.
  absl::Status TruncateTo(int64_t offset);
  absl::Status TruncateFullyAndStartAt(int64_t offset);

  // Offsets. 0 while the partition is offline.
  int64_t log_start_offset() const;
  int64_t log_end_offset() const;
  int64_t high_watermark() const;
  PartitionState state() const;
  // OK, or why the partition is offline (its Log failed to open), or
  // FailedPrecondition/NotFound once closed/deleted.
  absl::Status status() const;
  // The Log, while online (null otherwise, and always null on a read-only
  // broker). Valid until the Broker
  // reconfigures, deletes or closes the partition: keep the shared_ptr.
  std::shared_ptr<Log> log() const;

 private:
  friend class Broker;
  friend class TopicManager;

  // Opens the partition's log in `dir` with `options`; a failure leaves
  // the partition offline with that status (the Broker keeps going).
  // `read_only` (a Broker in read-only mode): a ReadOnlyLog instead, and
  // every call that would write fails with FailedPrecondition.
  Partition(TopicPartition id, std::string dir, LogOptions options,
            PartitionState state, LogMaintainer* maintainer,
            bool read_only = false);
  absl::Status OpenLog() ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  absl::Status OpenReadOnlyLog() ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  // Read-only: catches up with the writing process and wakes waiters if
  // the end moved. OK (nothing to do) for a writable partition.
  absl::Status RefreshReadOnly();
  // Read-only: whether anyone fetched, waited or registered a notifier,
  // so the Broker's tailer keeps this partition fresh.
  bool watched() const { return watched_.load(std::memory_order_relaxed); }
  // Reopens the log with new options (AlterConfigs). Appends wait.
  absl::Status Reconfigure(LogOptions options);
  // Closes the log; later calls fail with `why` (FailedPrecondition for a
  // broker close, NotFound for a topic delete). Wakes every waiter.
  absl::Status Shut(absl::Status why);

  // The online log, or the status saying why there is none
  // (FailedPrecondition for a read-only partition).
  absl::StatusOr<std::shared_ptr<Log>> Online() const;
  // The online read-only log, or the status saying why there is none.
  absl::StatusOr<std::shared_ptr<ReadOnlyLog>> OnlineReader() const;
  absl::Status ReadOnlyError(absl::string_view what) const;
  // The part of Fetch after the log is known: range checks, the read, and
  // cutting batches at the high watermark.
  absl::StatusOr<FetchResult> FetchFrom(
      int64_t offset, int64_t log_start, int64_t log_end,
      absl::FunctionRef<absl::StatusOr<LogReadResult>()> read);
  // Idempotent producers: the state is loaded from the snapshot written at
  // the last clean close plus a scan of the log after it, and saved again
  // at Shut.
  absl::Status LoadProducerState(Log& log)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  absl::Status SaveProducerState(Log& log)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  std::string ProducerStatePath() const;
  absl::Status AfterTruncation(Log& log)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  // The online log, for an append: like Online(), but without taking mu_
  // or copying the shared_ptr (log_ changes only under append_mu_ too).
  // Both live on cache lines every Fetch touches, so on the produce ->
  // consume path each would be a transfer between cores per append.
  absl::StatusOr<Log*> OnlineForAppend() const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  // Publishes what `log` (the online log) now holds and wakes waiters.
  void Appended(const Log& log) ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);
  void WakeAll();

  const TopicPartition id_;
  const std::string dir_;
  LogMaintainer* const maintainer_;
  const bool read_only_;
  std::atomic<bool> watched_{false};

  // Serializes appends with reconfiguration and shutdown. Each group below
  // starts a cache line: fetches lock mu_, appends lock append_mu_ and
  // wait_mu_, both read log_.
  alignas(kCacheLineBytes) Mutex append_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  LogOptions options_ ABSL_GUARDED_BY(append_mu_);
  internal::ProducerStateTable producers_ ABSL_GUARDED_BY(append_mu_);

  alignas(kCacheLineBytes) mutable Mutex mu_;
  alignas(kCacheLineBytes) std::shared_ptr<Log> log_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<ReadOnlyLog> reader_ ABSL_GUARDED_BY(mu_);  // read-only
  absl::Status status_ ABSL_GUARDED_BY(mu_);
  PartitionState state_ ABSL_GUARDED_BY(mu_);

  // Waiters: WaitForData's condition variable and registered notifiers.
  alignas(kCacheLineBytes) Mutex wait_mu_;
  CondVar data_;
  absl::flat_hash_set<DataNotifier*> notifiers_ ABSL_GUARDED_BY(wait_mu_);

  alignas(kCacheLineBytes) std::atomic<int64_t> high_watermark_{0};
  // More than one replica: the replication layer owns the high watermark.
  std::atomic<bool> replicated_{false};
  std::atomic<bool> shut_{false};
};

}  // namespace runnel

#endif  // RUNNEL_PARTITION_PARTITION_H_
