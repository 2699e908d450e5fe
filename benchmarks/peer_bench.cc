// peer_bench — the stores Runnel is compared with (peers/peer.h: LMDB,
// RocksDB, LevelDB, SQLite) on log_bench's workload and sizes, one case per
// peer and workload, so every peer does the same logical work as the
// Runnel case it stands beside, with equal durability (peers/peer.h says
// what each commit guarantees):
//
//   BM_Append_Peer/<peer>      batched append, no sync: a new store filled
//                              with RUNNEL_BENCH_APPEND_BYTES worth of
//                              log_bench's batches (the same record count
//                              as BM_Append_RunnelLog), one transaction per
//                              1,000 records, Commit::kNoSync.
//   BM_AppendSync_Peer/<peer>  the same, every kRecordsPerSync-th record's
//                              transaction (and the last) with
//                              Commit::kSync — as BM_AppendSync_RunnelLog
//                              syncs every 10,000 records.
//   BM_Read_Peer/<peer>        sequential read: a store filled with
//                              RUNNEL_BENCH_READ_BYTES worth of records and
//                              flushed, read once untimed, then kReadPasses
//                              (or RUNNEL_BENCH_READ_PASSES) timed ReadAll
//                              passes.
//
//   ./bazelw run --config=opt //benchmarks:peer_bench
//   RUNNEL_BENCH_VALUE_BYTES=1024 ./bazelw run --config=opt
//       //benchmarks:peer_bench -- --benchmark_filter=sqlite   (one line)
//
// Every case checks its own work after the measured loop: a full ReadAll
// must find every record, in sequence, with the workload's value checksum
// (ValueChecksum: sizes + first bytes). Only then does it set verified = 1
// (bench_checks.h). A peer missing from the build ends its cases with the
// error "unavailable: ..." (the report notes it; nothing else fails).
// items_per_second = records/s; bytes_per_second = value bytes/s; the label
// is the library's version. Sizes, RUNNEL_BENCH_VALUE_BYTES and
// RUNNEL_BENCH_DIR as in log_bench.cc.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "benchmarks/bench_checks.h"
#include "benchmarks/log_bench_peers.h"
#include "benchmarks/peers/peer.h"

namespace runnel {
namespace bench {
namespace {

constexpr size_t kDefaultBytes = size_t{256} << 20;
constexpr int kReadPasses = 5;

// The workload, a directory, and a new store of `peer` in it sized for
// `batches` batches.
struct PeerSetup {
  Workload workload;
  std::unique_ptr<BenchDir> dir;
  std::unique_ptr<Peer> peer;
  int64_t batches = 0;

