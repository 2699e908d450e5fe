// Zig-zag variable-length integers, as Kafka's v2 records use them.
//
// A "varint" is a signed 32-bit value and a "varlong" a signed 64-bit value,
// zig-zag mapped to unsigned ((v << 1) ^ (v >> 63)) so small negative
// numbers stay short, then written 7 bits per byte, least significant group
// first, with the high bit set on every byte but the last (protobuf's
// encoding; Kafka's ByteUtils.writeVarint/writeVarlong). -1 encodes as 0x01,
// which is how Kafka writes "null" lengths.
//
//   char buf[internal::kMaxVarlongBytes];
//   char* end = internal::EncodeVarlong(-300, buf);
//   const char* p = buf;
//   int64_t v;
//   if (internal::DecodeVarlong(&p, end, &v) != internal::VarintStatus::kOk) …
//
// Decoding trusts nothing: it never reads at or past `end`, and it rejects
//   - truncated input (the data ends while a continuation bit is set),
//   - too many bytes (more than 5 for a varint, 10 for a varlong),
//   - overflow (the last allowed byte carries bits beyond 32/64),
//   - non-canonical padding (e.g. 0x80 0x00 for zero), so that every value
//     has exactly one accepted encoding and re-encoding reproduces the input.
// Kafka's own reader accepts padded encodings; its writer never produces them.
//
// Thread-safe: pure functions. Internal to //log.
#ifndef RUNNEL_LOG_VARINT_H_
#define RUNNEL_LOG_VARINT_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace runnel {
namespace internal {

inline constexpr size_t kMaxVarintBytes = 5;
inline constexpr size_t kMaxVarlongBytes = 10;

enum class VarintStatus {
  kOk,
  kTruncated,     // input ended inside the number
  kTooLong,       // continuation bit still set on the last allowed byte
  kOverflow,      // value does not fit in 32 (or 64) bits
  kNonCanonical,  // padded with redundant zero groups
};

// A short English description, e.g. "truncated varint".
const char* VarintStatusName(VarintStatus status);

inline uint32_t ZigZagEncode32(int32_t v) {
  return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
}
inline uint64_t ZigZagEncode64(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int32_t ZigZagDecode32(uint32_t v) {
  return static_cast<int32_t>((v >> 1) ^ (0u - (v & 1)));
}
inline int64_t ZigZagDecode64(uint64_t v) {
  return static_cast<int64_t>((v >> 1) ^ (uint64_t{0} - (v & 1)));
}

inline size_t UnsignedVarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
inline size_t VarintSize(int32_t v) {
  return UnsignedVarintSize(ZigZagEncode32(v));
}
inline size_t VarlongSize(int64_t v) {
  return UnsignedVarintSize(ZigZagEncode64(v));
}

// Writes the encoding at dst (which must have room for VarintSize(v) /
// VarlongSize(v) bytes) and returns one past the last byte written.
inline char* EncodeUnsignedVarint(uint64_t v, char* dst) {
  while (v >= 0x80) {
    *dst++ = static_cast<char>(static_cast<uint8_t>(v) | 0x80);
    v >>= 7;
  }
  *dst++ = static_cast<char>(v);
  return dst;
}
inline char* EncodeVarint(int32_t v, char* dst) {
  return EncodeUnsignedVarint(ZigZagEncode32(v), dst);
}
inline char* EncodeVarlong(int64_t v, char* dst) {
  return EncodeUnsignedVarint(ZigZagEncode64(v), dst);
}

// Appends the encoding to *out.
void AppendVarint(std::string* out, int32_t v);
void AppendVarlong(std::string* out, int64_t v);

// Decodes an unsigned base-128 number of at most kBits bits from [*p, end).
// On kOk stores it in *value and advances *p past it; otherwise leaves both
// untouched.
template <int kBits, typename U>
inline VarintStatus DecodeUnsignedVarint(const char** p, const char* end,
                                         U* value) {
  constexpr int kMaxBytes = (kBits + 6) / 7;
  const uint8_t* in = reinterpret_cast<const uint8_t*>(*p);
  const uint8_t* limit = reinterpret_cast<const uint8_t*>(end);
  // Fast path: one byte (lengths < 64 and small deltas).
  if (in < limit && *in < 0x80) {
    *value = *in;
    *p += 1;
    return VarintStatus::kOk;
  }
  // Two bytes (lengths and deltas below 8192): the second must be
  // non-zero (canonical) and final.
  if (limit - in >= 2 && in[1] < 0x80 && in[1] != 0) {
    *value = static_cast<U>(in[0] & 0x7f) | (static_cast<U>(in[1]) << 7);
    *p += 2;
    return VarintStatus::kOk;
  }
  U result = 0;
  for (int i = 0; i < kMaxBytes; ++i) {
    if (in + i >= limit) return VarintStatus::kTruncated;
    const uint8_t byte = in[i];
    result |= static_cast<U>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      if (i > 0 && byte == 0) return VarintStatus::kNonCanonical;
      if (i == kMaxBytes - 1 && (byte >> (kBits - 7 * i)) != 0) {
        return VarintStatus::kOverflow;
      }
      *value = result;
      *p += i + 1;
      return VarintStatus::kOk;
    }
  }
  return VarintStatus::kTooLong;
}

inline VarintStatus DecodeVarint(const char** p, const char* end,
                                 int32_t* value) {
  uint32_t raw;
  VarintStatus status = DecodeUnsignedVarint<32>(p, end, &raw);
  if (status == VarintStatus::kOk) *value = ZigZagDecode32(raw);
  return status;
}

inline VarintStatus DecodeVarlong(const char** p, const char* end,
                                  int64_t* value) {
  uint64_t raw;
  VarintStatus status = DecodeUnsignedVarint<64>(p, end, &raw);
  if (status == VarintStatus::kOk) *value = ZigZagDecode64(raw);
  return status;
}

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_LOG_VARINT_H_
