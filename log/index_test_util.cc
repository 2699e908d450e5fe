// Copyright 2026 The Runnel Authors.
#include "log/index_test_util.h"

#include "absl/strings/str_cat.h"
#include "runnel/mem_file_system.h"

namespace runnel {
namespace testing {

IndexFileSystemTest::IndexFileSystemTest() {
  if (GetParam() == FileSystemKind::kMem) {
    fs_ = std::make_unique<MemFileSystem>();
    dir_ = "/segments";
  } else {
    fs_ = NewPosixFileSystem();
    dir_ = scratch_.path();
  }
  EXPECT_FALSE(dir_.empty()) << "no scratch directory";
  EXPECT_TRUE(fs_->CreateDirs(dir_).ok()) << dir_;
}

std::string IndexFileSystemTest::Path(absl::string_view name) const {
  return absl::StrCat(dir_, "/", name);
}

uint64_t IndexFileSystemTest::FileSize(absl::string_view name) const {
  absl::StatusOr<uint64_t> size = fs_->GetFileSize(Path(name));
  EXPECT_TRUE(size.ok()) << size.status();
  return size.ok() ? *size : 0;
}

std::string IndexFileSystemTest::Contents(absl::string_view name) const {
  absl::StatusOr<std::string> content = ReadFile(fs_.get(), Path(name));
  EXPECT_TRUE(content.ok()) << content.status();
  return content.ok() ? *content : std::string();
}

void IndexFileSystemTest::WriteRaw(absl::string_view name,
                                   absl::string_view bytes) const {
  absl::Status written = WriteFile(fs_.get(), Path(name), bytes);
  EXPECT_TRUE(written.ok()) << written;
}

std::string FileSystemKindName(
    const ::testing::TestParamInfo<FileSystemKind>& info) {
  return info.param == FileSystemKind::kMem ? "Mem" : "Posix";
}

}  // namespace testing
}  // namespace runnel
