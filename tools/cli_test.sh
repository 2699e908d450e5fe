#!/usr/bin/env bash
# The `runnel` command line end to end: Kafka's Quick Start sequence
# (create a topic with 3 partitions, list, describe, produce three lines,
# consume them from the beginning, delete), keyed records printed with
# partition and offset, a group resuming after its commit, and bad input
# with its exit codes (nothing changed on disk).
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

# A data directory held by another process: the lock names it.
$runnel console-consumer --topic keyed --timeout-ms 3000 --data-dir "$dir" \
  >/dev/null 2>&1 &
holder=$!
# Wait (without competing for the lock) until the holder has written its
# pid into the lock file, then try.
for _ in $(seq 200); do
  [[ "$(cat "$dir/LOCK" 2>/dev/null)" == "$holder" ]] && break
  sleep 0.05
done
expect_exit 1 "process $holder" -- topics --list --data-dir "$dir"
wait "$holder"

# --- Delete ---
$runnel topics --delete --topic quickstart-events --data-dir "$dir"
# (kafka-topics --list shows internal topics too: the group made one.)
[[ $($runnel topics --list --data-dir "$dir") == $'__consumer_offsets\nkeyed' ]] ||
  fail "after delete"
ls "$dir" | grep -q '^quickstart-events' && fail "files of the deleted topic remain"
echo PASS
