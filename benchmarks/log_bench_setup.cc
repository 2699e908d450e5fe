// Copyright 2026 The Runnel Authors.
#include "benchmarks/log_bench_setup.h"

#include <string>
#include <utility>

namespace runnel {
namespace bench {

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
  absl::StatusOr<int64_t> idle_logs =
      CountFromEnv("RUNNEL_BENCH_IDLE_LOGS", kDefaultIdleLogs);
  if (!idle_logs.ok()) return idle_logs.status();
  setup.idle_logs = *idle_logs;
  if (setup.append_batches() == 0) {
    return absl::InvalidArgumentError("RUNNEL_BENCH_APPEND_BYTES < 1 batch");
  }
  return setup;
}

}  // namespace bench
}  // namespace runnel
