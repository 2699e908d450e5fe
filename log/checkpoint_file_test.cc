// Copyright 2026 The Runnel Authors.
#include "log/checkpoint_file.h"

#include <cerrno>
#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
#include "log/index_test_util.h"
#include "runnel/fault_injection_file_system.h"
#include "runnel/mem_file_system.h"

namespace runnel {

// For gtest messages (found by ADL).
void PrintTo(const CheckpointEntry& e, std::ostream* os) {
  *os << "{" << e.topic << " " << e.partition << " " << e.offset << "}";
}

namespace {

using ::runnel::testing::IndexFileSystemTest;
using ::runnel::testing::IsOkAndHolds;
using ::runnel::testing::ReadFile;
using ::runnel::testing::StatusIs;
using ::runnel::testing::WriteFile;
using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::Eq;
using ::testing::HasSubstr;

using Entries = std::vector<CheckpointEntry>;

const Entries kOld = {{"orders", 0, 100}, {"orders", 1, 200}};
const Entries kNew = {{"orders", 0, 150},
                      {"orders", 1, 250},
                      {"audit.log-v2_x", 7, -1},
                      {"big", std::numeric_limits<int32_t>::max(),
                       std::numeric_limits<int64_t>::max()}};

class CheckpointFileTest : public IndexFileSystemTest {};

TEST_P(CheckpointFileTest, WritesKafkaTextAndReadsItBack) {
  const std::string path = Path("recovery-point-offset-checkpoint");
  ASSERT_TRUE(WriteCheckpointFile(fs(), path, kOld).ok());
  EXPECT_THAT(ReadFile(fs(), path),
              IsOkAndHolds(std::string("0\n2\norders 0 100\norders 1 200\n")));
  EXPECT_THAT(ReadCheckpointFile(fs(), path), IsOkAndHolds(kOld));

  ASSERT_TRUE(WriteCheckpointFile(fs(), path, kNew).ok());
  EXPECT_THAT(ReadCheckpointFile(fs(), path), IsOkAndHolds(kNew));
  EXPECT_THAT(fs()->FileExists(path + ".tmp"), IsOkAndHolds(false));

  ASSERT_TRUE(WriteCheckpointFile(fs(), path, {}).ok());
  EXPECT_THAT(ReadFile(fs(), path), IsOkAndHolds(std::string("0\n0\n")));
  EXPECT_THAT(ReadCheckpointFile(fs(), path), IsOkAndHolds(Entries{}));
}

TEST_P(CheckpointFileTest, MissingFileIsNotFound) {
  EXPECT_THAT(ReadCheckpointFile(fs(), Path("nope")).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(Path("nope"))));
}

TEST_P(CheckpointFileTest, LeftoverTmpIsIgnoredAndReplaced) {
  const std::string path = Path("log-start-offset-checkpoint");
  ASSERT_TRUE(WriteCheckpointFile(fs(), path, kOld).ok());
  ASSERT_TRUE(WriteFile(fs(), path + ".tmp", "0\n1\ngarbage 0 1\nextra").ok());
  EXPECT_THAT(ReadCheckpointFile(fs(), path), IsOkAndHolds(kOld));
  ASSERT_TRUE(WriteCheckpointFile(fs(), path, kNew).ok());
  EXPECT_THAT(ReadCheckpointFile(fs(), path), IsOkAndHolds(kNew));
  EXPECT_THAT(fs()->FileExists(path + ".tmp"), IsOkAndHolds(false));
}

TEST_P(CheckpointFileTest, InvalidEntriesAreNotWritten) {
  const std::string path = Path("cp");
  const std::vector<Entries> bad = {
      {{"", 0, 0}},          {{"has space", 0, 0}},        {{"tab\t", 0, 0}},
      {{"new\nline", 0, 0}}, {{"ok", 0, 0}, {"t", -1, 0}}, {{"t", 0, -2}},
  };
  for (const Entries& entries : bad) {
    EXPECT_THAT(WriteCheckpointFile(fs(), path, entries),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(path)))
        << ::testing::PrintToString(entries);
  }
  EXPECT_THAT(fs()->FileExists(path), IsOkAndHolds(false));
  EXPECT_THAT(fs()->FileExists(path + ".tmp"), IsOkAndHolds(false));
}

TEST_P(CheckpointFileTest, MalformedFilesAreDataLossNamingTheLine) {
  struct Case {
    std::string content;
    int line;
  };
  const std::vector<Case> cases = {
      {"", 1},
      {"1\n0\n", 1},
      {"x\n0\n", 1},
      {"-0\n0\n", 1},
      {"0\n", 2},
      {"0\nx\n", 2},
      {"0\n-1\n", 2},
      {"0\n1\n", 2},
      {"0\n0\nt 0 1\n", 2},
      {"0\n2\nt 0 1\n", 2},
      {"0\n1\nt 0 1", 3},  // no final newline
      {"0\n1\nt 0 12\n\n", 2},
      {"0\n1\nt 0\n", 3},
      {"0\n1\nt 0 1 2\n", 3},
      {"0\n1\nt  0 1\n", 3},
      {"0\n1\n t 0 1\n", 3},
      {"0\n1\nt\t0 1\n", 3},
      {"0\n1\nt 0 1\r\n", 3},
      {"0\n1\nt -1 5\n", 3},
      {"0\n1\nt 2147483648 5\n", 3},
      {"0\n1\nt 0 -2\n", 3},
      {"0\n1\nt 0 +5\n", 3},
      {"0\n1\nt 0 5x\n", 3},
      {"0\n1\nt 0 9223372036854775808\n", 3},
      {"0\n1\nt 0 99999999999999999999\n", 3},
      {"0\n1\nt 0 -9223372036854775808\n", 3},
      {"0\n2\na 0 1\nb x 1\n", 4},
      {std::string("0\n1\nt 0 1\0\n", 11), 3},
  };
  const std::string path = Path("replication-offset-checkpoint");
  for (const Case& c : cases) {
    ASSERT_TRUE(WriteFile(fs(), path, c.content).ok());
    EXPECT_THAT(ReadCheckpointFile(fs(), path).status(),
                StatusIs(absl::StatusCode::kDataLoss,
                         AllOf(HasSubstr(path),
                               HasSubstr(absl::StrCat("line ", c.line, " ")))))
        << "content \"" << absl::CHexEscape(c.content) << "\"";
  }
}

