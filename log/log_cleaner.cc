// Copyright 2026 The Runnel Authors.
#include "log/log_cleaner.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "log/batch_filter.h"
#include "log/format.h"
#include "log/offset_index.h"
#include "log/offset_map.h"
#include "log/time_index.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace internal {
namespace {

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();

// One of the request's segments.
struct Source {
  int64_t base = 0;
  int64_t next = 0;  // the next segment's base (or end_offset)
  std::string path;
  uint64_t size = 0;
};

bool Decodable(Compression c) {
  return c == Compression::kNone || c == Compression::kLz4;
}

absl::Status Corrupt(const std::string& path, uint64_t position,
                     absl::string_view why) {
  return absl::DataLossError(
      absl::StrCat(path, ": batch at position ", position, ": ", why));
}

// `status` (from decoding a batch) with the file and position added.
absl::Status AtBatch(const std::string& path, uint64_t position,
                     const absl::Status& status) {
  return absl::Status(status.code(),
                      absl::StrCat(path, ": batch at position ", position, ": ",
                                   status.message()));
}

// a - b, saturated at the int64 limits.
int64_t SaturatingSub(int64_t a, int64_t b) {
  int64_t r;
  if (!__builtin_sub_overflow(a, b, &r)) return r;
  return b > 0 ? std::numeric_limits<int64_t>::min()
               : std::numeric_limits<int64_t>::max();
}

// Walks a sealed segment's batches through a read-only mapping, checking
// what the CRC cannot: sizes, and offsets rising inside [base, next).
class SegmentReader {
 public:
  explicit SegmentReader(const Source& source) : source_(source) {}

  absl::Status Open(FileSystem* fs) {
    absl::StatusOr<std::unique_ptr<File>> file =
        fs->OpenFile(source_.path, OpenOptions::ReadOnly());
    if (!file.ok()) return file.status();
    file_ = *std::move(file);
    if (source_.size == 0) return absl::OkStatus();
    absl::StatusOr<std::unique_ptr<MappedRegion>> map =
        file_->Map(0, source_.size, MapMode::kReadOnly);
    if (!map.ok()) return map.status();
    map_ = *std::move(map);
    bytes_ = absl::string_view(map_->data(), map_->size());
    return absl::OkStatus();
  }

  // The next batch (header checked, CRC not): true, or false at the end.
  absl::StatusOr<bool> Next(RecordBatchHeader* header, absl::string_view* batch,
                            uint64_t* position) {
    if (pos_ >= bytes_.size()) return false;
    absl::string_view rest = bytes_.substr(pos_);
    absl::StatusOr<RecordBatchHeader> h = ReadBatchHeader(rest);
    if (!h.ok()) return Corrupt(source_.path, pos_, h.status().message());
    if (h->size_bytes() > rest.size()) {
      return Corrupt(source_.path, pos_,
                     absl::StrCat(h->size_bytes(), " bytes, only ", rest.size(),
                                  " left in the segment"));
    }
    if (h->base_offset < min_offset_ || h->last_offset() >= source_.next) {
      return Corrupt(
          source_.path, pos_,
          absl::StrCat("offsets ", h->base_offset, "-", h->last_offset(),
                       " outside [", min_offset_, ", ", source_.next, ")"));
    }
    *header = *h;
    *batch = rest.substr(0, h->size_bytes());
    *position = pos_;
    pos_ += h->size_bytes();
    min_offset_ = h->next_offset();
    return true;
  }

  // Back to the first batch.
  void Rewind() {
    pos_ = 0;
    min_offset_ = source_.base;
  }

  const std::string& path() const { return source_.path; }

