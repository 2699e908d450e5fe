// Copyright 2026 The Runnel Authors.
#include "runnel/topic_config.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
#include "runnel/log.h"
#include "runnel/mem_file_system.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace {

using ::runnel::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;
using Code = absl::StatusCode;
using Props = absl::flat_hash_map<std::string, std::string>;

constexpr char kLongMax[] = "9223372036854775807";

// Kafka 3.x's default of every key, as Kafka prints it.
const std::map<std::string, std::string>& KafkaDefaults() {
  static const auto* defaults = new std::map<std::string, std::string>{
      {"cleanup.policy", "delete"},
      {"compression.type", "producer"},
      {"delete.retention.ms", "86400000"},
      {"flush.messages", kLongMax},
      {"flush.ms", kLongMax},
      {"index.interval.bytes", "4096"},
      {"max.message.bytes", "1048588"},
      {"message.timestamp.type", "CreateTime"},
      {"min.insync.replicas", "1"},
      {"preallocate", "false"},
      {"retention.bytes", "-1"},
      {"retention.ms", "604800000"},
      {"runnel.prefault", "true"},
      {"segment.bytes", "1073741824"},
      {"segment.index.bytes", "10485760"},
      {"segment.ms", "604800000"},
  };
  return *defaults;
}

// A valid non-default value for every key.
const std::map<std::string, std::string>& OtherValues() {
  static const auto* values = new std::map<std::string, std::string>{
      {"cleanup.policy", "compact,delete"},
      {"compression.type", "lz4"},
      {"delete.retention.ms", "0"},
      {"flush.messages", "1"},
      {"flush.ms", "1000"},
      {"index.interval.bytes", "0"},
      {"max.message.bytes", "2147483647"},
      {"message.timestamp.type", "LogAppendTime"},
      {"min.insync.replicas", "2"},
      {"preallocate", "true"},
      {"retention.bytes", "-9223372036854775808"},
      {"retention.ms", "-1"},
      {"runnel.prefault", "false"},
      {"segment.bytes", "61"},
      {"segment.index.bytes", "12"},
      {"segment.ms", "1"},
  };
  return *values;
}

struct IntegerKey {
  std::string name;
  int64_t min;
  int64_t max;
};

const std::vector<IntegerKey>& IntegerKeys() {
  static const auto* keys = new std::vector<IntegerKey>{
      {"delete.retention.ms", 0, INT64_MAX},
      {"flush.messages", 1, INT64_MAX},
      {"flush.ms", 0, INT64_MAX},
      {"index.interval.bytes", 0, INT32_MAX},
      {"max.message.bytes", 0, INT32_MAX},
      {"min.insync.replicas", 1, INT32_MAX},
      {"retention.bytes", INT64_MIN, INT64_MAX},
      {"retention.ms", -1, INT64_MAX},
      {"segment.bytes", 61, INT32_MAX},
      {"segment.index.bytes", 12, INT32_MAX},
      {"segment.ms", 1, INT64_MAX},
  };
  return *keys;
}

// One below `min` / one above `max`, as text (beyond int64 at its ends).
std::string Below(int64_t min) {
  return min == INT64_MIN ? "-9223372036854775809" : absl::StrCat(min - 1);
}
std::string Above(int64_t max) {
  return max == INT64_MAX ? "9223372036854775808" : absl::StrCat(max + 1);
}

TEST(TopicConfigTest, KeysAreKafkasSorted) {
  std::vector<std::string> expected;
  for (const auto& [key, value] : KafkaDefaults()) expected.push_back(key);
  EXPECT_EQ(TopicConfig::Keys(), expected);  // std::map: sorted
  const std::vector<std::string> keys = TopicConfig::Keys();
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
}

TEST(TopicConfigTest, DefaultsAreKafkas) {
  const TopicConfig config;
  for (const auto& [key, value] : KafkaDefaults()) {
    EXPECT_THAT(config.Get(key), testing::IsOkAndHolds(value)) << key;
  }
  EXPECT_TRUE(config.Validate().ok());
}

