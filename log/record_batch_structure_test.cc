// Copyright 2026 The Runnel Authors.
//
// RecordBatch decoding of batches whose CRC is valid but whose structure
// is not (what the CRC cannot catch: a buggy or hostile writer): record
// counts and lengths, field checks naming their byte positions, header
// checks, sizes and LZ4 sections. Round trips: record_batch_test.cc.
#include <lz4frame.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "log/big_endian.h"
#include "log/crc32c.h"
#include "log/format.h"
#include "log/lz4_codec.h"
#include "log/record_batch_test_util.h"
#include "log/varint.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace {

using testing::FixCrc;
using ::testing::HasSubstr;
using testing::Rewrap;

Record MakeRecord(int64_t ts, std::optional<std::string> key,
                  std::optional<std::string> value) {
  Record r;
  r.timestamp = ts;
  r.key = std::move(key);
  r.value = std::move(value);
  return r;
}

std::string MustEncode(const RecordBatchOptions& options,
                       const std::vector<Record>& records) {
  absl::StatusOr<std::string> batch = EncodeRecordBatch(options, records);
  EXPECT_TRUE(batch.ok()) << batch.status();
  return batch.ok() ? *batch : std::string();
}

// Appends bytes to a hand-built records section.
class SectionWriter {
 public:
  SectionWriter& Varint(int32_t v) {
    internal::AppendVarint(&s_, v);
    return *this;
  }
  SectionWriter& Varlong(int64_t v) {
    internal::AppendVarlong(&s_, v);
    return *this;
  }
  SectionWriter& Raw(absl::string_view bytes) {
    s_.append(bytes.data(), bytes.size());
    return *this;
  }
  SectionWriter& Byte(int b) {
    s_.push_back(static_cast<char>(b));
    return *this;
  }
  // A record with the given body (everything after the length varint).
  SectionWriter& Record(absl::string_view body) {
    return Varint(static_cast<int32_t>(body.size())).Raw(body);
  }
  const std::string& str() const { return s_; }

 private:
  std::string s_;
};

// A record body: attributes 0, ts delta, offset delta, key "k", value "v",
// no headers.
std::string Body(int32_t offset_delta, int64_t ts_delta = 0,
                 absl::string_view key = "k") {
  SectionWriter w;
  w.Byte(0).Varlong(ts_delta).Varint(offset_delta);
  w.Varint(static_cast<int32_t>(key.size())).Raw(key).Varint(1).Raw("v");
  w.Varint(0);
  return w.str();
}

// A batch around a hand-built records section, with a valid CRC.
std::string MakeBatch(int32_t count, int32_t last_offset_delta,
                      absl::string_view section, uint16_t attributes = 0) {
  std::string base = MustEncode({}, {MakeRecord(1000, "k", "v")});
  std::string batch = Rewrap(base, attributes, count, section);
  internal::StoreBigEndian32(&batch[format::kLastOffsetDeltaOffset],
                             static_cast<uint32_t>(last_offset_delta));
  FixCrc(&batch);
  return batch;
}

// An LZ4 frame as Runnel (and Kafka's Java client) writes it.
std::string JavaFrame(absl::string_view input) {
  std::string frame;
  absl::Status s = internal::Lz4FrameCompress(input, &frame);
  EXPECT_TRUE(s.ok()) << s;
  return frame;
}

void ExpectDataLoss(absl::string_view batch, absl::string_view message_part) {
  absl::StatusOr<DecodedBatch> decoded = DecodedBatch::Decode(batch);
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss)
      << decoded.status();
  EXPECT_THAT(std::string(decoded.status().message()),
              HasSubstr(std::string(message_part)));
  // The iterator must fail the same way (or Parse already did).
  absl::StatusOr<RecordBatchView> view = RecordBatchView::Parse(batch);
  if (view.ok()) {
    RecordIterator it(*view);
    RecordView r;
    while (it.Next(&r)) {
    }
    EXPECT_EQ(it.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(std::string(it.status().message()),
                HasSubstr(std::string(message_part)));
  } else {
    EXPECT_EQ(view.status().code(), absl::StatusCode::kDataLoss);
  }
}

// --- Structural errors behind a valid CRC (what the CRC cannot catch: a
// buggy or hostile writer). ---

TEST(RecordBatchStructureTest, RecordCountMustMatch) {
  SectionWriter one;  // big enough to pass the header's count-fits check
  one.Record(Body(0, 0, "a long key"));
  ExpectDataLoss(MakeBatch(2, 1, one.str()),
                 "recordsCount is 2 but the records end after 1");
  SectionWriter two;
  two.Record(Body(0)).Record(Body(1));
  ExpectDataLoss(MakeBatch(1, 1, two.str()),
                 "follow the last of the 1 records");
}

TEST(RecordBatchStructureTest, EmptyBatchesAreValid) {
  // Kafka's cleaner can leave batches without records; they decode to none.
  absl::StatusOr<DecodedBatch> decoded =
      DecodedBatch::Decode(MakeBatch(0, 5, ""));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_TRUE(decoded->records().empty());
  EXPECT_EQ(decoded->header().last_offset(), 5);
}

