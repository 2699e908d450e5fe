// Copyright 2026 The Runnel Authors.
//
// `runnel producer-perf-test`: Kafka's kafka-producer-perf-test.sh
// (ProducerPerformance) — sends --num-records records of --record-size
// random uppercase letters through one Producer, at most --throughput
// records/s, and prints Kafka's lines: a window every 5 s on long runs and
// the summary at the end. Latency is from Send to the acknowledgement (the
// Producer's callback), measured in microseconds and printed in
// milliseconds with fractions (an in-process acknowledgement often takes
// less than one).
//
// Exit 1 if any record failed (after the summary, naming the first error).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/cli.h"
#include "util/mutex.h"

namespace runnel {
namespace cli {
namespace {

constexpr char kUsageText[] =
    "usage: runnel producer-perf-test --data-dir DIR --topic T\n"
    "         --num-records N --record-size B [--throughput R (-1: no "
    "limit)]\n"
    "         [--producer-props k=v [k=v ...]]   (any producer config)\n";

using SteadyClock = std::chrono::steady_clock;

int64_t MicrosSince(SteadyClock::time_point start, SteadyClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t - start)
      .count();
}

// ProducerPerformance.Stats: totals, a 5 s reporting window, and up to
// 500000 sampled latencies for the percentiles. Callbacks record from the
// producer's sender thread while the main thread sends.
class Stats {
 public:
  explicit Stats(int64_t num_records)
      : start_(SteadyClock::now()),
        window_start_(start_),
        sampling_(num_records / std::min<int64_t>(num_records, 500000)) {
    latencies_.reserve(static_cast<size_t>(num_records / sampling_ + 1));
  }

  void Record(int64_t latency_us, int64_t bytes, SteadyClock::time_point now) {
    MutexLock lock(&mu_);
    ++count_;
    bytes_ += bytes;
    total_latency_us_ += latency_us;
    max_latency_us_ = std::max(max_latency_us_, latency_us);
    ++window_count_;
    window_bytes_ += bytes;
    window_total_latency_us_ += latency_us;
    window_max_latency_us_ = std::max(window_max_latency_us_, latency_us);
    if (iteration_++ % sampling_ == 0) latencies_.push_back(latency_us);
    if (MicrosSince(window_start_, now) >= kReportingIntervalUs) {
      PrintWindow(now);
      NewWindow(now);
    }
  }

  void Fail(const absl::Status& status) {
    MutexLock lock(&mu_);
    if (failed_++ == 0) first_error_ = status;
  }

  int64_t failed() {
    MutexLock lock(&mu_);
    return failed_;
  }
  absl::Status first_error() {
    MutexLock lock(&mu_);
    return first_error_;
  }

  // "N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max
  // latency, P ms 50th, P ms 95th, P ms 99th, P ms 99.9th."
  void PrintTotal() {
    MutexLock lock(&mu_);
    const double elapsed_s = MicrosSince(start_, SteadyClock::now()) / 1e6;
    std::sort(latencies_.begin(), latencies_.end());
    std::printf(
        "%s",
        absl::StrFormat(
            "%d records sent, %f records/sec (%.2f MB/sec), %.2f ms avg "
            "latency, %.2f ms max latency, %.2f ms 50th, %.2f ms 95th, %.2f "
            "ms 99th, %.2f ms 99.9th.\n",
            count_, Rate(count_, elapsed_s), Rate(bytes_, elapsed_s) / kMiB,
            Millis(count_ == 0 ? 0.0 : 1.0 * total_latency_us_ / count_),
            Millis(max_latency_us_), Millis(Percentile(0.5)),
            Millis(Percentile(0.95)), Millis(Percentile(0.99)),
            Millis(Percentile(0.999)))
            .c_str());
    std::fflush(stdout);
  }

 private:
  static constexpr int64_t kReportingIntervalUs = 5'000'000;
  static constexpr double kMiB = 1024.0 * 1024.0;

  static double Rate(double amount, double seconds) {
    return seconds > 0 ? amount / seconds : 0.0;
  }
  static double Millis(double micros) { return micros / 1000.0; }

  // Kafka's: the sampled latency at index p * size of the sorted samples.
  double Percentile(double p) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (latencies_.empty()) return 0;
    const size_t i = static_cast<size_t>(p * latencies_.size());
    return static_cast<double>(latencies_[std::min(i, latencies_.size() - 1)]);
  }

  // "N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max
  // latency."
  void PrintWindow(SteadyClock::time_point now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const double elapsed_s = MicrosSince(window_start_, now) / 1e6;
    std::printf("%s",
                absl::StrFormat(
                    "%d records sent, %.1f records/sec (%.2f MB/sec), %.2f ms "
                    "avg latency, %.2f ms max latency.\n",
                    window_count_, Rate(window_count_, elapsed_s),
                    Rate(window_bytes_, elapsed_s) / kMiB,
                    Millis(1.0 * window_total_latency_us_ / window_count_),
                    Millis(window_max_latency_us_))
                    .c_str());
    std::fflush(stdout);
  }

  void NewWindow(SteadyClock::time_point now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    window_start_ = now;
    window_count_ = window_bytes_ = 0;
    window_total_latency_us_ = window_max_latency_us_ = 0;
  }

