#!/usr/bin/env bash
# The `runnel` command line end to end: Kafka's Quick Start sequence
# (create a topic with 3 partitions, list, describe, produce three lines,
# consume them from the beginning, delete), keyed records printed with
# partition and offset, a group resuming after its commit, and bad input
# with its exit codes (nothing changed on disk). Then dump-log on real,
# corrupted and held segment files, and the producer and consumer perf
# tests.
set -euo pipefail
runnel=tools/runnel
dir="$TEST_TMPDIR/data"
mkdir -p "$dir"
fail() { echo "FAIL: $*" >&2; exit 1; }
# expect_exit CODE MESSAGE-SUBSTRING -- runnel args...
expect_exit() {
  local code=$1 message=$2; shift 3
  set +e; err=$("$runnel" "$@" 2>&1 >/dev/null); got=$?; set -e
  [[ $got == "$code" ]] || fail "runnel $*: exit $got, wanted $code ($err)"
  grep -qF -- "$message" <<<"$err" || fail "runnel $*: '$err' lacks '$message'"
}

# --- Quick Start ---
out=$($runnel topics --create --topic quickstart-events --partitions 3 \
      --config retention.ms=86400000 --data-dir "$dir")
[[ $out == "Created topic quickstart-events." ]] || fail "create: $out"
[[ $($runnel topics --list --data-dir "$dir") == "quickstart-events" ]] || fail list
out=$($runnel topics --describe --topic quickstart-events --data-dir "$dir")
grep -qF "PartitionCount: 3" <<<"$out" || fail "describe: $out"
grep -qF "Configs: retention.ms=86400000" <<<"$out" || fail "describe: $out"
[[ $(grep -c "Partition: " <<<"$out") == 3 ]] || fail "describe rows: $out"
printf 'This is my first event\nThis is my second event\nThird\n' |
  $runnel console-producer --topic quickstart-events --data-dir "$dir"
out=$($runnel console-consumer --topic quickstart-events --from-beginning \
      --timeout-ms 200 --data-dir "$dir" 2>/dev/null | LC_ALL=C sort)
[[ $out == $'Third\nThis is my first event\nThis is my second event' ]] ||
  fail "consume: $out"

# --- Keyed records, printed with key, partition and offset ---
$runnel topics --create --topic keyed --partitions 3 --data-dir "$dir" >/dev/null
printf 'alice:kettle\ndave:teapot\nalice:tea\n' |
  $runnel console-producer --topic keyed --property parse.key=true \
    --property key.separator=: --producer-property acks=all --data-dir "$dir"
out=$($runnel console-consumer --topic keyed --from-beginning --timeout-ms 200 \
      --property print.key=true --property print.partition=true \
      --property print.offset=true --data-dir "$dir" 2>/dev/null)
# Kafka's murmur2 puts alice on partition 0 and dave on 1.
grep -qxF $'Partition:0\tOffset:0\talice\tkettle' <<<"$out" || fail "keyed: $out"
grep -qxF $'Partition:0\tOffset:1\talice\ttea' <<<"$out" || fail "keyed: $out"
grep -qxF $'Partition:1\tOffset:0\tdave\tteapot' <<<"$out" || fail "keyed: $out"

# --- A group commits what it printed and resumes there ---
out=$($runnel console-consumer --topic quickstart-events --group g \
      --from-beginning --max-messages 2 --data-dir "$dir" 2>/dev/null)
[[ $(wc -l <<<"$out") == 2 ]] || fail "group first half: $out"
out=$($runnel console-consumer --topic quickstart-events --group g \
      --timeout-ms 200 --data-dir "$dir" 2>/dev/null)
[[ $(wc -l <<<"$out") == 1 ]] || fail "group resumed: $out"

# --- Bad input: exit codes and messages, nothing changed ---
before=$(ls -R "$dir" | sort)
expect_exit 2 "--topic is required" -- topics --create --data-dir "$dir"
expect_exit 2 "exactly one of" -- topics --data-dir "$dir"
expect_exit 1 "number of partitions must be >= 1" -- \
  topics --create --topic zero --partitions 0 --data-dir "$dir"
expect_exit 1 "-3" -- topics --create --topic neg --partitions -3 --data-dir "$dir"
expect_exit 1 "retention.ms" -- \
  topics --create --topic bad --config retention.ms=soon --data-dir "$dir"
