// Copyright 2026 The Runnel Authors.
//
// Broker and Admin: every admin call, its bad input, restart, the directory
// lock and operations after Close. Runs on MemFileSystem and POSIX.
#include "runnel/broker.h"

#include <algorithm>
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
#include "runnel/mem_file_system.h"

namespace runnel {
namespace {

using ::runnel::testing::IsOkAndHolds;
using ::runnel::testing::MakeBatch;
using ::runnel::testing::ReadValues;
using ::runnel::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

enum class Fs { kMem, kPosix };

class BrokerTest : public ::testing::TestWithParam<Fs> {
 protected:
  BrokerTest() {
    if (GetParam() == Fs::kMem) {
      fs_ = &mem_;
      dir_ = "/data";
    } else {
      fs_ = FileSystem::Default();
      dir_ = scratch_.path() + "/data";
    }
  }

  BrokerOptions Options() const {
    BrokerOptions options;
    options.data_dir = dir_;
    options.file_system = fs_;
    options.maintenance_interval = absl::ZeroDuration();
    return options;
  }

  void OpenBroker() {
    absl::StatusOr<std::unique_ptr<Broker>> broker = Broker::Open(Options());
    ASSERT_TRUE(broker.ok()) << broker.status();
    broker_ = std::move(*broker);
    admin_ = std::make_unique<Admin>(broker_.get());
  }

  void Restart() {
    admin_.reset();
    RUNNEL_ASSERT_OK(broker_->Close());
    broker_.reset();
    OpenBroker();
  }

  // The data directory's entries, sorted (LOCK and metadata included).
  std::vector<std::string> DirEntries() {
    absl::StatusOr<std::vector<std::string>> names = fs_->ListDir(dir_);
    EXPECT_TRUE(names.ok()) << names.status();
    std::vector<std::string> sorted =
        names.value_or(std::vector<std::string>());
    std::sort(sorted.begin(), sorted.end());
    return sorted;
  }

  std::vector<std::string> TopicNames() {
    absl::StatusOr<std::vector<TopicListing>> listed =
        admin_->ListTopics({/*list_internal=*/true});
    EXPECT_TRUE(listed.ok()) << listed.status();
    std::vector<std::string> names;
    for (const TopicListing& t : listed.value_or(std::vector<TopicListing>())) {
      names.push_back(t.name);
    }
    return names;
  }

  std::shared_ptr<Partition> Get(const std::string& topic, int32_t p) {
    absl::StatusOr<std::shared_ptr<Partition>> partition =
        broker_->GetPartition(topic, p);
    EXPECT_TRUE(partition.ok()) << partition.status();
    return partition.value_or(nullptr);
  }

