// The SQLite peer (sqlite.h). Compiled to an Unavailable stub when the
// build has no SQLite (@system_libs//:sqlite defines RUNNEL_HAVE_SQLITE).
#include "benchmarks/peers/sqlite.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "benchmarks/log_bench_posix.h"

#ifdef RUNNEL_HAVE_SQLITE
#include <sqlite3.h>
#endif

namespace runnel {
namespace bench {

#ifdef RUNNEL_HAVE_SQLITE
namespace {

class SqlitePeer final : public Peer {
 public:
  explicit SqlitePeer(std::string dir) : dir_(std::move(dir)) {}
  ~SqlitePeer() override {
    ::sqlite3_finalize(insert_);
    ::sqlite3_finalize(select_);
    ::sqlite3_close(db_);  // after every statement is finalized
    posix::RemoveTree(dir_);
  }

  absl::Status Open() {
    const std::string path = dir_ + "/log.sqlite";
    int rc = ::sqlite3_open_v2(
        path.c_str(), &db_,
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
        nullptr);
    if (rc != SQLITE_OK) return Error(rc, "sqlite3_open_v2");
    for (const char* sql : {
             "PRAGMA journal_mode=WAL",
             "PRAGMA synchronous=OFF",
             "CREATE TABLE log(k INTEGER PRIMARY KEY, v BLOB NOT NULL)",
         }) {
      if (absl::Status s = Exec(sql); !s.ok()) return s;
    }
    rc = ::sqlite3_prepare_v2(db_, "INSERT INTO log(k, v) VALUES(?, ?)", -1,
                              &insert_, nullptr);
    if (rc != SQLITE_OK) return Error(rc, "prepare INSERT");
    rc = ::sqlite3_prepare_v2(db_, "SELECT k, v FROM log ORDER BY k", -1,
                              &select_, nullptr);
    if (rc != SQLITE_OK) return Error(rc, "prepare SELECT");
    return absl::OkStatus();
  }

  std::string version() const override {
    return absl::StrCat("SQLite ", ::sqlite3_libversion());
  }

  absl::Status Append(absl::Span<const std::string> values,
                      Commit commit) override {
    const bool sync = commit == Commit::kSync;
    if (sync) {
      if (absl::Status s = Exec("PRAGMA synchronous=FULL"); !s.ok()) return s;
    }
    absl::Status s = Exec("BEGIN");
    int64_t seq = records_;
    for (size_t i = 0; s.ok() && i < values.size(); ++i)
      s = Insert(seq++, values[i]);
    if (s.ok()) s = Exec("COMMIT");
    if (!s.ok()) {
      Exec("ROLLBACK").IgnoreError();  // best effort; `s` says what failed
    } else {
      records_ = seq;
    }
    if (sync) {
      absl::Status off = Exec("PRAGMA synchronous=OFF");
      if (s.ok()) s = off;
    }
    return s;
  }

  absl::StatusOr<PeerReadResult> ReadAll() override {
    PeerReadResult result;
    int rc;
    while ((rc = ::sqlite3_step(select_)) == SQLITE_ROW) {
      if (::sqlite3_column_int64(select_, 0) != result.records) {
        ::sqlite3_reset(select_);
        return peer_internal::OutOfSequence("SQLite", dir_, result.records);
      }
      const void* blob = ::sqlite3_column_blob(select_, 1);
      const int size = ::sqlite3_column_bytes(select_, 1);
      ++result.records;
      result.bytes += 8 + static_cast<uint64_t>(size);
      result.checksum += ValueChecksum(
          {static_cast<const char*>(blob), static_cast<size_t>(size)});
    }
    ::sqlite3_reset(select_);
    if (rc != SQLITE_DONE) return Error(rc, "SELECT step");
    return result;
  }

 private:
  absl::Status Insert(int64_t seq, const std::string& value) {
    ::sqlite3_bind_int64(insert_, 1, seq);
    ::sqlite3_bind_blob(insert_, 2, value.data(),
                        static_cast<int>(value.size()), SQLITE_STATIC);
    const int rc = ::sqlite3_step(insert_);
    ::sqlite3_reset(insert_);
    if (rc != SQLITE_DONE) return Error(rc, absl::StrCat("INSERT ", seq));
    return absl::OkStatus();
  }

  absl::Status Exec(const char* sql) {
    char* message = nullptr;
    const int rc = ::sqlite3_exec(db_, sql, nullptr, nullptr, &message);
    if (rc == SQLITE_OK) return absl::OkStatus();
    std::string text = message != nullptr ? message : ::sqlite3_errstr(rc);
    ::sqlite3_free(message);
    return absl::InternalError(
        absl::StrCat("SQLite ", sql, " in ", dir_, ": ", text));
  }

  absl::Status Error(int rc, absl::string_view op) const {
    std::string message = absl::StrCat(
        "SQLite ", op, " in ", dir_, ": ",
        db_ != nullptr ? ::sqlite3_errmsg(db_) : ::sqlite3_errstr(rc));
    if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB) {
      return absl::DataLossError(message);
    }
    if (rc == SQLITE_FULL) return absl::ResourceExhaustedError(message);
    return absl::InternalError(message);
  }

  const std::string dir_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* select_ = nullptr;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Peer>> OpenSqlite(const std::string& dir) {
  if (absl::Status s = peer_internal::MakeStoreDir(dir); !s.ok()) return s;
  auto peer = std::make_unique<SqlitePeer>(dir);  // removes dir if Open fails
  if (absl::Status s = peer->Open(); !s.ok()) return s;
  return std::unique_ptr<Peer>(std::move(peer));
}

#else  // !RUNNEL_HAVE_SQLITE

absl::StatusOr<std::unique_ptr<Peer>> OpenSqlite(const std::string& dir) {
  return absl::UnavailableError(absl::StrCat(
      "SQLite ", dir, ": not in this build (install libsqlite3-dev)"));
}

#endif  // RUNNEL_HAVE_SQLITE

}  // namespace bench
}  // namespace runnel
