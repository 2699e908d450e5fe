// Copyright 2026 The Runnel Authors.
#include "replication/leader_epoch_cache.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace runnel {

absl::StatusOr<std::unique_ptr<LeaderEpochCache>> LeaderEpochCache::Open(
    FileSystem* fs, absl::string_view path) {
  absl::StatusOr<std::vector<EpochEntry>> entries =
      ReadLeaderEpochCheckpoint(fs, path);
  if (!entries.ok()) {
    if (!absl::IsNotFound(entries.status())) return entries.status();
    entries = std::vector<EpochEntry>();
  }
  return std::unique_ptr<LeaderEpochCache>(
      new LeaderEpochCache(fs, std::string(path), *std::move(entries)));
}

LeaderEpochCache::LeaderEpochCache(FileSystem* fs, std::string path,
                                   std::vector<EpochEntry> entries)
    : fs_(fs), path_(std::move(path)), entries_(std::move(entries)) {}

absl::Status LeaderEpochCache::Commit(std::vector<EpochEntry> next) {
  if (next == entries_) return absl::OkStatus();
  absl::Status written = WriteLeaderEpochCheckpoint(fs_, path_, next);
  if (!written.ok()) return written;
  entries_ = std::move(next);
  return absl::OkStatus();
}

absl::Status LeaderEpochCache::Assign(int32_t epoch, int64_t start_offset) {
  if (epoch < 0 || start_offset < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("leader-epoch cache ", path_, ": assign epoch ", epoch,
                     " at start offset ", start_offset, ": both must be >= 0"));
  }
  MutexLock lock(&mu_);
  if (!entries_.empty() && entries_.back().epoch == epoch &&
      entries_.back().start_offset <= start_offset) {
    return absl::OkStatus();  // already recorded; a start never moves up
  }
  std::vector<EpochEntry> next = entries_;
  while (!next.empty() && (next.back().epoch >= epoch ||
                           next.back().start_offset >= start_offset)) {
    next.pop_back();
  }
  next.push_back(EpochEntry{epoch, start_offset});
  return Commit(std::move(next));
}

std::optional<int32_t> LeaderEpochCache::LatestEpoch() const {
  MutexLock lock(&mu_);
  if (entries_.empty()) return std::nullopt;
  return entries_.back().epoch;
}

std::optional<EpochEntry> LeaderEpochCache::LatestEntry() const {
  MutexLock lock(&mu_);
  if (entries_.empty()) return std::nullopt;
  return entries_.back();
}

std::optional<EpochEntry> LeaderEpochCache::EarliestEntry() const {
  MutexLock lock(&mu_);
  if (entries_.empty()) return std::nullopt;
  return entries_.front();
}

std::optional<int32_t> LeaderEpochCache::EpochForOffset(int64_t offset) const {
  MutexLock lock(&mu_);
  // The last entry starting at or before `offset`.
  auto after = std::upper_bound(
      entries_.begin(), entries_.end(), offset,
      [](int64_t o, const EpochEntry& e) { return o < e.start_offset; });
  if (after == entries_.begin()) return std::nullopt;
  return std::prev(after)->epoch;
}

EpochEndOffset LeaderEpochCache::EndOffsetFor(int32_t requested_epoch,
                                              int64_t log_end_offset) const {
  MutexLock lock(&mu_);
  if (requested_epoch == kUndefinedEpoch || entries_.empty()) {
    return EpochEndOffset{};
  }
  if (requested_epoch == entries_.back().epoch) {
    // The epoch still being written: it ends at the log end.
    return EpochEndOffset{requested_epoch, log_end_offset};
  }
  // The first entry with an epoch above the requested one.
  auto higher = std::upper_bound(
      entries_.begin(), entries_.end(), requested_epoch,
      [](int32_t epoch, const EpochEntry& e) { return epoch < e.epoch; });
  if (higher == entries_.end()) return EpochEndOffset{};  // above the latest
  if (higher == entries_.begin()) {
    // Below every known epoch: its data was removed from the log; the
    // follower may keep what precedes the first known epoch's start.
    return EpochEndOffset{requested_epoch, higher->start_offset};
  }
  return EpochEndOffset{std::prev(higher)->epoch, higher->start_offset};
}

absl::Status LeaderEpochCache::TruncateFromEnd(int64_t end_offset) {
  MutexLock lock(&mu_);
  if (end_offset < 0) return absl::OkStatus();
  std::vector<EpochEntry> next = entries_;
  while (!next.empty() && next.back().start_offset >= end_offset) {
    next.pop_back();
  }
  return Commit(std::move(next));
}

absl::Status LeaderEpochCache::TruncateFromStart(int64_t start_offset) {
  MutexLock lock(&mu_);
  auto first_kept = std::upper_bound(
      entries_.begin(), entries_.end(), start_offset,
      [](int64_t o, const EpochEntry& e) { return o < e.start_offset; });
  if (first_kept == entries_.begin()) return absl::OkStatus();
  std::vector<EpochEntry> next;
  next.reserve(static_cast<size_t>(entries_.end() - first_kept) + 1);
  next.push_back(EpochEntry{std::prev(first_kept)->epoch, start_offset});
  next.insert(next.end(), first_kept, entries_.end());
  return Commit(std::move(next));
}

absl::Status LeaderEpochCache::Clear() {
  MutexLock lock(&mu_);
  if (entries_.empty()) return absl::OkStatus();
  return Commit({});
}

std::vector<EpochEntry> LeaderEpochCache::Entries() const {
  MutexLock lock(&mu_);
  return entries_;
}

}  // namespace runnel
