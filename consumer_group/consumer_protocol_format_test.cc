// Copyright 2026 The Runnel Authors.
//
// The consumer protocol's embedded bytes (ConsumerProtocolSubscription and
// ConsumerProtocolAssignment v0-3): golden bytes, every version, future
// versions read as v3 (after Kafka's ConsumerProtocolTest), malformed
// input, and single-byte corruption of every format.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "consumer_group/group_metadata_format.h"
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
}  // namespace format_testing
}  // namespace runnel