TEST(TopicConfigTest, EveryKeyRoundTrips) {
  for (const auto& [key, value] : OtherValues()) {
    SCOPED_TRACE(key);
    TopicConfig config;
    ASSERT_TRUE(config.Set(key, value).ok()) << config.Set(key, value);
    EXPECT_THAT(config.Get(key), testing::IsOkAndHolds(value));
    EXPECT_NE(config, TopicConfig());  // operator== sees the field
    EXPECT_TRUE(config.Validate().ok());

    const Props all = config.ToProperties();
    EXPECT_EQ(all.size(), KafkaDefaults().size());
    EXPECT_EQ(all.at(key), value);
    EXPECT_THAT(TopicConfig::FromProperties(all),
                testing::IsOkAndHolds(config));

    const Props overrides = config.ToOverrideProperties();
    EXPECT_THAT(overrides, UnorderedElementsAre(Pair(key, value)));
    EXPECT_THAT(TopicConfig::FromProperties(overrides),
                testing::IsOkAndHolds(config));
  }
}

TEST(TopicConfigTest, AllKeysAtOnceRoundTrip) {
  const Props props(OtherValues().begin(), OtherValues().end());
  absl::StatusOr<TopicConfig> config = TopicConfig::FromProperties(props);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->ToProperties(), props);
  EXPECT_EQ(config->ToOverrideProperties(), props);
  EXPECT_EQ(config->retention_ms, -1);
  EXPECT_EQ(config->retention_bytes, INT64_MIN);
  EXPECT_EQ(config->segment_bytes, 61);
  EXPECT_EQ(config->segment_index_bytes, 12);
  EXPECT_EQ(config->cleanup_policy, CleanupPolicy::kCompactAndDelete);
  EXPECT_EQ(config->message_timestamp_type, TimestampType::kLogAppendTime);
  EXPECT_EQ(config->compression_type, TopicCompression::kLz4);
  EXPECT_TRUE(config->preallocate);
  EXPECT_FALSE(config->runnel_prefault);
  // Against other defaults, the same config stores everything it differs in.
  TopicConfig broker;
  broker.retention_ms = -1;
  const Props overrides = config->ToOverrideProperties(broker);
  EXPECT_EQ(overrides.size(), props.size() - 1);
  EXPECT_EQ(overrides.count("retention.ms"), 0u);
  EXPECT_THAT(TopicConfig::FromProperties(overrides, broker),
              testing::IsOkAndHolds(*config));
}

TEST(TopicConfigTest, IntegersAcceptKafkasFormats) {
  TopicConfig config;
  for (const char* value : {"100", "+100", "0100", " 100 ", "\t100\n"}) {
    config.segment_ms = 1;
    ASSERT_TRUE(config.Set("segment.ms", value).ok()) << value;
    EXPECT_EQ(config.segment_ms, 100) << value;
  }
  ASSERT_TRUE(config.Set("retention.ms", "-0").ok());
  EXPECT_EQ(config.retention_ms, 0);
}

TEST(TopicConfigTest, IntegerBoundsAreAccepted) {
  for (const IntegerKey& key : IntegerKeys()) {
    for (int64_t bound : {key.min, key.max}) {
      TopicConfig config;
      const std::string value = absl::StrCat(bound);
      EXPECT_TRUE(config.Set(key.name, value).ok()) << key.name << " " << value;
      EXPECT_THAT(config.Get(key.name), testing::IsOkAndHolds(value));
    }
  }
}

TEST(TopicConfigTest, IntegersRejectGarbage) {
  for (const IntegerKey& key : IntegerKeys()) {
    for (const char* value :
         {"abc", "", " ", "1.5", "0x10", "1e3", "10ms", "1 000", "--1", "+",
          "-", "1_000", "\xd9\xa1" /* Arabic-Indic one */}) {
      TopicConfig config;
      EXPECT_THAT(
          config.Set(key.name, value),
          StatusIs(
              Code::kInvalidArgument,
              AllOf(HasSubstr(absl::StrCat(key.name, ": \"")),
                    HasSubstr(absl::CEscape(value)),
                    HasSubstr("is not a number"),
                    HasSubstr(absl::StrCat("[", key.min, ", ", key.max, "]")))))
          << key.name << " " << value;
      EXPECT_EQ(config, TopicConfig()) << "changed on error";
    }
  }
}

