// What log_bench.cc's runnel::Log cases need besides the Log itself: a file
// system that puts the machine in a known state before the measured loop,
// a sequential reader over a Log, and the file surgery that makes a segment
// unclean again between recovery runs.
//
//   runnel::bench::BenchFileSystemOptions o;
//   o.prefault = true;  // the Log's mappings arrive already write-faulted
//   runnel::bench::BenchFileSystem fs(runnel::FileSystem::Default(), o);
//   runnel::LogOptions options;
//   options.file_system = &fs;
//   options.preallocate_bytes = size_t{256} << 20;  // all reserved at Open
//   auto log = runnel::Log::Open(dir, options);     // faults taken here
//   ... (*log)->Append(batch) ...                   // none taken here
//
// BenchFileSystem exists because log/ has no way to pre-fault: its active
// segment's pages are write-faulted by the memcpy of Append itself. To show
// what the append path costs apart from those faults (what the Log would
// reach if it reserved and pre-faulted ahead), `prefault` writes every page
// of each read-write mapping once, when it is mapped (MapGrowable) or grown
// (Grow), rewriting each touched byte with its own value (contents
// unchanged): exactly what RawMappedAppend/prefaulted does after its
// fallocate, and what the Log itself could do with MADV_POPULATE_WRITE. With
// a preallocate_bytes that covers the run, all of it happens inside
// Log::Open, before the measured loop.
//
// `skip_sync` makes File::Sync, MappedRegion::Sync and SyncDir no-ops: only
// for building fixtures fast (nothing it writes is durable).
//
// Thread-safety: BenchFileSystem is thread-safe like the FileSystem it wraps;
// the page touching in MapGrowable/Grow assumes no other thread writes the
// new pages meanwhile (true for the Log: only its appender grows them). The
// free functions are thread-safe.
//
// Lifetimes: the wrapped FileSystem must outlive the BenchFileSystem, which
// must outlive every File and MappedRegion it returns.
#ifndef RUNNEL_BENCHMARKS_LOG_BENCH_RUNNEL_H_
#define RUNNEL_BENCHMARKS_LOG_BENCH_RUNNEL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "benchmarks/log_bench_peers.h"
#include "runnel/file_system.h"
#include "runnel/log.h"

namespace runnel {
namespace bench {

struct BenchFileSystemOptions {
  bool prefault = false;   // see the banner
  bool skip_sync = false;  // fixtures only: syncs do nothing
};

// Forwards everything to `base`, with the changes the options ask for.
class BenchFileSystem final : public FileSystem {
 public:
  BenchFileSystem(FileSystem* base, BenchFileSystemOptions options)
      : base_(base), options_(options) {}

  absl::StatusOr<std::unique_ptr<File>> OpenFile(
      absl::string_view path, const OpenOptions& options) override;
  absl::Status RemoveFile(absl::string_view path) override;
  absl::Status Rename(absl::string_view from, absl::string_view to) override;
  absl::StatusOr<bool> FileExists(absl::string_view path) override;
  absl::StatusOr<bool> IsDirectory(absl::string_view path) override;
  absl::StatusOr<uint64_t> GetFileSize(absl::string_view path) override;
  absl::Status CreateDir(absl::string_view path) override;
  absl::Status RemoveDir(absl::string_view path) override;
  absl::StatusOr<std::vector<std::string>> ListDir(
      absl::string_view dir) override;
  absl::Status SyncDir(absl::string_view dir) override;
  absl::StatusOr<std::unique_ptr<DirLock>> LockDir(
      absl::string_view dir) override;

  const BenchFileSystemOptions& options() const { return options_; }

 private:
  FileSystem* const base_;
  const BenchFileSystemOptions options_;
};

// Reads the whole log once, in order: Log::Read(offset, max_bytes) from the
// log start to the log end offset, each call continuing after the last batch
// of the previous one. Log::Read checks every batch it returns (header and
// CRC32C); this adds no second check. Returns batches and records seen,
// their bytes (valid_bytes) and the sum of their stored CRCs (crc_sum).
// DataLoss if offsets do not follow on, plus Read's own errors.
absl::StatusOr<ScanResult> ReadWholeLog(Log& log, size_t max_bytes);

// Makes `path` (a segment recovered to `valid_bytes`) unclean again, as
// WriteBatchFile(..., unclean_tail=true) left it: the first half of `batch`
// (with base offset `next_offset`) at valid_bytes, then zeros up to
// `file_bytes` (allocated), fdatasync'd. InvalidArgument if that does not
// fit.
absl::Status RestoreUncleanTail(const std::string& path,
                                absl::string_view batch, size_t valid_bytes,
                                int64_t next_offset, size_t file_bytes);

// Removes every entry of directory `dir` but `keep` (files only;
// subdirectories are an error).
absl::Status RemoveAllBut(const std::string& dir, absl::string_view keep);

// Evicts `path` from the page cache (POSIX_FADV_DONTNEED; it must have been
// synced for that to work).
absl::Status DropFileCache(const std::string& path);

// One uncompressed batch of the first `records` values (null keys, base
// offset 0), like Workload::batch but smaller. InvalidArgument if records
// is 0 or more than there are values.
absl::StatusOr<std::string> SmallBatch(const Workload& workload, int records);

}  // namespace bench
}  // namespace runnel

#endif  // RUNNEL_BENCHMARKS_LOG_BENCH_RUNNEL_H_