expect_exit 2 "--config 'nokey' is not key=value" -- \
  topics --create --topic bad --config nokey --data-dir "$dir"
expect_exit 1 "unknown topic 'missing'" -- \
  topics --describe --topic missing --data-dir "$dir"
expect_exit 1 "unknown topic 'missing'" -- \
  console-consumer --topic missing --timeout-ms 10 --data-dir "$dir"
expect_exit 1 "unknown producer config key 'lingers.ms'" -- \
  console-producer --topic keyed --producer-property lingers.ms=5 \
  --data-dir "$dir"
expect_exit 2 "unknown --property 'print.keys'" -- \
  console-consumer --topic keyed --property print.keys=true --data-dir "$dir"
expect_exit 1 "does not exist" -- topics --list --data-dir "$dir/nope"
expect_exit 2 "unknown command" -- frobnicate
[[ $(ls -R "$dir" | sort) == "$before" ]] || fail "bad input changed $dir"

# wait_for_lock PID [DIR]: until PID has written itself into the lock file
# (without competing for the lock).
wait_for_lock() {
  for _ in $(seq 200); do
    [[ "$(cat "${2:-$dir}/LOCK" 2>/dev/null)" == "$1" ]] && return 0
    sleep 0.05
  done
  fail "process $1 never took the lock"
}

# A data directory held by another process: a second writer is refused, and
# the lock names the holder (a group consumer writes: its commits).
$runnel consumer-perf-test --topic keyed --messages 1000 --timeout-ms 3000 \
  --data-dir "$dir" >/dev/null 2>&1 &
holder=$!
wait_for_lock "$holder"
expect_exit 1 "process $holder" -- topics --create --topic t2 --data-dir "$dir"
wait "$holder" || true  # it exits 1: fewer records than it asked for

# --- A second process reads while a writer process produces ---
# The writer: a console producer holding the directory, fed line by line.
$runnel topics --create --topic live --data-dir "$dir" >/dev/null
mkfifo "$TEST_TMPDIR/lines"
$runnel console-producer --topic live --producer-property linger.ms=0 \
  --data-dir "$dir" <"$TEST_TMPDIR/lines" &
writer=$!
exec 3>"$TEST_TMPDIR/lines"
wait_for_lock "$writer"
# A read-only consumer tails the topic from the beginning in the meantime.
$runnel console-consumer --topic live --from-beginning --max-messages 6 \
  --timeout-ms 30000 --property print.offset=true --data-dir "$dir" \
  >"$TEST_TMPDIR/tail.out" 2>"$TEST_TMPDIR/tail.err" &
tailer=$!
printf 'one\ntwo\nthree\n' >&3
# Others read the live directory too, without the lock: what is there so
# far, never a partial batch.
for _ in $(seq 200); do
  out=$($runnel console-consumer --topic live --from-beginning \
        --max-messages 3 --timeout-ms 200 --data-dir "$dir" 2>/dev/null || true)
  [[ $out == $'one\ntwo\nthree' ]] && break
  sleep 0.05
done
[[ $out == $'one\ntwo\nthree' ]] || fail "read-only consumer: $out"
out=$($runnel topics --describe --topic live --data-dir "$dir")
grep -qF "Topic: live" <<<"$out" || fail "read-only describe: $out"
out=$($runnel dump-log --files "$dir/live-0/00000000000000000000.log")
grep -q 'isvalid: false' <<<"$out" && fail "live dump-log: $out"
grep -q 'isvalid: true$' <<<"$out" || fail "live dump-log: $out"
kill -0 "$writer" || fail "the writer is gone before the readers finished"
printf 'four\nfive\nsix\n' >&3
wait "$tailer" || fail "tailing consumer: $(cat "$TEST_TMPDIR/tail.err")"
[[ $(cat "$TEST_TMPDIR/tail.out") == $'Offset:0\tone\nOffset:1\ttwo\nOffset:2\tthree\nOffset:3\tfour\nOffset:4\tfive\nOffset:5\tsix' ]] ||
  fail "tailing consumer: $(cat "$TEST_TMPDIR/tail.out")"
exec 3>&-
wait "$writer" || fail "writer exit"
# Reading beside the writer changed nothing the writer did not.
[[ $($runnel console-consumer --topic live --from-beginning --timeout-ms 200 \
     --data-dir "$dir" 2>/dev/null | wc -l) == 6 ]] || fail "after the writer"

