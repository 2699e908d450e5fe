// Copyright 2026 The Runnel Authors.
//
// runnel::Log: truncation for replication (TruncateTo,
// TruncateFullyAndStartAt). The order of the steps is what makes a crash
// at any point safe; see the durability notes in runnel/log.h.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "log/log_internal.h"
#include "log/segment_cache.h"
#include "runnel/log.h"

namespace runnel {

using internal::Join;
using internal::kCleanerOffsetFile;
using internal::kLogStartFile;
using internal::kRecoveryPointFile;
using internal::Segment;

absl::Status Log::TruncateTo(int64_t offset) {
  MutexLock maintenance(&maintenance_mu_);
  MutexLock lock(&append_mu_);
  if (closed_) {
    return absl::FailedPreconditionError(
        absl::StrCat("log ", Describe(), " is closed"));
  }
  const int64_t start = log_start_offset_.load();
  const int64_t end = log_end_offset_.load();
  if (offset < start) {
    return absl::InvalidArgumentError(
        absl::StrCat("log ", Describe(), ": cannot truncate to offset ", offset,
                     ", below the log start offset ", start,
                     " (TruncateFullyAndStartAt restarts the log)"));
  }
  // After a failed attempt the end already moved: redo every step.
  if (offset >= end && !truncate_failed_) return absl::OkStatus();
  BeginSyncExclusion();
  int64_t active_base = -1;
  uint64_t durable_bytes = 0;
  const absl::Status status =
      TruncateLocked(std::min(offset, end), &active_base, &durable_bytes);
  truncate_failed_ = !status.ok();
  EndSyncExclusion(active_base, durable_bytes);
  return status;
}

absl::Status Log::TruncateLocked(int64_t offset, int64_t* active_base,
                                 uint64_t* durable_bytes) {
  // Rolled segments still waiting for their sync get it now: the recovery
  // point set below counts every segment before the cut durable.
  if (absl::Status s = SyncRolledSegments(); !s.ok()) return s;
  if (absl::Status s = RemoveCleanShutdownMarker(); !s.ok()) return s;
  std::shared_ptr<const SegmentList> list = segments();
  size_t holding = 0;  // the last segment whose base offset is <= offset
  while (holding + 1 < list->segments.size() &&
         list->segments[holding + 1]->base_offset() <= offset) {
    ++holding;
  }
  const std::shared_ptr<Segment> segment = list->segments[holding];
  absl::StatusOr<Segment::Cut> cut = segment->FindCut(offset);
  if (!cut.ok()) return cut.status();
  const int64_t new_end = cut->next_offset;
  // Checkpoints first: lowering them is always safe, and a recovery point
  // above the new end would make the next Open trust what comes after it.
  if (absl::Status s = LowerCheckpoints(new_end); !s.ok()) return s;
  int64_t point = recovery_point_.load();
  while (point > new_end &&
         !recovery_point_.compare_exchange_weak(point, new_end)) {
  }
  // Reads from now on stop at the new end.
  log_end_offset_.store(new_end, std::memory_order_release);
  active_ready_ = false;
  if (absl::Status s = DeleteTrailingSegments(list, holding + 1); !s.ok()) {
    return s;
  }
  cache_->Forget(segment.get());  // active again: never released by the cache
  absl::StatusOr<Segment::Cut> done = segment->CutAt(new_end);
  if (!done.ok()) return done.status();
  if (absl::Status s = segment->MakeActive(); !s.ok()) return s;
  active_ready_ = true;
  // CutAt synced the whole segment, and every segment before it is sealed.
  recovery_point_.store(new_end, std::memory_order_release);
  *active_base = segment->base_offset();
  *durable_bytes = done->position;
  return absl::OkStatus();
}

absl::Status Log::TruncateFullyAndStartAt(int64_t offset) {
  if (offset < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "log ", Describe(), ": cannot restart at negative offset ", offset));
  }
  MutexLock maintenance(&maintenance_mu_);
  MutexLock lock(&append_mu_);
  if (closed_) {
    return absl::FailedPreconditionError(
        absl::StrCat("log ", Describe(), " is closed"));
  }
  BeginSyncExclusion();
  const absl::Status status = TruncateFullyLocked(offset);
  truncate_failed_ = !status.ok();
  EndSyncExclusion(status.ok() ? offset : -1, 0);
  return status;
}

