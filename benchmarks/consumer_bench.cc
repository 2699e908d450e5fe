// Copyright 2026 The Runnel Authors.
//
// consumer_bench — runnel::Consumer against the limits and the peer its
// acceptance names, in one binary, on log_bench's workload
// (log_bench_peers.h): records with a null key and a 100-byte value, one
// topic "t" with ONE partition.
//
//   ./bazelw run --config=opt //benchmarks:consumer_bench --
//       --benchmark_repetitions=3 --benchmark_display_aggregates_only=true
//   (one line)
//
// Sequential consume (1 iteration = one pass over the whole partition,
// kPasses (or RUNNEL_BENCH_READ_PASSES) passes per run, wall-clock time; the
// partition holds RUNNEL_BENCH_READ_BYTES of 1,000-record batches, default
// 256M: 2,419 batches, 2,419,000 records, appended with Partition::Append on
// the POSIX file system and read once, untimed, before the passes):
//   BM_Consume_RunnelConsumer/max_poll_records:<n>
//                                 a new Consumer per pass (no group.id,
//                                 earliest, no auto-commit, max.poll.records
//                                 n: 100,000 for the bar, 500 = Kafka's
//                                 default; max.partition.fetch.bytes 8 MiB)
//                                 Polls until it has every record, summing
//                                 value sizes and reading each value's first
//                                 byte. Every batch is CRC-checked (Log::Read).
//                                 page_faults_per_pass: the process's page
//                                 faults during the passes, per pass;
//                                 empty_polls: Poll(0) calls that returned
//                                 nothing before the end (retried; noted on
//                                 stderr).
//   BM_Consume_RawCrcOfRunnelLog  RawReadCrc/prefaulted over that partition's
//                                 segment file: batch headers + CRC32C, the
//                                 limit (same bytes).
//   BM_Consume_RocksDbReadseq     RocksDbStore::ReadSeq over the same record
//                                 count (fillseq + flush first): the peer.
//
// Produce -> consume latency (1 iteration = one run of kWarmupRecords +
// RUNNEL_BENCH_LATENCY_RECORDS (default 100,000) records sent at
// kRatePerSecond by a sender thread and received by the benchmark thread;
// the first kWarmupRecords are not counted). Latency is
// measured from each record's INTENDED send time (Schedule::Due), so a late
// sender is charged (coordinated-omission correction); p50/p99/p99.9/max/
// mean in µs as counters, a log2 histogram per run on stderr.
//   BM_Latency_RingSpin           floor: the index pushed into an SPSC ring;
//                                 the receiver spins on it.
//   BM_Latency_RingCondVar        floor: the same ring; the sender signals a
//                                 condition variable (runnel::CondVar, i.e.
//                                 std::condition_variable: a futex) under its
//                                 mutex after every push, the receiver waits
//                                 on it when the ring is empty.
//   BM_Latency_Runnel/spin        the sender appends a pre-encoded 1-record
//                                 batch with Partition::Append (no Producer);
//                                 the receiver Polls a Consumer with
//                                 poll_spin 1 s (it never blocks at 20k/s).
//   BM_Latency_Runnel/block       the same with poll_spin 0 (Poll blocks on
//                                 the partition's notifier at once).
//   BM_Latency_RunnelProducer/<mode>
//                                 as BM_Latency_Runnel, sending through a
//                                 Producer (linger.ms 0, no callback) instead:
//                                 one more thread (the producer's sender).
//
// RUNNEL_BENCH_VALUE_BYTES sets the value size (default 100). Every case
// sets verified = 1 once its own checks passed (bench_checks.h): record
// counts and offsets, and for the consume cases a checksum of the values
// read against the workload's.
//
// Files go under RUNNEL_BENCH_DIR, else $TEST_TMPDIR, else /tmp, and are
// removed after each case.
#include <sched.h>
#include <sys/resource.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "benchmarks/bench_checks.h"
#include "benchmarks/consumer_bench_latency.h"
#include "benchmarks/log_bench_peers.h"
#include "benchmarks/log_bench_runnel.h"
#include "log/format.h"
#include "runnel/admin.h"
#include "runnel/broker.h"
#include "runnel/consumer.h"
#include "runnel/producer.h"
#include "util/mutex.h"

