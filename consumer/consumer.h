// Copyright 2026 The Runnel Authors.
//
// runnel/consumer.h — Kafka's KafkaConsumer, in process: assign or
// subscribe, poll records straight out of the mapped segments, seek, and
// commit offsets durably in `__consumer_offsets`.
//
//   runnel::ConsumerOptions options;
//   options.group_id = "billing";                       // group.id
//   options.auto_offset_reset = runnel::OffsetReset::kEarliest;
//   auto consumer = runnel::Consumer::Create(broker.get(), options);
//   RETURN_IF_ERROR((*consumer)->Subscribe({"orders"}));
//   while (running) {
//     absl::StatusOr<runnel::ConsumerRecords> records =
//         (*consumer)->Poll(absl::Milliseconds(100));
//     if (!records.ok()) return records.status();   // e.g. DataLoss
//     for (const runnel::ConsumerRecord& r : *records) Handle(r);
//     RETURN_IF_ERROR((*consumer)->CommitSync());    // or auto-commit
//   }
//
// Records: keys, values and headers are views — into the mapped segment for
// uncompressed batches (no copy), into a decompressed buffer for LZ4 ones —
// valid as long as the ConsumerRecords that holds them. Every batch is
// CRC-checked before its records are returned: a corrupt one makes Poll
// fail with DataLoss naming topic, partition and offset, and the position
// stays there (Seek past it to go on).
//
// Poll blocks until records arrive, the timeout passes, or Wakeup: an append
// to an assigned partition wakes it at once (no sleep-and-retry).
//
// Positions start at the group's committed offset, else per
// auto.offset.reset (earliest, latest, or none: Poll fails with
// FailedPrecondition naming the partition). A position that fell out of
// the log (retention) is reset the same way.
//
// Groups (Kafka's semantics, in process): consumers that Subscribe with the
// same group.id share the partitions of their topics — each partition to
// one of them (the queue model); consumers in different groups each get
// every record (publish-subscribe). Membership is driven by Poll: the first
// Poll joins, a rebalance (a member joins, leaves, stalls past
// max.poll.interval.ms, or the subscribed topics change) is noticed by the
// next Poll of every member, which rejoins; the assignment comes from the
// group's partition.assignment.strategy (runnel/assignor.h). Rebalance
// callbacks (ConsumerRebalanceListener) run inside Poll, Unsubscribe and
// Close, on the caller's thread. Commits are checked against the member's
// generation: a member that was removed cannot overwrite its successor's
// progress (FailedPrecondition, Kafka's CommitFailedException). With
// Assign (no group management) commits need a group without members.
//
// Thread-safety: like Kafka's consumer, NOT thread-safe: use it from one
// thread at a time. A call made while another thread is inside one fails
// with FailedPrecondition (it never corrupts state). Wakeup may be called
// from any thread. Lifetimes: the Broker must outlive the consumer.
#ifndef RUNNEL_CONSUMER_CONSUMER_H_
#define RUNNEL_CONSUMER_CONSUMER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "runnel/assignor.h"
#include "runnel/broker.h"
#include "runnel/clock.h"
#include "runnel/partition.h"
#include "runnel/record_batch.h"
#include "util/pod_array.h"

namespace runnel {

class GroupCoordinator;
class OffsetStore;
struct MemberAssignment;
struct OffsetAndMetadata;

// auto.offset.reset.
enum class OffsetReset { kEarliest, kLatest, kNone };

// Consumer configuration. Kafka's consumer config key and default in each
// comment; FromProperties takes the same keys as strings.
struct ConsumerOptions {
  // group.id (none): needed to commit offsets and to Subscribe.
  std::string group_id;
  // client.id ("").
  std::string client_id;
  // auto.offset.reset ("latest").
  OffsetReset auto_offset_reset = OffsetReset::kLatest;
  // enable.auto.commit (true): with a group.id, Poll commits the positions
  // of the previous Poll every auto.commit.interval.ms, and Close commits.
  bool enable_auto_commit = true;
  // auto.commit.interval.ms (5000), on `clock`.
  absl::Duration auto_commit_interval = absl::Seconds(5);
  // max.poll.records (500): the most records one Poll returns.
  int max_poll_records = 500;
  // max.partition.fetch.bytes (1048576): bytes read per partition per Poll
  // (at least one batch).
  size_t max_partition_fetch_bytes = 1048576;
  // fetch.min.bytes (1) / fetch.max.wait.ms (500): accepted for Kafka
  // configs; an in-process Poll returns as soon as any record is there.
  size_t fetch_min_bytes = 1;
  absl::Duration fetch_max_wait = absl::Milliseconds(500);
  // max.poll.interval.ms (300000): a member that does not Poll for this
  // long (on `clock`) is removed from its group and its partitions move.
  absl::Duration max_poll_interval = absl::Minutes(5);
  // session.timeout.ms (45000): how long a member that stopped heartbeating
  // (closed with kRemainInGroup, as static members are by default) keeps
  // its place. An open consumer heartbeats implicitly.
  absl::Duration session_timeout = absl::Seconds(45);
  // heartbeat.interval.ms (3000): a Poll blocked this long wakes to check
  // the group (in real time).
  absl::Duration heartbeat_interval = absl::Seconds(3);
  // group.instance.id (none): static membership — a consumer that comes
  // back with the same id within session.timeout.ms gets its partitions
  // back without a rebalance.
  std::string group_instance_id;
  // partition.assignment.strategy ("range,cooperative-sticky", Kafka's
  // default): built-in strategies by name, in order of preference; the
  // protocol is cooperative only if every one listed supports it.
  std::string partition_assignment_strategy = "range,cooperative-sticky";
  // Runnel: strategy objects (e.g. your own PartitionAssignor); when set,
  // used instead of partition_assignment_strategy.
  std::vector<std::shared_ptr<PartitionAssignor>> assignors;
  // Runnel: spin for this long before blocking in Poll (lowest latency at
  // the cost of a busy core). Zero: block at once.
  absl::Duration poll_spin = absl::ZeroDuration();
  // Time for auto-commit. Not owned. Default: the broker's clock.
  Clock* clock = nullptr;