  MemFileSystem mem_;
  testing::ScratchDir scratch_;
  FileSystem* fs_;
  std::string dir_;
  std::unique_ptr<Broker> broker_;
  std::unique_ptr<Admin> admin_;
};

INSTANTIATE_TEST_SUITE_P(FileSystems, BrokerTest,
                         ::testing::Values(Fs::kMem, Fs::kPosix),
                         [](const ::testing::TestParamInfo<Fs>& info) {
                           return info.param == Fs::kMem ? "Mem" : "Posix";
                         });

TEST_P(BrokerTest, CreateAppendFetchAndDescribe) {
  OpenBroker();
  RUNNEL_ASSERT_OK(admin_->CreateTopic({"orders", 3}));
  std::shared_ptr<Partition> p1 = Get("orders", 1);
  ASSERT_NE(p1, nullptr);
  ASSERT_TRUE(p1->Append(MakeBatch("a", 5)).ok());
  EXPECT_THAT(ReadValues(*p1),
              IsOkAndHolds(ElementsAre("a-0", "a-1", "a-2", "a-3", "a-4")));

  ASSERT_OK_AND_ASSIGN(TopicDescription d, admin_->DescribeTopic("orders"));
  EXPECT_EQ(d.name, "orders");
  EXPECT_EQ(d.topic_id.size(), 22u);
  EXPECT_FALSE(d.internal);
  ASSERT_EQ(d.partitions.size(), 3u);
  EXPECT_EQ(d.partitions[1].partition, 1);
  EXPECT_EQ(d.partitions[1].log_end_offset, 5);
  EXPECT_EQ(d.partitions[1].high_watermark, 5);
  EXPECT_EQ(d.partitions[0].log_end_offset, 0);
  EXPECT_EQ(d.partitions[1].leader, 0);
  EXPECT_THAT(d.partitions[1].replicas, ElementsAre(0));
  EXPECT_THAT(d.partitions[1].isr, ElementsAre(0));
  RUNNEL_EXPECT_OK(d.partitions[1].status);
  // Kafka's directory layout.
  EXPECT_THAT(DirEntries(),
              ::testing::IsSupersetOf({"orders-0", "orders-1", "orders-2"}));
}

TEST_P(BrokerTest, DefaultsForMinusOne) {
  BrokerOptions options = Options();
  options.num_partitions = 4;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Broker> broker, Broker::Open(options));
  Admin admin(broker.get());
  RUNNEL_ASSERT_OK(admin.CreateTopic({"t"}));  // -1, -1
  ASSERT_OK_AND_ASSIGN(TopicDescription d, admin.DescribeTopic("t"));
  EXPECT_EQ(d.partitions.size(), 4u);
}

TEST_P(BrokerTest, InvalidTopicsAreRejectedAndChangeNothing) {
  OpenBroker();
  RUNNEL_ASSERT_OK(admin_->CreateTopic({"taken", 1}));
  const std::vector<std::string> before = DirEntries();
  struct Case {
    NewTopic topic;
    absl::StatusCode code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"", 1}, absl::StatusCode::kInvalidArgument, "empty"},
      {{".", 1}, absl::StatusCode::kInvalidArgument, "'.'"},
      {{"..", 1}, absl::StatusCode::kInvalidArgument, "'..'"},
      {{"a/b", 1}, absl::StatusCode::kInvalidArgument, "a/b"},
      {{"sp ace", 1}, absl::StatusCode::kInvalidArgument, "sp ace"},
      {{std::string(250, 'x'), 1}, absl::StatusCode::kInvalidArgument, "249"},
      {{"taken", 1}, absl::StatusCode::kAlreadyExists, "'taken'"},
      {{"zero", 0}, absl::StatusCode::kInvalidArgument, "'zero'"},
      {{"negative", -5}, absl::StatusCode::kInvalidArgument, "-5"},
      {{"rf", 1, 3},
       absl::StatusCode::kInvalidArgument,
       "replication factor 3"},
      {{"rf0", 1, 0}, absl::StatusCode::kInvalidArgument, "'rf0'"},
      {{"badvalue", 1, 1, {{"retention.ms", "soon"}}},
       absl::StatusCode::kInvalidArgument,
       "retention.ms"},
      {{"badkey", 1, 1, {{"retention.hours", "5"}}},
       absl::StatusCode::kInvalidArgument,
       "retention.hours"},
      {{"range", 1, 1, {{"segment.bytes", "10"}}},
       absl::StatusCode::kInvalidArgument,
       "segment.bytes"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(admin_->CreateTopic(c.topic),
                StatusIs(c.code, HasSubstr(c.message)))
        << c.topic.name;
  }
  EXPECT_THAT(TopicNames(), ElementsAre("taken"));
  EXPECT_EQ(DirEntries(), before);
  Restart();
  EXPECT_THAT(TopicNames(), ElementsAre("taken"));
}

TEST_P(BrokerTest, FailedAdminCallsLeaveTheMetadataFileAsItWas) {
  OpenBroker();
  RUNNEL_ASSERT_OK(
      admin_->CreateTopic({"t", 2, 1, {{"retention.ms", "5000"}}}));
  const std::string path = dir_ + "/__runnel_metadata";
  ASSERT_OK_AND_ASSIGN(const std::string before, testing::ReadFile(fs_, path));
  const std::vector<std::string> entries = DirEntries();
  EXPECT_FALSE(admin_->CreateTopic({"t", 1}).ok());
  EXPECT_FALSE(admin_->DeleteTopic("unknown").ok());
  EXPECT_FALSE(admin_->CreatePartitions({{"t", 1}})[0].ok());
  EXPECT_FALSE(admin_->CreatePartitions({{"unknown", 3}})[0].ok());
  EXPECT_FALSE(admin_->AlterConfigs("t", {{"retention.ms", "-9"}}).ok());
  EXPECT_FALSE(admin_->AlterConfigs("unknown", {}).ok());
  EXPECT_FALSE(
      admin_->IncrementalAlterConfigs("t", {{"cleanup.policy", "shred"}}).ok());
  EXPECT_FALSE(admin_->DeleteRecords({{{"t", 0}, 1}})[0].ok());
  EXPECT_THAT(testing::ReadFile(fs_, path), IsOkAndHolds(before));
  EXPECT_EQ(DirEntries(), entries);
  ASSERT_OK_AND_ASSIGN(TopicInfo info, broker_->GetTopic("t"));
  EXPECT_EQ(info.config.retention_ms, 5000);
  EXPECT_EQ(info.partitions.size(), 2u);
}

