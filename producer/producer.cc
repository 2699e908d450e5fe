// Copyright 2026 The Runnel Authors.
//
// Producer: creation, the Send path (partition choice, back-pressure,
// encoding into the open batch), Flush and Close. The sender thread is in
// producer_sender.cc.
#include "runnel/producer.h"

#include <algorithm>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "log/format.h"
#include "producer/producer_internal.h"

namespace runnel {
namespace {

// An upper bound of a record's encoded size inside a batch: the bytes plus
// the largest varints of its length, attributes, timestamp delta, offset
// delta, key/value lengths and header count (Kafka's
// DefaultRecord.sizeInBytes, rounded up).
size_t RecordBytesBound(const ProducerRecord& record) {
  size_t bytes = 5 + 1 + 10 + 5 + 5 + 5 + 5;
  if (record.key) bytes += record.key->size();
  if (record.value) bytes += record.value->size();
  for (const RecordHeaderView& header : record.headers) {
    bytes += 10 + header.key.size() + (header.value ? header.value->size() : 0);
  }
  return bytes;
}

int32_t SizeOrMinusOne(const std::optional<absl::string_view>& bytes) {
  return bytes ? static_cast<int32_t>(bytes->size()) : -1;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Producer>> Producer::Create(
    Broker* broker, ProducerOptions options) {
  if (broker == nullptr) {
    return absl::InvalidArgumentError("Producer::Create: broker is null");
  }
  if (options.batch_size < 1 || options.buffer_memory < 1 ||
      options.max_request_size < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "producer ", options.client_id,
        ": batch.size, buffer.memory and max.request.size must be >= 1"));
  }
  if (options.compression != Compression::kNone &&
      options.compression != Compression::kLz4) {
    return absl::InvalidArgumentError(
        absl::StrCat("producer ", options.client_id, ": compression.type ",
                     CompressionName(options.compression),
                     " is not available (none or lz4)"));
  }
  if (options.linger < absl::ZeroDuration() ||
      options.max_block < absl::ZeroDuration() ||
      options.delivery_timeout < absl::ZeroDuration() ||
      options.retry_backoff < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("producer ", options.client_id,
                     ": linger.ms, max.block.ms, delivery.timeout.ms and "
                     "retry.backoff.ms must be >= 0"));
  }
  return std::unique_ptr<Producer>(new Producer(broker, std::move(options)));
}

Producer::Producer(Broker* broker, ProducerOptions options)
    : broker_(broker),
      options_(std::move(options)),
      clock_(options_.clock != nullptr            ? options_.clock
             : broker->options().clock != nullptr ? broker->options().clock
                                                  : Clock::Real()),
      own_partitioner_(options_.partitioner == nullptr
                           ? std::make_unique<DefaultPartitioner>()
                           : nullptr),
      partitioner_(options_.partitioner != nullptr ? options_.partitioner
                                                   : own_partitioner_.get()),
      producer_id_(options_.enable_idempotence
                       ? absl::Uniform<int64_t>(absl::BitGen(), 0, INT64_MAX)
                       : -1) {
  sender_ = std::thread([this] { SenderLoop(); });
}

Producer::~Producer() { Close().IgnoreError(); }

absl::StatusOr<const Producer::TopicView*> Producer::FindTopic(
    absl::string_view topic, int32_t min_partitions) {
  const TopicView* view = last_topic_.load(std::memory_order_acquire);
  if (view == nullptr || absl::string_view(view->state->name) != topic ||
      view->state->view.load(std::memory_order_acquire) != view) {
    view = nullptr;
    if (const TopicTable* table =
            topic_table_.load(std::memory_order_acquire)) {
      auto it = table->find(topic);
      if (it != table->end()) {
        view = it->second;
        last_topic_.store(view, std::memory_order_release);
      }
    }
  }
  if (view != nullptr && !view->state->stale.load() &&
      static_cast<int32_t>(view->queues.size()) >= min_partitions) {
    return view;
  }
  return RefreshTopic(topic, min_partitions);
}

