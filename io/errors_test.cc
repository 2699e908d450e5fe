// Copyright 2026 The Runnel Authors.
#include "io/errors.h"

#include <cerrno>

#include "gtest/gtest.h"

namespace runnel {
namespace internal {
namespace {

TEST(ErrnoToCodeTest, MapsTheErrorsCallersBranchOn) {
  EXPECT_EQ(ErrnoToCode(ENOENT), absl::StatusCode::kNotFound);
  EXPECT_EQ(ErrnoToCode(EEXIST), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ErrnoToCode(ENOSPC), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ErrnoToCode(EDQUOT), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ErrnoToCode(EACCES), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrnoToCode(EPERM), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrnoToCode(ENOTEMPTY), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrnoToCode(EIO), absl::StatusCode::kInternal);
  EXPECT_EQ(ErrnoToCode(ELOOP), absl::StatusCode::kInternal);  // absl: Unknown.
}

TEST(IoErrorTest, NamesOperationPathDetailAndStrerror) {
  EXPECT_EQ(IoError(ENOENT, "open", "/a/b"),
            absl::NotFoundError("open /a/b: No such file or directory"));
  EXPECT_EQ(IoError(ENOSPC, "reserve", "/f", RangeDetail(0, 4096)),
            absl::ResourceExhaustedError(
                "reserve /f (offset 0 length 4096): No space left on device"));
  EXPECT_EQ(IoError(EIO, "rename", RenamePaths("/a", "/b")),
            absl::InternalError("rename /a -> /b: Input/output error"));
}

}  // namespace
}  // namespace internal
}  // namespace runnel
