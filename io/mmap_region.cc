// Copyright 2026 The Runnel Authors.
#include "io/mmap_region.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>

#include "io/errors.h"

namespace runnel {
namespace internal {
namespace {

int Prot(MapMode mode) {
  return mode == MapMode::kReadWrite ? PROT_READ | PROT_WRITE : PROT_READ;
}

size_t RoundUpToPage(size_t n) {
  return (n + PageSize() - 1) / PageSize() * PageSize();
}

// A PMD-sized huge page (x86-64, arm64 with 4 KiB pages).
constexpr size_t kHugePage = size_t{2} << 20;

// Best effort: an error (no THP in this kernel, or "never") only costs
// speed.
void AdviseHugePagesAt(char* at, size_t length) {
#ifdef MADV_HUGEPAGE
  ::madvise(at, length, MADV_HUGEPAGE);
#else
  (void)at;
  (void)length;
#endif
}

class MmapRegion final : public MappedRegion {
 public:
  // `base`/`reserved`: the page-aligned address range, all of it mapped;
  // `delta`: where the first requested byte sits inside it; `fd`: a
  // duplicate descriptor owned by the region, or -1 if it cannot grow.
  MmapRegion(std::string path, char* base, size_t reserved, size_t delta,
             uint64_t offset, size_t length, size_t capacity, MapMode mode,
             int fd)
      : MappedRegion(std::move(path), base + delta, length, offset, mode,
                     capacity),
        base_(base),
        reserved_(reserved),
        delta_(delta),
        fd_(fd) {}
  ~MmapRegion() override {
    ::munmap(base_, reserved_);
    if (fd_ >= 0) ::close(fd_);
  }

  absl::Status Sync(size_t offset_in_region, size_t length) override {
    absl::Status in_range = CheckSyncRange(offset_in_region, length);
    if (!in_range.ok() || length == 0) return in_range;
    const size_t start = delta_ + offset_in_region;
    const size_t aligned = start - start % PageSize();
    if (::msync(base_ + aligned, start + length - aligned, MS_SYNC) != 0) {
      return IoError(errno, "msync", path(),
                     RangeDetail(offset() + offset_in_region, length));
    }
    return absl::OkStatus();
  }

  absl::Status Prefault(size_t offset_in_region, size_t length) override {
    absl::Status in_range = CheckSyncRange(offset_in_region, length);
    if (!in_range.ok() || length == 0) return in_range;
    const size_t start = delta_ + offset_in_region;
    const size_t aligned = start - start % PageSize();
#if defined(MADV_POPULATE_WRITE) && defined(MADV_POPULATE_READ)
    const int advice = mode() == MapMode::kReadWrite ? MADV_POPULATE_WRITE
                                                     : MADV_POPULATE_READ;
#else
    const int advice = MADV_WILLNEED;
#endif
    // EINVAL: a kernel before 5.14. EFAULT: pages past the end of the file
    // (a concurrent trim). Neither matters for an optimization.
    if (::madvise(base_ + aligned, start + length - aligned, advice) != 0 &&
        errno != EINVAL && errno != EFAULT) {
      return IoError(errno, "prefault", path(),
                     RangeDetail(offset() + offset_in_region, length));
    }
    return absl::OkStatus();
  }

  // For a log written fast: its page cache can use 2 MiB folios, mapped one
  // PMD per fault, so writing 256 MiB takes ~130 faults instead of ~3,000
  // (ext4 large folios) or 65,536. Changes only this range's flags (the
  // kernel splits the mapping), so a log's slow start keeps small pages.
  // Past size() is fine: the whole capacity is mapped (see MmapFile).
  absl::Status AdviseHugePages(size_t offset_in_region,
                               size_t length) override {
    absl::Status in_range =
        CheckSyncRange(offset_in_region, length, /*up_to_capacity=*/true);
    if (!in_range.ok() || length == 0) return in_range;
    const size_t start = delta_ + offset_in_region;
    const size_t aligned = start - start % PageSize();
    AdviseHugePagesAt(base_ + aligned, start + length - aligned);
    return absl::OkStatus();
  }

  // The whole capacity is mapped already (MmapFile): growing maps nothing,
  // so it never waits for the process's mmap lock, which a prefault of
  // fresh pages on another thread can hold for milliseconds.
  absl::Status Grow(size_t new_size) override {
    if (new_size <= size()) return absl::OkStatus();
    if (fd_ < 0 || new_size > capacity()) return MappedRegion::Grow(new_size);
    struct stat st;
    if (::fstat(fd_, &st) != 0) return IoError(errno, "grow map", path());
    const uint64_t file_size = static_cast<uint64_t>(st.st_size);
    if (offset() + new_size > file_size) {
      return MapBeyondEofError(path(), offset(), new_size, file_size);
    }
    set_size(new_size);
    return absl::OkStatus();
  }

 private:
  char* const base_;
  const size_t reserved_;
  const size_t delta_;
  const int fd_;
};

}  // namespace

size_t PageSize() {
  static const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  return page;
}

absl::StatusOr<std::unique_ptr<MappedRegion>> MmapFile(
    int fd, absl::string_view path, uint64_t offset, size_t length,
    size_t capacity, MapMode mode) {
  const size_t delta = static_cast<size_t>(offset % PageSize());
  const off_t aligned_offset = static_cast<off_t>(offset - delta);
  if (capacity <= length) {
    void* base = ::mmap(nullptr, length + delta, Prot(mode), MAP_SHARED, fd,
                        aligned_offset);
    if (base == MAP_FAILED) {
      return IoError(errno, "map", path, RangeDetail(offset, length));
    }
    return std::unique_ptr<MappedRegion>(new MmapRegion(
        std::string(path), static_cast<char*>(base), length + delta, delta,
        offset, length, length, mode, /*fd=*/-1));
  }
  // Growable: map the whole capacity now, past the end of the file. Those
  // pages are never touched (size() only covers bytes the file holds; Grow
  // checks), and mapping them once means growing takes no mmap call. A
  // multiple of the huge page size, so the kernel aligns it to one (huge
  // pages need both the address and the file offset aligned).
  size_t reserved = RoundUpToPage(capacity + delta);
  if (mode == MapMode::kReadWrite && reserved >= kHugePage) {
    reserved = (reserved + kHugePage - 1) / kHugePage * kHugePage;
  }
  void* base =
      ::mmap(nullptr, reserved, Prot(mode), MAP_SHARED, fd, aligned_offset);
  if (base == MAP_FAILED) {
    return IoError(errno, "map", path, RangeDetail(offset, capacity));
  }
  const int dup_fd = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (dup_fd < 0) {
    const int error = errno;
    ::munmap(base, reserved);
    return IoError(error, "map", path, RangeDetail(offset, length));
  }
  return std::unique_ptr<MappedRegion>(
      new MmapRegion(std::string(path), static_cast<char*>(base), reserved,
                     delta, offset, length, capacity, mode, dup_fd));
}

}  // namespace internal
}  // namespace runnel
