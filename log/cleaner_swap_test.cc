// Copyright 2026 The Runnel Authors.
//
// The swap protocol and its state machine on hand-made directories: every
// state by construction, then every operation of a swap failing (EIO) and
// a simulated crash after every operation — also during the recovery —
// each of which must end in exactly the old or exactly the new file set.
#include "log/cleaner_swap.h"

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
#include "runnel/fault_injection_file_system.h"
#include "runnel/mem_file_system.h"

namespace runnel {
namespace internal {
namespace {

using Files = std::map<std::string, std::string>;
using Action = InterruptedCleaning::Action;

constexpr char kDir[] = "/p-0";
constexpr char k0[] = "00000000000000000000";
constexpr char k100[] = "00000000000000000100";
constexpr char k200[] = "00000000000000000200";

// Group {0, 100} (100 has a .txnindex), then segment 200 outside it, and a
// checkpoint file that is not a segment file.
Files OldFiles() {
  Files f;
  for (const char* base : {k0, k100, k200}) {
    for (const char* type : {".log", ".index", ".timeindex"}) {
      f[absl::StrCat(base, type)] = absl::StrCat("old ", base, type);
    }
  }
  f[absl::StrCat(k100, ".txnindex")] = "old txn";
  f["recovery-point-offset-checkpoint"] = "0\n1\nt 0 300\n";
  return f;
}

// After the swap: 0 holds the cleaned segment, 100 is gone.
Files NewFiles() {
  Files f = OldFiles();
  for (const char* type : {".log", ".index", ".timeindex", ".txnindex"}) {
    f.erase(absl::StrCat(k100, type));
  }
  for (const char* type : {".log", ".index", ".timeindex"}) {
    f[absl::StrCat(k0, type)] = absl::StrCat("new ", type);
  }
  return f;
}

void Write(FileSystem* fs, const Files& files) {
  ASSERT_TRUE(fs->CreateDirs(kDir).ok());
  for (const auto& [name, content] : files) {
    ASSERT_TRUE(
        testing::WriteFile(fs, absl::StrCat(kDir, "/", name), content).ok());
  }
}

// The cleaner's step 1: the three .cleaned files.
void WriteCleaned(FileSystem* fs) {
  for (const char* type : {".log", ".index", ".timeindex"}) {
    ASSERT_TRUE(
        testing::WriteFile(fs, absl::StrCat(kDir, "/", k0, type, ".cleaned"),
                           absl::StrCat("new ", type))
            .ok());
  }
}

Files Read(FileSystem* fs) {
  Files f;
  absl::StatusOr<std::vector<std::string>> names = fs->ListDir(kDir);
  EXPECT_TRUE(names.ok()) << names.status();
  if (!names.ok()) return f;
  for (const std::string& name : *names) {
    absl::StatusOr<std::string> content =
        testing::ReadFile(fs, absl::StrCat(kDir, "/", name));
    EXPECT_TRUE(content.ok()) << content.status();
    f[name] = content.ok() ? *content : "?";
  }
  return f;
}

SwapPlan Plan() { return SwapPlan{kDir, {0, 100}}; }

TEST(CleanerSwapTest, SwapReplacesTheGroup) {
  MemFileSystem fs;
  Write(&fs, OldFiles());
  WriteCleaned(&fs);
  SwapOutcome outcome = SwapInCleanedSegment(&fs, Plan());
  EXPECT_TRUE(outcome.status.ok()) << outcome.status;
  EXPECT_TRUE(outcome.committed);
  EXPECT_EQ(Read(&fs), NewFiles());
}

TEST(CleanerSwapTest, NothingInFlightRemovesStrayFiles) {
  MemFileSystem fs;
  Files files = OldFiles();
  files[absl::StrCat(k200, ".log.cleaned")] = "partial";
  files[absl::StrCat(k100, ".log.deleted")] = "stale";
  Write(&fs, files);
  absl::StatusOr<InterruptedCleaning> done =
      CompleteInterruptedCleaning(&fs, kDir);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->action, Action::kNone);
  EXPECT_EQ(done->files_removed, 2);
  EXPECT_EQ(Read(&fs), OldFiles());
}

TEST(CleanerSwapTest, UncommittedSwapRollsBack) {
  MemFileSystem fs;
  // Crash inside step 3: some old files already ".deleted".
  Files files = OldFiles();
  for (const std::string& name :
       {absl::StrCat(k100, ".log"), absl::StrCat(k0, ".index")}) {
    files[name + ".deleted"] = files[name];
    files.erase(name);
  }
  for (const char* type : {".log", ".index", ".timeindex"}) {
    files[absl::StrCat(k0, type, ".swap")] = absl::StrCat("new ", type);
  }
  Write(&fs, files);
  absl::StatusOr<InterruptedCleaning> done =
      CompleteInterruptedCleaning(&fs, kDir);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->action, Action::kRolledBack);
  EXPECT_EQ(done->base_offset, 0);
  EXPECT_EQ(Read(&fs), OldFiles());
}

TEST(CleanerSwapTest, IndexSwapWithoutLogSwapButLogCleanedRollsBack) {
  MemFileSystem fs;
  // Step 2 half durable: the index renamed, the log not.
  Files files = OldFiles();
  files[absl::StrCat(k0, ".log.cleaned")] = "new .log";
  files[absl::StrCat(k0, ".index.swap")] = "new .index";
  Write(&fs, files);
  absl::StatusOr<InterruptedCleaning> done =
      CompleteInterruptedCleaning(&fs, kDir);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->action, Action::kRolledBack);
  EXPECT_EQ(Read(&fs), OldFiles());
}