TEST_P(BrokerTest, ValidateOnlyCreatesNothing) {
  OpenBroker();
  CreateTopicsOptions validate;
  validate.validate_only = true;
  RUNNEL_EXPECT_OK(admin_->CreateTopic({"t", 2}, validate));
  EXPECT_THAT(
      admin_->CreateTopic({"bad name", 2}, validate),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("bad name")));
  EXPECT_THAT(TopicNames(), IsEmpty());
}

TEST_P(BrokerTest, BatchCallsReportPerEntry) {
  OpenBroker();
  const std::vector<NewTopic> topics = {{"a", 1}, {"b/", 1}, {"c", 2}};
  std::vector<absl::Status> created = admin_->CreateTopics(topics);
  ASSERT_EQ(created.size(), 3u);
  RUNNEL_EXPECT_OK(created[0]);
  EXPECT_THAT(created[1],
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("b/")));
  RUNNEL_EXPECT_OK(created[2]);
  EXPECT_THAT(TopicNames(), ElementsAre("a", "c"));
  std::vector<absl::Status> deleted = admin_->DeleteTopics({"a", "nope"});
  RUNNEL_EXPECT_OK(deleted[0]);
  EXPECT_THAT(deleted[1],
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("'nope'")));
  std::vector<absl::StatusOr<TopicDescription>> described =
      admin_->DescribeTopics({"c", "a"});
  ASSERT_EQ(described.size(), 2u);
  EXPECT_TRUE(described[0].ok());
  EXPECT_THAT(described[1].status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("'a'")));
}

TEST_P(BrokerTest, InternalTopicsAreListedOnRequest) {
  OpenBroker();
  RUNNEL_ASSERT_OK(admin_->CreateTopic({"__consumer_offsets", 1}));
  RUNNEL_ASSERT_OK(admin_->CreateTopic({"events", 1}));
  ASSERT_OK_AND_ASSIGN(std::vector<TopicListing> plain, admin_->ListTopics());
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_EQ(plain[0].name, "events");
  EXPECT_THAT(TopicNames(), ElementsAre("__consumer_offsets", "events"));
}

TEST_P(BrokerTest, TopicSurvivesRestartWithConfigsAndData) {
  OpenBroker();
  NewTopic topic{"orders", 2};
  topic.configs = {{"retention.ms", " 60000 "}, {"cleanup.policy", "compact"}};
  RUNNEL_ASSERT_OK(admin_->CreateTopic(topic));
  ASSERT_OK_AND_ASSIGN(TopicDescription created,
                       admin_->DescribeTopic("orders"));
  const std::string id = created.topic_id;
  ASSERT_TRUE(Get("orders", 1)->Append(MakeBatch("x", 3)).ok());
  Restart();
  ASSERT_OK_AND_ASSIGN(TopicDescription d, admin_->DescribeTopic("orders"));
  EXPECT_EQ(d.topic_id, id);
  EXPECT_EQ(d.partitions.size(), 2u);
  EXPECT_THAT(ReadValues(*Get("orders", 1)),
              IsOkAndHolds(ElementsAre("x-0", "x-1", "x-2")));
  ASSERT_OK_AND_ASSIGN(std::vector<ConfigEntry> configs,
                       admin_->DescribeConfigs("orders"));
  auto find = [&](absl::string_view key) {
    return *std::find_if(configs.begin(), configs.end(),
                         [&](const ConfigEntry& e) { return e.name == key; });
  };
  EXPECT_EQ(find("retention.ms").value, "60000");  // normalized
  EXPECT_FALSE(find("retention.ms").is_default);
  EXPECT_EQ(find("retention.ms").source, ConfigSource::kDynamicTopicConfig);
  EXPECT_EQ(find("cleanup.policy").value, "compact");
  EXPECT_TRUE(find("segment.bytes").is_default);
  EXPECT_EQ(find("segment.bytes").value, "1073741824");
  EXPECT_EQ(Get("orders", 0)->log()->cleanup_policy(), CleanupPolicy::kCompact);
}

