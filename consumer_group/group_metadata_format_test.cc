// Copyright 2026 The Runnel Authors.
//
// Kafka's group metadata records and consumer-protocol bytes: round trips,
// golden bytes written by hand from Kafka's JSON schemas (layouts in
// group_metadata_format.cc), older and newer versions built by hand
// (after Kafka's GroupMetadataManagerTest and ConsumerProtocolTest), and
// malformed input: every truncation, huge and negative lengths, nulls
// where not nullable, unknown versions.
#include "consumer_group/group_metadata_format.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/test_util.h"

namespace runnel {
namespace {

using ::runnel::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;

// Hex with spaces for readability.
std::string Hex(absl::string_view hex) {
  return absl::HexStringToBytes(absl::StrReplaceAll(hex, {{" ", ""}}));
}

absl::StatusCode DecodeValueCode(absl::string_view bytes) {
  return DecodeGroupMetadataValue(bytes).status().code();
}

// The value of ValueV3Bytes.
GroupMetadata StableGroup() {
  GroupMetadata g;
  g.protocol_type = "consumer";
  g.generation = 1;
  g.protocol = "range";
  g.leader = "m1";
  g.current_state_timestamp = 1700000000000;  // 0x0000018bcfe56800
  MemberMetadata m;
  m.member_id = "m1";
  m.group_instance_id = "i1";
  m.client_id = "c";
  m.client_host = "/h";
  m.rebalance_timeout_ms = 300000;  // 0x000493e0
  m.session_timeout_ms = 10000;     // 0x00002710
  m.subscription = std::string("\x00\x01", 2);
  m.assignment = "";
  g.members.push_back(m);
  return g;
}

// GroupMetadataValue v3 of StableGroup, by hand from the schema.
std::string ValueV3Bytes() {
  return Hex(
      "0003"                   // version 3
      "0008 636f6e73756d6572"  // protocolType "consumer"
      "00000001"               // generation 1
      "0005 72616e6765"        // protocol "range"
      "0002 6d31"              // leader "m1"
      "0000018bcfe56800"       // currentStateTimestamp
      "00000001"               // 1 member
      "0002 6d31"              //   memberId "m1"
      "0002 6931"              //   groupInstanceId "i1"
      "0001 63"                //   clientId "c" (byte 47)
      "0002 2f68"              //   clientHost "/h" (byte 50)
      "000493e0"               //   rebalanceTimeout 300000
      "00002710"               //   sessionTimeout 10000
      "00000002 0001"          //   subscription 00 01
      "00000000");             //   assignment (empty)
}

// GroupMetadataValue v4 (flexible) as Kafka's GroupMetadataManagerTest.
// testDeserializeFutureGroupMetadataValue builds it: unknown tagged fields
// 0 (an int16-length string "foo") and 1 (int32 4000) on the group and on
// the member.
std::string ValueV4Bytes() {
  return Hex(
      "0004"                                   // version 4
      "09 636f6e73756d6572"                    // protocolType "consumer"
      "0000000a"                               // generation 10
      "06 72616e6765"                          // protocol "range"
      "07 6c6561646572"                        // leader "leader"
      "00000000000003e8"                       // currentStateTimestamp 1000
      "02"                                     // 1 member
      "0a 6d656d6265725f6964"                  //   memberId "member_id"
      "12 67726f75705f696e7374616e63655f6964"  // "group_instance_id"
      "0a 636c69656e745f6964"                  //   clientId "client_id"
      "0c 636c69656e745f686f7374"              //   clientHost "client_host"
      "00000001"                               //   rebalanceTimeout 1
      "00000002"                               //   sessionTimeout 2
      "01"                                     //   subscription (empty)
      "03 6869"                                //   assignment "hi"
      "02 00 05 0003666f6f 01 04 00000fa0"     //  tagged fields
      "02 00 05 0003666f6f 01 04 00000fa0");   // tagged fields
}

ConsumerSubscription FullSubscription() {
  ConsumerSubscription s;
  s.topics = {"b", "a"};
  s.user_data = std::nullopt;
  s.owned_partitions = {{"b", 1}, {"a", 2}, {"a", 0}};
  s.generation_id = 7;
  s.rack_id = "r";
  return s;
}

// FullSubscription in version 1: topics sorted, owned partitions sorted
// and grouped by topic; no generation id or rack.
std::string SubscriptionV1Bytes() {
  return Hex(
      "0001"                                // version 1
      "00000002 0001 61 0001 62"            // Topics ["a", "b"]
      "ffffffff"                            // UserData null
      "00000002"                            // OwnedPartitions: 2 topics
      "0001 61 00000002 00000000 00000002"  // a: [0, 2]
      "0001 62 00000001 00000001");         // b: [1]
}

std::string SubscriptionV3Bytes() {
  return Hex(
      "0003"
      "00000002 0001 61 0001 62"
      "ffffffff"
      "00000002"
      "0001 61 00000002 00000000 00000002"
      "0001 62 00000001 00000001"
      "00000007"   // GenerationId 7
      "0001 72");  // RackId "r"
}

ConsumerAssignment SomeAssignment() {
  ConsumerAssignment a;
  a.partitions = {{"t", 1}, {"t", 0}, {"s", 5}};
  a.user_data = "u";
  return a;
}

std::string AssignmentV0Bytes() {
  return Hex(
      "0000"                                // version 0
      "00000002"                            // 2 topics
      "0001 73 00000001 00000005"           // s: [5]
      "0001 74 00000002 00000000 00000001"  // t: [0, 1]
      "00000001 75");                       // UserData "u"
}

std::vector<TopicPartition> SortedPartitions(std::vector<TopicPartition> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// ---- Key -------------------------------------------------------------------

TEST(GroupKeyTest, GoldenBytesAndRoundTrip) {
  const std::string key = EncodeGroupKey("billing");
  EXPECT_EQ(key, Hex("0002 0007 62696c6c696e67"));
  EXPECT_THAT(DecodeGroupKey(key), Optional(std::string("billing")));
  EXPECT_THAT(DecodeGroupKey(EncodeGroupKey("")), Optional(std::string()));
}

TEST(GroupKeyTest, OtherKeysAreNotGroupKeys) {
  // An OffsetCommitKey v1 (group "g", topic "t", partition 0).
  EXPECT_EQ(DecodeGroupKey(Hex("0001 0001 67 0001 74 00000000")), std::nullopt);
  EXPECT_EQ(DecodeGroupKey(Hex("0000 0001 67 0001 74 00000000")), std::nullopt);
  // A ConsumerGroupMetadataKey (Kafka's newer coordinator, type 3).
  EXPECT_EQ(DecodeGroupKey(Hex("0003 0001 67")), std::nullopt);
  EXPECT_EQ(DecodeGroupKey(Hex("ffff 0001 67")), std::nullopt);
}

TEST(GroupKeyTest, MalformedKeys) {
  const std::string key = EncodeGroupKey("billing");
  for (size_t n = 0; n < key.size(); ++n) {
    EXPECT_EQ(DecodeGroupKey(key.substr(0, n)), std::nullopt) << n;
  }
  EXPECT_EQ(DecodeGroupKey(Hex("0002 ffff")), std::nullopt);  // null group
  EXPECT_EQ(DecodeGroupKey(Hex("0002 7fff 6767")), std::nullopt);
  // Trailing bytes are ignored, as Kafka's generated readers do.
  EXPECT_THAT(DecodeGroupKey(key + "xyz"), Optional(std::string("billing")));
}

// ---- Value -----------------------------------------------------------------

TEST(GroupValueTest, GoldenBytesV3) {
  ASSERT_OK_AND_ASSIGN(std::string value,
                       EncodeGroupMetadataValue(StableGroup()));
  EXPECT_EQ(absl::BytesToHexString(value),
            absl::BytesToHexString(ValueV3Bytes()));
  EXPECT_THAT(DecodeGroupMetadataValue(ValueV3Bytes()),
              testing::IsOkAndHolds(StableGroup()));
}

TEST(GroupValueTest, GoldenBytesEmptyGroup) {
  // An empty group: no protocol, no leader, no members.
  GroupMetadata g;
  g.generation = 5;
  ASSERT_OK_AND_ASSIGN(std::string value, EncodeGroupMetadataValue(g));
  EXPECT_EQ(value, Hex("0003 0008 636f6e73756d6572 00000005 ffff ffff "
                       "ffffffffffffffff 00000000"));
  ASSERT_OK_AND_ASSIGN(GroupMetadata back, DecodeGroupMetadataValue(value));
  EXPECT_EQ(back, g);
  EXPECT_EQ(back.protocol, std::nullopt);
  EXPECT_EQ(back.leader, std::nullopt);
}

TEST(GroupValueTest, RoundTrips) {
  GroupMetadata g = StableGroup();
  g.protocol_type = "";
  g.generation = -7;
  MemberMetadata m2;
  m2.member_id = "m2-with-a-longer-id";
  m2.group_instance_id = std::nullopt;
  m2.client_id = "";
  m2.client_host = "/10.0.0.1";
  m2.rebalance_timeout_ms = -1;
  m2.session_timeout_ms = 45000;
  m2.subscription = std::string("\0\0\xff", 3);
  m2.assignment = std::string(1000, '\x7f');
  g.members.push_back(m2);
  MemberMetadata m3;
  m3.member_id = std::string(32767, 'x');  // the longest string
  g.members.push_back(m3);
  ASSERT_OK_AND_ASSIGN(std::string value, EncodeGroupMetadataValue(g));
  EXPECT_THAT(DecodeGroupMetadataValue(value), testing::IsOkAndHolds(g));
}

TEST(GroupValueTest, EmbeddedConsumerProtocolRoundTrips) {
  ASSERT_OK_AND_ASSIGN(std::string sub,
                       EncodeConsumerSubscription(FullSubscription()));
  ASSERT_OK_AND_ASSIGN(std::string assignment,
                       EncodeConsumerAssignment(SomeAssignment()));
  GroupMetadata g = StableGroup();
  g.members[0].subscription = sub;
  g.members[0].assignment = assignment;
  ASSERT_OK_AND_ASSIGN(std::string value, EncodeGroupMetadataValue(g));
  ASSERT_OK_AND_ASSIGN(GroupMetadata back, DecodeGroupMetadataValue(value));
  ASSERT_EQ(back.members.size(), 1u);
  ASSERT_OK_AND_ASSIGN(
      ConsumerSubscription s,
      DecodeConsumerSubscription(back.members[0].subscription));
  EXPECT_THAT(s.topics, ElementsAre("a", "b"));
  EXPECT_EQ(s.owned_partitions,
            SortedPartitions(FullSubscription().owned_partitions));
  EXPECT_EQ(s.rack_id, std::optional<std::string>("r"));
  ASSERT_OK_AND_ASSIGN(ConsumerAssignment a,
                       DecodeConsumerAssignment(back.members[0].assignment));
  EXPECT_EQ(a.partitions, SortedPartitions(SomeAssignment().partitions));
  EXPECT_EQ(a.user_data, std::optional<std::string>("u"));
}

TEST(GroupValueTest, DecodesV0) {
  // No currentStateTimestamp, rebalanceTimeout or groupInstanceId.
  ASSERT_OK_AND_ASSIGN(GroupMetadata g,
                       DecodeGroupMetadataValue(Hex("0000"
                                                    "0008 636f6e73756d6572"
                                                    "00000002"
                                                    "0005 72616e6765"
                                                    "0002 6d31"
                                                    "00000001"
                                                    "0002 6d31"
                                                    "0001 63"
                                                    "0002 2f68"
                                                    "00002710"
                                                    "00000000"
                                                    "00000001 41")));
  EXPECT_EQ(g.protocol_type, "consumer");
  EXPECT_EQ(g.generation, 2);
  EXPECT_EQ(g.protocol, std::optional<std::string>("range"));
  EXPECT_EQ(g.leader, std::optional<std::string>("m1"));
  EXPECT_EQ(g.current_state_timestamp, -1);
  ASSERT_EQ(g.members.size(), 1u);
  const MemberMetadata& m = g.members[0];
  EXPECT_EQ(m.member_id, "m1");
  EXPECT_EQ(m.group_instance_id, std::nullopt);
  EXPECT_EQ(m.client_id, "c");
  EXPECT_EQ(m.client_host, "/h");
  EXPECT_EQ(m.session_timeout_ms, 10000);
  // Kafka loads a v0 member's rebalance timeout as its session timeout.
  EXPECT_EQ(m.rebalance_timeout_ms, 10000);
  EXPECT_EQ(m.subscription, "");
  EXPECT_EQ(m.assignment, "A");
}

TEST(GroupValueTest, DecodesV1) {
  // Adds the member's rebalanceTimeout.
  ASSERT_OK_AND_ASSIGN(
      GroupMetadata g,
      DecodeGroupMetadataValue(Hex("0001"
                                   "0008 636f6e73756d6572"
                                   "00000002"
                                   "ffff"  // protocol null
                                   "ffff"  // leader null
                                   "00000001"
                                   "0002 6d31"
                                   "0001 63"
                                   "0002 2f68"
                                   "0000ea60"  // rebalanceTimeout 60000
                                   "00002710"
                                   "00000000"
                                   "00000000")));
  EXPECT_EQ(g.protocol, std::nullopt);
  EXPECT_EQ(g.leader, std::nullopt);
  EXPECT_EQ(g.current_state_timestamp, -1);
  ASSERT_EQ(g.members.size(), 1u);
  EXPECT_EQ(g.members[0].rebalance_timeout_ms, 60000);
  EXPECT_EQ(g.members[0].session_timeout_ms, 10000);
  EXPECT_EQ(g.members[0].group_instance_id, std::nullopt);
}

TEST(GroupValueTest, DecodesV2) {
  // Adds currentStateTimestamp (no groupInstanceId yet).
  ASSERT_OK_AND_ASSIGN(GroupMetadata g,
                       DecodeGroupMetadataValue(Hex("0002"
                                                    "0008 636f6e73756d6572"
                                                    "00000003"
                                                    "0005 72616e6765"
                                                    "0002 6d31"
                                                    "0000018bcfe56800"
                                                    "00000001"
                                                    "0002 6d31"
                                                    "0001 63"
                                                    "0002 2f68"
                                                    "0000ea60"
                                                    "00002710"
                                                    "00000001 53"
                                                    "00000001 41")));
  EXPECT_EQ(g.generation, 3);
  EXPECT_EQ(g.current_state_timestamp, 1700000000000);
  ASSERT_EQ(g.members.size(), 1u);
  EXPECT_EQ(g.members[0].group_instance_id, std::nullopt);
  EXPECT_EQ(g.members[0].rebalance_timeout_ms, 60000);
  EXPECT_EQ(g.members[0].subscription, "S");
  EXPECT_EQ(g.members[0].assignment, "A");
}

TEST(GroupValueTest, DecodesV4SkippingTaggedFields) {
  ASSERT_OK_AND_ASSIGN(GroupMetadata g,
                       DecodeGroupMetadataValue(ValueV4Bytes()));
  EXPECT_EQ(g.protocol_type, "consumer");
  EXPECT_EQ(g.generation, 10);
  EXPECT_EQ(g.protocol, std::optional<std::string>("range"));
  EXPECT_EQ(g.leader, std::optional<std::string>("leader"));
  EXPECT_EQ(g.current_state_timestamp, 1000);
  ASSERT_EQ(g.members.size(), 1u);
  const MemberMetadata& m = g.members[0];
  EXPECT_EQ(m.member_id, "member_id");
  EXPECT_EQ(m.group_instance_id,
            std::optional<std::string>("group_instance_id"));
  EXPECT_EQ(m.client_id, "client_id");
  EXPECT_EQ(m.client_host, "client_host");
  EXPECT_EQ(m.rebalance_timeout_ms, 1);
  EXPECT_EQ(m.session_timeout_ms, 2);
  EXPECT_EQ(m.subscription, "");
  EXPECT_EQ(m.assignment, "hi");
}

TEST(GroupValueTest, DecodesV4NullsAndNoTaggedFields) {
  ASSERT_OK_AND_ASSIGN(
      GroupMetadata g,
      DecodeGroupMetadataValue(Hex("0004 01"  // protocolType ""
                                   "00000000"
                                   "00 00"  // protocol, leader null
                                   "ffffffffffffffff"
                                   "02"
                                   "02 6d"  // memberId "m"
                                   "00"     // groupInstanceId null
                                   "01 01"  // clientId, clientHost ""
                                   "ffffffff 00000000"
                                   "01 01 00"  // no tagged fields
                                   "00")));
  EXPECT_EQ(g.protocol_type, "");
  EXPECT_EQ(g.protocol, std::nullopt);
  EXPECT_EQ(g.leader, std::nullopt);
  ASSERT_EQ(g.members.size(), 1u);
  EXPECT_EQ(g.members[0].member_id, "m");
  EXPECT_EQ(g.members[0].group_instance_id, std::nullopt);
  EXPECT_EQ(g.members[0].rebalance_timeout_ms, -1);
}

TEST(GroupValueTest, TrailingBytesAreIgnoredAsKafkaDoes) {
  EXPECT_THAT(DecodeGroupMetadataValue(ValueV3Bytes() + "xyz"),
              testing::IsOkAndHolds(StableGroup()));
}

TEST(GroupValueTest, EveryTruncationFails) {
  for (const std::string& full : {ValueV3Bytes(), ValueV4Bytes()}) {
    for (size_t n = 0; n < full.size(); ++n) {
      EXPECT_THAT(DecodeGroupMetadataValue(full.substr(0, n)).status(),
                  StatusIs(absl::StatusCode::kDataLoss,
                           HasSubstr("corrupt group metadata value")))
          << "prefix of " << n << " bytes";
    }
  }
}

TEST(GroupValueTest, ErrorsNameFieldAndPosition) {
  const std::string v3 = ValueV3Bytes();  // 72 bytes
  ASSERT_EQ(v3.size(), 72u);
  // clientHost (byte 50) claims 32767 bytes.
  std::string bad = v3;
  bad.replace(50, 2, Hex("7fff"));
  EXPECT_THAT(
      DecodeGroupMetadataValue(bad).status(),
      StatusIs(
          absl::StatusCode::kDataLoss,
          AllOf(HasSubstr("members[0].clientHost at byte 50"),
                HasSubstr("length 32767 exceeds the 20 bytes remaining"))));
  // Cut inside the subscription (length at byte 62, 2 bytes) and inside
  // the assignment's length (byte 68).
  EXPECT_THAT(
      DecodeGroupMetadataValue(v3.substr(0, 66)).status(),
      StatusIs(absl::StatusCode::kDataLoss,
               AllOf(HasSubstr("members[0].subscription at byte 62"),
                     HasSubstr("length 2 exceeds the 0 bytes remaining"))));
  EXPECT_THAT(DecodeGroupMetadataValue(v3.substr(0, 70)).status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("members[0].assignment at byte 68"),
                             HasSubstr("needs 4 bytes, only 2 remain"))));
  // Too little left for the members array at all: named at its count.
  EXPECT_THAT(
      DecodeGroupMetadataValue(v3.substr(0, 51)).status(),
      StatusIs(absl::StatusCode::kDataLoss,
               HasSubstr("members at byte 35: count 1 needs at least 15 bytes, "
                         "only 12 remain")));
}

TEST(GroupValueTest, UnknownVersions) {
  for (absl::string_view version : {"0005", "7fff", "ffff", "8000"}) {
    std::string value = ValueV3Bytes();
    value.replace(0, 2, Hex(version));
    EXPECT_THAT(DecodeGroupMetadataValue(value).status(),
                StatusIs(absl::StatusCode::kDataLoss,
                         AllOf(HasSubstr("version at byte 0"),
                               HasSubstr("is not one of 0-4"))))
        << version;
  }
}

TEST(GroupValueTest, HugeCountsAndLengths) {
  // members count 0x7fffffff with 0 bytes after it.
  EXPECT_THAT(DecodeGroupMetadataValue(Hex("0003 0000 00000000 ffff ffff "
                                           "ffffffffffffffff 7fffffff"))
                  .status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("members at byte 20"),
                             HasSubstr("count 2147483647 needs at least"))));
  // protocolType length 32767 with 2 bytes.
  EXPECT_THAT(DecodeGroupMetadataValue(Hex("0003 7fff 6363")).status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("protocolType at byte 2"),
                             HasSubstr("length 32767 exceeds"))));
  // A member's subscription of 0x7fffffff bytes.
  EXPECT_THAT(
      DecodeGroupMetadataValue(Hex("0001 0000 00000000 ffff ffff 00000001 "
                                   "0000 0000 0000 00000000 00000000 "
                                   "7fffffff 000000000000000000000000"))
          .status(),
      StatusIs(absl::StatusCode::kDataLoss,
               AllOf(HasSubstr("members[0].subscription at byte 30"),
                     HasSubstr("length 2147483647 exceeds"))));
  // v4: a compact string longer than Kafka's 0x7fff limit (varint 40001).
  EXPECT_THAT(
      DecodeGroupMetadataValue(Hex("0004 c1b802") + std::string(40000, 'c'))
          .status(),
      StatusIs(absl::StatusCode::kDataLoss,
               AllOf(HasSubstr("protocolType at byte 2"),
                     HasSubstr("over Kafka's limit of 32767"))));
  // v4: members count varint 0xffffffff (n = 2^32 - 2).
  EXPECT_THAT(DecodeGroupMetadataValue(
                  Hex("0004 01 00000000 00 00 ffffffffffffffff ffffffff0f"))
                  .status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("members at byte 17: count 4294967294")));
  // v4: a varint whose fifth byte has the continuation bit.
  EXPECT_THAT(DecodeGroupMetadataValue(Hex("0004 ffffffffff01")).status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("protocolType at byte 2"),
                             HasSubstr("longer than 5 bytes"))));
  // v4: a tagged field larger than what remains.
  std::string v4 = ValueV4Bytes();
  v4.replace(v4.size() - 5, 1, Hex("7f"));  // group tag 1 size 4 -> 127
  EXPECT_THAT(DecodeGroupMetadataValue(v4).status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("_tagged_fields"),
                             HasSubstr("tag 1 has size 127"))));
}

