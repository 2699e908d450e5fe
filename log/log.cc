// Copyright 2026 The Runnel Authors.
//
// runnel::Log: opening, appending, rolling, syncing and closing. Reads,
// recovery, retention and compaction live in log_read.cc, log_recovery.cc,
// log_retention.cc and log_compaction.cc.
#include "runnel/log.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "log/background_syncer.h"
#include "log/checkpoint_file.h"
#include "log/format.h"
#include "log/log_internal.h"
#include "log/segment_cache.h"
#include "runnel/record_batch.h"

namespace runnel {

using internal::CreateDirsDurably;
using internal::Join;
using internal::kCleanerOffsetFile;
using internal::kCleanShutdownFile;
using internal::kLogStartFile;
using internal::kRecoveryPointFile;
using internal::ReadNumberFile;
using internal::Segment;
using internal::ToSegmentOptions;
using internal::WriteNumberFile;

Log::Log(std::string dir, LogOptions options)
    : dir_(std::move(dir)),
      options_(std::move(options)),
      fs_(options_.file_system != nullptr ? options_.file_system
                                          : FileSystem::Default()),
      clock_(options_.clock != nullptr ? options_.clock : Clock::Real()),
      cache_(options_.open_segment_cache != nullptr
                 ? options_.open_segment_cache
                 : internal::OpenSegmentCache::Default()),
      segments_(std::make_shared<SegmentList>()),
      write_through_(options_.flush_messages != INT64_MAX ||
                     options_.flush_ms != absl::InfiniteDuration()),
      leader_epoch_(options_.leader_epoch) {
  const size_t slash = dir_.find_last_of('/');
  const std::string base =
      slash == std::string::npos ? dir_ : dir_.substr(slash + 1);
  absl::StatusOr<format::ParsedPartitionDirName> parsed =
      format::ParsePartitionDirName(base);
  if (parsed.ok()) {
    checkpoint_topic_ = parsed->topic;
    checkpoint_partition_ = parsed->partition;
  } else {
    checkpoint_topic_ = base.empty() ? "log" : base;
    for (char& c : checkpoint_topic_) {
      if (absl::ascii_isspace(static_cast<unsigned char>(c))) c = '_';
    }
  }
}

// Checkpoints use Kafka's file format (log/checkpoint_file.h) with one
// entry: this log's (topic, partition).
absl::Status Log::WriteCheckpoint(absl::string_view name, int64_t offset) {
  const CheckpointEntry entry{checkpoint_topic_, checkpoint_partition_, offset};
  return WriteCheckpointFile(fs_, Join(dir_, name), {entry});
}

absl::StatusOr<int64_t> Log::ReadCheckpoint(absl::string_view name) {
  absl::StatusOr<std::vector<CheckpointEntry>> entries =
      ReadCheckpointFile(fs_, Join(dir_, name));
  if (!entries.ok()) return entries.status();
  for (const CheckpointEntry& entry : *entries) {
    if (entry.topic == checkpoint_topic_ &&
        entry.partition == checkpoint_partition_ && entry.offset >= 0) {
      return entry.offset;
    }
  }
  return absl::NotFoundError(
      absl::StrCat(Join(dir_, name), " has no entry for ", checkpoint_topic_,
                   " ", checkpoint_partition_));
}

// Close cancels the background sync job (the first Close; no roll, so no
// job, comes after it).
Log::~Log() { Close().IgnoreError(); }

std::string Log::Describe() const {
  return options_.name.empty() ? dir_ : options_.name;
}

absl::StatusOr<std::unique_ptr<Log>> Log::Open(std::string dir,
                                               LogOptions options) {
  if (options.segment_bytes < format::kRecordBatchHeaderSize ||
      options.segment_bytes > (uint64_t{1} << 31)) {
    return absl::InvalidArgumentError(
        absl::StrCat("segment.bytes ", options.segment_bytes,
                     " is outside [61, 2147483648] for log ", dir));
  }
  std::unique_ptr<Log> log(new Log(std::move(dir), std::move(options)));
  if (absl::Status s = log->Recover(); !s.ok()) return s;
  return log;
}

std::shared_ptr<const Log::SegmentList> Log::segments() const {
  MutexLock lock(&segments_mu_);
  return segments_;
}

void Log::Touched(const std::shared_ptr<Segment>& segment,
                  const SegmentList& list) const {
  if (segment != list.segments.back()) cache_->Touch(segment);
}

std::shared_ptr<Segment> Log::ActiveSegment() const {
  MutexLock lock(&segments_mu_);
  return segments_->segments.back();
}

// A log that syncs writes its new segments through the file from their
// first byte: not one of their pages is mapped for writing (each such page
// would cost a TLB shootdown when writeback cleans it).
internal::SegmentOptions Log::CurrentSegmentOptions() const {
  internal::SegmentOptions options = ToSegmentOptions(options_);
  options.write_through = write_through_.load(std::memory_order_relaxed);
  return options;
}

void Log::PublishSegments(std::shared_ptr<const SegmentList> list) {
  tail_segment_ = list->segments.back().get();
  // Segments made before the log's first Sync (found at Open, active again
  // after a truncation) write through the file from now on too.
  if (write_through_.load(std::memory_order_relaxed)) {
    tail_segment_->WriteThroughFile();
  }
  MutexLock lock(&segments_mu_);
  segments_ = std::move(list);
}

// Done at the first append rather than at Open, so an idle log costs no
// mapping, descriptor or directory sync.
absl::Status Log::EnsureActive() {
  if (active_ready_) return absl::OkStatus();
  if (absl::Status s = TailSegment().MakeActive(); !s.ok()) return s;
  if (absl::Status s = RemoveCleanShutdownMarker(); !s.ok()) return s;
  active_ready_ = true;
  return absl::OkStatus();
}

// From now on the files change: the marker (which lets the next Open trust
// the last segment without a scan) must not outlive this.
absl::Status Log::RemoveCleanShutdownMarker() {
  const std::string marker = Join(dir_, kCleanShutdownFile);
  absl::StatusOr<bool> exists = fs_->FileExists(marker);
  if (!exists.ok()) return exists.status();
  if (!*exists) return absl::OkStatus();
  if (absl::Status s = fs_->RemoveFile(marker); !s.ok()) return s;
  return fs_->SyncDir(dir_);
}

absl::Status Log::CheckWritable() const {
  if (closed_) {
    return absl::FailedPreconditionError(
        absl::StrCat("log ", Describe(), " is closed"));
  }
  if (truncate_failed_) {
    return absl::FailedPreconditionError(
        absl::StrCat("log ", Describe(),
                     ": an earlier truncation failed part-way; retry it or "
                     "reopen the log"));
  }
  return absl::OkStatus();
}

int32_t Log::leader_epoch() const {
  return leader_epoch_.load(std::memory_order_acquire);
}

absl::Status Log::set_leader_epoch(int32_t epoch) {
  int32_t current = leader_epoch_.load(std::memory_order_acquire);
  while (epoch > current &&
         !leader_epoch_.compare_exchange_weak(current, epoch)) {
  }
  if (epoch < current) {
    return absl::InvalidArgumentError(
        absl::StrCat("log ", Describe(), ": leader epoch ", epoch,
                     " is below the current leader epoch ", current));
  }
  return absl::OkStatus();
}

// What Append checks of each incoming batch: a sane header, the whole
// batch present, max.message.bytes, the CRC.
absl::Status Log::ValidateBatch(absl::string_view bytes,
                                RecordBatchHeader* header) const {
  absl::StatusOr<RecordBatchHeader> parsed = ReadBatchHeader(bytes);
  if (!parsed.ok()) return parsed.status();
  if (parsed->size_bytes() > bytes.size()) {
    return absl::DataLossError(absl::StrCat("batch of ", parsed->size_bytes(),
                                            " bytes is truncated to ",
                                            bytes.size()));
  }
  if (parsed->size_bytes() > options_.max_message_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch of ", parsed->size_bytes(),
                     " bytes is larger than max.message.bytes ",
                     options_.max_message_bytes));
  }
  *header = *parsed;
  return VerifyBatchCrc(*parsed, bytes.substr(0, parsed->size_bytes()));
}

