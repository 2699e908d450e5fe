// Copyright 2026 The Runnel Authors.
//
// consumer_group/group_metadata_format_test_util.h — the sample records
// and hand-written golden bytes the group-metadata format tests share.
// Test-only.
#ifndef RUNNEL_CONSUMER_GROUP_GROUP_METADATA_FORMAT_TEST_UTIL_H_
#define RUNNEL_CONSUMER_GROUP_GROUP_METADATA_FORMAT_TEST_UTIL_H_

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "consumer_group/group_metadata_format.h"

namespace runnel {
namespace format_testing {

// Hex with spaces for readability.
inline std::string Hex(absl::string_view hex) {
  return absl::HexStringToBytes(absl::StrReplaceAll(hex, {{" ", ""}}));
}

inline absl::StatusCode DecodeValueCode(absl::string_view bytes) {
  return DecodeGroupMetadataValue(bytes).status().code();
}

// The value of ValueV3Bytes.
inline GroupMetadata StableGroup() {
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
inline std::string ValueV3Bytes() {
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
inline std::string ValueV4Bytes() {
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

inline ConsumerSubscription FullSubscription() {
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
inline std::string SubscriptionV1Bytes() {
  return Hex(
      "0001"                                // version 1
      "00000002 0001 61 0001 62"            // Topics ["a", "b"]
      "ffffffff"                            // UserData null
      "00000002"                            // OwnedPartitions: 2 topics
      "0001 61 00000002 00000000 00000002"  // a: [0, 2]
      "0001 62 00000001 00000001");         // b: [1]
}

inline std::string SubscriptionV3Bytes() {
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

inline ConsumerAssignment SomeAssignment() {
  ConsumerAssignment a;
  a.partitions = {{"t", 1}, {"t", 0}, {"s", 5}};
  a.user_data = "u";
  return a;
}

inline std::string AssignmentV0Bytes() {
  return Hex(
      "0000"                                // version 0
      "00000002"                            // 2 topics
      "0001 73 00000001 00000005"           // s: [5]
      "0001 74 00000002 00000000 00000001"  // t: [0, 1]
      "00000001 75");                       // UserData "u"
}

inline std::vector<TopicPartition> SortedPartitions(
    std::vector<TopicPartition> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace format_testing
}  // namespace runnel

#endif  // RUNNEL_CONSUMER_GROUP_GROUP_METADATA_FORMAT_TEST_UTIL_H_
