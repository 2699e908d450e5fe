// Copyright 2026 The Runnel Authors.
//
// log/checkpoint_file.h — Kafka's offset checkpoint files
// (`recovery-point-offset-checkpoint`, `log-start-offset-checkpoint`,
// `replication-offset-checkpoint`): one offset per topic-partition, as text.
// Internal.
//
// Format (Kafka's CheckpointFile with the offset-checkpoint formatter):
//
//   0                      version, always 0
//   2                      number of entries N
//   orders 0 1200          N lines "<topic> <partition> <offset>",
//   payments 3 -1          single spaces, every line ends with '\n'
//
//   std::vector<runnel::CheckpointEntry> points = {{"orders", 0, 1200}};
//   absl::Status s = runnel::WriteCheckpointFile(
//       fs, "/data/recovery-point-offset-checkpoint", points);
//   absl::StatusOr<std::vector<runnel::CheckpointEntry>> read =
//       runnel::ReadCheckpointFile(fs,
//       "/data/recovery-point-offset-checkpoint");
//
// Crash safety: WriteCheckpointFile writes `<path>.tmp`, syncs it, renames it
// over `<path>` and syncs the parent directory. A crash at any point leaves
// `<path>` holding either the complete old content or the complete new one;
// a `.tmp` left behind by a crash is ignored by ReadCheckpointFile and
// replaced by the next write. Writes of the same path must not run
// concurrently (they share the `.tmp` name); otherwise thread-safe.
#ifndef RUNNEL_LOG_CHECKPOINT_FILE_H_
#define RUNNEL_LOG_CHECKPOINT_FILE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "runnel/file_system.h"

namespace runnel {

struct CheckpointEntry {
  std::string topic;      // non-empty, no whitespace
  int32_t partition = 0;  // >= 0
  int64_t offset = 0;     // >= 0, or -1 (none)

  friend bool operator==(const CheckpointEntry& a, const CheckpointEntry& b) {
    return a.topic == b.topic && a.partition == b.partition &&
           a.offset == b.offset;
  }
  friend bool operator!=(const CheckpointEntry& a, const CheckpointEntry& b) {
    return !(a == b);
  }
};

// The version line Kafka writes and accepts.
inline constexpr int kCheckpointFileVersion = 0;

// Replaces `path` with `entries`, crash-safely (see above). InvalidArgument
// naming the entry if a topic is empty or contains whitespace, a partition
// is negative or an offset is below -1 (nothing is written then); otherwise
// the file system's errors. `.tmp` is removed on a failure when possible.
absl::Status WriteCheckpointFile(FileSystem* fs, absl::string_view path,
                                 absl::Span<const CheckpointEntry> entries);

// ---- Kafka's CheckpointFile, whatever its entries -------------------------
// The version line, the count line, one line per entry: shared with other
// checkpoint formats (the replication layer's leader-epoch-checkpoint).

// Reads the frame of a checkpoint file's text; `kind` names the file in
// errors ("checkpoint file", "leader-epoch checkpoint").
class CheckpointLines {
 public:
  CheckpointLines(absl::string_view kind, absl::string_view path)
      : kind_(kind), path_(path) {}

  // The entry lines of `content` (the first is line 3), once the final
  // newline, the version (0) and the count are checked: DataLoss otherwise.
  absl::StatusOr<std::vector<absl::string_view>> Split(
      absl::string_view content) const;
  // DataLoss: `<kind> <path> line <n> "<line, escaped, cut>": <why>`.
  absl::Status Corrupt(size_t line_number, absl::string_view line,
                       absl::string_view why) const;

 private:
  const absl::string_view kind_;
  const absl::string_view path_;
};

// "0\n<count>\n": what precedes the entry lines.
std::string CheckpointHeader(size_t count);

// A decimal integer in [min, max] as checkpoint files write them: an
// optional '-', then digits, nothing else (no '+', no spaces, no "-0").
bool ParseCheckpointDecimal(absl::string_view text, int64_t min, int64_t max,
                            int64_t* out);

// The entries of `path`, in file order. NotFound if it does not exist;
// DataLoss naming the path and line for anything malformed: a version other
// than 0, a count that is not a number or does not match the lines, a line
// without exactly three single-space-separated fields, a number that does not
// parse or overflows, a negative partition, an offset below -1, a missing
// final newline.
absl::StatusOr<std::vector<CheckpointEntry>> ReadCheckpointFile(
    FileSystem* fs, absl::string_view path);

}  // namespace runnel

#endif  // RUNNEL_LOG_CHECKPOINT_FILE_H_
