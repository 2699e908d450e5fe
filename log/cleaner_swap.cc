// Copyright 2026 The Runnel Authors.
#include "log/cleaner_swap.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "log/format.h"

namespace runnel {
namespace internal {
namespace {

using format::SegmentFileType;
using format::TempFileState;

// A segment file in transition, as found in the directory.
struct TempFile {
  std::string name;
  format::ParsedSegmentFileName parsed;
};

struct TempFiles {
  std::vector<TempFile> cleaned, swap, deleted;
};

absl::StatusOr<TempFiles> ListTempFiles(FileSystem* fs, absl::string_view dir) {
  absl::StatusOr<std::vector<std::string>> names = fs->ListDir(dir);
  if (!names.ok()) return names.status();
  TempFiles found;
  for (std::string& name : *names) {
    absl::StatusOr<format::ParsedSegmentFileName> parsed =
        format::ParseSegmentFileName(name);
    if (!parsed.ok()) continue;  // not a segment file: not ours
    std::vector<TempFile>* list = nullptr;
    switch (parsed->temp_state) {
      case TempFileState::kNone:
        break;
      case TempFileState::kCleaned:
        list = &found.cleaned;
        break;
      case TempFileState::kSwap:
        list = &found.swap;
        break;
      case TempFileState::kDeleted:
        list = &found.deleted;
        break;
    }
    if (list != nullptr) list->push_back({std::move(name), *parsed});
  }
  return found;
}

std::string Join(absl::string_view dir, absl::string_view name) {
  return absl::StrCat(dir, "/", name);
}

// The name a temp file had (or will have) without its second suffix.
absl::string_view FinalName(absl::string_view name) {
  const size_t dot = name.rfind('.');
  return name.substr(0, dot);
}

// Applies one batch of changes, then makes them durable. Counts into *done.
class DirChanges {
 public:
  DirChanges(FileSystem* fs, absl::string_view dir, InterruptedCleaning* done)
      : fs_(fs), dir_(dir), done_(done) {}

  absl::Status Remove(absl::string_view name) {
    absl::Status s = fs_->RemoveFile(Join(dir_, name));
    if (absl::IsNotFound(s)) return absl::OkStatus();  // a rerun after a crash
    if (!s.ok()) return s;
    ++done_->files_removed;
    changed_ = true;
    return absl::OkStatus();
  }
  absl::Status RenameToFinal(absl::string_view name) {
    absl::Status s = fs_->Rename(Join(dir_, name), Join(dir_, FinalName(name)));
    if (!s.ok()) return s;
    ++done_->files_renamed;
    changed_ = true;
    return absl::OkStatus();
  }
  // fsync of the directory if anything changed since the last one.
  absl::Status Sync() {
    if (!changed_) return absl::OkStatus();
    changed_ = false;
    return fs_->SyncDir(dir_);
  }

