// Runnel's log against its machine limits and its peers, in one binary, on
// one workload: records with a null key and a 100-byte value, in batches of
// 1,000 (see log_bench_peers.h for exactly what each limit and peer does,
// log_bench_runnel.h for the helpers of the runnel::Log cases).
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
//   RUNNEL_BENCH_VALUE_BYTES     the records' value size (default 100)
//   RUNNEL_BENCH_IDLE_LOGS       logs per OpenIdleLogs round (default 10000)
//   RUNNEL_BENCH_IDLE_LOGS_DIR   if set, the idle logs are built there once
//                                and reused by later cases and processes
//
// Every case uses wall-clock time (UseRealTime: fdatasync, page faults and
// RocksDB's background threads are not CPU time of this thread) and a fixed
// iteration count, so every run writes or reads the same amount:
//   Append*   1 iteration = filling a new store with APPEND_BYTES of batches.
//   Read*     1 iteration = one pass over READ_BYTES (5 passes, or
//             RUNNEL_BENCH_READ_PASSES).
//   Recover*  1 iteration = one scan of the unclean segment (3 scans).
//   OpenIdleLogs  1 iteration = opening 10,000 idle logs (3 rounds);
//                 OpenIdleLogs_RawOpen is its limit (list + open + fstat);
//                 these two are in log_bench_open.cc.
// items_per_second = records/s (OpenIdleLogs: logs opened/s);
// bytes_per_second = value (payload) bytes/s, 100 per record (or
// RUNNEL_BENCH_VALUE_BYTES), for every case; log_bytes_per_second (raw and
// Runnel cases) counts the RecordBatch bytes actually copied, written or
// scanned; page_faults (append cases) the process's page faults during the
// measured loop; verified = 1 once the case's own checks passed
// (bench_checks.h).
//
// The runnel::Log cases (BM_*_RunnelLog) use the public API only (Open,
// Append, Sync, Read, Close), Kafka's default 1 GiB segments and the POSIX
// file system, except where a case says otherwise.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "benchmarks/bench_checks.h"
#include "benchmarks/log_bench_peers.h"
#include "benchmarks/log_bench_posix.h"
#include "benchmarks/log_bench_runnel.h"
#include "benchmarks/log_bench_setup.h"
#include "log/format.h"
#include "runnel/file_system.h"
#include "runnel/log.h"

