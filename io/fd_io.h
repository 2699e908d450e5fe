// Copyright 2026 The Runnel Authors.
//
// io/fd_io.h — positional read/write loops on a file descriptor. Internal;
// shared by the POSIX and in-memory file systems so both retry EINTR and
// continue short transfers the same way.
//
//   ASSIGN_OR_RETURN(size_t n, ReadFullyAt(fd, 0, absl::MakeSpan(buf), path));
//
// Thread-safety: as pread/pwrite (safe on a shared descriptor).
#ifndef RUNNEL_IO_FD_IO_H_
#define RUNNEL_IO_FD_IO_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace runnel {
namespace internal {

// pread until `dst` is full or end of file; returns the byte count.
// Errors read "read <path> (offset O length L): <strerror>".
absl::StatusOr<size_t> ReadFullyAt(int fd, uint64_t offset,
                                   absl::Span<char> dst,
                                   absl::string_view path);

// pwrite until all of `data` is written. Errors name `op` and `path`.
absl::Status WriteFullyAt(int fd, uint64_t offset, absl::string_view data,
                          absl::string_view op, absl::string_view path);

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_IO_FD_IO_H_