// The topic's state, created or refreshed from the broker when it is new,
// stale (a partition was deleted) or has fewer than `min_partitions`; a new
// view is published when its partitions or max.message.bytes changed.
absl::StatusOr<const Producer::TopicView*> Producer::RefreshTopic(
    absl::string_view topic, int32_t min_partitions) {
  MutexLock lock(&mu_);
  auto it = topics_.find(topic);
  if (it != topics_.end() && !it->second->stale.load() &&
      static_cast<int32_t>(it->second->queues.size()) >= min_partitions) {
    return it->second->view.load();  // another Send refreshed it meanwhile
  }
  absl::StatusOr<TopicInfo> info = broker_->GetTopic(topic);
  if (!info.ok()) return info.status();
  if (it == topics_.end()) {
    auto state = std::make_unique<TopicState>();
    state->name = std::string(topic);
    it = topics_.emplace(state->name, std::move(state)).first;
  }
  TopicState& state = *it->second;
  for (size_t p = 0; p < info->partitions.size(); ++p) {
    if (p == state.queues.size()) {
      state.queues.push_back(std::make_unique<PartitionQueue>(
          state.name, static_cast<int32_t>(p)));
    }
    PartitionQueue& queue = *state.queues[p];
    MutexLock queue_lock(&queue.mu);
    queue.target = info->partitions[p];
    queue.min_insync_replicas = info->config.min_insync_replicas;
  }
  state.stale.store(false);
  const size_t partitions = info->partitions.size();
  const size_t max_message_bytes =
      static_cast<size_t>(info->config.max_message_bytes);
  if (const TopicView* current = state.view.load();
      current != nullptr && current->queues.size() == partitions &&
      current->max_message_bytes == max_message_bytes) {
    return current;
  }
  auto view = std::make_unique<TopicView>();
  view->state = &state;
  view->max_message_bytes = max_message_bytes;
  for (size_t p = 0; p < partitions; ++p) {
    view->queues.push_back(state.queues[p].get());
  }
  const TopicTable* old = topic_table_.load(std::memory_order_relaxed);
  auto table = old != nullptr ? std::make_unique<TopicTable>(*old)
                              : std::make_unique<TopicTable>();
  (*table)[state.name] = view.get();
  // The table first: a Send that finds the new view current in
  // state.view then also finds it in the table.
  topic_table_.store(table.get(), std::memory_order_release);
  tables_.push_back(std::move(table));
  state.view.store(view.get(), std::memory_order_release);
  views_.push_back(std::move(view));
  return views_.back().get();
}

absl::StatusOr<int32_t> Producer::ChoosePartition(const ProducerRecord& record,
                                                  int32_t num_partitions) {
  if (record.partition) {
    if (*record.partition < 0 || *record.partition >= num_partitions) {
      return absl::NotFoundError(
          absl::StrCat("producer ", options_.client_id, ": unknown partition ",
                       record.topic, "-", *record.partition, ": topic '",
                       record.topic, "' has ", num_partitions, " partitions"));
    }
    return *record.partition;
  }
  const int32_t p =
      partitioner_->Partition(record.topic, record.key, num_partitions);
  if (p < 0 || p >= num_partitions) {
    return absl::InternalError(absl::StrCat(
        "producer ", options_.client_id, ": the partitioner chose partition ",
        p, " of topic '", record.topic, "', which has ", num_partitions));
  }
  return p;
}

bool Producer::TryAcquireMemory(size_t bytes) {
  size_t used = memory_used_.load();
  while (used + bytes <= options_.buffer_memory) {
    if (memory_used_.compare_exchange_weak(used, used + bytes)) return true;
  }
  return false;
}

absl::Status Producer::AcquireMemory(size_t bytes) {
  if (bytes > options_.buffer_memory) {
    return absl::InvalidArgumentError(absl::StrCat(
        "producer ", options_.client_id, ": a record of ", bytes,
        " bytes is larger than buffer.memory (", options_.buffer_memory, ")"));
  }
  if (TryAcquireMemory(bytes)) return absl::OkStatus();  // the usual case
  // Full: wait. Counting this Send in memory_waiters_ before looking again
  // (both sequentially consistent) means a ReleaseMemory either sees the
  // waiter and signals under memory_mu_, or freed its bytes before the look.
  MutexLock lock(&memory_mu_);
  memory_waiters_.fetch_add(1);
  absl::Status result;
  const absl::Time deadline = absl::Now() + options_.max_block;
  while (!TryAcquireMemory(bytes)) {
    if (closed_.load()) {
      result = absl::FailedPreconditionError(
          absl::StrCat("producer ", options_.client_id, " is closed"));
      break;
    }
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      result = absl::DeadlineExceededError(absl::StrCat(
          "producer ", options_.client_id, ": buffer.memory (",
          options_.buffer_memory, " bytes) stayed full for max.block.ms (",
          absl::ToInt64Milliseconds(options_.max_block), " ms)"));
      break;
    }
    memory_freed_.WaitWithTimeout(&memory_mu_, left);
  }
  memory_waiters_.fetch_sub(1);
  return result;
}

void Producer::ReleaseMemory(size_t bytes) {
  if (bytes == 0) return;
  memory_used_.fetch_sub(bytes);
  if (memory_waiters_.load() == 0) return;
  MutexLock lock(&memory_mu_);
  memory_freed_.SignalAll();
}

