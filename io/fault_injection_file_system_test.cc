// Copyright 2026 The Runnel Authors.
//
// FaultInjectionFileSystem: injected errors (numbering, matching, one-shot
// and persistent rules) and the crash model (what SimulateCrash keeps).
#include "runnel/fault_injection_file_system.h"

#include <cstring>
#include <memory>
#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
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
using Code = absl::StatusCode;

class FaultInjectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Made on the base: it exists, durably, before the wrapper sees it.
    RUNNEL_ASSERT_OK(mem_.CreateDir("/d"));
  }

  std::unique_ptr<File> Open(absl::string_view path, OpenOptions options) {
    absl::StatusOr<std::unique_ptr<File>> file = fs_.OpenFile(path, options);
    EXPECT_TRUE(file.ok()) << file.status();
    return file.ok() ? *std::move(file) : nullptr;
  }

  // A file created, written and synced, with its name made durable.
  void MakeDurable(absl::string_view path, absl::string_view content) {
    std::unique_ptr<File> f = Open(path, OpenOptions::CreateTruncate());
    ASSERT_NE(f, nullptr);
    RUNNEL_ASSERT_OK(f->WriteAt(0, content));
    RUNNEL_ASSERT_OK(f->Sync());
    RUNNEL_ASSERT_OK(fs_.SyncDir("/d"));
  }

  MemFileSystem mem_;
  FaultInjectionFileSystem fs_{&mem_};
};

// ---- Injected errors ------------------------------------------------------

TEST_F(FaultInjectionTest, FailsTheNthOperationWithEioLikeTheRealThing) {
  EXPECT_EQ(fs_.base(), &mem_);
  EXPECT_EQ(fs_.operation_count(), 0u);
  std::unique_ptr<File> f = Open("/d/f", OpenOptions::CreateNew());  // op 0
  RUNNEL_ASSERT_OK(f->Append("abc"));                                // op 1
  fs_.FailOperationAt(2);
  EXPECT_THAT(f->Append("def"),  // op 2
              StatusIs(Code::kInternal,
                       "append /d/f (offset 3 length 3): Input/output error"));
  EXPECT_EQ(fs_.faults_injected(), 1u);
  EXPECT_EQ(fs_.operation_count(), 3u);
  RUNNEL_ASSERT_OK(f->Append("ghi"));                     // One-shot: gone.
  EXPECT_THAT(ReadAll(f.get()), IsOkAndHolds("abcghi"));  // Nothing written.
}

TEST_F(FaultInjectionTest, EnospcIsResourceExhaustedNamingThePath) {
  std::unique_ptr<File> f = Open("/d/seg", OpenOptions::CreateNew());
  FaultRule rule;
  rule.ops = {FaultOp::kReserve};
  rule.error = ENOSPC;
  fs_.AddFault(rule);
  EXPECT_THAT(f->Reserve(0, 4096),
              StatusIs(Code::kResourceExhausted,
                       "reserve /d/seg (offset 0 length 4096): No space left "
                       "on device"));
  EXPECT_THAT(f->Size(), IsOkAndHolds(0u));
  RUNNEL_EXPECT_OK(f->Reserve(0, 4096));
}

