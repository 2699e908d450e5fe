// Copyright 2026 The Runnel Authors.
//
// runnel/fault_injection_file_system.h — a FileSystem wrapper for tests that
// (1) fails chosen operations with real-looking errors (EIO, ENOSPC, ...) and
// (2) simulates a machine crash: everything not covered by a completed sync
// is thrown away on the wrapped file system.
//
// Example (a crash test):
//
//   runnel::MemFileSystem mem;
//   runnel::FaultInjectionFileSystem fs(&mem);
//   ... run the code under test on &fs ...
//   ASSERT_TRUE(fs.SimulateCrash().ok());   // the "machine" lost power
//   ... reopen through &fs (or &mem) and check what survived ...
//
// Example (an error sweep):
//
//   for (uint64_t k = 0;; ++k) {
//     runnel::MemFileSystem mem;
//     runnel::FaultInjectionFileSystem fs(&mem);
//     fs.FailOperationAt(k, ENOSPC);
//     absl::Status s = RunWorkload(&fs);
//     if (fs.faults_injected() == 0) break;  // k is past the last operation
//     EXPECT_FALSE(s.ok()) ...
//   }
//
// FAULTS. Every call on the wrapper or on a File / MappedRegion it returned is
// one operation, numbered from 0 in call order (operation_count() is the next
// number). Before an operation reaches the wrapped file system, the rules are
// checked in the order they were added; the first that matches fails it with
// IoError(errno) exactly as the POSIX file system words it (same status code,
// same "<op> <path> (...): <strerror>" message) and nothing is changed. A
// one-shot rule is dropped after it fires; a persistent one keeps firing.
//
// CRASH MODEL. SimulateCrash() rewrites the wrapped file system to what a
// power cut would leave, under these rules:
//   - File content is durable up to the last completed File::Sync of any
//     handle of that file (like fdatasync: the whole content and size, also
//     bytes stored through mappings), plus the ranges of completed
//     MappedRegion::Sync calls (msync; the file is then at least that long).
//   - A directory entry — a created file or directory, a rename, a removal —
//     is durable once SyncDir of the directory holding it completes. So a
//     created file whose directory was not synced disappears, a removal is
//     undone (the file comes back with its durable content), and an unsynced
//     rename is undone (both names get their durable state back).
//   - Anything the wrapper has not changed is durable as it is: a file that
//     existed before it was first opened for writing, removed or renamed
//     through the wrapper keeps its content at that moment as its durable
//     content. (The wrapper copies that content when it first touches it.)
//   - With CrashOptions::tear_last_unsynced_page, each file that is rewritten
//     in place keeps, in the last 4096-byte page where its current and
//     durable content differ, a random strict prefix of the new bytes (from
//     the first to the last differing byte of that page) — a torn write. If
//     that page starts past the durable end of file, the gap reads as zeros.
//     The prefix length comes from a generator seeded with CrashOptions::seed
//     and drawn per file in path order: the same seed gives the same result.
//   - Every File, MappedRegion and DirLock obtained before the crash becomes
//     stale: their operations return FailedPrecondition (they do not crash),
//     and their directory locks are released (the process "died"). Files
//     that were written through the wrapper are re-created as new files, so
//     a stale mapping's memory stays valid but belongs to no file any more;
//     still, do not use it.
//   - Afterwards the wrapped file system holds exactly the post-crash state;
//     the wrapper starts afresh (everything on it counts as durable) and the
//     fault rules and operation counter carry on.
// Limits of the model: directories are tracked by path from "/" (absolute
// paths) or "." (relative ones) — use one style per wrapper; do not change the
// wrapped file system behind the wrapper's back; there are no hard links or
// symlinks. The first write-open of an existing file copies it, so keep
// crash-tested files test-sized.
//
// Thread-safety: thread-safe. Operations are serialized by one internal
// mutex (this is a test tool), which also makes the numbering deterministic
// for a deterministic caller.
//
// Lifetimes: `base` is not owned and must outlive the wrapper; the wrapper
// must outlive every File, MappedRegion and DirLock it returns.
#ifndef RUNNEL_IO_FAULT_INJECTION_FILE_SYSTEM_H_
#define RUNNEL_IO_FAULT_INJECTION_FILE_SYSTEM_H_

#include <cerrno>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runnel/file_system.h"

namespace runnel {
namespace internal {
class FaultInjectionState;
}  // namespace internal

// Operation kinds a FaultRule can select.
enum class FaultOp {
  kOpen,       // FileSystem::OpenFile
  kRead,       // File::ReadAt
  kWrite,      // File::WriteAt, File::Append
  kReserve,    // File::Reserve
  kTruncate,   // File::Truncate
  kSync,       // File::Sync
  kMap,        // File::Map
  kMapSync,    // MappedRegion::Sync
  kClose,      // File::Close
  kStat,       // FileExists, IsDirectory, GetFileSize, File::Size
  kRemove,     // RemoveFile, RemoveDir
  kRename,     // Rename
  kCreateDir,  // CreateDir (CreateDirs issues one per missing directory)
  kListDir,    // ListDir
  kSyncDir,    // SyncDir
  kLock,       // LockDir
};

// Which operations to fail, and how. All conditions must hold.
struct FaultRule {
  // Operation kinds to match; empty matches every kind.
  std::vector<FaultOp> ops;
  // Only operations whose path contains this; empty matches any path. A
  // Rename matches if either of its paths does.
  std::string path_substring;
  // Only the operation with this number (see operation_count()).
  std::optional<uint64_t> operation_index;
  // Let this many matching operations succeed before failing one.
  uint64_t skip = 0;
  // false: fail one operation, then drop the rule. true: fail every match.
  bool persistent = false;
  // The errno to fail with, e.g. EIO or ENOSPC (ResourceExhausted).
  int error = EIO;
};

struct CrashOptions {
  // Keep a random prefix of the last unsynced page of each rewritten file.
  bool tear_last_unsynced_page = false;
  // Seeds the prefix lengths.
  uint64_t seed = 0;
};

class FaultInjectionFileSystem final : public FileSystem {
 public:
  // `base` is not owned.
  explicit FaultInjectionFileSystem(FileSystem* base);
  ~FaultInjectionFileSystem() override;

  FileSystem* base() const { return base_; }

  void AddFault(FaultRule rule);
  // Fails the operation numbered `index` (one-shot) with `error`.
  void FailOperationAt(uint64_t index, int error = EIO);
  void ClearFaults();
  // Operations seen so far; the next operation gets this number.
  uint64_t operation_count() const;
  // Operations failed by a rule so far.
  uint64_t faults_injected() const;

  // Drops everything that is not durable (see CRASH MODEL above). Errors
  // only come from the wrapped file system while rewriting it.
  absl::Status SimulateCrash(const CrashOptions& options = CrashOptions());

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
  FileSystem* const base_;
  // Rules, counters, crash model; shared with the handles.
  const std::unique_ptr<internal::FaultInjectionState> impl_;
};

}  // namespace runnel

#endif  // RUNNEL_IO_FAULT_INJECTION_FILE_SYSTEM_H_
