// Copyright 2026 The Runnel Authors.
//
// group_bench — consumer groups: how long a rebalance takes with each
// assignment strategy, and how fast a group of consumers drains a topic.
//
//   ./bazelw run --config=opt //benchmarks:group_bench
//
// Rebalance (one topic "t" of kRebalancePartitions = 100 empty partitions;
// all consumers driven from the benchmark thread with Poll(0), round robin,
// as consumer_group/group_test.cc does; a new group per iteration; manual
// time = the event call plus the Poll rounds, without the checks between
// rounds):
//   BM_Rebalance/<strategy>/<event>[/mem]
//     strategy  range, roundrobin, sticky, cooperative-sticky
//     event     form   10 new consumers Subscribe; time until the group
//                      settled
//               join   the 11th consumer Subscribes to a settled group of
//                      10 (it polls first in each round)
//               leave  one of 10 closes (Close(): it leaves the group)
//     /mem      the broker on a MemFileSystem instead of POSIX files: the
//               same minus the fsync of __consumer_offsets that persists
//               every new generation (GroupMetadataValue).
//   "Settled" = every member at one generation newer than before the event,
//   the coordinator Stable at that generation, and the members' assignments
//   covering all 100 partitions exactly once. After every round no
//   partition may be held by two members, and the final assignment must be
//   balanced (sizes differ by <= 1). RUNNEL_GROUP_BENCH_TRACE=1 prints each
//   round (members' generation/partitions, the coordinator's state).
//   Counters: p50_us and max_us over the iterations (the time column is
//   their mean), and per iteration: rounds (Poll rounds to settle), polls,
//   rebalances (generations the event cost; cooperative-sticky needs two
//   when partitions move), revoked (partitions members gave up, as their
//   ConsumerRebalanceListener saw), moved (partitions whose owner changed).
//
// Throughput (one topic "t" of 8 partitions, RUNNEL_BENCH_READ_BYTES of
// log_bench's 1,000-record batches, default 256M = 2,419,000 records of
// 100 B, dealt round robin to the partitions with Partition::Append on the
// POSIX file system):
//   BM_GroupThroughput/consumers:<n>
//     n consumers of one group (range, enable.auto.commit=false,
//     max.poll.records 100,000, max.partition.fetch.bytes 8 MiB), formed
//     before timing; each pass they seek to the beginning (untimed), then
//     each polls in its own thread until the group consumed every record.
//     Each consumer checks its records' offsets per partition (no gap, no
//     repeat) and sums value sizes + first bytes; the sums over the group
//     must equal the record count and the workload's checksum exactly, and
//     the generation and assignments must not change (no rebalance).
//     Counters: cpu_ns_per_record (process CPU time), cpu_cores (CPU time /
//     wall time), page_faults_per_pass, min_share / max_share (the least
//     and most any consumer read, as a fraction of the records).
//
// Files go under RUNNEL_BENCH_DIR, else $TEST_TMPDIR, else /tmp, and are
// removed after each case.
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "benchmarks/bench_checks.h"
#include "benchmarks/log_bench_peers.h"
#include "runnel/admin.h"
#include "runnel/broker.h"
#include "runnel/consumer.h"
#include "runnel/group_admin.h"
#include "runnel/mem_file_system.h"

