// Copyright 2026 The Runnel Authors.
//
// replication/leader_epoch_checkpoint.h — Kafka's `leader-epoch-checkpoint`
// file: a partition's leader-epoch history, one line per epoch with the
// offset of its first record. Internal; LeaderEpochCache
// (replication/leader_epoch_cache.h) is its user.
//
// Format (Kafka's LeaderEpochCheckpointFile), text, every line ends in '\n':
//
//   0          version, always 0
//   3          number of entries N
//   0 0        N lines "<epoch> <start_offset>", single spaces,
//   2 1200     epochs and start offsets both strictly increasing,
//   5 1350     both >= 0
//
//   std::vector<runnel::EpochEntry> epochs = {{0, 0}, {2, 1200}};
//   absl::Status s = runnel::WriteLeaderEpochCheckpoint(
//       fs, "/data/orders-0/leader-epoch-checkpoint", epochs);
//
// Crash safety: writes go through FileSystem::ReplaceFileDurably (`.tmp`,
// sync, rename, directory sync): a crash leaves the complete old or the
// complete new content; a `.tmp` left behind is ignored by the reader and
// replaced by the next write. Writes of one path must not run concurrently.
#ifndef RUNNEL_REPLICATION_LEADER_EPOCH_CHECKPOINT_H_
#define RUNNEL_REPLICATION_LEADER_EPOCH_CHECKPOINT_H_

#include <cstdint>
#include <ostream>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "runnel/file_system.h"

namespace runnel {

// The file's name inside a partition directory.
inline constexpr char kLeaderEpochCheckpointFileName[] =
    "leader-epoch-checkpoint";

// One epoch of a partition's history: `epoch` started at `start_offset`
// (Kafka's EpochEntry).
struct EpochEntry {
  int32_t epoch = 0;
  int64_t start_offset = 0;

  friend bool operator==(const EpochEntry& a, const EpochEntry& b) {
    return a.epoch == b.epoch && a.start_offset == b.start_offset;
  }
  friend bool operator!=(const EpochEntry& a, const EpochEntry& b) {
    return !(a == b);
  }
  friend std::ostream& operator<<(std::ostream& os, const EpochEntry& e) {
    return os << "EpochEntry(epoch=" << e.epoch
              << ", start_offset=" << e.start_offset << ")";
  }
};

// Replaces `path` with `entries`, crash-safely. InvalidArgument naming the
// entry (nothing is written) if an epoch or start offset is negative or the
// entries are not strictly increasing in both; otherwise the file system's
// errors.
absl::Status WriteLeaderEpochCheckpoint(FileSystem* fs, absl::string_view path,
                                        absl::Span<const EpochEntry> entries);

// The entries of `path`. NotFound if it does not exist; DataLoss naming the
// path and the line for anything malformed: a version other than 0, a count
// that is not a number or does not match the lines, a line that is not
// "<epoch> <start_offset>" with single spaces, a number that does not parse
// or is out of range (epoch in [0, 2^31-1], offset in [0, 2^63-1]), entries
// not strictly increasing, a missing final newline.
absl::StatusOr<std::vector<EpochEntry>> ReadLeaderEpochCheckpoint(
    FileSystem* fs, absl::string_view path);

}  // namespace runnel

#endif  // RUNNEL_REPLICATION_LEADER_EPOCH_CHECKPOINT_H_
