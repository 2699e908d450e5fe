// Copyright 2026 The Runnel Authors.
//
// FaultInjectionFileSystem: numbering and failing operations, and the
// File / MappedRegion / DirLock wrappers. What survives a crash is decided
// by io/crash_model.h.
#include "runnel/fault_injection_file_system.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "io/crash_model.h"
#include "io/errors.h"
#include "util/mutex.h"

namespace runnel {
namespace internal {

using absl::string_view;

namespace {

// One operation as the rules see it, and as its error would name it.
struct OpInfo {
  FaultOp op;
  string_view name;  // "open", "write", ... as the POSIX errors say.
  string_view path;
  string_view path2;  // Rename's target; empty otherwise.
  std::string detail;
};

bool Matches(const FaultRule& rule, const OpInfo& info, uint64_t index) {
  if (rule.operation_index.has_value() && *rule.operation_index != index) {
    return false;
  }
  if (!rule.ops.empty() &&
      std::find(rule.ops.begin(), rule.ops.end(), info.op) == rule.ops.end()) {
    return false;
  }
  return rule.path_substring.empty() ||
         absl::StrContains(info.path, rule.path_substring) ||
         (!info.path2.empty() &&
          absl::StrContains(info.path2, rule.path_substring));
}

}  // namespace

// Everything behind the wrapper, shared with its handles. One mutex
// serializes all operations (see the header).
class FaultInjectionState {
 public:
  explicit FaultInjectionState(FileSystem* base) : base_(base), model_(base) {}

  // Numbers the operation and applies the rules: OK, or the injected error.
  absl::Status Begin(const OpInfo& info) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // For handle operations: FailedPrecondition if the handle predates the
  // last crash, else Begin(info).
  absl::Status BeginOnHandle(uint64_t epoch, const OpInfo& info)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (epoch != epoch_) {
      return PathError(
          absl::StatusCode::kFailedPrecondition, info.name, info.path,
          "stale handle: SimulateCrash() happened after it was opened");
    }
    return Begin(info);
  }

  Mutex mu_;
  FileSystem* const base_;
  CrashModel model_ ABSL_GUARDED_BY(mu_);
  std::vector<FaultRule> rules_ ABSL_GUARDED_BY(mu_);
  uint64_t operation_count_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t faults_injected_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t epoch_ ABSL_GUARDED_BY(mu_) = 0;  // Bumped by each crash.
  // Locks held through the wrapper, by id; a crash drops them all.
  std::map<uint64_t, std::unique_ptr<DirLock>> locks_ ABSL_GUARDED_BY(mu_);
  uint64_t next_lock_id_ ABSL_GUARDED_BY(mu_) = 0;
};

absl::Status FaultInjectionState::Begin(const OpInfo& info) {
  const uint64_t index = operation_count_++;
  for (auto it = rules_.begin(); it != rules_.end(); ++it) {
    if (!Matches(*it, info, index)) continue;
    if (it->skip > 0) {
      --it->skip;
      continue;
    }
    const int error = it->error;
    if (!it->persistent) rules_.erase(it);
    ++faults_injected_;
    const std::string shown = info.path2.empty()
                                  ? std::string(info.path)
                                  : RenamePaths(info.path, info.path2);
    return IoError(error, info.name, shown, info.detail);
  }
  return absl::OkStatus();
}

namespace {

class FaultRegion final : public MappedRegion {
 public:
  FaultRegion(FaultInjectionState* fs, std::unique_ptr<MappedRegion> base,
              CrashModel::NodeId node, uint64_t epoch)
      : MappedRegion(base->path(), const_cast<char*>(base->data()),
                     base->size(), base->offset(), base->mode(),
                     base->capacity()),
        fs_(fs),
        base_(std::move(base)),
        node_(node),
        epoch_(epoch) {}

  absl::Status Sync(size_t offset_in_region, size_t length) override {
    MutexLock lock(&fs_->mu_);
    absl::Status status = fs_->BeginOnHandle(
        epoch_, {FaultOp::kMapSync,
                 "msync",
                 path(),
                 {},
                 RangeDetail(offset() + offset_in_region, length)});
    if (status.ok()) status = base_->Sync(offset_in_region, length);
    if (status.ok()) {
      fs_->model_.RangeSynced(node_, offset() + offset_in_region,
                              string_view(data() + offset_in_region, length));
    }
    return status;
  }