namespace runnel {
namespace bench {
namespace {

constexpr char kTopic[] = "t";
constexpr int kRebalancePartitions = 100;
constexpr int kGroupSize = 10;
constexpr int kMaxRounds = 50;
constexpr int kRebalanceIterations = 20;
constexpr int kThroughputPartitions = 8;
constexpr int kThroughputPasses = 5;
constexpr size_t kDefaultBytes = size_t{256} << 20;

using SteadyClock = std::chrono::steady_clock;

double Seconds(SteadyClock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// A broker with topic kTopic of `partitions` partitions (retention.ms -1:
// the workload's timestamps are from 2023), on POSIX files in a fresh
// BenchDir or, with `in_memory`, on a MemFileSystem.
struct Fixture {
  std::unique_ptr<BenchDir> dir;
  std::unique_ptr<MemFileSystem> mem;
  std::unique_ptr<Broker> broker;
};

absl::StatusOr<Fixture> OpenFixture(int32_t partitions, bool in_memory) {
  Fixture f;
  BrokerOptions options;
  if (in_memory) {
    f.mem = std::make_unique<MemFileSystem>();
    options.file_system = f.mem.get();
    options.data_dir = "/broker";
  } else {
    absl::StatusOr<std::unique_ptr<BenchDir>> dir = BenchDir::Create();
    if (!dir.ok()) return dir.status();
    f.dir = *std::move(dir);
    options.data_dir = f.dir->File("broker");
  }
  absl::StatusOr<std::unique_ptr<Broker>> broker = Broker::Open(options);
  if (!broker.ok()) return broker.status();
  f.broker = *std::move(broker);
  absl::Status created = Admin(f.broker.get())
                             .CreateTopic(NewTopic(kTopic, partitions, -1,
                                                   {{"retention.ms", "-1"}}));
  if (!created.ok()) return created;
  return f;
}

ConsumerOptions GroupOptions(const std::string& group,
                             const std::string& client,
                             const std::string& strategy) {
  ConsumerOptions options;
  options.group_id = group;
  options.client_id = client;
  options.auto_offset_reset = OffsetReset::kEarliest;
  options.enable_auto_commit = false;
  options.partition_assignment_strategy = strategy;
  return options;
}

// Counts what the consumer's listener is told.
class CountingListener : public ConsumerRebalanceListener {
 public:
  void OnPartitionsRevoked(absl::Span<const TopicPartition> p) override {
    revoked += static_cast<int64_t>(p.size());
  }
  void OnPartitionsAssigned(absl::Span<const TopicPartition>) override {}
  int64_t revoked = 0;
};

struct Member {
  std::unique_ptr<Consumer> consumer;
  CountingListener listener;
};

absl::StatusOr<std::unique_ptr<Member>> NewMember(Broker* broker,
                                                  ConsumerOptions options) {
  auto m = std::make_unique<Member>();
  absl::StatusOr<std::unique_ptr<Consumer>> c =
      Consumer::Create(broker, std::move(options));
  if (!c.ok()) return c.status();
  m->consumer = *std::move(c);
  return m;
}

absl::Status Subscribe(Member& m) {
  return m.consumer->Subscribe({kTopic}, &m.listener);
}

// partition -> index of the member holding it. Internal if one is held
// twice (at no point of a rebalance may two members own a partition).
absl::StatusOr<std::map<int32_t, size_t>> Owners(
    const std::vector<Member*>& members) {
  std::map<int32_t, size_t> owners;
  for (size_t i = 0; i < members.size(); ++i) {
    for (const TopicPartition& tp : members[i]->consumer->Assignment()) {
      if (!owners.emplace(tp.partition, i).second) {
        return absl::InternalError(
            absl::StrCat(tp.ToString(), " held by members ",
                         owners[tp.partition], " and ", i));
      }
    }
  }
  return owners;
}

// True once the group settled after a generation `after` (see the banner).
absl::StatusOr<bool> Settled(Broker* broker, const std::string& group,
                             const std::vector<Member*>& members,
                             int32_t partitions, int32_t after) {
  absl::StatusOr<std::map<int32_t, size_t>> owners = Owners(members);
  if (!owners.ok()) return owners.status();
  const int32_t generation =
      members[0]->consumer->GroupMetadata().generation_id;
  if (generation <= after) return false;
  for (Member* m : members) {
    if (m->consumer->GroupMetadata().generation_id != generation) return false;
  }
  if (static_cast<int32_t>(owners->size()) != partitions) return false;
  absl::StatusOr<GroupDescription> d = GroupAdmin(broker).DescribeGroup(group);
  if (!d.ok()) return d.status();
  return d->state == GroupState::kStable && d->generation == generation;
}

// OK if the members' assignment sizes differ by at most one.
absl::Status CheckBalanced(const std::vector<Member*>& members) {
  size_t least = SIZE_MAX, most = 0;
  for (Member* m : members) {
    const size_t n = m->consumer->Assignment().size();
    least = std::min(least, n);
    most = std::max(most, n);
  }
  if (most - least > 1) {
    return absl::InternalError(absl::StrCat(
        "unbalanced assignment: members hold ", least, " to ", most));
  }
  return absl::OkStatus();
}

// With RUNNEL_GROUP_BENCH_TRACE set: one line per round on stderr, each
// member's generation and partition count, and the coordinator's state.
void Trace(Broker* broker, const std::string& group,
           const std::vector<Member*>& members, int round) {
  std::string line = absl::StrCat(group, " round ", round, ":");
  for (Member* m : members) {
    absl::StrAppend(&line, " ", m->consumer->GroupMetadata().generation_id, "/",
                    m->consumer->Assignment().size());
  }
  absl::StatusOr<GroupDescription> d = GroupAdmin(broker).DescribeGroup(group);
  if (d.ok()) {
    absl::StrAppend(&line, " | ", GroupStateName(d->state), " generation ",
                    d->generation);
  }
  std::fprintf(stderr, "%s\n", line.c_str());
}

struct Progress {
  int64_t rounds = 0;
  int64_t polls = 0;
  SteadyClock::duration polling{};  // the Poll calls only
};

// Polls every member with Poll(0), round after round, until the group
// settled after generation `after`. DeadlineExceeded after kMaxRounds.
absl::Status DriveUntilSettled(Broker* broker, const std::string& group,
                               const std::vector<Member*>& members,
                               int32_t partitions, int32_t after,
                               Progress* progress) {
  for (int round = 0; round < kMaxRounds; ++round) {
    const SteadyClock::time_point start = SteadyClock::now();
    for (Member* m : members) {
      absl::StatusOr<ConsumerRecords> r =
          m->consumer->Poll(absl::ZeroDuration());
      if (!r.ok()) return r.status();
    }
    progress->polling += SteadyClock::now() - start;
    if (std::getenv("RUNNEL_GROUP_BENCH_TRACE") != nullptr) {
      Trace(broker, group, members, round);
    }
    ++progress->rounds;
    progress->polls += static_cast<int64_t>(members.size());
    absl::StatusOr<bool> settled =
        Settled(broker, group, members, partitions, after);
    if (!settled.ok()) return settled.status();
    if (*settled) return CheckBalanced(members);
  }
  return absl::DeadlineExceededError(absl::StrCat(
      "group ", group, " not settled after ", kMaxRounds, " Poll rounds"));
}

// --- Rebalance. ---

enum class Event { kForm, kJoin, kLeave };

struct RebalanceCase {
  const char* strategy;
  Event event;
  bool in_memory;
};

struct IterationResult {
  double seconds = 0;
  Progress progress;
  int64_t rebalances = 0;
  int64_t revoked = 0;
  int64_t moved = 0;
};

// One iteration: a new group (formed untimed unless the event is kForm),
// the event, and the rounds until it settled. Closes the members.
absl::StatusOr<IterationResult> RebalanceOnce(Broker* broker,
                                              const RebalanceCase& c,
                                              int iteration) {
  const std::string group = absl::StrCat("g-", iteration);
  std::vector<std::unique_ptr<Member>> owned;
  for (int i = 0; i < kGroupSize; ++i) {
    absl::StatusOr<std::unique_ptr<Member>> m = NewMember(
        broker, GroupOptions(group, absl::StrCat("c", i), c.strategy));
    if (!m.ok()) return m.status();
    owned.push_back(*std::move(m));
  }
  std::vector<Member*> members;
  for (auto& m : owned) members.push_back(m.get());
  IterationResult result;
  int32_t before = 0;  // a new group is at generation 0
  std::map<int32_t, size_t> owners_before;
  std::vector<Member*> before_members = members;
  if (c.event != Event::kForm) {  // form the group of 10, untimed
    for (Member* m : members) {
      if (absl::Status s = Subscribe(*m); !s.ok()) return s;
    }
    Progress formation;
    if (absl::Status s = DriveUntilSettled(broker, group, members,
                                           kRebalancePartitions, 0, &formation);
        !s.ok()) {
      return s;
    }
    before = members[0]->consumer->GroupMetadata().generation_id;
    absl::StatusOr<std::map<int32_t, size_t>> o = Owners(members);
    if (!o.ok()) return o.status();
    owners_before = *std::move(o);
    for (Member* m : members) m->listener.revoked = 0;
  }
  std::unique_ptr<Member> joiner;
  if (c.event == Event::kJoin) {
    absl::StatusOr<std::unique_ptr<Member>> m =
        NewMember(broker, GroupOptions(group, "c-new", c.strategy));
    if (!m.ok()) return m.status();
    joiner = *std::move(m);
  }
  // The event, timed.
  const SteadyClock::time_point start = SteadyClock::now();
  switch (c.event) {
    case Event::kForm:
      for (Member* m : members) {
        if (absl::Status s = Subscribe(*m); !s.ok()) return s;
      }
      break;
    case Event::kJoin:
      if (absl::Status s = Subscribe(*joiner); !s.ok()) return s;
      members.insert(members.begin(), joiner.get());  // it polls first
      break;
    case Event::kLeave:
      if (absl::Status s = members[0]->consumer->Close(); !s.ok()) return s;
      members.erase(members.begin());
      break;
  }
  const SteadyClock::duration event_time = SteadyClock::now() - start;
  if (absl::Status s =
          DriveUntilSettled(broker, group, members, kRebalancePartitions,
                            before, &result.progress);
      !s.ok()) {
    return s;
  }
  result.seconds = Seconds(event_time + result.progress.polling);
  result.rebalances =
      members[0]->consumer->GroupMetadata().generation_id - before;
  for (Member* m : before_members) result.revoked += m->listener.revoked;
  if (c.event != Event::kForm) {
    absl::StatusOr<std::map<int32_t, size_t>> after = Owners(members);
    if (!after.ok()) return after.status();
    for (const auto& [partition, index] : *after) {
      Member* was = before_members[owners_before[partition]];
      if (members[index] != was) ++result.moved;
    }
  }
  for (Member* m : members) {
    if (absl::Status s = m->consumer->Close(); !s.ok()) return s;
  }
  return result;
}

void BM_Rebalance(benchmark::State& state, RebalanceCase c) {
  absl::StatusOr<Fixture> f = OpenFixture(kRebalancePartitions, c.in_memory);
  if (Failed(state, f.status())) return;
  IterationResult total;
  std::vector<double> seconds;
  int iteration = 0;
  for (auto _ : state) {
    absl::StatusOr<IterationResult> r =
        RebalanceOnce(f->broker.get(), c, iteration++);
    if (Failed(state, r.status())) return;
    state.SetIterationTime(r->seconds);
    seconds.push_back(r->seconds);
    total.progress.rounds += r->progress.rounds;
    total.progress.polls += r->progress.polls;
    total.rebalances += r->rebalances;
    total.revoked += r->revoked;
    total.moved += r->moved;
  }
  auto avg = [](int64_t v) {
    return benchmark::Counter(static_cast<double>(v),
                              benchmark::Counter::kAvgIterations);
  };
  // The time column is the mean; one slow fsync moves it a lot.
  std::sort(seconds.begin(), seconds.end());
  state.counters["p50_us"] = seconds[seconds.size() / 2] * 1e6;
  state.counters["max_us"] = seconds.back() * 1e6;
  state.counters["rounds"] = avg(total.progress.rounds);
  state.counters["polls"] = avg(total.progress.polls);
  state.counters["rebalances"] = avg(total.rebalances);
  state.counters["revoked"] = avg(total.revoked);
  state.counters["moved"] = avg(total.moved);
}

// --- Throughput. ---

// What one consumer read in a pass.
struct Share {
  int64_t records = 0;
  int64_t sum = 0;                  // value sizes + each value's first byte
  std::map<int32_t, int64_t> next;  // partition -> next expected offset
  absl::Status status;
};

struct ThroughputFixture {
  Fixture f;
  int64_t records = 0;
  int64_t checksum = 0;
  std::map<int32_t, int64_t> ends;  // partition -> high watermark
};

// The topic filled round robin with the workload's batch.
absl::StatusOr<ThroughputFixture> FillTopic() {
  ThroughputFixture t;
  absl::StatusOr<Workload> workload = MakeWorkload();
  if (!workload.ok()) return workload.status();
  absl::StatusOr<size_t> bytes =
      BytesFromEnv("RUNNEL_BENCH_READ_BYTES", kDefaultBytes);
  if (!bytes.ok()) return bytes.status();
  const int64_t batches = static_cast<int64_t>(*bytes / workload->batch.size());
  if (batches < kThroughputPartitions) {
    return absl::InvalidArgumentError(
        "RUNNEL_BENCH_READ_BYTES < one batch per partition");
  }
  absl::StatusOr<Fixture> f = OpenFixture(kThroughputPartitions, false);
  if (!f.ok()) return f.status();
  t.f = *std::move(f);
  std::vector<std::shared_ptr<Partition>> partitions;
  for (int32_t p = 0; p < kThroughputPartitions; ++p) {
    absl::StatusOr<std::shared_ptr<Partition>> partition =
        t.f.broker->GetPartition(kTopic, p);
    if (!partition.ok()) return partition.status();
    partitions.push_back(*std::move(partition));
  }
  for (int64_t i = 0; i < batches; ++i) {
    absl::Status s =
        partitions[i % kThroughputPartitions]->Append(workload->batch).status();
    if (!s.ok()) return s;
  }
  int64_t batch_sum = 0;
  for (const std::string& v : workload->values) {
    batch_sum +=
        static_cast<int64_t>(v.size()) + static_cast<unsigned char>(v.front());
  }
  t.records = batches * kRecordsPerBatch;
  t.checksum = batches * batch_sum;
  for (int32_t p = 0; p < kThroughputPartitions; ++p) {
    t.ends[p] = partitions[p]->high_watermark();
  }
  return t;
}

// Polls `consumer` until the group's `consumed` reaches `records`, checking
// offsets; the consumer that completes the count wakes the others.
void ConsumeShare(Consumer* consumer, const std::vector<Consumer*>& all,
                  int64_t records, std::atomic<int64_t>* consumed,
                  std::atomic<bool>* done, Share* share) {
  auto finish = [&] {
    done->store(true);
    for (Consumer* c : all) c->Wakeup();
  };
  while (!done->load()) {
    absl::StatusOr<ConsumerRecords> polled =
        consumer->Poll(absl::Milliseconds(100));
    if (absl::IsCancelled(polled.status())) continue;  // Wakeup
    if (!polled.ok()) {
      share->status = polled.status();
      return finish();
    }
    for (const ConsumerRecord& r : *polled) {
      int64_t& next = share->next[r.partition];
      if (r.offset != next || !r.value.has_value() || r.value->empty()) {
        share->status = absl::DataLossError(
            absl::StrCat("partition ", r.partition, ": offset ", r.offset,
                         " where ", next, " was due"));
        return finish();
      }
      ++next;
      share->sum += static_cast<int64_t>(r.value->size()) +
                    static_cast<unsigned char>(r.value->front());
    }
    const int64_t n = static_cast<int64_t>(polled->count());
    share->records += n;
    if (n > 0 && consumed->fetch_add(n) + n >= records) finish();
  }
}

int64_t ProcessCpuNs() {
  struct timespec ts;
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// Page faults (minor + major) this process has taken so far.
int64_t PageFaults() {
  struct rusage usage;
  if (::getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return usage.ru_minflt + usage.ru_majflt;
}

struct PassResult {
  int64_t min_share = 0, max_share = 0;
};

// One pass: every consumer seeks to the beginning, then each drains its
// share in a thread. Checks the group read every record exactly once.
absl::StatusOr<PassResult> ConsumePass(benchmark::State* state,
                                       const ThroughputFixture& t,
                                       const std::vector<Consumer*>& all) {
  if (state != nullptr) state->PauseTiming();
  for (Consumer* c : all) {
    if (absl::Status s = c->SeekToBeginning(c->Assignment()); !s.ok()) {
      return s;
    }
  }
  if (state != nullptr) state->ResumeTiming();
  std::atomic<int64_t> consumed{0};
  std::atomic<bool> done{false};
  std::vector<Share> shares(all.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < all.size(); ++i) {
    threads.emplace_back(ConsumeShare, all[i], std::cref(all), t.records,
                         &consumed, &done, &shares[i]);
  }
  for (std::thread& thread : threads) thread.join();
  PassResult result{INT64_MAX, 0};
  int64_t records = 0, sum = 0;
  for (const Share& s : shares) {
    if (!s.status.ok()) return s.status;
    records += s.records;
    sum += s.sum;
    result.min_share = std::min(result.min_share, s.records);
    result.max_share = std::max(result.max_share, s.records);
    for (const auto& [partition, next] : s.next) {
      if (next != t.ends.at(partition)) {
        return absl::DataLossError(absl::StrCat("partition ", partition,
                                                " read to ", next, " of ",
                                                t.ends.at(partition)));
      }
    }
  }
  if (records != t.records || sum != t.checksum) {
    return absl::DataLossError(absl::StrCat(
        "the group read ", records, " records (checksum ", sum, "); ",
        t.records, " (checksum ", t.checksum, ") were due"));
  }
  return result;
}

void BM_GroupThroughput(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  absl::StatusOr<ThroughputFixture> t = FillTopic();
  if (Failed(state, t.status())) return;
  Broker* broker = t->f.broker.get();
  const std::string group = "throughput";
  std::vector<std::unique_ptr<Member>> owned;
  std::vector<Member*> members;
  std::vector<Consumer*> consumers;
  for (int i = 0; i < n; ++i) {
    ConsumerOptions options =
        GroupOptions(group, absl::StrCat("c", i), "range");
    options.max_poll_records = 100000;
    options.max_partition_fetch_bytes = size_t{8} << 20;
    absl::StatusOr<std::unique_ptr<Member>> m = NewMember(broker, options);
    if (Failed(state, m.status())) return;
    if (Failed(state, Subscribe(**m))) return;
    members.push_back(m->get());
    consumers.push_back((*m)->consumer.get());
    owned.push_back(*std::move(m));
  }
  // Form the group first (records polled meanwhile are dropped: every pass
  // seeks to the beginning).
  Progress formation;
  if (Failed(state, DriveUntilSettled(broker, group, members,
                                      kThroughputPartitions, 0, &formation))) {
    return;
  }
  const int32_t generation = consumers[0]->GroupMetadata().generation_id;
  std::vector<std::vector<TopicPartition>> assignments;
  for (Consumer* c : consumers) assignments.push_back(c->Assignment());
  // One untimed pass: mappings and the allocator warm, as in consumer_bench.
  if (Failed(state, ConsumePass(nullptr, *t, consumers).status())) return;
  PassResult shares{INT64_MAX, 0};
  int64_t cpu_ns = 0;
  double wall_s = 0;
  const int64_t faults_before = PageFaults();
  for (auto _ : state) {
    const int64_t cpu_before = ProcessCpuNs();
    const SteadyClock::time_point start = SteadyClock::now();
    absl::StatusOr<PassResult> pass = ConsumePass(&state, *t, consumers);
    wall_s += Seconds(SteadyClock::now() - start);
    cpu_ns += ProcessCpuNs() - cpu_before;
    if (Failed(state, pass.status())) return;
    shares.min_share = std::min(shares.min_share, pass->min_share);
    shares.max_share = std::max(shares.max_share, pass->max_share);
    for (size_t i = 0; i < consumers.size(); ++i) {
      if (consumers[i]->GroupMetadata().generation_id != generation ||
          consumers[i]->Assignment() != assignments[i]) {
        state.SkipWithError("the group rebalanced during a pass");
        return;
      }
    }
  }
  const int64_t records = static_cast<int64_t>(state.iterations()) * t->records;
  state.SetItemsProcessed(records);
  state.SetBytesProcessed(records * static_cast<int64_t>(WorkloadValueBytes()));
  state.counters["cpu_ns_per_record"] =
      static_cast<double>(cpu_ns) / static_cast<double>(records);
  state.counters["cpu_cores"] = static_cast<double>(cpu_ns) / 1e9 / wall_s;
  state.counters["page_faults_per_pass"] =
      static_cast<double>(PageFaults() - faults_before) /
      static_cast<double>(state.iterations());
  state.counters["min_share"] =
      static_cast<double>(shares.min_share) / static_cast<double>(t->records);
  state.counters["max_share"] =
      static_cast<double>(shares.max_share) / static_cast<double>(t->records);
  for (Consumer* c : consumers) {
    if (Failed(state, c->Close())) return;
  }
}

// --- Registration. ---

bool RegisterAll() {
  // Throughput first: it allocates ~12 MB of ConsumerRecords per Poll, and
  // after the rebalance cases glibc hands that memory back to the kernel
  // after every Poll (157,000 page faults per pass, 2.7x slower; README).
  benchmark::RegisterBenchmark("BM_GroupThroughput", BM_GroupThroughput)
      ->ArgName("consumers")
      ->Arg(1)
      ->Arg(2)
      ->Arg(4)
      ->Iterations(kThroughputPasses)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  for (bool in_memory : {false, true}) {
    for (const char* strategy :
         {"range", "roundrobin", "sticky", "cooperative-sticky"}) {
      for (auto [event, event_name] :
           {std::pair{Event::kForm, "form"}, std::pair{Event::kJoin, "join"},
            std::pair{Event::kLeave, "leave"}}) {
        const std::string name =
            absl::StrCat("BM_Rebalance/", strategy, "/", event_name,
                         in_memory ? "/mem" : "");
        benchmark::RegisterBenchmark(name.c_str(), BM_Rebalance,
                                     RebalanceCase{strategy, event, in_memory})
            ->Iterations(kRebalanceIterations)
            ->UseManualTime()
            ->Unit(benchmark::kMicrosecond);
      }
    }
  }
  return true;
}

[[maybe_unused]] const bool kRegistered = RegisterAll();

}  // namespace
}  // namespace bench
}  // namespace runnel
