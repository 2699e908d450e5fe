#!/usr/bin/env bash
# //benchmarks:report — measures Runnel beside its peers and the machine's
# limits and writes benchmarks/REPORT.md and benchmarks/report.svg.
#
#   ./bazelw run //benchmarks:report                  # about 6-8 minutes
#   ./bazelw run //benchmarks:report -- --quick       # CI smoke, ~1 minute
#   ./bazelw run //benchmarks:report -- --only=append,consume
#
# Benchmarks built with fastbuild measure nothing, so this script (which
# `bazel run` starts from the runfiles tree once the build server is idle)
# builds the benchmark programs again with --config=opt from the workspace
# and runs the opt report tool, which starts each case in its own process.
# Arguments go to report_tool (see benchmarks/reporter/report_main.cc).
set -euo pipefail

ws="${BUILD_WORKSPACE_DIRECTORY:-}"
if [[ -z "$ws" ]]; then
  echo "report: start me with ./bazelw run //benchmarks:report" >&2
  exit 2
fi
cd "$ws"

targets=(
  //benchmarks/reporter:report_tool //benchmarks:log_bench
  //benchmarks:producer_bench //benchmarks:consumer_bench
  //benchmarks:peer_bench //benchmarks:crc32c_bench
)
echo "report: building the benchmarks with --config=opt..." >&2
./bazelw build --config=opt "${targets[@]}"
bin="$(./bazelw info --config=opt bazel-bin 2>/dev/null)"

command="./bazelw run //benchmarks:report"
if (($#)); then command+=" -- $*"; fi
exec "$bin/benchmarks/reporter/report_tool" \
  --bin_dir="$bin/benchmarks" \
  --out_md="$ws/benchmarks/REPORT.md" \
  --out_svg="$ws/benchmarks/report.svg" \
  --build="--config=opt (-c opt -march=x86-64-v2)" \
  --command="$command" \
  "$@"