TEST(RecordBatchStructureTest, RecordLengthMustMatchItsFields) {
  SectionWriter too_long;
  too_long.Varint(20).Raw(Body(0));
  ExpectDataLoss(MakeBatch(1, 0, too_long.str()),
                 "record length 20 is invalid");
  SectionWriter extra;
  extra.Record(Body(0) + "x");
  ExpectDataLoss(MakeBatch(1, 0, extra.str()),
                 "1 unread bytes before the end of the record");
  SectionWriter tiny;
  tiny.Varint(5).Raw(std::string(6, '\0'));  // 7 bytes: passes the count check
  ExpectDataLoss(MakeBatch(1, 0, tiny.str()), "record length 5 is invalid");
  SectionWriter negative;
  negative.Varint(-1).Raw(Body(0));
  ExpectDataLoss(MakeBatch(1, 0, negative.str()),
                 "record length -1 is invalid");
  SectionWriter cut;  // the key runs past the record's end
  cut.Record(
      SectionWriter().Byte(0).Varlong(0).Varint(0).Varint(9).Raw("abc").str() +
      std::string(3, '\0'));
  ExpectDataLoss(MakeBatch(1, 0, cut.str()),
                 "key length 9 exceeds the 6 bytes");
}

TEST(RecordBatchStructureTest, FieldErrorsNameTheirPosition) {
  SectionWriter w;
  w.Record(SectionWriter()
               .Byte(0)
               .Varlong(0)
               .Varint(0)
               .Varint(-2)
               .Raw("k")
               .Varint(1)
               .Raw("v")
               .Varint(0)
               .str());
  // length(1) attributes(1) tsDelta(1) offsetDelta(1): the key length is at
  // byte 61 + 4 = 65.
  ExpectDataLoss(MakeBatch(1, 0, w.str()),
                 "record batch at base offset 0: record 0 at byte 65: key "
                 "length -2 is invalid");
}

