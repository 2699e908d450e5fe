// Copyright 2026 The Runnel Authors.
#include "log/segment.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "log/format.h"

namespace runnel {
namespace internal {
namespace {

// `dir`/<20-digit base offset><suffix>. Base offsets are never negative
// here (the Log assigns them), so the name cannot fail.
std::string SegmentPath(absl::string_view dir, int64_t base_offset,
                        absl::string_view suffix) {
  absl::StatusOr<std::string> name =
      format::SegmentFileName(base_offset, suffix);
  return absl::StrCat(dir, "/",
                      name.ok() ? *name : absl::StrCat(base_offset, suffix));
}

bool AllZeros(absl::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; });
}

// Recycle pool files: "recycle-<20-digit base offset of the segment the
// file last held>.tmp". Not a segment file name (recovery and the cleaner
// ignore it) and ending in ".tmp" (Log::Open removes it).
constexpr absl::string_view kPoolPrefix = "recycle-";
constexpr absl::string_view kPoolSuffix = ".tmp";

std::string PoolPath(absl::string_view dir, int64_t base_offset) {
  return SegmentPath(dir, base_offset, kPoolSuffix)
      .insert(dir.size() + 1, std::string(kPoolPrefix));
}

}  // namespace

Segment::Segment(FileSystem* fs, std::string dir, int64_t base_offset,
                 const SegmentOptions& options)
    : fs_(fs),
      base_offset_(base_offset),
      log_path_(SegmentPath(dir, base_offset, format::kLogFileSuffix)),
      index_path_(SegmentPath(dir, base_offset, format::kIndexFileSuffix)),
      time_index_path_(
          SegmentPath(dir, base_offset, format::kTimeIndexFileSuffix)),
      dir_(std::move(dir)),
      options_(options),
      next_offset_(base_offset),
      offset_of_max_timestamp_(base_offset),
      write_through_(options.write_through) {}

Segment::~Segment() {
  MutexLock lock(&mu_);
  // Best effort: an active segment being destroyed without Seal (a crash
  // path or a failed open) keeps its untrimmed files; recovery handles them.
  if (index_ != nullptr) index_->Close(/*trim=*/false).IgnoreError();
  if (time_index_ != nullptr) time_index_->Close(/*trim=*/false).IgnoreError();
}

absl::StatusOr<std::shared_ptr<Segment>> Segment::CreateActive(
    FileSystem* fs, std::string dir, int64_t base_offset,
    const SegmentOptions& options) {
  std::shared_ptr<Segment> segment(new Segment(fs, dir, base_offset, options));
  absl::StatusOr<std::unique_ptr<File>> file = segment->CreateLogFile(dir);
  if (!file.ok()) return file.status();
  // A recycled file comes from a log busy enough to fill a segment: skip
  // the small first reservations (they only keep idle logs small).
  if (segment->recycled_) segment->chunk_ = options.reserve_chunk_bytes;
  absl::Status status;
  {
    MutexLock lock(&segment->mu_);
    segment->file_ = *std::move(file);
    segment->active_ = true;
    status = segment->EnsureIndexesLocked(/*writable=*/true);
  }
  if (status.ok()) status = segment->ReserveFor(1);
  if (!status.ok()) {
    // Leave no half-made segment behind: a retry creates the same names.
    segment->DeleteFiles().IgnoreError();
    return status;
  }
  segment->open_.store(true, std::memory_order_release);
  return segment;
}

std::shared_ptr<Segment> Segment::Existing(FileSystem* fs, std::string dir,
                                           int64_t base_offset,
                                           const SegmentOptions& options) {
  return std::shared_ptr<Segment>(
      new Segment(fs, std::move(dir), base_offset, options));
}

int64_t Segment::max_timestamp() const {
  return max_timestamp_.load(std::memory_order_acquire);
}
int64_t Segment::offset_of_max_timestamp() const {
  return offset_of_max_timestamp_.load(std::memory_order_acquire);
}
int64_t Segment::first_batch_timestamp() const {
  return first_batch_timestamp_.load(std::memory_order_acquire);
}
bool Segment::is_open() const { return open_.load(std::memory_order_acquire); }

