// Copyright 2026 The Runnel Authors.
#include "partition/metadata_store.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "log/crc32c.h"
#include "runnel/topic_config.h"

namespace runnel {
namespace {

constexpr char kHeader[] = "runnel-metadata v1";
constexpr size_t kTopicIdBytes = 16;
constexpr size_t kTopicIdChars = 22;
constexpr size_t kMaxQuotedLine = 64;

std::vector<std::string> SortedKeys(
    const absl::flat_hash_map<std::string, std::string>& map) {
  std::vector<std::string> keys;
  keys.reserve(map.size());
  for (const auto& entry : map) keys.push_back(entry.first);
  std::sort(keys.begin(), keys.end());
  return keys;
}

absl::Status WithContext(const absl::Status& status, absl::string_view what) {
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrCat(what, ": ", status.message()));
}

// ---- Validation ------------------------------------------------------------

absl::Status InvalidTopic(const TopicMetadata& topic, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("topic \"", absl::CHexEscape(topic.name), "\": ", why));
}

// Everything about one topic that does not involve the others.
absl::Status ValidateTopic(const TopicMetadata& topic) {
  absl::Status status = ValidateTopicName(topic.name);
  if (!status.ok()) return InvalidTopic(topic, status.message());
  if (topic.partitions < 1) {
    return InvalidTopic(topic, absl::StrCat("partitions is ", topic.partitions,
                                            " but must be >= 1"));
  }
  if (topic.replication_factor < 1) {
    return InvalidTopic(
        topic, absl::StrCat("replication factor is ", topic.replication_factor,
                            " but must be >= 1"));
  }
  status = ValidateTopicId(topic.topic_id);
  if (!status.ok()) return InvalidTopic(topic, status.message());
  // One key at a time, so the error names the offending key even when the
  // config message does not.
  for (const std::string& key : SortedKeys(topic.config_overrides)) {
    absl::StatusOr<TopicConfig> config =
        TopicConfig::FromProperties({{key, topic.config_overrides.at(key)}});
    if (!config.ok()) {
      return InvalidTopic(
          topic, absl::StrCat("config override \"", absl::CHexEscape(key),
                              "\": ", config.status().message()));
    }
  }
  // And as a whole (for rules that span keys).
  absl::StatusOr<TopicConfig> config =
      TopicConfig::FromProperties(topic.config_overrides);
  if (!config.ok()) {
    return InvalidTopic(
        topic, absl::StrCat("config overrides: ", config.status().message()));
  }
  return absl::OkStatus();
}

// `topics` sorted by name: each valid, names and ids unique.
absl::Status ValidateTopics(const std::vector<TopicMetadata>& topics) {
  absl::flat_hash_map<absl::string_view, absl::string_view> ids;
  for (size_t i = 0; i < topics.size(); ++i) {
    absl::Status status = ValidateTopic(topics[i]);
    if (!status.ok()) return status;
    if (i > 0 && topics[i - 1].name == topics[i].name) {
      return InvalidTopic(topics[i], "appears more than once");
    }
    auto [it, inserted] = ids.emplace(topics[i].topic_id, topics[i].name);
    if (!inserted) {
      return InvalidTopic(
          topics[i], absl::StrCat("topic id ", it->first,
                                  " is also the id of \"", it->second, "\""));
    }
  }
  return absl::OkStatus();
}

// ---- Encoding --------------------------------------------------------------

void AppendString(std::string* out, absl::string_view raw) {
  const std::string escaped = absl::CEscape(raw);
  absl::StrAppend(out, escaped.size(), ":", escaped);
}

std::string Encode(const MetadataSnapshot& snapshot) {
  std::string out = absl::StrCat(kHeader, "\nversion ", snapshot.version,
                                 "\ntopics ", snapshot.topics.size(), "\n");
  for (const TopicMetadata& topic : snapshot.topics) {
    out += "topic ";
    AppendString(&out, topic.name);
    absl::StrAppend(&out, " ", topic.partitions, " ", topic.replication_factor,
                    " ", topic.pending_delete ? 1 : 0, " ");
    AppendString(&out, topic.topic_id);
    absl::StrAppend(&out, " ", topic.config_overrides.size(), "\n");
    for (const std::string& key : SortedKeys(topic.config_overrides)) {
      out += "config ";
      AppendString(&out, key);
      out += " ";
      AppendString(&out, topic.config_overrides.at(key));
      out += "\n";
    }
  }
  absl::StrAppendFormat(&out, "crc32c %08x\n", Crc32c(out));
  return out;
}

// ---- Decoding --------------------------------------------------------------

