// Big-endian (network order) loads and stores of fixed-width integers.
//
// Kafka's on-disk format stores every fixed-width integer big-endian (Java's
// ByteBuffer default). These helpers read/write unaligned memory with memcpy,
// which compilers turn into a single load/store plus a byte swap.
//
//   char buf[8];
//   runnel::internal::StoreBigEndian64(buf, 42);
//   int64_t v = runnel::internal::LoadBigEndian64(buf);  // 42
//
// Callers guarantee the 2/4/8 bytes exist; nothing here checks bounds.
// Thread-safe: pure functions.
#ifndef RUNNEL_LOG_BIG_ENDIAN_H_
#define RUNNEL_LOG_BIG_ENDIAN_H_

#include <cstdint>
#include <cstring>

namespace runnel {
namespace internal {

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "runnel/log assumes a little-endian host"
#endif

inline uint16_t LoadBigEndian16(const char* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof(v));
  return __builtin_bswap16(v);
}

inline uint32_t LoadBigEndian32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof(v));
  return __builtin_bswap32(v);
}

inline uint64_t LoadBigEndian64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  return __builtin_bswap64(v);
}

inline void StoreBigEndian16(char* p, uint16_t v) {
  v = __builtin_bswap16(v);
  std::memcpy(p, &v, sizeof(v));
}

inline void StoreBigEndian32(char* p, uint32_t v) {
  v = __builtin_bswap32(v);
  std::memcpy(p, &v, sizeof(v));
}

inline void StoreBigEndian64(char* p, uint64_t v) {
  v = __builtin_bswap64(v);
  std::memcpy(p, &v, sizeof(v));
}

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_LOG_BIG_ENDIAN_H_