namespace runnel {
namespace bench {
namespace {

void ReportRecords(benchmark::State& state, int64_t records_per_iteration,
                   double log_bytes_per_iteration = 0) {
  const int64_t records =
      static_cast<int64_t>(state.iterations()) * records_per_iteration;
  state.SetItemsProcessed(records);
  state.SetBytesProcessed(records * static_cast<int64_t>(WorkloadValueBytes()));
  if (log_bytes_per_iteration > 0) {
    state.counters["log_bytes_per_second"] = benchmark::Counter(
        log_bytes_per_iteration * static_cast<double>(state.iterations()),
        benchmark::Counter::kIsRate, benchmark::Counter::kIs1024);
  }
}

// Page faults (minor + major) this process has taken so far.
int64_t PageFaults() {
  struct rusage usage;
  if (::getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return usage.ru_minflt + usage.ru_majflt;
}

// The measured loop of every append case: `batches` calls of append_batch
// per iteration, then `finish` (e.g. a final sync), all timed. Counts the
// page faults taken meanwhile ("page_faults", per iteration).
void AppendLoop(benchmark::State& state, int64_t batches,
                const std::function<absl::Status()>& append_batch,
                const std::function<absl::Status()>& finish = nullptr) {
  int64_t faults = 0;
  for (auto _ : state) {
    const int64_t before = PageFaults();
    absl::Status s;
    for (int64_t i = 0; i < batches && s.ok(); ++i) s = append_batch();
    if (s.ok() && finish) s = finish();
    faults += PageFaults() - before;
    if (Failed(state, s)) return;
  }
  state.counters["page_faults"] = benchmark::Counter(
      static_cast<double>(faults), benchmark::Counter::kAvgIterations);
}

// A new runnel::Log for the append cases, in setup.dir, exactly as shipped:
// Kafka's default 1 GiB segments (one segment per run unless APPEND_BYTES is
// larger), the POSIX file system, default options (16 MiB reservations
// faulted in ahead by the Log's prefaulter), so the measured loop holds every
// fallocate and every page fault the prefaulter does not take first. (The
// former `/prefaulted` Runnel cases, which pre-faulted through a
// BenchFileSystem at Open, no longer can: reservations start at 64 KiB and
// grow inside the loop. BM_Append_RunnelLog/steady is the warm-page case.)
struct AppendLog {
  std::unique_ptr<Log> log;
};

absl::StatusOr<AppendLog> OpenAppendLog(const Setup& setup) {
  AppendLog out;
  absl::StatusOr<std::unique_ptr<Log>> log =
      Log::Open(setup.dir->File("runnel"), LogOptions());
  if (!log.ok()) return log.status();
  out.log = *std::move(log);
  return out;
}

// After an append run: the Log must hold every record appended.
absl::Status CheckLogEnd(const Log& log, int64_t records) {
  if (log.log_end_offset() == records) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("runnel::Log: log end offset ",
                                          log.log_end_offset(), ", expected ",
                                          records));
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
    return;
  }
  MarkVerified(state);
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
    return;
  }
  MarkVerified(state);
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

void BM_Append_RunnelLog(benchmark::State& state, PageState /*kFresh*/) {
  absl::StatusOr<Setup> setup = MakeSetup();
  if (Failed(state, setup.status())) return;
  absl::StatusOr<AppendLog> runnel = OpenAppendLog(*setup);
  if (Failed(state, runnel.status())) return;
  Log& log = *runnel->log;
  const std::string& batch = setup->workload.batch;
  AppendLoop(state, setup->append_batches(),
             [&] { return log.Append(batch).status(); });
  const int64_t records = setup->append_batches() * kRecordsPerBatch;
  if (Failed(state, CheckLogEnd(log, records))) return;
  MarkVerified(state);
  ReportRecords(state, records, static_cast<double>(setup->append_capacity()));
}

// Steady state with retention (BM_Append_RunnelLog/steady*,
// BM_AppendSync_RunnelLog/steady*): segments of kSteadySegmentBytes,
// retention.bytes keeping about kSteadyRetainedSegments of them,
// ApplyRetention called by the appender whenever more segments exist (timed:
// it is part of the workload; Kafka runs it on a background thread). Before
// the measured loop the log is filled once (APPEND_BYTES, and at least five
// segments; not timed), so retention has deleted segments and, with
// recycling, the pool holds a file.
struct SteadyCase {
  int recycle;  // LogOptions::recycle_segments
  bool sync;    // Log::Sync every kRecordsPerSync records
};
constexpr uint64_t kSteadySegmentBytes = uint64_t{64} << 20;
constexpr int64_t kSteadyRetainedSegments = 3;

void BM_Append_RunnelLogSteady(benchmark::State& state, SteadyCase c) {
  absl::StatusOr<Setup> setup = MakeSetup();
  if (Failed(state, setup.status())) return;
  LogOptions options;
  options.segment_bytes = kSteadySegmentBytes;
  // The workload's timestamps are fixed: only retention.bytes applies.
  options.retention_ms = absl::InfiniteDuration();
  options.retention_bytes =
      static_cast<int64_t>(kSteadySegmentBytes) * (kSteadyRetainedSegments - 1);
  options.recycle_segments = c.recycle;
  absl::StatusOr<std::unique_ptr<Log>> log =
      Log::Open(setup->dir->File("runnel"), options);
  if (Failed(state, log.status())) return;
  const std::string& batch = setup->workload.batch;
  int64_t unsynced_records = 0;
  int64_t syncs = 0;
  auto sync = [&] {
    if (!c.sync || unsynced_records == 0) return absl::OkStatus();
    unsynced_records = 0;
    ++syncs;
    return (*log)->Sync();
  };
  // The longest Append: a roll inside it (sealing the old segment, creating
  // the next) is the appender's worst stall. One clock read per 1,000
  // records.
  absl::Duration longest_append;
  auto append = [&] {
    const absl::Time begin = absl::Now();
    absl::StatusOr<AppendInfo> info = (*log)->Append(batch);
    longest_append = std::max(longest_append, absl::Now() - begin);
    if (!info.ok()) return info.status();
    if ((*log)->segment_count() > kSteadyRetainedSegments) {
      if (absl::Status s = (*log)->ApplyRetention().status(); !s.ok()) return s;
    }
    unsynced_records += info->record_count;
    return unsynced_records >= kRecordsPerSync ? sync() : absl::OkStatus();
  };
  // Fill until retention has run and recycled a file at least twice, however
  // small APPEND_BYTES is: otherwise the timed loop would still be writing
  // the log's first (new) files, not its steady state.
  const int64_t fill_batches = std::max<int64_t>(
      setup->append_batches(),
      static_cast<int64_t>((kSteadyRetainedSegments + 2) * kSteadySegmentBytes /
                           batch.size()));
  for (int64_t i = 0; i < fill_batches; ++i) {
    if (Failed(state, append())) return;
  }
  if (Failed(state, sync())) return;
  syncs = 0;
  longest_append = absl::ZeroDuration();
  const int64_t start = (*log)->log_end_offset();
  AppendLoop(state, setup->append_batches(), append, sync);
  const int64_t records = setup->append_batches() * kRecordsPerBatch;
  if (Failed(state, CheckLogEnd(**log, start + records))) return;
  MarkVerified(state);
  state.counters["segments"] = static_cast<double>((*log)->segment_count());
  state.counters["max_append_ms"] = absl::ToDoubleMilliseconds(longest_append);
  if (c.sync) state.counters["syncs"] = static_cast<double>(syncs);
  ReportRecords(state, records, static_cast<double>(setup->append_capacity()));
}

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
  // Every byte written, and a sync per kRecordsPerSync records (or the end).
  const int64_t records = setup->append_batches() * kRecordsPerBatch;
  if ((*raw)->size() != setup->append_capacity() ||
      (*raw)->syncs() < (records + kRecordsPerSync - 1) / kRecordsPerSync) {
    state.SkipWithError("RawWriteFdatasync: wrong size or sync count");
    return;
  }
  MarkVerified(state);
  state.counters["syncs"] = static_cast<double>((*raw)->syncs());
  ReportRecords(state, setup->append_batches() * kRecordsPerBatch,
                static_cast<double>(setup->append_capacity()));
}

void BM_AppendSync_RunnelLog(benchmark::State& state, PageState /*kFresh*/) {
  absl::StatusOr<Setup> setup = MakeSetup();
  if (Failed(state, setup.status())) return;
  absl::StatusOr<AppendLog> runnel = OpenAppendLog(*setup);
  if (Failed(state, runnel.status())) return;
  Log& log = *runnel->log;
  const std::string& batch = setup->workload.batch;
  int64_t unsynced_records = 0;
  int64_t syncs = 0;
  auto sync = [&] {
    if (unsynced_records == 0) return absl::OkStatus();
    unsynced_records = 0;
    ++syncs;
    return log.Sync();
  };
  AppendLoop(
      state, setup->append_batches(),
      [&] {
        absl::StatusOr<AppendInfo> info = log.Append(batch);
        if (!info.ok()) return info.status();
        unsynced_records += info->record_count;
        return unsynced_records >= kRecordsPerSync ? sync() : absl::OkStatus();
      },
      sync);
  const int64_t records = setup->append_batches() * kRecordsPerBatch;
  if (Failed(state, CheckLogEnd(log, records))) return;
  MarkVerified(state);
  state.counters["syncs"] = static_cast<double>(syncs);
  ReportRecords(state, records, static_cast<double>(setup->append_capacity()));
}

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
    if (scan->records != expected->records ||
        scan->crc_sum != expected->crc_sum) {
      state.SkipWithError("RawReadCrc: scan found the wrong records");
      return;
    }
  }
  MarkVerified(state);
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
  MarkVerified(state);
  ReportRecords(state, (*rocks)->records());
}

