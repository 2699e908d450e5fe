// Copyright 2026 The Runnel Authors.
//
// MemFileSystem's namespace: a sorted map from normalized absolute path to
// node (directory, or file with its inode). Every check mirrors the errno the
// Linux system call would give, so errors match the POSIX file system.
#include "runnel/mem_file_system.h"

#include <unistd.h>

#include <cerrno>
#include <map>
#include <set>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "io/errors.h"
#include "io/mem_file.h"
#include "io/path.h"
#include "util/mutex.h"

namespace runnel {

using absl::string_view;
using internal::IoError;
using internal::MemInode;

namespace {

// "/a/b" for "a/b", "/a/b/", "/a/./c/../b"; "/" for the root.
std::string Key(string_view path) {
  const internal::ParsedPath parsed = internal::ParsePath(path);
  std::string key = "/";
  for (const std::string& part : parsed.parts) {
    if (part == "..") continue;  // Only left at the top: the root's parent.
    if (key.size() > 1) key += '/';
    key += part;
  }
  return key;
}

// "/a/" for "/a", "/" for "/": what every key below `key` starts with.
std::string ChildPrefix(const std::string& key) {
  return key == "/" ? key : key + "/";
}

}  // namespace

class MemFileSystem::Impl {
 public:
  explicit Impl(Options options)
      : space_(std::make_shared<internal::MemSpace>(options.capacity_bytes)) {
    nodes_["/"].is_dir = true;
  }

  uint64_t used_bytes() const { return space_->used(); }

  absl::StatusOr<std::unique_ptr<File>> OpenFile(string_view path,
                                                 const OpenOptions& options);
  absl::Status RemoveFile(string_view path);
  absl::Status Rename(string_view from, string_view to);
  absl::StatusOr<bool> FileExists(string_view path);
  absl::StatusOr<bool> IsDirectory(string_view path);
  absl::StatusOr<uint64_t> GetFileSize(string_view path);
  absl::Status CreateDir(string_view path);
  absl::Status RemoveDir(string_view path);
  absl::StatusOr<std::vector<std::string>> ListDir(string_view dir);
  absl::Status SyncDir(string_view dir);
  absl::StatusOr<std::unique_ptr<DirLock>> LockDir(string_view dir);

 private:
  class MemDirLock;
  struct Node {
    bool is_dir = false;
    std::shared_ptr<MemInode> inode;  // Files only.
  };

  // 0 if every directory above `key` exists, else ENOENT or ENOTDIR.
  int CheckParents(const std::string& key) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // 0 and the node at `key`, or ENOENT/ENOTDIR.
  int Find(const std::string& key, const Node** node) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool HasChildren(const std::string& key) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The errno rename(2) would fail with, or 0.
  int CheckRename(const std::string& from, const std::string& to) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Moves `from` and everything below it to `to`.
  void MoveTree(const std::string& from, const std::string& to)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Creates or rewrites <dir>/LOCK with this pid.
  absl::Status WriteLockFile(const std::string& dir_key, string_view dir)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Unlock(const std::string& key) {
    MutexLock lock(&mu_);
    locked_dirs_.erase(key);
  }

  const std::shared_ptr<internal::MemSpace> space_;
  mutable Mutex mu_;
  std::map<std::string, Node> nodes_ ABSL_GUARDED_BY(mu_);  // "/" always.
  std::set<std::string> locked_dirs_ ABSL_GUARDED_BY(mu_);
};

class MemFileSystem::Impl::MemDirLock final : public DirLock {
 public:
  MemDirLock(std::string dir, Impl* fs, std::string key)
      : DirLock(std::move(dir)), fs_(fs), key_(std::move(key)) {}
  ~MemDirLock() override { fs_->Unlock(key_); }