  // Only changes timing, never content: forwarded as is.
  absl::Status Prefault(size_t offset_in_region, size_t length) override {
    return base_->Prefault(offset_in_region, length);
  }
  absl::Status AdviseHugePages(size_t offset_in_region,
                               size_t length) override {
    return base_->AdviseHugePages(offset_in_region, length);
  }

  // Growing maps more of the file: counted and failable like a Map.
  absl::Status Grow(size_t new_size) override {
    MutexLock lock(&fs_->mu_);
    absl::Status status =
        fs_->BeginOnHandle(epoch_, {FaultOp::kMap,
                                    "grow map",
                                    path(),
                                    {},
                                    RangeDetail(offset(), new_size)});
    if (status.ok()) status = base_->Grow(new_size);
    if (status.ok()) set_size(base_->size());
    return status;
  }

 private:
  FaultInjectionState* const fs_;
  const std::unique_ptr<MappedRegion> base_;
  const CrashModel::NodeId node_;
  const uint64_t epoch_;
};

class FaultFile final : public File {
 public:
  FaultFile(FaultInjectionState* fs, std::unique_ptr<File> base,
            CrashModel::NodeId node, uint64_t epoch)
      : File(base->path()),
        fs_(fs),
        base_(std::move(base)),
        node_(node),
        epoch_(epoch) {}

  absl::StatusOr<size_t> ReadAt(uint64_t offset,
                                absl::Span<char> dst) override {
    MutexLock lock(&fs_->mu_);
    absl::Status status =
        Begin(FaultOp::kRead, "read", RangeDetail(offset, dst.size()));
    if (!status.ok()) return status;
    return base_->ReadAt(offset, dst);
  }
  absl::Status WriteAt(uint64_t offset, string_view data) override {
    MutexLock lock(&fs_->mu_);
    absl::Status status =
        Begin(FaultOp::kWrite, "write", RangeDetail(offset, data.size()));
    return status.ok() ? base_->WriteAt(offset, data) : status;
  }
  absl::Status Append(string_view data) override {
    MutexLock lock(&fs_->mu_);
    // Name the offset the way the POSIX error would: the current end.
    const uint64_t end = epoch_ == fs_->epoch_ ? base_->Size().value_or(0) : 0;
    absl::Status status =
        Begin(FaultOp::kWrite, "append", RangeDetail(end, data.size()));
    return status.ok() ? base_->Append(data) : status;
  }
  absl::StatusOr<uint64_t> Size() override {
    MutexLock lock(&fs_->mu_);
    absl::Status status = Begin(FaultOp::kStat, "size", "");
    if (!status.ok()) return status;
    return base_->Size();
  }
  absl::Status Truncate(uint64_t size) override {
    MutexLock lock(&fs_->mu_);
    absl::Status status =
        Begin(FaultOp::kTruncate, "truncate", absl::StrCat("size ", size));
    return status.ok() ? base_->Truncate(size) : status;
  }
  absl::Status Reserve(uint64_t offset, uint64_t length) override {
    MutexLock lock(&fs_->mu_);
    absl::Status status =
        Begin(FaultOp::kReserve, "reserve", RangeDetail(offset, length));
    return status.ok() ? base_->Reserve(offset, length) : status;
  }
  absl::Status Sync() override;
  absl::StatusOr<std::unique_ptr<MappedRegion>> MapGrowable(
      uint64_t offset, size_t length, size_t capacity, MapMode mode) override;
  absl::Status Close() override {
    MutexLock lock(&fs_->mu_);
    absl::Status status = Begin(FaultOp::kClose, "close", "");
    return status.ok() ? base_->Close() : status;
  }

 private:
  absl::Status Begin(FaultOp op, string_view name, std::string detail)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(fs_->mu_) {
    return fs_->BeginOnHandle(epoch_,
                              {op, name, path(), {}, std::move(detail)});
  }