TEST_F(FaultInjectionTest, EachOperationKindCanBeFailed) {
  std::unique_ptr<File> f = Open("/d/f", OpenOptions::CreateNew());
  RUNNEL_ASSERT_OK(f->Reserve(0, 4096));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MappedRegion> region,
                       f->Map(0, 4096, MapMode::kReadWrite));
  auto fail_next = [&](FaultOp op) {
    FaultRule rule;
    rule.ops = {op};
    fs_.AddFault(rule);
  };
  const auto eio = [](const char* text) {
    return StatusIs(Code::kInternal, HasSubstr(text));
  };
  char buf[4];
  fail_next(FaultOp::kRead);
  EXPECT_THAT(f->ReadAt(0, absl::MakeSpan(buf)).status(), eio("read /d/f"));
  fail_next(FaultOp::kWrite);
  EXPECT_THAT(f->WriteAt(0, "x"), eio("write /d/f"));
  fail_next(FaultOp::kTruncate);
  EXPECT_THAT(f->Truncate(0), eio("truncate /d/f (size 0)"));
  fail_next(FaultOp::kSync);
  EXPECT_THAT(f->Sync(), eio("sync /d/f"));
  fail_next(FaultOp::kMap);
  EXPECT_THAT(f->Map(0, 1, MapMode::kReadOnly).status(), eio("map /d/f"));
  fail_next(FaultOp::kMapSync);
  EXPECT_THAT(region->Sync(0, 1), eio("msync /d/f (offset 0 length 1)"));
  fail_next(FaultOp::kStat);
  EXPECT_THAT(f->Size().status(), eio("size /d/f"));
  fail_next(FaultOp::kStat);
  EXPECT_THAT(fs_.FileExists("/d/f").status(), eio("stat /d/f"));
  fail_next(FaultOp::kOpen);
  EXPECT_THAT(fs_.OpenFile("/d/g", OpenOptions::Create()).status(),
              eio("open /d/g"));
  fail_next(FaultOp::kCreateDir);
  EXPECT_THAT(fs_.CreateDir("/d/sub"), eio("mkdir /d/sub"));
  fail_next(FaultOp::kListDir);
  EXPECT_THAT(fs_.ListDir("/d").status(), eio("listdir /d"));
  fail_next(FaultOp::kSyncDir);
  EXPECT_THAT(fs_.SyncDir("/d"), eio("syncdir /d"));
  fail_next(FaultOp::kRename);
  EXPECT_THAT(fs_.Rename("/d/f", "/d/g"), eio("rename /d/f -> /d/g"));
  fail_next(FaultOp::kRemove);
  EXPECT_THAT(fs_.RemoveFile("/d/f"), eio("remove /d/f"));
  fail_next(FaultOp::kLock);
  EXPECT_THAT(fs_.LockDir("/d").status(), eio("lock /d"));
  fail_next(FaultOp::kClose);
  EXPECT_THAT(f->Close(), eio("close /d/f"));
  EXPECT_EQ(fs_.faults_injected(), 16u);
  // None of them happened.
  EXPECT_THAT(mem_.ListDir("/d"), IsOkAndHolds(ElementsAre("f")));
  EXPECT_THAT(mem_.GetFileSize("/d/f"), IsOkAndHolds(4096u));
}

TEST_F(FaultInjectionTest, PathRulesOnlyHitMatchingPaths) {
  std::unique_ptr<File> log = Open("/d/0.log", OpenOptions::CreateNew());
  std::unique_ptr<File> index = Open("/d/0.index", OpenOptions::CreateNew());
  FaultRule rule;
  rule.path_substring = ".index";
  rule.ops = {FaultOp::kWrite};
  rule.persistent = true;
  fs_.AddFault(rule);
  for (int i = 0; i < 3; ++i) {
    EXPECT_THAT(index->Append("i"),
                StatusIs(Code::kInternal, HasSubstr("/d/0.index")));
    RUNNEL_EXPECT_OK(log->Append("l"));
  }
  RUNNEL_EXPECT_OK(index->Sync());  // Other kinds pass.
  EXPECT_EQ(fs_.faults_injected(), 3u);
  fs_.ClearFaults();
  RUNNEL_EXPECT_OK(index->Append("i"));
}

TEST_F(FaultInjectionTest, RenameRulesMatchEitherPath) {
  MakeDurable("/d/a.tmp", "x");
  FaultRule rule;
  rule.path_substring = "/d/target";
  fs_.AddFault(rule);
  EXPECT_THAT(fs_.Rename("/d/a.tmp", "/d/target"),
              StatusIs(Code::kInternal,
                       "rename /d/a.tmp -> /d/target: Input/output error"));
  RUNNEL_EXPECT_OK(fs_.Rename("/d/a.tmp", "/d/target"));
}

