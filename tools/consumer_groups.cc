// Copyright 2026 The Runnel Authors.
//
// `runnel consumer-groups`: Kafka's kafka-consumer-groups.sh on a data
// directory — list groups, describe one (offsets and lag, members, state),
// delete one, reset its offsets. Tables, warnings and messages follow
// Kafka's ConsumerGroupCommand (its column widths; its notes such as "has no
// active members" go to stderr, as Kafka's do).
#include <algorithm>
#include <cstdio>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "tools/cli.h"

namespace runnel {
namespace cli {
namespace {

constexpr char kCommand[] = "consumer-groups";
constexpr char kUsageText[] =
    "usage: runnel consumer-groups --data-dir DIR (--list |\n"
    "         --describe --group G [--members | --state] |\n"
    "         --delete --group G |\n"
    "         --reset-offsets --group G (--topic T | --all-topics)\n"
    "           (--to-earliest | --to-latest | --to-offset N |\n"
    "            --to-datetime YYYY-MM-DDTHH:mm:SS.sss[Z|+hh:mm] |\n"
    "            --shift-by N) [--dry-run | --execute])\n";
constexpr char kMissing[] = "-";  // Kafka's MISSING_COLUMN_VALUE

std::string OrMissing(const std::optional<int64_t>& v) {
  return v.has_value() ? absl::StrCat(*v) : kMissing;
}
std::string OrMissing(const std::string& s) { return s.empty() ? kMissing : s; }

int Usage(absl::string_view message) {
  return cli::Usage(kCommand, message, kUsageText);
}
int Fail(const absl::Status& status) { return cli::Fail(kCommand, status); }

// Kafka's wording for a group that is neither active nor has offsets.
absl::Status Translated(absl::string_view group, const absl::Status& s) {
  if (!absl::IsNotFound(s)) return s;
  return absl::NotFoundError(
      absl::StrCat("Consumer group '", group, "' does not exist."));
}

// Kafka's shouldPrintMemberState: notes on stderr; false if there is
// nothing to tabulate.
bool ShouldPrint(const GroupDescription& d, size_t rows) {
  if (d.state == GroupState::kEmpty) {
    std::fprintf(stderr, "\nConsumer group '%s' has no active members.\n",
                 d.group_id.c_str());
  } else if (d.state == GroupState::kPreparingRebalance) {
    std::fprintf(stderr, "\nWarning: Consumer group '%s' is rebalancing.\n",
                 d.group_id.c_str());
  }
  return rows > 0;
}

std::string HostOf(const GroupDescription& d, const std::string& member) {
  for (const MemberDescription& m : d.members) {
    if (m.member_id == member) return m.host;
  }
  return "";
}

// GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST
// CLIENT-ID, one row per partition (and per member without partitions).
int DescribeOffsets(GroupAdmin& admin, const GroupDescription& d) {
  absl::StatusOr<GroupLag> lag = admin.DescribeLag(d.group_id);
  if (!lag.ok()) return Fail(Translated(d.group_id, lag.status()));
  struct Row {
    std::string topic, partition, current, end, lag, member, host, client;
  };
  std::vector<Row> rows;
  for (const PartitionLag& p : lag->partitions) {
    rows.push_back({p.tp.topic, absl::StrCat(p.tp.partition),
                    OrMissing(p.committed), absl::StrCat(p.log_end_offset),
                    OrMissing(p.lag), OrMissing(p.member_id),
                    OrMissing(HostOf(d, p.member_id)), OrMissing(p.client_id)});
  }
  for (const MemberDescription& m : d.members) {
    if (!m.assignment.empty()) continue;
    rows.push_back({kMissing, kMissing, kMissing, kMissing, kMissing,
                    m.member_id, OrMissing(m.host), OrMissing(m.client_id)});
  }
  if (!ShouldPrint(d, rows.size())) return kOk;
  int group_w = std::max<int>(15, d.group_id.size()), topic_w = 15,
      member_w = 15, host_w = 15;
  for (const Row& r : rows) {
    topic_w = std::max<int>(topic_w, r.topic.size());
    member_w = std::max<int>(member_w, r.member.size());
    host_w = std::max<int>(host_w, r.host.size());
  }
  auto print = [&](const std::string& group, const Row& r) {
    std::printf("%s\n",
                absl::StrFormat(
                    "%-*s %-*s %-10s %-15s %-15s %-15s %-*s %-*s %s", group_w,
                    group, topic_w, r.topic, r.partition, r.current, r.end,
                    r.lag, member_w, r.member, host_w, r.host, r.client)
                    .c_str());
  };
  std::printf("\n");
  print("GROUP", {"TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET",
                  "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID"});
  for (const Row& r : rows) print(d.group_id, r);
  std::printf("\n");
  return kOk;
}

// GROUP CONSUMER-ID HOST CLIENT-ID #PARTITIONS, one row per member.
int DescribeMembers(const GroupDescription& d) {
  if (!ShouldPrint(d, d.members.size())) return kOk;
  int group_w = std::max<int>(15, d.group_id.size()), member_w = 15,
      host_w = 15, client_w = 15;
  for (const MemberDescription& m : d.members) {
    member_w = std::max<int>(member_w, m.member_id.size());
    host_w = std::max<int>(host_w, OrMissing(m.host).size());
    client_w = std::max<int>(client_w, OrMissing(m.client_id).size());
  }
  auto print = [&](const std::string& group, const std::string& member,
                   const std::string& host, const std::string& client,
                   const std::string& count) {
    std::printf("%s\n", absl::StrFormat("%-*s %-*s %-*s %-*s %s", group_w,
                                        group, member_w, member, host_w, host,
                                        client_w, client, count)
                            .c_str());
  };
  std::printf("\n");
  print("GROUP", "CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS");
  for (const MemberDescription& m : d.members) {
    print(d.group_id, m.member_id, OrMissing(m.host), OrMissing(m.client_id),
          absl::StrCat(m.assignment.size()));
  }
  std::printf("\n");
  return kOk;
}

// GROUP COORDINATOR (ID) ASSIGNMENT-STRATEGY STATE #MEMBERS.
int DescribeState(const GroupDescription& d) {
  ShouldPrint(d, 1);
  // Kafka prints host:port  (id); the coordinator here is in the process.
  const std::string coordinator =
      absl::StrCat("in-process  (", d.coordinator, ")");
  const int w = std::max<int>(25, coordinator.size());
  auto print = [&](const std::string& group, const std::string& coord,
                   const std::string& strategy, const std::string& state,
                   const std::string& members) {
    std::printf("%s\n", absl::StrFormat("%-*s %-25s %-20s %-15s %s", w, group,
                                        coord, strategy, state, members)
                            .c_str());
  };
  std::printf("\n");
  print("GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE",
        "#MEMBERS");
  print(d.group_id, coordinator, d.partition_assignor,
        std::string(GroupStateName(d.state)), absl::StrCat(d.members.size()));
  std::printf("\n");
  return kOk;
}

// Milliseconds since the epoch for Kafka's --to-datetime format,
// YYYY-MM-DDTHH:mm:SS[.sss] with an optional Z or +hh:mm / +hhmm zone;
// without a zone, local time (as Kafka's Utils.getDateTime).
std::optional<int64_t> ParseDateTime(const std::string& s) {
  absl::Time t;
  std::string err;
  if (absl::ParseTime("%Y-%m-%dT%H:%M:%E*S%Ez", s, absl::UTCTimeZone(), &t,
                      &err) ||
      absl::ParseTime("%Y-%m-%dT%H:%M:%E*S", s, absl::LocalTimeZone(), &t,
                      &err)) {
    return absl::ToUnixMillis(t);
  }
  return std::nullopt;
}

// The reset scenario from the flags, or a usage message.
absl::StatusOr<OffsetResetSpec> ResetSpec() {
  const std::string to_offset = absl::GetFlag(FLAGS_to_offset);
  const std::string to_datetime = absl::GetFlag(FLAGS_to_datetime);
  const std::string shift_by = absl::GetFlag(FLAGS_shift_by);
  const int scenarios = absl::GetFlag(FLAGS_to_earliest) +
                        absl::GetFlag(FLAGS_to_latest) + !to_offset.empty() +
                        !to_datetime.empty() + !shift_by.empty();
  if (scenarios != 1) {
    return absl::InvalidArgumentError(
        "exactly one of --to-earliest, --to-latest, --to-offset, "
        "--to-datetime, --shift-by is needed");
  }
  if (absl::GetFlag(FLAGS_to_earliest)) return OffsetResetSpec::ToEarliest();
  if (absl::GetFlag(FLAGS_to_latest)) return OffsetResetSpec::ToLatest();
  int64_t n = 0;
  if (!to_offset.empty()) {
    if (!absl::SimpleAtoi(to_offset, &n) || n < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--to-offset '", to_offset, "' is not a non-negative integer"));
    }
    return OffsetResetSpec::ToOffset(n);
  }
  if (!shift_by.empty()) {
    if (!absl::SimpleAtoi(shift_by, &n)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--shift-by '", shift_by, "' is not an integer"));
    }
    return OffsetResetSpec::ShiftBy(n);
  }
  std::optional<int64_t> ms = ParseDateTime(to_datetime);
  if (!ms.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--to-datetime '", to_datetime,
                     "' is not YYYY-MM-DDTHH:mm:SS.sss[Z|+hh:mm]"));
  }
  return OffsetResetSpec::ToTimestamp(*ms);
}

int ResetOffsets(GroupAdmin& admin, const std::string& group,
                 const OffsetResetSpec& spec, bool dry_run) {
  std::vector<std::string> topics;
  if (absl::GetFlag(FLAGS_all_topics)) {
    absl::StatusOr<std::vector<std::pair<TopicPartition, int64_t>>> offsets =
        admin.ListGroupOffsets(group);
    if (!offsets.ok()) return Fail(offsets.status());
    std::set<std::string> names;
    for (const auto& [tp, offset] : *offsets) names.insert(tp.topic);
    topics.assign(names.begin(), names.end());
  } else {
    topics.push_back(absl::GetFlag(FLAGS_topic));
  }
  absl::StatusOr<std::vector<std::pair<TopicPartition, int64_t>>> reset =
      admin.ResetOffsets(group, topics, spec, dry_run);
  if (absl::IsFailedPrecondition(reset.status())) {
    return Fail(absl::FailedPreconditionError(
        absl::StrCat("Assignments can only be reset if the group '", group,
                     "' is inactive, but the current state is not Empty (",
                     reset.status().message(), ")")));
  }
  if (!reset.ok()) return Fail(reset.status());
  if (!reset->empty()) {
    std::printf("\n%s\n", absl::StrFormat("%-30s %-30s %-10s %s", "GROUP",
                                          "TOPIC", "PARTITION", "NEW-OFFSET")
                              .c_str());
  }
  for (const auto& [tp, offset] : *reset) {
    std::printf("%s\n", absl::StrFormat("%-30s %-30s %-10d %d", group, tp.topic,
                                        tp.partition, offset)
                            .c_str());
  }
  std::printf("\n");
  return kOk;
}

// Checks the flag combination; an empty string if it is valid.
std::string UsageProblem() {
  const bool list = absl::GetFlag(FLAGS_list);
  const bool describe = absl::GetFlag(FLAGS_describe);
  const bool reset = absl::GetFlag(FLAGS_reset_offsets);
  if (list + describe + absl::GetFlag(FLAGS_delete) + reset != 1) {
    return "exactly one of --list, --describe, --delete, --reset-offsets is "
           "needed";
  }
  if (!list && absl::GetFlag(FLAGS_group).empty()) {
    return "--group is required";
  }
  if (absl::GetFlag(FLAGS_members) + absl::GetFlag(FLAGS_state) >
      (describe ? 1 : 0)) {
    return "--members or --state (only one) goes with --describe";
  }
  const bool reset_flags =
      absl::GetFlag(FLAGS_to_earliest) || absl::GetFlag(FLAGS_to_latest) ||
      !absl::GetFlag(FLAGS_to_offset).empty() ||
      !absl::GetFlag(FLAGS_to_datetime).empty() ||
      !absl::GetFlag(FLAGS_shift_by).empty() || absl::GetFlag(FLAGS_dry_run) ||
      absl::GetFlag(FLAGS_execute) || absl::GetFlag(FLAGS_all_topics);
  if (!reset) {
    return reset_flags ? "the reset options go with --reset-offsets" : "";
  }
  if (absl::GetFlag(FLAGS_topic).empty() == !absl::GetFlag(FLAGS_all_topics)) {
    return "exactly one of --topic, --all-topics is needed";
  }
  if (absl::GetFlag(FLAGS_dry_run) && absl::GetFlag(FLAGS_execute)) {
    return "only one of --dry-run, --execute is allowed";
  }
  return "";
}

}  // namespace