TEST(RecordBatchStructureTest, FieldChecks) {
  struct Case {
    const char* name;
    std::string body;
    const char* message;
  };
  const Case cases[] = {
      {"attributes", SectionWriter().Byte(1).Raw(Body(0).substr(1)).str(),
       "record attributes are 1"},
      {"value too long",
       SectionWriter()
           .Byte(0)
           .Varlong(0)
           .Varint(0)
           .Varint(-1)
           .Varint(50)
           .Raw("v")
           .Varint(0)
           .str(),
       "value length 50 exceeds"},
      {"header count negative",
       SectionWriter()
           .Byte(0)
           .Varlong(0)
           .Varint(0)
           .Varint(-1)
           .Varint(-1)
           .Varint(-1)
           .str(),
       "header count -1 is invalid"},
      {"header count too large",
       SectionWriter()
           .Byte(0)
           .Varlong(0)
           .Varint(0)
           .Varint(-1)
           .Varint(-1)
           .Varint(3)
           .Varint(0)
           .Varint(-1)
           .str(),
       "header count 3 is invalid"},
      {"null header key",
       SectionWriter()
           .Byte(0)
           .Varlong(0)
           .Varint(0)
           .Varint(-1)
           .Varint(-1)
           .Varint(1)
           .Varint(-1)
           .Varint(-1)
           .str(),
       "header key length -1 is invalid"},
      {"non-canonical varint",
       SectionWriter()
           .Byte(0)
           .Varlong(0)
           .Byte(0x80)
           .Byte(0x00)
           .Varint(-1)
           .Varint(-1)
           .Varint(0)
           .str(),
       "offset delta: non-canonical"},
      {"truncated varint at record end",
       SectionWriter()
           .Byte(0)
           .Varlong(0)
           .Varint(0)
           .Varint(-1)
           .Varint(-1)
           .Byte(0x80)
           .str(),
       "header count: truncated varint"},
      {"offset delta beyond lastOffsetDelta",
       SectionWriter().Raw(Body(3)).str(), "offset delta 3 is not in"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    SectionWriter w;
    w.Record(c.body);
    ExpectDataLoss(MakeBatch(1, 0, w.str()), c.message);
  }
  SectionWriter repeated;
  repeated.Record(Body(0)).Record(Body(0));
  ExpectDataLoss(MakeBatch(2, 1, repeated.str()), "offset delta 0 is not in");
  SectionWriter cut_length;
  cut_length.Byte(0x80);
  ExpectDataLoss(MakeBatch(0, 0, cut_length.str()), "follow the last of the 0");
  ExpectDataLoss(MakeBatch(1, 0, std::string(7, '\x80')),
                 "record length: varint too long");
}

TEST(RecordBatchStructureTest, TimestampOverflow) {
  SectionWriter w;
  w.Record(Body(0, std::numeric_limits<int64_t>::max()));
  std::string batch = MakeBatch(1, 0, w.str());
  internal::StoreBigEndian64(&batch[format::kBaseTimestampOffset], 10);
  FixCrc(&batch);
  ExpectDataLoss(batch, "overflows base timestamp 10");
}

TEST(RecordBatchStructureTest, HeaderChecks) {
  SectionWriter w;
  w.Record(Body(0));
  // lastOffsetDelta 10 (as after compaction), so that the count and
  // overflow checks below are reached.
  const std::string good = MakeBatch(1, 10, w.str());
  ASSERT_TRUE(DecodedBatch::Decode(good).ok());
  struct Case {
    const char* name;
    size_t offset;
    std::string bytes;
    const char* message;
  };
  const Case cases[] = {
      {"magic 1", 16, "\x01", "magic byte 1 at byte 16"},
      {"magic 3", 16, "\x03", "magic byte 3"},
      {"batchLength 48", 8, std::string("\0\0\0\x30", 4), "batchLength 48"},
      {"batchLength negative", 8, "\xff\xff\xff\xff", "batchLength -1"},
      {"reserved attribute bit", 21, std::string("\0\x80", 2),
       "reserved attribute bits set in 0x0080"},
      {"high attribute bit", 21, std::string("\x80\0", 2),
       "reserved attribute"},
      {"codec 5", 21, std::string("\0\x05", 2), "invalid compression codec 5"},
      {"codec 7", 21, std::string("\0\x07", 2), "invalid compression codec 7"},
      {"negative base offset", 0, "\x80", "negative base offset"},
      {"negative count", 57, "\xff\xff\xff\xfe", "negative recordsCount -2"},
      {"negative lastOffsetDelta", 23, "\xff\xff\xff\xff",
       "lastOffsetDelta -1"},
      {"count too big for the bytes", 57, std::string("\0\0\0\x02", 4),
       "recordsCount 2 at byte 57 cannot fit"},
      {"last offset overflows", 0, "\x7f\xff\xff\xff\xff\xff\xff\xff",
       "last offset overflows"},
      {"crc", 17, "\x12", "CRC mismatch"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::string bad = good;
    bad.replace(c.offset, c.bytes.size(), c.bytes);
    if (c.offset >= format::kCrcCoverageStart) FixCrc(&bad);
    ExpectDataLoss(bad, c.message);
  }
  // INT64_MAX is a valid base offset when it is also the last offset.
  std::string last = MakeBatch(1, 0, w.str());
  ASSERT_TRUE(
      SetBaseOffset(absl::MakeSpan(last), std::numeric_limits<int64_t>::max())
          .ok());
  absl::StatusOr<DecodedBatch> decoded = DecodedBatch::Decode(last);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->records()[0].offset, std::numeric_limits<int64_t>::max());
  // lastOffsetDelta smaller than recordsCount - 1.
  SectionWriter two;
  two.Record(Body(0)).Record(Body(1));
  ExpectDataLoss(MakeBatch(2, 0, two.str()),
                 "lastOffsetDelta 0 at byte 23 is invalid for recordsCount 2");
}

TEST(RecordBatchStructureTest, SizeMustMatchBatchLength) {
  const std::string good = MustEncode({}, {MakeRecord(1, "k", "v")});
  ExpectDataLoss(good + "x", "1 trailing bytes after the batch");
  ExpectDataLoss(good.substr(0, good.size() - 1), "truncated: batchLength");
  ExpectDataLoss(good.substr(0, 60), "record batch header truncated: 60 bytes");
  EXPECT_EQ(VerifyBatchCrc(good + "x").code(), absl::StatusCode::kDataLoss);
}

TEST(RecordBatchStructureTest, Lz4SectionErrors) {
  SectionWriter w;
  w.Record(Body(0));
  std::string frame = JavaFrame(w.str());
  const uint16_t lz4 = static_cast<uint16_t>(Compression::kLz4);
  ASSERT_TRUE(DecodedBatch::Decode(MakeBatch(1, 0, frame, lz4)).ok());
  ExpectDataLoss(MakeBatch(1, 0, frame + "xyz", lz4),
                 "3 trailing bytes after the frame");
  ExpectDataLoss(MakeBatch(1, 0, frame.substr(0, frame.size() - 1), lz4),
                 "LZ4 frame: truncated");
  ExpectDataLoss(MakeBatch(1, 0, "not a frame", lz4), "LZ4 frame:");
  ExpectDataLoss(MakeBatch(3, 2, frame, lz4),
                 "recordsCount 3 cannot fit in the 9 decompressed bytes");
  SectionWriter bad;
  bad.Record(SectionWriter().Byte(0).Varlong(0).Varint(0).Varint(-3).str() +
             "abcd");
  frame = JavaFrame(bad.str());
  ExpectDataLoss(MakeBatch(1, 0, frame, lz4),
                 "record 0 at byte 4 of the decompressed records: key length "
                 "-3 is invalid");
}
}  // namespace
}  // namespace runnel
