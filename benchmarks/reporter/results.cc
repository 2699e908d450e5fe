// results.h: Google Benchmark JSON rows to runs, runs to figures.
#include "benchmarks/reporter/results.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "benchmarks/reporter/json.h"

namespace runnel {
namespace report {
namespace {

// Seconds per `unit` ("ns", "us", "ms", "s").
double UnitSeconds(absl::string_view unit) {
  if (unit == "ns") return 1e-9;
  if (unit == "us") return 1e-6;
  if (unit == "ms") return 1e-3;
  return 1;
}

bool IsLibrarySuffix(absl::string_view part) {
  for (absl::string_view prefix : {"iterations:", "repeats:", "min_time:"}) {
    if (absl::StartsWith(part, prefix)) return true;
  }
  return part == "real_time" || part == "manual_time";
}

Run ToRun(const Json& row) {
  Run run;
  for (const auto& [key, value] : row.members()) {
    if (value.type() == Json::Type::kNumber) run.values[key] = value.number();
  }
  run.values[kSeconds] = row.Get("real_time").number() *
                         UnitSeconds(row.Get("time_unit").string());
  run.label = row.Get("label").string();
  run.error = row.Get("error_occurred").boolean();
  run.error_message = row.Get("error_message").string();
  return run;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

Figure Refuse(std::string why) {
  Figure f;
  f.refused = std::move(why);
  return f;
}

}  // namespace

std::string CaseName(absl::string_view benchmark_name) {
  std::vector<absl::string_view> kept;
  for (absl::string_view part : absl::StrSplit(benchmark_name, '/')) {
    if (!IsLibrarySuffix(part)) kept.push_back(part);
  }
  return absl::StrJoin(kept, "/");
}

absl::StatusOr<std::vector<CaseResult>> ParseBenchmarkJson(
    absl::string_view json) {
  absl::StatusOr<Json> doc = Json::Parse(json);
  if (!doc.ok()) return doc.status();
  const Json& rows = doc->Get("benchmarks");
  if (rows.type() != Json::Type::kArray) {
    return absl::InvalidArgumentError(
        "not Google Benchmark JSON: no \"benchmarks\" array");
  }
  std::vector<CaseResult> cases;
  for (const Json& row : rows.items()) {
    if (row.Get("run_type").string() == "aggregate") continue;
    const std::string name = CaseName(row.Get("name").string());
    auto it = std::find_if(cases.begin(), cases.end(),
                           [&](const CaseResult& c) { return c.name == name; });
    if (it == cases.end()) {
      cases.push_back(CaseResult{name, {}, ""});
      it = cases.end() - 1;
    }
    it->runs.push_back(ToRun(row));
  }
  return cases;
}

Figure MakeFigure(const CaseResult* result, absl::string_view metric) {
  if (result == nullptr) return Refuse("not run");
  if (!result->failure.empty()) {
    return Refuse(absl::StrCat("failed: ", result->failure));
  }
  if (result->runs.empty()) return Refuse("not run (no result)");
  std::vector<double> values;
  for (const Run& run : result->runs) {
    if (run.error) {
      Figure f;
      f.unavailable = absl::StartsWith(run.error_message, "unavailable:");
      f.refused = f.unavailable ? run.error_message
                                : absl::StrCat("failed: ", run.error_message);
      return f;
    }
    auto verified = run.values.find(kVerifiedCounter);
    if (verified == run.values.end() || verified->second != 1) {
      return Refuse("not verified (the case did not confirm its own checks)");
    }
    auto value = run.values.find(std::string(metric));
    if (value == run.values.end() || !std::isfinite(value->second)) {
      return Refuse(absl::StrCat("no ", metric));
    }
    values.push_back(value->second);
  }
  Figure f;
  f.ok = true;
  f.median = Median(values);
  f.min = *std::min_element(values.begin(), values.end());
  f.max = *std::max_element(values.begin(), values.end());
  f.repetitions = static_cast<int>(values.size());
  f.label = result->runs.front().label;
  return f;
}

}  // namespace report
}  // namespace runnel
