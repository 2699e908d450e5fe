// Copyright 2026 The Runnel Authors.
//
// io/crash_model.h — the bookkeeping behind FaultInjectionFileSystem's
// SimulateCrash: for every file and directory the wrapper has touched, what
// is on the wrapped file system now and what would survive a power cut.
// Internal. The rules it implements are documented in
// runnel/fault_injection_file_system.h (CRASH MODEL).
//
// It works like a tiny file system of its own. Nodes are inodes (a file or a
// directory), so content durability follows a file across renames. Each
// directory node maps names to an Entry: the node there now (`cur`) and the
// node there durably (`dur`), 0 meaning nothing. Names are learned lazily by
// asking the wrapped file system; a name nobody changed has cur == dur.
// Before a node may move or change, the wrapper "adopts" it: an untracked
// file's content is copied as its durable content; a directory being renamed
// is adopted with everything below it. Thus anything that is not where it
// durably belongs can be rebuilt from the model alone.
//
// Usage (the wrapper serializes all calls under its mutex):
//
//   CrashModel::Target t = model.Resolve(path);     // before the base op
//   RETURN_IF_ERROR(model.AdoptFile(t.node, path));  // before it changes
//   RETURN_IF_ERROR(base->RemoveFile(path));
//   model.Unlinked(t);                               // after it succeeded
//   ...
//   RETURN_IF_ERROR(model.Crash(/*tear=*/false, /*seed=*/0));
//
// Thread-safety: not thread-safe.
#ifndef RUNNEL_IO_CRASH_MODEL_H_
#define RUNNEL_IO_CRASH_MODEL_H_

#include <cstdint>
#include <map>
#include <random>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runnel/file_system.h"

namespace runnel {
namespace internal {

// The whole content of an open file.
absl::StatusOr<std::string> ReadWholeFile(File* file);

// `durable` with a torn write applied: in the last 4096-byte page where
// `current` differs from `durable` (bytes past either end count as
// different; only bytes inside `current` are considered), the bytes from the
// first differing one are taken from `current` for a strict prefix whose
// length is `random` modulo the differing span. A gap between the end of
// `durable` and that prefix is zero-filled.
std::string TearLastPage(absl::string_view durable, absl::string_view current,
                         uint64_t random);

class CrashModel {
 public:
  using NodeId = uint64_t;  // 0: no node.

  // A path resolved against the model: its parent directory node, the last
  // name, and the node there now. `dir` is 0 when the parent directory does
  // not exist (or `path` is a root); then nothing is recorded for it.
  struct Target {
    NodeId dir = 0;
    std::string name;
    NodeId node = 0;
  };

  // `base` must outlive the model.
  explicit CrashModel(FileSystem* base);

  Target Resolve(absl::string_view path);

  // Copies an untracked file's current content as its durable content.
  // No-op for 0, directories and tracked files.
  absl::Status AdoptFile(NodeId node, absl::string_view path);
  // AdoptFile, or for a directory: every child, recursively.
  absl::Status AdoptTree(NodeId node, absl::string_view path);

  // Record a base operation that succeeded.
  NodeId Created(const Target& target, bool is_dir);
  void Unlinked(const Target& target);
  void Renamed(const Target& from, const Target& to);
  void DirSynced(NodeId dir);
  void FileSynced(NodeId node, std::string content);
  void RangeSynced(NodeId node, uint64_t offset, absl::string_view bytes);

  // Rewrites the base file system to the durable state (see the public
  // header), then forgets everything: the result is the new baseline.
  absl::Status Crash(bool tear_last_unsynced_page, uint64_t seed);

 private:
  struct Entry {
    NodeId cur = 0;
    NodeId dur = 0;
  };
  struct Node {
    bool is_dir = false;
    // File: `durable` holds the content that survives a crash (false: the
    // base holds it, untouched). Directory: `entries` lists every child.
    bool tracked = false;
    std::string durable;
    std::map<std::string, Entry> entries;  // Directories: known names.
  };

  void Reset();
  NodeId NewNode(bool is_dir, bool tracked);
  // The node named `name` in directory `dir` (at `dir_path`) now, learning
  // it from the base if unknown.
  NodeId Lookup(NodeId dir, absl::string_view dir_path,
                const std::string& name);
  Entry* FindEntry(const Target& target);

  absl::Status Reconcile(NodeId dir, const std::string& path, bool tear,
                         std::mt19937_64* rng);
  absl::Status RestoreFile(const Node& node, const std::string& path, bool tear,
                           std::mt19937_64* rng);
  absl::Status Materialize(NodeId id, const std::string& path);
  absl::Status WriteNewFile(const std::string& path, absl::string_view data);

  FileSystem* const base_;
  std::map<NodeId, Node> nodes_;
  NodeId next_id_ = 1;
  NodeId absolute_root_ = 0;  // "/"
  NodeId relative_root_ = 0;  // "."
};

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_IO_CRASH_MODEL_H_