 private:
  const Source& source_;
  std::unique_ptr<File> file_;
  std::unique_ptr<MappedRegion> map_;
  absl::string_view bytes_;
  uint64_t pos_ = 0;
  int64_t min_offset_ = source_.base;
};

// Writes one cleaned segment: b0.{log,index,timeindex}.cleaned, with the
// index entries Segment::IndexBatch would make (Kafka's LogSegment.append
// rule) and the final time-index entry of a roll.
class CleanedWriter {
 public:
  CleanedWriter(FileSystem* fs, const std::string& dir, int64_t base,
                const LogCleanerOptions& options)
      : fs_(fs),
        options_(options),
        base_(base),
        log_path_(SegmentFilePath(dir, base, ".log.cleaned")),
        index_path_(SegmentFilePath(dir, base, ".index.cleaned")),
        time_index_path_(SegmentFilePath(dir, base, ".timeindex.cleaned")),
        offset_of_max_timestamp_(base) {}

  ~CleanedWriter() {
    if (!finished_) Abandon();
  }

  absl::Status Open() {
    absl::StatusOr<std::unique_ptr<File>> file =
        fs_->OpenFile(log_path_, OpenOptions::CreateTruncate());
    if (!file.ok()) return file.status();
    file_ = *std::move(file);
    // A writable index keeps what an existing file holds: start empty.
    for (const std::string* path : {&index_path_, &time_index_path_}) {
      absl::Status s = fs_->RemoveFile(*path);
      if (!s.ok() && !absl::IsNotFound(s)) return s;
    }
    absl::StatusOr<std::unique_ptr<OffsetIndex>> index =
        OffsetIndex::Open(fs_, index_path_, base_, options_.segment_index_bytes,
                          /*writable=*/true);
    if (!index.ok()) return index.status();
    index_ = *std::move(index);
    absl::StatusOr<std::unique_ptr<TimeIndex>> time_index =
        TimeIndex::Open(fs_, time_index_path_, base_,
                        options_.segment_index_bytes, /*writable=*/true);
    if (!time_index.ok()) return time_index.status();
    time_index_ = *std::move(time_index);
    return absl::OkStatus();
  }

  // Appends one batch (as it goes into the cleaned segment).
  absl::Status Append(const RecordBatchHeader& header,
                      absl::string_view batch) {
    if (position_ + batch.size() > static_cast<uint64_t>(kInt32Max)) {
      return absl::InvalidArgumentError(
          absl::StrCat(log_path_,
                       ": cleaned segment would exceed 2^31-1 "
                       "bytes at offset ",
                       header.base_offset));
    }
    if (absl::Status s = Index(header); !s.ok()) return s;
    buffer_.append(batch.data(), batch.size());
    position_ += batch.size();
    if (buffer_.size() >= options_.write_buffer_bytes) return Flush();
    return absl::OkStatus();
  }

  // Makes the three files complete and durable; returns the .log size.
  absl::StatusOr<uint64_t> Finish() {
    if (absl::Status s = Flush(); !s.ok()) return s;
    if (absl::Status s = file_->Sync(); !s.ok()) return s;
    if (absl::Status s = file_->Close(); !s.ok()) return s;
    if (absl::Status s =
            time_index_->MaybeAppend(max_timestamp_, offset_of_max_timestamp_,
                                     /*skip_full_check=*/true);
        !s.ok()) {
      return s;
    }
    if (absl::Status s = index_->Flush(); !s.ok()) return s;
    if (absl::Status s = time_index_->Flush(); !s.ok()) return s;
    if (absl::Status s = index_->Close(/*trim=*/true); !s.ok()) return s;
    if (absl::Status s = time_index_->Close(/*trim=*/true); !s.ok()) return s;
    // The trim changed the sizes: make them durable (fdatasync).
    for (const std::string* path : {&index_path_, &time_index_path_}) {
      absl::StatusOr<std::unique_ptr<File>> f =
          fs_->OpenFile(*path, OpenOptions::ReadWrite());
      if (!f.ok()) return f.status();
      if (absl::Status s = (*f)->Sync(); !s.ok()) return s;
      if (absl::Status s = (*f)->Close(); !s.ok()) return s;
    }
    finished_ = true;
    return position_;
  }

  // Closes and removes the files (best effort: leftovers are removed by
  // CompleteInterruptedCleaning).
  void Abandon() {
    finished_ = true;
    if (index_ != nullptr) index_->Close(/*trim=*/false).IgnoreError();
    if (time_index_ != nullptr) {
      time_index_->Close(/*trim=*/false).IgnoreError();
    }
    if (file_ != nullptr) file_->Close().IgnoreError();
    for (const std::string* path :
         {&log_path_, &index_path_, &time_index_path_}) {
      fs_->RemoveFile(*path).IgnoreError();
    }
  }

