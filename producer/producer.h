// Copyright 2026 The Runnel Authors.
//
// runnel/producer.h — Kafka's KafkaProducer, in process: thread-safe,
// asynchronous Send with per-partition batching, Kafka's partitioner, acks
// and an fsync durability level.
//
//   runnel::ProducerOptions options;                 // Kafka's defaults
//   options.linger = absl::Milliseconds(5);          // linger.ms
//   auto producer = runnel::Producer::Create(broker.get(), options);
//   if (!producer.ok()) return producer.status();
//   runnel::ProducerRecord record;
//   record.topic = "orders";
//   record.key = "user-42";
//   record.value = payload;
//   RETURN_IF_ERROR((*producer)->Send(record,
//       [](absl::StatusOr<runnel::RecordMetadata> sent) {
//         if (sent.ok()) use(sent->partition, sent->offset);
//       }));
//   RETURN_IF_ERROR((*producer)->Flush());           // all of them acked
//
// Send encodes the record at once into the open batch of its partition (the
// record's bytes are copied exactly once, and views in ProducerRecord need
// only live during the call) and returns. A batch is sealed when the next
// record would take it past batch.size, or once it has waited linger.ms;
// one sender thread then appends sealed batches to the partitions' logs, in
// order, and runs their callbacks. Callbacks of one partition run in send
// order, on the sender thread: keep them short, and do not call Flush or
// Close from one (Send is fine).
//
// Partition choice: ProducerRecord::partition if set; else the partitioner
// (partitioner.class): Kafka's default hashes a non-null key with murmur2 —
// the partition Kafka's Java client picks for the same key and partition
// count — and sends keyless records to one partition per batch (sticky).
//
// What an acknowledgement (an OK callback) guarantees:
//   acks=0    the batch was handed to the partition's log; the offset is
//             reported as -1 (as Kafka's client, which never learns it).
//   acks=1    the batch is in the partition's log and readable by
//             consumers: it survives a crash of this process, not of the
//             machine (it is in the page cache, see runnel/log.h).
//   acks=all  as acks=1; on a replicated partition (runnel/replica_manager.h)
//             also in every in-sync replica: the append is refused with
//             NOT_ENOUGH_REPLICAS while fewer than the topic's
//             min.insync.replicas are in sync, and the callback waits (on
//             the sender thread, up to delivery.timeout.ms) until the high
//             watermark passes the batch — then it is on stable storage on
//             every in-sync replica (ReplicaManager's sync_before_commit).
//             NOT_ENOUGH_REPLICAS_AFTER_APPEND if the ISR shrank below
//             min.insync.replicas meanwhile. With one replica, as acks=1.
//   sync_before_ack (Runnel's `runnel.sync.before.ack`, off by default):
//             additionally fsync'd (Partition::Sync, group-committed across
//             every batch the sender appended in one pass): it survives a
//             machine crash or power loss.
//
// Errors: Send returns an error (and never calls the callback) for what it
// can tell at once — a closed producer, an unknown topic or partition, a
// record over max.request.size or the topic's max.message.bytes, or a full
// buffer.memory still full after max.block.ms; nothing of that record is
// written. Otherwise the callback runs exactly once, with the metadata or
// the error the log gave (e.g. ResourceExhausted for a full disk after
// delivery.timeout.ms of retries).
//
// Thread-safety: thread-safe. Many threads should share one producer (as in
// Kafka, one shared producer batches best). Lifetimes: the Broker must
// outlive the producer; Close (or the destructor) sends or fails every
// record first.
#ifndef RUNNEL_PRODUCER_PRODUCER_H_
#define RUNNEL_PRODUCER_PRODUCER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "runnel/broker.h"
#include "runnel/clock.h"
#include "runnel/partitioner.h"
#include "runnel/record_batch.h"
#include "util/mutex.h"

