// plan.h: the workloads, their rows, sizes and runs.
#include "benchmarks/reporter/plan.h"

#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"

namespace runnel {
namespace report {
namespace {

Row Runnel(const char* binary, const char* bench_case, const char* what) {
  return Row{binary, bench_case, Role::kRunnel, what, false, "", {}, 0};
}

Row Limit(const char* binary, const char* bench_case, const char* what) {
  return Row{binary, bench_case, Role::kLimit, what, false, "", {}, 0};
}

// Cases that take tens of milliseconds: more repetitions (appends) or more
// passes (reads), so a time slice lost to another process cannot decide a
// figure. They are cheap either way.
constexpr int kShortCaseRepetitions = 5;
constexpr char kShortCaseReadPasses[] = "20";

Row Short(Row row) {
  row.repetitions = kShortCaseRepetitions;
  return row;
}

Row ManyPasses(Row row) {
  row.env.emplace_back("RUNNEL_BENCH_READ_PASSES", kShortCaseReadPasses);
  return row;
}

// The four peers' cases of one peer_bench workload (prefix "BM_Append_Peer"
// etc.), with what each does.
std::vector<Row> Peers(const char* prefix, const char* lmdb,
                       const char* rocksdb, const char* leveldb,
                       const char* sqlite) {
  std::vector<Row> rows;
  for (auto [name, what] :
       {std::pair{"lmdb", lmdb}, std::pair{"rocksdb", rocksdb},
        std::pair{"leveldb", leveldb}, std::pair{"sqlite", sqlite}}) {
    rows.push_back(Row{kPeer,
                       absl::StrCat(prefix, "/", name),
                       Role::kPeer,
                       what,
                       false,
                       "",
                       {},
                       0});
  }
  return rows;
}

std::vector<Row> Concat(std::vector<Row> a, const std::vector<Row>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<Row> AppendPeers() {
  return Peers("BM_Append_Peer",
               "MDB_APPEND, one txn per 1,000 records, MDB_NOSYNC",
               "fillseq: one WriteBatch per 1,000 records, WAL on, sync=false",
               "one WriteBatch per 1,000 records, log on, sync=false",
               "WAL, synchronous=OFF, one transaction of 1,000 INSERTs");
}

Workload Append() {
  Workload w;
  w.id = "append";
  w.title = "Batched append, no sync";
  w.about =
      "Batches of 1,000 records (null key) appended to a new store until it "
      "holds RUNNEL_BENCH_APPEND_BYTES of Runnel batches; the peers store the "
      "same records, 1,000 per transaction. Durability: none asks for fsync "
      "— each append is in the OS (page cache) when it returns, so it "
      "survives a process crash but not a power loss.";
  w.rows = Concat(
      {
          Short(Runnel(kLog, "BM_Append_RunnelLog/fresh",
                       "Log::Append to a new log, as shipped (prefaulter "
                       "on)")),
          Runnel(kLog, "BM_Append_RunnelLog/steady",
                 "the same at steady state: 64 MiB segments rolled, "
                 "retention deleting, segments recycled"),
          Short(Limit(kLog, "BM_Append_RawMemcpyCrc/prefaulted",
                      "memcpy + CRC32C of each batch into a mapping faulted "
                      "in before the loop")),
          Short(Limit(kLog, "BM_Append_RawMemcpyCrc/fresh",
                      "the same into a new file: every page faulted in the "
                      "loop")),
      },
      AppendPeers());
  return w;
}

Workload Send() {
  Workload w;
  w.id = "send";
  w.title = "Producer Send, one record per call, no fsync";
  w.about =
      "Producer::Send of each record (no callback) to a topic of one "
      "partition, then Flush, all timed; 1 or 2 threads share the producer. "
      "Compared with the log-level batched append it sits on (same binary) "
      "and with the peers' batched appends (1,000 records per transaction: "
      "the peers get the batching for free). Durability as in the batched "
      "append: acks=all means in the log, not fsync'd.";
  w.rows = Concat(
      {
          Runnel(kProducer, "BM_ProducerSend/default/threads:1",
                 "Kafka's defaults (batch.size 16 KiB, linger.ms 5, "
                 "acks=all, idempotence), 1 thread"),
          Runnel(kProducer, "BM_ProducerSend/default/threads:2",
                 "the same, 2 threads"),
          Runnel(kProducer, "BM_ProducerSend/batch1M/threads:1",
                 "batch.size 1 MiB, 1 thread"),
          Runnel(kProducer, "BM_ProducerSend/batch1M/threads:2",
                 "batch.size 1 MiB, 2 threads"),
          Short(Limit(kProducer, "BM_LogAppend_Batched",
                      "Log::Append of pre-encoded 1,000-record batches, new "
                      "log (the producer's bar: ≥ 50% of this)")),
      },
      AppendPeers());
  return w;
}

Workload Durable() {
  Workload w;
  w.id = "durable";
  w.title = "Durable append: fsync every 10,000 records";
  w.about =
      "As the batched append, but every 10,000 records (and at the end) the "
      "writer waits until everything so far is on stable storage: "
      "Log::Sync (msync), the producer's acknowledgement after fsync "
      "(sync_before_ack: one Partition::Sync shared by every waiting "
      "thread, i.e. group commit, batch.size ≈ 10,000 records), fdatasync "
      "for the raw loop, and for the peers a synced commit of every 10th "
      "transaction (LMDB mdb_env_sync; RocksDB, LevelDB sync=true; SQLite "
      "synchronous=FULL), which covers all earlier ones.";
  w.rows = Concat(
      {
          Runnel(kLog, "BM_AppendSync_RunnelLog/fresh",
                 "Log::Append + Log::Sync every 10,000 records, new log"),
          Runnel(kLog, "BM_AppendSync_RunnelLog/steady",
                 "the same at steady state (recycled segments: written "
                 "blocks)"),
          Runnel(kProducer, "BM_ProducerSendSync/threads:1",
                 "Producer::Send acked after fsync (group commit), 1 thread"),
          Runnel(kProducer, "BM_ProducerSendSync/threads:2",
                 "the same, 2 threads"),
          Limit(kLog, "BM_AppendSync_RawWriteFdatasync/prefaulted",
                "pwrite of each batch + fdatasync every 10,000 records, "
                "over written blocks"),
          Limit(kLog, "BM_AppendSync_RawWriteFdatasync/fresh",
                "the same appending to a new, empty file"),
      },
      Peers("BM_AppendSync_Peer",
            "MDB_APPEND txns, mdb_env_sync(force) after every 10th",
            "WriteBatch of 1,000, sync=true on every 10th",
            "WriteBatch of 1,000, sync=true on every 10th",
            "WAL, synchronous=FULL on every 10th commit"));
  return w;
}

Workload Consume() {
  Workload w;
  w.id = "consume";
  w.title = "Sequential consume with CRC check";
  w.about =
      "Read every record of RUNNEL_BENCH_READ_BYTES of batches, in order, "
      "from the page cache (each store read once untimed first), checking "
      "each record's integrity where the store can: Runnel checks the "
      "CRC32C of every batch; RocksDB and LevelDB verify block checksums "
      "(verify_checksums); LMDB and SQLite keep no checksums, so they do "
      "less work. Each pass also checks its count and a checksum of the "
      "values against the workload.";
  w.rows = Concat(
      {
          ManyPasses(Runnel(kConsumer,
                            "BM_Consume_RunnelConsumer/max_poll_records:100000",
                            "Consumer::Poll(0) to the end, records as views "
                            "(max.poll.records 100,000); 20 passes")),
          ManyPasses(Runnel(
              kConsumer, "BM_Consume_RunnelConsumer/max_poll_records:500",
              "the same with Kafka's default max.poll.records (500)")),
          ManyPasses(Runnel(kLog, "BM_Read_RunnelLog/prefaulted",
                            "Log::Read, 1 MiB per call, over a mapped log "
                            "(whole batches); 20 passes")),
          ManyPasses(Limit(kConsumer, "BM_Consume_RawCrcOfRunnelLog",
                           "batch headers + CRC32C over the consumer's "
                           "segment file (same bytes, mapped); 20 passes")),
          ManyPasses(Limit(kLog, "BM_Read_RawCrcOfRunnelLog/prefaulted",
                           "the same over log_bench's segment file; 20 "
                           "passes")),
      },
      Peers("BM_Read_Peer", "one read txn, cursor MDB_FIRST..MDB_NEXT",
            "readseq: one iterator, verify_checksums on (the default)",
            "one iterator, verify_checksums on",
            "SELECT k, v FROM log ORDER BY k (rowid scan)"));
  for (Row& row : w.rows) {
    if (row.bench_case == "BM_Read_Peer/lmdb") {  // milliseconds per pass too
      row = ManyPasses(row);
      row.what += "; 20 passes";
    }
  }
  return w;
}

Workload Latency() {
  Workload w;
  w.id = "latency";
  w.title = "Produce → consume latency";
  w.about =
      "One process: a sender thread appends one 1-record batch every 50 µs "
      "(20,000/s), the benchmark thread consumes it. Latency = receive "
      "time − the record's intended send time, so a late sender is charged "
      "(coordinated omission corrected); the first 1,000 records are "
      "warm-up. Floors: the same handoff through a bare SPSC ring, "
      "spinning or woken through a condition variable (futex). No peer has "
      "a consumer wake-up, so there are no peer rows. Send latency: "
      "Producer::Send → its callback, 100,000 records paced at 100,000/s.";
  w.kind = Kind::kLatency;
  w.repeat = false;
  Row spin = Limit(kConsumer, "BM_Latency_RingSpin",
                   "floor: SPSC ring handoff, receiver spinning");
  spin.value_independent = true;
  Row block = Limit(kConsumer, "BM_Latency_RingCondVar",
                    "floor: the same ring, receiver woken by a condvar");
  block.value_independent = true;
  auto with_floor = [](Row row, const char* floor) {
    row.floor = floor;
    return row;
  };
  w.rows = {
      with_floor(Runnel(kConsumer, "BM_Latency_Runnel/spin",
                        "Partition::Append → Consumer::Poll, poll_spin 1 s"),
                 "BM_Latency_RingSpin"),
      with_floor(Runnel(kConsumer, "BM_Latency_Runnel/block",
                        "the same, Poll blocks at once (poll_spin 0)"),
                 "BM_Latency_RingCondVar"),
      with_floor(Runnel(kConsumer, "BM_Latency_RunnelProducer/spin",
                        "Producer::Send (linger.ms 0) → Poll, spinning"),
                 "BM_Latency_RingSpin"),
      with_floor(Runnel(kConsumer, "BM_Latency_RunnelProducer/block",
                        "the same, Poll blocking"),
                 "BM_Latency_RingCondVar"),
      Runnel(kProducer, "BM_ProducerSendLatency/linger0/paced:100000",
             "Send → callback (acks=all), linger.ms 0"),
      spin,
      block,
  };
  return w;
}

Workload Recovery() {
  Workload w;
  w.id = "recovery";
  w.title = "Recovery scan of an unclean segment";
  w.about =
      "Log::Open of a log whose only file is a segment left by a crash: "
      "RUNNEL_BENCH_RECOVERY_BYTES of batches, a torn half batch, zeros to "
      "the preallocated size, and no checkpoint or index. Open CRC-checks "
      "every batch, rebuilds both indexes, cuts the torn tail and syncs the "
      "cut; the limit scans the same file (headers + CRC32C) to its valid "
      "end. /cold evicts the file from the page cache first. The peers have "
      "no comparable operation (LMDB never scans; RocksDB, LevelDB and "
      "SQLite replay only their WAL), so there are no peer rows.";
  w.repeat = false;
  w.rows = {
      Runnel(kLog, "BM_Recover_RunnelLog/fresh",
             "Log::Open recovering the segment (in the page cache)"),
      Runnel(kLog, "BM_Recover_RunnelLog/cold",
             "the same, segment evicted from the page cache first"),
      Limit(kLog, "BM_Recover_RawReadCrc/fresh",
            "mmap + batch headers + CRC32C to the valid end + munmap"),
      Limit(kLog, "BM_Recover_RawReadCrc/cold",
            "the same, file evicted from the page cache first"),
  };
  return w;
}

Workload Open() {
  Workload w;
  w.id = "open";
  w.title = "Open of 10,000 idle partitions";
  w.about =
      "RUNNEL_BENCH_IDLE_LOGS partition logs (3 batches of 10 records each, "
      "cleanly closed) opened one after another and kept open; a round's "
      "wall time (mean of 3 rounds). The limit lists each log directory "
      "and opens + fstats every file in it: the least any store must do to "
      "find its files. No peer rows (a peer would be one store, not 10,000).";
  w.kind = Kind::kOpen;
  w.repeat = false;
  w.rows = {
      Runnel(kLog, "BM_OpenIdleLogs_RunnelLog",
             "Log::Open of each log (default options)"),
      Limit(kLog, "BM_OpenIdleLogs_RawOpen",
            "opendir/readdir + open/fstat/close of every file"),
  };
  return w;
}

Workload MachineLimits() {
  Workload w;
  w.id = "machine";
  w.title = "Machine limits";
  w.about =
      "The loops every figure above is bounded by, in the same run: memcpy "
      "within the caches (1 MiB) and from memory to memory (64 MiB), and "
      "CRC32C (SSE4.2, three streams) over 1 MiB.";
  w.kind = Kind::kBandwidth;
  for (auto [bench_case, what] : {
           std::pair{"BM_Memcpy/1048576", "memcpy of 1 MiB (in cache)"},
           std::pair{"BM_Memcpy/67108864", "memcpy of 64 MiB (memory)"},
           std::pair{"BM_Crc32c_Hardware/1048576", "CRC32C of 1 MiB"},
       }) {
    Row row = Limit(kCrc, bench_case, what);
    row.value_independent = true;
    w.rows.push_back(row);
  }
  return w;
}

// ERE metacharacters in a case name (ours use none but ':' and '/').
std::string EscapeRegex(absl::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::string(".[]()*+?{}|^$\\").find(c) != std::string::npos) {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kRunnel:
      return "Runnel";
    case Role::kLimit:
      return "limit";
    case Role::kPeer:
      return "peer";
  }
  return "?";
}

std::vector<Workload> Workloads() {
  return {Append(),  Send(),     Durable(), Consume(),
          Latency(), Recovery(), Open(),    MachineLimits()};
}

std::string ValueSizeName(int value_bytes) {
  if (value_bytes % 1024 == 0) return absl::StrCat(value_bytes / 1024, " KiB");
  return absl::StrCat(value_bytes, " B");
}

Sizes DefaultSizes() {
  Sizes s;
  s.append_bytes = "128M";
  s.read_bytes = "128M";
  s.recovery_bytes = "1G";
  s.idle_logs = 10000;
  s.latency_records = 50000;
  s.repetitions = 3;
  s.min_time_s = 0.2;
  return s;
}

Sizes QuickSizes() {
  Sizes s;
  s.append_bytes = "4M";
  s.read_bytes = "4M";
  s.recovery_bytes = "8M";
  s.idle_logs = 100;
  s.latency_records = 1000;
  s.repetitions = 1;
  s.min_time_s = 0.01;
  s.quick = true;
  return s;
}

std::vector<std::pair<std::string, std::string>> SizeEnv(const Sizes& sizes,
                                                         int value_bytes) {
  return {
      {"RUNNEL_BENCH_VALUE_BYTES", absl::StrCat(value_bytes)},
      {"RUNNEL_BENCH_APPEND_BYTES", sizes.append_bytes},
      {"RUNNEL_BENCH_READ_BYTES", sizes.read_bytes},
      {"RUNNEL_BENCH_RECOVERY_BYTES", sizes.recovery_bytes},
      {"RUNNEL_BENCH_IDLE_LOGS", absl::StrCat(sizes.idle_logs)},
      {"RUNNEL_BENCH_LATENCY_RECORDS", absl::StrCat(sizes.latency_records)},
  };
}

std::vector<RunSpec> PlanRuns(const std::vector<Workload>& workloads,
                              const Sizes& sizes) {
  std::vector<RunSpec> runs;
  std::set<std::tuple<std::string, std::string, int>> seen;
  for (int value_bytes : kValueSizes) {
    for (const Workload& w : workloads) {
      for (const Row& row : w.rows) {
        if (row.value_independent && value_bytes != kValueSizes[0]) continue;
        if (!seen.insert({row.binary, row.bench_case, value_bytes}).second) {
          continue;
        }
        int repetitions = w.repeat ? sizes.repetitions : 1;
        if (row.repetitions > 0 && !sizes.quick) repetitions = row.repetitions;
        runs.push_back(RunSpec{row.binary, row.bench_case, value_bytes,
                               repetitions, row.env});
      }
    }
  }
  return runs;
}

std::string CaseFilter(absl::string_view bench_case) {
  return absl::StrCat("^", EscapeRegex(bench_case),
                      "(/iterations:[0-9]+)?(/repeats:[0-9]+)?(/real_time)?$");
}

}  // namespace report
}  // namespace runnel
