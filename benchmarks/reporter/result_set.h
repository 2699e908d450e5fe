// Every case result of one report run, found by (binary, case, value size),
// and the figure of a plan row at a value size.
//
//   ResultSet results;
//   results.Add(spec, std::move(case_result));
//   Figure f = RowFigure(results, row, 1024, "items_per_second");
//
// Thread-safety: not thread-safe; the report fills it from one thread.
#ifndef RUNNEL_BENCHMARKS_REPORTER_RESULT_SET_H_
#define RUNNEL_BENCHMARKS_REPORTER_RESULT_SET_H_

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/string_view.h"
#include "benchmarks/reporter/plan.h"
#include "benchmarks/reporter/results.h"

namespace runnel {
namespace report {

class ResultSet {
 public:
  // Replaces any earlier result of the same case at the same size.
  void Add(const RunSpec& spec, CaseResult result);
  // Null if that case did not run at that size.
  const CaseResult* Find(absl::string_view binary, absl::string_view bench_case,
                         int value_bytes) const;
  // Lines "histogram <case> ..." the case printed (latency cases).
  void AddHistograms(const RunSpec& spec, std::vector<std::string> lines);
  const std::vector<std::string>& Histograms(absl::string_view binary,
                                             absl::string_view bench_case,
                                             int value_bytes) const;

  // Cases run, and those whose figures are all refused (not counting peers
  // missing from the build).
  int size() const { return static_cast<int>(results_.size()); }
  std::vector<std::string> Refused() const;

 private:
  using Key = std::tuple<std::string, std::string, int>;
  std::map<Key, CaseResult> results_;
  std::map<Key, std::vector<std::string>> histograms_;
};

// The value size a row's result is stored under (value-independent rows
// run once, at the first size).
int StoredValueBytes(const Row& row, int value_bytes);

// MakeFigure of `row` at `value_bytes`.
Figure RowFigure(const ResultSet& results, const Row& row, int value_bytes,
                 absl::string_view metric);

}  // namespace report
}  // namespace runnel

#endif  // RUNNEL_BENCHMARKS_REPORTER_RESULT_SET_H_