TEST_P(BrokerTest, SecondOpenOfTheSameDirectoryFails) {
  OpenBroker();
  absl::StatusOr<std::unique_ptr<Broker>> second = Broker::Open(Options());
  EXPECT_THAT(second.status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr(dir_)));
  if (GetParam() == Fs::kPosix) {
    EXPECT_THAT(std::string(second.status().message()),
                HasSubstr(absl::StrCat(getpid())));
  }
  broker_.reset();
  admin_.reset();
  EXPECT_TRUE(Broker::Open(Options()).ok());  // released by the first
}

TEST_P(BrokerTest, DeleteHidesAtOnceAndRemovesInTheBackground) {
  OpenBroker();
  RUNNEL_ASSERT_OK(admin_->CreateTopic({"gone", 2}));
  std::shared_ptr<Partition> held = Get("gone", 0);
  ASSERT_TRUE(held->Append(MakeBatch("v", 2)).ok());
  RUNNEL_ASSERT_OK(admin_->DeleteTopic("gone"));
  EXPECT_THAT(TopicNames(), IsEmpty());
  EXPECT_THAT(broker_->GetPartition("gone", 0).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("'gone'")));
  EXPECT_THAT(held->Append(MakeBatch("w", 1)).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("deleted")));
  EXPECT_THAT(admin_->DeleteTopic("gone"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("'gone'")));
  RUNNEL_ASSERT_OK(broker_->RunMaintenance());  // drains the removals
  for (const std::string& entry : DirEntries()) {
    EXPECT_FALSE(absl::StartsWith(entry, "gone")) << entry;
  }
  // The name is free again, with fresh, empty partitions.
  RUNNEL_ASSERT_OK(admin_->CreateTopic({"gone", 1}));
  EXPECT_EQ(Get("gone", 0)->log_end_offset(), 0);
}

TEST_P(BrokerTest, CreatePartitionsGrowsOnly) {
  OpenBroker();
  RUNNEL_ASSERT_OK(admin_->CreateTopic({"t", 2}));
  ASSERT_TRUE(Get("t", 0)->Append(MakeBatch("keep", 1)).ok());
  std::vector<absl::Status> results =
      admin_->CreatePartitions({{"t", 2}, {"t", 1}, {"nope", 5}, {"t", 5}});
  EXPECT_THAT(results[0], StatusIs(absl::StatusCode::kInvalidArgument,
                                   HasSubstr("'t' has 2 partitions")));
  EXPECT_THAT(results[1], StatusIs(absl::StatusCode::kInvalidArgument,
                                   HasSubstr("only grow")));
  EXPECT_THAT(results[2],
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("'nope'")));
  RUNNEL_EXPECT_OK(results[3]);
  EXPECT_TRUE(Get("t", 4)->Append(MakeBatch("new", 1)).ok());
  EXPECT_THAT(broker_->GetPartition("t", 5).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("5 partitions")));
  Restart();
  EXPECT_EQ(admin_->DescribeTopic("t")->partitions.size(), 5u);
  EXPECT_THAT(ReadValues(*Get("t", 0)), IsOkAndHolds(ElementsAre("keep-0")));
  EXPECT_THAT(ReadValues(*Get("t", 4)), IsOkAndHolds(ElementsAre("new-0")));
}

