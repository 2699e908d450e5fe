// markdown.h: REPORT.md, section by section.
#include "benchmarks/reporter/markdown.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"

namespace runnel {
namespace report {
namespace {

constexpr char kItems[] = "items_per_second";
constexpr char kBytes[] = "bytes_per_second";

// A table cell: no '|' or newline.
std::string Cell(absl::string_view text) {
  return absl::StrReplaceAll(text, {{"|", "\\|"}, {"\n", " "}});
}

std::string Code(absl::string_view text) {
  return absl::StrCat("`", text, "`");
}

// 3 significant digits, no exponent for the magnitudes printed here.
std::string Sig3(double x) {
  if (x == 0) return "0";
  const int digits = static_cast<int>(std::floor(std::log10(std::fabs(x))));
  const int decimals = std::max(0, 2 - digits);
  return absl::StrFormat("%.*f", decimals, x);
}

// 1234567 -> "1,234,567" (x >= 0).
std::string Thousands(double x) {
  const std::string digits = absl::StrFormat("%.0f", x);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    const size_t left = digits.size() - i;  // digits from here to the end
    if (i > 0 && left % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

// The short name of a row in ratio headers: a peer's library, or the case
// without "BM_".
std::string ShortName(const Row& row) {
  if (row.role == Role::kPeer) {
    const absl::string_view name = row.bench_case;
    const absl::string_view peer = name.substr(name.rfind('/') + 1);
    if (peer == "lmdb") return "LMDB";
    if (peer == "rocksdb") return "RocksDB";
    if (peer == "leveldb") return "LevelDB";
    if (peer == "sqlite") return "SQLite";
    return std::string(peer);
  }
  return std::string(absl::StripPrefix(row.bench_case, "BM_"));
}

// The notes under one table: refusals are numbered there.
class Notes {
 public:
  // "refused [n]" / "unavailable [n]", noting the reason.
  std::string Refusal(const Row& row, int value_bytes, const Figure& f) {
    notes_.push_back(absl::StrCat(Code(row.bench_case), ", ",
                                  row.value_independent
                                      ? std::string("any size")
                                      : ValueSizeName(value_bytes),
                                  ": ", Cell(f.refused)));
    return absl::StrCat(f.unavailable ? "unavailable" : "**refused**", " [",
                        notes_.size(), "]");
  }
  std::string Render() const {
    std::string out;
    for (size_t i = 0; i < notes_.size(); ++i) {
      absl::StrAppend(&out, "[", i + 1, "] ", notes_[i], "  \n");
    }
    return out.empty() ? out : absl::StrCat("\n", out);
  }

 private:
  std::vector<std::string> notes_;
};

// "15.5 [14.9-16.0]" (M records/s) and "1,553" (MB/s), or refusals.
std::string RateCell(const Figure& f, Notes& notes, const Row& row,
                     int value_bytes) {
  if (!f.ok) return notes.Refusal(row, value_bytes, f);
  std::string out = Sig3(f.median / 1e6);
  if (f.repetitions > 1) {
    absl::StrAppend(&out, " [", Sig3(f.min / 1e6), "-", Sig3(f.max / 1e6), "]");
  }
  return out;
}

std::string WhatCell(const ResultSet& results, const Row& row) {
  const Figure f = RowFigure(results, row, kValueSizes[0], kItems);
  std::string what = row.what;
  if (row.role == Role::kPeer && !f.label.empty()) {
    what = absl::StrCat(f.label, ": ", what);
  }
  return Cell(what);
}

std::string ThroughputTable(const Workload& w, const ResultSet& results) {
  Notes notes;
  std::string out =
      "| case | | what | 100 B: M records/s | MB/s | 1 KiB: M records/s | "
      "MB/s |\n|---|---|---|---:|---:|---:|---:|\n";
  for (const Row& row : w.rows) {
    absl::StrAppend(&out, "| ", Code(row.bench_case), " | ", RoleName(row.role),
                    " | ", WhatCell(results, row));
    for (int size : kValueSizes) {
      const Figure items = RowFigure(results, row, size, kItems);
      const Figure bytes = RowFigure(results, row, size, kBytes);
      absl::StrAppend(&out, " | ", RateCell(items, notes, row, size), " | ",
                      bytes.ok ? Thousands(bytes.median / 1e6) : "-");
    }
    absl::StrAppend(&out, " |\n");
  }
  return absl::StrCat(out, notes.Render());
}

// Runnel ÷ every limit and peer, per value size.
std::string RatioTable(const Workload& w, const ResultSet& results) {
  std::vector<const Row*> others;
  for (const Row& row : w.rows) {
    if (row.role != Role::kRunnel) others.push_back(&row);
  }
  if (others.empty()) return "";
  std::string out =
      "\nRunnel ÷ each limit and peer, records/s at the same value size "
      "(> 1x: Runnel is faster):\n\n| Runnel case | size |";
  std::string rule = "|---|---|";
  for (const Row* other : others) {
    absl::StrAppend(&out, " ÷ ", Code(ShortName(*other)), " |");
    absl::StrAppend(&rule, "---:|");
  }
  absl::StrAppend(&out, "\n", rule, "\n");
  for (const Row& row : w.rows) {
    if (row.role != Role::kRunnel) continue;
    for (int size : kValueSizes) {
      const Figure mine = RowFigure(results, row, size, kItems);
      absl::StrAppend(&out, "| ", Code(ShortName(row)), " | ",
                      ValueSizeName(size), " |");
      for (const Row* other : others) {
        const Figure theirs = RowFigure(results, *other, size, kItems);
        const bool both = mine.ok && theirs.ok && theirs.median > 0;
        absl::StrAppend(
            &out, " ",
            both ? absl::StrCat(Sig3(mine.median / theirs.median), "x") : "-",
            " |");
      }
      absl::StrAppend(&out, "\n");
    }
  }
  return out;
}

std::string UsCell(const Figure& f) { return f.ok ? Sig3(f.median) : "-"; }

std::string LatencyTable(const Workload& w, const ResultSet& results) {
  Notes notes;
  std::string out =
      "| case | | what | size | p50 µs | p99 µs | p99.9 µs | max µs | "
      "p50 ÷ floor | p99 ÷ floor |\n"
      "|---|---|---|---|---:|---:|---:|---:|---:|---:|\n";
  std::string histograms;
  for (const Row& row : w.rows) {
    for (int size : kValueSizes) {
      if (row.value_independent && size != kValueSizes[0]) continue;
      const Figure p50 = RowFigure(results, row, size, "p50_us");
      const Figure p99 = RowFigure(results, row, size, "p99_us");
      absl::StrAppend(
          &out, "| ", Code(row.bench_case), " | ", RoleName(row.role), " | ",
          Cell(row.what), " | ",
          row.value_independent ? "any" : ValueSizeName(size), " | ",
          p50.ok ? Sig3(p50.median) : notes.Refusal(row, size, p50), " | ",
          UsCell(p99), " | ", UsCell(RowFigure(results, row, size, "p99.9_us")),
          " | ", UsCell(RowFigure(results, row, size, "max_us")));
      std::string ratios = " | - | - |";
      if (!row.floor.empty()) {
        const Row floor{row.binary, row.floor, Role::kLimit, "",
                        true,       "",        {},           0};
        const Figure f50 = RowFigure(results, floor, size, "p50_us");
        const Figure f99 = RowFigure(results, floor, size, "p99_us");
        auto ratio = [](const Figure& a, const Figure& b) {
          return a.ok && b.ok && b.median > 0
                     ? absl::StrCat(Sig3(a.median / b.median), "x")
                     : std::string("-");
        };
        ratios =
            absl::StrCat(" | ", ratio(p50, f50), " | ", ratio(p99, f99), " |");
      }
      absl::StrAppend(&out, ratios, "\n");
      for (const std::string& line : results.Histograms(
               row.binary, row.bench_case, StoredValueBytes(row, size))) {
        absl::StrAppend(&histograms, line,
                        row.value_independent
                            ? ""
                            : absl::StrCat(" [", ValueSizeName(size), "]"),
                        "\n");
      }
    }
  }
  absl::StrAppend(&out, notes.Render());
  if (!histograms.empty()) {
    absl::StrAppend(&out,
                    "\nHistograms (records per log2 bucket of µs; `<N`: "
                    "below N µs):\n\n```\n",
                    histograms, "```\n");
  }
  return out;
}

std::string OpenTable(const Workload& w, const ResultSet& results,
                      const Sizes& sizes) {
  Notes notes;
  std::string out = absl::StrCat(
      "| case | | what | 100 B: s per ", Thousands(sizes.idle_logs),
      " logs | 1 KiB: s per ", Thousands(sizes.idle_logs),
      " logs |\n|---|---|---|---:|---:|\n");
  for (const Row& row : w.rows) {
    absl::StrAppend(&out, "| ", Code(row.bench_case), " | ", RoleName(row.role),
                    " | ", Cell(row.what));
    for (int size : kValueSizes) {
      const Figure f = RowFigure(results, row, size, kSeconds);
      absl::StrAppend(&out, " | ",
                      f.ok ? Sig3(f.median) : notes.Refusal(row, size, f));
    }
    absl::StrAppend(&out, " |\n");
  }
  absl::StrAppend(&out, notes.Render());
  if (w.rows.size() == 2) {
    for (int size : kValueSizes) {
      const Figure a = RowFigure(results, w.rows[0], size, kSeconds);
      const Figure b = RowFigure(results, w.rows[1], size, kSeconds);
      if (a.ok && b.ok && b.median > 0) {
        absl::StrAppend(&out, "\n", ValueSizeName(size), ": Runnel takes ",
                        Sig3(a.median / b.median), "x the limit's time.");
      }
    }
    absl::StrAppend(&out, "\n");
  }
  return out;
}

std::string BandwidthTable(const Workload& w, const ResultSet& results) {
  Notes notes;
  std::string out = "| case | what | GB/s |\n|---|---|---:|\n";
  for (const Row& row : w.rows) {
    const Figure f = RowFigure(results, row, kValueSizes[0], kBytes);
    absl::StrAppend(
        &out, "| ", Code(row.bench_case), " | ", Cell(row.what), " | ",
        f.ok ? Sig3(f.median / 1e9) : notes.Refusal(row, kValueSizes[0], f),
        " |\n");
  }
  return absl::StrCat(out, notes.Render());
}

std::string Binaries(const Workload& w) {
  std::vector<std::string> names;
  for (const Row& row : w.rows) {
    const std::string name = Code(absl::StrCat("//benchmarks:", row.binary));
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      names.push_back(name);
    }
  }
  return absl::StrJoin(names, ", ");
}

std::string WorkloadSection(const Workload& w, const ResultSet& results,
                            const Sizes& sizes) {
  std::string out = absl::StrCat("## ", w.title, "\n\n", w.about,
                                 " Cases from ", Binaries(w), ".\n\n");
  switch (w.kind) {
    case Kind::kThroughput:
      absl::StrAppend(&out, ThroughputTable(w, results),
                      RatioTable(w, results));
      break;
    case Kind::kLatency:
      absl::StrAppend(&out, LatencyTable(w, results));
      break;
    case Kind::kOpen:
      absl::StrAppend(&out, OpenTable(w, results, sizes));
      break;
    case Kind::kBandwidth:
      absl::StrAppend(&out, BandwidthTable(w, results));
      break;
  }
  return absl::StrCat(out, "\n");
}

// A target's figure in its unit.
std::string TargetFigure(const Target& t, double value) {
  if (t.metric == kSeconds) return absl::StrCat(Sig3(value), " s");
  if (absl::EndsWith(t.metric, "_us")) return absl::StrCat(Sig3(value), " µs");
  return absl::StrCat(Sig3(value / 1e6), " M rec/s");
}

std::string TargetsSection(const std::vector<Target>& targets,
                           const ResultSet& results, const Sizes& sizes) {
  std::string rows;
  int met = 0;
  int judged = 0;
  for (const Target& t : targets) {
    const Verdict v = Judge(t, results, sizes);
    std::string runnel = "-", against = "-", ratio = "-";
    if (v.state == Verdict::State::kMet || v.state == Verdict::State::kMissed) {
      ++judged;
      met += v.state == Verdict::State::kMet;
      runnel = TargetFigure(t, v.runnel);
      if (!t.against.binary.empty()) {
        against = absl::StrCat(TargetFigure(t, v.against), " ",
                               Code(t.against.bench_case));
        ratio = absl::StrCat(Sig3(v.ratio), "x (bar ",
                             t.test == Target::Test::kAtLeast ? ">= " : "<= ",
                             Sig3(t.threshold), "x)");
      } else {
        ratio = absl::StrCat("bar ",
                             t.test == Target::Test::kAtLeast ? ">= " : "< ",
                             TargetFigure(t, t.threshold));
      }
    }
    std::string verdict = StateName(v.state);
    if (v.state == Verdict::State::kMet || v.state == Verdict::State::kMissed) {
      verdict = absl::StrCat("**", verdict, "**");
    }
    std::string why = v.detail;
    if (v.state == Verdict::State::kMissed) {
      why = absl::StrCat(t.limited_by, why.empty() ? "" : " (", why,
                         why.empty() ? "" : ")");
    }
    absl::StrAppend(&rows, "| ", t.issue, " | ", Cell(t.bar), " | ",
                    Code(t.runnel.bench_case), ": ", runnel, " | ",
                    Cell(against), " | ", ratio, " | ", verdict, " | ",
                    Cell(why), " |\n");
  }
  return absl::StrCat(
      kTargetsHeading,
      "\n\nThe speed targets of the log/ (issue 4), Producer (6) and "
      "Consumer (7) issues, judged on this run's 100 B figures (medians). A "
      "target is a ratio of two figures of the same run, because the "
      "machine is a noisy VM; a target whose figures were refused, or "
      "whose latency floor was swamped by other processes, is not judged. "
      "\"What limits it\" comes from the profiles in benchmarks/README.md, "
      "which may predate the code measured here. ",
      met, " of ", judged, " judged targets met.\n\n",
      "| issue | target | Runnel | against | ratio | | what limits it |\n"
      "|---|---|---|---|---|---|---|\n",
      rows, "\n");
}

std::string Header(const ReportContext& c, const ResultSet& results) {
  const MachineInfo& m = c.machine;
  std::string out = absl::StrCat(
      "# Runnel benchmark report\n\nGenerated ", c.date, " by ",
      Code(c.command), " in ",
      absl::FormatDuration(absl::Trunc(c.duration, absl::Seconds(1))),
      ". Do not edit: run the command again.\n\n");
  if (c.sizes.quick) {
    absl::StrAppend(&out,
                    "> **--quick smoke run**: sizes far too small for the "
                    "figures to mean anything; it only proves the report "
                    "still works.\n\n");
  }
  absl::StrAppend(
      &out, "## Machine\n\n| | |\n|---|---|\n", "| CPU | ", Cell(m.cpu),
      " |\n| cores | ", m.cores, " |\n| RAM | ", m.memory, " |\n",
      "| file system of the bench files | ", Cell(m.file_system), " |\n",
      "| kernel | ", m.kernel, " |\n", "| load average (1/5/15 min) | ",
      c.load_start, " at the start, ", c.load_end, " at the end |\n",
      "| build | ", Cell(c.build),
      " (Debian's libbenchmark reports itself as a DEBUG build: that is "
      "the harness library, not the code measured) |\n\n");
  const Sizes& s = c.sizes;
  absl::StrAppend(
      &out,
      "## How the figures were made\n\n"
      "Every case runs in its own process, one at a time, at 100 B and at "
      "1 KiB values (`RUNNEL_BENCH_VALUE_BYTES`; the floors and machine "
      "loops once). Sizes: `RUNNEL_BENCH_APPEND_BYTES=",
      s.append_bytes, "` `RUNNEL_BENCH_READ_BYTES=", s.read_bytes,
      "` `RUNNEL_BENCH_RECOVERY_BYTES=", s.recovery_bytes,
      "` `RUNNEL_BENCH_IDLE_LOGS=", s.idle_logs,
      "` `RUNNEL_BENCH_LATENCY_RECORDS=", s.latency_records,
      "`. Throughput figures are the median of ", s.repetitions,
      s.repetitions == 1 ? " run" : " runs [min-max]",
      " in million records/s and MB/s of values (10^6 bytes); latency, "
      "recovery and open cases repeat inside one run. Wall-clock time "
      "throughout.\n\n"
      "A figure is printed only if its case checked its own work (record "
      "counts, offsets, a checksum of what was read; counter `verified`) and "
      "reported no error; otherwise the table says **refused** and why. ");
  const std::vector<std::string> refused = results.Refused();
  if (refused.empty()) {
    absl::StrAppend(&out, "All ", results.size(),
                    " cases run were verified (peers missing from the build "
                    "are marked unavailable).\n\n");
  } else {
    absl::StrAppend(&out, refused.size(), " of ", results.size(),
                    " cases were refused:\n\n");
    for (const std::string& r : refused) {
      absl::StrAppend(&out, "- ", Cell(r), "\n");
    }
    absl::StrAppend(&out, "\n");
  }
  return out;
}

std::string Reproduce(const Sizes& sizes) {
  std::string env;
  for (const auto& [name, value] : SizeEnv(sizes, 1024)) {
    absl::StrAppend(&env, name, "=", value, " ");
  }
  return absl::StrCat(
      "## Reproducing one figure\n\n"
      "Each figure is one case of one benchmark program; run it alone with "
      "the same environment (here the 1 KiB Runnel batched append):\n\n"
      "```sh\n",
      env, "\\\n  ./bazelw run --config=opt //benchmarks:log_bench -- \\\n",
      "  --benchmark_filter='", CaseFilter("BM_Append_RunnelLog/fresh"),
      "' \\\n  --benchmark_repetitions=", sizes.repetitions,
      "\n```\n\nbenchmarks/README.md describes every case.\n");
}

}  // namespace

std::string RenderMarkdown(const std::vector<Workload>& workloads,
                           const ResultSet& results,
                           const std::vector<Target>& targets,
                           const ReportContext& context) {
  std::string out = Header(context, results);
  absl::StrAppend(&out, TargetsSection(targets, results, context.sizes));
  absl::StrAppend(&out,
                  "## Throughput by workload\n\n![records/s by workload, "
                  "log scale](",
                  context.svg_file, ")\n\n");
  for (const Workload& w : workloads) {
    absl::StrAppend(&out, WorkloadSection(w, results, context.sizes));
  }
  absl::StrAppend(&out, Reproduce(context.sizes));
  return out;
}

}  // namespace report
}  // namespace runnel