  // `defaults` with Kafka-style properties applied. isolation.level
  // read_uncommitted only (read_committed arrives with transactions);
  // check.crcs true only (Runnel always checks). Networking-only keys
  // (bootstrap.servers, key.deserializer, ...) are accepted and ignored;
  // other unknown keys and bad values are InvalidArgument naming both.
  static absl::StatusOr<ConsumerOptions> FromProperties(
      const absl::flat_hash_map<std::string, std::string>& properties,
      const ConsumerOptions& defaults);
};

namespace internal {
class FetchBuffer;
}  // namespace internal

// One record (Kafka's ConsumerRecord); views valid while the
// ConsumerRecords holding it lives.
struct ConsumerRecord {
  absl::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp = -1;
  TimestampType timestamp_type = TimestampType::kCreateTime;
  std::optional<absl::string_view> key;    // nullopt: null
  std::optional<absl::string_view> value;  // nullopt: null (tombstone)
  absl::Span<const RecordHeaderView> headers;
  int32_t leader_epoch = -1;
};

// What Poll returns: records grouped by partition, in offset order within
// each. Owns (pins) the bytes its records point into. Move-only.
class ConsumerRecords {
 public:
  ConsumerRecords() = default;
  ConsumerRecords(ConsumerRecords&&) = default;
  ConsumerRecords& operator=(ConsumerRecords&&) = default;

  bool empty() const { return records_.empty(); }
  size_t count() const { return records_.size(); }
  absl::Span<const ConsumerRecord> records() const {
    return absl::MakeConstSpan(records_.data(), records_.size());
  }
  const ConsumerRecord* begin() const { return records_.begin(); }
  const ConsumerRecord* end() const { return records_.end(); }
  // The partitions with records, and the records of one of them.
  std::vector<TopicPartition> partitions() const;
  absl::Span<const ConsumerRecord> records(const TopicPartition& tp) const;

