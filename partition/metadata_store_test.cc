// Copyright 2026 The Runnel Authors.
#include "partition/metadata_store.h"

#include <cerrno>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
#include "log/crc32c.h"
#include "runnel/fault_injection_file_system.h"
#include "runnel/mem_file_system.h"

namespace runnel {
namespace {

using ::runnel::testing::StatusIs;
using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::Eq;
using ::testing::HasSubstr;

constexpr char kDir[] = "/data";
constexpr char kPath[] = "/data/__runnel_metadata";
constexpr char kTemp[] = "/data/__runnel_metadata.tmp";

// Fixed ids, so snapshots compare equal across runs.
constexpr char kId1[] = "AAAAAAAAAAAAAAAAAAAAAQ";  // 0...01
constexpr char kId2[] = "AAAAAAAAAAAAAAAAAAAAAg";  // 0...02
constexpr char kId3[] = "_____________________w";  // all ones

MetadataSnapshot OldSnapshot() {
  MetadataSnapshot s;
  s.version = 1;
  s.topics = {{"orders", 3, 1, {{"retention.ms", "86400000"}}, kId1, false}};
  return s;
}

MetadataSnapshot NewSnapshot() {
  MetadataSnapshot s;
  s.version = 2;
  s.topics = {{"orders", 6, 1, {{"retention.ms", "86400000"}}, kId1, true},
              {"payments", 1, 3, {{"cleanup.policy", "compact"}}, kId2, false}};
  return s;
}

std::unique_ptr<MetadataStore> OpenOrDie(FileSystem* fs) {
  absl::StatusOr<std::unique_ptr<MetadataStore>> store =
      MetadataStore::Open(fs, kDir);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

absl::StatusOr<MetadataSnapshot> Reopen(FileSystem* fs) {
  absl::StatusOr<std::unique_ptr<MetadataStore>> store =
      MetadataStore::Open(fs, kDir);
  if (!store.ok()) return store.status();
  return (*store)->current();
}

// Content with a correct CRC line appended.
std::string WithCrc(const std::string& body) {
  return absl::StrCat(body, absl::StrFormat("crc32c %08x\n", Crc32c(body)));
}

class MetadataStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(mem_.CreateDirs(kDir).ok()); }
  MemFileSystem mem_;
};

TEST_F(MetadataStoreTest, FreshDirectoryIsEmptyVersionZero) {
  std::unique_ptr<MetadataStore> store = OpenOrDie(&mem_);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->current(), MetadataSnapshot());
  EXPECT_EQ(store->path(), kPath);
  EXPECT_THAT(mem_.FileExists(kPath), testing::IsOkAndHolds(false));
}

TEST_F(MetadataStoreTest, MissingOrFileDataDirIsAnError) {
  EXPECT_THAT(MetadataStore::Open(&mem_, "/nope").status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("/nope")));
  ASSERT_TRUE(testing::WriteFile(&mem_, "/data/f", "x").ok());
  EXPECT_THAT(
      MetadataStore::Open(&mem_, "/data/f").status(),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("/data/f")));
}

TEST_F(MetadataStoreTest, CommitAndReopenRoundTrip) {
  std::unique_ptr<MetadataStore> store = OpenOrDie(&mem_);
  ASSERT_NE(store, nullptr);
  RUNNEL_ASSERT_OK(store->Commit(OldSnapshot()));
  EXPECT_EQ(store->current(), OldSnapshot());
  EXPECT_THAT(Reopen(&mem_), testing::IsOkAndHolds(OldSnapshot()));
  // Topics in any order come back sorted.
  MetadataSnapshot next = NewSnapshot();
  std::swap(next.topics[0], next.topics[1]);
  RUNNEL_ASSERT_OK(store->Commit(next));
  EXPECT_EQ(store->current(), NewSnapshot());
  EXPECT_THAT(Reopen(&mem_), testing::IsOkAndHolds(NewSnapshot()));
  // An empty topic list is a state too.
  RUNNEL_ASSERT_OK(store->Commit(MetadataSnapshot{3, {}}));
  EXPECT_THAT(Reopen(&mem_), testing::IsOkAndHolds(MetadataSnapshot{3, {}}));
}