std::unique_ptr<Producer::Batch> Producer::TakeBatch(size_t capacity) {
  if (capacity == options_.batch_size) {
    MutexLock lock(&pool_mu_);
    if (!free_batches_.empty()) {
      std::unique_ptr<Batch> batch = std::move(free_batches_.back());
      free_batches_.pop_back();
      return batch;
    }
  }
  auto batch = std::make_unique<Batch>();
  batch->buffer.reset(new char[capacity]);  // not zero-filled
  batch->capacity = capacity;
  return batch;
}

void Producer::RecycleBatch(std::unique_ptr<Batch> batch) {
  if (batch->buffer == nullptr || batch->capacity != options_.batch_size) {
    return;
  }
  // As new, but for the buffer and the callback list's capacity.
  batch->size = 0;
  batch->builder.reset();
  batch->pending.clear();
  batch->records = 0;
  batch->memory = 0;
  batch->retry_at = absl::InfinitePast();
  batch->seal_error = absl::OkStatus();
  MutexLock lock(&pool_mu_);
  // Bounded by the buffers; a callback list adds ~56 bytes per record that
  // had a callback (at most what the batch held when it was in flight).
  if ((free_batches_.size() + 1) * batch->capacity <= options_.buffer_memory) {
    free_batches_.push_back(std::move(batch));
  }
}

std::unique_ptr<Producer::Batch> Producer::NewBatch(PartitionQueue& queue,
                                                    size_t reserve) {
  queue.mu.AssertHeld();
  std::unique_ptr<Batch> batch =
      TakeBatch(std::max(options_.batch_size, reserve));
  batch->id = next_batch_id_.fetch_add(1);
  {
    MutexLock lock(&flight_mu_);
    incomplete_.insert(batch->id);
  }
  batch->created = clock_->Now();
  RecordBatchOptions options;
  options.compression = options_.compression;
  if (producer_id_ >= 0) {
    options.producer_id = producer_id_;
    options.producer_epoch = 0;
    options.base_sequence = queue.next_sequence;
  }
  batch->builder.emplace(options,
                         absl::MakeSpan(batch->buffer.get(), batch->capacity));
  return batch;
}

void Producer::SealOpen(PartitionQueue& queue) {
  queue.mu.AssertHeld();
  std::unique_ptr<Batch> batch = std::move(queue.open);
  // The next batch's base sequence follows this one's records.
  queue.next_sequence = static_cast<int32_t>(
      (int64_t{queue.next_sequence} + batch->records) & 0x7fffffff);
  queue.sealed.push_back(std::move(batch));
}

absl::Status Producer::AppendToQueue(PartitionQueue& queue,
                                     const ProducerRecord& record,
                                     int64_t timestamp, SendCallback& callback,
                                     size_t record_bytes, bool* opened_batch,
                                     bool* sealed_full) {
  MutexLock lock(&queue.mu);
  if (queue.open != nullptr && queue.open->records > 0 &&
      queue.open->builder->size_bytes() + record_bytes > options_.batch_size) {
    SealOpen(queue);  // full: the sender takes it from here
    *sealed_full = true;
  }
  if (queue.open == nullptr) {
    queue.open = NewBatch(queue, format::kRecordBatchHeaderSize + record_bytes);
    *opened_batch = true;
  }
  Batch& batch = *queue.open;
  if (absl::Status s = batch.builder->Append(timestamp, record.key,
                                             record.value, record.headers);
      !s.ok()) {
    if (batch.records == 0) {  // just opened for this record: drop it
      const int64_t id = batch.id;
      queue.open.reset();
      *opened_batch = false;
      MutexLock flight(&flight_mu_);
      incomplete_.erase(id);
      batch_done_.SignalAll();
    }
    return absl::InvalidArgumentError(
        absl::StrCat("producer ", options_.client_id, ": record for ",
                     queue.topic, "-", queue.partition, ": ", s.message()));
  }
  if (callback != nullptr) {
    batch.pending.push_back({std::move(callback), batch.records, timestamp,
                             SizeOrMinusOne(record.key),
                             SizeOrMinusOne(record.value)});
  }
  batch.records++;
  batch.memory += record_bytes;
  return absl::OkStatus();
}

