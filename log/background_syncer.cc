// Copyright 2026 The Runnel Authors.
#include "log/background_syncer.h"

#include <algorithm>
#include <utility>

namespace runnel {
namespace internal {

BackgroundSyncer* BackgroundSyncer::Default() {
  static BackgroundSyncer* const syncer = new BackgroundSyncer();
  return syncer;
}

BackgroundSyncer::BackgroundSyncer() : thread_([this] { Loop(); }) {}

BackgroundSyncer::~BackgroundSyncer() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    queue_.clear();
    work_.SignalAll();
  }
  thread_.join();
}

void BackgroundSyncer::Schedule(const void* owner, std::function<void()> job) {
  MutexLock lock(&mu_);
  if (stopping_) return;
  for (const Job& queued : queue_) {
    if (queued.owner == owner) return;  // that one will do this work too
  }
  queue_.push_back(Job{owner, std::move(job)});
  work_.Signal();
}

void BackgroundSyncer::Cancel(const void* owner) {
  MutexLock lock(&mu_);
  queue_.erase(
      std::remove_if(queue_.begin(), queue_.end(),
                     [owner](const Job& job) { return job.owner == owner; }),
      queue_.end());
  while (running_owner_ == owner) idle_.Wait(&mu_);
}

void BackgroundSyncer::Drain() {
  MutexLock lock(&mu_);
  while (!queue_.empty() || running_owner_ != nullptr) idle_.Wait(&mu_);
}

int64_t BackgroundSyncer::jobs_run() {
  MutexLock lock(&mu_);
  return jobs_run_;
}

void BackgroundSyncer::Loop() {
  mu_.Lock();
  while (true) {
    while (queue_.empty() && !stopping_) work_.Wait(&mu_);
    if (stopping_) break;
    Job job = std::move(queue_.front());
    queue_.pop_front();
    running_owner_ = job.owner;
    mu_.Unlock();
    job.run();
    job.run = nullptr;  // whatever it captured goes before Cancel returns
    mu_.Lock();
    running_owner_ = nullptr;
    ++jobs_run_;
    idle_.SignalAll();
  }
  mu_.Unlock();
}

}  // namespace internal
}  // namespace runnel