TEST_P(BrokerTest, AlterConfigsAppliesToLiveLogsAndPersists) {
  OpenBroker();
  RUNNEL_ASSERT_OK(admin_->CreateTopic({"t", 1}));
  std::shared_ptr<Partition> p = Get("t", 0);
  const std::string big = MakeBatch("big", 50);
  ASSERT_TRUE(p->Append(big).ok());
  // max.message.bytes below the batch: the live log refuses it.
  RUNNEL_ASSERT_OK(admin_->IncrementalAlterConfigs(
      "t", {{"max.message.bytes", "100"}, {"retention.ms", "1000"}}));
  EXPECT_THAT(p->Append(big).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("100")));
  // Data from before the reconfiguration is still there.
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> values, ReadValues(*p));
  EXPECT_EQ(values.size(), 50u);
  // Bad ops change nothing (all or nothing).
  EXPECT_THAT(
      admin_->IncrementalAlterConfigs(
          "t", {{"retention.ms", "5"}, {"flush.ms", "never"}}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("flush.ms")));
  EXPECT_THAT(
      admin_->IncrementalAlterConfigs(
          "t", {{"nope.key", "", AlterConfigOp::Type::kDelete}}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nope.key")));
  EXPECT_THAT(
      admin_->IncrementalAlterConfigs("missing", {{"retention.ms", "1"}}),
      StatusIs(absl::StatusCode::kNotFound, HasSubstr("'missing'")));
  Restart();
  ASSERT_OK_AND_ASSIGN(TopicInfo info, broker_->GetTopic("t"));
  EXPECT_EQ(info.config.retention_ms, 1000);
  EXPECT_EQ(info.config.max_message_bytes, 100);
  // DELETE goes back to the default; AlterConfigs replaces the whole set.
  RUNNEL_ASSERT_OK(admin_->IncrementalAlterConfigs(
      "t", {{"max.message.bytes", "", AlterConfigOp::Type::kDelete}}));
  EXPECT_TRUE(Get("t", 0)->Append(big).ok());
  RUNNEL_ASSERT_OK(admin_->AlterConfigs("t", {{"segment.ms", "60000"}}));
  ASSERT_OK_AND_ASSIGN(info, broker_->GetTopic("t"));
  EXPECT_EQ(info.config.retention_ms, 604800000);
  EXPECT_EQ(info.config.segment_ms, 60000);
  EXPECT_EQ(info.overrides.size(), 1u);
}

TEST_P(BrokerTest, ListOffsetsAndDeleteRecords) {
  OpenBroker();
  RUNNEL_ASSERT_OK(admin_->CreateTopic({"t", 1}));
  std::shared_ptr<Partition> p = Get("t", 0);
  ASSERT_TRUE(p->Append(MakeBatch("a", 10, /*timestamp=*/1000)).ok());
  ASSERT_TRUE(p->Append(MakeBatch("b", 10, /*timestamp=*/5000)).ok());
  const TopicPartition tp{"t", 0};
  EXPECT_EQ(admin_->ListOffset(tp, OffsetSpec::Earliest())->offset, 0);
  EXPECT_EQ(admin_->ListOffset(tp, OffsetSpec::Latest())->offset, 20);
  ASSERT_OK_AND_ASSIGN(ListOffsetsResultInfo at,
                       admin_->ListOffset(tp, OffsetSpec::ForTimestamp(5003)));
  EXPECT_GE(at.timestamp, 5003);
  EXPECT_LE(at.offset, 13);
  ASSERT_OK_AND_ASSIGN(ListOffsetsResultInfo late,
                       admin_->ListOffset(tp, OffsetSpec::ForTimestamp(99999)));
  EXPECT_EQ(late.offset, -1);
  EXPECT_EQ(late.timestamp, -1);
  EXPECT_THAT(admin_->ListOffset({"t", 1}, OffsetSpec::Latest()).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("t-1")));

  std::vector<absl::StatusOr<int64_t>> deleted =
      admin_->DeleteRecords({{tp, 10}, {tp, 21}, {{"x", 0}, 1}});
  EXPECT_THAT(deleted[0], IsOkAndHolds(10));
  EXPECT_THAT(deleted[1].status(),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("21")));
  EXPECT_THAT(deleted[2].status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("'x'")));
  EXPECT_EQ(admin_->ListOffset(tp, OffsetSpec::Earliest())->offset, 10);
  EXPECT_THAT(p->Fetch(5, 1024).status(),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("t-0")));
  EXPECT_THAT(admin_->DeleteRecords({{tp, -1}})[0], IsOkAndHolds(20));
  Restart();
  EXPECT_EQ(admin_->ListOffset(tp, OffsetSpec::Earliest())->offset, 20);
}

