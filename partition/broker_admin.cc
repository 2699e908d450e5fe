// Copyright 2026 The Runnel Authors.
//
// Broker: the operations that change topic metadata. Each one validates
// everything first (so bad input changes nothing), then commits the new
// metadata snapshot durably (the point of no return), then does the file
// work, which Open redoes if a crash interrupts it:
//   create:          commit, then open the partitions (Log::Open makes
//                    their directories);
//   add partitions:  the same, for the new partitions;
//   alter configs:   commit, then reopen the logs whose options changed;
//   delete:          commit "pending delete" (the topic is invisible at
//                    once), rename each partition directory to
//                    `<dir>.<32 hex>-delete`, sync the data directory,
//                    commit the removal; the reaper removes the renamed
//                    directories in the background.
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "partition/dir_reaper.h"
#include "partition/metadata_store.h"
#include "runnel/broker.h"

namespace runnel {
namespace {

// `<dir>.<32 random hex digits>-delete`.
std::string DeleteName(absl::string_view dir) {
  absl::BitGen gen;
  return absl::StrFormat("%s.%016x%016x%s", dir, absl::Uniform<uint64_t>(gen),
                         absl::Uniform<uint64_t>(gen), Broker::kDeleteSuffix);
}

// Whether partitions' logs must be reopened to apply `next` (the configs
// only the Broker's own paths read do not need it).
bool NeedsReopen(const TopicConfig& current, TopicConfig next) {
  next.min_insync_replicas = current.min_insync_replicas;
  next.message_timestamp_type = current.message_timestamp_type;
  next.compression_type = current.compression_type;
  return next != current;
}

const TopicMetadata* FindTopic(const MetadataSnapshot& snapshot,
                               absl::string_view name) {
  for (const TopicMetadata& topic : snapshot.topics) {
    if (topic.name == name) return &topic;
  }
  return nullptr;
}

absl::Status UnknownTopic(absl::string_view name) {
  return absl::NotFoundError(absl::StrCat("unknown topic '", name, "'"));
}

}  // namespace

absl::Status Broker::CreateTopic(
    const std::string& name, int32_t partitions, int16_t replication_factor,
    const absl::flat_hash_map<std::string, std::string>& configs,
    bool validate_only) {
  MutexLock admin(&admin_mu_);
  if (absl::Status s = CheckWritable(absl::StrCat("create topic '", name, "'"));
      !s.ok())
    return s;
  if (absl::Status s = ValidateTopicName(name); !s.ok()) return s;
  if (partitions == -1) partitions = options_.num_partitions;
  if (partitions < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "topic '", name, "': number of partitions must be >= 1 (or -1 for ",
        "num.partitions), not ", partitions));
  }
  if (replication_factor == -1) {
    replication_factor = options_.default_replication_factor;
  }
  if (replication_factor < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "topic '", name, "': replication factor must be >= 1 (or -1 for ",
        "default.replication.factor), not ", replication_factor));
  }
  if (replication_factor > 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "topic '", name, "': replication factor ", replication_factor,
        " is larger than the 1 available broker"));
  }
  if (const TopicMetadata* existing = FindTopic(metadata_->current(), name)) {
    return absl::AlreadyExistsError(
        existing->pending_delete
            ? absl::StrCat("topic '", name, "' is marked for deletion")
            : absl::StrCat("topic '", name, "' already exists"));
  }
  absl::StatusOr<TopicConfig> config =
      TopicConfig::FromProperties(configs, options_.topic_defaults);
  if (!config.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("topic '", name, "': ", config.status().message()));
  }
  absl::flat_hash_map<std::string, std::string> overrides;
  for (const auto& [key, value] : configs) overrides[key] = *config->Get(key);
  if (validate_only) return absl::OkStatus();

  MetadataSnapshot next = metadata_->current();
  next.version += 1;
  TopicMetadata meta{name, partitions, replication_factor, overrides,
                     NewTopicId()};
  next.topics.push_back(meta);
  if (absl::Status s = metadata_->Commit(std::move(next)); !s.ok()) return s;

  TopicInfo info;
  info.name = name;
  info.topic_id = meta.topic_id;
  info.replication_factor = replication_factor;
  info.config = *std::move(config);
  info.overrides = std::move(overrides);
  info.partitions.resize(partitions);
  if (absl::Status s = CreatePartitionDirs(name, 0, partitions); !s.ok()) {
    return s;
  }
  if (absl::Status s = OpenPartitions({&info}); !s.ok()) return s;
  return Publish(std::move(info));
}

// Creates the directories of partitions [from, to) with one directory sync
// for all of them (Log::Open would sync the data directory once for each).
absl::Status Broker::CreatePartitionDirs(const std::string& topic, int32_t from,
                                         int32_t to) {
  for (int32_t p = from; p < to; ++p) {
    absl::Status s = fs_->CreateDir(PartitionDir(topic, p));
    if (!s.ok() && !absl::IsAlreadyExists(s)) return s;
  }
  return fs_->SyncDir(options_.data_dir);
}