// The log every Runnel read case reads: READ_BYTES of batches written by
// Log::Append into one segment (Kafka's default 1 GiB segment.bytes) of a
// new log in `dir`, closed cleanly. Returns the batch count.
absl::StatusOr<int64_t> WriteReadLog(const Setup& setup,
                                     const std::string& dir) {
  const std::string& batch = setup.workload.batch;
  const int64_t batches = static_cast<int64_t>(setup.read_bytes / batch.size());
  absl::StatusOr<std::unique_ptr<Log>> writer = Log::Open(dir, LogOptions());
  if (!writer.ok()) return writer.status();
  for (int64_t i = 0; i < batches; ++i) {
    absl::Status s = (*writer)->Append(batch).status();
    if (!s.ok()) return s;
  }
  if (absl::Status s = (*writer)->Close(); !s.ok()) return s;
  return batches;
}

// Log::Read checks the CRC32C of every batch it returns (log/log.cc), so
// one ReadWholeLog pass is the same work as a RawReadCrc scan: no second
// check is added. kPrefaulted: one Log, opened and read once before the
// measured passes (its segment mapping stays, every page mapped). kFresh:
// every pass opens the Log, reads it and destroys it (the segment is mapped
// and unmapped per pass, as RawReadCrc/fresh does).
void BM_Read_RunnelLog(benchmark::State& state, PageState page_state) {
  absl::StatusOr<Setup> setup = MakeSetup();
  if (Failed(state, setup.status())) return;
  const std::string dir = setup->dir->File("runnel");
  absl::StatusOr<int64_t> batches = WriteReadLog(*setup, dir);
  if (Failed(state, batches.status())) return;
  const int64_t records = *batches * kRecordsPerBatch;
  const uint64_t crc_sum =
      static_cast<uint64_t>(*batches) * StoredCrc(setup->workload.batch);
  std::unique_ptr<Log> kept;
  if (page_state == PageState::kPrefaulted) {
    absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(dir, LogOptions());
    if (Failed(state, log.status())) return;
    kept = *std::move(log);
    if (Failed(state, ReadWholeLog(*kept, kReadMaxBytes).status())) return;
  }
  for (auto _ : state) {
    std::unique_ptr<Log> fresh;
    if (kept == nullptr) {
      absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(dir, LogOptions());
      if (Failed(state, log.status())) return;
      fresh = *std::move(log);
    }
    absl::StatusOr<ScanResult> read =
        ReadWholeLog(kept != nullptr ? *kept : *fresh, kReadMaxBytes);
    if (Failed(state, read.status())) return;
    if (read->records != records || read->crc_sum != crc_sum) {
      state.SkipWithError("runnel::Log: read found the wrong records");
      return;
    }
  }
  MarkVerified(state);
  ReportRecords(state, records,
                static_cast<double>(*batches) *
                    static_cast<double>(setup->workload.batch.size()));
}

