// How a benchmark case says "I checked my own work and it was right" (or
// failed), and how the cases the report runs are registered.
//
// Every case the report (reporter/) reads ends with its own verification —
// record counts, the log end offset, a checksum of what was read — and only
// then calls MarkVerified. The report prints a figure only when every
// repetition of its case carries verified = 1 and no error: a case that
// failed its check calls state.SkipWithError instead, so a broken fast path
// can never show up as a good number.
//
//   if (read->records != expected) {
//     state.SkipWithError("wrong record count");
//     return;
//   }
//   runnel::bench::MarkVerified(state);
//
// Thread-safety: call from the benchmark's main thread, like any counter.
#ifndef RUNNEL_BENCHMARKS_BENCH_CHECKS_H_
#define RUNNEL_BENCHMARKS_BENCH_CHECKS_H_

#include <string>

#include "absl/status/status.h"
#include "benchmark/benchmark.h"

namespace runnel {
namespace bench {

// The counter's name; reporter/results.h reads it.
inline constexpr char kVerifiedCounter[] = "verified";

inline void MarkVerified(benchmark::State& state) {
  state.counters[kVerifiedCounter] = 1;
}

// `b` with a fixed iteration count, wall-clock time and milliseconds: how
// every case the report runs is registered (each iteration is a whole pass
// over a workload, timed by the clock on the wall).
inline benchmark::internal::Benchmark* Fixed(benchmark::internal::Benchmark* b,
                                             int iterations = 1) {
  return b->Iterations(iterations)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
}

// Ends the case with `s`'s message if it is an error (true then):
//   if (Failed(state, log.status())) return;
inline bool Failed(benchmark::State& state, const absl::Status& s) {
  if (s.ok()) return false;
  state.SkipWithError(std::string(s.message()).c_str());
  return true;
}

}  // namespace bench
}  // namespace runnel

#endif  // RUNNEL_BENCHMARKS_BENCH_CHECKS_H_
