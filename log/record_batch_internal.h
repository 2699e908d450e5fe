// Helpers shared by the RecordBatch encoder and decoder (not public API):
// writing the 61-byte header and composing/decomposing attributes.
//
// Thread-safe: pure functions. Internal to //log.
#ifndef RUNNEL_LOG_RECORD_BATCH_INTERNAL_H_
#define RUNNEL_LOG_RECORD_BATCH_INTERNAL_H_

#include <cstdint>

#include "runnel/record_batch.h"

namespace runnel {
namespace internal {

// Writes every header field of `header` (including crc as given) into the
// first 61 bytes at dst.
void WriteBatchHeader(const RecordBatchHeader& header, char* dst);

// Fills the attribute fields of *header from the stored bits. The caller
// has checked that no reserved bit is set and the codec is <= 4.
void SetAttributes(uint16_t attributes, RecordBatchHeader* header);

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_LOG_RECORD_BATCH_INTERNAL_H_
