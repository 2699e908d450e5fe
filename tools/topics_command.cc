// Copyright 2026 The Runnel Authors.
//
// `runnel topics`: Kafka's kafka-topics.sh on a data directory.
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/cli.h"

namespace runnel {
namespace cli {
namespace {

constexpr char kUsageText[] =
    "usage: runnel topics --data-dir DIR (--create --topic T [--partitions N]\n"
    "         [--replication-factor 1] [--config k=v ...] | --list |\n"
    "         --describe [--topic T] | --delete --topic T |\n"
    "         --alter --topic T --partitions N)\n";

void PrintDescription(const TopicDescription& d, Admin& admin) {
  std::printf(
      "Topic: %s\tTopicId: %s\tPartitionCount: %zu\t"
      "ReplicationFactor: %zu\tConfigs: ",
      d.name.c_str(), d.topic_id.c_str(), d.partitions.size(),
      d.partitions.empty() ? size_t{1} : d.partitions[0].replicas.size());
  absl::StatusOr<std::vector<ConfigEntry>> configs =
      admin.DescribeConfigs(d.name);
  std::vector<std::string> set;
  if (configs.ok()) {
    for (const ConfigEntry& e : *configs) {
      if (!e.is_default) set.push_back(absl::StrCat(e.name, "=", e.value));
    }
  }
  std::printf("%s\n", absl::StrJoin(set, ",").c_str());
  for (const PartitionDescription& p : d.partitions) {
    std::printf(
        "\tTopic: %s\tPartition: %d\tLeader: %d\tReplicas: %s\t"
        "Isr: %s\tLogStartOffset: %lld\tLogEndOffset: %lld%s\n",
        d.name.c_str(), p.partition, p.leader,
        absl::StrJoin(p.replicas, ",").c_str(),
        absl::StrJoin(p.isr, ",").c_str(),
        static_cast<long long>(p.log_start_offset),
        static_cast<long long>(p.log_end_offset),
        p.status.ok()
            ? ""
            : absl::StrCat("\tOffline: ", p.status.message()).c_str());
  }
}

}  // namespace

int TopicsCommand(const RepeatedOptions& repeated) {
  const std::string topic = absl::GetFlag(FLAGS_topic);
  const int actions = absl::GetFlag(FLAGS_create) + absl::GetFlag(FLAGS_list) +
                      absl::GetFlag(FLAGS_describe) +
                      absl::GetFlag(FLAGS_delete) + absl::GetFlag(FLAGS_alter);
  if (actions != 1) {
    return Usage("topics",
                 "exactly one of --create, --list, --describe, --delete, "
                 "--alter is needed",
                 kUsageText);
  }
  if ((absl::GetFlag(FLAGS_create) || absl::GetFlag(FLAGS_delete) ||
       absl::GetFlag(FLAGS_alter)) &&
      topic.empty()) {
    return Usage("topics", "--topic is required", kUsageText);
  }
  absl::StatusOr<absl::flat_hash_map<std::string, std::string>> configs =
      ParsePairs(repeated.configs, "--config");
  if (!configs.ok())
    return Usage("topics", configs.status().message(), kUsageText);
  // Listing and describing work beside a live application.
  const bool reads_only =
      absl::GetFlag(FLAGS_list) || absl::GetFlag(FLAGS_describe);
  absl::StatusOr<std::unique_ptr<Broker>> broker =
      OpenBroker(reads_only ? Access::kReadOnly : Access::kReadWrite);
  if (!broker.ok()) return Fail("topics", broker.status());
  Admin admin(broker->get());

  if (absl::GetFlag(FLAGS_create)) {
    NewTopic t(topic, absl::GetFlag(FLAGS_partitions),
               static_cast<int16_t>(absl::GetFlag(FLAGS_replication_factor)),
               *configs);
    if (absl::Status s = admin.CreateTopic(t); !s.ok())
      return Fail("topics", s);
    std::printf("Created topic %s.\n", topic.c_str());
  } else if (absl::GetFlag(FLAGS_list)) {
    absl::StatusOr<std::vector<TopicListing>> listed =
        admin.ListTopics({/*list_internal=*/true});
    if (!listed.ok()) return Fail("topics", listed.status());
    for (const TopicListing& t : *listed) std::printf("%s\n", t.name.c_str());
  } else if (absl::GetFlag(FLAGS_describe)) {
    std::vector<std::string> names;
    if (!topic.empty()) {
      names.push_back(topic);
    } else {
      absl::StatusOr<std::vector<TopicListing>> listed =
          admin.ListTopics({/*list_internal=*/true});
      if (!listed.ok()) return Fail("topics", listed.status());
      for (const TopicListing& t : *listed) names.push_back(t.name);
    }
    for (const std::string& name : names) {
      absl::StatusOr<TopicDescription> d = admin.DescribeTopic(name);
      if (!d.ok()) return Fail("topics", d.status());
      PrintDescription(*d, admin);
    }
  } else if (absl::GetFlag(FLAGS_delete)) {
    if (absl::Status s = admin.DeleteTopic(topic); !s.ok()) {
      return Fail("topics", s);
    }
    (*broker)->RunMaintenance().IgnoreError();  // remove the files now
  } else {
    std::vector<absl::Status> grown =
        admin.CreatePartitions({{topic, absl::GetFlag(FLAGS_partitions)}});
    if (!grown[0].ok()) return Fail("topics", grown[0]);
  }
  if (absl::Status s = (*broker)->Close(); !s.ok()) return Fail("topics", s);
  return kOk;
}

}  // namespace cli
}  // namespace runnel
