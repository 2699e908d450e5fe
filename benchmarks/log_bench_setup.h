// Copyright 2026 The Runnel Authors.
//
// benchmarks/log_bench_setup.h — what the cases of //benchmarks:log_bench
// share (log_bench.cc: appends, reads, recovery; log_bench_open.cc: opening
// idle logs): the sizes from the environment (see log_bench.cc's banner),
// a fresh directory per case, and how a case ends on an error.
#ifndef RUNNEL_BENCHMARKS_LOG_BENCH_SETUP_H_
#define RUNNEL_BENCHMARKS_LOG_BENCH_SETUP_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "benchmark/benchmark.h"
#include "benchmarks/bench_checks.h"
#include "benchmarks/log_bench_peers.h"
#include "benchmarks/log_bench_posix.h"

namespace runnel {
namespace bench {

inline constexpr size_t kDefaultBytes = size_t{256} << 20;
inline constexpr int kReadPasses = 5;
inline constexpr int kRecoveryScans = 3;
// Log::Read's max_bytes in the read cases (a consumer fetch's size).
inline constexpr size_t kReadMaxBytes = size_t{1} << 20;
// BM_OpenIdleLogs_RunnelLog: that many logs of a few small batches each.
inline constexpr int64_t kDefaultIdleLogs = 10000;
inline constexpr int kIdleLogBatches = 3;
inline constexpr int kIdleLogRecordsPerBatch = 10;
inline constexpr int kIdleLogOpenRounds = 3;

// What every case needs: the workload, a fresh directory, the sizes.
struct Setup {
  Workload workload;
  std::unique_ptr<BenchDir> dir;
  size_t append_bytes = 0;
  size_t read_bytes = 0;
  size_t recovery_bytes = 0;
  int64_t idle_logs = 0;

  // Batches in one append run (the raw cases' capacity is exactly these).
  int64_t append_batches() const {
    return static_cast<int64_t>(append_bytes / workload.batch.size());
  }
  size_t append_capacity() const {
    return static_cast<size_t>(append_batches()) * workload.batch.size();
  }
};

absl::StatusOr<Setup> MakeSetup();

}  // namespace bench
}  // namespace runnel

#endif  // RUNNEL_BENCHMARKS_LOG_BENCH_SETUP_H_
