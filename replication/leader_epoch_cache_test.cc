// Copyright 2026 The Runnel Authors.
#include "replication/leader_epoch_cache.h"

#include <cerrno>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
#include "replication/leader_epoch_checkpoint.h"
#include "runnel/fault_injection_file_system.h"
#include "runnel/file_system.h"
#include "runnel/mem_file_system.h"
#include "runnel/replica_messages.h"

namespace runnel {

void PrintTo(const EpochEndOffset& e, std::ostream* os) {
  *os << "{epoch " << e.epoch << ", end_offset " << e.end_offset << "}";
}

namespace {

using ::runnel::testing::IsOkAndHolds;
using ::runnel::testing::ReadFile;
using ::runnel::testing::StatusIs;
using ::runnel::testing::WriteFile;
using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

using Entries = std::vector<EpochEntry>;

constexpr char kDir[] = "/data/orders-0";
constexpr char kPath[] = "/data/orders-0/leader-epoch-checkpoint";

const EpochEndOffset kUndefined{kUndefinedEpoch, kUndefinedEpochOffset};

// ---- Kafka's LeaderEpochFileCacheTest behaviours, as vectors ----------------

// One step of a vector: a change, or an expectation at that point.
struct Step {
  enum Kind {
    kAssign,
    kTruncateEnd,
    kTruncateStart,
    kClear,
    kEndOffset,
    kEpochForOffset
  };
  Kind kind;
  int32_t epoch = 0;    // kAssign; kEndOffset: the requested epoch
  int64_t offset = 0;   // kAssign/kTruncate*/kEpochForOffset; kEndOffset:
                        // the log end offset
  EpochEndOffset want;  // kEndOffset
  std::optional<int32_t> want_epoch;  // kEpochForOffset
};

Step A(int32_t epoch, int64_t start) {
  return Step{Step::kAssign, epoch, start, {}, {}};
}
Step TruncEnd(int64_t offset) {
  return Step{Step::kTruncateEnd, 0, offset, {}, {}};
}
Step TruncStart(int64_t offset) {
  return Step{Step::kTruncateStart, 0, offset, {}, {}};
}
Step ClearAll() { return Step{Step::kClear, 0, 0, {}, {}}; }
Step EndOffset(int32_t requested, int64_t log_end, EpochEndOffset want) {
  return Step{Step::kEndOffset, requested, log_end, want, {}};
}
Step EpochAt(int64_t offset, std::optional<int32_t> want) {
  return Step{Step::kEpochForOffset, 0, offset, {}, want};
}

struct Vector {
  const char* name;
  std::vector<Step> steps;
  Entries entries;                      // afterwards
  std::optional<int32_t> latest_epoch;  // afterwards
};

const std::vector<Vector>& KafkaVectors() {
  static const auto* vectors = new std::vector<Vector>{
      {"AddEpochAndMessageOffset",
       {A(2, 10), EndOffset(2, 11, {2, 11})},
       {{2, 10}},
       2},
      {"LogEndOffsetIfLatestEpochRequested",
       {A(2, 11), A(2, 12), EndOffset(2, 14, {2, 14})},
       {{2, 11}},
       2},
      {"UndefinedOffsetIfUndefinedEpochRequested",
       {A(2, 11), A(3, 12), EndOffset(kUndefinedEpoch, 0, kUndefined)},
       {{2, 11}, {3, 12}},
       3},
      {"NotOverwriteLogEndOffsetOnceAssigned",
       {A(2, 9), A(2, 10)},
       {{2, 9}},
       2},
      {"MonotonicallyIncreasingStartOffsets", {A(2, 9), A(3, 9)}, {{3, 9}}, 3},
      {"NotOverwriteOffsetOnceAssigned", {A(2, 6), A(2, 10)}, {{2, 6}}, 2},
      {"UnsupportedIfNoEpochRecorded",
       {EndOffset(0, 0, kUndefined), EndOffset(kUndefinedEpoch, 73, kUndefined),
        EndOffset(7, 0, kUndefined)},
       {},
       std::nullopt},
      {"FirstEpochIfRequestedEpochLessThanFirstEpoch",
       {A(5, 11), A(6, 12), A(7, 13), EndOffset(4, 0, {4, 11})},
       {{5, 11}, {6, 12}, {7, 13}},
       7},
      {"TruncateIfMatchingEpochButEarlierStartingOffset",
       {A(5, 11), A(6, 12), A(7, 13), A(7, 12), EndOffset(5, 0, {5, 12}),
        EndOffset(6, 0, {5, 12})},
       {{5, 11}, {7, 12}},
       7},
      {"FirstOffsetOfSubsequentEpochForPreviousEpoch",
       {A(1, 11), A(1, 12), A(2, 13), A(2, 14), A(3, 15), A(3, 16),
        EndOffset(2, 17, {2, 15})},
       {{1, 11}, {2, 13}, {3, 15}},
       3},
      {"NextAvailableEpochIfNoExactEpoch",
       {A(0, 10), A(2, 13), A(4, 17), EndOffset(1, 0, {0, 13}),
        EndOffset(2, 0, {2, 17}), EndOffset(3, 0, {2, 17})},
       {{0, 10}, {2, 13}, {4, 17}},
       4},
      {"NotUpdateEpochAndStartOffsetIfUnchanged",
       {A(2, 6), A(2, 7)},
       {{2, 6}},
       2},
      {"InvalidOffsetIfEpochNotTracked",
       {A(2, 100), EndOffset(3, 100, kUndefined)},
       {{2, 100}},
       2},
      {"EpochsThatDoNotStartFromZero",
       {A(2, 6), EndOffset(2, 7, {2, 7})},
       {{2, 6}},
       2},
      {"MonotonicallyIncreasingEpochs",
       {A(1, 5), A(2, 6), A(1, 7), EndOffset(1, 8, {1, 8}),
        EndOffset(2, 8, kUndefined)},
       {{1, 7}},
       1},
      {"OffsetsIncreaseMonotonically", {A(2, 6), A(3, 5)}, {{3, 5}}, 3},
      {"TrackEpochsAsLeadersChangeManyTimes",
       {A(0, 0), A(1, 0), EndOffset(1, 0, {1, 0}), EndOffset(0, 0, {0, 0}),
        EndOffset(1, 5, {1, 5}), EndOffset(0, 5, {0, 0}), A(2, 5),
        EndOffset(2, 10, {2, 10}), EndOffset(1, 10, {1, 5}),
        EndOffset(0, 10, {0, 0})},
       {{1, 0}, {2, 5}},
       2},
      {"TrackEpochsAsFollowerReceivesManyMessages",
       {A(0, 0), A(0, 1), A(0, 2), EndOffset(0, 3, {0, 3}), A(1, 3), A(1, 4),
        A(1, 5), EndOffset(1, 6, {1, 6}), A(2, 6), A(2, 7), A(2, 8),
        EndOffset(2, 9, {2, 9}), EndOffset(0, 9, {0, 3}),
        EndOffset(1, 9, {1, 6})},
       {{0, 0}, {1, 3}, {2, 6}},
       2},
      {"DropEntriesOnEpochBoundaryWhenRemovingLatest",
       {A(2, 6), A(3, 8), A(4, 11), TruncEnd(8)},
       {{2, 6}},
       2},
      {"PreserveResetOffsetOnClearEarliestIfOneExists",
       {A(2, 6), A(3, 8), A(4, 11), TruncStart(8)},
       {{3, 8}, {4, 11}},
       4},
      {"UpdateSavedOffsetWhenClearingBetweenEpochs",
       {A(2, 6), A(3, 8), A(4, 11), TruncStart(9)},
       {{3, 9}, {4, 11}},
       4},
      {"NotClearAnythingIfOffsetTooEarly",
       {A(2, 6), A(3, 8), A(4, 11), TruncStart(1)},
       {{2, 6}, {3, 8}, {4, 11}},
       4},
      {"NotClearAnythingIfOffsetIsFirstOffset",
       {A(2, 6), A(3, 8), A(4, 11), TruncStart(6)},
       {{2, 6}, {3, 8}, {4, 11}},
       4},
      {"RetainLatestEpochOnClearAllEarliest",
       {A(2, 6), A(3, 8), A(4, 11), TruncStart(11)},
       {{4, 11}},
       4},
      {"UpdateOffsetBetweenFirstTwoEpochBoundariesOnClearEarliest",
       {A(0, 0), A(1, 7), A(2, 10), TruncStart(5)},
       {{0, 5}, {1, 7}, {2, 10}},
       2},
      {"RetainLatestEpochOnClearAllEarliestAndUpdateItsOffset",
       {A(2, 6), A(3, 8), A(4, 11), TruncStart(15)},
       {{4, 15}},
       4},
      {"DropEntriesBetweenEpochBoundaryWhenRemovingNewest",
       {A(2, 6), A(3, 8), A(4, 11), TruncEnd(9)},
       {{2, 6}, {3, 8}},
       3},
      {"ClearAllEntries",
       {A(2, 6), A(3, 8), A(4, 11), ClearAll()},
       {},
       std::nullopt},
      {"NotResetEpochHistoryIfUndefinedPassed",
       {A(2, 6), A(3, 8), A(4, 11), TruncStart(kUndefinedEpochOffset),
        TruncEnd(kUndefinedEpochOffset)},
       {{2, 6}, {3, 8}, {4, 11}},
       4},
      {"ClearOnEmptyCache",
       {TruncStart(7), TruncEnd(7), ClearAll()},
       {},
       std::nullopt},
      {"EpochForGivenOffset",
       {A(0, 10), A(1, 20), A(5, 30), EpochAt(25, 1), EpochAt(20, 1),
        EpochAt(30, 5), EpochAt(50, 5), EpochAt(5, std::nullopt),
        EpochAt(10, 0)},
       {{0, 10}, {1, 20}, {5, 30}},
       5},
      {"WriteCheckpointOnTruncation",
       {A(2, 6), A(3, 8), A(4, 11), TruncEnd(11), TruncStart(8)},
       {{3, 8}},
       3},
      {"PreviousEpochAfterTruncation",
       {A(2, 10), A(4, 15), A(10, 20), TruncEnd(18)},
       {{2, 10}, {4, 15}},
       4},
  };
  return *vectors;
}

std::unique_ptr<LeaderEpochCache> OpenOrDie(FileSystem* fs) {
  absl::StatusOr<std::unique_ptr<LeaderEpochCache>> cache =
      LeaderEpochCache::Open(fs, kPath);
  EXPECT_TRUE(cache.ok()) << cache.status();
  return cache.ok() ? *std::move(cache) : nullptr;
}

void RunStep(LeaderEpochCache* cache, const Step& step, const char* name,
             size_t i) {
  const std::string where = absl::StrCat(name, " step ", i);
  switch (step.kind) {
    case Step::kAssign:
      EXPECT_TRUE(cache->Assign(step.epoch, step.offset).ok()) << where;
      break;
    case Step::kTruncateEnd:
      EXPECT_TRUE(cache->TruncateFromEnd(step.offset).ok()) << where;
      break;
    case Step::kTruncateStart:
      EXPECT_TRUE(cache->TruncateFromStart(step.offset).ok()) << where;
      break;
    case Step::kClear:
      EXPECT_TRUE(cache->Clear().ok()) << where;
      break;
    case Step::kEndOffset:
      EXPECT_EQ(cache->EndOffsetFor(step.epoch, step.offset), step.want)
          << where << ": EndOffsetFor(" << step.epoch << ", " << step.offset
          << ")";
      break;
    case Step::kEpochForOffset:
      EXPECT_EQ(cache->EpochForOffset(step.offset), step.want_epoch)
          << where << ": EpochForOffset(" << step.offset << ")";
      break;
  }
}

TEST(LeaderEpochCacheTest, KafkaVectors) {
  for (const Vector& v : KafkaVectors()) {
    MemFileSystem fs;
    ASSERT_TRUE(fs.CreateDirs(kDir).ok());
    std::unique_ptr<LeaderEpochCache> cache = OpenOrDie(&fs);
    ASSERT_NE(cache, nullptr);
    for (size_t i = 0; i < v.steps.size(); ++i) {
      RunStep(cache.get(), v.steps[i], v.name, i);
    }
    EXPECT_EQ(cache->Entries(), v.entries) << v.name;
    EXPECT_EQ(cache->LatestEpoch(), v.latest_epoch) << v.name;
    if (!v.entries.empty()) {
      EXPECT_EQ(cache->LatestEntry(), v.entries.back()) << v.name;
      EXPECT_EQ(cache->EarliestEntry(), v.entries.front()) << v.name;
    } else {
      EXPECT_EQ(cache->LatestEntry(), std::nullopt) << v.name;
      EXPECT_EQ(cache->EarliestEntry(), std::nullopt) << v.name;
    }
    // Every change was persisted: a reopened cache has the same history
    // (or no file at all if nothing was ever written).
    EXPECT_EQ(OpenOrDie(&fs)->Entries(), v.entries) << v.name;
    absl::StatusOr<Entries> on_disk = ReadLeaderEpochCheckpoint(&fs, kPath);
    if (on_disk.ok()) {
      EXPECT_EQ(*on_disk, v.entries) << v.name;
    } else {
      EXPECT_TRUE(absl::IsNotFound(on_disk.status())) << v.name;
      EXPECT_THAT(v.entries, IsEmpty()) << v.name;
    }
  }
}

// ---- The file
// -------------------------------------------------------------------

TEST(LeaderEpochCacheTest, WritesKafkasTextFormat) {
  MemFileSystem fs;
  ASSERT_TRUE(fs.CreateDirs(kDir).ok());
  std::unique_ptr<LeaderEpochCache> cache = OpenOrDie(&fs);
  EXPECT_THAT(fs.FileExists(kPath), IsOkAndHolds(false));  // not yet
  RUNNEL_ASSERT_OK(cache->Assign(0, 0));
  RUNNEL_ASSERT_OK(cache->Assign(2, 1200));
  RUNNEL_ASSERT_OK(cache->Assign(2147483647, 9223372036854775807));
  EXPECT_THAT(ReadFile(&fs, kPath),
              IsOkAndHolds(std::string(
                  "0\n3\n0 0\n2 1200\n2147483647 9223372036854775807\n")));
  EXPECT_THAT(fs.FileExists(std::string(kPath) + ".tmp"), IsOkAndHolds(false));
  RUNNEL_ASSERT_OK(cache->Clear());
  EXPECT_THAT(ReadFile(&fs, kPath), IsOkAndHolds(std::string("0\n0\n")));
}

TEST(LeaderEpochCacheTest, PersistsAcrossReopenOnPosix) {
  testing::ScratchDir scratch;
  FileSystem* fs = FileSystem::Default();
  const std::string path =
      absl::StrCat(scratch.path(), "/", kLeaderEpochCheckpointFileName);
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<LeaderEpochCache> cache,
                         LeaderEpochCache::Open(fs, path));
    RUNNEL_ASSERT_OK(cache->Assign(2, 6));
    RUNNEL_ASSERT_OK(cache->Assign(3, 8));
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<LeaderEpochCache> again,
                       LeaderEpochCache::Open(fs, path));
  EXPECT_THAT(again->Entries(),
              ElementsAre(EpochEntry{2, 6}, EpochEntry{3, 8}));
  EXPECT_EQ(again->path(), path);
  // A leftover .tmp from a crash is ignored.
  ASSERT_TRUE(WriteFile(fs, path + ".tmp", "0\n1\ngarbage").ok());
  ASSERT_OK_AND_ASSIGN(again, LeaderEpochCache::Open(fs, path));
  EXPECT_THAT(again->Entries(),
              ElementsAre(EpochEntry{2, 6}, EpochEntry{3, 8}));
  RUNNEL_ASSERT_OK(again->Assign(4, 9));
  EXPECT_THAT(fs->FileExists(path + ".tmp"), IsOkAndHolds(false));
}

