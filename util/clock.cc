// Copyright 2026 The Runnel Authors.
#include "runnel/clock.h"

#include <time.h>

#include "absl/time/clock.h"

namespace runnel {
namespace {

class RealClock final : public Clock {
 public:
  // clock_gettime (vDSO) directly: Debian's absl::Now costs twice as much
  // (its cycle-clock calibration takes a spin lock), and producers read
  // the clock for every record's timestamp.
  absl::Time Now() const override {
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return absl::Now();
    return absl::TimeFromTimespec(ts);
  }
};

}  // namespace

Clock* Clock::Real() {
  static RealClock* const clock = new RealClock();
  return clock;
}

}  // namespace runnel
