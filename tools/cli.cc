// Copyright 2026 The Runnel Authors.
#include "tools/cli.h"

#include <cstdio>
#include <cstring>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

ABSL_FLAG(std::string, data_dir, "",
          "The broker's data directory (Kafka's log.dirs); must exist.");
ABSL_FLAG(std::string, topic, "",
          "The topic (consumer-groups --reset-offsets: the topic to reset).");
ABSL_FLAG(int32_t, partitions, -1,
          "topics --create/--alter: the partition count (-1: num.partitions).");
ABSL_FLAG(int32_t, replication_factor, -1,
          "topics --create: the replication factor (-1: the default, 1).");
ABSL_FLAG(bool, create, false, "topics: create --topic.");
ABSL_FLAG(bool, list, false,
          "topics: list the topics; consumer-groups: list the groups.");
ABSL_FLAG(bool, describe, false,
          "topics: describe --topic (or all); consumer-groups: describe "
          "--group (offsets and lag; --members, --state).");
ABSL_FLAG(bool, delete, false,
          "topics: delete --topic; consumer-groups: delete --group.");
ABSL_FLAG(bool, alter, false, "topics: grow --topic to --partitions.");
ABSL_FLAG(bool, from_beginning, false,
          "console-consumer: start at the earliest offset (without a "
          "committed one).");
ABSL_FLAG(std::string, group, "",
          "console-consumer, consumer-perf-test, consumer-groups: the "
          "consumer group (consumer-perf-test: default "
          "perf-consumer-<random>).");
ABSL_FLAG(int32_t, partition, -1, "console-consumer: read only this one.");
ABSL_FLAG(int64_t, offset, -1,
          "console-consumer: with --partition, start at this offset.");
ABSL_FLAG(int64_t, max_messages, -1,
          "console-consumer: exit after this many records (-1: no limit).");
ABSL_FLAG(int64_t, timeout_ms, -1,
          "console-consumer, consumer-perf-test: exit after this long without "
          "a record (-1: console-consumer never, consumer-perf-test 10000).");
ABSL_FLAG(std::string, files, "",
          "dump-log: comma-separated .log, .index and .timeindex files.");
ABSL_FLAG(bool, print_data_log, false,
          "dump-log: print each record's key and payload (implies "
          "--deep-iteration).");
ABSL_FLAG(bool, deep_iteration, false,
          "dump-log: print every record, not only the batches.");
ABSL_FLAG(bool, verify_index_only, false,
          "dump-log: check index entries against the .log without printing "
          "them.");
ABSL_FLAG(int64_t, num_records, 0,
          "producer-perf-test: the number of records to send.");
ABSL_FLAG(int32_t, record_size, 0,
          "producer-perf-test: bytes per record value.");
ABSL_FLAG(double, throughput, -1,
          "producer-perf-test: at most this many records/s (-1: no limit).");
ABSL_FLAG(int64_t, messages, 0,
          "consumer-perf-test: the number of records to consume.");

ABSL_FLAG(bool, members, false,
          "consumer-groups --describe: the members view.");
ABSL_FLAG(bool, state, false, "consumer-groups --describe: the state view.");
ABSL_FLAG(bool, reset_offsets, false,
          "consumer-groups: move --group's offsets on --topic (or "
          "--all-topics) per one of --to-earliest, --to-latest, --to-offset, "
          "--to-datetime, --shift-by; with --dry-run (the default) or "
          "--execute.");
ABSL_FLAG(bool, all_topics, false,
          "consumer-groups --reset-offsets: every topic the group has "
          "offsets for.");
ABSL_FLAG(bool, to_earliest, false,
          "consumer-groups --reset-offsets: to the log start offset.");
ABSL_FLAG(bool, to_latest, false,
          "consumer-groups --reset-offsets: to the log end offset.");
ABSL_FLAG(std::string, to_offset, "",
          "consumer-groups --reset-offsets: to this offset (clamped to the "
          "log).");
ABSL_FLAG(std::string, to_datetime, "",
          "consumer-groups --reset-offsets: to the first record at or after "
          "YYYY-MM-DDTHH:mm:SS.sss[Z|+hh:mm] (no zone: local time).");
ABSL_FLAG(std::string, shift_by, "",
          "consumer-groups --reset-offsets: move the committed offset by N "
          "(may be negative; clamped to the log).");
ABSL_FLAG(bool, dry_run, false,
          "consumer-groups --reset-offsets: only print the new offsets.");
ABSL_FLAG(bool, execute, false,
          "consumer-groups --reset-offsets: commit the new offsets.");

namespace runnel {
namespace cli {

std::vector<char*> ExtractRepeated(int argc, char** argv,
                                   RepeatedOptions* out) {
  const struct {
    const char* name;
    std::vector<std::string>* into;
    bool many;  // Kafka's nargs("+"): values up to the next --flag
  } repeatable[] = {{"--config", &out->configs, false},
                    {"--property", &out->properties, false},
                    {"--producer-property", &out->producer_properties, false},
                    {"--consumer-property", &out->consumer_properties, false},
                    {"--producer-props", &out->producer_props, true}};
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    bool taken = false;
    for (const auto& r : repeatable) {
      const absl::string_view arg = argv[i];
      if (arg == r.name && i + 1 < argc) {
        r.into->push_back(argv[++i]);
        while (r.many && i + 1 < argc && !absl::StartsWith(argv[i + 1], "-")) {
          r.into->push_back(argv[++i]);
        }
        taken = true;
      } else if (absl::StartsWith(arg, absl::StrCat(r.name, "="))) {
        r.into->push_back(std::string(arg.substr(std::strlen(r.name) + 1)));
        taken = true;
      }
      if (taken) break;
    }
    if (!taken) rest.push_back(argv[i]);
  }
  return rest;
}

absl::StatusOr<absl::flat_hash_map<std::string, std::string>> ParsePairs(
    const std::vector<std::string>& pairs, absl::string_view what) {
  absl::flat_hash_map<std::string, std::string> out;
  for (const std::string& pair : pairs) {
    const size_t eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " '", pair, "' is not key=value"));
    }
    out[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  return out;
}

absl::StatusOr<std::unique_ptr<Broker>> OpenBroker(Access access) {
  const std::string dir = absl::GetFlag(FLAGS_data_dir);
  if (dir.empty()) {
    return absl::InvalidArgumentError("--data-dir is required");
  }
  absl::StatusOr<bool> is_dir = FileSystem::Default()->IsDirectory(dir);
  if (!is_dir.ok() || !*is_dir) {
    return absl::NotFoundError(
        absl::StrCat("data directory ", dir, " does not exist"));
  }
  BrokerOptions options;
  options.data_dir = dir;
  options.maintenance_interval = absl::ZeroDuration();  // short-lived
  options.read_only = access == Access::kReadOnly;
  return Broker::Open(options);
}

int Fail(absl::string_view command, const absl::Status& status) {
  std::fprintf(stderr, "runnel %s: %s\n", std::string(command).c_str(),
               std::string(status.message()).c_str());
  return kError;
}

int Usage(absl::string_view command, absl::string_view message,
          absl::string_view usage) {
  std::fprintf(stderr, "runnel %s: %s\n%s", std::string(command).c_str(),
               std::string(message).c_str(), std::string(usage).c_str());
  return kUsage;
}

}  // namespace cli
}  // namespace runnel