TEST_F(FaultInjectionTest, OneShotFiresOncePersistentUntilCleared) {
  std::unique_ptr<File> f = Open("/d/f", OpenOptions::CreateNew());
  FaultRule once;
  once.ops = {FaultOp::kSync};
  fs_.AddFault(once);
  EXPECT_FALSE(f->Sync().ok());
  RUNNEL_EXPECT_OK(f->Sync());

  FaultRule always = once;
  always.persistent = true;
  always.error = ENOSPC;
  fs_.AddFault(always);
  for (int i = 0; i < 5; ++i) {
    EXPECT_THAT(f->Sync(),
                StatusIs(Code::kResourceExhausted, HasSubstr("/d/f")));
  }
  fs_.ClearFaults();
  RUNNEL_EXPECT_OK(f->Sync());
  EXPECT_EQ(fs_.faults_injected(), 6u);
}

TEST_F(FaultInjectionTest, SkipLetsMatchesThroughFirst) {
  std::unique_ptr<File> f = Open("/d/f", OpenOptions::CreateNew());
  FaultRule rule;
  rule.ops = {FaultOp::kWrite};
  rule.skip = 2;
  fs_.AddFault(rule);
  RUNNEL_EXPECT_OK(f->Append("1"));
  RUNNEL_EXPECT_OK(f->Append("2"));
  EXPECT_FALSE(f->Append("3").ok());
  RUNNEL_EXPECT_OK(f->Append("4"));
  EXPECT_THAT(ReadAll(f.get()), IsOkAndHolds("124"));
}

// A small durable-write workload: its result tells whether it completed.
absl::Status Workload(FileSystem* fs) {
  absl::StatusOr<std::unique_ptr<File>> f =
      fs->OpenFile("/d/tmp", OpenOptions::CreateTruncate());
  if (!f.ok()) return f.status();
  absl::Status s = (*f)->Append("checkpoint");
  if (s.ok()) s = (*f)->Sync();
  if (s.ok()) s = (*f)->Close();
  if (s.ok()) s = fs->Rename("/d/tmp", "/d/ckpt");
  if (s.ok()) s = fs->SyncDir("/d");
  return s;
}

TEST(FaultInjectionSweepTest, FailingEachOperationInTurnFailsTheWorkload) {
  uint64_t clean_ops = 0;
  {
    MemFileSystem mem;
    RUNNEL_ASSERT_OK(mem.CreateDir("/d"));
    FaultInjectionFileSystem fs(&mem);
    RUNNEL_ASSERT_OK(Workload(&fs));
    clean_ops = fs.operation_count();
  }
  EXPECT_EQ(clean_ops, 6u);
  uint64_t k = 0;
  for (;; ++k) {
    MemFileSystem mem;
    RUNNEL_ASSERT_OK(mem.CreateDir("/d"));
    FaultInjectionFileSystem fs(&mem);
    fs.FailOperationAt(k, ENOSPC);
    const absl::Status status = Workload(&fs);
    if (fs.faults_injected() == 0) {
      RUNNEL_EXPECT_OK(status);
      break;
    }
    EXPECT_THAT(status, StatusIs(Code::kResourceExhausted, HasSubstr("/d")))
        << "k=" << k;
  }
  EXPECT_EQ(k, clean_ops);
}

// ---- Crash model ----------------------------------------------------------

TEST_F(FaultInjectionTest, CrashDropsUnsyncedAppendsAndKeepsSyncedOnes) {
  std::unique_ptr<File> f = Open("/d/log", OpenOptions::CreateNew());
  RUNNEL_ASSERT_OK(fs_.SyncDir("/d"));
  RUNNEL_ASSERT_OK(f->Append("synced;"));
  RUNNEL_ASSERT_OK(f->Sync());
  RUNNEL_ASSERT_OK(f->Append("lost;"));
  RUNNEL_ASSERT_OK(fs_.SimulateCrash());
  EXPECT_THAT(ReadFile(&mem_, "/d/log"), IsOkAndHolds("synced;"));
  EXPECT_THAT(ReadFile(&fs_, "/d/log"), IsOkAndHolds("synced;"));
}