TEST_P(CheckpointFileTest, AcceptsWhatKafkaWrites) {
  const std::string path = Path("cp");
  ASSERT_TRUE(WriteFile(fs(), path,
                        "0\n3\n__consumer_offsets 49 0\nt-1 0 -1\n"
                        "x 2147483647 9223372036854775807\n")
                  .ok());
  EXPECT_THAT(ReadCheckpointFile(fs(), path),
              IsOkAndHolds(Entries{{"__consumer_offsets", 49, 0},
                                   {"t-1", 0, -1},
                                   {"x", std::numeric_limits<int32_t>::max(),
                                    std::numeric_limits<int64_t>::max()}}));
}

RUNNEL_INSTANTIATE_ON_ALL_FILE_SYSTEMS(CheckpointFileTest);

// ---- Crash safety, on MemFileSystem under fault injection ------------------

constexpr char kDir[] = "/data";
constexpr char kPath[] = "/data/recovery-point-offset-checkpoint";

// A fresh file system holding kOld durably (written before the wrapper).
struct CrashRig {
  CrashRig() {
    EXPECT_TRUE(mem.CreateDirs(kDir).ok());
    EXPECT_TRUE(WriteCheckpointFile(&mem, kPath, kOld).ok());
  }
  MemFileSystem mem;
  FaultInjectionFileSystem fs{&mem};
};

// The checkpoint as a reader finds it: complete old or complete new.
void ExpectOldOrNew(FileSystem* fs, const std::string& when) {
  absl::StatusOr<Entries> read = ReadCheckpointFile(fs, kPath);
  ASSERT_TRUE(read.ok()) << when << ": " << read.status();
  EXPECT_THAT(*read, AnyOf(Eq(kOld), Eq(kNew))) << when;
}

// After a crash the next write must work (a stale .tmp does not matter).
void ExpectWritableAgain(FileSystem* fs, const std::string& when) {
  const Entries next = {{"next", 3, 33}};
  ASSERT_TRUE(WriteCheckpointFile(fs, kPath, next).ok()) << when;
  EXPECT_THAT(ReadCheckpointFile(fs, kPath), IsOkAndHolds(next)) << when;
}

const std::vector<CrashOptions> kCrashKinds = {
    CrashOptions{}, CrashOptions{/*tear_last_unsynced_page=*/true, 1},
    CrashOptions{/*tear_last_unsynced_page=*/true, 2}};

TEST(CheckpointFileCrashTest, FailingAnyOperationKeepsOldOrNew) {
  uint64_t k = 0;
  for (bool completed = false; !completed; ++k) {
    for (size_t kind = 0; kind < kCrashKinds.size(); ++kind) {
      const std::string when = absl::StrCat("failing op ", k, ", crash ", kind);
      CrashRig rig;
      rig.fs.FailOperationAt(k, kind == 0 ? EIO : ENOSPC);
      const absl::Status written = WriteCheckpointFile(&rig.fs, kPath, kNew);
      completed = rig.fs.faults_injected() == 0;
      if (completed) {
        ASSERT_TRUE(written.ok()) << when << ": " << written;
        break;
      }
      EXPECT_FALSE(written.ok()) << when;
      ExpectOldOrNew(&rig.fs, when + " (before the crash)");
      ASSERT_TRUE(rig.fs.SimulateCrash(kCrashKinds[kind]).ok());
      ExpectOldOrNew(&rig.fs, when);
      ExpectWritableAgain(&rig.fs, when);
    }
  }
  // At least open, write, sync, close, rename and sync-dir were tried.
  EXPECT_GE(k, 7u);
}

TEST(CheckpointFileCrashTest, CrashAfterAnyOperationKeepsOldOrNew) {
  for (uint64_t k = 0;; ++k) {
    bool completed = false;
    for (size_t kind = 0; kind < kCrashKinds.size(); ++kind) {
      const std::string when = absl::StrCat("crash after op ", k, ", ", kind);
      CrashRig rig;
      // Operations 0..k happen, everything after them fails: the process
      // "stops" right after op k. Then the power goes.
      FaultRule stop;
      stop.skip = k + 1;
      stop.persistent = true;
      rig.fs.AddFault(stop);
      const absl::Status written = WriteCheckpointFile(&rig.fs, kPath, kNew);
      completed = rig.fs.faults_injected() == 0;
      rig.fs.ClearFaults();
      ASSERT_TRUE(rig.fs.SimulateCrash(kCrashKinds[kind]).ok());
      if (completed) {
        // A write that returned OK survives the crash.
        ASSERT_TRUE(written.ok()) << when << ": " << written;
        EXPECT_THAT(ReadCheckpointFile(&rig.fs, kPath), IsOkAndHolds(kNew))
            << when;
      } else {
        ExpectOldOrNew(&rig.fs, when);
      }
      ExpectWritableAgain(&rig.fs, when);
    }
    if (completed) break;
  }
}

}  // namespace
}  // namespace runnel
