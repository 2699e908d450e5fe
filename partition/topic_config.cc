// Copyright 2026 The Runnel Authors.
//
// One table describes every key (name, type, field, range); Set, Get,
// Validate, Describe and the property maps all walk it, so a key added
// there is handled everywhere. Parsing follows Kafka's ConfigDef
// (clients/.../common/config/ConfigDef.java, parseType): the value is
// trimmed as Java's String.trim() does, INT/LONG go through
// Integer/Long.parseLong, BOOLEAN is true/false ignoring case, LIST splits on
// commas with surrounding whitespace, STRING enums are case-sensitive.
#include "runnel/topic_config.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "log/format.h"

namespace runnel {
namespace {

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

enum class Kind {
  kInt,   // Kafka INT: int32_t field
  kLong,  // Kafka LONG: int64_t field
  kBool,
  kCleanupPolicy,
  kTimestampType,
  kCompression,
};

struct KeySpec {
  absl::string_view name;
  Kind kind = Kind::kInt;
  int32_t TopicConfig::*int_field = nullptr;
  int64_t TopicConfig::*long_field = nullptr;
  bool TopicConfig::*bool_field = nullptr;
  int64_t min = 0;
  int64_t max = 0;
  // Appended to range errors: what a special value means.
  absl::string_view note;
};

constexpr KeySpec IntKey(absl::string_view name, int32_t TopicConfig::*field,
                         int64_t min) {
  KeySpec key;
  key.name = name;
  key.kind = Kind::kInt;
  key.int_field = field;
  key.min = min;
  key.max = kInt32Max;
  return key;
}

constexpr KeySpec LongKey(absl::string_view name, int64_t TopicConfig::*field,
                          int64_t min, absl::string_view note = {}) {
  KeySpec key;
  key.name = name;
  key.kind = Kind::kLong;
  key.long_field = field;
  key.min = min;
  key.max = kInt64Max;
  key.note = note;
  return key;
}

constexpr KeySpec BoolKey(absl::string_view name, bool TopicConfig::*field) {
  KeySpec key;
  key.name = name;
  key.kind = Kind::kBool;
  key.bool_field = field;
  return key;
}

constexpr KeySpec EnumKey(absl::string_view name, Kind kind) {
  KeySpec key;
  key.name = name;
  key.kind = kind;
  return key;
}

// Sorted by name (Keys() and Describe() rely on it; a test checks it).
constexpr KeySpec kKeys[] = {
    EnumKey("cleanup.policy", Kind::kCleanupPolicy),
    EnumKey("compression.type", Kind::kCompression),
    LongKey("delete.retention.ms", &TopicConfig::delete_retention_ms, 0),
    LongKey("flush.messages", &TopicConfig::flush_messages, 1,
            "9223372036854775807 means never"),
    LongKey("flush.ms", &TopicConfig::flush_ms, 0,
            "9223372036854775807 means never"),
    IntKey("index.interval.bytes", &TopicConfig::index_interval_bytes, 0),
    IntKey("max.message.bytes", &TopicConfig::max_message_bytes, 0),
    EnumKey("message.timestamp.type", Kind::kTimestampType),
    IntKey("min.insync.replicas", &TopicConfig::min_insync_replicas, 1),
    BoolKey("preallocate", &TopicConfig::preallocate),
    LongKey("retention.bytes", &TopicConfig::retention_bytes, kInt64Min,
            "negative means no limit"),
    LongKey("retention.ms", &TopicConfig::retention_ms, -1,
            "-1 means unlimited"),
    BoolKey("runnel.prefault", &TopicConfig::runnel_prefault),
    // Kafka: >= 14. A Runnel segment must hold a RecordBatch header.
    IntKey("segment.bytes", &TopicConfig::segment_bytes,
           format::kRecordBatchHeaderSize),
    // Kafka: >= 4. Runnel's .timeindex must hold one entry.
    IntKey("segment.index.bytes", &TopicConfig::segment_index_bytes,
           format::kTimeIndexEntrySize),
    LongKey("segment.ms", &TopicConfig::segment_ms, 1),
};

const KeySpec* FindKey(absl::string_view name) {
  for (const KeySpec& key : kKeys) {
    if (key.name == name) return &key;
  }
  return nullptr;
}

absl::Status UnknownKey(absl::string_view name) {
  return absl::InvalidArgumentError(
      absl::StrCat("unknown topic config \"", absl::CEscape(name), "\""));
}

// Java's String.trim(): strips every character <= ' ' from both ends.
absl::string_view JavaTrim(absl::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') {
    s.remove_prefix(1);
  }
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') {
    s.remove_suffix(1);
  }
  return s;
}

enum class IntParse { kOk, kNotANumber, kTooSmall, kTooLarge };

