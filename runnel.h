// Copyright 2026 The Runnel Authors.
//
// runnel/runnel.h — the whole public API of Runnel in one include.
//
// Runnel is an embeddable, single-process, durable log: Apache Kafka's model
// (topics, partitions, offsets, producers, consumers, consumer groups,
// replication) as a C++ library, storing data in Kafka's own on-disk format.
// Depend on the Bazel target //:runnel.
//
// What is here so far:
//   runnel/broker.h           the in-process broker: topics, partitions
//   runnel/admin.h            Kafka's AdminClient: topics, configs, offsets
//   runnel/partition.h        append, fetch and wait on one partition
//   runnel/producer.h         Kafka's KafkaProducer: batching, acks, retries
//   runnel/partitioner.h      Kafka's partitioners (murmur2, sticky, ...)
//   runnel/consumer.h         Kafka's KafkaConsumer; offset-range reads
//   runnel/assignor.h         group assignment strategies (range, sticky..)
//   runnel/group_admin.h      consumer groups: list, describe, lag, reset
//   runnel/log.h              one partition's durable, segmented log
//   runnel/read_only_log.h    reading a log another process is writing
//   runnel/replica_manager.h  replication: leader/follower, ISR, acks=all
//   runnel/replica_messages.h replication: messages and their byte encoding
//   runnel/replica_transport.h  the transport a host implements
//   runnel/in_memory_network.h  a deterministic network for tests
//   runnel/log_maintainer.h   background flush, retention and compaction
//   runnel/topic_config.h     Kafka topic configs, typed and as properties
//   runnel/record_batch.h     Kafka RecordBatch v2 encoding and decoding
//   runnel/file_system.h      the file-system seam (POSIX by default)
//   runnel/mem_file_system.h  an in-memory FileSystem for unit tests
//   runnel/clock.h            injectable time (SimulatedClock for tests)
//
// For crash tests of your own code, also include
// runnel/fault_injection_file_system.h (target
// //io:fault_injection_file_system).
#ifndef RUNNEL_RUNNEL_H_
#define RUNNEL_RUNNEL_H_

#include "runnel/admin.h"              // IWYU pragma: export
#include "runnel/assignor.h"           // IWYU pragma: export
#include "runnel/broker.h"             // IWYU pragma: export
#include "runnel/clock.h"              // IWYU pragma: export
#include "runnel/consumer.h"           // IWYU pragma: export
#include "runnel/file_system.h"        // IWYU pragma: export
#include "runnel/group_admin.h"        // IWYU pragma: export
#include "runnel/in_memory_network.h"  // IWYU pragma: export
#include "runnel/log.h"                // IWYU pragma: export
#include "runnel/log_maintainer.h"     // IWYU pragma: export
#include "runnel/mem_file_system.h"    // IWYU pragma: export
#include "runnel/partition.h"          // IWYU pragma: export
#include "runnel/partitioner.h"        // IWYU pragma: export
#include "runnel/producer.h"           // IWYU pragma: export
#include "runnel/read_only_log.h"      // IWYU pragma: export
#include "runnel/record_batch.h"       // IWYU pragma: export
#include "runnel/replica_manager.h"    // IWYU pragma: export
#include "runnel/replica_messages.h"   // IWYU pragma: export
#include "runnel/replica_transport.h"  // IWYU pragma: export
#include "runnel/topic_config.h"       // IWYU pragma: export

#endif  // RUNNEL_RUNNEL_H_
