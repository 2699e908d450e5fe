// Copyright 2026 The Runnel Authors.
//
// runnel/clock.h — where Runnel gets the time, so time-based behaviour
// (segment.ms rolls, retention.ms, flush.ms, linger.ms, session timeouts) is
// testable deterministically.
//
//   runnel::SimulatedClock clock(absl::FromUnixMillis(1700000000000));
//   options.clock = &clock;
//   ...
//   clock.Advance(absl::Hours(169));   // past retention.ms = 7 days
//
// Thread-safety: both clocks are thread-safe. Ownership: options that take a
// Clock* do not own it; it must outlive whatever uses it. Clock::Real() is
// never destroyed.
#ifndef RUNNEL_UTIL_CLOCK_H_
#define RUNNEL_UTIL_CLOCK_H_

#include <atomic>
#include <cstdint>

#include "absl/time/time.h"

namespace runnel {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  // Milliseconds since the Unix epoch, Kafka's timestamp unit. The real
  // clock's comes from the TSC (a third of clock_gettime's cost; within
  // microseconds of it) because producers stamp every record with it.
  virtual int64_t NowMillis() const { return absl::ToUnixMillis(Now()); }

  // The system's real-time clock.
  static Clock* Real();
};

// A clock that moves only when told to.
class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(absl::Time start = absl::UnixEpoch())
      : nanos_(absl::ToUnixNanos(start)) {}

  absl::Time Now() const override {
    return absl::FromUnixNanos(nanos_.load(std::memory_order_acquire));
  }
  void Advance(absl::Duration d) {
    nanos_.fetch_add(absl::ToInt64Nanoseconds(d), std::memory_order_acq_rel);
  }
  void SetTime(absl::Time t) {
    nanos_.store(absl::ToUnixNanos(t), std::memory_order_release);
  }

 private:
  std::atomic<int64_t> nanos_;
};

}  // namespace runnel

#endif  // RUNNEL_UTIL_CLOCK_H_
