// Copyright 2026 The Runnel Authors.
#include "log/log_internal.h"

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "log/format.h"

namespace runnel {
namespace internal {

std::string Join(absl::string_view dir, absl::string_view name) {
  return absl::StrCat(dir, "/", name);
}

internal::SegmentOptions ToSegmentOptions(const LogOptions& options) {
  internal::SegmentOptions s;
  s.index_interval_bytes = options.index_interval_bytes;
  s.max_index_bytes = options.segment_index_bytes;
  s.capacity_bytes = std::max<uint64_t>(
      options.segment_bytes, options.max_message_bytes + format::kLogOverhead);
  s.reserve_chunk_bytes = options.preallocate_bytes;
  s.prefault = options.prefault;
  s.clock = options.clock;
  s.recycle_files = options.recycle_segments;
  return s;
}

// Reads a one-number file written by WriteNumberFile.
absl::StatusOr<int64_t> ReadNumberFile(FileSystem* fs,
                                       const std::string& path) {
  absl::StatusOr<std::string> text = fs->ReadFileToString(path);
  if (!text.ok()) return text.status();
  int64_t value;
  if (!absl::SimpleAtoi(absl::StripSuffix(*text, "\n"), &value) || value < 0) {
    return absl::DataLossError(absl::StrCat(path, ": not an offset: \"",
                                            absl::CHexEscape(*text), "\""));
  }
  return value;
}

// Writes `value` to `path` crash-safely: temp file, sync, rename, dir sync.
absl::Status WriteNumberFile(FileSystem* fs, absl::string_view dir,
                             absl::string_view name, int64_t value) {
  return fs->ReplaceFileDurably(Join(dir, name), absl::StrCat(value, "\n"));
}

// mkdir -p that also fsyncs the parent of every directory it creates, so a
// new log's directory survives a power loss along with its files.
absl::Status CreateDirsDurably(FileSystem* fs, const std::string& dir) {
  return fs->CreateDirsDurably(dir);
}

}  // namespace internal
}  // namespace runnel