 private:
  friend class Consumer;
  friend class internal::FetchBuffer;
  internal::PodArray<ConsumerRecord> records_;
  // What the records' views point into: the mapped segments and the
  // topic names (shared with the consumer; inline: no allocation for the
  // usual one partition and segment per Poll).
  absl::InlinedVector<std::shared_ptr<const void>, 4> pins_;
  std::vector<RecordBatchView> views_;  // decompressed records
  // Records' headers; a chunk never grows past its capacity, so spans
  // into it stay valid.
  std::vector<std::vector<RecordHeaderView>> header_chunks_;
};

using CommitCallback = absl::AnyInvocable<void(absl::Status)>;

// Kafka's ConsumerRebalanceListener: told, inside Poll (and Unsubscribe,
// Close) on the consumer's thread, when partitions come and go. It may call
// the consumer (e.g. CommitSync in OnPartitionsRevoked, Seek in
// OnPartitionsAssigned). With the eager protocol every rebalance revokes
// everything first; with the cooperative one only partitions that move.
class ConsumerRebalanceListener {
 public:
  virtual ~ConsumerRebalanceListener() = default;
  // Still owned, about to be given up: commit what was processed.
  virtual void OnPartitionsRevoked(
      absl::Span<const TopicPartition> partitions) = 0;
  // Newly owned (possibly empty with the cooperative protocol).
  virtual void OnPartitionsAssigned(
      absl::Span<const TopicPartition> partitions) = 0;
  // Already owned by someone else (this member was removed from the group
  // after a timeout): commits would fail. Default: OnPartitionsRevoked.
  virtual void OnPartitionsLost(absl::Span<const TopicPartition> partitions) {
    OnPartitionsRevoked(partitions);
  }
};

// What Close does about group membership (Kafka's
// CloseOptions.GroupMembershipOperation).
enum class GroupMembershipOperation {
  kDefault,        // dynamic members leave; static members remain
  kLeaveGroup,     // leave now: a rebalance for the rest
  kRemainInGroup,  // keep the place until session.timeout.ms
};

// Kafka's ConsumerGroupMetadata.
struct ConsumerGroupMetadata {
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;  // empty until joined
  std::string group_instance_id;
};

class Consumer {
 public:
  static absl::StatusOr<std::unique_ptr<Consumer>> Create(
      Broker* broker, ConsumerOptions options);
  ~Consumer();  // Close()
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Manual assignment (no group management): replaces the assignment.
  // NotFound naming an unknown topic or partition; nothing changes then.
  absl::Status Assign(absl::Span<const TopicPartition> partitions);
  std::vector<TopicPartition> Assignment() const;
  // Subscribes to `topics` with group management (see the banner); the
  // next Poll joins the group. `listener` (not owned, may be null) must
  // outlive the subscription. InvalidArgument without a group.id;
  // NotFound for an unknown topic; FailedPrecondition after Assign.
  absl::Status Subscribe(absl::Span<const std::string> topics,
                         ConsumerRebalanceListener* listener = nullptr);
  // Subscribes to every topic whose whole name matches `regex` (ECMAScript
  // syntax), now and as topics are created or deleted (a rebalance each
  // time the set changes). Internal topics ("__...") never match.
  // InvalidArgument for a bad pattern.
  absl::Status SubscribePattern(absl::string_view regex,
                                ConsumerRebalanceListener* listener = nullptr);
  // The subscribed topics (for a pattern: those it matches now).
  std::vector<std::string> Subscription() const;
  // Revokes (calling the listener), commits with auto-commit, and leaves.
  absl::Status Unsubscribe();
  // Kafka's groupMetadata(): group, generation and member id.
  ConsumerGroupMetadata GroupMetadata() const;

  // Records from the assigned, unpaused partitions (see the banner).
  // Errors: DataLoss (corrupt batch, naming it), FailedPrecondition
  // (auto.offset.reset=none without a committed offset; concurrent use;
  // closed), Cancelled (Wakeup).
  absl::StatusOr<ConsumerRecords> Poll(absl::Duration timeout);

  // The offset of the next record Poll returns for `tp` (initializing it
  // if needed). NotFound if `tp` is not assigned.
  absl::StatusOr<int64_t> Position(const TopicPartition& tp);
  absl::Status Seek(const TopicPartition& tp, int64_t offset);
  absl::Status SeekToBeginning(absl::Span<const TopicPartition> partitions);
  absl::Status SeekToEnd(absl::Span<const TopicPartition> partitions);

  // Commits the positions of every assigned partition, or `offsets`.
  // Durable when it returns (fsync). InvalidArgument without a group.id;
  // NotFound/OutOfRange for unknown partitions or offsets past the end.
  absl::Status CommitSync();
  absl::Status CommitSync(
      absl::Span<const std::pair<TopicPartition, int64_t>> offsets);
  // Commits like CommitSync and reports to `callback` (in this thread,
  // before returning: an in-process commit does not wait on a network).
  void CommitAsync(CommitCallback callback);
  // The group's committed offsets (nullopt where there is none).
  absl::StatusOr<std::vector<std::optional<int64_t>>> Committed(
      absl::Span<const TopicPartition> partitions);

  // Kafka's offsetsForTimes / beginningOffsets / endOffsets (the end is
  // the high watermark). For a timestamp after every record: nullopt.
  absl::StatusOr<std::vector<std::optional<OffsetAndTimestamp>>>
  OffsetsForTimes(
      absl::Span<const std::pair<TopicPartition, int64_t>> timestamps);
  absl::StatusOr<std::vector<int64_t>> BeginningOffsets(
      absl::Span<const TopicPartition> partitions);
  absl::StatusOr<std::vector<int64_t>> EndOffsets(
      absl::Span<const TopicPartition> partitions);

  absl::Status Pause(absl::Span<const TopicPartition> partitions);
  absl::Status Resume(absl::Span<const TopicPartition> partitions);
  std::vector<TopicPartition> Paused() const;

  // Makes a Poll blocked in another thread (or the next one) return
  // Cancelled promptly. Thread-safe.
  void Wakeup();

  // Commits (with auto-commit and a group.id), revokes (calling the
  // listener) and leaves the group per `membership`. Later calls fail with
  // FailedPrecondition.
  absl::Status Close(
      GroupMembershipOperation membership = GroupMembershipOperation::kDefault);

