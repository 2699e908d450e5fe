// Copyright 2026 The Runnel Authors.
//
// partition/producer_state.h — a partition's idempotent-producer state
// (Kafka's ProducerStateManager): for every producer id, its epoch and the
// sequence numbers of its last batches, so a retried or replayed batch is
// never written twice and a gap in sequences is refused. Internal to the
// Broker's Partition.
//
//   ProducerStateTable table;
//   switch (table.Check(header).kind) {
//     case Verdict::kAppend: ... append, then table.Record(header, first,
//                                                          last);
//     case Verdict::kDuplicate: ... answer with the original offsets
//     case Verdict::kReject: ... the error
//   }
//
// Rules (Kafka's, for one partition): batches without a producer id
// (-1) are not tracked. A producer id seen for the first time is accepted
// at any sequence (its earlier state may have gone with retention). An
// older epoch is refused (fenced); a newer epoch must start at sequence 0.
// Within an epoch, a batch must start right after the last sequence
// (wrapping after INT32_MAX to 0); a batch equal to one of the producer's
// last five batches (same base and last sequence) is a duplicate.
//
// Durability: Encode/Decode write and read the table as a small CRC-checked
// text snapshot, taken at clean shutdown; after a crash the Partition
// rebuilds the rest by scanning the log from the snapshot's offset.
//
// Thread-safety: not thread-safe (the Partition's append lock guards it).
#ifndef RUNNEL_PARTITION_PRODUCER_STATE_H_
#define RUNNEL_PARTITION_PRODUCER_STATE_H_

#include <cstdint>
#include <deque>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace internal {

class ProducerStateTable {
 public:
  // One appended batch of a producer.
  struct BatchRange {
    int32_t first_sequence;
    int32_t last_sequence;
    int64_t first_offset;
    int64_t last_offset;
  };

  struct Verdict {
    enum Kind { kAppend, kDuplicate, kReject };
    Kind kind = kAppend;
    BatchRange original{};  // kDuplicate: where it was appended
    absl::Status error;     // kReject: why (naming ids and sequences)
  };

  // What to do with a batch whose header is `header`.
  Verdict Check(const RecordBatchHeader& header) const;
  // Notes that a batch with `header` was appended at [first, last].
  void Record(const RecordBatchHeader& header, int64_t first_offset,
              int64_t last_offset);

  // Snapshot text (see the banner) for a log whose end offset is
  // `log_end_offset`; Decode returns that offset. Decode: DataLoss on any
  // malformed or CRC-failing content.
  std::string Encode(int64_t log_end_offset) const;
  absl::StatusOr<int64_t> Decode(absl::string_view text);

  size_t producers() const { return producers_.size(); }

 private:
  struct Producer {
    int16_t epoch = 0;
    std::deque<BatchRange> last_batches;  // oldest first, at most 5
  };
  static constexpr size_t kBatchesKept = 5;

  absl::flat_hash_map<int64_t, Producer> producers_;
};

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_PARTITION_PRODUCER_STATE_H_
