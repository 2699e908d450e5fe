// Copyright 2026 The Runnel Authors.
//
// io/errors.h — how io/ turns errno values into absl::Status. Internal.
//
// Every implementation (POSIX, in-memory, fault-injecting) builds its errors
// here, so the same failure reads the same everywhere:
//
//   IoError(ENOENT, "open", "/data/x.log")
//     -> NotFound("open /data/x.log: No such file or directory")
//   IoError(ENOSPC, "reserve", "/data/x.log", "offset 0 length 4096")
//     -> ResourceExhausted("reserve /data/x.log (offset 0 length 4096):
//                           No space left on device")
//
// Thread-safety: all functions are thread-safe (strerror_r).
#ifndef RUNNEL_IO_ERRORS_H_
#define RUNNEL_IO_ERRORS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace runnel {
namespace internal {

// The status code for an errno value (see runnel/file_system.h for the map).
absl::StatusCode ErrnoToCode(int err);

// strerror(err), thread-safe.
std::string ErrnoText(int err);

// "<op> <path>[ (<detail>)]: <strerror>", with the code from ErrnoToCode.
absl::Status IoError(int err, absl::string_view op, absl::string_view path,
                     absl::string_view detail = {});

// A status with `code` and the same "<op> <path>[ (<detail>)]: <why>" shape,
// for failures that have no errno (a closed file, a range check).
absl::Status PathError(absl::StatusCode code, absl::string_view op,
                       absl::string_view path, absl::string_view why);

// "<from> -> <to>": how a rename names its two paths in messages.
std::string RenamePaths(absl::string_view from, absl::string_view to);

// The message detail for a positional operation: "offset O length L".
std::string RangeDetail(uint64_t offset, uint64_t length);

// Error text of a lock held by someone else, shared by all implementations.
// `holder` reads like "process 1234".
absl::Status LockHeldError(absl::string_view dir, absl::string_view holder);

// InvalidArgument for option combinations every implementation rejects
// (exclusive without create, truncate with read_only); OK otherwise.
absl::Status CheckOpenOptions(absl::string_view path, bool create,
                              bool exclusive, bool truncate, bool read_only);

// The FailedPrecondition every implementation returns for a mutation through
// a File opened read-only (EBADF, like write(2) on an O_RDONLY descriptor).
absl::Status ReadOnlyError(absl::string_view op, absl::string_view path);

// The FailedPrecondition for any call on a File after Close.
absl::Status ClosedError(absl::string_view op, absl::string_view path);

// The FailedPrecondition for a Map whose range does not lie inside the file.
absl::Status MapBeyondEofError(absl::string_view path, uint64_t offset,
                               uint64_t length, uint64_t file_size);

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_IO_ERRORS_H_
