// Copyright 2026 The Runnel Authors.
//
// runnel/log_maintainer.h — the background work of a set of logs: flush.ms
// syncs, retention and compaction, on one thread, at an interval.
//
//   runnel::LogMaintainer maintainer({.interval = absl::Seconds(30)});
//   maintainer.Add(log.get());          // until Remove or destruction
//   ...
//   maintainer.Remove(log.get());       // before the Log is destroyed
//
// Each pass calls, for every registered log, FlushIfDue(), ApplyRetention()
// if its cleanup.policy includes delete, and Compact() if it includes
// compact. An error in one log does not stop the others; the latest one is
// kept in last_error(). RunOnce() does a pass in the caller's thread (for
// tests and for hosts that bring their own scheduler).
//
// Thread-safety: all methods are thread-safe. Remove waits for a pass that
// is using the log to finish, so the log may be destroyed right after.
// Lifetimes: logs are not owned; each must stay alive until removed.
#ifndef RUNNEL_LOG_LOG_MAINTAINER_H_
#define RUNNEL_LOG_LOG_MAINTAINER_H_

#include <cstdint>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "runnel/log.h"
#include "util/mutex.h"

namespace runnel {

class LogMaintainer {
 public:
  struct Options {
    // Time between passes (Kafka: log.retention.check.interval.ms = 5 min;
    // flush.ms and the cleaner's backoff check more often, so a shorter
    // default). absl::ZeroDuration() or less: no thread, RunOnce only.
    absl::Duration interval = absl::Seconds(15);
  };

  explicit LogMaintainer(Options options);
  ~LogMaintainer();  // stops the thread; waits for a running pass
  LogMaintainer(const LogMaintainer&) = delete;
  LogMaintainer& operator=(const LogMaintainer&) = delete;

  void Add(Log* log);
  void Remove(Log* log);

  // One pass over every registered log, now, in this thread.
  void RunOnce();
  // Wakes the thread for a pass now (does not wait for it).
  void Trigger();

  int64_t passes() const;
  absl::Status last_error() const;

 private:
  void Loop();
  absl::Status Maintain(Log* log);

  const Options options_;
  mutable Mutex mu_;
  CondVar wake_;
  std::vector<Log*> logs_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool triggered_ ABSL_GUARDED_BY(mu_) = false;
  int64_t passes_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status last_error_ ABSL_GUARDED_BY(mu_);
  // Held for a whole pass: one pass at a time, and Remove waits for it.
  Mutex pass_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  std::thread thread_;
};

}  // namespace runnel

#endif  // RUNNEL_LOG_LOG_MAINTAINER_H_
