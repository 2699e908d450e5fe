// Runnel's log against its machine limits and its peers, in one binary, on
// one workload: records with a null key and a 100-byte value, in batches of
// 1,000 (see log_bench_peers.h for exactly what each limit and peer does).
//
//   ./bazelw run --config=opt //benchmarks:log_bench
//   RUNNEL_BENCH_RECOVERY_BYTES=1G ./bazelw run --config=opt
//       //benchmarks:log_bench -- --benchmark_filter=Recover   (one line)
//
// Sizes (environment; bytes or K/M/G, binary units):
//   RUNNEL_BENCH_APPEND_BYTES    log bytes per append run (default 256M);
//                                LMDB and RocksDB get the same record count
//   RUNNEL_BENCH_READ_BYTES      log bytes read per pass (default 256M)
//   RUNNEL_BENCH_RECOVERY_BYTES  the unclean segment (default 256M; the
//                                acceptance size is 1G)
//   RUNNEL_BENCH_DIR             where bench files go (default $TEST_TMPDIR,
//                                else /tmp); removed at the end of each case
//
// Every case uses wall-clock time (UseRealTime: fdatasync, page faults and
// RocksDB's background threads are not CPU time of this thread) and a fixed
// iteration count, so every run writes or reads the same amount:
//   Append*   1 iteration = filling a new store with APPEND_BYTES of batches.
//   Read*     1 iteration = one pass over READ_BYTES (5 passes).
//   Recover*  1 iteration = one scan of the unclean segment (3 scans).
// items_per_second = records/s; bytes_per_second = value (payload) bytes/s,
// 100 per record, for every case; log_bytes_per_second (raw cases) counts
// the RecordBatch bytes actually copied, written or scanned.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "benchmarks/log_bench_peers.h"

namespace runnel {
namespace bench {
namespace {

constexpr size_t kDefaultBytes = size_t{256} << 20;
constexpr int kReadPasses = 5;
constexpr int kRecoveryScans = 3;

// What every case needs: the workload, a fresh directory, the sizes.
struct Setup {
  Workload workload;
  std::unique_ptr<BenchDir> dir;
  size_t append_bytes = 0;
  size_t read_bytes = 0;
  size_t recovery_bytes = 0;

