// peer.h: the peer registry and the helpers the adapters share.
#include "benchmarks/peers/peer.h"

#include <sys/stat.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "benchmarks/log_bench_posix.h"
#include "benchmarks/peers/leveldb.h"
#include "benchmarks/peers/lmdb.h"
#include "benchmarks/peers/rocksdb.h"
#include "benchmarks/peers/sqlite.h"

namespace runnel {
namespace bench {

std::vector<std::string> PeerNames() {
  return {"lmdb", "rocksdb", "leveldb", "sqlite"};
}

absl::StatusOr<std::unique_ptr<Peer>> OpenPeer(absl::string_view name,
                                               const std::string& dir,
                                               const PeerOptions& options) {
  if (name == "lmdb") {
    absl::StatusOr<std::unique_ptr<LmdbPeer>> lmdb =
        LmdbPeer::Create(dir, options);
    if (!lmdb.ok()) return lmdb.status();
    return std::unique_ptr<Peer>(*std::move(lmdb));
  }
  if (name == "rocksdb") return OpenRocksDb(dir);
  if (name == "leveldb") return OpenLevelDb(dir);
  if (name == "sqlite") return OpenSqlite(dir);
  return absl::NotFoundError(
      absl::StrCat("no peer \"", name,
                   "\" (known: ", absl::StrJoin(PeerNames(), ", "), ")"));
}

namespace peer_internal {

absl::Status MakeStoreDir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) != 0) {
    return posix::Error(errno, "mkdir", dir);
  }
  return absl::OkStatus();
}

void StoreKey(int64_t seq, char out[8]) {
  const uint64_t v = static_cast<uint64_t>(seq);
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(v >> (56 - 8 * i));
}

bool LoadKey(absl::string_view key, int64_t* seq) {
  if (key.size() != 8) return false;
  uint64_t v = 0;
  for (char c : key) v = (v << 8) | static_cast<unsigned char>(c);
  *seq = static_cast<int64_t>(v);
  return true;
}

absl::Status OutOfSequence(absl::string_view store, absl::string_view dir,
                           int64_t want) {
  return absl::DataLossError(absl::StrCat(store, " ", dir, ": key #", want,
                                          " is not the next sequence number"));
}

}  // namespace peer_internal
}  // namespace bench
}  // namespace runnel