TEST_F(MetadataStoreTest, OddValuesRoundTripVerbatim) {
  // Kafka trims every byte <= ' ' around a value, so these are valid, and
  // they must come back byte for byte.
  MetadataSnapshot s;
  s.version = 1;
  s.topics = {{"odd.topic_-1",
               2147483647,
               32767,
               {{"retention.ms", "\n 86400000\t\r\n"},
                {"cleanup.policy", " compact ,\tdelete "},
                {"message.timestamp.type", std::string("\0LogAppendTime", 14)},
                {"segment.bytes",
                 "\x01\x1f"
                 "104857600"}},
               kId3,
               true}};
  std::unique_ptr<MetadataStore> store = OpenOrDie(&mem_);
  ASSERT_NE(store, nullptr);
  RUNNEL_ASSERT_OK(store->Commit(s));
  EXPECT_THAT(Reopen(&mem_), testing::IsOkAndHolds(s));
  // The file is line based: no raw control bytes inside lines.
  absl::StatusOr<std::string> file = testing::ReadFile(&mem_, kPath);
  ASSERT_TRUE(file.ok());
  EXPECT_THAT(*file, HasSubstr("runnel-metadata v1\nversion 1\ntopics 1\n"));
  EXPECT_THAT(*file,
              HasSubstr("config 12:retention.ms 17:\\n 86400000\\t\\r\\n\n"));
  for (char c : *file) {
    EXPECT_TRUE(c == '\n' || (c >= ' ' && c <= '~')) << static_cast<int>(c);
  }
}

TEST_F(MetadataStoreTest, LeftoverTempIsIgnoredAndRemoved) {
  std::unique_ptr<MetadataStore> store = OpenOrDie(&mem_);
  ASSERT_NE(store, nullptr);
  RUNNEL_ASSERT_OK(store->Commit(OldSnapshot()));
  ASSERT_TRUE(testing::WriteFile(&mem_, kTemp, "half a commit").ok());
  EXPECT_THAT(Reopen(&mem_), testing::IsOkAndHolds(OldSnapshot()));
  EXPECT_THAT(mem_.FileExists(kTemp), testing::IsOkAndHolds(false));
}

TEST_F(MetadataStoreTest, TopicIds) {
  for (int i = 0; i < 100; ++i) {
    const std::string id = NewTopicId();
    EXPECT_EQ(id.size(), 22u);
    RUNNEL_EXPECT_OK(ValidateTopicId(id));
  }
  EXPECT_NE(NewTopicId(), NewTopicId());
  RUNNEL_EXPECT_OK(ValidateTopicId(kId1));
  for (const char* bad : {"", "AAAAAAAAAAAAAAAAAAAAAA",
                          "AAAAAAAAAAAAAAAAAAAAAB", "AAAAAAAAAAAAAAAAAAAAA",
                          "AAAAAAAAAAAAAAAAAAAAAQ==", "AAAAAAAAAAAAAAAAAAAA+Q",
                          "AAAAAAAAAAAAAAAAAAAA Q"}) {
    EXPECT_THAT(ValidateTopicId(bad),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("id")))
        << bad;
  }
}

