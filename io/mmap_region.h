// Copyright 2026 The Runnel Authors.
//
// io/mmap_region.h — a MappedRegion backed by mmap(MAP_SHARED) of a file
// descriptor. Internal; shared by the POSIX and in-memory file systems.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<MappedRegion> region,
//                    MmapFile(fd, path, offset, length, MapMode::kReadWrite));
//
// The caller has already checked that [offset, offset + length) lies inside
// the file and that the descriptor's access mode allows `mode`. `offset` may
// be unaligned: the mapping starts at the page below it. The region does not
// keep `fd`: it stays valid after the descriptor is closed. Sync is msync
// MS_SYNC over the pages covering the range; the destructor unmaps.
//
// Growable regions (capacity > length) map `capacity` bytes of the file up
// front, past its end, and keep a duplicate of `fd`; Grow only checks
// (fstat) that the file now holds the bytes and widens size(), so data()
// never moves and growing makes no mapping call: an mmap(MAP_FIXED) per
// growth took the process's mmap lock for writing, and so waited for any
// prefault in flight. Pages past the end of the file are never touched
// (size() covers only bytes the file holds). Growable read-write regions
// (files being appended to) ask for huge pages (madvise MADV_HUGEPAGE; the
// range is rounded to 2 MiB so it is aligned): fewer, cheaper page faults.
// Best effort.
//
// Thread-safety: Sync may be called from several threads; Grow from one.
#ifndef RUNNEL_IO_MMAP_REGION_H_
#define RUNNEL_IO_MMAP_REGION_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runnel/file_system.h"

namespace runnel {
namespace internal {

// The system page size.
size_t PageSize();

absl::StatusOr<std::unique_ptr<MappedRegion>> MmapFile(
    int fd, absl::string_view path, uint64_t offset, size_t length,
    size_t capacity, MapMode mode);

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_IO_MMAP_REGION_H_
