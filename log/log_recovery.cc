// Copyright 2026 The Runnel Authors.
//
// runnel::Log: recovery at Open.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "log/cleaner_swap.h"
#include "log/format.h"
#include "log/log_internal.h"
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

// The newest epoch in the directory's leader-epoch-checkpoint ("0", N, then
// N "<epoch> <start offset>" lines, epochs ascending), or -1. A replicated
// log holds batches of that epoch; reads must accept them from the start,
// before the replication layer raises the epoch again.
int32_t Log::LeaderEpochOnDisk() {
  absl::StatusOr<std::string> text =
      fs_->ReadFileToString(Join(dir_, internal::kLeaderEpochCheckpointFile));
  if (!text.ok()) return -1;
  std::vector<absl::string_view> lines =
      absl::StrSplit(*text, '\n', absl::SkipWhitespace());
  if (lines.size() < 3) return -1;
  std::vector<absl::string_view> last = absl::StrSplit(lines.back(), ' ');
  int32_t epoch = -1;
  if (last.size() != 2 || !absl::SimpleAtoi(last[0], &epoch)) return -1;
  return epoch;
}

absl::Status Log::Recover() {
  if (absl::Status s = CreateDirsDurably(fs_, dir_); !s.ok()) return s;
  if (const int32_t epoch = LeaderEpochOnDisk(); epoch > leader_epoch()) {
    leader_epoch_.store(epoch, std::memory_order_release);
  }
  // A compaction swap cut short by a crash is finished or undone first, so
  // the listing below sees whole segments only.
  absl::StatusOr<internal::InterruptedCleaning> cleaning =
      internal::CompleteInterruptedCleaning(fs_, dir_);
  if (!cleaning.ok()) return cleaning.status();
  absl::StatusOr<std::vector<std::string>> names = fs_->ListDir(dir_);
  if (!names.ok()) return names.status();

  std::vector<int64_t> bases;
  for (const std::string& name : *names) {
    if (absl::EndsWith(name, ".tmp")) {  // a checkpoint write cut short
      if (absl::Status s = fs_->RemoveFile(Join(dir_, name)); !s.ok()) {
        return s;
      }
      continue;
    }
    if (!absl::EndsWith(name, ".log")) continue;
    absl::StatusOr<format::ParsedSegmentFileName> info =
        format::ParseSegmentFileName(name);
    if (!info.ok()) {
      return absl::DataLossError(
          absl::StrCat("log ", Describe(), ": unexpected file ",
                       Join(dir_, name), ": ", info.status().message()));
    }
    bases.push_back(info->base_offset);
  }
  std::sort(bases.begin(), bases.end());

  // A missing or unreadable checkpoint only costs a longer scan (recovery
  // point 0) or a start at the first segment; it never loses data.
  absl::StatusOr<int64_t> start = ReadCheckpoint(kLogStartFile);
  if (start.ok()) log_start_offset_.store(*start);
  absl::StatusOr<int64_t> point = ReadCheckpoint(kRecoveryPointFile);
  if (point.ok()) recovery_point_.store(*point);
  absl::StatusOr<int64_t> clean_end =
      ReadNumberFile(fs_, Join(dir_, kCleanShutdownFile));

  if (bases.empty()) {
    const int64_t base = log_start_offset_.load();
    absl::StatusOr<std::shared_ptr<Segment>> active =
        Segment::CreateActive(fs_, dir_, base, CurrentSegmentOptions());
    if (!active.ok()) return active.status();
    if (absl::Status s = fs_->SyncDir(dir_); !s.ok()) return s;
    auto list = std::make_shared<SegmentList>();
    list->segments.push_back(*std::move(active));
    log_end_offset_.store(base);
    recovery_point_.store(base);
    MutexLock lock(&append_mu_);  // no one else yet; for the annotations
    PublishSegments(std::move(list));
    active_ready_ = true;
    return absl::OkStatus();
  }
  return RecoverSegments(std::move(bases), clean_end.ok(),
                         clean_end.ok() ? *clean_end : 0);
}

