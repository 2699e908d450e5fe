// Copyright 2026 The Runnel Authors.
//
// worker_pool — a topic as a work queue. Three worker threads, each with
// its own Consumer in the group "workers", share the 6 partitions of the
// topic "jobs": each job goes to exactly one worker (Kafka's queue model).
// A second group, "audit", then reads the same topic and sees every job
// (publish-subscribe: groups don't share).
//
//   ./bazelw run //examples:worker_pool [-- --dir=/tmp/runnel-worker-pool]
//
// Each worker runs Kafka's usual loop: Poll, process, commit. Its
// ConsumerRebalanceListener commits in OnPartitionsRevoked, so a partition
// that moves to another worker resumes right after the last job processed.
// Run it again on the same --dir: both groups resume from their committed
// offsets and see only the new jobs. Exits 1 if a check fails.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <functional>
#include <memory>
#include <numeric>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "runnel/runnel.h"

ABSL_FLAG(std::string, dir, "/tmp/runnel-worker-pool",
          "The broker's data directory (created, then reused).");

namespace {

constexpr int kJobs = 60;
constexpr int kPartitions = 6;
constexpr int kWorkers = 3;

using Partitions = absl::Span<const runnel::TopicPartition>;

// Commits what was processed before partitions are taken away, so their
// next owner neither skips nor repeats a job.
class CommitOnRevoke : public runnel::ConsumerRebalanceListener {
 public:
  explicit CommitOnRevoke(runnel::Consumer* consumer) : consumer_(consumer) {}
  void OnPartitionsRevoked(Partitions) override {
    if (absl::Status s = consumer_->CommitSync(); !s.ok()) {
      std::fprintf(stderr, "commit on revoke: %s\n", s.ToString().c_str());
    }
  }
  void OnPartitionsAssigned(Partitions) override {}

