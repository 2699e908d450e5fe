// Copyright 2026 The Runnel Authors.
//
// partition/dir_reaper.h — removes directories (rm -rf) on a background
// thread: the data of deleted topics, renamed to `...-delete` first so the
// name is free at once (as Kafka does). Internal to the Broker.
//
//   DirReaper reaper(fs);
//   reaper.Remove("/data/orders-0.5f1c...-delete");
//   reaper.Drain();  // tests: wait until the queue is empty
//
// A failed removal is kept in last_error() and not retried: the Broker
// finds leftover `-delete` directories at the next Open and queues them
// again. Destruction drops queued work (it is found again the same way).
//
// Thread-safety: thread-safe. Lifetimes: `fs` must outlive the reaper.
#ifndef RUNNEL_PARTITION_DIR_REAPER_H_
#define RUNNEL_PARTITION_DIR_REAPER_H_

#include <deque>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "runnel/file_system.h"
#include "util/mutex.h"

namespace runnel {
namespace internal {

class DirReaper {
 public:
  explicit DirReaper(FileSystem* fs);
  ~DirReaper();
  DirReaper(const DirReaper&) = delete;
  DirReaper& operator=(const DirReaper&) = delete;

  void Remove(std::string dir);
  // Blocks until every queued removal has been tried.
  void Drain();
  absl::Status last_error() const;

 private:
  void Loop();

  FileSystem* const fs_;
  mutable Mutex mu_;
  CondVar work_;
  CondVar idle_;
  std::deque<std::string> queue_ ABSL_GUARDED_BY(mu_);
  bool busy_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status last_error_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_PARTITION_DIR_REAPER_H_
