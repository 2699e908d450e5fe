// Copyright 2026 The Runnel Authors.
#include "log/offset_map.h"

#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace runnel {
namespace internal {
namespace {

const uint8_t kReferenceKey[16] = {0, 1, 2,  3,  4,  5,  6,  7,
                                   8, 9, 10, 11, 12, 13, 14, 15};

std::string Hex(const KeyHash& h) {
  std::string out;
  for (uint64_t word : {h.lo, h.hi}) {
    for (int i = 0; i < 8; ++i) {
      char byte[3];
      std::snprintf(byte, sizeof(byte), "%02x",
                    static_cast<unsigned>((word >> (8 * i)) & 0xff));
      out += byte;
    }
  }
  return out;
}

// The reference implementation's vectors_sip128 (github.com/veorq/SipHash,
// vectors.h): key 00..0f, message 00 01 .. (len-1).
TEST(SipHash128Test, ReferenceVectors) {
  const struct {
    size_t len;
    const char* hex;
  } kVectors[] = {
      {0, "a3817f04ba25a8e66df67214c7550293"},
      {1, "da87c1d86b99af44347659119b22fc45"},
      {7, "a1f1ebbed8dbc153c0b84aa61ff08239"},
      {8, "3b62a9ba6258f5610f83e264f31497b4"},
      {9, "264499060ad9baabc47f8b02bb6d71ed"},
      {15, "5493e99933b0a8117e08ec0f97cfc3d9"},
      {16, "6ee2a4ca67b054bbfd3315bf85230577"},
      {63, "5150d1772f50834a503e069a973fbd7c"},
  };
  std::string message;
  for (int i = 0; i < 64; ++i) message.push_back(static_cast<char>(i));
  for (const auto& v : kVectors) {
    EXPECT_EQ(Hex(SipHash128(kReferenceKey, message.substr(0, v.len))), v.hex)
        << "length " << v.len;
  }
}

TEST(OffsetMapTest, KeepsTheLargestOffsetPerKey) {
  OffsetMap map(1 << 20, 0.9, kReferenceKey);
  const KeyHash a = map.Hash("a"), b = map.Hash("b");
  EXPECT_NE(a, b);
  EXPECT_EQ(map.Get(a), -1);
  EXPECT_TRUE(map.Put(a, 5));
  EXPECT_TRUE(map.Put(b, 7));
  EXPECT_TRUE(map.Put(a, 9));
  EXPECT_TRUE(map.Put(a, 3));  // an older offset never replaces a newer one
  EXPECT_EQ(map.Get(a), 9);
  EXPECT_EQ(map.Get(b), 7);
  EXPECT_EQ(map.size(), 2u);
  map.Clear();
  EXPECT_EQ(map.Get(a), -1);
  EXPECT_EQ(map.size(), 0u);
}

TEST(OffsetMapTest, GrowsAndFindsEveryKey) {
  OffsetMap map(1 << 20, 0.9);
  for (int i = 0; i < 20000; ++i) {
    ASSERT_TRUE(map.Put(map.Hash(absl::StrCat("key-", i)), i));
  }
  EXPECT_GT(map.table_bytes(), 1024 * OffsetMap::kSlotBytes);
  for (int i = 0; i < 20000; ++i) {
    ASSERT_EQ(map.Get(map.Hash(absl::StrCat("key-", i))), i);
  }
  EXPECT_EQ(map.Get(map.Hash("absent")), -1);
}

TEST(OffsetMapTest, RefusesNewKeysWhenFullButTakesUpdates) {
  const size_t max_bytes = 100 * OffsetMap::kSlotBytes;
  OffsetMap map(max_bytes, 0.5);
  EXPECT_EQ(map.capacity(), 50u);
  for (size_t i = 0; i < map.capacity(); ++i) {
    ASSERT_TRUE(map.Put(map.Hash(absl::StrCat(i)), static_cast<int64_t>(i)));
  }
  EXPECT_FALSE(map.Put(map.Hash("one more"), 1000));
  EXPECT_EQ(map.Get(map.Hash("one more")), -1);
  EXPECT_TRUE(map.Put(map.Hash("0"), 2000));
  EXPECT_EQ(map.Get(map.Hash("0")), 2000);
  EXPECT_LE(map.table_bytes(), max_bytes);
}

TEST(OffsetMapTest, NeverExceedsMaxBytesWhileGrowing) {
  // 3000 slots: 1024 + 1976 fit together, 1024 + 2048 would not.
  const size_t max_bytes = 3000 * OffsetMap::kSlotBytes;
  OffsetMap map(max_bytes, 0.9);
  size_t peak = 0;
  for (int i = 0;; ++i) {
    const size_t before = map.table_bytes();
    if (!map.Put(map.Hash(absl::StrCat(i)), i)) break;
    if (map.table_bytes() != before) peak = before + map.table_bytes();
  }
  EXPECT_LE(peak, max_bytes);
  EXPECT_EQ(map.table_bytes(), 1976 * OffsetMap::kSlotBytes);
  EXPECT_EQ(map.size(), map.capacity());
}

TEST(OffsetMapTest, TooSmallForOneKey) {
  OffsetMap map(OffsetMap::kSlotBytes, 0.9);
  EXPECT_EQ(map.capacity(), 0u);
  EXPECT_FALSE(map.Put(map.Hash("a"), 1));
  EXPECT_EQ(map.Get(map.Hash("a")), -1);
}

}  // namespace
}  // namespace internal
}  // namespace runnel
