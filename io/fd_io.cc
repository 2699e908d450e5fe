// Copyright 2026 The Runnel Authors.
#include "io/fd_io.h"

#include <unistd.h>

#include <cerrno>

#include "io/errors.h"

namespace runnel {
namespace internal {

absl::StatusOr<size_t> ReadFullyAt(int fd, uint64_t offset,
                                   absl::Span<char> dst,
                                   absl::string_view path) {
  size_t done = 0;
  while (done < dst.size()) {
    const ssize_t n = ::pread(fd, dst.data() + done, dst.size() - done,
                              static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return IoError(errno, "read", path, RangeDetail(offset, dst.size()));
    }
    if (n == 0) break;  // End of file.
    done += static_cast<size_t>(n);
  }
  return done;
}

absl::Status WriteFullyAt(int fd, uint64_t offset, absl::string_view data,
                          absl::string_view op, absl::string_view path) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done,
                               static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {  // 0 for a non-empty write: no progress possible.
      return IoError(n < 0 ? errno : EIO, op, path,
                     RangeDetail(offset, data.size()));
    }
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

}  // namespace internal
}  // namespace runnel
