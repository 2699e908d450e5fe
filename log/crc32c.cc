#include "log/crc32c.h"

#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace runnel {
namespace {

// Reflected Castagnoli polynomial.
constexpr uint32_t kPoly = 0x82F63B78u;

inline uint64_t LoadLittleEndian64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;  // the host is little-endian (checked in log/big_endian.h users)
}

// ---------------------------------------------------------------------------
// Portable path: slicing-by-8. Table k maps a byte to the register
// contribution of that byte followed by k zero bytes.

struct SliceTables {
  uint32_t t[8][256];
};

constexpr SliceTables MakeSliceTables() {
  SliceTables tables{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (kPoly & (0u - (c & 1u)));
    tables.t[0][i] = c;
  }
  for (int s = 1; s < 8; ++s) {
    for (uint32_t i = 0; i < 256; ++i) {
      const uint32_t prev = tables.t[s - 1][i];
      tables.t[s][i] = (prev >> 8) ^ tables.t[0][prev & 0xff];
    }
  }
  return tables;
}

constexpr SliceTables kSlice = MakeSliceTables();

uint32_t ExtendPortable(uint32_t crc, const char* data, size_t n) {
  const uint32_t(&t)[8][256] = kSlice.t;
  uint32_t reg = ~crc;
  const char* p = data;
  // Bytes until p is 8-byte aligned, so the word loads below are aligned.
  while (n > 0 && (reinterpret_cast<uintptr_t>(p) & 7) != 0) {
    reg = (reg >> 8) ^ t[0][(reg ^ static_cast<uint8_t>(*p++)) & 0xff];
    --n;
  }
  while (n >= 8) {
    const uint64_t word = LoadLittleEndian64(p) ^ reg;
    reg = t[7][word & 0xff] ^ t[6][(word >> 8) & 0xff] ^
          t[5][(word >> 16) & 0xff] ^ t[4][(word >> 24) & 0xff] ^
          t[3][(word >> 32) & 0xff] ^ t[2][(word >> 40) & 0xff] ^
          t[1][(word >> 48) & 0xff] ^ t[0][word >> 56];
    p += 8;
    n -= 8;
  }
  while (n > 0) {
    reg = (reg >> 8) ^ t[0][(reg ^ static_cast<uint8_t>(*p++)) & 0xff];
    --n;
  }
  return ~reg;
}

// ---------------------------------------------------------------------------
// Shift operators. Feeding N zero bytes into a CRC register multiplies it by
// x^(8N) modulo the polynomial (GF(2), reflected bit order), so the register
// after stream A followed by stream B equals
//   shift(reg_after_A, |B|) ^ reg_of_B_started_from_zero.
// That lets three independent crc32 chains run in parallel and be joined.

// a * b mod P in the reflected representation (bit 31 is x^0).
constexpr uint32_t MultiplyModP(uint32_t a, uint32_t b) {
  uint32_t product = 0;
  for (uint32_t m = 1u << 31; m != 0; m >>= 1) {
    if (a & m) product ^= b;
    b = (b & 1) ? (b >> 1) ^ kPoly : b >> 1;
  }
  return product;
}

// x^(2^k) mod P.
constexpr uint32_t XPow2k(int k) {
  uint32_t p = 1u << 30;  // x^1
  for (int i = 0; i < k; ++i) p = MultiplyModP(p, p);
  return p;
}

struct ShiftTables {
  uint32_t t[4][256];
};

// Tables that shift a register by 2^log2_bytes zero bytes, one lookup per
// register byte.
constexpr ShiftTables MakeShiftTables(int log2_bytes) {
  const uint32_t op = XPow2k(log2_bytes + 3);  // 8 bits per byte
  ShiftTables tables{};
  for (int k = 0; k < 4; ++k) {
    for (uint32_t i = 0; i < 256; ++i) {
      tables.t[k][i] = MultiplyModP(op, i << (8 * k));
    }
  }
  return tables;
}

#if defined(__x86_64__)

