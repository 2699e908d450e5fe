// Copyright 2026 The Runnel Authors.
//
// Replication's cost: appending batches of 1,000 records of 100 bytes to a
// partition with one replica (acks=1: done when appended) beside the same
// with three replicas over the InMemoryNetwork (acks=all: done when the
// high watermark passes the batch, i.e. both followers fetched, appended
// and synced it and the leader learned so from their next fetch). Brokers
// run on MemFileSystem, so the figures show the protocol's own cost —
// encoding, copies, follower appends, leader-epoch bookkeeping — not a
// disk's; the network has no delay and is driven in virtual time.
//
//   ./bazelw run --config=opt //benchmarks:replication_bench
#include <array>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "benchmarks/bench_checks.h"
#include "runnel/runnel.h"

namespace runnel {
namespace {

constexpr int kRecordsPerBatch = 1000;
constexpr size_t kValueBytes = 100;
const TopicPartition kTp{"t", 0};

std::string Batch() {
  std::string out;
  RecordBatchBuilder builder(RecordBatchOptions{}, &out);
  const std::string value(kValueBytes, 'v');
  for (int i = 0; i < kRecordsPerBatch; ++i) {
    if (!builder.Append(1700000000000 + i, std::nullopt, value).ok()) break;
  }
  if (!builder.Finish().ok()) out.clear();
  return out;
}

class Cluster {
 public:
  explicit Cluster(int replicas) : net_(&clock_, /*seed=*/1) {
    std::vector<int32_t> ids;
    for (int32_t id = 0; id < replicas; ++id) ids.push_back(id);
    for (int32_t id : ids) {
      Node& n = nodes_[id];
      BrokerOptions options;
      options.data_dir = "/data";
      options.file_system = &n.fs;
      options.clock = &clock_;
      options.broker_id = id;
      options.maintenance_interval = absl::ZeroDuration();
      n.broker = *Broker::Open(options);
      Admin(n.broker.get()).CreateTopic({"t", 1}).IgnoreError();
      if (replicas == 1) continue;
      ReplicaManagerOptions ro;
      ro.transport = net_.TransportFor(id);
      ro.replica_fetch_wait_max = absl::ZeroDuration();
      ro.replica_fetch_backoff = absl::Milliseconds(1);
      ro.schedule = [this, id](absl::Duration d, std::function<void()> fn) {
        net_.RunAfter(d, std::move(fn), id);
      };
      n.replicas = *ReplicaManager::Create(n.broker.get(), ro);
      net_.RegisterNode(id, n.replicas->handler());
    }
    if (replicas > 1) {
      ok_ = nodes_[0].replicas->BecomeLeader(kTp, 1, ids, ids).ok();
      for (int32_t id = 1; id < replicas; ++id) {
        ok_ = ok_ && nodes_[id].replicas->BecomeFollower(kTp, 1, 0, ids).ok();
      }
    }
    leader_ = *nodes_[0].broker->GetPartition("t", 0);
  }

  bool ok() const { return ok_; }
  Partition& leader() { return *leader_; }
  Partition& partition(int32_t id) {
    return **nodes_[id].broker->GetPartition("t", 0);
  }

  // acks=all: runs the network until the high watermark reaches `offset`.
  bool AwaitHighWatermark(int64_t offset) {
    for (int i = 0; i < 100000 && leader_->high_watermark() < offset; ++i) {
      net_.RunFor(absl::Microseconds(100));
    }
    return leader_->high_watermark() >= offset;
  }

 private:
  struct Node {
    MemFileSystem fs;
    std::unique_ptr<Broker> broker;
    std::unique_ptr<ReplicaManager> replicas;
  };
  SimulatedClock clock_{absl::FromUnixSeconds(1700000000)};
  InMemoryNetwork net_;
  std::array<Node, 3> nodes_;
  std::shared_ptr<Partition> leader_;
  bool ok_ = true;
};

void BM_Produce(benchmark::State& state) {
  const int replicas = static_cast<int>(state.range(0));
  Cluster cluster(replicas);
  const std::string batch = Batch();
  if (!cluster.ok() || batch.empty()) {
    state.SkipWithError("cluster set-up failed");
    return;
  }
  int64_t records = 0;
  for (auto _ : state) {
    absl::StatusOr<AppendInfo> info = cluster.leader().Append(batch);
    if (!info.ok()) {
      state.SkipWithError(std::string(info.status().message()).c_str());
      return;
    }
    if (replicas > 1 && !cluster.AwaitHighWatermark(info->last_offset + 1)) {
      state.SkipWithError("the high watermark did not reach the batch");
      return;
    }
    records += kRecordsPerBatch;
  }
  // Verify: every record committed and, with replicas, on every follower.
  if (cluster.leader().high_watermark() != records) {
    state.SkipWithError("high watermark != records appended");
    return;
  }
  for (int32_t id = 1; id < replicas; ++id) {
    if (cluster.partition(id).log_end_offset() < records) {
      state.SkipWithError(absl::StrCat("follower ", id, " is short").c_str());
      return;
    }
  }
  state.SetItemsProcessed(records);
  state.SetBytesProcessed(records * static_cast<int64_t>(kValueBytes));
  bench::MarkVerified(state);
}
BENCHMARK(BM_Produce)
    ->ArgName("replicas")
    ->Arg(1)
    ->Arg(3)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace runnel
