// Copyright 2026 The Runnel Authors.
//
// OffsetStore: commit/committed, restart, Kafka's byte formats (golden
// bytes derived by hand from Kafka's schemas), PartitionFor against values
// computed with Java, bad commits, tombstones, and concurrent commits.
#include "consumer_group/offset_store.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
#include "runnel/admin.h"
#include "runnel/clock.h"
#include "runnel/mem_file_system.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace {

using ::runnel::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Optional;

using Offsets = std::vector<std::pair<TopicPartition, OffsetAndMetadata>>;

constexpr int64_t kNow = 1700000000000;  // ms; 0x0000018bcfe56800

std::string Hex(absl::string_view hex) { return absl::HexStringToBytes(hex); }

OffsetAndMetadata At(int64_t offset, int32_t epoch = -1,
                     std::string metadata = "") {
  OffsetAndMetadata o;
  o.offset = offset;
  o.leader_epoch = epoch;
  o.metadata = std::move(metadata);
  return o;
}

// One plain batch of `count` records.
std::string Batch(int count) {
  std::string out;
  RecordBatchBuilder builder(RecordBatchOptions{}, &out);
  for (int i = 0; i < count; ++i) {
    if (!builder.Append(kNow, "k", absl::StrCat("v", i)).ok()) return "";
  }
  if (!builder.Finish().ok()) return "";
  return out;
}

class OffsetStoreTest : public ::testing::Test {
 protected:
  OffsetStoreTest() : clock_(absl::FromUnixMillis(kNow)) {}

  void SetUp() override {
    OpenBroker();
    // orders: 2 partitions with 10 and 0 records.
    RUNNEL_ASSERT_OK(Admin(broker_.get()).CreateTopic({"orders", 2}));
    ASSERT_OK_AND_ASSIGN(std::shared_ptr<Partition> p,
                         broker_->GetPartition("orders", 0));
    RUNNEL_ASSERT_OK(p->Append(Batch(10)).status());
  }

  void OpenBroker() {
    BrokerOptions options;
    options.data_dir = "/data";
    options.file_system = &fs_;
    options.clock = &clock_;
    options.maintenance_interval = absl::ZeroDuration();
    ASSERT_OK_AND_ASSIGN(broker_, Broker::Open(options));
    ASSERT_OK_AND_ASSIGN(store_, OffsetStore::ForBroker(broker_.get()));
  }

  void Restart() {
    store_ = nullptr;
    RUNNEL_ASSERT_OK(broker_->Close());
    broker_.reset();
    OpenBroker();
  }

  std::shared_ptr<Partition> OffsetsPartition(absl::string_view group) {
    absl::StatusOr<std::shared_ptr<Partition>> p = broker_->GetPartition(
        OffsetStore::kTopic, OffsetStore::PartitionFor(group));
    EXPECT_TRUE(p.ok()) << p.status();
    return p.value_or(nullptr);
  }

  // Sum of the high watermarks of every __consumer_offsets partition.
  int64_t OffsetsTopicSize() {
    int64_t total = 0;
    for (int32_t i = 0; i < OffsetStore::kPartitions; ++i) {
      auto p = broker_->GetPartition(OffsetStore::kTopic, i);
      EXPECT_TRUE(p.ok()) << p.status();
      if (p.ok()) total += (*p)->high_watermark();
    }
    return total;
  }

  MemFileSystem fs_;
  SimulatedClock clock_;
  std::unique_ptr<Broker> broker_;
  OffsetStore* store_ = nullptr;
};

TEST_F(OffsetStoreTest, CreatesTheCompactedTopicOnce) {
  ASSERT_OK_AND_ASSIGN(TopicInfo topic, broker_->GetTopic(OffsetStore::kTopic));
  EXPECT_EQ(topic.partitions.size(), 50u);
  EXPECT_EQ(topic.overrides["cleanup.policy"], "compact");
  ASSERT_OK_AND_ASSIGN(OffsetStore * again,
                       OffsetStore::ForBroker(broker_.get()));
  EXPECT_EQ(again, store_);
}

TEST_F(OffsetStoreTest, CommitThenCommitted) {
  EXPECT_EQ(store_->Committed("billing", {"orders", 0}), std::nullopt);
  RUNNEL_ASSERT_OK(store_->Commit(
      "billing",
      Offsets{{{"orders", 0}, At(7, 3, "m")}, {{"orders", 1}, At(0)}}));
  EXPECT_THAT(store_->Committed("billing", {"orders", 0}),
              Optional(At(7, 3, "m")));
  EXPECT_THAT(store_->Committed("billing", {"orders", 1}), Optional(At(0)));
  EXPECT_EQ(store_->Committed("other", {"orders", 0}), std::nullopt);
  EXPECT_EQ(store_->Committed("billing", {"nope", 0}), std::nullopt);
}

