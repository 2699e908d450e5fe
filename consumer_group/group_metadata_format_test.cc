// Copyright 2026 The Runnel Authors.
//
// Kafka's group metadata records (GroupMetadataKey v2, GroupMetadataValue
// v0-4): round trips, golden bytes written by hand from Kafka's JSON
// schemas (layouts in group_metadata_format.cc), older and newer versions
// built by hand (after Kafka's GroupMetadataManagerTest), and malformed
// input: every truncation, huge and negative lengths, nulls where not
// nullable, unknown versions. The consumer-protocol bytes:
// consumer_protocol_format_test.cc.
#include "consumer_group/group_metadata_format.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "consumer_group/group_metadata_format_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/test_util.h"

namespace runnel {
namespace format_testing {
namespace {

using ::runnel::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;

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

}  // namespace
}  // namespace format_testing
}  // namespace runnel
