// Copyright 2026 The Runnel Authors.
#include "io/mmap_region.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>

#include "io/errors.h"

namespace runnel {
namespace internal {
namespace {

class MmapRegion final : public MappedRegion {
 public:
  // `base`/`base_length`: the page-aligned mapping; `delta`: where the first
  // requested byte sits inside it.
  MmapRegion(std::string path, char* base, size_t base_length, size_t delta,
             uint64_t offset, MapMode mode)
      : MappedRegion(std::move(path), base + delta, base_length - delta, offset,
                     mode),
        base_(base),
        base_length_(base_length),
        delta_(delta) {}
  ~MmapRegion() override { ::munmap(base_, base_length_); }

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

 private:
  char* const base_;
  const size_t base_length_;
  const size_t delta_;
};

}  // namespace

size_t PageSize() {
  static const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  return page;
}

absl::StatusOr<std::unique_ptr<MappedRegion>> MmapFile(int fd,
                                                       absl::string_view path,
                                                       uint64_t offset,
                                                       size_t length,
                                                       MapMode mode) {
  const size_t delta = static_cast<size_t>(offset % PageSize());
  const int prot =
      mode == MapMode::kReadWrite ? PROT_READ | PROT_WRITE : PROT_READ;
  void* base = ::mmap(nullptr, length + delta, prot, MAP_SHARED, fd,
                      static_cast<off_t>(offset - delta));
  if (base == MAP_FAILED) {
    return IoError(errno, "map", path, RangeDetail(offset, length));
  }
  return std::unique_ptr<MappedRegion>(
      new MmapRegion(std::string(path), static_cast<char*>(base),
                     length + delta, delta, offset, mode));
}

}  // namespace internal
}  // namespace runnel
