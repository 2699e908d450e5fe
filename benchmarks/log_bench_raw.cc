// The raw limits of log_bench_peers.h: mapped append, write + fdatasync, and
// mapped read + CRC32C. Direct system calls on purpose: these loops ARE the
// machine limits Runnel is measured against, so nothing sits between them
// and the kernel.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "benchmarks/log_bench_peers.h"
#include "benchmarks/log_bench_posix.h"
#include "log/big_endian.h"
#include "log/crc32c.h"
#include "log/format.h"

namespace runnel {
namespace bench {
namespace {

using posix::Error;

// Closes `fd` and removes `path`: the cleanup of a half-made object.
template <typename T>
absl::StatusOr<T> Abandon(int fd, const std::string& path, absl::Status s) {
  ::close(fd);
  ::unlink(path.c_str());
  return s;
}

absl::Status CheckAppendState(PageState state, absl::string_view what) {
  if (state == PageState::kCold) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": kCold is a read-side state"));
  }
  return absl::OkStatus();
}

// Reads one byte per page of [p, p + n) so every page is mapped.
void TouchPagesForRead(const char* p, size_t n) {
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  volatile char sink = 0;
  for (size_t i = 0; i < n; i += page) sink = sink + p[i];
}

}  // namespace

// --- RawMappedAppend ---

absl::StatusOr<std::unique_ptr<RawMappedAppend>> RawMappedAppend::Create(
    const std::string& path, size_t capacity, PageState state) {
  using Result = std::unique_ptr<RawMappedAppend>;
  absl::Status s = CheckAppendState(state, "RawMappedAppend " + path);
  if (!s.ok()) return s;
  if (capacity == 0) {
    return absl::InvalidArgumentError("RawMappedAppend " + path +
                                      ": capacity 0");
  }
  const int fd =
      ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Error(errno, "open", path);
  if (::fallocate(fd, 0, 0, static_cast<off_t>(capacity)) != 0) {
    return Abandon<Result>(fd, path, Error(errno, "fallocate", path));
  }
  void* base =
      ::mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) {
    return Abandon<Result>(fd, path, Error(errno, "mmap", path));
  }
  char* p = static_cast<char*>(base);
  if (state == PageState::kPrefaulted) {
    // A write fault per page: allocated, cached and mapped writable.
    const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
    for (size_t i = 0; i < capacity; i += page) p[i] = 0;
  }
  return Result(new RawMappedAppend(path, fd, p, capacity));
}

RawMappedAppend::~RawMappedAppend() {
  ::munmap(base_, capacity_);
  ::close(fd_);
  ::unlink(path_.c_str());
}

absl::Status RawMappedAppend::Append(absl::string_view batch) {
  if (batch.size() < format::kRecordBatchHeaderSize) {
    return absl::InvalidArgumentError(absl::StrCat(
        "RawMappedAppend ", path_, ": batch of ", batch.size(), " bytes"));
  }
  if (batch.size() > capacity_ - size_) {
    return absl::ResourceExhaustedError(
        absl::StrCat("RawMappedAppend ", path_, ": full at ", size_,
                     " bytes, batch of ", batch.size()));
  }
  char* dst = base_ + size_;
  std::memcpy(dst, batch.data(), batch.size());
  runnel::internal::StoreBigEndian64(dst + format::kBaseOffsetOffset,
                                     static_cast<uint64_t>(next_offset_));
  const uint32_t crc = Crc32cExtend(0, dst + format::kCrcCoverageStart,
                                    batch.size() - format::kCrcCoverageStart);
  runnel::internal::StoreBigEndian32(dst + format::kCrcOffset, crc);
  next_offset_ += static_cast<int32_t>(runnel::internal::LoadBigEndian32(
                      dst + format::kLastOffsetDeltaOffset)) +
                  1;
  size_ += batch.size();
  return absl::OkStatus();
}

void RawMappedAppend::Rewind() {
  size_ = 0;
  next_offset_ = 0;
}

// --- RawWriteFdatasync ---

