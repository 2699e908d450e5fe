#!/usr/bin/env bash
# fuzz.sh [seconds] — fuzz Runnel's RecordBatch decoder with libFuzzer.
#
# Builds //log/fuzz:record_batch_fuzzer with --config=fuzz (clang, libFuzzer,
# ASan + UBSan) and runs it for the given time (default 60 s) on a scratch
# copy of log/fuzz/corpus/. Exits non-zero on any crash, sanitizer report,
# timeout or out-of-memory. Crash inputs are kept in
# $RUNNEL_FUZZ_ARTIFACTS (default /tmp/runnel-fuzz-artifacts); add them to
# log/fuzz/corpus/ once fixed so the replay test guards against regressions.
set -euo pipefail

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 [seconds]" >&2
  exit 2
fi

cd "$(dirname "${BASH_SOURCE[0]}")/.."

./bazelw build --config=fuzz //log/fuzz:record_batch_fuzzer
bin="$(./bazelw info --config=fuzz bazel-bin)/log/fuzz/record_batch_fuzzer"

work="$(mktemp -d -t runnel-fuzz.XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
cp log/fuzz/corpus/* "$work/corpus/"
artifacts="${RUNNEL_FUZZ_ARTIFACTS:-/tmp/runnel-fuzz-artifacts}"
mkdir -p "$artifacts"

echo "fuzz.sh: running $bin for ${seconds}s; crash inputs go to $artifacts/" >&2
# max_len: a few small batches; larger inputs only slow the search.
# rss_limit: the decoder caps decompression at 4 MiB per batch in the target.
# libFuzzer prints a line per new input; keep that in a file and show the
# tail (all of it when something went wrong).
log="$work/fuzz.log"
status=0
ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}" \
UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
  "$bin" \
  -max_total_time="$seconds" \
  -max_len=16384 \
  -timeout=10 \
  -rss_limit_mb=2048 \
  -print_final_stats=1 \
  -artifact_prefix="$artifacts/" \
  "$work/corpus" >"$log" 2>&1 || status=$?
if ((status != 0)); then
  cat "$log" >&2
  echo "fuzz.sh: FAILED (exit $status); crash inputs in $artifacts/" >&2
  exit "$status"
fi
tail -n 15 "$log" >&2
echo "fuzz.sh: no crashes in ${seconds}s" >&2
