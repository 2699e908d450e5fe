// Copyright 2026 The Runnel Authors.
//
// util/streaming_copy.h — a memcpy for bytes written now and read later:
// the log's append of a whole batch into its segment mapping. Internal.
//
// A plain memcpy into memory that is not in the cache first reads every
// destination line in (a read-for-ownership), then writes it back: twice
// the memory traffic of the bytes copied, and the copy evicts what the
// appender will use next (its batch buffers). Non-temporal (streaming)
// stores write whole lines straight to memory. On this project's 2-vCPU
// AMD EPYC VM, copying 100 KiB batches into a faulted-in 128 MiB file
// mapping took 18 ms this way against 24 ms with memcpy
// (benchmarks/README.md, "Streaming stores").
//
// The cost: the bytes are not left in the cache, so a reader that comes at
// once reads them from memory. Copies below kMinStreamingCopyBytes (a
// latency-sensitive small batch) use memcpy.
//
// Ordering: non-temporal stores are weakly ordered, so StreamingCopy ends
// with a store fence. When it returns, every byte it wrote is ordered
// before the caller's later stores (a release store publishing the bytes,
// or a store to the same bytes), as after memcpy.
//
//   StreamingCopy(segment_tail, batch.data(), batch.size());
//   size_.store(new_end, std::memory_order_release);  // readers see it all
//
// Thread-safety: as memcpy.
#ifndef RUNNEL_UTIL_STREAMING_COPY_H_
#define RUNNEL_UTIL_STREAMING_COPY_H_

#include <cstddef>

namespace runnel {
namespace internal {

// Copies below this size use plain memcpy.
inline constexpr size_t kMinStreamingCopyBytes = 4096;

// Copies `n` bytes from `src` to `dst` (which must not overlap), with
// non-temporal stores for the whole cache lines of `dst` where the CPU has
// them (x86-64), else memcpy; then a store fence.
void StreamingCopy(void* dst, const void* src, size_t n);

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_UTIL_STREAMING_COPY_H_