TEST_F(OffsetStoreTest, WritesOneBatchInKafkasFormatToTheGroupsPartition) {
  std::shared_ptr<Partition> p = OffsetsPartition("billing");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->partition(), 9);  // Java: "billing".hashCode() = -109829509
  RUNNEL_ASSERT_OK(store_->Commit(
      "billing", Offsets{{{"orders", 0}, At(7)}, {{"orders", 1}, At(0)}}));
  EXPECT_EQ(p->high_watermark(), 2);
  EXPECT_EQ(OffsetsTopicSize(), 2);
  ASSERT_OK_AND_ASSIGN(FetchResult fetch, p->Fetch(0, 1 << 20));
  ASSERT_EQ(fetch.read.batches.size(), 1u);
  ASSERT_OK_AND_ASSIGN(DecodedBatch batch,
                       DecodedBatch::Decode(fetch.read.batches[0]));
  EXPECT_EQ(batch.header().producer_id, -1);
  ASSERT_EQ(batch.records().size(), 2u);
  const RecordView& r = batch.records()[0];
  EXPECT_EQ(r.timestamp, kNow);  // the broker's clock
  EXPECT_EQ(r.key, OffsetStore::EncodeKey("billing", {"orders", 0}));
  EXPECT_EQ(r.value, OffsetStore::EncodeValue(At(7), kNow));
}

TEST_F(OffsetStoreTest, LaterCommitOverwrites) {
  RUNNEL_ASSERT_OK(store_->Commit("g", Offsets{{{"orders", 0}, At(3)}}));
  clock_.Advance(absl::Seconds(1));
  RUNNEL_ASSERT_OK(
      store_->Commit("g", Offsets{{{"orders", 0}, At(5, 1, "x")}}));
  EXPECT_THAT(store_->Committed("g", {"orders", 0}), Optional(At(5, 1, "x")));
  // Within one commit the last entry for a partition wins too.
  RUNNEL_ASSERT_OK(store_->Commit(
      "g", Offsets{{{"orders", 0}, At(8)}, {{"orders", 0}, At(6)}}));
  EXPECT_THAT(store_->Committed("g", {"orders", 0}), Optional(At(6)));
  Restart();
  EXPECT_THAT(store_->Committed("g", {"orders", 0}), Optional(At(6)));
}

TEST_F(OffsetStoreTest, ManyGroupsAcrossPartitionsSurviveRestart) {
  constexpr int kGroups = 120;
  for (int i = 0; i < kGroups; ++i) {
    const std::string group = absl::StrCat("group-", i);
    RUNNEL_ASSERT_OK(
        store_->Commit(group, Offsets{{{"orders", 0}, At(i % 11, i, group)}}));
  }
  int used = 0;
  for (int32_t i = 0; i < OffsetStore::kPartitions; ++i) {
    ASSERT_OK_AND_ASSIGN(auto p, broker_->GetPartition(OffsetStore::kTopic, i));
    if (p->high_watermark() > 0) ++used;
  }
  EXPECT_GT(used, 25);  // spread by the hash
  Restart();
  for (int i = 0; i < kGroups; ++i) {
    const std::string group = absl::StrCat("group-", i);
    EXPECT_THAT(store_->Committed(group, {"orders", 0}),
                Optional(At(i % 11, i, group)))
        << group;
  }
  EXPECT_EQ(OffsetsTopicSize(), kGroups);
}

