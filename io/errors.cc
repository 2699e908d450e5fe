// Copyright 2026 The Runnel Authors.
#include "io/errors.h"

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace runnel {
namespace internal {
namespace {

std::string Message(absl::string_view op, absl::string_view path,
                    absl::string_view detail, absl::string_view why) {
  if (detail.empty()) return absl::StrCat(op, " ", path, ": ", why);
  return absl::StrCat(op, " ", path, " (", detail, "): ", why);
}

}  // namespace

absl::StatusCode ErrnoToCode(int err) {
  switch (err) {
    case ENOENT:
      return absl::StatusCode::kNotFound;
    case EEXIST:
      return absl::StatusCode::kAlreadyExists;
    case ENOSPC:
    case EDQUOT:
      return absl::StatusCode::kResourceExhausted;
    case EACCES:
    case EPERM:
    case EROFS:
      return absl::StatusCode::kPermissionDenied;
    case ENOTEMPTY:
    case EISDIR:
    case ENOTDIR:
    case EBADF:
      return absl::StatusCode::kFailedPrecondition;
    case EINVAL:
      return absl::StatusCode::kInvalidArgument;
    case EIO:
      return absl::StatusCode::kInternal;
    default: {
      const absl::StatusCode code = absl::ErrnoToStatusCode(err);
      return code == absl::StatusCode::kUnknown ? absl::StatusCode::kInternal
                                                : code;
    }
  }
}

std::string ErrnoText(int err) {
  char buf[256];
  // GNU strerror_r: returns a pointer to the text (maybe not `buf`).
  const char* text = strerror_r(err, buf, sizeof(buf));
  return text != nullptr ? std::string(text) : absl::StrCat("errno ", err);
}

absl::Status IoError(int err, absl::string_view op, absl::string_view path,
                     absl::string_view detail) {
  return absl::Status(ErrnoToCode(err),
                      Message(op, path, detail, ErrnoText(err)));
}

absl::Status PathError(absl::StatusCode code, absl::string_view op,
                       absl::string_view path, absl::string_view why) {
  return absl::Status(code, Message(op, path, {}, why));
}

std::string RenamePaths(absl::string_view from, absl::string_view to) {
  return absl::StrCat(from, " -> ", to);
}

std::string RangeDetail(uint64_t offset, uint64_t length) {
  return absl::StrCat("offset ", offset, " length ", length);
}

absl::Status LockHeldError(absl::string_view dir, absl::string_view holder) {
  return absl::FailedPreconditionError(
      absl::StrCat("lock ", dir, ": directory is already locked by ", holder,
                   " (lock file ", dir, "/LOCK)"));
}

absl::Status CheckOpenOptions(absl::string_view path, bool create,
                              bool exclusive, bool truncate, bool read_only) {
  if (exclusive && !create) {
    return PathError(absl::StatusCode::kInvalidArgument, "open", path,
                     "OpenOptions.exclusive requires create");
  }
  if (truncate && read_only) {
    return PathError(absl::StatusCode::kInvalidArgument, "open", path,
                     "OpenOptions.truncate conflicts with read_only");
  }
  return absl::OkStatus();
}

absl::Status ReadOnlyError(absl::string_view op, absl::string_view path) {
  return IoError(EBADF, op, path, "file is open read-only");
}

absl::Status ClosedError(absl::string_view op, absl::string_view path) {
  return PathError(absl::StatusCode::kFailedPrecondition, op, path,
                   "file is closed");
}

absl::Status MapBeyondEofError(absl::string_view path, uint64_t offset,
                               uint64_t length, uint64_t file_size) {
  return PathError(absl::StatusCode::kFailedPrecondition, "map", path,
                   absl::StrCat("range ", RangeDetail(offset, length),
                                " is not inside the file size ", file_size,
                                " (Reserve the space before mapping it)"));
}

}  // namespace internal
}  // namespace runnel
