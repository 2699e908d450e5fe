// Copyright 2026 The Runnel Authors.
#include "util/mutex.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace runnel {
namespace {

class Counter {
 public:
  void Add(int n) {
    MutexLock lock(&mu_);
    total_ += n;
    changed_.SignalAll();
  }
  void WaitAtLeast(int n) {
    MutexLock lock(&mu_);
    while (total_ < n) changed_.Wait(&mu_);
  }
  int total() {
    MutexLock lock(&mu_);
    return total_;
  }

 private:
  Mutex mu_;
  CondVar changed_;
  int total_ ABSL_GUARDED_BY(mu_) = 0;
};

TEST(MutexTest, ConcurrentIncrementsAreNotLost) {
  Counter counter;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&counter] {
      for (int i = 0; i < 10000; ++i) counter.Add(1);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter.total(), 40000);
}

TEST(MutexTest, WaiterWakesWhenConditionBecomesTrue) {
  Counter counter;
  std::thread waiter([&counter] { counter.WaitAtLeast(3); });
  for (int i = 0; i < 3; ++i) counter.Add(1);
  waiter.join();
  EXPECT_GE(counter.total(), 3);
}

TEST(MutexTest, TryLockFailsWhileHeld) {
  Mutex mu;
  mu.Lock();
  bool acquired = true;
  std::thread other([&] {
    acquired = false;
    if (mu.TryLock()) {
      acquired = true;
      mu.Unlock();
    }
  });
  other.join();
  mu.Unlock();
  EXPECT_FALSE(acquired);
}

TEST(CondVarTest, WaitWithTimeoutTimesOutWithoutSignal) {
  Mutex mu;
  CondVar cv;
  MutexLock lock(&mu);
  bool timed_out = false;
  // Spurious wake-ups are allowed; loop until the timeout is reported.
  for (int i = 0; i < 100 && !timed_out; ++i) {
    timed_out = cv.WaitWithTimeout(&mu, absl::Milliseconds(1));
  }
  EXPECT_TRUE(timed_out);
}

}  // namespace
}  // namespace runnel