namespace runnel {

// acks: what the producer waits for before acknowledging.
enum class Acks {
  kNone = 0,    // "0"
  kLeader = 1,  // "1"
  kAll = -1,    // "all" / "-1"
};

// Producer configuration. Kafka's producer config key and default in each
// comment; FromProperties takes the same keys as strings.
struct ProducerOptions {
  // client.id (""): a name for error messages.
  std::string client_id;
  // acks ("all", Kafka 3.0+).
  Acks acks = Acks::kAll;
  // linger.ms (5, Kafka 4.0's default): how long a batch waits for more
  // records before it is sent. Measured on `clock`.
  absl::Duration linger = absl::Milliseconds(5);
  // batch.size (16384): a batch is sealed when the next record would take
  // it past this many bytes. A larger record gets a batch of its own.
  size_t batch_size = 16384;
  // buffer.memory (33554432): bytes of records waiting to be sent; Send
  // blocks while they are all in use.
  size_t buffer_memory = 33554432;
  // max.block.ms (60000): the longest Send blocks for buffer.memory.
  absl::Duration max_block = absl::Seconds(60);
  // max.request.size (1048576): the largest record (as encoded in a batch
  // of its own) Send accepts.
  size_t max_request_size = 1048576;
  // compression.type ("none"): kNone or kLz4 (gzip, snappy and zstd are
  // not available and rejected).
  Compression compression = Compression::kNone;
  // delivery.timeout.ms (120000): how long a batch may retry a retriable
  // append error (a full disk: ResourceExhausted) before it fails.
  absl::Duration delivery_timeout = absl::Seconds(120);
  // retry.backoff.ms (100): the wait between retries of a batch.
  absl::Duration retry_backoff = absl::Milliseconds(100);
  // enable.idempotence (true): batches carry a producer id, epoch and
  // per-partition sequence numbers (Kafka's idempotent producer format).
  bool enable_idempotence = true;
  // partitioner.class (Kafka's default partitioner). Not owned; must
  // outlive the producer. Null: a DefaultPartitioner of the producer's.
  Partitioner* partitioner = nullptr;
  // runnel.sync.before.ack (false): acknowledge only after the batch is
  // fsync'd (see the banner).
  bool sync_before_ack = false;
  // Time for linger.ms, delivery.timeout.ms and record timestamps. Not
  // owned. Default: the broker's clock. Waits in Send, Flush and Close use
  // real time.
  Clock* clock = nullptr;

  // `defaults` with Kafka-style properties applied, e.g.
  // {{"acks", "1"}, {"linger.ms", "20"}, {"compression.type", "lz4"}}.
  // Keys that only matter to a networked client (bootstrap.servers,
  // key.serializer, value.serializer, retries, request.timeout.ms,
  // max.in.flight.requests.per.connection, ...) are accepted and ignored;
  // any other unknown key or a bad value is InvalidArgument naming both.
  // partitioner.class takes Kafka's class names (see MakePartitioner);
  // the partitioner made is owned by `owned_partitioner`.
  static absl::StatusOr<ProducerOptions> FromProperties(
      const absl::flat_hash_map<std::string, std::string>& properties,
      std::unique_ptr<Partitioner>* owned_partitioner,
      const ProducerOptions& defaults);
};

// One record to send. The views need only stay valid during Send.
struct ProducerRecord {
  absl::string_view topic;
  // Explicit partition; otherwise the partitioner picks one.
  std::optional<int32_t> partition;
  std::optional<absl::string_view> key;    // nullopt: null key
  std::optional<absl::string_view> value;  // nullopt: null (a tombstone)
  absl::Span<const RecordHeaderView> headers;
  // Milliseconds since the epoch; default: now, on the producer's clock.
  std::optional<int64_t> timestamp;
};

// Where a record landed (Kafka's RecordMetadata).
struct RecordMetadata {
  absl::string_view topic;  // valid during the callback
  int32_t partition = -1;
  int64_t offset = -1;  // -1 with acks=0
  int64_t timestamp = -1;
  int32_t serialized_key_size = -1;    // -1 for a null key
  int32_t serialized_value_size = -1;  // -1 for a null value
};

using SendCallback = absl::AnyInvocable<void(absl::StatusOr<RecordMetadata>)>;

class Producer {
 public:
  // A producer sending to `broker`'s topics. InvalidArgument for bad
  // options (naming the key).
  static absl::StatusOr<std::unique_ptr<Producer>> Create(
      Broker* broker, ProducerOptions options);

