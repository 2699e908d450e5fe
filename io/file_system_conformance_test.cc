// Copyright 2026 The Runnel Authors.
//
// One behaviour suite for every FileSystem: the POSIX file system (in a
// scratch directory), MemFileSystem, and FaultInjectionFileSystem with no
// faults over each. Every implementation must pass all of it (parity).
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
#include "runnel/fault_injection_file_system.h"
#include "runnel/file_system.h"
#include "runnel/mem_file_system.h"

namespace runnel {
namespace {

using ::runnel::testing::IsOkAndHolds;
using ::runnel::testing::ReadAll;
using ::runnel::testing::ReadFile;
using ::runnel::testing::ScratchDir;
using ::runnel::testing::StatusIs;
using ::runnel::testing::WriteFile;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using Code = absl::StatusCode;

// A file system under test plus a directory to work in.
class TestFs {
 public:
  virtual ~TestFs() = default;
  virtual FileSystem* fs() = 0;
  virtual std::string root() = 0;
};

class PosixTestFs : public TestFs {
 public:
  FileSystem* fs() override { return posix_.get(); }
  std::string root() override { return dir_.path(); }

 protected:
  ScratchDir dir_;
  std::unique_ptr<FileSystem> posix_ = NewPosixFileSystem();
};

class MemTestFs : public TestFs {
 public:
  MemTestFs() { mem_.CreateDirs("/work/test").IgnoreError(); }
  FileSystem* fs() override { return &mem_; }
  std::string root() override { return "/work/test"; }

 protected:
  MemFileSystem mem_;
};

template <typename Base>
class FaultTestFs : public Base {
 public:
  FileSystem* fs() override { return &fault_; }

 private:
  FaultInjectionFileSystem fault_{Base::fs()};
};

struct Impl {
  std::string name;
  std::function<std::unique_ptr<TestFs>()> make;
};
void PrintTo(const Impl& impl, std::ostream* os) { *os << impl.name; }

std::vector<Impl> Impls() {
  return {
      {"Posix", [] { return std::make_unique<PosixTestFs>(); }},
      {"Mem", [] { return std::make_unique<MemTestFs>(); }},
      {"FaultOverMem",
       [] { return std::make_unique<FaultTestFs<MemTestFs>>(); }},
      {"FaultOverPosix",
       [] { return std::make_unique<FaultTestFs<PosixTestFs>>(); }},
  };
}

class FileSystemTest : public ::testing::TestWithParam<Impl> {
 protected:
  void SetUp() override {
    test_fs_ = GetParam().make();
    fs_ = test_fs_->fs();
    root_ = test_fs_->root();
    ASSERT_FALSE(root_.empty());
  }

  std::string P(absl::string_view name) {
    return absl::StrCat(root_, "/", name);
  }

  std::unique_ptr<File> Open(absl::string_view name, OpenOptions options) {
    absl::StatusOr<std::unique_ptr<File>> file =
        fs_->OpenFile(P(name), options);
    EXPECT_TRUE(file.ok()) << file.status();
    return file.ok() ? *std::move(file) : nullptr;
  }

