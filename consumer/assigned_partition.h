// Copyright 2026 The Runnel Authors.
//
// Consumer::Assigned: what the consumer keeps for each partition it is
// assigned — its position, pause flag and the rest of its last fetch.
// Internal to consumer/ (the public header only declares it).
#ifndef RUNNEL_CONSUMER_ASSIGNED_PARTITION_H_
#define RUNNEL_CONSUMER_ASSIGNED_PARTITION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "consumer/fetch_buffer.h"
#include "runnel/consumer.h"

namespace runnel {

struct Consumer::Assigned {
  Assigned(TopicPartition partition_id, std::shared_ptr<Partition> p,
           absl::string_view client_id)
      : tp(std::move(partition_id)),
        topic(std::make_shared<const std::string>(tp.topic)),
        partition(std::move(p)),
        buffer(absl::StrCat("consumer ", client_id, ": ", tp.ToString()),
               tp.partition) {}

  // Moves the position (Seek, reset, commit restore): what the buffer
  // holds no longer follows on.
  void SetPosition(int64_t offset) {
    position = offset;
    buffer.Clear();
  }

  TopicPartition tp;
  // tp.topic again, shared with the ConsumerRecords whose records' topic
  // views point into it (they may outlive the consumer).
  std::shared_ptr<const std::string> topic;
  std::shared_ptr<Partition> partition;
  std::optional<int64_t> position;  // unset until first needed
  bool paused = false;
  // What is left of the last fetch, from `position` on (SetPosition drops
  // it; Take moves both together).
  internal::FetchBuffer buffer;
  // Where the last fetch stopped in its segment: the next fetch starts
  // there (Log::Read checks that it still fits).
  ReadPosition read_from;
};

}  // namespace runnel

#endif  // RUNNEL_CONSUMER_ASSIGNED_PARTITION_H_