namespace {

absl::Status WriteZeros(int fd, size_t n, const std::string& path) {
  const std::string zeros(size_t{1} << 20, '\0');
  size_t done = 0;
  while (done < n) {
    const size_t want = std::min(zeros.size(), n - done);
    ssize_t w = ::pwrite(fd, zeros.data(), want, static_cast<off_t>(done));
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return Error(errno, "pwrite", path);
    done += static_cast<size_t>(w);
  }
  if (::fdatasync(fd) != 0) return Error(errno, "fdatasync", path);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<RawWriteFdatasync>> RawWriteFdatasync::Create(
    const std::string& path, size_t capacity, PageState state,
    int records_per_sync) {
  using Result = std::unique_ptr<RawWriteFdatasync>;
  absl::Status s = CheckAppendState(state, "RawWriteFdatasync " + path);
  if (!s.ok()) return s;
  if (records_per_sync <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "RawWriteFdatasync ", path, ": records_per_sync ", records_per_sync));
  }
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Error(errno, "open", path);
  if (state == PageState::kPrefaulted) {
    s = WriteZeros(fd, capacity, path);
    if (!s.ok()) return Abandon<Result>(fd, path, s);
  }
  return Result(new RawWriteFdatasync(path, fd, capacity, records_per_sync));
}

RawWriteFdatasync::~RawWriteFdatasync() {
  ::close(fd_);
  ::unlink(path_.c_str());
}

absl::Status RawWriteFdatasync::Append(absl::string_view batch) {
  if (batch.size() < format::kRecordBatchHeaderSize) {
    return absl::InvalidArgumentError(absl::StrCat(
        "RawWriteFdatasync ", path_, ": batch of ", batch.size(), " bytes"));
  }
  if (batch.size() > capacity_ - size_) {
    return absl::ResourceExhaustedError(
        absl::StrCat("RawWriteFdatasync ", path_, ": full at ", size_,
                     " bytes, batch of ", batch.size()));
  }
  const char* data = batch.data();
  size_t left = batch.size();
  while (left > 0) {
    ssize_t w = ::pwrite(fd_, data, left, static_cast<off_t>(size_));
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      return Error(errno, absl::StrCat("pwrite at ", size_, " of"), path_);
    }
    data += w;
    left -= static_cast<size_t>(w);
    size_ += static_cast<size_t>(w);
  }
  dirty_ = true;
  unsynced_records_ += static_cast<int32_t>(runnel::internal::LoadBigEndian32(
      batch.data() + format::kRecordsCountOffset));
  if (unsynced_records_ >= records_per_sync_) return Sync();
  return absl::OkStatus();
}

absl::Status RawWriteFdatasync::Sync() {
  if (!dirty_) return absl::OkStatus();
  if (::fdatasync(fd_) != 0) return Error(errno, "fdatasync", path_);
  dirty_ = false;
  unsynced_records_ = 0;
  ++syncs_;
  return absl::OkStatus();
}

// --- RawReadCrc ---

absl::StatusOr<std::unique_ptr<RawReadCrc>> RawReadCrc::Create(
    const std::string& path, PageState state) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error(errno, "open", path);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    absl::Status s = Error(errno, "fstat", path);
    ::close(fd);
    return s;
  }
  if (st.st_size == 0) {
    ::close(fd);
    return absl::InvalidArgumentError("RawReadCrc " + path + ": empty file");
  }
  std::unique_ptr<RawReadCrc> reader(
      new RawReadCrc(path, fd, static_cast<size_t>(st.st_size), state));
  if (state == PageState::kPrefaulted) {
    void* p = ::mmap(nullptr, reader->file_size_, PROT_READ,
                     MAP_SHARED | MAP_POPULATE, fd, 0);
    if (p == MAP_FAILED) return Error(errno, "mmap", path);
    reader->kept_ = static_cast<char*>(p);
    TouchPagesForRead(reader->kept_, reader->file_size_);
  }
  return reader;
}

RawReadCrc::~RawReadCrc() {
  if (kept_ != nullptr) ::munmap(kept_, file_size_);
  ::close(fd_);
}

absl::StatusOr<ScanResult> RawReadCrc::Scan() {
  if (state_ == PageState::kPrefaulted) return ScanBatches({kept_, file_size_});
  void* p = ::mmap(nullptr, file_size_, PROT_READ, MAP_SHARED, fd_, 0);
  if (p == MAP_FAILED) return Error(errno, "mmap", path_);
  // Best effort: a larger readahead window when the pages are not cached.
  ::madvise(p, file_size_, MADV_SEQUENTIAL);
  const ScanResult result =
      ScanBatches({static_cast<const char*>(p), file_size_});
  if (::munmap(p, file_size_) != 0) return Error(errno, "munmap", path_);
  return result;
}

absl::Status RawReadCrc::DropCache() {
  const int error = ::posix_fadvise(fd_, 0, 0, POSIX_FADV_DONTNEED);
  if (error != 0) return Error(error, "posix_fadvise(DONTNEED)", path_);
  return absl::OkStatus();
}

}  // namespace bench
}  // namespace runnel