// A canonical decimal in [min, max]: '-'? digits, no leading zeros.
bool ParseDecimal(absl::string_view text, int64_t min, int64_t max,
                  int64_t* out) {
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) text.remove_prefix(1);
  if (text.empty() || text.size() > 19) return false;
  if (text.size() > 1 && text[0] == '0') return false;
  uint64_t magnitude = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    magnitude = magnitude * 10 + static_cast<uint64_t>(c - '0');
  }
  if (negative) {
    if (magnitude == 0 || min >= 0) return false;  // also "-0"
    if (magnitude > 0 - static_cast<uint64_t>(min)) return false;
    *out = static_cast<int64_t>(0 - magnitude);
  } else {
    if (magnitude > static_cast<uint64_t>(max)) return false;
    *out = static_cast<int64_t>(magnitude);
  }
  return *out >= min;
}

// Exactly 8 lowercase hex digits.
bool ParseHex32(absl::string_view text, uint32_t* out) {
  if (text.size() != 8) return false;
  uint32_t value = 0;
  for (char c : text) {
    uint32_t digit = 0;
    if (c >= '0' && c <= '9') {
      digit = static_cast<uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<uint32_t>(c - 'a' + 10);
    } else {
      return false;
    }
    value = value << 4 | digit;
  }
  *out = value;
  return true;
}

// The fields of one line, left to right, separated by single spaces.
class FieldReader {
 public:
  explicit FieldReader(absl::string_view line) : rest_(line) {}

  // The next space-free field (for keywords and decimals).
  bool Word(absl::string_view* out) {
    if (!Separator()) return false;
    const size_t end = std::min(rest_.find(' '), rest_.size());
    *out = rest_.substr(0, end);
    rest_.remove_prefix(end);
    return !out->empty();
  }

  bool Keyword(absl::string_view expected) {
    absl::string_view word;
    return Word(&word) && word == expected;
  }

  bool Decimal(int64_t min, int64_t max, int64_t* out) {
    absl::string_view word;
    return Word(&word) && ParseDecimal(word, min, max, out);
  }

  // `<n>:<CEscape'd bytes>`.
  bool String(std::string* out) {
    if (!Separator()) return false;
    const size_t colon = rest_.find(':');
    int64_t length = 0;
    if (colon == absl::string_view::npos ||
        !ParseDecimal(rest_.substr(0, colon), 0,
                      std::numeric_limits<int64_t>::max(), &length) ||
        static_cast<uint64_t>(length) > rest_.size() - colon - 1) {
      return false;
    }
    const absl::string_view escaped =
        rest_.substr(colon + 1, static_cast<size_t>(length));
    rest_.remove_prefix(colon + 1 + escaped.size());
    // CEscape never leaves a byte outside printable ASCII.
    for (char c : escaped) {
      if (c < ' ' || c > '~') return false;
    }
    return absl::CUnescape(escaped, out) && absl::CEscape(*out) == escaped;
  }

  bool AtEnd() const { return rest_.empty(); }

 private:
  // Consumes the ' ' before every field but the first.
  bool Separator() {
    if (first_) {
      first_ = false;
      return true;
    }
    if (rest_.empty() || rest_[0] != ' ') return false;
    rest_.remove_prefix(1);
    return true;
  }

  absl::string_view rest_;
  bool first_ = true;
};

// Parses one file's content; errors are DataLoss naming path and line.
class Decoder {
 public:
  Decoder(absl::string_view path, absl::string_view content)
      : path_(path), content_(content) {}

  absl::StatusOr<MetadataSnapshot> Decode() {
    absl::Status status = CheckCrc();
    if (!status.ok()) return status;
    MetadataSnapshot snapshot;
    int64_t count = 0;
    if (!NextLine() || line_ != kHeader) {
      return Corrupt("expected the header \"runnel-metadata v1\"");
    }
    FieldReader version(NextLine() ? line_ : "");
    if (!version.Keyword("version") ||
        !version.Decimal(1, std::numeric_limits<int64_t>::max(),
                         &snapshot.version) ||
        !version.AtEnd()) {
      return Corrupt("expected \"version <V>\" with V >= 1");
    }
    FieldReader topics(NextLine() ? line_ : "");
    if (!topics.Keyword("topics") ||
        !topics.Decimal(0, std::numeric_limits<int32_t>::max(), &count) ||
        !topics.AtEnd()) {
      return Corrupt("expected \"topics <N>\"");
    }
    for (int64_t i = 0; i < count; ++i) {
      TopicMetadata topic;
      status = DecodeTopic(&topic);
      if (!status.ok()) return status;
      if (!snapshot.topics.empty() &&
          snapshot.topics.back().name >= topic.name) {
        return Corrupt("topic names are not strictly ascending");
      }
      snapshot.topics.push_back(std::move(topic));
    }
    if (NextLine()) return Corrupt("more lines than announced");
    return snapshot;
  }

