// Copyright 2026 The Runnel Authors.
#include "partition/dir_reaper.h"

#include <utility>

namespace runnel {
namespace internal {

DirReaper::DirReaper(FileSystem* fs) : fs_(fs), thread_([this] { Loop(); }) {}

DirReaper::~DirReaper() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    queue_.clear();
    work_.SignalAll();
  }
  thread_.join();
}

void DirReaper::Remove(std::string dir) {
  MutexLock lock(&mu_);
  queue_.push_back(std::move(dir));
  work_.Signal();
}

void DirReaper::Drain() {
  MutexLock lock(&mu_);
  while (!queue_.empty() || busy_) idle_.Wait(&mu_);
}

absl::Status DirReaper::last_error() const {
  MutexLock lock(&mu_);
  return last_error_;
}

void DirReaper::Loop() {
  mu_.Lock();
  while (true) {
    while (queue_.empty() && !stopping_) work_.Wait(&mu_);
    if (stopping_) break;
    std::string dir = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    mu_.Unlock();
    absl::Status removed = fs_->RemoveAll(dir);
    mu_.Lock();
    busy_ = false;
    if (!removed.ok() && !absl::IsNotFound(removed)) last_error_ = removed;
    if (queue_.empty()) idle_.SignalAll();
  }
  idle_.SignalAll();
  mu_.Unlock();
}

}  // namespace internal
}  // namespace runnel