TEST_F(FaultInjectionTest, SyncedFileWithUnsyncedDirectoryEntryDisappears) {
  std::unique_ptr<File> f = Open("/d/new", OpenOptions::CreateNew());
  RUNNEL_ASSERT_OK(f->Append("content"));
  RUNNEL_ASSERT_OK(f->Sync());
  RUNNEL_ASSERT_OK(fs_.SimulateCrash());
  EXPECT_THAT(mem_.FileExists("/d/new"), IsOkAndHolds(false));
}

TEST_F(FaultInjectionTest, DirectorySyncMakesACreatedFileDurable) {
  std::unique_ptr<File> f = Open("/d/new", OpenOptions::CreateNew());
  RUNNEL_ASSERT_OK(fs_.SyncDir("/d"));
  RUNNEL_ASSERT_OK(f->Append("never synced"));
  RUNNEL_ASSERT_OK(fs_.SimulateCrash());
  EXPECT_THAT(ReadFile(&mem_, "/d/new"), IsOkAndHolds(""));
}

TEST_F(FaultInjectionTest, RemovalWithoutDirectorySyncIsUndone) {
  RUNNEL_ASSERT_OK(WriteFile(&mem_, "/d/old", "durable"));  // Pre-existing.
  RUNNEL_ASSERT_OK(fs_.RemoveFile("/d/old"));
  EXPECT_THAT(mem_.FileExists("/d/old"), IsOkAndHolds(false));
  RUNNEL_ASSERT_OK(fs_.SimulateCrash());
  EXPECT_THAT(ReadFile(&mem_, "/d/old"), IsOkAndHolds("durable"));

  RUNNEL_ASSERT_OK(fs_.RemoveFile("/d/old"));
  RUNNEL_ASSERT_OK(fs_.SyncDir("/d"));
  RUNNEL_ASSERT_OK(fs_.SimulateCrash());
  EXPECT_THAT(mem_.FileExists("/d/old"), IsOkAndHolds(false));
}

TEST_F(FaultInjectionTest, RemovedFileComesBackWithItsDurableContentOnly) {
  MakeDurable("/d/f", "durable");
  std::unique_ptr<File> f = Open("/d/f", OpenOptions::ReadWrite());
  RUNNEL_ASSERT_OK(f->Append(" and more"));
  RUNNEL_ASSERT_OK(fs_.RemoveFile("/d/f"));
  RUNNEL_ASSERT_OK(fs_.SimulateCrash());
  EXPECT_THAT(ReadFile(&mem_, "/d/f"), IsOkAndHolds("durable"));
}

TEST_F(FaultInjectionTest, RenameWithoutDirectorySyncIsUndone) {
  RUNNEL_ASSERT_OK(WriteFile(&mem_, "/d/current", "v1"));
  MakeDurable("/d/current.tmp", "v2");
  RUNNEL_ASSERT_OK(fs_.Rename("/d/current.tmp", "/d/current"));
  EXPECT_THAT(ReadFile(&mem_, "/d/current"), IsOkAndHolds("v2"));
  RUNNEL_ASSERT_OK(fs_.SimulateCrash());
  EXPECT_THAT(ReadFile(&mem_, "/d/current"), IsOkAndHolds("v1"));
  EXPECT_THAT(ReadFile(&mem_, "/d/current.tmp"), IsOkAndHolds("v2"));

  RUNNEL_ASSERT_OK(fs_.Rename("/d/current.tmp", "/d/current"));
  RUNNEL_ASSERT_OK(fs_.SyncDir("/d"));
  RUNNEL_ASSERT_OK(fs_.SimulateCrash());
  EXPECT_THAT(ReadFile(&mem_, "/d/current"), IsOkAndHolds("v2"));
  EXPECT_THAT(mem_.ListDir("/d"), IsOkAndHolds(ElementsAre("current")));
}

TEST_F(FaultInjectionTest, RenamedFileKeepsSyncsMadeAfterTheRename) {
  MakeDurable("/d/a", "one");
  std::unique_ptr<File> f = Open("/d/a", OpenOptions::ReadWrite());
  RUNNEL_ASSERT_OK(fs_.Rename("/d/a", "/d/b"));
  RUNNEL_ASSERT_OK(f->Append(" two"));
  RUNNEL_ASSERT_OK(f->Sync());  // Content follows the inode, not the name.
  RUNNEL_ASSERT_OK(fs_.SimulateCrash());
  EXPECT_THAT(ReadFile(&mem_, "/d/a"), IsOkAndHolds("one two"));
  EXPECT_THAT(mem_.FileExists("/d/b"), IsOkAndHolds(false));
}

