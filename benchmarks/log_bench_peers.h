// Peers and machine limits for Runnel's log benchmarks (log_bench.cc): the
// loops and stores that runnel::Log's append, read and recovery speeds are
// measured against, in the same binary, on the same workload.
//
// The workload is the acceptance text's: records with a null key and a
// 100-byte value (random 'A'..'Z', like kafka-producer-perf-test), appended
// in batches of 1,000. RUNNEL_BENCH_VALUE_BYTES changes the value size (the
// report runs 100 and 1024). Runnel and the raw loops store those as one Kafka
// RecordBatch v2 (uncompressed, about 108 KB); LMDB and RocksDB store 1,000
// key/value pairs (8-byte big-endian sequential key, the same 100-byte value).
//
//   absl::StatusOr<runnel::bench::Workload> w = runnel::bench::MakeWorkload();
//   absl::StatusOr<std::unique_ptr<runnel::bench::BenchDir>> dir =
//       runnel::bench::BenchDir::Create();
//   auto raw = runnel::bench::RawMappedAppend::Create(
//       (*dir)->File("raw.log"), size_t{256} << 20,
//       runnel::bench::PageState::kPrefaulted);
//   for (auto _ : state) {
//     absl::Status s = (*raw)->Append(w->batch);  // memcpy + CRC32C
//     ...
//   }
//
// What each limit does, exactly (the numbers mean nothing without this):
//   RawMappedAppend   memcpy of the pre-encoded batch to the tail of a
//                     MAP_SHARED mapping of a fallocate'd file, then the base
//                     offset stored and CRC32C computed over the copy and
//                     stored. No syscall per batch.
//   RawWriteFdatasync write() of the batch at the tail of a file; fdatasync
//                     after every records_per_sync records. No CRC.
//   ScanBatches /     batch by batch: length at byte 8, CRC32C of bytes
//   RawReadCrc        [21, 12 + length) against the one stored at byte 17.
//                     Stops at the first short, impossible or corrupt batch.
//   LmdbAppend        one write txn per batch, mdb_put(MDB_APPEND) per record,
//                     env flags MDB_NOSYNC (and MDB_WRITEMAP if asked).
//   RocksDbStore      rocksdb::Options() defaults + create_if_missing (so:
//                     64 MiB memtable, Snappy, level compaction, 2 background
//                     jobs, 8 MiB block cache); WriteOptions() defaults (WAL
//                     on, sync=false), one WriteBatch per 1,000 records.
//                     ReadSeq = one iterator, SeekToFirst .. !Valid(),
//                     ReadOptions() defaults.
//
// Errors: absl::Status naming the operation and path, with strerror (or the
// peer's own message). Nothing aborts.
//
// Thread safety: none of the classes is thread-safe (one thread at a time);
// the free functions are.
//
// Lifetimes: every class owns its files and removes them when destroyed;
// BenchDir removes its whole tree. Create a BenchDir first and destroy it
// last.
#ifndef RUNNEL_BENCHMARKS_LOG_BENCH_PEERS_H_
#define RUNNEL_BENCHMARKS_LOG_BENCH_PEERS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "benchmarks/peers/lmdb.h"
#include "benchmarks/peers/peer.h"

namespace runnel {
namespace bench {

inline constexpr int kRecordsPerBatch = 1000;
// The default value size (RUNNEL_BENCH_VALUE_BYTES overrides it).
inline constexpr size_t kValueBytes = 100;
// The largest RUNNEL_BENCH_VALUE_BYTES: a 1,000-record batch of it must fit
// in Kafka's default max.message.bytes (1048588).
inline constexpr size_t kMaxValueBytes = 1024;
inline constexpr int kRecordsPerSync = 10000;

// --- The workload. ---

struct Workload {
  // kRecordsPerBatch values of WorkloadValueBytes() random 'A'..'Z' (fixed
  // seed).
  std::vector<std::string> values;
  // Those values as one uncompressed RecordBatch v2: null keys, timestamps
  // 1700000000000 + i, base offset 0.
  std::string batch;