absl::Status Log::ValidateBatches(absl::string_view batches,
                                  BatchHeaders* headers) const {
  for (size_t pos = 0; pos < batches.size();) {
    RecordBatchHeader header;
    if (absl::Status bad = ValidateBatch(batches.substr(pos), &header);
        !bad.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("log ", Describe(), ": append rejected: batch at byte ",
                       pos, ": ", bad.message()));
    }
    headers->push_back(header);
    pos += header.size_bytes();
  }
  if (headers->empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("log ", Describe(), ": append of no batches"));
  }
  return absl::OkStatus();
}

absl::StatusOr<AppendInfo> Log::Append(absl::string_view batches) {
  // Validate everything before touching the log.
  BatchHeaders headers;
  if (absl::Status s = ValidateBatches(batches, &headers); !s.ok()) return s;

  MutexLock lock(&append_mu_);
  if (absl::Status s = CheckWritable(); !s.ok()) return s;
  if (absl::Status s = EnsureActive(); !s.ok()) return s;
  AppendInfo info;
  size_t pos = 0;
  for (const RecordBatchHeader& header : headers) {
    absl::string_view batch = batches.substr(pos, header.size_bytes());
    if (absl::Status s = AppendOne(batch, header, /*as_follower=*/false, &info);
        !s.ok()) {
      return s;
    }
    pos += header.size_bytes();
  }
  if (absl::Status s = MaybeFlush(); !s.ok()) return s;
  return info;
}

