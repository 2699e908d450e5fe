// Exhaustive corruption tests: every single-byte change (all 255 other
// values at every position) and every truncation of a few small batches.
//
// What the decoder can and cannot detect, by header region:
//  - bytes [21, end) are covered by the CRC-32C. A CRC detects every error
//    burst of at most 32 bits, so every single-byte change there is caught.
//  - byte 16 (magic) is outside the CRC but must be 2.
//  - bytes 17..20 (the CRC itself): any change makes it mismatch.
//  - bytes 8..11 (batchLength): the batch is given as exactly its bytes, so
//    any other length is truncated/trailing; inside a longer buffer (a
//    segment), the CRC then covers a different range and mismatches (tested
//    separately below).
//  - bytes 0..7 (baseOffset) and 12..15 (partitionLeaderEpoch) are NOT
//    covered by the CRC — by Kafka's design, because the log assigns them
//    after the producer sealed the batch. A change there cannot be detected
//    by the batch itself unless it makes the base offset negative or the
//    last offset overflow; otherwise the decoder returns exactly the changed
//    value and nothing else differs. (The log layer catches wrong base
//    offsets by checking that offsets increase across batches.)
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "log/big_endian.h"
#include "log/format.h"
#include "log/record_batch_test_util.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace {

struct Sample {
  std::string name;
  std::string batch;
};

std::vector<Record> SmallRecords() {
  std::vector<Record> records(3);
  records[0].timestamp = 1700000000000;
  records[0].key = "k1";
  records[0].value = "value-1";
  records[0].headers = {{"h", std::string("x")}};
  records[1].timestamp = 1699999999000;  // negative delta
  records[1].value = "";
  records[1].headers = {{"n", std::nullopt}};
  records[2].timestamp = 1700000000500;
  records[2].key = "key2";  // null value: tombstone
  return records;
}

std::vector<Sample> Samples() {
  std::vector<Sample> samples;
  RecordBatchOptions options;
  options.base_offset = 1000;
  options.partition_leader_epoch = 3;
  options.producer_id = 77;
  options.producer_epoch = 1;
  options.base_sequence = 10;
  absl::StatusOr<std::string> plain =
      EncodeRecordBatch(options, SmallRecords());
  EXPECT_TRUE(plain.ok());
  samples.push_back({"uncompressed", *plain});
  options.compression = Compression::kLz4;
  absl::StatusOr<std::string> lz4 = EncodeRecordBatch(options, SmallRecords());
  EXPECT_TRUE(lz4.ok());
  samples.push_back({"lz4", *lz4});
  ControlBatchOptions control;
  control.type = ControlRecordType::kAbort;
  control.producer_id = 77;
  control.producer_epoch = 1;
  control.base_offset = 2000;
  control.timestamp = 1700000001000;
  control.coordinator_epoch = 5;
  absl::StatusOr<std::string> marker = EncodeControlBatch(control);
  EXPECT_TRUE(marker.ok());
  samples.push_back({"control", *marker});
  return samples;
}

// Decodes from an exact-size heap copy, so that ASan reports any read
// outside the given bytes.
absl::StatusOr<DecodedBatch> DecodeExact(absl::string_view bytes,
                                         std::unique_ptr<char[]>* storage,
                                         const DecodeOptions& options = {}) {
  storage->reset(new char[bytes.size()]);
  if (!bytes.empty()) std::memcpy(storage->get(), bytes.data(), bytes.size());
  return DecodedBatch::Decode(absl::string_view(storage->get(), bytes.size()),
                              options);
}

std::vector<Record> Owned(const DecodedBatch& batch) {
  std::vector<Record> out;
  for (const RecordView& r : batch.records()) {
    out.push_back(testing::ToRecord(r));
  }
  return out;
}

