// Copyright 2026 The Runnel Authors.
//
// MemFileSystem behaviour beyond the shared conformance suite: capacity
// (ENOSPC), persistence across reopen, path normalization, lifetimes.
#include "runnel/mem_file_system.h"

#include <cstring>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/test_util.h"

namespace runnel {
namespace {

using ::runnel::testing::IsOkAndHolds;
using ::runnel::testing::ReadAll;
using ::runnel::testing::ReadFile;
using ::runnel::testing::StatusIs;
using ::runnel::testing::WriteFile;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Code = absl::StatusCode;

std::unique_ptr<File> MustOpen(FileSystem* fs, absl::string_view path,
                               OpenOptions options) {
  absl::StatusOr<std::unique_ptr<File>> file = fs->OpenFile(path, options);
  EXPECT_TRUE(file.ok()) << file.status();
  return file.ok() ? *std::move(file) : nullptr;
}

TEST(MemFileSystemTest, FilesAndDirectoriesSurviveCloseAndReopen) {
  MemFileSystem fs;
  RUNNEL_ASSERT_OK(fs.CreateDirs("/data/t-0"));
  RUNNEL_ASSERT_OK(WriteFile(&fs, "/data/t-0/00.log", "records"));
  EXPECT_THAT(ReadFile(&fs, "/data/t-0/00.log"), IsOkAndHolds("records"));
  EXPECT_THAT(fs.ListDir("/data"), IsOkAndHolds(ElementsAre("t-0")));
  EXPECT_THAT(fs.ListDir("/"), IsOkAndHolds(ElementsAre("data")));
}

TEST(MemFileSystemTest, RelativeAndDottedPathsResolveAgainstTheRoot) {
  MemFileSystem fs;
  RUNNEL_ASSERT_OK(fs.CreateDirs("a/b"));
  RUNNEL_ASSERT_OK(WriteFile(&fs, "/a/b/f", "x"));
  EXPECT_THAT(ReadFile(&fs, "a/b/f"), IsOkAndHolds("x"));
  EXPECT_THAT(ReadFile(&fs, "/a/./b/../b//f"), IsOkAndHolds("x"));
  EXPECT_THAT(fs.IsDirectory("/"), IsOkAndHolds(true));
}

TEST(MemFileSystemTest,
     AppendPastCapacityIsResourceExhaustedAndChangesNothing) {
  MemFileSystem fs(MemFileSystem::Options{100});
  std::unique_ptr<File> f = MustOpen(&fs, "/f", OpenOptions::CreateNew());
  RUNNEL_ASSERT_OK(f->Append(std::string(60, 'a')));
  EXPECT_THAT(f->Append(std::string(50, 'b')),
              StatusIs(Code::kResourceExhausted,
                       AllOf(HasSubstr("append /f (offset 60 length 50)"),
                             HasSubstr("No space left on device"))));
  EXPECT_THAT(f->Size(), IsOkAndHolds(60u));
  EXPECT_THAT(ReadAll(f.get()), IsOkAndHolds(std::string(60, 'a')));
  RUNNEL_ASSERT_OK(f->Append(std::string(40, 'c')));  // Exactly full.
  EXPECT_EQ(fs.used_bytes(), 100u);
}

TEST(MemFileSystemTest, EveryWayToGrowRespectsTheCapacity) {
  MemFileSystem fs(MemFileSystem::Options{4096});
  std::unique_ptr<File> f = MustOpen(&fs, "/seg", OpenOptions::CreateNew());
  const auto full = StatusIs(Code::kResourceExhausted, HasSubstr("/seg"));
  EXPECT_THAT(f->WriteAt(4000, std::string(100, 'x')), full);
  EXPECT_THAT(f->Reserve(0, 8192), full);
  EXPECT_THAT(f->Truncate(5000), full);
  EXPECT_THAT(f->Size(), IsOkAndHolds(0u));
  RUNNEL_ASSERT_OK(f->Reserve(0, 4096));
  // Overwriting inside the size needs no new space.
  RUNNEL_EXPECT_OK(f->WriteAt(0, std::string(4096, 'y')));
  // Nor does a second file of size zero, but one byte does.
  std::unique_ptr<File> g = MustOpen(&fs, "/other", OpenOptions::CreateNew());
  EXPECT_THAT(g->Append("z"),
              StatusIs(Code::kResourceExhausted, HasSubstr("/other")));
}

TEST(MemFileSystemTest, SpaceComesBackOnTruncateAndOnLastUnlink) {
  MemFileSystem fs(MemFileSystem::Options{1000});
  std::unique_ptr<File> f = MustOpen(&fs, "/f", OpenOptions::CreateNew());
  RUNNEL_ASSERT_OK(f->Append(std::string(1000, 'a')));
  RUNNEL_ASSERT_OK(f->Truncate(400));
  EXPECT_EQ(fs.used_bytes(), 400u);
  RUNNEL_ASSERT_OK(fs.RemoveFile("/f"));
  EXPECT_EQ(fs.used_bytes(), 400u);  // Still open: still allocated.
  f.reset();
  EXPECT_EQ(fs.used_bytes(), 0u);
  RUNNEL_ASSERT_OK(WriteFile(&fs, "/g", std::string(1000, 'b')));
  EXPECT_EQ(fs.used_bytes(), 1000u);
  RUNNEL_ASSERT_OK(WriteFile(&fs, "/g", "small"));  // Truncating open.
  EXPECT_EQ(fs.used_bytes(), 5u);
}

TEST(MemFileSystemTest, UnlimitedByDefault) {
  MemFileSystem fs;
  std::unique_ptr<File> f = MustOpen(&fs, "/big", OpenOptions::CreateNew());
  // Reserve only sets the size; pages are allocated when touched.
  RUNNEL_ASSERT_OK(f->Reserve(0, uint64_t{1} << 34));
  EXPECT_THAT(f->Size(), IsOkAndHolds(uint64_t{1} << 34));
  EXPECT_EQ(fs.used_bytes(), uint64_t{1} << 34);
}

TEST(MemFileSystemTest, MappingOutlivesTheFileSystem) {
  auto fs = std::make_unique<MemFileSystem>();
  std::unique_ptr<File> f = MustOpen(fs.get(), "/f", OpenOptions::CreateNew());
  RUNNEL_ASSERT_OK(f->Reserve(0, 4096));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MappedRegion> region,
                       f->Map(0, 4096, MapMode::kReadWrite));
  f.reset();
  fs.reset();
  std::memcpy(region->mutable_data(), "ok", 2);
  EXPECT_EQ(std::string(region->data(), 2), "ok");
}

TEST(MemFileSystemTest, LocksAreIndependentPerFileSystemObject) {
  MemFileSystem a;
  MemFileSystem b;
  RUNNEL_ASSERT_OK(a.CreateDir("/d"));
  RUNNEL_ASSERT_OK(b.CreateDir("/d"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DirLock> la, a.LockDir("/d"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DirLock> lb, b.LockDir("d"));
  EXPECT_THAT(a.LockDir("d/").status(),
              StatusIs(Code::kFailedPrecondition, HasSubstr("d/")));
}

}  // namespace
}  // namespace runnel
