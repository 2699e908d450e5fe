// Copyright 2026 The Runnel Authors.
//
// `runnel dump-log`: Kafka's kafka-dump-log.sh (DumpLogSegments) on segment
// files — one line per batch of a `.log` (and one per record with
// --deep-iteration, with key and payload with --print-data-log); the
// entries of a `.index` or `.timeindex`, each checked against the `.log`
// beside it (--verify-index-only: checked, not printed). Lines are Kafka's.
//
// It works on the files alone (no --data-dir; nothing is locked, mapped or
// written), so it can read a directory another process has open.
//
// Corruption (a CRC mismatch, impossible framing, a truncated batch, an
// index entry that does not match the log) is printed where it is found,
// and the command then exits 1 with one line on stderr naming the first
// file and position. Like Kafka, a batch with a bad CRC is shown with
// `isvalid: false` and the dump goes on (its length is trusted); framing
// that cannot be trusted ends the file with "Found N invalid bytes at the
// end of <file>". The zero-filled reserved tail of the active segment is
// not corruption, and neither is old data after the end of the active
// segment's batches (a reused segment file: their offsets go backwards).
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "log/format.h"
#include "tools/cli.h"
#include "tools/segment_reader.h"

namespace runnel {
namespace cli {
namespace {

constexpr char kUsageText[] =
    "usage: runnel dump-log --files F.log[,F.index,F.timeindex,...]\n"
    "         [--print-data-log] [--deep-iteration] [--verify-index-only]\n";

struct Options {
  bool deep_iteration = false;
  bool print_data_log = false;
  bool verify_index_only = false;
};

// Everything found wrong, for the exit code and the final stderr line.
class Problems {
 public:
  void Add(absl::string_view path, absl::string_view what) {
    if (count_++ == 0) first_ = absl::StrCat(path, ": ", what);
  }
  bool empty() const { return count_ == 0; }
  std::string Summary() const {
    if (count_ == 1) return first_;
    return absl::StrCat(first_, " (and ", count_ - 1, " more problem",
                        count_ == 2 ? "" : "s", ")");
  }

 private:
  int count_ = 0;
  std::string first_;
};

absl::string_view FileName(absl::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == absl::string_view::npos ? path : path.substr(slash + 1);
}

void Print(absl::string_view line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
}

// ---------------------------------------------------------------------------
// .log
// ---------------------------------------------------------------------------

// Kafka's DefaultRecordBatch.incrementSequence: sequences wrap to 0 after
// INT32_MAX; a batch without sequences has -1 throughout.
int32_t IncrementSequence(int32_t sequence, int64_t increment) {
  if (sequence == format::kNoSequence) return format::kNoSequence;
  return static_cast<int32_t>((int64_t{sequence} + increment) %
                              (int64_t{INT32_MAX} + 1));
}

const char* TimestampTypeName(const BatchFields& f) {
  return f.log_append_time() ? "LogAppendTime" : "CreateTime";
}

std::string CodecName(int codec) {
  if (codec > format::kMaxCompressionCodec) {
    return absl::StrCat("unknown(", codec, ")");
  }
  return std::string(CompressionName(static_cast<Compression>(codec)));
}

// Kafka prints a java.util.OptionalLong.
std::string DeleteHorizon(const BatchFields& f) {
  return f.has_delete_horizon()
             ? absl::StrCat("OptionalLong[", f.base_timestamp, "]")
             : "OptionalLong.empty";
}

// DumpLogSegments.printBatchLevel, for magic 2.
void PrintBatch(const ScannedBatch& b, bool valid) {
  const BatchFields& f = b.fields;
  Print(absl::StrFormat(
      "baseOffset: %d lastOffset: %d count: %d baseSequence: %d "
      "lastSequence: %d producerId: %d producerEpoch: %d "
      "partitionLeaderEpoch: %d isTransactional: %s isControl: %s "
      "deleteHorizonMs: %s position: %d %s: %d size: %d magic: %d "
      "compresscodec: %s crc: %d isvalid: %s\n",
      f.base_offset, f.last_offset(), f.record_count, f.base_sequence,
      IncrementSequence(f.base_sequence, f.last_offset_delta), f.producer_id,
      f.producer_epoch, f.partition_leader_epoch,
      f.is_transactional() ? "true" : "false",
      f.is_control() ? "true" : "false", DeleteHorizon(f), b.position,
      TimestampTypeName(f), f.max_timestamp, f.size_bytes(),
      static_cast<int>(f.magic), CodecName(f.codec()), f.crc,
      valid ? "true" : "false"));
}

// Why a framed batch is not valid: its CRC, then what the decoder checks
// in the header. OK if it is valid.
absl::Status BatchProblem(const ScannedBatch& b) {
  if (!b.crc_ok()) {
    return absl::DataLossError(absl::StrFormat(
        "CRC mismatch in the batch at position %d (base offset %d): stored "
        "%d, computed %d",
        b.position, b.fields.base_offset, b.fields.crc, b.computed_crc));
  }
  absl::Status s = ReadBatchHeader(b.bytes).status();
  if (s.ok()) return s;
  return absl::DataLossError(
      absl::StrCat("batch at position ", b.position, ": ", s.message()));
}

// Record offsets that do not follow one another (Kafka reports them; in a
// compacted log they are expected).
struct OffsetGaps {
  int64_t last = -1;
  std::vector<std::pair<int64_t, int64_t>> pairs;

