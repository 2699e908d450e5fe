// Copyright 2026 The Runnel Authors.
//
// runnel/broker.h — the entry point of Runnel: an in-process broker that owns
// one data directory, what a Kafka user would call a one-broker cluster
// living inside their process. It holds the topics, one Log per partition
// (`<data_dir>/<topic>-<partition>/`, Kafka's layout), their durable metadata
// and the background work (flush, retention, compaction). Topics are
// created, described and changed through runnel::Admin (runnel/admin.h).
//
//   runnel::BrokerOptions options;
//   options.data_dir = "/var/lib/myapp/runnel";
//   absl::StatusOr<std::unique_ptr<runnel::Broker>> broker =
//       runnel::Broker::Open(options);
//   if (!broker.ok()) return broker.status();  // e.g. directory locked
//   runnel::Admin admin(broker->get());
//   RETURN_IF_ERROR(admin.CreateTopic({"orders", /*num_partitions=*/3}));
//   auto partition = (*broker)->GetPartition("orders", 0);
//   ...
//   RETURN_IF_ERROR((*broker)->Close());  // or let the destructor do it
//
// Open takes an exclusive lock on the data directory (a second Open, in this
// process or another, fails with FailedPrecondition naming the directory and
// the holder's pid; BrokerOptions::read_only opens beside the holder to
// read, without the lock), reads the topic metadata, finishes any topic
// deletion a crash interrupted, and opens (recovers) every partition's log on
// up to `background_threads` threads. A partition whose log cannot be opened is
// left offline (its calls and DescribeTopics say why); the others serve.
//
// Durability: topic metadata changes (create, delete, add partitions, alter
// configs) are durable when their Admin call returns OK, and atomic: a crash
// in the middle leaves the old or the new state. Record data follows the
// Log's contract (runnel/log.h): durable after Partition::Sync, or per the
// topic's flush.messages / flush.ms.
//
// Thread-safety: every method is thread-safe. Close must not race with the
// destructor. Lifetimes: the Broker must outlive every Admin made on it;
// Partitions returned by GetPartition may outlive it (their calls then fail
// with FailedPrecondition). `file_system` and `clock` must outlive the Broker.
#ifndef RUNNEL_PARTITION_BROKER_H_
#define RUNNEL_PARTITION_BROKER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "runnel/clock.h"
#include "runnel/file_system.h"
#include "runnel/partition.h"
#include "runnel/topic_config.h"
#include "util/mutex.h"

namespace runnel {

namespace internal {
class DirReaper;
class OpenSegmentCache;
}  // namespace internal

class LogMaintainer;
class MetadataStore;
struct TopicMetadata;

// Broker configuration. Kafka's broker config key and default in each
// comment where there is one.
struct BrokerOptions {
  // log.dirs: the data directory (created if missing). Required.
  std::string data_dir;
  // Where files live. Not owned. Default: the POSIX file system.
  FileSystem* file_system = nullptr;
  // Time for segment.ms, retention.ms, flush.ms. Not owned. Default: real
  // time. A SimulatedClock makes time-based behaviour deterministic.
  Clock* clock = nullptr;
  // The topic config defaults (Kafka's log.retention.ms, log.segment.bytes,
  // ...): every topic's configs are these plus its own overrides.
  TopicConfig topic_defaults;
  // num.partitions (1): partitions of a topic created with -1.
  int32_t num_partitions = 1;
  // default.replication.factor (1): replication factor for -1.
  int16_t default_replication_factor = 1;
  // node.id (0): this broker's id, shown as leader and replica.
  int32_t broker_id = 0;
  // background.threads (Kafka: 10; Runnel: 2, sized for small hosts): the
  // fixed pool that runs flush, retention and compaction passes (each log
  // belongs to one thread) and opens partitions at start-up. >= 1.
  int background_threads = 2;
  // log.retention.check.interval.ms (Kafka: 300000): time between
  // background passes. Runnel: 15 s, so flush.ms is honoured promptly.
  // Zero: no background passes (call RunMaintenance).
  absl::Duration maintenance_interval = absl::Seconds(15);
  // Runnel: the most sealed segments (descriptors and mappings) open at
  // once across all partitions; least recently used ones are closed.
  size_t max_open_segments = 1024;
  // Runnel: open a directory that another process (or another Broker in
  // this one) holds open for writing, to read it: tools such as
  // `runnel console-consumer` and `topics --describe` on a live directory.
  // A read-only broker takes no lock, writes nothing (no recovery, no
  // maintenance, no metadata changes: those calls fail with
  // FailedPrecondition) and reads every partition through a ReadOnlyLog
  // (runnel/read_only_log.h), which never returns a half-written batch.
  // The directory must exist (NotFound otherwise). Topics are those of the
  // metadata at Open; partitions follow their writer (see below).
  bool read_only = false;
  // Runnel, read-only brokers only: how often a background thread catches
  // up with the writer on every partition that was fetched or waited on,
  // waking consumers blocked in Poll. > 0.
  absl::Duration read_only_refresh_interval = absl::Milliseconds(100);
};

// A topic as the Broker holds it (for Admin and tools).
struct TopicInfo {
  std::string name;
  std::string topic_id;
  int16_t replication_factor = 1;
  TopicConfig config;
  // The overrides as stored (Kafka's dynamic topic configs).
  absl::flat_hash_map<std::string, std::string> overrides;
  std::vector<std::shared_ptr<Partition>> partitions;
};

// A broker-scoped object of a higher layer (e.g. the consumer groups'
// offset store): one per broker and name, made on first use, destroyed by
// Close before any partition is shut. See Broker::GetOrAddService.
class BrokerService {
 public:
  virtual ~BrokerService() = default;
};

class Broker {
 public:
  // The suffix of a partition directory waiting for background removal
  // (`<topic>-<partition>.<32 hex>-delete`, as Kafka names it).
  static constexpr char kDeleteSuffix[] = "-delete";