// Every rejected commit names the problem and changes nothing.
TEST_F(MetadataStoreTest, ValidationErrors) {
  std::unique_ptr<MetadataStore> store = OpenOrDie(&mem_);
  ASSERT_NE(store, nullptr);
  RUNNEL_ASSERT_OK(store->Commit(OldSnapshot()));
  absl::StatusOr<std::string> before = testing::ReadFile(&mem_, kPath);
  ASSERT_TRUE(before.ok());

  struct Case {
    const char* what;
    void (*edit)(MetadataSnapshot*);
    std::vector<std::string> message_parts;
  };
  const std::vector<Case> cases = {
      {"same version",
       [](MetadataSnapshot* s) { s->version = 1; },
       {"version 1", "current version 1"}},
      {"skipped version",
       [](MetadataSnapshot* s) { s->version = 3; },
       {"version 3"}},
      {"empty name",
       [](MetadataSnapshot* s) { s->topics[1].name = ""; },
       {"topic \"\""}},
      {"bad name",
       [](MetadataSnapshot* s) { s->topics[1].name = "a b"; },
       {"topic \"a b\""}},
      {"dot dot",
       [](MetadataSnapshot* s) { s->topics[1].name = ".."; },
       {"topic \"..\""}},
      {"zero partitions",
       [](MetadataSnapshot* s) { s->topics[1].partitions = 0; },
       {"payments", "partitions is 0"}},
      {"negative partitions",
       [](MetadataSnapshot* s) { s->topics[1].partitions = -4; },
       {"payments", "partitions is -4"}},
      {"zero replication",
       [](MetadataSnapshot* s) { s->topics[1].replication_factor = 0; },
       {"payments", "replication factor is 0"}},
      {"duplicate name",
       [](MetadataSnapshot* s) {
         s->topics[1].name = "orders";
         s->topics[1].topic_id = kId3;
       },
       {"orders", "more than once"}},
      {"duplicate id",
       [](MetadataSnapshot* s) { s->topics[1].topic_id = kId1; },
       {"payments", kId1, "orders"}},
      {"bad id",
       [](MetadataSnapshot* s) { s->topics[1].topic_id = "x"; },
       {"payments", "topic id \"x\""}},
      {"unknown key",
       [](MetadataSnapshot* s) {
         s->topics[1].config_overrides["no.such.key"] = "1";
       },
       {"payments", "no.such.key"}},
      {"bad value",
       [](MetadataSnapshot* s) {
         s->topics[1].config_overrides["retention.ms"] = "1=2";
       },
       {"payments", "retention.ms", "1=2"}},
      {"newline inside value",
       [](MetadataSnapshot* s) {
         s->topics[1].config_overrides["segment.bytes"] = "1048\n576";
       },
       {"payments", "segment.bytes"}},
  };
  for (const Case& c : cases) {
    MetadataSnapshot next = NewSnapshot();
    c.edit(&next);
    const absl::Status status = store->Commit(next);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument)
        << c.what << ": " << status;
    for (const std::string& part : c.message_parts) {
      EXPECT_THAT(std::string(status.message()), HasSubstr(part)) << c.what;
    }
    EXPECT_EQ(store->current(), OldSnapshot()) << c.what;
    EXPECT_THAT(testing::ReadFile(&mem_, kPath), testing::IsOkAndHolds(*before))
        << c.what;
    EXPECT_THAT(mem_.FileExists(kTemp), testing::IsOkAndHolds(false)) << c.what;
  }
  RUNNEL_EXPECT_OK(store->Commit(NewSnapshot()));
}

// ---- Corruption ------------------------------------------------------------

class MetadataStoreCorruptionTest : public MetadataStoreTest {
 protected:
  void SetUp() override {
    MetadataStoreTest::SetUp();
    std::unique_ptr<MetadataStore> store = OpenOrDie(&mem_);
    ASSERT_NE(store, nullptr);
    RUNNEL_ASSERT_OK(store->Commit(OldSnapshot()));
    RUNNEL_ASSERT_OK(store->Commit(NewSnapshot()));
    absl::StatusOr<std::string> file = testing::ReadFile(&mem_, kPath);
    ASSERT_TRUE(file.ok());
    good_ = *file;
  }

  void ExpectDataLoss(const std::string& content, const std::string& what,
                      const std::string& message_part = "") {
    ASSERT_TRUE(testing::WriteFile(&mem_, kPath, content).ok());
    EXPECT_THAT(Reopen(&mem_).status(),
                StatusIs(absl::StatusCode::kDataLoss,
                         AllOf(HasSubstr(kPath), HasSubstr(message_part))))
        << what;
  }

  std::string good_;
};

TEST_F(MetadataStoreCorruptionTest, EveryFlippedByteIsDataLoss) {
  for (size_t i = 0; i < good_.size(); ++i) {
    for (unsigned char mask : {0x01, 0x20, 0x80}) {
      std::string bad = good_;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      ExpectDataLoss(bad, absl::StrCat("byte ", i, " ^ ", mask), " line ");
    }
  }
}

