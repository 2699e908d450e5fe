// Copyright 2026 The Runnel Authors.
#include "runnel/replica_messages.h"

#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/test_util.h"

namespace runnel {
namespace {

using ::runnel::testing::IsOkAndHolds;
using ::runnel::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr int32_t kMin32 = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax32 = std::numeric_limits<int32_t>::max();
constexpr int64_t kMin64 = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax64 = std::numeric_limits<int64_t>::max();

// Hex with spaces allowed, for readable golden vectors.
std::string Bytes(absl::string_view hex) {
  std::string compact;
  for (char c : hex) {
    if (c != ' ') compact.push_back(c);
  }
  return absl::HexStringToBytes(compact);
}

// ---- Sample messages
// ---------------------------------------------------------

ReplicaFetchRequest SampleFetchRequest() {
  ReplicaFetchRequest r;
  r.correlation_id = 0x01020304;
  r.replica_id = 2;
  r.max_wait_ms = 500;
  r.min_bytes = 1;
  r.max_bytes = 10 << 20;
  ReplicaFetchPartition p;
  p.topic = "ab";
  p.partition = 3;
  p.current_leader_epoch = 5;
  p.fetch_offset = 0x0102030405060708;
  p.last_fetched_epoch = 4;
  p.log_start_offset = -1;
  p.partition_max_bytes = 1 << 20;
  r.partitions.push_back(p);
  return r;
}

const char kFetchRequestHex[] =
    "0001 0000 00 01020304"                // header
    "00000002 000001f4 00000001 00a00000"  // replica, wait, min, max
    "00000001"                             // one partition
    "0002 6162 00000003 00000005"          // "ab", 3, epoch 5
    "0102030405060708 00000004"            // fetch offset, last epoch
    "ffffffffffffffff 00100000";           // log start -1, 1 MiB

ReplicaFetchResponse SampleFetchResponse() {
  ReplicaFetchResponse r;
  r.correlation_id = 9;
  ReplicaFetchPartitionData a;
  a.topic = "t";
  a.partition = 0;
  a.error_code = kErrorFencedLeaderEpoch;
  a.high_watermark = 100;
  a.log_start_offset = 0;
  a.log_end_offset = 120;
  a.diverging_epoch = EpochEndOffset{3, 90};
  a.leader_epoch = 6;
  a.records = "xyz";
  ReplicaFetchPartitionData b;
  b.topic = "u";
  b.partition = 1;
  r.partitions = {a, b};
  return r;
}

const char kFetchResponseHex[] =
    "0001 0000 01 00000009"              // header
    "00000002"                           // two partitions
    "0001 74 00000000 004a"              // "t", 0, FENCED_LEADER_EPOCH
    "0000000000000064 0000000000000000"  // hw 100, log start 0
    "0000000000000078"                   // log end 120
    "01 00000003 000000000000005a"       // diverging {3, 90}
    "00000006 00000003 78797a"           // leader epoch 6, "xyz"
    "0001 75 00000001 0000"              // "u", 1, NONE
    "ffffffffffffffff ffffffffffffffff"  // hw -1, log start -1
    "ffffffffffffffff"                   // log end -1
    "ff"                                 // no diverging epoch
    "ffffffff 00000000";                 // epoch -1, no records

OffsetsForLeaderEpochRequest SampleEpochRequest() {
  OffsetsForLeaderEpochRequest r;
  r.correlation_id = 7;
  r.replica_id = 2;
  OffsetsForLeaderEpochPartition p;
  p.topic = "t";
  p.partition = 0;
  p.current_leader_epoch = 5;
  p.leader_epoch = 4;
  r.partitions.push_back(p);
  return r;
}

// The example of the header comment.
const char kEpochRequestHex[] =
    "0017 0000 00 00000007"
    "00000002 00000001"
    "0001 74 00000000"
    "00000005 00000004";

OffsetsForLeaderEpochResponse SampleEpochResponse() {
  OffsetsForLeaderEpochResponse r;
  r.correlation_id = 7;
  OffsetsForLeaderEpochPartitionResult p;
  p.topic = "t";
  p.partition = 0;
  p.error_code = kErrorNone;
  p.leader_epoch = 4;
  p.end_offset = 1200;
  r.partitions.push_back(p);
  return r;
}

const char kEpochResponseHex[] =
    "0017 0000 01 00000007"
    "00000001"
    "0001 74 00000000 0000"
    "00000004 00000000000004b0";

// One codec under test, type-erased so the bad-input sweeps run over all.
struct Codec {
  std::string name;
  std::string valid;  // a valid encoding
  std::function<absl::Status(absl::string_view)> decode;
  // Decodes, re-encodes and returns the bytes (or the decode error).
  std::function<absl::StatusOr<std::string>(absl::string_view)> reencode;
};

template <typename T>
Codec MakeCodec(std::string name, std::string valid,
                absl::StatusOr<T> (*decode)(absl::string_view),
                absl::StatusOr<std::string> (*encode)(const T&)) {
  Codec c;
  c.name = std::move(name);
  c.valid = std::move(valid);
  c.decode = [decode](absl::string_view b) { return decode(b).status(); };
  c.reencode = [decode,
                encode](absl::string_view b) -> absl::StatusOr<std::string> {
    absl::StatusOr<T> m = decode(b);
    if (!m.ok()) return m.status();
    return encode(*m);
  };
  return c;
}

std::vector<Codec> AllCodecs() {
  return {MakeCodec<ReplicaFetchRequest>(
              "ReplicaFetchRequest", Bytes(kFetchRequestHex),
              &DecodeReplicaFetchRequest, &EncodeReplicaFetchRequest),
          MakeCodec<ReplicaFetchResponse>(
              "ReplicaFetchResponse", Bytes(kFetchResponseHex),
              &DecodeReplicaFetchResponse, &EncodeReplicaFetchResponse),
          MakeCodec<OffsetsForLeaderEpochRequest>(
              "OffsetsForLeaderEpochRequest", Bytes(kEpochRequestHex),
              &DecodeOffsetsForLeaderEpochRequest,
              &EncodeOffsetsForLeaderEpochRequest),
          MakeCodec<OffsetsForLeaderEpochResponse>(
              "OffsetsForLeaderEpochResponse", Bytes(kEpochResponseHex),
              &DecodeOffsetsForLeaderEpochResponse,
              &EncodeOffsetsForLeaderEpochResponse)};
}

// ---- Golden bytes
// ------------------------------------------------------------

TEST(ReplicaMessagesTest, FetchRequestBytes) {
  EXPECT_THAT(EncodeReplicaFetchRequest(SampleFetchRequest()),
              IsOkAndHolds(Bytes(kFetchRequestHex)));
  EXPECT_THAT(DecodeReplicaFetchRequest(Bytes(kFetchRequestHex)),
              IsOkAndHolds(SampleFetchRequest()));
}

TEST(ReplicaMessagesTest, FetchResponseBytes) {
  EXPECT_THAT(EncodeReplicaFetchResponse(SampleFetchResponse()),
              IsOkAndHolds(Bytes(kFetchResponseHex)));
  EXPECT_THAT(DecodeReplicaFetchResponse(Bytes(kFetchResponseHex)),
              IsOkAndHolds(SampleFetchResponse()));
}

TEST(ReplicaMessagesTest, OffsetsForLeaderEpochRequestBytes) {
  EXPECT_THAT(EncodeOffsetsForLeaderEpochRequest(SampleEpochRequest()),
              IsOkAndHolds(Bytes(kEpochRequestHex)));
  EXPECT_THAT(DecodeOffsetsForLeaderEpochRequest(Bytes(kEpochRequestHex)),
              IsOkAndHolds(SampleEpochRequest()));
}

TEST(ReplicaMessagesTest, OffsetsForLeaderEpochResponseBytes) {
  EXPECT_THAT(EncodeOffsetsForLeaderEpochResponse(SampleEpochResponse()),
              IsOkAndHolds(Bytes(kEpochResponseHex)));
  EXPECT_THAT(DecodeOffsetsForLeaderEpochResponse(Bytes(kEpochResponseHex)),
              IsOkAndHolds(SampleEpochResponse()));
}

// ---- Round trips
// -------------------------------------------------------------

TEST(ReplicaMessagesTest, FetchRequestRoundTripsExtremes) {
  ReplicaFetchRequest r;
  r.correlation_id = kMin32;
  r.replica_id = kMax32;
  r.max_wait_ms = kMin32;
  r.min_bytes = 0;
  r.max_bytes = kMax32;
  for (int i = 0; i < 5; ++i) {
    ReplicaFetchPartition p;
    p.topic = i == 0 ? "" : std::string(static_cast<size_t>(i) * 50, 'x');
    p.partition = i % 2 == 0 ? kMin32 : kMax32;
    p.current_leader_epoch = -i;
    p.fetch_offset = i % 2 == 0 ? kMin64 : kMax64;
    p.last_fetched_epoch = kMax32 - i;
    p.log_start_offset = kMin64 + i;
    p.partition_max_bytes = i;
    r.partitions.push_back(p);
  }
  r.partitions[4].topic = std::string(32767, 't');  // the longest string
  ASSERT_OK_AND_ASSIGN(const std::string bytes, EncodeReplicaFetchRequest(r));
  EXPECT_THAT(DecodeReplicaFetchRequest(bytes), IsOkAndHolds(r));

  r.partitions.clear();  // an empty array
  ASSERT_OK_AND_ASSIGN(const std::string empty, EncodeReplicaFetchRequest(r));
  EXPECT_EQ(empty.size(), kReplicaMessageHeaderSize + 20);
  EXPECT_THAT(DecodeReplicaFetchRequest(empty), IsOkAndHolds(r));
}

TEST(ReplicaMessagesTest, FetchResponseRoundTripsBigRecordsAndNullEpoch) {
  ReplicaFetchResponse r;
  r.correlation_id = -5;
  ReplicaFetchPartitionData big;
  big.topic = "orders";
  big.partition = 7;
  big.error_code = kErrorNone;
  big.high_watermark = kMax64;
  big.log_start_offset = kMin64;
  big.log_end_offset = 0;
  big.leader_epoch = kMax32;
  big.records.resize(3 << 20);
  for (size_t i = 0; i < big.records.size(); ++i) {
    big.records[i] = static_cast<char>(i * 131 + (i >> 9));
  }
  ReplicaFetchPartitionData diverged;
  diverged.topic = "orders";
  diverged.partition = 8;
  diverged.error_code = kErrorUnknownServerError;
  diverged.diverging_epoch = EpochEndOffset{kUndefinedEpoch, kMin64};
  r.partitions = {big, diverged, ReplicaFetchPartitionData()};
  ASSERT_OK_AND_ASSIGN(const std::string bytes, EncodeReplicaFetchResponse(r));
  EXPECT_THAT(DecodeReplicaFetchResponse(bytes), IsOkAndHolds(r));
  // (-1, x) present is not the same as absent.
  ASSERT_OK_AND_ASSIGN(ReplicaFetchResponse back,
                       DecodeReplicaFetchResponse(bytes));
  EXPECT_TRUE(back.partitions[1].diverging_epoch.has_value());
  EXPECT_FALSE(back.partitions[2].diverging_epoch.has_value());

  r.partitions.clear();
  ASSERT_OK_AND_ASSIGN(const std::string empty, EncodeReplicaFetchResponse(r));
  EXPECT_THAT(DecodeReplicaFetchResponse(empty), IsOkAndHolds(r));
}

TEST(ReplicaMessagesTest, OffsetsForLeaderEpochRoundTrips) {
  OffsetsForLeaderEpochRequest request;
  request.correlation_id = kMax32;
  request.replica_id = -1;
  for (int i = 0; i < 100; ++i) {
    OffsetsForLeaderEpochPartition p;
    p.topic = absl::StrCat("topic-", i % 7);
    p.partition = i;
    p.current_leader_epoch = i * 3;
    p.leader_epoch = i == 0 ? kUndefinedEpoch : i;
    request.partitions.push_back(p);
  }
  ASSERT_OK_AND_ASSIGN(const std::string req_bytes,
                       EncodeOffsetsForLeaderEpochRequest(request));
  EXPECT_THAT(DecodeOffsetsForLeaderEpochRequest(req_bytes),
              IsOkAndHolds(request));

  OffsetsForLeaderEpochResponse response;
  response.correlation_id = kMin32;
  for (int i = 0; i < 100; ++i) {
    OffsetsForLeaderEpochPartitionResult p;
    p.topic = absl::StrCat("topic-", i % 7);
    p.partition = i;
    p.error_code = static_cast<int16_t>(i % 2 == 0 ? kErrorNone : -i);
    p.leader_epoch = i - 1;
    p.end_offset = i == 0 ? kUndefinedEpochOffset : kMax64 - i;
    response.partitions.push_back(p);
  }
  ASSERT_OK_AND_ASSIGN(const std::string resp_bytes,
                       EncodeOffsetsForLeaderEpochResponse(response));
  EXPECT_THAT(DecodeOffsetsForLeaderEpochResponse(resp_bytes),
              IsOkAndHolds(response));

  request.partitions.clear();
  response.partitions.clear();
  ASSERT_OK_AND_ASSIGN(const std::string a,
                       EncodeOffsetsForLeaderEpochRequest(request));
  ASSERT_OK_AND_ASSIGN(const std::string b,
                       EncodeOffsetsForLeaderEpochResponse(response));
  EXPECT_THAT(DecodeOffsetsForLeaderEpochRequest(a), IsOkAndHolds(request));
  EXPECT_THAT(DecodeOffsetsForLeaderEpochResponse(b), IsOkAndHolds(response));
}

// ---- Header
// --------------------------------------------------------------------

TEST(ReplicaMessagesTest, PeekDispatchesEveryMessage) {
  struct Case {
    const char* hex;
    int16_t api_key;
    ReplicaMessageKind kind;
    int32_t correlation_id;
  };
  for (const Case& c :
       {Case{kFetchRequestHex, kApiKeyFetch, ReplicaMessageKind::kRequest,
             0x01020304},
        Case{kFetchResponseHex, kApiKeyFetch, ReplicaMessageKind::kResponse, 9},
        Case{kEpochRequestHex, kApiKeyOffsetForLeaderEpoch,
             ReplicaMessageKind::kRequest, 7},
        Case{kEpochResponseHex, kApiKeyOffsetForLeaderEpoch,
             ReplicaMessageKind::kResponse, 7}}) {
    ASSERT_OK_AND_ASSIGN(ReplicaMessageHeader h,
                         PeekReplicaMessageHeader(Bytes(c.hex)));
    EXPECT_EQ(h.api_key, c.api_key);
    EXPECT_EQ(h.api_version, 0);
    EXPECT_EQ(h.kind, c.kind);
    EXPECT_EQ(h.correlation_id, c.correlation_id);
  }
}

TEST(ReplicaMessagesTest, PeekRejectsShortUnknownAndBadKind) {
  const std::string valid = Bytes(kEpochRequestHex);
  for (size_t n = 0; n < kReplicaMessageHeaderSize; ++n) {
    EXPECT_THAT(
        PeekReplicaMessageHeader(valid.substr(0, n)).status(),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("truncated")))
        << n;
  }
  EXPECT_THAT(PeekReplicaMessageHeader(Bytes("0012 0000 00 00000001")).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("api_key at byte 0"),
                             HasSubstr("unknown api key 18"))));
  EXPECT_THAT(PeekReplicaMessageHeader(Bytes("0001 0000 02 00000001")).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("kind at byte 4"),
                             HasSubstr("unknown kind 2"))));
  // A version this library cannot decode still peeks, so a host can answer
  // UNSUPPORTED_VERSION.
  ASSERT_OK_AND_ASSIGN(
      ReplicaMessageHeader h,
      PeekReplicaMessageHeader(Bytes("0017 0003 01 ffffffff")));
  EXPECT_EQ(h.api_version, 3);
  EXPECT_EQ(h.correlation_id, -1);
}

