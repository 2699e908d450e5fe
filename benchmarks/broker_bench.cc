// Copyright 2026 The Runnel Authors.
//
// broker_bench — the Broker's start-up and admin costs at scale:
//   BM_OpenBroker/<n>       Broker::Open of a data directory holding n
//                           partitions (topics of 1,000 partitions, each
//                           with one small batch, cleanly closed); Close is
//                           not measured. Bar: 10,000 partitions < 1 s.
//   BM_Limit_StatPartitions/<n>
//                           the least any store must do for the same
//                           directory: list it and stat every partition
//                           directory (no file opened).
//   BM_CreateTopic/<n>      Admin::CreateTopic of one n-partition topic
//                           (metadata commit and n log directories, with
//                           every sync); deleting it is not measured.
//
//   ./bazelw run --config=opt //benchmarks:broker_bench
//
// Files go under RUNNEL_BENCH_DIR, else $TEST_TMPDIR, else /tmp
// (bench::BenchDir), and are removed after each case.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "benchmarks/log_bench_runnel.h"
#include "runnel/admin.h"
#include "runnel/broker.h"

namespace runnel {
namespace {

constexpr int kPartitionsPerTopic = 1000;

BrokerOptions Options(const std::string& dir, FileSystem* fs) {
  BrokerOptions options;
  options.data_dir = dir;
  options.file_system = fs;
  return options;
}

// A data directory with `partitions` partitions of one small batch each,
// built once per size with syncs skipped (then one sync()), cleanly closed.
// `Data(dir)` is the broker's data directory inside a bench directory.
std::string Data(const bench::BenchDir& dir) { return dir.File("broker"); }

absl::StatusOr<std::unique_ptr<bench::BenchDir>> Fixture(int partitions) {
  absl::StatusOr<std::unique_ptr<bench::BenchDir>> bench_dir =
      bench::BenchDir::Create();
  if (!bench_dir.ok()) return bench_dir.status();
  const std::string dir = Data(**bench_dir);
  FileSystem* posix = FileSystem::Default();
  bench::BenchFileSystem fast(posix, {/*prefault=*/false, /*skip_sync=*/true});
  absl::StatusOr<bench::Workload> workload = bench::MakeWorkload();
  if (!workload.ok()) return workload.status();
  absl::StatusOr<std::string> batch = bench::SmallBatch(*workload, 10);
  if (!batch.ok()) return batch.status();
  // One broker per topic: a partition with an active segment holds three
  // descriptors until it is closed, and 30,000 would pass `ulimit -n`.
  for (int t = 0; t * kPartitionsPerTopic < partitions; ++t) {
    absl::StatusOr<std::unique_ptr<Broker>> broker =
        Broker::Open(Options(dir, &fast));
    if (!broker.ok()) return broker.status();
    Admin admin(broker->get());
    const std::string topic = absl::StrCat("topic-", t);
    const int count =
        std::min(kPartitionsPerTopic, partitions - t * kPartitionsPerTopic);
    if (absl::Status s = admin.CreateTopic({topic, count}); !s.ok()) return s;
    for (int p = 0; p < count; ++p) {
      auto partition = (*broker)->GetPartition(topic, p);
      if (!partition.ok()) return partition.status();
      if (auto info = (*partition)->Append(*batch); !info.ok()) {
        return info.status();
      }
    }
    if (absl::Status s = (*broker)->Close(); !s.ok()) return s;
  }
  sync();
  return bench_dir;
}

void BM_OpenBroker(benchmark::State& state) {
  const int partitions = static_cast<int>(state.range(0));
  absl::StatusOr<std::unique_ptr<bench::BenchDir>> fixture =
      Fixture(partitions);
  if (!fixture.ok()) {
    state.SkipWithError(std::string(fixture.status().message()).c_str());
    return;
  }
  const std::string dir = Data(**fixture);
  for (auto _ : state) {
    absl::StatusOr<std::unique_ptr<Broker>> broker =
        Broker::Open(Options(dir, nullptr));
    if (!broker.ok()) {
      state.SkipWithError(std::string(broker.status().message()).c_str());
      return;
    }
    state.PauseTiming();
    if ((*broker)->Topics().size() * kPartitionsPerTopic <
        static_cast<size_t>(partitions)) {
      state.SkipWithError("topics missing after open");
    }
    (*broker)->Close().IgnoreError();
    broker->reset();
    state.ResumeTiming();
  }
  state.counters["partitions"] = partitions;
}
BENCHMARK(BM_OpenBroker)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_Limit_StatPartitions(benchmark::State& state) {
  const int partitions = static_cast<int>(state.range(0));
  absl::StatusOr<std::unique_ptr<bench::BenchDir>> fixture =
      Fixture(partitions);
  if (!fixture.ok()) {
    state.SkipWithError(std::string(fixture.status().message()).c_str());
    return;
  }
  const std::string dir = Data(**fixture);
  FileSystem* posix = FileSystem::Default();
  for (auto _ : state) {
    absl::StatusOr<std::vector<std::string>> names = posix->ListDir(dir);
    if (!names.ok()) {
      state.SkipWithError("list failed");
      return;
    }
    int dirs = 0;
    for (const std::string& name : *names) {
      struct stat st;
      if (::stat(absl::StrCat(dir, "/", name).c_str(), &st) == 0 &&
          S_ISDIR(st.st_mode)) {
        ++dirs;
      }
    }
    benchmark::DoNotOptimize(dirs);
  }
}
BENCHMARK(BM_Limit_StatPartitions)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_CreateTopic(benchmark::State& state) {
  const int partitions = static_cast<int>(state.range(0));
  absl::StatusOr<std::unique_ptr<bench::BenchDir>> bench_dir =
      bench::BenchDir::Create();
  if (!bench_dir.ok()) {
    state.SkipWithError(std::string(bench_dir.status().message()).c_str());
    return;
  }
  const std::string dir = Data(**bench_dir);
  absl::StatusOr<std::unique_ptr<Broker>> broker =
      Broker::Open(Options(dir, nullptr));
  if (!broker.ok()) {
    state.SkipWithError(std::string(broker.status().message()).c_str());
    return;
  }
  Admin admin(broker->get());
  int round = 0;
  for (auto _ : state) {
    const std::string topic = absl::StrCat("created-", round++);
    if (absl::Status s = admin.CreateTopic({topic, partitions}); !s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      return;
    }
    state.PauseTiming();
    admin.DeleteTopic(topic).IgnoreError();
    (*broker)->RunMaintenance().IgnoreError();  // waits for the removal
    state.ResumeTiming();
  }
  (*broker)->Close().IgnoreError();
}
BENCHMARK(BM_CreateTopic)
    ->Arg(1000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace runnel