TEST(RecordBatchCorruptionTest, EverySingleByteChangeIsDetectedOrHarmless) {
  for (const Sample& sample : Samples()) {
    SCOPED_TRACE(sample.name);
    std::unique_ptr<char[]> storage;
    absl::StatusOr<DecodedBatch> original = DecodeExact(sample.batch, &storage);
    ASSERT_TRUE(original.ok()) << original.status();
    const RecordBatchHeader good = original->header();
    const std::vector<Record> good_records = Owned(*original);
    std::unique_ptr<char[]> original_storage = std::move(storage);

    int detected = 0, undetectable = 0;
    for (size_t pos = 0; pos < sample.batch.size(); ++pos) {
      for (int x = 1; x < 256; ++x) {
        std::string bad = sample.batch;
        bad[pos] = static_cast<char>(bad[pos] ^ x);
        absl::StatusOr<DecodedBatch> decoded = DecodeExact(bad, &storage);
        const bool in_base_offset = pos < 8;
        const bool in_leader_epoch = pos >= 12 && pos < 16;
        if (!in_base_offset && !in_leader_epoch) {
          ASSERT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss)
              << "byte " << pos << " ^ " << x << ": " << decoded.status();
          ASSERT_NE(decoded.status().message().find("record batch"),
                    absl::string_view::npos)
              << decoded.status();
          ++detected;
          continue;
        }
        // Outside the CRC: the decoder must return exactly the changed
        // field, or reject an impossible base offset.
        RecordBatchHeader expected = good;
        if (in_base_offset) {
          expected.base_offset =
              static_cast<int64_t>(internal::LoadBigEndian64(bad.data()));
          if (expected.base_offset < 0 ||
              expected.base_offset > std::numeric_limits<int64_t>::max() -
                                         good.last_offset_delta) {
            ASSERT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss)
                << "byte " << pos << " ^ " << x;
            ++detected;
            continue;
          }
        } else {
          expected.partition_leader_epoch =
              static_cast<int32_t>(internal::LoadBigEndian32(bad.data() + 12));
        }
        ASSERT_TRUE(decoded.ok())
            << "byte " << pos << " ^ " << x << ": " << decoded.status();
        ASSERT_EQ(decoded->header(), expected) << "byte " << pos;
        ASSERT_EQ(Owned(*decoded), good_records) << "byte " << pos;
        for (size_t i = 0; i < decoded->records().size(); ++i) {
          ASSERT_EQ(decoded->records()[i].offset,
                    expected.base_offset + original->records()[i].offset -
                        good.base_offset);
        }
        ++undetectable;
      }
    }
    // 12 positions x 255 values cannot be seen by any batch-local check,
    // minus the base offsets that are negative (top bit set: 128 values of
    // byte 0).
    EXPECT_EQ(undetectable, 12 * 255 - 128);
    EXPECT_EQ(detected + undetectable,
              static_cast<int>(sample.batch.size()) * 255);
  }
}

TEST(RecordBatchCorruptionTest, EveryTruncationIsDetected) {
  for (const Sample& sample : Samples()) {
    SCOPED_TRACE(sample.name);
    std::unique_ptr<char[]> storage;
    for (size_t n = 0; n < sample.batch.size(); ++n) {
      absl::StatusOr<DecodedBatch> decoded =
          DecodeExact(absl::string_view(sample.batch).substr(0, n), &storage);
      ASSERT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss)
          << "length " << n;
      // A scanner sees the header as soon as 61 bytes are there.
      EXPECT_EQ(
          ReadBatchHeader(absl::string_view(sample.batch).substr(0, n)).ok(),
          n >= format::kRecordBatchHeaderSize);
    }
    // And one byte too many.
    std::unique_ptr<char[]> longer;
    EXPECT_EQ(DecodeExact(sample.batch + '\0', &longer).status().code(),
              absl::StatusCode::kDataLoss);
  }
}

// Inside a segment the batch length decides where the batch ends; a changed
// length makes the CRC cover a different range, or runs past the data.
TEST(RecordBatchCorruptionTest, BatchLengthChangesInsideASegment) {
  const std::vector<Sample> samples = Samples();
  const std::string segment = samples[0].batch + samples[1].batch;
  for (size_t pos = format::kBatchLengthOffset;
       pos < format::kBatchLengthOffset + 4; ++pos) {
    for (int x = 1; x < 256; ++x) {
      std::string bad = segment;
      bad[pos] = static_cast<char>(bad[pos] ^ x);
      absl::StatusOr<RecordBatchHeader> h = ReadBatchHeader(bad);
      if (!h.ok()) {
        ASSERT_EQ(h.status().code(), absl::StatusCode::kDataLoss);
        continue;
      }
      const absl::string_view slice =
          absl::string_view(bad).substr(0, h->size_bytes());
      absl::StatusOr<RecordBatchView> view = RecordBatchView::Parse(slice);
      ASSERT_EQ(view.status().code(), absl::StatusCode::kDataLoss)
          << "byte " << pos << " ^ " << x;
    }
  }
}