TEST(TopicConfigTest, IntegersRejectOutOfRangeAndOverflow) {
  for (const IntegerKey& key : IntegerKeys()) {
    TopicConfig config;
    {
      const std::string below = Below(key.min);
      EXPECT_THAT(
          config.Set(key.name, below),
          StatusIs(Code::kInvalidArgument,
                   HasSubstr(absl::StrCat(key.name, ": ", below,
                                          " is below the minimum ", key.min))));
    }
    const std::string above = Above(key.max);
    EXPECT_THAT(
        config.Set(key.name, above),
        StatusIs(Code::kInvalidArgument,
                 HasSubstr(absl::StrCat(key.name, ": ", above,
                                        " is above the maximum ", key.max))));
    // Far beyond int64 in both directions.
    EXPECT_THAT(config.Set(key.name, "99999999999999999999999"),
                StatusIs(Code::kInvalidArgument,
                         HasSubstr("99999999999999999999999 is above")));
    EXPECT_THAT(config.Set(key.name, "-99999999999999999999999"),
                StatusIs(Code::kInvalidArgument,
                         HasSubstr("-99999999999999999999999 is below")));
    EXPECT_EQ(config, TopicConfig()) << key.name << " changed on error";
  }
}

TEST(TopicConfigTest, RangeErrorsExplainSpecialValues) {
  TopicConfig config;
  EXPECT_THAT(config.Set("retention.ms", "-2"),
              StatusIs(Code::kInvalidArgument,
                       HasSubstr("retention.ms: -2 is below the minimum -1 "
                                 "(-1 means unlimited)")));
  EXPECT_THAT(config.Set("segment.bytes", "10"),
              StatusIs(Code::kInvalidArgument,
                       HasSubstr("segment.bytes: 10 is below the minimum 61")));
  EXPECT_THAT(config.Set("segment.bytes", "2147483648"),
              StatusIs(Code::kInvalidArgument,
                       HasSubstr("segment.bytes: 2147483648 is above the "
                                 "maximum 2147483647")));
}

TEST(TopicConfigTest, Booleans) {
  for (const char* key : {"preallocate", "runnel.prefault"}) {
    TopicConfig config;
    ASSERT_TRUE(config.Set(key, "TRUE").ok());
    EXPECT_THAT(config.Get(key), testing::IsOkAndHolds("true"));
    ASSERT_TRUE(config.Set(key, " False ").ok());
    EXPECT_THAT(config.Get(key), testing::IsOkAndHolds("false"));
    ASSERT_TRUE(config.Set(key, "true").ok());
    for (const char* bad : {"yes", "1", "", "t", "truee"}) {
      EXPECT_THAT(
          config.Set(key, bad),
          StatusIs(Code::kInvalidArgument,
                   AllOf(HasSubstr(absl::StrCat(key, ": \"", bad, "\"")),
                         HasSubstr("expected true or false"))));
      EXPECT_THAT(config.Get(key), testing::IsOkAndHolds("true"));
    }
  }
}

TEST(TopicConfigTest, CleanupPolicyVariants) {
  const std::vector<std::pair<std::string, CleanupPolicy>> good = {
      {"delete", CleanupPolicy::kDelete},
      {"compact", CleanupPolicy::kCompact},
      {"compact,delete", CleanupPolicy::kCompactAndDelete},
      {"delete,compact", CleanupPolicy::kCompactAndDelete},
      {" compact , delete ", CleanupPolicy::kCompactAndDelete},
      {"delete,\tcompact", CleanupPolicy::kCompactAndDelete},
      {"compact,compact", CleanupPolicy::kCompact},  // Kafka allows repeats
  };
  for (const auto& [value, policy] : good) {
    TopicConfig config;
    ASSERT_TRUE(config.Set("cleanup.policy", value).ok()) << value;
    EXPECT_EQ(config.cleanup_policy, policy) << value;
    EXPECT_THAT(TopicConfig::FromProperties(config.ToProperties()),
                testing::IsOkAndHolds(config));
  }
  TopicConfig config;
  ASSERT_TRUE(config.Set("cleanup.policy", "delete,compact").ok());
  EXPECT_THAT(config.Get("cleanup.policy"),
              testing::IsOkAndHolds("compact,delete"));  // canonical order

  for (const char* bad :
       {"", " ", "none", "compact,", ",delete", "Compact", "compact;delete",
        "compact delete", "compact,,delete"}) {
    TopicConfig unchanged;
    EXPECT_THAT(
        unchanged.Set("cleanup.policy", bad),
        StatusIs(Code::kInvalidArgument,
                 HasSubstr(absl::StrCat("cleanup.policy: \"", bad, "\""))))
        << bad;
    EXPECT_EQ(unchanged.cleanup_policy, CleanupPolicy::kDelete);
  }
  EXPECT_THAT(config.Set("cleanup.policy", "compact,foo"),
              StatusIs(Code::kInvalidArgument,
                       HasSubstr("\"foo\" is neither \"compact\" nor "
                                 "\"delete\"")));
}

