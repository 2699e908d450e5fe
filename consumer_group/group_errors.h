// Copyright 2026 The Runnel Authors.
//
// consumer_group/group_errors.h — Kafka's group error codes as Runnel
// statuses. A coordinator error reads "<KAFKA_ERROR>: group <g>: <why>" and
// carries the error's name as the payload kGroupErrorPayload, so callers
// (the Consumer) can act on the kind without parsing text. Internal.
//
//   absl::Status s = GroupStatus(GroupError::kUnknownMemberId, "billing",
//                                "member c-1 is not in generation 4");
//   if (GroupErrorOf(s) == GroupError::kUnknownMemberId) ... rejoin ...
//
// Status codes: REBALANCE_IN_PROGRESS is Aborted (retry),
// INCONSISTENT_GROUP_PROTOCOL InvalidArgument, the rest FailedPrecondition.
#ifndef RUNNEL_CONSUMER_GROUP_GROUP_ERRORS_H_
#define RUNNEL_CONSUMER_GROUP_GROUP_ERRORS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace runnel {

// Kafka's group error codes, as the payload of a coordinator error.
enum class GroupError {
  kNone,
  kRebalanceInProgress,
  kUnknownMemberId,
  kIllegalGeneration,
  kFencedInstanceId,
  kNonEmptyGroup,
  kInconsistentGroupProtocol,
};
inline constexpr char kGroupErrorPayload[] = "runnel.kafka_group_error";

// Kafka's name of `e` ("UNKNOWN_MEMBER_ID", ...).
absl::string_view GroupErrorName(GroupError e);
// "<KAFKA_ERROR>: group <group>: <message>", with the error as the payload.
absl::Status GroupStatus(GroupError e, absl::string_view group,
                         absl::string_view message);
// The GroupError of a coordinator status (kNone for others).
GroupError GroupErrorOf(const absl::Status& status);

}  // namespace runnel

#endif  // RUNNEL_CONSUMER_GROUP_GROUP_ERRORS_H_