TEST_F(MetadataStoreCorruptionTest, EveryTruncationIsDataLoss) {
  for (size_t size = 0; size < good_.size(); ++size) {
    ExpectDataLoss(good_.substr(0, size), absl::StrCat("size ", size),
                   " line ");
  }
}

TEST_F(MetadataStoreCorruptionTest, MalformedContentWithGoodCrc) {
  ExpectDataLoss(WithCrc("runnel-metadata v2\nversion 1\ntopics 0\n"), "header",
                 "line 1 ");
  ExpectDataLoss(WithCrc("runnel-metadata v1\nversion 0\ntopics 0\n"),
                 "version 0", "line 2 ");
  ExpectDataLoss(WithCrc("runnel-metadata v1\nversion 01\ntopics 0\n"),
                 "leading zero", "line 2 ");
  ExpectDataLoss(WithCrc("runnel-metadata v1\nversion 1\ntopics 1\n"),
                 "missing topic", "line 4 ");
  ExpectDataLoss(WithCrc("runnel-metadata v1\nversion 1\ntopics 0\nextra\n"),
                 "extra line", "line 4 ");
  const std::string head = "runnel-metadata v1\nversion 1\ntopics 1\n";
  // Sanity: the same lines well formed are fine.
  ASSERT_TRUE(testing::WriteFile(
                  &mem_, kPath,
                  WithCrc(head + "topic 6:orders 1 1 0 22:" + kId1 + " 0\n"))
                  .ok());
  RUNNEL_EXPECT_OK(Reopen(&mem_).status());
  ExpectDataLoss(WithCrc(head + "topic 7:orders 1 1 0 22:" + kId1 + " 0\n"),
                 "wrong length", "line 4 ");
  ExpectDataLoss(WithCrc(head + "topic 6:orders 1 1 2 22:" + kId1 + " 0\n"),
                 "pending 2", "line 4 ");
  ExpectDataLoss(WithCrc(head + "topic 6:orders  1 1 0 22:" + kId1 + " 0\n"),
                 "double space", "line 4 ");
  ExpectDataLoss(WithCrc(head + "topic 6:orders 1 1 0 22:" + kId1 + " 1\n"),
                 "missing config", "line 5 ");
  ExpectDataLoss(WithCrc(head + "topic 6:orders 1 1 0 22:" + kId1 +
                         " 1\nconfig 7:no.such 1:1\n"),
                 "unknown key", "no.such");
  ExpectDataLoss(WithCrc(head + "topic 4:a b! 1 1 0 22:" + kId1 + " 0\n"),
                 "bad name", "line 4");
  ExpectDataLoss(WithCrc(head + "topic 6:orders 1 1 0 2:\\q 0\n"), "bad escape",
                 "line 4");
  ExpectDataLoss(
      WithCrc("runnel-metadata v1\nversion 1\ntopics 2\ntopic 1:b 1 1 0 22:" +
              std::string(kId1) + " 0\ntopic 1:a 1 1 0 22:" + kId2 + " 0\n"),
      "unsorted", "line 5");
  ExpectDataLoss(
      WithCrc("runnel-metadata v1\nversion 1\ntopics 2\ntopic 1:a 1 1 0 22:" +
              std::string(kId1) + " 0\ntopic 1:b 1 1 0 22:" + kId1 + " 0\n"),
      "same id", kId1);
  ExpectDataLoss("runnel-metadata v1\nversion 1\ntopics 0\ncrc32c 0000000G\n",
                 "bad crc digits", "line 4");
  ExpectDataLoss("\n", "just a newline", "line 1");
}

// ---- Crash safety: MemFileSystem under fault injection ---------------------

// A store holding OldSnapshot() durably, reopened through the fault wrapper.
struct CrashRig {
  CrashRig() {
    EXPECT_TRUE(mem.CreateDirs(kDir).ok());
    std::unique_ptr<MetadataStore> setup = OpenOrDie(&mem);
    EXPECT_TRUE(setup != nullptr && setup->Commit(OldSnapshot()).ok());
    store = OpenOrDie(&fs);
  }
  MemFileSystem mem;
  FaultInjectionFileSystem fs{&mem};
  std::unique_ptr<MetadataStore> store;
};

