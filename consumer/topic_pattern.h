// Copyright 2026 The Runnel Authors.
//
// consumer/topic_pattern.h — the matcher behind Consumer::SubscribePattern:
// a regular expression (ECMAScript syntax, std::regex) that must match a
// topic's whole name, as Kafka's Pattern subscriptions do. Internal.
#ifndef RUNNEL_CONSUMER_TOPIC_PATTERN_H_
#define RUNNEL_CONSUMER_TOPIC_PATTERN_H_

#include <functional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace runnel {

using TopicMatcher = std::function<bool(absl::string_view topic)>;

// InvalidArgument naming `regex` and what is wrong with it.
absl::StatusOr<TopicMatcher> CompileTopicPattern(absl::string_view regex);

}  // namespace runnel

#endif  // RUNNEL_CONSUMER_TOPIC_PATTERN_H_
