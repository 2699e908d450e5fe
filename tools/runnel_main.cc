// Copyright 2026 The Runnel Authors.
//
// runnel — Runnel's command line: Kafka's Quick Start tools on a data
// directory.
//
//   runnel topics --create --topic events --partitions 3 --data-dir /tmp/r
//   echo hello | runnel console-producer --topic events --data-dir /tmp/r
//   runnel console-consumer --topic events --from-beginning
//       --timeout-ms 1000 --data-dir /tmp/r
//   runnel dump-log --files /tmp/r/events-0/00000000000000000000.log
//   runnel producer-perf-test --topic events --num-records 100000
//       --record-size 100 --data-dir /tmp/r
//   runnel consumer-perf-test --topic events --messages 100000
//       --data-dir /tmp/r
//   runnel consumer-groups --describe --group billing --data-dir /tmp/r
//
// Flags are spelled as in Kafka's tools (dashes; --data-dir instead of
// --bootstrap-server). Exit codes: 0 ok, 1 error (one line on stderr), 2
// usage. `runnel <command> --help` lists every flag.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "tools/cli.h"

namespace {

constexpr char kUsage[] =
    "usage: runnel <command> [flags]\n"
    "commands:\n"
    "  topics              --create, --list, --describe, --delete, --alter\n"
    "  console-producer    one record per line of standard input\n"
    "  console-consumer    print records, Kafka's default format\n"
    "  dump-log            print .log/.index/.timeindex files (read-only)\n"
    "  producer-perf-test  send N records of B bytes: throughput, latency\n"
    "  consumer-perf-test  consume N records: throughput\n"
    "  consumer-groups     --list, --describe, --delete, --reset-offsets\n"
    "run `runnel <command> --help` for the flags\n";

// Kafka spells flags with dashes (--data-dir); absl names use underscores.
std::string Underscored(const char* arg) {
  std::string s = arg;
  if (!absl::StartsWith(s, "--")) return s;
  const size_t end = std::min(s.find('='), s.size());
  for (size_t i = 2; i < end; ++i) {
    if (s[i] == '-') s[i] = '_';
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  // `runnel <command> --help` lists the flags defined in tools/ (each one's
  // help names the commands it applies to), not absl's own.
  absl::FlagsUsageConfig usage_config;
  usage_config.contains_help_flags = [](absl::string_view file) {
    return absl::StrContains(file, "tools/");
  };
  absl::SetFlagsUsageConfig(usage_config);
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 ||
      std::strcmp(argv[1], "-h") == 0) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? runnel::cli::kUsage : runnel::cli::kOk;
  }
  const std::string command = argv[1];
  runnel::cli::RepeatedOptions repeated;
  std::vector<char*> rest =
      runnel::cli::ExtractRepeated(argc - 2, argv + 2, &repeated);
  std::vector<std::string> args = {std::string(argv[0]) + " " + command};
  for (char* arg : rest) args.push_back(Underscored(arg));
  std::vector<char*> cargs;
  for (std::string& a : args) cargs.push_back(a.data());
  std::vector<char*> positional =
      absl::ParseCommandLine(static_cast<int>(cargs.size()), cargs.data());
  if (positional.size() > 1) {
    return runnel::cli::Usage(
        command, std::string("unexpected argument '") + positional[1] + "'",
        kUsage);
  }
  if (command == "topics") return runnel::cli::TopicsCommand(repeated);
  if (command == "console-producer") {
    return runnel::cli::ConsoleProducerCommand(repeated);
  }
  if (command == "console-consumer") {
    return runnel::cli::ConsoleConsumerCommand(repeated);
  }
  if (command == "dump-log") return runnel::cli::DumpLogCommand();
  if (command == "producer-perf-test") {
    return runnel::cli::ProducerPerfTestCommand(repeated);
  }
  if (command == "consumer-perf-test") {
    return runnel::cli::ConsumerPerfTestCommand(repeated);
  }
  if (command == "consumer-groups") return runnel::cli::ConsumerGroupsCommand();
  return runnel::cli::Usage(command, "unknown command", kUsage);
}
