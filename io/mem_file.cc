// Copyright 2026 The Runnel Authors.
#include "io/mem_file.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "io/errors.h"
#include "io/fd_io.h"
#include "io/mmap_region.h"

namespace runnel {
namespace internal {
namespace {

// Largest file offset (off_t is signed).
constexpr uint64_t kMaxSize =
    static_cast<uint64_t>(std::numeric_limits<off_t>::max());

class MemFile final : public File {
 public:
  MemFile(std::string path, std::shared_ptr<MemInode> inode, bool read_only)
      : File(std::move(path)),
        inode_(std::move(inode)),
        read_only_(read_only) {}

  absl::StatusOr<size_t> ReadAt(uint64_t offset,
                                absl::Span<char> dst) override {
    if (inode_ == nullptr) return ClosedError("read", path());
    return inode_->Read(offset, dst, path());
  }
  absl::Status WriteAt(uint64_t offset, absl::string_view data) override {
    absl::Status ok = CheckWritable("write");
    return ok.ok() ? inode_->Write(offset, data, path()) : ok;
  }
  absl::Status Append(absl::string_view data) override {
    absl::Status ok = CheckWritable("append");
    return ok.ok() ? inode_->Append(data, path()) : ok;
  }
  absl::StatusOr<uint64_t> Size() override {
    if (inode_ == nullptr) return ClosedError("size", path());
    return inode_->size();
  }
  absl::Status Truncate(uint64_t size) override {
    absl::Status ok = CheckWritable("truncate");
    return ok.ok() ? inode_->SetSize(size, "truncate", path()) : ok;
  }
  absl::Status Reserve(uint64_t offset, uint64_t length) override {
    absl::Status ok = CheckWritable("reserve");
    return ok.ok() ? inode_->Reserve(offset, length, path()) : ok;
  }
  absl::Status Sync() override {
    // RAM has nothing to flush.
    return inode_ == nullptr ? ClosedError("sync", path()) : absl::OkStatus();
  }
  absl::StatusOr<std::unique_ptr<MappedRegion>> MapGrowable(
      uint64_t offset, size_t length, size_t capacity, MapMode mode) override {
    if (inode_ == nullptr) return ClosedError("map", path());
    if (mode == MapMode::kReadWrite && read_only_) {
      return ReadOnlyError("map", path());
    }
    return inode_->Map(offset, length, capacity, mode, path());
  }
  absl::Status Close() override {
    if (inode_ == nullptr) return ClosedError("close", path());
    inode_.reset();
    return absl::OkStatus();
  }

 private:
  absl::Status CheckWritable(absl::string_view op) const {
    if (inode_ == nullptr) return ClosedError(op, path());
    if (read_only_) return ReadOnlyError(op, path());
    return absl::OkStatus();
  }

  std::shared_ptr<MemInode> inode_;  // Null once closed.
  const bool read_only_;
};

}  // namespace

bool MemSpace::Resize(uint64_t from, uint64_t to) {
  if (to <= from) {
    used_.fetch_sub(from - to, std::memory_order_relaxed);
    return true;
  }
  const uint64_t grow = to - from;
  uint64_t used = used_.load(std::memory_order_relaxed);
  do {
    if (capacity_ != 0 && (used > capacity_ || grow > capacity_ - used)) {
      return false;
    }
  } while (!used_.compare_exchange_weak(used, used + grow,
                                        std::memory_order_relaxed));
  return true;
}

absl::StatusOr<std::shared_ptr<MemInode>> MemInode::Create(
    std::shared_ptr<MemSpace> space, absl::string_view path) {
  const int fd = ::memfd_create("runnel-mem-file", MFD_CLOEXEC);
  if (fd < 0) return IoError(errno, "open", path);
  return std::shared_ptr<MemInode>(new MemInode(std::move(space), fd));
}

MemInode::~MemInode() {
  MutexLock lock(&mu_);
  space_->Resize(size_, 0);
  ::close(fd_);
}

absl::StatusOr<size_t> MemInode::Read(uint64_t offset, absl::Span<char> dst,
                                      absl::string_view path) const {
  return ReadFullyAt(fd_, offset, dst, path);
}

uint64_t MemInode::size() const {
  MutexLock lock(&mu_);
  return size_;
}

absl::Status MemInode::Write(uint64_t offset, absl::string_view data,
                             absl::string_view path) {
  MutexLock lock(&mu_);
  return WriteLocked(offset, data, "write", path);
}

absl::Status MemInode::Append(absl::string_view data, absl::string_view path) {
  MutexLock lock(&mu_);
  return WriteLocked(size_, data, "append", path);
}

absl::Status MemInode::WriteLocked(uint64_t offset, absl::string_view data,
                                   absl::string_view op,
                                   absl::string_view path) {
  if (data.empty()) return absl::OkStatus();
  const std::string detail = RangeDetail(offset, data.size());
  if (offset > kMaxSize - data.size()) return IoError(EFBIG, op, path, detail);
  const uint64_t end = offset + data.size();
  if (end > size_ && !space_->Resize(size_, end)) {
    return IoError(ENOSPC, op, path, detail);
  }
  absl::Status written = WriteFullyAt(fd_, offset, data, op, path);
  if (!written.ok()) {
    // Part of the data may have landed: account for the real size.
    struct stat st;
    const uint64_t real = ::fstat(fd_, &st) == 0 ? st.st_size : size_;
    space_->Resize(std::max(size_, end), real);
    size_ = real;
    return written;
  }
  size_ = std::max(size_, end);
  return absl::OkStatus();
}

absl::Status MemInode::SetSize(uint64_t size, absl::string_view op,
                               absl::string_view path) {
  MutexLock lock(&mu_);
  return SetSizeLocked(size, op, path, absl::StrCat("size ", size));
}

absl::Status MemInode::Reserve(uint64_t offset, uint64_t length,
                               absl::string_view path) {
  if (length == 0) return absl::OkStatus();
  const std::string detail = RangeDetail(offset, length);
  if (offset > kMaxSize || length > kMaxSize - offset) {
    return IoError(EFBIG, "reserve", path, detail);
  }
  MutexLock lock(&mu_);
  if (offset + length <= size_) return absl::OkStatus();
  return SetSizeLocked(offset + length, "reserve", path, detail);
}

absl::Status MemInode::SetSizeLocked(uint64_t size, absl::string_view op,
                                     absl::string_view path,
                                     absl::string_view detail) {
  if (size > kMaxSize) return IoError(EFBIG, op, path, detail);
  if (!space_->Resize(size_, size)) return IoError(ENOSPC, op, path, detail);
  int rc;
  do {
    rc = ::ftruncate(fd_, static_cast<off_t>(size));
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int err = errno;
    space_->Resize(size, size_);  // Undo the accounting.
    return IoError(err, op, path, detail);
  }
  size_ = size;
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<MappedRegion>> MemInode::Map(
    uint64_t offset, size_t length, size_t capacity, MapMode mode,
    absl::string_view path) {
  if (length == 0 || capacity < length) {
    return IoError(EINVAL, "map", path, RangeDetail(offset, length));
  }
  MutexLock lock(&mu_);
  if (offset > size_ || length > size_ - offset) {
    return MapBeyondEofError(path, offset, length, size_);
  }
  return MmapFile(fd_, path, offset, length, capacity, mode);
}

std::unique_ptr<File> NewMemFile(std::string path,
                                 std::shared_ptr<MemInode> inode,
                                 bool read_only) {
  return std::make_unique<MemFile>(std::move(path), std::move(inode),
                                   read_only);
}

}  // namespace internal
}  // namespace runnel
