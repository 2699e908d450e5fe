// Copyright 2026 The Runnel Authors.
#include "replication/timer_thread.h"

#include "absl/time/clock.h"

namespace runnel {
namespace internal {

TimerThread::TimerThread() : thread_([this] { Loop(); }) {}

TimerThread::~TimerThread() {
  {
    MutexLock lock(&mu_);
    stop_ = true;
    changed_.SignalAll();
  }
  thread_.join();
}

void TimerThread::Schedule(absl::Duration delay, std::function<void()> fn) {
  MutexLock lock(&mu_);
  due_.emplace(std::make_pair(absl::Now() + delay, next_id_++), std::move(fn));
  changed_.SignalAll();
}

void TimerThread::Loop() {
  MutexLock lock(&mu_);
  while (!stop_) {
    if (due_.empty()) {
      changed_.Wait(&mu_);
      continue;
    }
    const absl::Duration left = due_.begin()->first.first - absl::Now();
    if (left > absl::ZeroDuration()) {
      changed_.WaitWithTimeout(&mu_, left);
      continue;
    }
    std::function<void()> fn = std::move(due_.begin()->second);
    due_.erase(due_.begin());
    mu_.Unlock();
    fn();
    mu_.Lock();
  }
}

}  // namespace internal
}  // namespace runnel