 private:
  // An assigned partition (consumer/assigned_partition.h).
  struct Assigned;
  class UseGuard;
  // Where the consumer is in its group's protocol.
  enum class GroupPhase { kNone, kJoinNeeded, kAwaitingAssignment, kStable };

  Consumer(Broker* broker, ConsumerOptions options,
           GroupCoordinator* coordinator,
           std::vector<std::shared_ptr<PartitionAssignor>> assignors);

  absl::Status Enter();
  void Leave();
  absl::Status SetAssignment(absl::Span<const TopicPartition> partitions);
  // Group membership (consumer_membership.cc). PollGroup advances the
  // protocol; true once the consumer holds a current assignment.
  absl::StatusOr<bool> PollGroup();
  absl::Status StartSubscription(std::vector<std::string> topics,
                                 ConsumerRebalanceListener* listener);
  void RefreshPattern();
  std::vector<std::string> MatchingTopics() const;
  absl::Status JoinGroup();
  absl::Status ApplyAssignment(const MemberAssignment& assignment);
  absl::Status RevokeAll();
  void LosePartitions();
  void CatchUpGenerationBeforeLeaving();
  absl::Status LeaveGroup(GroupMembershipOperation membership);
  // Handles a coordinator error: returns it if it is not a group-protocol
  // one, else moves to the phase it calls for.
  absl::Status OnGroupError(const absl::Status& status);
  Assigned* Find(const TopicPartition& tp);
  absl::StatusOr<Assigned*> FindAssigned(const TopicPartition& tp);
  absl::Status InitPosition(Assigned& a);
  absl::Status ResetPosition(Assigned& a);
  absl::Status FetchInto(Assigned& a, int max_records, ConsumerRecords* out);
  // poll_spin: true once an assigned partition has records past its
  // position; false at `until` or on Wakeup.
  bool SpinForData(absl::Time until);
  // InvalidArgument unless the consumer has a group.id (commits need one).
  absl::Status NeedGroup() const;
  absl::Status CommitPositions();
  absl::Status MaybeAutoCommit();
  absl::Status CommitOffsets(
      absl::Span<const std::pair<TopicPartition, int64_t>> offsets);
  absl::Status SetPaused(absl::Span<const TopicPartition> partitions,
                         bool paused);
  // Each partition's log start (begin) or high watermark.
  absl::StatusOr<std::vector<int64_t>> Offsets(
      absl::Span<const TopicPartition> partitions, bool begin);

  Broker* const broker_;
  const ConsumerOptions options_;
  Clock* const clock_;
  GroupCoordinator* const coordinator_;  // null without a group.id
  OffsetStore* const store_;             // null without a group.id
  const std::vector<std::shared_ptr<PartitionAssignor>> assignors_;
  const RebalanceProtocol protocol_;

  std::vector<std::unique_ptr<Assigned>> assigned_;
  std::vector<std::string> subscription_;  // sorted
  // A pattern subscription: matches topic names; the broker metadata
  // version its topics were computed at.
  std::function<bool(absl::string_view)> pattern_;
  uint64_t pattern_version_ = 0;
  ConsumerRebalanceListener* listener_ = nullptr;
  GroupPhase phase_ = GroupPhase::kNone;
  std::string member_id_;
  int32_t generation_ = -1;
  // Eager protocol: what was revoked before joining (stickiness hint).
  std::vector<TopicPartition> previous_assignment_;
  absl::Status fatal_;     // FENCED_INSTANCE_ID: every later Poll fails
  size_t next_fetch_ = 0;  // round robin over partitions
  absl::Time last_auto_commit_;
  bool closed_ = false;
  DataNotifier notifier_;
  std::atomic<bool> wakeup_{false};
  std::atomic<std::thread::id> user_{};
  int depth_ = 0;  // nesting of the thread in user_ (only it touches this)
};

// The ConsumerRecord of `record` from a batch with `header` (views into
// the batch's storage).
ConsumerRecord ToConsumerRecord(absl::string_view topic, int32_t partition,
                                const RecordBatchHeader& header,
                                const RecordView& record);

// --- Offset-range reads, for stream engines (no group, no consumer). ---

// Calls `fn` for every record of `tp` with offset in [from, until), in
// order. Errors: NotFound (unknown partition), OutOfRange if the range is
// not inside [log start, high watermark], DataLoss for a corrupt batch,
// or `fn`'s first error (which stops the read).
absl::Status ReadOffsetRange(
    Broker& broker, const TopicPartition& tp, int64_t from, int64_t until,
    absl::FunctionRef<absl::Status(const ConsumerRecord&)> fn);

// The high watermark of each partition, in one call (for planning ranges).
std::vector<absl::StatusOr<int64_t>> LatestOffsets(
    Broker& broker, absl::Span<const TopicPartition> partitions);

}  // namespace runnel

#endif  // RUNNEL_CONSUMER_CONSUMER_H_
