// Test helpers for RecordBatch tests: random records, decoding to owned
// records, and re-wrapping a records section into a batch with a valid CRC
// (to reach the decoder's structural checks behind the CRC).
//
// Test-only. Not thread-safe where an rng is passed.
#ifndef RUNNEL_LOG_RECORD_BATCH_TEST_UTIL_H_
#define RUNNEL_LOG_RECORD_BATCH_TEST_UTIL_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace testing {

struct RandomRecordOptions {
  int min_records = 1;
  int max_records = 20;
  // Probability that a field is large (up to max_large_size bytes).
  double large_probability = 0.0;
  size_t max_large_size = size_t{1} << 20;
};

// Random records: null/empty/short/large keys, values and header values,
// 0..3 headers, timestamps around a random base with negative deltas.
std::vector<Record> RandomRecords(std::mt19937_64& rng,
                                  const RandomRecordOptions& options);

// An owned copy of a decoded record.
Record ToRecord(const RecordView& view);

// Decodes `batch` with DecodedBatch and with RecordIterator, checks both
// agree (offsets base+0.., same fields), and returns the records.
absl::StatusOr<std::vector<Record>> DecodeToRecords(
    absl::string_view batch, const DecodeOptions& options = {});

// Recomputes the CRC of an encoded batch in place.
void FixCrc(std::string* batch);

// Returns `batch` with its records section replaced by `section`, the
// attributes by `attributes` and the record count by `record_count`;
// batchLength and CRC are recomputed.
std::string Rewrap(absl::string_view batch, uint16_t attributes,
                   int32_t record_count, absl::string_view section);

}  // namespace testing
}  // namespace runnel

#endif  // RUNNEL_LOG_RECORD_BATCH_TEST_UTIL_H_
