// Copyright 2026 The Runnel Authors.
//
// Partition: the calls the replication layer makes (leadership state, the
// high watermark, follower appends and truncation). See partition.h.
#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "runnel/partition.h"
#include "runnel/record_batch.h"

namespace runnel {

absl::Status Partition::SetReplicaState(PartitionState state,
                                        int64_t high_watermark) {
  MutexLock append(&append_mu_);
  absl::StatusOr<std::shared_ptr<Log>> log = Online();
  if (!log.ok()) return log.status();
  {
    MutexLock lock(&mu_);
    if (state.leader_epoch < state_.leader_epoch) {
      return absl::InvalidArgumentError(absl::StrCat(
          "partition ", id_.ToString(), ": leader epoch ", state.leader_epoch,
          " is older than the current ", state_.leader_epoch));
    }
  }
  if (state.leader_epoch > (*log)->leader_epoch()) {
    if (absl::Status s = (*log)->set_leader_epoch(state.leader_epoch);
        !s.ok()) {
      return s;
    }
  }
  options_.leader_epoch = state.leader_epoch;  // for a reopen
  const bool replicated = state.replicas.size() > 1;
  const bool was_replicated = replicated_.load(std::memory_order_acquire);
  {
    MutexLock lock(&mu_);
    state_ = std::move(state);
  }
  replicated_.store(replicated, std::memory_order_release);
  const int64_t end = (*log)->log_end_offset();
  if (!replicated) {
    high_watermark_.store(end, std::memory_order_release);
  } else if (!was_replicated) {
    high_watermark_.store(std::min(high_watermark, end),
                          std::memory_order_release);
  }
  WakeAll();
  return absl::OkStatus();
}

absl::Status Partition::CheckInSyncReplicas(int32_t min_insync) const {
  PartitionState state = this->state();
  if (static_cast<int32_t>(state.isr.size()) >= min_insync) {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "NOT_ENOUGH_REPLICAS: partition ", id_.ToString(), " has ",
      state.isr.size(), " in-sync replica(s) [", absl::StrJoin(state.isr, ","),
      "], fewer than min.insync.replicas=", min_insync));
}

void Partition::UpdateHighWatermark(int64_t hw, bool follower) {
  const int64_t end = log_end_offset();
  const int64_t target = std::min(hw, end);
  int64_t current = high_watermark_.load(std::memory_order_acquire);
  if (follower) {
    if (current == target) return;
    high_watermark_.store(target, std::memory_order_release);
  } else {
    do {
      if (target <= current) return;
    } while (!high_watermark_.compare_exchange_weak(current, target));
  }
  WakeAll();
}

absl::StatusOr<LogReadResult> Partition::ReadForReplica(int64_t offset,
                                                        size_t max_bytes) {
  absl::StatusOr<std::shared_ptr<Log>> log = Online();
  if (!log.ok()) return log.status();
  return (*log)->Read(offset, max_bytes);
}

bool Partition::WaitForLogEnd(int64_t offset, absl::Time deadline) {
  MutexLock lock(&wait_mu_);
  while (true) {
    if (log_end_offset() > offset) return true;
    if (shut_.load()) return false;
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    data_.WaitWithTimeout(&wait_mu_, left);
  }
}

absl::StatusOr<AppendInfo> Partition::AppendAsFollower(
    absl::string_view batches) {
  MutexLock append(&append_mu_);
  absl::StatusOr<Log*> log = OnlineForAppend();
  if (!log.ok()) return log.status();
  absl::StatusOr<AppendInfo> info = (*log)->AppendAsFollower(batches);
  if (!info.ok()) return info;
  for (absl::string_view rest = batches; !rest.empty();) {
    absl::StatusOr<RecordBatchHeader> header = ReadBatchHeader(rest);
    if (!header.ok()) break;  // the log checked them all
    producers_.Record(*header, header->base_offset, header->last_offset());
    rest.remove_prefix(std::min(rest.size(), header->size_bytes()));
  }
  Appended(**log);
  return info;
}

absl::Status Partition::TruncateTo(int64_t offset) {
  MutexLock append(&append_mu_);
  absl::StatusOr<std::shared_ptr<Log>> log = Online();
  if (!log.ok()) return log.status();
  if (absl::Status s = (*log)->TruncateTo(offset); !s.ok()) return s;
  return AfterTruncation(**log);
}

absl::Status Partition::TruncateFullyAndStartAt(int64_t offset) {
  MutexLock append(&append_mu_);
  absl::StatusOr<std::shared_ptr<Log>> log = Online();
  if (!log.ok()) return log.status();
  if (absl::Status s = (*log)->TruncateFullyAndStartAt(offset); !s.ok()) {
    return s;
  }
  return AfterTruncation(**log);
}

// The producer state may describe batches that are gone: rebuild it. The
// high watermark cannot stay above the end.
absl::Status Partition::AfterTruncation(Log& log) {
  const int64_t end = log.log_end_offset();
  int64_t hw = high_watermark_.load(std::memory_order_acquire);
  while (hw > end && !high_watermark_.compare_exchange_weak(hw, end)) {
  }
  absl::Status rebuilt = LoadProducerState(log);
  WakeAll();
  return rebuilt;
}

}  // namespace runnel