  std::unique_ptr<TestFs> test_fs_;
  FileSystem* fs_ = nullptr;
  std::string root_;
};

// ---- Opening -------------------------------------------------------------

TEST_P(FileSystemTest, OpenMissingFileIsNotFoundNamingPath) {
  EXPECT_THAT(fs_->OpenFile(P("missing"), OpenOptions::ReadWrite()).status(),
              StatusIs(Code::kNotFound,
                       AllOf(HasSubstr("open"), HasSubstr(P("missing")),
                             HasSubstr("No such file or directory"))));
  EXPECT_THAT(fs_->OpenFile(P("no/parent"), OpenOptions::Create()).status(),
              StatusIs(Code::kNotFound, HasSubstr(P("no/parent"))));
}

TEST_P(FileSystemTest, OpenBelowAFileIsFailedPrecondition) {
  RUNNEL_ASSERT_OK(WriteFile(fs_, P("f"), "x"));
  EXPECT_THAT(
      fs_->OpenFile(P("f/g"), OpenOptions::Create()).status(),
      StatusIs(Code::kFailedPrecondition, HasSubstr("Not a directory")));
}

TEST_P(FileSystemTest, CreateWriteCloseReopenRead) {
  std::unique_ptr<File> f = Open("f", OpenOptions::CreateNew());
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->path(), P("f"));
  RUNNEL_ASSERT_OK(f->WriteAt(0, "hello world"));
  RUNNEL_ASSERT_OK(f->Close());
  EXPECT_THAT(ReadFile(fs_, P("f")), IsOkAndHolds("hello world"));
}

TEST_P(FileSystemTest, ReadIsShortOnlyAtEndOfFile) {
  RUNNEL_ASSERT_OK(WriteFile(fs_, P("f"), "0123456789"));
  std::unique_ptr<File> f = Open("f", OpenOptions::ReadOnly());
  char buf[8];
  EXPECT_THAT(f->ReadAt(0, absl::MakeSpan(buf, 4)), IsOkAndHolds(4u));
  EXPECT_EQ(std::string(buf, 4), "0123");
  EXPECT_THAT(f->ReadAt(6, absl::MakeSpan(buf)), IsOkAndHolds(4u));
  EXPECT_EQ(std::string(buf, 4), "6789");
  EXPECT_THAT(f->ReadAt(10, absl::MakeSpan(buf)), IsOkAndHolds(0u));
  EXPECT_THAT(f->ReadAt(1000, absl::MakeSpan(buf)), IsOkAndHolds(0u));
}

TEST_P(FileSystemTest, CreateNewFailsIfTheFileExists) {
  RUNNEL_ASSERT_OK(WriteFile(fs_, P("f"), "x"));
  EXPECT_THAT(fs_->OpenFile(P("f"), OpenOptions::CreateNew()).status(),
              StatusIs(Code::kAlreadyExists, HasSubstr(P("f"))));
}

TEST_P(FileSystemTest, CreateKeepsContentAndTruncateEmptiesIt) {
  RUNNEL_ASSERT_OK(WriteFile(fs_, P("f"), "abc"));
  std::unique_ptr<File> kept = Open("f", OpenOptions::Create());
  EXPECT_THAT(kept->Size(), IsOkAndHolds(3u));
  std::unique_ptr<File> cut = Open("f", OpenOptions::CreateTruncate());
  EXPECT_THAT(cut->Size(), IsOkAndHolds(0u));
  EXPECT_THAT(kept->Size(), IsOkAndHolds(0u));  // Same file.
}

TEST_P(FileSystemTest, ContradictoryOptionsAreInvalidArgument) {
  OpenOptions exclusive_only;
  exclusive_only.exclusive = true;
  EXPECT_THAT(fs_->OpenFile(P("f"), exclusive_only).status(),
              StatusIs(Code::kInvalidArgument, HasSubstr(P("f"))));
  OpenOptions truncate_read_only = OpenOptions::ReadOnly();
  truncate_read_only.truncate = true;
  EXPECT_THAT(fs_->OpenFile(P("f"), truncate_read_only).status(),
              StatusIs(Code::kInvalidArgument, HasSubstr(P("f"))));
}

TEST_P(FileSystemTest, OpeningADirectoryFails) {
  RUNNEL_ASSERT_OK(fs_->CreateDir(P("d")));
  EXPECT_THAT(fs_->OpenFile(P("d"), OpenOptions::ReadOnly()).status(),
              StatusIs(Code::kFailedPrecondition,
                       AllOf(HasSubstr(P("d")), HasSubstr("Is a directory"))));
  EXPECT_THAT(fs_->OpenFile(P("d"), OpenOptions::Create()).status(),
              StatusIs(Code::kFailedPrecondition, HasSubstr(P("d"))));
  EXPECT_THAT(fs_->OpenFile(P("d"), OpenOptions::CreateNew()).status(),
              StatusIs(Code::kAlreadyExists, HasSubstr(P("d"))));
}

TEST_P(FileSystemTest, ReadOnlyFileRejectsEveryMutation) {
  RUNNEL_ASSERT_OK(WriteFile(fs_, P("f"), "abc"));
  std::unique_ptr<File> f = Open("f", OpenOptions::ReadOnly());
  const auto read_only =
      StatusIs(Code::kFailedPrecondition,
               AllOf(HasSubstr(P("f")), HasSubstr("read-only")));
  EXPECT_THAT(f->WriteAt(0, "x"), read_only);
  EXPECT_THAT(f->Append("x"), read_only);
  EXPECT_THAT(f->Truncate(0), read_only);
  EXPECT_THAT(f->Reserve(0, 10), read_only);
  EXPECT_THAT(f->Map(0, 3, MapMode::kReadWrite).status(), read_only);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MappedRegion> region,
                       f->Map(0, 3, MapMode::kReadOnly));
  EXPECT_EQ(std::string(region->data(), 3), "abc");
  EXPECT_EQ(region->mutable_data(), nullptr);
  EXPECT_THAT(ReadAll(f.get()), IsOkAndHolds("abc"));
}

// ---- Writing and sizes ----------------------------------------------------

TEST_P(FileSystemTest, AppendWritesAtTheEnd) {
  std::unique_ptr<File> f = Open("f", OpenOptions::CreateNew());
  RUNNEL_ASSERT_OK(f->Append("abc"));
  RUNNEL_ASSERT_OK(f->Append(""));
  RUNNEL_ASSERT_OK(f->Append("de"));
  EXPECT_THAT(f->Size(), IsOkAndHolds(5u));
  EXPECT_THAT(ReadAll(f.get()), IsOkAndHolds("abcde"));
  EXPECT_THAT(fs_->GetFileSize(P("f")), IsOkAndHolds(5u));
}

TEST_P(FileSystemTest, WriteAtPastTheEndLeavesZeros) {
  std::unique_ptr<File> f = Open("f", OpenOptions::CreateNew());
  RUNNEL_ASSERT_OK(f->WriteAt(4, "x"));
  EXPECT_THAT(ReadAll(f.get()), IsOkAndHolds(std::string("\0\0\0\0x", 5)));
  RUNNEL_ASSERT_OK(f->WriteAt(1, "yz"));
  EXPECT_THAT(ReadAll(f.get()), IsOkAndHolds(std::string("\0yz\0x", 5)));
}

TEST_P(FileSystemTest, TruncateShrinksAndGrows) {
  std::unique_ptr<File> f = Open("f", OpenOptions::CreateNew());
  RUNNEL_ASSERT_OK(f->Append("abcdef"));
  RUNNEL_ASSERT_OK(f->Truncate(2));
  EXPECT_THAT(ReadAll(f.get()), IsOkAndHolds("ab"));
  RUNNEL_ASSERT_OK(f->Truncate(4));
  EXPECT_THAT(ReadAll(f.get()), IsOkAndHolds(std::string("ab\0\0", 4)));
}

