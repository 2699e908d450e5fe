// Copyright 2026 The Runnel Authors.
//
// runnel/file_system.h — the file-system seam. Every byte Runnel reads or
// writes, every directory it lists and every lock it takes goes through a
// `FileSystem`, so the same code runs on disk (`FileSystem::Default()`), in
// RAM (`runnel/mem_file_system.h`) and under injected faults and simulated
// crashes (`runnel/fault_injection_file_system.h`).
//
// Example:
//
//   runnel::FileSystem* fs = runnel::FileSystem::Default();
//   absl::Status s = fs->CreateDirs("/data/orders-0");
//   if (!s.ok()) return s;
//   absl::StatusOr<std::unique_ptr<runnel::File>> f = fs->OpenFile(
//       "/data/orders-0/00000000.log", runnel::OpenOptions::Create());
//   if (!f.ok()) return f.status();
//   s = (*f)->Append("hello");                       // not durable yet
//   if (s.ok()) s = (*f)->Sync();                    // the bytes are durable
//   if (s.ok()) s = fs->SyncDir("/data/orders-0");   // and so is the name
//
// Durability model (what FaultInjectionFileSystem enforces in tests):
//   - File content becomes durable at File::Sync (fdatasync: the whole file,
//     including pages dirtied through a mapping) or MappedRegion::Sync (just
//     that range, msync).
//   - Directory entries (creations, renames, removals) become durable at
//     SyncDir of the directory that holds them.
//   - Reserve/Truncate change the size; the size is durable after File::Sync.
//
// Mappings: a mapping may only cover bytes inside the file's current size.
// Grow the file first (Reserve allocates the blocks, so a full disk is a
// ResourceExhausted status there and never a SIGBUS on a later store).
// Shrinking a file under a live mapping is the caller's bug (SIGBUS).
//
// Errors: every failure is an absl::Status whose message names the operation
// and the path, plus strerror for system errors. errno maps to codes as:
// ENOENT NotFound, EEXIST AlreadyExists, ENOSPC/EDQUOT ResourceExhausted,
// EACCES/EPERM/EROFS PermissionDenied, ENOTEMPTY/EISDIR/ENOTDIR/EBADF
// FailedPrecondition, EINVAL InvalidArgument, EIO and unknown ones Internal.
// A second LockDir on a locked directory is FailedPrecondition; using a File
// after Close (or any handle after a simulated crash) is FailedPrecondition.
//
// Thread-safety: FileSystem implementations are thread-safe. A File is
// thread-safe for every call but Close; Append is atomic only against other
// Appends through the same File (it writes at the size it reads). Close must
// not race with other calls on the same File. MappedRegion's memory follows the
// usual shared-memory rules (the caller synchronizes access to the bytes).
//
// Lifetimes: a FileSystem must outlive every File, MappedRegion and DirLock
// it returns. A MappedRegion may outlive its File (like mmap after close).
#ifndef RUNNEL_IO_FILE_SYSTEM_H_
#define RUNNEL_IO_FILE_SYSTEM_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace runnel {

// How OpenFile opens a file. The factories cover the common cases.
struct OpenOptions {
  bool create = false;     // Create the file if it does not exist.
  bool exclusive = false;  // With `create`: fail (AlreadyExists) if it exists.
  bool truncate = false;   // Cut an existing file to size 0.
  bool read_only = false;  // Writes, Reserve, Truncate and kReadWrite maps
                           // fail with FailedPrecondition.

  // An existing file, for reading only.
  static OpenOptions ReadOnly();
  // An existing file, for reading and writing.
  static OpenOptions ReadWrite();
  // Read-write; created empty if missing, kept as is otherwise.
  static OpenOptions Create();
  // Read-write; must not exist yet.
  static OpenOptions CreateNew();
  // Read-write; created if missing, emptied if present.
  static OpenOptions CreateTruncate();
};

enum class MapMode { kReadOnly, kReadWrite };

// A shared memory mapping of part of a file (mmap MAP_SHARED). Stores through
// mutable_data() are visible to File::ReadAt at once and vice versa; they
// become durable at Sync. The destructor unmaps.
class MappedRegion {
 public:
  MappedRegion(const MappedRegion&) = delete;
  MappedRegion& operator=(const MappedRegion&) = delete;
  virtual ~MappedRegion() = default;

  // The first mapped byte (the byte at file offset `offset()`).
  const char* data() const { return data_; }
  // Writable view; nullptr for a kReadOnly mapping.
  char* mutable_data() const {
    return mode_ == MapMode::kReadWrite ? data_ : nullptr;
  }
  // Mapped bytes. Only Grow changes it (readers on other threads must get
  // sizes through their own synchronization, e.g. a published end offset).
  size_t size() const { return size_.load(std::memory_order_acquire); }
  // The most the region can Grow to without moving (== size() for a plain
  // Map).
  size_t capacity() const { return capacity_; }
  uint64_t offset() const { return offset_; }
  MapMode mode() const { return mode_; }
  const std::string& path() const { return path_; }

