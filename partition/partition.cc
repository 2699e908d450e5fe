// Copyright 2026 The Runnel Authors.
#include "runnel/partition.h"

#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "io/path.h"
#include "log/big_endian.h"
#include "runnel/record_batch.h"

namespace runnel {

std::string TopicPartition::ToString() const {
  return absl::StrCat(topic, "-", partition);
}

void DataNotifier::Notify() {
  MutexLock lock(&mu_);
  signaled_ = true;
  cv_.SignalAll();
}

bool DataNotifier::WaitUntil(absl::Time deadline) {
  MutexLock lock(&mu_);
  while (!signaled_) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    cv_.WaitWithTimeout(&mu_, left);
  }
  signaled_ = false;
  return true;
}

Partition::Partition(TopicPartition id, std::string dir, LogOptions options,
                     PartitionState state, LogMaintainer* maintainer,
                     bool read_only)
    : id_(std::move(id)),
      dir_(std::move(dir)),
      maintainer_(maintainer),
      read_only_(read_only),
      options_(std::move(options)),
      state_(std::move(state)) {
  MutexLock lock(&append_mu_);
  // An error leaves the partition offline.
  (read_only_ ? OpenReadOnlyLog() : OpenLog()).IgnoreError();
}

Partition::~Partition() {
  Shut(absl::FailedPreconditionError(
           absl::StrCat("partition ", id_.ToString(), " is closed")))
      .IgnoreError();
}

absl::Status Partition::OpenLog() {
  if (options_.name.empty()) options_.name = id_.ToString();
  absl::StatusOr<std::unique_ptr<Log>> opened = Log::Open(dir_, options_);
  MutexLock lock(&mu_);
  if (!opened.ok()) {
    status_ = absl::Status(opened.status().code(),
                           absl::StrCat("partition ", id_.ToString(),
                                        " is offline: its log failed to open: ",
                                        opened.status().message()));
    return status_;
  }
  // Best effort: without it, duplicates are not recognized (never lost).
  LoadProducerState(**opened).IgnoreError();
  log_ = std::move(*opened);
  status_ = absl::OkStatus();
  // Replication factor 1: everything in the log is committed.
  high_watermark_.store(log_->log_end_offset(), std::memory_order_release);
  if (maintainer_ != nullptr) maintainer_->Add(log_.get());
  return absl::OkStatus();
}

absl::Status Partition::OpenReadOnlyLog() {
  absl::StatusOr<std::unique_ptr<ReadOnlyLog>> opened =
      ReadOnlyLog::Open(options_.file_system, dir_, id_.ToString());
  MutexLock lock(&mu_);
  if (!opened.ok()) {
    status_ = absl::Status(opened.status().code(),
                           absl::StrCat("partition ", id_.ToString(),
                                        " is offline: its log failed to open: ",
                                        opened.status().message()));
    return status_;
  }
  reader_ = std::move(*opened);
  status_ = absl::OkStatus();
  high_watermark_.store(reader_->log_end_offset(), std::memory_order_release);
  return absl::OkStatus();
}

absl::Status Partition::RefreshReadOnly() {
  absl::StatusOr<std::shared_ptr<ReadOnlyLog>> reader = OnlineReader();
  if (!reader.ok()) return read_only_ ? reader.status() : absl::OkStatus();
  if (absl::Status s = (*reader)->Refresh(); !s.ok()) return s;
  const int64_t end = (*reader)->log_end_offset();
  if (high_watermark_.exchange(end, std::memory_order_acq_rel) != end) {
    WakeAll();
  }
  return absl::OkStatus();
}

absl::Status Partition::ReadOnlyError(absl::string_view what) const {
  return absl::FailedPreconditionError(
      absl::StrCat("partition ", id_.ToString(), ": cannot ", what,
                   ": the broker on this directory was opened read-only"));
}