 private:
  FileSystem* const fs_;
  const std::string dir_;
  InterruptedCleaning* const done_;
  bool changed_ = false;
};

absl::Status RemoveAll(const std::vector<TempFile>& files, DirChanges* dir) {
  for (const TempFile& f : files) {
    if (absl::Status s = dir->Remove(f.name); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// State (c): the old segments come back, the cleaned one goes.
absl::Status RollBack(const TempFiles& found, int64_t base, DirChanges* dir) {
  for (const TempFile& f : found.deleted) {
    if (absl::Status s = dir->RenameToFinal(f.name); !s.ok()) return s;
  }
  if (absl::Status s = dir->Sync(); !s.ok()) return s;
  if (absl::Status s = RemoveAll(found.cleaned, dir); !s.ok()) return s;
  const TempFile* log_swap = nullptr;
  for (const TempFile& f : found.swap) {
    if (f.parsed.base_offset == base &&
        f.parsed.type == SegmentFileType::kLog) {
      log_swap = &f;
    } else if (absl::Status s = dir->Remove(f.name); !s.ok()) {
      return s;
    }
  }
  if (absl::Status s = dir->Sync(); !s.ok()) return s;
  // Last: while it exists, the state reads as "not committed".
  if (log_swap != nullptr) {
    if (absl::Status s = dir->Remove(log_swap->name); !s.ok()) return s;
  }
  return dir->Sync();
}

// State (d): the cleaned segment's files take their names.
absl::Status RollForward(const TempFiles& found, DirChanges* dir) {
  for (const TempFile& f : found.swap) {
    if (absl::Status s = dir->RenameToFinal(f.name); !s.ok()) return s;
  }
  if (absl::Status s = dir->Sync(); !s.ok()) return s;
  if (absl::Status s = RemoveAll(found.deleted, dir); !s.ok()) return s;
  if (absl::Status s = RemoveAll(found.cleaned, dir); !s.ok()) return s;
  return dir->Sync();
}

bool HasFile(const std::vector<TempFile>& files, int64_t base,
             SegmentFileType type) {
  for (const TempFile& f : files) {
    if (f.parsed.base_offset == base && f.parsed.type == type) return true;
  }
  return false;
}

absl::Status Annotate(const absl::Status& s, absl::string_view what) {
  return absl::Status(s.code(), absl::StrCat(what, ": ", s.message()));
}

}  // namespace

std::string SegmentFilePath(absl::string_view dir, int64_t base_offset,
                            absl::string_view suffix) {
  absl::StatusOr<std::string> name =
      format::SegmentFileName(base_offset, suffix);
  return Join(dir, name.ok() ? *name : absl::StrCat(base_offset, suffix));
}

absl::StatusOr<InterruptedCleaning> CompleteInterruptedCleaning(
    FileSystem* fs, absl::string_view dir) {
  absl::StatusOr<TempFiles> found = ListTempFiles(fs, dir);
  if (!found.ok()) return found.status();
  InterruptedCleaning done;
  DirChanges changes(fs, dir, &done);
  std::set<int64_t> swap_bases;
  for (const TempFile& f : found->swap) swap_bases.insert(f.parsed.base_offset);

  absl::Status status;
  if (swap_bases.empty()) {  // (a)
    status = RemoveAll(found->cleaned, &changes);
    if (status.ok()) status = RemoveAll(found->deleted, &changes);
    if (status.ok()) status = changes.Sync();
  } else if (swap_bases.size() > 1) {  // (b)
    return absl::DataLossError(
        absl::StrCat("log directory ", dir, ": .swap files of ",
                     swap_bases.size(), " different segments (",
                     *swap_bases.begin(), ", ", *swap_bases.rbegin(),
                     ", ...); only one cleaned segment is ever "
                     "swapped at a time"));
  } else {
    done.base_offset = *swap_bases.begin();
    if (HasFile(found->swap, done.base_offset, SegmentFileType::kLog) ||
        HasFile(found->cleaned, done.base_offset, SegmentFileType::kLog)) {
      done.action = InterruptedCleaning::Action::kRolledBack;  // (c)
      status = RollBack(*found, done.base_offset, &changes);
    } else {
      done.action = InterruptedCleaning::Action::kRolledForward;  // (d)
      status = RollForward(*found, &changes);
    }
  }
  if (!status.ok()) {
    return Annotate(
        status, absl::StrCat("completing an interrupted log cleaning in ", dir,
                             " (run again to finish)"));
  }
  return done;
}

namespace {

// Steps 2 and 3. Any error leaves the swap uncommitted.
absl::Status PrepareSwap(FileSystem* fs, const SwapPlan& plan) {
  const int64_t b0 = plan.replaced.front();
  for (absl::string_view type :
       {format::kLogFileSuffix, format::kIndexFileSuffix,
        format::kTimeIndexFileSuffix}) {
    const std::string from = SegmentFilePath(
        plan.dir, b0, absl::StrCat(type, format::kCleanedFileSuffix));
    const std::string to = SegmentFilePath(
        plan.dir, b0, absl::StrCat(type, format::kSwapFileSuffix));
    if (absl::Status s = fs->Rename(from, to); !s.ok()) return s;
  }
  if (absl::Status s = fs->SyncDir(plan.dir); !s.ok()) return s;
  for (int64_t base : plan.replaced) {
    for (absl::string_view type :
         {format::kLogFileSuffix, format::kIndexFileSuffix,
          format::kTimeIndexFileSuffix, format::kTxnIndexFileSuffix}) {
      const bool is_log = type == format::kLogFileSuffix;
      // b0.log is replaced by the commit rename itself.
      if (base == b0 && is_log) continue;
      const std::string from = SegmentFilePath(plan.dir, base, type);
      absl::Status s =
          fs->Rename(from, absl::StrCat(from, format::kDeletedFileSuffix));
      // A segment need not have every index file (e.g. .txnindex).
      if (!s.ok() && !(absl::IsNotFound(s) && !is_log)) return s;
    }
  }
  return fs->SyncDir(plan.dir);
}

// Step 4 after the commit rename, and step 5.
absl::Status FinishSwap(FileSystem* fs, const SwapPlan& plan) {
  const int64_t b0 = plan.replaced.front();
  if (absl::Status s = fs->SyncDir(plan.dir); !s.ok()) return s;
  for (absl::string_view type :
       {format::kIndexFileSuffix, format::kTimeIndexFileSuffix}) {
    const std::string to = SegmentFilePath(plan.dir, b0, type);
    if (absl::Status s =
            fs->Rename(absl::StrCat(to, format::kSwapFileSuffix), to);
        !s.ok()) {
      return s;
    }
  }
  if (absl::Status s = fs->SyncDir(plan.dir); !s.ok()) return s;
  // Step 5: whatever step 3 renamed.
  absl::StatusOr<TempFiles> found = ListTempFiles(fs, plan.dir);
  if (!found.ok()) return found.status();
  for (const TempFile& f : found->deleted) {
    absl::Status s = fs->RemoveFile(Join(plan.dir, f.name));
    if (!s.ok() && !absl::IsNotFound(s)) return s;
  }
  return found->deleted.empty() ? absl::OkStatus() : fs->SyncDir(plan.dir);
}

}  // namespace

SwapOutcome SwapInCleanedSegment(FileSystem* fs, const SwapPlan& plan) {
  SwapOutcome outcome;
  if (plan.replaced.empty()) {
    outcome.status = absl::InvalidArgumentError("swap of no segments");
    return outcome;
  }
  const int64_t b0 = plan.replaced.front();
  const std::string what =
      absl::StrCat("swapping cleaned segment ", b0, " for ",
                   plan.replaced.size(), " segment(s) in ", plan.dir);
  absl::Status status = PrepareSwap(fs, plan);
  if (status.ok()) {
    const std::string log = SegmentFilePath(plan.dir, b0, ".log");
    status = fs->Rename(absl::StrCat(log, format::kSwapFileSuffix), log);
    outcome.committed = status.ok();
  }
  if (outcome.committed) status = FinishSwap(fs, plan);
  if (status.ok()) return outcome;

  // Put the directory back into a consistent state: the state machine
  // rolls back or forward exactly as it would after a crash here.
  outcome.status = Annotate(status, what);
  absl::StatusOr<InterruptedCleaning> repaired =
      CompleteInterruptedCleaning(fs, plan.dir);
  if (!repaired.ok()) {
    outcome.status = absl::Status(
        outcome.status.code(),
        absl::StrCat(outcome.status.message(), " (repair failed too: ",
                     repaired.status().message(), ")"));
    return outcome;
  }
  if (repaired->action == InterruptedCleaning::Action::kRolledForward) {
    outcome.committed = true;
  }
  return outcome;
}

}  // namespace internal
}  // namespace runnel