# --- Delete ---
$runnel topics --delete --topic quickstart-events --data-dir "$dir"
# (kafka-topics --list shows internal topics too: the group made one.)
[[ $($runnel topics --list --data-dir "$dir") == $'__consumer_offsets\nkeyed\nlive' ]] ||
  fail "after delete"
ls "$dir" | grep -q '^quickstart-events' && fail "files of the deleted topic remain"

# --- dump-log: batches, records and payloads of a real segment ---
$runnel topics --create --topic dump --data-dir "$dir" >/dev/null
printf 'first\nsecond\nthird\n' | $runnel console-producer --topic dump --data-dir "$dir"
printf 'fourth\n' | $runnel console-producer --topic dump --data-dir "$dir"
seg="$dir/dump-0/00000000000000000000"
out=$($runnel dump-log --files "$seg.log")
[[ $(head -2 <<<"$out") == "Dumping $seg.log"$'\n'"Log starting offset: 0" ]] ||
  fail "dump-log head: $out"
[[ $(grep -c '^baseOffset: ' <<<"$out") == 2 ]] || fail "dump-log batches: $out"
grep -qE '^baseOffset: 0 lastOffset: 2 count: 3 baseSequence: 0 lastSequence: 2 producerId: [0-9]+ producerEpoch: 0 partitionLeaderEpoch: 0 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty position: 0 CreateTime: [0-9]+ size: [0-9]+ magic: 2 compresscodec: none crc: [0-9]+ isvalid: true$' <<<"$out" ||
  fail "dump-log batch line: $out"
grep -qE '^baseOffset: 3 lastOffset: 3 count: 1 .* isvalid: true$' <<<"$out" ||
  fail "dump-log second batch: $out"
grep -q '^|' <<<"$out" && fail "dump-log printed records without --deep-iteration"
out=$($runnel dump-log --deep-iteration --files "$seg.log")
[[ $(grep -c '^| offset: ' <<<"$out") == 4 ]] || fail "deep iteration: $out"
grep -q 'payload:' <<<"$out" && fail "payloads without --print-data-log: $out"
out=$($runnel dump-log --print-data-log --files "$seg.log")
grep -qE '^\| offset: 1 CreateTime: [0-9]+ keySize: -1 valueSize: 6 sequence: 1 headerKeys: \[\] payload: second$' <<<"$out" ||
  fail "print-data-log: $out"
[[ $(grep -o 'payload: .*' <<<"$out") == $'payload: first\npayload: second\npayload: third\npayload: fourth' ]] ||
  fail "payloads: $out"

# Its indexes: two small batches are below index.interval.bytes (no offset
# index entry); the time index ends at the last batch's offset.
out=$($runnel dump-log --files "$seg.index,$seg.timeindex")
grep -qxF "$seg.index is empty." <<<"$out" || fail "empty index: $out"
grep -qE '^timestamp: [0-9]+ offset: 3$' <<<"$out" || fail "time index: $out"

# The same files while another process holds the directory (read-only, no
# lock), with a zero-filled reserved tail like an active segment's.
$runnel consumer-perf-test --topic dump --messages 1000 --timeout-ms 1000 \
  --data-dir "$dir" >/dev/null 2>&1 &
holder=$!
for _ in $(seq 200); do
  [[ "$(cat "$dir/LOCK" 2>/dev/null)" == "$holder" ]] && break
  sleep 0.05
done
mkdir -p "$TEST_TMPDIR/live"
cp "$seg.log" "$TEST_TMPDIR/live/00000000000000000000.log"
truncate -s +65536 "$TEST_TMPDIR/live/00000000000000000000.log"
out=$($runnel dump-log --files "$seg.log,$TEST_TMPDIR/live/00000000000000000000.log")
[[ $(grep -c 'isvalid: true$' <<<"$out") == 4 ]] || fail "live dump-log: $out"
grep -q 'invalid bytes' <<<"$out" && fail "zero tail taken as invalid: $out"