TEST(GroupValueTest, NullsAndNegativeLengths) {
  // protocolType null.
  EXPECT_THAT(DecodeGroupMetadataValue(Hex("0003 ffff")).status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("protocolType at byte 2"),
                             HasSubstr("not nullable"))));
  // protocol of length -2: Kafka never writes it.
  EXPECT_THAT(DecodeGroupMetadataValue(Hex("0003 0000 00000000 fffe")).status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("protocol at byte 8"),
                             HasSubstr("negative length -2"))));
  // members null.
  EXPECT_THAT(DecodeGroupMetadataValue(
                  Hex("0003 0000 00000000 ffff ffff ffffffffffffffff ffffffff"))
                  .status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("members at byte 20"),
                             HasSubstr("not nullable"))));
  // memberId null, clientHost null, assignment null (padded so that the
  // members count passes its size check).
  const std::string head = Hex("0001 0000 00000000 ffff ffff 00000001");
  const std::string pad(16, '\0');
  EXPECT_THAT(DecodeGroupMetadataValue(head + Hex("ffff") + pad).status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("members[0].memberId at byte 16: null")));
  EXPECT_THAT(
      DecodeGroupMetadataValue(head + Hex("0000 0000 ffff") + pad).status(),
      StatusIs(absl::StatusCode::kDataLoss,
               HasSubstr("members[0].clientHost at byte 20: null")));
  EXPECT_THAT(
      DecodeGroupMetadataValue(head + Hex("0000 0000 0000 00000000 00000000 "
                                          "00000000 ffffffff"))
          .status(),
      StatusIs(absl::StatusCode::kDataLoss,
               HasSubstr("members[0].assignment at byte 34: null")));
  // v4: memberId compact null.
  EXPECT_THAT(DecodeGroupMetadataValue(
                  Hex("0004 01 00000000 00 00 ffffffffffffffff 02 00") + pad)
                  .status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("members[0].memberId at byte 18: null")));
  EXPECT_EQ(DecodeValueCode(Hex("0004 00")), absl::StatusCode::kDataLoss);
}