  // Opens the broker on options.data_dir (see the banner). Errors:
  // InvalidArgument for bad options (naming the field); FailedPrecondition
  // if the directory is locked; DataLoss for corrupt metadata; the file
  // system's errors naming the path.
  static absl::StatusOr<std::unique_ptr<Broker>> Open(BrokerOptions options);

  ~Broker();  // Close(), ignoring its error
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  // One partition of a topic. NotFound naming the topic (or the partition
  // and the topic's partition count); FailedPrecondition after Close. An
  // offline partition is returned (its status() says why).
  absl::StatusOr<std::shared_ptr<Partition>> GetPartition(
      absl::string_view topic, int32_t partition) const;
  // A snapshot of one topic. NotFound if there is none.
  absl::StatusOr<TopicInfo> GetTopic(absl::string_view topic) const;
  // Snapshots of every topic, sorted by name.
  std::vector<TopicInfo> Topics() const;

  // The service registered under `name`, made by `make` on first use (under
  // a lock: `make` may call this broker's other methods, but not
  // GetOrAddService). FailedPrecondition after Close; `make`'s error as is.
  // The pointer stays valid until Close.
  absl::StatusOr<BrokerService*> GetOrAddService(
      absl::string_view name,
      absl::FunctionRef<absl::StatusOr<std::unique_ptr<BrokerService>>()> make);

  // Runs one flush/retention/compaction pass over every partition now, in
  // this thread; then waits for pending directory removals. For tests and
  // hosts with their own scheduler. Returns the last error of the pass.
  absl::Status RunMaintenance();

  // Stops background work, seals and checkpoints every partition (so the
  // next Open scans nothing) and releases the directory lock. Later calls
  // fail with FailedPrecondition; a second Close does too.
  absl::Status Close();

  const BrokerOptions& options() const { return options_; }
  int32_t broker_id() const { return options_.broker_id; }
  bool read_only() const { return options_.read_only; }

  // Grows whenever a topic appears, disappears or gains partitions: a cheap
  // "did the topic list change?" check for subscriptions (consumer groups).
  uint64_t metadata_version() const {
    return metadata_version_.load(std::memory_order_acquire);
  }

 private:
  friend class Admin;

  explicit Broker(BrokerOptions options);
  absl::Status Start();
  absl::Status LoadTopics();
  absl::Status OpenPartitions(std::vector<TopicInfo*> topics);
  void ReapLeftovers();
  absl::Status CheckOpen() const;
  // CheckOpen, and FailedPrecondition naming `what` on a read-only broker.
  absl::Status CheckWritable(absl::string_view what) const;
  // Read-only brokers: refreshes watched partitions until Close.
  void TailLoop();
  // The published topic, or NotFound / FailedPrecondition (closed).
  absl::StatusOr<std::shared_ptr<const TopicInfo>> PublishedTopic(
      absl::string_view topic) const;
  std::shared_ptr<Partition> NewPartition(const TopicInfo& topic,
                                          int32_t partition) const;
  LogOptions PartitionLogOptions(const TopicInfo& topic,
                                 int32_t partition) const;
  std::string PartitionDir(absl::string_view topic, int32_t partition) const;

  // The admin operations (broker_admin.cc); each is atomic and durable.
  absl::Status CreateTopic(
      const std::string& name, int32_t partitions, int16_t replication_factor,
      const absl::flat_hash_map<std::string, std::string>& configs,
      bool validate_only);
  absl::Status CreatePartitionDirs(const std::string& topic, int32_t from,
                                   int32_t to);
  absl::Status DeleteTopic(const std::string& name);
  absl::Status FinishDelete(const TopicMetadata& topic)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(admin_mu_);
  absl::Status CreatePartitions(const std::string& name, int32_t total,
                                bool validate_only);
  // Edits the topic's overrides with `edit`, validates and commits them.
  absl::Status SetTopicOverrides(
      const std::string& name,
      absl::FunctionRef<
          absl::Status(absl::flat_hash_map<std::string, std::string>*)>
          edit,
      bool validate_only);
  absl::Status Publish(TopicInfo topic);
  void Unpublish(const std::string& name);

  BrokerOptions options_;
  FileSystem* fs_ = nullptr;
  std::unique_ptr<DirLock> lock_;
  std::unique_ptr<internal::OpenSegmentCache> segment_cache_;
  std::vector<std::unique_ptr<LogMaintainer>> maintainers_;
  std::unique_ptr<internal::DirReaper> reaper_;
  // Read-only brokers: the thread running TailLoop, and how it is stopped.
  std::thread tailer_;
  Mutex tail_mu_;
  CondVar tail_cv_;
  bool tail_stop_ ABSL_GUARDED_BY(tail_mu_) = false;

  // Higher layers' services, destroyed first at Close.
  Mutex services_mu_ ABSL_ACQUIRED_BEFORE(admin_mu_);
  absl::flat_hash_map<std::string, std::unique_ptr<BrokerService>> services_
      ABSL_GUARDED_BY(services_mu_);
  bool services_closed_ ABSL_GUARDED_BY(services_mu_) = false;

  // Serializes metadata changes (held across commit and file work).
  Mutex admin_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  std::unique_ptr<MetadataStore> metadata_ ABSL_GUARDED_BY(admin_mu_);

  // The visible topics, for lookups.
  mutable Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const TopicInfo>> topics_
      ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<uint64_t> metadata_version_{0};
};

}  // namespace runnel

#endif  // RUNNEL_PARTITION_BROKER_H_
