// Copyright 2026 The Runnel Authors.
//
// runnel::ReadOnlyLog: see read_only_log.h for what a reader of a live
// directory may trust and why.
#include "runnel/read_only_log.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "log/checkpoint_file.h"
#include "log/format.h"
#include "log/log_internal.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace {

constexpr size_t kHeaderSize = format::kRecordBatchHeaderSize;
constexpr size_t kScanChunkBytes = size_t{1} << 20;
// A position is remembered every this many bytes of scanned batches.
constexpr uint64_t kPositionIntervalBytes = 64 << 10;
constexpr int64_t kNoNextBase = std::numeric_limits<int64_t>::max();
constexpr uint64_t kWholeFile = std::numeric_limits<uint64_t>::max();
// A compaction swap in progress is waited for this long (in steps).
constexpr int kSwapWaitSteps = 100;
constexpr absl::Duration kSwapWaitStep = absl::Milliseconds(10);

// Hands out views of [pos, pos + len) of a file, reading ahead in chunks.
class ChunkReader {
 public:
  ChunkReader(File* file, uint64_t size) : file_(file), size_(size) {}

  // The bytes, or fewer if the file ends first.
  absl::StatusOr<absl::string_view> Get(uint64_t pos, size_t len) {
    if (pos >= size_) return absl::string_view();
    len = static_cast<size_t>(std::min<uint64_t>(len, size_ - pos));
    if (pos < buf_pos_ || pos + len > buf_pos_ + buf_.size()) {
      const size_t want = static_cast<size_t>(
          std::min<uint64_t>(std::max(len, kScanChunkBytes), size_ - pos));
      buf_.resize(want);
      absl::StatusOr<size_t> n = file_->ReadAt(pos, absl::MakeSpan(buf_));
      if (!n.ok()) return n.status();
      buf_.resize(*n);
      buf_pos_ = pos;
      len = std::min(len, *n);
    }
    return absl::string_view(buf_).substr(pos - buf_pos_, len);
  }

 private:
  File* const file_;
  const uint64_t size_;
  std::string buf_;
  uint64_t buf_pos_ = 0;
};

// The largest remembered (last offset, position) with last offset <= offset.
uint64_t PositionAtOrBefore(
    const std::vector<std::pair<int64_t, uint64_t>>& positions,
    int64_t offset) {
  auto it =
      std::upper_bound(positions.begin(), positions.end(), offset,
                       [](int64_t o, const std::pair<int64_t, uint64_t>& p) {
                         return o < p.first;
                       });
  return it == positions.begin() ? 0 : std::prev(it)->second;
}

}  // namespace

ReadOnlyLog::ReadOnlyLog(FileSystem* fs, std::string dir, std::string name)
    : fs_(fs), dir_(std::move(dir)), name_(std::move(name)) {}

absl::StatusOr<std::unique_ptr<ReadOnlyLog>> ReadOnlyLog::Open(
    FileSystem* fs, std::string dir, std::string name) {
  if (fs == nullptr) fs = FileSystem::Default();
  absl::StatusOr<bool> is_dir = fs->IsDirectory(dir);
  if (!is_dir.ok()) {
    return absl::Status(
        is_dir.status().code(),
        absl::StrCat("read-only log ", dir, ": ", is_dir.status().message()));
  }
  if (!*is_dir) {
    return absl::FailedPreconditionError(
        absl::StrCat("read-only log ", dir, ": not a directory"));
  }
  if (name.empty()) name = dir;
  std::unique_ptr<ReadOnlyLog> log(
      new ReadOnlyLog(fs, std::move(dir), std::move(name)));
  if (absl::Status s = log->Refresh(); !s.ok()) return s;
  return log;
}

absl::Status ReadOnlyLog::Refresh() {
  MutexLock lock(&mu_);
  return RefreshLocked();
}