TEST(ReplicaMessagesTest, ErrorNamesAreKafkas) {
  EXPECT_EQ(ReplicaErrorName(kErrorNone), "NONE");
  EXPECT_EQ(ReplicaErrorName(1), "OFFSET_OUT_OF_RANGE");
  EXPECT_EQ(ReplicaErrorName(3), "UNKNOWN_TOPIC_OR_PARTITION");
  EXPECT_EQ(ReplicaErrorName(6), "NOT_LEADER_OR_FOLLOWER");
  EXPECT_EQ(ReplicaErrorName(19), "NOT_ENOUGH_REPLICAS");
  EXPECT_EQ(ReplicaErrorName(56), "KAFKA_STORAGE_ERROR");
  EXPECT_EQ(ReplicaErrorName(74), "FENCED_LEADER_EPOCH");
  EXPECT_EQ(ReplicaErrorName(75), "UNKNOWN_LEADER_EPOCH");
  EXPECT_EQ(ReplicaErrorName(-1), "UNKNOWN_SERVER_ERROR");
  EXPECT_EQ(ReplicaErrorName(1000), "UNKNOWN_ERROR_CODE");
}

// ---- Bad input
// -----------------------------------------------------------------

TEST(ReplicaMessagesTest, EveryTruncationFailsCleanly) {
  for (const Codec& c : AllCodecs()) {
    ASSERT_TRUE(c.decode(c.valid).ok()) << c.name;
    for (size_t n = 0; n < c.valid.size(); ++n) {
      // An exact-size heap copy, so ASan sees any read past the end.
      const std::vector<char> copy(c.valid.begin(), c.valid.begin() + n);
      const absl::Status s = c.decode(absl::string_view(copy.data(), n));
      EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument,
                              AllOf(HasSubstr("decode " + c.name),
                                    HasSubstr(" at byte "))))
          << c.name << " cut to " << n;
    }
  }
}