TEST(TopicConfigTest, CompressionTypes) {
  const std::vector<std::pair<std::string, TopicCompression>> good = {
      {"producer", TopicCompression::kProducer},
      {"uncompressed", TopicCompression::kUncompressed},
      {"lz4", TopicCompression::kLz4},
  };
  for (const auto& [value, compression] : good) {
    TopicConfig config;
    ASSERT_TRUE(config.Set("compression.type", value).ok()) << value;
    EXPECT_EQ(config.compression_type, compression);
    EXPECT_THAT(config.Get("compression.type"), testing::IsOkAndHolds(value));
  }
  for (const char* codec : {"gzip", "snappy", "zstd"}) {
    TopicConfig config;
    EXPECT_THAT(
        config.Set("compression.type", codec),
        StatusIs(
            Code::kInvalidArgument,
            AllOf(HasSubstr(absl::StrCat("compression.type: \"", codec, "\"")),
                  HasSubstr(absl::StrCat("Runnel does not support ", codec,
                                         " compression")))));
    EXPECT_EQ(config.compression_type, TopicCompression::kProducer);
  }
  TopicConfig config;
  EXPECT_THAT(config.Set("compression.type", "none"),
              StatusIs(Code::kInvalidArgument, HasSubstr("\"uncompressed\"")));
  for (const char* bad : {"LZ4", "brotli", ""}) {
    EXPECT_THAT(
        config.Set("compression.type", bad),
        StatusIs(Code::kInvalidArgument,
                 AllOf(HasSubstr(absl::StrCat("compression.type: \"", bad)),
                       HasSubstr("expected producer, uncompressed or lz4"))));
  }
  EXPECT_EQ(config.compression_type, TopicCompression::kProducer);
}

TEST(TopicConfigTest, TimestampTypes) {
  TopicConfig config;
  ASSERT_TRUE(config.Set("message.timestamp.type", "LogAppendTime").ok());
  EXPECT_EQ(config.message_timestamp_type, TimestampType::kLogAppendTime);
  ASSERT_TRUE(config.Set("message.timestamp.type", " CreateTime ").ok());
  EXPECT_EQ(config.message_timestamp_type, TimestampType::kCreateTime);
  for (const char* bad : {"createtime", "LOGAPPENDTIME", "", "Create Time"}) {
    EXPECT_THAT(config.Set("message.timestamp.type", bad),
                StatusIs(Code::kInvalidArgument,
                         AllOf(HasSubstr(absl::StrCat(
                                   "message.timestamp.type: \"", bad, "\"")),
                               HasSubstr("CreateTime or LogAppendTime"))));
  }
  EXPECT_EQ(config.message_timestamp_type, TimestampType::kCreateTime);
}

TEST(TopicConfigTest, UnknownKeys) {
  TopicConfig config;
  EXPECT_THAT(config.Set("retention.msx", "1"),
              StatusIs(Code::kInvalidArgument,
                       HasSubstr("unknown topic config \"retention.msx\"")));
  EXPECT_THAT(config.Get("log.retention.ms").status(),
              StatusIs(Code::kInvalidArgument, HasSubstr("log.retention.ms")));
  EXPECT_THAT(config.Set("", "1"), StatusIs(Code::kInvalidArgument,
                                            HasSubstr("unknown topic config")));
  EXPECT_THAT(
      TopicConfig::FromProperties({{"retention.ms", "1"}, {"bogus", "x"}})
          .status(),
      StatusIs(Code::kInvalidArgument, HasSubstr("\"bogus\"")));
  EXPECT_EQ(config, TopicConfig());
}

