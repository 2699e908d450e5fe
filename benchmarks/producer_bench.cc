// Copyright 2026 The Runnel Authors.
//
// producer_bench — runnel::Producer against the log-level append it sits on
// and the peers its acceptance names, in one binary, on log_bench's workload
// (log_bench_peers.h): records with a null key and a 100-byte value
// (random 'A'..'Z'), one topic "t" with ONE partition (so the producer
// writes exactly one log, like the log-level denominator; with more
// partitions the sticky partitioner still fills one batch at a time).
//
//   ./bazelw run --config=opt //benchmarks:producer_bench --
//       --benchmark_repetitions=3 --benchmark_display_aggregates_only=true
//   (one line)
//
// Cases (every one fills a new store with RUNNEL_BENCH_APPEND_BYTES worth of
// the log_bench batches — default 256M: 2,419 batches, 2,419,000 records —
// except the paced latency cases; 1 iteration = 1 run, wall-clock time):
//   BM_LogAppend_Batched        Log::Append of the pre-encoded 1,000-record
//                               batch to a new log (default LogOptions): the
//                               denominator of the 50% bar.
//   BM_Lmdb_Append/nosync       LmdbAppend (MDB_APPEND, MDB_NOSYNC), one txn
//                               per 1,000 records.
//   BM_ProducerSend/<opt>/threads:<n>
//                               n threads share one Producer, each Sends its
//                               share of the records one by one (no
//                               callback), then Flush — all timed. <opt>:
//                               `default` = Kafka's defaults (batch.size 16
//                               KiB, linger.ms 5, acks=all, idempotence on,
//                               buffer.memory 32 MiB); `batch1M` = the same
//                               with batch.size 1 MiB.
//   BM_RawWriteFdatasync/<state>
//                               RawWriteFdatasync: pwrite of each batch,
//                               fdatasync every 10,000 records (fresh = a
//                               new file; prefaulted = over written blocks).
//   BM_ProducerSendSync/threads:<n>
//                               as BM_ProducerSend with sync_before_ack (an
//                               ack after Partition::Sync, group commit),
//                               batch.size = 10,000 records' worth of the
//                               workload (1.1 MB at 100 B values; topic
//                               max.message.bytes raised to twice that),
//                               and a callback per record counting acks.
//   BM_ProducerSendLatency/<opt>/<rate>
//                               one thread, a callback per record taking
//                               Send -> callback latency (steady_clock);
//                               p50/p99/p99.9/max in microseconds. Paced
//                               cases send at a fixed rate and measure from
//                               each record's scheduled time (no coordinated
//                               omission); `saturated` sends flat out and
//                               measures from the Send call.
// items_per_second = records/s; bytes_per_second = value bytes (100/record);
// records_per_batch = records / batches found in the partition afterwards;
// send_cpu_ns = CPU time of the sending threads per record (the Send path
// alone); process_cpu_ns = CPU time of the whole process per record during
// the run (Send, the producer's sender thread, the Log's prefaulter, page
// faults); verified = 1 once the case's own checks passed (bench_checks.h).
// RUNNEL_BENCH_VALUE_BYTES sets the value size (default 100).
//
// Files go under RUNNEL_BENCH_DIR, else $TEST_TMPDIR, else /tmp, and are
// removed after each case.
#include <sched.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "benchmarks/bench_checks.h"
#include "benchmarks/log_bench_peers.h"
#include "runnel/admin.h"
#include "runnel/broker.h"
#include "runnel/log.h"
#include "runnel/producer.h"

namespace runnel {
namespace bench {
namespace {

constexpr size_t kDefaultBytes = size_t{256} << 20;
constexpr char kTopic[] = "t";

// batch.size of the sync cases: kRecordsPerSync records of the workload
// (1,110,000 bytes at 100 B values), as the raw loop fdatasyncs every
// kRecordsPerSync records.
size_t SyncBatchBytes(const Workload& workload) {
  return workload.batch.size() * (kRecordsPerSync / kRecordsPerBatch);
}

// The workload, a fresh directory, the record count of one run.
struct Setup {
  Workload workload;
  std::unique_ptr<BenchDir> dir;
  int64_t batches = 0;

