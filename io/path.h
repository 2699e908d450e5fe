// Copyright 2026 The Runnel Authors.
//
// io/path.h — lexical path helpers for the in-memory and fault-injecting
// file systems. Internal. No file-system access, no symlink resolution.
//
//   ParsePath("/a//b/./c/../d") -> {absolute: true, parts: {"a", "b", "d"}}
//   JoinPath("/a", "b")         -> "/a/b"
//
// Thread-safety: pure functions.
#ifndef RUNNEL_IO_PATH_H_
#define RUNNEL_IO_PATH_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace runnel {
namespace internal {

struct ParsedPath {
  bool absolute = false;
  // Normalized components: no empty or "." parts; ".." cancels the part
  // before it (and is dropped at the top of an absolute path).
  std::vector<std::string> parts;
};

ParsedPath ParsePath(absl::string_view path);

// `dir` + "/" + `name`, without doubling a trailing slash of `dir`.
std::string JoinPath(absl::string_view dir, absl::string_view name);

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_IO_PATH_H_
