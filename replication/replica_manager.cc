// Copyright 2026 The Runnel Authors.
//
// ReplicaManager: the leader's side (HandleFetch, the ISR and the high
// watermark) and the follower's fetch loop. See replica_manager.h.
#include "runnel/replica_manager.h"

#include <algorithm>
#include <atomic>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "replication/leader_epoch_cache.h"
#include "replication/leader_epoch_checkpoint.h"
#include "replication/timer_thread.h"
#include "runnel/clock.h"
#include "runnel/record_batch.h"
#include "runnel/replica_messages.h"
#include "util/mutex.h"

namespace runnel {
namespace {

constexpr char kHighWatermarkFile[] = "runnel-high-watermark";

bool Contains(const std::vector<int32_t>& ids, int32_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// The batches of `records` from `offset` on (a duplicated or late response
// may start below the follower's end).
absl::string_view From(absl::string_view records, int64_t offset) {
  while (!records.empty()) {
    absl::StatusOr<RecordBatchHeader> header = ReadBatchHeader(records);
    if (!header.ok() || header->last_offset() >= offset) break;
    records.remove_prefix(std::min(records.size(), header->size_bytes()));
  }
  return records;
}

}  // namespace

class ReplicaManager::Core : public std::enable_shared_from_this<Core> {
 public:
  Core(Broker* broker, ReplicaManagerOptions options)
      : broker_(broker),
        options_(std::move(options)),
        clock_(broker->options().clock != nullptr ? broker->options().clock
                                                  : Clock::Real()),
        fs_(broker->options().file_system != nullptr
                ? broker->options().file_system
                : FileSystem::Default()) {
    if (!options_.schedule) {
      timers_ = std::make_unique<internal::TimerThread>();
      options_.schedule = [this](absl::Duration d, std::function<void()> fn) {
        timers_->Schedule(d, std::move(fn));
      };
    }
  }

  ~Core() { timers_.reset(); }

  void StartTicks() { ScheduleTick(); }

  absl::Status BecomeLeader(const TopicPartition& tp, int32_t epoch,
                            std::vector<int32_t> replicas,
                            std::vector<int32_t> isr);
  absl::Status BecomeFollower(const TopicPartition& tp, int32_t epoch,
                              int32_t leader, std::vector<int32_t> replicas);
  std::string HandleRequest(absl::string_view request);
  void CheckReplicas();

 private:
  enum class Role { kNone, kLeader, kFollower };
  struct Follower {
    int64_t log_end_offset = -1;
    absl::Time last_caught_up = absl::InfinitePast();
    int64_t leader_end_at_last_fetch = -1;
    absl::Time last_fetch = absl::InfinitePast();
  };
  // One partition's replication state.
  struct Replica {
    std::shared_ptr<Partition> partition;
    std::unique_ptr<LeaderEpochCache> epochs;
    Mutex mu;
    Role role ABSL_GUARDED_BY(mu) = Role::kNone;
    int32_t epoch ABSL_GUARDED_BY(mu) = -1;
    int32_t leader ABSL_GUARDED_BY(mu) = -1;
    std::vector<int32_t> replicas ABSL_GUARDED_BY(mu);
    std::vector<int32_t> isr ABSL_GUARDED_BY(mu);  // leader only
    absl::flat_hash_map<int32_t, Follower> followers ABSL_GUARDED_BY(mu);
    // Follower: bumped by every role change, so stale loops stop.
    uint64_t generation ABSL_GUARDED_BY(mu) = 0;
    int64_t checkpointed_hw ABSL_GUARDED_BY(mu) = -1;
    int64_t synced_end ABSL_GUARDED_BY(mu) = -1;  // leader: known durable
  };