absl::Status Partition::Reconfigure(LogOptions options) {
  MutexLock append(&append_mu_);
  if (read_only_) return ReadOnlyError("reconfigure");
  if (shut_.load()) return status();
  std::shared_ptr<Log> old;
  {
    MutexLock lock(&mu_);
    old = std::move(log_);
  }
  absl::Status closed;
  if (old != nullptr) {
    if (maintainer_ != nullptr) maintainer_->Remove(old.get());
    closed = old->Close();  // seals and checkpoints: the reopen scans nothing
    if (closed.ok()) SaveProducerState(*old).IgnoreError();
  }
  options_ = std::move(options);
  absl::Status opened = OpenLog();
  return closed.ok() ? opened : closed;
}

absl::Status Partition::Shut(absl::Status why) {
  MutexLock append(&append_mu_);
  if (shut_.exchange(true)) return absl::OkStatus();
  std::shared_ptr<Log> log;
  {
    MutexLock lock(&mu_);
    log = std::move(log_);
    reader_.reset();
    status_ = std::move(why);
  }
  absl::Status closed;
  if (log != nullptr) {
    if (maintainer_ != nullptr) maintainer_->Remove(log.get());
    closed = log->Close();
    if (closed.ok()) closed = SaveProducerState(*log);
  }
  WakeAll();
  return closed;
}

absl::StatusOr<std::shared_ptr<Log>> Partition::Online() const {
  if (read_only_) return ReadOnlyError("write");
  MutexLock lock(&mu_);
  if (log_ == nullptr) return status_;
  return log_;
}

absl::StatusOr<std::shared_ptr<ReadOnlyLog>> Partition::OnlineReader() const {
  MutexLock lock(&mu_);
  if (reader_ == nullptr) {
    if (!status_.ok()) return status_;
    return absl::FailedPreconditionError(
        absl::StrCat("partition ", id_.ToString(), " is not read-only"));
  }
  return reader_;
}

absl::StatusOr<Log*> Partition::OnlineForAppend() const
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  // log_ is only replaced under append_mu_ (which the caller holds) as well
  // as mu_: reading it needs neither mu_ nor a copy of the shared_ptr.
  if (read_only_) return ReadOnlyError("write");
  Log* log = log_.get();
  if (log == nullptr) return status();
  return log;
}

std::shared_ptr<Log> Partition::log() const {
  MutexLock lock(&mu_);
  return log_;
}

absl::Status Partition::status() const {
  MutexLock lock(&mu_);
  return status_;
}

PartitionState Partition::state() const {
  MutexLock lock(&mu_);
  return state_;
}

void Partition::Appended(const Log& log) {
  if (!replicated_.load(std::memory_order_acquire)) {
    high_watermark_.store(log.log_end_offset(), std::memory_order_release);
  }
  WakeAll();
}

void Partition::WakeAll() {
  MutexLock lock(&wait_mu_);
  data_.SignalAll();
  for (DataNotifier* notifier : notifiers_) notifier->Notify();
}

absl::StatusOr<AppendInfo> Partition::Append(absl::string_view batches) {
  MutexLock append(&append_mu_);
  absl::StatusOr<Log*> log = OnlineForAppend();
  if (!log.ok()) return log.status();
  // Idempotent producers: a duplicate batch is answered with its original
  // offsets, a sequence gap refused (the log validates the rest).
  absl::InlinedVector<RecordBatchHeader, 1> headers;  // no allocation
  for (absl::string_view rest = batches; !rest.empty();) {
    absl::StatusOr<RecordBatchHeader> header = ReadBatchHeader(rest);
    if (!header.ok()) break;  // Log::Append reports it
    headers.push_back(*header);
    rest.remove_prefix(std::min(rest.size(), header->size_bytes()));
  }
  for (const RecordBatchHeader& header : headers) {
    internal::ProducerStateTable::Verdict verdict = producers_.Check(header);
    if (verdict.kind == internal::ProducerStateTable::Verdict::kDuplicate &&
        headers.size() == 1) {
      AppendInfo info;
      info.first_offset = verdict.original.first_offset;
      info.last_offset = verdict.original.last_offset;
      info.max_timestamp = header.max_timestamp;
      info.record_count = header.record_count;
      info.bytes = header.size_bytes();
      return info;
    }
    if (verdict.kind != internal::ProducerStateTable::Verdict::kAppend) {
      return absl::Status(
          verdict.kind == internal::ProducerStateTable::Verdict::kReject
              ? verdict.error.code()
              : absl::StatusCode::kFailedPrecondition,
          absl::StrCat(
              "partition ", id_.ToString(), ": append rejected: ",
              verdict.kind == internal::ProducerStateTable::Verdict::kReject
                  ? verdict.error.message()
                  : "a duplicate batch among several"));
    }
  }
  absl::StatusOr<AppendInfo> info = (*log)->Append(batches);
  if (!info.ok()) return info;
  int64_t offset = info->first_offset;
  for (const RecordBatchHeader& header : headers) {
    producers_.Record(header, offset, offset + header.last_offset_delta);
    offset += header.last_offset_delta + 1;
  }
  Appended(**log);
  return info;
}

