// Copyright 2026 The Runnel Authors.
#include "runnel/clock.h"

#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace runnel {
namespace {

TEST(SimulatedClockTest, MovesOnlyWhenTold) {
  SimulatedClock clock(absl::FromUnixMillis(1700000000000));
  EXPECT_EQ(clock.NowMillis(), 1700000000000);
  clock.Advance(absl::Milliseconds(1500));
  EXPECT_EQ(clock.NowMillis(), 1700000001500);
  clock.SetTime(absl::FromUnixMillis(5));
  EXPECT_EQ(clock.Now(), absl::FromUnixMillis(5));
}

TEST(RealClockTest, FollowsTheSystemClock) {
  const absl::Time before = absl::Now();
  const absl::Time now = Clock::Real()->Now();
  EXPECT_GE(now, before);
  EXPECT_LE(now, absl::Now());
}

}  // namespace
}  // namespace runnel