absl::Status Broker::DeleteTopic(const std::string& name) {
  MutexLock admin(&admin_mu_);
  if (absl::Status s = CheckWritable(absl::StrCat("delete topic '", name, "'"));
      !s.ok())
    return s;
  const TopicMetadata* found = FindTopic(metadata_->current(), name);
  if (found == nullptr || found->pending_delete) return UnknownTopic(name);
  MetadataSnapshot next = metadata_->current();
  next.version += 1;
  TopicMetadata* meta = const_cast<TopicMetadata*>(FindTopic(next, name));
  meta->pending_delete = true;
  const TopicMetadata deleting = *meta;
  if (absl::Status s = metadata_->Commit(std::move(next)); !s.ok()) return s;

  absl::StatusOr<TopicInfo> info = GetTopic(name);
  Unpublish(name);
  if (info.ok()) {
    for (const std::shared_ptr<Partition>& partition : info->partitions) {
      partition
          ->Shut(absl::NotFoundError(absl::StrCat(
              "partition ", partition->topic_partition().ToString(),
              ": topic '", name, "' was deleted")))
          .IgnoreError();  // the data is going away
    }
  }
  if (absl::Status s = FinishDelete(deleting); !s.ok()) {
    return absl::Status(
        s.code(), absl::StrCat("topic '", name,
                               "' is deleted, but removing its files failed ",
                               "(retried at the next open): ", s.message()));
  }
  return absl::OkStatus();
}

absl::Status Broker::FinishDelete(const TopicMetadata& topic) {
  std::vector<std::string> renamed;
  for (int32_t p = 0; p < topic.partitions; ++p) {
    const std::string dir = PartitionDir(topic.name, p);
    absl::StatusOr<bool> exists = fs_->FileExists(dir);
    if (!exists.ok()) return exists.status();
    if (!*exists) continue;  // renamed before a crash, or never created
    std::string to = DeleteName(dir);
    if (absl::Status s = fs_->Rename(dir, to); !s.ok()) return s;
    renamed.push_back(std::move(to));
  }
  if (absl::Status s = fs_->SyncDir(options_.data_dir); !s.ok()) return s;
  MetadataSnapshot next = metadata_->current();
  next.version += 1;
  next.topics.erase(std::remove_if(next.topics.begin(), next.topics.end(),
                                   [&](const TopicMetadata& t) {
                                     return t.name == topic.name;
                                   }),
                    next.topics.end());
  if (absl::Status s = metadata_->Commit(std::move(next)); !s.ok()) return s;
  for (std::string& dir : renamed) reaper_->Remove(std::move(dir));
  return absl::OkStatus();
}

absl::Status Broker::CreatePartitions(const std::string& name, int32_t total,
                                      bool validate_only) {
  MutexLock admin(&admin_mu_);
  if (absl::Status s =
          CheckWritable(absl::StrCat("add partitions to topic '", name, "'"));
      !s.ok())
    return s;
  const TopicMetadata* found = FindTopic(metadata_->current(), name);
  if (found == nullptr || found->pending_delete) return UnknownTopic(name);
  if (total <= found->partitions) {
    return absl::InvalidArgumentError(absl::StrCat(
        "topic '", name, "' has ", found->partitions,
        " partitions; the count can only grow, so ", total, " is not allowed"));
  }
  if (validate_only) return absl::OkStatus();
  MetadataSnapshot next = metadata_->current();
  next.version += 1;
  const_cast<TopicMetadata*>(FindTopic(next, name))->partitions = total;
  absl::StatusOr<TopicInfo> info = GetTopic(name);
  if (!info.ok()) return info.status();
  if (absl::Status s = metadata_->Commit(std::move(next)); !s.ok()) return s;
  const int32_t before = static_cast<int32_t>(info->partitions.size());
  info->partitions.resize(total);
  if (absl::Status s = CreatePartitionDirs(name, before, total); !s.ok()) {
    return s;
  }
  if (absl::Status s = OpenPartitions({&*info}); !s.ok()) return s;
  return Publish(*std::move(info));
}

absl::Status Broker::SetTopicOverrides(
    const std::string& name,
    absl::FunctionRef<
        absl::Status(absl::flat_hash_map<std::string, std::string>*)>
        edit,
    bool validate_only) {
  MutexLock admin(&admin_mu_);
  if (absl::Status s = CheckWritable(
          absl::StrCat("alter the configs of topic '", name, "'"));
      !s.ok())
    return s;
  const TopicMetadata* found = FindTopic(metadata_->current(), name);
  if (found == nullptr || found->pending_delete) return UnknownTopic(name);
  absl::flat_hash_map<std::string, std::string> overrides =
      found->config_overrides;
  if (absl::Status s = edit(&overrides); !s.ok()) return s;
  absl::StatusOr<TopicConfig> config =
      TopicConfig::FromProperties(overrides, options_.topic_defaults);
  if (!config.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("topic '", name, "': ", config.status().message()));
  }
  for (auto& [key, value] : overrides) value = *config->Get(key);
  if (validate_only) return absl::OkStatus();
  absl::StatusOr<TopicInfo> info = GetTopic(name);
  if (!info.ok()) return info.status();

  MetadataSnapshot next = metadata_->current();
  next.version += 1;
  const_cast<TopicMetadata*>(FindTopic(next, name))->config_overrides =
      overrides;
  if (absl::Status s = metadata_->Commit(std::move(next)); !s.ok()) return s;

  const bool reopen = NeedsReopen(info->config, *config);
  info->config = *std::move(config);
  info->overrides = std::move(overrides);
  absl::Status error;
  if (reopen) {
    for (size_t p = 0; p < info->partitions.size(); ++p) {
      absl::Status s = info->partitions[p]->Reconfigure(
          PartitionLogOptions(*info, static_cast<int32_t>(p)));
      if (!s.ok()) error = s;
    }
  }
  if (absl::Status s = Publish(*std::move(info)); !s.ok()) return s;
  return error;
}

}  // namespace runnel
