// Copyright 2026 The Runnel Authors.
//
// log/index_test_util.h — test-only fixture that runs a test body on both
// file systems the indexes must work on: MemFileSystem and the POSIX one
// (in a fresh directory under $TEST_TMPDIR).
//
//   class MyTest : public runnel::testing::IndexFileSystemTest {};
//   TEST_P(MyTest, Works) { ... fs() ... Path("x.index") ... }
//   RUNNEL_INSTANTIATE_ON_ALL_FILE_SYSTEMS(MyTest);
//
// Thread-safety: like any gtest fixture (the file systems are thread-safe).
#ifndef RUNNEL_LOG_INDEX_TEST_UTIL_H_
#define RUNNEL_LOG_INDEX_TEST_UTIL_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
#include "runnel/file_system.h"

namespace runnel {
namespace testing {

enum class FileSystemKind { kMem, kPosix };

class IndexFileSystemTest : public ::testing::TestWithParam<FileSystemKind> {
 protected:
  IndexFileSystemTest();

  FileSystem* fs() const { return fs_.get(); }
  // `name` inside this test's directory.
  std::string Path(absl::string_view name) const;
  // Size of the file `name` in this test's directory.
  uint64_t FileSize(absl::string_view name) const;
  // The whole content of `name`.
  std::string Contents(absl::string_view name) const;
  // Creates or replaces `name` with `bytes`.
  void WriteRaw(absl::string_view name, absl::string_view bytes) const;

 private:
  ScratchDir scratch_;
  std::unique_ptr<FileSystem> fs_;
  std::string dir_;
};

std::string FileSystemKindName(
    const ::testing::TestParamInfo<FileSystemKind>& info);

}  // namespace testing
}  // namespace runnel

#define RUNNEL_INSTANTIATE_ON_ALL_FILE_SYSTEMS(suite)               \
  INSTANTIATE_TEST_SUITE_P(                                         \
      AllFileSystems, suite,                                        \
      ::testing::Values(::runnel::testing::FileSystemKind::kMem,    \
                        ::runnel::testing::FileSystemKind::kPosix), \
      ::runnel::testing::FileSystemKindName)

#endif  // RUNNEL_LOG_INDEX_TEST_UTIL_H_
