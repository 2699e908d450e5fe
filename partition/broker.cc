// Copyright 2026 The Runnel Authors.
//
// Broker: open, close and lookups. The admin operations that change
// metadata are in broker_admin.cc.
#include "runnel/broker.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "io/path.h"
#include "log/segment_cache.h"
#include "partition/dir_reaper.h"
#include "partition/metadata_store.h"
#include "runnel/log_maintainer.h"

namespace runnel {

Broker::Broker(BrokerOptions options) : options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<Broker>> Broker::Open(BrokerOptions options) {
  if (options.data_dir.empty()) {
    return absl::InvalidArgumentError("BrokerOptions.data_dir is empty");
  }
  if (options.background_threads < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("BrokerOptions.background_threads must be >= 1, not ",
                     options.background_threads));
  }
  if (options.num_partitions < 1 || options.default_replication_factor < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("BrokerOptions: num.partitions (", options.num_partitions,
                     ") and default.replication.factor (",
                     options.default_replication_factor, ") must be >= 1"));
  }
  if (absl::Status s = options.topic_defaults.Validate(); !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("BrokerOptions.topic_defaults: ", s.message()));
  }
  if (options.max_open_segments < 1) {
    return absl::InvalidArgumentError(
        "BrokerOptions.max_open_segments must be >= 1");
  }
  if (options.read_only &&
      options.read_only_refresh_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "BrokerOptions.read_only_refresh_interval must be > 0");
  }
  std::unique_ptr<Broker> broker(new Broker(std::move(options)));
  if (absl::Status s = broker->Start(); !s.ok()) return s;
  return broker;
}

absl::Status Broker::Start() {
  fs_ = options_.file_system != nullptr ? options_.file_system
                                        : FileSystem::Default();
  const std::string& dir = options_.data_dir;
  if (options_.read_only) {
    absl::StatusOr<bool> is_dir = fs_->IsDirectory(dir);
    if (!is_dir.ok() || !*is_dir) {
      return absl::NotFoundError(absl::StrCat(
          "data directory ", dir, " does not exist (a read-only broker ",
          "does not create it)"));
    }
  } else {
    if (absl::Status s = fs_->CreateDirsDurably(dir); !s.ok()) return s;
    absl::StatusOr<std::unique_ptr<DirLock>> lock = fs_->LockDir(dir);
    if (!lock.ok()) return lock.status();
    lock_ = std::move(*lock);
  }
  absl::StatusOr<std::unique_ptr<MetadataStore>> store =
      MetadataStore::Open(fs_, dir, options_.read_only);
  if (!store.ok()) return store.status();
  segment_cache_ =
      std::make_unique<internal::OpenSegmentCache>(options_.max_open_segments);
  for (int i = 0; i < options_.background_threads; ++i) {
    LogMaintainer::Options maintainer;
    maintainer.interval = options_.maintenance_interval;
    maintainers_.push_back(std::make_unique<LogMaintainer>(maintainer));
  }
  reaper_ = std::make_unique<internal::DirReaper>(fs_);
  MutexLock admin(&admin_mu_);
  metadata_ = std::move(*store);
  if (absl::Status s = LoadTopics(); !s.ok()) return s;
  if (options_.read_only) {
    tailer_ = std::thread([this] { TailLoop(); });
  } else {
    ReapLeftovers();
  }
  return absl::OkStatus();
}

void Broker::TailLoop() {
  while (true) {
    {
      MutexLock lock(&tail_mu_);
      const absl::Time until =
          absl::Now() + options_.read_only_refresh_interval;
      while (!tail_stop_) {
        const absl::Duration left = until - absl::Now();
        if (left <= absl::ZeroDuration()) break;
        tail_cv_.WaitWithTimeout(&tail_mu_, left);
      }
      if (tail_stop_) return;
    }
    for (const TopicInfo& topic : Topics()) {
      for (const std::shared_ptr<Partition>& partition : topic.partitions) {
        // An error (say, the writer deleted the topic) shows in the next
        // Fetch; nothing to do here.
        if (partition->watched()) partition->RefreshReadOnly().IgnoreError();
      }
    }
  }
}