absl::Status Segment::SyncRange(uint64_t from, uint64_t to) {
  if (to <= from) return absl::OkStatus();
  std::shared_ptr<MappedRegion> map;
  {
    MutexLock lock(&mu_);
    if (!unsynced_seal_) map = map_;  // else a roll raced the caller: all
  }
  if (map == nullptr) return SyncAll();
  return map->Sync(from, to - from);
}

absl::Status Segment::SyncAll() {
  {
    MutexLock lock(&mu_);
    if (!unsynced_seal_) {
      if (file_ == nullptr) return absl::OkStatus();  // sealed and closed
      return file_->Sync();
    }
  }
  return SyncSealed();
}

absl::Status Segment::SyncSealed() {
  MutexLock serial(&seal_sync_mu_);  // one at a time: the handle is theirs
  std::unique_ptr<File> log_file;
  {
    MutexLock lock(&mu_);
    if (!unsynced_seal_) return absl::OkStatus();
    log_file = std::move(unsynced_file_);
  }
  if (log_file == nullptr) {
    return absl::InternalError(
        absl::StrCat(log_path_, ": sealed without a sync, and no handle left"));
  }
  absl::Status status = SyncFilesOfSeal(*log_file);
  MutexLock lock(&mu_);
  if (status.ok()) {
    unsynced_seal_ = false;
  } else if (unsynced_seal_ && unsynced_file_ == nullptr) {
    unsynced_file_ = std::move(log_file);  // for the retry (not deleted)
  }
  return status;
}

// The .log, trimmed to its size, through the descriptor the appender wrote
// with (a recycled file is never this one: MoveLogToPoolLocked), then both
// indexes, unless DeleteFiles removed them meanwhile.
absl::Status Segment::SyncFilesOfSeal(File& log_file) {
  if (absl::Status s = log_file.Truncate(size()); !s.ok()) return s;
  if (absl::Status s = log_file.Sync(); !s.ok()) return s;
  absl::Status indexes = SyncIndexFiles();
  return absl::IsNotFound(indexes) ? absl::OkStatus() : indexes;
}

absl::Status Segment::Seal() {
  MutexLock lock(&mu_);
  if (!active_) return absl::OkStatus();
  if (time_index_ != nullptr) {
    if (absl::Status s = time_index_->MaybeAppend(
            max_timestamp_.load(std::memory_order_relaxed),
            offset_of_max_timestamp_.load(std::memory_order_relaxed),
            /*skip_full_check=*/true);
        !s.ok()) {
      return s;
    }
  }
  // The .log is trimmed by SyncSealed, outside mu_ and (after a roll) off
  // the append path: truncation may wait for the journal, which a
  // writeback in progress can hold for many milliseconds.
  if (absl::Status s = CloseIndexesLocked(); !s.ok()) return s;
  unsynced_seal_ = true;
  // Kept for SyncSealed: a handle from before a crash fails there (a
  // simulated one, in tests), where reopening by path would not.
  unsynced_file_ = std::move(file_);
  active_ = false;
  active_map_ = nullptr;
  active_file_ = nullptr;
  reserved_ = 0;
  return absl::OkStatus();
}

// Opens both indexes. An index file that does not hold together (torn by
// a crash, say) is not an error: the .log is the source of truth, so the
// file is recreated empty and indexes_need_rebuild_ tells callers to
// rebuild it from the log.
absl::Status Segment::EnsureIndexesLocked(bool writable) {
  if (index_ != nullptr && time_index_ != nullptr) return absl::OkStatus();
  if (retired_) return RetiredError();
  absl::StatusOr<std::unique_ptr<OffsetIndex>> index = OffsetIndex::Open(
      fs_, index_path_, base_offset_, options_.max_index_bytes, writable);
  if (absl::IsDataLoss(index.status())) {
    if (absl::Status s = fs_->RemoveFile(index_path_); !s.ok()) return s;
    index = OffsetIndex::Open(fs_, index_path_, base_offset_,
                              options_.max_index_bytes, /*writable=*/true);
    indexes_need_rebuild_ = true;
  }
  if (!index.ok()) return index.status();
  absl::StatusOr<std::unique_ptr<TimeIndex>> time_index = TimeIndex::Open(
      fs_, time_index_path_, base_offset_, options_.max_index_bytes, writable);
  if (absl::IsDataLoss(time_index.status())) {
    if (absl::Status s = fs_->RemoveFile(time_index_path_); !s.ok()) return s;
    time_index = TimeIndex::Open(fs_, time_index_path_, base_offset_,
                                 options_.max_index_bytes, /*writable=*/true);
    indexes_need_rebuild_ = true;
  }
  if (!time_index.ok()) return time_index.status();
  index_ = *std::move(index);
  time_index_ = *std::move(time_index);
  return absl::OkStatus();
}