TEST_F(OffsetStoreTest, BadCommitsChangeNothing) {
  RUNNEL_ASSERT_OK(store_->Commit("g", Offsets{{{"orders", 0}, At(4)}}));
  const int64_t size = OffsetsTopicSize();
  const std::string too_long(4097, 'm');
  struct Case {
    std::string group;
    Offsets offsets;
    absl::StatusCode code;
    std::vector<std::string> says;
  };
  const std::vector<Case> cases = {
      {"g",
       {{{"orders", 0}, At(5)}, {{"missing", 0}, At(0)}},
       absl::StatusCode::kNotFound,
       {"missing"}},
      {"g",
       {{{"orders", 0}, At(5)}, {{"orders", 2}, At(0)}},
       absl::StatusCode::kNotFound,
       {"orders-2"}},
      {"g",
       {{{"orders", 0}, At(11)}},
       absl::StatusCode::kOutOfRange,
       {"orders-0", "11", "10"}},
      {"g",
       {{{"orders", 1}, At(1)}},
       absl::StatusCode::kOutOfRange,
       {"orders-1", "offset 1", "0]"}},
      {"g",
       {{{"orders", 0}, At(5)}, {{"orders", 0}, At(-1)}},
       absl::StatusCode::kOutOfRange,
       {"orders-0", "-1"}},
      {"",
       {{{"orders", 0}, At(5)}},
       absl::StatusCode::kInvalidArgument,
       {"empty group"}},
      {"g",
       {{{"orders", 0}, At(5, -1, too_long)}},
       absl::StatusCode::kInvalidArgument,
       {"4097", "4096"}},
      {std::string(32768, 'g'),
       {{{"orders", 0}, At(5)}},
       absl::StatusCode::kInvalidArgument,
       {"32768"}},
  };
  for (const Case& c : cases) {
    absl::Status status = store_->Commit(c.group, c.offsets);
    EXPECT_EQ(status.code(), c.code) << status;
    for (const std::string& s : c.says) {
      EXPECT_THAT(std::string(status.message()), HasSubstr(s));
    }
    EXPECT_THAT(store_->Committed("g", {"orders", 0}), Optional(At(4)));
    EXPECT_EQ(store_->Committed("g", {"orders", 2}), std::nullopt);
    EXPECT_EQ(OffsetsTopicSize(), size);
  }
  // The log end offset itself is a valid commit (nothing consumed yet).
  RUNNEL_EXPECT_OK(store_->Commit(
      "g", Offsets{{{"orders", 0}, At(10)}, {{"orders", 1}, At(0)}}));
  // An empty commit writes nothing.
  RUNNEL_EXPECT_OK(store_->Commit("g", Offsets{}));
  EXPECT_EQ(OffsetsTopicSize(), size + 2);
}

TEST_F(OffsetStoreTest, TombstoneRemovesAndOtherRecordsAreSkippedOnLoad) {
  RUNNEL_ASSERT_OK(store_->Commit(
      "g", Offsets{{{"orders", 0}, At(4)}, {{"orders", 1}, At(0)}}));
  // What Kafka writes when an offset expires or is deleted: the key with a
  // null value. Next to it, a group metadata record (key version 2), which
  // the store must skip, and a record with a null key.
  std::string batch;
  RecordBatchBuilder builder(RecordBatchOptions{}, &batch);
  RUNNEL_ASSERT_OK(builder.Append(
      kNow, OffsetStore::EncodeKey("g", {"orders", 0}), std::nullopt));
  RUNNEL_ASSERT_OK(builder.Append(kNow,
                                  Hex("0002"
                                      "0001"
                                      "67"),
                                  "junk"));
  RUNNEL_ASSERT_OK(builder.Append(kNow, std::nullopt, "junk"));
  RUNNEL_ASSERT_OK(builder.Finish().status());
  std::shared_ptr<Partition> p = OffsetsPartition("g");
  ASSERT_NE(p, nullptr);
  RUNNEL_ASSERT_OK(p->Append(batch).status());
  // A tombstone for a key never committed is harmless.
  std::string other;
  RecordBatchBuilder builder2(RecordBatchOptions{}, &other);
  RUNNEL_ASSERT_OK(builder2.Append(
      kNow, OffsetStore::EncodeKey("h", {"orders", 0}), std::nullopt));
  RUNNEL_ASSERT_OK(builder2.Finish().status());
  RUNNEL_ASSERT_OK(OffsetsPartition("h")->Append(other).status());

  Restart();
  EXPECT_EQ(store_->Committed("g", {"orders", 0}), std::nullopt);
  EXPECT_THAT(store_->Committed("g", {"orders", 1}), Optional(At(0)));
  EXPECT_EQ(store_->Committed("h", {"orders", 0}), std::nullopt);
}