// Long.parseLong for ASCII input: optional sign, then one or more decimal
// digits. Values beyond int64 are kTooSmall / kTooLarge.
IntParse ParseJavaLong(absl::string_view s, int64_t* out) {
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return IntParse::kNotANumber;
  const uint64_t limit = negative ? uint64_t{1} << 63 : uint64_t{kInt64Max};
  uint64_t value = 0;
  bool overflow = false;
  for (char c : s) {
    if (c < '0' || c > '9') return IntParse::kNotANumber;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (overflow || value > (limit - digit) / 10) {
      overflow = true;  // keep scanning: "9...9x" is still not a number
    } else {
      value = value * 10 + digit;
    }
  }
  if (overflow) return negative ? IntParse::kTooSmall : IntParse::kTooLarge;
  if (value == 0) {
    *out = 0;
  } else if (negative) {
    *out = -static_cast<int64_t>(value - 1) - 1;  // no overflow at INT64_MIN
  } else {
    *out = static_cast<int64_t>(value);
  }
  return IntParse::kOk;
}

std::string Note(const KeySpec& key) {
  return key.note.empty() ? "" : absl::StrCat(" (", key.note, ")");
}

absl::Status ParseInteger(const KeySpec& key, absl::string_view raw,
                          int64_t* out) {
  const absl::string_view value = JavaTrim(raw);
  int64_t n = 0;
  IntParse parsed = ParseJavaLong(value, &n);
  if (parsed == IntParse::kOk && n < key.min) parsed = IntParse::kTooSmall;
  if (parsed == IntParse::kOk && n > key.max) parsed = IntParse::kTooLarge;
  switch (parsed) {
    case IntParse::kOk:
      *out = n;
      return absl::OkStatus();
    case IntParse::kNotANumber:
      return absl::InvalidArgumentError(
          absl::StrCat(key.name, ": \"", absl::CEscape(raw),
                       "\" is not a number; expected a decimal integer in [",
                       key.min, ", ", key.max, "]", Note(key)));
    case IntParse::kTooSmall:
      return absl::InvalidArgumentError(absl::StrCat(
          key.name, ": ", value, " is below the minimum ", key.min, Note(key)));
    case IntParse::kTooLarge:
      return absl::InvalidArgumentError(absl::StrCat(
          key.name, ": ", value, " is above the maximum ", key.max, Note(key)));
  }
  return absl::InternalError("unreachable");
}

absl::Status BadValue(const KeySpec& key, absl::string_view raw,
                      absl::string_view expected) {
  return absl::InvalidArgumentError(absl::StrCat(
      key.name, ": \"", absl::CEscape(raw), "\" is not valid; ", expected));
}

absl::Status ParseBool(const KeySpec& key, absl::string_view raw, bool* out) {
  const absl::string_view value = JavaTrim(raw);
  if (absl::EqualsIgnoreCase(value, "true")) {
    *out = true;
  } else if (absl::EqualsIgnoreCase(value, "false")) {
    *out = false;
  } else {
    return BadValue(key, raw, "expected true or false");
  }
  return absl::OkStatus();
}

constexpr absl::string_view kCleanupPolicyExpected =
    "expected \"delete\", \"compact\" or both, comma-separated";

absl::Status ParseCleanupPolicy(const KeySpec& key, absl::string_view raw,
                                CleanupPolicy* out) {
  const absl::string_view value = JavaTrim(raw);
  if (value.empty()) return BadValue(key, raw, kCleanupPolicyExpected);
  bool compact = false;
  bool del = false;
  for (absl::string_view part : absl::StrSplit(value, ',')) {
    part = absl::StripAsciiWhitespace(part);  // Java's \s*,\s*
    if (part == "compact") {
      compact = true;
    } else if (part == "delete") {
      del = true;
    } else {
      return BadValue(key, raw,
                      absl::StrCat("\"", absl::CEscape(part), "\" is neither ",
                                   "\"compact\" nor \"delete\""));
    }
  }
  *out = compact && del ? CleanupPolicy::kCompactAndDelete
         : compact      ? CleanupPolicy::kCompact
                        : CleanupPolicy::kDelete;
  return absl::OkStatus();
}

absl::Status ParseTimestampType(const KeySpec& key, absl::string_view raw,
                                TimestampType* out) {
  const absl::string_view value = JavaTrim(raw);
  if (value == "CreateTime") {
    *out = TimestampType::kCreateTime;
  } else if (value == "LogAppendTime") {
    *out = TimestampType::kLogAppendTime;
  } else {
    return BadValue(key, raw, "expected CreateTime or LogAppendTime");
  }
  return absl::OkStatus();
}

