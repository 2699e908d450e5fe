// Copyright 2026 The Runnel Authors.
//
// consumer_group/group_metadata_format.h — Kafka's binary formats for a
// consumer group's state, so Runnel can keep it in `__consumer_offsets` in
// Kafka's own bytes (beside the offset commits of offset_store.h) and
// Kafka's tools can decode it:
//   - the record key GroupMetadataKey (key version 2: the group id),
//   - the record value GroupMetadataValue (the generation, protocol, leader
//     and every member with its subscription and assignment),
//   - the two byte strings a "consumer" group's members carry inside it,
//     ConsumerProtocolSubscription and ConsumerProtocolAssignment.
// Layouts and their sources in apache/kafka are in the .cc file.
//
//   GroupMetadata g;                       // protocol_type "consumer"
//   g.generation = 3;
//   g.protocol = "range";
//   g.leader = "m-1";
//   MemberMetadata m;
//   m.member_id = "m-1";
//   ...
//   m.subscription = *EncodeConsumerSubscription({{"orders"}});
//   m.assignment = *EncodeConsumerAssignment({{{"orders", 0}}});
//   g.members.push_back(m);
//   std::string key = EncodeGroupKey("billing");
//   absl::StatusOr<std::string> value = EncodeGroupMetadataValue(g);
//   ...
//   std::optional<std::string> group = DecodeGroupKey(key);   // "billing"
//   absl::StatusOr<GroupMetadata> back = DecodeGroupMetadataValue(*value);
//
// Versions: values are written as Kafka 2.3+ writes them (version 3) and
// read in every version Kafka defines (0-4); subscriptions and assignments
// are written in version 3 by default, as Kafka's clients write them, and
// read in any version >= 0 (a version past 3 is read as version 3, ignoring
// what follows: Kafka's ConsumerProtocol contract is that later versions
// only append fields).
//
// Errors: decoders never read past their input. Malformed input (truncated,
// a length or count larger than what remains, a negative length, null where
// the field is not nullable, an unknown version) is DataLoss naming the
// field (Kafka's schema name, e.g. "members[1].clientHost") and the byte
// position it starts at. Bytes after the last field are ignored, as
// Kafka's generated readers ignore them. Encoders fail with
// InvalidArgument, naming the field, on a string longer than Kafka's limit
// of 32767 bytes. A deleted group is a tombstone (a record with a null
// value), which is the caller's business: nothing here encodes one.
//
// Values are not checked beyond the format (e.g. a negative partition or
// generation decodes as written).
//
// Thread-safety: pure functions. Lifetimes: results own their bytes.
#ifndef RUNNEL_CONSUMER_GROUP_GROUP_METADATA_FORMAT_H_
#define RUNNEL_CONSUMER_GROUP_GROUP_METADATA_FORMAT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runnel/partition.h"

namespace runnel {

// ---- Key -----------------------------------------------------------------

// GroupMetadataKey: int16 2, then the group id. Expects a group of at most
// 32767 bytes (callers check, as for OffsetStore::EncodeKey); a longer one
// is cut there.
std::string EncodeGroupKey(absl::string_view group);

// The group id of a version-2 key; nullopt for any other key (versions 0-1
// are offset commits, see OffsetStore::DecodeKey; 3+ are Kafka's newer
// coordinator records) or a malformed one. Trailing bytes are ignored.
std::optional<std::string> DecodeGroupKey(absl::string_view key);

// ---- Value ---------------------------------------------------------------

// One member of the group (GroupMetadataValue.MemberMetadata).
struct MemberMetadata {
  std::string member_id;
  std::optional<std::string> group_instance_id;  // static membership
  std::string client_id;
  std::string client_host;
  // Version 0 records have none: decoded as session_timeout_ms, which is
  // how both of Kafka's group coordinators load them.
  int32_t rebalance_timeout_ms = -1;
  int32_t session_timeout_ms = 0;
  // The member's metadata for the group's protocol (for "consumer": a
  // ConsumerProtocolSubscription) and its assignment (a
  // ConsumerProtocolAssignment); opaque bytes here.
  std::string subscription;
  std::string assignment;

  friend bool operator==(const MemberMetadata& a, const MemberMetadata& b) {
    return a.member_id == b.member_id &&
           a.group_instance_id == b.group_instance_id &&
           a.client_id == b.client_id && a.client_host == b.client_host &&
           a.rebalance_timeout_ms == b.rebalance_timeout_ms &&
           a.session_timeout_ms == b.session_timeout_ms &&
           a.subscription == b.subscription && a.assignment == b.assignment;
  }
  friend bool operator!=(const MemberMetadata& a, const MemberMetadata& b) {
    return !(a == b);
  }
};

// A group's state (GroupMetadataValue).
struct GroupMetadata {
  std::string protocol_type = "consumer";  // "" for a group without one
  int32_t generation = 0;
  std::optional<std::string> protocol;  // the chosen assignor; null if none
  std::optional<std::string> leader;    // the leader's member id, if any
  // When the group last changed state (ms since the epoch); -1 if unknown
  // (always for versions 0-1).
  int64_t current_state_timestamp = -1;
  std::vector<MemberMetadata> members;