 private:
  absl::Status Flush() {
    if (buffer_.empty()) return absl::OkStatus();
    absl::Status s = file_->Append(buffer_);
    buffer_.clear();
    return s;
  }

  absl::Status Index(const RecordBatchHeader& header) {
    const int64_t last_offset = header.last_offset();
    if (header.max_timestamp > max_timestamp_) {
      max_timestamp_ = header.max_timestamp;
      offset_of_max_timestamp_ = last_offset;
    }
    if (bytes_since_index_entry_ > options_.index_interval_bytes) {
      // A full index only makes reads of the tail scan further.
      if (!index_->IsFull()) {
        absl::Status s =
            index_->Append(last_offset, static_cast<uint32_t>(position_));
        if (!s.ok()) return s;
      }
      if (!time_index_->IsFull()) {
        absl::Status s =
            time_index_->MaybeAppend(max_timestamp_, offset_of_max_timestamp_);
        if (!s.ok()) return s;
      }
      bytes_since_index_entry_ = 0;
    }
    bytes_since_index_entry_ += header.size_bytes();
    return absl::OkStatus();
  }

  FileSystem* const fs_;
  const LogCleanerOptions& options_;
  const int64_t base_;
  const std::string log_path_, index_path_, time_index_path_;
  std::unique_ptr<File> file_;
  std::unique_ptr<OffsetIndex> index_;
  std::unique_ptr<TimeIndex> time_index_;
  std::string buffer_;
  uint64_t position_ = 0;
  uint64_t bytes_since_index_entry_ = 0;
  int64_t max_timestamp_ = -1;
  int64_t offset_of_max_timestamp_;
  bool finished_ = false;
};

// One Clean call's state.
class Pass {
 public:
  Pass(FileSystem* fs, const LogCleanerOptions& options,
       const CleanRequest& request)
      : fs_(fs),
        options_(options),
        request_(request),
        map_(options.max_map_bytes, options.map_load_factor) {}

  absl::Status Validate() const;
  absl::StatusOr<CleanResult> Run(const SwapHook& hook);

 private:
  absl::Status LoadSources();
  absl::Status BuildMap();
  std::vector<std::vector<size_t>> GroupSources() const;
  absl::Status CleanGroup(const std::vector<size_t>& group,
                          const SwapHook& hook);
  // Copies one source into `writer`, or only counts into `stats` if
  // writer is null (a dry run).
  absl::Status CopySource(const Source& source, CleanedWriter* writer,
                          CleanStats* stats);
  bool Retain(const RecordView& record, bool tombstones_expire,
              CleanStats* stats);
  absl::Status CheckCancel() const;