absl::Status Segment::EnsureMappedLocked() {
  if (map_ != nullptr) return absl::OkStatus();
  if (retired_) return RetiredError();
  if (file_ == nullptr) {
    absl::StatusOr<std::unique_ptr<File>> file =
        fs_->OpenFile(log_path_, OpenOptions::ReadOnly());
    if (!file.ok()) return file.status();
    file_ = *std::move(file);
  }
  const uint64_t size = size_.load(std::memory_order_acquire);
  if (size > 0) {
    absl::StatusOr<std::unique_ptr<MappedRegion>> map =
        file_->Map(0, size, MapMode::kReadOnly);
    if (!map.ok()) return map.status();
    map_ = *std::move(map);
  }
  open_.store(true, std::memory_order_release);
  return absl::OkStatus();
}

absl::StatusOr<SegmentScan> Segment::Recover(int64_t min_base_offset) {
  MutexLock lock(&mu_);
  absl::StatusOr<std::unique_ptr<File>> file =
      fs_->OpenFile(log_path_, OpenOptions::ReadWrite());
  if (!file.ok()) return file.status();
  absl::StatusOr<uint64_t> file_size = (*file)->Size();
  if (!file_size.ok()) return file_size.status();
  std::shared_ptr<MappedRegion> map;
  if (*file_size > 0) {
    absl::StatusOr<std::unique_ptr<MappedRegion>> m =
        (*file)->Map(0, *file_size, MapMode::kReadOnly);
    if (!m.ok()) return m.status();
    map = *std::move(m);
  }
  file_ = *std::move(file);
  absl::string_view bytes = map == nullptr
                                ? absl::string_view()
                                : absl::string_view(map->data(), map->size());

  SegmentScan scan;
  scan.next_offset = std::max(base_offset_, min_base_offset);
  uint64_t pos = 0;
  int64_t max_ts = -1, offset_of_max_ts = base_offset_, first_ts = -1;
  while (pos < bytes.size()) {
    absl::string_view rest = bytes.substr(pos);
    absl::StatusOr<RecordBatchHeader> header = ReadBatchHeader(rest);
    absl::Status bad;
    if (!header.ok()) {
      bad = header.status();
    } else if (header->size_bytes() > rest.size()) {
      bad = absl::DataLossError(absl::StrCat(
          "batch at position ", pos, " claims ", header->size_bytes(),
          " bytes, only ", rest.size(), " remain"));
    } else if (header->base_offset < scan.next_offset) {
      bad = absl::DataLossError(absl::StrCat(
          "batch at position ", pos, " has base offset ", header->base_offset,
          ", expected at least ", scan.next_offset));
    } else if (header->base_offset + header->last_offset_delta - base_offset_ >
               INT32_MAX) {
      bad = absl::DataLossError(
          absl::StrCat("batch at position ", pos,
                       " has offsets beyond the segment's range"));
    } else {
      bad = VerifyBatchCrc(*header, rest.substr(0, header->size_bytes()));
    }
    if (!bad.ok()) {
      scan.first_error =
          absl::DataLossError(absl::StrCat(log_path_, ": ", bad.message()));
      scan.invalid_bytes = bytes.size() - pos;
      scan.tail_is_zeros = AllZeros(rest);
      break;
    }
    if (first_ts < 0) first_ts = header->max_timestamp;
    if (header->max_timestamp > max_ts) {
      max_ts = header->max_timestamp;
      offset_of_max_ts = header->base_offset + header->last_offset_delta;
    }
    scan.next_offset = header->base_offset + header->last_offset_delta + 1;
    ++scan.batches;
    pos += header->size_bytes();
  }
  scan.valid_bytes = pos;
  scan.tail_is_zeros = scan.tail_is_zeros || scan.invalid_bytes == 0;

  size_.store(pos, std::memory_order_release);
  next_offset_.store(scan.next_offset, std::memory_order_release);
  max_timestamp_.store(max_ts, std::memory_order_release);
  offset_of_max_timestamp_.store(offset_of_max_ts, std::memory_order_release);
  first_batch_timestamp_.store(first_ts, std::memory_order_release);
  if (absl::Status s = RebuildIndexesLocked(bytes.substr(0, pos)); !s.ok()) {
    return s;
  }
  map_ = std::move(map);
  open_.store(true, std::memory_order_release);
  return scan;
}

