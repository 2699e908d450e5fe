// The SQLite peer (peer.h): one rowid table
//   CREATE TABLE log(k INTEGER PRIMARY KEY, v BLOB NOT NULL)
// in <dir>/log.sqlite, journal_mode=WAL, synchronous=OFF, other settings
// SQLite's defaults (4 KiB pages, automatic checkpoint every 1,000 WAL
// pages). One transaction per Append (BEGIN; a prepared INSERT per record;
// COMMIT); Commit::kSync commits with synchronous=FULL (the WAL is fsync'd
// at the commit). ReadAll is one `SELECT k, v FROM log ORDER BY k` (a rowid
// scan); SQLite keeps no checksums.
//
// Without libsqlite3-dev at build time OpenSqlite returns Unavailable.
//
//   absl::StatusOr<std::unique_ptr<runnel::bench::Peer>> sqlite =
//       runnel::bench::OpenSqlite(dir);
//
// Thread-safety and lifetimes: as Peer.
#ifndef RUNNEL_BENCHMARKS_PEERS_SQLITE_H_
#define RUNNEL_BENCHMARKS_PEERS_SQLITE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "benchmarks/peers/peer.h"

namespace runnel {
namespace bench {

absl::StatusOr<std::unique_ptr<Peer>> OpenSqlite(const std::string& dir);

}  // namespace bench
}  // namespace runnel

#endif  // RUNNEL_BENCHMARKS_PEERS_SQLITE_H_
