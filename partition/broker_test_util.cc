// Copyright 2026 The Runnel Authors.
#include "partition/broker_test_util.h"

#include "absl/strings/str_cat.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace testing {

std::string MakeBatch(absl::string_view prefix, int count, int64_t timestamp) {
  std::string out;
  RecordBatchBuilder builder(RecordBatchOptions{}, &out);
  for (int i = 0; i < count; ++i) {
    const std::string key = absl::StrCat("k", i);
    const std::string value = absl::StrCat(prefix, "-", i);
    if (!builder.Append(timestamp + i, key, value).ok()) return "";
  }
  if (!builder.Finish().ok()) return "";
  return out;
}

absl::StatusOr<std::vector<std::string>> ReadValues(Partition& partition,
                                                    int64_t offset) {
  std::vector<std::string> values;
  while (true) {
    absl::StatusOr<FetchResult> fetch = partition.Fetch(offset, 1 << 20);
    if (!fetch.ok()) return fetch.status();
    if (fetch->read.batches.empty()) return values;
    for (absl::string_view batch : fetch->read.batches) {
      absl::StatusOr<RecordBatchView> view = RecordBatchView::Parse(batch);
      if (!view.ok()) return view.status();
      RecordIterator it(*view);
      RecordView record;
      while (it.Next(&record)) {
        if (record.offset < offset) continue;
        values.emplace_back(record.value.value_or("<null>"));
      }
      if (!it.status().ok()) return it.status();
      offset = view->header().last_offset() + 1;
    }
  }
}

}  // namespace testing
}  // namespace runnel
