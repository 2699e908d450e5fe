// Copyright 2026 The Runnel Authors.
//
// io/test_util.h — small helpers for io/ tests (testonly): whole-file
// read/write through any FileSystem, a scratch directory on the real disk,
// and gmock matchers for absl::Status.
//
//   ScratchDir dir;  // $TEST_TMPDIR/io-XXXXXX, removed at destruction
//   ASSERT_OK(WriteFile(fs, dir.path() + "/f", "abc"));
//   EXPECT_THAT(ReadFile(fs, dir.path() + "/f"), IsOkAndHolds("abc"));
//   EXPECT_THAT(fs->RemoveFile("/nope"), StatusIs(absl::StatusCode::kNotFound,
//                                                 HasSubstr("/nope")));
#ifndef RUNNEL_IO_TEST_UTIL_H_
#define RUNNEL_IO_TEST_UTIL_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "runnel/file_system.h"

namespace runnel {
namespace testing {

// Creates (or truncates) `path` with `content`.
absl::Status WriteFile(FileSystem* fs, absl::string_view path,
                       absl::string_view content);
// The whole content of `path`.
absl::StatusOr<std::string> ReadFile(FileSystem* fs, absl::string_view path);
// The whole content through an open File.
absl::StatusOr<std::string> ReadAll(File* file);

// A fresh directory under $TEST_TMPDIR (or /tmp), removed with its content.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

MATCHER(IsOk, "is OK") {
  *result_listener << "status: " << arg;
  return arg.ok();
}

MATCHER_P2(
    StatusIs, code, message_matcher,
    absl::StrCat("has code ", absl::StatusCodeToString(code),
                 " and a message that ",
                 ::testing::DescribeMatcher<std::string>(message_matcher))) {
  *result_listener << "status: " << arg;
  return arg.code() == code &&
         ::testing::Matches(message_matcher)(std::string(arg.message()));
}

MATCHER_P(IsOkAndHolds, value_matcher, "") {
  if (!arg.ok()) {
    *result_listener << "status: " << arg.status();
    return false;
  }
  *result_listener << "value: " << ::testing::PrintToString(*arg) << " ";
  return ::testing::ExplainMatchResult(value_matcher, *arg, result_listener);
}

}  // namespace testing
}  // namespace runnel

#define RUNNEL_ASSERT_OK(expr) ASSERT_THAT((expr), ::runnel::testing::IsOk())
#define RUNNEL_EXPECT_OK(expr) EXPECT_THAT((expr), ::runnel::testing::IsOk())

// ASSERT_OK_AND_ASSIGN(lhs, StatusOr expression).
#define RUNNEL_CONCAT_INNER(a, b) a##b
#define RUNNEL_CONCAT(a, b) RUNNEL_CONCAT_INNER(a, b)
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL(RUNNEL_CONCAT(statusor_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL(statusor, lhs, expr) \
  auto statusor = (expr);                              \
  ASSERT_TRUE(statusor.ok()) << statusor.status();     \
  lhs = std::move(statusor).value()

#endif  // RUNNEL_IO_TEST_UTIL_H_
