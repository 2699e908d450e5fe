// Copyright 2026 The Runnel Authors.
#include "log/prefaulter.h"

#include <cstring>
#include <memory>
#include <string>

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

}  // namespace
}  // namespace internal
}  // namespace runnel