TEST(GroupValueTest, EncoderRejectsOverlongStrings) {
  GroupMetadata g = StableGroup();
  g.members.push_back(g.members[0]);
  g.members[1].client_id = std::string(32768, 'c');
  EXPECT_THAT(EncodeGroupMetadataValue(g).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("members[1].clientId"),
                             HasSubstr("32768 bytes"))));
  g = StableGroup();
  g.leader = std::string(40000, 'l');
  EXPECT_THAT(EncodeGroupMetadataValue(g).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("leader has 40000 bytes")));
}

// ---- Subscription
// ------------------------------------------------------------

TEST(SubscriptionTest, GoldenBytesV1) {
  ASSERT_OK_AND_ASSIGN(std::string bytes,
                       EncodeConsumerSubscription(FullSubscription(), 1));
  EXPECT_EQ(absl::BytesToHexString(bytes),
            absl::BytesToHexString(SubscriptionV1Bytes()));
  ASSERT_OK_AND_ASSIGN(ConsumerSubscription s,
                       DecodeConsumerSubscription(bytes));
  EXPECT_THAT(s.topics, ElementsAre("a", "b"));
  EXPECT_EQ(s.user_data, std::nullopt);
  EXPECT_EQ(s.owned_partitions,
            (std::vector<TopicPartition>{{"a", 0}, {"a", 2}, {"b", 1}}));
  EXPECT_EQ(s.generation_id, -1);  // not in v1
  EXPECT_EQ(s.rack_id, std::nullopt);
}