TEST_F(FaultInjectionTest, DirectoryRenameWithoutSyncIsUndoneWithItsContent) {
  RUNNEL_ASSERT_OK(fs_.CreateDirs("/d/topic-0"));
  RUNNEL_ASSERT_OK(fs_.SyncDir("/d"));
  std::unique_ptr<File> f = Open("/d/topic-0/00.log", OpenOptions::CreateNew());
  RUNNEL_ASSERT_OK(f->Append("records"));
  RUNNEL_ASSERT_OK(f->Sync());
  RUNNEL_ASSERT_OK(fs_.SyncDir("/d/topic-0"));
  RUNNEL_ASSERT_OK(fs_.Rename("/d/topic-0", "/d/topic-0.delete"));
  RUNNEL_ASSERT_OK(fs_.SimulateCrash());
  EXPECT_THAT(mem_.ListDir("/d"), IsOkAndHolds(ElementsAre("topic-0")));
  EXPECT_THAT(ReadFile(&mem_, "/d/topic-0/00.log"), IsOkAndHolds("records"));
}

TEST_F(FaultInjectionTest, CreatedDirectoryNeedsItsParentSynced) {
  RUNNEL_ASSERT_OK(fs_.CreateDirs("/d/a/b"));
  MakeDurable("/d/top", "x");  // Also syncs /d, which now holds a.
  RUNNEL_ASSERT_OK(WriteFile(&fs_, "/d/a/b/f", "y"));
  RUNNEL_ASSERT_OK(fs_.SyncDir("/d/a/b"));  // f's entry, but not b's.
  RUNNEL_ASSERT_OK(fs_.SimulateCrash());
  // /d was synced: a survives. a was never synced: b (and f) do not.
  EXPECT_THAT(mem_.ListDir("/d"), IsOkAndHolds(ElementsAre("a", "top")));
  EXPECT_THAT(mem_.ListDir("/d/a"), IsOkAndHolds(ElementsAre()));
}

TEST_F(FaultInjectionTest, CreateDirsDurablySurvivesACrash) {
  RUNNEL_ASSERT_OK(fs_.CreateDirs("/d"));
  MakeDurable("/d/top", "x");  // /d is durable, nothing below it yet.
  RUNNEL_ASSERT_OK(fs_.CreateDirsDurably("/d/a/b/c"));
  RUNNEL_ASSERT_OK(fs_.CreateDirsDurably("/d/a/b/c"));  // exists: fine
  RUNNEL_ASSERT_OK(fs_.SimulateCrash());
  EXPECT_THAT(mem_.ListDir("/d/a/b"), IsOkAndHolds(ElementsAre("c")));
}

TEST_F(FaultInjectionTest, RemovedDirectoryIsRestoredWithItsDurableFiles) {
  RUNNEL_ASSERT_OK(mem_.CreateDir("/d/p"));
  RUNNEL_ASSERT_OK(WriteFile(&mem_, "/d/p/f", "kept"));
  RUNNEL_ASSERT_OK(fs_.RemoveAll("/d/p"));
  EXPECT_THAT(mem_.FileExists("/d/p"), IsOkAndHolds(false));
  RUNNEL_ASSERT_OK(fs_.SimulateCrash());
  EXPECT_THAT(ReadFile(&mem_, "/d/p/f"), IsOkAndHolds("kept"));
}

TEST_F(FaultInjectionTest, PreexistingFilesAreDurableAsTheyWere) {
  RUNNEL_ASSERT_OK(WriteFile(&mem_, "/d/pre", "base content"));
  std::unique_ptr<File> f = Open("/d/pre", OpenOptions::ReadWrite());
  RUNNEL_ASSERT_OK(f->WriteAt(0, "XXXX"));
  RUNNEL_ASSERT_OK(f->Append(" more"));
  ASSERT_NE(Open("/d/pre2", OpenOptions::CreateNew()), nullptr);
  RUNNEL_ASSERT_OK(fs_.SimulateCrash());
  EXPECT_THAT(ReadFile(&mem_, "/d/pre"), IsOkAndHolds("base content"));
  EXPECT_THAT(mem_.FileExists("/d/pre2"), IsOkAndHolds(false));
}

