// Copyright 2026 The Runnel Authors.
#include "io/posix_file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "io/errors.h"
#include "io/fd_io.h"
#include "io/mmap_region.h"
#include "io/path.h"
#include "util/mutex.h"

namespace runnel {
namespace internal {
namespace {

using absl::string_view;

// open(2) retried on EINTR; -1 with errno set on failure.
int OpenRetry(const std::string& path, int flags, mode_t mode = 0) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

class PosixFile final : public File {
 public:
  PosixFile(std::string path, int fd, bool read_only)
      : File(std::move(path)), fd_(fd), read_only_(read_only) {}
  ~PosixFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  absl::StatusOr<size_t> ReadAt(uint64_t offset, absl::Span<char> dst) override;
  absl::Status WriteAt(uint64_t offset, string_view data) override;
  absl::Status Append(string_view data) override;
  absl::StatusOr<uint64_t> Size() override;
  absl::Status Truncate(uint64_t size) override;
  absl::Status Reserve(uint64_t offset, uint64_t length) override;
  absl::Status Sync() override;
  absl::StatusOr<std::unique_ptr<MappedRegion>> MapGrowable(
      uint64_t offset, size_t length, size_t capacity, MapMode mode) override;
  absl::Status Close() override;

 private:
  absl::Status CheckWritable(string_view op) const {
    if (fd_ < 0) return ClosedError(op, path());
    if (read_only_) return ReadOnlyError(op, path());
    return absl::OkStatus();
  }