TEST(SubscriptionTest, GoldenBytesV3IsTheDefault) {
  ASSERT_OK_AND_ASSIGN(std::string bytes,
                       EncodeConsumerSubscription(FullSubscription()));
  EXPECT_EQ(absl::BytesToHexString(bytes),
            absl::BytesToHexString(SubscriptionV3Bytes()));
  ConsumerSubscription want = FullSubscription();
  want.topics = {"a", "b"};
  want.owned_partitions = SortedPartitions(want.owned_partitions);
  EXPECT_THAT(DecodeConsumerSubscription(bytes), testing::IsOkAndHolds(want));
}

TEST(SubscriptionTest, RoundTripsEveryVersion) {
  ConsumerSubscription s;
  s.topics = {"orders", "payments", ""};
  s.user_data = std::string("\x00\x01\x02", 3);
  s.owned_partitions = {{"orders", 3}, {"payments", 0}, {"orders", 1}};
  s.generation_id = 42;
  s.rack_id = "";
  ConsumerSubscription sorted = s;
  sorted.topics = {"", "orders", "payments"};
  sorted.owned_partitions = SortedPartitions(s.owned_partitions);
  for (int16_t version = 0; version <= 3; ++version) {
    ASSERT_OK_AND_ASSIGN(std::string bytes,
                         EncodeConsumerSubscription(s, version));
    EXPECT_EQ(bytes.substr(0, 2), std::string({0, static_cast<char>(version)}));
    ConsumerSubscription want = sorted;
    if (version < 1) want.owned_partitions.clear();
    if (version < 2) want.generation_id = -1;
    if (version < 3) want.rack_id = std::nullopt;
    EXPECT_THAT(DecodeConsumerSubscription(bytes), testing::IsOkAndHolds(want))
        << "version " << version;
  }
  // Empty: no topics, no user data.
  ASSERT_OK_AND_ASSIGN(std::string empty,
                       EncodeConsumerSubscription(ConsumerSubscription{}));
  EXPECT_EQ(empty, Hex("0003 00000000 ffffffff 00000000 ffffffff ffff"));
  EXPECT_THAT(DecodeConsumerSubscription(empty),
              testing::IsOkAndHolds(ConsumerSubscription{}));
}