  ~Producer();  // Close(), waiting as long as it takes
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Queues `record` (see the banner); `callback` (may be empty) runs once
  // it is acknowledged or has failed. Errors: FailedPrecondition (closed),
  // NotFound (unknown topic or partition), InvalidArgument (record too
  // large, naming its size and the limit), DeadlineExceeded (buffer.memory
  // still full after max.block.ms). A Send without a callback allocates
  // nothing per record.
  absl::Status Send(const ProducerRecord& record,
                    SendCallback callback = nullptr);
  // Send, with the outcome as a future (Kafka's Future<RecordMetadata>);
  // the metadata's topic view is cleared (use the record's).
  std::future<absl::StatusOr<RecordMetadata>> SendWithFuture(
      const ProducerRecord& record);

  // Sends every record queued before the call, without waiting for
  // linger.ms, and waits until all of them are acknowledged or failed.
  absl::Status Flush();

  // Stops accepting records, sends what is queued and waits up to
  // `timeout` for it; records still unsent then fail (DeadlineExceeded).
  // Later Sends fail with FailedPrecondition. Returns the first error of a
  // record that failed during the close, if any.
  absl::Status Close(absl::Duration timeout = absl::InfiniteDuration());

  // The producer id written in idempotent batches (-1 if disabled).
  int64_t producer_id() const { return producer_id_; }

 private:
  struct Batch;
  struct PartitionQueue;
  struct TopicState;
  struct TopicView;
  // Topic name -> its current view; published whole, never changed after.
  using TopicTable = absl::flat_hash_map<std::string, const TopicView*>;

  Producer(Broker* broker, ProducerOptions options);

  // The topic's view, from the published table without a lock when it is
  // known, fresh and has at least `min_partitions`; else RefreshTopic.
  absl::StatusOr<const TopicView*> FindTopic(absl::string_view topic,
                                             int32_t min_partitions);
  absl::StatusOr<const TopicView*> RefreshTopic(absl::string_view topic,
                                                int32_t min_partitions);
  absl::StatusOr<int32_t> ChoosePartition(const ProducerRecord& record,
                                          int32_t num_partitions);
  absl::Status AcquireMemory(size_t bytes);
  bool TryAcquireMemory(size_t bytes);
  void ReleaseMemory(size_t bytes);
  absl::Status AppendToQueue(PartitionQueue& queue,
                             const ProducerRecord& record, int64_t timestamp,
                             SendCallback& callback, size_t record_bytes,
                             bool* opened_batch, bool* sealed_full);
  // Both require queue.mu held.
  std::unique_ptr<Batch> NewBatch(PartitionQueue& queue, size_t reserve);
  // Queues the open batch for the sender, which finishes it (header, CRC)
  // outside every lock (FinishBatch).
  void SealOpen(PartitionQueue& queue);
  static void FinishBatch(Batch& batch);
  // Batches of batch.size bytes are reused (Kafka's BufferPool): their
  // buffer and their callback list's capacity, so a batch costs no
  // allocation, page faults on fresh memory or callback-list growth.
  std::unique_ptr<Batch> TakeBatch(size_t capacity);
  void RecycleBatch(std::unique_ptr<Batch> batch);
  void MarkActive(PartitionQueue* queue);
  // MarkActive and WakeSender under one lock (a Send that opened or
  // sealed a batch); no signal when the sender is already woken.
  void MarkActiveAndWake(PartitionQueue* queue);
  void AwaitReplication(
      Partition& target, int32_t min_insync,
      std::vector<
          std::pair<std::unique_ptr<Batch>, absl::StatusOr<AppendInfo>>>& done);
  void WakeSender();
  void WakeSenderLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // The sender thread (producer_sender.cc).
  void SenderLoop();
  // Spins up to kSenderSpin for a wake; true if one came.
  bool SpinForWake() const;
  using Work = std::vector<
      std::pair<PartitionQueue*, std::vector<std::unique_ptr<Batch>>>>;
  // Seals what is due and takes every batch ready to go; returns how long
  // to wait for the next one (and whether the sender should stop).
  bool CollectReady(Work* work, absl::Duration* wait);
  void SendBatches(PartitionQueue& queue,
                   std::vector<std::unique_ptr<Batch>> batches);
  void MarkStale(const std::string& topic);
  void Complete(PartitionQueue& queue, std::unique_ptr<Batch> batch,
                const absl::StatusOr<AppendInfo>& appended);
  void FailAll(const absl::Status& why);

