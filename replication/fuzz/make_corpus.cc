// Copyright 2026 The Runnel Authors.
//
// Writes the seed corpus for replica_messages_fuzzer into the directory
// given as argv[1] (replication/fuzz/corpus/ in the source tree):
//   ./bazelw run //replication/fuzz:make_corpus --
//   "$PWD/replication/fuzz/corpus"
// Seeds: each message kind empty, with a few partitions, with and without a
// diverging epoch, and with small records.
#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "runnel/replica_messages.h"

namespace {

using runnel::EpochEndOffset;

bool Write(const std::string& dir, const std::string& name,
           const absl::StatusOr<std::string>& bytes) {
  if (!bytes.ok()) {
    std::fprintf(stderr, "encode %s: %s\n", name.c_str(),
                 bytes.status().ToString().c_str());
    return false;
  }
  std::ofstream out(dir + "/" + name, std::ios::binary | std::ios::trunc);
  out.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
  if (!out) {
    std::fprintf(stderr, "cannot write %s/%s\n", dir.c_str(), name.c_str());
    return false;
  }
  return true;
}

runnel::ReplicaFetchRequest FetchRequest(int partitions) {
  runnel::ReplicaFetchRequest r;
  r.correlation_id = 11;
  r.replica_id = 2;
  for (int i = 0; i < partitions; ++i) {
    runnel::ReplicaFetchPartition p;
    p.topic = absl::StrCat("topic-", i % 2);
    p.partition = i;
    p.current_leader_epoch = 5;
    p.fetch_offset = 1000 + i;
    p.last_fetched_epoch = 4;
    p.log_start_offset = 0;
    r.partitions.push_back(p);
  }
  return r;
}

runnel::ReplicaFetchResponse FetchResponse(int partitions, bool diverging) {
  runnel::ReplicaFetchResponse r;
  r.correlation_id = 11;
  for (int i = 0; i < partitions; ++i) {
    runnel::ReplicaFetchPartitionData p;
    p.topic = absl::StrCat("topic-", i % 2);
    p.partition = i;
    p.error_code = i == 1 ? runnel::kErrorFencedLeaderEpoch : 0;
    p.high_watermark = 990;
    p.log_start_offset = 0;
    p.log_end_offset = 1010;
    if (diverging && i == 0) p.diverging_epoch = EpochEndOffset{3, 950};
    p.leader_epoch = 5;
    p.records = std::string(static_cast<size_t>(20 * i), 'r');
    r.partitions.push_back(p);
  }
  return r;
}

runnel::OffsetsForLeaderEpochRequest EpochRequest(int partitions) {
  runnel::OffsetsForLeaderEpochRequest r;
  r.correlation_id = 12;
  r.replica_id = 3;
  for (int i = 0; i < partitions; ++i) {
    runnel::OffsetsForLeaderEpochPartition p;
    p.topic = "orders";
    p.partition = i;
    p.current_leader_epoch = 7;
    p.leader_epoch = 6 - i;
    r.partitions.push_back(p);
  }
  return r;
}

runnel::OffsetsForLeaderEpochResponse EpochResponse(int partitions) {
  runnel::OffsetsForLeaderEpochResponse r;
  r.correlation_id = 12;
  for (int i = 0; i < partitions; ++i) {
    runnel::OffsetsForLeaderEpochPartitionResult p;
    p.topic = "orders";
    p.partition = i;
    p.error_code = i == 2 ? runnel::kErrorUnknownLeaderEpoch : 0;
    p.leader_epoch = i == 1 ? runnel::kUndefinedEpoch : 6;
    p.end_offset = i == 1 ? runnel::kUndefinedEpochOffset : 1200;
    r.partitions.push_back(p);
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  bool ok = true;
  ok &= Write(dir, "fetch_request_0.bin",
              runnel::EncodeReplicaFetchRequest(FetchRequest(0)));
  ok &= Write(dir, "fetch_request_3.bin",
              runnel::EncodeReplicaFetchRequest(FetchRequest(3)));
  ok &= Write(dir, "fetch_response_0.bin",
              runnel::EncodeReplicaFetchResponse(FetchResponse(0, false)));
  ok &= Write(dir, "fetch_response_3.bin",
              runnel::EncodeReplicaFetchResponse(FetchResponse(3, false)));
  ok &= Write(dir, "fetch_response_diverging.bin",
              runnel::EncodeReplicaFetchResponse(FetchResponse(2, true)));
  ok &= Write(dir, "epoch_request_0.bin",
              runnel::EncodeOffsetsForLeaderEpochRequest(EpochRequest(0)));
  ok &= Write(dir, "epoch_request_2.bin",
              runnel::EncodeOffsetsForLeaderEpochRequest(EpochRequest(2)));
  ok &= Write(dir, "epoch_response_0.bin",
              runnel::EncodeOffsetsForLeaderEpochResponse(EpochResponse(0)));
  ok &= Write(dir, "epoch_response_3.bin",
              runnel::EncodeOffsetsForLeaderEpochResponse(EpochResponse(3)));
  if (!ok) return 1;
  std::printf("wrote 9 seeds to %s\n", dir.c_str());
  return 0;
}