// Builds every visible topic from the metadata, finishing interrupted
// deletes, then opens all partitions.
absl::Status Broker::LoadTopics() {
  admin_mu_.AssertHeld();
  const std::vector<TopicMetadata> topics = metadata_->current().topics;
  std::vector<TopicInfo> loaded;
  for (const TopicMetadata& meta : topics) {
    if (meta.pending_delete) {
      if (options_.read_only) continue;  // the writer finishes it
      if (absl::Status s = FinishDelete(meta); !s.ok()) return s;
      continue;
    }
    absl::StatusOr<TopicConfig> config = TopicConfig::FromProperties(
        meta.config_overrides, options_.topic_defaults);
    if (!config.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "topic ", meta.name, ": its stored configs do not fit ",
          "the broker's topic defaults: ", config.status().message()));
    }
    TopicInfo info;
    info.name = meta.name;
    info.topic_id = meta.topic_id;
    info.replication_factor = meta.replication_factor;
    info.config = *std::move(config);
    info.overrides = meta.config_overrides;
    info.partitions.resize(meta.partitions);
    loaded.push_back(std::move(info));
  }
  std::vector<TopicInfo*> all;
  for (TopicInfo& info : loaded) all.push_back(&info);
  if (absl::Status s = OpenPartitions(all); !s.ok()) return s;
  for (TopicInfo& info : loaded) {
    if (absl::Status s = Publish(std::move(info)); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// Opens (recovers) the partitions of `topics` that are not open yet, on up
// to background_threads threads.
absl::Status Broker::OpenPartitions(std::vector<TopicInfo*> topics) {
  std::vector<std::pair<TopicInfo*, int32_t>> work;
  for (TopicInfo* topic : topics) {
    for (size_t p = 0; p < topic->partitions.size(); ++p) {
      if (topic->partitions[p] == nullptr) {
        work.emplace_back(topic, static_cast<int32_t>(p));
      }
    }
  }
  std::atomic<size_t> next{0};
  auto open_some = [&] {
    for (size_t i = next++; i < work.size(); i = next++) {
      auto [topic, p] = work[i];
      topic->partitions[p] = NewPartition(*topic, p);
    }
  };
  const size_t threads =
      std::min<size_t>(options_.background_threads, work.size() / 64 + 1);
  std::vector<std::thread> helpers;
  for (size_t t = 1; t < threads; ++t) helpers.emplace_back(open_some);
  open_some();
  for (std::thread& t : helpers) t.join();
  return absl::OkStatus();
}

// Queues `-delete` directories left by a crash or a failed removal.
void Broker::ReapLeftovers() {
  absl::StatusOr<std::vector<std::string>> names =
      fs_->ListDir(options_.data_dir);
  if (!names.ok()) return;  // retried at the next Open
  for (const std::string& name : *names) {
    if (absl::EndsWith(name, kDeleteSuffix)) {
      reaper_->Remove(internal::JoinPath(options_.data_dir, name));
    }
  }
}

std::string Broker::PartitionDir(absl::string_view topic,
                                 int32_t partition) const {
  return internal::JoinPath(options_.data_dir,
                            absl::StrCat(topic, "-", partition));
}

LogOptions Broker::PartitionLogOptions(const TopicInfo& topic,
                                       int32_t partition) const {
  LogOptions options = topic.config.ToLogOptions();
  options.file_system = fs_;
  options.clock = options_.clock;
  options.open_segment_cache = segment_cache_.get();
  options.name = absl::StrCat(topic.name, "-", partition);
  return options;
}

std::shared_ptr<Partition> Broker::NewPartition(const TopicInfo& topic,
                                                int32_t partition) const {
  PartitionState state;
  state.leader = options_.broker_id;
  state.replicas = {options_.broker_id};
  state.isr = {options_.broker_id};
  TopicPartition id{topic.name, partition};
  LogMaintainer* maintainer =
      options_.read_only ? nullptr
                         : maintainers_[absl::HashOf(topic.name, partition) %
                                        maintainers_.size()]
                               .get();
  return std::shared_ptr<Partition>(
      new Partition(std::move(id), PartitionDir(topic.name, partition),
                    PartitionLogOptions(topic, partition), std::move(state),
                    maintainer, options_.read_only));
}

absl::Status Broker::Publish(TopicInfo topic) {
  MutexLock lock(&mu_);
  std::string name = topic.name;
  topics_[name] = std::make_shared<const TopicInfo>(std::move(topic));
  metadata_version_.fetch_add(1, std::memory_order_acq_rel);
  return absl::OkStatus();
}

void Broker::Unpublish(const std::string& name) {
  MutexLock lock(&mu_);
  topics_.erase(name);
  metadata_version_.fetch_add(1, std::memory_order_acq_rel);
}

absl::Status Broker::CheckOpen() const {
  MutexLock lock(&mu_);
  if (closed_) {
    return absl::FailedPreconditionError(
        absl::StrCat("broker on ", options_.data_dir, " is closed"));
  }
  return absl::OkStatus();
}

absl::Status Broker::CheckWritable(absl::string_view what) const {
  if (absl::Status s = CheckOpen(); !s.ok()) return s;
  if (options_.read_only) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot ", what, ": the broker on ", options_.data_dir,
                     " was opened read-only"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const TopicInfo>> Broker::PublishedTopic(
    absl::string_view topic) const {
  MutexLock lock(&mu_);
  if (closed_) {
    return absl::FailedPreconditionError(
        absl::StrCat("broker on ", options_.data_dir, " is closed"));
  }
  auto it = topics_.find(topic);
  if (it == topics_.end()) {
    return absl::NotFoundError(absl::StrCat("unknown topic '", topic, "'"));
  }
  return it->second;
}

absl::StatusOr<TopicInfo> Broker::GetTopic(absl::string_view topic) const {
  absl::StatusOr<std::shared_ptr<const TopicInfo>> info = PublishedTopic(topic);
  if (!info.ok()) return info.status();
  return **info;
}

absl::StatusOr<std::shared_ptr<Partition>> Broker::GetPartition(
    absl::string_view topic, int32_t partition) const {
  absl::StatusOr<std::shared_ptr<const TopicInfo>> info = PublishedTopic(topic);
  if (!info.ok()) return info.status();
  const std::vector<std::shared_ptr<Partition>>& partitions =
      (*info)->partitions;
  if (partition < 0 || partition >= static_cast<int32_t>(partitions.size())) {
    return absl::NotFoundError(
        absl::StrCat("unknown partition ", topic, "-", partition, ": topic '",
                     topic, "' has ", partitions.size(), " partitions"));
  }
  return partitions[partition];
}

std::vector<TopicInfo> Broker::Topics() const {
  std::vector<TopicInfo> topics;
  {
    MutexLock lock(&mu_);
    for (const auto& [name, info] : topics_) topics.push_back(*info);
  }
  std::sort(
      topics.begin(), topics.end(),
      [](const TopicInfo& a, const TopicInfo& b) { return a.name < b.name; });
  return topics;
}

absl::Status Broker::RunMaintenance() {
  if (absl::Status s = CheckOpen(); !s.ok()) return s;
  absl::Status error;
  for (const auto& maintainer : maintainers_) {
    maintainer->RunOnce();
    if (!maintainer->last_error().ok()) error = maintainer->last_error();
  }
  reaper_->Drain();
  if (!reaper_->last_error().ok()) error = reaper_->last_error();
  return error;
}

absl::StatusOr<BrokerService*> Broker::GetOrAddService(
    absl::string_view name,
    absl::FunctionRef<absl::StatusOr<std::unique_ptr<BrokerService>>()> make) {
  MutexLock lock(&services_mu_);
  if (services_closed_) {
    return absl::FailedPreconditionError(
        absl::StrCat("broker on ", options_.data_dir, " is closed"));
  }
  auto it = services_.find(name);
  if (it != services_.end()) return it->second.get();
  absl::StatusOr<std::unique_ptr<BrokerService>> made = make();
  if (!made.ok()) return made.status();
  BrokerService* service = made->get();
  services_.emplace(std::string(name), *std::move(made));
  return service;
}

absl::Status Broker::Close() {
  if (tailer_.joinable()) {
    {
      MutexLock lock(&tail_mu_);
      tail_stop_ = true;
      tail_cv_.SignalAll();
    }
    tailer_.join();
  }
  {
    // Services (which use partitions) go first, outside the admin lock.
    absl::flat_hash_map<std::string, std::unique_ptr<BrokerService>> services;
    {
      MutexLock lock(&services_mu_);
      services_closed_ = true;
      services.swap(services_);
    }
  }
  MutexLock admin(&admin_mu_);
  std::vector<std::shared_ptr<const TopicInfo>> topics;
  {
    MutexLock lock(&mu_);
    if (closed_) {
      return absl::FailedPreconditionError(
          absl::StrCat("broker on ", options_.data_dir, " is already closed"));
    }
    closed_ = true;
    for (auto& [name, info] : topics_) topics.push_back(std::move(info));
    topics_.clear();
  }
  absl::Status error;
  for (const auto& topic : topics) {
    for (const std::shared_ptr<Partition>& partition : topic->partitions) {
      absl::Status s = partition->Shut(absl::FailedPreconditionError(
          absl::StrCat("partition ", partition->topic_partition().ToString(),
                       ": the broker on ", options_.data_dir, " is closed")));
      if (!s.ok()) error = s;
    }
  }
  maintainers_.clear();  // no log is registered any more
  reaper_.reset();       // unfinished removals are found at the next Open
  metadata_.reset();
  lock_.reset();
  return error;
}

Broker::~Broker() {
  bool open;
  {
    MutexLock lock(&mu_);
    open = !closed_;
  }
  if (open) Close().IgnoreError();
}

}  // namespace runnel
