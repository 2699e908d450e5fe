// REPORT.md: the machine, how the run was made, the targets of issues 4, 6
// and 7 (met / missed, and what limits a miss), one table per workload
// with each figure and its ratio to every limit and peer, the latency
// histograms, and how to reproduce a figure.
//
//   ReportContext context = ...;
//   std::string md = RenderMarkdown(Workloads(), results, Targets(), context);
//
// Refused figures (results.h) are printed as "refused [n]" with the reason
// in a note under the table, never as a number.
//
// Thread-safety: pure function.
#ifndef RUNNEL_BENCHMARKS_REPORTER_MARKDOWN_H_
#define RUNNEL_BENCHMARKS_REPORTER_MARKDOWN_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "benchmarks/reporter/machine.h"
#include "benchmarks/reporter/plan.h"
#include "benchmarks/reporter/result_set.h"
#include "benchmarks/reporter/targets.h"

namespace runnel {
namespace report {

struct ReportContext {
  std::string date;     // e.g. "2026-11-24 13:05 UTC"
  std::string command;  // the command line that made the report
  MachineInfo machine;
  std::string load_start;  // load averages before and after the run
  std::string load_end;
  Sizes sizes;
  absl::Duration duration;
  std::string svg_file;  // the chart's file name, next to the report
  std::string build;     // how the binaries were built, e.g. "--config=opt"
};

std::string RenderMarkdown(const std::vector<Workload>& workloads,
                           const ResultSet& results,
                           const std::vector<Target>& targets,
                           const ReportContext& context);

// Headings of the report that tests look for.
inline constexpr char kTargetsHeading[] = "## Targets";

}  // namespace report
}  // namespace runnel

#endif  // RUNNEL_BENCHMARKS_REPORTER_MARKDOWN_H_
