// Copyright 2026 The Runnel Authors.
//
// tools/cli.h — what the `runnel` command's subcommands share: the parsed
// command line (absl flags plus the repeatable `--config`, `--property`,
// `--producer-property`, `--consumer-property` and `--producer-props`
// options, which Kafka's tools allow many times), the
// exit-code convention, and opening the broker on --data-dir.
//
// Exit codes (as Kafka's tools): 0 success; 1 an error, reported as one
// line on stderr naming what is wrong; 2 a usage error, with the usage.
#ifndef RUNNEL_TOOLS_CLI_H_
#define RUNNEL_TOOLS_CLI_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/flags/declare.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "runnel/runnel.h"

// The flags, spelled as in Kafka's tools (--data-dir replaces
// --bootstrap-server). Defined in cli.cc.
ABSL_DECLARE_FLAG(std::string, data_dir);
ABSL_DECLARE_FLAG(std::string, topic);
ABSL_DECLARE_FLAG(int32_t, partitions);
ABSL_DECLARE_FLAG(int32_t, replication_factor);
ABSL_DECLARE_FLAG(bool, create);
ABSL_DECLARE_FLAG(bool, list);
ABSL_DECLARE_FLAG(bool, describe);
ABSL_DECLARE_FLAG(bool, delete);
ABSL_DECLARE_FLAG(bool, alter);
ABSL_DECLARE_FLAG(bool, from_beginning);
ABSL_DECLARE_FLAG(std::string, group);
ABSL_DECLARE_FLAG(int32_t, partition);
ABSL_DECLARE_FLAG(int64_t, offset);
ABSL_DECLARE_FLAG(int64_t, max_messages);
ABSL_DECLARE_FLAG(int64_t, timeout_ms);
// dump-log (kafka-dump-log.sh).
ABSL_DECLARE_FLAG(std::string, files);
ABSL_DECLARE_FLAG(bool, print_data_log);
ABSL_DECLARE_FLAG(bool, deep_iteration);
ABSL_DECLARE_FLAG(bool, verify_index_only);
// producer-perf-test and consumer-perf-test.
ABSL_DECLARE_FLAG(int64_t, num_records);
ABSL_DECLARE_FLAG(int32_t, record_size);
ABSL_DECLARE_FLAG(double, throughput);
ABSL_DECLARE_FLAG(int64_t, messages);
// consumer-groups (kafka-consumer-groups.sh).
ABSL_DECLARE_FLAG(bool, members);
ABSL_DECLARE_FLAG(bool, state);
ABSL_DECLARE_FLAG(bool, reset_offsets);
ABSL_DECLARE_FLAG(bool, all_topics);
ABSL_DECLARE_FLAG(bool, to_earliest);
ABSL_DECLARE_FLAG(bool, to_latest);
ABSL_DECLARE_FLAG(std::string, to_offset);
ABSL_DECLARE_FLAG(std::string, to_datetime);
ABSL_DECLARE_FLAG(std::string, shift_by);
ABSL_DECLARE_FLAG(bool, dry_run);
ABSL_DECLARE_FLAG(bool, execute);

namespace runnel {
namespace cli {

constexpr int kOk = 0;
constexpr int kError = 1;
constexpr int kUsage = 2;

// The repeatable key=value options, collected before absl parses the rest.
struct RepeatedOptions {
  std::vector<std::string> configs;              // --config k=v
  std::vector<std::string> properties;           // --property k=v
  std::vector<std::string> producer_properties;  // --producer-property k=v
  std::vector<std::string> consumer_properties;  // --consumer-property k=v
  // --producer-props k=v [k=v ...] (producer-perf-test): as Kafka's, it
  // takes every following argument up to the next `--flag`.
  std::vector<std::string> producer_props;
};

// Removes the repeatable options (`--name v` or `--name=v`; for
// --producer-props also `--name v1 v2 ...`) from argv into `out`; returns
// the remaining arguments.
std::vector<char*> ExtractRepeated(int argc, char** argv, RepeatedOptions* out);

// "k=v" strings as a map. InvalidArgument naming the bad entry and `what`.
absl::StatusOr<absl::flat_hash_map<std::string, std::string>> ParsePairs(
    const std::vector<std::string>& pairs, absl::string_view what);

// How a subcommand opens the data directory.
enum class Access {
  // Takes the directory lock: fails (naming the holder's pid) while an
  // application or another tool has the directory open for writing.
  kReadWrite,
  // BrokerOptions::read_only: no lock, no writes, so it works beside a live
  // application (topics --describe, console-consumer without a group, ...).
  kReadOnly,
};

// Opens the broker on --data-dir, which must exist (the tools never create
// a data directory by accident). NotFound naming it otherwise.
absl::StatusOr<std::unique_ptr<Broker>> OpenBroker(
    Access access = Access::kReadWrite);

// Prints "runnel <command>: <message>" on stderr and returns kError.
int Fail(absl::string_view command, const absl::Status& status);
// Prints "runnel <command>: <message>" and the usage; returns kUsage.
int Usage(absl::string_view command, absl::string_view message,
          absl::string_view usage);

// The subcommands (each in its own file).
int TopicsCommand(const RepeatedOptions& repeated);
int ConsoleProducerCommand(const RepeatedOptions& repeated);
int ConsoleConsumerCommand(const RepeatedOptions& repeated);
int DumpLogCommand();
int ProducerPerfTestCommand(const RepeatedOptions& repeated);
int ConsumerPerfTestCommand(const RepeatedOptions& repeated);
int ConsumerGroupsCommand();

}  // namespace cli
}  // namespace runnel

#endif  // RUNNEL_TOOLS_CLI_H_