TEST_P(FileSystemTest, ReserveExtendsTheSizeWithZerosAndNeverShrinks) {
  std::unique_ptr<File> f = Open("f", OpenOptions::CreateNew());
  RUNNEL_ASSERT_OK(f->Append("abc"));
  RUNNEL_ASSERT_OK(f->Reserve(0, 8192));
  EXPECT_THAT(f->Size(), IsOkAndHolds(8192u));
  std::string expected(8192, '\0');
  expected.replace(0, 3, "abc");
  EXPECT_THAT(ReadAll(f.get()), IsOkAndHolds(expected));
  RUNNEL_ASSERT_OK(f->Reserve(100, 10));  // Inside: no change.
  RUNNEL_ASSERT_OK(f->Reserve(9000, 0));  // Empty: no change.
  EXPECT_THAT(f->Size(), IsOkAndHolds(8192u));
  RUNNEL_ASSERT_OK(f->Reserve(10000, 100));
  EXPECT_THAT(f->Size(), IsOkAndHolds(10100u));
}

TEST_P(FileSystemTest, SyncSucceeds) {
  std::unique_ptr<File> f = Open("f", OpenOptions::CreateNew());
  RUNNEL_ASSERT_OK(f->Append("abc"));
  RUNNEL_EXPECT_OK(f->Sync());
}

TEST_P(FileSystemTest, EveryCallAfterCloseFails) {
  std::unique_ptr<File> f = Open("f", OpenOptions::CreateNew());
  RUNNEL_ASSERT_OK(f->Close());
  const auto closed = StatusIs(Code::kFailedPrecondition,
                               AllOf(HasSubstr(P("f")), HasSubstr("closed")));
  char buf[1];
  EXPECT_THAT(f->ReadAt(0, absl::MakeSpan(buf)).status(), closed);
  EXPECT_THAT(f->WriteAt(0, "x"), closed);
  EXPECT_THAT(f->Append("x"), closed);
  EXPECT_THAT(f->Size().status(), closed);
  EXPECT_THAT(f->Truncate(0), closed);
  EXPECT_THAT(f->Reserve(0, 1), closed);
  EXPECT_THAT(f->Sync(), closed);
  EXPECT_THAT(f->Map(0, 1, MapMode::kReadOnly).status(), closed);
  EXPECT_THAT(f->Close(), closed);
}

// ---- Mappings -------------------------------------------------------------

TEST_P(FileSystemTest, MapBeyondTheFileSizeIsRefused) {
  std::unique_ptr<File> f = Open("f", OpenOptions::CreateNew());
  RUNNEL_ASSERT_OK(f->Reserve(0, 4096));
  const auto beyond =
      StatusIs(Code::kFailedPrecondition,
               AllOf(HasSubstr(P("f")), HasSubstr("offset 4000 length 100"),
                     HasSubstr("file size 4096")));
  EXPECT_THAT(f->Map(4000, 100, MapMode::kReadWrite).status(), beyond);
  EXPECT_THAT(f->Map(4000, 100, MapMode::kReadOnly).status(), beyond);
  EXPECT_THAT(f->Map(5000, 1, MapMode::kReadWrite).status(),
              StatusIs(Code::kFailedPrecondition, HasSubstr(P("f"))));
  EXPECT_THAT(f->Map(0, 0, MapMode::kReadOnly).status(),
              StatusIs(Code::kInvalidArgument, HasSubstr(P("f"))));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MappedRegion> whole,
                       f->Map(0, 4096, MapMode::kReadWrite));
  EXPECT_EQ(whole->size(), 4096u);
}

// "d-x" sorts between "d" and "d/…" bytewise: directory operations must
// not confuse a sibling with a child.
TEST_P(FileSystemTest, SiblingWithACommonPrefixDoesNotHideChildren) {
  RUNNEL_ASSERT_OK(fs_->CreateDir(P("d")));
  RUNNEL_ASSERT_OK(fs_->CreateDir(P("d-x")));
  RUNNEL_ASSERT_OK(WriteFile(fs_, P("d/child"), "c"));
  RUNNEL_ASSERT_OK(WriteFile(fs_, P("d-x/other"), "o"));
  EXPECT_THAT(fs_->ListDir(P("d")),
              IsOkAndHolds(std::vector<std::string>{"child"}));
  EXPECT_THAT(fs_->RemoveDir(P("d")),
              StatusIs(Code::kFailedPrecondition, HasSubstr(P("d"))));
  RUNNEL_ASSERT_OK(fs_->Rename(P("d"), P("e")));
  EXPECT_THAT(ReadFile(fs_, P("e/child")), IsOkAndHolds("c"));
  EXPECT_THAT(fs_->FileExists(P("d/child")), IsOkAndHolds(false));
  EXPECT_THAT(ReadFile(fs_, P("d-x/other")), IsOkAndHolds("o"));
}

