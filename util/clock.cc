// Copyright 2026 The Runnel Authors.
#include "runnel/clock.h"

#include "absl/time/clock.h"

namespace runnel {
namespace {

class RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

}  // namespace

Clock* Clock::Real() {
  static RealClock* const clock = new RealClock();
  return clock;
}

}  // namespace runnel
