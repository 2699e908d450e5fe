// Copyright 2026 The Runnel Authors.
//
// partition/broker_test_util.h — helpers for Broker, Partition and Admin
// tests: record batches with known values, and reading a partition back.
#ifndef RUNNEL_PARTITION_BROKER_TEST_UTIL_H_
#define RUNNEL_PARTITION_BROKER_TEST_UTIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runnel/partition.h"

namespace runnel {
namespace testing {

// One uncompressed batch of `count` records with values
// "<prefix>-0" .. "<prefix>-<count-1>", keys "k<i>", timestamps
// `timestamp` + i.
std::string MakeBatch(absl::string_view prefix, int count,
                      int64_t timestamp = 1000);

// Every record value of the partition from `offset` to its high watermark.
absl::StatusOr<std::vector<std::string>> ReadValues(Partition& partition,
                                                    int64_t offset = 0);

}  // namespace testing
}  // namespace runnel

#endif  // RUNNEL_PARTITION_BROKER_TEST_UTIL_H_
