// Copyright 2026 The Runnel Authors.
#include "log/log_cleaner_test_util.h"

#include <algorithm>
#include <map>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "log/format.h"

namespace runnel {
namespace testing {
namespace {

absl::StatusOr<std::string> ReadWhole(FileSystem* fs, const std::string& path) {
  absl::StatusOr<std::unique_ptr<File>> file =
      fs->OpenFile(path, OpenOptions::ReadOnly());
  if (!file.ok()) return file.status();
  absl::StatusOr<uint64_t> size = (*file)->Size();
  if (!size.ok()) return size.status();
  std::string data(*size, '\0');
  if (!data.empty()) {
    absl::StatusOr<size_t> n = (*file)->ReadAt(0, absl::MakeSpan(data));
    if (!n.ok()) return n.status();
    data.resize(*n);
  }
  return data;
}

absl::Status AppendRecords(const DecodedBatch& batch, ScannedLog* log) {
  for (const RecordView& r : batch.records()) {
    ScannedRecord s;
    s.offset = r.offset;
    s.timestamp = r.timestamp;
    if (r.key.has_value()) s.key = std::string(*r.key);
    if (r.value.has_value()) s.value = std::string(*r.value);
    for (const RecordHeaderView& h : r.headers) {
      RecordHeader header;
      header.key = std::string(h.key);
      if (h.value.has_value()) header.value = std::string(*h.value);
      s.headers.push_back(std::move(header));
    }
    log->records.push_back(std::move(s));
  }
  return absl::OkStatus();
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const ScannedRecord& r) {
  os << "{offset " << r.offset << " ts " << r.timestamp << " key "
     << (r.key ? *r.key : "<null>") << " value "
     << (r.value ? *r.value : "<null>") << " headers " << r.headers.size()
     << "}";
  return os;
}

absl::StatusOr<ScannedLog> ScanLogDir(FileSystem* fs, const std::string& dir) {
  absl::StatusOr<std::vector<std::string>> names = fs->ListDir(dir);
  if (!names.ok()) return names.status();
  ScannedLog log;
  for (const std::string& name : *names) {
    absl::StatusOr<format::ParsedSegmentFileName> parsed =
        format::ParseSegmentFileName(name);
    if (!parsed.ok()) continue;
    if (parsed->temp_state != format::TempFileState::kNone) {
      log.temp_files.push_back(name);
    } else if (parsed->type == format::SegmentFileType::kLog) {
      log.segments.push_back({parsed->base_offset, 0});
    }
  }
  std::sort(log.segments.begin(), log.segments.end(),
            [](const ScannedSegment& a, const ScannedSegment& b) {
              return a.base_offset < b.base_offset;
            });
  int64_t next_offset = -1;
  for (size_t i = 0; i < log.segments.size(); ++i) {
    ScannedSegment& segment = log.segments[i];
    const int64_t limit = i + 1 < log.segments.size()
                              ? log.segments[i + 1].base_offset
                              : INT64_MAX;
    const std::string path = absl::StrCat(
        dir, "/", *format::SegmentFileName(segment.base_offset, ".log"));
    absl::StatusOr<std::string> data = ReadWhole(fs, path);
    if (!data.ok()) return data.status();
    segment.size = data->size();
    next_offset = std::max(next_offset, segment.base_offset);
    absl::string_view rest = *data;
    while (!rest.empty()) {
      const size_t position = data->size() - rest.size();
      auto bad = [&](absl::string_view why) {
        return absl::DataLossError(
            absl::StrCat(path, " at ", position, ": ", why));
      };
      absl::StatusOr<RecordBatchHeader> h = ReadBatchHeader(rest);
      if (!h.ok()) return bad(h.status().message());
      if (h->size_bytes() > rest.size()) return bad("truncated batch");
      if (h->base_offset < next_offset || h->last_offset() >= limit) {
        return bad(absl::StrCat("offsets ", h->base_offset, "-",
                                h->last_offset(), " outside [", next_offset,
                                ", ", limit, ")"));
      }
      absl::StatusOr<DecodedBatch> batch =
          DecodedBatch::Decode(rest.substr(0, h->size_bytes()));
      if (absl::IsUnimplemented(batch.status())) {
        if (absl::Status s = VerifyBatchCrc(rest.substr(0, h->size_bytes()));
            !s.ok()) {
          return bad(s.message());
        }
        log.undecodable_batch_offsets.push_back(h->base_offset);
      } else if (!batch.ok()) {
        return bad(batch.status().message());
      }
      log.batches.push_back(*h);
      if (!batch.ok()) {
        // undecodable: no records to list
      } else if (h->is_control) {
        log.control_batch_offsets.push_back(h->base_offset);
      } else if (absl::Status s = AppendRecords(*batch, &log); !s.ok()) {
        return s;
      }
      next_offset = h->next_offset();
      rest.remove_prefix(h->size_bytes());
    }
  }
  return log;
}

absl::StatusOr<std::vector<ScannedRecord>> ReadViaLog(
    FileSystem* fs, const std::string& dir, LogOptions options,
    const std::vector<ScannedSegment>& segment_bases, int* gap_jumps) {
  options.file_system = fs;
  absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(dir, options);
  if (!log.ok()) return log.status();
  ScannedLog out;
  int64_t offset = (*log)->log_start_offset();
  const int64_t end = (*log)->log_end_offset();
  while (offset < end) {
    absl::StatusOr<LogReadResult> read = (*log)->Read(offset, 1 << 20);
    if (!read.ok()) return read.status();
    if (read->batches.empty()) {
      auto next = std::find_if(
          segment_bases.begin(), segment_bases.end(),
          [&](const ScannedSegment& s) { return s.base_offset > offset; });
      if (next == segment_bases.end()) break;
      offset = next->base_offset;
      ++*gap_jumps;
      continue;
    }
    for (absl::string_view bytes : read->batches) {
      absl::StatusOr<DecodedBatch> batch = DecodedBatch::Decode(bytes);
      if (!batch.ok()) return batch.status();
      if (batch->header().last_offset() < offset) {
        return absl::DataLossError(absl::StrCat("Log::Read(", offset,
                                                ") returned a batch ending at ",
                                                batch->header().last_offset()));
      }
      if (!batch->header().is_control) {
        if (absl::Status s = AppendRecords(*batch, &out); !s.ok()) return s;
      }
      offset = batch->header().next_offset();
    }
  }
  if (absl::Status s = (*log)->Close(); !s.ok()) return s;
  return out.records;
}

Record KeyValue(int64_t timestamp, std::optional<std::string> key,
                std::optional<std::string> value) {
  Record r;
  r.timestamp = timestamp;
  r.key = std::move(key);
  r.value = std::move(value);
  return r;
}

std::string MakeBatch(const std::vector<Record>& records,
                      Compression compression) {
  RecordBatchOptions options;
  options.compression = compression;
  absl::StatusOr<std::string> batch = EncodeRecordBatch(options, records);
  return batch.ok() ? *batch : std::string();
}

absl::Status WriteLog(FileSystem* fs, const std::string& dir,
                      LogOptions options,
                      const std::vector<std::string>& batches) {
  options.file_system = fs;
  absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(dir, options);
  if (!log.ok()) return log.status();
  for (const std::string& batch : batches) {
    absl::StatusOr<AppendInfo> info = (*log)->Append(batch);
    if (!info.ok()) return info.status();
  }
  return (*log)->Close();
}

std::vector<ScannedRecord> ExpectedAfterClean(
    const std::vector<ScannedRecord>& before, int64_t map_end,
    bool tombstones_expire, bool retain_null_keys) {
  std::map<std::string, int64_t> latest;
  for (const ScannedRecord& r : before) {
    if (r.offset < map_end && r.key.has_value()) latest[*r.key] = r.offset;
  }
  std::vector<ScannedRecord> kept;
  for (const ScannedRecord& r : before) {
    bool keep = true;
    if (r.offset < map_end) {
      if (!r.key.has_value()) {
        keep = retain_null_keys;
      } else {
        keep = latest[*r.key] == r.offset &&
               !(tombstones_expire && !r.value.has_value());
      }
    }
    if (keep) kept.push_back(r);
  }
  return kept;
}

std::vector<ScannedRecord> LatestPerKey(
    const std::vector<ScannedRecord>& records) {
  std::map<std::string, ScannedRecord> latest;
  for (const ScannedRecord& r : records) {
    if (r.key.has_value()) latest[*r.key] = r;
  }
  std::vector<ScannedRecord> out;
  for (auto& [key, r] : latest) out.push_back(std::move(r));
  return out;
}

}  // namespace testing
}  // namespace runnel
