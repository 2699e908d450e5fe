// Copyright 2026 The Runnel Authors.
//
// producer/producer_internal.h — the Producer's per-partition queues and
// batches, shared by the Send path (producer.cc) and the sender thread
// (producer_sender.cc). Internal.
//
// A PartitionQueue holds at most one open batch (records are encoded into
// it as they are sent) and a FIFO of sealed batches waiting for the sender.
// Only the sender takes sealed batches, one partition's in order, so
// batches reach each log in send order.
#ifndef RUNNEL_PRODUCER_PRODUCER_INTERNAL_H_
#define RUNNEL_PRODUCER_PRODUCER_INTERNAL_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "runnel/partition.h"
#include "runnel/producer.h"
#include "runnel/record_batch.h"
#include "util/mutex.h"

namespace runnel {

struct Producer::Batch {
  int64_t id = 0;
  // The batch is built in place here (no zero-filling, one copy of each
  // record's bytes); `size` bytes of it hold the finished batch.
  std::unique_ptr<char[]> buffer;
  size_t capacity = 0;
  size_t size = 0;
  // Empty once finished (by the sender, see Producer::FinishBatch).
  std::optional<RecordBatchBuilder> builder;
  // Records sent with a callback (the others need nothing kept).
  struct Pending {
    SendCallback callback;
    int32_t index;  // offset delta in the batch
    int64_t timestamp;
    int32_t key_size;
    int32_t value_size;
  };
  std::vector<Pending> pending;
  int32_t records = 0;
  size_t memory = 0;   // bytes of buffer.memory held
  absl::Time created;  // on the producer's clock
  absl::Time retry_at = absl::InfinitePast();
  // Why sealing failed (the batch then fails without an append).
  absl::Status seal_error;

  absl::string_view bytes() const { return {buffer.get(), size}; }
};

struct Producer::PartitionQueue {
  PartitionQueue(std::string topic_name, int32_t index)
      : topic(std::move(topic_name)), partition(index) {}

  const std::string topic;
  const int32_t partition;
  Mutex mu;
  std::shared_ptr<Partition> target ABSL_GUARDED_BY(mu);
  // min.insync.replicas of the topic (acks=all on a replicated partition).
  int32_t min_insync_replicas ABSL_GUARDED_BY(mu) = 1;
  std::unique_ptr<Batch> open ABSL_GUARDED_BY(mu);
  std::deque<std::unique_ptr<Batch>> sealed ABSL_GUARDED_BY(mu);
  int32_t next_sequence ABSL_GUARDED_BY(mu) = 0;
};

// A topic as the producer knows it. Guarded by the producer's mu_, except
// `stale`.
struct Producer::TopicState {
  std::string name;
  std::vector<std::unique_ptr<PartitionQueue>> queues;  // only grows
  // The current view (the one in the newest table). Written under mu_;
  // read without it to tell whether a cached view is still current.
  std::atomic<const TopicView*> view{nullptr};
  // Set when an append found the topic's partition deleted: the next
  // FindTopic asks the broker again.
  std::atomic<bool> stale{false};
};

// What Send reads of a topic, without a lock: immutable once published.
struct Producer::TopicView {
  TopicState* state = nullptr;
  size_t max_message_bytes = 0;
  std::vector<PartitionQueue*> queues;
};

}  // namespace runnel

#endif  // RUNNEL_PRODUCER_PRODUCER_INTERNAL_H_