// The base offsets of the `.log` files, once no compaction swap is under
// way (during one, names of swapped segments are briefly missing).
absl::StatusOr<std::vector<int64_t>> ReadOnlyLog::ListSegments() {
  for (int step = 0;; ++step) {
    absl::StatusOr<std::vector<std::string>> names = fs_->ListDir(dir_);
    if (!names.ok()) return names.status();
    std::vector<int64_t> bases;
    bool swapping = false;
    for (const std::string& name : *names) {
      if (absl::EndsWith(name, ".log.swap")) swapping = true;
      absl::StatusOr<format::ParsedSegmentFileName> parsed =
          format::ParseSegmentFileName(name);
      if (parsed.ok() && parsed->type == format::SegmentFileType::kLog &&
          parsed->temp_state == format::TempFileState::kNone) {
        bases.push_back(parsed->base_offset);
      }
    }
    if (!swapping) {
      std::sort(bases.begin(), bases.end());
      return bases;
    }
    if (step == kSwapWaitSteps) {
      return absl::UnavailableError(
          absl::StrCat("read-only log ", name_, ": a compaction swap in ", dir_,
                       " did not finish within ",
                       absl::FormatDuration(kSwapWaitStep * kSwapWaitSteps)));
    }
    absl::SleepFor(kSwapWaitStep);
  }
}

absl::Status ReadOnlyLog::RefreshLocked() {
  absl::StatusOr<std::vector<int64_t>> bases = ListSegments();
  if (!bases.ok()) return bases.status();
  std::vector<Segment> segments;
  for (int64_t base : *bases) {
    auto old = std::find_if(
        segments_.begin(), segments_.end(),
        [base](const Segment& s) { return s.base_offset == base; });
    if (old != segments_.end()) {
      segments.push_back(std::move(*old));
      continue;
    }
    Segment segment;
    segment.base_offset = base;
    segment.path = internal::Join(
        dir_, *format::SegmentFileName(base, format::kLogFileSuffix));
    segments.push_back(std::move(segment));
  }
  segments_ = std::move(segments);
  // DeleteRecordsBefore moves the start inside a segment; the checkpoint
  // says where (a missing one only means "the first segment").
  int64_t start = segments_.empty() ? 0 : segments_.front().base_offset;
  absl::StatusOr<std::vector<CheckpointEntry>> checkpoint =
      ReadCheckpointFile(fs_, internal::Join(dir_, internal::kLogStartFile));
  if (checkpoint.ok()) {
    for (const CheckpointEntry& entry : *checkpoint) {
      start = std::max(start, entry.offset);
    }
  }
  if (absl::Status s = ScanTailLocked(); !s.ok()) return s;
  const int64_t end = segments_.empty() ? start : tail_.next_offset;
  log_end_offset_.store(std::max(end, start), std::memory_order_release);
  log_start_offset_.store(start, std::memory_order_release);
  return absl::OkStatus();
}

// Extends the scanned prefix of the last segment by the whole, valid
// batches the writer has added since (see the banner for the rules).
absl::Status ReadOnlyLog::ScanTailLocked() {
  if (segments_.empty()) return absl::OkStatus();
  Segment& last = segments_.back();
  if (tail_.base_offset != last.base_offset) {
    tail_ = Tail{last.base_offset, 0, last.base_offset};
    last.positions.clear();
  }
  absl::StatusOr<std::unique_ptr<File>> file =
      fs_->OpenFile(last.path, OpenOptions::ReadOnly());
  if (absl::IsNotFound(file.status())) return absl::OkStatus();  // removed
  if (!file.ok()) return file.status();
  absl::StatusOr<uint64_t> size = (*file)->Size();
  if (!size.ok()) return size.status();
  if (*size < tail_.end) {  // replaced under the same name: start over
    tail_ = Tail{last.base_offset, 0, last.base_offset};
    last.positions.clear();
  }
  ChunkReader reader(file->get(), *size);
  uint64_t pos = tail_.end;
  int64_t expected = tail_.next_offset;
  uint64_t since_position = kPositionIntervalBytes;
  while (pos + kHeaderSize <= *size) {
    absl::StatusOr<absl::string_view> head = reader.Get(pos, kHeaderSize);
    if (!head.ok()) return head.status();
    absl::StatusOr<RecordBatchHeader> header = ReadBatchHeader(*head);
    if (!header.ok() || header->base_offset != expected) break;
    const size_t bytes = header->size_bytes();
    if (pos + bytes > *size) break;
    absl::StatusOr<absl::string_view> batch = reader.Get(pos, bytes);
    if (!batch.ok()) return batch.status();
    if (batch->size() != bytes || !VerifyBatchCrc(*batch).ok()) break;
    if (since_position >= kPositionIntervalBytes) {
      last.positions.emplace_back(header->last_offset(), pos);
      since_position = 0;
    }
    since_position += bytes;
    pos += bytes;
    expected = header->next_offset();
  }
  tail_.end = pos;
  tail_.next_offset = expected;
  return absl::OkStatus();
}

