// Copyright 2026 The Runnel Authors.
//
// log/offset_map.h — the log cleaner's memory-bounded "key → latest offset"
// map (Kafka's SkimpyOffsetMap). It stores no keys: only a 128-bit keyed
// hash of each key and the largest offset seen for it, so its memory is a
// fixed 24 bytes per slot whatever the key sizes, and the cleaner can say in
// advance how many distinct keys one pass can cover. Internal to log/.
//
//   runnel::internal::OffsetMap map(/*max_bytes=*/16 << 20,
//                                   /*load_factor=*/0.9);
//   const runnel::internal::KeyHash h = map.Hash("user-42");
//   if (!map.Put(h, /*offset=*/1000)) { ... full: stop mapping here ... }
//   int64_t latest = map.Get(h);   // 1000, or -1 for a key never put
//
// Hashing: SipHash-2-4 with 128-bit output (Aumasson & Bernstein; the
// reference implementation's vectors are in offset_map_test.cc), keyed with
// 16 random bytes per map. Two different keys share a hash with probability
// about 2^-128 per pair — with a billion keys in one pass, about 2^-69 —
// and, because the key is secret and random, a producer cannot craft keys
// that collide on purpose (Kafka's map uses unkeyed MD5). A collision would
// make the cleaner drop a record whose key only looked superseded; that is
// the whole risk, and it is negligible.
//
// Memory: the table starts at min(1024, max) slots and doubles as it fills,
// but never beyond what keeps the old and the new table together within
// max_bytes while it rehashes: at no time does the map hold more than
// max_bytes. It is "full" when a new key would push it past load_factor of
// its largest possible table; Put then refuses the key (updates of keys
// already present always succeed).
//
// Thread-safety: not thread-safe (one cleaner pass at a time).
#ifndef RUNNEL_LOG_OFFSET_MAP_H_
#define RUNNEL_LOG_OFFSET_MAP_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"

namespace runnel {
namespace internal {

// A 128-bit key hash. lo == hi == 0 is a valid hash like any other.
struct KeyHash {
  uint64_t lo = 0;
  uint64_t hi = 0;

  friend bool operator==(const KeyHash& a, const KeyHash& b) {
    return a.lo == b.lo && a.hi == b.hi;
  }
  friend bool operator!=(const KeyHash& a, const KeyHash& b) {
    return !(a == b);
  }
};

// SipHash-2-4 with 128-bit output of `data` under the 16-byte `key`: the
// reference implementation's 16 output bytes, read as two little-endian
// 64-bit words (lo = bytes 0-7, hi = bytes 8-15).
KeyHash SipHash128(const uint8_t key[16], absl::string_view data);

class OffsetMap {
 public:
  // Bytes per slot: a 16-byte hash and an 8-byte offset.
  static constexpr size_t kSlotBytes = 24;

  // A map that never holds more than `max_bytes` and fills its table up to
  // `load_factor` (clamped to [0.05, 0.95]) before refusing new keys.
  // capacity() is 0 if max_bytes cannot hold a single slot; the hash key is
  // drawn from std::random_device.
  OffsetMap(size_t max_bytes, double load_factor);
  // Same, with a fixed hash key (for tests).
  OffsetMap(size_t max_bytes, double load_factor, const uint8_t hash_key[16]);

  OffsetMap(const OffsetMap&) = delete;
  OffsetMap& operator=(const OffsetMap&) = delete;

  // The keyed hash this map uses for `key`.
  KeyHash Hash(absl::string_view key) const;

  // Records `offset` (>= 0) as the latest for `hash` if it is larger than
  // the one stored. Returns false, changing nothing, only when `hash` is
  // new and the map holds capacity() keys already.
  bool Put(const KeyHash& hash, int64_t offset);

  // The offset stored for `hash`, or -1.
  int64_t Get(const KeyHash& hash) const;

  // Distinct hashes stored.
  size_t size() const { return size_; }
  // The most distinct hashes this map will ever take.
  size_t capacity() const { return capacity_; }
  // Bytes of the current table.
  size_t table_bytes() const { return slots_.size() * kSlotBytes; }
  // Drops every entry (keeps the table).
  void Clear();

 private:
  struct Slot {
    KeyHash hash;
    int64_t offset = -1;  // -1: empty
  };

  void Init(size_t max_bytes, double load_factor);
  // The slot holding `hash`, or the empty slot where it would go.
  size_t Find(const std::vector<Slot>& slots, const KeyHash& hash) const;
  // Doubles the table if it may; false if it is at its largest.
  bool Grow();

  uint8_t hash_key_[16];
  std::vector<Slot> slots_;
  size_t max_slots_ = 0;  // the largest table Grow may reach
  double load_factor_ = 0.9;
  size_t capacity_ = 0;
  size_t size_ = 0;
};

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_LOG_OFFSET_MAP_H_