  const SteadyClock::time_point start_;
  Mutex mu_;
  SteadyClock::time_point window_start_ ABSL_GUARDED_BY(mu_);
  const int64_t sampling_;
  int64_t iteration_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<int64_t> latencies_ ABSL_GUARDED_BY(mu_);
  int64_t count_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t total_latency_us_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t max_latency_us_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t window_count_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t window_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t window_total_latency_us_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t window_max_latency_us_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t failed_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status first_error_ ABSL_GUARDED_BY(mu_);
};

// Kafka's ThroughputThrottler, simplified: record i is not sent before
// start + i / throughput.
void Throttle(double throughput, SteadyClock::time_point start, int64_t i) {
  if (throughput <= 0) return;
  const auto due = start + std::chrono::duration_cast<SteadyClock::duration>(
                               std::chrono::duration<double>(i / throughput));
  if (SteadyClock::now() < due) std::this_thread::sleep_until(due);
}

// A fresh payload of uppercase letters (as Kafka's, from a fixed seed).
void FillPayload(std::mt19937_64& random, std::string* payload) {
  for (size_t i = 0; i < payload->size();) {
    uint64_t bits = random();
    // Ten letters from each 64-bit draw (26^10 < 2^48: nearly uniform).
    for (int k = 0; k < 10 && i < payload->size(); ++k, ++i) {
      (*payload)[i] = static_cast<char>('A' + bits % 26);
      bits /= 26;
    }
  }
}

int Validate(const std::string& topic, int64_t num_records,
             int32_t record_size) {
  if (topic.empty()) {
    return Usage("producer-perf-test", "--topic is required", kUsageText);
  }
  if (num_records <= 0) {
    return Usage("producer-perf-test",
                 "--num-records should be greater than zero", kUsageText);
  }
  if (record_size <= 0) {
    return Usage("producer-perf-test",
                 "--record-size should be greater than zero", kUsageText);
  }
  return kOk;
}

}  // namespace

int ProducerPerfTestCommand(const RepeatedOptions& repeated) {
  const std::string topic = absl::GetFlag(FLAGS_topic);
  const int64_t num_records = absl::GetFlag(FLAGS_num_records);
  const int32_t record_size = absl::GetFlag(FLAGS_record_size);
  const double throughput = absl::GetFlag(FLAGS_throughput);
  if (int bad = Validate(topic, num_records, record_size); bad != kOk) {
    return bad;
  }
  absl::StatusOr<absl::flat_hash_map<std::string, std::string>> props =
      ParsePairs(repeated.producer_props, "--producer-props");
  if (!props.ok()) {
    return Usage("producer-perf-test", props.status().message(), kUsageText);
  }
  ProducerOptions defaults;
  defaults.client_id = "perf-producer-client";
  std::unique_ptr<Partitioner> partitioner;
  absl::StatusOr<ProducerOptions> options =
      ProducerOptions::FromProperties(*props, &partitioner, defaults);
  if (!options.ok()) return Fail("producer-perf-test", options.status());

  absl::StatusOr<std::unique_ptr<Broker>> broker = OpenBroker();
  if (!broker.ok()) return Fail("producer-perf-test", broker.status());
  if (absl::Status s = (*broker)->GetTopic(topic).status(); !s.ok()) {
    return Fail("producer-perf-test", s);
  }
  // Before the producer: its callbacks record into the stats until it is
  // closed or destroyed.
  Stats stats(num_records);
  absl::StatusOr<std::unique_ptr<Producer>> producer =
      Producer::Create(broker->get(), *options);
  if (!producer.ok()) return Fail("producer-perf-test", producer.status());

  std::mt19937_64 random(0);
  std::string payload(static_cast<size_t>(record_size), 'A');
  const SteadyClock::time_point start = SteadyClock::now();
  for (int64_t i = 0; i < num_records; ++i) {
    FillPayload(random, &payload);
    ProducerRecord record;
    record.topic = topic;
    record.value = payload;
    const SteadyClock::time_point sent = SteadyClock::now();
    absl::Status s = (*producer)->Send(
        record, [&stats, sent, record_size](absl::StatusOr<RecordMetadata> m) {
          const SteadyClock::time_point now = SteadyClock::now();
          if (m.ok()) {
            stats.Record(MicrosSince(sent, now), record_size, now);
          } else {
            stats.Fail(m.status());
          }
        });
    if (!s.ok()) return Fail("producer-perf-test", s);
    Throttle(throughput, start, i + 1);
  }
  if (absl::Status s = (*producer)->Close(); !s.ok() && stats.failed() == 0) {
    return Fail("producer-perf-test", s);
  }
  stats.PrintTotal();
  if (absl::Status s = (*broker)->Close(); !s.ok()) {
    return Fail("producer-perf-test", s);
  }
  if (const int64_t failed = stats.failed(); failed > 0) {
    return Fail("producer-perf-test",
                absl::Status(stats.first_error().code(),
                             absl::StrCat(failed, " of ", num_records,
                                          " records failed; the first: ",
                                          stats.first_error().message())));
  }
  return kOk;
}

}  // namespace cli
}  // namespace runnel