TEST_P(FileSystemTest, ReplaceFileDurablyAndReadFileToString) {
  EXPECT_THAT(fs_->ReadFileToString(P("f")).status(),
              StatusIs(Code::kNotFound, HasSubstr(P("f"))));
  RUNNEL_ASSERT_OK(fs_->ReplaceFileDurably(P("f"), "first"));
  EXPECT_THAT(fs_->ReadFileToString(P("f")), IsOkAndHolds("first"));
  RUNNEL_ASSERT_OK(fs_->ReplaceFileDurably(P("f"), "2nd"));  // shorter
  EXPECT_THAT(fs_->ReadFileToString(P("f")), IsOkAndHolds("2nd"));
  EXPECT_THAT(fs_->FileExists(P("f.tmp")), IsOkAndHolds(false));
  EXPECT_THAT(fs_->ReplaceFileDurably(P("missing/f"), "x"),
              StatusIs(Code::kNotFound, HasSubstr(P("missing/f.tmp"))));
}

TEST_P(FileSystemTest, GrowableMappingGrowsInPlaceOverReservedSpace) {
  std::unique_ptr<File> f = Open("f", OpenOptions::CreateNew());
  RUNNEL_ASSERT_OK(f->Reserve(0, 4096));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MappedRegion> region,
                       f->MapGrowable(0, 4096, 1 << 20, MapMode::kReadWrite));
  EXPECT_EQ(region->size(), 4096u);
  EXPECT_EQ(region->capacity(), size_t{1} << 20);
  const char* const start = region->data();
  std::memcpy(region->mutable_data() + 10, "first", 5);

  // Not reserved yet: growing would map past the end of the file.
  EXPECT_THAT(region->Grow(3 * 4096),
              StatusIs(Code::kFailedPrecondition, HasSubstr(P("f"))));
  EXPECT_EQ(region->size(), 4096u);

  RUNNEL_ASSERT_OK(f->Reserve(4096, 3 * 4096));
  RUNNEL_ASSERT_OK(region->Grow(3 * 4096 + 100));
  EXPECT_EQ(region->data(), start);  // same address: views stay valid
  EXPECT_EQ(region->size(), 3u * 4096 + 100);
  std::memcpy(region->mutable_data() + 3 * 4096 + 50, "later", 5);
  RUNNEL_EXPECT_OK(region->Sync(0, region->size()));

  char buf[5];
  EXPECT_THAT(f->ReadAt(3 * 4096 + 50, absl::MakeSpan(buf)), IsOkAndHolds(5u));
  EXPECT_EQ(std::string(buf, 5), "later");
  EXPECT_EQ(std::string(region->data() + 10, 5), "first");
  RUNNEL_EXPECT_OK(region->Grow(100));  // shrinking is a no-op
  EXPECT_EQ(region->size(), 3u * 4096 + 100);
}

TEST_P(FileSystemTest, PrefaultKeepsContentAndChecksTheRange) {
  std::unique_ptr<File> f = Open("f", OpenOptions::CreateNew());
  RUNNEL_ASSERT_OK(f->WriteAt(0, std::string(3 * 4096, 'x')));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MappedRegion> rw,
                       f->Map(100, 2 * 4096, MapMode::kReadWrite));
  RUNNEL_EXPECT_OK(rw->Prefault(0, rw->size()));
  EXPECT_EQ(std::string(rw->data(), rw->size()), std::string(2 * 4096, 'x'));
  EXPECT_THAT(rw->Prefault(4096, 2 * 4096),
              StatusIs(Code::kOutOfRange, HasSubstr(P("f"))));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MappedRegion> ro,
                       f->Map(0, 3 * 4096, MapMode::kReadOnly));
  RUNNEL_EXPECT_OK(ro->Prefault(0, ro->size()));
  EXPECT_THAT(ReadFile(fs_, P("f")), IsOkAndHolds(std::string(3 * 4096, 'x')));
}

TEST_P(FileSystemTest, GrowBeyondCapacityOrOfAPlainMapFails) {
  std::unique_ptr<File> f = Open("f", OpenOptions::CreateNew());
  RUNNEL_ASSERT_OK(f->Reserve(0, 4 * 4096));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MappedRegion> growable,
                       f->MapGrowable(100, 1000, 8000, MapMode::kReadOnly));
  EXPECT_THAT(growable->Grow(8001),
              StatusIs(Code::kFailedPrecondition, HasSubstr("capacity 8000")));
  RUNNEL_EXPECT_OK(growable->Grow(8000));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MappedRegion> plain,
                       f->Map(0, 4096, MapMode::kReadOnly));
  EXPECT_EQ(plain->capacity(), 4096u);
  EXPECT_THAT(plain->Grow(4097),
              StatusIs(Code::kFailedPrecondition, HasSubstr(P("f"))));
  EXPECT_THAT(f->MapGrowable(0, 100, 99, MapMode::kReadOnly).status(),
              StatusIs(Code::kInvalidArgument, HasSubstr(P("f"))));
}

TEST_P(FileSystemTest, GrowableMappingOutlivesItsFile) {
  std::unique_ptr<File> f = Open("f", OpenOptions::CreateNew());
  RUNNEL_ASSERT_OK(f->Reserve(0, 4096));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MappedRegion> region,
                       f->MapGrowable(0, 4096, 4 * 4096, MapMode::kReadWrite));
  RUNNEL_ASSERT_OK(f->Reserve(4096, 4096));
  RUNNEL_ASSERT_OK(f->Close());
  RUNNEL_ASSERT_OK(region->Grow(2 * 4096));
  std::memcpy(region->mutable_data() + 4096, "after close", 11);
  ASSERT_OK_AND_ASSIGN(std::string content, ReadFile(fs_, P("f")));
  EXPECT_EQ(content.substr(4096, 11), "after close");
}