absl::Status Log::TruncateFullyLocked(int64_t offset) {
  // Rolled segments waiting for their sync go too, but a background sync of
  // one must not raise the recovery point after the restart lowers it.
  if (absl::Status s = SyncRolledSegments(); !s.ok()) return s;
  if (absl::Status s = RemoveCleanShutdownMarker(); !s.ok()) return s;
  // Reads from now on find an empty log at `offset`.
  log_end_offset_.store(offset, std::memory_order_release);
  log_start_offset_.store(offset, std::memory_order_release);
  active_ready_ = false;
  std::shared_ptr<const SegmentList> list = segments();
  if (absl::Status s = DeleteTrailingSegments(list, 0); !s.ok()) return s;
  // Recycled files may hold batches at or above a lower new start, which
  // recovery could not tell from new ones: they go too.
  absl::StatusOr<std::vector<std::string>> pool =
      Segment::ListRecyclePool(fs_, dir_);
  if (!pool.ok()) return pool.status();
  for (const std::string& name : *pool) {
    if (absl::Status s = fs_->RemoveFile(Join(dir_, name)); !s.ok()) return s;
  }
  if (absl::Status s = fs_->SyncDir(dir_); !s.ok()) return s;
  // No segment is left: the next Open starts an empty log at the
  // checkpointed start, so this makes the restart durable.
  if (absl::Status s = WriteCheckpoint(kLogStartFile, offset); !s.ok()) {
    return s;
  }
  if (absl::Status s = LowerCheckpoints(offset); !s.ok()) return s;
  absl::StatusOr<std::shared_ptr<Segment>> fresh =
      Segment::CreateActive(fs_, dir_, offset, CurrentSegmentOptions());
  if (!fresh.ok()) return fresh.status();
  if (absl::Status s = fs_->SyncDir(dir_); !s.ok()) {
    (*fresh)->DeleteFiles(/*may_recycle=*/false).IgnoreError();
    return s;
  }
  auto fresh_list = std::make_shared<SegmentList>();
  fresh_list->segments.push_back(*std::move(fresh));
  PublishSegments(std::move(fresh_list));
  active_ready_ = true;
  recovery_point_.store(offset, std::memory_order_release);
  unflushed_messages_ = 0;
  oldest_unflushed_ = absl::InfiniteFuture();
  return absl::OkStatus();
}

// Newest first, each removal synced before the next: whatever a crash
// keeps is a prefix of the segments. The list never becomes empty (the
// first segment stays listed until its caller publishes a new list).
absl::Status Log::DeleteTrailingSegments(
    std::shared_ptr<const SegmentList> list, size_t first) {
  for (size_t i = list->segments.size(); i-- > first;) {
    const std::shared_ptr<Segment>& segment = list->segments[i];
    cache_->Forget(segment.get());
    if (absl::Status s = segment->DeleteFiles(/*may_recycle=*/false); !s.ok()) {
      return s;
    }
    if (absl::Status s = fs_->SyncDir(dir_); !s.ok()) return s;
    if (i == 0) break;
    auto shorter = std::make_shared<SegmentList>();
    shorter->segments.assign(list->segments.begin(),
                             list->segments.begin() + i);
    PublishSegments(std::move(shorter));
  }
  return absl::OkStatus();
}

absl::Status Log::LowerCheckpoints(int64_t offset) {
  for (absl::string_view name : {kRecoveryPointFile, kCleanerOffsetFile}) {
    absl::StatusOr<int64_t> current = ReadCheckpoint(name);
    // Missing (or unreadable, which Open treats as missing) means 0 or a
    // full scan: nothing to lower.
    if (!current.ok() || *current <= offset) continue;
    if (absl::Status s = WriteCheckpoint(name, offset); !s.ok()) return s;
  }
  return absl::OkStatus();
}

void Log::BeginSyncExclusion() {
  MutexLock lock(&sync_mu_);
  while (sync_running_) sync_done_.Wait(&sync_mu_);
  sync_running_ = true;
}

void Log::EndSyncExclusion(int64_t segment_base, uint64_t synced_bytes) {
  MutexLock lock(&sync_mu_);
  // -1 (a failed truncation): nothing known, the next Sync flushes all.
  synced_segment_base_ = segment_base;
  synced_bytes_ = synced_bytes;
  sync_running_ = false;
  sync_done_.SignalAll();
}

}  // namespace runnel