TEST_F(OffsetStoreTest, CorruptValueFailsTheLoadNamingThePosition) {
  std::string batch;
  RecordBatchBuilder builder(RecordBatchOptions{}, &batch);
  RUNNEL_ASSERT_OK(builder.Append(kNow,
                                  OffsetStore::EncodeKey("g", {"orders", 0}),
                                  Hex("0003"
                                      "0000")));
  RUNNEL_ASSERT_OK(builder.Finish().status());
  RUNNEL_ASSERT_OK(OffsetsPartition("g")->Append(batch).status());
  store_ = nullptr;
  RUNNEL_ASSERT_OK(broker_->Close());
  BrokerOptions options;
  options.data_dir = "/data";
  options.file_system = &fs_;
  options.maintenance_interval = absl::ZeroDuration();
  ASSERT_OK_AND_ASSIGN(broker_, Broker::Open(options));
  EXPECT_THAT(OffsetStore::ForBroker(broker_.get()).status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr(absl::StrCat(
                                 "__consumer_offsets-",
                                 OffsetStore::PartitionFor("g"), " offset 0")),
                             HasSubstr("offset at byte 2"))));
}

TEST(OffsetStoreTopicTest, RefusesATopicWithAnotherPartitionCount) {
  MemFileSystem fs;
  BrokerOptions options;
  options.data_dir = "/data";
  options.file_system = &fs;
  options.maintenance_interval = absl::ZeroDuration();
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Broker> broker, Broker::Open(options));
  RUNNEL_ASSERT_OK(Admin(broker.get()).CreateTopic({"__consumer_offsets", 3}));
  EXPECT_THAT(OffsetStore::ForBroker(broker.get()).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("3 partitions"), HasSubstr("50"))));
}

// --- Formats -----------------------------------------------------------------

TEST(OffsetStoreFormatTest, KeyGoldenBytes) {
  // OffsetCommitKey, written with version 1: int16 version, group (int16
  // length + bytes), topic (int16 length + bytes), int32 partition.
  const std::string golden =
      Hex("0001"  // version 1
          "0007"
          "62696c6c696e67"  // "billing"
          "0006"
          "6f7264657273"  // "orders"
          "00000003");    // partition 3
  EXPECT_EQ(OffsetStore::EncodeKey("billing", {"orders", 3}), golden);
  auto decoded = OffsetStore::DecodeKey(golden);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->first, "billing");
  EXPECT_EQ(decoded->second, (TopicPartition{"orders", 3}));
  // Key version 0 has the same layout.
  std::string v0 = golden;
  v0[1] = 0;
  EXPECT_TRUE(OffsetStore::DecodeKey(v0).has_value());
}

TEST(OffsetStoreFormatTest, KeysThatAreNotOffsetCommits) {
  EXPECT_EQ(OffsetStore::DecodeKey(Hex("0002"
                                       "0007"
                                       "62696c6c696e67")),
            std::nullopt);  // GroupMetadataKey
  EXPECT_EQ(OffsetStore::DecodeKey(Hex("0003"
                                       "0001"
                                       "67")),
            std::nullopt);
  EXPECT_EQ(OffsetStore::DecodeKey(""), std::nullopt);
  EXPECT_EQ(OffsetStore::DecodeKey(Hex("00")), std::nullopt);
  // Truncated partition, string longer than the key, null group.
  EXPECT_EQ(OffsetStore::DecodeKey(Hex("0001"
                                       "0001"
                                       "67"
                                       "0001"
                                       "74"
                                       "000000")),
            std::nullopt);
  EXPECT_EQ(OffsetStore::DecodeKey(Hex("0001"
                                       "0009"
                                       "67")),
            std::nullopt);
  EXPECT_EQ(OffsetStore::DecodeKey(Hex("0001"
                                       "ffff"
                                       "0001"
                                       "74"
                                       "00000000")),
            std::nullopt);
}

TEST(OffsetStoreFormatTest, ValueV3GoldenBytes) {
  // OffsetCommitValue v3: int16 version, int64 offset, int32 leaderEpoch,
  // metadata (int16 length + bytes), int64 commitTimestamp.
  const std::string golden =
      Hex("0003"              // version 3
          "000000000000002a"  // offset 42
          "00000005"          // leader epoch 5
          "0004"
          "6d657461"            // "meta"
          "0000018bcfe56800");  // 1700000000000
  EXPECT_EQ(OffsetStore::EncodeValue(At(42, 5, "meta"), kNow), golden);
  EXPECT_THAT(OffsetStore::DecodeValue(golden),
              ::runnel::testing::IsOkAndHolds(At(42, 5, "meta")));
  // Unknown epoch (-1) and empty metadata.
  EXPECT_EQ(OffsetStore::EncodeValue(At(0), 0), Hex("0003"
                                                    "0000000000000000"
                                                    "ffffffff"
                                                    "0000"
                                                    "0000000000000000"));
}

