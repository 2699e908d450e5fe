// log_bench_runnel.h's helpers do what their comments say, on small logs
// (speed is log_bench's business, not this test's).
#include "benchmarks/log_bench_runnel.h"

#include <dirent.h>
#include <sys/stat.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "benchmarks/log_bench_peers.h"
#include "gtest/gtest.h"
#include "log/format.h"
#include "runnel/file_system.h"
#include "runnel/log.h"

namespace runnel {
namespace bench {
namespace {

std::vector<std::string> Names(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (struct dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    ::closedir(d);
  }
  return names;
}

class LogBenchRunnelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<Workload> w = MakeWorkload();
    ASSERT_TRUE(w.ok()) << w.status();
    workload_ = *std::move(w);
    absl::StatusOr<std::string> small = SmallBatch(workload_, 10);
    ASSERT_TRUE(small.ok()) << small.status();
    small_ = *std::move(small);
    absl::StatusOr<std::unique_ptr<BenchDir>> dir = BenchDir::Create();
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *std::move(dir);
  }

  // A log in `name` holding `batches` copies of small_, closed.
  void WriteLog(const std::string& dir, int batches, LogOptions options) {
    absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(dir, options);
    ASSERT_TRUE(log.ok()) << log.status();
    for (int i = 0; i < batches; ++i) {
      ASSERT_TRUE((*log)->Append(small_).ok());
    }
    ASSERT_TRUE((*log)->Close().ok());
  }

  Workload workload_;
  std::string small_;
  std::unique_ptr<BenchDir> dir_;
};

TEST_F(LogBenchRunnelTest, SmallBatchHoldsTheFirstValues) {
  const ScanResult scan = ScanBatches(small_);
  EXPECT_EQ(scan.batches, 1);
  EXPECT_EQ(scan.records, 10);
  EXPECT_EQ(scan.valid_bytes, small_.size());
  EXPECT_NE(small_.find(workload_.values[9]), std::string::npos);
  EXPECT_EQ(small_.find(workload_.values[10]), std::string::npos);
  EXPECT_EQ(SmallBatch(workload_, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SmallBatch(workload_, kRecordsPerBatch + 1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(LogBenchRunnelTest, ReadWholeLogSeesEveryBatchOnce) {
  const std::string dir = dir_->File("log");
  WriteLog(dir, 25, LogOptions());
  absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(dir, LogOptions());
  ASSERT_TRUE(log.ok()) << log.status();
  // A max_bytes of 3 batches: many reads, each continuing the last.
  absl::StatusOr<ScanResult> read = ReadWholeLog(**log, 3 * small_.size());
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->batches, 25);
  EXPECT_EQ(read->records, 250);
  EXPECT_EQ(read->valid_bytes, 25 * small_.size());
}

TEST_F(LogBenchRunnelTest, PrefaultingFileSystemKeepsContents) {
  BenchFileSystemOptions options;
  options.prefault = true;
  BenchFileSystem fs(FileSystem::Default(), options);
  const std::string path = dir_->File("file");
  absl::StatusOr<std::unique_ptr<File>> file =
      fs.OpenFile(path, OpenOptions::CreateNew());
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_TRUE((*file)->Append("hello").ok());
  // Reserving over existing bytes must not zero them.
  ASSERT_TRUE((*file)->Reserve(0, 3 << 20).ok());
  EXPECT_EQ(*(*file)->Size(), uint64_t{3} << 20);
  absl::StatusOr<std::unique_ptr<MappedRegion>> map =
      (*file)->MapGrowable(0, 1 << 20, 4 << 20, MapMode::kReadWrite);
  ASSERT_TRUE(map.ok()) << map.status();
  EXPECT_EQ(std::string((*map)->data(), 6), std::string("hello\0", 6));
  ASSERT_TRUE((*file)->Reserve(3 << 20, 1 << 20).ok());
  ASSERT_TRUE((*map)->Grow(4 << 20).ok());
  EXPECT_EQ((*map)->size(), size_t{4} << 20);
  (*map)->mutable_data()[(4 << 20) - 1] = 'x';
  char last = 0;
  ASSERT_TRUE((*file)->ReadAt((4 << 20) - 1, absl::MakeSpan(&last, 1)).ok());
  EXPECT_EQ(last, 'x');
}

TEST_F(LogBenchRunnelTest, LogsWrittenThroughBenchFileSystemReadBack) {
  for (bool prefault : {true, false}) {
    BenchFileSystemOptions fs_options;
    fs_options.prefault = prefault;
    fs_options.skip_sync = !prefault;
    BenchFileSystem fs(FileSystem::Default(), fs_options);
    LogOptions options;
    options.file_system = &fs;
    options.preallocate_bytes = 1 << 20;
    const std::string dir = dir_->File(absl::StrCat("log-", prefault));
    WriteLog(dir, 7, options);
    absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(dir, LogOptions());
    ASSERT_TRUE(log.ok()) << log.status();
    absl::StatusOr<ScanResult> read = ReadWholeLog(**log, 1 << 20);
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_EQ(read->records, 70) << "prefault=" << prefault;
  }
}

TEST_F(LogBenchRunnelTest, RestoredTailIsRecoveredAgain) {
  const std::string dir = dir_->File("unclean");
  ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0);
  const std::string name = *format::SegmentFileName(0, format::kLogFileSuffix);
  const std::string path = absl::StrCat(dir, "/", name);
  const size_t file_bytes = 64 << 10;
  absl::StatusOr<ScanResult> expected =
      WriteBatchFile(path, small_, file_bytes, /*unclean_tail=*/true);
  ASSERT_TRUE(expected.ok()) << expected.status();
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round);
    ASSERT_TRUE(RestoreUncleanTail(path, small_, expected->valid_bytes,
                                   expected->records, file_bytes)
                    .ok());
    struct stat st;
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(static_cast<size_t>(st.st_size), file_bytes);
    ASSERT_TRUE(RemoveAllBut(dir, name).ok());
    EXPECT_EQ(Names(dir), std::vector<std::string>{name});
    ASSERT_TRUE(DropFileCache(path).ok());
    absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(dir, LogOptions());
    ASSERT_TRUE(log.ok()) << log.status();
    EXPECT_EQ((*log)->log_end_offset(), expected->records);
    EXPECT_EQ((*log)->size_bytes(), expected->valid_bytes);
    log->reset();
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(static_cast<size_t>(st.st_size), expected->valid_bytes);
  }
}

TEST_F(LogBenchRunnelTest, SurgeryErrorsNameThePath) {
  const std::string missing = dir_->File("missing");
  absl::Status s = RestoreUncleanTail(missing, small_, 0, 0, 1 << 20);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(s.message().find(missing), absl::string_view::npos);
  EXPECT_EQ(RestoreUncleanTail(missing, small_, 100, 0, 200).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DropFileCache(missing).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(RemoveAllBut(missing, "x").code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace bench
}  // namespace runnel