// Rebuilds both indexes from `bytes` (whole valid batches) with the same
// rule as IndexBatch.
absl::Status Segment::RebuildIndexesLocked(absl::string_view bytes) {
  index_.reset();
  time_index_.reset();
  if (absl::Status s = EnsureIndexesLocked(/*writable=*/true); !s.ok()) {
    return s;
  }
  if (absl::Status s = index_->Reset(); !s.ok()) return s;
  if (absl::Status s = time_index_->Reset(); !s.ok()) return s;
  indexes_need_rebuild_ = false;
  const int64_t saved_max = max_timestamp_.load(std::memory_order_relaxed);
  const int64_t saved_offset =
      offset_of_max_timestamp_.load(std::memory_order_relaxed);
  max_timestamp_.store(-1, std::memory_order_relaxed);
  offset_of_max_timestamp_.store(base_offset_, std::memory_order_relaxed);
  bytes_since_index_entry_ = 0;
  uint64_t pos = 0;
  // Index the prefix whose offsets hold together; a read of anything after
  // it finds the bad batch itself and reports it as DataLoss.
  int64_t min_offset = base_offset_;
  while (pos < bytes.size()) {
    absl::StatusOr<RecordBatchHeader> header =
        ReadBatchHeader(bytes.substr(pos));
    if (!header.ok() || header->size_bytes() > bytes.size() - pos ||
        header->base_offset < min_offset ||
        header->last_offset() - base_offset_ > INT32_MAX) {
      break;
    }
    if (absl::Status s = IndexBatch(*header, pos); !s.ok()) return s;
    min_offset = header->last_offset() + 1;
    pos += header->size_bytes();
  }
  max_timestamp_.store(saved_max, std::memory_order_release);
  offset_of_max_timestamp_.store(saved_offset, std::memory_order_release);
  return absl::OkStatus();
}

absl::Status Segment::TruncateTo(uint64_t size) {
  MutexLock lock(&mu_);
  if (file_ == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat(log_path_, ": truncate of a segment that is not open"));
  }
  DropMapLocked();  // no mapping may cover bytes being cut
  if (absl::Status s = file_->Truncate(size); !s.ok()) return s;
  size_.store(std::min(size_.load(std::memory_order_relaxed), size),
              std::memory_order_release);
  return file_->Sync();
}

absl::Status Segment::MakeActive() {
  {
    MutexLock lock(&mu_);
    // Reopen for writing even if a reader opened the segment read-only.
    absl::StatusOr<std::unique_ptr<File>> file =
        fs_->OpenFile(log_path_, OpenOptions::ReadWrite());
    if (!file.ok()) return file.status();
    file_ = *std::move(file);
    absl::StatusOr<uint64_t> file_size = file_->Size();
    if (!file_size.ok()) return file_size.status();
    if (*file_size == 0) {
      if (absl::Status s = file_->Reserve(0, 1); !s.ok()) return s;
    }
    const uint64_t length = std::max<uint64_t>(*file_size, 1);
    DropMapLocked();
    if (absl::Status s = MapForAppendLocked(length); !s.ok()) return s;
    active_ = true;
    reserved_ = length;
    if (absl::Status s = OpenWritableIndexesLocked(); !s.ok()) return s;
  }
  // Kafka's rule restarts counting at the end of the existing data.
  bytes_since_index_entry_ = 0;
  return ReserveFor(size() + 1);
}