int ConsumerGroupsCommand() {
  if (std::string problem = UsageProblem(); !problem.empty()) {
    return Usage(problem);
  }
  const std::string group = absl::GetFlag(FLAGS_group);
  OffsetResetSpec spec;
  bool dry_run = true;
  if (absl::GetFlag(FLAGS_reset_offsets)) {
    absl::StatusOr<OffsetResetSpec> parsed = ResetSpec();
    if (!parsed.ok()) return Usage(parsed.status().message());
    spec = *parsed;
    dry_run = !absl::GetFlag(FLAGS_execute);
    if (!absl::GetFlag(FLAGS_dry_run) && !absl::GetFlag(FLAGS_execute)) {
      std::fprintf(stderr,
                   "WARN: No action will be performed as the --execute "
                   "option is missing. Add --dry-run to keep this behaviour "
                   "without the warning.\n");
    }
  }
  // --list and --describe work beside a live application; changes (and a
  // reset's dry run, which needs the group inactive) take the lock.
  absl::StatusOr<std::unique_ptr<Broker>> broker =
      OpenBroker(absl::GetFlag(FLAGS_list) || absl::GetFlag(FLAGS_describe)
                     ? Access::kReadOnly
                     : Access::kReadWrite);
  if (!broker.ok()) return Fail(broker.status());
  GroupAdmin admin(broker->get());

  int code = kOk;
  if (absl::GetFlag(FLAGS_list)) {
    absl::StatusOr<std::vector<GroupListing>> groups = admin.ListGroups();
    if (!groups.ok()) return Fail(groups.status());
    for (const GroupListing& g : *groups)
      std::printf("%s\n", g.group_id.c_str());
  } else if (absl::GetFlag(FLAGS_describe)) {
    absl::StatusOr<GroupDescription> d = admin.DescribeGroup(group);
    if (!d.ok()) return Fail(Translated(group, d.status()));
    if (absl::GetFlag(FLAGS_members)) {
      code = DescribeMembers(*d);
    } else if (absl::GetFlag(FLAGS_state)) {
      code = DescribeState(*d);
    } else {
      code = DescribeOffsets(admin, *d);
    }
  } else if (absl::GetFlag(FLAGS_delete)) {
    if (absl::Status s = admin.DeleteGroup(group); !s.ok()) {
      return Fail(Translated(group, s));
    }
    std::printf(
        "Deletion of requested consumer groups ('%s') was successful.\n",
        group.c_str());
  } else {
    code = ResetOffsets(admin, group, spec, dry_run);
  }
  if (code != kOk) return code;
  if (absl::Status s = (*broker)->Close(); !s.ok()) return Fail(s);
  return kOk;
}

}  // namespace cli
}  // namespace runnel
