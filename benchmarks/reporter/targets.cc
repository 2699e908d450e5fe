// targets.h: the bars of issues 4, 6 and 7, and their judging.
#include "benchmarks/reporter/targets.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace runnel {
namespace report {
namespace {

constexpr char kItems[] = "items_per_second";

// The figure every target is judged at (the bars are written for 100 B).
constexpr int kTargetValueBytes = 100;
constexpr int64_t kTargetIdleLogs = 10000;

// "What limits it" texts, from the profiles in benchmarks/README.md (they
// may predate later changes; the README has the details).
constexpr char kFreshPages[] =
    "Creating the new log's page-cache pages: zeroing fresh folios "
    "(clear_page under filemap_fault) took ~56% of both threads' time in "
    "perf; the pre-faulted limit does none of it (compare the fresh-file "
    "limit in the table).";
constexpr char kRolls[] =
    "The appender's CPU matches the raw loop's since stop 22 (streaming "
    "stores), but it waits for about half the run: partly its small syncs "
    "at roll and retention queued behind the background sync of the "
    "segment just rolled; the rest is not explained yet.";
constexpr char kLmdbBar[] =
    "The machine: the raw memcpy + CRC32C loop itself is only about 10x "
    "LMDB here (see the limit's ratio), so no log that copies and "
    "checksums its input can pass it; plus the page faults of a new log.";
constexpr char kMappedSync[] =
    "A new log converts fallocate'd (unwritten) extents at every sync, "
    "which the limit over written blocks does not (compare the raw /fresh "
    "limit); a syncing log writes through the file since stop 19.";
constexpr char kReadPath[] =
    "Log::Read's per-call bookkeeping on top of CRC32C (~90% of the read "
    "path in perf).";
constexpr char kRecovery[] =
    "Index rebuild (~6%) and page faults (~11%) on top of the CRC32C scan "
    "(~85% of Log::Open's time in perf).";
constexpr char kOpenCost[] =
    "The per-log cost of Log::Open (~38 us for a cleanly closed log: "
    "listing, checkpoint, index and segment files).";
constexpr char kSendPath[] =
    "CPU on both cores: a Send alone costs ~67 ns (BM_ProducerSendPath; "
    "TSC timestamp ~12, encoding ~20, queue lock ~8, lookups, the "
    "caller's loop) against ~40 needed, while the sender thread's CRC and "
    "copy of each batch into the log (which checks the CRC again) and the "
    "log's first-touch page zeroing fill the second core (135-155 ns of "
    "process CPU per record).";
constexpr char kSendTwoThreads[] =
    "As with 1 thread, plus the partition queue's lock and cache lines "
    "shared by 2 senders, with the sender thread and the log's prefaulter "
    "on the same 2 cores.";
constexpr char kSendSync[] =
    "Judged here against written blocks; the producer writes a new topic, "
    "whose unwritten extents every sync converts (see the rows against "
    "the raw /fresh loop). 2 threads add the queue lock.";
constexpr char kSyncFresh[] =
    "Both write a new file (unwritten extents converted at every sync); "
    "what is left is the CPU of the path (CRC check, copy, index, and "
    "for the producer the Send path).";
constexpr char kPollPath[] =
    "Per-record CPU in Poll (~26 ns in the last profile, against ~8 for the "
    "raw loop): CRC32C ~30% of it, decoding the records (varints, checks) "
    "~30%, writing each 120-byte ConsumerRecord ~25%, the bench's touch of "
    "each value ~6%.";
constexpr char kSpin[] =
    "Spinning needs both vCPUs: any other runnable thread (the log's "
    "prefaulter, say) takes a core for whole scheduler slices, so on a "
    "2-vCPU VM the floor and Runnel alike measure the scheduler.";
constexpr char kBlock[] =
    "The p99s are mostly the sender's lateness (the scheduler); Runnel's "
    "path adds Append (validate, copy, index, notifier signal) and Poll "
    "(fetch, CRC, decode) to the futex wake-up, ~2-3 us at p50.";

Target Ratio(int issue, const char* bar, CaseRef runnel, CaseRef against,
             double at_least, const char* limited_by, CaseRef limit = {}) {
  Target t;
  t.issue = issue;
  t.bar = bar;
  t.runnel = runnel;
  t.against = against;
  t.metric = kItems;
  t.test = Target::Test::kAtLeast;
  t.threshold = at_least;
  t.limit = limit;
  t.limited_by = limited_by;
  return t;
}

// A ring handoff between two threads takes about a microsecond when both
// have a core (spinning) and tens of microseconds through a futex; a floor
// p50 far above that means other processes held the cores.
constexpr double kSpinFloorP50MaxUs = 20;
constexpr double kBlockFloorP50MaxUs = 200;

Target LatencyBar(const char* bar, const char* runnel, const char* floor,
                  const char* metric, double at_most, const char* limited_by,
                  double floor_p50_max_us) {
  Target t;
  t.issue = 7;
  t.bar = bar;
  t.runnel = {kConsumer, runnel};
  t.against = {kConsumer, floor};
  t.metric = metric;
  t.test = Target::Test::kAtMost;
  t.threshold = at_most;
  t.limited_by = limited_by;
  t.floor_p50_max_us = floor_p50_max_us;
  return t;
}

std::vector<Target> LogTargets() {
  const CaseRef fresh{kLog, "BM_Append_RunnelLog/fresh"};
  const CaseRef raw{kLog, "BM_Append_RawMemcpyCrc/prefaulted"};
  const CaseRef lmdb{kPeer, "BM_Append_Peer/lmdb"};
  const CaseRef rocks{kPeer, "BM_Append_Peer/rocksdb"};
  const CaseRef raw_sync{kLog, "BM_AppendSync_RawWriteFdatasync/prefaulted"};
  const CaseRef read{kLog, "BM_Read_RunnelLog/prefaulted"};
  Target open;
  open.issue = 4;
  open.bar = "opening 10,000 idle partition logs < 1 s";
  open.runnel = {kLog, "BM_OpenIdleLogs_RunnelLog"};
  open.metric = kSeconds;
  open.test = Target::Test::kAtMost;
  open.threshold = 1.0;
  open.limited_by = kOpenCost;
  return {
      Ratio(4,
            "batched append, no sync: >= 70% of raw memcpy + CRC32C "
            "into a pre-faulted mapping (new log, as shipped)",
            fresh, raw, 0.7, kFreshPages),
      Ratio(4,
            "the same bar at steady state (rolls, retention, recycled "
            "segments)",
            {kLog, "BM_Append_RunnelLog/steady"}, raw, 0.7, kRolls),
      Ratio(4,
            "batched append: >= 10x LMDB (MDB_APPEND, no sync, 1,000 "
            "records per txn)",
            fresh, lmdb, 10, kLmdbBar, raw),
      Ratio(4,
            "batched append: >= 20x RocksDB fillseq (WAL on, no sync, "
            "1,000-record write batches)",
            fresh, rocks, 20, kFreshPages, raw),
      Ratio(4,
            "sync per 10,000 records: >= 80% of raw write + fdatasync at "
            "the same batch size",
            {kLog, "BM_AppendSync_RunnelLog/fresh"}, raw_sync, 0.8,
            kMappedSync),
      Ratio(4,
            "the same against raw write + fdatasync to a new file, as "
            "the log's own",
            {kLog, "BM_AppendSync_RunnelLog/fresh"},
            {kLog, "BM_AppendSync_RawWriteFdatasync/fresh"}, 0.8, kSyncFresh),
      Ratio(4,
            "sequential read with CRC check: >= 50% of raw read + CRC32C "
            "over the same mapped bytes",
            read, {kLog, "BM_Read_RawCrcOfRunnelLog/prefaulted"}, 0.5,
            kReadPath),
      Ratio(4, "sequential read: >= 10x RocksDB readseq", read,
            {kPeer, "BM_Read_Peer/rocksdb"}, 10, kReadPath,
            {kLog, "BM_Read_RawCrcOfRunnelLog/prefaulted"}),
      Ratio(4,
            "recovery scan of an unclean segment: >= 50% of raw read + "
            "CRC (page cache)",
            {kLog, "BM_Recover_RunnelLog/fresh"},
            {kLog, "BM_Recover_RawReadCrc/fresh"}, 0.5, kRecovery),
      Ratio(4, "recovery scan, segment not cached: >= 50% of raw read + CRC",
            {kLog, "BM_Recover_RunnelLog/cold"},
            {kLog, "BM_Recover_RawReadCrc/cold"}, 0.5, kRecovery),
      open,
  };
}

std::vector<Target> ProducerTargets() {
  const CaseRef log{kProducer, "BM_LogAppend_Batched"};
  const CaseRef lmdb{kPeer, "BM_Append_Peer/lmdb"};
  const CaseRef one{kProducer, "BM_ProducerSend/default/threads:1"};
  const CaseRef two{kProducer, "BM_ProducerSend/default/threads:2"};
  const CaseRef raw_sync{kLog, "BM_AppendSync_RawWriteFdatasync/prefaulted"};
  const CaseRef raw_sync_fresh{kLog, "BM_AppendSync_RawWriteFdatasync/fresh"};
  Target ten_million = Ratio(
      6, "Send, 1 thread: over 10 M records/s (the issue's estimate of 50%)",
      one, {}, 10e6, kSendPath);
  Target latency;
  latency.issue = 6;
  latency.bar = "Send latency p50 / p99 / p99.9 (reported, no bar)";
  latency.runnel = {kProducer, "BM_ProducerSendLatency/linger0/paced:100000"};
  latency.metric = "p50_us";
  latency.test = Target::Test::kReported;
  return {
      Ratio(6,
            "per-record Send, no fsync, 1 thread: >= 50% of the "
            "log-level batched append",
            one, log, 0.5, kSendPath),
      Ratio(6, "the same, 2 threads", two, log, 0.5, kSendTwoThreads),
      Ratio(6,
            "the same with batch.size 1 MiB, 1 thread (not the bar's "
            "defaults)",
            {kProducer, "BM_ProducerSend/batch1M/threads:1"}, log, 0.5,
            kSendPath),
      ten_million,
      Ratio(6,
            "Send, 1 thread: >= 2x LMDB MDB_APPEND (no sync, 1,000 per "
            "txn)",
            one, lmdb, 2, kSendPath, log),
      Ratio(6, "Send, 2 threads: >= 2x LMDB", two, lmdb, 2, kSendTwoThreads,
            log),
      Ratio(6,
            "acks after fsync, group commit, 1 thread: >= 80% of raw "
            "write + fdatasync",
            {kProducer, "BM_ProducerSendSync/threads:1"}, raw_sync, 0.8,
            kSendSync),
      Ratio(6, "the same, 2 threads",
            {kProducer, "BM_ProducerSendSync/threads:2"}, raw_sync, 0.8,
            kSendSync),
      Ratio(6,
            "acks after fsync, 1 thread, against raw write + fdatasync "
            "to a new file (the topic is new)",
            {kProducer, "BM_ProducerSendSync/threads:1"}, raw_sync_fresh, 0.8,
            kSyncFresh),
      Ratio(6, "the same, 2 threads",
            {kProducer, "BM_ProducerSendSync/threads:2"}, raw_sync_fresh, 0.8,
            kSendTwoThreads),
      latency,
  };
}

std::vector<Target> ConsumerTargets() {
  // Kafka's default max.poll.records: what a user gets.
  const CaseRef consume{kConsumer,
                        "BM_Consume_RunnelConsumer/max_poll_records:500"};
  return {
      Ratio(7, "sequential consume with CRC check: >= 10x RocksDB readseq",
            consume, {kPeer, "BM_Read_Peer/rocksdb"}, 10, kPollPath,
            {kConsumer, "BM_Consume_RawCrcOfRunnelLog"}),
      Ratio(7,
            "sequential consume: >= 40% of raw read + CRC32C over the "
            "same bytes",
            consume, {kConsumer, "BM_Consume_RawCrcOfRunnelLog"}, 0.4,
            kPollPath),
      LatencyBar("latency, spin mode: p50 <= 3x the spinning ring floor",
                 "BM_Latency_Runnel/spin", "BM_Latency_RingSpin", "p50_us", 3,
                 kSpin, kSpinFloorP50MaxUs),
      LatencyBar("latency, spin mode: p99 <= 5x the spinning ring floor",
                 "BM_Latency_Runnel/spin", "BM_Latency_RingSpin", "p99_us", 5,
                 kSpin, kSpinFloorP50MaxUs),
      LatencyBar("latency, blocking mode: p99 <= 1.5x the condvar floor",
                 "BM_Latency_Runnel/block", "BM_Latency_RingCondVar", "p99_us",
                 1.5, kBlock, kBlockFloorP50MaxUs),
  };
}

Figure At(const ResultSet& results, const CaseRef& ref,
          const std::string& metric) {
  return MakeFigure(results.Find(ref.binary, ref.bench_case, kTargetValueBytes),
                    metric);
}

Verdict NotJudged(std::string why) {
  Verdict v;
  v.state = Verdict::State::kNotJudged;
  v.detail = std::move(why);
  return v;
}

Verdict Reported(const Target& target, const ResultSet& results) {
  std::string detail;
  for (const char* q : {"p50", "p99", "p99.9", "max"}) {
    const Figure f = At(results, target.runnel, absl::StrCat(q, "_us"));
    if (!f.ok) return NotJudged(f.refused);
    absl::StrAppend(&detail, detail.empty() ? "" : ", ", q, " ",
                    absl::StrFormat("%.0f us", f.median));
  }
  Verdict v;
  v.state = Verdict::State::kReported;
  v.detail = detail;
  return v;
}

// OK unless target.floor_p50_max_us says the floor measured the scheduler.
absl::Status FloorIsAFloor(const Target& target, const ResultSet& results) {
  if (target.floor_p50_max_us <= 0) return absl::OkStatus();
  const Figure p50 = At(results, target.against, "p50_us");
  if (!p50.ok || p50.median <= target.floor_p50_max_us) {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(absl::StrFormat(
      "the floor itself is the scheduler's here: %s p50 %.0f us (a handoff "
      "takes < %.0f us when both threads have a core); needs a quiet machine",
      target.against.bench_case, p50.median, target.floor_p50_max_us));
}

}  // namespace

std::vector<Target> Targets() {
  std::vector<Target> all = LogTargets();
  for (std::vector<Target> more : {ProducerTargets(), ConsumerTargets()}) {
    all.insert(all.end(), more.begin(), more.end());
  }
  return all;
}

Verdict Judge(const Target& target, const ResultSet& results,
              const Sizes& sizes) {
  if (target.test == Target::Test::kReported) {
    return Reported(target, results);
  }
  if (target.metric == kSeconds && sizes.idle_logs != kTargetIdleLogs) {
    return NotJudged(absl::StrCat("this run opened ", sizes.idle_logs,
                                  " logs; the bar is for ", kTargetIdleLogs));
  }
  const Figure runnel = At(results, target.runnel, target.metric);
  if (!runnel.ok) return NotJudged(absl::StrCat("Runnel: ", runnel.refused));
  Verdict v;
  v.runnel = runnel.median;
  v.ratio = runnel.median;
  if (!target.against.binary.empty()) {
    const Figure against = At(results, target.against, target.metric);
    if (!against.ok) {
      return NotJudged(
          absl::StrCat(target.against.bench_case, ": ", against.refused));
    }
    if (against.median <= 0) return NotJudged("the comparison figure is 0");
    if (absl::Status s = FloorIsAFloor(target, results); !s.ok()) {
      return NotJudged(std::string(s.message()));
    }
    v.against = against.median;
    v.ratio = runnel.median / against.median;
  }
  const bool met = target.test == Target::Test::kAtLeast
                       ? v.ratio >= target.threshold
                       : v.ratio <= target.threshold;
  v.state = met ? Verdict::State::kMet : Verdict::State::kMissed;
  if (!target.limit.binary.empty() && v.against > 0) {
    const Figure limit = At(results, target.limit, target.metric);
    if (limit.ok) {
      v.detail =
          absl::StrFormat("the limit (%s) itself: %.3gx",
                          target.limit.bench_case, limit.median / v.against);
    }
  }
  return v;
}

const char* StateName(Verdict::State state) {
  switch (state) {
    case Verdict::State::kMet:
      return "met";
    case Verdict::State::kMissed:
      return "missed";
    case Verdict::State::kNotJudged:
      return "not judged";
    case Verdict::State::kReported:
      return "reported";
  }
  return "?";
}

}  // namespace report
}  // namespace runnel
