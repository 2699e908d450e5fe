// Copyright 2026 The Runnel Authors.
//
// runnel::Log: compaction (Compact) on top of log/log_cleaner.h.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "log/cleaner_swap.h"
#include "log/log_cleaner.h"
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
using internal::ToSegmentOptions;
using internal::WriteNumberFile;

absl::StatusOr<CompactionStats> Log::Compact() {
  if (options_.cleanup_policy == CleanupPolicy::kDelete) {
    return absl::FailedPreconditionError(absl::StrCat(
        "log ", Describe(), ": cleanup.policy is delete, not compact"));
  }
  MutexLock maintenance(&maintenance_mu_);
  {
    MutexLock lock(&append_mu_);
    if (absl::Status s = CheckWritable(); !s.ok()) return s;
  }
  std::shared_ptr<const SegmentList> list = segments();
  // The cleaner reads sealed segments' files whole: those of `list` still
  // waiting for their sync (all queued before `list` was published) are
  // trimmed and synced first.
  if (absl::Status s = SyncRolledSegments(); !s.ok()) return s;
  CompactionStats stats;
  if (list->segments.size() < 2) return stats;  // only the active segment

  internal::CleanRequest request;
  request.dir = dir_;
  for (size_t i = 0; i + 1 < list->segments.size(); ++i) {
    request.segment_base_offsets.push_back(list->segments[i]->base_offset());
  }
  request.end_offset = list->segments.back()->base_offset();
  absl::StatusOr<int64_t> dirty = ReadCheckpoint(kCleanerOffsetFile);
  request.first_dirty_offset =
      std::max(dirty.ok() ? *dirty : 0, log_start_offset());
  request.now_ms = clock_->NowMillis();

  internal::LogCleanerOptions cleaner_options;
  cleaner_options.delete_retention_ms =
      absl::ToInt64Milliseconds(options_.delete_retention_ms);
  cleaner_options.max_map_bytes = options_.cleaner_dedupe_buffer_bytes;
  cleaner_options.segment_bytes = options_.segment_bytes;
  cleaner_options.segment_index_bytes = options_.segment_index_bytes;
  cleaner_options.index_interval_bytes = options_.index_interval_bytes;
  internal::LogCleaner cleaner(fs_, cleaner_options);
  absl::StatusOr<internal::CleanResult> result = cleaner.Clean(
      request, [this, &stats](const internal::CleanedGroup& group,
                              const internal::SwapFunction& swap) {
        return SwapCleanedGroup(group, swap, &stats);
      });
  if (!result.ok()) return result.status();
  stats.records_removed = result->stats.records_removed;
  stats.tombstones_removed = result->stats.tombstones_removed;
  if (absl::Status s =
          WriteCheckpoint(kCleanerOffsetFile, result->next_dirty_offset);
      !s.ok()) {
    return s;
  }
  return stats;
}

// Swaps one cleaned group in, on disk and in the segment list. Appends wait
// meanwhile; readers holding the old segments keep what they have mapped,
// and the old segments are retired so nothing reopens their files by path.
absl::Status Log::SwapCleanedGroup(const internal::CleanedGroup& group,
                                   const internal::SwapFunction& swap,
                                   CompactionStats* stats) {
  MutexLock lock(&append_mu_);
  std::shared_ptr<const SegmentList> current = segments();
  std::vector<std::shared_ptr<Segment>> replaced;
  for (const std::shared_ptr<Segment>& segment : current->segments) {
    for (int64_t base : group.replaced_base_offsets) {
      if (segment->base_offset() == base) replaced.push_back(segment);
    }
  }
  for (const auto& segment : replaced) segment->Retire();
  internal::SwapOutcome outcome = swap();
  if (!outcome.committed) {
    for (const auto& segment : replaced) segment->Unretire();
    return outcome.status;
  }
  std::shared_ptr<Segment> cleaned = Segment::Existing(
      fs_, dir_, group.base_offset, ToSegmentOptions(options_));
  absl::Status loaded = cleaned->LoadSealed(group.next_offset);
  auto list = std::make_shared<SegmentList>();
  bool inserted = false;
  for (const std::shared_ptr<Segment>& segment : current->segments) {
    if (std::find(replaced.begin(), replaced.end(), segment) !=
        replaced.end()) {
      if (!inserted) list->segments.push_back(cleaned);
      inserted = true;
      cache_->Forget(segment.get());
      continue;
    }
    list->segments.push_back(segment);
  }
  PublishSegments(std::move(list));
  stats->bytes_before += group.bytes_before;
  stats->bytes_after += group.bytes_after;
  stats->segments_replaced += static_cast<int>(replaced.size());
  return outcome.status.ok() ? loaded : outcome.status;
}

}  // namespace runnel
