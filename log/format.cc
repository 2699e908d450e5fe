#include "log/format.h"

#include <cstdint>
#include <cstring>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "log/big_endian.h"

namespace runnel {
namespace format {
namespace {

struct SuffixName {
  const char* suffix;
  SegmentFileType type;
};
constexpr SuffixName kTypeSuffixes[] = {
    {kLogFileSuffix, SegmentFileType::kLog},
    {kIndexFileSuffix, SegmentFileType::kIndex},
    {kTimeIndexFileSuffix, SegmentFileType::kTimeIndex},
    {kTxnIndexFileSuffix, SegmentFileType::kTxnIndex},
    {kSnapshotFileSuffix, SegmentFileType::kSnapshot},
};

struct TempSuffixName {
  const char* suffix;
  TempFileState state;
};
constexpr TempSuffixName kTempSuffixes[] = {
    {"", TempFileState::kNone},
    {kDeletedFileSuffix, TempFileState::kDeleted},
    {kCleanedFileSuffix, TempFileState::kCleaned},
    {kSwapFileSuffix, TempFileState::kSwap},
};

// Parses a non-empty run of ASCII digits with no sign into [0, max];
// rejects leading zeros unless `allow_leading_zeros`.
bool ParseDecimal(absl::string_view digits, uint64_t max,
                  bool allow_leading_zeros, uint64_t* out) {
  if (digits.empty()) return false;
  if (!allow_leading_zeros && digits.size() > 1 && digits[0] == '0') {
    return false;
  }
  uint64_t value = 0;
  for (char c : digits) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (max - digit) / 10) return false;
    value = value * 10 + digit;
  }
  *out = value;
  return true;
}

}  // namespace

absl::StatusOr<std::string> SegmentFileName(int64_t base_offset,
                                            absl::string_view suffix) {
  if (base_offset < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("SegmentFileName: negative base offset ", base_offset));
  }
  if (suffix.empty() || suffix[0] != '.') {
    return absl::InvalidArgumentError(absl::StrCat("SegmentFileName: suffix \"",
                                                   absl::CEscape(suffix),
                                                   "\" must start with '.'"));
  }
  return absl::StrCat(absl::StrFormat("%020d", base_offset), suffix);
}

absl::StatusOr<ParsedSegmentFileName> ParseSegmentFileName(
    absl::string_view name) {
  auto bad = [name](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "not a segment file name: \"", absl::CEscape(name), "\": ", why));
  };
  if (name.size() <= kSegmentFileNameDigits ||
      name[kSegmentFileNameDigits] != '.') {
    return bad("expected 20 digits then '.'");
  }
  uint64_t offset;
  if (!ParseDecimal(name.substr(0, kSegmentFileNameDigits),
                    std::numeric_limits<int64_t>::max(),
                    /*allow_leading_zeros=*/true, &offset)) {
    return bad("base offset is not a 20-digit number <= 2^63-1");
  }
  const absl::string_view rest = name.substr(kSegmentFileNameDigits);
  for (const SuffixName& type : kTypeSuffixes) {
    if (!absl::StartsWith(rest, type.suffix)) continue;
    const absl::string_view temp = rest.substr(strlen(type.suffix));
    for (const TempSuffixName& state : kTempSuffixes) {
      if (temp == state.suffix) {
        ParsedSegmentFileName parsed;
        parsed.base_offset = static_cast<int64_t>(offset);
        parsed.type = type.type;
        parsed.temp_state = state.state;
        return parsed;
      }
    }
  }
  return bad("unknown suffix");
}

absl::Status ValidateTopicName(absl::string_view topic) {
  auto bad = [topic](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid topic name \"", absl::CEscape(topic), "\": ", why));
  };
  if (topic.empty()) return bad("empty");
  if (topic.size() > 249) return bad("longer than 249 characters");
  if (topic == "." || topic == "..") return bad("'.' and '..' are reserved");
  for (char c : topic) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' &&
        c != '_' && c != '-') {
      return bad("only ASCII letters, digits, '.', '_' and '-' are allowed");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> PartitionDirName(absl::string_view topic,
                                             int32_t partition) {
  absl::Status valid = ValidateTopicName(topic);
  if (!valid.ok()) return valid;
  if (partition < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("PartitionDirName: negative partition ", partition,
                     " for topic ", topic));
  }
  return absl::StrCat(topic, "-", partition);
}

OffsetIndexEntry DecodeOffsetIndexEntry(const char* entry) {
  return {static_cast<int32_t>(internal::LoadBigEndian32(entry)),
          internal::LoadBigEndian32(entry + 4)};
}

TimeIndexEntry DecodeTimeIndexEntry(const char* entry) {
  return {static_cast<int64_t>(internal::LoadBigEndian64(entry)),
          static_cast<int32_t>(internal::LoadBigEndian32(entry + 8))};
}

std::vector<OffsetIndexEntry> DecodeOffsetIndex(absl::string_view bytes) {
  std::vector<OffsetIndexEntry> entries;
  for (size_t at = 0; at + kOffsetIndexEntrySize <= bytes.size();
       at += kOffsetIndexEntrySize) {
    const OffsetIndexEntry e = DecodeOffsetIndexEntry(bytes.data() + at);
    if (e.relative_offset == 0 && (!entries.empty() || e.position == 0)) break;
    entries.push_back(e);
  }
  return entries;
}

std::vector<TimeIndexEntry> DecodeTimeIndex(absl::string_view bytes) {
  std::vector<TimeIndexEntry> entries;
  for (size_t at = 0; at + kTimeIndexEntrySize <= bytes.size();
       at += kTimeIndexEntrySize) {
    const TimeIndexEntry e = DecodeTimeIndexEntry(bytes.data() + at);
    if (e.relative_offset == 0 && (!entries.empty() || e.timestamp == 0)) {
      break;
    }
    entries.push_back(e);
  }
  return entries;
}

absl::StatusOr<ParsedPartitionDirName> ParsePartitionDirName(
    absl::string_view name) {
  const size_t dash = name.rfind('-');
  if (dash == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a partition directory name (no '-'): \"",
                     absl::CEscape(name), "\""));
  }
  uint64_t partition;
  if (!ParseDecimal(name.substr(dash + 1), std::numeric_limits<int32_t>::max(),
                    /*allow_leading_zeros=*/false, &partition)) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a partition directory name (bad partition number): "
                     "\"",
                     absl::CEscape(name), "\""));
  }
  ParsedPartitionDirName parsed;
  parsed.topic = std::string(name.substr(0, dash));
  absl::Status valid = ValidateTopicName(parsed.topic);
  if (!valid.ok()) return valid;
  parsed.partition = static_cast<int32_t>(partition);
  return parsed;
}

}  // namespace format
}  // namespace runnel
