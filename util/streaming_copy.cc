// Copyright 2026 The Runnel Authors.
#include "util/streaming_copy.h"

#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <emmintrin.h>  // SSE2: part of every x86-64 CPU
#endif

namespace runnel {
namespace internal {

#if defined(__x86_64__)

void StreamingCopy(void* dst, const void* src, size_t n) {
  if (n < kMinStreamingCopyBytes) {
    std::memcpy(dst, src, n);
    return;
  }
  constexpr size_t kLine = 64;
  char* d = static_cast<char*>(dst);
  const char* s = static_cast<const char*>(src);
  // The partial first line with ordinary stores: its other bytes may be
  // someone else's (the batch before), which a line-wide streaming write
  // would have to merge in memory.
  const size_t head =
      (kLine - (reinterpret_cast<uintptr_t>(d) & (kLine - 1))) & (kLine - 1);
  std::memcpy(d, s, head);
  d += head;
  s += head;
  n -= head;
  // Whole lines: four 16-byte streaming stores each, which the CPU's
  // write-combining buffer sends to memory as one line write.
  for (; n >= kLine; n -= kLine, d += kLine, s += kLine) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + 16));
    const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + 32));
    const __m128i e = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + 48));
    _mm_stream_si128(reinterpret_cast<__m128i*>(d), a);
    _mm_stream_si128(reinterpret_cast<__m128i*>(d + 16), b);
    _mm_stream_si128(reinterpret_cast<__m128i*>(d + 32), c);
    _mm_stream_si128(reinterpret_cast<__m128i*>(d + 48), e);
  }
  std::memcpy(d, s, n);  // the partial last line
  _mm_sfence();
}

#else  // no streaming stores here

void StreamingCopy(void* dst, const void* src, size_t n) {
  std::memcpy(dst, src, n);
}

#endif

}  // namespace internal
}  // namespace runnel