TEST(SubscriptionTest, VersionIsClamped) {
  ASSERT_OK_AND_ASSIGN(std::string high,
                       EncodeConsumerSubscription(FullSubscription(), 9));
  EXPECT_EQ(high, SubscriptionV3Bytes());
  ASSERT_OK_AND_ASSIGN(std::string low,
                       EncodeConsumerSubscription(FullSubscription(), -2));
  EXPECT_EQ(low, Hex("0000 00000002 0001 61 0001 62 ffffffff"));
}

TEST(SubscriptionTest, DecodesV0) {
  ASSERT_OK_AND_ASSIGN(
      ConsumerSubscription s,
      DecodeConsumerSubscription(Hex("0000"
                                     "00000002 0003 666f6f 0003 626172"
                                     "00000002 6869")));
  EXPECT_THAT(s.topics, ElementsAre("foo", "bar"));  // as written
  EXPECT_EQ(s.user_data, std::optional<std::string>("hi"));
  EXPECT_TRUE(s.owned_partitions.empty());
  EXPECT_EQ(s.generation_id, -1);
  EXPECT_EQ(s.rack_id, std::nullopt);
}

TEST(SubscriptionTest, FutureVersionIsReadAsV3) {
  // ConsumerProtocolTest.deserializeFutureSubscriptionVersion: version 100
  // with a trailing string field "bar".
  ASSERT_OK_AND_ASSIGN(
      ConsumerSubscription s,
      DecodeConsumerSubscription(Hex("0064"
                                     "00000001 0005 746f706963"  // "topic"
                                     "00000000"                  // user data ""
                                     "00000001 0002 7432 00000001 00000001"
                                     "0000000b"         // generation 11
                                     "0004 7261636b"    // rack "rack"
                                     "0003 626172")));  // bar "bar"
  EXPECT_THAT(s.topics, ElementsAre("topic"));
  EXPECT_EQ(s.user_data, std::optional<std::string>(""));
  EXPECT_EQ(s.owned_partitions, (std::vector<TopicPartition>{{"t2", 1}}));
  EXPECT_EQ(s.generation_id, 11);
  EXPECT_EQ(s.rack_id, std::optional<std::string>("rack"));
}

