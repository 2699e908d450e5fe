// The stores Runnel is compared with (LMDB, RocksDB, LevelDB, SQLite), each
// behind one small adapter doing the same logical work as Runnel's log:
// append records in transactions of 1,000, make them durable every N
// records when asked, and read them all back in order.
//
//   absl::StatusOr<std::unique_ptr<runnel::bench::Peer>> peer =
//       runnel::bench::OpenPeer("sqlite", dir + "/sqlite", PeerOptions());
//   if (absl::IsUnavailable(peer.status())) { ... not in this build ... }
//   (*peer)->Append(values, Commit::kNoSync);  // one transaction
//   (*peer)->Append(values, Commit::kSync);     // and fsync'd, with all before
//   absl::StatusOr<PeerReadResult> all = (*peer)->ReadAll();
//
// Records: key = the record's sequence number (0, 1, 2, ...; 8 bytes
// big-endian where the store takes byte keys, the INTEGER PRIMARY KEY in
// SQLite), value = the caller's bytes.
//
// Equal durability (what a commit guarantees when Append returns), against
// Runnel's log (no sync: the bytes are in the page cache, a process crash
// loses nothing, a machine crash may; Sync: on stable storage):
//   Commit::kNoSync  every peer hands the transaction to the OS and does not
//                    fsync: LMDB MDB_NOSYNC; RocksDB and LevelDB WAL/log on,
//                    WriteOptions.sync = false; SQLite journal_mode=WAL,
//                    synchronous=OFF.
//   Commit::kSync    this transaction and every earlier one are fsync'd
//                    before Append returns: LMDB commit + mdb_env_sync(1);
//                    RocksDB and LevelDB WriteOptions.sync = true (the WAL /
//                    log is synced); SQLite synchronous=FULL for this commit
//                    (the WAL file is synced).
// Reads check what the store can check: RocksDB and LevelDB verify block
// checksums (verify_checksums = true); LMDB and SQLite keep no checksums, so
// they do less work than Runnel's CRC32C-checked read.
//
// Thread-safety: a Peer is used by one thread at a time. OpenPeer and the
// free functions are thread-safe.
//
// Lifetimes: a Peer owns its directory and removes it (and everything in
// it) when destroyed.
#ifndef RUNNEL_BENCHMARKS_PEERS_PEER_H_
#define RUNNEL_BENCHMARKS_PEERS_PEER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace runnel {
namespace bench {

// What Append guarantees when it returns (see the banner).
enum class Commit { kNoSync, kSync };

struct PeerOptions {
  // LMDB's map size (the largest the store may grow to).
  size_t lmdb_map_size = size_t{1} << 30;
  // LMDB: add MDB_WRITEMAP to MDB_NOSYNC.
  bool lmdb_write_map = false;
};

// What one pass over the store saw.
struct PeerReadResult {
  int64_t records = 0;
  // Key + value bytes (keys count 8 bytes each, also in SQLite).
  uint64_t bytes = 0;
  // The sum of ValueChecksum over the values read.
  uint64_t checksum = 0;
};

// A value's contribution to a read checksum: its size plus its first byte.
// Cheap, order-free, and it touches the value's memory (so a read that
// skips the value shows). Runnel's consumer cases compute the same sum.
inline uint64_t ValueChecksum(absl::string_view value) {
  return value.size() +
         (value.empty() ? 0 : static_cast<unsigned char>(value.front()));
}

class Peer {
 public:
  virtual ~Peer() = default;

  // "LMDB 0.9.24", "SQLite 3.40.1", ...: the library's own version.
  virtual std::string version() const = 0;

  // Stores `values` under the next sequence numbers in one transaction
  // (write batch) with the durability of `commit`. On error nothing of this
  // call is stored and records() is unchanged.
  virtual absl::Status Append(absl::Span<const std::string> values,
                              Commit commit) = 0;

  // Moves what is buffered in memory to the store's files and waits
  // (RocksDB: memtable flush). Default: nothing to do.
  virtual absl::Status Flush() { return absl::OkStatus(); }

  // One pass over every record in key order, summing sizes and
  // ValueChecksum. DataLoss if a key is not the next sequence number or the
  // store reports corruption.
  virtual absl::StatusOr<PeerReadResult> ReadAll() = 0;

  // Records appended so far.
  int64_t records() const { return records_; }

 protected:
  int64_t records_ = 0;
};

// "lmdb", "rocksdb", "leveldb", "sqlite".
std::vector<std::string> PeerNames();

// Creates directory `dir` (must not exist: AlreadyExists) and a new, empty
// store of peer `name` in it. Unavailable if this build has no such peer
// (its Debian -dev package was missing at build time); NotFound for an
// unknown name.
absl::StatusOr<std::unique_ptr<Peer>> OpenPeer(absl::string_view name,
                                               const std::string& dir,
                                               const PeerOptions& options);

namespace peer_internal {

// mkdir(dir, 0755), errno as a Status.
absl::Status MakeStoreDir(const std::string& dir);

// 8-byte big-endian `seq`, and its inverse (false if `key` is not 8 bytes).
void StoreKey(int64_t seq, char out[8]);
bool LoadKey(absl::string_view key, int64_t* seq);

// "<store> <dir>: key #<want> is not the next sequence number" (DataLoss).
absl::Status OutOfSequence(absl::string_view store, absl::string_view dir,
                           int64_t want);

}  // namespace peer_internal
}  // namespace bench
}  // namespace runnel

#endif  // RUNNEL_BENCHMARKS_PEERS_PEER_H_
