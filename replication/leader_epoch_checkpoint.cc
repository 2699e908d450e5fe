// Copyright 2026 The Runnel Authors.
#include "replication/leader_epoch_checkpoint.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace runnel {
namespace {

constexpr int kVersion = 0;
constexpr size_t kMaxQuotedLine = 64;

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

// A decimal integer in [min, max]: an optional '-', then digits, nothing
// else (no '+', no spaces, no "-0").
bool ParseDecimal(absl::string_view text, int64_t min, int64_t max,
                  int64_t* out) {
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) text.remove_prefix(1);
  if (text.empty() || text.size() > 19) return false;
  uint64_t magnitude = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    magnitude = magnitude * 10 + static_cast<uint64_t>(c - '0');
  }
  if (negative) {
    if (magnitude == 0 || min >= 0) return false;
    if (magnitude > 0 - static_cast<uint64_t>(min)) return false;
    *out = static_cast<int64_t>(0 - magnitude);
    return true;
  }
  if (magnitude > static_cast<uint64_t>(max)) return false;
  *out = static_cast<int64_t>(magnitude);
  return true;
}

class Parser {
 public:
  Parser(absl::string_view path, absl::string_view content)
      : path_(path), content_(content) {}

  absl::StatusOr<std::vector<EpochEntry>> Parse() {
    if (content_.empty()) return Corrupt(1, "", "the file is empty");
    if (content_.back() != '\n') {
      const size_t last_start = content_.rfind('\n') + 1;  // npos + 1 == 0
      return Corrupt(1 + static_cast<size_t>(std::count(content_.begin(),
                                                        content_.end(), '\n')),
                     content_.substr(last_start),
                     "the last line has no newline (truncated?)");
    }
    content_.remove_suffix(1);
    const std::vector<absl::string_view> lines = absl::StrSplit(content_, '\n');
    int64_t version = 0;
    if (!ParseDecimal(lines[0], 0, std::numeric_limits<int32_t>::max(),
                      &version) ||
        version != kVersion) {
      return Corrupt(1, lines[0], "unsupported version (expected 0)");
    }
    if (lines.size() < 2) return Corrupt(2, "", "the entry count is missing");
    int64_t count = 0;
    if (!ParseDecimal(lines[1], 0, std::numeric_limits<int32_t>::max(),
                      &count)) {
      return Corrupt(2, lines[1], "the entry count is not a number >= 0");
    }
    if (static_cast<uint64_t>(count) != lines.size() - 2) {
      return Corrupt(2, lines[1],
                     absl::StrCat(count, " entries announced but ",
                                  lines.size() - 2, " lines follow"));
    }
    std::vector<EpochEntry> entries(lines.size() - 2);
    for (size_t i = 0; i < entries.size(); ++i) {
      absl::Status parsed = ParseEntry(i + 3, lines[i + 2], &entries[i]);
      if (!parsed.ok()) return parsed;
      const char* problem =
          EntryProblem(entries[i], i == 0 ? nullptr : &entries[i - 1]);
      if (problem != nullptr) return Corrupt(i + 3, lines[i + 2], problem);
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
    if (!ParseDecimal(fields[0], 0, std::numeric_limits<int32_t>::max(),
                      &epoch)) {
      return Corrupt(line_number, line,
                     "the epoch is not a number in [0, 2^31-1]");
    }
    int64_t offset = 0;
    if (!ParseDecimal(fields[1], 0, std::numeric_limits<int64_t>::max(),
                      &offset)) {
      return Corrupt(line_number, line,
                     "the start offset is not a number in [0, 2^63-1]");
    }
    *entry = EpochEntry{static_cast<int32_t>(epoch), offset};
    return absl::OkStatus();
  }

  absl::Status Corrupt(size_t line_number, absl::string_view line,
                       absl::string_view why) const {
    const bool cut = line.size() > kMaxQuotedLine;
    return absl::DataLossError(
        absl::StrCat("leader-epoch checkpoint ", path_, " line ", line_number,
                     " \"", absl::CHexEscape(line.substr(0, kMaxQuotedLine)),
                     cut ? "..." : "", "\": ", why));
  }

  const absl::string_view path_;
  absl::string_view content_;
};

}  // namespace

absl::Status WriteLeaderEpochCheckpoint(FileSystem* fs, absl::string_view path,
                                        absl::Span<const EpochEntry> entries) {
  std::string content = absl::StrCat(kVersion, "\n", entries.size(), "\n");
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
