// Copyright 2026 The Runnel Authors.
//
// util/mutex.h — the project's one mutex and condition variable.
//
// Why not absl::Mutex: Debian's libabsl_synchronization.so is not built with
// ThreadSanitizer, so TSan cannot see the happens-before edges it creates and
// reports false races on everything it guards. These wrappers sit on
// std::mutex / std::condition_variable (which TSan understands) and carry
// absl's thread-safety annotations, so `--config=clang` checks
// ABSL_GUARDED_BY / ABSL_EXCLUSIVE_LOCKS_REQUIRED at compile time.
//
// Example:
//
//   class Counter {
//    public:
//     void Add(int n) {
//       runnel::MutexLock lock(&mu_);
//       total_ += n;
//       changed_.SignalAll();
//     }
//     void WaitAtLeast(int n) {
//       runnel::MutexLock lock(&mu_);
//       while (total_ < n) changed_.Wait(&mu_);
//     }
//    private:
//     runnel::Mutex mu_;
//     runnel::CondVar changed_;
//     int total_ ABSL_GUARDED_BY(mu_) = 0;
//   };
//
// Thread-safety: all methods are thread-safe. Mutex is not reentrant.
#ifndef RUNNEL_UTIL_MUTEX_H_
#define RUNNEL_UTIL_MUTEX_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"

namespace runnel {

// The size of a cache line. State one thread writes while another reads
// goes on its own line (alignas(kCacheLineBytes)): otherwise every write
// by one core takes the line from the other, even for unrelated fields.
inline constexpr size_t kCacheLineBytes = 64;

class CondVar;

// The body of a spin-wait loop: tells the CPU the thread is spinning
// (x86 `pause`), which frees the sibling hyperthread and avoids the
// memory-order mis-speculation penalty when the awaited write arrives.
inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// An exclusive, non-reentrant lock.
class ABSL_LOCKABLE Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  // Spins briefly (as absl::Mutex and glibc's adaptive mutexes do) before
  // it sleeps: most critical sections here last tens of nanoseconds, and a
  // futex sleep and wake cost microseconds. Two threads sharing a Producer
  // spent most of their Send time in futex calls on one partition's lock
  // (BM_ProducerSend/batch1M/threads:2: 6.4 -> 8.3 M records/s with the
  // spin, BM_ProducerSendSync/threads:2 5.2 -> 6.5).
  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() {
    for (int i = 0; i < kSpins; ++i) {
      if (mu_.try_lock()) return;
      CpuRelax();
    }
    mu_.lock();
  }
  void Unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }
  bool TryLock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {
    return mu_.try_lock();
  }
  // Tells the static analysis the lock is held (no run-time check).
  void AssertHeld() const ABSL_ASSERT_EXCLUSIVE_LOCK() {}

 private:
  friend class CondVar;
  // About 2-3 us of trying at most (a try is one compare-and-swap).
  static constexpr int kSpins = 64;

  std::mutex mu_;
};

// Holds `mu` for the lifetime of the object (RAII).
class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) {
    mu_->Lock();
  }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// A condition variable used with runnel::Mutex. Waits may wake spuriously:
// always wait in a loop that re-checks the condition.
class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  // Atomically releases `mu`, blocks until signalled, reacquires `mu`.
  void Wait(Mutex* mu) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();  // `mu` stays held by the caller.
  }

  // Like Wait, but gives up after `timeout` (real time). Returns true if it
  // timed out, false if it was signalled (or woke spuriously).
  bool WaitWithTimeout(Mutex* mu, absl::Duration timeout)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    const std::cv_status status =
        cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout));
    lock.release();
    return status == std::cv_status::timeout;
  }

  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace runnel

#endif  // RUNNEL_UTIL_MUTEX_H_