// Sealed segments: the `.index` file's entries (the last offset of the
// batch at each position), once. Only a hint: reads check what they find.
void ReadOnlyLog::LoadIndexLocked(Segment& segment) {
  if (segment.index_loaded) return;
  segment.index_loaded = true;
  absl::StatusOr<std::string> bytes = fs_->ReadFileToString(internal::Join(
      dir_,
      *format::SegmentFileName(segment.base_offset, format::kIndexFileSuffix)));
  if (!bytes.ok()) return;
  for (const format::OffsetIndexEntry& e : format::DecodeOffsetIndex(*bytes)) {
    const int64_t last = segment.base_offset + e.relative_offset;
    if (!segment.positions.empty() && last <= segment.positions.back().first) {
      break;  // garbage: the hint ends here
    }
    segment.positions.emplace_back(last, e.position);
  }
}

absl::Status ReadOnlyLog::OutOfRange(int64_t offset) const {
  return absl::OutOfRangeError(absl::StrCat("log ", name_, ": offset ", offset,
                                            " is outside [", log_start_offset(),
                                            ", ", log_end_offset(), "]"));
}

absl::StatusOr<LogReadResult> ReadOnlyLog::Read(int64_t offset,
                                                size_t max_bytes) {
  // A file removed or replaced since the last listing: list again, retry.
  absl::StatusOr<LogReadResult> result = ReadOnce(offset, max_bytes);
  for (int attempt = 0; attempt < 3 && absl::IsNotFound(result.status());
       ++attempt) {
    if (absl::Status s = Refresh(); !s.ok()) return s;
    result = ReadOnce(offset, max_bytes);
  }
  if (absl::IsNotFound(result.status()) && offset < log_start_offset()) {
    return OutOfRange(offset);
  }
  return result;
}

absl::StatusOr<LogReadResult> ReadOnlyLog::ReadOnce(int64_t offset,
                                                    size_t max_bytes) {
  MutexLock lock(&mu_);
  LogReadResult result;
  result.log_end_offset = log_end_offset();
  if (offset < log_start_offset() || offset > result.log_end_offset) {
    return OutOfRange(offset);
  }
  if (offset == result.log_end_offset || segments_.empty()) return result;
  auto it = std::upper_bound(
      segments_.begin(), segments_.end(), offset,
      [](int64_t o, const Segment& s) { return o < s.base_offset; });
  if (it == segments_.begin()) return OutOfRange(offset);
  for (size_t i = std::prev(it) - segments_.begin(); i < segments_.size();
       ++i) {
    Segment& segment = segments_[i];
    const bool last = i + 1 == segments_.size();
    const int64_t next_base = last ? kNoNextBase : segments_[i + 1].base_offset;
    if (!last) LoadIndexLocked(segment);
    const uint64_t limit = last ? tail_.end : kWholeFile;
    const uint64_t hint = PositionAtOrBefore(segment.positions, offset);
    absl::StatusOr<bool> found =
        ReadSegment(segment.path, segment.base_offset, next_base, hint, limit,
                    offset, max_bytes, &result);
    if (absl::IsFailedPrecondition(found.status()) && hint > 0) {
      // The hint was stale (the file was compacted): scan from the start.
      found = ReadSegment(segment.path, segment.base_offset, next_base, 0,
                          limit, offset, max_bytes, &result);
    }
    if (!found.ok()) return found.status();
    if (*found || last) return result;
    // Compaction emptied the rest of this segment: the next one goes on.
  }
  return result;
}