TEST_P(FileSystemTest, StoresThroughAMappingAreVisibleToReadAt) {
  std::unique_ptr<File> f = Open("f", OpenOptions::CreateNew());
  RUNNEL_ASSERT_OK(f->Reserve(0, 8192));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MappedRegion> region,
                       f->Map(0, 8192, MapMode::kReadWrite));
  std::memcpy(region->mutable_data() + 5000, "mapped", 6);
  char buf[6];
  EXPECT_THAT(f->ReadAt(5000, absl::MakeSpan(buf)), IsOkAndHolds(6u));
  EXPECT_EQ(std::string(buf, 6), "mapped");
  RUNNEL_EXPECT_OK(region->Sync(5000, 6));
}

TEST_P(FileSystemTest, WriteAtIsVisibleThroughAMapping) {
  std::unique_ptr<File> f = Open("f", OpenOptions::CreateNew());
  RUNNEL_ASSERT_OK(f->Reserve(0, 4096));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MappedRegion> region,
                       f->Map(0, 4096, MapMode::kReadOnly));
  RUNNEL_ASSERT_OK(f->WriteAt(100, "written"));
  EXPECT_EQ(std::string(region->data() + 100, 7), "written");
}

TEST_P(FileSystemTest, UnalignedMappingStartsAtTheRequestedByte) {
  std::string content(10000, '.');
  content.replace(5003, 4, "here");
  RUNNEL_ASSERT_OK(WriteFile(fs_, P("f"), content));
  std::unique_ptr<File> f = Open("f", OpenOptions::ReadWrite());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MappedRegion> region,
                       f->Map(5003, 100, MapMode::kReadWrite));
  EXPECT_EQ(region->offset(), 5003u);
  EXPECT_EQ(region->size(), 100u);
  EXPECT_EQ(region->path(), P("f"));
  EXPECT_EQ(region->mode(), MapMode::kReadWrite);
  EXPECT_EQ(std::string(region->data(), 4), "here");
  std::memcpy(region->mutable_data() + 4, "now", 3);
  RUNNEL_EXPECT_OK(region->Sync(4, 3));
  RUNNEL_EXPECT_OK(region->Sync(0, 100));
  char buf[7];
  EXPECT_THAT(f->ReadAt(5003, absl::MakeSpan(buf)), IsOkAndHolds(7u));
  EXPECT_EQ(std::string(buf, 7), "herenow");
}

TEST_P(FileSystemTest, MappingSyncOutsideTheRegionIsOutOfRange) {
  std::unique_ptr<File> f = Open("f", OpenOptions::CreateNew());
  RUNNEL_ASSERT_OK(f->Reserve(0, 4096));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MappedRegion> region,
                       f->Map(0, 100, MapMode::kReadWrite));
  EXPECT_THAT(region->Sync(50, 51),
              StatusIs(Code::kOutOfRange, HasSubstr(P("f"))));
  EXPECT_THAT(region->Sync(101, 0),
              StatusIs(Code::kOutOfRange, HasSubstr(P("f"))));
  RUNNEL_EXPECT_OK(region->Sync(100, 0));
}

TEST_P(FileSystemTest, MappingStaysValidWhileTheFileGrows) {
  std::unique_ptr<File> f = Open("f", OpenOptions::CreateNew());
  RUNNEL_ASSERT_OK(f->Reserve(0, 4096));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MappedRegion> first,
                       f->Map(0, 4096, MapMode::kReadWrite));
  std::memcpy(first->mutable_data(), "before", 6);
  RUNNEL_ASSERT_OK(f->Reserve(4096, 1 << 20));
  RUNNEL_ASSERT_OK(f->Append("tail"));
  std::memcpy(first->mutable_data() + 6, "after", 5);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MappedRegion> second,
                       f->Map(512 * 1024, 4096, MapMode::kReadWrite));
  std::memcpy(second->mutable_data(), "second", 6);
  char buf[11];
  EXPECT_THAT(f->ReadAt(0, absl::MakeSpan(buf)), IsOkAndHolds(11u));
  EXPECT_EQ(std::string(buf, 11), "beforeafter");
  EXPECT_THAT(f->ReadAt(512 * 1024, absl::MakeSpan(buf, 6)), IsOkAndHolds(6u));
  EXPECT_EQ(std::string(buf, 6), "second");
  EXPECT_THAT(f->Size(), IsOkAndHolds(4096u + (1 << 20) + 4));
}

TEST_P(FileSystemTest, MappingOutlivesClose) {
  std::unique_ptr<File> f = Open("f", OpenOptions::CreateNew());
  RUNNEL_ASSERT_OK(f->Reserve(0, 4096));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MappedRegion> region,
                       f->Map(0, 4096, MapMode::kReadWrite));
  RUNNEL_ASSERT_OK(f->Close());
  f.reset();
  std::memcpy(region->mutable_data(), "late", 4);
  RUNNEL_EXPECT_OK(region->Sync(0, 4));
  region.reset();
  ASSERT_OK_AND_ASSIGN(std::string content, ReadFile(fs_, P("f")));
  EXPECT_EQ(content.substr(0, 4), "late");
}

// ---- Names ----------------------------------------------------------------

