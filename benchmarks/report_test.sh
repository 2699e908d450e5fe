#!/usr/bin/env bash
# report_tool --quick over the fastbuild bench binaries (data deps; no
# nested Bazel): the report must have every workload table, the Targets
# section with each issue's bars, no refused figure, and a well-formed SVG.
# No timing is asserted: a smoke run's numbers mean nothing.
set -euo pipefail

bin="${TEST_SRCDIR}/${TEST_WORKSPACE}/benchmarks"
out="${TEST_TMPDIR}"
md="$out/REPORT.md"
svg="$out/report.svg"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

if ! "$bin/reporter/report_tool" --quick --bin_dir="$bin" \
  --bench_dir="$TEST_TMPDIR" --out_md="$md" --out_svg="$svg" \
  --build=test >"$out/report.log" 2>&1; then
  cat "$out/report.log" >&2
  fail "report_tool failed"
fi
cat "$out/report.log"

# Every section: the workloads of benchmarks/reporter/plan.cc, in order.
for heading in \
  "## Machine" "## How the figures were made" "## Targets" \
  "## Throughput by workload" "## Batched append, no sync" \
  "## Producer Send, one record per call, no fsync" \
  "## Durable append: fsync every 10,000 records" \
  "## Sequential consume with CRC check" "## Produce → consume latency" \
  "## Recovery scan of an unclean segment" \
  "## Open of 10,000 idle partitions" "## Machine limits" \
  "## Reproducing one figure"; do
  grep -qxF "$heading" "$md" || fail "no section '$heading'"
done

# A table per workload (header row), ratios beside the peers and limits.
[[ $(grep -c '^| case |' "$md") -eq 8 ]] || fail "not 8 workload tables"
[[ $(grep -c '^| Runnel case | size |' "$md") -eq 5 ]] ||
  fail "not 5 ratio tables"
for peer in LMDB RocksDB LevelDB SQLite; do
  grep -q "÷ \`$peer\`" "$md" || fail "no ratio to $peer"
done

# The targets of issues 4, 6 and 7, each with a verdict.
for issue in 4 6 7; do
  grep -qE "^\| $issue \| .*\| (\*\*met\*\*|\*\*missed\*\*|not judged|reported) \|" \
    "$md" || fail "no target row of issue $issue"
done

# Every case verified its own work, so nothing is refused.
grep -qE '^A figure is printed only if .* All [0-9]+ cases run were verified' \
  "$md" || fail "some cases were refused: $(grep -A20 'were refused' "$md")"
! grep -qF '**refused** [' "$md" || fail "a refused figure"

# The chart: well-formed XML with an <svg> root and bars in it.
head -c 200 "$svg" | grep -q '<svg ' || fail "report.svg does not start an <svg>"
tail -n 1 "$svg" | grep -qx '</svg>' || fail "report.svg does not end </svg>"
[[ $(grep -c '<rect ' "$svg") -gt 50 ]] || fail "report.svg has no bars"
if command -v python3 >/dev/null; then
  python3 -c 'import sys, xml.etree.ElementTree as E
root = E.parse(sys.argv[1]).getroot()
assert root.tag == "{http://www.w3.org/2000/svg}svg", root.tag' "$svg" ||
    fail "report.svg is not well-formed SVG"
fi
grep -qF "](report.svg)" "$md" || fail "REPORT.md does not link report.svg"
echo "PASS"