TEST(TopicConfigTest, FromPropertiesAppliesOverDefaults) {
  TopicConfig broker;
  broker.retention_ms = 1000;
  broker.cleanup_policy = CleanupPolicy::kCompact;
  absl::StatusOr<TopicConfig> config = TopicConfig::FromProperties(
      {{"segment.ms", "5"}, {"cleanup.policy", "delete"}}, broker);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->retention_ms, 1000);
  EXPECT_EQ(config->segment_ms, 5);
  EXPECT_EQ(config->cleanup_policy, CleanupPolicy::kDelete);
  EXPECT_THAT(TopicConfig::FromProperties({}, broker),
              testing::IsOkAndHolds(broker));
}

TEST(TopicConfigTest, FromPropertiesReportsTheFirstBadKeyInOrder) {
  const Props props = {{"segment.ms", "0"},
                       {"retention.ms", "x"},
                       {"flush.ms", "-1"},
                       {"segment.bytes", "1"}};
  for (int i = 0; i < 3; ++i) {  // not hash-order dependent
    EXPECT_THAT(TopicConfig::FromProperties(props).status(),
                StatusIs(Code::kInvalidArgument,
                         HasSubstr("flush.ms: -1 is below the minimum 0")));
  }
}

TEST(TopicConfigTest, ValidateCatchesDirectlyAssignedFields) {
  TopicConfig config;
  config.segment_bytes = 10;
  EXPECT_THAT(config.Validate(),
              StatusIs(Code::kInvalidArgument,
                       HasSubstr("segment.bytes: 10 is below the minimum 61")));
  // Invalid defaults make FromProperties fail even for untouched keys.
  EXPECT_THAT(TopicConfig::FromProperties({}, config).status(),
              StatusIs(Code::kInvalidArgument, HasSubstr("segment.bytes")));
  // ...unless the property fixes them.
  EXPECT_TRUE(
      TopicConfig::FromProperties({{"segment.bytes", "1024"}}, config).ok());

  TopicConfig bad_enum;
  bad_enum.cleanup_policy = static_cast<CleanupPolicy>(9);
  EXPECT_THAT(bad_enum.Validate(),
              StatusIs(Code::kInvalidArgument, HasSubstr("cleanup.policy")));
  TopicConfig bad_flush;
  bad_flush.flush_messages = 0;
  EXPECT_THAT(bad_flush.Validate(),
              StatusIs(Code::kInvalidArgument,
                       HasSubstr("flush.messages: 0 is below the minimum 1")));
}

TEST(TopicConfigTest, DescribeMarksDefaultsAndSources) {
  const TopicConfig plain;
  std::vector<ConfigEntry> entries = plain.Describe();
  ASSERT_EQ(entries.size(), KafkaDefaults().size());
  auto it = KafkaDefaults().begin();
  for (const ConfigEntry& entry : entries) {
    EXPECT_EQ(entry.name, it->first);  // sorted like the std::map
    EXPECT_EQ(entry.value, it->second);
    EXPECT_TRUE(entry.is_default) << entry.name;
    EXPECT_EQ(entry.source, ConfigSource::kDefaultConfig) << entry.name;
    ++it;
  }

  TopicConfig broker;
  broker.segment_bytes = 1 << 20;  // a broker-wide default differing
  TopicConfig config = broker;
  ASSERT_TRUE(config.Set("retention.ms", "-1").ok());
  entries = config.Describe(broker);
  for (const ConfigEntry& entry : entries) {
    SCOPED_TRACE(entry.name);
    EXPECT_THAT(config.Get(entry.name), testing::IsOkAndHolds(entry.value));
    if (entry.name == "retention.ms") {
      EXPECT_EQ(entry.value, "-1");
      EXPECT_FALSE(entry.is_default);
      EXPECT_EQ(entry.source, ConfigSource::kDynamicTopicConfig);
    } else if (entry.name == "segment.bytes") {
      EXPECT_EQ(entry.value, "1048576");
      EXPECT_TRUE(entry.is_default);
      EXPECT_EQ(entry.source, ConfigSource::kStaticBrokerConfig);
    } else {
      EXPECT_TRUE(entry.is_default);
      EXPECT_EQ(entry.source, ConfigSource::kDefaultConfig);
    }
  }
  // Against Kafka's defaults, the broker-level value is an override.
  entries = config.Describe();
  const auto segment = std::find_if(
      entries.begin(), entries.end(),
      [](const ConfigEntry& e) { return e.name == "segment.bytes"; });
  ASSERT_NE(segment, entries.end());
  EXPECT_FALSE(segment->is_default);
  EXPECT_EQ(segment->source, ConfigSource::kDynamicTopicConfig);
}

