#!/usr/bin/env bash
# Runs the quickstart twice on one scratch directory and checks what it
# printed: the topic created then found again, five records in two batches
# (the second LZ4-compressed, nulls shown), and the second run's records
# after the first's, read back from disk.
set -euo pipefail
expect() {
  grep -qF -- "$1" <<<"$out" || { echo "missing from output: $1" >&2; exit 1; }
}
out=$("examples/quickstart" --dir="$TEST_TMPDIR/qs")
echo "$out"
expect "created topic quickstart"
expect "PartitionCount: 3"
expect "Config: retention.ms=86400000"
expect "appended offsets 0-4 to quickstart-0 and synced"
expect "consumed 6 records and committed"
expect "batch: offsets 0-2"
expect "batch: offsets 3-4"
expect "compression lz4"
expect 'offset 2  ts 1700000000002  key "user-1"  value "bought a kettle"'
expect 'header trace-id="7f3a"'
expect 'key null  value "a keyless record"'
expect 'key "user-2"  value null'
test -s "$TEST_TMPDIR/qs/quickstart-0/00000000000000000000.log"

out=$("examples/quickstart" --dir="$TEST_TMPDIR/qs")
echo "$out"
expect "topic quickstart exists"
expect "HighWatermark: 5"
expect "appended offsets 5-9 to quickstart-0 and synced"
expect "batch: offsets 0-2"
expect "batch: offsets 8-9"
expect 'offset 7  ts 1700000000002  key "user-1"  value "bought a kettle"'
# The producer's keyed records: one key, one partition, offsets growing.
# Kafka's murmur2 puts alice on partition 0, dave on 1, carol on 2.
expect 'key "alice" value "kettle" -> orders-0 offset 2'
expect 'key "alice" value "tea" -> orders-0 offset 3'
expect 'key "dave" value "milk" -> orders-1 offset 3'
expect 'key "carol" value "sugar" -> orders-2 offset 3'
test "$(grep -c ' -> orders-' <<<"$out")" -eq 6
# The group resumed after its committed offsets: only the new six.
expect "consumed 6 records and committed"
expect 'orders-0 offset 3: "tea"'
