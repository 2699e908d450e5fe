// Copyright 2026 The Runnel Authors.
#include "util/tsc_wall_clock.h"

#include <time.h>

#include <atomic>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace runnel {
namespace internal {
namespace {

// A fake TSC and system clock: the TSC ticks 3 times per nanosecond.
std::atomic<uint64_t> fake_ticks{0};
std::atomic<int64_t> fake_ns{0};
std::atomic<int> realtime_reads{0};
// Ticks that pass during the next system clock read (a preemption).
std::atomic<uint64_t> ticks_during_read{0};

uint64_t FakeTicks() { return fake_ticks.load(); }
int64_t FakeRealtime() {
  realtime_reads.fetch_add(1);
  fake_ticks += ticks_during_read.exchange(0);
  return fake_ns.load();
}

// |actual - expected| <= tolerance, in integers (EXPECT_NEAR's doubles
// cannot tell nanoseconds apart at this magnitude).
testing::AssertionResult Within(int64_t actual, int64_t expected,
                                int64_t tolerance) {
  const int64_t off = actual > expected ? actual - expected : expected - actual;
  if (off <= tolerance) return testing::AssertionSuccess();
  return testing::AssertionFailure()
         << actual << " is " << off << " ns from " << expected;
}

constexpr int64_t kStart = int64_t{1700000000} * 1000000000;

class TscWallClockTest : public testing::Test {
 protected:
  void SetUp() override {
    fake_ticks = 5000;
    fake_ns = kStart;
    realtime_reads = 0;
    ticks_during_read = 0;
  }
  // Moves both clocks; `drift_ns` more on the system clock.
  void Advance(int64_t ns, int64_t drift_ns = 0) {
    fake_ticks += static_cast<uint64_t>(3 * ns);
    fake_ns += ns + drift_ns;
  }
  // Past calibration: two anchors 10 ms apart.
  void Calibrate(TscWallClock& clock) {
    EXPECT_EQ(clock.NowNanos(), fake_ns.load());
    Advance(TscWallClock::kCalibrationNs);
    EXPECT_EQ(clock.NowNanos(), fake_ns.load());
  }

  TscWallClock clock_{{&FakeTicks, &FakeRealtime, true}};
};

TEST_F(TscWallClockTest, ReadsTheSystemClockUntilTheRateIsKnown) {
  for (int i = 0; i < 5; ++i) {
    Advance(1000);
    EXPECT_EQ(clock_.NowNanos(), fake_ns.load());
  }
  EXPECT_EQ(realtime_reads.load(), 5);
}

TEST_F(TscWallClockTest, InterpolatesWithinTheWindowWithoutTheSystemClock) {
  Calibrate(clock_);
  const int reads = realtime_reads.load();
  for (int i = 0; i < 100; ++i) {
    Advance(7000);  // 700 us in all: within the 1 ms window
    EXPECT_TRUE(Within(clock_.NowNanos(), fake_ns.load(), 1));
  }
  EXPECT_EQ(realtime_reads.load(), reads);
}

TEST_F(TscWallClockTest, ReanchorsOnceTheAnchorIsAMillisecondOld) {
  Calibrate(clock_);
  const int reads = realtime_reads.load();
  Advance(TscWallClock::kWindowNs + 1, /*drift_ns=*/500);
  // The new anchor is the system clock itself, drift and all.
  EXPECT_EQ(clock_.NowNanos(), fake_ns.load());
  EXPECT_EQ(realtime_reads.load(), reads + 1);
  Advance(100);
  EXPECT_TRUE(Within(clock_.NowNanos(), fake_ns.load(), 1));
  EXPECT_EQ(realtime_reads.load(), reads + 1);
}

TEST_F(TscWallClockTest, APairReadAcrossAPreemptionIsNoAnchor) {
  Calibrate(clock_);
  Advance(TscWallClock::kWindowNs + 1);
  // Preempted for 2 ms after reading the system clock: that reading is
  // returned, but the pair is not kept, so the next read looks again.
  ticks_during_read = 3 * 2000000;
  EXPECT_EQ(clock_.NowNanos(), fake_ns.load());
  fake_ns += 2000000;
  const int reads = realtime_reads.load();
  EXPECT_EQ(clock_.NowNanos(), fake_ns.load());
  EXPECT_EQ(realtime_reads.load(), reads + 1);
  // And that good pair anchors the reads after it.
  Advance(100);
  EXPECT_TRUE(Within(clock_.NowNanos(), fake_ns.load(), 1));
  EXPECT_EQ(realtime_reads.load(), reads + 1);
}

TEST_F(TscWallClockTest,
       ATscBehindTheAnchorBeyondTheWindowReadsTheSystemClock) {
  Calibrate(clock_);
  // Another CPU's TSC, far behind this one's (skew, or a migrated VM).
  fake_ticks -= 3 * 2 * TscWallClock::kWindowNs;
  Advance(10);
  EXPECT_EQ(clock_.NowNanos(), fake_ns.load());
}

TEST_F(TscWallClockTest, ASystemClockSetBackIsFollowedAtTheNextAnchor) {
  Calibrate(clock_);
  Advance(TscWallClock::kWindowNs + 1);
  fake_ns -= int64_t{3600} * 1000000000;  // set back an hour
  EXPECT_EQ(clock_.NowNanos(), fake_ns.load());
  // Still interpolating at the rate measured before.
  Advance(2000);
  EXPECT_TRUE(Within(clock_.NowNanos(), fake_ns.load(), 1));
}

TEST_F(TscWallClockTest, ASystemClockStepForwardCostsAtMostTheWindow) {
  Calibrate(clock_);
  // Stepped an hour ahead, then 2 s at the normal rate: the rate measured
  // over the span that holds the step is far off, but every read stays
  // within a millisecond of the system clock, and once the span is
  // rebased (1 s) the rate is right again.
  Advance(TscWallClock::kWindowNs + 1, /*drift_ns=*/int64_t{3600} * 1000000000);
  for (int i = 0; i < 4000; ++i) {
    Advance(500000);
    EXPECT_TRUE(
        Within(clock_.NowNanos(), fake_ns.load(), TscWallClock::kWindowNs));
  }
  for (int i = 0; i < 5; ++i) {
    Advance(100000);
    EXPECT_TRUE(Within(clock_.NowNanos(), fake_ns.load(), 1));
  }
}

TEST_F(TscWallClockTest, WithoutAUsableTscEveryReadIsTheSystemClock) {
  TscWallClock clock({&FakeTicks, &FakeRealtime, false});
  Calibrate(clock);
  Advance(100);
  EXPECT_EQ(clock.NowNanos(), fake_ns.load());
  EXPECT_EQ(realtime_reads.load(), 3);
}

int64_t SystemRealtimeNs() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// The real clock stays between two system clock reads around it (to a
// millisecond, the window's worst case), from several threads at once.
TEST(TscWallClockRealTest, StaysWithTheSystemClockFromManyThreads) {
  TscWallClock& clock = TscWallClock::Default();
  std::atomic<int> outside{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200000; ++i) {
        const int64_t before = SystemRealtimeNs();
        const int64_t now = clock.NowNanos();
        const int64_t after = SystemRealtimeNs();
        if (now < before - TscWallClock::kWindowNs ||
            now > after + TscWallClock::kWindowNs) {
          outside.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(outside.load(), 0);
}

}  // namespace
}  // namespace internal
}  // namespace runnel