// With the CRC check off (or a CRC recomputed by a buggy writer), the
// structural checks alone must hold: no crash, no over-read (ASan), and a
// successful decode is self-consistent.
TEST(RecordBatchCorruptionTest, StructureChecksAloneNeverMisbehave) {
  DecodeOptions no_crc;
  no_crc.verify_crc = false;
  for (const Sample& sample : Samples()) {
    SCOPED_TRACE(sample.name);
    std::unique_ptr<char[]> storage;
    int accepted = 0;
    for (size_t pos = format::kRecordBatchHeaderSize; pos < sample.batch.size();
         ++pos) {
      for (int x = 1; x < 256; ++x) {
        std::string bad = sample.batch;
        bad[pos] = static_cast<char>(bad[pos] ^ x);
        absl::StatusOr<DecodedBatch> decoded =
            DecodeExact(bad, &storage, no_crc);
        if (!decoded.ok()) {
          ASSERT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss)
              << decoded.status();
          continue;
        }
        ++accepted;
        const RecordBatchHeader& h = decoded->header();
        ASSERT_EQ(decoded->records().size(),
                  static_cast<size_t>(h.record_count));
        int64_t previous = h.base_offset - 1;
        for (const RecordView& r : decoded->records()) {
          ASSERT_GT(r.offset, previous);
          ASSERT_LE(r.offset, h.last_offset());
          previous = r.offset;
        }
      }
    }
    // Some changes (inside key/value bytes) are structurally valid.
    EXPECT_GT(accepted, 0);
  }
}

// What an iterator made of a batch: its records, then its final status.
struct Walk {
  std::vector<Record> records;
  std::string status;
};

Walk WalkWithNext(const RecordBatchView& view) {
  Walk walk;
  RecordIterator it(view);
  RecordView r;
  while (it.Next(&r)) walk.records.push_back(testing::ToRecord(r));
  walk.status = it.status().ToString();
  return walk;
}

Walk WalkWithForEach(const RecordBatchView& view, size_t run) {
  Walk walk;
  RecordIterator it(view);
  while (true) {
    const size_t n = it.ForEach(run, [&](const RecordView& r) {
      walk.records.push_back(testing::ToRecord(r));
    });
    if (n < run) break;
  }
  walk.status = it.status().ToString();
  return walk;
}

// Next, ForEach (in runs of several sizes) and DecodedBatch take the same
// fast and slow paths through the records: on every structural change they
// must return the same records and the same error.
TEST(RecordBatchCorruptionTest, IteratorsAgreeOnEveryStructuralChange) {
  DecodeOptions no_crc;
  no_crc.verify_crc = false;
  for (const Sample& sample : Samples()) {
    SCOPED_TRACE(sample.name);
    std::unique_ptr<char[]> storage;
    int failed = 0;
    for (size_t pos = format::kRecordBatchHeaderSize; pos < sample.batch.size();
         ++pos) {
      for (int x : {0x01, 0x40, 0x7f, 0x80, 0xff}) {
        std::string bad = sample.batch;
        bad[pos] = static_cast<char>(bad[pos] ^ x);
        storage.reset(new char[bad.size()]);
        std::memcpy(storage.get(), bad.data(), bad.size());
        const absl::string_view exact(storage.get(), bad.size());
        absl::StatusOr<RecordBatchView> view =
            RecordBatchView::Parse(exact, no_crc);
        if (!view.ok()) continue;  // the header or the codec: no records
        const Walk one = WalkWithNext(*view);
        for (size_t run : {1, 2, 3, 64}) {
          const Walk many = WalkWithForEach(*view, run);
          ASSERT_EQ(many.records, one.records)
              << "byte " << pos << " run " << run;
          ASSERT_EQ(many.status, one.status) << "byte " << pos;
        }
        absl::StatusOr<DecodedBatch> decoded =
            DecodedBatch::Decode(exact, no_crc);
        ASSERT_EQ(decoded.status().ToString(), one.status) << "byte " << pos;
        if (decoded.ok()) {
          ASSERT_EQ(Owned(*decoded), one.records);
        }
        if (one.status != "OK") ++failed;
      }
    }
    if (sample.name != "lz4") {
      EXPECT_GT(failed, 0);
    }
  }
}

}  // namespace
}  // namespace runnel