  int64_t records() const { return batches * kRecordsPerBatch; }
};

absl::StatusOr<PeerSetup> MakePeerSetup(const std::string& peer,
                                        const char* bytes_env) {
  PeerSetup setup;
  absl::StatusOr<Workload> workload = MakeWorkload();
  if (!workload.ok()) return workload.status();
  setup.workload = *std::move(workload);
  absl::StatusOr<size_t> bytes = BytesFromEnv(bytes_env, kDefaultBytes);
  if (!bytes.ok()) return bytes.status();
  setup.batches = static_cast<int64_t>(*bytes / setup.workload.batch.size());
  if (setup.batches == 0) {
    return absl::InvalidArgumentError(absl::StrCat(bytes_env, " < 1 batch"));
  }
  absl::StatusOr<std::unique_ptr<BenchDir>> dir = BenchDir::Create();
  if (!dir.ok()) return dir.status();
  setup.dir = *std::move(dir);
  PeerOptions options;
  // LMDB: 1 KiB values fill 4 KiB pages to about 75%; twice the bytes is
  // ample.
  options.lmdb_map_size =
      2 * static_cast<size_t>(setup.batches) * setup.workload.batch.size() +
      (size_t{64} << 20);
  absl::StatusOr<std::unique_ptr<Peer>> store =
      OpenPeer(peer, setup.dir->File(peer), options);
  if (absl::IsUnavailable(store.status())) {
    return absl::UnavailableError(
        absl::StrCat("unavailable: ", store.status().message()));
  }
  if (!store.ok()) return store.status();
  setup.peer = *std::move(store);
  return setup;
}

// A full read must find `records` records carrying the workload's values.
absl::Status CheckRead(const PeerSetup& setup, const PeerReadResult& read) {
  const uint64_t checksum =
      static_cast<uint64_t>(setup.batches) * setup.workload.ValuesChecksum();
  if (read.records != setup.records() || read.checksum != checksum) {
    return absl::DataLossError(absl::StrCat(
        setup.peer->version(), ": read ", read.records, " records (checksum ",
        read.checksum, "), expected ", setup.records(), " (", checksum, ")"));
  }
  return absl::OkStatus();
}

void Report(benchmark::State& state, const PeerSetup& setup,
            int64_t records_per_iteration) {
  const int64_t records =
      static_cast<int64_t>(state.iterations()) * records_per_iteration;
  state.SetItemsProcessed(records);
  state.SetBytesProcessed(records *
                          static_cast<int64_t>(setup.workload.value_bytes()));
  state.SetLabel(setup.peer->version());
}

// BM_Append_Peer (sync = false) and BM_AppendSync_Peer (sync = true).
void BM_AppendPeer(benchmark::State& state, const std::string& peer,
                   bool sync) {
  absl::StatusOr<PeerSetup> setup =
      MakePeerSetup(peer, "RUNNEL_BENCH_APPEND_BYTES");
  if (Failed(state, setup.status())) return;
  constexpr int64_t kBatchesPerSync = kRecordsPerSync / kRecordsPerBatch;
  int64_t syncs = 0;
  for (auto _ : state) {
    for (int64_t i = 0; i < setup->batches; ++i) {
      const bool last = i + 1 == setup->batches;
      const Commit commit = sync && (last || (i + 1) % kBatchesPerSync == 0)
                                ? Commit::kSync
                                : Commit::kNoSync;
      syncs += commit == Commit::kSync;
      if (Failed(state, setup->peer->Append(setup->workload.values, commit))) {
        return;
      }
    }
  }
  absl::StatusOr<PeerReadResult> read = setup->peer->ReadAll();
  if (Failed(state, read.status()) || Failed(state, CheckRead(*setup, *read))) {
    return;
  }
  MarkVerified(state);
  if (sync) state.counters["syncs"] = static_cast<double>(syncs);
  Report(state, *setup, setup->records());
}

void BM_ReadPeer(benchmark::State& state, const std::string& peer) {
  absl::StatusOr<PeerSetup> setup =
      MakePeerSetup(peer, "RUNNEL_BENCH_READ_BYTES");
  if (Failed(state, setup.status())) return;
  for (int64_t i = 0; i < setup->batches; ++i) {
    if (Failed(state,
               setup->peer->Append(setup->workload.values, Commit::kNoSync))) {
      return;
    }
  }
  if (Failed(state, setup->peer->Flush())) return;
  // One untimed pass, as the Runnel read cases read their log once first.
  absl::StatusOr<PeerReadResult> warm = setup->peer->ReadAll();
  if (Failed(state, warm.status()) || Failed(state, CheckRead(*setup, *warm))) {
    return;
  }
  for (auto _ : state) {
    absl::StatusOr<PeerReadResult> read = setup->peer->ReadAll();
    if (Failed(state, read.status()) ||
        Failed(state, CheckRead(*setup, *read))) {
      return;
    }
  }
  MarkVerified(state);
  Report(state, *setup, setup->records());
}

bool RegisterAll() {
  for (const std::string& peer : PeerNames()) {
    Fixed(benchmark::RegisterBenchmark(
              absl::StrCat("BM_Append_Peer/", peer).c_str(), BM_AppendPeer,
              peer, false),
          1);
    Fixed(benchmark::RegisterBenchmark(
              absl::StrCat("BM_AppendSync_Peer/", peer).c_str(), BM_AppendPeer,
              peer, true),
          1);
    Fixed(benchmark::RegisterBenchmark(
              absl::StrCat("BM_Read_Peer/", peer).c_str(), BM_ReadPeer, peer),
          ReadPasses(kReadPasses));
  }
  return true;
}

[[maybe_unused]] const bool kRegistered = RegisterAll();

}  // namespace
}  // namespace bench
}  // namespace runnel
