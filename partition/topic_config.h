// Copyright 2026 The Runnel Authors.
//
// runnel/topic_config.h — a topic's configuration, Kafka style: the typed
// per-topic configs (retention.ms, segment.bytes, cleanup.policy, ...), read
// and printed in exactly Kafka's string formats, and mapped onto the
// LogOptions of each of the topic's partitions.
//
// The Broker keeps one TopicConfig per topic. Its string form is what
// CreateTopics / AlterConfigs take, what DescribeConfigs shows and what the
// durable topic metadata stores (ToOverrideProperties: only the keys that
// differ from the broker's defaults, as Kafka stores topic overrides).
//
//   runnel::TopicConfig defaults;                  // Kafka's defaults
//   absl::StatusOr<runnel::TopicConfig> config =
//       runnel::TopicConfig::FromProperties(
//           {{"retention.ms", "86400000"}, {"cleanup.policy", "compact"}},
//           defaults);
//   if (!config.ok()) return config.status();  // names key, value, range
//   RETURN_IF_ERROR(config->Set("segment.bytes", "67108864"));
//   runnel::LogOptions options = config->ToLogOptions();
//   options.name = "orders-0";                      // the Broker fills in
//   auto log = runnel::Log::Open(dir, options);     // file system, clock...
//
// Formats accepted are Kafka's ConfigDef ones: surrounding whitespace is
// ignored; integers are decimal with an optional sign (no units, no hex,
// no exponent) within the key's range; booleans are true/false in any case;
// cleanup.policy is a comma-separated list of "compact" and "delete"; enum
// strings are case-sensitive. Where Runnel's log needs more than Kafka
// allows (segment.bytes >= 61, segment.index.bytes >= 12), the stricter
// bound applies. Only the keys listed below are known; any other is an
// error (Runnel does not silently ignore a config it would not honour).
//
// Errors: InvalidArgument, with a message naming the key and the value and
// saying what is allowed, e.g. `segment.bytes: 10 is below the minimum 61`.
//
// Thread-safety: a plain value type; const methods may be called
// concurrently, mutation needs external synchronization.
#ifndef RUNNEL_PARTITION_TOPIC_CONFIG_H_
#define RUNNEL_PARTITION_TOPIC_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runnel/log.h"
#include "runnel/record_batch.h"

namespace runnel {

// compression.type values Runnel supports. Kafka also accepts "gzip",
// "snappy" and "zstd", which Runnel cannot write yet: setting them fails.
enum class TopicCompression {
  kProducer,      // "producer": keep the producer's codec
  kUncompressed,  // "uncompressed"
  kLz4,           // "lz4"
};

// Where a described value comes from. Values are Kafka's DescribeConfigs
// config_source numbers.
enum class ConfigSource {
  kDynamicTopicConfig = 1,  // set on this topic
  kStaticBrokerConfig = 4,  // the broker's default, which differs from Kafka's
  kDefaultConfig = 5,       // Kafka's built-in default
};

// One row of Describe (Kafka's DescribeConfigs result shape).
struct ConfigEntry {
  std::string name;
  std::string value;
  // Not set on this topic (the value is the broker's default).
  bool is_default = true;
  ConfigSource source = ConfigSource::kDefaultConfig;
};

struct TopicConfig {
  // --- The configs: Kafka's key and default (Kafka 3.x) on each. ---