// The read limit over the same mapped bytes as BM_Read_RunnelLog: RawReadCrc
// over the segment file runnel::Log wrote. The bytes equal those of
// BM_Read_RawCrc's file, but the page cache does not: a file written by
// 110 KB mapped appends is cached in small folios, one written by 7 MB
// write()s in large ones, and a fresh mapping of small folios takes about
// 4x the page faults (see README.md).
void BM_Read_RawCrcOfRunnelLog(benchmark::State& state, PageState page_state) {
  absl::StatusOr<Setup> setup = MakeSetup();
  if (Failed(state, setup.status())) return;
  const std::string dir = setup->dir->File("runnel");
  absl::StatusOr<int64_t> batches = WriteReadLog(*setup, dir);
  if (Failed(state, batches.status())) return;
  absl::StatusOr<std::string> name =
      format::SegmentFileName(0, format::kLogFileSuffix);
  if (Failed(state, name.status())) return;
  absl::StatusOr<std::unique_ptr<RawReadCrc>> reader =
      RawReadCrc::Create(absl::StrCat(dir, "/", *name), page_state);
  if (Failed(state, reader.status())) return;
  const int64_t records = *batches * kRecordsPerBatch;
  const uint64_t crc_sum =
      static_cast<uint64_t>(*batches) * StoredCrc(setup->workload.batch);
  for (auto _ : state) {
    absl::StatusOr<ScanResult> scan = (*reader)->Scan();
    if (Failed(state, scan.status())) return;
    if (scan->records != records || scan->crc_sum != crc_sum) {
      state.SkipWithError("RawReadCrc: scan found the wrong records");
      return;
    }
  }
  MarkVerified(state);
  ReportRecords(state, records, static_cast<double>((*reader)->file_size()));
}

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
    if (scan->valid_bytes != expected->valid_bytes ||
        scan->crc_sum != expected->crc_sum) {
      state.SkipWithError("RawReadCrc: recovery found the wrong valid end");
      return;
    }
  }
  MarkVerified(state);
  state.counters["segment_MiB"] =
      static_cast<double>((*reader)->file_size()) / (1 << 20);
  ReportRecords(state, expected->records,
                static_cast<double>((*reader)->file_size()));
}