 private:
  Impl* const fs_;
  const std::string key_;
};

int MemFileSystem::Impl::CheckParents(const std::string& key) const {
  for (size_t slash = key.find('/', 1); slash != std::string::npos;
       slash = key.find('/', slash + 1)) {
    auto it = nodes_.find(key.substr(0, slash));
    if (it == nodes_.end()) return ENOENT;
    if (!it->second.is_dir) return ENOTDIR;
  }
  return 0;
}

int MemFileSystem::Impl::Find(const std::string& key, const Node** node) const {
  const int err = CheckParents(key);
  if (err != 0) return err;
  auto it = nodes_.find(key);
  if (it == nodes_.end()) return ENOENT;
  *node = &it->second;
  return 0;
}

bool MemFileSystem::Impl::HasChildren(const std::string& key) const {
  // Children are exactly the keys starting with "<key>/". Start the search
  // there: siblings such as "<key>-x" sort between "<key>" and "<key>/".
  const std::string prefix = ChildPrefix(key);
  auto it = nodes_.lower_bound(prefix);
  if (it != nodes_.end() && it->first == key) ++it;  // "/" is its own prefix
  return it != nodes_.end() && absl::StartsWith(it->first, prefix);
}

absl::StatusOr<std::unique_ptr<File>> MemFileSystem::Impl::OpenFile(
    string_view path, const OpenOptions& options) {
  absl::Status valid =
      internal::CheckOpenOptions(path, options.create, options.exclusive,
                                 options.truncate, options.read_only);
  if (!valid.ok()) return valid;
  const std::string key = Key(path);
  MutexLock lock(&mu_);
  const int err = CheckParents(key);
  if (err != 0) return IoError(err, "open", path);
  auto it = nodes_.find(key);
  std::shared_ptr<MemInode> inode;
  if (it != nodes_.end()) {
    if (options.create && options.exclusive) {
      return IoError(EEXIST, "open", path);
    }
    if (it->second.is_dir) return IoError(EISDIR, "open", path);
    inode = it->second.inode;
    if (options.truncate) {
      absl::Status cut = inode->SetSize(0, "open", path);
      if (!cut.ok()) return cut;
    }
  } else {
    if (!options.create) return IoError(ENOENT, "open", path);
    absl::StatusOr<std::shared_ptr<MemInode>> created =
        MemInode::Create(space_, path);
    if (!created.ok()) return created.status();
    inode = *created;
    nodes_[key] = Node{false, inode};
  }
  return internal::NewMemFile(std::string(path), std::move(inode),
                              options.read_only);
}

absl::Status MemFileSystem::Impl::RemoveFile(string_view path) {
  const std::string key = Key(path);
  MutexLock lock(&mu_);
  const Node* node = nullptr;
  int err = Find(key, &node);
  if (err == 0 && node->is_dir) err = EISDIR;
  if (err != 0) return IoError(err, "remove", path);
  nodes_.erase(key);  // Open Files keep the inode alive.
  return absl::OkStatus();
}

int MemFileSystem::Impl::CheckRename(const std::string& from,
                                     const std::string& to) const {
  const Node* src = nullptr;
  int err = Find(from, &src);
  if (err == 0) err = CheckParents(to);
  if (err != 0) return err;
  if (from == to) return 0;
  if (from == "/" || to == "/") return EBUSY;
  if (src->is_dir && absl::StartsWith(to, ChildPrefix(from))) return EINVAL;
  auto dst = nodes_.find(to);
  if (dst == nodes_.end()) return 0;
  if (!src->is_dir && dst->second.is_dir) return EISDIR;
  if (src->is_dir && !dst->second.is_dir) return ENOTDIR;
  if (dst->second.is_dir && HasChildren(to)) return ENOTEMPTY;
  return 0;
}

void MemFileSystem::Impl::MoveTree(const std::string& from,
                                   const std::string& to) {
  std::vector<std::pair<std::string, Node>> moved;
  auto self = nodes_.find(from);
  if (self != nodes_.end()) {
    moved.emplace_back(to, std::move(self->second));
    nodes_.erase(self);
  }
  // Children start at "<from>/"; siblings like "<from>-x" sort before them.
  const std::string prefix = ChildPrefix(from);
  for (auto it = nodes_.lower_bound(prefix);
       it != nodes_.end() && absl::StartsWith(it->first, prefix);) {
    moved.emplace_back(to + it->first.substr(from.size()),
                       std::move(it->second));
    it = nodes_.erase(it);
  }
  for (auto& [key, node] : moved) nodes_[key] = std::move(node);
}

absl::Status MemFileSystem::Impl::Rename(string_view from, string_view to) {
  const std::string from_key = Key(from);
  const std::string to_key = Key(to);
  MutexLock lock(&mu_);
  const int err = CheckRename(from_key, to_key);
  if (err != 0) return IoError(err, "rename", internal::RenamePaths(from, to));
  if (from_key == to_key) return absl::OkStatus();
  nodes_.erase(to_key);  // A replaced file, or an empty directory.
  MoveTree(from_key, to_key);
  return absl::OkStatus();
}

absl::StatusOr<bool> MemFileSystem::Impl::FileExists(string_view path) {
  MutexLock lock(&mu_);
  const Node* node = nullptr;
  return Find(Key(path), &node) == 0;
}

absl::StatusOr<bool> MemFileSystem::Impl::IsDirectory(string_view path) {
  MutexLock lock(&mu_);
  const Node* node = nullptr;
  const int err = Find(Key(path), &node);
  if (err != 0) return IoError(err, "stat", path);
  return node->is_dir;
}

absl::StatusOr<uint64_t> MemFileSystem::Impl::GetFileSize(string_view path) {
  MutexLock lock(&mu_);
  const Node* node = nullptr;
  int err = Find(Key(path), &node);
  if (err == 0 && node->is_dir) err = EISDIR;
  if (err != 0) return IoError(err, "stat", path);
  return node->inode->size();
}

absl::Status MemFileSystem::Impl::CreateDir(string_view path) {
  const std::string key = Key(path);
  MutexLock lock(&mu_);
  int err = CheckParents(key);
  if (err == 0 && nodes_.count(key) != 0) err = EEXIST;
  if (err != 0) return IoError(err, "mkdir", path);
  nodes_[key].is_dir = true;
  return absl::OkStatus();
}

absl::Status MemFileSystem::Impl::RemoveDir(string_view path) {
  const std::string key = Key(path);
  MutexLock lock(&mu_);
  const Node* node = nullptr;
  int err = Find(key, &node);
  if (err == 0 && !node->is_dir) err = ENOTDIR;
  if (err == 0 && key == "/") err = EBUSY;
  if (err == 0 && HasChildren(key)) err = ENOTEMPTY;
  if (err != 0) return IoError(err, "rmdir", path);
  nodes_.erase(key);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> MemFileSystem::Impl::ListDir(
    string_view dir) {
  const std::string key = Key(dir);
  MutexLock lock(&mu_);
  const Node* node = nullptr;
  int err = Find(key, &node);
  if (err == 0 && !node->is_dir) err = ENOTDIR;
  if (err != 0) return IoError(err, "listdir", dir);
  const std::string prefix = ChildPrefix(key);
  std::vector<std::string> names;  // Map order is bytewise name order.
  // lower_bound(prefix), not upper_bound(key): "<dir>-x" sorts between
  // "<dir>" and "<dir>/".
  for (auto it = nodes_.lower_bound(prefix);
       it != nodes_.end() && absl::StartsWith(it->first, prefix); ++it) {
    if (it->first == key) continue;  // "/" is its own prefix
    const string_view rest = string_view(it->first).substr(prefix.size());
    if (rest.find('/') == string_view::npos) names.emplace_back(rest);
  }
  return names;
}

absl::Status MemFileSystem::Impl::SyncDir(string_view dir) {
  MutexLock lock(&mu_);
  const Node* node = nullptr;
  int err = Find(Key(dir), &node);
  if (err == 0 && !node->is_dir) err = ENOTDIR;
  if (err != 0) return IoError(err, "syncdir", dir);
  return absl::OkStatus();  // RAM: nothing to make durable.
}

absl::Status MemFileSystem::Impl::WriteLockFile(const std::string& dir_key,
                                                string_view dir) {
  const std::string key = internal::JoinPath(dir_key, "LOCK");
  auto it = nodes_.find(key);
  if (it == nodes_.end()) {
    absl::StatusOr<std::shared_ptr<MemInode>> created =
        MemInode::Create(space_, dir);
    if (!created.ok()) return created.status();
    it = nodes_.emplace(key, Node{false, *created}).first;
  }
  if (it->second.is_dir) return IoError(EISDIR, "lock", dir);
  const std::string pid = absl::StrCat(::getpid(), "\n");
  absl::Status written = it->second.inode->SetSize(0, "lock", dir);
  if (written.ok()) written = it->second.inode->Write(0, pid, dir);
  return written;
}

absl::StatusOr<std::unique_ptr<DirLock>> MemFileSystem::Impl::LockDir(
    string_view dir) {
  const std::string key = Key(dir);
  MutexLock lock(&mu_);
  const Node* node = nullptr;
  int err = Find(key, &node);
  if (err == 0 && !node->is_dir) err = ENOTDIR;
  if (err != 0) return IoError(err, "lock", dir);
  if (locked_dirs_.count(key) != 0) {
    return internal::LockHeldError(dir, absl::StrCat("process ", ::getpid()));
  }
  absl::Status written = WriteLockFile(key, dir);
  if (!written.ok()) return written;
  locked_dirs_.insert(key);
  return std::unique_ptr<DirLock>(new MemDirLock(std::string(dir), this, key));
}

// MemFileSystem forwards to Impl, which keeps mem_file_system.h free of
// internals.

MemFileSystem::MemFileSystem() : MemFileSystem(Options()) {}
MemFileSystem::MemFileSystem(Options options)
    : impl_(std::make_unique<Impl>(options)) {}
MemFileSystem::~MemFileSystem() = default;

uint64_t MemFileSystem::used_bytes() const { return impl_->used_bytes(); }

absl::StatusOr<std::unique_ptr<File>> MemFileSystem::OpenFile(
    string_view path, const OpenOptions& options) {
  return impl_->OpenFile(path, options);
}
absl::Status MemFileSystem::RemoveFile(string_view path) {
  return impl_->RemoveFile(path);
}
absl::Status MemFileSystem::Rename(string_view from, string_view to) {
  return impl_->Rename(from, to);
}
absl::StatusOr<bool> MemFileSystem::FileExists(string_view path) {
  return impl_->FileExists(path);
}
absl::StatusOr<bool> MemFileSystem::IsDirectory(string_view path) {
  return impl_->IsDirectory(path);
}
absl::StatusOr<uint64_t> MemFileSystem::GetFileSize(string_view path) {
  return impl_->GetFileSize(path);
}
absl::Status MemFileSystem::CreateDir(string_view path) {
  return impl_->CreateDir(path);
}
absl::Status MemFileSystem::RemoveDir(string_view path) {
  return impl_->RemoveDir(path);
}
absl::StatusOr<std::vector<std::string>> MemFileSystem::ListDir(
    string_view dir) {
  return impl_->ListDir(dir);
}
absl::Status MemFileSystem::SyncDir(string_view dir) {
  return impl_->SyncDir(dir);
}
absl::StatusOr<std::unique_ptr<DirLock>> MemFileSystem::LockDir(
    string_view dir) {
  return impl_->LockDir(dir);
}

}  // namespace runnel
