// Every peer stores, syncs and reads back what it was given, in order, and
// owns its directory (speed is peer_bench's business, not this test's).
#include <sys/stat.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "benchmarks/log_bench_peers.h"
#include "benchmarks/peers/lmdb.h"
#include "benchmarks/peers/peer.h"
#include "gtest/gtest.h"

namespace runnel {
namespace bench {
namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

class PeerTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<BenchDir>> dir = BenchDir::Create();
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *std::move(dir);
    for (int i = 0; i < 100; ++i) {
      // Different sizes and first bytes, so the checksum tells them apart.
      values_.push_back(std::string(50 + i, static_cast<char>('a' + i % 26)));
    }
  }

  uint64_t Checksum() const {
    uint64_t sum = 0;
    for (const std::string& v : values_) sum += ValueChecksum(v);
    return sum;
  }

  std::unique_ptr<BenchDir> dir_;
  std::vector<std::string> values_;
};

TEST_P(PeerTest, AppendsSyncsAndReadsEveryRecordInOrder) {
  const std::string path = dir_->File(GetParam());
  absl::StatusOr<std::unique_ptr<Peer>> peer =
      OpenPeer(GetParam(), path, PeerOptions());
  if (absl::IsUnavailable(peer.status())) {
    GTEST_SKIP() << peer.status();
  }
  ASSERT_TRUE(peer.ok()) << peer.status();
  EXPECT_FALSE((*peer)->version().empty());
  ASSERT_TRUE((*peer)->Append(values_, Commit::kNoSync).ok());
  ASSERT_TRUE((*peer)->Append(values_, Commit::kSync).ok());
  ASSERT_TRUE((*peer)->Flush().ok());
  ASSERT_TRUE((*peer)->Append(values_, Commit::kNoSync).ok());
  EXPECT_EQ((*peer)->records(), 300);
  for (int pass = 0; pass < 2; ++pass) {  // a store reads twice alike
    absl::StatusOr<PeerReadResult> read = (*peer)->ReadAll();
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_EQ(read->records, 300);
    uint64_t value_bytes = 0;
    for (const std::string& v : values_) value_bytes += v.size();
    EXPECT_EQ(read->bytes, 3 * (100 * 8 + value_bytes));
    EXPECT_EQ(read->checksum, 3 * Checksum());
  }
  EXPECT_EQ(OpenPeer(GetParam(), path, PeerOptions()).status().code(),
            absl::StatusCode::kAlreadyExists);
  peer->reset();
  EXPECT_FALSE(Exists(path));
}

TEST_P(PeerTest, AnEmptyStoreReadsNothing) {
  absl::StatusOr<std::unique_ptr<Peer>> peer =
      OpenPeer(GetParam(), dir_->File("empty"), PeerOptions());
  if (absl::IsUnavailable(peer.status())) GTEST_SKIP() << peer.status();
  ASSERT_TRUE(peer.ok()) << peer.status();
  absl::StatusOr<PeerReadResult> read = (*peer)->ReadAll();
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->records, 0);
  EXPECT_EQ(read->checksum, 0u);
}

INSTANTIATE_TEST_SUITE_P(AllPeers, PeerTest, ::testing::ValuesIn(PeerNames()));

TEST(OpenPeerTest, UnknownNameIsNotFound) {
  EXPECT_EQ(
      OpenPeer("berkeleydb", "/nonexistent/x", PeerOptions()).status().code(),
      absl::StatusCode::kNotFound);
}

// The peers Debian ships (and bazelw installs) are all in this build.
TEST(OpenPeerTest, EveryPeerIsAvailableInThisBuild) {
  absl::StatusOr<std::unique_ptr<BenchDir>> dir = BenchDir::Create();
  ASSERT_TRUE(dir.ok()) << dir.status();
  for (const std::string& name : PeerNames()) {
    EXPECT_TRUE(OpenPeer(name, (*dir)->File(name), PeerOptions()).ok()) << name;
  }
}

TEST(LmdbPeerTest, FullMapIsResourceExhaustedAndLosesNothing) {
  absl::StatusOr<std::unique_ptr<BenchDir>> dir = BenchDir::Create();
  ASSERT_TRUE(dir.ok()) << dir.status();
  PeerOptions options;
  options.lmdb_map_size = size_t{1} << 20;
  absl::StatusOr<std::unique_ptr<LmdbPeer>> lmdb =
      LmdbPeer::Create((*dir)->File("lmdb"), options);
  ASSERT_TRUE(lmdb.ok()) << lmdb.status();
  const std::vector<std::string> values(100, std::string(1000, 'x'));
  absl::Status s;
  while (s.ok()) s = (*lmdb)->Append(values, Commit::kNoSync);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  absl::StatusOr<int64_t> count = (*lmdb)->CountRecords();
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(*count, (*lmdb)->records());
  absl::StatusOr<PeerReadResult> read = (*lmdb)->ReadAll();
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->records, (*lmdb)->records());
}

}  // namespace
}  // namespace bench
}  // namespace runnel
