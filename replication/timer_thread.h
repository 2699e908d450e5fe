// Copyright 2026 The Runnel Authors.
//
// replication/timer_thread.h — runs callbacks after a delay on one
// background thread: the default scheduler of a ReplicaManager (follower
// back-off, the ISR check). Internal. Hosts and simulations may pass their
// own scheduler instead (e.g. InMemoryNetwork::RunAfter on virtual time).
//
//   runnel::internal::TimerThread timers;
//   timers.Schedule(absl::Seconds(1), [] { ... });
//
// Thread-safety: Schedule may be called from any thread, including from a
// callback. Callbacks run one at a time on the timer's thread. Destruction
// drops callbacks not yet due and waits for a running one.
#ifndef RUNNEL_REPLICATION_TIMER_THREAD_H_
#define RUNNEL_REPLICATION_TIMER_THREAD_H_

#include <cstdint>
#include <functional>
#include <map>
#include <thread>
#include <utility>

#include "absl/time/time.h"
#include "util/mutex.h"

namespace runnel {
namespace internal {

class TimerThread {
 public:
  TimerThread();
  ~TimerThread();
  TimerThread(const TimerThread&) = delete;
  TimerThread& operator=(const TimerThread&) = delete;

  void Schedule(absl::Duration delay, std::function<void()> fn);

 private:
  void Loop();

  Mutex mu_;
  CondVar changed_;
  // By due time, then by scheduling order.
  std::map<std::pair<absl::Time, uint64_t>, std::function<void()>> due_
      ABSL_GUARDED_BY(mu_);
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 0;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_REPLICATION_TIMER_THREAD_H_
