// Copyright 2026 The Runnel Authors.
#include "io/crash_model.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "io/path.h"

namespace runnel {
namespace internal {
namespace {

constexpr uint64_t kPage = 4096;

bool Differs(absl::string_view durable, absl::string_view current, size_t i) {
  return i >= durable.size() || durable[i] != current[i];
}

}  // namespace

absl::StatusOr<std::string> ReadWholeFile(File* file) {
  absl::StatusOr<uint64_t> size = file->Size();
  if (!size.ok()) return size.status();
  std::string content(*size, '\0');
  absl::StatusOr<size_t> n = file->ReadAt(0, absl::MakeSpan(content));
  if (!n.ok()) return n.status();
  content.resize(*n);
  return content;
}

std::string TearLastPage(absl::string_view durable, absl::string_view current,
                         uint64_t random) {
  size_t last = current.size();
  while (last > 0 && !Differs(durable, current, last - 1)) --last;
  if (last == 0) return std::string(durable);  // Nothing new to tear.
  const size_t page_start = (last - 1) / kPage * kPage;
  size_t first = page_start;
  while (!Differs(durable, current, first)) ++first;
  const size_t keep = random % (last - first);  // Strict prefix.
  std::string torn(durable);
  if (torn.size() < first + keep) torn.resize(first + keep, '\0');
  torn.replace(first, keep, current.data() + first, keep);
  return torn;
}

CrashModel::CrashModel(FileSystem* base) : base_(base) { Reset(); }

void CrashModel::Reset() {
  nodes_.clear();
  // Roots are anchors: never renamed, their entries always listed lazily.
  absolute_root_ = NewNode(/*is_dir=*/true, /*tracked=*/false);
  relative_root_ = NewNode(/*is_dir=*/true, /*tracked=*/false);
}

CrashModel::NodeId CrashModel::NewNode(bool is_dir, bool tracked) {
  const NodeId id = next_id_++;
  Node& node = nodes_[id];
  node.is_dir = is_dir;
  node.tracked = tracked;
  return id;
}

CrashModel::NodeId CrashModel::Lookup(NodeId dir, absl::string_view dir_path,
                                      const std::string& name) {
  std::map<std::string, Entry>& entries = nodes_.at(dir).entries;
  auto it = entries.find(name);
  if (it != entries.end()) return it->second.cur;
  absl::StatusOr<bool> is_dir = base_->IsDirectory(JoinPath(dir_path, name));
  if (!is_dir.ok()) {
    // Remember only a definite absence; other errors fail the real call too.
    if (absl::IsNotFound(is_dir.status())) entries[name] = Entry();
    return 0;
  }
  const NodeId id = NewNode(*is_dir, /*tracked=*/false);
  nodes_.at(dir).entries[name] = Entry{id, id};  // Untouched: durable as is.
  return id;
}

CrashModel::Target CrashModel::Resolve(absl::string_view path) {
  const ParsedPath parsed = ParsePath(path);
  NodeId dir = parsed.absolute ? absolute_root_ : relative_root_;
  std::string dir_path = parsed.absolute ? "/" : ".";
  if (parsed.parts.empty()) return Target{0, "", dir};
  for (size_t i = 0; i + 1 < parsed.parts.size(); ++i) {
    const NodeId child = Lookup(dir, dir_path, parsed.parts[i]);
    if (child == 0 || !nodes_.at(child).is_dir) return Target();
    dir = child;
    dir_path = JoinPath(dir_path, parsed.parts[i]);
  }
  const std::string& name = parsed.parts.back();
  return Target{dir, name, Lookup(dir, dir_path, name)};
}

CrashModel::Entry* CrashModel::FindEntry(const Target& target) {
  if (target.dir == 0) return nullptr;
  return &nodes_.at(target.dir).entries[target.name];
}

absl::Status CrashModel::AdoptFile(NodeId id, absl::string_view path) {
  if (id == 0) return absl::OkStatus();
  Node& node = nodes_.at(id);
  if (node.is_dir || node.tracked) return absl::OkStatus();
  absl::StatusOr<std::unique_ptr<File>> file =
      base_->OpenFile(path, OpenOptions::ReadOnly());
  if (!file.ok()) return file.status();
  absl::StatusOr<std::string> content = ReadWholeFile(file->get());
  if (!content.ok()) return content.status();
  node.durable = *std::move(content);
  node.tracked = true;
  return absl::OkStatus();
}

absl::Status CrashModel::AdoptTree(NodeId id, absl::string_view path) {
  if (id == 0) return absl::OkStatus();
  if (!nodes_.at(id).is_dir) return AdoptFile(id, path);
  if (!nodes_.at(id).tracked) {
    absl::StatusOr<std::vector<std::string>> names = base_->ListDir(path);
    if (!names.ok()) return names.status();
    for (const std::string& name : *names) Lookup(id, path, name);
    nodes_.at(id).tracked = true;
  }
  // std::map keeps references valid while children add nodes of their own.
  for (const auto& [name, entry] : nodes_.at(id).entries) {
    absl::Status adopted = AdoptTree(entry.cur, JoinPath(path, name));
    if (!adopted.ok()) return adopted;
  }
  return absl::OkStatus();
}

CrashModel::NodeId CrashModel::Created(const Target& target, bool is_dir) {
  Entry* entry = FindEntry(target);
  if (entry == nullptr) return 0;
  // A new directory's (empty) child list is complete; a new file's durable
  // content is empty until a sync.
  const NodeId id = NewNode(is_dir, /*tracked=*/true);
  entry->cur = id;
  return id;
}

void CrashModel::Unlinked(const Target& target) {
  Entry* entry = FindEntry(target);
  if (entry != nullptr) entry->cur = 0;
}

void CrashModel::Renamed(const Target& from, const Target& to) {
  if (from.dir == to.dir && from.name == to.name) return;  // Same name.
  Entry* to_entry = FindEntry(to);
  if (to_entry != nullptr) to_entry->cur = from.node;
  Entry* from_entry = FindEntry(from);
  if (from_entry != nullptr) from_entry->cur = 0;
}

void CrashModel::DirSynced(NodeId dir) {
  if (dir == 0 || !nodes_.at(dir).is_dir) return;
  for (auto& [name, entry] : nodes_.at(dir).entries) entry.dur = entry.cur;
}

void CrashModel::FileSynced(NodeId id, std::string content) {
  if (id == 0) return;
  Node& node = nodes_.at(id);
  node.durable = std::move(content);
  node.tracked = true;
}

void CrashModel::RangeSynced(NodeId id, uint64_t offset,
                             absl::string_view bytes) {
  if (id == 0) return;
  Node& node = nodes_.at(id);
  if (!node.tracked) return;  // Read-only and untouched: base is durable.
  if (node.durable.size() < offset + bytes.size()) {
    node.durable.resize(offset + bytes.size(), '\0');
  }
  node.durable.replace(offset, bytes.size(), bytes.data(), bytes.size());
}

absl::Status CrashModel::Crash(bool tear, uint64_t seed) {
  std::mt19937_64 rng(seed);
  absl::Status status = Reconcile(absolute_root_, "/", tear, &rng);
  if (status.ok()) status = Reconcile(relative_root_, ".", tear, &rng);
  Reset();
  return status;
}

// `dir` is at `path` both now and durably: make its children durable.
absl::Status CrashModel::Reconcile(NodeId dir, const std::string& path,
                                   bool tear, std::mt19937_64* rng) {
  for (const auto& [name, entry] : nodes_.at(dir).entries) {
    const std::string child = JoinPath(path, name);
    absl::Status status;
    if (entry.cur == entry.dur) {
      if (entry.cur == 0) continue;
      const Node& node = nodes_.at(entry.cur);
      if (node.is_dir) {
        status = Reconcile(entry.cur, child, tear, rng);
      } else if (node.tracked) {
        status = RestoreFile(node, child, tear, rng);
      }
    } else {
      if (entry.cur != 0) {
        status = base_->RemoveAll(child);
        if (absl::IsNotFound(status)) status = absl::OkStatus();
      }
      if (status.ok() && entry.dur != 0) status = Materialize(entry.dur, child);
    }
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

// A tracked file in its durable place: replace it by a new file holding the
// durable content (a new inode, so stale handles and mappings are cut off).
absl::Status CrashModel::RestoreFile(const Node& node, const std::string& path,
                                     bool tear, std::mt19937_64* rng) {
  std::string content = node.durable;
  if (tear) {
    absl::StatusOr<std::unique_ptr<File>> file =
        base_->OpenFile(path, OpenOptions::ReadOnly());
    if (!file.ok()) return file.status();
    absl::StatusOr<std::string> current = ReadWholeFile(file->get());
    if (!current.ok()) return current.status();
    content = TearLastPage(node.durable, *current, (*rng)());
  }
  absl::Status removed = base_->RemoveFile(path);
  if (!removed.ok() && !absl::IsNotFound(removed)) return removed;
  return WriteNewFile(path, content);
}

// Re-creates node `id` (and, for a directory, its durable children) at
// `path` from the model alone.
absl::Status CrashModel::Materialize(NodeId id, const std::string& path) {
  const Node& node = nodes_.at(id);
  if (!node.is_dir) {
    if (!node.tracked) {
      return absl::InternalError(absl::StrCat(
          "crash model: no durable copy of ", path, " (changed untracked)"));
    }
    return WriteNewFile(path, node.durable);
  }
  absl::Status status = base_->CreateDir(path);
  for (const auto& [name, entry] : node.entries) {
    if (!status.ok()) break;
    if (entry.dur != 0) status = Materialize(entry.dur, JoinPath(path, name));
  }
  return status;
}

absl::Status CrashModel::WriteNewFile(const std::string& path,
                                      absl::string_view data) {
  absl::StatusOr<std::unique_ptr<File>> file =
      base_->OpenFile(path, OpenOptions::CreateNew());
  if (!file.ok()) return file.status();
  absl::Status status = (*file)->WriteAt(0, data);
  absl::Status closed = (*file)->Close();
  return status.ok() ? closed : status;
}

}  // namespace internal
}  // namespace runnel
