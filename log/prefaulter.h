// Copyright 2026 The Runnel Authors.
//
// log/prefaulter.h — faults in the pages of active segments ahead of the
// appender, on a background thread, so Append itself takes no page faults.
// Internal to log/.
//
// The Segment reserves file space a chunk ahead of its write position and
// hands the new chunk here; the thread calls MappedRegion::Prefault on it
// (madvise MADV_POPULATE_WRITE: page tables filled as if written, contents
// unchanged), racing nobody: the appender writes only bytes it owns and
// prefaulting changes no byte.
//
// Thread-safety: thread-safe. Lifetimes: a queued task holds its region
// (shared_ptr), so a segment may roll or go away meanwhile.
#ifndef RUNNEL_LOG_PREFAULTER_H_
#define RUNNEL_LOG_PREFAULTER_H_

#include <cstddef>
#include <deque>
#include <memory>
#include <thread>

#include "runnel/file_system.h"
#include "util/mutex.h"

namespace runnel {
namespace internal {

class Prefaulter {
 public:
  // The process-wide prefaulter (one thread, started on first use).
  static Prefaulter* Default();

  Prefaulter();
  ~Prefaulter();  // drops queued work and stops the thread
  Prefaulter(const Prefaulter&) = delete;
  Prefaulter& operator=(const Prefaulter&) = delete;

  void Enqueue(std::shared_ptr<MappedRegion> region, size_t offset,
               size_t length);
  // Blocks until the queue is empty and no task runs (for tests).
  void Drain();

 private:
  struct Task {
    std::shared_ptr<MappedRegion> region;
    size_t offset;
    size_t length;
  };
  void Loop();

  Mutex mu_;
  CondVar work_;
  CondVar idle_;
  std::deque<Task> queue_ ABSL_GUARDED_BY(mu_);
  bool busy_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_LOG_PREFAULTER_H_