  Broker* const broker_;
  const ProducerOptions options_;
  Clock* const clock_;
  std::unique_ptr<Partitioner> own_partitioner_;
  Partitioner* const partitioner_;
  const int64_t producer_id_;

  // Topics and their partition queues (queues are never freed before the
  // producer, so pointers to them stay valid).
  Mutex mu_ ABSL_ACQUIRED_BEFORE(memory_mu_);
  absl::flat_hash_map<std::string, std::unique_ptr<TopicState>> topics_
      ABSL_GUARDED_BY(mu_);
  // The read side of topics_ for Send (no lock, no shared write per record):
  // RefreshTopic publishes a new table when a topic appears or changes
  // shape. Tables and views are kept until the producer dies (Send may still
  // read an old one); a new one is made only when something changed.
  std::atomic<const TopicTable*> topic_table_{nullptr};
  // The view the last lookup found: Sends to one topic skip the hash.
  std::atomic<const TopicView*> last_topic_{nullptr};
  std::vector<std::unique_ptr<const TopicTable>> tables_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<const TopicView>> views_ ABSL_GUARDED_BY(mu_);
  // Queues with an open or sealed batch.
  absl::flat_hash_set<PartitionQueue*> active_ ABSL_GUARDED_BY(mu_);
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<bool> closed_{false};  // closing_, readable without mu_
  bool stop_sender_ ABSL_GUARDED_BY(mu_) = false;
  // Set (under mu_) when the sender is woken, cleared when it looks; read
  // without mu_ by the sender's spin before it sleeps (SpinForWake).
  std::atomic<bool> sender_woken_{false};
  CondVar sender_wake_;
  // Batches created and not yet completed, by id; Flush waits for those
  // up to its target. A leaf lock: taken under a queue's lock when a batch
  // opens, so never held while taking mu_ or a queue's lock.
  std::atomic<int64_t> next_batch_id_{0};
  std::atomic<int64_t> flush_target_{-1};
  Mutex flight_mu_;
  absl::btree_set<int64_t> incomplete_ ABSL_GUARDED_BY(flight_mu_);
  CondVar batch_done_;

  // buffer.memory accounting: an atomic count (a Send takes no lock for
  // it); memory_mu_/memory_freed_ only for Sends that must wait, which
  // count themselves in memory_waiters_ so releases know to wake them.
  std::atomic<size_t> memory_used_{0};
  std::atomic<int> memory_waiters_{0};
  Mutex memory_mu_;
  CondVar memory_freed_;

  // Completed batches with buffers of options_.batch_size bytes (at most
  // buffer.memory of them), ready for reuse. A leaf lock.
  Mutex pool_mu_;
  std::vector<std::unique_ptr<Batch>> free_batches_ ABSL_GUARDED_BY(pool_mu_);

  std::thread sender_;
};

}  // namespace runnel

#endif  // RUNNEL_PRODUCER_PRODUCER_H_