// Opens both indexes for appending, rebuilding them from the .log if they
// do not hold together, and restores the timestamps the roll rules need.
absl::Status Segment::OpenWritableIndexesLocked() {
  index_.reset();
  time_index_.reset();
  if (absl::Status s = EnsureIndexesLocked(/*writable=*/true); !s.ok()) {
    return s;
  }
  const absl::string_view bytes(map_->data(), size());
  if (!IndexesConsistentLocked()) {
    if (absl::Status s = RebuildIndexesLocked(bytes); !s.ok()) return s;
  }
  if (bytes.empty() || max_timestamp_.load() >= 0) return absl::OkStatus();
  // Loaded without a scan (clean shutdown): the last time-index entry holds
  // the largest timestamp, the first batch the segment.ms reference.
  if (time_index_->entries() > 0) {
    absl::StatusOr<TimestampOffset> last =
        time_index_->EntryAt(time_index_->entries() - 1);
    if (!last.ok()) return last.status();
    max_timestamp_.store(last->timestamp, std::memory_order_release);
    offset_of_max_timestamp_.store(last->offset, std::memory_order_release);
  }
  absl::StatusOr<RecordBatchHeader> first = ReadBatchHeader(bytes);
  if (!first.ok()) {
    return absl::DataLossError(
        absl::StrCat(log_path_, ": first batch: ", first.status().message()));
  }
  first_batch_timestamp_.store(first->max_timestamp, std::memory_order_release);
  return absl::OkStatus();
}