  void See(int64_t offset) {
    if (last != -1 && offset != last + 1) pairs.push_back({last, offset});
    last = offset;
  }
  void Print(absl::string_view path) const {
    if (pairs.empty()) return;
    cli::Print(absl::StrCat("Non-consecutive offsets in ", path, "\n"));
    for (const auto& [first, second] : pairs) {
      cli::Print(absl::StrCat("  ", first, " is followed by ", second, "\n"));
    }
  }
};

std::string ControlText(const RecordView& r) {
  absl::StatusOr<ControlRecord> c = ParseControlRecord(r);
  if (!c.ok()) {
    return absl::StrCat(" controlType: invalid (", c.status().message(), ")");
  }
  switch (c->type) {
    case ControlRecordType::kAbort:
    case ControlRecordType::kCommit:
      return absl::StrCat(
          " endTxnMarker: ",
          c->type == ControlRecordType::kAbort ? "ABORT" : "COMMIT",
          " coordinatorEpoch: ", c->coordinator_epoch);
    default:
      return absl::StrCat(" controlType: UNKNOWN(", c->type_id, ")");
  }
}

// The "| offset: ..." line of one record (DumpLogSegments.dumpLog).
std::string RecordLine(const BatchFields& f, const RecordView& r,
                       bool print_data) {
  std::vector<absl::string_view> header_keys;
  for (const RecordHeaderView& h : r.headers) header_keys.push_back(h.key);
  std::string line = absl::StrCat(
      "| offset: ", r.offset, " ", TimestampTypeName(f), ": ", r.timestamp,
      " keySize: ", r.key ? static_cast<int64_t>(r.key->size()) : -1,
      " valueSize: ", r.value ? static_cast<int64_t>(r.value->size()) : -1,
      " sequence: ",
      IncrementSequence(f.base_sequence, r.offset - f.base_offset),
      " headerKeys: [", absl::StrJoin(header_keys, ","), "]");
  if (f.is_control()) {
    absl::StrAppend(&line, ControlText(r));
  } else if (print_data) {
    if (r.key) absl::StrAppend(&line, " key: ", *r.key);
    if (r.value) absl::StrAppend(&line, " payload: ", *r.value);
  }
  absl::StrAppend(&line, "\n");
  return line;
}

// Prints every record of `b`. A record that cannot be read is printed as
// such and, if the batch looked valid, counted as a problem.
void PrintRecords(const ScannedBatch& b, bool batch_valid, const Options& o,
                  absl::string_view path, OffsetGaps* gaps,
                  Problems* problems) {
  DecodeOptions decode;
  decode.verify_crc = false;  // judged already; show what is there
  absl::StatusOr<RecordBatchView> view =
      RecordBatchView::Parse(b.bytes, decode);
  absl::Status status = view.status();
  if (view.ok()) {
    RecordIterator it(*view);
    RecordView r;
    while (it.Next(&r)) {
      gaps->See(r.offset);
      Print(RecordLine(b.fields, r, o.print_data_log));
    }
    status = it.status();
  }
  if (status.ok()) return;
  Print(absl::StrCat("| cannot read the records: ", status.message(), "\n"));
  if (batch_valid && !absl::IsUnimplemented(status)) {
    problems->Add(path, absl::StrCat("batch at position ", b.position, ": ",
                                     status.message()));
  }
}

// What ended the scan: nothing, the active segment's unused tail, or
// bytes that are not batches (Kafka's "Found N invalid bytes" line).
void ReportEnd(const SegmentReader& r, absl::string_view path,
               Problems* problems) {
  const bool active = !HasLaterSegment(path);
  const uint64_t rest = r.size() - r.position();
  switch (r.stop()) {
    case ScanStop::kEndOfFile:
      return;
    case ScanStop::kZeroTail:
      if (active) return;
      Print(absl::StrCat("Found ", rest, " invalid bytes at the end of ",
                         FileName(path), "\n"));
      problems->Add(path, absl::StrCat(r.why(),
                                       " in a segment that is not "
                                       "the last of its directory"));
      return;
    case ScanStop::kOffsetBelowExpected:
      if (!active) break;
      Print(absl::StrCat("Found ", rest, " bytes of old data at the end of ",
                         FileName(path), ": ", r.why(),
                         " (a reused segment file)\n"));
      return;
    default:
      break;
  }
  Print(absl::StrCat("Found ", rest, " invalid bytes at the end of ",
                     FileName(path), "\n"));
  problems->Add(path, r.why());
}

void DumpLog(const std::string& path, const Options& o, Problems* problems) {
  const int64_t base = BaseOffsetFromName(path);
  if (base >= 0) Print(absl::StrCat("Log starting offset: ", base, "\n"));
  absl::StatusOr<std::unique_ptr<SegmentReader>> reader =
      SegmentReader::Open(path, base);
  if (!reader.ok()) {
    problems->Add(path, reader.status().message());
    return;
  }
  OffsetGaps gaps;
  ScannedBatch batch;
  while ((*reader)->Next(&batch)) {
    const absl::Status problem = BatchProblem(batch);
    PrintBatch(batch, problem.ok());
    if (!problem.ok()) problems->Add(path, problem.message());
    if (o.deep_iteration) {
      PrintRecords(batch, problem.ok(), o, path, &gaps, problems);
    }
  }
  ReportEnd(**reader, path, problems);
  gaps.Print(path);
}

// ---------------------------------------------------------------------------
// .index and .timeindex
// ---------------------------------------------------------------------------

// A batch of the .log an index points into, as framed (valid or not).
struct LogBatch {
  int64_t position;
  int64_t last_offset;
  int64_t max_timestamp;
};

absl::StatusOr<std::vector<LogBatch>> LoadBatches(const std::string& log_path,
                                                  int64_t base_offset) {
  absl::StatusOr<std::unique_ptr<SegmentReader>> reader =
      SegmentReader::Open(log_path, base_offset);
  if (!reader.ok()) return reader.status();
  std::vector<LogBatch> batches;
  ScannedBatch b;
  while ((*reader)->Next(&b)) {
    batches.push_back({static_cast<int64_t>(b.position), b.fields.last_offset(),
                       b.fields.max_timestamp});
  }
  return batches;
}

// The base offset of an index file, or a problem saying why there is none.
bool IndexBase(const std::string& path, Problems* problems, int64_t* base) {
  *base = BaseOffsetFromName(path);
  if (*base >= 0) return true;
  problems->Add(path,
                "not a segment file name (<20-digit base offset>.<suffix>): "
                "its entries' base offset is unknown");
  return false;
}

// Reads an index file (before its .log: in a live directory every entry
// then points at a batch already in the .log we read).
bool LoadIndex(const std::string& path, Problems* problems,
               std::string* bytes) {
  absl::StatusOr<std::string> read =
      FileSystem::Default()->ReadFileToString(path);
  if (!read.ok()) {
    problems->Add(path, read.status().message());
    return false;
  }
  *bytes = *std::move(read);
  return true;
}

// The .log beside an index; if it cannot be read, says so (a problem only
// with --verify-index-only, whose whole job is the check).
bool LoadLogFor(const std::string& path, int64_t base, const Options& o,
                Problems* problems, std::vector<LogBatch>* batches) {
  const std::string log_path = SiblingPath(path, format::kLogFileSuffix);
  absl::StatusOr<std::vector<LogBatch>> loaded = LoadBatches(log_path, base);
  if (loaded.ok()) {
    *batches = *std::move(loaded);
    return true;
  }
  Print(absl::StrCat(
      "Not verified against the log: ", loaded.status().message(), "\n"));
  if (o.verify_index_only) {
    problems->Add(path,
                  absl::StrCat("cannot verify: ", loaded.status().message()));
  }
  return false;
}

struct IndexEntry {
  int64_t offset;
  int64_t value;  // position (.index) or timestamp (.timeindex)
};

void DumpOffsetIndex(const std::string& path, const Options& o,
                     Problems* problems) {
  int64_t base;
  std::string bytes;
  if (!IndexBase(path, problems, &base) || !LoadIndex(path, problems, &bytes)) {
    return;
  }
  std::vector<IndexEntry> entries;
  for (const format::OffsetIndexEntry& e : format::DecodeOffsetIndex(bytes)) {
    entries.push_back({base + e.relative_offset, e.position});
  }
  if (entries.empty()) {
    Print(absl::StrCat(path, " is empty.\n"));
    return;
  }
  std::vector<LogBatch> batches;
  const bool verify = LoadLogFor(path, base, o, problems, &batches);
  std::vector<std::string> mismatches;
  std::string first;
  for (const IndexEntry& e : entries) {
    if (!o.verify_index_only) {
      Print(absl::StrCat("offset: ", e.offset, " position: ", e.value, "\n"));
    }
    if (!verify) continue;
    auto b = std::lower_bound(
        batches.begin(), batches.end(), e.value,
        [](const LogBatch& x, int64_t pos) { return x.position < pos; });
    const bool boundary = b != batches.end() && b->position == e.value;
    if (boundary && b->last_offset == e.offset) continue;
    mismatches.push_back(absl::StrCat(
        "  Index offset: ", e.offset,
        ", log offset: ", boundary ? b->last_offset : -1,
        boundary ? ""
                 : absl::StrCat(" (no batch starts at position ", e.value, ")"),
        "\n"));
    if (first.empty()) {
      first = absl::StrCat(
          "offset ", e.offset, " at position ", e.value, ": ",
          boundary
              ? absl::StrCat("the batch there ends at offset ", b->last_offset)
              : std::string("no batch starts there"));
    }
  }
  if (mismatches.empty()) return;
  Print(absl::StrCat("Mismatches in :", path, "\n",
                     absl::StrJoin(mismatches, "")));
  problems->Add(path, absl::StrCat(mismatches.size(),
                                   mismatches.size() == 1 ? " index entry does"
                                                          : " index entries do",
                                   " not match the log (first: ", first, ")"));
}

// TimeIndexDumpErrors: what DumpLogSegments checks of a .timeindex.
struct TimeIndexErrors {
  std::vector<std::string> mismatch, out_of_order, not_found;
  std::string first;