// Chunk sizes for the three-way interleave: long streams for big inputs,
// short ones so that inputs of a few KiB are interleaved too.
constexpr int kLog2Long = 13;  // 8 KiB
constexpr int kLog2Short = 8;  // 256 B
constexpr size_t kLong = size_t{1} << kLog2Long;
constexpr size_t kShort = size_t{1} << kLog2Short;
constexpr ShiftTables kShiftLong = MakeShiftTables(kLog2Long);
constexpr ShiftTables kShiftShort = MakeShiftTables(kLog2Short);

inline uint64_t Shift(const ShiftTables& s, uint64_t reg) {
  return s.t[0][reg & 0xff] ^ s.t[1][(reg >> 8) & 0xff] ^
         s.t[2][(reg >> 16) & 0xff] ^ s.t[3][(reg >> 24) & 0xff];
}

// Runs three crc32 chains over [p, p+chunk), [p+chunk, p+2chunk) and
// [p+2chunk, p+3chunk) and joins them into reg.
__attribute__((target("sse4.2"))) inline uint64_t ThreeWay(
    uint64_t reg, const char* p, size_t chunk, const ShiftTables& shift) {
  uint64_t c1 = 0;
  uint64_t c2 = 0;
  const char* end = p + chunk;
  do {
    reg = _mm_crc32_u64(reg, LoadLittleEndian64(p));
    c1 = _mm_crc32_u64(c1, LoadLittleEndian64(p + chunk));
    c2 = _mm_crc32_u64(c2, LoadLittleEndian64(p + 2 * chunk));
    p += 8;
  } while (p < end);
  reg = Shift(shift, reg) ^ c1;
  return Shift(shift, reg) ^ c2;
}

__attribute__((target("sse4.2"))) uint32_t ExtendHardware(uint32_t crc,
                                                          const char* p,
                                                          size_t n) {
  uint64_t reg = ~crc;
  while (n > 0 && (reinterpret_cast<uintptr_t>(p) & 7) != 0) {
    reg = _mm_crc32_u8(static_cast<uint32_t>(reg), static_cast<uint8_t>(*p));
    ++p;
    --n;
  }
  while (n >= 3 * kLong) {
    reg = ThreeWay(reg, p, kLong, kShiftLong);
    p += 3 * kLong;
    n -= 3 * kLong;
  }
  while (n >= 3 * kShort) {
    reg = ThreeWay(reg, p, kShort, kShiftShort);
    p += 3 * kShort;
    n -= 3 * kShort;
  }
  while (n >= 8) {
    reg = _mm_crc32_u64(reg, LoadLittleEndian64(p));
    p += 8;
    n -= 8;
  }
  while (n > 0) {
    reg = _mm_crc32_u8(static_cast<uint32_t>(reg), static_cast<uint8_t>(*p));
    ++p;
    --n;
  }
  return ~static_cast<uint32_t>(reg);
}

bool DetectHardware() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse4.2");
}

#else  // !__x86_64__

uint32_t ExtendHardware(uint32_t crc, const char* p, size_t n) {
  return ExtendPortable(crc, p, n);
}
bool DetectHardware() { return false; }

#endif

using ExtendFn = uint32_t (*)(uint32_t, const char*, size_t);

bool HardwareAvailable() {
  static const bool available = DetectHardware();
  return available;
}

ExtendFn ChooseExtend() {
  return HardwareAvailable() ? &ExtendHardware : &ExtendPortable;
}

}  // namespace

uint32_t Crc32cExtend(uint32_t crc, const char* data, size_t n) {
  static const ExtendFn extend = ChooseExtend();
  return extend(crc, data, n);
}

namespace internal {

uint32_t Crc32cExtendPortable(uint32_t crc, const char* data, size_t n) {
  return ExtendPortable(crc, data, n);
}

uint32_t Crc32cExtendHardware(uint32_t crc, const char* data, size_t n) {
  if (!HardwareAvailable()) return ExtendPortable(crc, data, n);
  return ExtendHardware(crc, data, n);
}

bool Crc32cHardwareAvailable() { return HardwareAvailable(); }

}  // namespace internal
}  // namespace runnel
