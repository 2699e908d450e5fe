// Copyright 2026 The Runnel Authors.
//
// log/log_internal.h — what the files implementing runnel::Log share: the
// segment list, the names of the files a log keeps beside its segments,
// and small file helpers. Internal to //log:log.
#ifndef RUNNEL_LOG_LOG_INTERNAL_H_
#define RUNNEL_LOG_LOG_INTERNAL_H_

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "log/segment.h"
#include "runnel/log.h"

namespace runnel {

// The segments in base-offset order; the last one takes appends. Immutable
// once published: rolls and deletions publish a new list.
struct Log::SegmentList {
  std::vector<std::shared_ptr<internal::Segment>> segments;

  // The segment that holds (or would hold) `offset`: the last one whose
  // base offset is <= offset. Null if offset is below the first. Pointers
  // into the list, valid while it lives: a reader copies no shared_ptr (its
  // count is shared with the appender's thread, so each copy moves a cache
  // line between cores).
  const std::shared_ptr<internal::Segment>* Floor(int64_t offset) const {
    auto it = std::upper_bound(
        segments.begin(), segments.end(), offset,
        [](int64_t o, const std::shared_ptr<internal::Segment>& s) {
          return o < s->base_offset();
        });
    return it == segments.begin() ? nullptr : &*std::prev(it);
  }
  // The segment after `segment` (an element of this list), or null.
  const std::shared_ptr<internal::Segment>* After(
      const std::shared_ptr<internal::Segment>* segment) const {
    const size_t next = static_cast<size_t>(segment - segments.data()) + 1;
    return next < segments.size() ? &segments[next] : nullptr;
  }
};

namespace internal {

inline constexpr absl::string_view kRecoveryPointFile =
    "recovery-point-offset-checkpoint";
inline constexpr absl::string_view kLogStartFile =
    "log-start-offset-checkpoint";
// Where the next compaction pass starts (Kafka's cleaner-offset-checkpoint).
inline constexpr absl::string_view kCleanerOffsetFile =
    "cleaner-offset-checkpoint";
// Kafka's leader-epoch history, kept by the replication layer beside the
// log. The log reads only its newest epoch at Open (see LeaderEpochOnDisk).
inline constexpr absl::string_view kLeaderEpochCheckpointFile =
    "leader-epoch-checkpoint";
// Written by Close after everything is synced: its content is the log end
// offset, so the next Open trusts the files and scans nothing.
inline constexpr absl::string_view kCleanShutdownFile = ".runnel_cleanshutdown";

// "<dir>/<name>".
std::string Join(absl::string_view dir, absl::string_view name);
// The segment options a log's options imply.
SegmentOptions ToSegmentOptions(const LogOptions& options);
// A file holding one decimal offset (the clean-shutdown marker).
absl::StatusOr<int64_t> ReadNumberFile(FileSystem* fs, const std::string& path);
absl::Status WriteNumberFile(FileSystem* fs, absl::string_view dir,
                             absl::string_view name, int64_t value);
// mkdir -p that also fsyncs the parent of every directory it creates.
absl::Status CreateDirsDurably(FileSystem* fs, const std::string& dir);

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_LOG_LOG_INTERNAL_H_