TEST(ReplicaMessagesTest, TrailingBytesAreRejected) {
  for (const Codec& c : AllCodecs()) {
    EXPECT_THAT(
        c.decode(c.valid + std::string(1, '\0')),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 AllOf(HasSubstr("decode " + c.name),
                       HasSubstr(absl::StrCat("at byte ", c.valid.size())),
                       HasSubstr("1 unexpected bytes"))))
        << c.name;
  }
}

TEST(ReplicaMessagesTest, WrongVersionKindAndApiKeyAreRejected) {
  for (const Codec& c : AllCodecs()) {
    std::string v1 = c.valid;
    v1[3] = 1;
    EXPECT_THAT(c.decode(v1),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         AllOf(HasSubstr("api_version at byte 2"),
                               HasSubstr("unsupported version 1"))))
        << c.name;
    std::string negative = c.valid;
    negative[2] = '\xff';
    negative[3] = '\xff';
    EXPECT_THAT(c.decode(negative),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("unsupported version -1")))
        << c.name;
    std::string kind = c.valid;
    kind[4] = static_cast<char>(kind[4] ^ 1);
    EXPECT_THAT(c.decode(kind), StatusIs(absl::StatusCode::kInvalidArgument,
                                         AllOf(HasSubstr("kind at byte 4"),
                                               HasSubstr("expected a"))))
        << c.name;
    kind[4] = 5;
    EXPECT_THAT(c.decode(kind), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("unknown kind 5")))
        << c.name;
  }
  // Each message through the other api's decoder.
  EXPECT_THAT(DecodeReplicaFetchRequest(Bytes(kEpochRequestHex)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("decode ReplicaFetchRequest: api_key at "
                                       "byte 0"),
                             HasSubstr("api key 23 (OffsetForLeaderEpoch) is "
                                       "not 1 (Fetch)"))));
  EXPECT_THAT(
      DecodeOffsetsForLeaderEpochResponse(Bytes(kFetchResponseHex)).status(),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("api key 1 (Fetch) is not 23")));
  EXPECT_THAT(
      DecodeReplicaFetchResponse(Bytes("7fff 0000 01 00000000 00000000"))
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("api key 32767 (unknown)")));
}

