// Copyright 2026 The Runnel Authors.
#include "log/segment_cache.h"

#include <utility>
#include <vector>

namespace runnel {
namespace internal {

OpenSegmentCache::OpenSegmentCache(size_t max_open_segments)
    : max_open_(max_open_segments == 0 ? 1 : max_open_segments) {}

OpenSegmentCache* OpenSegmentCache::Default() {
  static OpenSegmentCache* const cache = new OpenSegmentCache(1024);
  return cache;
}

void OpenSegmentCache::Touch(const std::shared_ptr<Segment>& segment) {
  std::vector<std::shared_ptr<Segment>> victims;
  {
    MutexLock lock(&mu_);
    auto it = where_.find(segment.get());
    if (it != where_.end()) lru_.erase(it->second);
    where_[segment.get()] =
        lru_.insert(lru_.end(), Entry{segment.get(), segment});
    while (lru_.size() > max_open_) {
      std::shared_ptr<Segment> victim = lru_.front().segment.lock();
      where_.erase(lru_.front().key);
      lru_.pop_front();
      if (victim != nullptr) victims.push_back(std::move(victim));
    }
  }
  // Outside our lock: ReleaseResources takes the victim's own lock.
  for (const std::shared_ptr<Segment>& victim : victims) {
    victim->ReleaseResources();
  }
}

void OpenSegmentCache::Forget(const Segment* segment) {
  MutexLock lock(&mu_);
  auto it = where_.find(segment);
  if (it == where_.end()) return;
  lru_.erase(it->second);
  where_.erase(it);
}

size_t OpenSegmentCache::size() const {
  MutexLock lock(&mu_);
  return lru_.size();
}

}  // namespace internal
}  // namespace runnel
