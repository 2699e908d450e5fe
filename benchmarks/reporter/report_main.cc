// report_tool — runs every benchmark case of the report (plan.h), one
// process at a time, and writes REPORT.md and its SVG chart.
//
//   report_tool --bin_dir=<dir of the opt bench binaries>
//               --out_md=benchmarks/REPORT.md --out_svg=benchmarks/report.svg
//               [--quick] [--bench_dir=/tmp] [--only=append,consume]
//
// `./bazelw run //benchmarks:report` builds the binaries with --config=opt
// and runs this (report.sh); report_test runs it with --quick on fastbuild
// binaries. Exit status 0 once both files are written, whatever the
// figures say (refused figures are in the report); 1 if the report could
// not be made; 2 for bad flags.
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "benchmarks/log_bench_posix.h"
#include "benchmarks/reporter/machine.h"
#include "benchmarks/reporter/markdown.h"
#include "benchmarks/reporter/plan.h"
#include "benchmarks/reporter/result_set.h"
#include "benchmarks/reporter/runner.h"
#include "benchmarks/reporter/svg.h"
#include "benchmarks/reporter/targets.h"

ABSL_FLAG(std::string, bin_dir, "",
          "directory holding log_bench, producer_bench, consumer_bench, "
          "peer_bench and crc32c_bench");
ABSL_FLAG(std::string, out_md, "REPORT.md", "the Markdown report to write");
ABSL_FLAG(std::string, out_svg, "report.svg",
          "the SVG chart to write (linked from the report by file name)");
ABSL_FLAG(bool, quick, false,
          "tiny sizes and one repetition: a smoke run for CI");
ABSL_FLAG(std::string, bench_dir, "",
          "where the cases put their files (default $RUNNEL_BENCH_DIR, else "
          "$TEST_TMPDIR, else /tmp)");
ABSL_FLAG(std::string, only, "",
          "comma-separated workload ids to run (append, send, durable, "
          "consume, latency, recovery, open, machine); default all");
ABSL_FLAG(std::string, command, "",
          "the command line to print in the report (default: this one)");
ABSL_FLAG(int, timeout_s, 600, "per case: kill it after this many seconds");
ABSL_FLAG(std::string, build, "unknown (not run through //benchmarks:report)",
          "how the bench binaries were built, for the report");