// FailedPrecondition if the batch found at a non-zero `position` starts
// past `offset` (a stale position hint); NotFound if the file is gone.
absl::StatusOr<bool> ReadOnlyLog::ReadSegment(const std::string& path,
                                              int64_t base, int64_t next_base,
                                              uint64_t position, uint64_t limit,
                                              int64_t offset, size_t max_bytes,
                                              LogReadResult* result) {
  absl::StatusOr<std::unique_ptr<File>> file =
      fs_->OpenFile(path, OpenOptions::ReadOnly());
  if (!file.ok()) return file.status();
  absl::StatusOr<uint64_t> size = (*file)->Size();
  if (!size.ok()) return size.status();
  limit = std::min(limit, *size);
  auto corrupt = [&](uint64_t at, absl::string_view why) {
    return absl::DataLossError(absl::StrCat("log ", name_,
                                            ": corrupt batch in ", path,
                                            " at position ", at, ": ", why));
  };
  // Skip batches that end before `offset`, reading headers only.
  ChunkReader headers(file->get(), limit);
  RecordBatchHeader first;
  for (bool at_hint = true;; at_hint = false) {
    if (position + kHeaderSize > limit) return false;
    absl::StatusOr<absl::string_view> head = headers.Get(position, kHeaderSize);
    if (!head.ok()) return head.status();
    absl::StatusOr<RecordBatchHeader> header = ReadBatchHeader(*head);
    if (!header.ok() ||
        (at_hint && position > 0 && header->base_offset > offset)) {
      if (position > 0 && at_hint) {
        return absl::FailedPreconditionError("stale position hint");
      }
      return corrupt(position, header.ok() ? "offsets out of order"
                                           : header.status().message());
    }
    if (header->last_offset() >= offset) {
      first = *header;
      break;
    }
    position += header->size_bytes();
  }
  if (position + first.size_bytes() > limit) {
    return corrupt(position, "the batch runs past the end of the file");
  }
  // One read for everything returned; the result owns the buffer.
  const uint64_t want = std::min<uint64_t>(
      limit - position, std::max<uint64_t>(max_bytes, first.size_bytes()));
  auto buffer = std::make_shared<std::string>(want, '\0');
  absl::StatusOr<size_t> n = (*file)->ReadAt(position, absl::MakeSpan(*buffer));
  if (!n.ok()) return n.status();
  buffer->resize(*n);
  absl::string_view rest(*buffer);
  int64_t min_offset = base;
  size_t total = 0;
  uint64_t at = position;
  while (rest.size() >= kHeaderSize && (total == 0 || total < max_bytes)) {
    absl::StatusOr<RecordBatchHeader> header = ReadBatchHeader(rest);
    absl::Status bad = header.status();
    if (bad.ok() && header->size_bytes() > rest.size()) {
      bad = absl::DataLossError("the batch runs past the end of the file");
    } else if (bad.ok() && (header->base_offset < min_offset ||
                            header->last_offset() >= next_base)) {
      bad = absl::DataLossError(absl::StrCat(
          "offsets ", header->base_offset, "-", header->last_offset(),
          " outside [", min_offset, ", ", next_base, ")"));
    } else if (bad.ok()) {
      bad = VerifyBatchCrc(*header, rest.substr(0, header->size_bytes()));
    }
    if (!bad.ok()) {
      if (total == 0) return corrupt(at, bad.message());
      break;  // the next read starts here and reports it
    }
    const size_t bytes = header->size_bytes();
    result->batches.push_back(rest.substr(0, bytes));
    total += bytes;
    min_offset = header->next_offset();
    rest.remove_prefix(bytes);
    at += bytes;
  }
  result->pins.push_back(std::move(buffer));
  return true;
}

absl::StatusOr<OffsetAndTimestamp> ReadOnlyLog::OffsetForTimestamp(
    int64_t timestamp) {
  for (int64_t offset = log_start_offset(); offset < log_end_offset();) {
    absl::StatusOr<LogReadResult> read = Read(offset, kScanChunkBytes);
    if (!read.ok()) return read.status();
    if (read->batches.empty()) break;
    for (absl::string_view bytes : read->batches) {
      absl::StatusOr<RecordBatchHeader> header = ReadBatchHeader(bytes);
      if (!header.ok()) return header.status();
      offset = header->next_offset();
      if (header->max_timestamp < timestamp) continue;
      absl::StatusOr<RecordBatchView> batch = RecordBatchView::Parse(bytes);
      if (!batch.ok()) return batch.status();
      RecordIterator records(*batch);
      RecordView record;
      while (records.Next(&record)) {
        if (record.timestamp >= timestamp) {
          return OffsetAndTimestamp{record.timestamp, record.offset};
        }
      }
      if (!records.status().ok()) return records.status();
    }
  }
  return OffsetAndTimestamp{};
}

}  // namespace runnel
