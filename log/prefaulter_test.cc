// Copyright 2026 The Runnel Authors.
#include "log/prefaulter.h"

#include <atomic>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "runnel/mem_file_system.h"

namespace runnel {
namespace internal {
namespace {

TEST(PrefaulterTest, PrefaultsWithoutChangingBytesWhileTheOwnerWrites) {
  MemFileSystem fs;
  absl::StatusOr<std::unique_ptr<File>> file =
      fs.OpenFile("/seg", OpenOptions::CreateNew());
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Reserve(0, 1 << 20).ok());
  absl::StatusOr<std::unique_ptr<MappedRegion>> map =
      (*file)->Map(0, 1 << 20, MapMode::kReadWrite);
  ASSERT_TRUE(map.ok());
  std::shared_ptr<MappedRegion> region = *std::move(map);

  Prefaulter prefaulter;
  prefaulter.Enqueue(region, 0, region->size());
  // The owner writes the same range meanwhile: prefaulting changes nothing.
  for (size_t i = 0; i < region->size(); i += 4096) {
    std::memcpy(region->mutable_data() + i, "data", 4);
  }
  prefaulter.Enqueue(region, 4096, 8192);
  prefaulter.Drain();
  for (size_t i = 0; i < region->size(); i += 4096) {
    ASSERT_EQ(std::string(region->data() + i, 4), "data") << i;
  }
  EXPECT_EQ(region.use_count(), 1);  // tasks let go of the region
}

TEST(PrefaulterTest, DestructionDropsQueuedWork) {
  MemFileSystem fs;
  absl::StatusOr<std::unique_ptr<File>> file =
      fs.OpenFile("/seg", OpenOptions::CreateNew());
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Reserve(0, 4096).ok());
  absl::StatusOr<std::unique_ptr<MappedRegion>> map =
      (*file)->Map(0, 4096, MapMode::kReadWrite);
  ASSERT_TRUE(map.ok());
  std::shared_ptr<MappedRegion> region = *std::move(map);
  {
    Prefaulter prefaulter;
    for (int i = 0; i < 100; ++i) prefaulter.Enqueue(region, 0, 4096);
  }
  EXPECT_EQ(region.use_count(), 1);
}

// A writable region of `bytes` on MemFileSystem (mappings are real mmaps).
std::shared_ptr<MappedRegion> Region(MemFileSystem* fs, size_t bytes) {
  absl::StatusOr<std::unique_ptr<File>> file =
      fs->OpenFile("/seg", OpenOptions::CreateNew());
  EXPECT_TRUE(file.ok());
  if (!file.ok()) return nullptr;
  EXPECT_TRUE((*file)->Reserve(0, bytes).ok());
  absl::StatusOr<std::unique_ptr<MappedRegion>> map =
      (*file)->Map(0, bytes, MapMode::kReadWrite);
  EXPECT_TRUE(map.ok());
  return map.ok() ? *std::move(map) : nullptr;
}

TEST(PrefaulterTest, WorksInPiecesThatEndAtPieceBoundaries) {
  constexpr size_t kPiece = Prefaulter::kPieceBytes;
  MemFileSystem fs;
  std::shared_ptr<MappedRegion> region = Region(&fs, 3 * kPiece);
  ASSERT_NE(region, nullptr);
  Prefaulter prefaulter;
  // [kPiece/2, 2.5 kPiece): pieces end at kPiece, 2 kPiece, 2.5 kPiece.
  prefaulter.Enqueue(region, kPiece / 2, 2 * kPiece);
  prefaulter.Drain();
  EXPECT_EQ(prefaulter.pieces_done(), 3);
}

// Records the ranges advised for huge pages (written on the prefaulter's
// thread, read after Drain).
class AdviceRecorder final : public MappedRegion {
 public:
  AdviceRecorder(char* data, size_t size, size_t capacity)
      : MappedRegion("/advice", data, size, 0, MapMode::kReadWrite, capacity) {}
  absl::Status Sync(size_t, size_t) override { return absl::OkStatus(); }
  absl::Status AdviseHugePages(size_t offset, size_t length) override {
    advised.emplace_back(offset, length);
    return MappedRegion::AdviseHugePages(offset, length);
  }
  std::vector<std::pair<size_t, size_t>> advised;
};

TEST(PrefaulterTest, AdvisesHugePagesOncePerTaskUpToTheCapacity) {
  constexpr size_t kPiece = Prefaulter::kPieceBytes;
  std::vector<char> bytes(4 * kPiece);
  auto region =
      std::make_shared<AdviceRecorder>(bytes.data(), 3 * kPiece, 4 * kPiece);
  Prefaulter prefaulter;
  prefaulter.Enqueue(region, 0, kPiece);  // a slow start: small pages
  prefaulter.Drain();
  EXPECT_TRUE(region->advised.empty());
  prefaulter.Enqueue(region, kPiece, 2 * kPiece, nullptr, /*huge_pages=*/true);
  prefaulter.Drain();
  EXPECT_EQ(prefaulter.pieces_done(), 3);
  ASSERT_EQ(region->advised.size(), 1u);  // one call for the two pieces
  EXPECT_EQ(region->advised[0], std::make_pair(kPiece, 3 * kPiece));
  // Past the capacity is refused, as the seam says.
  EXPECT_FALSE(region->MappedRegion::AdviseHugePages(kPiece, 4 * kPiece).ok());
}

TEST(PrefaulterTest, KeepsTheHugePageAdviceOfATaskTheOwnerPassed) {
  constexpr size_t kPiece = Prefaulter::kPieceBytes;
  std::vector<char> bytes(4 * kPiece);
  auto region =
      std::make_shared<AdviceRecorder>(bytes.data(), 2 * kPiece, 4 * kPiece);
  // The owner wrote past the whole task before the thread got to it.
  auto progress = std::make_shared<std::atomic<uint64_t>>(2 * kPiece);
  Prefaulter prefaulter;
  prefaulter.Enqueue(region, kPiece, kPiece, progress, /*huge_pages=*/true);
  prefaulter.Drain();
  EXPECT_EQ(prefaulter.pieces_done(), 0);  // nothing faulted in
  ASSERT_EQ(region->advised.size(), 1u);   // but the advice was taken
  EXPECT_EQ(region->advised[0], std::make_pair(kPiece, 3 * kPiece));
  EXPECT_EQ(region.use_count(), 1);
}

TEST(PrefaulterTest, SkipsWhatTheOwnerAlreadyWrote) {
  constexpr size_t kPiece = Prefaulter::kPieceBytes;
  MemFileSystem fs;
  std::shared_ptr<MappedRegion> region = Region(&fs, 4 * kPiece);
  ASSERT_NE(region, nullptr);
  auto progress = std::make_shared<std::atomic<uint64_t>>(kPiece + 1);
  Prefaulter prefaulter;
  // The owner is just past the first piece: the thread resumes a piece
  // beyond it, so it does the rest of the third piece and the fourth.
  prefaulter.Enqueue(region, 0, 4 * kPiece, progress);
  prefaulter.Drain();
  EXPECT_EQ(prefaulter.pieces_done(), 2);
  // Wholly passed: nothing to do.
  progress->store(4 * kPiece);
  prefaulter.Enqueue(region, kPiece, 3 * kPiece, progress);
  prefaulter.Drain();
  EXPECT_EQ(prefaulter.pieces_done(), 2);
  EXPECT_EQ(region.use_count(), 1);
}

}  // namespace
}  // namespace internal
}  // namespace runnel