TEST_P(FileSystemTest, RemoveFile) {
  RUNNEL_ASSERT_OK(WriteFile(fs_, P("f"), "x"));
  RUNNEL_ASSERT_OK(fs_->RemoveFile(P("f")));
  EXPECT_THAT(fs_->FileExists(P("f")), IsOkAndHolds(false));
  EXPECT_THAT(
      fs_->RemoveFile(P("f")),
      StatusIs(Code::kNotFound, AllOf(HasSubstr("remove"), HasSubstr(P("f")))));
  RUNNEL_ASSERT_OK(fs_->CreateDir(P("d")));
  EXPECT_THAT(fs_->RemoveFile(P("d")),
              StatusIs(Code::kFailedPrecondition, HasSubstr(P("d"))));
}

TEST_P(FileSystemTest, RemovedFileStaysUsableThroughOpenHandles) {
  RUNNEL_ASSERT_OK(WriteFile(fs_, P("f"), "still here"));
  std::unique_ptr<File> f = Open("f", OpenOptions::ReadWrite());
  RUNNEL_ASSERT_OK(fs_->RemoveFile(P("f")));
  RUNNEL_ASSERT_OK(f->Append("!"));
  EXPECT_THAT(ReadAll(f.get()), IsOkAndHolds("still here!"));
  // A new file under the same name is a different file.
  RUNNEL_ASSERT_OK(WriteFile(fs_, P("f"), "new"));
  EXPECT_THAT(ReadAll(f.get()), IsOkAndHolds("still here!"));
}

TEST_P(FileSystemTest, RenameReplacesTheTarget) {
  RUNNEL_ASSERT_OK(WriteFile(fs_, P("a"), "new"));
  RUNNEL_ASSERT_OK(WriteFile(fs_, P("b"), "old"));
  std::unique_ptr<File> old_b = Open("b", OpenOptions::ReadOnly());
  RUNNEL_ASSERT_OK(fs_->Rename(P("a"), P("b")));
  EXPECT_THAT(fs_->FileExists(P("a")), IsOkAndHolds(false));
  EXPECT_THAT(ReadFile(fs_, P("b")), IsOkAndHolds("new"));
  EXPECT_THAT(ReadAll(old_b.get()), IsOkAndHolds("old"));
  RUNNEL_ASSERT_OK(fs_->Rename(P("b"), P("b")));  // Same name: no-op.
  EXPECT_THAT(ReadFile(fs_, P("b")), IsOkAndHolds("new"));
}

TEST_P(FileSystemTest, RenameErrors) {
  EXPECT_THAT(fs_->Rename(P("missing"), P("x")),
              StatusIs(Code::kNotFound,
                       AllOf(HasSubstr("rename"), HasSubstr(P("missing")),
                             HasSubstr(P("x")))));
  RUNNEL_ASSERT_OK(WriteFile(fs_, P("f"), "x"));
  EXPECT_THAT(fs_->Rename(P("f"), P("no/such")),
              StatusIs(Code::kNotFound, HasSubstr(P("no/such"))));
  RUNNEL_ASSERT_OK(fs_->CreateDirs(P("d/sub")));
  EXPECT_THAT(fs_->Rename(P("f"), P("d")),
              StatusIs(Code::kFailedPrecondition, HasSubstr("Is a directory")));
  EXPECT_THAT(
      fs_->Rename(P("d"), P("f")),
      StatusIs(Code::kFailedPrecondition, HasSubstr("Not a directory")));
  RUNNEL_ASSERT_OK(fs_->CreateDir(P("e")));
  EXPECT_THAT(fs_->Rename(P("e"), P("d")),
              StatusIs(Code::kFailedPrecondition, HasSubstr(P("d"))));
  EXPECT_THAT(fs_->Rename(P("d"), P("d/sub/x")),
              StatusIs(Code::kInvalidArgument, HasSubstr(P("d"))));
}

TEST_P(FileSystemTest, RenameMovesADirectoryWithItsContent) {
  RUNNEL_ASSERT_OK(fs_->CreateDirs(P("d/sub")));
  RUNNEL_ASSERT_OK(WriteFile(fs_, P("d/sub/f"), "deep"));
  RUNNEL_ASSERT_OK(fs_->CreateDir(P("empty")));
  RUNNEL_ASSERT_OK(fs_->Rename(P("d"), P("empty")));  // Replaces empty dir.
  EXPECT_THAT(ReadFile(fs_, P("empty/sub/f")), IsOkAndHolds("deep"));
  EXPECT_THAT(fs_->FileExists(P("d")), IsOkAndHolds(false));
  EXPECT_THAT(fs_->ListDir(root_), IsOkAndHolds(ElementsAre("empty")));
}