 private:
  // Checks the last line, then drops it from content_.
  absl::Status CheckCrc() {
    if (content_.empty()) return Corrupt("the file is empty");
    line_number_ =
        static_cast<size_t>(std::count(content_.begin(), content_.end(), '\n'));
    if (content_.back() != '\n') {
      ++line_number_;
      line_ = content_.substr(content_.rfind('\n') + 1);  // npos + 1 == 0
      return Corrupt("the last line has no newline (truncated?)");
    }
    const size_t start =  // npos + 1 == 0
        content_.size() < 2 ? 0 : content_.rfind('\n', content_.size() - 2) + 1;
    line_ = content_.substr(start, content_.size() - 1 - start);
    FieldReader reader(line_);
    absl::string_view hex;
    uint32_t stored = 0;
    if (!reader.Keyword("crc32c") || !reader.Word(&hex) || !reader.AtEnd() ||
        !ParseHex32(hex, &stored)) {
      return Corrupt("expected \"crc32c <8 lowercase hex digits>\" last");
    }
    const uint32_t actual = Crc32c(content_.substr(0, start));
    if (stored != actual) {
      return Corrupt(
          absl::StrFormat("CRC-32C mismatch: stored %08x, computed "
                          "%08x over the preceding bytes",
                          stored, actual));
    }
    content_ = content_.substr(0, start);
    line_number_ = 0;
    return absl::OkStatus();
  }

  absl::Status DecodeTopic(TopicMetadata* topic) {
    FieldReader fields(NextLine() ? line_ : "");
    int64_t partitions = 0, replication = 0, deleted = 0, configs = 0;
    if (!fields.Keyword("topic") || !fields.String(&topic->name) ||
        !fields.Decimal(1, std::numeric_limits<int32_t>::max(), &partitions) ||
        !fields.Decimal(1, std::numeric_limits<int16_t>::max(), &replication) ||
        !fields.Decimal(0, 1, &deleted) || !fields.String(&topic->topic_id) ||
        !fields.Decimal(0, std::numeric_limits<int32_t>::max(), &configs) ||
        !fields.AtEnd()) {
      return Corrupt(
          "expected \"topic <name> <partitions> <replication> <0|1> <id> "
          "<configs>\"");
    }
    topic->partitions = static_cast<int32_t>(partitions);
    topic->replication_factor = static_cast<int16_t>(replication);
    topic->pending_delete = deleted == 1;
    const size_t topic_line = line_number_;
    std::string previous_key;
    for (int64_t i = 0; i < configs; ++i) {
      FieldReader config(NextLine() ? line_ : "");
      std::string key, value;
      if (!config.Keyword("config") || !config.String(&key) ||
          !config.String(&value) || !config.AtEnd()) {
        return Corrupt("expected \"config <key> <value>\"");
      }
      if (i > 0 && key <= previous_key) {
        return Corrupt("config keys are not strictly ascending");
      }
      previous_key = key;
      topic->config_overrides.emplace(std::move(key), std::move(value));
    }
    absl::Status valid = ValidateTopic(*topic);
    if (!valid.ok()) {
      line_number_ = topic_line;
      return absl::DataLossError(absl::StrCat("metadata file ", path_, " line ",
                                              topic_line, ": ",
                                              valid.message()));
    }
    return absl::OkStatus();
  }

  // Moves to the next line of content_ (without its '\n'); false at the end.
  bool NextLine() {
    ++line_number_;
    if (offset_ >= content_.size()) {
      line_ = "";
      return false;
    }
    const size_t end = content_.find('\n', offset_);  // content_ ends in '\n'
    line_ = content_.substr(offset_, end - offset_);
    offset_ = end + 1;
    return true;
  }

  absl::Status Corrupt(absl::string_view why) const {
    const bool cut = line_.size() > kMaxQuotedLine;
    return absl::DataLossError(
        absl::StrCat("metadata file ", path_, " line ", line_number_, " \"",
                     absl::CHexEscape(line_.substr(0, kMaxQuotedLine)),
                     cut ? "..." : "", "\": ", why));
  }

  const absl::string_view path_;
  absl::string_view content_;
  size_t offset_ = 0;
  size_t line_number_ = 0;
  absl::string_view line_;
};

// ---- File I/O --------------------------------------------------------------

}  // namespace

