// Copyright 2026 The Runnel Authors.
#include "runnel/clock.h"

#include <time.h>

#include "absl/time/clock.h"
#include "util/tsc_wall_clock.h"

namespace runnel {
namespace {

class RealClock final : public Clock {
 public:
  // clock_gettime (vDSO) directly: Debian's absl::Now costs twice as much
  // (its cycle-clock calibration takes a spin lock).
  absl::Time Now() const override {
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return absl::Now();
    return absl::TimeFromTimespec(ts);
  }
  // From the TSC: producers stamp every record with it, and this costs a
  // third of clock_gettime (util/tsc_wall_clock.h).
  int64_t NowMillis() const override { return tsc_->NowNanos() / 1000000; }

 private:
  internal::TscWallClock* const tsc_ = &internal::TscWallClock::Default();
};

}  // namespace

Clock* Clock::Real() {
  static RealClock* const clock = new RealClock();
  return clock;
}

}  // namespace runnel