  // Makes bytes [offset_in_region, offset_in_region + length) durable
  // (msync MS_SYNC; page alignment is handled internally). OutOfRange if the
  // range does not lie inside the region.
  virtual absl::Status Sync(size_t offset_in_region, size_t length) = 0;

  // Asks the OS to fault in bytes [offset_in_region, +length) now — for a
  // writable region as if written, without changing them — so later
  // accesses take no page faults. An optimization only: OK where the
  // platform cannot (the default does nothing); OutOfRange outside the
  // region. Safe to call while other threads write the same bytes.
  virtual absl::Status Prefault(size_t offset_in_region, size_t length);

  // Hints that bytes [offset_in_region, +length) are about to be written
  // fast and in order: back them with huge pages where the OS can (Linux:
  // MADV_HUGEPAGE). Fewer faults and TLB misses for a streaming writer, but
  // the first touch of each fresh huge page zeroes 2 MiB at once, so a slow
  // writer is better off without. The range may reach past size() up to
  // capacity() (bytes a growable region will map). An optimization only: OK
  // where the platform cannot (the default does nothing); OutOfRange past
  // capacity().
  virtual absl::Status AdviseHugePages(size_t offset_in_region, size_t length);

  // Extends the mapping in place to `new_size` bytes (data() does not move):
  // only for regions from File::MapGrowable. The file must already hold the
  // bytes (grow it with Reserve first). Errors: FailedPrecondition if the
  // file is too short or new_size > capacity(); a smaller new_size is a
  // no-op. Not thread-safe against other Grow calls on the same region.
  virtual absl::Status Grow(size_t new_size);

 protected:
  MappedRegion(std::string path, char* data, size_t size, uint64_t offset,
               MapMode mode, size_t capacity = 0)
      : path_(std::move(path)),
        data_(data),
        size_(size),
        capacity_(capacity < size ? size : capacity),
        offset_(offset),
        mode_(mode) {}

  void set_size(size_t size) { size_.store(size, std::memory_order_release); }

  // Checks that [offset_in_region, +length) lies inside the region (or,
  // with `up_to_capacity`, inside capacity()).
  absl::Status CheckSyncRange(size_t offset_in_region, size_t length,
                              bool up_to_capacity = false) const;

 private:
  const std::string path_;
  char* const data_;
  std::atomic<size_t> size_;
  const size_t capacity_;
  const uint64_t offset_;
  const MapMode mode_;
};

// One open file. All offsets are absolute byte positions.
class File {
 public:
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  virtual ~File() = default;  // Closes if still open (errors are dropped).

  // The path the file was opened with.
  const std::string& path() const { return path_; }

  // Reads up to dst.size() bytes at `offset`. Returns the count, which is
  // short only when the end of file is reached (0 at or past the end).
  virtual absl::StatusOr<size_t> ReadAt(uint64_t offset,
                                        absl::Span<char> dst) = 0;
  // Writes all of `data` at `offset`, growing the file if needed.
  virtual absl::Status WriteAt(uint64_t offset, absl::string_view data) = 0;
  // Writes all of `data` at the current end of file.
  virtual absl::Status Append(absl::string_view data) = 0;
  virtual absl::StatusOr<uint64_t> Size() = 0;
  // Sets the size: cuts, or extends with zeros (sparse).
  virtual absl::Status Truncate(uint64_t size) = 0;
  // Allocates blocks for [offset, offset + length) and extends the size to
  // cover it (fallocate mode 0; never shrinks). A full disk is
  // ResourceExhausted naming the path. length 0 is a no-op.
  virtual absl::Status Reserve(uint64_t offset, uint64_t length) = 0;
  // Makes the whole content and size durable (fdatasync), including bytes
  // stored through mappings.
  virtual absl::Status Sync() = 0;
  // Maps [offset, offset + length). `offset` need not be page-aligned. The
  // range must lie inside the current size (FailedPrecondition otherwise);
  // length 0 is InvalidArgument.
  absl::StatusOr<std::unique_ptr<MappedRegion>> Map(uint64_t offset,
                                                    size_t length,
                                                    MapMode mode) {
    return MapGrowable(offset, length, length, mode);
  }
  // Like Map, but reserves address space for `capacity` bytes so the region
  // can later Grow in place: the way to map a file that is still being
  // written (reserve space in the file, then Grow the mapping over it)
  // without ever touching bytes past the end of the file (an
  // implementation may map them ahead, as the POSIX one does). capacity <
  // length is InvalidArgument.
  virtual absl::StatusOr<std::unique_ptr<MappedRegion>> MapGrowable(
      uint64_t offset, size_t length, size_t capacity, MapMode mode) = 0;
  // Releases the descriptor. Later calls fail with FailedPrecondition.
  // Mappings stay valid.
  virtual absl::Status Close() = 0;

