// The RocksDB peer (peer.h): RocksDB 7.8's fillseq and readseq as db_bench
// runs them, with the library's defaults: rocksdb::Options() +
// create_if_missing + error_if_exists (64 MiB memtable, Snappy, level
// compaction, 2 background jobs, 8 MiB block cache). One WriteBatch per
// Append; WriteOptions() defaults (WAL on), sync = true for Commit::kSync.
// Flush flushes the memtable and waits. ReadAll is one iterator from
// SeekToFirst to the end with ReadOptions() defaults (verify_checksums on).
//
//   absl::StatusOr<std::unique_ptr<runnel::bench::Peer>> rocks =
//       runnel::bench::OpenRocksDb(dir);
//
// Thread-safety and lifetimes: as Peer.
#ifndef RUNNEL_BENCHMARKS_PEERS_ROCKSDB_H_
#define RUNNEL_BENCHMARKS_PEERS_ROCKSDB_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "benchmarks/peers/peer.h"

namespace runnel {
namespace bench {

absl::StatusOr<std::unique_ptr<Peer>> OpenRocksDb(const std::string& dir);

}  // namespace bench
}  // namespace runnel

#endif  // RUNNEL_BENCHMARKS_PEERS_ROCKSDB_H_
