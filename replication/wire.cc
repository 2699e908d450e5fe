// Copyright 2026 The Runnel Authors.
#include "replication/wire.h"

#include "absl/strings/str_cat.h"

namespace runnel {
namespace internal {
namespace {

// Big-endian stores and loads through unsigned values, so shifts of negative
// numbers never happen.
void PutBigEndian(std::string* out, uint64_t v, size_t n) {
  char buf[8];
  for (size_t i = 0; i < n; ++i) {
    buf[i] = static_cast<char>((v >> (8 * (n - 1 - i))) & 0xff);
  }
  out->append(buf, n);
}

uint64_t GetBigEndian(const char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    v = (v << 8) | static_cast<unsigned char>(p[i]);
  }
  return v;
}

}  // namespace

void WireWriter::Int8(int8_t v) {
  PutBigEndian(out_, static_cast<uint8_t>(v), 1);
}
void WireWriter::Int16(int16_t v) {
  PutBigEndian(out_, static_cast<uint16_t>(v), 2);
}
void WireWriter::Int32(int32_t v) {
  PutBigEndian(out_, static_cast<uint32_t>(v), 4);
}
void WireWriter::Int64(int64_t v) {
  PutBigEndian(out_, static_cast<uint64_t>(v), 8);
}

void WireWriter::String(absl::string_view s) {
  Int16(static_cast<int16_t>(s.size()));
  out_->append(s.data(), s.size());
}

void WireWriter::Bytes(absl::string_view b) {
  Int32(static_cast<int32_t>(b.size()));
  out_->append(b.data(), b.size());
}

void WireReader::Fail(absl::string_view field, size_t position,
                      absl::string_view why) {
  if (!status_.ok()) return;
  const std::string name = array_.empty()
                               ? std::string(field)
                               : absl::StrCat(array_, "[", index_, "].", field);
  status_ = absl::InvalidArgumentError(absl::StrCat(
      "decode ", message_, ": ", name, " at byte ", position, ": ", why));
}

const char* WireReader::Take(absl::string_view field, size_t n) {
  if (!status_.ok()) return nullptr;
  if (remaining() < n) {
    Fail(field, pos_,
         absl::StrCat("needs ", n, " bytes but only ", remaining(),
                      " are left (truncated)"));
    return nullptr;
  }
  const char* p = bytes_.data() + pos_;
  pos_ += n;
  return p;
}

int8_t WireReader::Int8(absl::string_view field) {
  const char* p = Take(field, 1);
  return p == nullptr ? 0 : static_cast<int8_t>(GetBigEndian(p, 1));
}

int16_t WireReader::Int16(absl::string_view field) {
  const char* p = Take(field, 2);
  return p == nullptr ? 0 : static_cast<int16_t>(GetBigEndian(p, 2));
}

int32_t WireReader::Int32(absl::string_view field) {
  const char* p = Take(field, 4);
  return p == nullptr ? 0 : static_cast<int32_t>(GetBigEndian(p, 4));
}

int64_t WireReader::Int64(absl::string_view field) {
  const char* p = Take(field, 8);
  return p == nullptr ? 0 : static_cast<int64_t>(GetBigEndian(p, 8));
}

std::string WireReader::String(absl::string_view field) {
  const size_t start = pos_;
  const int16_t length = Int16(field);
  if (!ok()) return std::string();
  if (length < 0) {
    Fail(field, start,
         absl::StrCat(
             "string length ", length,
             length == -1 ? " (null) is not allowed here" : " is negative"));
    return std::string();
  }
  const size_t n = static_cast<size_t>(length);
  if (n > remaining()) {
    Fail(field, start,
         absl::StrCat("string length ", n, " but only ", remaining(),
                      " bytes are left"));
    return std::string();
  }
  const char* p = Take(field, n);
  return std::string(p, n);
}

std::string WireReader::Bytes(absl::string_view field) {
  const size_t start = pos_;
  const int32_t length = Int32(field);
  if (!ok()) return std::string();
  if (length < 0) {
    Fail(field, start,
         absl::StrCat(
             "bytes length ", length,
             length == -1 ? " (null) is not allowed here" : " is negative"));
    return std::string();
  }
  const size_t n = static_cast<size_t>(length);
  if (n > remaining()) {
    Fail(field, start,
         absl::StrCat("bytes length ", n, " but only ", remaining(),
                      " bytes are left"));
    return std::string();
  }
  const char* p = Take(field, n);
  return std::string(p, n);
}

size_t WireReader::Count(absl::string_view field, size_t min_element_bytes) {
  const size_t start = pos_;
  const int32_t count = Int32(field);
  if (!ok()) return 0;
  if (count < 0) {
    Fail(field, start,
         absl::StrCat(
             "array count ", count,
             count == -1 ? " (null) is not allowed here" : " is negative"));
    return 0;
  }
  const size_t n = static_cast<size_t>(count);
  // n * min_element_bytes could overflow size_t only for absurd element
  // sizes; compare by division instead.
  if (min_element_bytes > 0 && n > remaining() / min_element_bytes) {
    Fail(field, start,
         absl::StrCat("array count ", n, " needs at least ", min_element_bytes,
                      " bytes per element but only ", remaining(),
                      " bytes are left"));
    return 0;
  }
  return n;
}

absl::Status WireReader::Finish() {
  if (!status_.ok()) return status_;
  if (remaining() != 0) {
    LeaveElement();
    Fail("end of message", pos_,
         absl::StrCat(remaining(), " unexpected bytes after the message"));
  }
  return status_;
}

}  // namespace internal
}  // namespace runnel