  void Note(std::vector<std::string>* list, std::string line,
            std::string what) {
    list->push_back(std::move(line));
    if (first.empty()) first = std::move(what);
  }
  size_t count() const {
    return mismatch.size() + out_of_order.size() + not_found.size();
  }
  void Print(absl::string_view path) const {
    if (!mismatch.empty()) {
      cli::Print(absl::StrCat("Found timestamp mismatch in :", path, "\n",
                              absl::StrJoin(mismatch, "")));
    }
    if (!out_of_order.empty()) {
      cli::Print(absl::StrCat("Found out of order timestamp in :", path, "\n",
                              absl::StrJoin(out_of_order, "")));
    }
    if (!not_found.empty()) {
      cli::Print(absl::StrCat(
          "The following indexed offsets are not found in the log.\n",
          absl::StrJoin(not_found, "")));
    }
  }
};

void CheckTimeEntry(const IndexEntry& e, int64_t prev_timestamp,
                    const std::vector<LogBatch>& batches,
                    TimeIndexErrors* errors) {
  auto b = std::lower_bound(
      batches.begin(), batches.end(), e.offset,
      [](const LogBatch& x, int64_t offset) { return x.last_offset < offset; });
  const std::string entry =
      absl::StrCat("timestamp ", e.value, " offset ", e.offset);
  if (b == batches.end() || b->last_offset != e.offset) {
    const int64_t found = b == batches.end() ? -1 : b->last_offset;
    errors->Note(&errors->not_found,
                 absl::StrCat("Indexed offset: ", e.offset,
                              ", found log offset: ", found, "\n"),
                 absl::StrCat(entry, ": no batch ends at that offset"));
    return;
  }
  if (b->max_timestamp != e.value) {
    errors->Note(&errors->mismatch,
                 absl::StrCat("  Index timestamp: ", e.value,
                              ", log timestamp: ", b->max_timestamp, "\n"),
                 absl::StrCat(entry, ": the batch's max timestamp is ",
                              b->max_timestamp));
  }
  if (prev_timestamp >= e.value) {
    errors->Note(
        &errors->out_of_order,
        absl::StrCat("  Index timestamp: ", e.value,
                     ", Previously indexed timestamp: ", prev_timestamp, "\n"),
        absl::StrCat(entry, ": not after the previous entry's ",
                     prev_timestamp));
  }
}

void DumpTimeIndex(const std::string& path, const Options& o,
                   Problems* problems) {
  int64_t base;
  std::string bytes;
  if (!IndexBase(path, problems, &base) || !LoadIndex(path, problems, &bytes)) {
    return;
  }
  std::vector<IndexEntry> entries;
  for (const format::TimeIndexEntry& e : format::DecodeTimeIndex(bytes)) {
    entries.push_back({base + e.relative_offset, e.timestamp});
  }
  if (entries.empty()) {
    Print(absl::StrCat(path, " is empty.\n"));
    return;
  }
  std::vector<LogBatch> batches;
  const bool verify = LoadLogFor(path, base, o, problems, &batches);
  TimeIndexErrors errors;
  int64_t prev_timestamp = format::kNoTimestamp;
  for (const IndexEntry& e : entries) {
    if (verify) CheckTimeEntry(e, prev_timestamp, batches, &errors);
    if (!o.verify_index_only) {
      Print(absl::StrCat("timestamp: ", e.value, " offset: ", e.offset, "\n"));
    }
    prev_timestamp = e.value;
  }
  if (errors.count() == 0) return;
  errors.Print(path);
  problems->Add(path,
                absl::StrCat(errors.count(),
                             errors.count() == 1 ? " time index entry does"
                                                 : " time index entries do",
                             " not match the log (first: ", errors.first, ")"));
}

}  // namespace

int DumpLogCommand() {
  std::vector<std::string> files =
      absl::StrSplit(absl::GetFlag(FLAGS_files), ',', absl::SkipEmpty());
  if (files.empty())
    return Usage("dump-log", "--files is required", kUsageText);
  Options o;
  o.print_data_log = absl::GetFlag(FLAGS_print_data_log);
  o.deep_iteration = absl::GetFlag(FLAGS_deep_iteration) || o.print_data_log;
  o.verify_index_only = absl::GetFlag(FLAGS_verify_index_only);
  Problems problems;
  for (const std::string& path : files) {
    Print(absl::StrCat("Dumping ", path, "\n"));
    const absl::string_view name = FileName(path);
    const size_t dot = name.rfind('.');
    const absl::string_view suffix =
        dot == absl::string_view::npos ? "" : name.substr(dot);
    if (suffix == format::kLogFileSuffix) {
      DumpLog(path, o, &problems);
    } else if (suffix == format::kIndexFileSuffix) {
      DumpOffsetIndex(path, o, &problems);
    } else if (suffix == format::kTimeIndexFileSuffix) {
      DumpTimeIndex(path, o, &problems);
    } else {
      std::fflush(stdout);
      std::fprintf(stderr, "Ignoring unknown file %s\n", path.c_str());
    }
  }
  std::fflush(stdout);
  if (!problems.empty()) {
    return Fail("dump-log", absl::DataLossError(problems.Summary()));
  }
  return kOk;
}

}  // namespace cli
}  // namespace runnel
