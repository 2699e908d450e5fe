// Copyright 2026 The Runnel Authors.
//
// log/background_syncer.h — runs logs' deferred syncs (of segments they
// rolled) on one background thread, so the append that rolls a segment does
// not wait for its writeback. Kafka does the same: a roll schedules the
// flush of the old segment on the broker's scheduler. Internal to log/.
//
//   BackgroundSyncer::Default()->Schedule(log, [log] { log->...(); });
//   ...
//   BackgroundSyncer::Default()->Cancel(log);  // before `log` goes away
//
// Jobs run one at a time, in the order they were first scheduled. A job
// scheduled for an owner that already has one waiting is dropped: the
// waiting one does the work (a job syncs everything its owner has pending
// when it runs).
//
// Thread-safety: thread-safe. A job must not call Cancel or Drain.
// Lifetimes: jobs are not run after Cancel(owner) returns for their owner;
// the destructor drops queued jobs (after the running one finishes).
#ifndef RUNNEL_LOG_BACKGROUND_SYNCER_H_
#define RUNNEL_LOG_BACKGROUND_SYNCER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <thread>
#include <utility>

#include "util/mutex.h"

namespace runnel {
namespace internal {

class BackgroundSyncer {
 public:
  // The process-wide syncer (one thread, started on first use).
  static BackgroundSyncer* Default();

  BackgroundSyncer();
  ~BackgroundSyncer();
  BackgroundSyncer(const BackgroundSyncer&) = delete;
  BackgroundSyncer& operator=(const BackgroundSyncer&) = delete;

  // Runs `job` on the thread, unless a job of `owner` is already queued.
  void Schedule(const void* owner, std::function<void()> job);
  // Drops `owner`'s queued job and waits for its running one to finish.
  void Cancel(const void* owner);
  // Blocks until no job is queued or running (for tests).
  void Drain();
  // Jobs run so far (for tests).
  int64_t jobs_run();

 private:
  struct Job {
    const void* owner;
    std::function<void()> run;
  };
  void Loop();

  Mutex mu_;
  CondVar work_;
  CondVar idle_;
  std::deque<Job> queue_ ABSL_GUARDED_BY(mu_);
  const void* running_owner_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int64_t jobs_run_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_LOG_BACKGROUND_SYNCER_H_