namespace runnel {
namespace report {
namespace {

std::string DefaultBenchDir() {
  for (const char* name : {"RUNNEL_BENCH_DIR", "TEST_TMPDIR"}) {
    const char* value = ::getenv(name);
    if (value != nullptr && *value != '\0') return value;
  }
  return "/tmp";
}

std::vector<Workload> Selected(const std::string& only) {
  std::vector<Workload> all = Workloads();
  if (only.empty()) return all;
  const std::vector<std::string> ids = absl::StrSplit(only, ',');
  std::vector<Workload> out;
  for (Workload& w : all) {
    if (std::find(ids.begin(), ids.end(), w.id) != ids.end()) {
      out.push_back(std::move(w));
    }
  }
  return out;
}

// Writes `text` to `path` through a temporary file and a rename, so a
// reader never sees half a report.
bool WriteFile(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) {
      std::fprintf(stderr, "report: cannot write %s\n", tmp.c_str());
      return false;
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::perror(("report: rename to " + path).c_str());
    return false;
  }
  return true;
}

std::string Basename(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// "ok 15.5 M records/s" or the refusal, for the progress line.
std::string Summary(const CaseResult& result) {
  for (const char* metric : {"items_per_second", "p50_us", kSeconds}) {
    const Figure f = MakeFigure(&result, metric);
    if (!f.ok && f.refused != absl::StrCat("no ", metric)) {
      return f.refused;
    }
    if (!f.ok) continue;
    if (absl::string_view(metric) == "items_per_second") {
      return absl::StrFormat("ok, %.3g M records/s", f.median / 1e6);
    }
    if (absl::string_view(metric) == "p50_us") {
      return absl::StrFormat("ok, p50 %.3g us", f.median);
    }
    return absl::StrFormat("ok, %.3g s", f.median);
  }
  return "ok";
}

ResultSet RunAll(const std::vector<RunSpec>& runs,
                 const RunnerOptions& options) {
  ResultSet results;
  for (size_t i = 0; i < runs.size(); ++i) {
    const RunSpec& spec = runs[i];
    std::printf("[%zu/%zu] %s %s, %s ... ", i + 1, runs.size(),
                spec.binary.c_str(), spec.bench_case.c_str(),
                ValueSizeName(spec.value_bytes).c_str());
    std::fflush(stdout);
    RunOutput out = RunCase(spec, static_cast<int>(i), options);
    std::printf("%s (%.1f s)\n", Summary(out.result).c_str(),
                absl::ToDoubleSeconds(out.elapsed));
    std::fflush(stdout);
    results.AddHistograms(spec, std::move(out.histograms));
    results.Add(spec, std::move(out.result));
  }
  return results;
}

int Main(int argc, char** argv) {
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() > 1 || absl::GetFlag(FLAGS_bin_dir).empty()) {
    std::fprintf(stderr, "usage: %s --bin_dir=DIR [flags] (see --help)\n",
                 argv[0]);
    return 2;
  }
  std::string command = absl::GetFlag(FLAGS_command);
  if (command.empty()) {
    std::vector<std::string> words(argv, argv + argc);
    command = absl::StrJoin(words, " ");
  }
  const Sizes sizes =
      absl::GetFlag(FLAGS_quick) ? QuickSizes() : DefaultSizes();
  std::string bench_dir = absl::GetFlag(FLAGS_bench_dir);
  if (bench_dir.empty()) bench_dir = DefaultBenchDir();
  std::string work_dir = bench_dir + "/runnel_report.XXXXXX";
  if (::mkdtemp(&work_dir[0]) == nullptr) {
    std::perror(("report: mkdtemp " + work_dir).c_str());
    return 1;
  }
  const std::vector<Workload> workloads = Selected(absl::GetFlag(FLAGS_only));
  ReportContext context;
  context.date =
      absl::FormatTime("%Y-%m-%d %H:%M UTC", absl::Now(), absl::UTCTimeZone());
  context.command = command;
  context.machine = DescribeMachine(bench_dir);
  context.load_start = LoadAverage();
  context.sizes = sizes;
  context.svg_file = Basename(absl::GetFlag(FLAGS_out_svg));
  context.build = absl::GetFlag(FLAGS_build);
  RunnerOptions options{absl::GetFlag(FLAGS_bin_dir), work_dir, bench_dir,
                        sizes, absl::Seconds(absl::GetFlag(FLAGS_timeout_s))};
  const absl::Time start = absl::Now();
  const ResultSet results = RunAll(PlanRuns(workloads, sizes), options);
  context.duration = absl::Now() - start;
  context.load_end = LoadAverage();
  bench::posix::RemoveTree(work_dir);
  const std::string md = RenderMarkdown(workloads, results, Targets(), context);
  if (!WriteFile(absl::GetFlag(FLAGS_out_md), md) ||
      !WriteFile(absl::GetFlag(FLAGS_out_svg), RenderSvg(workloads, results))) {
    return 1;
  }
  const std::vector<std::string> refused = results.Refused();
  std::printf(
      "report: wrote %s and %s in %s; %zu of %d cases refused\n",
      absl::GetFlag(FLAGS_out_md).c_str(), absl::GetFlag(FLAGS_out_svg).c_str(),
      absl::FormatDuration(absl::Trunc(context.duration, absl::Seconds(1)))
          .c_str(),
      refused.size(), results.size());
  for (const std::string& r : refused)
    std::printf("  refused: %s\n", r.c_str());
  return 0;
}

}  // namespace
}  // namespace report
}  // namespace runnel

int main(int argc, char** argv) { return runnel::report::Main(argc, argv); }
