// Copyright 2026 The Runnel Authors.
//
// Crash points in every metadata-changing admin call: create, delete, alter
// configs and add partitions. For each, the process "stops" after operation
// k (every later file operation fails) and the machine loses power
// (FaultInjectionFileSystem::SimulateCrash, with and without a torn page);
// the broker reopened on what is left must show either the old or the new
// state, never a mix, with every synced record intact, and must then accept
// the same call again.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
#include "partition/broker_test_util.h"
#include "runnel/admin.h"
#include "runnel/broker.h"
#include "runnel/fault_injection_file_system.h"
#include "runnel/mem_file_system.h"

namespace runnel {
namespace {

using ::runnel::testing::MakeBatch;
using ::runnel::testing::ReadValues;

constexpr char kDir[] = "/data";

// What the reopened broker shows of the topics, as comparable text:
// "a:2:retention.ms=100000;b:..." (name, partitions, overrides).
std::string Shape(Broker& broker) {
  std::string shape;
  for (const TopicInfo& topic : broker.Topics()) {
    absl::StrAppend(&shape, topic.name, ":", topic.partitions.size());
    std::vector<std::string> keys;
    for (const auto& [key, value] : topic.overrides) {
      keys.push_back(absl::StrCat(key, "=", value));
    }
    std::sort(keys.begin(), keys.end());
    for (const std::string& key : keys) absl::StrAppend(&shape, ":", key);
    absl::StrAppend(&shape, ";");
  }
  return shape;
}

BrokerOptions Options(FileSystem* fs) {
  BrokerOptions options;
  options.data_dir = kDir;
  options.file_system = fs;
  options.background_threads = 1;
  options.maintenance_interval = absl::ZeroDuration();  // no timed passes
  options.topic_defaults.runnel_prefault = false;     // deterministic op counts
  options.topic_defaults.segment_index_bytes = 4096;  // small files: fast
  return options;
}

const std::vector<std::string> kValuesA0 = {"a0-0", "a0-1", "a0-2"};
const std::vector<std::string> kValuesA1 = {"a1-0", "a1-1"};
constexpr char kOldShape[] = "a:2:retention.ms=100000;";

// One admin call under test, and the state it leads to.
struct Change {
  std::string name;
  std::function<absl::Status(Admin&)> run;
  std::string new_shape;
};

const std::vector<Change>& Changes() {
  static const auto* changes = new std::vector<Change>{
      {"create",
       [](Admin& admin) {
         return admin.CreateTopic({"b", 2, 1, {{"segment.ms", "60000"}}});
       },
       "a:2:retention.ms=100000;b:2:segment.ms=60000;"},
      {"delete", [](Admin& admin) { return admin.DeleteTopic("a"); }, ""},
      {"alter",
       [](Admin& admin) {
         return admin.IncrementalAlterConfigs(
             "a", {{"retention.ms", "200000"}, {"segment.bytes", "4096"}});
       },
       "a:2:retention.ms=200000:segment.bytes=4096;"},
      {"add-partitions",
       [](Admin& admin) {
         return admin.CreatePartitions({{"a", 4}})[0];
       },
       "a:4:retention.ms=100000;"},
  };
  return *changes;
}

// A broker holding topic "a" (2 partitions, synced records), open through
// the fault-injecting file system.
struct Rig {
  Rig() {
    absl::StatusOr<std::unique_ptr<Broker>> opened = Broker::Open(Options(&fs));
    EXPECT_TRUE(opened.ok()) << opened.status();
    broker = std::move(*opened);
    Admin admin(broker.get());
    EXPECT_TRUE(
        admin.CreateTopic({"a", 2, 1, {{"retention.ms", "100000"}}}).ok());
    Append("a", 0, MakeBatch("a0", 3));
    Append("a", 1, MakeBatch("a1", 2));
  }
  void Append(const std::string& topic, int32_t p, const std::string& batch) {
    std::shared_ptr<Partition> partition = *broker->GetPartition(topic, p);
    EXPECT_TRUE(partition->Append(batch).ok());
    EXPECT_TRUE(partition->Sync().ok());
  }
  MemFileSystem mem;
  FaultInjectionFileSystem fs{&mem};
  std::unique_ptr<Broker> broker;
};

const std::vector<CrashOptions> kCrashKinds = {
    CrashOptions{}, CrashOptions{/*tear_last_unsynced_page=*/true, 7}};

// Checks the reopened broker after a crash in `change`; returns whether it
// shows the new state.
bool CheckRecovered(const Change& change, Broker& broker, FileSystem& fs,
                    const std::string& when) {
  const std::string shape = Shape(broker);
  EXPECT_THAT(shape, ::testing::AnyOf(kOldShape, change.new_shape)) << when;
  const bool is_new = shape == change.new_shape;
  if (absl::StartsWith(shape, "a:")) {
    EXPECT_THAT(ReadValues(**broker.GetPartition("a", 0)),
                testing::IsOkAndHolds(kValuesA0))
        << when;
    EXPECT_THAT(ReadValues(**broker.GetPartition("a", 1)),
                testing::IsOkAndHolds(kValuesA1))
        << when;
  } else {
    // Deleted: once removals are drained, nothing of "a" is left.
    EXPECT_TRUE(broker.RunMaintenance().ok()) << when;
    absl::StatusOr<std::vector<std::string>> entries = fs.ListDir(kDir);
    EXPECT_TRUE(entries.ok()) << when << ": " << entries.status();
    for (const std::string& entry :
         entries.value_or(std::vector<std::string>())) {
      EXPECT_FALSE(absl::StartsWith(entry, "a-")) << when << ": " << entry;
    }
  }
  // Every partition shown is usable.
  for (const TopicInfo& topic : broker.Topics()) {
    for (const auto& partition : topic.partitions) {
      EXPECT_TRUE(partition->Append(MakeBatch("after", 1)).ok())
          << when << ": " << partition->topic_partition().ToString();
    }
  }
  return is_new;
}

void PrintTo(const Change& change, std::ostream* os) { *os << change.name; }

class BrokerCrashTest : public ::testing::TestWithParam<Change> {};

TEST_P(BrokerCrashTest, CrashAtAnyPointLeavesOldOrNewState) {
  const Change& change = GetParam();
  int saw_old = 0;
  int saw_new = 0;
  bool completed = false;
  for (uint64_t k = 0; !completed; ++k) {
    for (size_t kind = 0; kind < kCrashKinds.size(); ++kind) {
      const std::string when =
          absl::StrCat(change.name, ": crash after op ", k, ", kind ", kind);
      Rig rig;
      ASSERT_NE(rig.broker, nullptr);
      FaultRule stop;
      stop.skip = k + 1;
      stop.persistent = true;
      rig.fs.AddFault(stop);
      Admin admin(rig.broker.get());
      const absl::Status status = change.run(admin);
      completed = rig.fs.faults_injected() == 0;
      if (completed) {
        EXPECT_TRUE(status.ok()) << when << ": " << status;
      }
      rig.fs.ClearFaults();
      ASSERT_TRUE(rig.fs.SimulateCrash(kCrashKinds[kind]).ok()) << when;
      rig.broker.reset();  // the dead process's handles go away

      absl::StatusOr<std::unique_ptr<Broker>> reopened =
          Broker::Open(Options(&rig.fs));
      ASSERT_TRUE(reopened.ok()) << when << ": " << reopened.status();
      const bool is_new = CheckRecovered(change, **reopened, rig.fs, when);
      if (completed) {
        EXPECT_TRUE(is_new) << when;
      }
      (is_new ? saw_new : saw_old)++;
      if (!is_new) {  // the call can be made again, and works
        Admin again(reopened->get());
        EXPECT_TRUE(change.run(again).ok()) << when;
        EXPECT_EQ(Shape(**reopened), change.new_shape) << when;
      }
    }
    ASSERT_LT(k, 1000u) << "the call never completed";
  }
  std::printf("%s: %d crash points (%d old, %d new)\n", change.name.c_str(),
              saw_old + saw_new, saw_old, saw_new);
  // Both outcomes were seen: the sweep is not vacuous.
  EXPECT_GT(saw_old, 0);
  EXPECT_GT(saw_new, 0);
}

INSTANTIATE_TEST_SUITE_P(Admin, BrokerCrashTest, ::testing::ValuesIn(Changes()),
                         [](const ::testing::TestParamInfo<Change>& info) {
                           std::string name = info.param.name;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace runnel
