// Copyright 2026 The Runnel Authors.
//
// ProducerOptions::FromProperties: Kafka's producer config keys as strings.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "runnel/producer.h"

namespace runnel {
namespace {

// Keys a networked Kafka client needs and an in-process one does not: a
// Kafka config file that sets them works unchanged.
constexpr const char* kIgnoredKeys[] = {
    "bootstrap.servers",
    "client.dns.lookup",
    "connections.max.idle.ms",
    "interceptor.classes",
    "key.serializer",
    "max.in.flight.requests.per.connection",
    "metadata.max.age.ms",
    "metadata.max.idle.ms",
    "metric.reporters",
    "metrics.num.samples",
    "metrics.recording.level",
    "metrics.sample.window.ms",
    "receive.buffer.bytes",
    "reconnect.backoff.max.ms",
    "reconnect.backoff.ms",
    "request.timeout.ms",
    "retries",
    "security.protocol",
    "send.buffer.bytes",
    "socket.connection.setup.timeout.max.ms",
    "socket.connection.setup.timeout.ms",
    "value.serializer",
};

absl::Status Bad(absl::string_view key, absl::string_view value,
                 absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("producer config ", key, ": \"", value, "\" ", why));
}

absl::StatusOr<int64_t> NonNegative(absl::string_view key,
                                    absl::string_view value) {
  int64_t n;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(value), &n)) {
    return Bad(key, value, "is not an integer");
  }
  if (n < 0) return Bad(key, value, "is below the minimum 0");
  return n;
}

absl::StatusOr<bool> Boolean(absl::string_view key, absl::string_view value) {
  const std::string v =
      absl::AsciiStrToLower(absl::StripAsciiWhitespace(value));
  if (v == "true") return true;
  if (v == "false") return false;
  return Bad(key, value, "is not a boolean (true or false)");
}

// Applies one key; `handled` is false for an unknown key.
absl::Status Apply(absl::string_view key, absl::string_view value,
                   ProducerOptions* options,
                   std::unique_ptr<Partitioner>* partitioner, bool* handled) {
  *handled = true;
  const absl::string_view v = absl::StripAsciiWhitespace(value);
  auto millis = [&](absl::Duration* field) -> absl::Status {
    absl::StatusOr<int64_t> n = NonNegative(key, value);
    if (!n.ok()) return n.status();
    *field = absl::Milliseconds(*n);
    return absl::OkStatus();
  };
  auto bytes = [&](size_t* field, int64_t min) -> absl::Status {
    absl::StatusOr<int64_t> n = NonNegative(key, value);
    if (!n.ok()) return n.status();
    *field = static_cast<size_t>(std::max(*n, min));
    return absl::OkStatus();
  };
  auto boolean = [&](bool* field) -> absl::Status {
    absl::StatusOr<bool> b = Boolean(key, value);
    if (!b.ok()) return b.status();
    *field = *b;
    return absl::OkStatus();
  };
  if (key == "client.id") {
    options->client_id = std::string(v);
  } else if (key == "acks") {
    if (v == "0") {
      options->acks = Acks::kNone;
    } else if (v == "1") {
      options->acks = Acks::kLeader;
    } else if (v == "all" || v == "-1") {
      options->acks = Acks::kAll;
    } else {
      return Bad(key, value, "is not one of 0, 1, all, -1");
    }
  } else if (key == "linger.ms") {
    return millis(&options->linger);
  } else if (key == "batch.size") {
    return bytes(&options->batch_size, 1);  // Kafka's 0 = no batching
  } else if (key == "buffer.memory") {
    return bytes(&options->buffer_memory, 1);
  } else if (key == "max.block.ms") {
    return millis(&options->max_block);
  } else if (key == "max.request.size") {
    return bytes(&options->max_request_size, 1);
  } else if (key == "delivery.timeout.ms") {
    return millis(&options->delivery_timeout);
  } else if (key == "retry.backoff.ms") {
    return millis(&options->retry_backoff);
  } else if (key == "enable.idempotence") {
    return boolean(&options->enable_idempotence);
  } else if (key == "runnel.sync.before.ack") {
    return boolean(&options->sync_before_ack);
  } else if (key == "compression.type") {
    if (v == "none") {
      options->compression = Compression::kNone;
    } else if (v == "lz4") {
      options->compression = Compression::kLz4;
    } else if (v == "gzip" || v == "snappy" || v == "zstd") {
      return Bad(key, value, "is not available in Runnel (none or lz4)");
    } else {
      return Bad(key, value, "is not one of none, lz4");
    }
  } else if (key == "partitioner.class") {
    absl::StatusOr<std::unique_ptr<Partitioner>> made = MakePartitioner(v);
    if (!made.ok()) return Bad(key, value, made.status().message());
    *partitioner = *std::move(made);
    options->partitioner = partitioner->get();
  } else {
    *handled = std::find_if(std::begin(kIgnoredKeys), std::end(kIgnoredKeys),
                            [&](const char* k) { return key == k; }) !=
               std::end(kIgnoredKeys);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ProducerOptions> ProducerOptions::FromProperties(
    const absl::flat_hash_map<std::string, std::string>& properties,
    std::unique_ptr<Partitioner>* owned_partitioner,
    const ProducerOptions& defaults) {
  ProducerOptions options = defaults;
  std::vector<std::string> keys;
  for (const auto& [key, value] : properties) keys.push_back(key);
  std::sort(keys.begin(), keys.end());  // the first error does not vary
  for (const std::string& key : keys) {
    bool handled = false;
    absl::Status s =
        Apply(key, properties.at(key), &options, owned_partitioner, &handled);
    if (!s.ok()) return s;
    if (!handled) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown producer config key '", key, "'"));
    }
  }
  return options;
}

}  // namespace runnel
