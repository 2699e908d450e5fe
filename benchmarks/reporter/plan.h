// What the report runs and how it groups the results: one table per
// workload, each row one benchmark case of one of the bench programs
// (log_bench, producer_bench, consumer_bench, peer_bench, crc32c_bench),
// with the role it plays — Runnel, a machine limit, or a peer — and the
// sizes and environment each case runs with.
//
//   for (const RunSpec& spec : PlanRuns(Workloads(), QuickSizes())) ...
//   for (const auto& [name, value] : SizeEnv(sizes, spec.value_bytes)) ...
//
// Every case runs at both value sizes (100 B and 1 KiB: the environment
// variable RUNNEL_BENCH_VALUE_BYTES), except rows marked value_independent
// (the ring-handoff floors, memcpy, CRC32C), which run once.
//
// Thread-safety: plain values and pure functions.
#ifndef RUNNEL_BENCHMARKS_REPORTER_PLAN_H_
#define RUNNEL_BENCHMARKS_REPORTER_PLAN_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace runnel {
namespace report {

// The benchmark binaries the plan runs (//benchmarks:<name>).
inline constexpr char kLog[] = "log_bench";
inline constexpr char kProducer[] = "producer_bench";
inline constexpr char kConsumer[] = "consumer_bench";
inline constexpr char kPeer[] = "peer_bench";
inline constexpr char kCrc[] = "crc32c_bench";

enum class Role { kRunnel, kLimit, kPeer };
// "Runnel", "limit", "peer".
absl::string_view RoleName(Role role);

// What a workload's figures are.
enum class Kind {
  kThroughput,  // records/s and MB/s of values; higher is better
  kLatency,     // p50/p99/p99.9/max µs; lower is better
  kOpen,        // seconds per round of opening N logs; lower is better
  kBandwidth,   // GB/s of a machine loop
};

struct Row {
  std::string binary;      // e.g. "log_bench"
  std::string bench_case;  // e.g. "BM_Append_RunnelLog/fresh"
  Role role = Role::kRunnel;
  std::string what;  // one line: what one run does
  // Runs once (at 100 B) and is shown for both sizes.
  bool value_independent = false;
  // Latency rows: the floor case (same binary) the row is compared with.
  std::string floor;
  // Extra environment of this case (e.g. more read passes for a case whose
  // pass takes milliseconds, so one preemption cannot decide its figure).
  std::vector<std::pair<std::string, std::string>> env;
  // Repetitions of a cheap, short case; 0: Sizes::repetitions.
  int repetitions = 0;
};

struct Workload {
  std::string id;     // e.g. "append"; also the SVG's group
  std::string title;  // e.g. "Batched append, no sync"
  std::string about;  // what is measured, and equal durability
  Kind kind = Kind::kThroughput;
  // Throughput figures are medians over Sizes::repetitions; the others
  // repeat inside the case (passes, rounds, 10^4+ samples) and run once.
  bool repeat = true;
  std::vector<Row> rows;
};

// The report's workloads, in report order.
std::vector<Workload> Workloads();

inline constexpr int kValueSizes[] = {100, 1024};
// "100 B", "1 KiB".
std::string ValueSizeName(int value_bytes);

// Sizes and repetitions of one report run.
struct Sizes {
  std::string append_bytes;     // RUNNEL_BENCH_APPEND_BYTES
  std::string read_bytes;       // RUNNEL_BENCH_READ_BYTES
  std::string recovery_bytes;   // RUNNEL_BENCH_RECOVERY_BYTES
  int64_t idle_logs = 0;        // RUNNEL_BENCH_IDLE_LOGS
  int64_t latency_records = 0;  // RUNNEL_BENCH_LATENCY_RECORDS
  int repetitions = 1;          // of throughput cases
  double min_time_s = 0;        // --benchmark_min_time (adaptive cases)
  bool quick = false;
};
// The default run (< 10 minutes on 2 cores) and --quick (CI smoke).
Sizes DefaultSizes();
Sizes QuickSizes();

// The environment of a case at `value_bytes` (the RUNNEL_BENCH_* above).
std::vector<std::pair<std::string, std::string>> SizeEnv(const Sizes& sizes,
                                                         int value_bytes);

// One process to start: a case at one value size.
struct RunSpec {
  std::string binary;
  std::string bench_case;
  int value_bytes = 100;
  int repetitions = 1;
  std::vector<std::pair<std::string, std::string>> env;  // Row::env
};

// Every case of `workloads` at every value size it needs, each once, in
// workload order.
std::vector<RunSpec> PlanRuns(const std::vector<Workload>& workloads,
                              const Sizes& sizes);

// The --benchmark_filter that selects exactly `bench_case` (an anchored
// POSIX extended regex, the library's suffixes allowed).
std::string CaseFilter(absl::string_view bench_case);

}  // namespace report
}  // namespace runnel

#endif  // RUNNEL_BENCHMARKS_REPORTER_PLAN_H_
