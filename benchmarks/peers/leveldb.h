// The LevelDB peer (peer.h): LevelDB 1.23 with its defaults —
// leveldb::Options() + create_if_missing + error_if_exists (4 MiB write
// buffer, Snappy, 8 MiB block cache). One WriteBatch per Append, log on,
// WriteOptions.sync = true for Commit::kSync. LevelDB has no flush call:
// Flush does nothing, so reads see the memtable plus the tables written so
// far. ReadAll is one iterator from SeekToFirst to the end with
// verify_checksums = true (Runnel's reads check CRC32C; LevelDB's default
// would not check).
//
// Without libleveldb-dev at build time OpenLevelDb returns Unavailable.
//
//   absl::StatusOr<std::unique_ptr<runnel::bench::Peer>> level =
//       runnel::bench::OpenLevelDb(dir);
//
// Thread-safety and lifetimes: as Peer.
#ifndef RUNNEL_BENCHMARKS_PEERS_LEVELDB_H_
#define RUNNEL_BENCHMARKS_PEERS_LEVELDB_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "benchmarks/peers/peer.h"

namespace runnel {
namespace bench {

absl::StatusOr<std::unique_ptr<Peer>> OpenLevelDb(const std::string& dir);

}  // namespace bench
}  // namespace runnel

#endif  // RUNNEL_BENCHMARKS_PEERS_LEVELDB_H_