absl::Status Producer::Send(const ProducerRecord& record,
                            SendCallback callback) {
  if (closed_.load()) {
    return absl::FailedPreconditionError(
        absl::StrCat("producer ", options_.client_id, " is closed"));
  }
  const int32_t min_partitions = record.partition ? *record.partition + 1 : 1;
  absl::StatusOr<const TopicView*> topic =
      FindTopic(record.topic, min_partitions);
  if (!topic.ok()) return topic.status();
  const int32_t num_partitions = static_cast<int32_t>((*topic)->queues.size());
  absl::StatusOr<int32_t> partition = ChoosePartition(record, num_partitions);
  if (!partition.ok()) return partition.status();

  const size_t record_bytes = RecordBytesBound(record);
  const size_t batch_bytes = format::kRecordBatchHeaderSize + record_bytes;
  if (batch_bytes > options_.max_request_size ||
      batch_bytes > (*topic)->max_message_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "producer ", options_.client_id, ": a record for topic '", record.topic,
        "' of up to ", batch_bytes,
        " bytes (as a batch of its own) is larger than ",
        batch_bytes > options_.max_request_size
            ? absl::StrCat("max.request.size (", options_.max_request_size, ")")
            : absl::StrCat("the topic's max.message.bytes (",
                           (*topic)->max_message_bytes, ")")));
  }
  if (absl::Status s = AcquireMemory(record_bytes); !s.ok()) return s;
  // One clock read per record, and none for a record that has a timestamp.
  const int64_t timestamp =
      record.timestamp ? *record.timestamp : clock_->NowMillis();

  PartitionQueue* queue = (*topic)->queues[*partition];
  bool opened = false;
  bool sealed = false;
  absl::Status appended = AppendToQueue(*queue, record, timestamp, callback,
                                        record_bytes, &opened, &sealed);
  if (!appended.ok()) {
    ReleaseMemory(record_bytes);
    return appended;
  }
  if (sealed && !record.partition) {
    partitioner_->OnNewBatch(record.topic, num_partitions, *partition);
  }
  if (opened || sealed) {
    MarkActiveAndWake(queue);
  }
  return absl::OkStatus();
}

std::future<absl::StatusOr<RecordMetadata>> Producer::SendWithFuture(
    const ProducerRecord& record) {
  auto promise =
      std::make_shared<std::promise<absl::StatusOr<RecordMetadata>>>();
  std::future<absl::StatusOr<RecordMetadata>> future = promise->get_future();
  absl::Status sent =
      Send(record, [promise](absl::StatusOr<RecordMetadata> result) {
        if (result.ok()) result->topic = absl::string_view();
        promise->set_value(std::move(result));
      });
  if (!sent.ok()) promise->set_value(sent);
  return future;
}

void Producer::MarkActive(PartitionQueue* queue) {
  MutexLock lock(&mu_);
  active_.insert(queue);
}

void Producer::MarkActiveAndWake(PartitionQueue* queue) {
  MutexLock lock(&mu_);
  active_.insert(queue);
  WakeSenderLocked();
}

void Producer::WakeSender() {
  MutexLock lock(&mu_);
  WakeSenderLocked();
}

void Producer::WakeSenderLocked() {
  // A sender already woken has not looked yet (it clears the flag when it
  // does) and will not sleep before it does: no second signal.
  if (sender_woken_.load(std::memory_order_relaxed)) return;
  sender_woken_.store(true, std::memory_order_release);
  // No system call unless the sender is asleep (a spinning sender sees
  // the flag).
  sender_wake_.Signal();
}

absl::Status Producer::Flush() {
  const int64_t target = next_batch_id_.load() - 1;
  int64_t seen = flush_target_.load();
  while (seen < target && !flush_target_.compare_exchange_weak(seen, target)) {
  }
  WakeSender();
  MutexLock lock(&flight_mu_);
  while (!incomplete_.empty() && *incomplete_.begin() <= target) {
    batch_done_.Wait(&flight_mu_);
  }
  return absl::OkStatus();
}

absl::Status Producer::Close(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  {
    MutexLock lock(&mu_);
    if (stop_sender_) return absl::OkStatus();  // closed before
    closing_ = true;
    closed_.store(true);
    WakeSenderLocked();
  }
  {
    MutexLock memory(&memory_mu_);
    memory_freed_.SignalAll();  // blocked Sends give up
  }
  absl::Status result;
  {
    MutexLock lock(&flight_mu_);
    while (!incomplete_.empty()) {
      const absl::Duration left = deadline - absl::Now();
      if (left <= absl::ZeroDuration()) break;
      batch_done_.WaitWithTimeout(&flight_mu_,
                                  std::min(left, absl::Seconds(1)));
    }
    if (!incomplete_.empty()) {
      result = absl::DeadlineExceededError(absl::StrCat(
          "producer ", options_.client_id, ": ", incomplete_.size(),
          " batches were not sent within the close timeout"));
    }
  }
  if (!result.ok()) FailAll(result);
  {
    MutexLock lock(&mu_);
    stop_sender_ = true;
    sender_wake_.Signal();
  }
  sender_.join();
  return result;
}

}  // namespace runnel
