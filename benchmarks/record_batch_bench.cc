// RecordBatch v2 encode and decode speed: batches of 1000 records with a
// 100-byte value (random uppercase letters, like kafka-producer-perf-test's
// payload) and a null key, uncompressed and LZ4. Items are records.
//
//   ./bazelw run --config=opt //benchmarks:record_batch_bench
//
// Decode = RecordBatchView::Parse (header checks + CRC-32C over the whole
// batch + LZ4 decompression) and then every record validated and turned into
// a view, either through RecordIterator or DecodedBatch (reused).
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "runnel/record_batch.h"

namespace {

constexpr int kRecordsPerBatch = 1000;
constexpr size_t kValueSize = 100;

runnel::Compression CompressionArg(const benchmark::State& state) {
  return state.range(0) ? runnel::Compression::kLz4
                        : runnel::Compression::kNone;
}

std::vector<std::string> Values() {
  std::mt19937_64 rng(1);
  std::vector<std::string> values(kRecordsPerBatch,
                                  std::string(kValueSize, 'A'));
  for (std::string& v : values) {
    for (char& c : v) c = static_cast<char>('A' + rng() % 26);
  }
  return values;
}

std::string EncodeBatch(runnel::Compression compression,
                        const std::vector<std::string>& values,
                        std::string* out) {
  out->clear();
  runnel::RecordBatchOptions options;
  options.compression = compression;
  runnel::RecordBatchBuilder builder(options, out);
  int64_t ts = 1700000000000;
  for (const std::string& v : values) {
    if (!builder.Append(ts++, std::nullopt, v).ok()) return "append failed";
  }
  absl::StatusOr<runnel::RecordBatchHeader> h = builder.Finish();
  return h.ok() ? std::string() : std::string(h.status().message());
}

void BM_Encode(benchmark::State& state) {
  const std::vector<std::string> values = Values();
  std::string buffer;
  for (auto _ : state) {
    std::string error = EncodeBatch(CompressionArg(state), values, &buffer);
    if (!error.empty()) {
      state.SkipWithError(error.c_str());
      break;
    }
    benchmark::DoNotOptimize(buffer.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) *
                          kRecordsPerBatch);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          kRecordsPerBatch * kValueSize);
  state.counters["batch_bytes"] = static_cast<double>(buffer.size());
}

void CountRecords(benchmark::State& state) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) *
                          kRecordsPerBatch);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          kRecordsPerBatch * kValueSize);
}

// Parse and walk every record: with RecordIterator::Next and the CRC, or
// with ForEach and no CRC (the consumer's path: Log::Read checked it), the
// cost of validating and viewing the records alone.
template <bool kForEachNoCrc>
void BM_Iterate(benchmark::State& state) {
  std::string batch;
  EncodeBatch(CompressionArg(state), Values(), &batch);
  runnel::DecodeOptions options;
  options.verify_crc = !kForEachNoCrc;
  for (auto _ : state) {
    absl::StatusOr<runnel::RecordBatchView> view =
        runnel::RecordBatchView::Parse(batch, options);
    if (!view.ok()) {
      state.SkipWithError("parse failed");
      break;
    }
    runnel::RecordIterator it(*view);
    size_t bytes = 0;
    size_t n = 0;
    if (kForEachNoCrc) {
      n = it.ForEach(kRecordsPerBatch + 1,
                     [&](const runnel::RecordView& record) {
                       if (record.value) bytes += record.value->size();
                     });
    } else {
      for (runnel::RecordView record; it.Next(&record); ++n) {
        if (record.value) bytes += record.value->size();
      }
    }
    if (!it.status().ok() || n != kRecordsPerBatch) {
      state.SkipWithError("iterate failed");
      break;
    }
    benchmark::DoNotOptimize(bytes);
  }
  CountRecords(state);
}

template <bool kVerifyCrc>
void BM_DecodeAll(benchmark::State& state) {
  std::string batch;
  EncodeBatch(CompressionArg(state), Values(), &batch);
  runnel::DecodeOptions options;
  options.verify_crc = kVerifyCrc;
  runnel::DecodedBatch decoded;
  for (auto _ : state) {
    if (!decoded.DecodeInto(batch, options).ok()) {
      state.SkipWithError("decode failed");
      break;
    }
    benchmark::DoNotOptimize(decoded.records().data());
  }
  CountRecords(state);
}

void Codecs(benchmark::internal::Benchmark* b) {
  b->ArgName("lz4")->Arg(0)->Arg(1);
}

BENCHMARK(BM_Encode)->Apply(Codecs);
BENCHMARK_TEMPLATE(BM_Iterate, false)->Name("BM_DecodeIterate")->Apply(Codecs);
BENCHMARK_TEMPLATE(BM_Iterate, true)
    ->Name("BM_DecodeForEach_NoCrc")
    ->Apply(Codecs);
BENCHMARK_TEMPLATE(BM_DecodeAll, true)->Name("BM_DecodeAll")->Apply(Codecs);
BENCHMARK_TEMPLATE(BM_DecodeAll, false)
    ->Name("BM_DecodeAll_NoCrc")
    ->Apply(Codecs);

}  // namespace