TEST(OffsetStoreFormatTest, DecodesOlderAndNewerValueVersions) {
  using ::runnel::testing::IsOkAndHolds;
  // v0: offset, metadata, timestamp.
  EXPECT_THAT(OffsetStore::DecodeValue(Hex("0000"
                                           "0000000000000064"
                                           "0002"
                                           "6d64"
                                           "0000018bcfe56800")),
              IsOkAndHolds(At(100, -1, "md")));
  // v1: offset, metadata, commitTimestamp, expireTimestamp.
  EXPECT_THAT(OffsetStore::DecodeValue(Hex("0001"
                                           "0000000000000065"
                                           "0000"
                                           "0000018bcfe56800"
                                           "0000018bcfe56801")),
              IsOkAndHolds(At(101)));
  // v2: as v0 (commitTimestamp without expireTimestamp).
  EXPECT_THAT(OffsetStore::DecodeValue(Hex("0002"
                                           "0000000000000066"
                                           "0001"
                                           "78"
                                           "0000018bcfe56800")),
              IsOkAndHolds(At(102, -1, "x")));
  // v4 (flexible): compact metadata (varint length + 1), then tagged
  // fields; here one 16-byte field (tag 0), which is skipped.
  EXPECT_THAT(OffsetStore::DecodeValue(Hex("0004"
                                           "0000000000000067"
                                           "00000002"
                                           "03"
                                           "6162"
                                           "0000018bcfe56800"
                                           "01"
                                           "00"
                                           "10"
                                           "000102030405060708090a0b0c0d0e0f")),
              IsOkAndHolds(At(103, 2, "ab")));
  EXPECT_THAT(OffsetStore::DecodeValue(Hex("0004"
                                           "0000000000000067"
                                           "ffffffff"
                                           "01"
                                           "0000018bcfe56800"
                                           "00")),
              IsOkAndHolds(At(103)));
}

TEST(OffsetStoreFormatTest, MalformedValues) {
  const auto kDataLoss = absl::StatusCode::kDataLoss;
  EXPECT_THAT(OffsetStore::DecodeValue("").status(),
              StatusIs(kDataLoss, HasSubstr("version at byte 0")));
  EXPECT_THAT(OffsetStore::DecodeValue(Hex("0005"
                                           "0000000000000000"))
                  .status(),
              StatusIs(kDataLoss, HasSubstr("version 5")));
  EXPECT_THAT(OffsetStore::DecodeValue(Hex("0003"
                                           "00000000"))
                  .status(),
              StatusIs(kDataLoss, HasSubstr("offset at byte 2")));
  EXPECT_THAT(OffsetStore::DecodeValue(Hex("0003"
                                           "0000000000000001"
                                           "0000"))
                  .status(),
              StatusIs(kDataLoss, HasSubstr("leaderEpoch at byte 10")));
  // Null (-1) and overlong metadata.
  EXPECT_THAT(OffsetStore::DecodeValue(Hex("0003"
                                           "0000000000000001"
                                           "00000000"
                                           "ffff"
                                           "0000000000000000"))
                  .status(),
              StatusIs(kDataLoss, HasSubstr("metadata at byte 14")));
  EXPECT_THAT(OffsetStore::DecodeValue(Hex("0000"
                                           "0000000000000001"
                                           "0005"
                                           "61"))
                  .status(),
              StatusIs(kDataLoss, HasSubstr("metadata at byte 10")));
  EXPECT_THAT(OffsetStore::DecodeValue(Hex("0001"
                                           "0000000000000001"
                                           "0000"
                                           "0000000000000000"))
                  .status(),
              StatusIs(kDataLoss, HasSubstr("expireTimestamp at byte 20")));
  // v4: null compact string, missing and truncated tagged fields.
  EXPECT_THAT(OffsetStore::DecodeValue(Hex("0004"
                                           "0000000000000001"
                                           "00000000"
                                           "00"
                                           "0000000000000000"
                                           "00"))
                  .status(),
              StatusIs(kDataLoss, HasSubstr("metadata at byte 14")));
  EXPECT_THAT(OffsetStore::DecodeValue(Hex("0004"
                                           "0000000000000001"
                                           "00000000"
                                           "01"
                                           "0000000000000000"))
                  .status(),
              StatusIs(kDataLoss, HasSubstr("tagged fields at byte 23")));
  EXPECT_THAT(OffsetStore::DecodeValue(Hex("0004"
                                           "0000000000000001"
                                           "00000000"
                                           "01"
                                           "0000000000000000"
                                           "01"
                                           "00"
                                           "05"
                                           "0102"))
                  .status(),
              StatusIs(kDataLoss, HasSubstr("tagged fields at byte 23")));
}

