// Copyright 2026 The Runnel Authors.
//
// runnel/replica_manager.h — Kafka's replication for the partitions of one
// Broker, over a transport the host provides (runnel/replica_transport.h).
// A controller (the host's, or a simple one in tests) decides who leads:
// it calls BecomeLeader on one broker and BecomeFollower on the others, with
// a leader epoch that grows with every change. Then:
//   - followers fetch from the leader, append its batches as they are and
//     keep a leader-epoch history (`leader-epoch-checkpoint`, Kafka's file);
//   - the leader tracks each follower's log end offset; the ISR shrinks when
//     a follower has not caught up for `replica.lag.time.max.ms` and grows
//     when it catches up again (each change is reported to the controller
//     through `on_isr_change`, as Kafka's AlterPartition);
//   - the high watermark is the lowest log end offset in the ISR; consumers
//     read only below it, and a producer with acks=all is acknowledged only
//     once it has passed the records (runnel/producer.h);
//   - after a leader change a follower learns from the leader where their
//     logs diverge (Kafka's diverging epoch, KIP-101/320) and truncates
//     there before fetching on, so replicas never diverge below the high
//     watermark.
//
//   runnel::ReplicaManagerOptions options;
//   options.transport = &my_transport;           // the host's network
//   options.on_isr_change = [&](const runnel::TopicPartition& tp,
//                               int32_t epoch, std::vector<int32_t> isr) {
//     controller.RecordIsr(tp, epoch, isr);      // elect only from the ISR
//   };
//   auto replicas = runnel::ReplicaManager::Create(broker.get(), options);
//   my_rpc_server.Handle("runnel.replica", (*replicas)->handler());
//   // From the controller:
//   RETURN_IF_ERROR((*replicas)->BecomeLeader({"orders", 0}, /*epoch=*/1,
//                                             {0, 1, 2}, {0, 1, 2}));
//
// Durability: a replica's end counts toward the high watermark only once
// synced (`sync_before_commit`, default on), so an offset below the high
// watermark is on stable storage on every in-sync replica, the leader
// included: acks=all survives crashes that lose unsynced data, as long as
// one in-sync replica comes back (Kafka itself counts page-cache copies). The
// high watermark itself is checkpointed (`runnel-high-watermark` in the
// partition's directory) on every ISR check and role change; after a
// restart it starts there and catches up.
//
// Thread-safety: every method is thread-safe; the handler may run on many
// threads at once. Lifetimes: the Broker and the transport must outlive the
// ReplicaManager, and the transport must not call back after it is gone.
#ifndef RUNNEL_REPLICATION_REPLICA_MANAGER_H_
#define RUNNEL_REPLICATION_REPLICA_MANAGER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "runnel/broker.h"
#include "runnel/partition.h"
#include "runnel/replica_transport.h"

namespace runnel {

// Runs `fn` once, after `delay`.
using ReplicaScheduler =
    std::function<void(absl::Duration delay, std::function<void()> fn)>;

// The leader changed a partition's ISR (Kafka's AlterPartition request).
using IsrChangeListener =
    std::function<void(const TopicPartition& partition, int32_t leader_epoch,
                       const std::vector<int32_t>& isr)>;

// Kafka's broker config key and default in each comment.
struct ReplicaManagerOptions {
  // The host's network. Required; not owned.
  ReplicaTransport* transport = nullptr;
  // replica.lag.time.max.ms (30000): a follower that has not caught up with
  // the leader's log end for this long leaves the ISR.
  absl::Duration replica_lag_time_max = absl::Seconds(30);
  // replica.fetch.max.bytes (1 MiB): per partition and fetch.
  int32_t replica_fetch_max_bytes = 1 << 20;
  // replica.fetch.wait.max.ms (500): how long the leader holds a fetch that
  // finds no new data (a long poll in the handler's thread). Zero for
  // transports whose handler must answer at once (InMemoryNetwork).
  absl::Duration replica_fetch_wait_max = absl::Milliseconds(500);
  // replica.fetch.backoff.ms (1000): a follower's pause after an error, or
  // after an empty answer when the leader does not long-poll.
  absl::Duration replica_fetch_backoff = absl::Seconds(1);
  // Runnel: a replica's log end counts toward the high watermark only once
  // synced — a follower syncs its appends before its next fetch (which is
  // what tells the leader it has them), the leader before it raises the
  // high watermark (one shared sync per round). See Durability above.
  bool sync_before_commit = true;
  // Runs delayed work (follower back-off, the periodic ISR check). Default:
  // a timer thread on real time. A simulation passes its own (virtual time).
  ReplicaScheduler schedule;
  // Told about every ISR change this broker makes as leader. Optional.
  IsrChangeListener on_isr_change;
};

class ReplicaManager {
 public:
  // InvalidArgument for missing or bad options.
  static absl::StatusOr<std::unique_ptr<ReplicaManager>> Create(
      Broker* broker, ReplicaManagerOptions options);
  ~ReplicaManager();
  ReplicaManager(const ReplicaManager&) = delete;
  ReplicaManager& operator=(const ReplicaManager&) = delete;

  // This broker leads `partition` from `leader_epoch` on. `replicas` and
  // `isr` must hold this broker. InvalidArgument for an epoch older than the
  // one known, or bad lists; the partition's errors (NotFound, offline).
  absl::Status BecomeLeader(const TopicPartition& partition,
                            int32_t leader_epoch, std::vector<int32_t> replicas,
                            std::vector<int32_t> isr);
  // This broker follows `leader` from `leader_epoch` on, fetching at once.
  absl::Status BecomeFollower(const TopicPartition& partition,
                              int32_t leader_epoch, int32_t leader,
                              std::vector<int32_t> replicas);

  // The receiving side: one encoded request (runnel/replica_messages.h) in,
  // its encoded response out. Never fails: errors travel as Kafka's error
  // codes in the response.
  std::string HandleRequest(absl::string_view request);
  // HandleRequest as a ReplicaRequestHandler (valid while this object is).
  ReplicaRequestHandler handler();

  // The leader's ISR check (runs every replica_lag_time_max / 2 on the
  // scheduler); also writes the high-watermark checkpoints.
  void CheckReplicas();

 private:
  class Core;
  explicit ReplicaManager(std::shared_ptr<Core> core);
  std::shared_ptr<Core> core_;
};

}  // namespace runnel

#endif  // RUNNEL_REPLICATION_REPLICA_MANAGER_H_
