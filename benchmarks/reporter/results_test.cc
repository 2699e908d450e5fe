// The gate between what a benchmark reported and what the report prints:
// only verified, error-free repetitions make a figure.
#include "benchmarks/reporter/results.h"

#include <regex.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "benchmarks/reporter/plan.h"
#include "benchmarks/reporter/result_set.h"
#include "gtest/gtest.h"

namespace runnel {
namespace report {
namespace {

// One per-repetition row as Google Benchmark 1.7 writes it.
std::string JsonRow(const std::string& name, double items, bool verified,
                    const std::string& extra = "") {
  return absl::StrCat(R"({"name": ")", name, R"(", "run_name": ")", name,
                      R"(", "run_type": "iteration", "repetitions": 3,
      "iterations": 1, "real_time": 250.0, "cpu_time": 200.0,
      "time_unit": "ms", "items_per_second": )",
                      items, verified ? R"(, "verified": 1)" : "", extra, "}");
}

std::string Doc(const std::string& rows) {
  return absl::StrCat(R"({"context": {"load_avg": [1, 2, 3]},
                          "benchmarks": [)",
                      rows, "]}");
}

constexpr char kName[] = "BM_Append_RunnelLog/fresh/iterations:1/real_time";

TEST(CaseNameTest, DropsTheLibrarySuffixesOnly) {
  EXPECT_EQ(CaseName(kName), "BM_Append_RunnelLog/fresh");
  EXPECT_EQ(CaseName("BM_ProducerSend/default/threads:2/iterations:1/"
                     "repeats:3/real_time"),
            "BM_ProducerSend/default/threads:2");
  EXPECT_EQ(CaseName("BM_Memcpy/1048576/min_time:0.200"), "BM_Memcpy/1048576");
  EXPECT_EQ(CaseName("BM_X/manual_time"), "BM_X");
}

TEST(ParseBenchmarkJsonTest, GroupsRepetitionsAndSkipsAggregates) {
  const std::string aggregate = absl::StrReplaceAll(
      JsonRow(kName, 1e9, true), {{R"("iteration")", R"("aggregate")"}});
  absl::StatusOr<std::vector<CaseResult>> cases =
      ParseBenchmarkJson(Doc(absl::StrCat(
          JsonRow(kName, 3e6, true), ",", JsonRow(kName, 1e6, true), ",",
          JsonRow("BM_Other/iterations:1", 5, true), ",", aggregate, ",",
          JsonRow(kName, 2e6, true, R"(, "label": "LMDB")"))));
  ASSERT_TRUE(cases.ok()) << cases.status();
  ASSERT_EQ(cases->size(), 2u);
  const CaseResult& c = (*cases)[0];
  EXPECT_EQ(c.name, "BM_Append_RunnelLog/fresh");
  ASSERT_EQ(c.runs.size(), 3u);  // the aggregate row is not a run
  EXPECT_DOUBLE_EQ(c.runs[0].values.at(kSeconds), 0.25);
  EXPECT_EQ(c.runs[2].label, "LMDB");
  EXPECT_EQ((*cases)[1].name, "BM_Other");
}

TEST(ParseBenchmarkJsonTest, RejectsOtherDocuments) {
  EXPECT_FALSE(ParseBenchmarkJson("{}").ok());
  EXPECT_FALSE(ParseBenchmarkJson("not json").ok());
  EXPECT_TRUE(ParseBenchmarkJson(Doc(""))->empty());
}

CaseResult Parse(const std::string& rows) {
  absl::StatusOr<std::vector<CaseResult>> cases = ParseBenchmarkJson(Doc(rows));
  EXPECT_TRUE(cases.ok()) << cases.status();
  EXPECT_EQ(cases->size(), 1u);
  return cases->front();
}

TEST(MakeFigureTest, TakesTheMedianOfVerifiedRepetitions) {
  const CaseResult c = Parse(
      absl::StrCat(JsonRow(kName, 3e6, true), ",", JsonRow(kName, 1e6, true),
                   ",", JsonRow(kName, 2.5e6, true, R"(, "label": "v1")")));
  const Figure f = MakeFigure(&c, "items_per_second");
  ASSERT_TRUE(f.ok) << f.refused;
  EXPECT_EQ(f.median, 2.5e6);
  EXPECT_EQ(f.min, 1e6);
  EXPECT_EQ(f.max, 3e6);
  EXPECT_EQ(f.repetitions, 3);
  const CaseResult even = Parse(
      absl::StrCat(JsonRow(kName, 1, true), ",", JsonRow(kName, 4, true)));
  EXPECT_EQ(MakeFigure(&even, "items_per_second").median, 2.5);
}

TEST(MakeFigureTest, RefusesWhenOneRepetitionIsNotVerified) {
  // A fast path that skipped its check must not hide behind two good runs.
  const CaseResult c = Parse(absl::StrCat(JsonRow(kName, 3e6, true), ",",
                                          JsonRow(kName, 9e9, false), ",",
                                          JsonRow(kName, 2e6, true)));
  const Figure f = MakeFigure(&c, "items_per_second");
  EXPECT_FALSE(f.ok);
  EXPECT_EQ(f.median, 0);
  EXPECT_NE(f.refused.find("not verified"), std::string::npos);
  EXPECT_FALSE(f.unavailable);
}

TEST(MakeFigureTest, RefusesAFailedCheckWithItsMessage) {
  const CaseResult c = Parse(absl::StrCat(
      JsonRow(kName, 3e6, true), ",",
      JsonRow(
          kName, 9e9, false,
          R"(, "error_occurred": true, "error_message": "read found the wrong records")")));
  const Figure f = MakeFigure(&c, "items_per_second");
  EXPECT_FALSE(f.ok);
  EXPECT_EQ(f.refused, "failed: read found the wrong records");
}

TEST(MakeFigureTest, AMissingPeerIsUnavailableNotFailed) {
  const CaseResult c = Parse(JsonRow(
      "BM_Append_Peer/leveldb", 0, false,
      R"(, "error_occurred": true, "error_message": "unavailable: LevelDB: not in this build")"));
  const Figure f = MakeFigure(&c, "items_per_second");
  EXPECT_FALSE(f.ok);
  EXPECT_TRUE(f.unavailable);
  EXPECT_EQ(f.refused, "unavailable: LevelDB: not in this build");
}

TEST(MakeFigureTest, RefusesProcessFailuresMissingCasesAndMetrics) {
  EXPECT_EQ(MakeFigure(nullptr, "items_per_second").refused, "not run");
  CaseResult crashed = Parse(JsonRow(kName, 3e6, true));
  crashed.failure = "killed by signal 11 (Segmentation fault)";
  EXPECT_EQ(MakeFigure(&crashed, "items_per_second").refused,
            "failed: killed by signal 11 (Segmentation fault)");
  const CaseResult c = Parse(JsonRow(kName, 3e6, true, R"(, "p99_us": NaN)"));
  EXPECT_EQ(MakeFigure(&c, "p50_us").refused, "no p50_us");
  EXPECT_EQ(MakeFigure(&c, "p99_us").refused, "no p99_us");
  EXPECT_TRUE(MakeFigure(&c, kSeconds).ok);
}

TEST(ResultSetTest, FindsByBinaryCaseAndSizeAndListsRefusals) {
  ResultSet results;
  const RunSpec good{"log_bench", "BM_A", 100, 1, {}};
  const RunSpec bad{"log_bench", "BM_A", 1024, 1, {}};
  results.Add(good, Parse(JsonRow("BM_A", 1, true)));
  results.Add(bad, Parse(JsonRow("BM_A", 1, false)));
  EXPECT_NE(results.Find("log_bench", "BM_A", 100), nullptr);
  EXPECT_EQ(results.Find("peer_bench", "BM_A", 100), nullptr);
  ASSERT_EQ(results.Refused().size(), 1u);
  EXPECT_NE(results.Refused()[0].find("1 KiB"), std::string::npos);
  // A value-independent row reads the result stored at the first size.
  Row floor{"log_bench", "BM_A", Role::kLimit, "", true, "", {}, 0};
  EXPECT_TRUE(RowFigure(results, floor, 1024, "items_per_second").ok);
  floor.value_independent = false;
  EXPECT_FALSE(RowFigure(results, floor, 1024, "items_per_second").ok);
}

TEST(PlanTest, EveryCaseRunsOncePerSizeItNeeds) {
  const std::vector<RunSpec> runs = PlanRuns(Workloads(), DefaultSizes());
  int memcpy_runs = 0, lmdb_append_runs = 0;
  for (const RunSpec& r : runs) {
    memcpy_runs += r.bench_case == "BM_Memcpy/67108864";
    lmdb_append_runs += r.bench_case == "BM_Append_Peer/lmdb";
    if (r.bench_case == "BM_Append_Peer/sqlite") {
      EXPECT_EQ(r.repetitions, DefaultSizes().repetitions);
    }
    if (r.bench_case == "BM_Append_RunnelLog/fresh") {
      EXPECT_GT(r.repetitions, DefaultSizes().repetitions);  // a short case
    }
    if (r.bench_case == "BM_Latency_Runnel/spin") {
      EXPECT_EQ(r.repetitions, 1);
    }
    if (r.bench_case == "BM_Read_RunnelLog/prefaulted") {
      ASSERT_EQ(r.env.size(), 1u);
      EXPECT_EQ(r.env[0].first, "RUNNEL_BENCH_READ_PASSES");
    }
  }
  for (const RunSpec& r : PlanRuns(Workloads(), QuickSizes())) {
    EXPECT_EQ(r.repetitions, 1) << r.bench_case;
  }
  EXPECT_EQ(memcpy_runs, 1);       // value-independent
  EXPECT_EQ(lmdb_append_runs, 2);  // in two workloads, once per size
  for (const Workload& w : Workloads()) {
    for (const Row& row : w.rows) {
      bool planned = false;
      for (const RunSpec& r : runs) {
        planned = planned ||
                  (r.binary == row.binary && r.bench_case == row.bench_case);
      }
      EXPECT_TRUE(planned) << row.bench_case;
    }
  }
}

// Google Benchmark matches --benchmark_filter as a POSIX extended regex.
bool Selects(const std::string& filter, const char* name) {
  regex_t re;
  EXPECT_EQ(::regcomp(&re, filter.c_str(), REG_EXTENDED | REG_NOSUB), 0)
      << filter;
  const bool match = ::regexec(&re, name, 0, nullptr, 0) == 0;
  ::regfree(&re);
  return match;
}

TEST(PlanTest, TheFilterSelectsExactlyOneCase) {
  const std::string steady = CaseFilter("BM_Append_RunnelLog/steady");
  EXPECT_TRUE(
      Selects(steady, "BM_Append_RunnelLog/steady/iterations:1/real_time"));
  EXPECT_TRUE(Selects(steady, "BM_Append_RunnelLog/steady"));
  EXPECT_FALSE(Selects(
      steady, "BM_Append_RunnelLog/steady_norecycle/iterations:1/real_time"));
  EXPECT_FALSE(
      Selects(steady, "BM_AppendSync_RunnelLog/steady/iterations:1/real_time"));
  EXPECT_FALSE(Selects(CaseFilter("BM_A.B"), "BM_AxB"));
  EXPECT_TRUE(Selects(CaseFilter("BM_A.B"), "BM_A.B"));
}

TEST(PlanTest, SizeEnvSetsTheValueSize) {
  bool found = false;
  for (const auto& [name, value] : SizeEnv(QuickSizes(), 1024)) {
    if (name == "RUNNEL_BENCH_VALUE_BYTES") {
      found = true;
      EXPECT_EQ(value, "1024");
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(ValueSizeName(100), "100 B");
  EXPECT_EQ(ValueSizeName(1024), "1 KiB");
}

}  // namespace
}  // namespace report
}  // namespace runnel
