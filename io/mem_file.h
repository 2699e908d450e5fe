// Copyright 2026 The Runnel Authors.
//
// io/mem_file.h — the content side of MemFileSystem: a memfd-backed inode,
// the capacity accounting shared by all inodes of one file system, and the
// File handle over an inode. Internal; the namespace (paths, directories,
// locks) lives in mem_file_system.cc.
//
//   auto space = std::make_shared<MemSpace>(/*capacity=*/0);
//   ASSIGN_OR_RETURN(std::shared_ptr<MemInode> inode,
//                    MemInode::Create(space, "/a/b"));
//   std::unique_ptr<File> f = NewMemFile("/a/b", inode, /*read_only=*/false);
//
// An inode lives as long as any name or open File refers to it (shared_ptr),
// like an unlinked-but-open POSIX file; mappings keep its pages themselves.
//
// Thread-safety: all classes are thread-safe.
#ifndef RUNNEL_IO_MEM_FILE_H_
#define RUNNEL_IO_MEM_FILE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "runnel/file_system.h"
#include "util/mutex.h"

namespace runnel {
namespace internal {

// Bytes in use across one MemFileSystem, against an optional capacity.
class MemSpace {
 public:
  explicit MemSpace(uint64_t capacity) : capacity_(capacity) {}

  // Accounts for a file changing size from `from` to `to` bytes. Returns
  // false, changing nothing, if growing would exceed the capacity.
  bool Resize(uint64_t from, uint64_t to);
  uint64_t used() const { return used_.load(std::memory_order_relaxed); }

 private:
  const uint64_t capacity_;  // 0: unlimited.
  std::atomic<uint64_t> used_{0};
};

// One in-memory file's content: a memfd and its size.
class MemInode {
 public:
  // `path` only names the file in errors.
  static absl::StatusOr<std::shared_ptr<MemInode>> Create(
      std::shared_ptr<MemSpace> space, absl::string_view path);
  MemInode(const MemInode&) = delete;
  MemInode& operator=(const MemInode&) = delete;
  ~MemInode();  // Gives the bytes back to the space.

  // In all of these `path` only names the file in error messages.
  absl::StatusOr<size_t> Read(uint64_t offset, absl::Span<char> dst,
                              absl::string_view path) const;
  absl::Status Write(uint64_t offset, absl::string_view data,
                     absl::string_view path);
  absl::Status Append(absl::string_view data, absl::string_view path);
  uint64_t size() const;
  // Sets the size exactly (Truncate). `op` names the operation in errors.
  absl::Status SetSize(uint64_t size, absl::string_view op,
                       absl::string_view path);
  // Grows the size to cover [offset, offset + length) (Reserve).
  absl::Status Reserve(uint64_t offset, uint64_t length,
                       absl::string_view path);
  absl::StatusOr<std::unique_ptr<MappedRegion>> Map(uint64_t offset,
                                                    size_t length,
                                                    size_t capacity,
                                                    MapMode mode,
                                                    absl::string_view path);

 private:
  MemInode(std::shared_ptr<MemSpace> space, int fd)
      : space_(std::move(space)), fd_(fd) {}
  absl::Status WriteLocked(uint64_t offset, absl::string_view data,
                           absl::string_view op, absl::string_view path)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status SetSizeLocked(uint64_t size, absl::string_view op,
                             absl::string_view path, absl::string_view detail)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::shared_ptr<MemSpace> space_;
  const int fd_;
  mutable Mutex mu_;  // Serializes size changes (writes past the end etc.).
  uint64_t size_ ABSL_GUARDED_BY(mu_) = 0;
};

// A File handle on `inode`, named `path`.
std::unique_ptr<File> NewMemFile(std::string path,
                                 std::shared_ptr<MemInode> inode,
                                 bool read_only);

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_IO_MEM_FILE_H_