absl::StatusOr<AppendInfo> Log::AppendAsFollower(absl::string_view batches) {
  BatchHeaders headers;
  if (absl::Status s = ValidateBatches(batches, &headers); !s.ok()) return s;
  // The leader's offsets must follow each other; epochs never go back.
  for (size_t i = 1; i < headers.size(); ++i) {
    const RecordBatchHeader& prev = headers[i - 1];
    const RecordBatchHeader& next = headers[i];
    if (next.base_offset != prev.last_offset() + 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("log ", Describe(), ": follower append rejected: batch ",
                       i, " starts at offset ", next.base_offset, ", expected ",
                       prev.last_offset() + 1, " (the previous batch ends at ",
                       prev.last_offset(), ")"));
    }
    if (next.partition_leader_epoch < prev.partition_leader_epoch) {
      return absl::InvalidArgumentError(absl::StrCat(
          "log ", Describe(), ": follower append rejected: batch ", i,
          " at offset ", next.base_offset, " has leader epoch ",
          next.partition_leader_epoch, ", below the previous batch's ",
          prev.partition_leader_epoch));
    }
  }

  MutexLock lock(&append_mu_);
  if (absl::Status s = CheckWritable(); !s.ok()) return s;
  const int64_t end = log_end_offset_.load(std::memory_order_relaxed);
  if (headers.front().base_offset != end) {
    return absl::OutOfRangeError(absl::StrCat(
        "log ", Describe(),
        ": follower append rejected: first batch starts at "
        "offset ",
        headers.front().base_offset, " but the log end offset is ", end));
  }
  const int32_t epoch = leader_epoch();
  for (const RecordBatchHeader& header : headers) {
    if (header.partition_leader_epoch < 0 ||
        header.partition_leader_epoch > epoch) {
      return absl::InvalidArgumentError(absl::StrCat(
          "log ", Describe(), ": follower append rejected: batch at offset ",
          header.base_offset, " has leader epoch ",
          header.partition_leader_epoch, " outside [0, ", epoch,
          "] (set_leader_epoch first)"));
    }
  }
  if (absl::Status s = EnsureActive(); !s.ok()) return s;
  AppendInfo info;
  size_t pos = 0;
  for (const RecordBatchHeader& header : headers) {
    absl::string_view batch = batches.substr(pos, header.size_bytes());
    if (absl::Status s = AppendOne(batch, header, /*as_follower=*/true, &info);
        !s.ok()) {
      return s;
    }
    pos += header.size_bytes();
  }
  if (absl::Status s = MaybeFlush(); !s.ok()) return s;
  return info;
}