TEST(LeaderEpochCacheTest, RejectsNegativeEpochOrOffset) {
  MemFileSystem fs;
  ASSERT_TRUE(fs.CreateDirs(kDir).ok());
  std::unique_ptr<LeaderEpochCache> cache = OpenOrDie(&fs);
  EXPECT_THAT(cache->Assign(-1, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr(kPath), HasSubstr("epoch -1"))));
  EXPECT_THAT(cache->Assign(0, -5), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("start offset -5")));
  EXPECT_THAT(cache->Entries(), IsEmpty());
  EXPECT_THAT(fs.FileExists(kPath), IsOkAndHolds(false));
  // The file writer checks too.
  EXPECT_THAT(WriteLeaderEpochCheckpoint(&fs, kPath, {{1, 5}, {1, 6}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("entry 1 (epoch 1, start offset 6): the "
                                 "epoch is not above")));
  EXPECT_THAT(WriteLeaderEpochCheckpoint(&fs, kPath, {{1, 5}, {2, 5}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("start offset is not above")));
  EXPECT_THAT(fs.FileExists(kPath), IsOkAndHolds(false));
}

TEST(LeaderEpochCacheTest, UnchangedHistoryWritesNothing) {
  MemFileSystem mem;
  ASSERT_TRUE(mem.CreateDirs(kDir).ok());
  FaultInjectionFileSystem fs(&mem);
  std::unique_ptr<LeaderEpochCache> cache = OpenOrDie(&fs);
  RUNNEL_ASSERT_OK(cache->Assign(2, 6));
  RUNNEL_ASSERT_OK(cache->Assign(3, 8));
  const uint64_t ops = fs.operation_count();
  RUNNEL_ASSERT_OK(cache->Assign(3, 9));          // same epoch, later
  RUNNEL_ASSERT_OK(cache->TruncateFromEnd(9));    // nothing at or after 9
  RUNNEL_ASSERT_OK(cache->TruncateFromEnd(-1));   // undefined
  RUNNEL_ASSERT_OK(cache->TruncateFromStart(6));  // exclusive
  RUNNEL_ASSERT_OK(cache->TruncateFromStart(2));  // before everything
  EXPECT_EQ(cache->EndOffsetFor(2, 100), (EpochEndOffset{2, 8}));
  EXPECT_EQ(fs.operation_count(), ops);
  EXPECT_THAT(cache->Entries(),
              ElementsAre(EpochEntry{2, 6}, EpochEntry{3, 8}));
}

TEST(LeaderEpochCacheTest, MissingFileIsAnEmptyHistory) {
  MemFileSystem fs;
  ASSERT_TRUE(fs.CreateDirs(kDir).ok());
  std::unique_ptr<LeaderEpochCache> cache = OpenOrDie(&fs);
  EXPECT_THAT(cache->Entries(), IsEmpty());
  EXPECT_EQ(cache->LatestEpoch(), std::nullopt);
  EXPECT_EQ(cache->EpochForOffset(0), std::nullopt);
  EXPECT_THAT(fs.FileExists(kPath), IsOkAndHolds(false));
}

TEST(LeaderEpochCacheTest, BadFilesAreDataLossNamingPathAndLine) {
  struct Case {
    std::string content;
    std::string line;  // "line N"
    std::string why;
  };
  const std::vector<Case> cases = {
      {"", "line 1", "the file is empty"},
      {"1\n0\n", "line 1", "unsupported version"},
      {"0\n", "line 2", "the entry count is missing"},
      {"0\nx\n", "line 2", "the entry count is not a number"},
      {"0\n-1\n", "line 2", "the entry count is not a number"},
      {"0\n2\n1 5\n", "line 2", "2 entries announced but 1 lines follow"},
      {"0\n0\n1 5\n", "line 2", "0 entries announced but 1 lines follow"},
      {"0\n1\n1  5\n", "line 3", "expected \"<epoch> <start_offset>\""},
      {"0\n1\n1 5 7\n", "line 3", "expected"},
      {"0\n1\n1\t5\n", "line 3", "expected"},
      {"0\n1\n-1 5\n", "line 3", "the epoch is not a number in [0, 2^31-1]"},
      {"0\n1\n+1 5\n", "line 3", "the epoch is not a number"},
      {"0\n1\n2147483648 5\n", "line 3", "the epoch is not a number"},
      {"0\n1\n1 -5\n", "line 3",
       "the start offset is not a number in [0, 2^63-1]"},
      {"0\n1\n1 9223372036854775808\n", "line 3", "the start offset"},
      {"0\n1\n1 5", "line 3", "the last line has no newline"},
      {"0\n1", "line 2", "the last line has no newline"},
      {"0\n2\n2 5\n1 6\n", "line 4",
       "the epoch is not above the previous entry's"},
      {"0\n2\n2 5\n2 6\n", "line 4", "the epoch is not above"},
      {"0\n2\n1 5\n2 5\n", "line 4",
       "the start offset is not above the previous entry's"},
      {"0\n2\n1 5\n2 4\n", "line 4", "the start offset is not above"},
      {"0\n1\n1 5\n\n", "line 2", "1 entries announced but 2 lines follow"},
  };
  for (const Case& c : cases) {
    MemFileSystem fs;
    ASSERT_TRUE(fs.CreateDirs(kDir).ok());
    ASSERT_TRUE(WriteFile(&fs, kPath, c.content).ok());
    absl::StatusOr<std::unique_ptr<LeaderEpochCache>> cache =
        LeaderEpochCache::Open(&fs, kPath);
    EXPECT_THAT(
        cache.status(),
        StatusIs(absl::StatusCode::kDataLoss,
                 AllOf(HasSubstr(kPath), HasSubstr(c.line), HasSubstr(c.why))))
        << "content \"" << c.content << "\"";
  }
}

TEST(LeaderEpochCacheTest, OtherReadErrorsAreReturned) {
  MemFileSystem mem;
  ASSERT_TRUE(mem.CreateDirs(kDir).ok());
  ASSERT_TRUE(WriteLeaderEpochCheckpoint(&mem, kPath, {{1, 0}}).ok());
  FaultInjectionFileSystem fs(&mem);
  FaultRule rule;
  rule.ops = {FaultOp::kRead};
  rule.persistent = true;
  fs.AddFault(rule);
  EXPECT_THAT(LeaderEpochCache::Open(&fs, kPath).status(),
              StatusIs(absl::StatusCode::kInternal, HasSubstr(kPath)));
}

// ---- Failures and crashes
// ------------------------------------------------------------

const Entries kOld = {{1, 0}, {3, 100}};
// What each change below turns kOld into.
const Entries kAssigned = {{1, 0}, {3, 100}, {5, 200}};
const Entries kConflicting = {{1, 0}, {2, 50}};
const Entries kTruncatedEnd = {{1, 0}};
const Entries kTruncatedStart = {{1, 80}, {3, 100}};

struct Change {
  const char* name;
  absl::Status (*apply)(LeaderEpochCache*);
  const Entries* result;
};

const std::vector<Change>& Changes() {
  static const auto* changes = new std::vector<Change>{
      {"Assign(5, 200)", [](LeaderEpochCache* c) { return c->Assign(5, 200); },
       &kAssigned},
      {"Assign(2, 50)", [](LeaderEpochCache* c) { return c->Assign(2, 50); },
       &kConflicting},
      {"TruncateFromEnd(60)",
       [](LeaderEpochCache* c) { return c->TruncateFromEnd(60); },
       &kTruncatedEnd},
      {"TruncateFromStart(80)",
       [](LeaderEpochCache* c) { return c->TruncateFromStart(80); },
       &kTruncatedStart},
  };
  return *changes;
}

// A file system whose checkpoint durably holds kOld (written before the
// fault-injecting wrapper existed).
struct CrashRig {
  CrashRig() {
    EXPECT_TRUE(mem.CreateDirs(kDir).ok());
    EXPECT_TRUE(WriteLeaderEpochCheckpoint(&mem, kPath, kOld).ok());
  }
  MemFileSystem mem;
  FaultInjectionFileSystem fs{&mem};
};

const std::vector<CrashOptions> kCrashKinds = {
    CrashOptions{}, CrashOptions{/*tear_last_unsynced_page=*/true, 1},
    CrashOptions{/*tear_last_unsynced_page=*/true, 2}};

TEST(LeaderEpochCacheCrashTest, FailedWriteKeepsMemoryAndFileOldOrNew) {
  for (const Change& change : Changes()) {
    uint64_t k = 0;
    for (bool completed = false; !completed; ++k) {
      const std::string when = absl::StrCat(change.name, ", failing op ", k);
      CrashRig rig;
      std::unique_ptr<LeaderEpochCache> cache = OpenOrDie(&rig.fs);
      ASSERT_NE(cache, nullptr) << when;
      rig.fs.FailOperationAt(rig.fs.operation_count() + k, EIO);
      const absl::Status s = change.apply(cache.get());
      completed = rig.fs.faults_injected() == 0;
      if (completed) {
        RUNNEL_ASSERT_OK(s) << when;
        EXPECT_EQ(cache->Entries(), *change.result) << when;
        break;
      }
      EXPECT_FALSE(s.ok()) << when;
      // Memory is unchanged; the file holds one of the two histories.
      EXPECT_EQ(cache->Entries(), kOld) << when;
      absl::StatusOr<Entries> on_disk =
          ReadLeaderEpochCheckpoint(&rig.fs, kPath);
      ASSERT_TRUE(on_disk.ok()) << when << ": " << on_disk.status();
      EXPECT_THAT(*on_disk, AnyOf(Eq(kOld), Eq(*change.result))) << when;
      // The next attempt works.
      RUNNEL_ASSERT_OK(change.apply(cache.get())) << when;
      EXPECT_EQ(cache->Entries(), *change.result) << when;
    }
    EXPECT_GE(k, 6u) << change.name;  // open, write, sync, close, rename, ...
  }
}

TEST(LeaderEpochCacheCrashTest, CrashAfterAnyOperationLeavesOldOrNew) {
  for (const Change& change : Changes()) {
    for (uint64_t k = 0;; ++k) {
      bool completed = false;
      for (size_t kind = 0; kind < kCrashKinds.size(); ++kind) {
        const std::string when =
            absl::StrCat(change.name, ", crash after op ", k, ", kind ", kind);
        CrashRig rig;
        std::unique_ptr<LeaderEpochCache> cache = OpenOrDie(&rig.fs);
        ASSERT_NE(cache, nullptr) << when;
        // Operations up to k of the change happen, every later one fails:
        // the process stops there. Then the power goes.
        FaultRule stop;
        stop.skip = k + 1;
        stop.persistent = true;
        rig.fs.AddFault(stop);
        const absl::Status s = change.apply(cache.get());
        completed = rig.fs.faults_injected() == 0;
        rig.fs.ClearFaults();
        cache.reset();
        ASSERT_TRUE(rig.fs.SimulateCrash(kCrashKinds[kind]).ok()) << when;
        std::unique_ptr<LeaderEpochCache> reopened = OpenOrDie(&rig.fs);
        ASSERT_NE(reopened, nullptr) << when;
        if (completed) {
          RUNNEL_ASSERT_OK(s) << when;  // acknowledged => durable
          EXPECT_EQ(reopened->Entries(), *change.result) << when;
        } else {
          EXPECT_THAT(reopened->Entries(), AnyOf(Eq(kOld), Eq(*change.result)))
              << when;
        }
        // And it keeps working after the crash.
        RUNNEL_ASSERT_OK(reopened->Assign(9, 1000)) << when;
        EXPECT_EQ(reopened->LatestEntry(), (EpochEntry{9, 1000})) << when;
      }
      if (completed) break;
    }
  }
}

}  // namespace
}  // namespace runnel
