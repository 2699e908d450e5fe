// Copyright 2026 The Runnel Authors.
//
// replication/wire.h — Kafka's primitive wire types (big-endian integers,
// int16-length strings, int32-length bytes, int32 array counts) for the
// replica messages. Internal: runnel/replica_messages.h documents the
// encoding built from these.
//
//   std::string out;
//   internal::WireWriter w(&out);
//   w.Int32(7);
//   w.String("orders");
//
//   internal::WireReader r("ReplicaFetchRequest", out);
//   int32_t id = r.Int32("replica_id");
//   std::string topic = r.String("topic");
//   absl::Status s = r.Finish();   // first error, or trailing bytes
//
// The reader has a sticky error: after the first failure every read returns
// 0 / "" and consumes nothing, so callers check ok() only where a value
// steers control flow (array counts) and Finish() at the end. Errors are
// InvalidArgument "decode <message>: <field> at byte <pos>: <why>", where
// the field carries the current array element ("partitions[3].topic").
//
// Thread-safety: none (one reader or writer per thread).
#ifndef RUNNEL_REPLICATION_WIRE_H_
#define RUNNEL_REPLICATION_WIRE_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace runnel {
namespace internal {

// Longest string an int16 length can announce.
inline constexpr size_t kMaxWireStringSize = 32767;
// Longest bytes field / array an int32 length or count can announce.
inline constexpr size_t kMaxWireBytesSize = 2147483647;

class WireWriter {
 public:
  explicit WireWriter(std::string* out) : out_(out) {}

  void Int8(int8_t v);
  void Int16(int16_t v);
  void Int32(int32_t v);
  void Int64(int64_t v);
  // The caller has checked s.size() <= kMaxWireStringSize.
  void String(absl::string_view s);
  // The caller has checked b.size() <= kMaxWireBytesSize.
  void Bytes(absl::string_view b);

 private:
  std::string* const out_;
};

class WireReader {
 public:
  // `message` names what is decoded, for errors. Both views must outlive
  // the reader.
  WireReader(absl::string_view message, absl::string_view bytes)
      : message_(message), bytes_(bytes) {}

  int8_t Int8(absl::string_view field);
  int16_t Int16(absl::string_view field);
  int32_t Int32(absl::string_view field);
  int64_t Int64(absl::string_view field);
  // int16 length (0..32767; -1/null is rejected) then the bytes.
  std::string String(absl::string_view field);
  // int32 length (>= 0; -1/null is rejected) then the bytes.
  std::string Bytes(absl::string_view field);
  // An int32 array count, >= 0 and small enough that `count` elements of at
  // least `min_element_bytes` each fit in the bytes left. 0 on error.
  size_t Count(absl::string_view field, size_t min_element_bytes);

  // Names errors inside element `index` of `array` until LeaveElement.
  void EnterElement(absl::string_view array, size_t index) {
    array_ = array;
    index_ = index;
  }
  void LeaveElement() { array_ = absl::string_view(); }

  // Records an error about `field` starting at byte `position` (kept only
  // if it is the first).
  void Fail(absl::string_view field, size_t position, absl::string_view why);

  bool ok() const { return status_.ok(); }
  size_t position() const { return pos_; }
  size_t remaining() const { return bytes_.size() - pos_; }
  // The first error; else InvalidArgument if bytes are left over; else OK.
  absl::Status Finish();

 private:
  // Returns the next `n` bytes of `field` and advances, or nullptr (and an
  // error) if fewer are left.
  const char* Take(absl::string_view field, size_t n);

  const absl::string_view message_;
  const absl::string_view bytes_;
  size_t pos_ = 0;
  absl::Status status_;
  absl::string_view array_;
  size_t index_ = 0;
};

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_REPLICATION_WIRE_H_
