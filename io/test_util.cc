// Copyright 2026 The Runnel Authors.
#include "io/test_util.h"

#include <stdlib.h>

#include <memory>

#include "absl/strings/str_cat.h"

namespace runnel {
namespace testing {

absl::Status WriteFile(FileSystem* fs, absl::string_view path,
                       absl::string_view content) {
  absl::StatusOr<std::unique_ptr<File>> file =
      fs->OpenFile(path, OpenOptions::CreateTruncate());
  if (!file.ok()) return file.status();
  absl::Status status = (*file)->WriteAt(0, content);
  absl::Status closed = (*file)->Close();
  return status.ok() ? closed : status;
}

absl::StatusOr<std::string> ReadFile(FileSystem* fs, absl::string_view path) {
  absl::StatusOr<std::unique_ptr<File>> file =
      fs->OpenFile(path, OpenOptions::ReadOnly());
  if (!file.ok()) return file.status();
  return ReadAll(file->get());
}

absl::StatusOr<std::string> ReadAll(File* file) {
  absl::StatusOr<uint64_t> size = file->Size();
  if (!size.ok()) return size.status();
  std::string content(*size, '\0');
  absl::StatusOr<size_t> n = file->ReadAt(0, absl::MakeSpan(content));
  if (!n.ok()) return n.status();
  content.resize(*n);
  return content;
}

ScratchDir::ScratchDir() {
  const char* tmp = getenv("TEST_TMPDIR");
  std::string pattern =
      absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/io-XXXXXX");
  if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
}

ScratchDir::~ScratchDir() {
  if (!path_.empty()) FileSystem::Default()->RemoveAll(path_).IgnoreError();
}

}  // namespace testing
}  // namespace runnel
