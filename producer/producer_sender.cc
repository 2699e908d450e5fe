// Copyright 2026 The Runnel Authors.
//
// Producer: the sender thread. It seals batches that are due (linger.ms
// passed, a Flush or Close asks), appends every sealed batch to its
// partition's log in order, syncs if acknowledgements wait for fsync, and
// runs the callbacks. A batch that meets a full disk stays at the head of
// its partition's queue and is retried every retry.backoff.ms until
// delivery.timeout.ms has passed since it was opened.
#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "producer/producer_internal.h"
#include "runnel/producer.h"
#include "util/mutex.h"

namespace runnel {

namespace {

// How long the sender spins for the next batch after sending some, before
// it sleeps. A busy producer seals its next batch within microseconds
// (16 KiB of 100-byte records every ~10 us at 10 M records/s); without the
// spin, the Send that seals it pays a futex wake (2-3 us) and the sender a
// sleep and a context switch, for every batch.
constexpr absl::Duration kSenderSpin = absl::Microseconds(20);

}  // namespace

bool Producer::SpinForWake() const {
  const auto deadline =
      std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(kSenderSpin);
  while (true) {
    for (int i = 0; i < 64; ++i) {
      if (sender_woken_.load(std::memory_order_acquire)) return true;
      CpuRelax();
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
  }
}

void Producer::SenderLoop() {
  Work work;
  bool sent = false;
  while (true) {
    absl::Duration wait;
    work.clear();
    const bool stop = CollectReady(&work, &wait);
    for (auto& [queue, batches] : work) SendBatches(*queue, std::move(batches));
    if (!work.empty()) {
      sent = true;
      continue;
    }
    if (stop) return;
    // Only right after sending: an idle producer's sender just sleeps.
    if (sent && SpinForWake()) continue;
    sent = false;
    MutexLock lock(&mu_);
    if (!sender_woken_.load(std::memory_order_relaxed) && !stop_sender_) {
      sender_wake_.WaitWithTimeout(&mu_, wait);
    }
  }
}

bool Producer::CollectReady(Work* work, absl::Duration* wait) {
  MutexLock lock(&mu_);
  sender_woken_.store(false, std::memory_order_relaxed);
  const absl::Time now = clock_->Now();
  // Waits are real time; with a simulated clock, look again soon.
  *wait = clock_ == Clock::Real() ? absl::Seconds(1) : absl::Milliseconds(5);
  std::vector<PartitionQueue*> idle;
  for (PartitionQueue* queue : active_) {
    MutexLock queue_lock(&queue->mu);
    if (queue->open != nullptr) {
      const Batch& open = *queue->open;
      const absl::Duration age = now - open.created;
      if (closing_ || open.id <= flush_target_.load() ||
          age >= options_.linger) {
        SealOpen(*queue);
      } else {
        *wait = std::min(*wait, options_.linger - age);
      }
    }
    std::vector<std::unique_ptr<Batch>> ready;
    while (!queue->sealed.empty() &&
           (queue->sealed.front()->retry_at <= now || closing_)) {
      ready.push_back(std::move(queue->sealed.front()));
      queue->sealed.pop_front();
    }
    if (!queue->sealed.empty()) {
      *wait = std::min(*wait, queue->sealed.front()->retry_at - now);
    }
    if (queue->open == nullptr && queue->sealed.empty()) idle.push_back(queue);
    if (!ready.empty()) work->emplace_back(queue, std::move(ready));
  }
  for (PartitionQueue* queue : idle) active_.erase(queue);
  *wait = std::max(*wait, absl::Microseconds(100));
  return stop_sender_ && active_.empty();
}

void Producer::SendBatches(PartitionQueue& queue,
                           std::vector<std::unique_ptr<Batch>> batches) {
  std::shared_ptr<Partition> target;
  int32_t min_insync = 1;
  {
    MutexLock lock(&queue.mu);
    target = queue.target;
    min_insync = queue.min_insync_replicas;
  }
  // acks=all on a replicated partition: Kafka's NOT_ENOUGH_REPLICAS check
  // before the append, then the wait for the high watermark after it.
  const bool replicated_all =
      options_.acks == Acks::kAll && target->state().replicas.size() > 1;
  std::vector<std::pair<std::unique_ptr<Batch>, absl::StatusOr<AppendInfo>>>
      done;
  bool any_appended = false;
  for (size_t i = 0; i < batches.size(); ++i) {
    Batch& batch = *batches[i];
    FinishBatch(batch);
    absl::Status refused = batch.seal_error;
    if (refused.ok() && replicated_all) {
      refused = target->CheckInSyncReplicas(min_insync);
    }
    absl::StatusOr<AppendInfo> appended =
        refused.ok() ? target->Append(batch.bytes())
                     : absl::StatusOr<AppendInfo>(refused);
    const absl::Time now = clock_->Now();
    if (absl::IsResourceExhausted(appended.status()) &&
        now - batch.created < options_.delivery_timeout && !closed_.load()) {
      // Retry this batch and the ones behind it later, in order.
      batch.retry_at = now + options_.retry_backoff;
      {
        MutexLock lock(&queue.mu);
        for (size_t j = batches.size(); j > i; --j) {
          queue.sealed.push_front(std::move(batches[j - 1]));
        }
      }
      MarkActive(&queue);
      break;
    }
    if (absl::IsNotFound(appended.status())) MarkStale(queue.topic);
    any_appended |= appended.ok();
    done.emplace_back(std::move(batches[i]), std::move(appended));
  }
  if (options_.sync_before_ack && any_appended) {
    // One sync covers every batch appended above (and is shared with any
    // other thread syncing this partition: group commit).
    if (absl::Status synced = target->Sync(); !synced.ok()) {
      for (auto& [batch, appended] : done) {
        if (appended.ok()) appended = synced;
      }
    }
  }
  if (replicated_all && any_appended) {
    AwaitReplication(*target, min_insync, done);
  }
  for (auto& [batch, appended] : done) {
    Complete(queue, std::move(batch), appended);
  }
}

// acks=all: a batch is acknowledged once the high watermark has passed it
// (every in-sync replica has it), or fails when delivery.timeout.ms ends
// first (Kafka's TimeoutException) or the ISR shrank below
// min.insync.replicas meanwhile (NOT_ENOUGH_REPLICAS_AFTER_APPEND).
void Producer::AwaitReplication(
    Partition& target, int32_t min_insync,
    std::vector<std::pair<std::unique_ptr<Batch>, absl::StatusOr<AppendInfo>>>&
        done) {
  for (auto& [batch, appended] : done) {
    if (!appended.ok()) continue;
    const absl::Time deadline = absl::Now() + options_.delivery_timeout;
    if (!target.WaitForData(appended->last_offset, deadline)) {
      appended = absl::DeadlineExceededError(
          absl::StrCat("offset ", appended->last_offset,
                       " was not replicated to every in-sync replica within "
                       "delivery.timeout.ms (high watermark ",
                       target.high_watermark(), ")"));
    } else if (absl::Status s = target.CheckInSyncReplicas(min_insync);
               !s.ok()) {
      // Committed by fewer replicas than asked for (Kafka's error 20).
      appended = absl::FailedPreconditionError(
          absl::StrCat("NOT_ENOUGH_REPLICAS_AFTER_APPEND: offset ",
                       appended->last_offset, ": ", s.message()));
    }
  }
}

// Writes the batch's header and CRC (compressing first if configured), once,
// outside every lock: the batch was taken from its queue, so no Send touches
// it any more.
void Producer::FinishBatch(Batch& batch) {
  if (!batch.builder) return;  // finished before (a retry)
  batch.seal_error = batch.builder->Finish().status();
  batch.size = batch.builder->size_bytes();
  batch.builder.reset();
}

void Producer::Complete(PartitionQueue& queue, std::unique_ptr<Batch> batch,
                        const absl::StatusOr<AppendInfo>& appended) {
  ReleaseMemory(batch->memory);
  absl::Status error;
  if (!appended.ok()) {
    error = absl::Status(
        appended.status().code(),
        absl::StrCat("producer ", options_.client_id, ": batch of ",
                     batch->records, " records for ", queue.topic, "-",
                     queue.partition,
                     " failed: ", appended.status().message()));
  }
  for (Batch::Pending& pending : batch->pending) {
    if (!error.ok()) {
      pending.callback(error);
      continue;
    }
    RecordMetadata metadata;
    metadata.topic = queue.topic;
    metadata.partition = queue.partition;
    metadata.offset = options_.acks == Acks::kNone
                          ? -1
                          : appended->first_offset + pending.index;
    metadata.timestamp = pending.timestamp;
    metadata.serialized_key_size = pending.key_size;
    metadata.serialized_value_size = pending.value_size;
    pending.callback(metadata);
  }
  const int64_t id = batch->id;
  RecycleBatch(std::move(batch));
  MutexLock lock(&flight_mu_);
  incomplete_.erase(id);
  batch_done_.SignalAll();
}

void Producer::MarkStale(const std::string& topic) {
  MutexLock lock(&mu_);
  auto it = topics_.find(topic);
  if (it != topics_.end()) it->second->stale.store(true);
}

void Producer::FailAll(const absl::Status& why) {
  std::vector<std::pair<PartitionQueue*, std::unique_ptr<Batch>>> failed;
  {
    MutexLock lock(&mu_);
    for (PartitionQueue* queue : active_) {
      MutexLock queue_lock(&queue->mu);
      if (queue->open != nullptr) SealOpen(*queue);
      while (!queue->sealed.empty()) {
        failed.emplace_back(queue, std::move(queue->sealed.front()));
        queue->sealed.pop_front();
      }
    }
  }
  for (auto& [queue, batch] : failed) Complete(*queue, std::move(batch), why);
}

}  // namespace runnel
