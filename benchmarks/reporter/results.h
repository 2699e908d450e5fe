// What the benchmark programs reported, and the rule that turns it into
// figures the report may print.
//
// A case (e.g. "BM_Append_RunnelLog/fresh") runs in its own process with
// --benchmark_repetitions=N and --benchmark_out_format=json;
// ParseBenchmarkJson reads that file into one CaseResult per case, one Run
// per repetition (aggregate rows are ignored: the report takes its own
// median, so an error in any repetition cannot hide behind the others).
//
// MakeFigure is the gate: a figure exists only if the case ran, its process
// succeeded, no repetition reported an error, and every repetition set the
// counter verified = 1 (benchmarks/bench_checks.h: the case checked its own
// work). Anything else is a refusal with the reason, printed instead of the
// number.
//
//   absl::StatusOr<std::vector<CaseResult>> cases = ParseBenchmarkJson(text);
//   Figure f = MakeFigure(&(*cases)[0], "items_per_second");
//   if (f.ok) Print(f.median); else Print(f.refused);
//
// Thread-safety: plain values and pure functions.
#ifndef RUNNEL_BENCHMARKS_REPORTER_RESULTS_H_
#define RUNNEL_BENCHMARKS_REPORTER_RESULTS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace runnel {
namespace report {

// The counter a verified case sets (benchmarks/bench_checks.h).
inline constexpr char kVerifiedCounter[] = "verified";
// The metric name of a run's wall time per iteration, in seconds.
inline constexpr char kSeconds[] = "seconds";

// One repetition of one case.
struct Run {
  // Every numeric member of the JSON row (items_per_second,
  // bytes_per_second, counters such as p99_us or verified), plus kSeconds.
  std::map<std::string, double> values;
  std::string label;  // SetLabel (peers: the library's version)
  bool error = false;
  std::string error_message;
};

struct CaseResult {
  std::string name;
  std::vector<Run> runs;
  // Set when the process itself failed (exit status, signal, timeout, no
  // or unreadable JSON): every figure of the case is refused with it.
  std::string failure;
};

// The case name of a Google Benchmark row name: without the
// "/iterations:N", "/repeats:N", "/min_time:X", "/real_time" and
// "/manual_time" parts the library appends.
std::string CaseName(absl::string_view benchmark_name);

// The per-repetition rows of one JSON output file, grouped by case in
// order of appearance. InvalidArgument if the text is not such a file.
absl::StatusOr<std::vector<CaseResult>> ParseBenchmarkJson(
    absl::string_view json);

// One printable number (or the reason there is none).
struct Figure {
  bool ok = false;
  double median = 0;
  double min = 0;
  double max = 0;
  int repetitions = 0;
  std::string label;  // the first run's label
  // When !ok: "not run", "unavailable: ...", "failed: ...",
  // "not verified", "no <metric>".
  std::string refused;
  // The refusal is a peer missing from the build, not a failure.
  bool unavailable = false;
};

// `metric` of `result` (null = the case did not run) across its runs.
Figure MakeFigure(const CaseResult* result, absl::string_view metric);

}  // namespace report
}  // namespace runnel

#endif  // RUNNEL_BENCHMARKS_REPORTER_RESULTS_H_
