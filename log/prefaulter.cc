// Copyright 2026 The Runnel Authors.
#include "log/prefaulter.h"

#include <utility>

namespace runnel {
namespace internal {

Prefaulter* Prefaulter::Default() {
  static Prefaulter* const prefaulter = new Prefaulter();
  return prefaulter;
}

Prefaulter::Prefaulter() : thread_([this] { Loop(); }) {}

Prefaulter::~Prefaulter() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    queue_.clear();
    work_.SignalAll();
  }
  thread_.join();
}

void Prefaulter::Enqueue(std::shared_ptr<MappedRegion> region, size_t offset,
                         size_t length) {
  MutexLock lock(&mu_);
  queue_.push_back(Task{std::move(region), offset, length});
  work_.Signal();
}

void Prefaulter::Drain() {
  MutexLock lock(&mu_);
  while (!queue_.empty() || busy_) idle_.Wait(&mu_);
}

void Prefaulter::Loop() {
  mu_.Lock();
  while (true) {
    while (queue_.empty() && !stopping_) work_.Wait(&mu_);
    if (stopping_) break;
    Task task = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    mu_.Unlock();
    // Best effort: a failure only means the appender takes the faults.
    task.region->Prefault(task.offset, task.length).IgnoreError();
    task.region.reset();
    mu_.Lock();
    busy_ = false;
    if (queue_.empty()) idle_.SignalAll();
  }
  mu_.Unlock();
}

}  // namespace internal
}  // namespace runnel
