// Copyright 2026 The Runnel Authors.
//
// The latency harness of consumer_bench.cc: a paced sender schedule, the
// single-producer single-consumer ring that the floors hand records through,
// and the latency summary (percentiles and a text histogram).
//
// Coordinated omission: every record i has an intended send time
// Schedule::Due(i), fixed before the run. A sender that falls behind (was
// descheduled, or blocked in an append) sends late but the latency is still
// measured from Due(i), so a stall shows up in every record it delayed, not
// only in the one that hit it.
//
//   runnel::bench::SpscRing ring(size_t{1} << 17);
//   runnel::bench::Schedule schedule(/*rate_per_second=*/20000,
//                                    /*warmup_records=*/1000);
//   std::thread sender([&] {
//     for (int64_t i = 0; i < n; ++i) {
//       runnel::bench::WaitUntilNs(schedule.Due(i));
//       while (!ring.TryPush(i)) sched_yield();
//     }
//   });
//   runnel::bench::LatencyLog log(n, schedule.warmup());
//   for (int64_t got = 0, i; got < n;) {
//     if (!ring.TryPop(&i)) continue;
//     log.Add(i, runnel::bench::NowNs() - schedule.Due(i));
//     ++got;
//   }
//   sender.join();
//   log.Report(state, "BM_Latency_RingSpin");  // counters + stderr histogram
//
// Thread-safety: SpscRing is safe for exactly one pushing and one popping
// thread. Schedule is immutable. LatencyLog is single-threaded.
#ifndef RUNNEL_BENCHMARKS_CONSUMER_BENCH_LATENCY_H_
#define RUNNEL_BENCHMARKS_CONSUMER_BENCH_LATENCY_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "benchmark/benchmark.h"
#include "util/mutex.h"

namespace runnel {
namespace bench {

// steady_clock, in nanoseconds.
int64_t NowNs();

// Waits until NowNs() >= due_ns, yielding the core while it waits: on a
// 2-core machine a pure spin can keep the other thread off this core for a
// whole time slice (the producer_bench pacer does the same). Returns the
// time it stopped waiting.
int64_t WaitUntilNs(int64_t due_ns);

// Record i is due at start + i / rate; start is 2 ms after construction (so
// the receiver is ready before the first send).
class Schedule {
 public:
  Schedule(int64_t rate_per_second, int64_t warmup_records);
  int64_t Due(int64_t i) const { return start_ns_ + i * period_ns_; }
  int64_t warmup() const { return warmup_; }

 private:
  int64_t start_ns_;
  int64_t period_ns_;
  int64_t warmup_;
};

// A bounded single-producer single-consumer queue of int64_t (a power-of-two
// ring; head and tail on their own cache lines).
class SpscRing {
 public:
  explicit SpscRing(size_t capacity_pow2);
  // False if full.
  bool TryPush(int64_t v);
  // False if empty.
  bool TryPop(int64_t* v);
  bool Empty() const;

 private:
  const size_t mask_;
  std::unique_ptr<int64_t[]> slots_;
  alignas(kCacheLineBytes) std::atomic<size_t> head_{0};  // next to pop
  alignas(kCacheLineBytes) std::atomic<size_t> tail_{0};  // next to push
};

// Per-record latencies of one run (records below `warmup` are dropped).
class LatencyLog {
 public:
  LatencyLog(int64_t records, int64_t warmup);
  void Add(int64_t record, int64_t latency_ns) {
    if (record < warmup_) return;
    ns_.push_back(latency_ns);
    sorted_ = false;
  }
  size_t size() const { return ns_.size(); }
  // The q-quantile (0 <= q <= 1) in microseconds; 0 if empty.
  double PercentileUs(double q);
  // Sets counters p50_us, p99_us, p99.9_us, max_us, mean_us and prints a
  // one-line log2 histogram (µs buckets) tagged `name` to stderr.
  void Report(benchmark::State& state, absl::string_view name);

 private:
  int64_t warmup_;
  std::vector<int64_t> ns_;
  bool sorted_ = false;
};

}  // namespace bench
}  // namespace runnel

#endif  // RUNNEL_BENCHMARKS_CONSUMER_BENCH_LATENCY_H_
