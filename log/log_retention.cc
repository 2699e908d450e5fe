// Copyright 2026 The Runnel Authors.
//
// runnel::Log: retention.ms, retention.bytes and DeleteRecordsBefore.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "log/log_internal.h"
#include "log/segment_cache.h"
#include "runnel/log.h"
#include "runnel/record_batch.h"

namespace runnel {

using internal::CreateDirsDurably;
using internal::Join;
using internal::kCleanerOffsetFile;
using internal::kCleanShutdownFile;
using internal::kLogStartFile;
using internal::kRecoveryPointFile;
using internal::ReadNumberFile;
using internal::Segment;
using internal::WriteNumberFile;

absl::StatusOr<int64_t> Log::DeleteRecordsBefore(int64_t offset) {
  MutexLock maintenance(&maintenance_mu_);
  MutexLock lock(&append_mu_);
  if (absl::Status s = CheckWritable(); !s.ok()) return s;
  const int64_t end = log_end_offset_.load();
  if (offset > end) {
    return absl::OutOfRangeError(
        absl::StrCat("log ", Describe(), ": cannot delete records before ",
                     offset, ", past the log end offset ", end));
  }
  if (offset <= log_start_offset_.load()) return log_start_offset_.load();
  // The records below the new start must be durable before the start is:
  // otherwise a crash could leave a start past the recovered end.
  if (offset > recovery_point_.load()) {
    if (absl::Status s = Sync(); !s.ok()) return s;
  }
  // Durable first: after a crash the start never moves back.
  if (absl::Status s = WriteCheckpoint(kLogStartFile, offset); !s.ok()) {
    return s;
  }
  log_start_offset_.store(offset, std::memory_order_release);
  std::shared_ptr<const SegmentList> list = segments();
  size_t below = 0;  // segments whose successor starts at or below `offset`
  while (below + 1 < list->segments.size() &&
         list->segments[below + 1]->base_offset() <= offset) {
    ++below;
  }
  if (absl::Status s = DeleteOldestSegments(below); !s.ok()) return s;
  return offset;
}

absl::StatusOr<int> Log::ApplyRetention() {
  MutexLock maintenance(&maintenance_mu_);
  MutexLock lock(&append_mu_);
  if (absl::Status s = CheckWritable(); !s.ok()) return s;
  if (options_.cleanup_policy == CleanupPolicy::kCompact) return 0;
  absl::StatusOr<size_t> by_time = SegmentsPastRetentionMs();
  if (!by_time.ok()) return by_time.status();
  const size_t count = std::max(*by_time, SegmentsPastRetentionBytes());
  if (count == 0) return 0;
  // Checkpoint the new start before deleting, as DeleteRecordsBefore does.
  std::shared_ptr<const SegmentList> list = segments();
  const size_t deletable = std::min(count, list->segments.size() - 1);
  const int64_t start = list->segments[deletable]->base_offset();
  if (start > log_start_offset_.load()) {
    if (absl::Status s = WriteCheckpoint(kLogStartFile, start); !s.ok()) {
      return s;
    }
  }
  if (absl::Status s = DeleteOldestSegments(deletable); !s.ok()) return s;
  return static_cast<int>(deletable);
}

// The oldest segments whose largest timestamp is older than retention.ms.
// If that is all of them, the active one is rolled first so that it can go
// as well (Kafka does the same); the new empty segment stays.
absl::StatusOr<size_t> Log::SegmentsPastRetentionMs() {
  if (options_.retention_ms == absl::InfiniteDuration()) return 0;
  const int64_t cutoff =
      clock_->NowMillis() - absl::ToInt64Milliseconds(options_.retention_ms);
  std::shared_ptr<const SegmentList> list = segments();
  size_t count = 0;
  for (const std::shared_ptr<Segment>& segment : list->segments) {
    if (segment->size() == 0) break;
    absl::StatusOr<int64_t> largest = segment->LargestTimestamp();
    Touched(segment, *list);
    if (!largest.ok()) return largest.status();
    if (*largest >= cutoff) break;
    ++count;
  }
  if (count == list->segments.size()) {
    if (absl::Status s = EnsureActive(); !s.ok()) return s;
    if (absl::Status s = Roll(); !s.ok()) return s;
  }
  return std::min(count, segments()->segments.size() - 1);
}

// The oldest segments that can go while the log stays >= retention.bytes.
size_t Log::SegmentsPastRetentionBytes() const {
  if (options_.retention_bytes < 0) return 0;
  std::shared_ptr<const SegmentList> list = segments();
  int64_t excess =
      static_cast<int64_t>(size_bytes()) - options_.retention_bytes;
  size_t count = 0;
  while (count + 1 < list->segments.size()) {
    const int64_t size = static_cast<int64_t>(list->segments[count]->size());
    if (excess - size < 0) break;
    excess -= size;
    ++count;
  }
  return count;
}

// Readers that still hold a deleted segment keep reading it: its mapping
// lives until they let go.
absl::Status Log::DeleteOldestSegments(size_t count) {
  if (count == 0) return absl::OkStatus();
  std::shared_ptr<const SegmentList> current = segments();
  count = std::min(count, current->segments.size() - 1);  // never the last
  auto list = std::make_shared<SegmentList>();
  list->segments.assign(current->segments.begin() + count,
                        current->segments.end());
  const int64_t new_start = list->segments.front()->base_offset();
  if (new_start > log_start_offset_.load()) {
    log_start_offset_.store(new_start, std::memory_order_release);
  }
  PublishSegments(list);
  absl::Status status;
  for (size_t i = 0; i < count; ++i) {
    cache_->Forget(current->segments[i].get());
    status.Update(current->segments[i]->DeleteFiles());
  }
  status.Update(fs_->SyncDir(dir_));
  return status;
}

}  // namespace runnel
