// LmdbPeer (lmdb.h).
#include "benchmarks/peers/lmdb.h"

#include <lmdb.h>

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "benchmarks/log_bench_posix.h"

namespace runnel {
namespace bench {

struct LmdbPeer::Env {
  std::string dir;
  MDB_env* env = nullptr;
  MDB_dbi dbi = 0;

  ~Env() {
    if (env != nullptr) ::mdb_env_close(env);
    posix::RemoveTree(dir);
  }
};

namespace {

absl::Status LmdbError(int rc, absl::string_view op, absl::string_view dir) {
  std::string message =
      absl::StrCat("LMDB ", op, " ", dir, ": ", ::mdb_strerror(rc));
  if (rc == MDB_MAP_FULL) return absl::ResourceExhaustedError(message);
  return absl::InternalError(message);
}

}  // namespace

LmdbPeer::LmdbPeer(std::unique_ptr<Env> env) : env_(std::move(env)) {}
LmdbPeer::~LmdbPeer() = default;

absl::StatusOr<std::unique_ptr<LmdbPeer>> LmdbPeer::Create(
    const std::string& dir, const PeerOptions& options) {
  if (absl::Status s = peer_internal::MakeStoreDir(dir); !s.ok()) return s;
  auto env = std::make_unique<Env>();
  env->dir = dir;  // from here on, ~Env removes the directory
  int rc = ::mdb_env_create(&env->env);
  if (rc != 0) return LmdbError(rc, "mdb_env_create", dir);
  rc = ::mdb_env_set_mapsize(env->env, options.lmdb_map_size);
  if (rc != 0) return LmdbError(rc, "mdb_env_set_mapsize", dir);
  rc = ::mdb_env_set_maxreaders(env->env, 1);
  if (rc != 0) return LmdbError(rc, "mdb_env_set_maxreaders", dir);
  const unsigned flags =
      MDB_NOSYNC | (options.lmdb_write_map ? MDB_WRITEMAP : 0);
  rc = ::mdb_env_open(env->env, dir.c_str(), flags, 0644);
  if (rc != 0) return LmdbError(rc, "mdb_env_open", dir);
  MDB_txn* txn = nullptr;
  rc = ::mdb_txn_begin(env->env, nullptr, 0, &txn);
  if (rc != 0) return LmdbError(rc, "mdb_txn_begin", dir);
  rc = ::mdb_dbi_open(txn, nullptr, 0, &env->dbi);
  if (rc != 0) {
    ::mdb_txn_abort(txn);
    return LmdbError(rc, "mdb_dbi_open", dir);
  }
  rc = ::mdb_txn_commit(txn);
  if (rc != 0) return LmdbError(rc, "mdb_txn_commit", dir);
  return std::unique_ptr<LmdbPeer>(new LmdbPeer(std::move(env)));
}

std::string LmdbPeer::version() const {
  return absl::StrCat("LMDB ", MDB_VERSION_MAJOR, ".", MDB_VERSION_MINOR, ".",
                      MDB_VERSION_PATCH);
}

absl::Status LmdbPeer::Append(absl::Span<const std::string> values,
                              Commit commit) {
  MDB_txn* txn = nullptr;
  int rc = ::mdb_txn_begin(env_->env, nullptr, 0, &txn);
  if (rc != 0) return LmdbError(rc, "mdb_txn_begin", env_->dir);
  int64_t seq = records_;
  char key[8];
  for (const std::string& value : values) {
    peer_internal::StoreKey(seq++, key);
    MDB_val k{sizeof(key), key};
    MDB_val v{value.size(), const_cast<char*>(value.data())};
    rc = ::mdb_put(txn, env_->dbi, &k, &v, MDB_APPEND);
    if (rc != 0) {
      ::mdb_txn_abort(txn);
      return LmdbError(rc, absl::StrCat("mdb_put(MDB_APPEND) key ", seq - 1),
                       env_->dir);
    }
  }
  rc = ::mdb_txn_commit(txn);
  if (rc != 0) return LmdbError(rc, "mdb_txn_commit", env_->dir);
  records_ = seq;
  if (commit == Commit::kSync) {
    rc = ::mdb_env_sync(env_->env, 1);
    if (rc != 0) return LmdbError(rc, "mdb_env_sync", env_->dir);
  }
  return absl::OkStatus();
}

absl::StatusOr<PeerReadResult> LmdbPeer::ReadAll() {
  MDB_txn* txn = nullptr;
  int rc = ::mdb_txn_begin(env_->env, nullptr, MDB_RDONLY, &txn);
  if (rc != 0) return LmdbError(rc, "mdb_txn_begin(RDONLY)", env_->dir);
  MDB_cursor* cursor = nullptr;
  rc = ::mdb_cursor_open(txn, env_->dbi, &cursor);
  if (rc != 0) {
    ::mdb_txn_abort(txn);
    return LmdbError(rc, "mdb_cursor_open", env_->dir);
  }
  PeerReadResult result;
  absl::Status status;
  MDB_val k, v;
  for (rc = ::mdb_cursor_get(cursor, &k, &v, MDB_FIRST); rc == 0;
       rc = ::mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
    int64_t seq = -1;
    if (!peer_internal::LoadKey(
            {static_cast<const char*>(k.mv_data), k.mv_size}, &seq) ||
        seq != result.records) {
      status = peer_internal::OutOfSequence("LMDB", env_->dir, result.records);
      break;
    }
    ++result.records;
    result.bytes += k.mv_size + v.mv_size;
    result.checksum += ValueChecksum(
        absl::string_view(static_cast<const char*>(v.mv_data), v.mv_size));
  }
  if (status.ok() && rc != MDB_NOTFOUND) {
    status = LmdbError(rc, "mdb_cursor_get", env_->dir);
  }
  ::mdb_cursor_close(cursor);
  ::mdb_txn_abort(txn);
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<int64_t> LmdbPeer::CountRecords() {
  MDB_txn* txn = nullptr;
  int rc = ::mdb_txn_begin(env_->env, nullptr, MDB_RDONLY, &txn);
  if (rc != 0) return LmdbError(rc, "mdb_txn_begin(RDONLY)", env_->dir);
  MDB_stat stat;
  rc = ::mdb_stat(txn, env_->dbi, &stat);
  ::mdb_txn_abort(txn);
  if (rc != 0) return LmdbError(rc, "mdb_stat", env_->dir);
  return static_cast<int64_t>(stat.ms_entries);
}

}  // namespace bench
}  // namespace runnel