TEST(ReplicaMessagesTest, AbsurdCountsAreRejectedBeforeAllocating) {
  // Each count is at byte 25 (fetch request), 9 (responses) or 13.
  struct Case {
    std::string bytes;
    std::function<absl::Status(absl::string_view)> decode;
    std::string expected;
  };
  const std::string fetch_head =
      Bytes("0001 0000 00 00000001 00000002 000001f4 00000001 00a00000");
  const std::vector<Case> cases = {
      {fetch_head + Bytes("7fffffff") + std::string(100, '\0'),
       [](absl::string_view b) {
         return DecodeReplicaFetchRequest(b).status();
       },
       "partitions at byte 25: array count 2147483647 needs at least 34 bytes "
       "per element but only 100 bytes are left"},
      {fetch_head + Bytes("80000000"),
       [](absl::string_view b) {
         return DecodeReplicaFetchRequest(b).status();
       },
       "partitions at byte 25: array count -2147483648 is negative"},
      {fetch_head + Bytes("ffffffff"),
       [](absl::string_view b) {
         return DecodeReplicaFetchRequest(b).status();
       },
       "array count -1 (null) is not allowed here"},
      {Bytes("0001 0000 01 00000001 00000002") + std::string(81, '\0'),
       [](absl::string_view b) {
         return DecodeReplicaFetchResponse(b).status();
       },
       "array count 2 needs at least 41 bytes per element but only 81"},
      {Bytes("0017 0000 00 00000001 00000000 10000000"),
       [](absl::string_view b) {
         return DecodeOffsetsForLeaderEpochRequest(b).status();
       },
       "partitions at byte 13: array count 268435456 needs at least 14"},
      {Bytes("0017 0000 01 00000001 00000005") + std::string(99, '\0'),
       [](absl::string_view b) {
         return DecodeOffsetsForLeaderEpochResponse(b).status();
       },
       "array count 5 needs at least 20 bytes per element but only 99"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(c.decode(c.bytes), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr(c.expected)));
  }
}