 protected:
  explicit File(std::string path) : path_(std::move(path)) {}

 private:
  const std::string path_;
};

// An exclusive lock on a directory, held until destruction (or until the
// process dies). See FileSystem::LockDir.
class DirLock {
 public:
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;
  virtual ~DirLock() = default;  // Releases the lock.

  const std::string& dir() const { return dir_; }

 protected:
  explicit DirLock(std::string dir) : dir_(std::move(dir)) {}

 private:
  const std::string dir_;
};

// The file system. Paths are plain strings ("/a/b/c" or relative); there is
// no symlink handling beyond what the platform does.
class FileSystem {
 public:
  FileSystem() = default;
  FileSystem(const FileSystem&) = delete;
  FileSystem& operator=(const FileSystem&) = delete;
  virtual ~FileSystem() = default;

  // The process-wide POSIX file system. Never destroyed; thread-safe.
  static FileSystem* Default();

  // Opens (or creates) a regular file. Opening a directory fails
  // (FailedPrecondition). A created file's name is durable after SyncDir.
  virtual absl::StatusOr<std::unique_ptr<File>> OpenFile(
      absl::string_view path, const OpenOptions& options) = 0;
  // Unlinks a file (not a directory). Open Files and mappings keep working.
  virtual absl::Status RemoveFile(absl::string_view path) = 0;
  // Atomically moves `from` to `to`, replacing `to` if it exists (rename(2)).
  virtual absl::Status Rename(absl::string_view from, absl::string_view to) = 0;
  // True if a file or directory exists at `path`.
  virtual absl::StatusOr<bool> FileExists(absl::string_view path) = 0;
  // True for a directory, false for a file, NotFound if nothing is there.
  virtual absl::StatusOr<bool> IsDirectory(absl::string_view path) = 0;
  // Size of a regular file (FailedPrecondition for a directory).
  virtual absl::StatusOr<uint64_t> GetFileSize(absl::string_view path) = 0;
  // Creates one directory; its parent must exist.
  virtual absl::Status CreateDir(absl::string_view path) = 0;
  // Removes an empty directory.
  virtual absl::Status RemoveDir(absl::string_view path) = 0;
  // Names in `dir` (no "." or ".."), sorted bytewise.
  virtual absl::StatusOr<std::vector<std::string>> ListDir(
      absl::string_view dir) = 0;
  // Makes the entries of `dir` durable: creations, renames and removals of
  // names inside it (fsync on the directory).
  virtual absl::Status SyncDir(absl::string_view dir) = 0;
  // Takes an exclusive lock on `dir` (through the file `<dir>/LOCK`, which
  // also records the holder's pid). Fails with FailedPrecondition naming the
  // directory and the holder's pid if any holder — this process or another —
  // has it. Never steals a lock; the OS drops it when the holder dies.
  virtual absl::StatusOr<std::unique_ptr<DirLock>> LockDir(
      absl::string_view dir) = 0;

  // Creates `path` and any missing parents (mkdir -p). OK if it exists as a
  // directory. Non-durable: SyncDir each new directory's parent if needed.
  absl::Status CreateDirs(absl::string_view path);
  // CreateDirs that also syncs the parent of every directory it creates,
  // so the new directories survive a power loss.
  absl::Status CreateDirsDurably(absl::string_view path);
  // Removes a file, or a directory and everything below it (rm -rf).
  // NotFound if nothing is there.
  absl::Status RemoveAll(absl::string_view path);
  // The whole content of a regular file.
  absl::StatusOr<std::string> ReadFileToString(absl::string_view path);
  // Replaces `path` with `content` crash-safely: writes `<path>.tmp`, syncs
  // it, renames it over `path`, then syncs the parent directory. A crash at
  // any point leaves `path` with all of its old or all of its new content;
  // a `.tmp` may be left behind (readers ignore it, the next call replaces
  // it). On a failure before the rename the `.tmp` is removed when
  // possible. Calls for the same path must not run concurrently.
  absl::Status ReplaceFileDurably(absl::string_view path,
                                  absl::string_view content);

 private:
  absl::Status CreateDirsImpl(absl::string_view path, bool durably);
};

// A new, independent POSIX file system (same as Default(), but owned).
std::unique_ptr<FileSystem> NewPosixFileSystem();

}  // namespace runnel

#endif  // RUNNEL_IO_FILE_SYSTEM_H_
