// libFuzzer target for the RecordBatch decoder (and, through re-encoding,
// the encoder). The input is treated both as one batch and as a segment of
// back-to-back batches.
//
// Random mutations almost never keep a valid CRC-32C, so every input is
// decoded twice: with the CRC check (the production path) and without it, so
// that the structural checks behind the CRC get fuzzed too. Invariants
// checked (a violation aborts, which the fuzzer reports as a crash):
//  - a batch accepted with the CRC check is accepted identically without it;
//  - decoded records are self-consistent (count, increasing offsets);
//  - re-encoding a decoded batch and decoding that gives the same records;
//  - for a canonical uncompressed batch (what Runnel/Kafka's producer
//    writes) the re-encoded bytes equal the input, CRC field aside.
//
// Built two ways (log/fuzz/BUILD): with libFuzzer under --config=fuzz
// (tools/fuzz.sh), and linked with replay_main.cc as a regular test that
// runs every file in log/fuzz/corpus/.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace {

void Check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "record_batch_fuzzer invariant violated: %s\n", what);
    std::abort();
  }
}

bool SameRecords(absl::Span<const RecordView> a, absl::Span<const RecordView> b,
                 bool compare_offsets) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (compare_offsets && a[i].offset != b[i].offset) return false;
    if (a[i].timestamp != b[i].timestamp || a[i].key != b[i].key ||
        a[i].value != b[i].value ||
        a[i].headers.size() != b[i].headers.size()) {
      return false;
    }
    for (size_t j = 0; j < a[i].headers.size(); ++j) {
      if (a[i].headers[j].key != b[i].headers[j].key ||
          a[i].headers[j].value != b[i].headers[j].value) {
        return false;
      }
    }
  }
  return true;
}

// True if re-encoding must reproduce the input bytes exactly: the shape
// RecordBatchBuilder writes.
bool IsCanonical(const DecodedBatch& batch) {
  const RecordBatchHeader& h = batch.header();
  if (h.compression != Compression::kNone || h.record_count == 0 ||
      h.timestamp_type != TimestampType::kCreateTime ||
      h.last_offset_delta != h.record_count - 1) {
    return false;
  }
  const auto records = batch.records();
  if (!h.has_delete_horizon && h.base_timestamp != records[0].timestamp) {
    return false;
  }
  int64_t max_ts = -1;
  for (size_t i = 0; i < records.size(); ++i) {
    if (records[i].offset != h.base_offset + static_cast<int64_t>(i)) {
      return false;
    }
    if (records[i].timestamp < -1) return false;
    if (records[i].timestamp > max_ts) max_ts = records[i].timestamp;
  }
  return h.max_timestamp == max_ts;
}

void ReEncode(const DecodedBatch& batch, absl::string_view input) {
  const RecordBatchHeader& h = batch.header();
  if (h.record_count == 0 || h.timestamp_type != TimestampType::kCreateTime) {
    return;  // the builder cannot express these shapes
  }
  RecordBatchOptions options;
  options.base_offset = h.base_offset;
  options.partition_leader_epoch = h.partition_leader_epoch;
  options.compression = h.compression;
  options.is_transactional = h.is_transactional;
  options.is_control = h.is_control;
  if (h.has_delete_horizon) options.delete_horizon_ms = h.base_timestamp;
  options.producer_id = h.producer_id;
  options.producer_epoch = h.producer_epoch;
  options.base_sequence = h.base_sequence;
  std::string out;
  {
    RecordBatchBuilder builder(options, &out);
    for (const RecordView& r : batch.records()) {
      if (!builder.Append(r.timestamp, r.key, r.value, r.headers).ok()) {
        return;  // e.g. timestamp < -1 or a delta overflow: not encodable
      }
    }
    absl::StatusOr<RecordBatchHeader> written = builder.Finish();
    Check(written.ok(), "Finish failed on decoded records");
  }
  absl::StatusOr<DecodedBatch> again = DecodedBatch::Decode(out);
  Check(again.ok(), "re-encoded batch does not decode");
  // Offsets are renumbered 0..n-1 by the builder, so compare them only when
  // the input had no gaps.
  const bool dense = h.last_offset_delta == h.record_count - 1;
  Check(SameRecords(batch.records(), again->records(), dense),
        "re-encoded batch decodes to different records");
  if (IsCanonical(batch)) {
    Check(out.size() == input.size(), "canonical re-encoding size differs");
    // Everything but the CRC field (the input's may be wrong when it was
    // decoded with the check off).
    Check(absl::string_view(out).substr(0, 17) == input.substr(0, 17) &&
              absl::string_view(out).substr(21) == input.substr(21),
          "canonical re-encoding bytes differ");
  }
}

void DecodeOne(absl::string_view bytes) {
  DecodeOptions checked;
  checked.max_decompressed_bytes = size_t{4} << 20;  // keep iterations fast
  DecodeOptions unchecked = checked;
  unchecked.verify_crc = false;

  absl::StatusOr<DecodedBatch> with_crc = DecodedBatch::Decode(bytes, checked);
  absl::StatusOr<DecodedBatch> without = DecodedBatch::Decode(bytes, unchecked);
  if (with_crc.ok()) {
    Check(without.ok(), "accepted with CRC check but not without");
    Check(with_crc->header() == without->header() &&
              SameRecords(with_crc->records(), without->records(), true),
          "CRC check changes the decoded result");
  }
  if (!without.ok()) return;
  const RecordBatchHeader& h = without->header();
  Check(without->records().size() == static_cast<size_t>(h.record_count),
        "record count");
  int64_t previous = h.base_offset - 1;
  for (const RecordView& r : without->records()) {
    Check(r.offset > previous && r.offset <= h.last_offset(), "offsets");
    previous = r.offset;
    if (h.is_control) (void)ParseControlRecord(r);
  }
  // The iterator must agree with DecodedBatch.
  absl::StatusOr<RecordBatchView> view =
      RecordBatchView::Parse(bytes, unchecked);
  Check(view.ok(), "Parse fails where Decode succeeded");
  RecordIterator it(*view);
  RecordView record;
  size_t i = 0;
  while (it.Next(&record)) {
    Check(i < without->records().size() &&
              SameRecords(absl::MakeConstSpan(&record, 1),
                          without->records().subspan(i, 1), true),
          "iterator differs from DecodedBatch");
    ++i;
  }
  Check(it.status().ok() && i == without->records().size(),
        "iterator fails where DecodedBatch succeeded");
  ReEncode(*without, bytes);
}

}  // namespace
}  // namespace runnel

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  runnel::DecodeOne(input);
  // As a segment: batch after batch, as a log reader scans.
  size_t pos = 0;
  while (pos < input.size()) {
    absl::StatusOr<runnel::RecordBatchHeader> h =
        runnel::ReadBatchHeader(input.substr(pos));
    if (!h.ok() || h->size_bytes() > input.size() - pos) break;
    if (pos > 0) runnel::DecodeOne(input.substr(pos, h->size_bytes()));
    pos += h->size_bytes();
  }
  return 0;
}
