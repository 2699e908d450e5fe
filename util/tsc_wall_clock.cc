// Copyright 2026 The Runnel Authors.
#include "util/tsc_wall_clock.h"

#include <time.h>

#include <cstdint>

#if defined(__x86_64__)
#include <cpuid.h>
#include <x86intrin.h>
#endif

namespace runnel {
namespace internal {
namespace {

int64_t SystemRealtimeNs() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

#if defined(__x86_64__)
inline uint64_t ReadTsc() { return __rdtsc(); }

// An invariant TSC ticks at one rate in every power state, so it can be
// scaled to wall time.
bool HasInvariantTsc() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (static_cast<unsigned>(__get_cpuid_max(0x80000000, nullptr)) <
      0x80000007u) {
    return false;
  }
  __cpuid(0x80000007, eax, ebx, ecx, edx);
  return (edx & (1u << 8)) != 0;
}
#else
uint64_t ReadTsc() { return 0; }
bool HasInvariantTsc() { return false; }
#endif

// ticks * q32 / 2^32, for ticks of either sign.
int64_t Scale(int64_t ticks, uint64_t q32) {
  return static_cast<int64_t>((static_cast<__int128>(ticks) * q32) >> 32);
}

}  // namespace

TscWallClock& TscWallClock::Default() {
  static TscWallClock* const clock =
      new TscWallClock({nullptr, &SystemRealtimeNs, HasInvariantTsc()});
  return *clock;
}

uint64_t TscWallClock::Ticks() const {
  return source_.ticks == nullptr ? ReadTsc() : source_.ticks();
}

int64_t TscWallClock::NowNanos() {
  if (!source_.ticks_usable) return source_.realtime_ns();
  const uint64_t ticks = Ticks();
  // A sequence lock without fences (GCC's TSan refuses them): acquire
  // loads of the fields keep the second look at seq_ after them, and a
  // field stored by a writer since the first look makes that look see the
  // odd count (the writer stores its fields with release, after it).
  // On x86 all of these are plain moves.
  const uint32_t seq = seq_.load(std::memory_order_acquire);
  const uint64_t anchor_ticks = anchor_ticks_.load(std::memory_order_acquire);
  const int64_t anchor_ns = anchor_ns_.load(std::memory_order_acquire);
  const uint64_t q32 = ns_per_tick_q32_.load(std::memory_order_acquire);
  const int64_t window = window_ticks_.load(std::memory_order_acquire);
  if ((seq & 1) == 0 && seq_.load(std::memory_order_relaxed) == seq &&
      q32 != 0) {
    // Signed: this CPU's TSC may be a little behind the anchoring one's.
    const int64_t since = static_cast<int64_t>(ticks - anchor_ticks);
    if (since > -window && since < window) return anchor_ns + Scale(since, q32);
  }
  return Reanchor();
}

int64_t TscWallClock::Reanchor() {
  const uint64_t before = Ticks();
  const int64_t ns = source_.realtime_ns();
  const uint64_t after = Ticks();
  // A thread preempted (or faulting) between the reads would pair the
  // system clock with a TSC milliseconds later, and every read from that
  // anchor would be off by as much: such a pair is not used.
  if (after - before > kMaxPairTicks) return ns;
  const uint64_t ticks = before + (after - before) / 2;
  if (updating_.exchange(true, std::memory_order_acquire)) return ns;
  Calibrate(ticks, ns);
  const uint32_t seq = seq_.load(std::memory_order_relaxed);
  seq_.store(seq + 1, std::memory_order_relaxed);
  anchor_ticks_.store(ticks, std::memory_order_release);
  anchor_ns_.store(ns, std::memory_order_release);
  ns_per_tick_q32_.store(rate_q32_, std::memory_order_release);
  window_ticks_.store(rate_window_ticks_, std::memory_order_release);
  seq_.store(seq + 2, std::memory_order_release);
  updating_.store(false, std::memory_order_release);
  return ns;
}

void TscWallClock::Calibrate(uint64_t ticks, int64_t ns) {
  const int64_t span_ns = ns - base_ns_;
  const int64_t span_ticks = static_cast<int64_t>(ticks - base_ticks_);
  if (!has_base_ || span_ns < 0 || span_ticks <= 0) {
    // First read, or the system clock was set back: start a new span
    // (the rate measured so far, if any, stays in use meanwhile).
    has_base_ = true;
    base_ticks_ = ticks;
    base_ns_ = ns;
    return;
  }
  if (span_ns < kCalibrationNs) return;
  const unsigned __int128 rate =
      (static_cast<unsigned __int128>(span_ns) << 32) /
      static_cast<uint64_t>(span_ticks);
  // Out of range only after a step of the system clock far beyond the
  // span's ticks (or with a TSC of over 4 billion ticks per ns): keep the
  // last rate then.
  if (rate != 0 && rate <= UINT64_MAX) {
    rate_q32_ = static_cast<uint64_t>(rate);
    rate_window_ticks_ = static_cast<int64_t>(
        (static_cast<unsigned __int128>(kWindowNs) << 32) / rate_q32_);
  }
  if (span_ns >= kRebaseNs) {
    // Measure the next rate over recent time only, so a step of the
    // system clock stops counting after a second.
    base_ticks_ = ticks;
    base_ns_ = ns;
  }
}

}  // namespace internal
}  // namespace runnel