absl::Status Log::AppendOne(absl::string_view batch,
                            const RecordBatchHeader& validated,
                            bool as_follower, AppendInfo* info) {
  RecordBatchHeader header = validated;
  if (absl::Status s = EnsureActive(); !s.ok()) return s;
  Segment* active;
  if (absl::Status s = MaybeRoll(batch.size(), header.max_timestamp, &active);
      !s.ok()) {
    return s;
  }
  if (!as_follower) {
    header.base_offset = log_end_offset_.load(std::memory_order_relaxed);
    header.partition_leader_epoch = leader_epoch();
  }
  if (absl::Status s = active->Append(batch, header); !s.ok()) return s;
  Appended(header, info);
  return absl::OkStatus();
}

void Log::Appended(const RecordBatchHeader& header, AppendInfo* info) {
  log_end_offset_.store(header.last_offset() + 1, std::memory_order_release);
  if (info->first_offset < 0) info->first_offset = header.base_offset;
  info->last_offset = header.last_offset();
  info->max_timestamp = std::max(info->max_timestamp, header.max_timestamp);
  info->record_count += header.record_count;
  info->bytes += header.size_bytes();
  if (unflushed_messages_ == 0) oldest_unflushed_ = clock_->Now();
  unflushed_messages_ += header.record_count;
}

absl::StatusOr<AppendInfo> Log::AppendInPlace(
    size_t max_batch_bytes,
    absl::FunctionRef<absl::StatusOr<size_t>(absl::Span<char>)> build) {
  if (max_batch_bytes < format::kRecordBatchHeaderSize ||
      max_batch_bytes > options_.max_message_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "log ", Describe(), ": in-place batch of up to ", max_batch_bytes,
        " bytes is outside [61, max.message.bytes ", options_.max_message_bytes,
        "]"));
  }
  MutexLock lock(&append_mu_);
  if (absl::Status s = CheckWritable(); !s.ok()) return s;
  if (absl::Status s = EnsureActive(); !s.ok()) return s;
  // Roll as for a batch of the largest size (its timestamp is not known).
  Segment* active;
  if (absl::Status s = MaybeRoll(max_batch_bytes, -1, &active); !s.ok()) {
    return s;
  }
  absl::StatusOr<absl::Span<char>> slot = active->ReserveTail(max_batch_bytes);
  if (!slot.ok()) return slot.status();
  absl::StatusOr<size_t> built = build(*slot);
  if (!built.ok()) return built.status();
  RecordBatchHeader header;
  absl::Status bad =
      *built > slot->size()
          ? absl::InvalidArgumentError(absl::StrCat(
                "built ", *built, " bytes into a ", slot->size(), "-byte slot"))
          : ValidateBatch(absl::string_view(slot->data(), *built), &header);
  if (bad.ok() && header.size_bytes() != *built) {
    bad = absl::InvalidArgumentError(absl::StrCat(
        "built ", *built, " bytes but the batch is ", header.size_bytes()));
  }
  if (!bad.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "log ", Describe(), ": in-place append rejected: ", bad.message()));
  }
  header.base_offset = log_end_offset_.load(std::memory_order_relaxed);
  header.partition_leader_epoch = leader_epoch();
  if (absl::Status s = active->CommitTail(header); !s.ok()) return s;
  AppendInfo info;
  Appended(header, &info);
  if (absl::Status s = MaybeFlush(); !s.ok()) return s;
  return info;
}

// Kafka's roll conditions: the batch would overflow segment.bytes, the
// index is full, or segment.ms passed since the segment's first batch. (A
// full index rolls when the batch would need an entry: up to
// index.interval.bytes later than Kafka, for an append free of reader locks.)
absl::Status Log::MaybeRoll(size_t batch_bytes, int64_t max_timestamp,
                            Segment** active) {
  *active = &TailSegment();
  const uint64_t size = (*active)->size();
  if (size == 0) return absl::OkStatus();  // any batch fits an empty segment
  const bool full = size + batch_bytes > options_.segment_bytes;
  const int64_t first_ts = (*active)->first_batch_timestamp();
  const bool old =
      first_ts >= 0 && max_timestamp - first_ts >=
                           absl::ToInt64Milliseconds(options_.segment_ms);
  if (!full && !old && !(*active)->NoRoomForNextIndexEntry()) {
    return absl::OkStatus();
  }
  absl::Status rolled = Roll();
  *active = &TailSegment();
  return rolled;
}

