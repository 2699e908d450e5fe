// Copyright 2026 The Runnel Authors.
//
// Broker read-only mode (BrokerOptions::read_only): a second broker on a
// directory a writing broker holds, reading what it appends, refusing every
// write, and changing nothing on disk. MemFileSystem and POSIX.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
#include "partition/broker_test_util.h"
#include "runnel/admin.h"
#include "runnel/broker.h"
#include "runnel/mem_file_system.h"

namespace runnel {
namespace {

using ::runnel::testing::MakeBatch;
using ::runnel::testing::ReadValues;
using ::runnel::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

enum class Fs { kMem, kPosix };

class BrokerReadOnlyTest : public ::testing::TestWithParam<Fs> {
 protected:
  BrokerReadOnlyTest() {
    if (GetParam() == Fs::kMem) {
      fs_ = &mem_;
      dir_ = "/data";
    } else {
      fs_ = FileSystem::Default();
      dir_ = scratch_.path() + "/data";
    }
  }

  BrokerOptions Options(bool read_only) const {
    BrokerOptions options;
    options.data_dir = dir_;
    options.file_system = fs_;
    options.maintenance_interval = absl::ZeroDuration();
    options.read_only = read_only;
    options.read_only_refresh_interval = absl::Milliseconds(5);
    return options;
  }

  std::unique_ptr<Broker> Open(bool read_only) {
    absl::StatusOr<std::unique_ptr<Broker>> broker =
        Broker::Open(Options(read_only));
    EXPECT_TRUE(broker.ok()) << broker.status();
    return broker.ok() ? *std::move(broker) : nullptr;
  }

  std::shared_ptr<Partition> Get(Broker& broker, const std::string& topic,
                                 int32_t p) {
    absl::StatusOr<std::shared_ptr<Partition>> partition =
        broker.GetPartition(topic, p);
    EXPECT_TRUE(partition.ok()) << partition.status();
    return partition.ok() ? *partition : nullptr;
  }

  // Every file under the data directory with its bytes.
  std::map<std::string, std::string> Snapshot(const std::string& dir) {
    std::map<std::string, std::string> files;
    absl::StatusOr<std::vector<std::string>> names = fs_->ListDir(dir);
    if (!names.ok()) return files;
    for (const std::string& name : *names) {
      const std::string path = absl::StrCat(dir, "/", name);
      absl::StatusOr<bool> is_dir = fs_->IsDirectory(path);
      if (is_dir.ok() && *is_dir) {
        for (const auto& [sub, bytes] : Snapshot(path)) {
          files[absl::StrCat(name, "/", sub)] = bytes;
        }
        continue;
      }
      absl::StatusOr<std::string> bytes = fs_->ReadFileToString(path);
      files[name] = bytes.ok() ? *bytes : bytes.status().ToString();
    }
    return files;
  }

  MemFileSystem mem_;
  testing::ScratchDir scratch_;
  FileSystem* fs_;
  std::string dir_;
};

INSTANTIATE_TEST_SUITE_P(Fs, BrokerReadOnlyTest,
                         ::testing::Values(Fs::kMem, Fs::kPosix),
                         [](const ::testing::TestParamInfo<Fs>& info) {
                           return info.param == Fs::kMem ? "Mem" : "Posix";
                         });

TEST_P(BrokerReadOnlyTest, AMissingDirectoryIsNotFoundAndNotCreated) {
  absl::StatusOr<std::unique_ptr<Broker>> broker =
      Broker::Open(Options(/*read_only=*/true));
  EXPECT_THAT(broker.status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(dir_)));
  EXPECT_THAT(fs_->FileExists(dir_), ::runnel::testing::IsOkAndHolds(false));
}

TEST_P(BrokerReadOnlyTest, ReadsBesideALockedWriterAndFollowsIt) {
  std::unique_ptr<Broker> writer = Open(/*read_only=*/false);
  ASSERT_NE(writer, nullptr);
  ASSERT_TRUE(Admin(writer.get()).CreateTopic({"orders", 2}).ok());
  std::shared_ptr<Partition> out = Get(*writer, "orders", 1);
  ASSERT_TRUE(out->Append(MakeBatch("a", 3)).ok());

  // A second writer is refused; a reader is not.
  EXPECT_THAT(
      Broker::Open(Options(false)).status(),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("locked")));
  std::unique_ptr<Broker> reader = Open(/*read_only=*/true);
  ASSERT_NE(reader, nullptr);
  EXPECT_TRUE(reader->read_only());
  ASSERT_EQ(reader->Topics().size(), 1u);
  std::shared_ptr<Partition> in = Get(*reader, "orders", 1);
  EXPECT_THAT(ReadValues(*in), ::runnel::testing::IsOkAndHolds(
                                   ElementsAre("a-0", "a-1", "a-2")));

