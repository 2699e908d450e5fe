#include "log/lz4_codec.h"

#include <lz4frame.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"

namespace runnel {
namespace internal {
namespace {

struct DctxDeleter {
  void operator()(LZ4F_dctx* dctx) const {
    LZ4F_freeDecompressionContext(dctx);
  }
};

// A per-thread decompression context: creating one per batch would cost an
// allocation each time. Returns nullptr if liblz4 cannot allocate one.
LZ4F_dctx* ThreadDecompressionContext() {
  thread_local std::unique_ptr<LZ4F_dctx, DctxDeleter> dctx;
  if (dctx == nullptr) {
    LZ4F_dctx* raw = nullptr;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION))) {
      return nullptr;
    }
    dctx.reset(raw);
  }
  return dctx.get();
}

LZ4F_preferences_t JavaLikePreferences() {
  LZ4F_preferences_t prefs;
  std::memset(&prefs, 0, sizeof(prefs));
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  prefs.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum;
  prefs.frameInfo.blockChecksumFlag = LZ4F_noBlockChecksum;
  prefs.frameInfo.frameType = LZ4F_frame;
  prefs.frameInfo.contentSize = 0;  // not recorded
  prefs.compressionLevel = 0;       // liblz4's fast default, like lz4-java
  return prefs;
}

}  // namespace

absl::Status Lz4FrameCompress(absl::string_view input, std::string* out) {
  const LZ4F_preferences_t prefs = JavaLikePreferences();
  const size_t bound = LZ4F_compressFrameBound(input.size(), &prefs);
  const size_t old_size = out->size();
  out->resize(old_size + bound);
  const size_t written = LZ4F_compressFrame(&(*out)[old_size], bound,
                                            input.data(), input.size(), &prefs);
  if (LZ4F_isError(written)) {
    out->resize(old_size);
    return absl::InternalError(
        absl::StrCat("LZ4 frame compression of ", input.size(),
                     " bytes failed: ", LZ4F_getErrorName(written)));
  }
  out->resize(old_size + written);
  return absl::OkStatus();
}

absl::Status Lz4FrameDecompress(absl::string_view frame, size_t max_output,
                                std::string* out) {
  out->clear();
  LZ4F_dctx* dctx = ThreadDecompressionContext();
  if (dctx == nullptr) {
    return absl::ResourceExhaustedError(
        "LZ4 frame: cannot allocate a decompression context");
  }
  // One byte more than allowed: filling it proves the content is too big.
  const size_t hard_cap = max_output + (max_output < SIZE_MAX ? 1 : 0);
  size_t capacity =
      std::min(hard_cap, std::max<size_t>(frame.size() * 4, 4096));
  out->resize(capacity);
  size_t in_pos = 0;
  size_t out_pos = 0;
  for (;;) {
    size_t in_size = frame.size() - in_pos;
    size_t out_size = out->size() - out_pos;
    const size_t hint = LZ4F_decompress(dctx, &(*out)[0] + out_pos, &out_size,
                                        frame.data() + in_pos, &in_size,
                                        /*dOptPtr=*/nullptr);
    if (LZ4F_isError(hint)) {
      LZ4F_resetDecompressionContext(dctx);
      out->clear();
      return absl::DataLossError(
          absl::StrCat("LZ4 frame: ", LZ4F_getErrorName(hint),
                       " (input consumed up to byte ", in_pos + in_size, " of ",
                       frame.size(), ")"));
    }
    in_pos += in_size;
    out_pos += out_size;
    if (out_pos > max_output) {
      LZ4F_resetDecompressionContext(dctx);
      out->clear();
      return absl::ResourceExhaustedError(
          absl::StrCat("LZ4 frame: decompressed content exceeds the limit of ",
                       max_output, " bytes (max_decompressed_bytes)"));
    }
    if (hint == 0) break;          // the frame is complete
    if (out_pos == out->size()) {  // output full: grow, up to the cap
      out->resize(std::min(hard_cap, std::max<size_t>(out->size() * 2, 1)));
      continue;
    }
    if (in_pos == frame.size()) {
      // Output has room and all input was consumed, yet the frame is not
      // complete: it was cut short.
      LZ4F_resetDecompressionContext(dctx);
      out->clear();
      return absl::DataLossError(absl::StrCat("LZ4 frame: truncated after ",
                                              frame.size(), " bytes (", hint,
                                              " more bytes expected)"));
    }
  }
  if (in_pos != frame.size()) {
    out->clear();
    return absl::DataLossError(
        absl::StrCat("LZ4 frame: ", frame.size() - in_pos,
                     " trailing bytes after the frame's end at byte ", in_pos));
  }
  out->resize(out_pos);
  return absl::OkStatus();
}

}  // namespace internal
}  // namespace runnel