absl::Status Log::Roll() {
  std::shared_ptr<const SegmentList> current = segments();
  const std::shared_ptr<Segment>& old = current->segments.back();
  const int64_t base = log_end_offset_.load(std::memory_order_relaxed);
  // If anything below fails, the next append makes the last segment active
  // again and retries the roll.
  active_ready_ = false;
  // Neither trimmed nor synced: SyncRolledSegments does both, off the
  // append path.
  if (absl::Status s = old->Seal(); !s.ok()) return s;
  old->ReleaseResources();  // reopened read-only by the next reader
  internal::SegmentOptions options = CurrentSegmentOptions();
  options.appending_fast = old->appending_fast();  // prefault from the start
  absl::StatusOr<std::shared_ptr<Segment>> fresh =
      Segment::CreateActive(fs_, dir_, base, options);
  if (!fresh.ok()) return fresh.status();
  // Its directory entry is synced with the old segment (SyncRolledSegments):
  // a crash before that loses both, leaving a prefix.
  dir_sync_pending_.store(true, std::memory_order_release);
  active_ready_ = true;
  {
    // Queued before the new segment is published, so a Sync that finds
    // the new segment active also finds the old one here.
    MutexLock lock(&unsynced_mu_);
    unsynced_.push_back(RolledSegment{old, base});
  }
  auto list = std::make_shared<SegmentList>(*current);
  list->segments.push_back(*std::move(fresh));
  PublishSegments(std::move(list));
  ScheduleRolledSync();
  return absl::OkStatus();
}

void Log::ScheduleRolledSync() {
  if (!options_.sync_rolled_segments_in_background) return;
  // An error leaves the segment queued: the next Sync retries and reports
  // it, and the recovery point stays below the segment meanwhile.
  internal::BackgroundSyncer::Default()->Schedule(
      this, [this] { SyncRolledSegments().IgnoreError(); });
}

absl::Status Log::SyncRolledSegments() {
  MutexLock serial(&rolled_sync_mu_);
  // The entries of every segment queued (and of the active one) were made
  // before this.
  if (dir_sync_pending_.exchange(false, std::memory_order_acq_rel)) {
    if (absl::Status s = fs_->SyncDir(dir_); !s.ok()) {
      dir_sync_pending_.store(true, std::memory_order_release);
      return s;
    }
  }
  bool synced_any = false;
  while (true) {
    RolledSegment next;
    {
      MutexLock lock(&unsynced_mu_);
      if (unsynced_.empty()) break;
      next = unsynced_.front();
    }
    if (absl::Status s = next.segment->SyncSealed(); !s.ok()) return s;
    {
      MutexLock lock(&unsynced_mu_);
      unsynced_.pop_front();  // still `next`: only the holder of serial pops
    }
    // Every segment before it was synced earlier, in this order.
    RaiseRecoveryPoint(next.end);
    synced_any = true;
  }
  if (!synced_any) return absl::OkStatus();
  return WriteCheckpoint(kRecoveryPointFile, recovery_point_.load());
}

void Log::RaiseRecoveryPoint(int64_t offset) {
  int64_t point = recovery_point_.load();
  while (point < offset &&
         !recovery_point_.compare_exchange_weak(point, offset)) {
  }
}

absl::Status Log::MaybeFlush() {
  if (unflushed_messages_ == 0) return absl::OkStatus();
  // flush.ms is infinite by default (Kafka's): then no clock read per
  // append.
  if (unflushed_messages_ < options_.flush_messages &&
      (options_.flush_ms == absl::InfiniteDuration() ||
       clock_->Now() - oldest_unflushed_ < options_.flush_ms)) {
    return absl::OkStatus();
  }
  unflushed_messages_ = 0;
  oldest_unflushed_ = absl::InfiniteFuture();
  return Sync();
}

