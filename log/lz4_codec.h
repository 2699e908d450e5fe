// LZ4 *frame* compression for RecordBatch v2 (codec 3), via liblz4's
// lz4frame.h.
//
// Kafka compresses the records section of a batch (bytes 61..end) as one
// standard LZ4 frame. Lz4FrameCompress writes the frame exactly as Kafka's
// Java client configures it — 64 KiB independent blocks, no block or content
// checksum, no content size — so the frame starts `04 22 4D 18 60 40 82`.
// Lz4FrameDecompress accepts any valid frame (other block sizes, checksums,
// content size, linked blocks), and rejects everything else.
//
//   std::string frame;
//   absl::Status s = internal::Lz4FrameCompress(records, &frame);
//   std::string plain;
//   s = internal::Lz4FrameDecompress(frame, /*max_output=*/64 << 20, &plain);
//
// Thread-safe: each call uses its own (thread-local, reused) liblz4 context.
// Internal to //log.
#ifndef RUNNEL_LOG_LZ4_CODEC_H_
#define RUNNEL_LOG_LZ4_CODEC_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace runnel {
namespace internal {

// Appends one LZ4 frame holding `input` to *out. Errors: Internal if liblz4
// fails (it does not for valid arguments); *out is then left as it was.
absl::Status Lz4FrameCompress(absl::string_view input, std::string* out);

// Replaces *out with the decompressed content of `frame`, which must be
// exactly one LZ4 frame (no bytes after it). Errors:
//   DataLoss          malformed, truncated or trailing bytes; the message
//                     names liblz4's error and the byte position in `frame`;
//   ResourceExhausted the content is larger than `max_output` bytes (this is
//                     detected while decompressing, so a "bomb" costs at most
//                     max_output bytes of memory).
absl::Status Lz4FrameDecompress(absl::string_view frame, size_t max_output,
                                std::string* out);

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_LOG_LZ4_CODEC_H_
