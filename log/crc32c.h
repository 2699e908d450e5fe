// CRC-32C (Castagnoli, polynomial 0x1EDC6F41, reflected 0x82F63B78): the
// checksum Kafka's RecordBatch v2 stores at byte 17 (covering bytes 21..end).
//
//   uint32_t crc = runnel::Crc32c(batch.substr(21));
//   // Incrementally, over pieces:
//   uint32_t c = runnel::Crc32cExtend(0, a.data(), a.size());
//   c = runnel::Crc32cExtend(c, b.data(), b.size());  // == Crc32c(a + b)
//
// On x86-64 CPUs with SSE4.2 the `crc32` instruction runs three interleaved
// streams over long inputs (joined with precomputed "shift by N zero bytes"
// tables), which reaches memory-bandwidth-class speed; elsewhere a portable
// slicing-by-8 table method is used. The choice is made once, at run time.
// Both give identical results for every input.
//
// Thread-safe: pure functions (the tables are compile-time constants).
// Internal to //log.
#ifndef RUNNEL_LOG_CRC32C_H_
#define RUNNEL_LOG_CRC32C_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace runnel {

// Returns the CRC-32C of the concatenation of the data whose CRC-32C is
// `crc` and data[0, n). Crc32cExtend(0, p, n) == Crc32c({p, n}).
uint32_t Crc32cExtend(uint32_t crc, const char* data, size_t n);

inline uint32_t Crc32c(absl::string_view data) {
  return Crc32cExtend(0, data.data(), data.size());
}

namespace internal {

// The two implementations behind Crc32cExtend, for tests and benchmarks
// that must exercise each one explicitly.
uint32_t Crc32cExtendPortable(uint32_t crc, const char* data, size_t n);
// Requires Crc32cHardwareAvailable(); otherwise it falls back to the
// portable path (it never executes an unsupported instruction).
uint32_t Crc32cExtendHardware(uint32_t crc, const char* data, size_t n);
// True when this CPU has SSE4.2's crc32 instruction.
bool Crc32cHardwareAvailable();

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_LOG_CRC32C_H_