// How many operations a successful Commit of NewSnapshot() takes.
uint64_t CommitOperations() {
  CrashRig rig;
  const uint64_t before = rig.fs.operation_count();
  EXPECT_TRUE(rig.store->Commit(NewSnapshot()).ok());
  return rig.fs.operation_count() - before;
}

const std::vector<CrashOptions> kCrashKinds = {
    CrashOptions{}, CrashOptions{/*tear_last_unsynced_page=*/true, 1},
    CrashOptions{/*tear_last_unsynced_page=*/true, 2}};

TEST(MetadataStoreCrashTest, FailingAnyOperationKeepsTheOldSnapshot) {
  const uint64_t n = CommitOperations();
  // Open, write, sync, close, rename, sync dir at least.
  ASSERT_GE(n, 6u);
  for (uint64_t k = 0; k < n; ++k) {
    const std::string when = absl::StrCat("failing op ", k, " of ", n);
    CrashRig rig;
    ASSERT_NE(rig.store, nullptr);
    rig.fs.FailOperationAt(rig.fs.operation_count() + k, EIO);
    const absl::Status status = rig.store->Commit(NewSnapshot());
    ASSERT_EQ(rig.fs.faults_injected(), 1u) << when;
    EXPECT_FALSE(status.ok()) << when;
    EXPECT_THAT(std::string(status.message()), HasSubstr("version 2")) << when;
    EXPECT_EQ(rig.store->current(), OldSnapshot()) << when;
    // Without a crash only a failed directory sync lets the new one show.
    EXPECT_THAT(Reopen(&rig.fs), testing::IsOkAndHolds(AnyOf(
                                     Eq(OldSnapshot()), Eq(NewSnapshot()))))
        << when;
    ASSERT_TRUE(rig.fs.SimulateCrash().ok());
    EXPECT_THAT(Reopen(&rig.fs), testing::IsOkAndHolds(OldSnapshot())) << when;
    // And the store can commit again afterwards.
    std::unique_ptr<MetadataStore> again = OpenOrDie(&rig.fs);
    ASSERT_NE(again, nullptr);
    RUNNEL_EXPECT_OK(again->Commit(NewSnapshot())) << when;
    EXPECT_THAT(Reopen(&rig.fs), testing::IsOkAndHolds(NewSnapshot())) << when;
  }
}

TEST(MetadataStoreCrashTest, CrashAfterAnyOperationGivesOldOrNew) {
  const uint64_t n = CommitOperations();
  int saw_old = 0;
  int saw_new = 0;
  for (uint64_t k = 0; k < n; ++k) {
    for (size_t kind = 0; kind < kCrashKinds.size(); ++kind) {
      const std::string when =
          absl::StrCat("crash after op ", k, " of ", n, ", kind ", kind);
      CrashRig rig;
      ASSERT_NE(rig.store, nullptr);
      // Ops up to k run; everything later fails: the process stops right
      // after op k, then the power goes.
      FaultRule stop;
      stop.skip = k + 1;
      stop.persistent = true;
      rig.fs.AddFault(stop);
      const absl::Status status = rig.store->Commit(NewSnapshot());
      const bool completed = rig.fs.faults_injected() == 0;
      rig.fs.ClearFaults();
      ASSERT_TRUE(rig.fs.SimulateCrash(kCrashKinds[kind]).ok()) << when;
      absl::StatusOr<MetadataSnapshot> after = Reopen(&rig.fs);
      ASSERT_TRUE(after.ok()) << when << ": " << after.status();
      if (completed) {
        EXPECT_TRUE(status.ok()) << when << ": " << status;
        EXPECT_EQ(*after, NewSnapshot()) << when;
      } else {
        EXPECT_FALSE(status.ok()) << when;
        EXPECT_THAT(*after, AnyOf(Eq(OldSnapshot()), Eq(NewSnapshot())))
            << when;
      }
      (*after == OldSnapshot() ? saw_old : saw_new)++;
    }
  }
  // The sweep covered both outcomes: it is not vacuous.
  EXPECT_GT(saw_old, 0);
  EXPECT_GT(saw_new, 0);
}

}  // namespace
}  // namespace runnel
