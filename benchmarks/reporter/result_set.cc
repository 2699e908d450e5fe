// result_set.h.
#include "benchmarks/reporter/result_set.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace runnel {
namespace report {

void ResultSet::Add(const RunSpec& spec, CaseResult result) {
  results_[Key{spec.binary, spec.bench_case, spec.value_bytes}] =
      std::move(result);
}

const CaseResult* ResultSet::Find(absl::string_view binary,
                                  absl::string_view bench_case,
                                  int value_bytes) const {
  auto it = results_.find(
      Key{std::string(binary), std::string(bench_case), value_bytes});
  return it == results_.end() ? nullptr : &it->second;
}

void ResultSet::AddHistograms(const RunSpec& spec,
                              std::vector<std::string> lines) {
  histograms_[Key{spec.binary, spec.bench_case, spec.value_bytes}] =
      std::move(lines);
}

const std::vector<std::string>& ResultSet::Histograms(
    absl::string_view binary, absl::string_view bench_case,
    int value_bytes) const {
  static const std::vector<std::string>* const kNone =
      new std::vector<std::string>();
  auto it = histograms_.find(
      Key{std::string(binary), std::string(bench_case), value_bytes});
  return it == histograms_.end() ? *kNone : it->second;
}

std::vector<std::string> ResultSet::Refused() const {
  std::vector<std::string> out;
  for (const auto& [key, result] : results_) {
    // Any metric: the gate refuses before it looks at one.
    const Figure f = MakeFigure(&result, kSeconds);
    if (!f.ok && !f.unavailable) {
      out.push_back(absl::StrCat(std::get<1>(key), " (", std::get<0>(key), ", ",
                                 ValueSizeName(std::get<2>(key)),
                                 "): ", f.refused));
    }
  }
  return out;
}

int StoredValueBytes(const Row& row, int value_bytes) {
  return row.value_independent ? kValueSizes[0] : value_bytes;
}

Figure RowFigure(const ResultSet& results, const Row& row, int value_bytes,
                 absl::string_view metric) {
  return MakeFigure(results.Find(row.binary, row.bench_case,
                                 StoredValueBytes(row, value_bytes)),
                    metric);
}

}  // namespace report
}  // namespace runnel