TEST(OffsetStoreFormatTest, PartitionForMatchesJava) {
  // Computed with OpenJDK 17: Utils.abs(s.hashCode()) % 50, where
  // Utils.abs(n) = n == Integer.MIN_VALUE ? 0 : Math.abs(n).
  struct Case {
    const char* group;  // UTF-8
    int32_t java_hash;  // String.hashCode(), for the record
    int32_t partition;
  };
  const Case cases[] = {
      {"", 0, 0},
      {"a", 97, 47},
      {"hello", 99162322, 22},
      {"billing", -109829509, 9},
      {"testgroup", -1172783827, 27},
      {"my-group", -1906497762, 12},
      {"consumer-group-1", 147483020, 20},
      // hashCode() == Integer.MIN_VALUE: Math.abs would stay negative.
      {"polygenelubricants", INT32_MIN, 0},
      {"GydZG_", INT32_MIN, 0},
      {"\xc3\xa9t\xc3\xa9", 227742, 42},         // "été"
      {"\xe6\x97\xa5\xe6\x9c\xac", 835047, 47},  // "日本"
      {"\xf0\x9f\x98\x80x", 54959989, 39},  // U+1F600 (a surrogate pair) + x
  };
  for (const Case& c : cases) {
    EXPECT_EQ(OffsetStore::PartitionFor(c.group), c.partition)
        << c.group << " (Java hash " << c.java_hash << ")";
  }
  // Not UTF-8: bytes taken as Latin-1; Java's hashCode of the ISO-8859-1
  // string "\u00ff\u00feA" is 252994.
  EXPECT_EQ(OffsetStore::PartitionFor("\xff\xfe"
                                      "A"),
            252994 % 50);
  // Overlong encodings and lone surrogates are not UTF-8 either.
  EXPECT_EQ(OffsetStore::PartitionFor("\xc0\x80"), (0xc0 * 31 + 0x80) % 50);
  EXPECT_EQ(OffsetStore::PartitionFor("\xed\xa0\x80"),
            ((0xed * 31 + 0xa0) * 31 + 0x80) % 50);
}

// --- Concurrency
// ---------------------------------------------------------------

TEST_F(OffsetStoreTest, ConcurrentCommitsForDifferentGroups) {
  constexpr int kThreads = 6;
  constexpr int kCommits = 40;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      const std::string group = absl::StrCat("group-", t);
      for (int i = 0; i <= kCommits; ++i) {
        const int32_t partition = i % 2;
        const int64_t offset = partition == 0 ? i % 11 : 0;
        EXPECT_TRUE(store_
                        ->Commit(group, Offsets{{{"orders", partition},
                                                 At(offset, i, group)}})
                        .ok());
        // Readers race with writers of other groups.
        std::optional<OffsetAndMetadata> seen =
            store_->Committed(group, {"orders", partition});
        EXPECT_THAT(seen, Optional(At(offset, i, group)));
        store_->Committed(absl::StrCat("group-", (t + 1) % kThreads),
                          {"orders", 0});
      }
    });
  }
  // Two threads on the same group too: the final value is one of theirs
  // and matches the log after a restart.
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kCommits; ++i) {
        EXPECT_TRUE(
            store_->Commit("shared", Offsets{{{"orders", 0}, At(t, i)}}).ok());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  std::optional<OffsetAndMetadata> shared =
      store_->Committed("shared", {"orders", 0});
  ASSERT_TRUE(shared.has_value());
  Restart();
  for (int t = 0; t < kThreads; ++t) {
    const std::string group = absl::StrCat("group-", t);
    EXPECT_THAT(store_->Committed(group, {"orders", 0}),
                Optional(At(kCommits % 11, kCommits, group)));
    EXPECT_THAT(store_->Committed(group, {"orders", 1}),
                Optional(At(0, kCommits - 1, group)));
  }
  EXPECT_THAT(store_->Committed("shared", {"orders", 0}), Optional(*shared));
  EXPECT_EQ(shared->leader_epoch, kCommits - 1);
}

}  // namespace
}  // namespace runnel