TEST_F(FaultInjectionTest, UnsyncedTruncateAndReserveAreUndone) {
  MakeDurable("/d/f", "abcdef");
  std::unique_ptr<File> f = Open("/d/f", OpenOptions::ReadWrite());
  RUNNEL_ASSERT_OK(f->Truncate(2));
  RUNNEL_ASSERT_OK(fs_.SimulateCrash());
  EXPECT_THAT(ReadFile(&mem_, "/d/f"), IsOkAndHolds("abcdef"));
  f = Open("/d/f", OpenOptions::ReadWrite());
  RUNNEL_ASSERT_OK(f->Reserve(0, 1 << 16));
  RUNNEL_ASSERT_OK(fs_.SimulateCrash());
  EXPECT_THAT(mem_.GetFileSize("/d/f"), IsOkAndHolds(6u));
}

TEST_F(FaultInjectionTest, MsyncedRangeSurvivesUnsyncedMappedBytesVanish) {
  std::unique_ptr<File> f = Open("/d/seg", OpenOptions::CreateNew());
  RUNNEL_ASSERT_OK(fs_.SyncDir("/d"));
  RUNNEL_ASSERT_OK(f->Reserve(0, 8192));
  RUNNEL_ASSERT_OK(f->Sync());  // The size is durable.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MappedRegion> region,
                       f->Map(0, 8192, MapMode::kReadWrite));
  std::memcpy(region->mutable_data(), "AAAA", 4);
  std::memcpy(region->mutable_data() + 5000, "BBBB", 4);
  RUNNEL_ASSERT_OK(region->Sync(0, 4));
  RUNNEL_ASSERT_OK(fs_.SimulateCrash());
  std::string expected(8192, '\0');
  expected.replace(0, 4, "AAAA");
  EXPECT_THAT(ReadFile(&mem_, "/d/seg"), IsOkAndHolds(expected));
}

TEST_F(FaultInjectionTest, MsyncOfAnUnalignedRegionRecordsTheRightBytes) {
  MakeDurable("/d/seg", std::string(10000, '.'));
  std::unique_ptr<File> f = Open("/d/seg", OpenOptions::ReadWrite());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MappedRegion> region,
                       f->Map(5003, 100, MapMode::kReadWrite));
  std::memcpy(region->mutable_data() + 10, "kept", 4);
  std::memcpy(region->mutable_data() + 50, "lost", 4);
  RUNNEL_ASSERT_OK(region->Sync(10, 4));
  RUNNEL_ASSERT_OK(fs_.SimulateCrash());
  std::string expected(10000, '.');
  expected.replace(5013, 4, "kept");
  EXPECT_THAT(ReadFile(&mem_, "/d/seg"), IsOkAndHolds(expected));
}

TEST_F(FaultInjectionTest, FileSyncAlsoCoversMappedStores) {
  std::unique_ptr<File> f = Open("/d/seg", OpenOptions::CreateNew());
  RUNNEL_ASSERT_OK(fs_.SyncDir("/d"));
  RUNNEL_ASSERT_OK(f->Reserve(0, 4096));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MappedRegion> region,
                       f->Map(0, 4096, MapMode::kReadWrite));
  std::memcpy(region->mutable_data() + 100, "mapped", 6);
  RUNNEL_ASSERT_OK(f->Sync());
  RUNNEL_ASSERT_OK(fs_.SimulateCrash());
  ASSERT_OK_AND_ASSIGN(std::string content, ReadFile(&mem_, "/d/seg"));
  ASSERT_EQ(content.size(), 4096u);
  EXPECT_EQ(content.substr(100, 6), "mapped");
}

