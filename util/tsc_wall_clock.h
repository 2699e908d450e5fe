// Copyright 2026 The Runnel Authors.
//
// util/tsc_wall_clock.h — the wall clock (CLOCK_REALTIME) at a third of
// clock_gettime's cost, for the timestamp of every produced record.
//
// A producer stamps each record with the time it was sent (Kafka's
// CreateTime, in milliseconds). clock_gettime through the vDSO costs about
// 23 ns on the machines we measure (it fences the TSC read and re-reads the
// kernel's sequence counter), a fifth of a whole Send. TscWallClock reads
// the TSC alone and interpolates from an anchor: a (TSC, CLOCK_REALTIME)
// pair taken from the system clock again whenever the anchor is a
// millisecond old, so the result is the system clock's to within
// microseconds (the TSC rate is calibrated against it, over spans of up
// to a second). It falls back to clock_gettime for every read when the CPU
// has no invariant TSC (or is not x86), until the rate is calibrated (the
// first 10 ms), when this thread's TSC disagrees with the anchor by more
// than the window (cross-CPU skew), and when another thread is updating
// the anchor. A pair read across a preemption (the TSC reads on both sides
// of the system clock's more than kMaxPairTicks apart) is never an anchor.
//
// Not for deadlines: if the system clock is stepped, a read may be up to
// a millisecond off until the next anchor (the window is one millisecond
// of ticks at the calibrated rate, whatever the step did to the rate).
//
//   const int64_t ms = TscWallClock::Default().NowNanos() / 1000000;
//
// Thread-safety: thread-safe; a read takes no lock (the anchor is behind
// a sequence counter, and one reader at a time re-anchors, by try-lock).
#ifndef RUNNEL_UTIL_TSC_WALL_CLOCK_H_
#define RUNNEL_UTIL_TSC_WALL_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace runnel {
namespace internal {

class TscWallClock {
 public:
  // Where the time comes from; tests inject fakes.
  struct Source {
    uint64_t (*ticks)();        // null: the CPU's TSC, read inline
    int64_t (*realtime_ns)();   // CLOCK_REALTIME in ns since the epoch
    bool ticks_usable = false;  // false: every read is realtime_ns()
  };

  // How old (in nanoseconds of the system clock) an anchor may get, and
  // how long a span calibrates the tick rate first.
  static constexpr int64_t kWindowNs = 1000000;        // 1 ms
  static constexpr int64_t kCalibrationNs = 10000000;  // 10 ms
  static constexpr int64_t kRebaseNs = 1000000000;     // 1 s
  // The most ticks between the two TSC reads around a system clock read
  // for the pair to become an anchor: 25-100 us at 1-4 GHz (an
  // uninterrupted clock_gettime takes about 60).
  static constexpr uint64_t kMaxPairTicks = 100000;

  // The process-wide clock: the TSC if the CPU has an invariant one
  // (cpuid 0x80000007, EDX bit 8) and clock_gettime.
  static TscWallClock& Default();

  explicit TscWallClock(Source source) : source_(source) {}
  TscWallClock(const TscWallClock&) = delete;
  TscWallClock& operator=(const TscWallClock&) = delete;

  // Nanoseconds since the Unix epoch.
  int64_t NowNanos();

 private:
  // Reads the system clock, and publishes it as the new anchor unless
  // another thread is doing so.
  int64_t Reanchor();
  uint64_t Ticks() const;
  // Updates the calibration (base and rate) from a new (ticks, ns) pair;
  // requires updating_.
  void Calibrate(uint64_t ticks, int64_t ns);

  const Source source_;
  // The anchor, behind a sequence counter (odd while being written).
  std::atomic<uint32_t> seq_{0};
  std::atomic<uint64_t> anchor_ticks_{0};
  std::atomic<int64_t> anchor_ns_{0};
  // Nanoseconds per tick in 32.32 fixed point; 0 until calibrated.
  std::atomic<uint64_t> ns_per_tick_q32_{0};
  std::atomic<int64_t> window_ticks_{0};
  // Held (by try-lock) by the one thread updating the anchor; guards the
  // calibration base below.
  std::atomic<bool> updating_{false};
  bool has_base_ = false;
  uint64_t base_ticks_ = 0;
  int64_t base_ns_ = 0;
  uint64_t rate_q32_ = 0;  // published with the next anchor
  int64_t rate_window_ticks_ = 0;
};

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_UTIL_TSC_WALL_CLOCK_H_