# A corrupted copy: a flipped byte in the first batch's records is a CRC
# mismatch; the dump carries on to the next batch and exits 1 naming the
# position.
mkdir -p "$TEST_TMPDIR/corrupt"
bad="$TEST_TMPDIR/corrupt/00000000000000000000.log"
cp "$seg.log" "$bad"
printf 'X' | dd of="$bad" bs=1 seek=70 conv=notrunc 2>/dev/null
set +e; out=$($runnel dump-log --files "$bad" 2>"$TEST_TMPDIR/err"); got=$?; set -e
err=$(cat "$TEST_TMPDIR/err")
[[ $got == 1 ]] || fail "corrupt dump-log: exit $got ($err)"
grep -qF "$bad: CRC mismatch in the batch at position 0" <<<"$err" ||
  fail "corrupt dump-log stderr: $err"
[[ $(wc -l <<<"$err") == 1 ]] || fail "corrupt dump-log: more than one line: $err"
grep -qE '^baseOffset: 0 .* isvalid: false$' <<<"$out" || fail "corrupt: $out"
grep -qE '^baseOffset: 3 .* isvalid: true$' <<<"$out" || fail "carry on: $out"
# A truncated copy: the last batch runs past the end.
cp "$seg.log" "$bad"
truncate -s -5 "$bad"
expect_exit 1 "only" -- dump-log --files "$bad"
out=$($runnel dump-log --files "$bad" 2>/dev/null || true)
grep -qE '^Found [0-9]+ invalid bytes at the end of 00000000000000000000.log$' <<<"$out" ||
  fail "truncated: $out"
expect_exit 1 "$dir/nope.log" -- dump-log --files "$dir/nope.log"
expect_exit 2 "--files is required" -- dump-log
wait "$holder" || true  # it exits 1: fewer records than it asked for

# --- producer-perf-test, then consumer-perf-test reading the records back ---
$runnel topics --create --topic perf --data-dir "$dir" >/dev/null
out=$($runnel producer-perf-test --topic perf --num-records 2000 \
      --record-size 100 --throughput -1 --producer-props acks=1 linger.ms=1 \
      --data-dir "$dir")
grep -qE '^2000 records sent, [0-9.]+ records/sec \([0-9.]+ MB/sec\), [0-9.]+ ms avg latency, [0-9.]+ ms max latency, [0-9.]+ ms 50th, [0-9.]+ ms 95th, [0-9.]+ ms 99th, [0-9.]+ ms 99.9th\.$' <<<"$out" ||
  fail "producer-perf-test: $out"
out=$($runnel consumer-perf-test --topic perf --messages 2000 --timeout-ms 2000 \
      --data-dir "$dir")
[[ $(head -1 <<<"$out") == "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec" ]] ||
  fail "consumer-perf-test header: $out"
# 2000 records of 100 bytes: 0.1907 MB.
line=$(tail -1 <<<"$out")
IFS=',' read -r -a row <<<"${line//, /,}"
[[ ${row[2]} == 0.1907 && ${row[4]} == 2000 ]] || fail "consumer-perf-test: $out"
# The records are 100 uppercase letters each, and the segment has index
# entries that match it.
seg="$dir/perf-0/00000000000000000000"
out=$($runnel dump-log --print-data-log --files "$seg.log")
[[ $(grep -cE '^\| offset: .* valueSize: 100 .* payload: [A-Z]{100}$' <<<"$out") == 2000 ]] ||
  fail "perf records: $(head -3 <<<"$out")"
out=$($runnel dump-log --files "$seg.index")
grep -qE '^offset: [0-9]+ position: [0-9]+$' <<<"$out" || fail "perf index: $out"
out=$($runnel dump-log --verify-index-only --files "$seg.index,$seg.timeindex")
[[ $out == "Dumping $seg.index"$'\n'"Dumping $seg.timeindex" ]] ||
  fail "verify-index-only: $out"
# An index entry pointing inside a batch.
cp "$seg".{log,index} "$TEST_TMPDIR/corrupt/"
printf '\x00\x00\x00\x07' | dd of="$TEST_TMPDIR/corrupt/00000000000000000000.index" \
  bs=1 seek=4 conv=notrunc 2>/dev/null
expect_exit 1 "does not match the log (first: offset" -- \
  dump-log --verify-index-only --files "$TEST_TMPDIR/corrupt/00000000000000000000.index"
# Fewer records than asked for within the timeout.
expect_exit 1 "only 2000 of 2001 messages arrived" -- \
  consumer-perf-test --topic perf --messages 2001 --timeout-ms 100 --data-dir "$dir"

# --- Bad input for the perf tests ---
expect_exit 2 "--topic is required" -- \
  producer-perf-test --num-records 1 --record-size 1 --data-dir "$dir"