// Appends 3000 unsynced bytes after 5000 synced ones, crashes with a tear,
// and returns the result.
std::string TornAppend(uint64_t seed) {
  MemFileSystem mem;
  EXPECT_TRUE(mem.CreateDir("/d").ok());
  FaultInjectionFileSystem fs(&mem);
  auto f = *fs.OpenFile("/d/log", OpenOptions::CreateNew());
  EXPECT_TRUE(fs.SyncDir("/d").ok());
  EXPECT_TRUE(f->Append(std::string(5000, 'a')).ok());
  EXPECT_TRUE(f->Sync().ok());
  EXPECT_TRUE(f->Append(std::string(3000, 'b')).ok());
  CrashOptions crash;
  crash.tear_last_unsynced_page = true;
  crash.seed = seed;
  EXPECT_TRUE(fs.SimulateCrash(crash).ok());
  return *ReadFile(&mem, "/d/log");
}

TEST(FaultInjectionTearTest, TornWriteKeepsAPrefixInsideOnePage) {
  std::set<size_t> lengths;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const std::string content = TornAppend(seed);
    ASSERT_GE(content.size(), 5000u);
    ASSERT_LT(content.size(), 8000u);  // A strict prefix of the new bytes.
    EXPECT_EQ(content.substr(0, 5000), std::string(5000, 'a'));
    EXPECT_EQ(content.substr(5000), std::string(content.size() - 5000, 'b'));
    EXPECT_EQ(TornAppend(seed), content) << "seed " << seed;  // Deterministic.
    lengths.insert(content.size());
  }
  EXPECT_GT(lengths.size(), 10u);  // The seed matters.
}

TEST_F(FaultInjectionTest, TearOnlyTouchesTheLastDirtyPage) {
  MakeDurable("/d/seg", std::string(16384, '\0'));
  std::unique_ptr<File> f = Open("/d/seg", OpenOptions::ReadWrite());
  RUNNEL_ASSERT_OK(f->WriteAt(100, "early"));                 // Page 0.
  RUNNEL_ASSERT_OK(f->WriteAt(9000, std::string(100, 'y')));  // Page 2.
  CrashOptions crash;
  crash.tear_last_unsynced_page = true;
  crash.seed = 7;
  RUNNEL_ASSERT_OK(fs_.SimulateCrash(crash));
  ASSERT_OK_AND_ASSIGN(std::string content, ReadFile(&mem_, "/d/seg"));
  ASSERT_EQ(content.size(), 16384u);
  EXPECT_EQ(content.substr(100, 5), std::string(5, '\0'));  // Lost.
  size_t kept = 0;
  while (kept < 100 && content[9000 + kept] == 'y') ++kept;
  EXPECT_LT(kept, 100u);
  std::string expected(16384, '\0');
  expected.replace(9000, kept, std::string(kept, 'y'));
  EXPECT_EQ(content, expected);
}

TEST_F(FaultInjectionTest, HandlesFromBeforeACrashAreStale) {
  std::unique_ptr<File> f = Open("/d/f", OpenOptions::CreateNew());
  RUNNEL_ASSERT_OK(fs_.SyncDir("/d"));
  RUNNEL_ASSERT_OK(f->Reserve(0, 4096));
  RUNNEL_ASSERT_OK(f->Sync());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MappedRegion> region,
                       f->Map(0, 4096, MapMode::kReadWrite));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DirLock> lock, fs_.LockDir("/d"));
  RUNNEL_ASSERT_OK(fs_.SimulateCrash());

  const auto stale = StatusIs(Code::kFailedPrecondition,
                              AllOf(HasSubstr("/d/f"), HasSubstr("stale")));
  char buf[1];
  EXPECT_THAT(f->ReadAt(0, absl::MakeSpan(buf)).status(), stale);
  EXPECT_THAT(f->Append("x"), stale);
  EXPECT_THAT(f->Sync(), stale);
  EXPECT_THAT(f->Map(0, 1, MapMode::kReadOnly).status(), stale);
  EXPECT_THAT(f->Close(), stale);
  EXPECT_THAT(region->Sync(0, 1), stale);
  // The stale mapping's memory is still addressable but is no file's.
  region->mutable_data()[0] = 'z';
  EXPECT_THAT(ReadFile(&mem_, "/d/f"), IsOkAndHolds(std::string(4096, '\0')));

  // The lock died with the "process": it can be taken again, and dropping
  // the stale DirLock does not release the new one.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DirLock> relock, fs_.LockDir("/d"));
  lock.reset();
  EXPECT_THAT(fs_.LockDir("/d").status(),
              StatusIs(Code::kFailedPrecondition, HasSubstr("/d")));
  // New handles work.
  std::unique_ptr<File> fresh = Open("/d/f", OpenOptions::ReadWrite());
  RUNNEL_EXPECT_OK(fresh->Append("x"));
}

