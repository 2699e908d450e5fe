// LmdbAppend (log_bench_peers.h): LMDB 0.9.24's fastest append path, as a
// peer of Runnel's batched append.
#include <lmdb.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "absl/strings/str_cat.h"
#include "benchmarks/log_bench_peers.h"
#include "benchmarks/log_bench_posix.h"
#include "log/big_endian.h"

namespace runnel {
namespace bench {

struct LmdbAppend::Env {
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

LmdbAppend::LmdbAppend(std::unique_ptr<Env> env) : env_(std::move(env)) {}
LmdbAppend::~LmdbAppend() = default;

absl::StatusOr<std::unique_ptr<LmdbAppend>> LmdbAppend::Create(
    const std::string& dir, const LmdbOptions& options) {
  if (::mkdir(dir.c_str(), 0755) != 0) {
    return posix::Error(errno, "mkdir", dir);
  }
  auto env = std::make_unique<Env>();
  env->dir = dir;  // from here on, ~Env removes the directory
  int rc = ::mdb_env_create(&env->env);
  if (rc != 0) return LmdbError(rc, "mdb_env_create", dir);
  rc = ::mdb_env_set_mapsize(env->env, options.map_size);
  if (rc != 0) return LmdbError(rc, "mdb_env_set_mapsize", dir);
  rc = ::mdb_env_set_maxreaders(env->env, 1);
  if (rc != 0) return LmdbError(rc, "mdb_env_set_maxreaders", dir);
  const unsigned flags = MDB_NOSYNC | (options.write_map ? MDB_WRITEMAP : 0);
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
  return std::unique_ptr<LmdbAppend>(new LmdbAppend(std::move(env)));
}

absl::Status LmdbAppend::AppendBatch(absl::Span<const std::string> values) {
  MDB_txn* txn = nullptr;
  int rc = ::mdb_txn_begin(env_->env, nullptr, 0, &txn);
  if (rc != 0) return LmdbError(rc, "mdb_txn_begin", env_->dir);
  int64_t key = next_key_;
  char key_bytes[8];
  for (const std::string& value : values) {
    runnel::internal::StoreBigEndian64(key_bytes, static_cast<uint64_t>(key++));
    MDB_val k{sizeof(key_bytes), key_bytes};
    MDB_val v{value.size(), const_cast<char*>(value.data())};
    rc = ::mdb_put(txn, env_->dbi, &k, &v, MDB_APPEND);
    if (rc != 0) {
      ::mdb_txn_abort(txn);
      return LmdbError(rc, absl::StrCat("mdb_put(MDB_APPEND) key ", key - 1),
                       env_->dir);
    }
  }
  rc = ::mdb_txn_commit(txn);
  if (rc != 0) return LmdbError(rc, "mdb_txn_commit", env_->dir);
  next_key_ = key;
  return absl::OkStatus();
}

absl::StatusOr<int64_t> LmdbAppend::CountRecords() {
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
