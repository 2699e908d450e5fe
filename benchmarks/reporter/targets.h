// The speed targets written in the log/ (issue 4), Producer (issue 6) and
// Consumer (issue 7) issues, and how one report run judges them: a ratio of
// two figures of the same run at 100 B values (or, for the idle-log open,
// an absolute time), met or missed, with what limits it when missed.
//
//   for (const Target& t : Targets()) {
//     Verdict v = Judge(t, results, sizes);
//     ... v.state, v.ratio, v.detail ...
//   }
//
// A target whose figures are refused (failed, unverified, unavailable) is
// "not judged", never met.
//
// Thread-safety: plain values and pure functions.
#ifndef RUNNEL_BENCHMARKS_REPORTER_TARGETS_H_
#define RUNNEL_BENCHMARKS_REPORTER_TARGETS_H_

#include <string>
#include <vector>

#include "benchmarks/reporter/plan.h"
#include "benchmarks/reporter/result_set.h"

namespace runnel {
namespace report {

struct CaseRef {
  std::string binary;
  std::string bench_case;
};

struct Target {
  int issue = 0;
  std::string bar;  // the issue's words, shortened
  CaseRef runnel;
  // What Runnel is divided by; empty binary: the bar is an absolute value.
  CaseRef against;
  std::string metric;  // e.g. "items_per_second", "p99_us", kSeconds
  enum class Test { kAtLeast, kAtMost, kReported };
  Test test = Test::kAtLeast;
  double threshold = 0;  // a ratio, or the absolute bar
  // Peer bars: the machine limit, whose own ratio to the same peer the
  // verdict prints ("the limit itself is 9.0x").
  CaseRef limit;
  // What limits it (from benchmarks/README.md), printed when missed.
  std::string limited_by;
  // Latency bars: the floor is only a floor when the machine lets it be
  // one. If the floor's own p50 exceeds this (µs), the run measured the
  // scheduler, and the bar is not judged. 0: no such check.
  double floor_p50_max_us = 0;
};

std::vector<Target> Targets();

struct Verdict {
  enum class State { kMet, kMissed, kNotJudged, kReported };
  State state = State::kNotJudged;
  double runnel = 0;   // the Runnel figure (median)
  double against = 0;  // the other figure (0 for absolute bars)
  double ratio = 0;    // runnel / against, or runnel for absolute bars
  std::string detail;  // why not judged, or the limit's own ratio
};

Verdict Judge(const Target& target, const ResultSet& results,
              const Sizes& sizes);

// "met", "missed", "not judged", "reported".
const char* StateName(Verdict::State state);

}  // namespace report
}  // namespace runnel

#endif  // RUNNEL_BENCHMARKS_REPORTER_TARGETS_H_
