// Copyright 2026 The Runnel Authors.
//
// runnel/mem_file_system.h — a FileSystem that keeps everything in RAM, so
// code built on Runnel can be unit-tested with no disk.
//
// Example:
//
//   runnel::MemFileSystem fs;                       // or Options{1 << 20}
//   ASSERT_TRUE(fs.CreateDirs("/data/orders-0").ok());
//   auto file = fs.OpenFile("/data/orders-0/0.log",
//                           runnel::OpenOptions::Create());
//   ASSERT_TRUE((*file)->Append("hello").ok());
//
// Semantics follow POSIX, error codes and messages included (see
// runnel/file_system.h): a file's parent directory must exist, RemoveDir of
// a non-empty directory is FailedPrecondition, a removed file stays readable
// through Files that have it open, Rename replaces atomically. Files and
// directories survive Close and reopen for the lifetime of the object.
// There is one root: relative paths resolve against "/", and "." and ".."
// are resolved lexically. Durability calls (Sync, SyncDir, MappedRegion::Sync)
// succeed and do nothing; wrap this in FaultInjectionFileSystem to test
// crash behaviour.
//
// Each file is a memfd, so Map gives a real MAP_SHARED mapping: stores
// through it are visible to ReadAt and the other way round, and it stays
// valid while the file grows. Reserve only grows the size (pages are
// allocated when touched).
//
// Capacity: with Options::capacity_bytes > 0, the sum of all file sizes
// (including removed files that are still open) may not exceed it; an
// operation that would exceed it fails with ResourceExhausted (ENOSPC)
// naming the path and changes nothing.
//
// LockDir creates <dir>/LOCK holding this process's pid, like the POSIX file
// system; a second LockDir of the same directory fails naming the directory
// and this pid until the first DirLock is destroyed.
//
// Thread-safety: thread-safe, like every FileSystem. Lifetimes: the object
// must outlive the Files and DirLocks it returns (mappings may outlive it).
#ifndef RUNNEL_IO_MEM_FILE_SYSTEM_H_
#define RUNNEL_IO_MEM_FILE_SYSTEM_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runnel/file_system.h"

namespace runnel {

class MemFileSystem final : public FileSystem {
 public:
  struct Options {
    // Limit on the total size of all files; 0 means no limit.
    uint64_t capacity_bytes = 0;
  };

  MemFileSystem();
  explicit MemFileSystem(Options options);
  ~MemFileSystem() override;

  // Bytes currently charged against the capacity (sum of file sizes).
  uint64_t used_bytes() const;

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

 private:
  class Impl;  // mem_file_system.cc
  const std::unique_ptr<Impl> impl_;
};

}  // namespace runnel

#endif  // RUNNEL_IO_MEM_FILE_SYSTEM_H_