TEST_P(BrokerTest, EverythingFailsAfterClose) {
  OpenBroker();
  RUNNEL_ASSERT_OK(admin_->CreateTopic({"t", 1}));
  std::shared_ptr<Partition> p = Get("t", 0);
  RUNNEL_ASSERT_OK(broker_->Close());
  const auto closed =
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("closed"));
  EXPECT_THAT(broker_->Close(), closed);
  EXPECT_THAT(admin_->CreateTopic({"u", 1}), closed);
  EXPECT_THAT(admin_->DeleteTopic("t"), closed);
  EXPECT_THAT(admin_->ListTopics().status(), closed);
  EXPECT_THAT(admin_->DescribeTopic("t").status(), closed);
  EXPECT_THAT(admin_->CreatePartitions({{"t", 3}})[0], closed);
  EXPECT_THAT(admin_->DescribeConfigs("t").status(), closed);
  EXPECT_THAT(admin_->AlterConfigs("t", {}), closed);
  EXPECT_THAT(admin_->ListOffset({"t", 0}, OffsetSpec::Latest()).status(),
              closed);
  EXPECT_THAT(admin_->DeleteRecords({{{"t", 0}, 0}})[0].status(), closed);
  EXPECT_THAT(broker_->GetPartition("t", 0).status(), closed);
  EXPECT_THAT(p->Append(MakeBatch("late", 1)).status(), closed);
  EXPECT_THAT(p->Fetch(0, 100).status(), closed);
  EXPECT_FALSE(p->WaitForData(0, absl::Now() + absl::Seconds(10)));
}

TEST_P(BrokerTest, UnopenablePartitionIsOfflineAndTheRestServe) {
  OpenBroker();
  RUNNEL_ASSERT_OK(admin_->CreateTopic({"t", 2}));
  ASSERT_TRUE(Get("t", 1)->Append(MakeBatch("ok", 1)).ok());
  admin_.reset();
  RUNNEL_ASSERT_OK(broker_->Close());
  broker_.reset();
  // Partition 0's directory becomes a file: its log cannot open.
  RUNNEL_ASSERT_OK(fs_->RemoveAll(dir_ + "/t-0"));
  RUNNEL_ASSERT_OK(testing::WriteFile(fs_, dir_ + "/t-0", "not a log"));
  OpenBroker();
  ASSERT_OK_AND_ASSIGN(TopicDescription d, admin_->DescribeTopic("t"));
  EXPECT_THAT(std::string(d.partitions[0].status.message()),
              HasSubstr("t-0 is offline"));
  const absl::Status append = Get("t", 0)->Append(MakeBatch("x", 1)).status();
  EXPECT_FALSE(append.ok());
  EXPECT_THAT(std::string(append.message()), HasSubstr("offline"));
  EXPECT_THAT(ReadValues(*Get("t", 1)), IsOkAndHolds(ElementsAre("ok-0")));
}

TEST_P(BrokerTest, BadOptionsAreRejected) {
  BrokerOptions options = Options();
  options.data_dir = "";
  EXPECT_THAT(
      Broker::Open(options).status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("data_dir")));
  options = Options();
  options.background_threads = 0;
  EXPECT_THAT(Broker::Open(options).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("background_threads")));
  options = Options();
  options.topic_defaults.retention_ms = -7;
  EXPECT_THAT(
      Broker::Open(options).status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("retention.ms")));
}

}  // namespace
}  // namespace runnel

namespace runnel {
namespace {

struct CountingService : BrokerService {
  explicit CountingService(int* alive) : alive(alive) { ++*alive; }
  ~CountingService() override { --*alive; }
  int* alive;
};

TEST(BrokerServiceTest, OneServicePerNameUntilClose) {
  MemFileSystem fs;
  BrokerOptions options;
  options.data_dir = "/data";
  options.file_system = &fs;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Broker> broker, Broker::Open(options));
  int alive = 0;
  int made = 0;
  auto make = [&]() -> absl::StatusOr<std::unique_ptr<BrokerService>> {
    ++made;
    return std::make_unique<CountingService>(&alive);
  };
  ASSERT_OK_AND_ASSIGN(BrokerService * first,
                       broker->GetOrAddService("offsets", make));
  ASSERT_OK_AND_ASSIGN(BrokerService * again,
                       broker->GetOrAddService("offsets", make));
  EXPECT_EQ(first, again);
  EXPECT_EQ(made, 1);
  EXPECT_EQ(alive, 1);
  EXPECT_THAT(
      broker
          ->GetOrAddService(
              "failing",
              []() -> absl::StatusOr<std::unique_ptr<BrokerService>> {
                return absl::UnavailableError("no");
              })
          .status(),
      testing::StatusIs(absl::StatusCode::kUnavailable, HasSubstr("no")));
  RUNNEL_ASSERT_OK(broker->Close());
  EXPECT_EQ(alive, 0);  // destroyed by Close
  EXPECT_THAT(broker->GetOrAddService("offsets", make).status(),
              testing::StatusIs(absl::StatusCode::kFailedPrecondition,
                                HasSubstr("closed")));
}

}  // namespace
}  // namespace runnel