absl::Status Segment::LoadSealed(int64_t next_offset) {
  absl::StatusOr<uint64_t> size = fs_->GetFileSize(log_path_);
  if (!size.ok()) return size.status();
  size_.store(*size, std::memory_order_release);
  next_offset_.store(next_offset, std::memory_order_release);
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> Segment::FindPosition(int64_t offset) {
  MutexLock lock(&mu_);
  if (index_ == nullptr || time_index_ == nullptr) {
    if (absl::Status s = EnsureIndexesLocked(/*writable=*/false); !s.ok()) {
      return s;
    }
    if (absl::Status s = EnsureMappedLocked(); !s.ok()) return s;
    if (!IndexesConsistentLocked()) {
      // A sealed segment's index that does not hold together is rebuilt
      // from the log itself; only the .log is the source of truth.
      if (absl::Status s = EnsureMappedLocked(); !s.ok()) return s;
      const absl::string_view bytes =
          map_ == nullptr ? absl::string_view()
                          : absl::string_view(map_->data(), size());
      if (absl::Status s = RebuildIndexesLocked(bytes); !s.ok()) return s;
      if (absl::Status s = CloseIndexesDurablyLocked(); !s.ok()) return s;
      if (absl::Status s = EnsureIndexesLocked(/*writable=*/false); !s.ok()) {
        return s;
      }
    }
  }
  absl::StatusOr<OffsetPosition> entry = index_->Lookup(offset);
  if (!entry.ok()) return entry.status();
  return entry->position;
}

absl::StatusOr<PinnedBytes> Segment::View(uint64_t position, uint64_t length) {
  // The size is read under mu_: CutAt shrinks it under mu_ before it cuts
  // the file, so no view handed out can reach past a cut.
  MutexLock lock(&mu_);
  const uint64_t size = this->size();
  if (position > size || length > size - position) {
    return absl::OutOfRangeError(
        absl::StrCat(log_path_, ": bytes [", position, ", ", position + length,
                     ") are outside the segment's ", size, " bytes"));
  }
  if (absl::Status s = EnsureMappedLocked(); !s.ok()) return s;
  if (length == 0) return PinnedBytes{map_, absl::string_view()};
  return PinnedBytes{map_, absl::string_view(map_->data() + position, length)};
}

absl::StatusOr<PinnedBytes> Segment::ViewFrom(uint64_t position) {
  MutexLock lock(&mu_);
  const uint64_t size = this->size();
  if (position > size) {
    return absl::OutOfRangeError(
        absl::StrCat(log_path_, ": position ", position,
                     " is past the segment's ", size, " bytes"));
  }
  if (absl::Status s = EnsureMappedLocked(); !s.ok()) return s;
  if (position == size) return PinnedBytes{map_, absl::string_view()};
  return PinnedBytes{
      map_, absl::string_view(map_->data() + position, size - position)};
}

// Kafka's sanity check and more: entries in order, and the last one inside
// this segment's data. Index files are flushed before a segment is sealed,
// but a crash at the wrong moment can still leave one behind that does not
// match; the .log wins.
bool Segment::IndexesConsistentLocked() const {
  if (indexes_need_rebuild_ || !index_->Validate().ok() ||
      !time_index_->Validate().ok()) {
    return false;
  }
  if (index_->entries() == 0) return true;
  absl::StatusOr<OffsetPosition> last = index_->EntryAt(index_->entries() - 1);
  if (!last.ok() || last->position >= size() || last->offset >= next_offset() ||
      time_index_->last_entry().offset >= next_offset()) {
    return false;
  }
  // The last entry must point at the start of the batch holding its offset.
  if (map_ == nullptr) return true;  // checked again once mapped
  absl::StatusOr<RecordBatchHeader> header = ReadBatchHeader(absl::string_view(
      map_->data() + last->position, size() - last->position));
  return header.ok() && header->base_offset <= last->offset &&
         last->offset <= header->base_offset + header->last_offset_delta;
}

// Flushes, trims and closes both indexes: what a sealed segment leaves.
absl::Status Segment::CloseIndexesDurablyLocked() {
  if (absl::Status s = index_->Flush(); !s.ok()) return s;
  if (absl::Status s = time_index_->Flush(); !s.ok()) return s;
  if (absl::Status s = CloseIndexesLocked(); !s.ok()) return s;
  return SyncIndexFiles();
}

absl::Status Segment::CloseIndexesLocked() {
  if (absl::Status s = index_->Close(/*trim=*/true); !s.ok()) return s;
  if (absl::Status s = time_index_->Close(/*trim=*/true); !s.ok()) return s;
  index_.reset();
  time_index_.reset();
  return absl::OkStatus();
}

// Flush covers only slots an index object changed; an earlier object (a
// rebuild during recovery) may have zeroed others. fdatasync makes the
// whole trimmed file durable, so no stale entry can come back.
absl::Status Segment::SyncIndexFiles() {
  for (const std::string& path : {index_path_, time_index_path_}) {
    absl::StatusOr<std::unique_ptr<File>> file =
        fs_->OpenFile(path, OpenOptions::ReadWrite());
    if (!file.ok()) return file.status();
    if (absl::Status s = (*file)->Sync(); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> Segment::LargestTimestamp() {
  const int64_t known = max_timestamp();
  if (known >= 0 || size() == 0) return known;
  MutexLock lock(&mu_);
  if (absl::Status s = EnsureIndexesLocked(/*writable=*/false); !s.ok()) {
    return s;
  }
  int64_t largest = time_index_->last_entry().timestamp;
  if (largest < 0) {  // no time-index entry: read the batch headers
    if (absl::Status s = EnsureMappedLocked(); !s.ok()) return s;
    absl::string_view rest(map_->data(), size());
    while (!rest.empty()) {
      absl::StatusOr<RecordBatchHeader> header = ReadBatchHeader(rest);
      if (!header.ok() || header->size_bytes() > rest.size()) break;
      largest = std::max(largest, header->max_timestamp);
      rest.remove_prefix(header->size_bytes());
    }
  }
  max_timestamp_.store(largest, std::memory_order_release);
  return largest;
}

absl::StatusOr<TimestampOffset> Segment::LookupTime(int64_t timestamp) {
  MutexLock lock(&mu_);
  if (absl::Status s = EnsureIndexesLocked(/*writable=*/false); !s.ok()) {
    return s;
  }
  return time_index_->Lookup(timestamp);
}

void Segment::Retire() {
  MutexLock lock(&mu_);
  retired_ = true;
}

void Segment::Unretire() {
  MutexLock lock(&mu_);
  retired_ = false;
}

absl::Status Segment::RetiredError() const {
  return absl::UnavailableError(absl::StrCat(
      log_path_, " was replaced by compaction; read the new segment"));
}

void Segment::ReleaseResources() {
  MutexLock lock(&mu_);
  if (active_) return;
  DropMapLocked();  // readers holding PinnedBytes keep their own reference
  file_.reset();
  index_.reset();
  time_index_.reset();
  open_.store(false, std::memory_order_release);
}

absl::Status Segment::DeleteFiles(bool may_recycle) {
  bool log_recycled;
  {
    MutexLock lock(&mu_);
    log_recycled = may_recycle && MoveLogToPoolLocked();
    // Nothing left to sync (a SyncSealed under way keeps its handle).
    unsynced_seal_ = false;
    unsynced_file_.reset();
    file_.reset();
    index_.reset();
    time_index_.reset();
    active_ = false;
  }
  absl::Status status;
  for (const std::string& path : {log_path_, index_path_, time_index_path_}) {
    if (log_recycled && path == log_path_) continue;
    absl::Status s = fs_->RemoveFile(path);
    if (!s.ok() && !absl::IsNotFound(s)) status.Update(s);
  }
  return status;
}

void Segment::DropMapLocked() {
  if (map_ == nullptr) return;
  released_maps_.erase(
      std::remove_if(released_maps_.begin(), released_maps_.end(),
                     [](const std::weak_ptr<const MappedRegion>& m) {
                       return m.expired();
                     }),
      released_maps_.end());
  released_maps_.push_back(map_);
  map_.reset();
}

// Recycles only what no one can observe changing: a sealed segment (never
// the active one, nor one compaction is replacing) with no mapping alive
// but the segment's own. Pins are only ever copied from map_ under mu_, so
// use_count() == 1 here means none exist, and none can appear: map_ goes
// and the file leaves its name before mu_ is released.
bool Segment::MoveLogToPoolLocked() {
  // A SyncSealed under way (it holds the handle) may still trim the file
  // through it: never under a new segment. Otherwise DeleteFiles drops the
  // handle, and no one trims it any more.
  const bool sync_under_way = unsynced_seal_ && unsynced_file_ == nullptr;
  if (options_.recycle_files <= 0 || active_ || retired_ || sync_under_way) {
    return false;
  }
  if (map_ != nullptr && map_.use_count() > 1) return false;
  for (const std::weak_ptr<const MappedRegion>& m : released_maps_) {
    if (!m.expired()) return false;
  }
  absl::StatusOr<uint64_t> size = fs_->GetFileSize(log_path_);
  if (!size.ok() || *size == 0) return false;
  absl::StatusOr<std::vector<std::string>> pool = ListRecyclePool(fs_, dir_);
  if (!pool.ok() ||
      pool->size() >= static_cast<size_t>(options_.recycle_files)) {
    return false;
  }
  map_.reset();
  file_.reset();
  return fs_->Rename(log_path_, PoolPath(dir_, base_offset_)).ok();
}

absl::StatusOr<std::unique_ptr<File>> Segment::CreateLogFile(
    absl::string_view dir) {
  if (options_.recycle_files > 0) {
    absl::StatusOr<std::vector<std::string>> pool = ListRecyclePool(fs_, dir);
    if (!pool.ok()) return pool.status();
    absl::StatusOr<bool> exists = fs_->FileExists(log_path_);
    if (!exists.ok()) return exists.status();
    // Rename would replace an existing segment: leave that to CreateNew's
    // AlreadyExists below.
    if (!pool->empty() && !*exists) {
      if (absl::Status s =
              fs_->Rename(absl::StrCat(dir, "/", pool->front()), log_path_);
          !s.ok()) {
        return s;
      }
      absl::StatusOr<std::unique_ptr<File>> file =
          fs_->OpenFile(log_path_, OpenOptions::ReadWrite());
      if (file.ok()) recycled_ = true;
      return file;
    }
  }
  return fs_->OpenFile(log_path_, OpenOptions::CreateNew());
}

absl::StatusOr<std::vector<std::string>> Segment::ListRecyclePool(
    FileSystem* fs, absl::string_view dir) {
  absl::StatusOr<std::vector<std::string>> names = fs->ListDir(dir);
  if (!names.ok()) return names.status();
  std::vector<std::string> pool;
  for (std::string& name : *names) {
    if (absl::StartsWith(name, kPoolPrefix) &&
        absl::EndsWith(name, kPoolSuffix)) {
      pool.push_back(std::move(name));
    }
  }
  return pool;
}

}  // namespace internal
}  // namespace runnel
