// Copyright 2026 The Runnel Authors.
#include "replication/leader_epoch_checkpoint.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "log/checkpoint_file.h"

namespace runnel {
namespace {

// Why entry `i` cannot follow `previous` (or stand at all); nullptr if fine.
const char* EntryProblem(const EpochEntry& entry, const EpochEntry* previous) {
  if (entry.epoch < 0) return "the epoch is negative";
  if (entry.start_offset < 0) return "the start offset is negative";
  if (previous != nullptr && entry.epoch <= previous->epoch) {
    return "the epoch is not above the previous entry's";
  }
  if (previous != nullptr && entry.start_offset <= previous->start_offset) {
    return "the start offset is not above the previous entry's";
  }
  return nullptr;
}

class Parser {
 public:
  Parser(absl::string_view path, absl::string_view content)
      : frame_("leader-epoch checkpoint", path), content_(content) {}

  absl::StatusOr<std::vector<EpochEntry>> Parse() {
    absl::StatusOr<std::vector<absl::string_view>> lines =
        frame_.Split(content_);
    if (!lines.ok()) return lines.status();
    std::vector<EpochEntry> entries(lines->size());
    for (size_t i = 0; i < entries.size(); ++i) {
      absl::string_view line = (*lines)[i];
      absl::Status parsed = ParseEntry(i + 3, line, &entries[i]);
      if (!parsed.ok()) return parsed;
      const char* problem =
          EntryProblem(entries[i], i == 0 ? nullptr : &entries[i - 1]);
      if (problem != nullptr) return Corrupt(i + 3, line, problem);
    }
    return entries;
  }

 private:
  absl::Status ParseEntry(size_t line_number, absl::string_view line,
                          EpochEntry* entry) const {
    const std::vector<absl::string_view> fields = absl::StrSplit(line, ' ');
    if (fields.size() != 2) {
      return Corrupt(line_number, line, "expected \"<epoch> <start_offset>\"");
    }
    int64_t epoch = 0;
    if (!ParseCheckpointDecimal(fields[0], 0,
                                std::numeric_limits<int32_t>::max(), &epoch)) {
      return Corrupt(line_number, line,
                     "the epoch is not a number in [0, 2^31-1]");
    }
    int64_t offset = 0;
    if (!ParseCheckpointDecimal(fields[1], 0,
                                std::numeric_limits<int64_t>::max(), &offset)) {
      return Corrupt(line_number, line,
                     "the start offset is not a number in [0, 2^63-1]");
    }
    *entry = EpochEntry{static_cast<int32_t>(epoch), offset};
    return absl::OkStatus();
  }

  absl::Status Corrupt(size_t line_number, absl::string_view line,
                       absl::string_view why) const {
    return frame_.Corrupt(line_number, line, why);
  }

  const CheckpointLines frame_;
  absl::string_view content_;
};

}  // namespace

absl::Status WriteLeaderEpochCheckpoint(FileSystem* fs, absl::string_view path,
                                        absl::Span<const EpochEntry> entries) {
  std::string content = CheckpointHeader(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    const char* problem =
        EntryProblem(entries[i], i == 0 ? nullptr : &entries[i - 1]);
    if (problem != nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("write leader-epoch checkpoint ", path, ": entry ", i,
                       " (epoch ", entries[i].epoch, ", start offset ",
                       entries[i].start_offset, "): ", problem));
    }
    absl::StrAppend(&content, entries[i].epoch, " ", entries[i].start_offset,
                    "\n");
  }
  return fs->ReplaceFileDurably(path, content);
}

absl::StatusOr<std::vector<EpochEntry>> ReadLeaderEpochCheckpoint(
    FileSystem* fs, absl::string_view path) {
  absl::StatusOr<std::string> content = fs->ReadFileToString(path);
  if (!content.ok()) return content.status();
  return Parser(path, *content).Parse();
}

}  // namespace runnel
