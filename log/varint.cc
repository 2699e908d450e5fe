#include "log/varint.h"

namespace runnel {
namespace internal {

const char* VarintStatusName(VarintStatus status) {
  switch (status) {
    case VarintStatus::kOk:
      return "ok";
    case VarintStatus::kTruncated:
      return "truncated varint";
    case VarintStatus::kTooLong:
      return "varint too long";
    case VarintStatus::kOverflow:
      return "varint overflows its width";
    case VarintStatus::kNonCanonical:
      return "non-canonical (zero-padded) varint";
  }
  return "unknown varint status";
}

void AppendVarint(std::string* out, int32_t v) {
  char buf[kMaxVarintBytes];
  out->append(buf, EncodeVarint(v, buf) - buf);
}

void AppendVarlong(std::string* out, int64_t v) {
  char buf[kMaxVarlongBytes];
  out->append(buf, EncodeVarlong(v, buf) - buf);
}

}  // namespace internal
}  // namespace runnel
