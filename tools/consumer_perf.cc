// Copyright 2026 The Runnel Authors.
//
// `runnel consumer-perf-test`: Kafka's kafka-consumer-perf-test.sh
// (ConsumerPerformance) — subscribes to --topic in a group (default
// perf-consumer-<random>, so from the beginning unless the group committed
// offsets), consumes --messages records and prints Kafka's header and one
// CSV line:
//
//   start.time, end.time, data.consumed.in.MB, MB.sec,
//   data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms,
//   fetch.MB.sec, fetch.nMsg.sec
//
// Bytes are keys plus values. rebalance.time.ms is the time Subscribe took
// (in process, no group round trip). It stops after --timeout-ms (default
// 10000, Kafka's --timeout) without a record, and then exits 1 naming how
// many of the records arrived.
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tools/cli.h"

namespace runnel {
namespace cli {
namespace {

constexpr char kUsageText[] =
    "usage: runnel consumer-perf-test --data-dir DIR --topic T --messages N\n"
    "         [--group G] [--timeout-ms MS (default 10000)]\n"
    "         [--consumer-property k=v ...]   (any consumer config)\n";

constexpr int64_t kDefaultTimeoutMs = 10000;  // Kafka's --timeout

// Kafka's default --date-format, "yyyy-MM-dd HH:mm:ss:SSS", local time.
std::string FormatDate(absl::Time t) {
  const int64_t ms = absl::ToUnixMillis(t) % 1000;
  return absl::StrCat(
      absl::FormatTime("%Y-%m-%d %H:%M:%S:", t, absl::LocalTimeZone()),
      absl::StrFormat("%03d", ms < 0 ? ms + 1000 : ms));
}

double PerSecond(double amount, absl::Duration d) {
  const double seconds = absl::ToDoubleSeconds(d);
  return seconds > 0 ? amount / seconds : 0.0;
}

struct Consumed {
  int64_t messages = 0;
  int64_t bytes = 0;
};

// Polls until `wanted` records or `timeout` without one (Kafka's loop:
// poll(100 ms) while fewer than wanted and the last record came less than
// the timeout ago).
absl::StatusOr<Consumed> Consume(Consumer& consumer, int64_t wanted,
                                 absl::Duration timeout) {
  Consumed got;
  absl::Time last_record = absl::Now();
  while (got.messages < wanted && absl::Now() - last_record <= timeout) {
    absl::StatusOr<ConsumerRecords> records =
        consumer.Poll(absl::Milliseconds(100));
    if (!records.ok()) return records.status();
    if (!records->empty()) last_record = absl::Now();
    for (const ConsumerRecord& r : *records) {
      if (got.messages == wanted) break;
      ++got.messages;
      if (r.key) got.bytes += static_cast<int64_t>(r.key->size());
      if (r.value) got.bytes += static_cast<int64_t>(r.value->size());
    }
  }
  return got;
}

std::string DefaultGroup() {
  std::random_device seed;
  return absl::StrCat("perf-consumer-",
                      std::uniform_int_distribution<int>(0, 99999)(seed));
}

}  // namespace

int ConsumerPerfTestCommand(const RepeatedOptions& repeated) {
  const std::string topic = absl::GetFlag(FLAGS_topic);
  const int64_t wanted = absl::GetFlag(FLAGS_messages);
  if (topic.empty()) {
    return Usage("consumer-perf-test", "--topic is required", kUsageText);
  }
  if (wanted <= 0) {
    return Usage("consumer-perf-test", "--messages should be greater than zero",
                 kUsageText);
  }
  const int64_t timeout_ms = absl::GetFlag(FLAGS_timeout_ms) >= 0
                                 ? absl::GetFlag(FLAGS_timeout_ms)
                                 : kDefaultTimeoutMs;
  absl::StatusOr<absl::flat_hash_map<std::string, std::string>> props =
      ParsePairs(repeated.consumer_properties, "--consumer-property");
  if (!props.ok()) {
    return Usage("consumer-perf-test", props.status().message(), kUsageText);
  }
  ConsumerOptions defaults;
  defaults.group_id = absl::GetFlag(FLAGS_group).empty()
                          ? DefaultGroup()
                          : absl::GetFlag(FLAGS_group);
  defaults.client_id = "perf-consumer-client";
  defaults.auto_offset_reset = OffsetReset::kEarliest;
  absl::StatusOr<ConsumerOptions> options =
      ConsumerOptions::FromProperties(*props, defaults);
  if (!options.ok()) return Fail("consumer-perf-test", options.status());

  absl::StatusOr<std::unique_ptr<Broker>> broker = OpenBroker();
  if (!broker.ok()) return Fail("consumer-perf-test", broker.status());
  if (absl::Status s = (*broker)->GetTopic(topic).status(); !s.ok()) {
    return Fail("consumer-perf-test", s);
  }
  absl::StatusOr<std::unique_ptr<Consumer>> consumer =
      Consumer::Create(broker->get(), *options);
  if (!consumer.ok()) return Fail("consumer-perf-test", consumer.status());

  std::printf(
      "start.time, end.time, data.consumed.in.MB, MB.sec, "
      "data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, "
      "fetch.MB.sec, fetch.nMsg.sec\n");
  const absl::Time start = absl::Now();
  if (absl::Status s = (*consumer)->Subscribe({topic}); !s.ok()) {
    return Fail("consumer-perf-test", s);
  }
  const absl::Duration rebalance = absl::Now() - start;
  absl::StatusOr<Consumed> got =
      Consume(**consumer, wanted, absl::Milliseconds(timeout_ms));
  if (!got.ok()) return Fail("consumer-perf-test", got.status());
  const absl::Time end = absl::Now();
  if (absl::Status s = (*consumer)->Close(); !s.ok()) {
    return Fail("consumer-perf-test", s);
  }

  const double mb = got->bytes / (1024.0 * 1024.0);
  const absl::Duration fetch = end - start - rebalance;
  std::printf("%s", absl::StrFormat(
                        "%s, %s, %.4f, %.4f, %d, %.4f, %d, %d, %.4f, %.4f\n",
                        FormatDate(start), FormatDate(end), mb,
                        PerSecond(mb, end - start), got->messages,
                        PerSecond(got->messages, end - start),
                        absl::ToInt64Milliseconds(rebalance),
                        absl::ToInt64Milliseconds(fetch), PerSecond(mb, fetch),
                        PerSecond(got->messages, fetch))
                        .c_str());
  std::fflush(stdout);
  if (absl::Status s = (*broker)->Close(); !s.ok()) {
    return Fail("consumer-perf-test", s);
  }
  if (got->messages < wanted) {
    return Fail("consumer-perf-test",
                absl::DeadlineExceededError(absl::StrCat(
                    "only ", got->messages, " of ", wanted,
                    " messages arrived: ", timeout_ms,
                    " ms (--timeout-ms) passed without a record")));
  }
  return kOk;
}

}  // namespace cli
}  // namespace runnel
