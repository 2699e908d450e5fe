// Copyright 2026 The Runnel Authors.
//
// io/posix_file_system.h — FileSystem on the real OS (open/pread/pwrite,
// fallocate, fdatasync, mmap MAP_SHARED, flock). Internal: users get it
// through FileSystem::Default() or NewPosixFileSystem().
//
// Every descriptor is opened O_CLOEXEC. System calls are retried on EINTR
// and partial reads/writes are continued. Reserve uses fallocate mode 0 and
// falls back to posix_fallocate where the file system lacks fallocate.
// LockDir uses flock(LOCK_EX | LOCK_NB) on <dir>/LOCK and writes the pid
// into it; the kernel drops the lock when the holder's descriptor closes or
// the process dies.
//
// Thread-safety: as runnel/file_system.h. The object holds no state.
#ifndef RUNNEL_IO_POSIX_FILE_SYSTEM_H_
#define RUNNEL_IO_POSIX_FILE_SYSTEM_H_

#include <memory>
#include <string>
#include <vector>

#include "runnel/file_system.h"

namespace runnel {
namespace internal {

class PosixFileSystem final : public FileSystem {
 public:
  PosixFileSystem() = default;

  absl::StatusOr<std::unique_ptr<File>> OpenFile(
      absl::string_view path, const OpenOptions& options) override;
  absl::Status RemoveFile(absl::string_view path) override;
  absl::Status Rename(absl::string_view from, absl::string_view to) override;
  absl::StatusOr<bool> FileExists(absl::string_view path) override;
  absl::StatusOr<bool> IsDirectory(absl::string_view path) override;
  absl::StatusOr<uint64_t> GetFileSize(absl::string_view path) override;
  absl::Status CreateDir(absl::string_view path) override;
  absl::Status RemoveDir(absl::string_view path) override;
  absl::StatusOr<std::vector<std::string>> ListDir(
      absl::string_view dir) override;
  absl::Status SyncDir(absl::string_view dir) override;
  absl::StatusOr<std::unique_ptr<DirLock>> LockDir(
      absl::string_view dir) override;
};

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_IO_POSIX_FILE_SYSTEM_H_
