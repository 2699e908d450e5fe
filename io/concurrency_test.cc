// Copyright 2026 The Runnel Authors.
//
// Several threads on one file: positional writes and reads, mappings,
// mapped stores with msync, and growth (Reserve/Append/Size) at the same
// time. Run under TSan with --config=tsan --test_tag_filters=concurrency.
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
#include "runnel/fault_injection_file_system.h"
#include "runnel/file_system.h"
#include "runnel/mem_file_system.h"

namespace runnel {
namespace {

constexpr int kThreads = 4;
constexpr size_t kSlice = 16 * 1024;  // Each writer owns one slice.
constexpr int kRounds = 40;

// Writer `t`: rewrites its slice through WriteAt and through a mapping, and
// checks each round trip with ReadAt. Returns a failure description or "".
std::string Writer(File* file, int t) {
  const uint64_t base = t * kSlice;
  for (int round = 0; round < kRounds; ++round) {
    const std::string pattern(kSlice,
                              static_cast<char>('a' + (round + t) % 26));
    if (!file->WriteAt(base, pattern).ok()) return "WriteAt failed";
    std::string back(kSlice, '\0');
    absl::StatusOr<size_t> n = file->ReadAt(base, absl::MakeSpan(back));
    if (!n.ok() || *n != kSlice || back != pattern) return "ReadAt mismatch";

    absl::StatusOr<std::unique_ptr<MappedRegion>> region =
        file->Map(base + 100, kSlice - 100, MapMode::kReadWrite);
    if (!region.ok()) return region.status().ToString();
    std::memset((*region)->mutable_data(), 'A' + t, 64);
    if (!(*region)->Sync(0, 64).ok()) return "msync failed";
    char mapped[64];
    n = file->ReadAt(base + 100, absl::MakeSpan(mapped));
    if (!n.ok() || std::string(mapped, 64) != std::string(64, 'A' + t)) {
      return "mapped store not visible to ReadAt";
    }
  }
  return "";
}

// Grows the file past the writers' slices while they work.
std::string Grower(File* file) {
  for (int round = 0; round < kRounds; ++round) {
    if (!file->Reserve(kThreads * kSlice + round * 4096, 4096).ok()) {
      return "Reserve failed";
    }
    if (!file->Size().ok()) return "Size failed";
  }
  return "";
}

void RunOn(FileSystem* fs, const std::string& path) {
  absl::StatusOr<std::unique_ptr<File>> file =
      fs->OpenFile(path, OpenOptions::CreateNew());
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_TRUE((*file)->Reserve(0, kThreads * kSlice).ok());
  std::vector<std::string> errors(kThreads + 1);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] { errors[t] = Writer(file->get(), t); });
  }
  threads.emplace_back([&] { errors[kThreads] = Grower(file->get()); });
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t <= kThreads; ++t)
    EXPECT_EQ(errors[t], "") << "thread " << t;
  EXPECT_EQ(*(*file)->Size(), kThreads * kSlice + kRounds * 4096);
}

TEST(ConcurrencyTest, PosixFile) {
  testing::ScratchDir dir;
  RunOn(FileSystem::Default(), dir.path() + "/f");
}

TEST(ConcurrencyTest, MemFile) {
  MemFileSystem fs;
  RunOn(&fs, "/f");
}

TEST(ConcurrencyTest, FaultInjectionOverMem) {
  MemFileSystem mem;
  FaultInjectionFileSystem fs(&mem);
  RunOn(&fs, "/f");
}

TEST(ConcurrencyTest, ManyThreadsCreateAndListFiles) {
  MemFileSystem mem;
  FaultInjectionFileSystem fault(&mem);
  testing::ScratchDir dir;
  for (auto [fs, root] : {std::pair<FileSystem*, std::string>{&mem, "/m"},
                          {&fault, "/x"},
                          {FileSystem::Default(), dir.path() + "/p"}}) {
    ASSERT_TRUE(fs->CreateDirs(root).ok());
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([fs = fs, root = root, t] {
        for (int i = 0; i < 20; ++i) {
          const std::string path = absl::StrCat(root, "/", t, "-", i);
          EXPECT_TRUE(testing::WriteFile(fs, path, path).ok());
          EXPECT_TRUE(fs->ListDir(root).ok());
          if (i % 2 == 0) {
            EXPECT_TRUE(fs->RemoveFile(path).ok());
          }
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(fs->ListDir(root)->size(), kThreads * 10u);
  }
}

}  // namespace
}  // namespace runnel
