// Copyright 2026 The Runnel Authors.
//
// runnel/partitioner.h — which partition a record goes to when the sender did
// not name one, chosen exactly the way Apache Kafka's Java producer chooses it.
//
// The order of precedence (applied by the Producer, not here) is Kafka's:
//   1. an explicit partition in the ProducerRecord wins;
//   2. otherwise the configured Partitioner decides. The default one hashes a
//      non-null key with Kafka's murmur2, so a keyed record lands on the same
//      partition a Java (or librdkafka "murmur2_random") client would pick for
//      the same key bytes and partition count; a null key is "sticky"
//      (KIP-480): all keyless records of a topic fill one batch on one
//      partition, and the partition changes only when that batch is sealed.
//
// Example:
//
//   auto partitioner = runnel::MakePartitioner("default");   // StatusOr
//   if (!partitioner.ok()) return partitioner.status();
//   int32_t p = (*partitioner)->Partition("orders", "customer-42", 12);
//   // p == runnel::KafkaKeyPartition("customer-42", 12), always.
//   int32_t q = (*partitioner)->Partition("orders", std::nullopt, 12);
//   // ... keyless records keep going to q until the batch on q is sealed:
//   (*partitioner)->OnNewBatch("orders", 12, q);   // now a partition != q
//
// Thread-safety: Murmur2/KafkaKeyPartition are pure functions. Every
// Partitioner implementation must be safe to call from many threads at once
// (the Producer is shared by all sending threads); both provided ones are.
// Ownership: partitioners keep copies of topic names; no argument is retained.
#ifndef RUNNEL_PRODUCER_PARTITIONER_H_
#define RUNNEL_PRODUCER_PARTITIONER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "util/mutex.h"

namespace runnel {

// Kafka's Utils.murmur2: the 32-bit MurmurHash2 variant Kafka's Java client
// uses (seed 0x9747b28c, 4-byte little-endian words, bytes taken unsigned),
// bit-exact, returned as Kafka's signed int.
int32_t Murmur2(absl::string_view data);

// Kafka's Utils.toPositive: clears the sign bit (not abs(): abs(INT_MIN) < 0).
inline int32_t ToPositive(int32_t n) { return n & 0x7fffffff; }

// The partition Kafka's Java client picks for a non-null key:
// toPositive(murmur2(key)) % num_partitions. An empty key is a key (it is
// hashed), unlike a null key. num_partitions must be >= 1; a smaller value
// returns 0 rather than dividing by zero.
int32_t KafkaKeyPartition(absl::string_view key, int32_t num_partitions);

// Picks the partition of a record sent without an explicit one.
// Implementations must be thread-safe: many threads Send at once.
class Partitioner {
 public:
  virtual ~Partitioner() = default;

  // `key` is std::nullopt for a null key. num_partitions >= 1 (the topic's
  // current partition count; it may grow between calls). Returns a partition
  // in [0, num_partitions); for num_partitions < 1 returns 0.
  virtual int32_t Partition(absl::string_view topic,
                            std::optional<absl::string_view> key,
                            int32_t num_partitions) = 0;

  // The producer calls this when the batch it was filling for `topic` on
  // `previous_partition` was sealed and a new one is needed (Kafka's
  // onNewBatch / sticky switch). Default: nothing.
  virtual void OnNewBatch(absl::string_view topic, int32_t num_partitions,
                          int32_t previous_partition) {}
};

// Kafka's default partitioner (the DefaultPartitioner of Kafka 2.4-3.2 with
// its StickyPartitionCache):
//  - a non-null key -> KafkaKeyPartition(key, num_partitions);
//  - a null key -> sticky (KIP-480): every keyless record of a topic goes to
//    the same partition until OnNewBatch reports that partition's batch was
//    sealed; then another partition is drawn at random, never the previous one
//    when num_partitions > 1.
// As in Kafka, OnNewBatch for a partition that is no longer the topic's sticky
// one is ignored: when several threads see the same batch fill up, the sticky
// partition moves once, not once per thread. If the partition count drops
// below the sticky partition (Kafka never shrinks topics), a new one is drawn.
//
// Thread-safe. Partition takes no lock once a topic is known (it reads a
// published table of per-topic atomics; none at all with one partition);
// OnNewBatch and a topic's first record take one lock.
class DefaultPartitioner final : public Partitioner {
 public:
  // Random choices seeded from the system's entropy.
  DefaultPartitioner();
  // Reproducible random choices (for tests and simulations).
  explicit DefaultPartitioner(uint64_t seed);

  int32_t Partition(absl::string_view topic,
                    std::optional<absl::string_view> key,
                    int32_t num_partitions) override;
  void OnNewBatch(absl::string_view topic, int32_t num_partitions,
                  int32_t previous_partition) override;

 private:
  // A random partition in [0, num_partitions), != `avoid` when there is a
  // choice (`avoid` may be out of range: then any partition will do).
  int32_t RandomPartition(int32_t num_partitions, int32_t avoid)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Topic -> its current sticky partition, written only under mu_.
  using StickyTable = absl::flat_hash_map<std::string, std::atomic<int32_t>*>;

  // The topic's sticky partition, or null if the topic is new (no lock).
  std::atomic<int32_t>* FindSticky(absl::string_view topic) const;
  // Adds a new topic with sticky partition `partition`, publishing a new
  // table; returns `partition`.
  int32_t AddSticky(absl::string_view topic, int32_t partition)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Mutex mu_;
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<std::atomic<int32_t>>> cells_
      ABSL_GUARDED_BY(mu_);
  // Published copies of the topic -> cell map, newest in table_; kept until
  // the partitioner dies (a reader may still hold an older one). One per
  // topic ever seen.
  std::atomic<const StickyTable*> table_{nullptr};
  std::vector<std::unique_ptr<const StickyTable>> tables_ ABSL_GUARDED_BY(mu_);
};

// Kafka's RoundRobinPartitioner: records, keyed or not, cycle over the
// partitions, per topic: the n-th record sent to a topic (counting from 0)
// goes to partition n % num_partitions. Keys are ignored, so records with the
// same key do NOT stay together (and per-key order is not kept).
// Thread-safe: concurrent calls each take a distinct position in the cycle.
class RoundRobinPartitioner final : public Partitioner {
 public:
  int32_t Partition(absl::string_view topic,
                    std::optional<absl::string_view> key,
                    int32_t num_partitions) override;

 private:
  Mutex mu_;
  // Topic -> how many records were partitioned for it so far.
  absl::flat_hash_map<std::string, uint64_t> next_ ABSL_GUARDED_BY(mu_);
};

// Builds a partitioner from Kafka's `partitioner.class` value:
//   "org.apache.kafka.clients.producer.internals.DefaultPartitioner" or
//   "default" -> DefaultPartitioner;
//   "org.apache.kafka.clients.producer.RoundRobinPartitioner" or
//   "round_robin" -> RoundRobinPartitioner.
// Anything else -> InvalidArgument naming the value and the allowed ones.
absl::StatusOr<std::unique_ptr<Partitioner>> MakePartitioner(
    absl::string_view name);

}  // namespace runnel

#endif  // RUNNEL_PRODUCER_PARTITIONER_H_