  int64_t records() const { return batches * kRecordsPerBatch; }
  size_t capacity() const {
    return static_cast<size_t>(batches) * workload.batch.size();
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
  absl::StatusOr<size_t> bytes =
      BytesFromEnv("RUNNEL_BENCH_APPEND_BYTES", kDefaultBytes);
  if (!bytes.ok()) return bytes.status();
  setup.batches = static_cast<int64_t>(*bytes / setup.workload.batch.size());
  if (setup.batches == 0) {
    return absl::InvalidArgumentError("RUNNEL_BENCH_APPEND_BYTES < 1 batch");
  }
  return setup;
}

void ReportRecords(benchmark::State& state, int64_t records_per_iteration) {
  const int64_t records =
      static_cast<int64_t>(state.iterations()) * records_per_iteration;
  state.SetItemsProcessed(records);
  state.SetBytesProcessed(records * static_cast<int64_t>(WorkloadValueBytes()));
}

// CPU time of the calling thread / of the whole process, in nanoseconds.
int64_t CpuNs(clockid_t clock) {
  struct timespec ts;
  if (::clock_gettime(clock, &ts) != 0) return 0;
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// Per-record CPU counters: the sending threads' (Send alone) and the whole
// process's (Send, the sender thread, the Log's prefaulter, ...).
void ReportCpu(benchmark::State& state, int64_t records, int64_t send_cpu_ns,
               int64_t process_cpu_ns) {
  if (records <= 0) return;
  const double n = static_cast<double>(records);
  if (send_cpu_ns > 0) {
    state.counters["send_cpu_ns"] = static_cast<double>(send_cpu_ns) / n;
  }
  state.counters["process_cpu_ns"] = static_cast<double>(process_cpu_ns) / n;
}

// --- Denominators and peers. ---

void BM_LogAppend_Batched(benchmark::State& state) {
  absl::StatusOr<Setup> setup = MakeSetup();
  if (Failed(state, setup.status())) return;
  absl::StatusOr<std::unique_ptr<Log>> log =
      Log::Open(setup->dir->File("log"), LogOptions());
  if (Failed(state, log.status())) return;
  const std::string& batch = setup->workload.batch;
  int64_t process_cpu_ns = 0;
  for (auto _ : state) {
    const int64_t start = CpuNs(CLOCK_PROCESS_CPUTIME_ID);
    for (int64_t i = 0; i < setup->batches; ++i) {
      if (Failed(state, (*log)->Append(batch).status())) return;
    }
    process_cpu_ns += CpuNs(CLOCK_PROCESS_CPUTIME_ID) - start;
  }
  const int64_t total = setup->records() * state.iterations();
  if ((*log)->log_end_offset() != total) {
    state.SkipWithError("runnel::Log: wrong log end offset");
    return;
  }
  MarkVerified(state);
  ReportCpu(state, total, 0, process_cpu_ns);
  ReportRecords(state, setup->records());
}

void BM_Lmdb_Append(benchmark::State& state) {
  absl::StatusOr<Setup> setup = MakeSetup();
  if (Failed(state, setup.status())) return;
  LmdbOptions options;
  options.map_size = 2 * setup->capacity() + (size_t{64} << 20);
  absl::StatusOr<std::unique_ptr<LmdbAppend>> lmdb =
      LmdbAppend::Create(setup->dir->File("lmdb"), options);
  if (Failed(state, lmdb.status())) return;
  const std::vector<std::string>& values = setup->workload.values;
  for (auto _ : state) {
    for (int64_t i = 0; i < setup->batches; ++i) {
      if (Failed(state, (*lmdb)->AppendBatch(values))) return;
    }
  }
  absl::StatusOr<int64_t> count = (*lmdb)->CountRecords();
  if (Failed(state, count.status())) return;
  if (*count != setup->records() * state.iterations()) {
    state.SkipWithError("LMDB: mdb_stat disagrees with the records written");
    return;
  }
  MarkVerified(state);
  ReportRecords(state, setup->records());
}

void BM_RawWriteFdatasync(benchmark::State& state, PageState page_state) {
  absl::StatusOr<Setup> setup = MakeSetup();
  if (Failed(state, setup.status())) return;
  absl::StatusOr<std::unique_ptr<RawWriteFdatasync>> raw =
      RawWriteFdatasync::Create(setup->dir->File("raw_sync.log"),
                                setup->capacity() * state.max_iterations,
                                page_state, kRecordsPerSync);
  if (Failed(state, raw.status())) return;
  const std::string& batch = setup->workload.batch;
  for (auto _ : state) {
    for (int64_t i = 0; i < setup->batches; ++i) {
      if (Failed(state, (*raw)->Append(batch))) return;
    }
    if (Failed(state, (*raw)->Sync())) return;
  }
  if ((*raw)->size() != setup->capacity() * state.iterations()) {
    state.SkipWithError("RawWriteFdatasync: wrong file size");
    return;
  }
  MarkVerified(state);
  state.counters["syncs"] = static_cast<double>((*raw)->syncs());
  ReportRecords(state, setup->records());
}

// --- The producer cases. ---

// A broker in setup.dir with topic kTopic of one partition.
struct BrokerFixture {
  std::unique_ptr<Broker> broker;
  std::shared_ptr<Partition> partition;
};

absl::StatusOr<BrokerFixture> OpenBroker(
    const Setup& setup,
    absl::flat_hash_map<std::string, std::string> topic_configs) {
  BrokerOptions options;
  options.data_dir = setup.dir->File("broker");
  BrokerFixture out;
  absl::StatusOr<std::unique_ptr<Broker>> broker = Broker::Open(options);
  if (!broker.ok()) return broker.status();
  out.broker = *std::move(broker);
  Admin admin(out.broker.get());
  if (absl::Status s =
          admin.CreateTopic(NewTopic(kTopic, 1, -1, std::move(topic_configs)));
      !s.ok()) {
    return s;
  }
  absl::StatusOr<std::shared_ptr<Partition>> partition =
      out.broker->GetPartition(kTopic, 0);
  if (!partition.ok()) return partition.status();
  out.partition = *std::move(partition);
  return out;
}

// Runs fn(begin, end) on `threads` threads (the caller is one of them),
// splitting [0, records) evenly; the first error wins. Adds the sending
// threads' CPU time to *send_cpu_ns.
absl::Status RunThreads(int threads, int64_t records,
                        absl::FunctionRef<absl::Status(int64_t, int64_t)> fn,
                        int64_t* send_cpu_ns) {
  std::vector<absl::Status> results(threads);
  std::vector<int64_t> cpu(threads);
  std::vector<std::thread> others;
  auto slice = [&](int t) {
    const int64_t start = CpuNs(CLOCK_THREAD_CPUTIME_ID);
    results[t] = fn(records * t / threads, records * (t + 1) / threads);
    cpu[t] = CpuNs(CLOCK_THREAD_CPUTIME_ID) - start;
  };
  for (int t = 1; t < threads; ++t) others.emplace_back(slice, t);
  slice(0);
  for (std::thread& thread : others) thread.join();
  for (int64_t ns : cpu) *send_cpu_ns += ns;
  for (absl::Status& s : results) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

ProducerRecord Record(const Workload& workload, int64_t i) {
  ProducerRecord record;
  record.topic = kTopic;
  record.value = absl::string_view(workload.values[i % kRecordsPerBatch]);
  return record;
}

// After a run: the partition holds `records` records, and a read of the
// whole partition finds them all in CRC-checked batches; sets
// records_per_batch.
absl::Status CheckPartition(benchmark::State& state, Partition& partition,
                            int64_t records) {
  if (partition.log_end_offset() != records) {
    return absl::InternalError(absl::StrCat("partition log end offset ",
                                            partition.log_end_offset(),
                                            ", expected ", records));
  }
  int64_t batches = 0;
  int64_t found = 0;
  for (int64_t offset = 0; offset < records;) {
    absl::StatusOr<FetchResult> fetched =
        partition.Fetch(offset, size_t{8} << 20);
    if (!fetched.ok()) return fetched.status();
    if (fetched->read.batches.empty()) break;
    for (absl::string_view batch : fetched->read.batches) {
      const ScanResult scan = ScanBatches(batch);
      if (scan.batches != 1) return absl::DataLossError("bad batch read back");
      // Last offset delta at byte 23 (big-endian int32) + base offset.
      const auto* p = reinterpret_cast<const unsigned char*>(batch.data());
      int64_t base = 0;
      for (int b = 0; b < 8; ++b) base = (base << 8) | p[b];
      uint32_t delta = 0;
      for (int b = 23; b < 27; ++b) delta = (delta << 8) | p[b];
      offset = base + delta + 1;
      ++batches;
      found += scan.records;
    }
  }
  if (found != records) {
    return absl::DataLossError(
        absl::StrCat("read back ", found, " records, expected ", records));
  }
  state.counters["records_per_batch"] =
      batches > 0 ? static_cast<double>(records) / batches : 0;
  return absl::OkStatus();
}

struct SendCase {
  size_t batch_size;  // 0: SyncBatchBytes
  int threads;
  bool sync;  // sync_before_ack, a counting callback, bigger messages
};

absl::Status SendAll(Producer& producer, const Workload& workload,
                     int64_t begin, int64_t end, std::atomic<int64_t>* acked) {
  for (int64_t i = begin; i < end; ++i) {
    SendCallback callback;
    if (acked != nullptr) {
      callback = [acked](absl::StatusOr<RecordMetadata> sent) {
        if (sent.ok()) acked->fetch_add(1, std::memory_order_relaxed);
      };
    }
    if (absl::Status s =
            producer.Send(Record(workload, i), std::move(callback));
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

void BM_ProducerSend(benchmark::State& state, SendCase c) {
  absl::StatusOr<Setup> setup = MakeSetup();
  if (Failed(state, setup.status())) return;
  const size_t batch_size =
      c.batch_size > 0 ? c.batch_size : SyncBatchBytes(setup->workload);
  absl::flat_hash_map<std::string, std::string> configs;
  if (c.sync) configs["max.message.bytes"] = absl::StrCat(2 * batch_size);
  absl::StatusOr<BrokerFixture> fixture = OpenBroker(*setup, configs);
  if (Failed(state, fixture.status())) return;
  ProducerOptions options;
  options.batch_size = batch_size;
  options.sync_before_ack = c.sync;
  absl::StatusOr<std::unique_ptr<Producer>> producer =
      Producer::Create(fixture->broker.get(), options);
  if (Failed(state, producer.status())) return;
  std::atomic<int64_t> acked{0};
  const int64_t records = setup->records();
  int64_t send_cpu_ns = 0;
  int64_t process_cpu_ns = 0;
  for (auto _ : state) {
    const int64_t start = CpuNs(CLOCK_PROCESS_CPUTIME_ID);
    absl::Status s = RunThreads(
        c.threads, records,
        [&](int64_t b, int64_t e) {
          return SendAll(**producer, setup->workload, b, e,
                         c.sync ? &acked : nullptr);
        },
        &send_cpu_ns);
    if (s.ok()) s = (*producer)->Flush();
    process_cpu_ns += CpuNs(CLOCK_PROCESS_CPUTIME_ID) - start;
    if (Failed(state, s)) return;
  }
  if (Failed(state, (*producer)->Close())) return;
  const int64_t total = records * state.iterations();
  if (c.sync && acked.load() != total) {
    state.SkipWithError("producer: not every record was acknowledged");
    return;
  }
  if (Failed(state, CheckPartition(state, *fixture->partition, total))) return;
  MarkVerified(state);
  ReportCpu(state, total, send_cpu_ns, process_cpu_ns);
  ReportRecords(state, records);
}

// The Send path alone, without a second thread competing for the core or
// the caches: each iteration sends 20,000 records into one open batch
// (batch.size 16 MiB, linger.ms an hour), which the sender does not touch
// until the untimed Flush after the loop. Time is the sending thread's CPU
// time, so items_per_second is 1 / (CPU cost of one Send); `callback`
// gives every record a counting callback (as BM_ProducerSendSync does).
void BM_ProducerSendPath(benchmark::State& state, bool callback) {
  constexpr int64_t kRecordsPerIteration = 20000;
  absl::StatusOr<Setup> setup = MakeSetup();
  if (Failed(state, setup.status())) return;
  absl::StatusOr<BrokerFixture> fixture =
      OpenBroker(*setup, {{"max.message.bytes", absl::StrCat(32 << 20)}});
  if (Failed(state, fixture.status())) return;
  ProducerOptions options;
  options.batch_size = size_t{16} << 20;
  options.buffer_memory = size_t{64} << 20;
  options.linger = absl::Hours(1);
  absl::StatusOr<std::unique_ptr<Producer>> producer =
      Producer::Create(fixture->broker.get(), options);
  if (Failed(state, producer.status())) return;
  std::atomic<int64_t> acked{0};
  for (auto _ : state) {
    absl::Status s = SendAll(**producer, setup->workload, 0,
                             kRecordsPerIteration, callback ? &acked : nullptr);
    state.PauseTiming();
    if (s.ok()) s = (*producer)->Flush();
    state.ResumeTiming();
    if (Failed(state, s)) return;
  }
  if (Failed(state, (*producer)->Close())) return;
  const int64_t total =
      kRecordsPerIteration * static_cast<int64_t>(state.iterations());
  if (callback && acked.load() != total) {
    state.SkipWithError("producer: not every record was acknowledged");
    return;
  }
  if (Failed(state, CheckPartition(state, *fixture->partition, total))) return;
  MarkVerified(state);
  ReportRecords(state, kRecordsPerIteration);
}

// --- Latency. ---

struct LatencyCase {
  absl::Duration linger;
  int64_t rate;     // records/s; 0 = flat out
  int64_t records;  // 0 = Setup::records()
};

// Filled by the callbacks, which all run on the sender thread.
struct Latencies {
  std::vector<int64_t> ns;
  int64_t errors = 0;
};

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

absl::Status SendTimed(Producer& producer, const Workload& workload,
                       int64_t records, int64_t rate, Latencies* out) {
  const int64_t start = NowNs();
  for (int64_t i = 0; i < records; ++i) {
    int64_t t = NowNs();
    if (rate > 0) {
      const int64_t due = start + i * 1000000000 / rate;
      // Yield while waiting: on a 2-core machine a pure spin keeps the
      // sender thread off this core for a whole time slice (ms).
      while (t < due) {
        ::sched_yield();
        t = NowNs();
      }
      t = due;
    }
    // Two words: stored inline in the SendCallback (no allocation).
    auto callback = [out, t](absl::StatusOr<RecordMetadata> sent) {
      if (!sent.ok()) ++out->errors;
      out->ns.push_back(NowNs() - t);
    };
    if (absl::Status s = producer.Send(Record(workload, i), callback);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

void ReportLatencies(benchmark::State& state, std::vector<int64_t>& ns) {
  if (ns.empty()) return;
  std::sort(ns.begin(), ns.end());
  auto at = [&](double q) {
    const size_t i = std::min(
        ns.size() - 1, static_cast<size_t>(q * static_cast<double>(ns.size())));
    return static_cast<double>(ns[i]) / 1000.0;
  };
  state.counters["p50_us"] = at(0.5);
  state.counters["p99_us"] = at(0.99);
  state.counters["p99.9_us"] = at(0.999);
  state.counters["max_us"] = static_cast<double>(ns.back()) / 1000.0;
}

void BM_ProducerSendLatency(benchmark::State& state, LatencyCase c) {
  absl::StatusOr<Setup> setup = MakeSetup();
  if (Failed(state, setup.status())) return;
  absl::StatusOr<BrokerFixture> fixture = OpenBroker(*setup, {});
  if (Failed(state, fixture.status())) return;
  ProducerOptions options;
  options.linger = c.linger;
  absl::StatusOr<std::unique_ptr<Producer>> producer =
      Producer::Create(fixture->broker.get(), options);
  if (Failed(state, producer.status())) return;
  const int64_t records = c.records > 0 ? c.records : setup->records();
  Latencies latencies;
  latencies.ns.reserve(static_cast<size_t>(records * state.max_iterations));
  for (auto _ : state) {
    absl::Status s =
        SendTimed(**producer, setup->workload, records, c.rate, &latencies);
    if (s.ok()) s = (*producer)->Flush();
    if (Failed(state, s)) return;
  }
  if (Failed(state, (*producer)->Close())) return;
  const int64_t total = records * state.iterations();
  if (latencies.errors != 0 ||
      static_cast<int64_t>(latencies.ns.size()) != total) {
    state.SkipWithError("producer: callbacks missing or failed");
    return;
  }
  if (Failed(state, CheckPartition(state, *fixture->partition, total))) return;
  MarkVerified(state);
  ReportLatencies(state, latencies.ns);
  ReportRecords(state, records);
}

// --- Registration. ---

bool RegisterAll() {
  Fixed(benchmark::RegisterBenchmark("BM_LogAppend_Batched",
                                     BM_LogAppend_Batched));
  Fixed(benchmark::RegisterBenchmark("BM_Lmdb_Append/nosync", BM_Lmdb_Append));
  for (auto [name, batch_size] : {std::pair{"default", size_t{16384}},
                                  std::pair{"batch1M", size_t{1} << 20}}) {
    for (int threads : {1, 2}) {
      Fixed(benchmark::RegisterBenchmark(
          absl::StrCat("BM_ProducerSend/", name, "/threads:", threads).c_str(),
          BM_ProducerSend, SendCase{batch_size, threads, false}));
    }
  }
  for (bool callback : {false, true}) {
    benchmark::RegisterBenchmark(
        callback ? "BM_ProducerSendPath/callback" : "BM_ProducerSendPath/none",
        BM_ProducerSendPath, callback)
        ->Iterations(100)
        ->Unit(benchmark::kMillisecond);
  }
  for (PageState s : {PageState::kFresh, PageState::kPrefaulted}) {
    Fixed(benchmark::RegisterBenchmark(
        absl::StrCat("BM_RawWriteFdatasync/", PageStateName(s)).c_str(),
        BM_RawWriteFdatasync, s));
  }
  for (int threads : {1, 2}) {
    Fixed(benchmark::RegisterBenchmark(
        absl::StrCat("BM_ProducerSendSync/threads:", threads).c_str(),
        BM_ProducerSend, SendCase{0, threads, true}));
  }
  for (auto [name, c] : {
           std::pair{"linger0/paced:100000",
                     LatencyCase{absl::ZeroDuration(), 100000, 100000}},
           std::pair{"default/paced:100000",
                     LatencyCase{absl::Milliseconds(5), 100000, 100000}},
           std::pair{"default/saturated",
                     LatencyCase{absl::Milliseconds(5), 0, 0}},
       }) {
    Fixed(benchmark::RegisterBenchmark(
        absl::StrCat("BM_ProducerSendLatency/", name).c_str(),
        BM_ProducerSendLatency, c));
  }
  return true;
}

[[maybe_unused]] const bool kRegistered = RegisterAll();

}  // namespace
}  // namespace bench
}  // namespace runnel