TEST_F(FaultInjectionTest, CountingAndRulesCarryOnAcrossACrash) {
  std::unique_ptr<File> f = Open("/d/f", OpenOptions::CreateNew());
  FaultRule rule;
  rule.ops = {FaultOp::kOpen};
  rule.path_substring = "never";
  rule.persistent = true;
  fs_.AddFault(rule);
  const uint64_t before = fs_.operation_count();
  RUNNEL_ASSERT_OK(fs_.SimulateCrash());
  EXPECT_EQ(fs_.operation_count(), before);
  EXPECT_FALSE(fs_.OpenFile("/d/never", OpenOptions::Create()).ok());
  EXPECT_EQ(fs_.operation_count(), before + 1);
}

TEST(FaultInjectionPosixTest, CrashModelWorksOnTheRealFileSystem) {
  ScratchDir dir;
  std::unique_ptr<FileSystem> posix = NewPosixFileSystem();
  FaultInjectionFileSystem fs(posix.get());
  const std::string d = dir.path();
  RUNNEL_ASSERT_OK(WriteFile(posix.get(), d + "/old", "old"));
  ASSERT_OK_AND_ASSIGN(auto log,
                       fs.OpenFile(d + "/log", OpenOptions::CreateNew()));
  RUNNEL_ASSERT_OK(fs.SyncDir(d));
  RUNNEL_ASSERT_OK(log->Append("kept"));
  RUNNEL_ASSERT_OK(log->Sync());
  RUNNEL_ASSERT_OK(log->Append("dropped"));
  RUNNEL_ASSERT_OK(WriteFile(&fs, d + "/unsynced", "x"));
  RUNNEL_ASSERT_OK(fs.Rename(d + "/old", d + "/renamed"));
  RUNNEL_ASSERT_OK(fs.SimulateCrash());
  EXPECT_THAT(posix->ListDir(d), IsOkAndHolds(ElementsAre("log", "old")));
  EXPECT_THAT(ReadFile(posix.get(), d + "/log"), IsOkAndHolds("kept"));
  EXPECT_THAT(ReadFile(posix.get(), d + "/old"), IsOkAndHolds("old"));
}

// Whatever operation of a ReplaceFileDurably a crash follows, the file holds
// all of its old or all of its new content.
TEST(ReplaceFileDurablyTest, ACrashAfterAnyOperationLeavesOldOrNew) {
  for (uint64_t k = 0;; ++k) {
    MemFileSystem mem;
    FaultInjectionFileSystem fs(&mem);
    RUNNEL_ASSERT_OK(fs.CreateDir("/d"));
    RUNNEL_ASSERT_OK(fs.SyncDir("/"));
    RUNNEL_ASSERT_OK(fs.ReplaceFileDurably("/d/f", "old content"));
    const uint64_t start = fs.operation_count();
    fs.FailOperationAt(start + k, EIO);  // stops the replace after k ops
    const absl::Status replaced = fs.ReplaceFileDurably("/d/f", "new!");
    RUNNEL_ASSERT_OK(fs.SimulateCrash());
    absl::StatusOr<std::string> after = mem.ReadFileToString("/d/f");
    ASSERT_TRUE(after.ok()) << after.status();
    EXPECT_TRUE(*after == "old content" || *after == "new!") << k << *after;
    if (replaced.ok()) {
      EXPECT_EQ(*after, "new!");
      break;  // k passed the last operation
    }
    ASSERT_LT(k, 50u);
  }
}

}  // namespace
}  // namespace runnel
