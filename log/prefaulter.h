// Copyright 2026 The Runnel Authors.
//
// log/prefaulter.h — faults in the pages of active segments ahead of the
// appender, on a background thread, so Append itself takes (almost) no
// page faults. Internal to log/.
//
// The Segment reserves file space a chunk ahead of its write position and
// hands the new chunk here; the thread calls MappedRegion::Prefault on it
// (madvise MADV_POPULATE_WRITE: page tables filled as if written, contents
// unchanged), racing nobody: the appender writes only bytes it owns and
// prefaulting changes no byte.
//
// Work is done in kPieceBytes pieces (one huge page: segment mappings ask
// for them, io/mmap_region.h), one populate call each, so a piece is
// never long in flight: the appender's own mapping changes wait for at most
// one. If the appender overtakes the thread (a fresh page costs about as
// much to populate as to fault, so a fast appender can), the thread skips
// what the appender already wrote — its `progress` — and one piece more,
// so the two fault in different huge pages side by side instead of one
// waiting for the other on the same page; it never falls further behind.
// A task passed whole still gives its huge-page advice, which covers the
// rest of the region.
//
//   auto progress = std::make_shared<std::atomic<uint64_t>>(0);
//   Prefaulter::Default()->Enqueue(region, reserved, chunk, progress);
//   ... appender writes, then progress->store(new_end) ...
//
// Thread-safety: thread-safe. Lifetimes: a queued task does not keep its
// region alive (weak_ptr; a region gone meanwhile is skipped), only the
// piece in flight does, so a mapping's owner can tell when no one else
// uses it (segment recycling relies on that). Tasks keep `progress`.
#ifndef RUNNEL_LOG_PREFAULTER_H_
#define RUNNEL_LOG_PREFAULTER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <thread>

#include "runnel/file_system.h"
#include "util/mutex.h"

namespace runnel {
namespace internal {

class Prefaulter {
 public:
  // The unit of work: one populate call, one huge page.
  static constexpr size_t kPieceBytes = size_t{2} << 20;

  // The process-wide prefaulter (one thread, started on first use).
  static Prefaulter* Default();

  Prefaulter();
  ~Prefaulter();  // drops queued work and stops the thread
  Prefaulter(const Prefaulter&) = delete;
  Prefaulter& operator=(const Prefaulter&) = delete;

  // Faults in bytes [offset, offset + length) of `region`, in queue order,
  // piece by piece (pieces end at multiples of kPieceBytes). If `progress`
  // is set, bytes below its value (the owner's write position) are
  // skipped. With `huge_pages`, the region from `offset` to its capacity is
  // first advised for huge pages (MappedRegion::AdviseHugePages) on the
  // prefaulter's thread: that call
  // changes the process's mappings, so it waits for any fault in flight,
  // and the appender must not be the one waiting.
  void Enqueue(std::shared_ptr<MappedRegion> region, size_t offset,
               size_t length,
               std::shared_ptr<const std::atomic<uint64_t>> progress = nullptr,
               bool huge_pages = false);
  // Blocks until the queue is empty and no piece is in flight (for tests).
  void Drain();
  // Pieces populated so far (for tests).
  int64_t pieces_done();

 private:
  struct Task {
    std::weak_ptr<MappedRegion> region;
    size_t offset;
    size_t length;
    std::shared_ptr<const std::atomic<uint64_t>> progress;
    bool huge_pages;  // not advised yet
  };
  struct Piece {
    std::shared_ptr<MappedRegion> region;
    size_t offset = 0;
    size_t length = 0;
    bool advise_huge_pages = false;  // from offset to the capacity
    // 0: advice only (the owner passed the whole task).
  };
  // Takes the next piece off the front task (dropping what its owner has
  // passed, and tasks whose region is gone); false if the queue ran empty.
  bool NextPiece(Piece* piece) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Loop();

  Mutex mu_;
  CondVar work_;
  CondVar idle_;
  std::deque<Task> queue_ ABSL_GUARDED_BY(mu_);
  bool busy_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int64_t pieces_done_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_LOG_PREFAULTER_H_
