// Copyright 2026 The Runnel Authors.
//
// Offset-range reads for stream engines: exactly [from, until) of one
// partition, without a group or a consumer (Spark's "direct approach").
#include "absl/strings/str_cat.h"
#include "consumer/fetch_buffer.h"
#include "runnel/consumer.h"

namespace runnel {

ConsumerRecord ToConsumerRecord(absl::string_view topic, int32_t partition,
                                const RecordBatchHeader& header,
                                const RecordView& r) {
  ConsumerRecord record;
  internal::FillConsumerRecord(topic, partition, header, r, &record);
  return record;
}

absl::Status ReadOffsetRange(
    Broker& broker, const TopicPartition& tp, int64_t from, int64_t until,
    absl::FunctionRef<absl::Status(const ConsumerRecord&)> fn) {
  absl::StatusOr<std::shared_ptr<Partition>> partition =
      broker.GetPartition(tp.topic, tp.partition);
  if (!partition.ok()) return partition.status();
  const int64_t start = (*partition)->log_start_offset();
  const int64_t end = (*partition)->high_watermark();
  if (from > until || from < start || until > end) {
    return absl::OutOfRangeError(absl::StrCat(
        "range [", from, ", ", until, ") of ", tp.ToString(),
        " is not inside [log start ", start, ", high watermark ", end, "]"));
  }
  DecodeOptions decode;
  decode.verify_crc = false;  // Fetch (Log::Read) checked each batch
  DecodedBatch batch;
  ReadPosition read_from;  // each fetch starts where the last one stopped
  for (int64_t offset = from; offset < until;) {
    absl::StatusOr<FetchResult> fetched =
        (*partition)->Fetch(offset, 1 << 20, &read_from);
    if (!fetched.ok()) return fetched.status();
    if (fetched->read.batches.empty()) break;
    read_from = fetched->read.next;
    for (absl::string_view bytes : fetched->read.batches) {
      if (absl::Status s = batch.DecodeInto(bytes, decode); !s.ok()) {
        return absl::DataLossError(absl::StrCat(tp.ToString(), " at offset ",
                                                offset, ": ", s.message()));
      }
      const RecordBatchHeader& header = batch.header();
      if (!header.is_control) {
        for (const RecordView& r : batch.records()) {
          if (r.offset < offset || r.offset >= until) continue;
          if (absl::Status s =
                  fn(ToConsumerRecord(tp.topic, tp.partition, header, r));
              !s.ok()) {
            return s;
          }
        }
      }
      offset = header.last_offset() + 1;
      if (offset >= until) break;
    }
  }
  return absl::OkStatus();
}

std::vector<absl::StatusOr<int64_t>> LatestOffsets(
    Broker& broker, absl::Span<const TopicPartition> partitions) {
  std::vector<absl::StatusOr<int64_t>> out;
  for (const TopicPartition& tp : partitions) {
    absl::StatusOr<std::shared_ptr<Partition>> p =
        broker.GetPartition(tp.topic, tp.partition);
    if (!p.ok()) {
      out.push_back(p.status());
    } else {
      out.push_back((*p)->high_watermark());
    }
  }
  return out;
}

}  // namespace runnel