absl::Status ParseCompression(const KeySpec& key, absl::string_view raw,
                              TopicCompression* out) {
  const absl::string_view value = JavaTrim(raw);
  if (value == "producer") {
    *out = TopicCompression::kProducer;
  } else if (value == "uncompressed") {
    *out = TopicCompression::kUncompressed;
  } else if (value == "lz4") {
    *out = TopicCompression::kLz4;
  } else if (value == "gzip" || value == "snappy" || value == "zstd") {
    return BadValue(key, raw,
                    absl::StrCat("Runnel does not support ", value,
                                 " compression yet; supported: producer, "
                                 "uncompressed, lz4"));
  } else if (value == "none") {
    return BadValue(key, raw,
                    "a topic's compression.type spells no compression "
                    "\"uncompressed\"; expected producer, uncompressed or lz4");
  } else {
    return BadValue(key, raw, "expected producer, uncompressed or lz4");
  }
  return absl::OkStatus();
}

absl::Status SetValue(const KeySpec& key, absl::string_view raw,
                      TopicConfig* config) {
  switch (key.kind) {
    case Kind::kInt:
    case Kind::kLong: {
      int64_t n = 0;
      if (absl::Status s = ParseInteger(key, raw, &n); !s.ok()) return s;
      if (key.kind == Kind::kInt) {
        config->*key.int_field = static_cast<int32_t>(n);  // in range
      } else {
        config->*key.long_field = n;
      }
      return absl::OkStatus();
    }
    case Kind::kBool:
      return ParseBool(key, raw, &(config->*key.bool_field));
    case Kind::kCleanupPolicy:
      return ParseCleanupPolicy(key, raw, &config->cleanup_policy);
    case Kind::kTimestampType:
      return ParseTimestampType(key, raw, &config->message_timestamp_type);
    case Kind::kCompression:
      return ParseCompression(key, raw, &config->compression_type);
  }
  return absl::InternalError("unreachable");
}

// An enum field assigned an out-of-range value prints as something no
// parser accepts, so Validate reports it.
std::string InvalidEnum(int value) {
  return absl::StrCat("<invalid enum value ", value, ">");
}

std::string GetValue(const KeySpec& key, const TopicConfig& config) {
  switch (key.kind) {
    case Kind::kInt:
      return absl::StrCat(config.*key.int_field);
    case Kind::kLong:
      return absl::StrCat(config.*key.long_field);
    case Kind::kBool:
      return config.*key.bool_field ? "true" : "false";
    case Kind::kCleanupPolicy:
      switch (config.cleanup_policy) {
        case CleanupPolicy::kDelete:
          return "delete";
        case CleanupPolicy::kCompact:
          return "compact";
        case CleanupPolicy::kCompactAndDelete:
          return "compact,delete";
      }
      return InvalidEnum(static_cast<int>(config.cleanup_policy));
    case Kind::kTimestampType:
      switch (config.message_timestamp_type) {
        case TimestampType::kCreateTime:
          return "CreateTime";
        case TimestampType::kLogAppendTime:
          return "LogAppendTime";
      }
      return InvalidEnum(static_cast<int>(config.message_timestamp_type));
    case Kind::kCompression:
      switch (config.compression_type) {
        case TopicCompression::kProducer:
          return "producer";
        case TopicCompression::kUncompressed:
          return "uncompressed";
        case TopicCompression::kLz4:
          return "lz4";
      }
      return InvalidEnum(static_cast<int>(config.compression_type));
  }
  return "";
}

// Long.MAX_VALUE milliseconds is Kafka's "never".
absl::Duration MillisToDuration(int64_t ms) {
  return ms == kInt64Max ? absl::InfiniteDuration() : absl::Milliseconds(ms);
}

size_t NonNegative(int64_t n) { return n < 0 ? 0 : static_cast<size_t>(n); }

}  // namespace

absl::StatusOr<TopicConfig> TopicConfig::FromProperties(
    const absl::flat_hash_map<std::string, std::string>& props,
    const TopicConfig& defaults) {
  std::vector<const std::pair<const std::string, std::string>*> sorted;
  sorted.reserve(props.size());
  for (const auto& prop : props) sorted.push_back(&prop);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  TopicConfig config = defaults;
  for (const auto* prop : sorted) {
    if (absl::Status s = config.Set(prop->first, prop->second); !s.ok()) {
      return s;
    }
  }
  if (absl::Status s = config.Validate(); !s.ok()) return s;
  return config;
}

absl::StatusOr<TopicConfig> TopicConfig::FromProperties(
    const absl::flat_hash_map<std::string, std::string>& props) {
  return FromProperties(props, TopicConfig());
}

absl::Status TopicConfig::Set(absl::string_view key, absl::string_view value) {
  const KeySpec* spec = FindKey(key);
  if (spec == nullptr) return UnknownKey(key);
  // Every parser writes only on success, so an error changes nothing.
  return SetValue(*spec, value, this);
}

