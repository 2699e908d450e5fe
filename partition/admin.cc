// Copyright 2026 The Runnel Authors.
#include "runnel/admin.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace runnel {
namespace {

bool IsInternal(absl::string_view topic) {
  return absl::StartsWith(topic, "__");
}

PartitionDescription Describe(const Partition& partition) {
  PartitionDescription d;
  const PartitionState state = partition.state();
  d.partition = partition.partition();
  d.leader = state.leader;
  d.leader_epoch = state.leader_epoch;
  d.replicas = state.replicas;
  d.isr = state.isr;
  d.log_start_offset = partition.log_start_offset();
  d.log_end_offset = partition.log_end_offset();
  d.high_watermark = partition.high_watermark();
  d.status = partition.status();
  return d;
}

}  // namespace

absl::Status Admin::CreateTopic(const NewTopic& topic,
                                const CreateTopicsOptions& options) {
  return broker_->CreateTopic(topic.name, topic.num_partitions,
                              topic.replication_factor, topic.configs,
                              options.validate_only);
}

std::vector<absl::Status> Admin::CreateTopics(
    absl::Span<const NewTopic> topics, const CreateTopicsOptions& options) {
  std::vector<absl::Status> results;
  for (const NewTopic& topic : topics) {
    results.push_back(CreateTopic(topic, options));
  }
  return results;
}

absl::Status Admin::DeleteTopic(absl::string_view name) {
  return broker_->DeleteTopic(std::string(name));
}

std::vector<absl::Status> Admin::DeleteTopics(
    absl::Span<const std::string> names) {
  std::vector<absl::Status> results;
  for (const std::string& name : names) results.push_back(DeleteTopic(name));
  return results;
}

absl::StatusOr<std::vector<TopicListing>> Admin::ListTopics(
    const ListTopicsOptions& options) {
  if (absl::Status s = broker_->CheckOpen(); !s.ok()) return s;
  std::vector<TopicListing> listings;
  for (const TopicInfo& topic : broker_->Topics()) {
    const bool internal = IsInternal(topic.name);
    if (internal && !options.list_internal) continue;
    listings.push_back({topic.name, topic.topic_id, internal});
  }
  return listings;
}

absl::StatusOr<TopicDescription> Admin::DescribeTopic(absl::string_view name) {
  absl::StatusOr<TopicInfo> topic = broker_->GetTopic(name);
  if (!topic.ok()) return topic.status();
  TopicDescription description;
  description.name = topic->name;
  description.topic_id = topic->topic_id;
  description.internal = IsInternal(topic->name);
  for (const std::shared_ptr<Partition>& partition : topic->partitions) {
    description.partitions.push_back(Describe(*partition));
  }
  return description;
}

std::vector<absl::StatusOr<TopicDescription>> Admin::DescribeTopics(
    absl::Span<const std::string> names) {
  std::vector<absl::StatusOr<TopicDescription>> results;
  for (const std::string& name : names) results.push_back(DescribeTopic(name));
  return results;
}

std::vector<absl::Status> Admin::CreatePartitions(
    absl::Span<const NewPartitions> requests, bool validate_only) {
  std::vector<absl::Status> results;
  for (const NewPartitions& request : requests) {
    results.push_back(broker_->CreatePartitions(
        request.topic, request.total_count, validate_only));
  }
  return results;
}

absl::StatusOr<std::vector<ConfigEntry>> Admin::DescribeConfigs(
    absl::string_view topic) {
  absl::StatusOr<TopicInfo> info = broker_->GetTopic(topic);
  if (!info.ok()) return info.status();
  std::vector<ConfigEntry> entries =
      info->config.Describe(broker_->options().topic_defaults);
  for (ConfigEntry& entry : entries) {
    if (info->overrides.contains(entry.name)) {
      entry.is_default = false;
      entry.source = ConfigSource::kDynamicTopicConfig;
    }
  }
  return entries;
}

absl::Status Admin::AlterConfigs(
    absl::string_view topic,
    const absl::flat_hash_map<std::string, std::string>& configs,
    bool validate_only) {
  return broker_->SetTopicOverrides(
      std::string(topic),
      [&](absl::flat_hash_map<std::string, std::string>* overrides) {
        *overrides = configs;
        return absl::OkStatus();
      },
      validate_only);
}

absl::Status Admin::IncrementalAlterConfigs(absl::string_view topic,
                                            absl::Span<const AlterConfigOp> ops,
                                            bool validate_only) {
  return broker_->SetTopicOverrides(
      std::string(topic),
      [&](absl::flat_hash_map<std::string, std::string>* overrides) {
        for (const AlterConfigOp& op : ops) {
          switch (op.type) {
            case AlterConfigOp::Type::kSet:
              (*overrides)[op.key] = op.value;
              break;
            case AlterConfigOp::Type::kDelete: {
              std::vector<std::string> keys = TopicConfig::Keys();
              if (std::find(keys.begin(), keys.end(), op.key) == keys.end()) {
                return absl::InvalidArgumentError(absl::StrCat(
                    "topic '", topic, "': unknown config key '", op.key, "'"));
              }
              overrides->erase(op.key);
              break;
            }
          }
        }
        return absl::OkStatus();
      },
      validate_only);
}

absl::StatusOr<ListOffsetsResultInfo> Admin::ListOffset(
    const TopicPartition& tp, const OffsetSpec& spec) {
  absl::StatusOr<std::shared_ptr<Partition>> partition =
      broker_->GetPartition(tp.topic, tp.partition);
  if (!partition.ok()) return partition.status();
  if (absl::Status s = (*partition)->status(); !s.ok()) return s;
  ListOffsetsResultInfo result;
  result.leader_epoch = (*partition)->state().leader_epoch;
  switch (spec.kind) {
    case OffsetSpec::Kind::kEarliest:
      result.offset = (*partition)->log_start_offset();
      return result;
    case OffsetSpec::Kind::kLatest:
      result.offset = (*partition)->high_watermark();
      return result;
    case OffsetSpec::Kind::kTimestamp:
      break;
  }
  absl::StatusOr<OffsetAndTimestamp> found =
      (*partition)->OffsetForTimestamp(spec.timestamp);
  if (absl::IsNotFound(found.status())) return result;  // -1, -1
  if (!found.ok()) return found.status();
  result.offset = found->offset;
  result.timestamp = found->timestamp;
  return result;
}

std::vector<absl::StatusOr<ListOffsetsResultInfo>> Admin::ListOffsets(
    absl::Span<const std::pair<TopicPartition, OffsetSpec>> requests) {
  std::vector<absl::StatusOr<ListOffsetsResultInfo>> results;
  for (const auto& [tp, spec] : requests)
    results.push_back(ListOffset(tp, spec));
  return results;
}

std::vector<absl::StatusOr<int64_t>> Admin::DeleteRecords(
    absl::Span<const std::pair<TopicPartition, int64_t>> requests) {
  std::vector<absl::StatusOr<int64_t>> results;
  for (const auto& [tp, offset] : requests) {
    absl::StatusOr<std::shared_ptr<Partition>> partition =
        broker_->GetPartition(tp.topic, tp.partition);
    if (!partition.ok()) {
      results.push_back(partition.status());
      continue;
    }
    results.push_back((*partition)->DeleteRecordsBefore(offset));
  }
  return results;
}

}  // namespace runnel
