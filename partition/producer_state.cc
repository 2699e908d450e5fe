// Copyright 2026 The Runnel Authors.
#include "partition/producer_state.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "log/crc32c.h"

namespace runnel {
namespace internal {
namespace {

constexpr char kHeader[] = "runnel-producer-state v1";

int32_t NextSequence(int32_t sequence) {
  return sequence == INT32_MAX ? 0 : sequence + 1;
}

// The batch's last sequence (Kafka's: wraps past INT32_MAX).
int32_t LastSequence(const RecordBatchHeader& header) {
  const int64_t last = int64_t{header.base_sequence} + header.record_count - 1;
  return static_cast<int32_t>(last > INT32_MAX ? last - INT32_MAX - 1 : last);
}

}  // namespace

ProducerStateTable::Verdict ProducerStateTable::Check(
    const RecordBatchHeader& header) const {
  Verdict verdict;
  if (header.producer_id < 0) return verdict;
  auto it = producers_.find(header.producer_id);
  if (it == producers_.end() || it->second.last_batches.empty()) {
    return verdict;  // new (or forgotten) producer: any sequence
  }
  const Producer& producer = it->second;
  if (header.producer_epoch < producer.epoch) {
    verdict.kind = Verdict::kReject;
    verdict.error = absl::FailedPreconditionError(absl::StrCat(
        "producer ", header.producer_id, " epoch ", header.producer_epoch,
        " is fenced by epoch ", producer.epoch));
    return verdict;
  }
  if (header.producer_epoch > producer.epoch) {
    if (header.base_sequence != 0) {
      verdict.kind = Verdict::kReject;
      verdict.error = absl::FailedPreconditionError(absl::StrCat(
          "producer ", header.producer_id, " new epoch ", header.producer_epoch,
          " must start at sequence 0, not ", header.base_sequence));
    }
    return verdict;
  }
  for (const BatchRange& batch : producer.last_batches) {
    if (batch.first_sequence == header.base_sequence &&
        batch.last_sequence == LastSequence(header)) {
      verdict.kind = Verdict::kDuplicate;
      verdict.original = batch;
      return verdict;
    }
  }
  const int32_t expected =
      NextSequence(producer.last_batches.back().last_sequence);
  if (header.base_sequence != expected) {
    verdict.kind = Verdict::kReject;
    verdict.error = absl::FailedPreconditionError(
        absl::StrCat("producer ", header.producer_id, " epoch ",
                     header.producer_epoch, ": out-of-order sequence ",
                     header.base_sequence, ", expected ", expected));
  }
  return verdict;
}

void ProducerStateTable::Record(const RecordBatchHeader& header,
                                int64_t first_offset, int64_t last_offset) {
  if (header.producer_id < 0) return;
  Producer& producer = producers_[header.producer_id];
  if (header.producer_epoch != producer.epoch) {
    producer.epoch = header.producer_epoch;
    producer.last_batches.clear();
  }
  producer.last_batches.push_back(
      {header.base_sequence, LastSequence(header), first_offset, last_offset});
  if (producer.last_batches.size() > kBatchesKept) {
    producer.last_batches.pop_front();
  }
}

std::string ProducerStateTable::Encode(int64_t log_end_offset) const {
  std::string text = absl::StrCat(kHeader, "\noffset ", log_end_offset, "\n");
  for (const auto& [id, producer] : producers_) {
    for (const BatchRange& b : producer.last_batches) {
      absl::StrAppend(&text, "batch ", id, " ", producer.epoch, " ",
                      b.first_sequence, " ", b.last_sequence, " ",
                      b.first_offset, " ", b.last_offset, "\n");
    }
  }
  absl::StrAppend(&text, absl::StrFormat("crc32c %08x\n", Crc32c(text)));
  return text;
}

absl::StatusOr<int64_t> ProducerStateTable::Decode(absl::string_view text) {
  const size_t crc_at = text.rfind("crc32c ");
  uint32_t crc;
  if (crc_at == absl::string_view::npos ||
      !absl::SimpleHexAtoi(absl::StripSuffix(text.substr(crc_at + 7), "\n"),
                           &crc) ||
      crc != Crc32c(text.substr(0, crc_at))) {
    return absl::DataLossError("producer state: bad or missing crc32c line");
  }
  std::vector<absl::string_view> lines =
      absl::StrSplit(text.substr(0, crc_at), '\n', absl::SkipEmpty());
  int64_t offset;
  if (lines.size() < 2 || lines[0] != kHeader ||
      !absl::SimpleAtoi(absl::StripPrefix(lines[1], "offset "), &offset)) {
    return absl::DataLossError("producer state: bad header");
  }
  absl::flat_hash_map<int64_t, Producer> producers;
  for (size_t i = 2; i < lines.size(); ++i) {
    std::vector<absl::string_view> f = absl::StrSplit(lines[i], ' ');
    int64_t id, first_offset, last_offset;
    int32_t epoch, first_seq, last_seq;
    if (f.size() != 7 || f[0] != "batch" || !absl::SimpleAtoi(f[1], &id) ||
        !absl::SimpleAtoi(f[2], &epoch) ||
        !absl::SimpleAtoi(f[3], &first_seq) ||
        !absl::SimpleAtoi(f[4], &last_seq) ||
        !absl::SimpleAtoi(f[5], &first_offset) ||
        !absl::SimpleAtoi(f[6], &last_offset)) {
      return absl::DataLossError(
          absl::StrCat("producer state: bad line ", i + 1));
    }
    Producer& producer = producers[id];
    producer.epoch = static_cast<int16_t>(epoch);
    producer.last_batches.push_back(
        {first_seq, last_seq, first_offset, last_offset});
  }
  producers_ = std::move(producers);
  return offset;
}

}  // namespace internal
}  // namespace runnel