TEST(SubscriptionTest, EveryTruncationFails) {
  for (const std::string& full :
       {SubscriptionV1Bytes(), SubscriptionV3Bytes()}) {
    for (size_t n = 0; n < full.size(); ++n) {
      EXPECT_THAT(DecodeConsumerSubscription(full.substr(0, n)).status(),
                  StatusIs(absl::StatusCode::kDataLoss,
                           HasSubstr("corrupt consumer subscription")))
          << "prefix of " << n << " bytes";
    }
  }
}

TEST(SubscriptionTest, BadInput) {
  EXPECT_THAT(
      DecodeConsumerSubscription(Hex("ffff 00000000 ffffffff")).status(),
      StatusIs(absl::StatusCode::kDataLoss,
               HasSubstr("version at byte 0: version -1 is negative")));
  EXPECT_THAT(DecodeConsumerSubscription(Hex("0000 7fffffff 0001 61")).status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("Topics at byte 2"),
                             HasSubstr("count 2147483647"))));
  EXPECT_THAT(
      DecodeConsumerSubscription(Hex("0000 ffffffff")).status(),
      StatusIs(absl::StatusCode::kDataLoss, AllOf(HasSubstr("Topics at byte 2"),
                                                  HasSubstr("not nullable"))));
  EXPECT_THAT(
      DecodeConsumerSubscription(Hex("0000 00000002 0001 61 ffff")).status(),
      StatusIs(absl::StatusCode::kDataLoss,
               HasSubstr("Topics[1] at byte 9: null")));
  EXPECT_THAT(
      DecodeConsumerSubscription(Hex("0000 00000000 fffffffb")).status(),
      StatusIs(absl::StatusCode::kDataLoss,
               AllOf(HasSubstr("UserData at byte 6"),
                     HasSubstr("negative length -5"))));
  EXPECT_THAT(
      DecodeConsumerSubscription(Hex("0000 00000000 7fffffff 00")).status(),
      StatusIs(absl::StatusCode::kDataLoss,
               AllOf(HasSubstr("UserData at byte 6"),
                     HasSubstr("length 2147483647 exceeds the 1 bytes"))));
  EXPECT_THAT(DecodeConsumerSubscription(
                  Hex("0001 00000000 ffffffff 00000001 ffff 00000000"))
                  .status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("OwnedPartitions[0].Topic at byte 14: null")));
  EXPECT_THAT(DecodeConsumerSubscription(
                  Hex("0001 00000000 ffffffff 00000001 0001 61 40000000 "
                      "00000001"))
                  .status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("OwnedPartitions[0].Partitions at byte 17: "
                                 "count 1073741824")));
  EXPECT_THAT(DecodeConsumerSubscription(
                  Hex("0003 00000000 ffffffff 00000000 ffffffff fffe"))
                  .status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("RackId at byte 18: negative length -2")));
}