  size_t value_bytes() const { return values.front().size(); }
  // The sum of ValueChecksum (peers/peer.h) over `values`: what a reader of
  // one batch's records must find.
  uint64_t ValuesChecksum() const;
};
// InvalidArgument if RUNNEL_BENCH_VALUE_BYTES is malformed or not in
// [1, kMaxValueBytes].
absl::StatusOr<Workload> MakeWorkload();

// The value size MakeWorkload uses: RUNNEL_BENCH_VALUE_BYTES, else (unset,
// or malformed: MakeWorkload reports that) kValueBytes. For the cases'
// bytes_per_second.
size_t WorkloadValueBytes();

// Reads a size from environment variable `name`: plain bytes or a number
// with a K/M/G suffix (binary units: "256M", "1G"). Unset or empty gives
// `default_bytes`; anything else malformed gives InvalidArgument.
absl::StatusOr<size_t> BytesFromEnv(const char* name, size_t default_bytes);

// The same syntax for a count ("10000", "10K" = 10,240).
absl::StatusOr<int64_t> CountFromEnv(const char* name, int64_t default_count);

// Timed passes of the read cases: RUNNEL_BENCH_READ_PASSES, else (unset or
// malformed: cases register before they could report it) `default_passes`.
// The iteration count in each case's name shows what was used.
int ReadPasses(int default_passes);

// A fresh temporary directory for bench files, under $RUNNEL_BENCH_DIR, else
// $TEST_TMPDIR, else /tmp. Destroying it removes the directory and
// everything in it (best effort: errors are ignored).
class BenchDir {
 public:
  static absl::StatusOr<std::unique_ptr<BenchDir>> Create();
  ~BenchDir();

