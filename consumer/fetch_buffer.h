// Copyright 2026 The Runnel Authors.
//
// FetchBuffer: the batches of one Partition::Fetch, served to Polls a few
// records at a time (Kafka's "completed fetch").
//
// Why: a fetch reads and CRC-checks up to max.partition.fetch.bytes (1 MiB
// by default) while a Poll returns at most max.poll.records (500). Without
// a buffer every Poll would fetch, check and decode the same megabyte again
// to keep its first 500 records. With it, each batch is checked once (by
// the Log, at the fetch) and each record decoded once, as it is returned.
//
// Example (inside Consumer::Poll):
//   if (buffer.position() != position) buffer.Clear();  // a Seek happened
//   if (buffer.empty()) buffer.Reset(*partition->Fetch(...), position);
//   RETURN_IF_ERROR(buffer.Take(max_records, &records));
//   position = buffer.position();
//
// Lifetimes: the buffer holds the fetch's pins, so the segments stay
// mapped while it holds batches; the records it hands out are views that
// the ConsumerRecords keeps valid (it copies the pins, and keeps the
// decompressed storage of compressed batches).
//
// Not thread-safe: the consumer's thread only.
#ifndef RUNNEL_CONSUMER_FETCH_BUFFER_H_
#define RUNNEL_CONSUMER_FETCH_BUFFER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "runnel/consumer.h"
#include "runnel/partition.h"
#include "runnel/record_batch.h"
#include "util/mutex.h"

namespace runnel {
namespace internal {

// Sets the fields of *out, a default-constructed record, from `record` of
// a batch with `header` (views into the batch's storage). Poll runs it
// once per record, so it is written for speed:
// - inline, into storage already in place: a returned temporary measured
//   ~20% slower, and aggregate initialisation made GCC zero the whole
//   record first (rep stos, the hottest instruction of Poll when tried);
// - key and value copied field by field: a whole-optional copy is a wide
//   load of what the parser has just stored in pieces, which the CPU
//   cannot forward (it stalls: 2x slower when tried).
inline void FillConsumerRecord(absl::string_view topic, int32_t partition,
                               const RecordBatchHeader& header,
                               const RecordView& record, ConsumerRecord* out) {
  out->topic = topic;
  out->partition = partition;
  out->offset = record.offset;
  out->timestamp = record.timestamp;
  out->timestamp_type = header.timestamp_type;
  if (record.key) out->key.emplace(record.key->data(), record.key->size());
  if (record.value) {
    out->value.emplace(record.value->data(), record.value->size());
  }
  out->headers = record.headers;
  out->leader_epoch = header.partition_leader_epoch;
}

class FetchBuffer {
 public:
  // A buffer for one partition. `describe` names the consumer and the
  // partition in errors ("consumer c1: t-0").
  FetchBuffer(std::string describe, int32_t partition);
  FetchBuffer(const FetchBuffer&) = delete;
  FetchBuffer& operator=(const FetchBuffer&) = delete;

  // Takes over `fetched`, whose first batch holds `position` (records
  // before it are skipped). Forgets whatever was left of an older fetch.
  void Reset(FetchResult fetched, int64_t position);
  // Forgets the buffered batches (after a Seek or a reset).
  void Clear();

  // True when every buffered record was handed out.
  bool empty() const { return !current_ && next_ == batches_.size(); }
  // The next offset the buffer would return (valid after Reset).
  int64_t position() const { return position_; }
  // At least the number of records left (for reserving room).
  size_t RecordsLeftBound() const;

  // Appends up to `max_records` records to *out, in offset order, with
  // `topic` as their topic view (it must outlive *out). Control batches
  // and compaction gaps are stepped over. DataLoss (naming partition and
  // offset) if a record does not decode; the buffer is then cleared at
  // the bad batch so a Seek past it can continue.
  absl::Status Take(int max_records, absl::string_view topic,
                    ConsumerRecords* out);

 private:
  // Starts decoding batches_[next_] (false: nothing left).
  absl::Status OpenNextBatch(bool* opened);
  void CloseBatch();
  // Prefetches into the cache the bytes up to one fetch's length past `at`
  // (the end of a record being handed out). They are, most of the time,
  // the next fetch's batches, which follow this one in the segment, so the
  // CRC check of the next fetch reads the cache instead of memory while
  // this one is decoded: measured ~12% faster sequential Poll. A prefetch
  // never faults, so addresses past a segment's end are harmless.
  void ReadAhead(const char* at) {
    const uintptr_t until =
        reinterpret_cast<uintptr_t>(at) + read_ahead_distance_;
    for (; read_ahead_ < until; read_ahead_ += kCacheLineBytes) {
      __builtin_prefetch(reinterpret_cast<const void*>(read_ahead_));
    }
  }
  // DataLoss for the record the iterator failed on; clears the buffer.
  absl::Status DecodeError();

  std::string describe_;
  int32_t partition_;
  std::vector<absl::string_view> batches_;
  std::vector<std::shared_ptr<const void>> pins_;
  size_t next_ = 0;              // the next batch to open
  size_t unopened_records_ = 0;  // record counts of batches_[next_...]
  int64_t position_ = 0;
  // Read-ahead (see ReadAhead): the next address to prefetch, and how far
  // past the record being handed out to keep prefetching.
  uintptr_t read_ahead_ = 0;
  uintptr_t read_ahead_distance_ = 0;
  // The batch being handed out, and the iterator walking it (it points at
  // *current_: the buffer never moves, see the deleted copy/move).
  std::optional<RecordBatchView> current_;
  std::optional<RecordIterator> records_;
};

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_CONSUMER_FETCH_BUFFER_H_
