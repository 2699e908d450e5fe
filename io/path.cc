// Copyright 2026 The Runnel Authors.
#include "io/path.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace runnel {
namespace internal {

ParsedPath ParsePath(absl::string_view path) {
  ParsedPath parsed;
  parsed.absolute = !path.empty() && path[0] == '/';
  for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    if (part == ".") continue;
    if (part == "..") {
      if (!parsed.parts.empty() && parsed.parts.back() != "..") {
        parsed.parts.pop_back();
        continue;
      }
      if (parsed.absolute) continue;  // "/.." is "/".
    }
    parsed.parts.emplace_back(part);
  }
  return parsed;
}

std::string JoinPath(absl::string_view dir, absl::string_view name) {
  if (dir.empty()) return std::string(name);
  if (dir.back() == '/') return absl::StrCat(dir, name);
  return absl::StrCat(dir, "/", name);
}

}  // namespace internal
}  // namespace runnel