  // What the writer appends later is seen: by a fetch at the end, and by a
  // waiter woken by the broker's tailer.
  ASSERT_TRUE(out->Append(MakeBatch("b", 2)).ok());
  EXPECT_THAT(ReadValues(*in), ::runnel::testing::IsOkAndHolds(ElementsAre(
                                   "a-0", "a-1", "a-2", "b-0", "b-1")));
  ASSERT_TRUE(out->Append(MakeBatch("c", 1)).ok());
  EXPECT_TRUE(in->WaitForData(5, absl::Now() + absl::Seconds(30)));
  EXPECT_EQ(in->high_watermark(), 6);
  EXPECT_EQ(in->log_end_offset(), 6);
}

TEST_P(BrokerReadOnlyTest, RefusesEveryWriteNamingWhatAndWhy) {
  {
    std::unique_ptr<Broker> writer = Open(/*read_only=*/false);
    ASSERT_TRUE(Admin(writer.get()).CreateTopic({"orders", 1}).ok());
    ASSERT_TRUE(Get(*writer, "orders", 0)->Append(MakeBatch("a", 3)).ok());
  }
  std::unique_ptr<Broker> reader = Open(/*read_only=*/true);
  ASSERT_NE(reader, nullptr);
  Admin admin(reader.get());
  EXPECT_THAT(admin.CreateTopic({"more", 1}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("create topic 'more'")));
  EXPECT_THAT(
      admin.DeleteTopic("orders"),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("read-only")));
  std::shared_ptr<Partition> p = Get(*reader, "orders", 0);
  EXPECT_THAT(
      p->Append(MakeBatch("x", 1)).status(),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("orders-0")));
  EXPECT_THAT(p->Sync(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                  HasSubstr("read-only")));
  EXPECT_THAT(
      p->DeleteRecordsBefore(1).status(),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("read-only")));
  EXPECT_EQ(p->log(), nullptr);
  // Reads still work, offsets by time too.
  absl::StatusOr<OffsetAndTimestamp> at = p->OffsetForTimestamp(1001);
  ASSERT_TRUE(at.ok()) << at.status();
  EXPECT_EQ(at->offset, 1);
}

TEST_P(BrokerReadOnlyTest, ChangesNothingOnDisk) {
  {
    std::unique_ptr<Broker> writer = Open(/*read_only=*/false);
    ASSERT_TRUE(Admin(writer.get()).CreateTopic({"orders", 3}).ok());
    for (int p = 0; p < 3; ++p) {
      ASSERT_TRUE(Get(*writer, "orders", p)->Append(MakeBatch("a", 5)).ok());
    }
    ASSERT_TRUE(writer->Close().ok());
  }
  const auto before = Snapshot(dir_);
  {
    std::unique_ptr<Broker> reader = Open(/*read_only=*/true);
    ASSERT_NE(reader, nullptr);
    for (int p = 0; p < 3; ++p) {
      EXPECT_THAT(ReadValues(*Get(*reader, "orders", p)),
                  ::runnel::testing::IsOkAndHolds(::testing::SizeIs(5)));
    }
    ASSERT_TRUE(reader->Close().ok());
  }
  EXPECT_EQ(Snapshot(dir_), before);
}

}  // namespace
}  // namespace runnel
