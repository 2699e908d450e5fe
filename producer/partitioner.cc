// Copyright 2026 The Runnel Authors.

#include "runnel/partitioner.h"

#include <cstring>
#include <utility>

#include "absl/random/distributions.h"
#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace runnel {
namespace {

// Java's int arithmetic wraps; C++ signed overflow is undefined. So the hash
// runs on uint32_t (same bits) and is reinterpreted as signed at the end.
int32_t AsSigned(uint32_t v) {
  int32_t out;
  std::memcpy(&out, &v, sizeof(out));
  return out;
}

// Byte i of `p` as Java's (data[i] & 0xff): unsigned, whatever char's
// signedness is on this platform.
uint32_t ByteAt(const char* p, size_t i) {
  return static_cast<unsigned char>(p[i]);
}

constexpr absl::string_view kDefaultClass =
    "org.apache.kafka.clients.producer.internals.DefaultPartitioner";
constexpr absl::string_view kRoundRobinClass =
    "org.apache.kafka.clients.producer.RoundRobinPartitioner";

}  // namespace

int32_t Murmur2(absl::string_view data) {
  // Mirrors org.apache.kafka.common.utils.Utils.murmur2 line by line.
  const uint32_t length = static_cast<uint32_t>(data.size());
  constexpr uint32_t kSeed = 0x9747b28c;
  constexpr uint32_t m = 0x5bd1e995;
  constexpr int r = 24;
  const char* p = data.data();

  uint32_t h = kSeed ^ length;
  const size_t words = data.size() / 4;
  for (size_t i = 0; i < words; ++i) {
    const size_t i4 = i * 4;
    uint32_t k = ByteAt(p, i4) | (ByteAt(p, i4 + 1) << 8) |
                 (ByteAt(p, i4 + 2) << 16) | (ByteAt(p, i4 + 3) << 24);
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }

  const size_t tail = data.size() & ~size_t{3};
  switch (data.size() % 4) {
    case 3:
      h ^= ByteAt(p, tail + 2) << 16;
      [[fallthrough]];
    case 2:
      h ^= ByteAt(p, tail + 1) << 8;
      [[fallthrough]];
    case 1:
      h ^= ByteAt(p, tail);
      h *= m;
  }

  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return AsSigned(h);
}

int32_t KafkaKeyPartition(absl::string_view key, int32_t num_partitions) {
  if (num_partitions < 1) return 0;
  return ToPositive(Murmur2(key)) % num_partitions;
}

// ---------------------------------------------------------------------------
// DefaultPartitioner

DefaultPartitioner::DefaultPartitioner()
    : DefaultPartitioner(absl::Uniform<uint64_t>(absl::BitGen())) {}

DefaultPartitioner::DefaultPartitioner(uint64_t seed) : rng_(seed) {}

int32_t DefaultPartitioner::RandomPartition(int32_t num_partitions,
                                            int32_t avoid) {
  if (num_partitions <= 1) return 0;
  if (avoid < 0 || avoid >= num_partitions) {
    return absl::Uniform<int32_t>(rng_, 0, num_partitions);
  }
  // Uniform over the other num_partitions - 1 partitions, in one draw (Kafka
  // redraws until it differs; the distribution is the same).
  const int32_t pick = absl::Uniform<int32_t>(rng_, 0, num_partitions - 1);
  return pick >= avoid ? pick + 1 : pick;
}

std::atomic<int32_t>* DefaultPartitioner::FindSticky(
    absl::string_view topic) const {
  const StickyTable* table = table_.load(std::memory_order_acquire);
  if (table == nullptr) return nullptr;
  auto it = table->find(topic);
  return it != table->end() ? it->second : nullptr;
}

int32_t DefaultPartitioner::AddSticky(absl::string_view topic,
                                      int32_t partition) {
  cells_.push_back(std::make_unique<std::atomic<int32_t>>(partition));
  const StickyTable* table = table_.load(std::memory_order_relaxed);
  auto copy = table != nullptr ? std::make_unique<StickyTable>(*table)
                               : std::make_unique<StickyTable>();
  copy->emplace(std::string(topic), cells_.back().get());
  table_.store(copy.get(), std::memory_order_release);
  tables_.push_back(std::move(copy));
  return partition;
}

int32_t DefaultPartitioner::Partition(absl::string_view topic,
                                      std::optional<absl::string_view> key,
                                      int32_t num_partitions) {
  if (num_partitions < 1) return 0;
  if (key.has_value()) return KafkaKeyPartition(*key, num_partitions);
  if (num_partitions == 1) return 0;  // no choice to make

  if (std::atomic<int32_t>* sticky = FindSticky(topic); sticky != nullptr) {
    const int32_t p = sticky->load(std::memory_order_relaxed);
    if (p < num_partitions) return p;  // the usual case: no lock
  }
  MutexLock lock(&mu_);
  std::atomic<int32_t>* sticky = FindSticky(topic);
  if (sticky == nullptr) {
    return AddSticky(topic, RandomPartition(num_partitions, /*avoid=*/-1));
  }
  if (sticky->load(std::memory_order_relaxed) >= num_partitions) {
    // The topic has fewer partitions than when the sticky one was chosen.
    sticky->store(RandomPartition(num_partitions, /*avoid=*/-1),
                  std::memory_order_relaxed);
  }
  return sticky->load(std::memory_order_relaxed);
}

void DefaultPartitioner::OnNewBatch(absl::string_view topic,
                                    int32_t num_partitions,
                                    int32_t previous_partition) {
  if (num_partitions < 1) return;
  MutexLock lock(&mu_);
  std::atomic<int32_t>* sticky = FindSticky(topic);
  if (sticky == nullptr) {
    AddSticky(topic, RandomPartition(num_partitions, previous_partition));
    return;
  }
  // Only the sealing of the current sticky partition's batch moves it; a
  // report about an older partition (another thread already switched) or an
  // out-of-range sticky partition is handled without a second switch.
  const int32_t current = sticky->load(std::memory_order_relaxed);
  if (current == previous_partition || current >= num_partitions) {
    sticky->store(RandomPartition(num_partitions, previous_partition),
                  std::memory_order_relaxed);
  }
}

// ---------------------------------------------------------------------------
// RoundRobinPartitioner

int32_t RoundRobinPartitioner::Partition(
    absl::string_view topic, std::optional<absl::string_view> /*key*/,
    int32_t num_partitions) {
  if (num_partitions < 1) return 0;
  uint64_t n;
  {
    MutexLock lock(&mu_);
    auto it = next_.find(topic);
    if (it == next_.end()) it = next_.emplace(std::string(topic), 0).first;
    n = it->second++;
  }
  return static_cast<int32_t>(n % static_cast<uint64_t>(num_partitions));
}

// ---------------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<Partitioner>> MakePartitioner(
    absl::string_view name) {
  if (name == kDefaultClass || name == "default") {
    return std::unique_ptr<Partitioner>(std::make_unique<DefaultPartitioner>());
  }
  if (name == kRoundRobinClass || name == "round_robin") {
    return std::unique_ptr<Partitioner>(
        std::make_unique<RoundRobinPartitioner>());
  }
  return absl::InvalidArgumentError(
      absl::StrCat("partitioner.class: unknown value \"", name,
                   "\"; allowed: \"", kDefaultClass, "\" (or \"default\"), \"",
                   kRoundRobinClass, "\" (or \"round_robin\")"));
}

}  // namespace runnel
