// Copyright 2026 The Runnel Authors.
//
// log/batch_filter.h — rewrites one RecordBatch v2 keeping only some of its
// records, the way Kafka's log cleaner does (MemoryRecords.filterTo):
// offsets never change. Internal to log/; the log cleaner's copy pass.
//
//   absl::StatusOr<runnel::RecordBatchView> batch =
//       runnel::RecordBatchView::Parse(bytes);
//   std::string out;
//   absl::StatusOr<runnel::internal::FilteredBatch> kept =
//       runnel::internal::FilterBatch(
//           *batch, [](const runnel::RecordView& r) { return r.key.has_value();
//           }, &out);
//
// What the rewritten batch keeps (as Kafka's cleaner):
//   - base offset, last offset delta (so the batch still ends at the same
//     offset: a producer's last sequence number stays right), every
//     retained record's offset delta (gaps where records were dropped);
//   - partition leader epoch, compression codec (LZ4 in, LZ4 out),
//     timestamp type, transactional flag, delete-horizon flag,
//     producer id, producer epoch, base sequence;
//   - every retained record's key, value, headers and timestamp.
// What it recomputes: base timestamp (the first retained record's, or the
// unchanged delete horizon), max timestamp (the largest retained; for
// LogAppendTime the batch's, unchanged), record count, length and CRC.
//
// Thread-safety: thread-safe (no shared state). The predicate is called
// once per record, in order, on the calling thread.
#ifndef RUNNEL_LOG_BATCH_FILTER_H_
#define RUNNEL_LOG_BATCH_FILTER_H_

#include <cstdint>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace internal {

struct FilteredBatch {
  enum class Action {
    kKept,       // every record retained: the original bytes were appended
    kRewritten,  // some retained: a new batch was appended
    kDropped,    // none retained: nothing was appended
  };
  Action action = Action::kKept;
  // The appended batch's header (for kDropped, the input's).
  RecordBatchHeader header;
  int32_t records_removed = 0;
};

// Appends to *out `batch` reduced to the records for which `retain` returns
// true (see above). Control batches are not filtered: they must not be
// passed (InvalidArgument). Errors: DataLoss from decoding the records (the
// batch is corrupt), InvalidArgument if a record cannot be re-encoded. On
// error *out is as it was.
absl::StatusOr<FilteredBatch> FilterBatch(
    const RecordBatchView& batch,
    absl::FunctionRef<bool(const RecordView&)> retain, std::string* out);

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_LOG_BATCH_FILTER_H_
