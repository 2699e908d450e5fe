// report.svg: throughput by workload as a plain-SVG horizontal bar chart
// (no dependencies): one group per throughput workload, one row per case,
// two bars per row (100 B and 1 KiB values), on a log scale of records/s,
// coloured by role (Runnel, limit, peer). A refused figure gets no bar but
// the word "refused" (or "unavailable").
//
//   std::string svg = RenderSvg(Workloads(), results);
//
// Thread-safety: pure function.
#ifndef RUNNEL_BENCHMARKS_REPORTER_SVG_H_
#define RUNNEL_BENCHMARKS_REPORTER_SVG_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "benchmarks/reporter/plan.h"
#include "benchmarks/reporter/result_set.h"

namespace runnel {
namespace report {

std::string RenderSvg(const std::vector<Workload>& workloads,
                      const ResultSet& results);

// `text` with &, <, > and " escaped for XML.
std::string XmlEscape(absl::string_view text);

}  // namespace report
}  // namespace runnel

#endif  // RUNNEL_BENCHMARKS_REPORTER_SVG_H_