  // Batches in one append run (the raw cases' capacity is exactly these).
  int64_t append_batches() const {
    return static_cast<int64_t>(append_bytes / workload.batch.size());
  }
  size_t append_capacity() const {
    return static_cast<size_t>(append_batches()) * workload.batch.size();
  }
};

absl::StatusOr<Setup> MakeSetup() {
  Setup setup;
  absl::StatusOr<Workload> workload = MakeWorkload();
  if (!workload.ok()) return workload.status();
  setup.workload = *std::move(workload);
  absl::StatusOr<std::unique_ptr<BenchDir>> dir = BenchDir::Create();
  if (!dir.ok()) return dir.status();
  setup.dir = *std::move(dir);
  for (auto [name, out] : {
           std::pair{"RUNNEL_BENCH_APPEND_BYTES", &setup.append_bytes},
           std::pair{"RUNNEL_BENCH_READ_BYTES", &setup.read_bytes},
           std::pair{"RUNNEL_BENCH_RECOVERY_BYTES", &setup.recovery_bytes},
       }) {
    absl::StatusOr<size_t> bytes = BytesFromEnv(name, kDefaultBytes);
    if (!bytes.ok()) return bytes.status();
    *out = *bytes;
  }
  if (setup.append_batches() == 0) {
    return absl::InvalidArgumentError("RUNNEL_BENCH_APPEND_BYTES < 1 batch");
  }
  return setup;
}

// Ends the case with `s`'s message if it is an error.
bool Failed(benchmark::State& state, const absl::Status& s) {
  if (s.ok()) return false;
  state.SkipWithError(std::string(s.message()).c_str());
  return true;
}

void ReportRecords(benchmark::State& state, int64_t records_per_iteration,
                   double log_bytes_per_iteration = 0) {
  const int64_t records =
      static_cast<int64_t>(state.iterations()) * records_per_iteration;
  state.SetItemsProcessed(records);
  state.SetBytesProcessed(records * static_cast<int64_t>(kValueBytes));
  if (log_bytes_per_iteration > 0) {
    state.counters["log_bytes_per_second"] = benchmark::Counter(
        log_bytes_per_iteration * static_cast<double>(state.iterations()),
        benchmark::Counter::kIsRate, benchmark::Counter::kIs1024);
  }
}

// The measured loop of every append case: `batches` calls of append_batch
// per iteration, then `finish` (e.g. a final sync), all timed.
void AppendLoop(benchmark::State& state, int64_t batches,
                const std::function<absl::Status()>& append_batch,
                const std::function<absl::Status()>& finish = nullptr) {
  for (auto _ : state) {
    absl::Status s;
    for (int64_t i = 0; i < batches && s.ok(); ++i) s = append_batch();
    if (s.ok() && finish) s = finish();
    if (Failed(state, s)) return;
  }
}

// --- Appends: batches of 1,000 records, no sync. ---

void BM_Append_RawMemcpyCrc(benchmark::State& state, PageState page_state) {
  absl::StatusOr<Setup> setup = MakeSetup();
  if (Failed(state, setup.status())) return;
  absl::StatusOr<std::unique_ptr<RawMappedAppend>> raw =
      RawMappedAppend::Create(setup->dir->File("raw.log"),
                              setup->append_capacity(), page_state);
  if (Failed(state, raw.status())) return;
  const std::string& batch = setup->workload.batch;
  AppendLoop(state, setup->append_batches(),
             [&] { return (*raw)->Append(batch); });
  const ScanResult check = ScanBatches((*raw)->contents());
  if (check.batches != setup->append_batches()) {
    state.SkipWithError("RawMappedAppend: scan found the wrong batch count");
  }
  ReportRecords(state, setup->append_batches() * kRecordsPerBatch,
                static_cast<double>(setup->append_capacity()));
}

void BM_Append_Lmdb(benchmark::State& state, bool write_map) {
  absl::StatusOr<Setup> setup = MakeSetup();
  if (Failed(state, setup.status())) return;
  LmdbOptions options;
  options.write_map = write_map;
  options.map_size = 2 * setup->append_bytes + (size_t{64} << 20);
  absl::StatusOr<std::unique_ptr<LmdbAppend>> lmdb =
      LmdbAppend::Create(setup->dir->File("lmdb"), options);
  if (Failed(state, lmdb.status())) return;
  const std::vector<std::string>& values = setup->workload.values;
  AppendLoop(state, setup->append_batches(),
             [&] { return (*lmdb)->AppendBatch(values); });
  absl::StatusOr<int64_t> count = (*lmdb)->CountRecords();
  if (Failed(state, count.status())) return;
  if (*count != (*lmdb)->records()) {
    state.SkipWithError("LMDB: mdb_stat disagrees with the records written");
  }
  ReportRecords(state, setup->append_batches() * kRecordsPerBatch);
}

void BM_Append_RocksDb(benchmark::State& state) {
  absl::StatusOr<Setup> setup = MakeSetup();
  if (Failed(state, setup.status())) return;
  absl::StatusOr<std::unique_ptr<RocksDbStore>> rocks =
      RocksDbStore::Create(setup->dir->File("rocksdb"));
  if (Failed(state, rocks.status())) return;
  const std::vector<std::string>& values = setup->workload.values;
  AppendLoop(state, setup->append_batches(),
             [&] { return (*rocks)->AppendBatch(values); });
  ReportRecords(state, setup->append_batches() * kRecordsPerBatch);
}

// Runnel Log cases: added with log/log.h
// (BM_Append_RunnelLog/prefaulted and /fresh: the same loop, appending
// setup->workload.batch to a runnel::Log in setup->dir.)

// --- Appends with a sync every 10,000 records. ---

void BM_AppendSync_RawWriteFdatasync(benchmark::State& state,
                                     PageState page_state) {
  absl::StatusOr<Setup> setup = MakeSetup();
  if (Failed(state, setup.status())) return;
  absl::StatusOr<std::unique_ptr<RawWriteFdatasync>> raw =
      RawWriteFdatasync::Create(setup->dir->File("raw_sync.log"),
                                setup->append_capacity(), page_state,
                                kRecordsPerSync);
  if (Failed(state, raw.status())) return;
  const std::string& batch = setup->workload.batch;
  AppendLoop(
      state, setup->append_batches(), [&] { return (*raw)->Append(batch); },
      [&] { return (*raw)->Sync(); });
  state.counters["syncs"] = static_cast<double>((*raw)->syncs());
  ReportRecords(state, setup->append_batches() * kRecordsPerBatch,
                static_cast<double>(setup->append_capacity()));
}

// Runnel Log cases: added with log/log.h
// (BM_AppendSync_RunnelLog: Append + Sync every kRecordsPerSync records.)

// --- Sequential reads with CRC check. ---

void BM_Read_RawCrc(benchmark::State& state, PageState page_state) {
  absl::StatusOr<Setup> setup = MakeSetup();
  if (Failed(state, setup.status())) return;
  const std::string path = setup->dir->File("read.log");
  absl::StatusOr<ScanResult> expected = WriteBatchFile(
      path, setup->workload.batch, setup->read_bytes, /*unclean_tail=*/false);
  if (Failed(state, expected.status())) return;
  absl::StatusOr<std::unique_ptr<RawReadCrc>> reader =
      RawReadCrc::Create(path, page_state);
  if (Failed(state, reader.status())) return;
  for (auto _ : state) {
    if (page_state == PageState::kCold) {
      state.PauseTiming();
      absl::Status dropped = (*reader)->DropCache();
      state.ResumeTiming();
      if (Failed(state, dropped)) return;
    }
    absl::StatusOr<ScanResult> scan = (*reader)->Scan();
    if (Failed(state, scan.status())) return;
    if (scan->records != expected->records) {
      state.SkipWithError("RawReadCrc: scan found the wrong record count");
      return;
    }
  }
  ReportRecords(state, expected->records,
                static_cast<double>(expected->valid_bytes));
}

void BM_Read_RocksDb(benchmark::State& state) {
  absl::StatusOr<Setup> setup = MakeSetup();
  if (Failed(state, setup.status())) return;
  absl::StatusOr<std::unique_ptr<RocksDbStore>> rocks =
      RocksDbStore::Create(setup->dir->File("rocksdb"));
  if (Failed(state, rocks.status())) return;
  // fillseq of as many records as the raw read file holds, then a flush.
  const int64_t batches =
      static_cast<int64_t>(setup->read_bytes / setup->workload.batch.size());
  for (int64_t i = 0; i < batches; ++i) {
    if (Failed(state, (*rocks)->AppendBatch(setup->workload.values))) return;
  }
  if (Failed(state, (*rocks)->Flush())) return;
  for (auto _ : state) {
    absl::StatusOr<ScanResult> scan = (*rocks)->ReadSeq();
    if (Failed(state, scan.status())) return;
    if (scan->records != (*rocks)->records()) {
      state.SkipWithError("RocksDB readseq: wrong record count");
      return;
    }
  }
  ReportRecords(state, (*rocks)->records());
}

// Runnel Log cases: added with log/log.h
// (BM_Read_RunnelLog/prefaulted and /fresh: a reader over a log holding
// READ_BYTES of batches, CRC checked.)

// --- Recovery: scan of an unclean segment. ---

void BM_Recover_RawReadCrc(benchmark::State& state, PageState page_state) {
  absl::StatusOr<Setup> setup = MakeSetup();
  if (Failed(state, setup.status())) return;
  const std::string path = setup->dir->File("unclean.log");
  absl::StatusOr<ScanResult> expected =
      WriteBatchFile(path, setup->workload.batch, setup->recovery_bytes,
                     /*unclean_tail=*/true);
  if (Failed(state, expected.status())) return;
  absl::StatusOr<std::unique_ptr<RawReadCrc>> reader =
      RawReadCrc::Create(path, page_state);
  if (Failed(state, reader.status())) return;
  for (auto _ : state) {
    if (page_state == PageState::kCold) {
      state.PauseTiming();
      absl::Status dropped = (*reader)->DropCache();
      state.ResumeTiming();
      if (Failed(state, dropped)) return;
    }
    absl::StatusOr<ScanResult> scan = (*reader)->Scan();
    if (Failed(state, scan.status())) return;
    if (scan->valid_bytes != expected->valid_bytes) {
      state.SkipWithError("RawReadCrc: recovery found the wrong valid end");
      return;
    }
  }
  state.counters["segment_MiB"] =
      static_cast<double>((*reader)->file_size()) / (1 << 20);
  ReportRecords(state, expected->records,
                static_cast<double>((*reader)->file_size()));
}

// Runnel Log cases: added with log/log.h
// (BM_Recover_RunnelLog/fresh and /cold: opening a log whose last segment
// is RECOVERY_BYTES, written by WriteBatchFile(..., unclean_tail=true).)

// --- Registration: names like BM_Append_RawMemcpyCrc/prefaulted. ---

std::string Name(absl::string_view base, PageState page_state) {
  return absl::StrCat(base, "/", PageStateName(page_state));
}

benchmark::internal::Benchmark* Fixed(benchmark::internal::Benchmark* b,
                                      int iterations) {
  return b->Iterations(iterations)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
}

bool RegisterAll() {
  for (PageState s : {PageState::kPrefaulted, PageState::kFresh}) {
    Fixed(
        benchmark::RegisterBenchmark(Name("BM_Append_RawMemcpyCrc", s).c_str(),
                                     BM_Append_RawMemcpyCrc, s),
        1);
  }
  Fixed(benchmark::RegisterBenchmark("BM_Append_Lmdb/nosync", BM_Append_Lmdb,
                                     false),
        1);
  Fixed(benchmark::RegisterBenchmark("BM_Append_Lmdb/nosync_writemap",
                                     BM_Append_Lmdb, true),
        1);
  Fixed(benchmark::RegisterBenchmark("BM_Append_RocksDb", BM_Append_RocksDb),
        1);
  for (PageState s : {PageState::kPrefaulted, PageState::kFresh}) {
    Fixed(benchmark::RegisterBenchmark(
              Name("BM_AppendSync_RawWriteFdatasync", s).c_str(),
              BM_AppendSync_RawWriteFdatasync, s),
          1);
  }
  for (PageState s : {PageState::kPrefaulted, PageState::kFresh}) {
    Fixed(benchmark::RegisterBenchmark(Name("BM_Read_RawCrc", s).c_str(),
                                       BM_Read_RawCrc, s),
          kReadPasses);
  }
  Fixed(benchmark::RegisterBenchmark("BM_Read_RocksDb", BM_Read_RocksDb),
        kReadPasses);
  for (PageState s : {PageState::kFresh, PageState::kCold}) {
    Fixed(benchmark::RegisterBenchmark(Name("BM_Recover_RawReadCrc", s).c_str(),
                                       BM_Recover_RawReadCrc, s),
          kRecoveryScans);
  }
  // Runnel Log cases: added with log/log.h (registered next to their peers).
  return true;
}

[[maybe_unused]] const bool kRegistered = RegisterAll();

}  // namespace
}  // namespace bench
}  // namespace runnel
