// Runs one benchmark case in its own process and reads what it reported.
//
//   RunnerOptions options{bin_dir, work_dir, bench_dir, sizes,
//                         absl::Minutes(10)};
//   RunOutput out = RunCase(spec, /*index=*/7, options);
//   results.Add(spec, out.result);
//
// The child is <bin_dir>/<binary> with --benchmark_filter selecting exactly
// the case, --benchmark_repetitions, --benchmark_min_time, JSON written to
// <work_dir>/<index>.json and its console output (stdout and stderr) to
// <work_dir>/<index>.log; its environment is ours plus SizeEnv,
// RUNNEL_BENCH_DIR=<bench_dir> and RUNNEL_BENCH_IDLE_LOGS_DIR=<work_dir> (the
// open cases share their fixture there). A process that fails (exit status,
// signal, timeout: SIGKILL, no JSON, no row for the case) gives a CaseResult
// with `failure` set, which refuses every figure of the case.
//
// Thread-safety: RunCase may run concurrently with other calls (the report
// runs one case at a time: they would disturb each other's timings).
#ifndef RUNNEL_BENCHMARKS_REPORTER_RUNNER_H_
#define RUNNEL_BENCHMARKS_REPORTER_RUNNER_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "benchmarks/reporter/plan.h"
#include "benchmarks/reporter/results.h"

namespace runnel {
namespace report {

struct RunnerOptions {
  std::string bin_dir;    // where the bench binaries are
  std::string work_dir;   // JSON and console logs of each case
  std::string bench_dir;  // RUNNEL_BENCH_DIR of the cases
  Sizes sizes;
  absl::Duration timeout = absl::Minutes(10);  // per case
};

struct RunOutput {
  CaseResult result;
  std::string log_path;
  // The "histogram ..." lines of the console output (latency cases).
  std::vector<std::string> histograms;
  absl::Duration elapsed;
};

RunOutput RunCase(const RunSpec& spec, int index, const RunnerOptions& options);

// The argument vector RunCase uses (argv[0] = the binary's path).
std::vector<std::string> CaseArgv(const RunSpec& spec,
                                  const RunnerOptions& options,
                                  const std::string& json_path);

}  // namespace report
}  // namespace runnel

#endif  // RUNNEL_BENCHMARKS_REPORTER_RUNNER_H_
