// The limits and peers of log_bench_peers.h do what their banners say, on a
// few batches (speed is log_bench's business, not this test's).
#include "benchmarks/log_bench_peers.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "log/big_endian.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace bench {
namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class LogBenchPeersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<Workload> w = MakeWorkload();
    ASSERT_TRUE(w.ok()) << w.status();
    workload_ = *std::move(w);
    absl::StatusOr<std::unique_ptr<BenchDir>> dir = BenchDir::Create();
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *std::move(dir);
  }

  const std::string& batch() const { return workload_.batch; }

  Workload workload_;
  std::unique_ptr<BenchDir> dir_;
};

TEST_F(LogBenchPeersTest, WorkloadIsOneBatchOfTheValues) {
  ASSERT_EQ(workload_.values.size(), static_cast<size_t>(kRecordsPerBatch));
  absl::StatusOr<DecodedBatch> decoded = DecodedBatch::Decode(batch());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->records().size(), static_cast<size_t>(kRecordsPerBatch));
  EXPECT_FALSE(decoded->records()[7].key.has_value());
  EXPECT_EQ(*decoded->records()[7].value, workload_.values[7]);
  EXPECT_EQ(workload_.values[7].size(), kValueBytes);
  EXPECT_EQ(workload_.values[7].find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
            std::string::npos);
}

