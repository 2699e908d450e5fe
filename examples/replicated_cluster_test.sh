#!/usr/bin/env bash
# Runs the replicated cluster example: three brokers over TCP on loopback,
# acks=all, the leader killed and a follower promoted. It exits 1 if any
# acknowledged record was not read back.
set -euo pipefail
out=$(examples/replicated_cluster "$TEST_TMPDIR/cluster")
echo "$out"
grep -qF "epoch 1: leader 0, 500 records acknowledged" <<<"$out"
grep -qF "epoch 2: leader 1, 500 records acknowledged" <<<"$out"
grep -qF "read back all 1000 acknowledged records from broker 1, in order" <<<"$out"