TEST(CleanerSwapTest, CommittedSwapRollsForward) {
  MemFileSystem fs;
  // Crash after the commit rename: index files still .swap, old files
  // .deleted.
  Files files = NewFiles();
  for (const char* type : {".index", ".timeindex"}) {
    files[absl::StrCat(k0, type, ".swap")] = files[absl::StrCat(k0, type)];
    files.erase(absl::StrCat(k0, type));
    files[absl::StrCat(k0, type, ".deleted")] = "old";
  }
  for (const char* type : {".log", ".index", ".timeindex", ".txnindex"}) {
    files[absl::StrCat(k100, type, ".deleted")] = "old";
  }
  Write(&fs, files);
  absl::StatusOr<InterruptedCleaning> done =
      CompleteInterruptedCleaning(&fs, kDir);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->action, Action::kRolledForward);
  EXPECT_EQ(done->files_renamed, 2);
  EXPECT_EQ(done->files_removed, 6);
  EXPECT_EQ(Read(&fs), NewFiles());
}

TEST(CleanerSwapTest, SwapFilesOfTwoSegmentsAreDataLoss) {
  MemFileSystem fs;
  Files files = OldFiles();
  files[absl::StrCat(k0, ".log.swap")] = "x";
  files[absl::StrCat(k200, ".log.swap")] = "y";
  Write(&fs, files);
  EXPECT_THAT(CompleteInterruptedCleaning(&fs, kDir).status(),
              testing::StatusIs(absl::StatusCode::kDataLoss,
                                ::testing::HasSubstr(kDir)));
  EXPECT_EQ(Read(&fs), files);  // untouched
}

TEST(CleanerSwapTest, MissingOldLogFailsAndRollsBack) {
  MemFileSystem fs;
  Files files = OldFiles();
  files.erase(absl::StrCat(k100, ".log"));
  Write(&fs, files);
  WriteCleaned(&fs);
  SwapOutcome outcome = SwapInCleanedSegment(&fs, Plan());
  EXPECT_EQ(outcome.status.code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(outcome.committed);
  EXPECT_EQ(Read(&fs), files);
}

// Every operation of a swap fails in turn: the swap reports it and the
// directory is the old or the new file set, as `committed` says.
TEST(CleanerSwapTest, EveryFailedOperationLeavesOldOrNew) {
  uint64_t k = 0;
  for (;; ++k) {
    MemFileSystem mem;
    Write(&mem, OldFiles());
    WriteCleaned(&mem);
    FaultInjectionFileSystem fs(&mem);
    fs.FailOperationAt(k, EIO);
    SwapOutcome outcome = SwapInCleanedSegment(&fs, Plan());
    if (fs.faults_injected() == 0) {
      EXPECT_TRUE(outcome.status.ok());
      break;
    }
    SCOPED_TRACE(absl::StrCat("failed operation ", k));
    EXPECT_FALSE(outcome.status.ok());
    Files expected = outcome.committed ? NewFiles() : OldFiles();
    EXPECT_EQ(Read(&mem), expected);
  }
  EXPECT_GT(k, 15u);
}

// A crash after every operation of a swap, then recovery — itself crashed
// after each of its operations and rerun: always exactly old or new.
TEST(CleanerSwapTest, CrashAfterEveryOperationRecoversOldOrNew) {
  int olds = 0, news = 0;
  for (uint64_t k = 0;; ++k) {
    bool done = false;
    for (uint64_t j = 0;; ++j) {
      MemFileSystem mem;
      Write(&mem, OldFiles());
      WriteCleaned(&mem);
      FaultInjectionFileSystem fs(&mem);
      FaultRule rule;
      rule.skip = k + 1;  // k + 1 operations succeed, then all fail
      rule.persistent = true;
      fs.AddFault(rule);
      SwapInCleanedSegment(&fs, Plan());
      if (fs.faults_injected() == 0) {
        done = true;
        break;
      }
      SCOPED_TRACE(absl::StrCat("crash after swap operation ", k,
                                ", recovery crash after ", j));
      ASSERT_TRUE(fs.SimulateCrash().ok());
      fs.ClearFaults();
      // A first recovery that crashes after j operations...
      FaultRule again;
      again.skip = j + 1;
      again.persistent = true;
      fs.AddFault(again);
      const uint64_t before = fs.faults_injected();
      CompleteInterruptedCleaning(&fs, kDir).IgnoreError();
      const bool recovery_crashed = fs.faults_injected() > before;
      ASSERT_TRUE(fs.SimulateCrash().ok());
      fs.ClearFaults();
      // ...and a second one that completes.
      absl::StatusOr<InterruptedCleaning> recovered =
          CompleteInterruptedCleaning(&fs, kDir);
      ASSERT_TRUE(recovered.ok()) << recovered.status();
      const Files now = Read(&mem);
      if (now == OldFiles()) {
        ++olds;
      } else {
        EXPECT_EQ(now, NewFiles());
        ++news;
      }
      if (!recovery_crashed) break;
    }
    if (done) break;
  }
  EXPECT_GT(olds, 10);
  EXPECT_GT(news, 5);
}

}  // namespace
}  // namespace internal
}  // namespace runnel