TEST(ReplicaMessagesTest, BadLengthsAndMarkersNameFieldAndPosition) {
  // Fetch response, one partition; the topic length at byte 13.
  const std::string head = Bytes("0001 0000 01 00000001 00000001");
  const std::string rest_after_topic =
      Bytes("00000000 0000 0000000000000000 0000000000000000 0000000000000000");
  struct Case {
    std::string bytes;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {head + Bytes("ffff") + std::string(60, '\0'),
       "partitions[0].topic at byte 13: string length -1 (null) is not "
       "allowed here"},
      {head + Bytes("fffe") + std::string(60, '\0'),
       "partitions[0].topic at byte 13: string length -2 is negative"},
      {head + Bytes("7fff") + std::string(60, '\0'),
       "partitions[0].topic at byte 13: string length 32767 but only 60 bytes "
       "are left"},
      // Bad diverging-epoch marker at byte 13 + 2 + 30 = 45.
      {head + Bytes("0000") + rest_after_topic + Bytes("00 00000000 00000000"),
       "partitions[0].diverging_epoch at byte 45: marker 0 is neither -1 "
       "(null) nor 1"},
      {head + Bytes("0000") + rest_after_topic + Bytes("02 00000000 00000000"),
       "marker 2 is neither"},
      // Records length at byte 46 + 4 = 50.
      {head + Bytes("0000") + rest_after_topic + Bytes("ff 00000000 7fffffff") +
           "abc",
       "partitions[0].records at byte 50: bytes length 2147483647 but only 3 "
       "bytes are left"},
      {head + Bytes("0000") + rest_after_topic + Bytes("ff 00000000 ffffffff"),
       "partitions[0].records at byte 50: bytes length -1 (null) is not "
       "allowed here"},
      {head + Bytes("0000") + rest_after_topic + Bytes("ff 00000000 80000000"),
       "bytes length -2147483648 is negative"},
      // A present diverging epoch cut short.
      {head + Bytes("0000") + rest_after_topic +
           Bytes("01 00000001 00000000000000"),
       "partitions[0].diverging_epoch.end_offset at byte 50: needs 8 bytes "
       "but only 7 are left (truncated)"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(DecodeReplicaFetchResponse(c.bytes).status(),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         AllOf(HasSubstr("decode ReplicaFetchResponse: "),
                               HasSubstr(c.expected))));
  }
  // The second element's fields are named by its index.
  std::string two = Bytes(kEpochRequestHex);
  two[16] = 2;  // count 2, but nothing follows the first element
  two += Bytes("0001");
  EXPECT_THAT(DecodeOffsetsForLeaderEpochRequest(two).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("array count 2 needs at least 14")));
  two += "t" + std::string(10, '\0');  // 28 bytes left: a valid count
  EXPECT_THAT(DecodeOffsetsForLeaderEpochRequest(two).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("partitions[1].leader_epoch at byte 43: "
                                 "needs 4 bytes but only 2 are left")));
}