TEST_P(FileSystemTest, ExistenceKindAndSize) {
  RUNNEL_ASSERT_OK(WriteFile(fs_, P("f"), "12345"));
  RUNNEL_ASSERT_OK(fs_->CreateDir(P("d")));
  EXPECT_THAT(fs_->FileExists(P("f")), IsOkAndHolds(true));
  EXPECT_THAT(fs_->FileExists(P("d")), IsOkAndHolds(true));
  EXPECT_THAT(fs_->FileExists(P("x")), IsOkAndHolds(false));
  EXPECT_THAT(fs_->FileExists(P("f/x")), IsOkAndHolds(false));
  EXPECT_THAT(fs_->IsDirectory(P("f")), IsOkAndHolds(false));
  EXPECT_THAT(fs_->IsDirectory(P("d")), IsOkAndHolds(true));
  EXPECT_THAT(fs_->IsDirectory(P("x")).status(),
              StatusIs(Code::kNotFound, HasSubstr(P("x"))));
  EXPECT_THAT(fs_->GetFileSize(P("f")), IsOkAndHolds(5u));
  EXPECT_THAT(fs_->GetFileSize(P("d")).status(),
              StatusIs(Code::kFailedPrecondition, HasSubstr(P("d"))));
  EXPECT_THAT(fs_->GetFileSize(P("x")).status(),
              StatusIs(Code::kNotFound, HasSubstr(P("x"))));
}

// ---- Directories ----------------------------------------------------------

TEST_P(FileSystemTest, CreateDirErrors) {
  RUNNEL_ASSERT_OK(fs_->CreateDir(P("d")));
  EXPECT_THAT(fs_->CreateDir(P("d")),
              StatusIs(Code::kAlreadyExists,
                       AllOf(HasSubstr("mkdir"), HasSubstr(P("d")))));
  EXPECT_THAT(fs_->CreateDir(P("x/y")),
              StatusIs(Code::kNotFound, HasSubstr(P("x/y"))));
}

TEST_P(FileSystemTest, CreateDirsMakesParentsAndIsIdempotent) {
  RUNNEL_ASSERT_OK(fs_->CreateDirs(P("a/b/c")));
  RUNNEL_ASSERT_OK(fs_->CreateDirs(P("a/b/c")));
  RUNNEL_ASSERT_OK(fs_->CreateDirs(P("a//b/./c/")));
  EXPECT_THAT(fs_->IsDirectory(P("a/b/c")), IsOkAndHolds(true));
  RUNNEL_ASSERT_OK(WriteFile(fs_, P("a/file"), "x"));
  EXPECT_THAT(fs_->CreateDirs(P("a/file/z")),
              StatusIs(Code::kFailedPrecondition, HasSubstr(P("a/file"))));
}

TEST_P(FileSystemTest, RemoveDir) {
  RUNNEL_ASSERT_OK(fs_->CreateDirs(P("d/sub")));
  EXPECT_THAT(fs_->RemoveDir(P("d")),
              StatusIs(Code::kFailedPrecondition,
                       AllOf(HasSubstr("rmdir"), HasSubstr(P("d")),
                             HasSubstr("Directory not empty"))));
  RUNNEL_ASSERT_OK(fs_->RemoveDir(P("d/sub")));
  RUNNEL_ASSERT_OK(fs_->RemoveDir(P("d")));
  EXPECT_THAT(fs_->RemoveDir(P("d")),
              StatusIs(Code::kNotFound, HasSubstr(P("d"))));
  RUNNEL_ASSERT_OK(WriteFile(fs_, P("f"), "x"));
  EXPECT_THAT(fs_->RemoveDir(P("f")),
              StatusIs(Code::kFailedPrecondition, HasSubstr(P("f"))));
}

TEST_P(FileSystemTest, ListDirIsSortedAndShallow) {
  for (const char* name : {"b", "a", "c10", "c2", "B", "a-b"}) {
    RUNNEL_ASSERT_OK(WriteFile(fs_, P(name), ""));
  }
  RUNNEL_ASSERT_OK(fs_->CreateDirs(P("a0/inner")));
  EXPECT_THAT(
      fs_->ListDir(root_),
      IsOkAndHolds(ElementsAre("B", "a", "a-b", "a0", "b", "c10", "c2")));
  EXPECT_THAT(fs_->ListDir(P("a0")), IsOkAndHolds(ElementsAre("inner")));
  EXPECT_THAT(fs_->ListDir(P("a0/inner")), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(fs_->ListDir(P("missing")).status(),
              StatusIs(Code::kNotFound, HasSubstr(P("missing"))));
  EXPECT_THAT(fs_->ListDir(P("b")).status(),
              StatusIs(Code::kFailedPrecondition, HasSubstr(P("b"))));
}

TEST_P(FileSystemTest, SyncDir) {
  RUNNEL_ASSERT_OK(fs_->CreateDir(P("d")));
  RUNNEL_EXPECT_OK(fs_->SyncDir(P("d")));
  RUNNEL_EXPECT_OK(fs_->SyncDir(root_));
  EXPECT_THAT(fs_->SyncDir(P("missing")),
              StatusIs(Code::kNotFound, HasSubstr(P("missing"))));
}

TEST_P(FileSystemTest, RemoveAllRemovesATree) {
  RUNNEL_ASSERT_OK(fs_->CreateDirs(P("t/a/b")));
  RUNNEL_ASSERT_OK(WriteFile(fs_, P("t/a/b/f"), "x"));
  RUNNEL_ASSERT_OK(WriteFile(fs_, P("t/g"), "y"));
  RUNNEL_ASSERT_OK(fs_->RemoveAll(P("t")));
  EXPECT_THAT(fs_->FileExists(P("t")), IsOkAndHolds(false));
  EXPECT_THAT(fs_->RemoveAll(P("t")),
              StatusIs(Code::kNotFound, HasSubstr(P("t"))));
  RUNNEL_ASSERT_OK(WriteFile(fs_, P("single"), "x"));
  RUNNEL_ASSERT_OK(fs_->RemoveAll(P("single")));
  EXPECT_THAT(fs_->FileExists(P("single")), IsOkAndHolds(false));
}

// ---- Locks ----------------------------------------------------------------

TEST_P(FileSystemTest, SecondLockFailsNamingTheDirectoryAndThePid) {
  RUNNEL_ASSERT_OK(fs_->CreateDir(P("d")));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DirLock> lock, fs_->LockDir(P("d")));
  EXPECT_EQ(lock->dir(), P("d"));
  EXPECT_THAT(ReadFile(fs_, P("d/LOCK")),
              IsOkAndHolds(absl::StrCat(getpid(), "\n")));
  EXPECT_THAT(fs_->LockDir(P("d")).status(),
              StatusIs(Code::kFailedPrecondition,
                       AllOf(HasSubstr(P("d")),
                             HasSubstr(absl::StrCat("process ", getpid())))));
  lock.reset();  // Released: a new lock succeeds.
  ASSERT_OK_AND_ASSIGN(lock, fs_->LockDir(P("d")));
  // Other directories are independent.
  RUNNEL_ASSERT_OK(fs_->CreateDir(P("e")));
  RUNNEL_EXPECT_OK(fs_->LockDir(P("e")).status());
}