TEST(TopicConfigTest, DefaultLogOptionsAreLogs) {
  const LogOptions log_defaults;
  const LogOptions options = TopicConfig().ToLogOptions();
  EXPECT_EQ(options.segment_bytes, log_defaults.segment_bytes);
  EXPECT_EQ(options.segment_ms, log_defaults.segment_ms);
  EXPECT_EQ(options.segment_index_bytes, log_defaults.segment_index_bytes);
  EXPECT_EQ(options.index_interval_bytes, log_defaults.index_interval_bytes);
  EXPECT_EQ(options.max_message_bytes, log_defaults.max_message_bytes);
  EXPECT_EQ(options.flush_messages, log_defaults.flush_messages);
  EXPECT_EQ(options.flush_ms, log_defaults.flush_ms);
  EXPECT_EQ(options.retention_ms, log_defaults.retention_ms);
  EXPECT_EQ(options.retention_bytes, log_defaults.retention_bytes);
  EXPECT_EQ(options.cleanup_policy, log_defaults.cleanup_policy);
  EXPECT_EQ(options.delete_retention_ms, log_defaults.delete_retention_ms);
  EXPECT_EQ(options.preallocate_bytes, log_defaults.preallocate_bytes);
  EXPECT_EQ(options.prefault, log_defaults.prefault);
  // And the values themselves, in case LogOptions' defaults drift.
  EXPECT_EQ(options.segment_bytes, uint64_t{1} << 30);
  EXPECT_EQ(options.segment_ms, absl::Hours(7 * 24));
  EXPECT_EQ(options.retention_ms, absl::Hours(7 * 24));
  EXPECT_EQ(options.delete_retention_ms, absl::Hours(24));
  EXPECT_EQ(options.flush_messages, INT64_MAX);
  EXPECT_EQ(options.flush_ms, absl::InfiniteDuration());
}

TEST(TopicConfigTest, ToLogOptionsMapsEveryField) {
  TopicConfig config;
  config.retention_ms = 3600000;
  config.retention_bytes = 1 << 30;
  config.segment_bytes = 64 << 20;
  config.segment_ms = 60000;
  config.segment_index_bytes = 4096;
  config.index_interval_bytes = 100;
  config.cleanup_policy = CleanupPolicy::kCompact;
  config.delete_retention_ms = 0;
  config.max_message_bytes = 12345;
  config.flush_messages = 1;
  config.flush_ms = 1500;
  config.preallocate = true;
  config.runnel_prefault = false;
  ASSERT_TRUE(config.Validate().ok());
  const LogOptions options = config.ToLogOptions();
  EXPECT_EQ(options.retention_ms, absl::Hours(1));
  EXPECT_EQ(options.retention_bytes, 1 << 30);
  EXPECT_EQ(options.segment_bytes, uint64_t{64} << 20);
  EXPECT_EQ(options.segment_ms, absl::Minutes(1));
  EXPECT_EQ(options.segment_index_bytes, 4096u);
  EXPECT_EQ(options.index_interval_bytes, 100u);
  EXPECT_EQ(options.cleanup_policy, CleanupPolicy::kCompact);
  EXPECT_EQ(options.delete_retention_ms, absl::ZeroDuration());
  EXPECT_EQ(options.max_message_bytes, 12345u);
  EXPECT_EQ(options.flush_messages, 1);
  EXPECT_EQ(options.flush_ms, absl::Milliseconds(1500));
  // preallocate: reservations may grow to the whole segment.
  EXPECT_EQ(options.preallocate_bytes, uint64_t{64} << 20);
  EXPECT_FALSE(options.prefault);
  // Fields without a topic config keep LogOptions' defaults.
  EXPECT_EQ(options.file_system, nullptr);
  EXPECT_EQ(options.clock, nullptr);
  EXPECT_EQ(options.leader_epoch, 0);
  EXPECT_TRUE(options.name.empty());

  // Small segments: preallocate never shrinks the reservation chunk.
  config.segment_bytes = 1 << 20;
  EXPECT_EQ(config.ToLogOptions().preallocate_bytes,
            LogOptions().preallocate_bytes);
}

