#include "log/lz4_codec.h"

#include <lz4frame.h>

#include <cstring>
#include <random>
#include <string>

#include "gtest/gtest.h"

namespace runnel {
namespace internal {
namespace {

std::string Compressible(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s;
  while (s.size() < n) {
    s += "record-" + std::to_string(rng() % 1000) + ";";
  }
  s.resize(n);
  return s;
}

// A frame written with liblz4 directly, with the given frame options.
std::string FrameWith(const std::string& input, LZ4F_blockSizeID_t block,
                      LZ4F_blockMode_t mode, bool content_checksum,
                      bool block_checksum, bool content_size) {
  LZ4F_preferences_t prefs;
  std::memset(&prefs, 0, sizeof(prefs));
  prefs.frameInfo.blockSizeID = block;
  prefs.frameInfo.blockMode = mode;
  prefs.frameInfo.contentChecksumFlag =
      content_checksum ? LZ4F_contentChecksumEnabled : LZ4F_noContentChecksum;
  prefs.frameInfo.blockChecksumFlag =
      block_checksum ? LZ4F_blockChecksumEnabled : LZ4F_noBlockChecksum;
  prefs.frameInfo.contentSize = content_size ? input.size() : 0;
  std::string out(LZ4F_compressFrameBound(input.size(), &prefs), '\0');
  size_t n = LZ4F_compressFrame(&out[0], out.size(), input.data(), input.size(),
                                &prefs);
  EXPECT_FALSE(LZ4F_isError(n));
  out.resize(n);
  return out;
}

TEST(Lz4CodecTest, WritesJavaCompatibleFrameHeader) {
  std::string frame;
  ASSERT_TRUE(Lz4FrameCompress("hello hello hello hello", &frame).ok());
  // Magic 04 22 4D 18, FLG 0x60, BD 0x40, HC 0x82 (Kafka's Java writer).
  EXPECT_EQ(frame.substr(0, 7), std::string("\x04\x22\x4d\x18\x60\x40\x82", 7));
  // EndMark: four zero bytes, no content checksum after it.
  EXPECT_EQ(frame.substr(frame.size() - 4), std::string(4, '\0'));
}

TEST(Lz4CodecTest, RoundTripsManySizes) {
  std::mt19937_64 rng(5);
  for (size_t n : {size_t{0}, size_t{1}, size_t{100}, size_t{65535},
                   size_t{65536}, size_t{65537}, size_t{300000}}) {
    for (bool random : {false, true}) {
      std::string input = Compressible(n, n);
      if (random) {
        for (char& c : input) c = static_cast<char>(rng());
      }
      std::string frame = "prefix";  // Compress appends
      ASSERT_TRUE(Lz4FrameCompress(input, &frame).ok());
      ASSERT_EQ(frame.substr(0, 6), "prefix");
      std::string out = "junk";
      absl::Status s =
          Lz4FrameDecompress(absl::string_view(frame).substr(6), 1 << 20, &out);
      ASSERT_TRUE(s.ok()) << s;
      EXPECT_EQ(out, input) << n;
    }
  }
}

TEST(Lz4CodecTest, DecodesOtherValidFrames) {
  const std::string input = Compressible(200000, 1);
  // kafkajs-lz4 (node-lz4): 4 MiB blocks and a content checksum.
  for (bool linked : {false, true}) {
    for (LZ4F_blockSizeID_t block :
         {LZ4F_max64KB, LZ4F_max256KB, LZ4F_max1MB, LZ4F_max4MB}) {
      std::string frame = FrameWith(
          input, block, linked ? LZ4F_blockLinked : LZ4F_blockIndependent,
          /*content_checksum=*/true, /*block_checksum=*/true,
          /*content_size=*/true);
      std::string out;
      absl::Status s = Lz4FrameDecompress(frame, 1 << 20, &out);
      ASSERT_TRUE(s.ok()) << s;
      EXPECT_EQ(out, input);
    }
  }
}

TEST(Lz4CodecTest, RejectsTruncatedCorruptAndTrailing) {
  const std::string input = Compressible(5000, 2);
  const std::string frame =
      FrameWith(input, LZ4F_max64KB, LZ4F_blockIndependent, true, false, false);
  std::string out;
  for (size_t n = 0; n < frame.size(); ++n) {
    absl::Status s = Lz4FrameDecompress(frame.substr(0, n), 1 << 20, &out);
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << n << " " << s;
  }
  absl::Status s = Lz4FrameDecompress(frame + "x", 1 << 20, &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  EXPECT_NE(s.message().find("trailing"), std::string::npos) << s;
  // Flips: with the content checksum on, a flip is an error unless the
  // altered stream still yields the same content (e.g. a match offset moved
  // to another copy of the same repeated bytes).
  int detected = 0;
  for (size_t i = 0; i < frame.size(); ++i) {
    std::string bad = frame;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    s = Lz4FrameDecompress(bad, 1 << 20, &out);
    if (s.ok()) {
      EXPECT_EQ(out, input) << "flip at " << i;
    } else {
      ++detected;
    }
  }
  EXPECT_GT(detected, static_cast<int>(frame.size() * 9 / 10));
}

TEST(Lz4CodecTest, CapsDecompressedSize) {
  const std::string zeros(1 << 20, '\0');
  std::string frame;
  ASSERT_TRUE(Lz4FrameCompress(zeros, &frame).ok());
  ASSERT_LT(frame.size(), 10000u);  // a "bomb": ~250x
  std::string out;
  absl::Status s = Lz4FrameDecompress(frame, (1 << 20) - 1, &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_TRUE(out.empty());
  s = Lz4FrameDecompress(frame, 1 << 20, &out);  // exactly at the cap
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(out, zeros);
  s = Lz4FrameDecompress(frame, 0, &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
}

}  // namespace
}  // namespace internal
}  // namespace runnel
