// Copyright 2026 The Runnel Authors.
//
// Kept apart from the rest of the consumer: <regex> reports a bad pattern
// only by throwing, and GCC 12 warns (falsely, -Wmaybe-uninitialized)
// inside libstdc++'s regex compiler under the sanitizer builds; this file
// alone is built without that warning.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "consumer/topic_pattern.h"

#include <memory>
#include <regex>

#include "absl/strings/str_cat.h"

namespace runnel {

absl::StatusOr<TopicMatcher> CompileTopicPattern(absl::string_view regex) {
  std::shared_ptr<const std::regex> re;
  try {
    re = std::make_shared<const std::regex>(regex.begin(), regex.end());
  } catch (const std::regex_error& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("subscription pattern ", regex,
                     " is not a valid regular expression: ", e.what()));
  }
  return TopicMatcher([re](absl::string_view topic) {
    return std::regex_match(topic.begin(), topic.end(), *re);
  });
}

}  // namespace runnel
