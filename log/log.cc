// Copyright 2026 The Runnel Authors.
#include "runnel/log.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "log/checkpoint_file.h"
#include "log/cleaner_swap.h"
#include "log/format.h"
#include "log/log_cleaner.h"
#include "log/segment.h"
#include "log/segment_cache.h"
#include "runnel/record_batch.h"

namespace runnel {

using internal::Segment;

// The segments in base-offset order; the last one takes appends. Immutable
// once published: rolls and deletions publish a new list.
struct Log::SegmentList {
  std::vector<std::shared_ptr<Segment>> segments;

  // The segment that holds (or would hold) `offset`: the last one whose
  // base offset is <= offset. Null if offset is below the first.
  std::shared_ptr<Segment> Floor(int64_t offset) const {
    auto it =
        std::upper_bound(segments.begin(), segments.end(), offset,
                         [](int64_t o, const std::shared_ptr<Segment>& s) {
                           return o < s->base_offset();
                         });
    return it == segments.begin() ? nullptr : *std::prev(it);
  }
  // The segment after `segment`, or null.
  std::shared_ptr<Segment> After(const Segment* segment) const {
    for (size_t i = 0; i + 1 < segments.size(); ++i) {
      if (segments[i].get() == segment) return segments[i + 1];
    }
    return nullptr;
  }
};

namespace {

constexpr absl::string_view kRecoveryPointFile =
    "recovery-point-offset-checkpoint";
constexpr absl::string_view kLogStartFile = "log-start-offset-checkpoint";
// Where the next compaction pass starts (Kafka's cleaner-offset-checkpoint).
constexpr absl::string_view kCleanerOffsetFile = "cleaner-offset-checkpoint";
// Written by Close after everything is synced: its content is the log end
// offset, so the next Open trusts the files and scans nothing.
constexpr absl::string_view kCleanShutdownFile = ".runnel_cleanshutdown";

std::string Join(absl::string_view dir, absl::string_view name) {
  return absl::StrCat(dir, "/", name);
}

internal::SegmentOptions ToSegmentOptions(const LogOptions& options) {
  internal::SegmentOptions s;
  s.index_interval_bytes = options.index_interval_bytes;
  s.max_index_bytes = options.segment_index_bytes;
  s.capacity_bytes = std::max<uint64_t>(
      options.segment_bytes, options.max_message_bytes + format::kLogOverhead);
  s.reserve_chunk_bytes = options.preallocate_bytes;
  s.prefault = options.prefault;
  return s;
}

// Reads a one-number file written by WriteNumberFile.
absl::StatusOr<int64_t> ReadNumberFile(FileSystem* fs,
                                       const std::string& path) {
  absl::StatusOr<std::unique_ptr<File>> file =
      fs->OpenFile(path, OpenOptions::ReadOnly());
  if (!file.ok()) return file.status();
  char buf[32];
  absl::StatusOr<size_t> n = (*file)->ReadAt(0, absl::MakeSpan(buf));
  if (!n.ok()) return n.status();
  int64_t value;
  absl::string_view text(buf, *n);
  if (!absl::SimpleAtoi(absl::StripSuffix(text, "\n"), &value) || value < 0) {
    return absl::DataLossError(
        absl::StrCat(path, ": not an offset: \"", text, "\""));
  }
  return value;
}

// Writes `value` to `path` crash-safely: temp file, sync, rename, dir sync.
absl::Status WriteNumberFile(FileSystem* fs, absl::string_view dir,
                             absl::string_view name, int64_t value) {
  const std::string path = Join(dir, name);
  const std::string tmp = absl::StrCat(path, ".tmp");
  absl::StatusOr<std::unique_ptr<File>> file =
      fs->OpenFile(tmp, OpenOptions::CreateTruncate());
  if (!file.ok()) return file.status();
  if (absl::Status s = (*file)->Append(absl::StrCat(value, "\n")); !s.ok()) {
    return s;
  }
  if (absl::Status s = (*file)->Sync(); !s.ok()) return s;
  if (absl::Status s = (*file)->Close(); !s.ok()) return s;
  if (absl::Status s = fs->Rename(tmp, path); !s.ok()) return s;
  return fs->SyncDir(dir);
}

// mkdir -p that also fsyncs the parent of every directory it creates, so a
// new log's directory survives a power loss along with its files.
absl::Status CreateDirsDurably(FileSystem* fs, const std::string& dir) {
  std::vector<std::string> missing;
  for (std::string path = dir; !path.empty() && path != "/";) {
    absl::StatusOr<bool> exists = fs->FileExists(path);
    if (!exists.ok()) return exists.status();
    if (*exists) break;
    missing.push_back(path);
    const size_t slash = path.find_last_of('/');
    path = slash == std::string::npos ? "" : path.substr(0, slash);
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (absl::Status s = fs->CreateDir(*it); !s.ok()) return s;
    const size_t slash = it->find_last_of('/');
    const std::string parent = slash == std::string::npos ? "."
                               : slash == 0               ? "/"
                                            : it->substr(0, slash);
    if (absl::Status s = fs->SyncDir(parent); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

Log::Log(std::string dir, LogOptions options)
    : dir_(std::move(dir)),
      options_(std::move(options)),
      fs_(options_.file_system != nullptr ? options_.file_system
                                          : FileSystem::Default()),
      clock_(options_.clock != nullptr ? options_.clock : Clock::Real()),
      cache_(options_.open_segment_cache != nullptr
                 ? options_.open_segment_cache
                 : internal::OpenSegmentCache::Default()),
      segments_(std::make_shared<SegmentList>()) {
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

void Log::Touched(const std::shared_ptr<Segment>& segment) const {
  if (segment != segments()->segments.back()) cache_->Touch(segment);
}

void Log::PublishSegments(std::shared_ptr<const SegmentList> list) {
  MutexLock lock(&segments_mu_);
  segments_ = std::move(list);
}

absl::Status Log::Recover() {
  if (absl::Status s = CreateDirsDurably(fs_, dir_); !s.ok()) return s;
  // A compaction swap cut short by a crash is finished or undone first, so
  // the listing below sees whole segments only.
  absl::StatusOr<internal::InterruptedCleaning> cleaning =
      internal::CompleteInterruptedCleaning(fs_, dir_);
  if (!cleaning.ok()) return cleaning.status();
  absl::StatusOr<std::vector<std::string>> names = fs_->ListDir(dir_);
  if (!names.ok()) return names.status();

  std::vector<int64_t> bases;
  for (const std::string& name : *names) {
    if (absl::EndsWith(name, ".tmp")) {  // a checkpoint write cut short
      if (absl::Status s = fs_->RemoveFile(Join(dir_, name)); !s.ok()) {
        return s;
      }
      continue;
    }
    if (!absl::EndsWith(name, ".log")) continue;
    absl::StatusOr<format::ParsedSegmentFileName> info =
        format::ParseSegmentFileName(name);
    if (!info.ok()) {
      return absl::DataLossError(
          absl::StrCat("log ", Describe(), ": unexpected file ",
                       Join(dir_, name), ": ", info.status().message()));
    }
    bases.push_back(info->base_offset);
  }
  std::sort(bases.begin(), bases.end());

  // A missing or unreadable checkpoint only costs a longer scan (recovery
  // point 0) or a start at the first segment; it never loses data.
  absl::StatusOr<int64_t> start = ReadCheckpoint(kLogStartFile);
  if (start.ok()) log_start_offset_.store(*start);
  absl::StatusOr<int64_t> point = ReadCheckpoint(kRecoveryPointFile);
  if (point.ok()) recovery_point_.store(*point);
  absl::StatusOr<int64_t> clean_end =
      ReadNumberFile(fs_, Join(dir_, kCleanShutdownFile));

  if (bases.empty()) {
    const int64_t base = log_start_offset_.load();
    absl::StatusOr<std::shared_ptr<Segment>> active =
        Segment::CreateActive(fs_, dir_, base, ToSegmentOptions(options_));
    if (!active.ok()) return active.status();
    if (absl::Status s = fs_->SyncDir(dir_); !s.ok()) return s;
    auto list = std::make_shared<SegmentList>();
    list->segments.push_back(*std::move(active));
    PublishSegments(std::move(list));
    log_end_offset_.store(base);
    recovery_point_.store(base);
    MutexLock lock(&append_mu_);
    active_ready_ = true;
    return absl::OkStatus();
  }
  return RecoverSegments(std::move(bases), clean_end.ok(),
                         clean_end.ok() ? *clean_end : 0);
}

// Segments wholly below the recovery point are trusted (their size from the
// file system, their end from the next segment's base). From the segment
// that holds the recovery point on, every batch is checked; the last
// segment's invalid tail is cut, an invalid stretch inside an earlier one is
// corruption: kept on disk, counted, and reported by Read.
absl::Status Log::RecoverSegments(std::vector<int64_t> bases,
                                  bool clean_shutdown, int64_t clean_end) {
  const internal::SegmentOptions segment_options = ToSegmentOptions(options_);
  const int64_t point = recovery_point_.load();
  auto list = std::make_shared<SegmentList>();
  int64_t next_offset = bases.front();
  for (size_t i = 0; i < bases.size(); ++i) {
    const bool last = i + 1 == bases.size();
    std::shared_ptr<Segment> segment =
        Segment::Existing(fs_, dir_, bases[i], segment_options);
    const int64_t end = last ? clean_end : bases[i + 1];
    if ((!last && end <= point) || (last && clean_shutdown)) {
      if (absl::Status s = segment->LoadSealed(end); !s.ok()) return s;
      next_offset = end;
    } else {
      absl::StatusOr<internal::SegmentScan> scan =
          segment->Recover(next_offset);
      if (!scan.ok()) return scan.status();
      if (scan->invalid_bytes > 0) {
        // A torn tail after the recovery point is what a crash leaves;
        // invalid bytes below it, or inside an earlier segment, are not.
        if (!last || scan->next_offset < point) corrupt_batches_.fetch_add(1);
        if (last) {
          if (absl::Status s = segment->TruncateTo(scan->valid_bytes);
              !s.ok()) {
            return s;
          }
        } else {
          segment->set_corrupt_position(
              static_cast<int64_t>(scan->valid_bytes));
        }
      }
      next_offset = last ? scan->next_offset : bases[i + 1];
    }
    // Scanned segments below the tail are closed again: an idle log keeps
    // nothing of its sealed segments open.
    if (!last) segment->ReleaseResources();
    list->segments.push_back(std::move(segment));
  }
  log_start_offset_.store(std::max(log_start_offset_.load(), bases.front()));
  log_end_offset_.store(next_offset);
  recovery_point_.store(std::min(point, next_offset));
  PublishSegments(std::move(list));
  return absl::OkStatus();
}

// Done at the first append rather than at Open, so an idle log costs no
// mapping, descriptor or directory sync.
absl::Status Log::EnsureActive() {
  if (active_ready_) return absl::OkStatus();
  std::shared_ptr<Segment> last = segments()->segments.back();
  if (absl::Status s = last->MakeActive(); !s.ok()) return s;
  const std::string marker = Join(dir_, kCleanShutdownFile);
  absl::StatusOr<bool> exists = fs_->FileExists(marker);
  if (!exists.ok()) return exists.status();
  if (*exists) {
    // From now on the files change: the marker must not outlive this.
    if (absl::Status s = fs_->RemoveFile(marker); !s.ok()) return s;
    if (absl::Status s = fs_->SyncDir(dir_); !s.ok()) return s;
  }
  active_ready_ = true;
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
  return VerifyBatchCrc(bytes.substr(0, parsed->size_bytes()));
}

absl::StatusOr<AppendInfo> Log::Append(absl::string_view batches) {
  // Validate everything before touching the log.
  std::vector<RecordBatchHeader> headers;
  for (size_t pos = 0; pos < batches.size();) {
    RecordBatchHeader header;
    if (absl::Status bad = ValidateBatch(batches.substr(pos), &header);
        !bad.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("log ", Describe(), ": append rejected: batch at byte ",
                       pos, ": ", bad.message()));
    }
    headers.push_back(header);
    pos += header.size_bytes();
  }
  if (headers.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("log ", Describe(), ": append of no batches"));
  }

  MutexLock lock(&append_mu_);
  if (closed_) {
    return absl::FailedPreconditionError(
        absl::StrCat("log ", Describe(), " is closed"));
  }
  if (absl::Status s = EnsureActive(); !s.ok()) return s;
  AppendInfo info;
  size_t pos = 0;
  for (const RecordBatchHeader& header : headers) {
    absl::string_view batch = batches.substr(pos, header.size_bytes());
    if (absl::Status s = AppendOne(batch, &info); !s.ok()) return s;
    pos += header.size_bytes();
  }
  if (absl::Status s = MaybeFlush(); !s.ok()) return s;
  return info;
}

absl::Status Log::AppendOne(absl::string_view batch, AppendInfo* info) {
  absl::StatusOr<RecordBatchHeader> parsed = ReadBatchHeader(batch);
  if (!parsed.ok()) return parsed.status();
  RecordBatchHeader header = *parsed;
  if (absl::Status s = EnsureActive(); !s.ok()) return s;
  if (absl::Status s = MaybeRoll(batch.size(), header.max_timestamp); !s.ok()) {
    return s;
  }
  header.base_offset = log_end_offset_.load(std::memory_order_relaxed);
  header.partition_leader_epoch = options_.leader_epoch;
  std::shared_ptr<Segment> active = segments()->segments.back();
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
  if (closed_) {
    return absl::FailedPreconditionError(
        absl::StrCat("log ", Describe(), " is closed"));
  }
  if (absl::Status s = EnsureActive(); !s.ok()) return s;
  // Roll as for a batch of the largest size (its timestamp is not known).
  if (absl::Status s = MaybeRoll(max_batch_bytes, -1); !s.ok()) return s;
  std::shared_ptr<Segment> active = segments()->segments.back();
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
  header.partition_leader_epoch = options_.leader_epoch;
  if (absl::Status s = active->CommitTail(header); !s.ok()) return s;
  AppendInfo info;
  Appended(header, &info);
  if (absl::Status s = MaybeFlush(); !s.ok()) return s;
  return info;
}

// Kafka's roll conditions: the batch would overflow segment.bytes, the
// index is full, or segment.ms passed since the segment's first batch.
absl::Status Log::MaybeRoll(size_t batch_bytes, int64_t max_timestamp) {
  std::shared_ptr<Segment> active = segments()->segments.back();
  const uint64_t size = active->size();
  if (size == 0) return absl::OkStatus();  // any batch fits an empty segment
  const bool full = size + batch_bytes > options_.segment_bytes;
  const int64_t first_ts = active->first_batch_timestamp();
  const bool old =
      first_ts >= 0 && max_timestamp - first_ts >=
                           absl::ToInt64Milliseconds(options_.segment_ms);
  if (full || old || active->IndexFull()) return Roll();
  return absl::OkStatus();
}

absl::Status Log::Roll() {
  std::shared_ptr<const SegmentList> current = segments();
  const std::shared_ptr<Segment>& old = current->segments.back();
  const int64_t base = log_end_offset_.load(std::memory_order_relaxed);
  // If anything below fails, the next append makes the last segment active
  // again and retries the roll.
  active_ready_ = false;
  if (absl::Status s = old->Seal(); !s.ok()) return s;  // synced, trimmed
  old->ReleaseResources();  // reopened read-only by the next reader
  absl::StatusOr<std::shared_ptr<Segment>> fresh =
      Segment::CreateActive(fs_, dir_, base, ToSegmentOptions(options_));
  if (!fresh.ok()) return fresh.status();
  if (absl::Status s = fs_->SyncDir(dir_); !s.ok()) {
    (*fresh)->DeleteFiles().IgnoreError();
    return s;
  }
  active_ready_ = true;
  auto list = std::make_shared<SegmentList>(*current);
  list->segments.push_back(*std::move(fresh));
  PublishSegments(std::move(list));
  // Everything in the sealed segment is durable now.
  int64_t point = recovery_point_.load();
  while (point < base && !recovery_point_.compare_exchange_weak(point, base)) {
  }
  return WriteCheckpoint(kRecoveryPointFile, recovery_point_.load());
}

absl::Status Log::MaybeFlush() {
  if (unflushed_messages_ == 0) return absl::OkStatus();
  if (unflushed_messages_ < options_.flush_messages &&
      clock_->Now() - oldest_unflushed_ < options_.flush_ms) {
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

  // Rolled segments were synced when sealed; only the active one is left.
  const int64_t end = log_end_offset_.load(std::memory_order_acquire);
  std::shared_ptr<Segment> active = segments()->segments.back();
  const uint64_t size = active->size();
  const uint64_t from =
      active->base_offset() == synced_base ? std::min(synced_bytes, size) : 0;
  absl::Status status = active->SyncRange(from, size);

  sync_mu_.Lock();
  if (status.ok()) {
    synced_segment_base_ = active->base_offset();
    synced_bytes_ = size;
    int64_t point = recovery_point_.load();
    while (point < end && !recovery_point_.compare_exchange_weak(point, end)) {
    }
  }
  sync_running_ = false;
  sync_done_.SignalAll();
  sync_mu_.Unlock();
  return status;
}

absl::StatusOr<LogReadResult> Log::Read(int64_t offset, size_t max_bytes) {
  // A segment replaced by compaction under this reader reports Unavailable:
  // the segment list has changed, so read again from the new one.
  absl::StatusOr<LogReadResult> result = ReadOnce(offset, max_bytes);
  for (int attempt = 0; attempt < 8 && absl::IsUnavailable(result.status());
       ++attempt) {
    result = ReadOnce(offset, max_bytes);
  }
  return result;
}

absl::StatusOr<LogReadResult> Log::ReadOnce(int64_t offset, size_t max_bytes) {
  LogReadResult result;
  result.log_end_offset = log_end_offset_.load(std::memory_order_acquire);
  const int64_t start = log_start_offset_.load(std::memory_order_acquire);
  if (offset < start || offset > result.log_end_offset) {
    return absl::OutOfRangeError(
        absl::StrCat("log ", Describe(), ": offset ", offset, " is outside [",
                     start, ", ", result.log_end_offset, "]"));
  }
  if (offset == result.log_end_offset) return result;
  std::shared_ptr<const SegmentList> list = segments();
  for (std::shared_ptr<Segment> segment = list->Floor(offset);
       segment != nullptr; segment = list->After(segment.get())) {
    if (offset >= segment->next_offset()) {
      if (segment->corrupt_position() >= 0) {
        corrupt_batches_.fetch_add(1);
        return absl::DataLossError(
            absl::StrCat("log ", Describe(), ": offset ", offset,
                         " lies in corrupt data of ", segment->log_path(),
                         " at position ", segment->corrupt_position()));
      }
      continue;  // a gap: read from the next segment
    }
    absl::StatusOr<uint64_t> position = segment->FindPosition(offset);
    if (!position.ok()) return BelowStartOr(offset, position.status());
    absl::Status status =
        ReadSegment(*segment, offset, max_bytes, *position, &result);
    if (absl::IsDataLoss(status) && *position > 0) {
      // The index is only a hint: if it pointed at something that is not a
      // batch boundary, scan the segment from its start instead.
      result.batches.clear();
      result.pins.clear();
      status = ReadSegment(*segment, offset, max_bytes, 0, &result);
    }
    if (absl::IsNotFound(status) || absl::IsUnavailable(status)) {
      return BelowStartOr(offset, status);
    }
    if (!status.ok()) {
      corrupt_batches_.fetch_add(1);
      return status;
    }
    Touched(segment);
    // Compaction may have removed every batch from `offset` to the end of
    // this segment: then the next segment holds what comes next.
    if (!result.batches.empty()) return result;
  }
  return result;
}

// A reader may take a segment from the list just before retention deletes
// it; opening its files then fails. That is no error of the log: the
// offset is now below the log start, so say so as any read there would.
absl::Status Log::BelowStartOr(int64_t offset, absl::Status status) const {
  const int64_t start = log_start_offset_.load(std::memory_order_acquire);
  if (offset >= start) return status;
  return absl::OutOfRangeError(absl::StrCat("log ", Describe(), ": offset ",
                                            offset, " is outside [", start,
                                            ", ", log_end_offset(), "]"));
}

// The checks the CRC cannot make: magic and sizes (ReadBatchHeader), the
// leader epoch the log stamped, and offsets that rise inside their bounds
// (base offset and leader epoch sit outside the CRC). Then the CRC.
absl::Status Log::CheckBatch(const RecordBatchHeader& header,
                             absl::string_view bytes, int64_t min_offset,
                             int64_t end_offset) const {
  const int64_t last = header.base_offset + header.last_offset_delta;
  if (header.base_offset < min_offset || last >= end_offset) {
    return absl::DataLossError(absl::StrCat("offsets ", header.base_offset, "-",
                                            last, " outside [", min_offset,
                                            ", ", end_offset, ")"));
  }
  if (header.partition_leader_epoch < 0 ||
      header.partition_leader_epoch > options_.leader_epoch) {
    return absl::DataLossError(
        absl::StrCat("partition leader epoch ", header.partition_leader_epoch,
                     " outside [0, ", options_.leader_epoch, "]"));
  }
  return VerifyBatchCrc(bytes);
}

// Reads whole batches of `segment` from `position` on (see Read).
absl::Status Log::ReadSegment(Segment& segment, int64_t offset,
                              size_t max_bytes, uint64_t position,
                              LogReadResult* result) const {
  const uint64_t size = segment.size();
  absl::StatusOr<internal::PinnedBytes> pinned =
      segment.View(position, size - std::min(position, size));
  if (!pinned.ok()) return pinned.status();
  absl::string_view rest = pinned->bytes;
  size_t total = 0;
  int64_t min_offset = segment.base_offset();
  while (!rest.empty()) {
    const uint64_t at = position + (pinned->bytes.size() - rest.size());
    absl::StatusOr<RecordBatchHeader> header = ReadBatchHeader(rest);
    absl::Status bad = header.status();
    if (bad.ok() && header->size_bytes() > rest.size()) {
      bad = absl::DataLossError("batch runs past the end of the segment");
    }
    if (bad.ok() && header->last_offset() >= offset) {
      if (!result->batches.empty() &&
          total + header->size_bytes() > max_bytes) {
        break;
      }
      // The next batch's base offset bounds this one's last offset.
      absl::StatusOr<RecordBatchHeader> next =
          ReadBatchHeader(rest.substr(header->size_bytes()));
      const int64_t end = next.ok() ? next->base_offset : segment.next_offset();
      bad = CheckBatch(*header, rest.substr(0, header->size_bytes()),
                       min_offset, end);
      if (bad.ok()) {
        result->batches.push_back(rest.substr(0, header->size_bytes()));
        total += header->size_bytes();
      }
    }
    if (!bad.ok()) {
      return absl::DataLossError(absl::StrCat(
          "log ", Describe(), ": corrupt batch in ", segment.log_path(),
          " at position ", at, ": ", bad.message()));
    }
    min_offset = header->last_offset() + 1;
    rest.remove_prefix(header->size_bytes());
  }
  result->pins.push_back(pinned->mapping);
  return absl::OkStatus();
}

absl::StatusOr<OffsetAndTimestamp> Log::OffsetForTimestamp(int64_t timestamp) {
  std::shared_ptr<const SegmentList> list = segments();
  for (const std::shared_ptr<Segment>& segment : list->segments) {
    if (segment->next_offset() <= log_start_offset()) continue;
    if (segment->size() == 0) continue;
    // Skip whole segments whose largest timestamp is older (known for
    // scanned segments; otherwise read their last time-index entry).
    absl::StatusOr<TimestampOffset> floor = segment->LookupTime(timestamp);
    Touched(segment);
    if (!floor.ok()) return floor.status();
    absl::StatusOr<uint64_t> position = segment->FindPosition(floor->offset);
    if (!position.ok()) return position.status();
    absl::StatusOr<internal::PinnedBytes> pinned =
        segment->View(*position, segment->size() - *position);
    if (!pinned.ok()) return pinned.status();
    for (absl::string_view rest = pinned->bytes; !rest.empty();) {
      absl::StatusOr<RecordBatchHeader> header = ReadBatchHeader(rest);
      if (!header.ok()) return header.status();
      if (header->max_timestamp >= timestamp &&
          header->base_offset + header->last_offset_delta >=
              log_start_offset()) {
        return OffsetAndTimestamp{
            header->max_timestamp,
            std::max(header->base_offset, log_start_offset())};
      }
      rest.remove_prefix(header->size_bytes());
    }
  }
  return absl::NotFoundError(absl::StrCat(
      "log ", Describe(), ": no batch with a timestamp >= ", timestamp));
}

absl::StatusOr<int64_t> Log::DeleteRecordsBefore(int64_t offset) {
  MutexLock maintenance(&maintenance_mu_);
  MutexLock lock(&append_mu_);
  if (closed_) {
    return absl::FailedPreconditionError(
        absl::StrCat("log ", Describe(), " is closed"));
  }
  const int64_t end = log_end_offset_.load();
  if (offset > end) {
    return absl::OutOfRangeError(
        absl::StrCat("log ", Describe(), ": cannot delete records before ",
                     offset, ", past the log end offset ", end));
  }
  if (offset <= log_start_offset_.load()) return log_start_offset_.load();
  // The records below the new start must be durable before the start is:
  // otherwise a crash could leave a start past the recovered end.
  if (offset > recovery_point_.load()) {
    if (absl::Status s = Sync(); !s.ok()) return s;
  }
  // Durable first: after a crash the start never moves back.
  if (absl::Status s = WriteCheckpoint(kLogStartFile, offset); !s.ok()) {
    return s;
  }
  log_start_offset_.store(offset, std::memory_order_release);
  std::shared_ptr<const SegmentList> list = segments();
  size_t below = 0;  // segments whose successor starts at or below `offset`
  while (below + 1 < list->segments.size() &&
         list->segments[below + 1]->base_offset() <= offset) {
    ++below;
  }
  if (absl::Status s = DeleteOldestSegments(below); !s.ok()) return s;
  return offset;
}

absl::StatusOr<int> Log::ApplyRetention() {
  MutexLock maintenance(&maintenance_mu_);
  MutexLock lock(&append_mu_);
  if (closed_) {
    return absl::FailedPreconditionError(
        absl::StrCat("log ", Describe(), " is closed"));
  }
  if (options_.cleanup_policy == CleanupPolicy::kCompact) return 0;
  absl::StatusOr<size_t> by_time = SegmentsPastRetentionMs();
  if (!by_time.ok()) return by_time.status();
  const size_t count = std::max(*by_time, SegmentsPastRetentionBytes());
  if (count == 0) return 0;
  // Checkpoint the new start before deleting, as DeleteRecordsBefore does.
  std::shared_ptr<const SegmentList> list = segments();
  const size_t deletable = std::min(count, list->segments.size() - 1);
  const int64_t start = list->segments[deletable]->base_offset();
  if (start > log_start_offset_.load()) {
    if (absl::Status s = WriteCheckpoint(kLogStartFile, start); !s.ok()) {
      return s;
    }
  }
  if (absl::Status s = DeleteOldestSegments(deletable); !s.ok()) return s;
  return static_cast<int>(deletable);
}

// The oldest segments whose largest timestamp is older than retention.ms.
// If that is all of them, the active one is rolled first so that it can go
// as well (Kafka does the same); the new empty segment stays.
absl::StatusOr<size_t> Log::SegmentsPastRetentionMs() {
  if (options_.retention_ms == absl::InfiniteDuration()) return 0;
  const int64_t cutoff =
      clock_->NowMillis() - absl::ToInt64Milliseconds(options_.retention_ms);
  std::shared_ptr<const SegmentList> list = segments();
  size_t count = 0;
  for (const std::shared_ptr<Segment>& segment : list->segments) {
    if (segment->size() == 0) break;
    absl::StatusOr<int64_t> largest = segment->LargestTimestamp();
    Touched(segment);
    if (!largest.ok()) return largest.status();
    if (*largest >= cutoff) break;
    ++count;
  }
  if (count == list->segments.size()) {
    if (absl::Status s = EnsureActive(); !s.ok()) return s;
    if (absl::Status s = Roll(); !s.ok()) return s;
  }
  return std::min(count, segments()->segments.size() - 1);
}

// The oldest segments that can go while the log stays >= retention.bytes.
size_t Log::SegmentsPastRetentionBytes() const {
  if (options_.retention_bytes < 0) return 0;
  std::shared_ptr<const SegmentList> list = segments();
  int64_t excess =
      static_cast<int64_t>(size_bytes()) - options_.retention_bytes;
  size_t count = 0;
  while (count + 1 < list->segments.size()) {
    const int64_t size = static_cast<int64_t>(list->segments[count]->size());
    if (excess - size < 0) break;
    excess -= size;
    ++count;
  }
  return count;
}

// Readers that still hold a deleted segment keep reading it: its mapping
// lives until they let go.
absl::Status Log::DeleteOldestSegments(size_t count) {
  if (count == 0) return absl::OkStatus();
  std::shared_ptr<const SegmentList> current = segments();
  count = std::min(count, current->segments.size() - 1);  // never the last
  auto list = std::make_shared<SegmentList>();
  list->segments.assign(current->segments.begin() + count,
                        current->segments.end());
  const int64_t new_start = list->segments.front()->base_offset();
  if (new_start > log_start_offset_.load()) {
    log_start_offset_.store(new_start, std::memory_order_release);
  }
  PublishSegments(list);
  absl::Status status;
  for (size_t i = 0; i < count; ++i) {
    cache_->Forget(current->segments[i].get());
    status.Update(current->segments[i]->DeleteFiles());
  }
  status.Update(fs_->SyncDir(dir_));
  return status;
}

absl::StatusOr<CompactionStats> Log::Compact() {
  if (options_.cleanup_policy == CleanupPolicy::kDelete) {
    return absl::FailedPreconditionError(absl::StrCat(
        "log ", Describe(), ": cleanup.policy is delete, not compact"));
  }
  MutexLock maintenance(&maintenance_mu_);
  {
    MutexLock lock(&append_mu_);
    if (closed_) {
      return absl::FailedPreconditionError(
          absl::StrCat("log ", Describe(), " is closed"));
    }
  }
  std::shared_ptr<const SegmentList> list = segments();
  CompactionStats stats;
  if (list->segments.size() < 2) return stats;  // only the active segment

  internal::CleanRequest request;
  request.dir = dir_;
  for (size_t i = 0; i + 1 < list->segments.size(); ++i) {
    request.segment_base_offsets.push_back(list->segments[i]->base_offset());
  }
  request.end_offset = list->segments.back()->base_offset();
  absl::StatusOr<int64_t> dirty = ReadCheckpoint(kCleanerOffsetFile);
  request.first_dirty_offset =
      std::max(dirty.ok() ? *dirty : 0, log_start_offset());
  request.now_ms = clock_->NowMillis();

  internal::LogCleanerOptions cleaner_options;
  cleaner_options.delete_retention_ms =
      absl::ToInt64Milliseconds(options_.delete_retention_ms);
  cleaner_options.max_map_bytes = options_.cleaner_dedupe_buffer_bytes;
  cleaner_options.segment_bytes = options_.segment_bytes;
  cleaner_options.segment_index_bytes = options_.segment_index_bytes;
  cleaner_options.index_interval_bytes = options_.index_interval_bytes;
  internal::LogCleaner cleaner(fs_, cleaner_options);
  absl::StatusOr<internal::CleanResult> result = cleaner.Clean(
      request, [this, &stats](const internal::CleanedGroup& group,
                              const internal::SwapFunction& swap) {
        return SwapCleanedGroup(group, swap, &stats);
      });
  if (!result.ok()) return result.status();
  stats.records_removed = result->stats.records_removed;
  stats.tombstones_removed = result->stats.tombstones_removed;
  if (absl::Status s =
          WriteCheckpoint(kCleanerOffsetFile, result->next_dirty_offset);
      !s.ok()) {
    return s;
  }
  return stats;
}

// Swaps one cleaned group in, on disk and in the segment list. Appends wait
// meanwhile; readers holding the old segments keep what they have mapped,
// and the old segments are retired so nothing reopens their files by path.
absl::Status Log::SwapCleanedGroup(const internal::CleanedGroup& group,
                                   const internal::SwapFunction& swap,
                                   CompactionStats* stats) {
  MutexLock lock(&append_mu_);
  std::shared_ptr<const SegmentList> current = segments();
  std::vector<std::shared_ptr<Segment>> replaced;
  for (const std::shared_ptr<Segment>& segment : current->segments) {
    for (int64_t base : group.replaced_base_offsets) {
      if (segment->base_offset() == base) replaced.push_back(segment);
    }
  }
  for (const auto& segment : replaced) segment->Retire();
  internal::SwapOutcome outcome = swap();
  if (!outcome.committed) {
    for (const auto& segment : replaced) segment->Unretire();
    return outcome.status;
  }
  std::shared_ptr<Segment> cleaned = Segment::Existing(
      fs_, dir_, group.base_offset, ToSegmentOptions(options_));
  absl::Status loaded = cleaned->LoadSealed(group.next_offset);
  auto list = std::make_shared<SegmentList>();
  bool inserted = false;
  for (const std::shared_ptr<Segment>& segment : current->segments) {
    if (std::find(replaced.begin(), replaced.end(), segment) !=
        replaced.end()) {
      if (!inserted) list->segments.push_back(cleaned);
      inserted = true;
      cache_->Forget(segment.get());
      continue;
    }
    list->segments.push_back(segment);
  }
  PublishSegments(std::move(list));
  stats->bytes_before += group.bytes_before;
  stats->bytes_after += group.bytes_after;
  stats->segments_replaced += static_cast<int>(replaced.size());
  return outcome.status.ok() ? loaded : outcome.status;
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
  if (!active_ready_) return absl::OkStatus();  // nothing was written
  std::shared_ptr<Segment> active = segments()->segments.back();
  if (absl::Status s = active->Seal(); !s.ok()) return s;
  const int64_t end = log_end_offset_.load();
  recovery_point_.store(end);
  if (absl::Status s = WriteCheckpoint(kRecoveryPointFile, end); !s.ok()) {
    return s;
  }
  return WriteNumberFile(fs_, dir_, kCleanShutdownFile, end);
}

}  // namespace runnel