bool operator==(const TopicMetadata& a, const TopicMetadata& b) {
  return a.name == b.name && a.partitions == b.partitions &&
         a.replication_factor == b.replication_factor &&
         a.config_overrides == b.config_overrides && a.topic_id == b.topic_id &&
         a.pending_delete == b.pending_delete;
}

bool operator==(const MetadataSnapshot& a, const MetadataSnapshot& b) {
  return a.version == b.version && a.topics == b.topics;
}

std::string NewTopicId() {
  thread_local absl::BitGen gen;
  std::string bytes(kTopicIdBytes, '\0');
  do {
    for (char& c : bytes) c = static_cast<char>(absl::Uniform<uint8_t>(gen));
  } while (bytes == std::string(kTopicIdBytes, '\0'));
  return absl::WebSafeBase64Escape(bytes);  // unpadded: 22 characters
}

absl::Status ValidateTopicId(absl::string_view id) {
  std::string bytes;
  if (id.size() != kTopicIdChars || !absl::WebSafeBase64Unescape(id, &bytes) ||
      bytes.size() != kTopicIdBytes || absl::WebSafeBase64Escape(bytes) != id) {
    return absl::InvalidArgumentError(
        absl::StrCat("topic id \"", absl::CHexEscape(id),
                     "\" is not 22 characters of base64url encoding 16 bytes"));
  }
  if (bytes == std::string(kTopicIdBytes, '\0')) {
    return absl::InvalidArgumentError("topic id must not be all zero");
  }
  return absl::OkStatus();
}

MetadataStore::MetadataStore(FileSystem* fs, std::string data_dir,
                             MetadataSnapshot current)
    : fs_(fs),
      data_dir_(std::move(data_dir)),
      path_(absl::StrCat(data_dir_, "/", kFileName)),
      temp_path_(absl::StrCat(data_dir_, "/", kTempFileName)),
      current_(std::move(current)) {}

absl::StatusOr<std::unique_ptr<MetadataStore>> MetadataStore::Open(
    FileSystem* fs, std::string data_dir, bool read_only) {
  const std::string what = absl::StrCat("open metadata in ", data_dir);
  absl::StatusOr<bool> is_dir = fs->IsDirectory(data_dir);
  if (!is_dir.ok()) return WithContext(is_dir.status(), what);
  if (!*is_dir) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, ": not a directory"));
  }
  std::unique_ptr<MetadataStore> store(
      new MetadataStore(fs, std::move(data_dir), MetadataSnapshot()));
  // A leftover of a Commit that never renamed it: never part of the state.
  store->read_only_ = read_only;
  absl::StatusOr<bool> temp_exists = fs->FileExists(store->temp_path_);
  if (!temp_exists.ok()) return WithContext(temp_exists.status(), what);
  if (*temp_exists && !read_only) {
    absl::Status removed = fs->RemoveFile(store->temp_path_);
    if (!removed.ok()) return WithContext(removed, what);
  }
  absl::StatusOr<std::string> content = fs->ReadFileToString(store->path_);
  if (absl::IsNotFound(content.status())) return store;  // fresh directory
  if (!content.ok()) return WithContext(content.status(), what);
  absl::StatusOr<MetadataSnapshot> snapshot =
      Decoder(store->path_, *content).Decode();
  if (!snapshot.ok()) return snapshot.status();
  absl::Status unique = ValidateTopics(snapshot->topics);
  if (!unique.ok()) {
    return absl::DataLossError(
        absl::StrCat("metadata file ", store->path_, ": ", unique.message()));
  }
  store->current_ = *std::move(snapshot);
  return store;
}

absl::Status MetadataStore::Commit(MetadataSnapshot next) {
  if (read_only_) {
    return absl::FailedPreconditionError(
        absl::StrCat("commit metadata in ", data_dir_, ": opened read-only"));
  }
  if (current_.version == std::numeric_limits<int64_t>::max() ||
      next.version != current_.version + 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "commit metadata in ", data_dir_, ": version ", next.version,
        " does not follow the current version ", current_.version));
  }
  std::sort(next.topics.begin(), next.topics.end(),
            [](const TopicMetadata& a, const TopicMetadata& b) {
              return a.name < b.name;
            });
  const std::string what =
      absl::StrCat("commit metadata version ", next.version, " in ", data_dir_);
  absl::Status status = ValidateTopics(next.topics);
  if (!status.ok()) return WithContext(status, what);
  // A leftover .tmp is harmless: Open removes it, the next Commit replaces
  // it.
  status = fs_->ReplaceFileDurably(path_, Encode(next));
  if (!status.ok()) return WithContext(status, what);
  current_ = std::move(next);
  return absl::OkStatus();
}

}  // namespace runnel