  FaultInjectionState* const fs_;
  const std::unique_ptr<File> base_;
  const CrashModel::NodeId node_;
  const uint64_t epoch_;
};

absl::Status FaultFile::Sync() {
  MutexLock lock(&fs_->mu_);
  absl::Status status = Begin(FaultOp::kSync, "sync", "");
  if (status.ok()) status = base_->Sync();
  if (!status.ok()) return status;
  // fdatasync semantics: the whole current content (mapped stores too).
  absl::StatusOr<std::string> content = ReadWholeFile(base_.get());
  if (!content.ok()) return content.status();
  fs_->model_.FileSynced(node_, *std::move(content));
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<MappedRegion>> FaultFile::MapGrowable(
    uint64_t offset, size_t length, size_t capacity, MapMode mode) {
  MutexLock lock(&fs_->mu_);
  absl::Status status =
      Begin(FaultOp::kMap, "map", RangeDetail(offset, length));
  if (!status.ok()) return status;
  absl::StatusOr<std::unique_ptr<MappedRegion>> region =
      base_->MapGrowable(offset, length, capacity, mode);
  if (!region.ok()) return region.status();
  return std::unique_ptr<MappedRegion>(
      new FaultRegion(fs_, *std::move(region), node_, epoch_));
}

class FaultDirLock final : public DirLock {
 public:
  FaultDirLock(std::string dir, FaultInjectionState* fs, uint64_t id)
      : DirLock(std::move(dir)), fs_(fs), id_(id) {}
  ~FaultDirLock() override {
    MutexLock lock(&fs_->mu_);
    fs_->locks_.erase(id_);  // Gone already if a crash released it.
  }

 private:
  FaultInjectionState* const fs_;
  const uint64_t id_;
};

}  // namespace
}  // namespace internal

using absl::string_view;
using internal::CrashModel;

FaultInjectionFileSystem::FaultInjectionFileSystem(FileSystem* base)
    : base_(base),
      impl_(std::make_unique<internal::FaultInjectionState>(base)) {}

FaultInjectionFileSystem::~FaultInjectionFileSystem() = default;

void FaultInjectionFileSystem::AddFault(FaultRule rule) {
  MutexLock lock(&impl_->mu_);
  impl_->rules_.push_back(std::move(rule));
}

void FaultInjectionFileSystem::FailOperationAt(uint64_t index, int error) {
  FaultRule rule;
  rule.operation_index = index;
  rule.error = error;
  AddFault(std::move(rule));
}

void FaultInjectionFileSystem::ClearFaults() {
  MutexLock lock(&impl_->mu_);
  impl_->rules_.clear();
}

uint64_t FaultInjectionFileSystem::operation_count() const {
  MutexLock lock(&impl_->mu_);
  return impl_->operation_count_;
}

uint64_t FaultInjectionFileSystem::faults_injected() const {
  MutexLock lock(&impl_->mu_);
  return impl_->faults_injected_;
}

absl::Status FaultInjectionFileSystem::SimulateCrash(
    const CrashOptions& options) {
  MutexLock lock(&impl_->mu_);
  ++impl_->epoch_;
  impl_->locks_.clear();  // The process died: the OS drops its locks.
  return impl_->model_.Crash(options.tear_last_unsynced_page, options.seed);
}

absl::StatusOr<std::unique_ptr<File>> FaultInjectionFileSystem::OpenFile(
    string_view path, const OpenOptions& options) {
  MutexLock lock(&impl_->mu_);
  absl::Status status = impl_->Begin({FaultOp::kOpen, "open", path, {}, ""});
  if (!status.ok()) return status;
  const CrashModel::Target target = impl_->model_.Resolve(path);
  if (!options.read_only) {
    // Keep what is durable now before the open (or later writes) change it.
    status = impl_->model_.AdoptFile(target.node, path);
    if (!status.ok()) return status;
  }
  absl::StatusOr<std::unique_ptr<File>> file = base_->OpenFile(path, options);
  if (!file.ok()) return file.status();
  const CrashModel::NodeId node =
      target.node != 0 ? target.node
                       : impl_->model_.Created(target, /*is_dir=*/false);
  return std::unique_ptr<File>(new internal::FaultFile(
      impl_.get(), *std::move(file), node, impl_->epoch_));
}

absl::Status FaultInjectionFileSystem::RemoveFile(string_view path) {
  MutexLock lock(&impl_->mu_);
  absl::Status status =
      impl_->Begin({FaultOp::kRemove, "remove", path, {}, ""});
  if (!status.ok()) return status;
  const CrashModel::Target target = impl_->model_.Resolve(path);
  status = impl_->model_.AdoptFile(target.node, path);  // To bring it back.
  if (status.ok()) status = base_->RemoveFile(path);
  if (status.ok()) impl_->model_.Unlinked(target);
  return status;
}

absl::Status FaultInjectionFileSystem::Rename(string_view from,
                                              string_view to) {
  MutexLock lock(&impl_->mu_);
  absl::Status status =
      impl_->Begin({FaultOp::kRename, "rename", from, to, ""});
  if (!status.ok()) return status;
  const CrashModel::Target source = impl_->model_.Resolve(from);
  const CrashModel::Target target = impl_->model_.Resolve(to);
  // Both may end up somewhere they do not durably belong: copy them.
  status = impl_->model_.AdoptTree(source.node, from);
  if (status.ok()) status = impl_->model_.AdoptTree(target.node, to);
  if (status.ok()) status = base_->Rename(from, to);
  if (status.ok()) impl_->model_.Renamed(source, target);
  return status;
}

absl::StatusOr<bool> FaultInjectionFileSystem::FileExists(string_view path) {
  MutexLock lock(&impl_->mu_);
  absl::Status status = impl_->Begin({FaultOp::kStat, "stat", path, {}, ""});
  if (!status.ok()) return status;
  return base_->FileExists(path);
}

absl::StatusOr<bool> FaultInjectionFileSystem::IsDirectory(string_view path) {
  MutexLock lock(&impl_->mu_);
  absl::Status status = impl_->Begin({FaultOp::kStat, "stat", path, {}, ""});
  if (!status.ok()) return status;
  return base_->IsDirectory(path);
}

absl::StatusOr<uint64_t> FaultInjectionFileSystem::GetFileSize(
    string_view path) {
  MutexLock lock(&impl_->mu_);
  absl::Status status = impl_->Begin({FaultOp::kStat, "stat", path, {}, ""});
  if (!status.ok()) return status;
  return base_->GetFileSize(path);
}

absl::Status FaultInjectionFileSystem::CreateDir(string_view path) {
  MutexLock lock(&impl_->mu_);
  absl::Status status =
      impl_->Begin({FaultOp::kCreateDir, "mkdir", path, {}, ""});
  if (!status.ok()) return status;
  const CrashModel::Target target = impl_->model_.Resolve(path);
  status = base_->CreateDir(path);
  if (status.ok()) impl_->model_.Created(target, /*is_dir=*/true);
  return status;
}

absl::Status FaultInjectionFileSystem::RemoveDir(string_view path) {
  MutexLock lock(&impl_->mu_);
  absl::Status status = impl_->Begin({FaultOp::kRemove, "rmdir", path, {}, ""});
  if (!status.ok()) return status;
  // Only an empty directory goes: every name it durably held was removed or
  // renamed through us, so the model can rebuild it.
  const CrashModel::Target target = impl_->model_.Resolve(path);
  status = base_->RemoveDir(path);
  if (status.ok()) impl_->model_.Unlinked(target);
  return status;
}

absl::StatusOr<std::vector<std::string>> FaultInjectionFileSystem::ListDir(
    string_view dir) {
  MutexLock lock(&impl_->mu_);
  absl::Status status =
      impl_->Begin({FaultOp::kListDir, "listdir", dir, {}, ""});
  if (!status.ok()) return status;
  return base_->ListDir(dir);
}

absl::Status FaultInjectionFileSystem::SyncDir(string_view dir) {
  MutexLock lock(&impl_->mu_);
  absl::Status status =
      impl_->Begin({FaultOp::kSyncDir, "syncdir", dir, {}, ""});
  if (!status.ok()) return status;
  const CrashModel::Target target = impl_->model_.Resolve(dir);
  status = base_->SyncDir(dir);
  if (status.ok()) impl_->model_.DirSynced(target.node);
  return status;
}

absl::StatusOr<std::unique_ptr<DirLock>> FaultInjectionFileSystem::LockDir(
    string_view dir) {
  MutexLock lock(&impl_->mu_);
  absl::Status status = impl_->Begin({FaultOp::kLock, "lock", dir, {}, ""});
  if (!status.ok()) return status;
  absl::StatusOr<std::unique_ptr<DirLock>> base_lock = base_->LockDir(dir);
  if (!base_lock.ok()) return base_lock.status();
  const uint64_t id = impl_->next_lock_id_++;
  impl_->locks_[id] = *std::move(base_lock);
  return std::unique_ptr<DirLock>(
      new internal::FaultDirLock(std::string(dir), impl_.get(), id));
}

}  // namespace runnel