  // retention.ms (604800000 = 7 days), >= -1; -1 = keep forever.
  int64_t retention_ms = 604800000;
  // retention.bytes (-1), any value; negative = no size limit.
  int64_t retention_bytes = -1;
  // segment.bytes (1073741824 = 1 GiB), in [61, 2147483647] (Kafka allows
  // 14; a Runnel segment must hold at least one batch header).
  int32_t segment_bytes = 1073741824;
  // segment.ms (604800000 = 7 days), >= 1.
  int64_t segment_ms = 604800000;
  // segment.index.bytes (10485760 = 10 MiB), in [12, 2147483647] (Kafka
  // allows 4; Runnel's .timeindex needs room for one 12-byte entry).
  int32_t segment_index_bytes = 10485760;
  // index.interval.bytes (4096), >= 0.
  int32_t index_interval_bytes = 4096;
  // cleanup.policy ("delete"): "delete", "compact", "compact,delete" (the
  // two in any order, with optional spaces).
  CleanupPolicy cleanup_policy = CleanupPolicy::kDelete;
  // delete.retention.ms (86400000 = 1 day), >= 0.
  int64_t delete_retention_ms = 86400000;
  // min.insync.replicas (1), >= 1. Stored for replication; the log ignores
  // it.
  int32_t min_insync_replicas = 1;
  // max.message.bytes (1048588), >= 0: the largest batch accepted.
  int32_t max_message_bytes = 1048588;
  // flush.messages (9223372036854775807 = Long.MAX_VALUE = never), >= 1.
  int64_t flush_messages = INT64_MAX;
  // flush.ms (9223372036854775807 = Long.MAX_VALUE = never), >= 0.
  int64_t flush_ms = INT64_MAX;
  // message.timestamp.type ("CreateTime"): "CreateTime" or "LogAppendTime".
  // Stored for the Broker's append path; the log ignores it.
  TimestampType message_timestamp_type = TimestampType::kCreateTime;
  // compression.type ("producer"): "producer", "uncompressed" or "lz4".
  // Stored for the Broker's append path; the log ignores it.
  TopicCompression compression_type = TopicCompression::kProducer;
  // preallocate (false): reserve disk for whole segments. Runnel always
  // reserves ahead of the writer in chunks growing to 16 MiB; true lets the
  // chunks grow to segment.bytes.
  bool preallocate = false;
  // runnel.prefault (true), Runnel's own: fault in the active segment's
  // pages ahead of the appender (LogOptions::prefault).
  bool runnel_prefault = true;

  // --- Strings in, strings out. ---

  // `defaults` with `props` applied (keys in sorted order, so the first
  // error reported does not depend on hashing). The result is validated
  // as a whole. Errors: see the banner.
  static absl::StatusOr<TopicConfig> FromProperties(
      const absl::flat_hash_map<std::string, std::string>& props,
      const TopicConfig& defaults);
  // Over Kafka's defaults. (Overloads rather than `= TopicConfig()`: C++
  // cannot use this class's member initializers inside its own definition.)
  static absl::StatusOr<TopicConfig> FromProperties(
      const absl::flat_hash_map<std::string, std::string>& props);

  // Sets one config from its string form. On error the config is
  // unchanged.
  absl::Status Set(absl::string_view key, absl::string_view value);

  // One config as Kafka prints it ("604800000", "compact,delete", "true").
  // InvalidArgument for an unknown key.
  absl::StatusOr<std::string> Get(absl::string_view key) const;

  // OK if every field is in its range (fields may be assigned directly).
  absl::Status Validate() const;

  // Every key with its value, sorted by name. A key is a default when its
  // value equals that of `defaults` (the broker's defaults).
  std::vector<ConfigEntry> Describe(const TopicConfig& defaults) const;
  std::vector<ConfigEntry> Describe() const;  // against Kafka's defaults

  // Every key. FromProperties(ToProperties()) == *this.
  absl::flat_hash_map<std::string, std::string> ToProperties() const;
  // Only the keys whose values differ from `defaults` (what durable topic
  // metadata stores). FromProperties(ToOverrideProperties(d), d) == *this.
  absl::flat_hash_map<std::string, std::string> ToOverrideProperties(
      const TopicConfig& defaults) const;
  absl::flat_hash_map<std::string, std::string> ToOverrideProperties() const;

  // The log options of one of this topic's partitions. retention.ms -1 and
  // any *.ms of Long.MAX_VALUE become absl::InfiniteDuration();
  // flush.messages stays INT64_MAX (never). Fields without a topic config
  // (file_system, clock, name, leader_epoch, open_segment_cache, the
  // cleaner's buffer) keep LogOptions' defaults for the caller to fill in.
  // Expects a valid config (Validate).
  LogOptions ToLogOptions() const;

  // Every known key, sorted.
  static std::vector<std::string> Keys();
};

bool operator==(const TopicConfig& a, const TopicConfig& b);
inline bool operator!=(const TopicConfig& a, const TopicConfig& b) {
  return !(a == b);
}

// OK if `topic` is a valid Kafka topic name: 1 to 249 characters of
// [a-zA-Z0-9._-], and neither "." nor "..". Else InvalidArgument saying
// why. (Kafka also warns when names differ only in '.' versus '_', which
// collide in metric names; Runnel has no such metrics and does not.)
absl::Status ValidateTopicName(absl::string_view topic);

}  // namespace runnel

#endif  // RUNNEL_PARTITION_TOPIC_CONFIG_H_