TEST(SubscriptionTest, EncoderRejectsOverlongTopic) {
  ConsumerSubscription s;
  s.topics = {"a", std::string(32768, 't')};
  EXPECT_THAT(EncodeConsumerSubscription(s).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Topics[1] has 32768 bytes")));
  s.topics = {"a"};
  s.owned_partitions = {{std::string(32768, 'o'), 0}};
  EXPECT_THAT(EncodeConsumerSubscription(s).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("OwnedPartitions[0].Topic has 32768 bytes")));
  // Version 0 has no owned partitions: nothing to reject.
  RUNNEL_EXPECT_OK(EncodeConsumerSubscription(s, 0).status());
}

// ---- Assignment
// --------------------------------------------------------------

TEST(AssignmentTest, GoldenBytesV0) {
  ASSERT_OK_AND_ASSIGN(std::string bytes,
                       EncodeConsumerAssignment(SomeAssignment(), 0));
  EXPECT_EQ(absl::BytesToHexString(bytes),
            absl::BytesToHexString(AssignmentV0Bytes()));
  ASSERT_OK_AND_ASSIGN(ConsumerAssignment a, DecodeConsumerAssignment(bytes));
  EXPECT_EQ(a.partitions,
            (std::vector<TopicPartition>{{"s", 5}, {"t", 0}, {"t", 1}}));
  EXPECT_EQ(a.user_data, std::optional<std::string>("u"));
}

TEST(AssignmentTest, EveryVersionHasTheSameLayout) {
  for (int16_t version = 0; version <= 3; ++version) {
    ASSERT_OK_AND_ASSIGN(std::string bytes,
                         EncodeConsumerAssignment(SomeAssignment(), version));
    std::string want = AssignmentV0Bytes();
    want[1] = static_cast<char>(version);
    EXPECT_EQ(bytes, want) << "version " << version;
    ConsumerAssignment sorted = SomeAssignment();
    sorted.partitions = SortedPartitions(sorted.partitions);
    EXPECT_THAT(DecodeConsumerAssignment(bytes), testing::IsOkAndHolds(sorted));
  }
  ASSERT_OK_AND_ASSIGN(std::string dflt,
                       EncodeConsumerAssignment(SomeAssignment()));
  EXPECT_EQ(dflt.substr(0, 2), Hex("0003"));
}