 private:
  runnel::Consumer* consumer_;
};

struct Worker {
  std::string name;  // client.id
  std::unique_ptr<runnel::Consumer> consumer;
  std::vector<int> jobs;         // the job numbers it processed
  std::set<int32_t> partitions;  // where they came from
  absl::Status status;
};

// The worker loop, on its own thread (a Consumer is not thread-safe).
void RunWorker(Worker* w, const std::atomic<bool>* stop,
               std::atomic<int>* processed) {
  CommitOnRevoke listener(w->consumer.get());
  w->status = w->consumer->Subscribe({"jobs"}, &listener);
  while (w->status.ok() && !stop->load()) {
    auto records = w->consumer->Poll(absl::Milliseconds(100));
    if (absl::IsCancelled(records.status())) continue;  // Wakeup: stop?
    if (!records.ok()) {
      w->status = records.status();
      break;
    }
    for (const runnel::ConsumerRecord& r : *records) {
      int job;  // "process" the job: key "job-17" -> 17
      if (!r.key || !absl::SimpleAtoi(r.key->substr(4), &job)) job = -1;
      w->jobs.push_back(job);
      w->partitions.insert(r.partition);
    }
    if (records->empty()) continue;
    // Kafka's idiom: commitAsync in the loop, commitSync on revocation.
    w->consumer->CommitAsync([w](absl::Status s) {
      if (!s.ok()) w->status = s;
    });
    *processed += static_cast<int>(records->count());
  }
  absl::Status closed = w->consumer->Close();  // revokes: the listener commits
  if (w->status.ok()) w->status = closed;
}

// Polls `done` every 10 ms, for up to 5 s.
template <typename F>
bool WaitFor(F done) {
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (!done() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  return done();
}

absl::Status ProduceJobs(runnel::Broker* broker) {
  auto producer = runnel::Producer::Create(broker, runnel::ProducerOptions());
  if (!producer.ok()) return producer.status();
  for (int i = 0; i < kJobs; ++i) {
    const std::string key = absl::StrCat("job-", i);  // picks the partition
    const std::string value = absl::StrCat("resize photo-", i, ".jpg");
    runnel::ProducerRecord record;
    record.topic = "jobs";
    record.key = key;
    record.value = value;
    if (auto s = (*producer)->Send(record, nullptr); !s.ok()) return s;
  }
  return (*producer)->Close();  // sends what is queued
}

// Starts `n` consumers of `group`, each polling on its own thread; runs
// `meanwhile` (e.g. produces the jobs), waits until kJobs jobs were
// processed, then stops them.
absl::StatusOr<std::vector<Worker>> RunGroup(
    runnel::Broker* broker, const std::string& group, int n,
    const std::function<absl::Status()>& meanwhile) {
  std::vector<Worker> workers(n);
  for (int i = 0; i < n; ++i) {
    runnel::ConsumerOptions options;
    options.group_id = group;
    options.client_id = absl::StrCat(group, "-", i);
    options.enable_auto_commit = false;  // we commit after processing
    options.auto_offset_reset = runnel::OffsetReset::kEarliest;
    auto consumer = runnel::Consumer::Create(broker, options);
    if (!consumer.ok()) return consumer.status();
    workers[i].name = options.client_id;
    workers[i].consumer = *std::move(consumer);
  }
  std::atomic<bool> stop{false};
  std::atomic<int> processed{0};
  std::vector<std::thread> threads;
  for (Worker& w : workers) {
    threads.emplace_back(RunWorker, &w, &stop, &processed);
  }
  absl::Status status = meanwhile();
  if (status.ok() && !WaitFor([&] { return processed.load() >= kJobs; })) {
    status = absl::DeadlineExceededError(group + ": jobs not done in time");
  }
  stop = true;
  for (Worker& w : workers) w.consumer->Wakeup();
  for (std::thread& t : threads) t.join();
  for (Worker& w : workers) status.Update(w.status);
  if (!status.ok()) return status;
  return workers;
}

// True if `jobs` holds each of 0..kJobs-1 exactly once.
bool EachJobOnce(std::vector<int> jobs) {
  std::sort(jobs.begin(), jobs.end());
  std::vector<int> want(kJobs);
  std::iota(want.begin(), want.end(), 0);
  return jobs == want;
}

absl::Status Run(runnel::Broker* broker) {
  absl::Status created =
      runnel::Admin(broker).CreateTopic({"jobs", kPartitions});
  if (!created.ok() && !absl::IsAlreadyExists(created)) return created;

  // The pool. Once its three workers share the partitions (steady state:
  // no more rebalances), queue the jobs.
  runnel::GroupAdmin admin(broker);
  auto workers = RunGroup(broker, "workers", kWorkers, [&] {
    const bool formed = WaitFor([&] {
      auto d = admin.DescribeGroup("workers");
      return d.ok() && d->state == runnel::GroupState::kStable &&
             d->members.size() == kWorkers;
    });
    return formed ? ProduceJobs(broker)
                  : absl::DeadlineExceededError("the group did not form");
  });
  if (!workers.ok()) return workers.status();
  std::vector<int> all;
  std::set<int32_t> partitions;  // each may have one worker only
  for (const Worker& w : *workers) {
    std::string shown;
    for (int32_t p : w.partitions) {
      absl::StrAppend(&shown, " jobs-", p);
      if (!partitions.insert(p).second) {
        return absl::InternalError(absl::StrCat("two workers had jobs-", p));
      }
    }
    std::printf("%s: %2zu jobs from%s\n", w.name.c_str(), w.jobs.size(),
                shown.c_str());
    all.insert(all.end(), w.jobs.begin(), w.jobs.end());
  }
  auto lag = admin.DescribeLag("workers");  // everything committed: 0
  if (!lag.ok()) return lag.status();
  std::printf("workers: %zu jobs in all, lag %lld\n", all.size(),
              static_cast<long long>(lag->total_lag));

  // Another group reads the same jobs, all of them.
  auto audit = RunGroup(broker, "audit", 1, [] { return absl::OkStatus(); });
  if (!audit.ok()) return audit.status();
  std::printf("audit: %zu jobs\n", (*audit)[0].jobs.size());
  if (!EachJobOnce(all) || lag->total_lag != 0 ||
      !EachJobOnce((*audit)[0].jobs)) {
    return absl::InternalError("a job was lost, repeated or not committed");
  }
  std::printf("OK: each job processed once; the audit saw every job\n");
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  runnel::BrokerOptions options;
  options.data_dir = absl::GetFlag(FLAGS_dir);
  auto broker = runnel::Broker::Open(options);
  absl::Status status = broker.ok() ? Run(broker->get()) : broker.status();
  if (status.ok()) status = (*broker)->Close();
  if (!status.ok()) {
    std::fprintf(stderr, "worker_pool failed: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