  absl::StatusOr<std::shared_ptr<Replica>> GetOrOpen(const TopicPartition& tp);
  std::shared_ptr<Replica> Find(const TopicPartition& tp);
  int64_t CheckpointedHighWatermark(const Partition& partition);
  void WriteHighWatermark(Replica& r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(r.mu);
  // `start_hw`: where the high watermark starts if the partition starts
  // replicating now (see Partition::SetReplicaState).
  absl::Status PublishState(Replica& r, int64_t start_hw)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(r.mu);
  void MaybeAdvanceHighWatermark(Replica& r)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(r.mu);
  void ShrinkIsr(Replica& r, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(r.mu);
  void ChangeIsr(Replica& r, std::vector<int32_t> isr)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(r.mu);

  // Leader side.
  std::string HandleFetch(const ReplicaFetchRequest& request);
  ReplicaFetchPartitionData FetchOne(int32_t replica_id, int32_t max_wait_ms,
                                     const ReplicaFetchPartition& p);
  std::optional<int16_t> CheckLeader(Replica& r, int32_t replica_id,
                                     int32_t current_epoch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(r.mu);
  void RecordFetch(Replica& r, int32_t replica_id, int64_t fetch_offset)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(r.mu);
  std::string HandleOffsetsForLeaderEpoch(
      const OffsetsForLeaderEpochRequest& request);

  // Follower side.
  void SendFetch(const TopicPartition& tp, uint64_t generation);
  void OnFetchResponse(const TopicPartition& tp, uint64_t generation,
                       absl::StatusOr<std::string> response);
  // What to do next: fetch at once, or after the back-off.
  bool ApplyFetchResponse(Replica& r, const ReplicaFetchPartitionData& data)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(r.mu);
  absl::Status Truncate(Replica& r, const EpochEndOffset& diverging)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(r.mu);
  absl::Status AppendFetched(Replica& r, absl::string_view records)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(r.mu);
  void ScheduleFetch(const TopicPartition& tp, uint64_t generation,
                     absl::Duration delay);
  void ScheduleTick();

  Broker* const broker_;
  ReplicaManagerOptions options_;
  Clock* const clock_;
  FileSystem* const fs_;
  std::unique_ptr<internal::TimerThread> timers_;
  std::atomic<int32_t> next_correlation_id_{1};

  Mutex mu_;
  absl::flat_hash_map<TopicPartition, std::shared_ptr<Replica>> replicas_
      ABSL_GUARDED_BY(mu_);
};

// ---- Set-up and roles ------------------------------------------------------

absl::StatusOr<std::shared_ptr<ReplicaManager::Core::Replica>>
ReplicaManager::Core::GetOrOpen(const TopicPartition& tp) {
  MutexLock lock(&mu_);
  auto it = replicas_.find(tp);
  if (it != replicas_.end()) return it->second;
  absl::StatusOr<std::shared_ptr<Partition>> partition =
      broker_->GetPartition(tp.topic, tp.partition);
  if (!partition.ok()) return partition.status();
  if (absl::Status s = (*partition)->status(); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<LeaderEpochCache>> epochs =
      LeaderEpochCache::Open(fs_, absl::StrCat((*partition)->dir(), "/",
                                               kLeaderEpochCheckpointFileName));
  if (!epochs.ok()) return epochs.status();
  auto r = std::make_shared<Replica>();
  r->partition = *std::move(partition);
  r->epochs = *std::move(epochs);
  replicas_.emplace(tp, r);
  return r;
}

std::shared_ptr<ReplicaManager::Core::Replica> ReplicaManager::Core::Find(
    const TopicPartition& tp) {
  MutexLock lock(&mu_);
  auto it = replicas_.find(tp);
  return it == replicas_.end() ? nullptr : it->second;
}

// The high watermark last checkpointed, or the log start if none: what is
// surely committed when a partition starts to replicate.
int64_t ReplicaManager::Core::CheckpointedHighWatermark(
    const Partition& partition) {
  int64_t hw = partition.log_start_offset();
  absl::StatusOr<std::string> text = fs_->ReadFileToString(
      absl::StrCat(partition.dir(), "/", kHighWatermarkFile));
  int64_t stored = 0;
  if (text.ok() &&
      absl::SimpleAtoi(absl::StripAsciiWhitespace(*text), &stored)) {
    hw = std::max(hw, stored);
  }
  return hw;
}

void ReplicaManager::Core::WriteHighWatermark(Replica& r) {
  const int64_t hw = r.partition->high_watermark();
  if (hw == r.checkpointed_hw) return;
  // Best effort: a stale checkpoint only makes the next start lower.
  if (fs_->ReplaceFileDurably(
             absl::StrCat(r.partition->dir(), "/", kHighWatermarkFile),
             absl::StrCat(hw, "\n"))
          .ok()) {
    r.checkpointed_hw = hw;
  }
}

absl::Status ReplicaManager::Core::PublishState(Replica& r, int64_t start_hw) {
  PartitionState state;
  state.leader = r.leader;
  state.leader_epoch = r.epoch;
  state.replicas = r.replicas;
  state.isr = r.isr;
  return r.partition->SetReplicaState(std::move(state), start_hw);
}

absl::Status ReplicaManager::Core::BecomeLeader(const TopicPartition& tp,
                                                int32_t epoch,
                                                std::vector<int32_t> replicas,
                                                std::vector<int32_t> isr) {
  const int32_t self = broker_->broker_id();
  if (!Contains(replicas, self) || !Contains(isr, self)) {
    return absl::InvalidArgumentError(
        absl::StrCat("partition ", tp.ToString(), ": broker ", self,
                     " must be in the replicas and the ISR it leads"));
  }
  absl::StatusOr<std::shared_ptr<Replica>> r = GetOrOpen(tp);
  if (!r.ok()) return r.status();
  Replica& rep = **r;
  MutexLock lock(&rep.mu);
  if (epoch < rep.epoch || (epoch == rep.epoch && rep.role != Role::kLeader &&
                            rep.role != Role::kNone)) {
    return absl::InvalidArgumentError(
        absl::StrCat("partition ", tp.ToString(), ": leader epoch ", epoch,
                     " is not newer than ", rep.epoch));
  }
  rep.role = Role::kLeader;
  rep.epoch = epoch;
  rep.leader = self;
  rep.replicas = std::move(replicas);
  rep.isr = std::move(isr);
  ++rep.generation;  // stops a follower loop
  rep.followers.clear();
  rep.synced_end = -1;  // the log may have been cut since it last led
  const absl::Time now = clock_->Now();
  for (int32_t id : rep.replicas) {
    // ISR members count as caught up when the new leader starts (Kafka).
    if (id != self && Contains(rep.isr, id))
      rep.followers[id].last_caught_up = now;
  }
  if (absl::Status s =
          rep.epochs->Assign(epoch, rep.partition->log_end_offset());
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          PublishState(rep, CheckpointedHighWatermark(*rep.partition));
      !s.ok()) {
    return s;
  }
  MaybeAdvanceHighWatermark(rep);
  WriteHighWatermark(rep);
  return absl::OkStatus();
}

absl::Status ReplicaManager::Core::BecomeFollower(
    const TopicPartition& tp, int32_t epoch, int32_t leader,
    std::vector<int32_t> replicas) {
  const int32_t self = broker_->broker_id();
  if (leader == self || !Contains(replicas, self) ||
      !Contains(replicas, leader)) {
    return absl::InvalidArgumentError(
        absl::StrCat("partition ", tp.ToString(), ": broker ", self,
                     " cannot follow ", leader, " among the replicas"));
  }
  absl::StatusOr<std::shared_ptr<Replica>> r = GetOrOpen(tp);
  if (!r.ok()) return r.status();
  uint64_t generation;
  {
    Replica& rep = **r;
    MutexLock lock(&rep.mu);
    if (epoch < rep.epoch ||
        (epoch == rep.epoch && rep.role == Role::kFollower &&
         rep.leader == leader)) {
      if (epoch == rep.epoch) return absl::OkStatus();  // already so
      return absl::InvalidArgumentError(
          absl::StrCat("partition ", tp.ToString(), ": leader epoch ", epoch,
                       " is older than ", rep.epoch));
    }
    if (rep.role == Role::kLeader) WriteHighWatermark(rep);
    rep.role = Role::kFollower;
    rep.epoch = epoch;
    rep.leader = leader;
    rep.replicas = std::move(replicas);
    rep.isr.clear();
    rep.followers.clear();
    generation = ++rep.generation;
    if (absl::Status s =
            PublishState(rep, CheckpointedHighWatermark(*rep.partition));
        !s.ok()) {
      return s;
    }
  }
  SendFetch(tp, generation);
  return absl::OkStatus();
}

// ---- The leader: ISR and high watermark ------------------------------------

// The high watermark: the lowest log end offset in the ISR. With
// sync_before_commit the leader's own end counts once synced, so everything
// below the high watermark is on stable storage on every ISR member: if the
// ISR shrinks to the leader alone and it then loses power, nothing
// committed goes.
void ReplicaManager::Core::MaybeAdvanceHighWatermark(Replica& r) {
  if (r.role != Role::kLeader) return;
  int64_t hw = r.partition->log_end_offset();
  if (options_.sync_before_commit && hw > r.synced_end) {
    if (!r.partition->Sync().ok()) return;  // no progress until it syncs
    r.synced_end = hw;
  }
  for (int32_t id : r.isr) {
    if (id == broker_->broker_id()) continue;
    auto it = r.followers.find(id);
    hw = std::min(
        hw, it == r.followers.end() ? int64_t{-1} : it->second.log_end_offset);
  }
  if (hw >= 0) r.partition->UpdateHighWatermark(hw);
}

void ReplicaManager::Core::ChangeIsr(Replica& r, std::vector<int32_t> isr) {
  r.isr = std::move(isr);
  // Same epoch, already replicating: cannot fail.
  PublishState(r, r.partition->high_watermark()).IgnoreError();
  if (options_.on_isr_change) {
    options_.on_isr_change(r.partition->topic_partition(), r.epoch, r.isr);
  }
  MaybeAdvanceHighWatermark(r);
}

void ReplicaManager::Core::ShrinkIsr(Replica& r, absl::Time now) {
  std::vector<int32_t> isr;
  for (int32_t id : r.isr) {
    const bool lagging =
        id != broker_->broker_id() &&
        now - r.followers[id].last_caught_up > options_.replica_lag_time_max;
    if (!lagging) isr.push_back(id);
  }
  if (isr.size() != r.isr.size()) ChangeIsr(r, std::move(isr));
}

void ReplicaManager::Core::CheckReplicas() {
  std::vector<std::shared_ptr<Replica>> all;
  {
    MutexLock lock(&mu_);
    for (auto& [tp, r] : replicas_) all.push_back(r);
  }
  const absl::Time now = clock_->Now();
  for (const std::shared_ptr<Replica>& r : all) {
    MutexLock lock(&r->mu);
    if (r->role == Role::kLeader) ShrinkIsr(*r, now);
    WriteHighWatermark(*r);
  }
}

void ReplicaManager::Core::ScheduleTick() {
  std::weak_ptr<Core> weak = weak_from_this();
  options_.schedule(options_.replica_lag_time_max / 2, [weak] {
    if (std::shared_ptr<Core> core = weak.lock()) {
      core->CheckReplicas();
      core->ScheduleTick();
    }
  });
}

// ---- The leader: requests --------------------------------------------------

std::string ReplicaManager::Core::HandleRequest(absl::string_view request) {
  absl::StatusOr<ReplicaMessageHeader> header =
      PeekReplicaMessageHeader(request);
  if (header.ok() && header->api_key == kApiKeyFetch) {
    absl::StatusOr<ReplicaFetchRequest> fetch =
        DecodeReplicaFetchRequest(request);
    if (fetch.ok()) return HandleFetch(*fetch);
  } else if (header.ok() && header->api_key == kApiKeyOffsetForLeaderEpoch) {
    absl::StatusOr<OffsetsForLeaderEpochRequest> query =
        DecodeOffsetsForLeaderEpochRequest(request);
    if (query.ok()) return HandleOffsetsForLeaderEpoch(*query);
  }
  // Undecodable: an empty fetch response the sender cannot match to a
  // partition (its request fails as if lost, and it retries).
  ReplicaFetchResponse response;
  response.correlation_id = header.ok() ? header->correlation_id : 0;
  return EncodeReplicaFetchResponse(response).value_or("");
}

std::string ReplicaManager::Core::HandleFetch(
    const ReplicaFetchRequest& request) {
  ReplicaFetchResponse response;
  response.correlation_id = request.correlation_id;
  for (const ReplicaFetchPartition& p : request.partitions) {
    response.partitions.push_back(
        FetchOne(request.replica_id, request.max_wait_ms, p));
  }
  return EncodeReplicaFetchResponse(response).value_or("");
}

// An error code if this broker cannot serve `replica_id`'s fetch at
// `current_epoch`.
std::optional<int16_t> ReplicaManager::Core::CheckLeader(
    Replica& r, int32_t replica_id, int32_t current_epoch) {
  if (r.role != Role::kLeader || !Contains(r.replicas, replica_id) ||
      replica_id == broker_->broker_id()) {
    return kErrorNotLeaderOrFollower;
  }
  if (current_epoch < r.epoch) return kErrorFencedLeaderEpoch;
  if (current_epoch > r.epoch) return kErrorUnknownLeaderEpoch;
  return std::nullopt;
}

// Kafka's follower bookkeeping: a follower has caught up at the time of a
// fetch that reached the leader's end, or, failing that, at the time of its
// previous fetch if it has now reached where the leader's end was then.
void ReplicaManager::Core::RecordFetch(Replica& r, int32_t replica_id,
                                       int64_t fetch_offset) {
  const absl::Time now = clock_->Now();
  const int64_t end = r.partition->log_end_offset();
  Follower& f = r.followers[replica_id];
  f.log_end_offset = fetch_offset;
  if (fetch_offset >= end) {
    f.last_caught_up = now;
  } else if (fetch_offset >= f.leader_end_at_last_fetch) {
    f.last_caught_up = std::max(f.last_caught_up, f.last_fetch);
  }
  f.leader_end_at_last_fetch = end;
  f.last_fetch = now;
  // Back into the ISR once it holds everything committed and the current
  // epoch's start.
  const std::optional<EpochEntry> current = r.epochs->LatestEntry();
  if (!Contains(r.isr, replica_id) &&
      fetch_offset >= r.partition->high_watermark() &&
      (!current.has_value() || fetch_offset >= current->start_offset)) {
    std::vector<int32_t> isr = r.isr;
    isr.push_back(replica_id);
    ChangeIsr(r, std::move(isr));
  }
  MaybeAdvanceHighWatermark(r);
}

ReplicaFetchPartitionData ReplicaManager::Core::FetchOne(
    int32_t replica_id, int32_t max_wait_ms, const ReplicaFetchPartition& p) {
  ReplicaFetchPartitionData data;
  data.topic = p.topic;
  data.partition = p.partition;
  std::shared_ptr<Replica> r = Find({p.topic, p.partition});
  if (r == nullptr) {
    data.error_code = kErrorUnknownTopicOrPartition;
    return data;
  }
  std::shared_ptr<Partition> partition = r->partition;
  {
    MutexLock lock(&r->mu);
    data.leader_epoch = r->epoch;
    if (std::optional<int16_t> error =
            CheckLeader(*r, replica_id, p.current_leader_epoch)) {
      data.error_code = *error;
      return data;
    }
    const int64_t end = partition->log_end_offset();
    data.log_start_offset = partition->log_start_offset();
    data.log_end_offset = end;
    data.high_watermark = partition->high_watermark();
    // KIP-320: where the follower's log leaves ours, it must truncate
    // first; its fetch offset says nothing about what it holds of ours.
    if (p.last_fetched_epoch != kUndefinedEpoch) {
      const EpochEndOffset ours =
          r->epochs->EndOffsetFor(p.last_fetched_epoch, end);
      if (ours.epoch != p.last_fetched_epoch ||
          ours.end_offset < p.fetch_offset) {
        data.diverging_epoch = ours;
        return data;
      }
    }
    if (p.fetch_offset < data.log_start_offset || p.fetch_offset > end) {
      data.error_code = kErrorOffsetOutOfRange;
      return data;
    }
    RecordFetch(*r, replica_id, p.fetch_offset);
    data.high_watermark = partition->high_watermark();
  }
  if (max_wait_ms > 0 && p.fetch_offset == partition->log_end_offset()) {
    partition->WaitForLogEnd(p.fetch_offset,
                             absl::Now() + absl::Milliseconds(max_wait_ms));
  }
  absl::StatusOr<LogReadResult> read = partition->ReadForReplica(
      p.fetch_offset, static_cast<size_t>(std::max(
                          1, std::min(p.partition_max_bytes,
                                      options_.replica_fetch_max_bytes))));
  if (!read.ok()) {
    data.error_code = absl::IsOutOfRange(read.status())
                          ? kErrorOffsetOutOfRange
                          : kErrorKafkaStorageError;
    return data;
  }
  for (absl::string_view batch : read->batches) {
    data.records.append(batch.data(), batch.size());
  }
  data.log_end_offset = partition->log_end_offset();
  return data;
}

std::string ReplicaManager::Core::HandleOffsetsForLeaderEpoch(
    const OffsetsForLeaderEpochRequest& request) {
  OffsetsForLeaderEpochResponse response;
  response.correlation_id = request.correlation_id;
  for (const OffsetsForLeaderEpochPartition& p : request.partitions) {
    OffsetsForLeaderEpochPartitionResult result;
    result.topic = p.topic;
    result.partition = p.partition;
    std::shared_ptr<Replica> r = Find({p.topic, p.partition});
    if (r == nullptr) {
      result.error_code = kErrorUnknownTopicOrPartition;
    } else {
      MutexLock lock(&r->mu);
      if (std::optional<int16_t> error =
              CheckLeader(*r, request.replica_id, p.current_leader_epoch)) {
        result.error_code = *error;
      } else {
        const EpochEndOffset end = r->epochs->EndOffsetFor(
            p.leader_epoch, r->partition->log_end_offset());
        result.leader_epoch = end.epoch;
        result.end_offset = end.end_offset;
      }
    }
    response.partitions.push_back(std::move(result));
  }
  return EncodeOffsetsForLeaderEpochResponse(response).value_or("");
}

// ---- The follower
// ------------------------------------------------------------

void ReplicaManager::Core::SendFetch(const TopicPartition& tp,
                                     uint64_t generation) {
  std::shared_ptr<Replica> r = Find(tp);
  if (r == nullptr) return;
  ReplicaFetchRequest request;
  int32_t leader;
  {
    MutexLock lock(&r->mu);
    if (r->role != Role::kFollower || r->generation != generation) return;
    leader = r->leader;
    request.correlation_id = next_correlation_id_.fetch_add(1);
    request.replica_id = broker_->broker_id();
    request.max_wait_ms = static_cast<int32_t>(
        absl::ToInt64Milliseconds(options_.replica_fetch_wait_max));
    request.max_bytes = options_.replica_fetch_max_bytes;
    ReplicaFetchPartition p;
    p.topic = tp.topic;
    p.partition = tp.partition;
    p.current_leader_epoch = r->epoch;
    p.fetch_offset = r->partition->log_end_offset();
    p.last_fetched_epoch = r->epochs->LatestEpoch().value_or(kUndefinedEpoch);
    p.log_start_offset = r->partition->log_start_offset();
    p.partition_max_bytes = options_.replica_fetch_max_bytes;
    request.partitions.push_back(std::move(p));
  }
  absl::StatusOr<std::string> bytes = EncodeReplicaFetchRequest(request);
  if (!bytes.ok()) {
    ScheduleFetch(tp, generation, options_.replica_fetch_backoff);
    return;
  }
  std::weak_ptr<Core> weak = weak_from_this();
  options_.transport->Send(
      leader, *std::move(bytes),
      [weak, tp, generation](absl::StatusOr<std::string> response) {
        if (std::shared_ptr<Core> core = weak.lock()) {
          core->OnFetchResponse(tp, generation, std::move(response));
        }
      });
}

void ReplicaManager::Core::OnFetchResponse(
    const TopicPartition& tp, uint64_t generation,
    absl::StatusOr<std::string> response) {
  std::shared_ptr<Replica> r = Find(tp);
  if (r == nullptr) return;
  bool at_once = false;
  {
    MutexLock lock(&r->mu);
    if (r->role != Role::kFollower || r->generation != generation) return;
    absl::StatusOr<ReplicaFetchResponse> decoded =
        response.ok() ? DecodeReplicaFetchResponse(*response)
                      : absl::StatusOr<ReplicaFetchResponse>(response.status());
    if (decoded.ok() && decoded->partitions.size() == 1 &&
        decoded->partitions[0].topic == tp.topic &&
        decoded->partitions[0].partition == tp.partition) {
      at_once = ApplyFetchResponse(*r, decoded->partitions[0]);
    }
  }
  ScheduleFetch(
      tp, generation,
      at_once ? absl::ZeroDuration() : options_.replica_fetch_backoff);
}

// Handles one partition's answer; true to fetch again at once.
bool ReplicaManager::Core::ApplyFetchResponse(
    Replica& r, const ReplicaFetchPartitionData& data) {
  Partition& partition = *r.partition;
  if (data.error_code == kErrorOffsetOutOfRange) {
    // Behind the leader's log start: start over where it starts.
    if (data.log_start_offset > partition.log_end_offset()) {
      if (!partition.TruncateFullyAndStartAt(data.log_start_offset).ok()) {
        return false;
      }
      r.epochs->Clear().IgnoreError();
      return true;
    }
    return false;
  }
  if (data.error_code != kErrorNone) return false;  // wait for the controller
  if (data.diverging_epoch.has_value()) {
    return Truncate(r, *data.diverging_epoch).ok();
  }
  const absl::string_view records =
      From(data.records, partition.log_end_offset());
  if (!records.empty() && !AppendFetched(r, records).ok()) return false;
  partition.UpdateHighWatermark(data.high_watermark, /*follower=*/true);
  return !records.empty() ||
         options_.replica_fetch_wait_max > absl::ZeroDuration();
}

// KIP-101/320: truncate to where both logs agree — the end of the diverging
// epoch on the leader, or our own end of that epoch if earlier (another
// round follows if our epochs still differ).
absl::Status ReplicaManager::Core::Truncate(Replica& r,
                                            const EpochEndOffset& diverging) {
  const int64_t end = r.partition->log_end_offset();
  int64_t cut = r.partition->high_watermark();
  if (!diverging.undefined()) {
    const EpochEndOffset ours = r.epochs->EndOffsetFor(diverging.epoch, end);
    cut = ours.undefined() ? diverging.end_offset
                           : std::min(diverging.end_offset, ours.end_offset);
  }
  cut = std::max(cut, r.partition->log_start_offset());
  if (cut < end) {
    if (absl::Status s = r.partition->TruncateTo(cut); !s.ok()) return s;
  }
  return r.epochs->TruncateFromEnd(r.partition->log_end_offset());
}

absl::Status ReplicaManager::Core::AppendFetched(Replica& r,
                                                 absl::string_view records) {
  absl::StatusOr<AppendInfo> appended = r.partition->AppendAsFollower(records);
  if (!appended.ok()) return appended.status();
  // New epochs start at the first batch written in them.
  for (absl::string_view rest = records; !rest.empty();) {
    absl::StatusOr<RecordBatchHeader> header = ReadBatchHeader(rest);
    if (!header.ok()) break;
    const int32_t epoch = header->partition_leader_epoch;
    if (epoch > r.epochs->LatestEpoch().value_or(kUndefinedEpoch)) {
      if (absl::Status s = r.epochs->Assign(epoch, header->base_offset);
          !s.ok()) {
        return s;
      }
    }
    rest.remove_prefix(std::min(rest.size(), header->size_bytes()));
  }
  return options_.sync_before_commit ? r.partition->Sync() : absl::OkStatus();
}

void ReplicaManager::Core::ScheduleFetch(const TopicPartition& tp,
                                         uint64_t generation,
                                         absl::Duration delay) {
  std::weak_ptr<Core> weak = weak_from_this();
  options_.schedule(delay, [weak, tp, generation] {
    if (std::shared_ptr<Core> core = weak.lock()) {
      core->SendFetch(tp, generation);
    }
  });
}

// ---- ReplicaManager
// ----------------------------------------------------------

ReplicaManager::ReplicaManager(std::shared_ptr<Core> core)
    : core_(std::move(core)) {}

ReplicaManager::~ReplicaManager() = default;

absl::StatusOr<std::unique_ptr<ReplicaManager>> ReplicaManager::Create(
    Broker* broker, ReplicaManagerOptions options) {
  if (broker == nullptr || options.transport == nullptr) {
    return absl::InvalidArgumentError(
        "ReplicaManager needs a broker and ReplicaManagerOptions.transport");
  }
  if (options.replica_lag_time_max <= absl::ZeroDuration() ||
      options.replica_fetch_max_bytes < 1 ||
      options.replica_fetch_wait_max < absl::ZeroDuration() ||
      options.replica_fetch_backoff < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "ReplicaManagerOptions: replica.lag.time.max.ms and "
        "replica.fetch.max.bytes must be > 0, the wait and back-off >= 0");
  }
  if (broker->read_only()) {
    return absl::FailedPreconditionError(
        absl::StrCat("ReplicaManager: the broker on ",
                     broker->options().data_dir, " was opened read-only"));
  }
  auto core = std::make_shared<Core>(broker, std::move(options));
  core->StartTicks();
  return std::unique_ptr<ReplicaManager>(new ReplicaManager(std::move(core)));
}

absl::Status ReplicaManager::BecomeLeader(const TopicPartition& partition,
                                          int32_t leader_epoch,
                                          std::vector<int32_t> replicas,
                                          std::vector<int32_t> isr) {
  return core_->BecomeLeader(partition, leader_epoch, std::move(replicas),
                             std::move(isr));
}

absl::Status ReplicaManager::BecomeFollower(const TopicPartition& partition,
                                            int32_t leader_epoch,
                                            int32_t leader,
                                            std::vector<int32_t> replicas) {
  return core_->BecomeFollower(partition, leader_epoch, leader,
                               std::move(replicas));
}

std::string ReplicaManager::HandleRequest(absl::string_view request) {
  return core_->HandleRequest(request);
}

ReplicaRequestHandler ReplicaManager::handler() {
  std::weak_ptr<Core> weak = core_;
  return [weak](absl::string_view request) -> std::string {
    std::shared_ptr<Core> core = weak.lock();
    if (core == nullptr) return "";
    return core->HandleRequest(request);
  };
}

void ReplicaManager::CheckReplicas() { core_->CheckReplicas(); }

}  // namespace runnel
