// CRC-32C throughput: the SSE4.2 three-stream path, the portable
// slicing-by-8 path and the run-time dispatch, beside memcpy of the same
// sizes (the machine's copy bandwidth for data already in cache) and of 64
// MiB (from memory to memory: the report's memcpy limit). Each case checks
// its result (the CRC against the portable path's, the copy against its
// source) and then sets verified = 1 (bench_checks.h).
//
//   ./bazelw run --config=opt //benchmarks:crc32c_bench
#include <cstring>
#include <random>
#include <string>

#include "benchmark/benchmark.h"
#include "benchmarks/bench_checks.h"
#include "log/crc32c.h"

namespace {

std::string RandomBuffer(size_t n) {
  std::mt19937_64 rng(n);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

template <uint32_t (*kExtend)(uint32_t, const char*, size_t)>
void BM_Crc32c(benchmark::State& state) {
  const std::string data = RandomBuffer(static_cast<size_t>(state.range(0)));
  uint32_t crc = 0;
  for (auto _ : state) {
    crc = kExtend(crc, data.data(), data.size());
    benchmark::DoNotOptimize(crc);
  }
  if (kExtend(0, data.data(), data.size()) !=
      runnel::internal::Crc32cExtendPortable(0, data.data(), data.size())) {
    state.SkipWithError("CRC32C differs from the portable path's");
    return;
  }
  runnel::bench::MarkVerified(state);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          state.range(0));
}

void BM_Memcpy(benchmark::State& state) {
  const std::string src = RandomBuffer(static_cast<size_t>(state.range(0)));
  std::string dst(src.size(), '\0');
  for (auto _ : state) {
    std::memcpy(&dst[0], src.data(), src.size());
    benchmark::ClobberMemory();
  }
  if (dst != src) {
    state.SkipWithError("memcpy: the copy differs from its source");
    return;
  }
  runnel::bench::MarkVerified(state);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          state.range(0));
}

void Sizes(benchmark::internal::Benchmark* b) {
  b->Arg(4 << 10)->Arg(64 << 10)->Arg(1 << 20);
}

BENCHMARK_TEMPLATE(BM_Crc32c, runnel::internal::Crc32cExtendHardware)
    ->Name("BM_Crc32c_Hardware")
    ->Apply(Sizes);
BENCHMARK_TEMPLATE(BM_Crc32c, runnel::internal::Crc32cExtendPortable)
    ->Name("BM_Crc32c_Portable")
    ->Apply(Sizes);
BENCHMARK_TEMPLATE(BM_Crc32c, runnel::Crc32cExtend)
    ->Name("BM_Crc32c_Dispatch")
    ->Apply(Sizes);
BENCHMARK(BM_Memcpy)->Apply(Sizes)->Arg(64 << 20);

}  // namespace