TEST(BytesFromEnvTest, ParsesSuffixesAndRejectsGarbage) {
  const char* kName = "RUNNEL_LOG_BENCH_PEERS_TEST_BYTES";
  ::unsetenv(kName);
  EXPECT_EQ(*BytesFromEnv(kName, 7), 7u);
  ::setenv(kName, "1G", 1);
  EXPECT_EQ(*BytesFromEnv(kName, 7), size_t{1} << 30);
  ::setenv(kName, "64m", 1);
  EXPECT_EQ(*BytesFromEnv(kName, 7), size_t{64} << 20);
  ::setenv(kName, "4096", 1);
  EXPECT_EQ(*BytesFromEnv(kName, 7), 4096u);
  for (const char* bad : {"x", "12Q", "-1", "0", "M"}) {
    ::setenv(kName, bad, 1);
    EXPECT_EQ(BytesFromEnv(kName, 7).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  ::unsetenv(kName);
}

TEST(BenchDirTest, RemovesEverythingWhenDestroyed) {
  std::string path;
  {
    absl::StatusOr<std::unique_ptr<BenchDir>> dir = BenchDir::Create();
    ASSERT_TRUE(dir.ok()) << dir.status();
    path = (*dir)->path();
    ASSERT_EQ(::mkdir((*dir)->File("sub").c_str(), 0755), 0);
    std::ofstream((*dir)->File("sub/f")) << "x";
    ASSERT_TRUE(Exists((*dir)->File("sub/f")));
  }
  EXPECT_FALSE(Exists(path));
}

TEST_F(LogBenchPeersTest, RawMappedAppendAssignsOffsetsAndCrcs) {
  for (PageState state : {PageState::kPrefaulted, PageState::kFresh}) {
    const std::string path = dir_->File(PageStateName(state));
    absl::StatusOr<std::unique_ptr<RawMappedAppend>> raw =
        RawMappedAppend::Create(path, 3 * batch().size() + 10, state);
    ASSERT_TRUE(raw.ok()) << raw.status();
    for (int i = 0; i < 3; ++i) ASSERT_TRUE((*raw)->Append(batch()).ok());
    EXPECT_EQ((*raw)->Append(batch()).code(),
              absl::StatusCode::kResourceExhausted);
    EXPECT_EQ((*raw)->next_offset(), 3 * kRecordsPerBatch);
    const ScanResult scan = ScanBatches((*raw)->contents());
    EXPECT_EQ(scan.batches, 3);
    EXPECT_EQ(scan.records, 3 * kRecordsPerBatch);
    absl::StatusOr<RecordBatchHeader> third = ReadBatchHeader(
        (*raw)->contents().substr(2 * batch().size(), batch().size()));
    ASSERT_TRUE(third.ok()) << third.status();
    EXPECT_EQ(third->base_offset, 2 * kRecordsPerBatch);
    (*raw)->Rewind();
    EXPECT_EQ((*raw)->size(), 0u);
    raw->reset();
    EXPECT_FALSE(Exists(path));
  }
  EXPECT_EQ(RawMappedAppend::Create(dir_->File("cold"), 4096, PageState::kCold)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(LogBenchPeersTest, ScanStopsAtACorruptBatch) {
  std::string three = batch() + batch() + batch();
  three[batch().size() + 500] ^= 1;  // inside the second batch's records
  const ScanResult scan = ScanBatches(three);
  EXPECT_EQ(scan.batches, 1);
  EXPECT_EQ(scan.valid_bytes, batch().size());
  EXPECT_EQ(ScanBatches(std::string(4096, '\0')).batches, 0);
}

TEST_F(LogBenchPeersTest, RawWriteFdatasyncSyncsEveryTenThousandRecords) {
  for (PageState state : {PageState::kPrefaulted, PageState::kFresh}) {
    const std::string path = dir_->File(PageStateName(state));
    absl::StatusOr<std::unique_ptr<RawWriteFdatasync>> raw =
        RawWriteFdatasync::Create(path, 25 * batch().size(), state);
    ASSERT_TRUE(raw.ok()) << raw.status();
    for (int i = 0; i < 25; ++i) ASSERT_TRUE((*raw)->Append(batch()).ok());
    EXPECT_EQ((*raw)->syncs(), 2);  // after batches 10 and 20
    ASSERT_TRUE((*raw)->Sync().ok());
    ASSERT_TRUE((*raw)->Sync().ok());  // nothing new: no fdatasync
    EXPECT_EQ((*raw)->syncs(), 3);
    EXPECT_EQ((*raw)->Append(batch()).code(),
              absl::StatusCode::kResourceExhausted);
    EXPECT_EQ(ScanBatches(ReadFile(path)).batches, 25);
  }
}

TEST_F(LogBenchPeersTest, RawReadCrcFindsTheValidPrefixOfAnUncleanFile) {
  const std::string path = dir_->File("unclean.log");
  const size_t file_bytes = 5 * batch().size() + 4096;
  absl::StatusOr<ScanResult> expected =
      WriteBatchFile(path, batch(), file_bytes, /*unclean_tail=*/true);
  ASSERT_TRUE(expected.ok()) << expected.status();
  EXPECT_EQ(expected->batches, 4);  // the 5th is torn
  EXPECT_EQ(ReadFile(path).size(), file_bytes);
  for (PageState state :
       {PageState::kPrefaulted, PageState::kFresh, PageState::kCold}) {
    absl::StatusOr<std::unique_ptr<RawReadCrc>> reader =
        RawReadCrc::Create(path, state);
    ASSERT_TRUE(reader.ok()) << reader.status();
    if (state == PageState::kCold) {
      ASSERT_TRUE((*reader)->DropCache().ok());
    }
    absl::StatusOr<ScanResult> scan = (*reader)->Scan();
    ASSERT_TRUE(scan.ok()) << scan.status();
    EXPECT_EQ(scan->batches, expected->batches);
    EXPECT_EQ(scan->records, 4 * kRecordsPerBatch);
    EXPECT_EQ(scan->valid_bytes, 4 * batch().size());
  }
}

TEST_F(LogBenchPeersTest, CleanBatchFileHasNoTail) {
  const std::string path = dir_->File("clean.log");
  absl::StatusOr<ScanResult> expected = WriteBatchFile(
      path, batch(), 3 * batch().size() + 100, /*unclean_tail=*/false);
  ASSERT_TRUE(expected.ok()) << expected.status();
  const std::string bytes = ReadFile(path);
  EXPECT_EQ(bytes.size(), 3 * batch().size());
  EXPECT_EQ(ScanBatches(bytes).valid_bytes, bytes.size());
  EXPECT_EQ(runnel::internal::LoadBigEndian64(&bytes[2 * batch().size()]),
            2u * kRecordsPerBatch);
  EXPECT_EQ(
      WriteBatchFile(dir_->File("tiny"), batch(), 100, false).status().code(),
      absl::StatusCode::kInvalidArgument);
}

TEST_F(LogBenchPeersTest, LmdbAppendsWithAndWithoutWriteMap) {
  for (bool write_map : {false, true}) {
    LmdbOptions options;
    options.write_map = write_map;
    options.map_size = size_t{16} << 20;
    const std::string path = dir_->File(write_map ? "wm" : "plain");
    absl::StatusOr<std::unique_ptr<LmdbAppend>> lmdb =
        LmdbAppend::Create(path, options);
    ASSERT_TRUE(lmdb.ok()) << lmdb.status();
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE((*lmdb)->AppendBatch(workload_.values).ok());
    }
    absl::StatusOr<int64_t> count = (*lmdb)->CountRecords();
    ASSERT_TRUE(count.ok()) << count.status();
    EXPECT_EQ(*count, 3 * kRecordsPerBatch);
    lmdb->reset();
    EXPECT_FALSE(Exists(path));
  }
}

TEST_F(LogBenchPeersTest, LmdbMapFullIsResourceExhausted) {
  LmdbOptions options;
  options.map_size = size_t{1} << 20;  // about 8,000 records
  absl::StatusOr<std::unique_ptr<LmdbAppend>> lmdb =
      LmdbAppend::Create(dir_->File("small"), options);
  ASSERT_TRUE(lmdb.ok()) << lmdb.status();
  absl::Status s;
  for (int i = 0; i < 20 && s.ok(); ++i) {
    s = (*lmdb)->AppendBatch(workload_.values);
  }
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
}

TEST_F(LogBenchPeersTest, RocksDbReadSeqSeesEveryRecordInOrder) {
  const std::string path = dir_->File("rocksdb");
  absl::StatusOr<std::unique_ptr<RocksDbStore>> rocks =
      RocksDbStore::Create(path);
  ASSERT_TRUE(rocks.ok()) << rocks.status();
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE((*rocks)->AppendBatch(workload_.values).ok());
  }
  ASSERT_TRUE((*rocks)->Flush().ok());
  ASSERT_TRUE((*rocks)->AppendBatch(workload_.values).ok());  // in memtable
  absl::StatusOr<ScanResult> scan = (*rocks)->ReadSeq();
  ASSERT_TRUE(scan.ok()) << scan.status();
  EXPECT_EQ(scan->records, 3 * kRecordsPerBatch);
  EXPECT_EQ(scan->valid_bytes, 3u * kRecordsPerBatch * (8 + kValueBytes));
  EXPECT_EQ(RocksDbStore::Create(path).status().code(),
            absl::StatusCode::kAlreadyExists);  // mkdir: EEXIST
  rocks->reset();
  EXPECT_FALSE(Exists(path));
}

}  // namespace
}  // namespace bench
}  // namespace runnel