expect_exit 2 "--record-size should be greater than zero" -- \
  producer-perf-test --topic perf --num-records 1 --record-size 0 --data-dir "$dir"
expect_exit 2 "--num-records should be greater than zero" -- \
  producer-perf-test --topic perf --record-size 10 --data-dir "$dir"
expect_exit 2 "--producer-props 'acks' is not key=value" -- \
  producer-perf-test --topic perf --num-records 1 --record-size 1 \
  --producer-props acks --data-dir "$dir"
expect_exit 1 "unknown topic 'missing'" -- \
  producer-perf-test --topic missing --num-records 1 --record-size 1 --data-dir "$dir"
expect_exit 2 "--topic is required" -- consumer-perf-test --messages 1 --data-dir "$dir"
expect_exit 2 "--messages should be greater than zero" -- \
  consumer-perf-test --topic perf --data-dir "$dir"
# --- consumer-groups: lag, list, reset, delete (kafka-consumer-groups.sh) ---
gdir="$TEST_TMPDIR/groups"
mkdir -p "$gdir"
$runnel topics --create --topic orders --data-dir "$gdir" >/dev/null
seq 6 | $runnel console-producer --topic orders --data-dir "$gdir"
out=$($runnel console-consumer --topic orders --group G --from-beginning \
      --max-messages 3 --data-dir "$gdir" 2>/dev/null)
[[ $out == $'1\n2\n3' ]] || fail "groups first half: $out"
# row: CURRENT-OFFSET LOG-END-OFFSET LAG of orders-0 in --describe
row() {
  $runnel consumer-groups --describe --group G --data-dir "$gdir" 2>/dev/null |
    awk '$1 == "G" && $2 == "orders" && $3 == 0 { print $4, $5, $6, $7 }'
}
out=$($runnel consumer-groups --describe --group G --data-dir "$gdir" 2>"$TEST_TMPDIR/err")
grep -qE '^GROUP +TOPIC +PARTITION +CURRENT-OFFSET +LOG-END-OFFSET +LAG +CONSUMER-ID +HOST +CLIENT-ID$' <<<"$out" ||
  fail "describe header: $out"
grep -qxF "Consumer group 'G' has no active members." "$TEST_TMPDIR/err" ||
  fail "describe note: $(cat "$TEST_TMPDIR/err")"
[[ $(row) == "3 6 3 -" ]] || fail "describe lag: $out"
[[ $($runnel consumer-groups --list --data-dir "$gdir") == G ]] || fail "groups list"
out=$($runnel consumer-groups --describe --group G --state --data-dir "$gdir" 2>/dev/null)
grep -qE '^G +in-process  \(0\) +Empty +0$' <<<"$out" || fail "state: $out"
# --dry-run prints the new offsets and changes nothing; so does neither
# (with Kafka's warning).
out=$($runnel consumer-groups --reset-offsets --group G --topic orders \
      --to-earliest --dry-run --data-dir "$gdir")
grep -qE '^GROUP +TOPIC +PARTITION +NEW-OFFSET$' <<<"$out" || fail "dry-run: $out"
grep -qE '^G +orders +0 +0$' <<<"$out" || fail "dry-run row: $out"
set +e
$runnel consumer-groups --reset-offsets --group G --topic orders --to-earliest \
  --data-dir "$gdir" >/dev/null 2>"$TEST_TMPDIR/err"
set -e
grep -qF "WARN: No action will be performed" "$TEST_TMPDIR/err" || fail "no warning"
[[ $(row) == "3 6 3 -" ]] || fail "dry-run changed the offsets: $(row)"
# --execute: the group reads everything again.
$runnel consumer-groups --reset-offsets --group G --topic orders --to-earliest \
  --execute --data-dir "$gdir" >/dev/null
[[ $(row) == "0 6 6 -" ]] || fail "to-earliest: $(row)"
out=$($runnel console-consumer --topic orders --group G --timeout-ms 200 \
      --data-dir "$gdir" 2>/dev/null)
[[ $out == "$(seq 6)" ]] || fail "after to-earliest: $out"
out=$($runnel consumer-groups --reset-offsets --group G --topic orders \
      --shift-by -2 --execute --data-dir "$gdir")
