#include "log/varint.h"

#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include "gtest/gtest.h"

namespace runnel {
namespace internal {
namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

VarintStatus Decode32(const std::string& s, int32_t* v, size_t* used) {
  const char* p = s.data();
  VarintStatus st = DecodeVarint(&p, s.data() + s.size(), v);
  *used = static_cast<size_t>(p - s.data());
  return st;
}

VarintStatus Decode64(const std::string& s, int64_t* v, size_t* used) {
  const char* p = s.data();
  VarintStatus st = DecodeVarlong(&p, s.data() + s.size(), v);
  *used = static_cast<size_t>(p - s.data());
  return st;
}

TEST(VarintTest, KnownEncodings) {
  // Zig-zag: 0->0, -1->1, 1->2, -2->3, 63->126, -64->127, 64->128 (2 bytes).
  struct Case {
    int64_t value;
    std::string bytes;
  } cases[] = {
      {0, Bytes({0x00})},
      {-1, Bytes({0x01})},
      {1, Bytes({0x02})},
      {-2, Bytes({0x03})},
      {63, Bytes({0x7e})},
      {-64, Bytes({0x7f})},
      {64, Bytes({0x80, 0x01})},
      {300, Bytes({0xd8, 0x04})},
      {std::numeric_limits<int32_t>::max(),
       Bytes({0xfe, 0xff, 0xff, 0xff, 0x0f})},
      {std::numeric_limits<int32_t>::min(),
       Bytes({0xff, 0xff, 0xff, 0xff, 0x0f})},
  };
  for (const Case& c : cases) {
    std::string out;
    AppendVarint(&out, static_cast<int32_t>(c.value));
    EXPECT_EQ(out, c.bytes) << c.value;
    EXPECT_EQ(VarintSize(static_cast<int32_t>(c.value)), c.bytes.size());
    int32_t v;
    size_t used;
    ASSERT_EQ(Decode32(c.bytes, &v, &used), VarintStatus::kOk);
    EXPECT_EQ(v, c.value);
    EXPECT_EQ(used, c.bytes.size());
  }
  std::string out;
  AppendVarlong(&out, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(
      out, Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
}

TEST(VarintTest, RandomRoundTrips) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 100000; ++i) {
    // Spread over all magnitudes.
    const int shift = static_cast<int>(rng() % 64);
    const int64_t v64 = static_cast<int64_t>(rng() >> shift);
    const int64_t signed64 = (rng() & 1) ? v64 : -v64 - 1;
    std::string s;
    AppendVarlong(&s, signed64);
    ASSERT_EQ(s.size(), VarlongSize(signed64));
    int64_t back;
    size_t used;
    ASSERT_EQ(Decode64(s, &back, &used), VarintStatus::kOk);
    ASSERT_EQ(back, signed64);
    ASSERT_EQ(used, s.size());

    const int32_t v32 = static_cast<int32_t>(signed64 >> 32);
    s.clear();
    AppendVarint(&s, v32);
    int32_t back32;
    ASSERT_EQ(Decode32(s, &back32, &used), VarintStatus::kOk);
    ASSERT_EQ(back32, v32);
  }
}

TEST(VarintTest, RejectsMalformedWithoutReadingPastEnd) {
  int32_t v = 12345;
  size_t used;
  EXPECT_EQ(Decode32("", &v, &used), VarintStatus::kTruncated);
  EXPECT_EQ(Decode32(Bytes({0x80}), &v, &used), VarintStatus::kTruncated);
  EXPECT_EQ(Decode32(Bytes({0xff, 0xff, 0xff, 0xff}), &v, &used),
            VarintStatus::kTruncated);
  EXPECT_EQ(Decode32(Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0x01}), &v, &used),
            VarintStatus::kTooLong);
  EXPECT_EQ(Decode32(Bytes({0xff, 0xff, 0xff, 0xff, 0x1f}), &v, &used),
            VarintStatus::kOverflow);
  EXPECT_EQ(Decode32(Bytes({0x80, 0x00}), &v, &used),
            VarintStatus::kNonCanonical);
  EXPECT_EQ(Decode32(Bytes({0x81, 0x80, 0x00}), &v, &used),
            VarintStatus::kNonCanonical);
  EXPECT_EQ(v, 12345);  // untouched on error
  EXPECT_EQ(used, 0u);  // position untouched on error

  int64_t v64;
  EXPECT_EQ(Decode64(std::string(10, '\xff'), &v64, &used),
            VarintStatus::kTooLong);
  EXPECT_EQ(Decode64(std::string(9, '\xff') + Bytes({0x02}), &v64, &used),
            VarintStatus::kOverflow);
  EXPECT_EQ(Decode64(std::string(9, '\xff') + Bytes({0x01}), &v64, &used),
            VarintStatus::kOk);
  EXPECT_EQ(v64, std::numeric_limits<int64_t>::min());

  // Each truncation of a valid encoding is detected; the decoder reads from
  // an exact-size heap copy, so ASan catches any over-read.
  std::string full;
  AppendVarlong(&full, std::numeric_limits<int64_t>::max());
  for (size_t n = 0; n < full.size(); ++n) {
    std::string prefix = full.substr(0, n);
    EXPECT_EQ(Decode64(prefix, &v64, &used), VarintStatus::kTruncated) << n;
  }
  EXPECT_STREQ(VarintStatusName(VarintStatus::kNonCanonical),
               "non-canonical (zero-padded) varint");
}

// Every 1- and 2-byte input: the decoder accepts exactly the canonical
// encodings, and accepted values re-encode to the same bytes.
TEST(VarintTest, ExhaustiveTwoByteInputs) {
  for (int a = 0; a < 256; ++a) {
    for (int b = -1; b < 256; ++b) {
      std::string s = b < 0 ? Bytes({a}) : Bytes({a, b});
      int32_t v;
      size_t used;
      if (Decode32(s, &v, &used) == VarintStatus::kOk) {
        std::string again;
        AppendVarint(&again, v);
        EXPECT_EQ(again, s.substr(0, used));
      }
    }
  }
}

}  // namespace
}  // namespace internal
}  // namespace runnel