  FileSystem* const fs_;
  const LogCleanerOptions& options_;
  const CleanRequest& request_;
  OffsetMap map_;
  std::vector<Source> sources_;
  int64_t map_end_ = 0;
  std::string scratch_;
  CleanResult result_;
};

absl::Status Pass::Validate() const {
  auto invalid = [](auto&&... why) {
    return absl::InvalidArgumentError(absl::StrCat("log cleaner: ", why...));
  };
  if (request_.dir.empty()) return invalid("empty directory name");
  const std::vector<int64_t>& bases = request_.segment_base_offsets;
  for (size_t i = 0; i < bases.size(); ++i) {
    if (bases[i] < 0 || (i > 0 && bases[i] <= bases[i - 1])) {
      return invalid("segment base offsets must be >= 0 and ascending; ",
                     bases[i], " at index ", i);
    }
  }
  if (!bases.empty() && request_.end_offset <= bases.back()) {
    return invalid("end_offset ", request_.end_offset,
                   " is not above the last segment's base ", bases.back());
  }
  if (request_.first_dirty_offset < 0) {
    return invalid("negative first_dirty_offset ", request_.first_dirty_offset);
  }
  if (map_.capacity() == 0) {
    return invalid("max_map_bytes ", options_.max_map_bytes,
                   " cannot hold a single key");
  }
  if (options_.segment_bytes == 0 || options_.write_buffer_bytes == 0 ||
      options_.segment_index_bytes < 2 * format::kTimeIndexEntrySize) {
    return invalid(
        "segment_bytes and write_buffer_bytes must be > 0 and "
        "segment_index_bytes >= 24");
  }
  if (options_.delete_retention_ms < 0) {
    return invalid("negative delete_retention_ms ",
                   options_.delete_retention_ms);
  }
  return absl::OkStatus();
}

absl::Status Pass::CheckCancel() const {
  if (request_.cancel != nullptr &&
      request_.cancel->load(std::memory_order_relaxed)) {
    return absl::CancelledError(
        absl::StrCat("log cleaning of ", request_.dir, " was cancelled"));
  }
  return absl::OkStatus();
}

absl::Status Pass::LoadSources() {
  const std::vector<int64_t>& bases = request_.segment_base_offsets;
  for (size_t i = 0; i < bases.size(); ++i) {
    Source s;
    s.base = bases[i];
    s.next = i + 1 < bases.size() ? bases[i + 1] : request_.end_offset;
    s.path = SegmentFilePath(request_.dir, s.base, format::kLogFileSuffix);
    absl::StatusOr<uint64_t> size = fs_->GetFileSize(s.path);
    if (!size.ok()) return size.status();
    s.size = *size;
    sources_.push_back(std::move(s));
  }
  return absl::OkStatus();
}

// Step 1 (MAP).
absl::Status Pass::BuildMap() {
  const int64_t first_dirty = request_.first_dirty_offset;
  map_end_ = request_.end_offset;
  DecodeOptions decode;
  decode.max_decompressed_bytes = options_.max_decompressed_bytes;
  for (const Source& source : sources_) {
    if (source.next <= first_dirty) continue;
    SegmentReader reader(source);
    if (absl::Status s = reader.Open(fs_); !s.ok()) return s;
    RecordBatchHeader header;
    absl::string_view bytes;
    uint64_t position;
    for (;;) {
      if (absl::Status s = CheckCancel(); !s.ok()) return s;
      absl::StatusOr<bool> more = reader.Next(&header, &bytes, &position);
      if (!more.ok()) return more.status();
      if (!*more) break;
      if (header.last_offset() < first_dirty || header.is_control ||
          !Decodable(header.compression)) {
        continue;
      }
      absl::StatusOr<RecordBatchView> batch =
          RecordBatchView::Parse(bytes, decode);
      if (!batch.ok()) {
        return AtBatch(reader.path(), position, batch.status());
      }
      RecordIterator it(*batch);
      RecordView record;
      while (it.Next(&record)) {
        if (record.offset < first_dirty || !record.key.has_value()) continue;
        if (!map_.Put(map_.Hash(*record.key), record.offset)) {
          map_end_ = record.offset;  // full: clean up to here
          result_.stats.map_entries = static_cast<int64_t>(map_.size());
          return absl::OkStatus();
        }
      }
      if (!it.status().ok()) {
        return AtBatch(reader.path(), position, it.status());
      }
    }
  }
  result_.stats.map_entries = static_cast<int64_t>(map_.size());
  return absl::OkStatus();
}

// Step 2 (GROUP): Kafka's groupSegmentsBySize over the sources that hold
// offsets below map_end_.
std::vector<std::vector<size_t>> Pass::GroupSources() const {
  // Index entries a segment of `bytes` can need (one per
  // index_interval_bytes + 1), plus the roll's final time-index entry.
  const auto entries = [this](uint64_t bytes) {
    return bytes / (options_.index_interval_bytes + 1) + 2;
  };
  const uint64_t max_entries =
      options_.segment_index_bytes / format::kTimeIndexEntrySize;
  std::vector<std::vector<size_t>> groups;
  for (size_t i = 0; i < sources_.size() && sources_[i].base < map_end_;) {
    std::vector<size_t> group = {i};
    uint64_t bytes = sources_[i].size;
    size_t j = i + 1;
    for (; j < sources_.size() && sources_[j].base < map_end_; ++j) {
      const uint64_t total = bytes + sources_[j].size;
      if (total > options_.segment_bytes || entries(total) > max_entries ||
          sources_[j].next - 1 - sources_[i].base > kInt32Max) {
        break;
      }
      group.push_back(j);
      bytes = total;
    }
    groups.push_back(std::move(group));
    i = j;
  }
  return groups;
}

bool Pass::Retain(const RecordView& record, bool tombstones_expire,
                  CleanStats* stats) {
  if (record.offset >= map_end_) return true;  // not covered by the map
  if (!record.key.has_value()) {
    if (options_.retain_null_key_records) return true;
    ++stats->null_key_records_removed;
    return false;
  }
  if (map_.Get(map_.Hash(*record.key)) > record.offset) return false;
  if (!record.value.has_value() && tombstones_expire) {
    ++stats->tombstones_removed;
    return false;
  }
  return true;
}

absl::Status Pass::CopySource(const Source& source, CleanedWriter* writer,
                              CleanStats* stats) {
  SegmentReader reader(source);
  if (absl::Status s = reader.Open(fs_); !s.ok()) return s;
  RecordBatchHeader header;
  absl::string_view bytes;
  uint64_t position;
  // The segment's largest timestamp decides whether its tombstones expired
  // (the header walk also checks the whole segment before anything is
  // written).
  int64_t max_timestamp = -1;
  for (;;) {
    absl::StatusOr<bool> more = reader.Next(&header, &bytes, &position);
    if (!more.ok()) return more.status();
    if (!*more) break;
    max_timestamp = std::max(max_timestamp, header.max_timestamp);
  }
  const bool segment_expired =
      max_timestamp <=
      SaturatingSub(request_.now_ms, options_.delete_retention_ms);

  DecodeOptions decode;
  decode.max_decompressed_bytes = options_.max_decompressed_bytes;
  reader.Rewind();
  for (;;) {
    if (absl::Status s = CheckCancel(); !s.ok()) return s;
    absl::StatusOr<bool> more = reader.Next(&header, &bytes, &position);
    if (!more.ok()) return more.status();
    if (!*more) break;
    ++stats->batches_read;
    stats->records_read += header.record_count;
    if (header.is_control || !Decodable(header.compression)) {
      if (absl::Status s = VerifyBatchCrc(bytes); !s.ok()) {
        return AtBatch(reader.path(), position, s);
      }
      if (!header.is_control) ++stats->undecodable_batches_kept;
      if (writer != nullptr) {
        if (absl::Status s = writer->Append(header, bytes); !s.ok()) return s;
      }
      continue;
    }
    absl::StatusOr<RecordBatchView> batch =
        RecordBatchView::Parse(bytes, decode);
    if (!batch.ok()) {
      return AtBatch(reader.path(), position, batch.status());
    }
    const bool expired = header.has_delete_horizon
                             ? request_.now_ms >= header.base_timestamp
                             : segment_expired;
    scratch_.clear();
    absl::StatusOr<FilteredBatch> filtered = FilterBatch(
        *batch, [&](const RecordView& r) { return Retain(r, expired, stats); },
        &scratch_);
    if (!filtered.ok()) {
      return AtBatch(reader.path(), position, filtered.status());
    }
    stats->records_removed += filtered->records_removed;
    if (filtered->action == FilteredBatch::Action::kDropped) {
      ++stats->batches_removed;
    } else if (writer != nullptr) {
      if (absl::Status s = writer->Append(filtered->header, scratch_);
          !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

// Step 3 for one group: COPY, then SWAP.
absl::Status Pass::CleanGroup(const std::vector<size_t>& group,
                              const SwapHook& hook) {
  const Source& first = sources_[group.front()];
  if (group.size() == 1) {
    CleanStats dry;
    if (absl::Status s = CopySource(first, nullptr, &dry); !s.ok()) return s;
    if (dry.records_removed == 0) return absl::OkStatus();  // nothing to do
  }
  CleanedGroup info;
  info.base_offset = first.base;
  info.next_offset = sources_[group.back()].next;
  CleanStats stats;
  CleanedWriter writer(fs_, request_.dir, first.base, options_);
  if (absl::Status s = writer.Open(); !s.ok()) return s;
  for (size_t i : group) {
    const Source& source = sources_[i];
    info.replaced_base_offsets.push_back(source.base);
    info.bytes_before += source.size;
    if (absl::Status s = CopySource(source, &writer, &stats); !s.ok()) {
      return s;  // the writer removes its files
    }
  }
  absl::StatusOr<uint64_t> size = writer.Finish();
  if (!size.ok()) return size.status();
  info.bytes_after = *size;
  info.records_removed = stats.records_removed;

  SwapPlan plan{request_.dir, info.replaced_base_offsets};
  bool swapped = false;
  SwapOutcome outcome;
  const SwapFunction swap = [&]() {
    if (swapped) {
      return SwapOutcome{false, absl::FailedPreconditionError(
                                    "SwapFunction called more than once")};
    }
    swapped = true;
    outcome = SwapInCleanedSegment(fs_, plan);
    return outcome;
  };
  absl::Status hook_status;
  if (hook) {
    hook_status = hook(info, swap);
  } else {
    swap();
  }
  if (!swapped) {
    for (const char* suffix :
         {".log.cleaned", ".index.cleaned", ".timeindex.cleaned"}) {
      fs_->RemoveFile(SegmentFilePath(request_.dir, first.base, suffix))
          .IgnoreError();
    }
    if (!hook_status.ok()) return hook_status;
    return absl::CancelledError(
        absl::StrCat("log cleaning of ", request_.dir,
                     ": the swap hook did not swap segment ", first.base));
  }
  if (outcome.committed) {
    stats.segments_read = static_cast<int64_t>(group.size());
    stats.segments_written = 1;
    stats.bytes_read = info.bytes_before;
    stats.bytes_written = info.bytes_after;
    CleanStats& total = result_.stats;
    total.segments_read += stats.segments_read;
    total.segments_written += stats.segments_written;
    total.batches_read += stats.batches_read;
    total.batches_removed += stats.batches_removed;
    total.records_read += stats.records_read;
    total.records_removed += stats.records_removed;
    total.tombstones_removed += stats.tombstones_removed;
    total.null_key_records_removed += stats.null_key_records_removed;
    total.undecodable_batches_kept += stats.undecodable_batches_kept;
    total.bytes_read += stats.bytes_read;
    total.bytes_written += stats.bytes_written;
    std::vector<int64_t>& list = result_.segment_base_offsets;
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&](int64_t base) {
                                return base > info.base_offset &&
                                       base < info.next_offset;
                              }),
               list.end());
    result_.groups.push_back(std::move(info));
  }
  if (!outcome.status.ok()) return outcome.status;
  return hook_status;
}

absl::StatusOr<CleanResult> Pass::Run(const SwapHook& hook) {
  if (absl::Status s = Validate(); !s.ok()) return s;
  absl::StatusOr<InterruptedCleaning> leftovers =
      CompleteInterruptedCleaning(fs_, request_.dir);
  if (!leftovers.ok()) return leftovers.status();
  result_.segment_base_offsets = request_.segment_base_offsets;
  if (absl::Status s = LoadSources(); !s.ok()) return s;
  if (absl::Status s = BuildMap(); !s.ok()) return s;
  for (const std::vector<size_t>& group : GroupSources()) {
    if (absl::Status s = CheckCancel(); !s.ok()) return s;
    if (absl::Status s = CleanGroup(group, hook); !s.ok()) return s;
  }
  result_.next_dirty_offset = map_end_;
  return std::move(result_);
}

}  // namespace

LogCleaner::LogCleaner(FileSystem* fs, LogCleanerOptions options)
    : fs_(fs), options_(std::move(options)) {}

absl::StatusOr<CleanResult> LogCleaner::Clean(const CleanRequest& request,
                                              const SwapHook& hook) const {
  Pass pass(fs_, options_, request);
  return pass.Run(hook);
}

}  // namespace internal
}  // namespace runnel
