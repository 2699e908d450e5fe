// Copyright 2026 The Runnel Authors.
//
// The implementation-independent parts of runnel/file_system.h.
#include "runnel/file_system.h"

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "io/errors.h"
#include "io/path.h"

namespace runnel {

OpenOptions OpenOptions::ReadOnly() {
  OpenOptions o;
  o.read_only = true;
  return o;
}

OpenOptions OpenOptions::ReadWrite() { return OpenOptions(); }

OpenOptions OpenOptions::Create() {
  OpenOptions o;
  o.create = true;
  return o;
}

OpenOptions OpenOptions::CreateNew() {
  OpenOptions o;
  o.create = true;
  o.exclusive = true;
  return o;
}

OpenOptions OpenOptions::CreateTruncate() {
  OpenOptions o;
  o.create = true;
  o.truncate = true;
  return o;
}

absl::Status MappedRegion::CheckSyncRange(size_t offset_in_region,
                                          size_t length,
                                          bool up_to_capacity) const {
  const size_t size = up_to_capacity ? capacity_ : this->size();
  if (offset_in_region > size || length > size - offset_in_region) {
    return internal::PathError(
        absl::StatusCode::kOutOfRange, "msync", path_,
        absl::StrCat("range ", internal::RangeDetail(offset_in_region, length),
                     " is outside the mapped region of ", size, " bytes"));
  }
  return absl::OkStatus();
}

absl::Status MappedRegion::Prefault(size_t offset_in_region, size_t length) {
  return CheckSyncRange(offset_in_region, length);
}

absl::Status MappedRegion::AdviseHugePages(size_t offset_in_region,
                                           size_t length) {
  return CheckSyncRange(offset_in_region, length, /*up_to_capacity=*/true);
}

absl::Status MappedRegion::Grow(size_t new_size) {
  if (new_size <= size()) return absl::OkStatus();
  return internal::PathError(
      absl::StatusCode::kFailedPrecondition, "grow map", path_,
      absl::StrCat("cannot grow to ", new_size, " bytes beyond capacity ",
                   capacity_, " (map it with File::MapGrowable)"));
}

absl::Status FileSystem::CreateDirs(absl::string_view path) {
  return CreateDirsImpl(path, /*durably=*/false);
}

absl::Status FileSystem::CreateDirsDurably(absl::string_view path) {
  return CreateDirsImpl(path, /*durably=*/true);
}

absl::Status FileSystem::CreateDirsImpl(absl::string_view path, bool durably) {
  const internal::ParsedPath parsed = internal::ParsePath(path);
  if (path.empty()) return internal::IoError(ENOENT, "mkdir", path);
  if (parsed.parts.empty()) return absl::OkStatus();  // "/" or ".".
  std::string prefix = parsed.absolute ? "/" : "";
  for (const std::string& part : parsed.parts) {
    prefix = internal::JoinPath(prefix, part);
    absl::StatusOr<bool> is_dir = IsDirectory(prefix);
    if (is_dir.ok()) {
      if (!*is_dir) return internal::IoError(ENOTDIR, "mkdir", prefix);
      continue;
    }
    if (!absl::IsNotFound(is_dir.status())) return is_dir.status();
    absl::Status created = CreateDir(prefix);
    // Someone else may have created it in between: fine if it is a directory.
    if (absl::IsAlreadyExists(created)) {
      is_dir = IsDirectory(prefix);
      if (is_dir.ok() && *is_dir) continue;
    }
    if (!created.ok()) return created;
    if (durably) {
      const internal::ParsedPath parent = internal::ParsePath(prefix);
      const std::string parent_dir =
          prefix.substr(0, prefix.size() - parent.parts.back().size());
      if (absl::Status s = SyncDir(parent_dir.empty() ? "." : parent_dir);
          !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> FileSystem::ReadFileToString(
    absl::string_view path) {
  absl::StatusOr<std::unique_ptr<File>> file =
      OpenFile(path, OpenOptions::ReadOnly());
  if (!file.ok()) return file.status();
  absl::StatusOr<uint64_t> size = (*file)->Size();
  if (!size.ok()) return size.status();
  std::string content(*size, '\0');
  absl::StatusOr<size_t> n = (*file)->ReadAt(0, absl::MakeSpan(content));
  if (!n.ok()) return n.status();
  content.resize(*n);
  return content;
}

absl::Status FileSystem::ReplaceFileDurably(absl::string_view path,
                                            absl::string_view content) {
  const std::string tmp = absl::StrCat(path, ".tmp");
  absl::StatusOr<std::unique_ptr<File>> file =
      OpenFile(tmp, OpenOptions::CreateTruncate());
  absl::Status status = file.status();
  if (status.ok()) status = (*file)->WriteAt(0, content);
  if (status.ok()) status = (*file)->Sync();
  if (status.ok()) status = (*file)->Close();
  if (status.ok()) status = Rename(tmp, path);
  if (!status.ok()) {
    if (file.ok()) RemoveFile(tmp).IgnoreError();
    return status;
  }
  const size_t slash = path.rfind('/');
  return SyncDir(slash == absl::string_view::npos ? absl::string_view(".")
                 : slash == 0                     ? absl::string_view("/")
                                                  : path.substr(0, slash));
}

absl::Status FileSystem::RemoveAll(absl::string_view path) {
  absl::StatusOr<bool> is_dir = IsDirectory(path);
  if (!is_dir.ok()) return is_dir.status();
  if (!*is_dir) return RemoveFile(path);
  absl::StatusOr<std::vector<std::string>> names = ListDir(path);
  if (!names.ok()) return names.status();
  for (const std::string& name : *names) {
    absl::Status removed = RemoveAll(internal::JoinPath(path, name));
    if (!removed.ok() && !absl::IsNotFound(removed)) return removed;
  }
  return RemoveDir(path);
}

}  // namespace runnel
