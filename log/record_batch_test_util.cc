#include "log/record_batch_test_util.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace runnel {
namespace testing {
namespace {

void StoreBE32(char* p, uint32_t v) {
  for (int i = 3; i >= 0; --i, v >>= 8) p[i] = static_cast<char>(v & 0xff);
}
void StoreBE16(char* p, uint16_t v) {
  p[0] = static_cast<char>(v >> 8);
  p[1] = static_cast<char>(v & 0xff);
}

// CRC-32C, bit by bit: an implementation independent of log/crc32c.cc.
uint32_t SlowCrc32c(absl::string_view data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : data) {
    crc ^= c;
    for (int k = 0; k < 8; ++k)
      crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
  }
  return ~crc;
}

std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i += 8) {  // 8 bytes per draw
    const uint64_t word = rng();
    std::memcpy(&s[i], &word, std::min<size_t>(8, n - i));
  }
  return s;
}

std::optional<std::string> RandomField(std::mt19937_64& rng,
                                       const RandomRecordOptions& options) {
  std::uniform_real_distribution<double> u(0, 1);
  const double r = u(rng);
  if (r < 0.15) return std::nullopt;
  if (r < 0.25) return std::string();
  if (u(rng) < options.large_probability) {
    return RandomBytes(rng, std::uniform_int_distribution<size_t>(
                                0, options.max_large_size)(rng));
  }
  return RandomBytes(rng, std::uniform_int_distribution<size_t>(1, 200)(rng));
}

}  // namespace

std::vector<Record> RandomRecords(std::mt19937_64& rng,
                                  const RandomRecordOptions& options) {
  const int n = std::uniform_int_distribution<int>(options.min_records,
                                                   options.max_records)(rng);
  const int64_t base =
      std::uniform_int_distribution<int64_t>(0, int64_t{1} << 42)(rng);
  std::vector<Record> records(static_cast<size_t>(n));
  for (Record& r : records) {
    // Deltas in both directions; occasionally no timestamp at all.
    r.timestamp = (rng() % 16 == 0)
                      ? -1
                      : base + std::uniform_int_distribution<int64_t>(
                                   -100000, 100000)(rng);
    r.key = RandomField(rng, options);
    r.value = RandomField(rng, options);
    const int headers = static_cast<int>(rng() % 4);
    for (int i = 0; i < headers; ++i) {
      RecordHeader h;
      h.key = RandomBytes(rng, rng() % 12);
      h.value = RandomField(rng, RandomRecordOptions{});
      r.headers.push_back(std::move(h));
    }
  }
  return records;
}

Record ToRecord(const RecordView& view) {
  Record r;
  r.timestamp = view.timestamp;
  if (view.key) r.key = std::string(*view.key);
  if (view.value) r.value = std::string(*view.value);
  for (const RecordHeaderView& h : view.headers) {
    RecordHeader owned;
    owned.key = std::string(h.key);
    if (h.value) owned.value = std::string(*h.value);
    r.headers.push_back(std::move(owned));
  }
  return r;
}

absl::StatusOr<std::vector<Record>> DecodeToRecords(
    absl::string_view batch, const DecodeOptions& options) {
  absl::StatusOr<DecodedBatch> decoded = DecodedBatch::Decode(batch, options);
  if (!decoded.ok()) return decoded.status();
  std::vector<Record> out;
  const RecordBatchHeader& h = decoded->header();
  for (const RecordView& view : decoded->records()) {
    out.push_back(ToRecord(view));
  }
  // The iterator must agree with DecodedBatch exactly.
  absl::StatusOr<RecordBatchView> view = RecordBatchView::Parse(batch, options);
  if (!view.ok()) return view.status();
  RecordIterator it(*view);
  RecordView record;
  size_t i = 0;
  while (it.Next(&record)) {
    if (i >= out.size() || !(ToRecord(record) == out[i]) ||
        record.offset != decoded->records()[i].offset) {
      return absl::InternalError(
          absl::StrCat("iterator and DecodedBatch differ at record ", i));
    }
    ++i;
  }
  if (!it.status().ok()) return it.status();
  if (i != out.size() || static_cast<int32_t>(i) != h.record_count) {
    return absl::InternalError("iterator and DecodedBatch counts differ");
  }
  return out;
}

void FixCrc(std::string* batch) {
  StoreBE32(&(*batch)[17], SlowCrc32c(absl::string_view(*batch).substr(21)));
}

std::string Rewrap(absl::string_view batch, uint16_t attributes,
                   int32_t record_count, absl::string_view section) {
  std::string out(batch.substr(0, 61));
  out.append(section.data(), section.size());
  StoreBE32(&out[8], static_cast<uint32_t>(out.size() - 12));
  StoreBE16(&out[21], attributes);
  StoreBE32(&out[57], static_cast<uint32_t>(record_count));
  FixCrc(&out);
  return out;
}

}  // namespace testing
}  // namespace runnel
