// Copyright 2026 The Runnel Authors.
#include "consumer_group/group_errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace runnel {
namespace {

absl::StatusCode CodeOf(GroupError e) {
  switch (e) {
    case GroupError::kRebalanceInProgress:
      return absl::StatusCode::kAborted;
    case GroupError::kInconsistentGroupProtocol:
      return absl::StatusCode::kInvalidArgument;
    default:
      return absl::StatusCode::kFailedPrecondition;
  }
}

}  // namespace

absl::string_view GroupErrorName(GroupError e) {
  switch (e) {
    case GroupError::kNone:
      return "NONE";
    case GroupError::kRebalanceInProgress:
      return "REBALANCE_IN_PROGRESS";
    case GroupError::kUnknownMemberId:
      return "UNKNOWN_MEMBER_ID";
    case GroupError::kIllegalGeneration:
      return "ILLEGAL_GENERATION";
    case GroupError::kFencedInstanceId:
      return "FENCED_INSTANCE_ID";
    case GroupError::kNonEmptyGroup:
      return "NON_EMPTY_GROUP";
    case GroupError::kInconsistentGroupProtocol:
      return "INCONSISTENT_GROUP_PROTOCOL";
  }
  return "UNKNOWN";
}

absl::Status GroupStatus(GroupError e, absl::string_view group,
                         absl::string_view message) {
  absl::Status status(CodeOf(e), absl::StrCat(GroupErrorName(e), ": group ",
                                              group, ": ", message));
  status.SetPayload(kGroupErrorPayload, absl::Cord(GroupErrorName(e)));
  return status;
}

GroupError GroupErrorOf(const absl::Status& status) {
  auto payload = status.GetPayload(kGroupErrorPayload);
  if (!payload.has_value()) return GroupError::kNone;
  for (GroupError e :
       {GroupError::kRebalanceInProgress, GroupError::kUnknownMemberId,
        GroupError::kIllegalGeneration, GroupError::kFencedInstanceId,
        GroupError::kNonEmptyGroup, GroupError::kInconsistentGroupProtocol}) {
    if (*payload == GroupErrorName(e)) return e;
  }
  return GroupError::kNone;
}

}  // namespace runnel
