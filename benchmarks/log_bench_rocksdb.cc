// RocksDbStore (log_bench_peers.h): the log_bench-era face of the RocksDB
// peer (peers/rocksdb.h), which holds the code: fillseq and readseq as
// db_bench runs them, with the library's default options.
#include <memory>
#include <string>
#include <utility>

#include "benchmarks/log_bench_peers.h"
#include "benchmarks/peers/rocksdb.h"

namespace runnel {
namespace bench {

RocksDbStore::RocksDbStore(std::unique_ptr<Peer> peer)
    : peer_(std::move(peer)) {}
RocksDbStore::~RocksDbStore() = default;

absl::StatusOr<std::unique_ptr<RocksDbStore>> RocksDbStore::Create(
    const std::string& dir) {
  absl::StatusOr<std::unique_ptr<Peer>> peer = OpenRocksDb(dir);
  if (!peer.ok()) return peer.status();
  return std::unique_ptr<RocksDbStore>(new RocksDbStore(*std::move(peer)));
}

absl::Status RocksDbStore::AppendBatch(absl::Span<const std::string> values) {
  return peer_->Append(values, Commit::kNoSync);
}

absl::Status RocksDbStore::Flush() { return peer_->Flush(); }

absl::StatusOr<ScanResult> RocksDbStore::ReadSeq() {
  absl::StatusOr<PeerReadResult> read = peer_->ReadAll();
  if (!read.ok()) return read.status();
  ScanResult result;
  result.records = read->records;
  result.valid_bytes = read->bytes;
  return result;
}

int64_t RocksDbStore::records() const { return peer_->records(); }

}  // namespace bench
}  // namespace runnel
