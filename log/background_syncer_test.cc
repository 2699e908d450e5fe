// Copyright 2026 The Runnel Authors.
#include "log/background_syncer.h"

#include <atomic>
#include <thread>

#include "gtest/gtest.h"
#include "util/mutex.h"

namespace runnel {
namespace internal {
namespace {

// A job that blocks until released, so tests control what is running.
class Gate {
 public:
  void WaitOpen() {
    MutexLock lock(&mu_);
    entered_ = true;
    changed_.SignalAll();
    while (!open_) changed_.Wait(&mu_);
  }
  void WaitEntered() {
    MutexLock lock(&mu_);
    while (!entered_) changed_.Wait(&mu_);
  }
  void Open() {
    MutexLock lock(&mu_);
    open_ = true;
    changed_.SignalAll();
  }

 private:
  Mutex mu_;
  CondVar changed_;
  bool entered_ ABSL_GUARDED_BY(mu_) = false;
  bool open_ ABSL_GUARDED_BY(mu_) = false;
};

TEST(BackgroundSyncerTest, RunsScheduledJobs) {
  BackgroundSyncer syncer;
  std::atomic<int> runs{0};
  int owner_a = 0, owner_b = 0;
  syncer.Schedule(&owner_a, [&] { runs.fetch_add(1); });
  syncer.Drain();
  syncer.Schedule(&owner_b, [&] { runs.fetch_add(10); });
  syncer.Drain();
  EXPECT_EQ(runs.load(), 11);
  EXPECT_EQ(syncer.jobs_run(), 2);
}

TEST(BackgroundSyncerTest, AQueuedJobCoversLaterSchedulesOfItsOwner) {
  BackgroundSyncer syncer;
  Gate gate;
  int blocker = 0, owner = 0;
  std::atomic<int> runs{0};
  syncer.Schedule(&blocker, [&] { gate.WaitOpen(); });
  gate.WaitEntered();
  syncer.Schedule(&owner, [&] { runs.fetch_add(1); });
  syncer.Schedule(&owner, [&] { runs.fetch_add(100); });  // dropped
  gate.Open();
  syncer.Drain();
  EXPECT_EQ(runs.load(), 1);
  // Once it ran, the owner can be scheduled again.
  syncer.Schedule(&owner, [&] { runs.fetch_add(1); });
  syncer.Drain();
  EXPECT_EQ(runs.load(), 2);
}

TEST(BackgroundSyncerTest, CancelDropsQueuedJobsAndWaitsForTheRunningOne) {
  BackgroundSyncer syncer;
  Gate gate;
  int owner = 0, other = 0;
  std::atomic<bool> finished{false};
  std::atomic<int> queued_runs{0};
  syncer.Schedule(&owner, [&] {
    gate.WaitOpen();
    finished.store(true);
  });
  gate.WaitEntered();
  syncer.Schedule(&owner, [&] { queued_runs.fetch_add(1); });
  syncer.Schedule(&other, [&] { queued_runs.fetch_add(10); });
  std::thread opener([&] { gate.Open(); });
  syncer.Cancel(&owner);  // returns only after the running job finished
  EXPECT_TRUE(finished.load());
  opener.join();
  syncer.Drain();
  EXPECT_EQ(queued_runs.load(), 10);  // other's job ran, owner's did not
}

}  // namespace
}  // namespace internal
}  // namespace runnel
