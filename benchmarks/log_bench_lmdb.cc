// LmdbAppend (log_bench_peers.h): the log_bench-era face of the LMDB peer
// (peers/lmdb.h), which holds the code.
#include <memory>
#include <string>
#include <utility>

#include "benchmarks/log_bench_peers.h"
#include "benchmarks/peers/lmdb.h"

namespace runnel {
namespace bench {

LmdbAppend::LmdbAppend(std::unique_ptr<LmdbPeer> peer)
    : peer_(std::move(peer)) {}
LmdbAppend::~LmdbAppend() = default;

absl::StatusOr<std::unique_ptr<LmdbAppend>> LmdbAppend::Create(
    const std::string& dir, const LmdbOptions& options) {
  PeerOptions peer_options;
  peer_options.lmdb_map_size = options.map_size;
  peer_options.lmdb_write_map = options.write_map;
  absl::StatusOr<std::unique_ptr<LmdbPeer>> peer =
      LmdbPeer::Create(dir, peer_options);
  if (!peer.ok()) return peer.status();
  return std::unique_ptr<LmdbAppend>(new LmdbAppend(*std::move(peer)));
}

absl::Status LmdbAppend::AppendBatch(absl::Span<const std::string> values) {
  return peer_->Append(values, Commit::kNoSync);
}

absl::StatusOr<int64_t> LmdbAppend::CountRecords() {
  return peer_->CountRecords();
}

int64_t LmdbAppend::records() const { return peer_->records(); }

}  // namespace bench
}  // namespace runnel
