// RunCase starts a program, waits for it, and turns every way it can end
// into a result (a fake bench binary plays each part).
#include "benchmarks/reporter/runner.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace runnel {
namespace report {
namespace {

// A shell script standing in for a bench binary: it writes `json` to the
// --benchmark_out file, prints its environment's RUNNEL_BENCH_VALUE_BYTES
// and a histogram line, then runs `tail` (e.g. "exit 3", "sleep 5").
class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = ::getenv("TEST_TMPDIR");
    dir_ = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/runner_test");
    ::mkdir(dir_.c_str(), 0755);
    options_.bin_dir = dir_;
    options_.work_dir = dir_;
    options_.bench_dir = dir_;
    options_.sizes = QuickSizes();
    options_.timeout = absl::Seconds(30);
  }

  void Fake(const std::string& json, const std::string& tail) {
    std::ofstream out(dir_ + "/fake_bench");
    out << "#!/bin/sh\nfor a in \"$@\"; do case \"$a\" in\n"
        << "  --benchmark_out=*) out=\"${a#--benchmark_out=}\";;\n"
        << "esac; done\n"
        << "cat > \"$out\" <<'JSON'\n"
        << json << "\nJSON\n"
        << "echo \"value bytes $RUNNEL_BENCH_VALUE_BYTES in "
           "$RUNNEL_BENCH_DIR\"\n"
        << "echo 'histogram BM_Fake (3 records): <1us:3' >&2\n"
        << tail << "\n";
    out.close();
    ::chmod((dir_ + "/fake_bench").c_str(), 0755);
  }

  RunOutput RunFake(int value_bytes = 1024) {
    return RunCase(RunSpec{"fake_bench", "BM_Fake", value_bytes, 1, {}}, ++n_,
                   options_);
  }

  static std::string Json(bool verified) {
    return absl::StrCat(
        R"({"benchmarks": [{"name": "BM_Fake/iterations:1/real_time",
        "run_type": "iteration", "real_time": 2, "time_unit": "s",
        "items_per_second": 42)",
        verified ? R"(, "verified": 1)" : "", "}]}");
  }

  std::string dir_;
  RunnerOptions options_;
  int n_ = 0;
};

TEST_F(RunnerTest, ReadsTheCaseAndPassesTheEnvironment) {
  Fake(Json(true), "exit 0");
  RunOutput out = RunFake(1024);
  EXPECT_TRUE(out.result.failure.empty()) << out.result.failure;
  const Figure f = MakeFigure(&out.result, "items_per_second");
  ASSERT_TRUE(f.ok) << f.refused;
  EXPECT_EQ(f.median, 42);
  EXPECT_EQ(MakeFigure(&out.result, kSeconds).median, 2);
  ASSERT_EQ(out.histograms.size(), 1u);
  EXPECT_EQ(out.histograms[0], "histogram BM_Fake (3 records): <1us:3");
  std::ifstream log(out.log_path);
  std::string first;
  std::getline(log, first);
  EXPECT_EQ(first, absl::StrCat("value bytes 1024 in ", dir_));
}

TEST_F(RunnerTest, AFailingProcessRefusesEvenAGoodLookingResult) {
  Fake(Json(true), "echo 'LeakSanitizer: detected memory leaks'; exit 23");
  RunOutput out = RunFake();
  EXPECT_TRUE(absl::StrContains(out.result.failure, "exit status 23"))
      << out.result.failure;
  EXPECT_TRUE(absl::StrContains(out.result.failure, "LeakSanitizer"));
  EXPECT_FALSE(MakeFigure(&out.result, "items_per_second").ok);
}

TEST_F(RunnerTest, SignalsTimeoutsAndMissingOutputAreFailures) {
  Fake(Json(true), "kill -SEGV $$");
  EXPECT_TRUE(absl::StrContains(RunFake().result.failure, "signal 11"));

  options_.timeout = absl::Milliseconds(300);
  Fake(Json(true), "sleep 20");
  const RunOutput slow = RunFake();
  EXPECT_TRUE(absl::StrContains(slow.result.failure, "timed out"));
  EXPECT_LT(slow.elapsed, absl::Seconds(10));

  options_.timeout = absl::Seconds(30);
  Fake("{\"benchmarks\": []}", "echo 'Failed to match any benchmarks'");
  EXPECT_TRUE(
      absl::StrContains(RunFake().result.failure, "the case did not run"));

  Fake("not json", "exit 0");
  EXPECT_TRUE(absl::StrContains(RunFake().result.failure, "JSON"));

  options_.bin_dir = dir_ + "/nowhere";
  EXPECT_FALSE(RunFake().result.failure.empty());
}

TEST_F(RunnerTest, ArgvSelectsTheCaseAndWritesJson) {
  const std::vector<std::string> argv =
      CaseArgv(RunSpec{"log_bench", "BM_X/y", 100, 3, {{"A", "b"}}}, options_,
               "/o.json");
  EXPECT_EQ(argv[0], dir_ + "/log_bench");
  EXPECT_EQ(argv[1], "--benchmark_filter=" + CaseFilter("BM_X/y"));
  EXPECT_EQ(argv[2], "--benchmark_repetitions=3");
  EXPECT_EQ(argv[4], "--benchmark_out=/o.json");
  EXPECT_EQ(argv[5], "--benchmark_out_format=json");
}

}  // namespace
}  // namespace report
}  // namespace runnel
