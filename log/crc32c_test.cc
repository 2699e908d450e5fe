#include "log/crc32c.h"

#include <random>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace runnel {
namespace {

// Bit-at-a-time reference, independent of both implementations.
uint32_t ReferenceCrc32c(absl::string_view data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : data) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) {
      crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
    }
  }
  return ~crc;
}

using ExtendFn = uint32_t (*)(uint32_t, const char*, size_t);

struct Impl {
  const char* name;
  ExtendFn extend;
};

std::vector<Impl> Implementations() {
  return {{"dispatch", &Crc32cExtend},
          {"portable", &internal::Crc32cExtendPortable},
          {"hardware", &internal::Crc32cExtendHardware}};
}

uint32_t Crc(ExtendFn f, absl::string_view s) {
  return f(0, s.data(), s.size());
}

TEST(Crc32cTest, CheckValue) {
  for (const Impl& impl : Implementations()) {
    EXPECT_EQ(Crc(impl.extend, "123456789"), 0xE3069283u) << impl.name;
  }
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(""), 0u);
}

// RFC 3720 appendix B.4. The RFC prints each CRC as the bytes sent on the
// wire, least significant first ("aa 36 91 8a" is 0x8A9136AA).
TEST(Crc32cTest, Rfc3720Vectors) {
  std::string ascending, descending;
  for (int i = 0; i < 32; ++i) {
    ascending.push_back(static_cast<char>(i));
    descending.push_back(static_cast<char>(31 - i));
  }
  const std::string read_pdu = absl::HexStringToBytes(
      "01c0000000000000000000000000000014000000000004000000001400000018"
      "280000000000000002000000"
      "00000000");
  ASSERT_EQ(read_pdu.size(), 48u);
  for (const Impl& impl : Implementations()) {
    SCOPED_TRACE(impl.name);
    EXPECT_EQ(Crc(impl.extend, std::string(32, '\0')), 0x8A9136AAu);
    EXPECT_EQ(Crc(impl.extend, std::string(32, '\xff')), 0x62A8AB43u);
    EXPECT_EQ(Crc(impl.extend, ascending), 0x46DD794Eu);
    EXPECT_EQ(Crc(impl.extend, descending), 0x113FDB5Cu);
    EXPECT_EQ(Crc(impl.extend, read_pdu), 0xD9963A56u);
  }
}

TEST(Crc32cTest, HardwareDetectedOnThisMachine) {
  // Not an assertion about every machine: it documents what ran here.
  RecordProperty("hardware",
                 internal::Crc32cHardwareAvailable() ? "yes" : "no");
#if defined(__x86_64__) && defined(__SSE4_2__)
  EXPECT_TRUE(internal::Crc32cHardwareAvailable());
#endif
}

// Every length 0..4100 (covers the 8-byte loop, the 3x256-byte interleave and
// its remainders) at every misalignment 0..7, against the bit-wise reference
// and against each other.
TEST(Crc32cTest, ImplementationsAgreeOnAllShortLengthsAndAlignments) {
  std::mt19937_64 rng(1234);
  std::string buffer(4100 + 16, '\0');
  for (char& c : buffer) c = static_cast<char>(rng());
  for (size_t misalign = 0; misalign < 8; ++misalign) {
    for (size_t n = 0; n <= 4100; n += (n < 1100 ? 1 : 7)) {
      const absl::string_view s(buffer.data() + misalign, n);
      const uint32_t portable = Crc(&internal::Crc32cExtendPortable, s);
      const uint32_t hardware = Crc(&internal::Crc32cExtendHardware, s);
      ASSERT_EQ(portable, hardware) << "n=" << n << " misalign=" << misalign;
      if (n < 300 || n % 97 == 0) {
        ASSERT_EQ(portable, ReferenceCrc32c(s)) << "n=" << n;
      }
    }
  }
}

// Long inputs exercise the 3x8 KiB interleave and both shift tables.
TEST(Crc32cTest, ImplementationsAgreeOnLongInputs) {
  std::mt19937_64 rng(99);
  for (size_t n :
       {size_t{3 * 8192 - 1}, size_t{3 * 8192}, size_t{3 * 8192 + 1},
        size_t{3 * 8192 + 3 * 256 + 5}, size_t{100000}, size_t{1} << 20}) {
    std::string s(n + 3, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    for (size_t misalign = 0; misalign < 4; ++misalign) {
      const absl::string_view v(s.data() + misalign, n);
      const uint32_t expected = ReferenceCrc32c(v);
      EXPECT_EQ(Crc(&internal::Crc32cExtendPortable, v), expected) << n;
      EXPECT_EQ(Crc(&internal::Crc32cExtendHardware, v), expected) << n;
    }
  }
}

TEST(Crc32cTest, ExtendEqualsWholeForEverySplit) {
  std::mt19937_64 rng(7);
  std::string s(2000, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  const uint32_t whole = Crc32c(s);
  for (const Impl& impl : Implementations()) {
    for (size_t split = 0; split <= s.size(); split += 37) {
      uint32_t crc = impl.extend(0, s.data(), split);
      crc = impl.extend(crc, s.data() + split, s.size() - split);
      ASSERT_EQ(crc, whole) << impl.name << " split=" << split;
    }
  }
}

TEST(Crc32cTest, DetectsEverySingleBitFlip) {
  std::string s(300, 'x');
  const uint32_t original = Crc32c(s);
  for (size_t i = 0; i < s.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      s[i] = static_cast<char>(s[i] ^ (1 << bit));
      EXPECT_NE(Crc32c(s), original);
      s[i] = static_cast<char>(s[i] ^ (1 << bit));
    }
  }
}

}  // namespace
}  // namespace runnel