TEST(AssignmentTest, EmptyAndNullUserData) {
  ASSERT_OK_AND_ASSIGN(std::string bytes,
                       EncodeConsumerAssignment(ConsumerAssignment{}));
  EXPECT_EQ(bytes, Hex("0003 00000000 ffffffff"));
  EXPECT_THAT(DecodeConsumerAssignment(bytes),
              testing::IsOkAndHolds(ConsumerAssignment{}));
  ConsumerAssignment a;
  a.user_data = "";
  ASSERT_OK_AND_ASSIGN(bytes, EncodeConsumerAssignment(a));
  EXPECT_EQ(bytes, Hex("0003 00000000 00000000"));
  EXPECT_THAT(DecodeConsumerAssignment(bytes), testing::IsOkAndHolds(a));
}

TEST(AssignmentTest, FutureVersionIsReadAsV3) {
  // ConsumerProtocolTest.deserializeFutureAssignmentVersion: version 100
  // with a trailing string field "foo".
  ASSERT_OK_AND_ASSIGN(
      ConsumerAssignment a,
      DecodeConsumerAssignment(Hex("0064"
                                   "00000001 0002 7431 00000001 00000000"
                                   "00000000"
                                   "0003 626172")));
  EXPECT_EQ(a.partitions, (std::vector<TopicPartition>{{"t1", 0}}));
  EXPECT_EQ(a.user_data, std::optional<std::string>(""));
}

TEST(AssignmentTest, EveryTruncationFails) {
  const std::string full = AssignmentV0Bytes();
  for (size_t n = 0; n < full.size(); ++n) {
    EXPECT_THAT(DecodeConsumerAssignment(full.substr(0, n)).status(),
                StatusIs(absl::StatusCode::kDataLoss,
                         HasSubstr("corrupt consumer assignment")))
        << "prefix of " << n << " bytes";
  }
}

TEST(AssignmentTest, BadInput) {
  EXPECT_THAT(DecodeConsumerAssignment(Hex("8000 00000000 ffffffff")).status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("version -32768 is negative")));
  EXPECT_THAT(DecodeConsumerAssignment(Hex("0000 ffffffff")).status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("AssignedPartitions at byte 2"),
                             HasSubstr("not nullable"))));
  EXPECT_THAT(DecodeConsumerAssignment(Hex("0000 00ffffff 0001 61")).status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("AssignedPartitions at byte 2"),
                             HasSubstr("count 16777215"))));
  EXPECT_THAT(
      DecodeConsumerAssignment(Hex("0000 00000001 0001 61 ffffffff")).status(),
      StatusIs(absl::StatusCode::kDataLoss,
               HasSubstr("AssignedPartitions[0].Partitions at byte 9: null")));
  EXPECT_THAT(
      DecodeConsumerAssignment(Hex("0000 00000001 0001 61 00000002 00000001"))
          .status(),
      StatusIs(absl::StatusCode::kDataLoss,
               HasSubstr("AssignedPartitions[0].Partitions at byte 9: count 2 "
                         "needs at least 8 bytes, only 4 remain")));
  EXPECT_THAT(DecodeConsumerAssignment(Hex("0000 00000000 80000000")).status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("UserData at byte 6: negative length")));
}

TEST(AssignmentTest, EncoderRejectsOverlongTopic) {
  ConsumerAssignment a;
  a.partitions = {{"a", 0}, {std::string(40000, 'z'), 1}};
  EXPECT_THAT(EncodeConsumerAssignment(a).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("AssignedPartitions[1].Topic has 40000")));
}

// Every decoder, on every single-byte corruption of a valid encoding:
// either a value or DataLoss, never anything else (ASan checks the reads).
TEST(CorruptionTest, SingleByteChangesFailCleanly) {
  const std::vector<
      std::pair<std::string, absl::StatusCode (*)(absl::string_view)>>
      cases = {
          {ValueV3Bytes(),
           [](absl::string_view b) {
             return DecodeGroupMetadataValue(b).status().code();
           }},
          {ValueV4Bytes(),
           [](absl::string_view b) {
             return DecodeGroupMetadataValue(b).status().code();
           }},
          {SubscriptionV3Bytes(),
           [](absl::string_view b) {
             return DecodeConsumerSubscription(b).status().code();
           }},
          {AssignmentV0Bytes(),
           [](absl::string_view b) {
             return DecodeConsumerAssignment(b).status().code();
           }},
      };
  int failures = 0;
  for (const auto& [bytes, decode] : cases) {
    for (size_t i = 0; i < bytes.size(); ++i) {
      for (char c : {'\x00', '\x01', '\x7f', '\x80', '\xff'}) {
        std::string bad = bytes;
        bad[i] = c;
        const absl::StatusCode code = decode(bad);
        EXPECT_TRUE(code == absl::StatusCode::kOk ||
                    code == absl::StatusCode::kDataLoss)
            << "byte " << i << " = " << static_cast<int>(c);
        if (code == absl::StatusCode::kDataLoss) ++failures;
      }
    }
  }
  EXPECT_GT(failures, 100);  // most corruptions of lengths are caught
}

}  // namespace
}  // namespace runnel
