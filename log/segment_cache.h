// Copyright 2026 The Runnel Authors.
//
// log/segment_cache.h — a bound on how many sealed segments are open (file
// descriptors and mappings) across every Log that shares the cache, closing
// the least recently used ones. Internal; the Broker shares one cache among
// its partitions, a lone Log uses the process-wide default.
//
//   OpenSegmentCache cache(/*max_open_segments=*/512);
//   options.open_segment_cache = &cache;
//
// Closing a segment only drops the cache's reference to its descriptor and
// mappings: readers holding views keep their mapping alive, and the next
// read reopens the segment. Active segments are never in the cache.
//
// Thread-safety: thread-safe. Touch must not be called while holding a
// segment's lock (it may close other segments).
#ifndef RUNNEL_LOG_SEGMENT_CACHE_H_
#define RUNNEL_LOG_SEGMENT_CACHE_H_

#include <cstddef>
#include <list>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "log/segment.h"
#include "util/mutex.h"

namespace runnel {
namespace internal {

class OpenSegmentCache {
 public:
  explicit OpenSegmentCache(size_t max_open_segments);
  OpenSegmentCache(const OpenSegmentCache&) = delete;
  OpenSegmentCache& operator=(const OpenSegmentCache&) = delete;

  // The process-wide cache: at most 1024 open sealed segments.
  static OpenSegmentCache* Default();

  // Marks `segment` as just used; closes the least recently used segments
  // beyond the bound.
  void Touch(const std::shared_ptr<Segment>& segment);
  // Forgets a segment (deleted by retention).
  void Forget(const Segment* segment);
  size_t size() const;

 private:
  struct Entry {
    const Segment* key;
    std::weak_ptr<Segment> segment;
  };
  using Lru = std::list<Entry>;
  const size_t max_open_;
  mutable Mutex mu_;
  Lru lru_ ABSL_GUARDED_BY(mu_);  // least recently used first
  absl::flat_hash_map<const Segment*, Lru::iterator> where_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_LOG_SEGMENT_CACHE_H_
