// REPORT.md and report.svg from a made-up set of results: every section is
// there, refused figures never show their numbers, targets are judged from
// the right figures, and the chart is well-formed.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "benchmarks/reporter/machine.h"
#include "benchmarks/reporter/markdown.h"
#include "benchmarks/reporter/plan.h"
#include "benchmarks/reporter/result_set.h"
#include "benchmarks/reporter/svg.h"
#include "benchmarks/reporter/targets.h"
#include "gtest/gtest.h"

namespace runnel {
namespace report {
namespace {

CaseResult Verified(const std::string& name,
                    std::map<std::string, double> values) {
  report::Run run;
  run.values = std::move(values);
  run.values["verified"] = 1;
  return CaseResult{name, {run}, ""};
}

// Every case of the plan at `items` records/s and 100 bytes per record,
// p50 10 µs, p99 100 µs, 0.5 s per iteration.
ResultSet AllCases(double items) {
  ResultSet results;
  for (const RunSpec& spec : PlanRuns(Workloads(), QuickSizes())) {
    results.Add(spec,
                Verified(spec.bench_case, {{"items_per_second", items},
                                           {"bytes_per_second", items * 100},
                                           {"p50_us", 10},
                                           {"p99_us", 100},
                                           {"p99.9_us", 200},
                                           {"max_us", 300},
                                           {kSeconds, 0.5}}));
  }
  return results;
}

void Set(ResultSet& results, const std::string& binary,
         const std::string& bench_case, CaseResult result) {
  for (int size : kValueSizes) {
    results.Add(RunSpec{binary, bench_case, size, 1, {}}, result);
  }
}

ReportContext Context() {
  ReportContext c;
  c.date = "2026-11-24 12:00 UTC";
  c.command = "./bazelw run //benchmarks:report";
  c.machine.cpu = "Test CPU <fast>";
  c.machine.cores = 2;
  c.sizes = DefaultSizes();
  c.svg_file = "report.svg";
  c.build = "--config=opt";
  return c;
}

TEST(RenderMarkdownTest, HasEverySectionAndTable) {
  const std::string md =
      RenderMarkdown(Workloads(), AllCases(2e6), Targets(), Context());
  for (const Workload& w : Workloads()) {
    EXPECT_TRUE(absl::StrContains(md, absl::StrCat("\n## ", w.title, "\n")))
        << w.title;
  }
  EXPECT_TRUE(absl::StrContains(md, kTargetsHeading));
  EXPECT_TRUE(absl::StrContains(md, "](report.svg)"));
  EXPECT_TRUE(absl::StrContains(md, "All "));
  EXPECT_TRUE(absl::StrContains(md, "cases run were verified"));
  // 2e6 records/s of 100 B: "2.00" M records/s and "200" MB/s; a ratio of 1.
  EXPECT_TRUE(absl::StrContains(md, "| 2.00 | 200 |"));
  EXPECT_TRUE(absl::StrContains(md, "| 1.00x |"));
  EXPECT_TRUE(absl::StrContains(md, "Test CPU <fast>"));
  EXPECT_FALSE(absl::StrContains(md, "**refused** ["));
}

TEST(RenderMarkdownTest, ARefusedFigureShowsItsReasonNotItsNumber) {
  ResultSet results = AllCases(2e6);
  CaseResult bad = Verified(
      "BM_Append_RunnelLog/fresh",
      {{"items_per_second", 987654321}, {"bytes_per_second", 98765432100}});
  bad.runs[0].error = true;
  bad.runs[0].error_message = "runnel::Log: log end offset 5, expected 7";
  Set(results, "log_bench", "BM_Append_RunnelLog/fresh", bad);
  const std::string md =
      RenderMarkdown(Workloads(), results, Targets(), Context());
  EXPECT_TRUE(absl::StrContains(md, "**refused** [1]"));
  EXPECT_TRUE(absl::StrContains(
      md, "failed: runnel::Log: log end offset 5, expected 7"));
  EXPECT_FALSE(absl::StrContains(md, "988"));  // 987.654321 M records/s
  EXPECT_FALSE(absl::StrContains(md, "98,765"));
  EXPECT_TRUE(absl::StrContains(md, "cases were refused"));
  // And the targets built on it are not judged.
  EXPECT_TRUE(absl::StrContains(md, "| not judged | Runnel: failed:"));
}

TEST(RenderMarkdownTest, FormatsThousandsAndRanges) {
  ResultSet results = AllCases(2e6);
  report::Run a, b;
  a.values = {{"items_per_second", 1.0e6},
              {"bytes_per_second", 1234.6e6},
              {"verified", 1}};
  b.values = {{"items_per_second", 3.0e6},
              {"bytes_per_second", 90.7e6},
              {"verified", 1}};
  Set(results, "peer_bench", "BM_Append_Peer/sqlite",
      CaseResult{"BM_Append_Peer/sqlite", {a, b}, ""});
  const std::string md =
      RenderMarkdown(Workloads(), results, Targets(), Context());
  // Median of 1 and 3 M records/s, with the range; MB/s median 662.65.
  EXPECT_TRUE(absl::StrContains(md, "| 2.00 [1.00-3.00] | 663 |")) << md;
  Set(results, "peer_bench", "BM_Append_Peer/sqlite",
      Verified("BM_Append_Peer/sqlite",
               {{"items_per_second", 1e6}, {"bytes_per_second", 1234.6e6}}));
  EXPECT_TRUE(absl::StrContains(
      RenderMarkdown(Workloads(), results, Targets(), Context()), "| 1,235 |"));
}

const Target& Find(const std::vector<Target>& targets, int issue,
                   const std::string& runnel, const std::string& metric) {
  for (const Target& t : targets) {
    if (t.issue == issue && t.runnel.bench_case == runnel &&
        t.metric == metric) {
      return t;
    }
  }
  ADD_FAILURE() << "no target " << runnel;
  return targets.front();
}

TEST(JudgeTest, RatiosAgainstTheBarInBothDirections) {
  ResultSet results = AllCases(2e6);
  const std::vector<Target> targets = Targets();
  const Target& append =
      Find(targets, 4, "BM_Append_RunnelLog/fresh", "items_per_second");
  Set(results, "log_bench", "BM_Append_RunnelLog/fresh",
      Verified("", {{"items_per_second", 7.5e6}}));
  Set(results, "log_bench", "BM_Append_RawMemcpyCrc/prefaulted",
      Verified("", {{"items_per_second", 10e6}}));
  Verdict v = Judge(append, results, DefaultSizes());
  EXPECT_EQ(v.state, Verdict::State::kMet);  // 75% >= 70%
  EXPECT_DOUBLE_EQ(v.ratio, 0.75);
  Set(results, "log_bench", "BM_Append_RunnelLog/fresh",
      Verified("", {{"items_per_second", 6.5e6}}));
  EXPECT_EQ(Judge(append, results, DefaultSizes()).state,
            Verdict::State::kMissed);

  const Target& block = Find(targets, 7, "BM_Latency_Runnel/block", "p99_us");
  Set(results, "consumer_bench", "BM_Latency_RingCondVar",
      Verified("", {{"p99_us", 100}}));
  Set(results, "consumer_bench", "BM_Latency_Runnel/block",
      Verified("", {{"p99_us", 140}}));
  EXPECT_EQ(Judge(block, results, DefaultSizes()).state,
            Verdict::State::kMet);  // 1.4x <= 1.5x
  Set(results, "consumer_bench", "BM_Latency_Runnel/block",
      Verified("", {{"p99_us", 160}}));
  EXPECT_EQ(Judge(block, results, DefaultSizes()).state,
            Verdict::State::kMissed);
}

TEST(JudgeTest, ALatencyFloorSwampedByTheSchedulerIsNoFloor) {
  ResultSet results = AllCases(2e6);
  const std::vector<Target> targets = Targets();
  const Target& spin = Find(targets, 7, "BM_Latency_Runnel/spin", "p50_us");
  Set(results, "consumer_bench", "BM_Latency_Runnel/spin",
      Verified("", {{"p50_us", 3000}}));
  Set(results, "consumer_bench", "BM_Latency_RingSpin",
      Verified("", {{"p50_us", 2000}}));  // a 2 ms "handoff"
  Verdict v = Judge(spin, results, DefaultSizes());
  EXPECT_EQ(v.state, Verdict::State::kNotJudged);
  EXPECT_TRUE(absl::StrContains(v.detail, "scheduler")) << v.detail;
  Set(results, "consumer_bench", "BM_Latency_RingSpin",
      Verified("", {{"p50_us", 0.5}}));
  Set(results, "consumer_bench", "BM_Latency_Runnel/spin",
      Verified("", {{"p50_us", 1.2}}));
  EXPECT_EQ(Judge(spin, results, DefaultSizes()).state,
            Verdict::State::kMet);  // 2.4x <= 3x
}

TEST(JudgeTest, TheOpenBarNeedsTenThousandLogsAndRefusalsAreNotJudged) {
  ResultSet results = AllCases(2e6);  // 0.5 s per round
  const std::vector<Target> targets = Targets();
  const Target& open = Find(targets, 4, "BM_OpenIdleLogs_RunnelLog", kSeconds);
  EXPECT_EQ(Judge(open, results, DefaultSizes()).state, Verdict::State::kMet);
  const Verdict quick = Judge(open, results, QuickSizes());
  EXPECT_EQ(quick.state, Verdict::State::kNotJudged);
  EXPECT_TRUE(absl::StrContains(quick.detail, "10000"));
  const Target& lmdb =
      Find(targets, 6, "BM_ProducerSend/default/threads:1", "items_per_second");
  CaseResult missing = Verified("", {});
  missing.failure = "timed out (killed)";
  Set(results, "producer_bench", "BM_ProducerSend/default/threads:1", missing);
  EXPECT_EQ(Judge(lmdb, results, DefaultSizes()).state,
            Verdict::State::kNotJudged);
}

TEST(RenderSvgTest, IsOneSvgDocumentWithBarsAndRefusals) {
  ResultSet results = AllCases(2e6);
  CaseResult bad = Verified("x", {{"items_per_second", 5}});
  bad.runs[0].values.erase("verified");
  Set(results, "peer_bench", "BM_Read_Peer/sqlite", bad);
  const std::string svg = RenderSvg(Workloads(), results);
  EXPECT_TRUE(absl::StartsWith(svg, "<?xml version=\"1.0\""));
  EXPECT_TRUE(
      absl::StrContains(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_TRUE(absl::EndsWith(svg, "</svg>\n"));
  EXPECT_EQ(svg.find("<svg "), svg.rfind("<svg "));  // exactly one root
  EXPECT_TRUE(absl::StrContains(svg, "1 KiB: refused"));
  EXPECT_TRUE(absl::StrContains(svg, ">BM_Read_Peer/sqlite</text>"));
  // Throughput workloads only: no latency or open rows.
  EXPECT_FALSE(absl::StrContains(svg, "BM_Latency_RingSpin"));
  EXPECT_FALSE(absl::StrContains(svg, "BM_OpenIdleLogs"));
  EXPECT_EQ(XmlEscape("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
}

TEST(DescribeMountTest, PicksTheLongestMountPointAbovePath) {
  const std::string mountinfo =
      "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard\n"
      "30 22 0:25 / /tmp rw,nosuid shared:5 - tmpfs tmpfs rw,size=1024k\n"
      "31 22 0:26 / /tmpx rw shared:6 - xfs /dev/vdb rw\n";
  EXPECT_EQ(DescribeMount(mountinfo, "/tmp/bench"),
            "tmpfs on tmpfs at /tmp (rw,nosuid)");
  EXPECT_EQ(DescribeMount(mountinfo, "/work"),
            "ext4 on /dev/vda at / (rw,relatime)");
  EXPECT_EQ(DescribeMount("", "/work"), "unknown");
}

}  // namespace
}  // namespace report
}  // namespace runnel
