// Copyright 2026 The Runnel Authors.
//
// ConsumerOptions::FromProperties: Kafka's consumer config keys as strings.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "runnel/consumer.h"

namespace runnel {
namespace {

// Keys only a networked Kafka client needs: accepted and ignored.
constexpr const char* kIgnoredKeys[] = {
    "bootstrap.servers",
    "client.dns.lookup",
    "client.rack",
    "connections.max.idle.ms",
    "default.api.timeout.ms",
    "exclude.internal.topics",
    "fetch.max.bytes",
    "interceptor.classes",
    "key.deserializer",
    "metadata.max.age.ms",
    "metric.reporters",
    "receive.buffer.bytes",
    "reconnect.backoff.max.ms",
    "reconnect.backoff.ms",
    "request.timeout.ms",
    "retry.backoff.ms",
    "security.protocol",
    "send.buffer.bytes",
    "value.deserializer",
};

absl::Status Bad(absl::string_view key, absl::string_view value,
                 absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("consumer config ", key, ": \"", value, "\" ", why));
}

absl::Status Apply(absl::string_view key, absl::string_view value,
                   ConsumerOptions* o, bool* handled) {
  *handled = true;
  const std::string v(absl::StripAsciiWhitespace(value));
  auto integer = [&](int64_t min, int64_t* out) -> absl::Status {
    if (!absl::SimpleAtoi(v, out)) return Bad(key, value, "is not an integer");
    if (*out < min) {
      return Bad(key, value, absl::StrCat("is below the minimum ", min));
    }
    return absl::OkStatus();
  };
  auto millis = [&](absl::Duration* field) -> absl::Status {
    int64_t n;
    if (absl::Status s = integer(0, &n); !s.ok()) return s;
    *field = absl::Milliseconds(n);
    return absl::OkStatus();
  };
  auto boolean = [&](bool* field) -> absl::Status {
    const std::string lower = absl::AsciiStrToLower(v);
    if (lower != "true" && lower != "false") {
      return Bad(key, value, "is not a boolean (true or false)");
    }
    *field = lower == "true";
    return absl::OkStatus();
  };
  int64_t n;
  if (key == "group.id") {
    o->group_id = v;
  } else if (key == "client.id") {
    o->client_id = v;
  } else if (key == "group.instance.id") {
    o->group_instance_id = v;
  } else if (key == "partition.assignment.strategy") {
    o->partition_assignment_strategy = v;
  } else if (key == "auto.offset.reset") {
    if (v == "earliest") {
      o->auto_offset_reset = OffsetReset::kEarliest;
    } else if (v == "latest") {
      o->auto_offset_reset = OffsetReset::kLatest;
    } else if (v == "none") {
      o->auto_offset_reset = OffsetReset::kNone;
    } else {
      return Bad(key, value, "is not one of earliest, latest, none");
    }
  } else if (key == "enable.auto.commit") {
    return boolean(&o->enable_auto_commit);
  } else if (key == "auto.commit.interval.ms") {
    return millis(&o->auto_commit_interval);
  } else if (key == "max.poll.records") {
    if (absl::Status s = integer(1, &n); !s.ok()) return s;
    o->max_poll_records = static_cast<int>(std::min<int64_t>(n, INT32_MAX));
  } else if (key == "max.partition.fetch.bytes") {
    if (absl::Status s = integer(0, &n); !s.ok()) return s;
    o->max_partition_fetch_bytes = static_cast<size_t>(n);
  } else if (key == "fetch.min.bytes") {
    if (absl::Status s = integer(0, &n); !s.ok()) return s;
    o->fetch_min_bytes = static_cast<size_t>(n);
  } else if (key == "fetch.max.wait.ms") {
    return millis(&o->fetch_max_wait);
  } else if (key == "max.poll.interval.ms") {
    return millis(&o->max_poll_interval);
  } else if (key == "session.timeout.ms") {
    return millis(&o->session_timeout);
  } else if (key == "heartbeat.interval.ms") {
    return millis(&o->heartbeat_interval);
  } else if (key == "isolation.level") {
    if (v == "read_committed") {
      return Bad(key, value,
                 "is not available yet (arrives with transactions); use "
                 "read_uncommitted");
    }
    if (v != "read_uncommitted") {
      return Bad(key, value, "is not one of read_uncommitted, read_committed");
    }
  } else if (key == "check.crcs") {
    bool check = true;
    if (absl::Status s = boolean(&check); !s.ok()) return s;
    if (!check) {
      return Bad(key, value, "cannot be turned off: Runnel checks every batch");
    }
  } else if (key == "runnel.poll.spin.us") {
    if (absl::Status s = integer(0, &n); !s.ok()) return s;
    o->poll_spin = absl::Microseconds(n);
  } else {
    *handled = std::find_if(std::begin(kIgnoredKeys), std::end(kIgnoredKeys),
                            [&](const char* k) { return key == k; }) !=
               std::end(kIgnoredKeys);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ConsumerOptions> ConsumerOptions::FromProperties(
    const absl::flat_hash_map<std::string, std::string>& properties,
    const ConsumerOptions& defaults) {
  ConsumerOptions options = defaults;
  std::vector<std::string> keys;
  for (const auto& [key, value] : properties) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  for (const std::string& key : keys) {
    bool handled = false;
    if (absl::Status s = Apply(key, properties.at(key), &options, &handled);
        !s.ok()) {
      return s;
    }
    if (!handled) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown consumer config key '", key, "'"));
    }
  }
  return options;
}

}  // namespace runnel