// Log::Open of a log whose only segment is the raw case's unclean file
// (same bytes: WriteBatchFile(..., unclean_tail=true) under the segment's
// name) and nothing else: no checkpoint, no clean-shutdown marker, no
// indexes. Open scans every batch (header, offsets, CRC32C), rebuilds both
// indexes, cuts the torn tail and syncs the cut: all measured. Before each
// run (not measured) the cut tail is put back and every other file removed,
// so each run recovers the same thing; /cold also evicts the segment.
void BM_Recover_RunnelLog(benchmark::State& state, PageState page_state) {
  absl::StatusOr<Setup> setup = MakeSetup();
  if (Failed(state, setup.status())) return;
  const std::string dir = setup->dir->File("runnel");
  if (::mkdir(dir.c_str(), 0755) != 0) {
    state.SkipWithError(absl::StrCat("mkdir ", dir, " failed").c_str());
    return;
  }
  absl::StatusOr<std::string> name =
      format::SegmentFileName(0, format::kLogFileSuffix);
  if (Failed(state, name.status())) return;
  const std::string path = absl::StrCat(dir, "/", *name);
  const std::string& batch = setup->workload.batch;
  absl::StatusOr<ScanResult> expected =
      WriteBatchFile(path, batch, setup->recovery_bytes,
                     /*unclean_tail=*/true);
  if (Failed(state, expected.status())) return;
  for (auto _ : state) {
    state.PauseTiming();
    absl::Status s =
        RestoreUncleanTail(path, batch, expected->valid_bytes,
                           expected->records, setup->recovery_bytes);
    if (s.ok()) s = RemoveAllBut(dir, *name);
    if (s.ok() && page_state == PageState::kCold) s = DropFileCache(path);
    if (Failed(state, s)) return;
    state.ResumeTiming();
    absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(dir, LogOptions());
    state.PauseTiming();
    if (Failed(state, log.status())) return;
    if ((*log)->log_end_offset() != expected->records ||
        (*log)->size_bytes() != expected->valid_bytes) {
      state.SkipWithError("runnel::Log: recovery found the wrong valid end");
      return;
    }
    log->reset();
    state.ResumeTiming();
  }
  MarkVerified(state);
  state.counters["segment_MiB"] =
      static_cast<double>(setup->recovery_bytes) / (1 << 20);
  ReportRecords(state, expected->records,
                static_cast<double>(setup->recovery_bytes));
}

// --- Registration: names like BM_Append_RawMemcpyCrc/prefaulted. ---

std::string Name(absl::string_view base, PageState page_state) {
  return absl::StrCat(base, "/", PageStateName(page_state));
}

// Registers `fn(page_state)` as `base`/<state> for each state.
template <typename Fn>
void RegisterStates(absl::string_view base, Fn fn,
                    std::initializer_list<PageState> states, int iterations) {
  for (PageState s : states) {
    Fixed(benchmark::RegisterBenchmark(Name(base, s).c_str(), fn, s),
          iterations);
  }
}

bool RegisterAll() {
  constexpr auto kPrefaulted = PageState::kPrefaulted;
  constexpr auto kFresh = PageState::kFresh;
  constexpr auto kCold = PageState::kCold;
  RegisterStates("BM_Append_RawMemcpyCrc", BM_Append_RawMemcpyCrc,
                 {kPrefaulted, kFresh}, 1);
  RegisterStates("BM_Append_RunnelLog", BM_Append_RunnelLog, {kFresh}, 1);
  for (bool sync : {false, true}) {
    for (int recycle : {1, 0}) {
      const std::string name =
          absl::StrCat(sync ? "BM_AppendSync_RunnelLog" : "BM_Append_RunnelLog",
                       "/steady", recycle > 0 ? "" : "_norecycle");
      Fixed(
          benchmark::RegisterBenchmark(name.c_str(), BM_Append_RunnelLogSteady,
                                       SteadyCase{recycle, sync}),
          1);
    }
  }
  Fixed(benchmark::RegisterBenchmark("BM_Append_Lmdb/nosync", BM_Append_Lmdb,
                                     false),
        1);
  Fixed(benchmark::RegisterBenchmark("BM_Append_Lmdb/nosync_writemap",
                                     BM_Append_Lmdb, true),
        1);
  Fixed(benchmark::RegisterBenchmark("BM_Append_RocksDb", BM_Append_RocksDb),
        1);
  RegisterStates("BM_AppendSync_RawWriteFdatasync",
                 BM_AppendSync_RawWriteFdatasync, {kPrefaulted, kFresh}, 1);
  RegisterStates("BM_AppendSync_RunnelLog", BM_AppendSync_RunnelLog, {kFresh},
                 1);
  RegisterStates("BM_Read_RawCrc", BM_Read_RawCrc, {kPrefaulted, kFresh},
                 ReadPasses(kReadPasses));
  RegisterStates("BM_Read_RunnelLog", BM_Read_RunnelLog, {kPrefaulted, kFresh},
                 ReadPasses(kReadPasses));
  RegisterStates("BM_Read_RawCrcOfRunnelLog", BM_Read_RawCrcOfRunnelLog,
                 {kPrefaulted, kFresh}, ReadPasses(kReadPasses));
  Fixed(benchmark::RegisterBenchmark("BM_Read_RocksDb", BM_Read_RocksDb),
        ReadPasses(kReadPasses));
  RegisterStates("BM_Recover_RawReadCrc", BM_Recover_RawReadCrc,
                 {kFresh, kCold}, kRecoveryScans);
  RegisterStates("BM_Recover_RunnelLog", BM_Recover_RunnelLog, {kFresh, kCold},
                 kRecoveryScans);
  return true;
}

[[maybe_unused]] const bool kRegistered = RegisterAll();

}  // namespace
}  // namespace bench
}  // namespace runnel
