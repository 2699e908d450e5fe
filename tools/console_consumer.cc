// Copyright 2026 The Runnel Authors.
//
// `runnel console-consumer`: Kafka's kafka-console-consumer.sh — prints one
// record per line in the layout of Kafka's DefaultMessageFormatter.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "tools/cli.h"

namespace runnel {
namespace cli {
namespace {

constexpr char kUsageText[] =
    "usage: runnel console-consumer --data-dir DIR --topic T\n"
    "         [--from-beginning] [--group G] [--partition P [--offset O]]\n"
    "         [--max-messages N] [--timeout-ms MS]\n"
    "         [--property print.key=true] [--property print.partition=true]\n"
    "         [--property print.offset=true] [--property "
    "print.timestamp=true]\n"
    "         [--property key.separator=SEP] [--consumer-property k=v ...]\n";

struct Format {
  bool key = false;
  bool partition = false;
  bool offset = false;
  bool timestamp = false;
  std::string separator = "\t";
};

std::string Field(const std::optional<absl::string_view>& bytes) {
  return bytes ? std::string(*bytes) : "null";
}

void Print(const ConsumerRecord& r, const Format& f) {
  std::string line;
  if (f.timestamp) {
    absl::StrAppend(&line,
                    r.timestamp_type == TimestampType::kLogAppendTime
                        ? "LogAppendTime:"
                        : "CreateTime:",
                    r.timestamp, "\t");
  }
  if (f.partition) absl::StrAppend(&line, "Partition:", r.partition, "\t");
  if (f.offset) absl::StrAppend(&line, "Offset:", r.offset, "\t");
  if (f.key) absl::StrAppend(&line, Field(r.key), f.separator);
  absl::StrAppend(&line, Field(r.value), "\n");
  std::fwrite(line.data(), 1, line.size(), stdout);
}

}  // namespace

int ConsoleConsumerCommand(const RepeatedOptions& repeated) {
  const std::string topic = absl::GetFlag(FLAGS_topic);
  if (topic.empty()) {
    return Usage("console-consumer", "--topic is required", kUsageText);
  }
  absl::StatusOr<absl::flat_hash_map<std::string, std::string>> properties =
      ParsePairs(repeated.properties, "--property");
  if (!properties.ok()) {
    return Usage("console-consumer", properties.status().message(), kUsageText);
  }
  Format format;
  for (const auto& [key, value] : *properties) {
    const bool on = value == "true";
    if (key == "print.key") {
      format.key = on;
    } else if (key == "print.partition") {
      format.partition = on;
    } else if (key == "print.offset") {
      format.offset = on;
    } else if (key == "print.timestamp") {
      format.timestamp = on;
    } else if (key == "key.separator") {
      format.separator = value;
    } else if (key != "print.value") {
      return Usage("console-consumer",
                   absl::StrCat("unknown --property '", key, "'"), kUsageText);
    }
  }
  absl::StatusOr<absl::flat_hash_map<std::string, std::string>> consumer_props =
      ParsePairs(repeated.consumer_properties, "--consumer-property");
  if (!consumer_props.ok()) {
    return Usage("console-consumer", consumer_props.status().message(),
                 kUsageText);
  }
  ConsumerOptions defaults;
  defaults.group_id = absl::GetFlag(FLAGS_group);
  defaults.client_id = "console-consumer";  // as Kafka's console consumer
  defaults.auto_offset_reset = absl::GetFlag(FLAGS_from_beginning)
                                   ? OffsetReset::kEarliest
                                   : OffsetReset::kLatest;
  absl::StatusOr<ConsumerOptions> options =
      ConsumerOptions::FromProperties(*consumer_props, defaults);
  if (!options.ok()) return Fail("console-consumer", options.status());
  options->enable_auto_commit = false;  // commits what it printed, at exit

  // Without a group nothing is written (no commits): read beside a live
  // application. With one, the group's coordinator needs the directory.
  absl::StatusOr<std::unique_ptr<Broker>> broker = OpenBroker(
      options->group_id.empty() ? Access::kReadOnly : Access::kReadWrite);
  if (!broker.ok()) return Fail("console-consumer", broker.status());
  absl::StatusOr<TopicInfo> info = (*broker)->GetTopic(topic);
  if (!info.ok()) return Fail("console-consumer", info.status());
  absl::StatusOr<std::unique_ptr<Consumer>> consumer =
      Consumer::Create(broker->get(), *options);
  if (!consumer.ok()) return Fail("console-consumer", consumer.status());

  const int32_t only = absl::GetFlag(FLAGS_partition);
  if (only >= 0) {
    const TopicPartition tp{topic, only};
    if (absl::Status s = (*consumer)->Assign({tp}); !s.ok()) {
      return Fail("console-consumer", s);
    }
    const int64_t offset = absl::GetFlag(FLAGS_offset);
    if (offset >= 0) {
      if (absl::Status s = (*consumer)->Seek(tp, offset); !s.ok()) {
        return Fail("console-consumer", s);
      }
    }
  } else if (!options->group_id.empty()) {
    if (absl::Status s = (*consumer)->Subscribe({topic}); !s.ok()) {
      return Fail("console-consumer", s);
    }
  } else {
    std::vector<TopicPartition> all;
    for (size_t p = 0; p < info->partitions.size(); ++p) {
      all.push_back({topic, static_cast<int32_t>(p)});
    }
    if (absl::Status s = (*consumer)->Assign(all); !s.ok()) {
      return Fail("console-consumer", s);
    }
  }

  const int64_t max_messages = absl::GetFlag(FLAGS_max_messages);
  const int64_t timeout_ms = absl::GetFlag(FLAGS_timeout_ms);
  const absl::Duration wait =
      timeout_ms >= 0 ? absl::Milliseconds(timeout_ms) : absl::Hours(24 * 365);
  int64_t processed = 0;
  absl::flat_hash_map<int32_t, int64_t> printed;  // partition -> next offset
  while (max_messages < 0 || processed < max_messages) {
    absl::StatusOr<ConsumerRecords> records = (*consumer)->Poll(wait);
    if (!records.ok()) return Fail("console-consumer", records.status());
    if (records->empty()) break;  // --timeout-ms passed without a record
    for (const ConsumerRecord& r : *records) {
      if (max_messages >= 0 && processed == max_messages) break;
      Print(r, format);
      ++processed;
      printed[r.partition] = r.offset + 1;
    }
  }
  if (!options->group_id.empty() && !printed.empty()) {
    // Commit exactly what was printed (Poll may have read further).
    std::vector<std::pair<TopicPartition, int64_t>> offsets;
    for (const auto& [p, next] : printed) offsets.push_back({{topic, p}, next});
    if (absl::Status s = (*consumer)->CommitSync(offsets); !s.ok()) {
      return Fail("console-consumer", s);
    }
  }
  std::fflush(stdout);
  std::fprintf(stderr, "Processed a total of %lld messages\n",
               static_cast<long long>(processed));
  if (absl::Status s = (*consumer)->Close(); !s.ok()) {
    return Fail("console-consumer", s);
  }
  if (absl::Status s = (*broker)->Close(); !s.ok()) {
    return Fail("console-consumer", s);
  }
  return kOk;
}

}  // namespace cli
}  // namespace runnel
