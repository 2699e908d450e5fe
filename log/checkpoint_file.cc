// Copyright 2026 The Runnel Authors.
#include "log/checkpoint_file.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <memory>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace runnel {
namespace {

constexpr size_t kMaxQuotedLine = 64;

bool HasWhitespace(absl::string_view s) {
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
        c == '\f') {
      return true;
    }
  }
  return false;
}

absl::Status CheckEntry(absl::string_view path, size_t i,
                        const CheckpointEntry& entry) {
  const char* what = nullptr;
  if (entry.topic.empty() || HasWhitespace(entry.topic)) {
    what = "topic must be non-empty without whitespace";
  } else if (entry.partition < 0) {
    what = "partition must not be negative";
  } else if (entry.offset < -1) {
    what = "offset must be >= -1";
  }
  if (what == nullptr) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("write checkpoint file ", path, ": entry ", i, " (topic \"",
                   absl::CHexEscape(entry.topic), "\", partition ",
                   entry.partition, ", offset ", entry.offset, "): ", what));
}

std::string Render(absl::Span<const CheckpointEntry> entries) {
  std::string out = CheckpointHeader(entries.size());
  for (const CheckpointEntry& e : entries) {
    absl::StrAppend(&out, e.topic, " ", e.partition, " ", e.offset, "\n");
  }
  return out;
}

// Parses the text of one checkpoint file; errors name the path and line.
class CheckpointParser {
 public:
  CheckpointParser(absl::string_view path, absl::string_view content)
      : frame_("checkpoint file", path), content_(content) {}

  absl::StatusOr<std::vector<CheckpointEntry>> Parse() {
    absl::StatusOr<std::vector<absl::string_view>> lines =
        frame_.Split(content_);
    if (!lines.ok()) return lines.status();
    std::vector<CheckpointEntry> entries(lines->size());
    for (size_t i = 0; i < entries.size(); ++i) {
      absl::Status parsed = ParseEntry(i + 3, (*lines)[i], &entries[i]);
      if (!parsed.ok()) return parsed;
    }
    return entries;
  }

 private:
  absl::Status ParseEntry(size_t line_number, absl::string_view line,
                          CheckpointEntry* entry) const {
    const std::vector<absl::string_view> fields = absl::StrSplit(line, ' ');
    if (fields.size() != 3 || fields[0].empty() || HasWhitespace(fields[0])) {
      return Corrupt(line_number, line,
                     "expected \"<topic> <partition> <offset>\"");
    }
    int64_t partition = 0;
    if (!ParseCheckpointDecimal(
            fields[1], 0, std::numeric_limits<int32_t>::max(), &partition)) {
      return Corrupt(line_number, line,
                     "the partition is not a number in [0, 2^31-1]");
    }
    int64_t offset = 0;
    if (!ParseCheckpointDecimal(fields[2], -1,
                                std::numeric_limits<int64_t>::max(), &offset)) {
      return Corrupt(line_number, line,
                     "the offset is not a number in [-1, 2^63-1]");
    }
    *entry = CheckpointEntry{std::string(fields[0]),
                             static_cast<int32_t>(partition), offset};
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

std::string CheckpointHeader(size_t count) {
  return absl::StrCat(kCheckpointFileVersion, "\n", count, "\n");
}

bool ParseCheckpointDecimal(absl::string_view text, int64_t min, int64_t max,
                            int64_t* out) {
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) text.remove_prefix(1);
  if (text.empty() || text.size() > 19) return false;
  uint64_t magnitude = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    magnitude = magnitude * 10 + static_cast<uint64_t>(c - '0');
  }
  // 19 digits fit in uint64_t; the range checks keep the casts exact.
  if (negative) {
    if (magnitude == 0 || min >= 0) return false;  // also rejects "-0"
    if (magnitude > 0 - static_cast<uint64_t>(min)) return false;
    *out = static_cast<int64_t>(0 - magnitude);
    return true;
  }
  if (magnitude > static_cast<uint64_t>(max)) return false;
  *out = static_cast<int64_t>(magnitude);
  return true;
}

absl::Status CheckpointLines::Corrupt(size_t line_number,
                                      absl::string_view line,
                                      absl::string_view why) const {
  const bool cut = line.size() > kMaxQuotedLine;
  return absl::DataLossError(
      absl::StrCat(kind_, " ", path_, " line ", line_number, " \"",
                   absl::CHexEscape(line.substr(0, kMaxQuotedLine)),
                   cut ? "..." : "", "\": ", why));
}

absl::StatusOr<std::vector<absl::string_view>> CheckpointLines::Split(
    absl::string_view content) const {
  if (content.empty()) return Corrupt(1, "", "the file is empty");
  if (content.back() != '\n') {
    const size_t last_line_start = content.rfind('\n') + 1;  // npos + 1 == 0
    return Corrupt(1 + static_cast<size_t>(
                           std::count(content.begin(), content.end(), '\n')),
                   content.substr(last_line_start),
                   "the last line has no newline (truncated?)");
  }
  content.remove_suffix(1);
  std::vector<absl::string_view> lines = absl::StrSplit(content, '\n');
  int64_t version = 0;
  if (!ParseCheckpointDecimal(lines[0], 0, std::numeric_limits<int32_t>::max(),
                              &version) ||
      version != kCheckpointFileVersion) {
    return Corrupt(1, lines[0], "unsupported version (expected 0)");
  }
  if (lines.size() < 2) return Corrupt(2, "", "the entry count is missing");
  int64_t count = 0;
  if (!ParseCheckpointDecimal(lines[1], 0, std::numeric_limits<int32_t>::max(),
                              &count)) {
    return Corrupt(2, lines[1], "the entry count is not a number >= 0");
  }
  if (static_cast<uint64_t>(count) != lines.size() - 2) {
    return Corrupt(2, lines[1],
                   absl::StrCat(count, " entries announced but ",
                                lines.size() - 2, " lines follow"));
  }
  lines.erase(lines.begin(), lines.begin() + 2);
  return lines;
}

absl::Status WriteCheckpointFile(FileSystem* fs, absl::string_view path,
                                 absl::Span<const CheckpointEntry> entries) {
  for (size_t i = 0; i < entries.size(); ++i) {
    absl::Status valid = CheckEntry(path, i, entries[i]);
    if (!valid.ok()) return valid;
  }
  return fs->ReplaceFileDurably(path, Render(entries));
}

absl::StatusOr<std::vector<CheckpointEntry>> ReadCheckpointFile(
    FileSystem* fs, absl::string_view path) {
  absl::StatusOr<std::unique_ptr<File>> file =
      fs->OpenFile(path, OpenOptions::ReadOnly());
  if (!file.ok()) return file.status();
  absl::StatusOr<uint64_t> size = (*file)->Size();
  if (!size.ok()) return size.status();
  std::string content(*size, '\0');
  absl::StatusOr<size_t> read = (*file)->ReadAt(0, absl::MakeSpan(content));
  if (!read.ok()) return read.status();
  content.resize(*read);
  return CheckpointParser(path, content).Parse();
}

}  // namespace runnel
