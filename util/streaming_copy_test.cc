// Copyright 2026 The Runnel Authors.
#include "util/streaming_copy.h"

#include <cstddef>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace runnel {
namespace internal {
namespace {

// Every size around the streaming threshold and the line size, at every
// destination alignment within a line: the bytes copied are exactly the
// source's, and the bytes around the destination are untouched.
TEST(StreamingCopyTest, CopiesExactlyTheBytesAtEveryAlignmentAndSize) {
  const std::vector<size_t> sizes = {
      0, 1, 63, 64, 65, 4095, 4096, 4097, 4159, 4160, 8191, 8192, 8193, 100000};
  std::vector<char> src(100000 + 64);
  for (size_t i = 0; i < src.size(); ++i) {
    src[i] = static_cast<char>((i * 131 + 7) & 0xff);
  }
  std::vector<char> dst(100000 + 3 * 64);
  for (size_t size : sizes) {
    for (size_t align = 0; align < 64; ++align) {
      std::fill(dst.begin(), dst.end(), '\xAA');
      // An aligned base, then `align` bytes in.
      char* base = dst.data() +
                   (64 - (reinterpret_cast<uintptr_t>(dst.data()) & 63)) % 64;
      char* to = base + align;
      const char* from = src.data() + (align * 7) % 64;  // any src alignment
      StreamingCopy(to, from, size);
      for (size_t i = 0; i < size; ++i) {
        ASSERT_EQ(to[i], from[i])
            << "size " << size << " align " << align << " byte " << i;
      }
      for (char* p = dst.data(); p < to; ++p) {
        ASSERT_EQ(*p, '\xAA') << "before, size " << size << " align " << align;
      }
      for (char* p = to + size; p < dst.data() + dst.size(); ++p) {
        ASSERT_EQ(*p, '\xAA') << "after, size " << size << " align " << align;
      }
    }
  }
}

}  // namespace
}  // namespace internal
}  // namespace runnel
