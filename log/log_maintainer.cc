// Copyright 2026 The Runnel Authors.
#include "runnel/log_maintainer.h"

#include <algorithm>

#include "absl/time/clock.h"

namespace runnel {

LogMaintainer::LogMaintainer(Options options) : options_(options) {
  if (options_.interval > absl::ZeroDuration()) {
    thread_ = std::thread([this] { Loop(); });
  }
}

LogMaintainer::~LogMaintainer() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    wake_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
}

void LogMaintainer::Add(Log* log) {
  MutexLock lock(&mu_);
  if (std::find(logs_.begin(), logs_.end(), log) == logs_.end()) {
    logs_.push_back(log);
  }
}

void LogMaintainer::Remove(Log* log) {
  MutexLock pass(&pass_mu_);  // waits for a pass that may be using it
  MutexLock lock(&mu_);
  logs_.erase(std::remove(logs_.begin(), logs_.end(), log), logs_.end());
}

void LogMaintainer::Trigger() {
  MutexLock lock(&mu_);
  triggered_ = true;
  wake_.SignalAll();
}

void LogMaintainer::RunOnce() {
  MutexLock pass(&pass_mu_);
  std::vector<Log*> logs;
  {
    MutexLock lock(&mu_);
    logs = logs_;
  }
  absl::Status error;
  for (Log* log : logs) {
    absl::Status status = Maintain(log);
    if (!status.ok()) error = status;
  }
  MutexLock lock(&mu_);
  ++passes_;
  if (!error.ok()) last_error_ = error;
}

absl::Status LogMaintainer::Maintain(Log* log) {
  absl::Status status = log->FlushIfDue();
  if (absl::StatusOr<int> deleted = log->ApplyRetention(); !deleted.ok()) {
    status.Update(deleted.status());
  }
  if (log->cleanup_policy() != CleanupPolicy::kDelete) {
    if (absl::StatusOr<CompactionStats> compacted = log->Compact();
        !compacted.ok()) {
      status.Update(compacted.status());
    }
  }
  return status;
}

void LogMaintainer::Loop() {
  while (true) {
    {
      MutexLock lock(&mu_);
      const absl::Time deadline = absl::Now() + options_.interval;
      while (!stopping_ && !triggered_ && absl::Now() < deadline) {
        wake_.WaitWithTimeout(&mu_, deadline - absl::Now());
      }
      if (stopping_) return;
      triggered_ = false;
    }
    RunOnce();
  }
}

int64_t LogMaintainer::passes() const {
  MutexLock lock(&mu_);
  return passes_;
}

absl::Status LogMaintainer::last_error() const {
  MutexLock lock(&mu_);
  return last_error_;
}

}  // namespace runnel
