#!/usr/bin/env bash
# Runs the worker pool twice on one scratch directory and checks its
# summary: 60 jobs shared out by three workers (each job once, each worker
# on its own partitions), the audit group seeing all 60, no lag left; and
# on the second run only the 60 new jobs (both groups resume where they
# committed).
set -euo pipefail
expect() {
  grep -qE -- "$1" <<<"$out" || { echo "missing from output: $1" >&2; exit 1; }
}
for run in 1 2; do
  out=$("examples/worker_pool" --dir="$TEST_TMPDIR/wp")
  echo "$out"
  for w in 0 1 2; do expect "^workers-$w: +[0-9]+ jobs from jobs-[0-5]"; done
  expect "^workers: 60 jobs in all, lag 0$"
  expect "^audit: 60 jobs$"
  expect "^OK: each job processed once; the audit saw every job$"
done
test -d "$TEST_TMPDIR/wp/jobs-5"