TEST(TopicConfigTest, ToLogOptionsSpecialValues) {
  TopicConfig config;
  config.retention_ms = -1;
  EXPECT_EQ(config.ToLogOptions().retention_ms, absl::InfiniteDuration());
  config.retention_ms = 0;
  EXPECT_EQ(config.ToLogOptions().retention_ms, absl::ZeroDuration());
  config.retention_ms = INT64_MAX;
  EXPECT_EQ(config.ToLogOptions().retention_ms, absl::InfiniteDuration());
  config.flush_ms = INT64_MAX;
  config.flush_messages = INT64_MAX;
  config.segment_ms = INT64_MAX;
  config.delete_retention_ms = INT64_MAX;
  const LogOptions options = config.ToLogOptions();
  EXPECT_EQ(options.flush_ms, absl::InfiniteDuration());
  EXPECT_EQ(options.flush_messages, INT64_MAX);
  EXPECT_EQ(options.segment_ms, absl::InfiniteDuration());
  EXPECT_EQ(options.delete_retention_ms, absl::InfiniteDuration());
  config.flush_ms = 0;
  EXPECT_EQ(config.ToLogOptions().flush_ms, absl::ZeroDuration());
  config.retention_bytes = -5;
  EXPECT_EQ(config.ToLogOptions().retention_bytes, -5);
}

// Runnel's stricter minimums are what its Log needs: a log opened with
// them works (one batch per segment), and Log::Open itself rejects less.
TEST(TopicConfigTest, MinimumSegmentConfigsMakeAWorkingLog) {
  absl::StatusOr<TopicConfig> config = TopicConfig::FromProperties(
      {{"segment.bytes", "61"}, {"segment.index.bytes", "12"}});
  ASSERT_TRUE(config.ok()) << config.status();
  MemFileSystem fs;
  LogOptions options = config->ToLogOptions();
  options.file_system = &fs;
  options.prefault = false;
  absl::StatusOr<std::unique_ptr<Log>> log = Log::Open("/t-0", options);
  ASSERT_TRUE(log.ok()) << log.status();
  for (int i = 0; i < 3; ++i) {
    std::string batch;
    RecordBatchBuilder builder(RecordBatchOptions{}, &batch);
    ASSERT_TRUE(builder.Append(1700000000000 + i, "k", "v").ok());
    ASSERT_TRUE(builder.Finish().ok());
    ASSERT_TRUE((*log)->Append(batch).ok());
  }
  EXPECT_EQ((*log)->log_end_offset(), 3);
  EXPECT_EQ((*log)->segment_count(), 3);
  EXPECT_TRUE((*log)->Close().ok());

  LogOptions too_small = options;
  too_small.segment_bytes = 60;
  EXPECT_FALSE(Log::Open("/t-1", too_small).ok());
}

TEST(ValidateTopicNameTest, KafkasRules) {
  for (const std::string& good :
       {std::string("orders"), std::string("a.b_c-D9"), std::string("..."),
        std::string(".a"), std::string(249, 'x'), std::string("_")}) {
    EXPECT_TRUE(ValidateTopicName(good).ok()) << good;
  }
  const std::vector<std::string> bad = {
      "",    ".",           "..",  std::string(250, 'x'), "a/b",
      "a b", "caf\xc3\xa9", "a:b", std::string("a\0b", 3)};
  for (const std::string& name : bad) {
    EXPECT_THAT(ValidateTopicName(name),
                StatusIs(Code::kInvalidArgument, HasSubstr("topic name")))
        << absl::CEscape(name);
  }
  EXPECT_THAT(ValidateTopicName("a/b"),
              StatusIs(Code::kInvalidArgument, HasSubstr("\"a/b\"")));
}

}  // namespace
}  // namespace runnel
