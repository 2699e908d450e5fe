#!/usr/bin/env bash
# Runs the quickstart into a scratch directory and checks what it printed:
# five records in two batches, the second LZ4-compressed, nulls shown.
set -euo pipefail
out=$("examples/quickstart" --dir="$TEST_TMPDIR/qs")
echo "$out"
expect() {
  grep -qF -- "$1" <<<"$out" || { echo "missing from output: $1" >&2; exit 1; }
}
expect "batch: offsets 0-2"
expect "batch: offsets 3-4"
expect "compression lz4"
expect 'offset 2  ts 1700000000002  key "user-1"  value "bought a kettle"'
expect 'header trace-id="7f3a"'
expect 'key null  value "a keyless record"'
expect 'key "user-2"  value null'
test -s "$TEST_TMPDIR/qs/quickstart-0/00000000000000000000.log"