// Segments wholly below the recovery point are trusted (their size from the
// file system, their end from the next segment's base). From the segment
// that holds the recovery point on, every batch is checked. Invalid bytes
// above the recovery point are what a crash leaves: in the last segment, or
// in a rolled one whose background sync the crash cut short (then the
// segments after it go too, so the log stays a prefix). Invalid bytes below
// the recovery point are corruption: kept on disk, counted, and reported
// by Read.
absl::Status Log::RecoverSegments(std::vector<int64_t> bases,
                                  bool clean_shutdown, int64_t clean_end) {
  const internal::SegmentOptions segment_options = CurrentSegmentOptions();
  const int64_t point = recovery_point_.load();
  // Segments wholly below the log start are trusted too: retention deleted
  // them (unsynced, perhaps) and the crash undid the removal. They are no
  // part of the log, so no cut may happen there.
  const int64_t trusted_below = std::max(point, log_start_offset_.load());
  auto list = std::make_shared<SegmentList>();
  int64_t next_offset = bases.front();
  for (size_t i = 0; i < bases.size(); ++i) {
    bool last = i + 1 == bases.size();
    std::shared_ptr<Segment> segment =
        Segment::Existing(fs_, dir_, bases[i], segment_options);
    const int64_t end = last ? clean_end : bases[i + 1];
    if ((!last && end <= trusted_below) || (last && clean_shutdown)) {
      if (absl::Status s = segment->LoadSealed(end); !s.ok()) return s;
      next_offset = end;
    } else {
      absl::StatusOr<internal::SegmentScan> scan =
          segment->Recover(next_offset);
      if (!scan.ok()) return scan.status();
      absl::StatusOr<bool> cut =
          RecoverScannedSegment(*segment, *scan, last, last ? -1 : end, point);
      if (!cut.ok()) return cut.status();
      if (*cut && !last) {
        if (absl::Status s = DropSegmentsAfter(bases, i); !s.ok()) return s;
        last = true;
      }
      next_offset = last ? scan->next_offset : end;
    }
    // Scanned segments below the tail are closed again: an idle log keeps
    // nothing of its sealed segments open.
    if (!last) segment->ReleaseResources();
    list->segments.push_back(std::move(segment));
    if (last) break;
  }
  log_start_offset_.store(std::max(log_start_offset_.load(), bases.front()));
  log_end_offset_.store(next_offset);
  recovery_point_.store(std::min(point, next_offset));
  MutexLock lock(&append_mu_);  // no one else yet; for the annotations
  PublishSegments(std::move(list));
  return absl::OkStatus();
}

// Acts on the scan of a segment after the recovery point: cuts a crash's
// tail (true: the log ends in this segment now), trims a rolled segment's
// untrimmed preallocation, or records corruption. `end` is the next
// segment's base (-1 for the last segment).
absl::StatusOr<bool> Log::RecoverScannedSegment(
    Segment& segment, const internal::SegmentScan& scan, bool last, int64_t end,
    int64_t point) {
  const bool short_of_next = !last && scan.next_offset < end;
  const bool crash_tail = last || (short_of_next && scan.next_offset >= point);
  if (crash_tail && (scan.invalid_bytes > 0 || short_of_next)) {
    // Invalid bytes below the recovery point in the last segment are still
    // corruption (counted), though the tail is cut all the same.
    if (scan.next_offset < point) corrupt_batches_.fetch_add(1);
    if (absl::Status s = segment.TruncateTo(scan.valid_bytes); !s.ok()) {
      return s;
    }
    return true;
  }
  if (scan.invalid_bytes == 0 && !short_of_next) return false;
  if (!last && scan.next_offset == end) {
    // Every offset is there; the rest is a rolled segment's preallocation,
    // whose trim the crash kept from being synced.
    if (absl::Status s = segment.TruncateTo(scan.valid_bytes); !s.ok()) {
      return s;
    }
    return false;
  }
  corrupt_batches_.fetch_add(1);
  segment.set_corrupt_position(static_cast<int64_t>(scan.valid_bytes));
  return false;
}

// Deletes the files of the segments after bases[index], newest first, each
// removal synced before the next: a crash meanwhile leaves a prefix.
absl::Status Log::DropSegmentsAfter(const std::vector<int64_t>& bases,
                                    size_t index) {
  const internal::SegmentOptions segment_options = CurrentSegmentOptions();
  for (size_t j = bases.size(); j-- > index + 1;) {
    std::shared_ptr<Segment> later =
        Segment::Existing(fs_, dir_, bases[j], segment_options);
    if (absl::Status s = later->DeleteFiles(/*may_recycle=*/false); !s.ok()) {
      return s;
    }
    if (absl::Status s = fs_->SyncDir(dir_); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace runnel