absl::StatusOr<std::string> TopicConfig::Get(absl::string_view key) const {
  const KeySpec* spec = FindKey(key);
  if (spec == nullptr) return UnknownKey(key);
  return GetValue(*spec, *this);
}

absl::Status TopicConfig::Validate() const {
  // Printing then parsing each value checks it against its key's rules.
  TopicConfig scratch;
  for (const KeySpec& key : kKeys) {
    if (absl::Status s = SetValue(key, GetValue(key, *this), &scratch);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

std::vector<ConfigEntry> TopicConfig::Describe(
    const TopicConfig& defaults) const {
  const TopicConfig kafka_defaults;
  std::vector<ConfigEntry> entries;
  entries.reserve(std::size(kKeys));
  for (const KeySpec& key : kKeys) {
    ConfigEntry entry;
    entry.name = std::string(key.name);
    entry.value = GetValue(key, *this);
    const std::string default_value = GetValue(key, defaults);
    entry.is_default = entry.value == default_value;
    if (!entry.is_default) {
      entry.source = ConfigSource::kDynamicTopicConfig;
    } else if (default_value != GetValue(key, kafka_defaults)) {
      entry.source = ConfigSource::kStaticBrokerConfig;
    } else {
      entry.source = ConfigSource::kDefaultConfig;
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::vector<ConfigEntry> TopicConfig::Describe() const {
  return Describe(TopicConfig());
}

absl::flat_hash_map<std::string, std::string> TopicConfig::ToProperties()
    const {
  absl::flat_hash_map<std::string, std::string> props;
  for (const KeySpec& key : kKeys) {
    props.emplace(std::string(key.name), GetValue(key, *this));
  }
  return props;
}

absl::flat_hash_map<std::string, std::string> TopicConfig::ToOverrideProperties(
    const TopicConfig& defaults) const {
  absl::flat_hash_map<std::string, std::string> props;
  for (const KeySpec& key : kKeys) {
    std::string value = GetValue(key, *this);
    if (value != GetValue(key, defaults)) {
      props.emplace(std::string(key.name), std::move(value));
    }
  }
  return props;
}

absl::flat_hash_map<std::string, std::string>
TopicConfig::ToOverrideProperties() const {
  return ToOverrideProperties(TopicConfig());
}

LogOptions TopicConfig::ToLogOptions() const {
  LogOptions options;
  options.segment_bytes = NonNegative(segment_bytes);
  options.segment_ms = MillisToDuration(segment_ms);
  options.segment_index_bytes = NonNegative(segment_index_bytes);
  options.index_interval_bytes = NonNegative(index_interval_bytes);
  options.max_message_bytes = NonNegative(max_message_bytes);
  options.flush_messages = flush_messages;
  options.flush_ms = MillisToDuration(flush_ms);
  options.retention_ms = retention_ms == -1 ? absl::InfiniteDuration()
                                            : MillisToDuration(retention_ms);
  options.retention_bytes = retention_bytes;
  options.cleanup_policy = cleanup_policy;
  options.delete_retention_ms = MillisToDuration(delete_retention_ms);
  if (preallocate) {
    options.preallocate_bytes =
        std::max<uint64_t>(options.preallocate_bytes, options.segment_bytes);
  }
  options.prefault = runnel_prefault;
  return options;
}

std::vector<std::string> TopicConfig::Keys() {
  std::vector<std::string> keys;
  keys.reserve(std::size(kKeys));
  for (const KeySpec& key : kKeys) keys.emplace_back(key.name);
  return keys;
}

bool operator==(const TopicConfig& a, const TopicConfig& b) {
  return a.retention_ms == b.retention_ms &&
         a.retention_bytes == b.retention_bytes &&
         a.segment_bytes == b.segment_bytes && a.segment_ms == b.segment_ms &&
         a.segment_index_bytes == b.segment_index_bytes &&
         a.index_interval_bytes == b.index_interval_bytes &&
         a.cleanup_policy == b.cleanup_policy &&
         a.delete_retention_ms == b.delete_retention_ms &&
         a.min_insync_replicas == b.min_insync_replicas &&
         a.max_message_bytes == b.max_message_bytes &&
         a.flush_messages == b.flush_messages && a.flush_ms == b.flush_ms &&
         a.message_timestamp_type == b.message_timestamp_type &&
         a.compression_type == b.compression_type &&
         a.preallocate == b.preallocate &&
         a.runnel_prefault == b.runnel_prefault;
}

absl::Status ValidateTopicName(absl::string_view topic) {
  return format::ValidateTopicName(topic);
}

}  // namespace runnel