  int fd_;  // -1 once closed. Close must not race other calls (see header).
  const bool read_only_;
  Mutex append_mu_;  // Serializes Append's size-then-write.
};

absl::StatusOr<size_t> PosixFile::ReadAt(uint64_t offset,
                                         absl::Span<char> dst) {
  if (fd_ < 0) return ClosedError("read", path());
  return ReadFullyAt(fd_, offset, dst, path());
}

absl::Status PosixFile::WriteAt(uint64_t offset, string_view data) {
  absl::Status writable = CheckWritable("write");
  if (!writable.ok()) return writable;
  return WriteFullyAt(fd_, offset, data, "write", path());
}

absl::Status PosixFile::Append(string_view data) {
  absl::Status writable = CheckWritable("append");
  if (!writable.ok()) return writable;
  MutexLock lock(&append_mu_);
  struct stat st;
  if (::fstat(fd_, &st) != 0) return IoError(errno, "append", path());
  return WriteFullyAt(fd_, static_cast<uint64_t>(st.st_size), data, "append",
                      path());
}

absl::StatusOr<uint64_t> PosixFile::Size() {
  if (fd_ < 0) return ClosedError("size", path());
  struct stat st;
  if (::fstat(fd_, &st) != 0) return IoError(errno, "size", path());
  return static_cast<uint64_t>(st.st_size);
}

absl::Status PosixFile::Truncate(uint64_t size) {
  absl::Status writable = CheckWritable("truncate");
  if (!writable.ok()) return writable;
  int rc;
  do {
    rc = ::ftruncate(fd_, static_cast<off_t>(size));
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    return IoError(errno, "truncate", path(), absl::StrCat("size ", size));
  }
  return absl::OkStatus();
}

absl::Status PosixFile::Reserve(uint64_t offset, uint64_t length) {
  absl::Status writable = CheckWritable("reserve");
  if (!writable.ok() || length == 0) return writable;
  const off_t off = static_cast<off_t>(offset);
  const off_t len = static_cast<off_t>(length);
  int rc;
  do {
    rc = ::fallocate(fd_, 0, off, len);
  } while (rc != 0 && errno == EINTR);
  int err = rc == 0 ? 0 : errno;
  if (err == EOPNOTSUPP) {
    // No native fallocate (e.g. some network file systems): glibc emulates
    // it by writing zeros, which still claims the blocks.
    do {
      err = ::posix_fallocate(fd_, off, len);
    } while (err == EINTR);
  }
  if (err != 0) {
    return IoError(err, "reserve", path(), RangeDetail(offset, length));
  }
  return absl::OkStatus();
}

absl::Status PosixFile::Sync() {
  if (fd_ < 0) return ClosedError("sync", path());
  int rc;
  do {
    rc = ::fdatasync(fd_);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return IoError(errno, "sync", path());
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<MappedRegion>> PosixFile::MapGrowable(
    uint64_t offset, size_t length, size_t capacity, MapMode mode) {
  if (fd_ < 0) return ClosedError("map", path());
  if (mode == MapMode::kReadWrite && read_only_) {
    return ReadOnlyError("map", path());
  }
  if (length == 0 || capacity < length) {
    return IoError(EINVAL, "map", path(), RangeDetail(offset, length));
  }
  absl::StatusOr<uint64_t> size = Size();
  if (!size.ok()) return size.status();
  if (offset > *size || length > *size - offset) {
    return MapBeyondEofError(path(), offset, length, *size);
  }
  return MmapFile(fd_, path(), offset, length, capacity, mode);
}

absl::Status PosixFile::Close() {
  if (fd_ < 0) return ClosedError("close", path());
  const int fd = fd_;
  fd_ = -1;
  // Linux releases the descriptor even when close fails with EINTR: never
  // retry (the number may already belong to another open).
  if (::close(fd) != 0 && errno != EINTR) {
    return IoError(errno, "close", path());
  }
  return absl::OkStatus();
}

class PosixDirLock final : public DirLock {
 public:
  PosixDirLock(std::string dir, int fd) : DirLock(std::move(dir)), fd_(fd) {}
  ~PosixDirLock() override { ::close(fd_); }  // Drops the flock.

 private:
  const int fd_;
};

// "process <pid>" from the lock file's content, for the error message.
std::string DescribeHolder(int fd) {
  char buf[32];
  const ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
  int pid = 0;
  if (n > 0 &&
      absl::SimpleAtoi(absl::StripAsciiWhitespace(string_view(buf, n)), &pid)) {
    return absl::StrCat("process ", pid);
  }
  return "another process (pid not yet written)";
}

// stat(2); -1 with errno set on failure.
int Stat(string_view path, struct stat* st) {
  return ::stat(std::string(path).c_str(), st);
}

}  // namespace

absl::StatusOr<std::unique_ptr<File>> PosixFileSystem::OpenFile(
    string_view path, const OpenOptions& options) {
  absl::Status valid = CheckOpenOptions(path, options.create, options.exclusive,
                                        options.truncate, options.read_only);
  if (!valid.ok()) return valid;
  int flags = options.read_only ? O_RDONLY : O_RDWR;
  if (options.create) flags |= O_CREAT;
  if (options.exclusive) flags |= O_EXCL;
  if (options.truncate) flags |= O_TRUNC;
  const int fd = OpenRetry(std::string(path), flags, 0644);
  if (fd < 0) return IoError(errno, "open", path);
  struct stat st;
  int err = 0;
  if (::fstat(fd, &st) != 0) {
    err = errno;
  } else if (S_ISDIR(st.st_mode)) {
    err = EISDIR;  // A read-only open of a directory succeeds in POSIX.
  }
  if (err != 0) {
    ::close(fd);
    return IoError(err, "open", path);
  }
  return std::unique_ptr<File>(
      new PosixFile(std::string(path), fd, options.read_only));
}

absl::Status PosixFileSystem::RemoveFile(string_view path) {
  if (::unlink(std::string(path).c_str()) != 0) {
    return IoError(errno, "remove", path);
  }
  return absl::OkStatus();
}

absl::Status PosixFileSystem::Rename(string_view from, string_view to) {
  if (::rename(std::string(from).c_str(), std::string(to).c_str()) != 0) {
    return IoError(errno, "rename", RenamePaths(from, to));
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> PosixFileSystem::FileExists(string_view path) {
  struct stat st;
  if (Stat(path, &st) == 0) return true;
  if (errno == ENOENT || errno == ENOTDIR) return false;
  return IoError(errno, "stat", path);
}

absl::StatusOr<bool> PosixFileSystem::IsDirectory(string_view path) {
  struct stat st;
  if (Stat(path, &st) != 0) return IoError(errno, "stat", path);
  return S_ISDIR(st.st_mode);
}

absl::StatusOr<uint64_t> PosixFileSystem::GetFileSize(string_view path) {
  struct stat st;
  if (Stat(path, &st) != 0) return IoError(errno, "stat", path);
  if (S_ISDIR(st.st_mode)) return IoError(EISDIR, "stat", path);
  return static_cast<uint64_t>(st.st_size);
}

absl::Status PosixFileSystem::CreateDir(string_view path) {
  if (::mkdir(std::string(path).c_str(), 0755) != 0) {
    return IoError(errno, "mkdir", path);
  }
  return absl::OkStatus();
}

absl::Status PosixFileSystem::RemoveDir(string_view path) {
  if (::rmdir(std::string(path).c_str()) != 0) {
    return IoError(errno, "rmdir", path);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> PosixFileSystem::ListDir(
    string_view dir) {
  const int fd = OpenRetry(std::string(dir), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return IoError(errno, "listdir", dir);
  DIR* d = ::fdopendir(fd);  // Owns fd from here on.
  if (d == nullptr) {
    const int err = errno;
    ::close(fd);
    return IoError(err, "listdir", dir);
  }
  std::vector<std::string> names;
  for (;;) {
    errno = 0;
    const struct dirent* entry = ::readdir(d);
    if (entry == nullptr) break;
    const string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  const int err = errno;
  ::closedir(d);
  if (err != 0) return IoError(err, "listdir", dir);
  std::sort(names.begin(), names.end());
  return names;
}

absl::Status PosixFileSystem::SyncDir(string_view dir) {
  const int fd = OpenRetry(std::string(dir), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return IoError(errno, "syncdir", dir);
  int rc;
  do {
    rc = ::fsync(fd);
  } while (rc != 0 && errno == EINTR);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return IoError(err, "syncdir", dir);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<DirLock>> PosixFileSystem::LockDir(
    string_view dir) {
  const int fd = OpenRetry(JoinPath(dir, "LOCK"), O_RDWR | O_CREAT, 0644);
  if (fd < 0) return IoError(errno, "lock", dir);
  int rc;
  do {
    rc = ::flock(fd, LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int err = errno;
    absl::Status status = err == EWOULDBLOCK
                              ? LockHeldError(dir, DescribeHolder(fd))
                              : IoError(err, "lock", dir);
    ::close(fd);
    return status;
  }
  // Ours now: record the pid so a contender's error can name us.
  absl::Status written =
      ::ftruncate(fd, 0) == 0
          ? WriteFullyAt(fd, 0, absl::StrCat(::getpid(), "\n"), "lock", dir)
          : IoError(errno, "lock", dir);
  if (!written.ok()) {
    ::close(fd);
    return written;
  }
  return std::unique_ptr<DirLock>(new PosixDirLock(std::string(dir), fd));
}

}  // namespace internal

FileSystem* FileSystem::Default() {
  static FileSystem* const fs = new internal::PosixFileSystem();
  return fs;
}

std::unique_ptr<FileSystem> NewPosixFileSystem() {
  return std::make_unique<internal::PosixFileSystem>();
}

}  // namespace runnel