grep -qE '^G +orders +0 +4$' <<<"$out" || fail "shift-by: $out"
out=$($runnel console-consumer --topic orders --group G --timeout-ms 200 \
      --data-dir "$gdir" 2>/dev/null)
[[ $out == $'5\n6' ]] || fail "after shift-by: $out"
$runnel consumer-groups --reset-offsets --group G --topic orders --to-offset 1 \
  --execute --data-dir "$gdir" >/dev/null
[[ $(row) == "1 6 5 -" ]] || fail "to-offset: $(row)"
$runnel consumer-groups --reset-offsets --group G --all-topics --to-latest \
  --execute --data-dir "$gdir" >/dev/null
[[ $(row) == "6 6 0 -" ]] || fail "to-latest: $(row)"
$runnel consumer-groups --reset-offsets --group G --topic orders \
  --to-datetime 2000-01-01T00:00:00.000Z --execute --data-dir "$gdir" >/dev/null
[[ $(row) == "0 6 6 -" ]] || fail "to-datetime past: $(row)"
$runnel consumer-groups --reset-offsets --group G --topic orders \
  --to-datetime 2999-01-01T00:00:00.000+01:00 --execute --data-dir "$gdir" >/dev/null
[[ $(row) == "6 6 0 -" ]] || fail "to-datetime future: $(row)"
# Bad input.
before=$(ls -R "$gdir" | sort)
expect_exit 2 "--group is required" -- consumer-groups --describe --data-dir "$gdir"
expect_exit 2 "exactly one of --list, --describe" -- consumer-groups --data-dir "$gdir"
expect_exit 2 "exactly one of --to-earliest" -- consumer-groups --reset-offsets \
  --group G --topic orders --to-earliest --to-latest --data-dir "$gdir"
expect_exit 2 "only one of --dry-run, --execute" -- consumer-groups \
  --reset-offsets --group G --topic orders --to-earliest --dry-run --execute \
  --data-dir "$gdir"
expect_exit 2 "exactly one of --topic, --all-topics" -- consumer-groups \
  --reset-offsets --group G --to-earliest --data-dir "$gdir"
expect_exit 2 "--to-datetime 'yesterday'" -- consumer-groups --reset-offsets \
  --group G --topic orders --to-datetime yesterday --data-dir "$gdir"
expect_exit 2 "--to-offset '-1'" -- consumer-groups --reset-offsets \
  --group G --topic orders --to-offset -1 --data-dir "$gdir"
expect_exit 1 "Consumer group 'nope' does not exist." -- \
  consumer-groups --describe --group nope --data-dir "$gdir"
expect_exit 1 "unknown topic 'missing'" -- consumer-groups --reset-offsets \
  --group G --topic missing --to-earliest --execute --data-dir "$gdir"
[[ $(ls -R "$gdir" | sort) == "$before" ]] || fail "bad input changed $gdir"
out=$($runnel consumer-groups --delete --group G --data-dir "$gdir")
[[ $out == "Deletion of requested consumer groups ('G') was successful." ]] ||
  fail "delete: $out"
[[ -z $($runnel consumer-groups --list --data-dir "$gdir") ]] || fail "list after delete"
expect_exit 1 "Consumer group 'G' does not exist." -- \
  consumer-groups --delete --group G --data-dir "$gdir"

# --describe beside a live group member in another process (which holds the
# directory): the member, its partition and the lag as last stored.
ldir="$TEST_TMPDIR/live-group"
mkdir -p "$ldir"
$runnel topics --create --topic orders --data-dir "$ldir" >/dev/null
seq 4 | $runnel console-producer --topic orders --data-dir "$ldir"
$runnel console-consumer --topic orders --group L --from-beginning \
  --max-messages 5 --timeout-ms 30000 --data-dir "$ldir" >/dev/null 2>&1 &
member=$!
wait_for_lock "$member" "$ldir"
for _ in $(seq 200); do
  out=$($runnel consumer-groups --describe --group L --members \
        --data-dir "$ldir" 2>/dev/null || true)
  grep -qE '^L +console-consumer-[^ ]+ +in-process +console-consumer +1$' <<<"$out" && break
  sleep 0.05
done
grep -qE '^L +console-consumer-[^ ]+ +in-process +console-consumer +1$' <<<"$out" ||
  fail "live member: $out"
kill -0 "$member" || fail "the member left before describe saw it"
kill "$member"; wait "$member" || true
echo PASS