TEST(ReplicaMessagesTest, EncodeRejectsOverlongTopic) {
  ReplicaFetchRequest fetch = SampleFetchRequest();
  fetch.partitions.push_back(fetch.partitions[0]);
  fetch.partitions[1].topic.assign(32768, 'x');
  EXPECT_THAT(EncodeReplicaFetchRequest(fetch).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("encode ReplicaFetchRequest: "
                                       "partitions[1].topic"),
                             HasSubstr("32768 exceeds the limit of 32767"))));
  OffsetsForLeaderEpochResponse response = SampleEpochResponse();
  response.partitions[0].topic.assign(40000, 'y');
  EXPECT_THAT(EncodeOffsetsForLeaderEpochResponse(response).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("partitions[0].topic")));
}

// Random byte edits of valid messages: every result either decodes and
// re-encodes to exactly the same bytes (the encoding is canonical) or fails
// with InvalidArgument. ASan checks the reads.
TEST(ReplicaMessagesTest, RandomMutationsDecodeCanonicallyOrFail) {
  std::mt19937_64 rng(20260901);
  size_t decoded = 0;
  for (const Codec& c : AllCodecs()) {
    for (int round = 0; round < 3000; ++round) {
      std::string bytes = c.valid;
      const int edits = 1 + static_cast<int>(rng() % 3);
      for (int e = 0; e < edits; ++e) {
        const size_t at = rng() % (bytes.size() + 1);
        switch (rng() % 4) {
          case 0:  // overwrite
            if (at < bytes.size()) bytes[at] = static_cast<char>(rng());
            break;
          case 1:  // insert
            bytes.insert(at, 1, static_cast<char>(rng()));
            break;
          case 2:  // erase
            if (at < bytes.size()) bytes.erase(at, 1);
            break;
          default:  // set a length byte to an extreme
            if (at < bytes.size()) bytes[at] = (rng() % 2) ? '\x7f' : '\xff';
        }
      }
      const std::vector<char> copy(bytes.begin(), bytes.end());
      absl::StatusOr<std::string> again =
          c.reencode(absl::string_view(copy.data(), copy.size()));
      if (again.ok()) {
        ++decoded;
        EXPECT_EQ(*again, bytes) << c.name;
      } else {
        EXPECT_EQ(again.status().code(), absl::StatusCode::kInvalidArgument)
            << again.status();
      }
    }
  }
  EXPECT_GT(decoded, 100u);  // the sweep also exercised the success path
}

}  // namespace
}  // namespace runnel