std::string Partition::ProducerStatePath() const {
  return internal::JoinPath(dir_, "runnel-producer-state");
}

absl::Status Partition::SaveProducerState(Log& log) {
  FileSystem* fs = options_.file_system != nullptr ? options_.file_system
                                                   : FileSystem::Default();
  return fs->ReplaceFileDurably(ProducerStatePath(),
                                producers_.Encode(log.log_end_offset()));
}

absl::Status Partition::LoadProducerState(Log& log) {
  producers_ = internal::ProducerStateTable();
  FileSystem* fs = options_.file_system != nullptr ? options_.file_system
                                                   : FileSystem::Default();
  int64_t from = 0;
  absl::StatusOr<std::string> text = fs->ReadFileToString(ProducerStatePath());
  if (text.ok()) {
    absl::StatusOr<int64_t> offset = producers_.Decode(*text);
    if (offset.ok() && *offset <= log.log_end_offset()) {
      from = *offset;
    } else {
      producers_ = internal::ProducerStateTable();  // rebuild from the log
    }
  }
  // Replay the batch headers after the snapshot.
  for (int64_t offset = std::max(from, log.log_start_offset());
       offset < log.log_end_offset();) {
    absl::StatusOr<LogReadResult> read = log.Read(offset, 1 << 20);
    if (!read.ok()) return read.status();
    if (read->batches.empty()) break;
    for (absl::string_view batch : read->batches) {
      absl::StatusOr<RecordBatchHeader> header = ReadBatchHeader(batch);
      if (!header.ok()) return header.status();
      producers_.Record(*header, header->base_offset, header->last_offset());
      offset = header->last_offset() + 1;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<AppendInfo> Partition::AppendInPlace(
    size_t max_batch_bytes,
    absl::FunctionRef<absl::StatusOr<size_t>(absl::Span<char>)> build) {
  MutexLock append(&append_mu_);
  absl::StatusOr<Log*> log = OnlineForAppend();
  if (!log.ok()) return log.status();
  absl::StatusOr<AppendInfo> info =
      (*log)->AppendInPlace(max_batch_bytes, build);
  if (info.ok()) Appended(**log);
  return info;
}

absl::Status Partition::Sync() {
  absl::StatusOr<std::shared_ptr<Log>> log = Online();
  if (!log.ok()) return log.status();
  return (*log)->Sync();
}

absl::StatusOr<FetchResult> Partition::Fetch(int64_t offset, size_t max_bytes,
                                             const ReadPosition* from) {
  if (read_only_) {
    watched_.store(true, std::memory_order_relaxed);
    absl::StatusOr<std::shared_ptr<ReadOnlyLog>> reader = OnlineReader();
    if (!reader.ok()) return reader.status();
    // At the end: see whether the writing process added something.
    if (offset >= high_watermark()) {
      if (absl::Status s = RefreshReadOnly(); !s.ok()) return s;
    }
    return FetchFrom(offset, (*reader)->log_start_offset(),
                     (*reader)->log_end_offset(),
                     [&] { return (*reader)->Read(offset, max_bytes); });
  }
  absl::StatusOr<std::shared_ptr<Log>> log = Online();
  if (!log.ok()) return log.status();
  return FetchFrom(offset, (*log)->log_start_offset(), (*log)->log_end_offset(),
                   [&] { return (*log)->Read(offset, max_bytes, from); });
}

absl::StatusOr<FetchResult> Partition::FetchFrom(
    int64_t offset, int64_t log_start, int64_t log_end,
    absl::FunctionRef<absl::StatusOr<LogReadResult>()> read_log) {
  FetchResult result;
  result.high_watermark = high_watermark();
  result.log_start_offset = log_start;
  if (offset < result.log_start_offset || offset > result.high_watermark) {
    return absl::OutOfRangeError(
        absl::StrCat("partition ", id_.ToString(), ": fetch offset ", offset,
                     " is outside [log start ", result.log_start_offset,
                     ", high watermark ", result.high_watermark, "]"));
  }
  if (offset == result.high_watermark) {
    result.read.log_end_offset = log_end;
    return result;
  }
  absl::StatusOr<LogReadResult> read = read_log();
  if (!read.ok()) return read.status();
  // Drop batches at or past the high watermark (none while the high
  // watermark is the log end offset; replication will make them appear).
  std::vector<absl::string_view>& batches = read->batches;
  while (!batches.empty() &&
         static_cast<int64_t>(internal::LoadBigEndian64(
             batches.back().data())) >= result.high_watermark) {
    batches.pop_back();
  }
  result.read = std::move(*read);
  return result;
}

bool Partition::WaitForData(int64_t offset, absl::Time deadline) {
  watched_.store(true, std::memory_order_relaxed);
  MutexLock lock(&wait_mu_);
  while (true) {
    if (high_watermark_.load(std::memory_order_acquire) > offset) return true;
    if (shut_.load()) return false;
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    data_.WaitWithTimeout(&wait_mu_, left);
  }
}

void Partition::AddNotifier(DataNotifier* notifier) {
  watched_.store(true, std::memory_order_relaxed);
  MutexLock lock(&wait_mu_);
  notifiers_.insert(notifier);
}

void Partition::RemoveNotifier(DataNotifier* notifier) {
  MutexLock lock(&wait_mu_);
  notifiers_.erase(notifier);
}

absl::StatusOr<OffsetAndTimestamp> Partition::OffsetForTimestamp(
    int64_t timestamp) {
  if (read_only_) {
    absl::StatusOr<std::shared_ptr<ReadOnlyLog>> reader = OnlineReader();
    if (!reader.ok()) return reader.status();
    return (*reader)->OffsetForTimestamp(timestamp);
  }
  absl::StatusOr<std::shared_ptr<Log>> log = Online();
  if (!log.ok()) return log.status();
  return (*log)->OffsetForTimestamp(timestamp);
}

absl::StatusOr<int64_t> Partition::DeleteRecordsBefore(int64_t offset) {
  // Under the append lock: a reconfiguration must not reopen the directory
  // while segments are being deleted.
  MutexLock append(&append_mu_);
  absl::StatusOr<std::shared_ptr<Log>> log = Online();
  if (!log.ok()) return log.status();
  const int64_t hw = high_watermark();
  if (offset == -1) offset = hw;
  if (offset < 0 || offset > hw) {
    return absl::OutOfRangeError(absl::StrCat(
        "partition ", id_.ToString(), ": cannot delete records before offset ",
        offset, ": outside [0, high watermark ", hw, "]"));
  }
  return (*log)->DeleteRecordsBefore(offset);
}

int64_t Partition::log_start_offset() const {
  if (read_only_) {
    absl::StatusOr<std::shared_ptr<ReadOnlyLog>> reader = OnlineReader();
    return reader.ok() ? (*reader)->log_start_offset() : 0;
  }
  std::shared_ptr<Log> log = this->log();
  return log == nullptr ? 0 : log->log_start_offset();
}

int64_t Partition::log_end_offset() const {
  if (read_only_) {
    absl::StatusOr<std::shared_ptr<ReadOnlyLog>> reader = OnlineReader();
    return reader.ok() ? (*reader)->log_end_offset() : 0;
  }
  std::shared_ptr<Log> log = this->log();
  return log == nullptr ? 0 : log->log_end_offset();
}

int64_t Partition::high_watermark() const {
  return high_watermark_.load(std::memory_order_acquire);
}

}  // namespace runnel