  BenchDir(const BenchDir&) = delete;
  BenchDir& operator=(const BenchDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string File(absl::string_view name) const;

 private:
  explicit BenchDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// How warm the memory behind a file is when the measured loop starts. The
// machine is a VM where first-touch page faults alone cost 0.1-2.5 s per GiB,
// so each limit is measured in more than one state.
enum class PageState {
  // Appends: every page of the mapping (or file) already written once.
  // Reads: a mapping of the whole file, kept, every page touched.
  kPrefaulted,
  // Appends: a new file; pages are faulted in (mapping) or allocated (write)
  // by the measured loop. Reads: each scan maps the file anew (page-cache
  // hits, minor faults measured).
  kFresh,
  // Reads only: as kFresh, after RawReadCrc::DropCache evicted the file
  // from the page cache (so the scan reads the disk).
  kCold,
};
// "prefaulted", "fresh", "cold".
absl::string_view PageStateName(PageState state);

// --- Append limits. ---

// The append limit without I/O: batches copied into a writable mapping.
class RawMappedAppend {
 public:
  // Creates `path` (must not exist), fallocates `capacity` bytes and maps
  // them MAP_SHARED read-write. kPrefaulted writes one byte per page before
  // returning; kFresh leaves every fault to Append. kCold is
  // InvalidArgument.
  static absl::StatusOr<std::unique_ptr<RawMappedAppend>> Create(
      const std::string& path, size_t capacity, PageState state);
  ~RawMappedAppend();  // unmaps, closes and removes the file

  RawMappedAppend(const RawMappedAppend&) = delete;
  RawMappedAppend& operator=(const RawMappedAppend&) = delete;

  // memcpy's `batch` (one encoded RecordBatch v2) to the tail, stores the
  // next offset as its base offset, computes CRC32C over the copy's bytes
  // [21, end) and stores it at byte 17. InvalidArgument if `batch` is shorter
  // than a batch header, ResourceExhausted if it does not fit.
  absl::Status Append(absl::string_view batch);
  // Starts again at byte 0 of the same (still faulted) mapping.
  void Rewind();

  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  int64_t next_offset() const { return next_offset_; }
  // The bytes appended so far.
  absl::string_view contents() const { return {base_, size_}; }

 private:
  RawMappedAppend(std::string path, int fd, char* base, size_t capacity)
      : path_(std::move(path)), fd_(fd), base_(base), capacity_(capacity) {}

  std::string path_;
  int fd_;
  char* base_;
  size_t capacity_;
  size_t size_ = 0;
  int64_t next_offset_ = 0;
};

// The durable-append limit: write() + fdatasync.
class RawWriteFdatasync {
 public:
  // Creates `path` (must not exist). kPrefaulted first writes `capacity`
  // zero bytes and fdatasyncs them, so appends overwrite allocated,
  // cached blocks and each fdatasync flushes data only; kFresh leaves the
  // file empty, so appends extend it and each fdatasync also commits the
  // new size. kCold is InvalidArgument. records_per_sync must be > 0.
  static absl::StatusOr<std::unique_ptr<RawWriteFdatasync>> Create(
      const std::string& path, size_t capacity, PageState state,
      int records_per_sync = kRecordsPerSync);
  ~RawWriteFdatasync();  // closes and removes the file (no final sync)

  RawWriteFdatasync(const RawWriteFdatasync&) = delete;
  RawWriteFdatasync& operator=(const RawWriteFdatasync&) = delete;

  // pwrite()s `batch` at the tail (retrying short writes and EINTR); once
  // records_per_sync records (the record count at byte 57 of each batch)
  // have been written since the last sync, fdatasync. ResourceExhausted
  // past `capacity`.
  absl::Status Append(absl::string_view batch);
  // fdatasync now (if anything was written since the last one).
  absl::Status Sync();

  size_t size() const { return size_; }
  int64_t syncs() const { return syncs_; }

 private:
  RawWriteFdatasync(std::string path, int fd, size_t capacity,
                    int records_per_sync)
      : path_(std::move(path)),
        fd_(fd),
        capacity_(capacity),
        records_per_sync_(records_per_sync) {}

  std::string path_;
  int fd_;
  size_t capacity_;
  int records_per_sync_;
  size_t size_ = 0;
  int64_t unsynced_records_ = 0;
  bool dirty_ = false;  // written since the last fdatasync
  int64_t syncs_ = 0;
};

// --- Read and recovery limits. ---

struct ScanResult {
  int64_t batches = 0;
  int64_t records = 0;
  // Bytes from the start to the end of the last good batch (or, for
  // RocksDbStore::ReadSeq, key + value bytes read).
  size_t valid_bytes = 0;
  // The sum of the CRC32C stored in each good batch (0 for ReadSeq). Copies
  // of one batch store the same CRC (the base offset is outside it), so a
  // reader of n copies must find n times that CRC: a cheap check that what
  // was read is the batch written, on top of the CRC check itself.
  uint64_t crc_sum = 0;
};

// The CRC32C stored in an encoded batch (bytes 17..20); 0 if too short.
uint32_t StoredCrc(absl::string_view batch);

// Walks `bytes` batch by batch (see the banner) and returns what was valid.
// Never fails: a short, impossible or corrupt batch just ends the scan.
ScanResult ScanBatches(absl::string_view bytes);

// Writes a log file of copies of `batch` with consecutive base offsets,
// as many as fit in `file_bytes`, fdatasyncs it and returns what a scan
// must find. With `unclean_tail`, the file instead ends like a segment after
// a crash: the last batch is torn (only its first half written) and zeros
// pad the file to exactly `file_bytes` (a preallocated segment).
// InvalidArgument if not even one batch (plus the torn one) fits.
absl::StatusOr<ScanResult> WriteBatchFile(const std::string& path,
                                          absl::string_view batch,
                                          size_t file_bytes, bool unclean_tail);

// read + CRC32C over a mapped file of batches.
class RawReadCrc {
 public:
  // Opens `path` read-only. kPrefaulted maps it now (MAP_POPULATE) and reads
  // one byte per page; kFresh and kCold map it in every Scan.
  static absl::StatusOr<std::unique_ptr<RawReadCrc>> Create(
      const std::string& path, PageState state);
  ~RawReadCrc();  // unmaps and closes; the file stays

  RawReadCrc(const RawReadCrc&) = delete;
  RawReadCrc& operator=(const RawReadCrc&) = delete;

  // One full pass: ScanBatches over the file (kFresh/kCold: mmap with
  // MADV_SEQUENTIAL, scan, munmap, all measured).
  absl::StatusOr<ScanResult> Scan();
  // Evicts the file's pages from the page cache (posix_fadvise
  // POSIX_FADV_DONTNEED; the file must have been synced). For kCold, with
  // timing paused. Not useful with kPrefaulted (mapped pages stay).
  absl::Status DropCache();

  size_t file_size() const { return file_size_; }

 private:
  RawReadCrc(std::string path, int fd, size_t file_size, PageState state)
      : path_(std::move(path)), fd_(fd), file_size_(file_size), state_(state) {}

  std::string path_;
  int fd_;
  size_t file_size_;
  PageState state_;
  char* kept_ = nullptr;  // kPrefaulted's mapping
};

// --- Peers. ---
//
// LmdbAppend and RocksDbStore are the log_bench-era names of two adapters
// in peers/ (peers/lmdb.h, peers/rocksdb.h, where the code lives); new cases
// use peers/peer.h directly.

struct LmdbOptions {
  bool write_map = false;  // add MDB_WRITEMAP to MDB_NOSYNC
  size_t map_size = size_t{1} << 30;
};

// LMDB's append path: MDB_APPEND with sequential big-endian keys.
class LmdbAppend {
 public:
  // Creates directory `dir` (must not exist) and an environment in it
  // (MDB_NOSYNC [| MDB_WRITEMAP], max 1 reader), and opens the unnamed DB.
  static absl::StatusOr<std::unique_ptr<LmdbAppend>> Create(
      const std::string& dir, const LmdbOptions& options);
  ~LmdbAppend();  // closes the environment, removes its files and `dir`

  LmdbAppend(const LmdbAppend&) = delete;
  LmdbAppend& operator=(const LmdbAppend&) = delete;

  // One write transaction: mdb_put(MDB_APPEND) of each value under the next
  // keys, then commit. On error the transaction is aborted.
  absl::Status AppendBatch(absl::Span<const std::string> values);
  // Entries in the DB, from mdb_stat.
  absl::StatusOr<int64_t> CountRecords();

  int64_t records() const;

 private:
  explicit LmdbAppend(std::unique_ptr<LmdbPeer> peer);
  std::unique_ptr<LmdbPeer> peer_;
};

// RocksDB's fillseq and readseq.
class RocksDbStore {
 public:
  // Opens a new DB in `dir` (must not exist) with the options in the banner.
  static absl::StatusOr<std::unique_ptr<RocksDbStore>> Create(
      const std::string& dir);
  ~RocksDbStore();  // closes the DB and removes `dir`

  RocksDbStore(const RocksDbStore&) = delete;
  RocksDbStore& operator=(const RocksDbStore&) = delete;

  // One WriteBatch: Put of each value under the next keys, then Write.
  absl::Status AppendBatch(absl::Span<const std::string> values);
  // Flushes the memtable to an SST file and waits for it.
  absl::Status Flush();
  // One iterator pass over the whole DB; records = keys seen, valid_bytes =
  // key + value bytes. DataLoss if a key is out of sequence.
  absl::StatusOr<ScanResult> ReadSeq();

  int64_t records() const;

 private:
  explicit RocksDbStore(std::unique_ptr<Peer> peer);
  std::unique_ptr<Peer> peer_;
};

}  // namespace bench
}  // namespace runnel

#endif  // RUNNEL_BENCHMARKS_LOG_BENCH_PEERS_H_
