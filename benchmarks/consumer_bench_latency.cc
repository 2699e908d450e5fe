// Copyright 2026 The Runnel Authors.
//
// consumer_bench_latency.h: pacing, the SPSC ring and latency summaries.
#include "benchmarks/consumer_bench_latency.h"

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "absl/strings/str_cat.h"

namespace runnel {
namespace bench {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t WaitUntilNs(int64_t due_ns) {
  int64_t now = NowNs();
  while (now < due_ns) {
    ::sched_yield();
    now = NowNs();
  }
  return now;
}

Schedule::Schedule(int64_t rate_per_second, int64_t warmup_records)
    : start_ns_(NowNs() + 2000000),
      period_ns_(1000000000 / std::max<int64_t>(1, rate_per_second)),
      warmup_(warmup_records) {}

SpscRing::SpscRing(size_t capacity_pow2)
    : mask_(capacity_pow2 - 1), slots_(new int64_t[capacity_pow2]) {}

bool SpscRing::TryPush(int64_t v) {
  const size_t tail = tail_.load(std::memory_order_relaxed);
  if (tail - head_.load(std::memory_order_acquire) > mask_) return false;
  slots_[tail & mask_] = v;
  tail_.store(tail + 1, std::memory_order_release);
  return true;
}

bool SpscRing::TryPop(int64_t* v) {
  const size_t head = head_.load(std::memory_order_relaxed);
  if (head == tail_.load(std::memory_order_acquire)) return false;
  *v = slots_[head & mask_];
  head_.store(head + 1, std::memory_order_release);
  return true;
}

bool SpscRing::Empty() const {
  return head_.load(std::memory_order_acquire) ==
         tail_.load(std::memory_order_acquire);
}

LatencyLog::LatencyLog(int64_t records, int64_t warmup) : warmup_(warmup) {
  ns_.reserve(static_cast<size_t>(std::max<int64_t>(0, records - warmup)));
}

namespace {

// "<1us:5 <2:100 <4:..." over log2 buckets of microseconds; empty buckets
// are left out.
std::string Histogram(const std::vector<int64_t>& sorted_ns) {
  constexpr int kBuckets = 24;  // up to 2^23 µs (8 s)
  int64_t counts[kBuckets] = {};
  for (int64_t ns : sorted_ns) {
    const int64_t us = std::max<int64_t>(0, ns / 1000);
    int b = 0;
    while (b < kBuckets - 1 && us >= (int64_t{1} << b)) ++b;
    ++counts[b];
  }
  std::string out;
  for (int b = 0; b < kBuckets; ++b) {
    if (counts[b] == 0) continue;
    absl::StrAppend(&out, out.empty() ? "" : " ", "<", int64_t{1} << b,
                    out.empty() ? "us:" : ":", counts[b]);
  }
  return out;
}

}  // namespace

double LatencyLog::PercentileUs(double q) {
  if (ns_.empty()) return 0;
  if (!sorted_) std::sort(ns_.begin(), ns_.end());
  sorted_ = true;
  const size_t i = std::min(
      ns_.size() - 1, static_cast<size_t>(q * static_cast<double>(ns_.size())));
  return static_cast<double>(ns_[i]) / 1000.0;
}

void LatencyLog::Report(benchmark::State& state, absl::string_view name) {
  if (ns_.empty()) return;
  double sum = 0;
  for (int64_t ns : ns_) sum += static_cast<double>(ns);
  state.counters["p50_us"] = PercentileUs(0.5);
  state.counters["p99_us"] = PercentileUs(0.99);
  state.counters["p99.9_us"] = PercentileUs(0.999);
  state.counters["max_us"] = PercentileUs(1.0);
  state.counters["mean_us"] = sum / static_cast<double>(ns_.size()) / 1000.0;
  std::fprintf(stderr, "histogram %.*s (%zu records): %s\n",
               static_cast<int>(name.size()), name.data(), ns_.size(),
               Histogram(ns_).c_str());
}

}  // namespace bench
}  // namespace runnel
