// The LMDB peer (peer.h): LMDB 0.9's fastest append path, mdb_put with
// MDB_APPEND under sequential big-endian keys, one write transaction per
// Append, environment flags MDB_NOSYNC (| MDB_WRITEMAP if asked) and at most
// one reader. Commit::kSync adds mdb_env_sync(force=1) after the commit.
// ReadAll walks one read-only cursor from MDB_FIRST to the end (LMDB keeps
// no checksums). A full map (PeerOptions::lmdb_map_size) is
// ResourceExhausted.
//
//   absl::StatusOr<std::unique_ptr<runnel::bench::LmdbPeer>> lmdb =
//       runnel::bench::LmdbPeer::Create(dir, runnel::bench::PeerOptions());
//
// Thread-safety and lifetimes: as Peer.
#ifndef RUNNEL_BENCHMARKS_PEERS_LMDB_H_
#define RUNNEL_BENCHMARKS_PEERS_LMDB_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "benchmarks/peers/peer.h"

namespace runnel {
namespace bench {

class LmdbPeer final : public Peer {
 public:
  static absl::StatusOr<std::unique_ptr<LmdbPeer>> Create(
      const std::string& dir, const PeerOptions& options);
  ~LmdbPeer() override;

  LmdbPeer(const LmdbPeer&) = delete;
  LmdbPeer& operator=(const LmdbPeer&) = delete;

  std::string version() const override;
  absl::Status Append(absl::Span<const std::string> values,
                      Commit commit) override;
  absl::StatusOr<PeerReadResult> ReadAll() override;

  // Entries in the DB, from mdb_stat (no scan).
  absl::StatusOr<int64_t> CountRecords();

 private:
  struct Env;
  explicit LmdbPeer(std::unique_ptr<Env> env);
  std::unique_ptr<Env> env_;
};

}  // namespace bench
}  // namespace runnel

#endif  // RUNNEL_BENCHMARKS_PEERS_LMDB_H_
