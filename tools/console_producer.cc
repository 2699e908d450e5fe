// Copyright 2026 The Runnel Authors.
//
// `runnel console-producer`: Kafka's kafka-console-producer.sh — one record
// per line of standard input; exits 0 once every line is acknowledged.
#include <atomic>
#include <cstdio>
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "tools/cli.h"

namespace runnel {
namespace cli {
namespace {

constexpr char kUsageText[] =
    "usage: runnel console-producer --data-dir DIR --topic T\n"
    "         [--property parse.key=true] [--property key.separator=SEP]\n"
    "         [--producer-property k=v ...]   (any producer config)\n";

}  // namespace

int ConsoleProducerCommand(const RepeatedOptions& repeated) {
  const std::string topic = absl::GetFlag(FLAGS_topic);
  if (topic.empty()) {
    return Usage("console-producer", "--topic is required", kUsageText);
  }
  absl::StatusOr<absl::flat_hash_map<std::string, std::string>> properties =
      ParsePairs(repeated.properties, "--property");
  if (!properties.ok()) {
    return Usage("console-producer", properties.status().message(), kUsageText);
  }
  bool parse_key = false;
  std::string separator = "\t";
  for (const auto& [key, value] : *properties) {
    if (key == "parse.key") {
      parse_key = value == "true";
    } else if (key == "key.separator") {
      separator = value;
    } else if (key != "ignore.error") {
      return Usage("console-producer",
                   absl::StrCat("unknown --property '", key, "'"), kUsageText);
    }
  }
  absl::StatusOr<absl::flat_hash_map<std::string, std::string>> producer_props =
      ParsePairs(repeated.producer_properties, "--producer-property");
  if (!producer_props.ok()) {
    return Usage("console-producer", producer_props.status().message(),
                 kUsageText);
  }
  std::unique_ptr<Partitioner> partitioner;
  absl::StatusOr<ProducerOptions> options = ProducerOptions::FromProperties(
      *producer_props, &partitioner, ProducerOptions());
  if (!options.ok()) return Fail("console-producer", options.status());

  absl::StatusOr<std::unique_ptr<Broker>> broker = OpenBroker();
  if (!broker.ok()) return Fail("console-producer", broker.status());
  if (absl::Status s = (*broker)->GetTopic(topic).status(); !s.ok()) {
    return Fail("console-producer", s);
  }
  absl::StatusOr<std::unique_ptr<Producer>> producer =
      Producer::Create(broker->get(), *options);
  if (!producer.ok()) return Fail("console-producer", producer.status());

  std::atomic<int> failed{0};
  absl::Status first_error;
  std::string line;
  int64_t line_number = 0;
  while (std::getline(std::cin, line)) {
    ++line_number;
    ProducerRecord record;
    record.topic = topic;
    if (parse_key) {
      const size_t at = line.find(separator);
      if (at == std::string::npos) {
        return Fail("console-producer",
                    absl::InvalidArgumentError(absl::StrCat(
                        "line ", line_number, " has no key separator '",
                        separator, "' (parse.key=true)")));
      }
      record.key = absl::string_view(line).substr(0, at);
      record.value = absl::string_view(line).substr(at + separator.size());
    } else {
      record.value = line;
    }
    absl::Status sent =
        (*producer)->Send(record, [&failed](absl::StatusOr<RecordMetadata> m) {
          if (!m.ok()) {
            if (failed.fetch_add(1) == 0) {
              std::fprintf(stderr, "runnel console-producer: %s\n",
                           std::string(m.status().message()).c_str());
            }
          }
        });
    if (!sent.ok()) return Fail("console-producer", sent);
  }
  if (absl::Status s = (*producer)->Close(); !s.ok()) {
    return Fail("console-producer", s);
  }
  if (absl::Status s = (*broker)->Close(); !s.ok()) {
    return Fail("console-producer", s);
  }
  return failed.load() == 0 ? kOk : kError;
}

}  // namespace cli
}  // namespace runnel