absl::Status Log::FlushIfDue() {
  MutexLock lock(&append_mu_);
  if (closed_) return absl::OkStatus();
  return MaybeFlush();
}

// Group commit: the first caller flushes for everyone who arrived before it
// started; callers arriving meanwhile wait and are usually covered by it,
// otherwise one of them runs the next flush.
absl::Status Log::Sync() {
  const int64_t target = log_end_offset_.load(std::memory_order_acquire);
  sync_mu_.Lock();
  while (recovery_point_.load(std::memory_order_acquire) < target &&
         sync_running_) {
    sync_done_.Wait(&sync_mu_);
  }
  if (recovery_point_.load(std::memory_order_acquire) >= target) {
    sync_mu_.Unlock();
    return absl::OkStatus();
  }
  sync_running_ = true;
  const int64_t synced_base = synced_segment_base_;
  const uint64_t synced_bytes = synced_bytes_;
  sync_mu_.Unlock();

  const int64_t end = log_end_offset_.load(std::memory_order_acquire);
  std::shared_ptr<Segment> active = ActiveSegment();
  write_through_.store(true, std::memory_order_relaxed);
  active->WriteThroughFile();
  const uint64_t size = active->size();
  const uint64_t from =
      active->base_offset() == synced_base ? std::min(synced_bytes, size) : 0;
  // The segments rolled before `active` became the last one, then it (a
  // roll since then makes SyncRange sync it whole).
  absl::Status status = SyncRolledSegments();
  if (status.ok()) status = active->SyncRange(from, size);

  sync_mu_.Lock();
  if (status.ok()) {
    synced_segment_base_ = active->base_offset();
    synced_bytes_ = size;
    RaiseRecoveryPoint(end);
  }
  sync_running_ = false;
  sync_done_.SignalAll();
  sync_mu_.Unlock();
  return status;
}

int64_t Log::log_start_offset() const {
  return log_start_offset_.load(std::memory_order_acquire);
}
int64_t Log::log_end_offset() const {
  return log_end_offset_.load(std::memory_order_acquire);
}
int64_t Log::recovery_point() const {
  return recovery_point_.load(std::memory_order_acquire);
}
int64_t Log::segment_count() const {
  return static_cast<int64_t>(segments()->segments.size());
}
uint64_t Log::size_bytes() const {
  uint64_t total = 0;
  for (const auto& segment : segments()->segments) total += segment->size();
  return total;
}
int64_t Log::open_segment_count() const {
  int64_t open = 0;
  for (const auto& segment : segments()->segments) open += segment->is_open();
  return open;
}

int64_t Log::corrupt_batches_found() const {
  return corrupt_batches_.load(std::memory_order_acquire);
}

absl::Status Log::Close() {
  MutexLock lock(&append_mu_);
  if (closed_) {
    return absl::FailedPreconditionError(
        absl::StrCat("log ", Describe(), " is already closed"));
  }
  closed_ = true;
  internal::BackgroundSyncer::Default()->Cancel(this);
  if (absl::Status s = SyncRolledSegments(); !s.ok()) return s;
  // Not ready: nothing was written since Open, or a roll failed after
  // sealing the last segment (SyncAll syncs it then).
  if (!active_ready_) {
    return tail_segment_ == nullptr ? absl::OkStatus()  // Open failed
                                    : TailSegment().SyncAll();
  }
  if (absl::Status s = TailSegment().Seal(); !s.ok()) return s;
  if (absl::Status s = TailSegment().SyncSealed(); !s.ok()) return s;
  const int64_t end = log_end_offset_.load();
  recovery_point_.store(end);
  if (absl::Status s = WriteCheckpoint(kRecoveryPointFile, end); !s.ok()) {
    return s;
  }
  return WriteNumberFile(fs_, dir_, kCleanShutdownFile, end);
}

}  // namespace runnel
