// Copyright 2026 The Runnel Authors.
#include "log/offset_map.h"

#include <algorithm>
#include <cstring>
#include <random>

namespace runnel {
namespace internal {
namespace {

inline uint64_t Rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

inline uint64_t LoadLittleEndian64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;  // the log assumes a little-endian host (log/big_endian.h)
}

struct SipState {
  uint64_t v0, v1, v2, v3;

  void Round() {
    v0 += v1;
    v1 = Rotl(v1, 13);
    v1 ^= v0;
    v0 = Rotl(v0, 32);
    v2 += v3;
    v3 = Rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = Rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = Rotl(v1, 17);
    v1 ^= v2;
    v2 = Rotl(v2, 32);
  }
  void Compress(uint64_t m) {
    v3 ^= m;
    Round();
    Round();
    v0 ^= m;
  }
  uint64_t Finalize() {
    for (int i = 0; i < 4; ++i) Round();
    return v0 ^ v1 ^ v2 ^ v3;
  }
};

// Index in [0, n) from a uniformly distributed 64-bit value, without a
// division (Lemire's multiply-shift).
inline size_t Reduce(uint64_t x, size_t n) {
  return static_cast<size_t>((static_cast<unsigned __int128>(x) * n) >> 64);
}

constexpr size_t kInitialSlots = 1024;

}  // namespace

// The reference siphash.c with outlen == 16, c = 2, d = 4.
KeyHash SipHash128(const uint8_t key[16], absl::string_view data) {
  const uint64_t k0 = LoadLittleEndian64(key);
  const uint64_t k1 = LoadLittleEndian64(key + 8);
  SipState s{0x736f6d6570736575ULL ^ k0, 0x646f72616e646f6dULL ^ k1,
             0x6c7967656e657261ULL ^ k0, 0x7465646279746573ULL ^ k1};
  s.v1 ^= 0xee;
  const uint8_t* p = reinterpret_cast<const uint8_t*>(data.data());
  const size_t whole = data.size() & ~size_t{7};
  for (size_t i = 0; i < whole; i += 8) s.Compress(LoadLittleEndian64(p + i));
  uint64_t last = static_cast<uint64_t>(data.size()) << 56;
  for (size_t i = whole; i < data.size(); ++i) {
    last |= static_cast<uint64_t>(p[i]) << (8 * (i - whole));
  }
  s.Compress(last);
  s.v2 ^= 0xee;
  KeyHash h;
  h.lo = s.Finalize();
  s.v1 ^= 0xdd;
  h.hi = s.Finalize();
  return h;
}

OffsetMap::OffsetMap(size_t max_bytes, double load_factor) {
  std::random_device random;
  for (size_t i = 0; i < sizeof(hash_key_); i += 4) {
    const uint32_t word = random();
    std::memcpy(hash_key_ + i, &word, 4);
  }
  Init(max_bytes, load_factor);
}

OffsetMap::OffsetMap(size_t max_bytes, double load_factor,
                     const uint8_t hash_key[16]) {
  std::memcpy(hash_key_, hash_key, sizeof(hash_key_));
  Init(max_bytes, load_factor);
}

void OffsetMap::Init(size_t max_bytes, double load_factor) {
  load_factor_ = std::clamp(load_factor, 0.05, 0.95);
  const size_t limit = max_bytes / kSlotBytes;
  // Follow the growth sequence to its end: each step needs the old and the
  // new table at once.
  size_t slots = std::min(kInitialSlots, limit);
  for (;;) {
    const size_t next = std::min(2 * slots, limit - slots);
    if (next <= slots) break;
    slots = next;
  }
  max_slots_ = slots;
  // At least one slot stays empty, so a probe always ends.
  capacity_ = max_slots_ == 0
                  ? 0
                  : std::min(static_cast<size_t>(load_factor_ *
                                                 static_cast<double>(slots)),
                             max_slots_ - 1);
  slots_.assign(std::min(kInitialSlots, limit), Slot());
}

KeyHash OffsetMap::Hash(absl::string_view key) const {
  return SipHash128(hash_key_, key);
}

size_t OffsetMap::Find(const std::vector<Slot>& slots,
                       const KeyHash& hash) const {
  size_t i = Reduce(hash.lo, slots.size());
  while (slots[i].offset >= 0 && slots[i].hash != hash) {
    if (++i == slots.size()) i = 0;
  }
  return i;
}

bool OffsetMap::Grow() {
  if (slots_.size() >= max_slots_) return false;
  std::vector<Slot> bigger(std::min(2 * slots_.size(), max_slots_));
  for (const Slot& slot : slots_) {
    if (slot.offset >= 0) bigger[Find(bigger, slot.hash)] = slot;
  }
  slots_.swap(bigger);
  return true;
}

bool OffsetMap::Put(const KeyHash& hash, int64_t offset) {
  if (slots_.empty()) return false;
  size_t i = Find(slots_, hash);
  if (slots_[i].offset >= 0) {
    slots_[i].offset = std::max(slots_[i].offset, offset);
    return true;
  }
  if (size_ >= capacity_) return false;
  if (static_cast<double>(size_ + 1) >
          load_factor_ * static_cast<double>(slots_.size()) ||
      size_ + 1 >= slots_.size()) {
    if (Grow()) i = Find(slots_, hash);
  }
  slots_[i].hash = hash;
  slots_[i].offset = offset;
  ++size_;
  return true;
}

int64_t OffsetMap::Get(const KeyHash& hash) const {
  if (slots_.empty()) return -1;
  return slots_[Find(slots_, hash)].offset;
}

void OffsetMap::Clear() {
  std::fill(slots_.begin(), slots_.end(), Slot());
  size_ = 0;
}

}  // namespace internal
}  // namespace runnel