namespace runnel {
namespace bench {
namespace {

constexpr size_t kDefaultBytes = size_t{256} << 20;
constexpr char kTopic[] = "t";
constexpr int kPasses = 5;
constexpr int kMaxPollRecords = 100000;
constexpr size_t kFetchBytes = size_t{8} << 20;
constexpr int64_t kRatePerSecond = 20000;
constexpr int64_t kWarmupRecords = 1000;
constexpr int64_t kDefaultLatencyRecords = 100000;  // 5 s at kRatePerSecond

// Records per latency run, warm-up included.
absl::StatusOr<int64_t> LatencyRecords() {
  absl::StatusOr<int64_t> n =
      CountFromEnv("RUNNEL_BENCH_LATENCY_RECORDS", kDefaultLatencyRecords);
  if (!n.ok()) return n.status();
  return *n + kWarmupRecords;
}

void ReportRecords(benchmark::State& state, int64_t records_per_iteration) {
  const int64_t records =
      static_cast<int64_t>(state.iterations()) * records_per_iteration;
  state.SetItemsProcessed(records);
  state.SetBytesProcessed(records * static_cast<int64_t>(WorkloadValueBytes()));
}

// Page faults (minor + major) this process has taken so far.
int64_t PageFaults() {
  struct rusage usage;
  if (::getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return usage.ru_minflt + usage.ru_majflt;
}

// A broker in a fresh directory with topic kTopic of one partition
// (retention.ms -1).
struct Fixture {
  Workload workload;
  std::unique_ptr<BenchDir> dir;
  std::unique_ptr<Broker> broker;
  std::shared_ptr<Partition> partition;
  int64_t batches = 0;  // of the read workload

  int64_t records() const { return batches * kRecordsPerBatch; }
  std::string data_dir() const { return dir->File("broker"); }
};

absl::StatusOr<Fixture> OpenFixture() {
  Fixture f;
  absl::StatusOr<Workload> workload = MakeWorkload();
  if (!workload.ok()) return workload.status();
  f.workload = *std::move(workload);
  absl::StatusOr<std::unique_ptr<BenchDir>> dir = BenchDir::Create();
  if (!dir.ok()) return dir.status();
  f.dir = *std::move(dir);
  absl::StatusOr<size_t> bytes =
      BytesFromEnv("RUNNEL_BENCH_READ_BYTES", kDefaultBytes);
  if (!bytes.ok()) return bytes.status();
  f.batches = static_cast<int64_t>(*bytes / f.workload.batch.size());
  if (f.batches == 0) {
    return absl::InvalidArgumentError("RUNNEL_BENCH_READ_BYTES < 1 batch");
  }
  BrokerOptions options;
  options.data_dir = f.data_dir();
  absl::StatusOr<std::unique_ptr<Broker>> broker = Broker::Open(options);
  if (!broker.ok()) return broker.status();
  f.broker = *std::move(broker);
  // The workload's record timestamps are from 2023: with Kafka's default
  // retention.ms (7 days) the broker's maintenance deletes them mid-run.
  if (absl::Status s =
          Admin(f.broker.get())
              .CreateTopic(NewTopic(kTopic, 1, -1, {{"retention.ms", "-1"}}));
      !s.ok()) {
    return s;
  }
  absl::StatusOr<std::shared_ptr<Partition>> partition =
      f.broker->GetPartition(kTopic, 0);
  if (!partition.ok()) return partition.status();
  f.partition = *std::move(partition);
  return f;
}

// Appends the read workload: f.batches copies of the 1,000-record batch.
absl::Status Fill(Fixture& f) {
  for (int64_t i = 0; i < f.batches; ++i) {
    absl::Status s = f.partition->Append(f.workload.batch).status();
    if (!s.ok()) return s;
  }
  if (f.partition->high_watermark() != f.records()) {
    return absl::InternalError("partition: wrong high watermark after fill");
  }
  return absl::OkStatus();
}

ConsumerOptions NoGroupEarliest(int max_poll_records = kMaxPollRecords) {
  ConsumerOptions options;
  options.auto_offset_reset = OffsetReset::kEarliest;
  options.enable_auto_commit = false;
  options.max_poll_records = max_poll_records;
  options.max_partition_fetch_bytes = kFetchBytes;
  return options;
}

// What the partition says about `offset` when Poll(0) returned nothing
// there: offsets, segments, and what a direct Fetch returns.
std::string Diagnose(Partition& partition, int64_t offset) {
  std::string out = absl::StrCat(
      "log start ", partition.log_start_offset(), ", high watermark ",
      partition.high_watermark(), ", log end ", partition.log_end_offset());
  if (std::shared_ptr<Log> log = partition.log()) {
    absl::StrAppend(&out, ", segments ", log->segment_count(), " (",
                    log->open_segment_count(), " open), ", log->size_bytes(),
                    " bytes");
  }
  for (size_t max_bytes : {kFetchBytes, size_t{1} << 20}) {
    absl::StatusOr<FetchResult> f = partition.Fetch(offset, max_bytes);
    absl::StrAppend(&out, "; Fetch(", offset, ", ", max_bytes, "): ");
    if (!f.ok()) {
      absl::StrAppend(&out, f.status().ToString());
    } else {
      absl::StrAppend(&out, f->read.batches.size(), " batches");
    }
  }
  return out;
}

struct Pass {
  int64_t sum = 0;          // value sizes + each value's first byte
  int64_t empty_polls = 0;  // Poll(0) calls that returned nothing mid-log
};

// One pass: a new Consumer reads all `records` records of kTopic-0, touching
// every record and value. A Poll(0) that returns nothing before the end is
// counted, noted on stderr and retried (three in a row fail the pass).
absl::StatusOr<Pass> ConsumeAll(Broker* broker, Partition& partition,
                                int64_t records, int max_poll_records) {
  absl::StatusOr<std::unique_ptr<Consumer>> consumer =
      Consumer::Create(broker, NoGroupEarliest(max_poll_records));
  if (!consumer.ok()) return consumer.status();
  if (absl::Status s = (*consumer)->Assign({{kTopic, 0}}); !s.ok()) return s;
  Pass pass;
  int empty_in_a_row = 0;
  for (int64_t seen = 0; seen < records;) {
    absl::StatusOr<ConsumerRecords> polled =
        (*consumer)->Poll(absl::ZeroDuration());
    if (!polled.ok()) return polled.status();
    if (polled->empty()) {
      ++pass.empty_polls;
      std::fprintf(
          stderr, "note: Poll(0) returned nothing at offset %lld: %s\n",
          static_cast<long long>(seen), Diagnose(partition, seen).c_str());
      if (++empty_in_a_row == 3) {
        return absl::DataLossError(
            absl::StrCat("Poll: nothing at ", seen, " three times in a row"));
      }
      continue;
    }
    empty_in_a_row = 0;
    for (const ConsumerRecord& r : *polled) {
      if (r.offset != seen || !r.value.has_value() || r.value->empty()) {
        return absl::DataLossError(
            absl::StrCat("record ", r.offset, " where ", seen, " was due"));
      }
      pass.sum += static_cast<int64_t>(r.value->size()) +
                  static_cast<unsigned char>(r.value->front());
      ++seen;
    }
  }
  return pass;
}

// --- Sequential consume. ---

void BM_Consume_RunnelConsumer(benchmark::State& state) {
  absl::StatusOr<Fixture> f = OpenFixture();
  if (Failed(state, f.status())) return;
  if (Failed(state, Fill(*f))) return;
  const int64_t records = f->records();
  const int max_poll_records = static_cast<int>(state.range(0));
  // One untimed pass: the segment's read mapping is faulted in, as with
  // RawReadCrc/prefaulted.
  absl::StatusOr<Pass> expected =
      ConsumeAll(f->broker.get(), *f->partition, records, max_poll_records);
  if (Failed(state, expected.status())) return;
  // Value sizes + first bytes are ValueChecksum: known from the workload.
  if (static_cast<uint64_t>(expected->sum) !=
      static_cast<uint64_t>(f->batches) * f->workload.ValuesChecksum()) {
    state.SkipWithError("consumer: the values read are not those appended");
    return;
  }
  int64_t empty_polls = expected->empty_polls;
  const int64_t faults_before = PageFaults();
  for (auto _ : state) {
    absl::StatusOr<Pass> pass =
        ConsumeAll(f->broker.get(), *f->partition, records, max_poll_records);
    if (Failed(state, pass.status())) return;
    empty_polls += pass->empty_polls;
    if (pass->sum != expected->sum) {
      state.SkipWithError("consumer: a pass read different values");
      return;
    }
  }
  MarkVerified(state);
  state.counters["empty_polls"] = static_cast<double>(empty_polls);
  state.counters["page_faults_per_pass"] =
      static_cast<double>(PageFaults() - faults_before) /
      static_cast<double>(state.iterations());
  ReportRecords(state, records);
}

void BM_Consume_RawCrcOfRunnelLog(benchmark::State& state) {
  absl::StatusOr<Fixture> f = OpenFixture();
  if (Failed(state, f.status())) return;
  if (Failed(state, Fill(*f))) return;
  absl::StatusOr<std::string> name =
      format::SegmentFileName(0, format::kLogFileSuffix);
  if (Failed(state, name.status())) return;
  absl::StatusOr<std::unique_ptr<RawReadCrc>> reader =
      RawReadCrc::Create(absl::StrCat(f->data_dir(), "/", kTopic, "-0/", *name),
                         PageState::kPrefaulted);
  if (Failed(state, reader.status())) return;
  const uint64_t crc_sum =
      static_cast<uint64_t>(f->batches) * StoredCrc(f->workload.batch);
  for (auto _ : state) {
    absl::StatusOr<ScanResult> scan = (*reader)->Scan();
    if (Failed(state, scan.status())) return;
    if (scan->records != f->records() || scan->crc_sum != crc_sum) {
      state.SkipWithError("RawReadCrc: scan found the wrong records");
      return;
    }
  }
  MarkVerified(state);
  ReportRecords(state, f->records());
}

void BM_Consume_RocksDbReadseq(benchmark::State& state) {
  absl::StatusOr<Fixture> f = OpenFixture();  // for sizes and the directory
  if (Failed(state, f.status())) return;
  absl::StatusOr<std::unique_ptr<RocksDbStore>> rocks =
      RocksDbStore::Create(f->dir->File("rocksdb"));
  if (Failed(state, rocks.status())) return;
  for (int64_t i = 0; i < f->batches; ++i) {
    if (Failed(state, (*rocks)->AppendBatch(f->workload.values))) return;
  }
  if (Failed(state, (*rocks)->Flush())) return;
  for (auto _ : state) {
    absl::StatusOr<ScanResult> scan = (*rocks)->ReadSeq();
    if (Failed(state, scan.status())) return;
    if (scan->records != f->records()) {
      state.SkipWithError("RocksDB readseq: wrong record count");
      return;
    }
  }
  MarkVerified(state);
  ReportRecords(state, f->records());
}

// --- Latency floors. ---

// Runs `send(i)` for every record at its due time on a new thread and
// returns its first error (the rest are not sent).
class Sender {
 public:
  Sender(const Schedule& schedule, int64_t records,
         std::function<absl::Status(int64_t)> send)
      : late_(records, schedule.warmup()),
        took_(records, schedule.warmup()),
        send_(std::move(send)),
        thread_([this, &schedule, records] {
          for (int64_t i = 0; i < records; ++i) {
            const int64_t due = schedule.Due(i);
            const int64_t start = WaitUntilNs(due);
            late_.Add(i, start - due);
            absl::Status s = send_(i);
            took_.Add(i, NowNs() - start);
            if (!s.ok()) {
              status_ = std::move(s);
              failed_.store(true);
              return;
            }
          }
        }) {}
  ~Sender() {
    if (thread_.joinable()) thread_.join();
  }
  bool failed() const { return failed_.load(); }
  // Joins the thread; sets counters send_late_p50_us/p99_us (how late the
  // sender started its sends: the part of the latency that is the
  // scheduler's) and send_p50_us/p99.9_us/max_us (how long sends took).
  absl::Status Join(benchmark::State& state) {
    thread_.join();
    state.counters["send_late_p50_us"] = late_.PercentileUs(0.5);
    state.counters["send_late_p99_us"] = late_.PercentileUs(0.99);
    state.counters["send_p50_us"] = took_.PercentileUs(0.5);
    state.counters["send_p99.9_us"] = took_.PercentileUs(0.999);
    state.counters["send_max_us"] = took_.PercentileUs(1.0);
    return status_;
  }

 private:
  LatencyLog late_;  // start of each send - its due time
  LatencyLog took_;  // end of each send - its start
  absl::Status status_;
  std::atomic<bool> failed_{false};
  const std::function<absl::Status(int64_t)> send_;
  std::thread thread_;  // last: starts once the rest is built
};

// The floors' receivers check what they pop: records must arrive in order.
// (They keep draining after a mismatch, so the sender never blocks on a
// full ring.)
absl::Status CheckOrder(int64_t popped, int64_t want) {
  if (popped == want) return absl::OkStatus();
  return absl::DataLossError(
      absl::StrCat("ring: popped ", popped, ", expected ", want));
}

void BM_Latency_RingSpin(benchmark::State& state) {
  absl::StatusOr<int64_t> records = LatencyRecords();
  if (Failed(state, records.status())) return;
  for (auto _ : state) {
    SpscRing ring(size_t{1} << 17);
    Schedule schedule(kRatePerSecond, kWarmupRecords);
    LatencyLog log(*records, kWarmupRecords);
    Sender sender(schedule, *records, [&](int64_t i) {
      while (!ring.TryPush(i)) ::sched_yield();
      return absl::OkStatus();
    });
    absl::Status received;
    for (int64_t got = 0; got < *records;) {
      int64_t i;
      if (ring.TryPop(&i)) {
        log.Add(i, NowNs() - schedule.Due(i));
        if (received.ok()) received = CheckOrder(i, got);
        ++got;
      } else {
        CpuRelax();
      }
    }
    if (Failed(state, sender.Join(state)) || Failed(state, received)) return;
    log.Report(state, "BM_Latency_RingSpin");
  }
  MarkVerified(state);
  ReportRecords(state, *records);
}

void BM_Latency_RingCondVar(benchmark::State& state) {
  absl::StatusOr<int64_t> records = LatencyRecords();
  if (Failed(state, records.status())) return;
  for (auto _ : state) {
    SpscRing ring(size_t{1} << 17);
    Mutex mu;
    CondVar pushed;
    Schedule schedule(kRatePerSecond, kWarmupRecords);
    LatencyLog log(*records, kWarmupRecords);
    Sender sender(schedule, *records, [&](int64_t i) {
      while (!ring.TryPush(i)) ::sched_yield();
      MutexLock lock(&mu);  // a receiver that saw it empty is waiting now
      pushed.Signal();
      return absl::OkStatus();
    });
    absl::Status received;
    for (int64_t got = 0; got < *records;) {
      int64_t i;
      if (ring.TryPop(&i)) {
        log.Add(i, NowNs() - schedule.Due(i));
        if (received.ok()) received = CheckOrder(i, got);
        ++got;
        continue;
      }
      MutexLock lock(&mu);
      while (ring.Empty()) pushed.Wait(&mu);
    }
    if (Failed(state, sender.Join(state)) || Failed(state, received)) return;
    log.Report(state, "BM_Latency_RingCondVar");
  }
  MarkVerified(state);
  ReportRecords(state, *records);
}

// --- Runnel latency. ---

struct RunnelLatencyCase {
  bool spin;          // poll_spin 1 s, else 0
  bool use_producer;  // Producer::Send (linger 0), else Partition::Append
  const char* name;
};

// Receives `records` records with `consumer`, logging each one's latency
// from its due time (record i = offset i).
absl::Status ReceiveAll(Consumer& consumer, const Schedule& schedule,
                        const Sender& sender, int64_t records,
                        LatencyLog* log) {
  for (int64_t got = 0; got < records;) {
    absl::StatusOr<ConsumerRecords> polled = consumer.Poll(absl::Seconds(1));
    if (!polled.ok()) return polled.status();
    const int64_t now = NowNs();
    if (polled->empty() && sender.failed()) return absl::OkStatus();
    for (const ConsumerRecord& r : *polled) {
      if (r.offset != got) {
        return absl::DataLossError(
            absl::StrCat("latency: offset ", r.offset, ", expected ", got));
      }
      log->Add(r.offset, now - schedule.Due(r.offset));
      ++got;
    }
  }
  return absl::OkStatus();
}

void BM_Latency_Runnel(benchmark::State& state, RunnelLatencyCase c) {
  absl::StatusOr<int64_t> records = LatencyRecords();
  if (Failed(state, records.status())) return;
  for (auto _ : state) {
    absl::StatusOr<Fixture> f = OpenFixture();
    if (Failed(state, f.status())) return;
    absl::StatusOr<std::string> batch = SmallBatch(f->workload, 1);
    if (Failed(state, batch.status())) return;
    ConsumerOptions options = NoGroupEarliest();
    options.poll_spin = c.spin ? absl::Seconds(1) : absl::ZeroDuration();
    absl::StatusOr<std::unique_ptr<Consumer>> consumer =
        Consumer::Create(f->broker.get(), options);
    if (Failed(state, consumer.status())) return;
    if (Failed(state, (*consumer)->Assign({{kTopic, 0}}))) return;
    std::unique_ptr<Producer> producer;
    if (c.use_producer) {
      ProducerOptions producer_options;
      producer_options.linger = absl::ZeroDuration();
      absl::StatusOr<std::unique_ptr<Producer>> p =
          Producer::Create(f->broker.get(), producer_options);
      if (Failed(state, p.status())) return;
      producer = *std::move(p);
    }
    const absl::string_view value(f->workload.values[0]);
    Schedule schedule(kRatePerSecond, kWarmupRecords);
    LatencyLog log(*records, kWarmupRecords);
    Sender sender(schedule, *records, [&](int64_t) {
      if (producer == nullptr) return f->partition->Append(*batch).status();
      ProducerRecord record;
      record.topic = kTopic;
      record.partition = 0;
      record.value = value;
      return producer->Send(record, nullptr);
    });
    absl::Status received =
        ReceiveAll(**consumer, schedule, sender, *records, &log);
    absl::Status sent = sender.Join(state);
    if (Failed(state, sent) || Failed(state, received)) return;
    if (producer != nullptr && Failed(state, producer->Close())) return;
    if (static_cast<int64_t>(log.size()) != *records - kWarmupRecords) {
      state.SkipWithError("latency: records missing");
      return;
    }
    log.Report(state, c.name);
  }
  MarkVerified(state);
  ReportRecords(state, *records);
}

// The work on the latency path, without the threads: one thread appends a
// pre-encoded 1-record batch (and, with `poll`, Polls it back) per
// iteration. What a record costs between its Append and its return from
// Poll, with no scheduler in the way.
void BM_RoundTrip(benchmark::State& state, bool poll) {
  absl::StatusOr<Fixture> f = OpenFixture();
  if (Failed(state, f.status())) return;
  absl::StatusOr<std::string> batch = SmallBatch(f->workload, 1);
  if (Failed(state, batch.status())) return;
  absl::StatusOr<std::unique_ptr<Consumer>> consumer =
      Consumer::Create(f->broker.get(), NoGroupEarliest());
  if (Failed(state, consumer.status())) return;
  if (Failed(state, (*consumer)->Assign({{kTopic, 0}}))) return;
  int64_t next = 0;
  for (auto _ : state) {
    if (Failed(state, f->partition->Append(*batch).status())) return;
    if (!poll) continue;
    absl::StatusOr<ConsumerRecords> polled =
        (*consumer)->Poll(absl::ZeroDuration());
    if (Failed(state, polled.status())) return;
    if (polled->count() != 1 || polled->begin()->offset != next) {
      state.SkipWithError("round trip: Poll did not return the record");
      return;
    }
    ++next;
  }
  MarkVerified(state);
  ReportRecords(state, 1);
}

// Ping-pong across two threads, both spinning: the benchmark thread hands
// record i over and waits until the other thread has it back, so an
// iteration is one full round trip with no pacing and no scheduler sleeps
// (a steadier measure of the cross-core cost than the paced latency cases).
//   BM_PingPong/ring    the floor: i stored to an atomic, the other thread
//                       spins on it and stores the acknowledgement.
//   BM_PingPong/runnel  Partition::Append of a 1-record batch; the other
//                       thread Polls it (poll_spin) and acknowledges.
void BM_PingPong(benchmark::State& state, bool runnel) {
  absl::StatusOr<Fixture> f = OpenFixture();
  if (Failed(state, f.status())) return;
  absl::StatusOr<std::string> batch = SmallBatch(f->workload, 1);
  if (Failed(state, batch.status())) return;
  ConsumerOptions options = NoGroupEarliest();
  options.poll_spin = absl::Seconds(1);
  absl::StatusOr<std::unique_ptr<Consumer>> consumer =
      Consumer::Create(f->broker.get(), options);
  if (Failed(state, consumer.status())) return;
  if (Failed(state, (*consumer)->Assign({{kTopic, 0}}))) return;
  alignas(kCacheLineBytes) std::atomic<int64_t> sent{-1};
  alignas(kCacheLineBytes) std::atomic<int64_t> acked{-1};
  std::atomic<bool> stop{false};
  std::atomic<bool> failed{false};
  absl::Status received;  // the other thread's; read after it stopped
  absl::Status appended;
  std::thread other([&] {
    for (int64_t want = 0; !stop.load(std::memory_order_relaxed);) {
      if (!runnel) {
        if (sent.load(std::memory_order_acquire) < want) {
          CpuRelax();
          continue;
        }
        acked.store(want++, std::memory_order_release);
        continue;
      }
      absl::StatusOr<ConsumerRecords> polled =
          (*consumer)->Poll(absl::Seconds(1));
      if (absl::IsCancelled(polled.status())) return;  // Wakeup: done
      if (!polled.ok()) {
        received = polled.status();
        failed.store(true);
        return;
      }
      for (const ConsumerRecord& r : *polled) {
        if (r.offset != want) {
          received = absl::DataLossError(absl::StrCat(
              "ping-pong: offset ", r.offset, ", expected ", want));
          failed.store(true);
          return;
        }
        acked.store(want++, std::memory_order_release);
      }
    }
  });
  int64_t next = 0;
  for (auto _ : state) {
    if (runnel) {
      absl::StatusOr<AppendInfo> info = f->partition->Append(*batch);
      if (!info.ok()) {
        appended = info.status();
        break;
      }
    } else {
      sent.store(next, std::memory_order_release);
    }
    while (acked.load(std::memory_order_acquire) < next) {
      if (failed.load(std::memory_order_relaxed)) break;
      CpuRelax();
    }
    ++next;
  }
  stop.store(true);
  (*consumer)->Wakeup();
  other.join();
  if (Failed(state, appended) || Failed(state, received)) return;
  MarkVerified(state);
  ReportRecords(state, 1);
}

// --- Registration. ---

bool RegisterAll() {
  // max.poll.records 100,000, then Kafka's default (the case of the bar).
  Fixed(benchmark::RegisterBenchmark("BM_Consume_RunnelConsumer",
                                     BM_Consume_RunnelConsumer)
            ->ArgName("max_poll_records")
            ->Arg(kMaxPollRecords)
            ->Arg(500),
        ReadPasses(kPasses));
  Fixed(benchmark::RegisterBenchmark("BM_Consume_RawCrcOfRunnelLog",
                                     BM_Consume_RawCrcOfRunnelLog),
        ReadPasses(kPasses));
  Fixed(benchmark::RegisterBenchmark("BM_Consume_RocksDbReadseq",
                                     BM_Consume_RocksDbReadseq),
        ReadPasses(kPasses));
  benchmark::RegisterBenchmark("BM_RoundTrip/append", BM_RoundTrip, false)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_RoundTrip/append_poll", BM_RoundTrip, true)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_PingPong/ring", BM_PingPong, false)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_PingPong/runnel", BM_PingPong, true)
      ->Unit(benchmark::kMicrosecond);
  Fixed(
      benchmark::RegisterBenchmark("BM_Latency_RingSpin", BM_Latency_RingSpin),
      1);
  Fixed(benchmark::RegisterBenchmark("BM_Latency_RingCondVar",
                                     BM_Latency_RingCondVar),
        1);
  for (RunnelLatencyCase c : {
           RunnelLatencyCase{true, false, "BM_Latency_Runnel/spin"},
           RunnelLatencyCase{false, false, "BM_Latency_Runnel/block"},
           RunnelLatencyCase{true, true, "BM_Latency_RunnelProducer/spin"},
           RunnelLatencyCase{false, true, "BM_Latency_RunnelProducer/block"},
       }) {
    Fixed(benchmark::RegisterBenchmark(c.name, BM_Latency_Runnel, c), 1);
  }
  return true;
}

[[maybe_unused]] const bool kRegistered = RegisterAll();

}  // namespace
}  // namespace bench
}  // namespace runnel