TEST_P(FileSystemTest, LockOfAMissingDirectoryIsNotFound) {
  EXPECT_THAT(fs_->LockDir(P("missing")).status(),
              StatusIs(Code::kNotFound, HasSubstr(P("missing"))));
}

INSTANTIATE_TEST_SUITE_P(AllFileSystems, FileSystemTest,
                         ::testing::ValuesIn(Impls()),
                         [](const ::testing::TestParamInfo<Impl>& info) {
                           return info.param.name;
                         });

// ---- Exact error parity ---------------------------------------------------

// Runs `op` against `fs` rooted at `root` and returns the status with the
// root replaced by "<root>", so POSIX and in-memory errors compare verbatim.
std::string Normalized(const absl::Status& status, const std::string& root) {
  std::string text = status.ToString();
  for (size_t at; (at = text.find(root)) != std::string::npos;) {
    text.replace(at, root.size(), "<root>");
  }
  return text;
}

TEST(FileSystemParityTest, MemErrorsReadExactlyLikePosixErrors) {
  PosixTestFs posix;
  MemTestFs mem;
  using Op = std::function<absl::Status(FileSystem*, const std::string&)>;
  const std::vector<Op> ops = {
      [](FileSystem* fs, const std::string& r) {
        return fs->OpenFile(r + "/missing", OpenOptions::ReadOnly()).status();
      },
      [](FileSystem* fs, const std::string& r) {
        return fs->OpenFile(r + "/d", OpenOptions::CreateNew()).status();
      },
      [](FileSystem* fs, const std::string& r) {
        return fs->OpenFile(r + "/d", OpenOptions::ReadWrite()).status();
      },
      [](FileSystem* fs, const std::string& r) {
        return fs->OpenFile(r + "/f/x", OpenOptions::Create()).status();
      },
      [](FileSystem* fs, const std::string& r) {
        return fs->RemoveFile(r + "/d");
      },
      [](FileSystem* fs, const std::string& r) {
        return fs->RemoveDir(r + "/d");
      },
      [](FileSystem* fs, const std::string& r) {
        return fs->RemoveDir(r + "/f");
      },
      [](FileSystem* fs, const std::string& r) {
        return fs->CreateDir(r + "/d");
      },
      [](FileSystem* fs, const std::string& r) {
        return fs->Rename(r + "/f", r + "/d");
      },
      [](FileSystem* fs, const std::string& r) {
        return fs->ListDir(r + "/f").status();
      },
      [](FileSystem* fs, const std::string& r) {
        return fs->SyncDir(r + "/f");
      },
      [](FileSystem* fs, const std::string& r) {
        return fs->GetFileSize(r + "/d").status();
      },
      [](FileSystem* fs, const std::string& r) {
        return fs->LockDir(r + "/f").status();
      },
      [](FileSystem* fs, const std::string& r) {
        absl::StatusOr<std::unique_ptr<File>> f =
            fs->OpenFile(r + "/f", OpenOptions::ReadOnly());
        if (!f.ok()) return f.status();
        return (*f)->WriteAt(3, "x");
      },
      [](FileSystem* fs, const std::string& r) {
        absl::StatusOr<std::unique_ptr<File>> f =
            fs->OpenFile(r + "/f", OpenOptions::ReadWrite());
        if (!f.ok()) return f.status();
        return (*f)->Map(1, 10, MapMode::kReadWrite).status();
      },
  };
  for (TestFs* t : std::vector<TestFs*>{&posix, &mem}) {
    RUNNEL_ASSERT_OK(t->fs()->CreateDirs(t->root() + "/d/sub"));
    RUNNEL_ASSERT_OK(WriteFile(t->fs(), t->root() + "/f", "abc"));
  }
  for (size_t i = 0; i < ops.size(); ++i) {
    const absl::Status from_posix = ops[i](posix.fs(), posix.root());
    const absl::Status from_mem = ops[i](mem.fs(), mem.root());
    EXPECT_FALSE(from_posix.ok()) << "op " << i;
    EXPECT_EQ(Normalized(from_posix, posix.root()),
              Normalized(from_mem, mem.root()))
        << "op " << i;
  }
}

}  // namespace
}  // namespace runnel