  friend bool operator==(const GroupMetadata& a, const GroupMetadata& b) {
    return a.protocol_type == b.protocol_type && a.generation == b.generation &&
           a.protocol == b.protocol && a.leader == b.leader &&
           a.current_state_timestamp == b.current_state_timestamp &&
           a.members == b.members;
  }
  friend bool operator!=(const GroupMetadata& a, const GroupMetadata& b) {
    return !(a == b);
  }
};

// The version EncodeGroupMetadataValue writes (Kafka 2.3+ writes it too).
inline constexpr int16_t kGroupMetadataValueVersion = 3;

// Version-prefixed GroupMetadataValue v3. InvalidArgument for a string
// over 32767 bytes (see the banner).
absl::StatusOr<std::string> EncodeGroupMetadataValue(
    const GroupMetadata& group);

// Decodes a value of version 0-4 (4 is Kafka's flexible encoding; its
// tagged fields are skipped). DataLoss if malformed (see the banner).
absl::StatusOr<GroupMetadata> DecodeGroupMetadataValue(absl::string_view value);

// ---- The "consumer" protocol's embedded bytes -----------------------------

// What a member subscribes to (ConsumerProtocolSubscription).
struct ConsumerSubscription {
  std::vector<std::string> topics;
  std::optional<std::string> user_data;          // the assignor's; null if none
  std::vector<TopicPartition> owned_partitions;  // version 1+
  int32_t generation_id = -1;                    // version 2+; -1: unknown
  std::optional<std::string> rack_id;            // version 3+

  friend bool operator==(const ConsumerSubscription& a,
                         const ConsumerSubscription& b) {
    return a.topics == b.topics && a.user_data == b.user_data &&
           a.owned_partitions == b.owned_partitions &&
           a.generation_id == b.generation_id && a.rack_id == b.rack_id;
  }
  friend bool operator!=(const ConsumerSubscription& a,
                         const ConsumerSubscription& b) {
    return !(a == b);
  }
};

// What a member was given (ConsumerProtocolAssignment).
struct ConsumerAssignment {
  std::vector<TopicPartition> partitions;
  std::optional<std::string> user_data;  // the assignor's; null if none

  friend bool operator==(const ConsumerAssignment& a,
                         const ConsumerAssignment& b) {
    return a.partitions == b.partitions && a.user_data == b.user_data;
  }
  friend bool operator!=(const ConsumerAssignment& a,
                         const ConsumerAssignment& b) {
    return !(a == b);
  }
};

// The newest version of both schemas (Kafka 3.5+), which Kafka's clients
// write and the encoders below write by default.
inline constexpr int16_t kConsumerProtocolVersion = 3;

// Version-prefixed ConsumerProtocolSubscription in `version` (0-3; others
// are clamped into that range), dropping the fields that version lacks.
// As Kafka's ConsumerProtocol.serializeSubscription: topics are written
// sorted, owned partitions sorted and grouped by topic. Version 3 is the
// default because it is what Kafka's clients write and the only one that
// keeps every field. InvalidArgument for a string over 32767 bytes.
absl::StatusOr<std::string> EncodeConsumerSubscription(
    const ConsumerSubscription& subscription,
    int16_t version = kConsumerProtocolVersion);

// Decodes any version >= 0 (past 3: read as 3). Owned partitions come out
// in the order written (topic by topic); a rack id written as "" stays ""
// (Kafka's Subscription reports it as absent).
absl::StatusOr<ConsumerSubscription> DecodeConsumerSubscription(
    absl::string_view subscription);

// Version-prefixed ConsumerProtocolAssignment. Every version has the same
// layout, so `version` (0-3, clamped) only sets the prefix; 3 is what
// Kafka's clients write. Partitions are written sorted and grouped by
// topic (Kafka groups them by topic in order of first appearance: the same
// bytes for sorted input). InvalidArgument for a string over 32767 bytes.
absl::StatusOr<std::string> EncodeConsumerAssignment(
    const ConsumerAssignment& assignment,
    int16_t version = kConsumerProtocolVersion);

// Decodes any version >= 0 (past 3: read as 3). Partitions come out in the
// order written.
absl::StatusOr<ConsumerAssignment> DecodeConsumerAssignment(
    absl::string_view assignment);

}  // namespace runnel

#endif  // RUNNEL_CONSUMER_GROUP_GROUP_METADATA_FORMAT_H_
