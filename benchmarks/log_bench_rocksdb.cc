// RocksDbStore (log_bench_peers.h): RocksDB 7.8.3's fillseq and readseq, as
// db_bench runs them, with the library's default options.
#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>
#include <sys/stat.h>

#include <cerrno>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "benchmarks/log_bench_peers.h"
#include "benchmarks/log_bench_posix.h"
#include "log/big_endian.h"

namespace runnel {
namespace bench {

struct RocksDbStore::Db {
  std::string dir;
  std::unique_ptr<rocksdb::DB> db;

  ~Db() {
    if (db != nullptr) {
      db->Close().PermitUncheckedError();
      db.reset();
    }
    posix::RemoveTree(dir);
  }
};

namespace {

absl::Status RocksError(const rocksdb::Status& s, absl::string_view op,
                        absl::string_view dir) {
  return absl::InternalError(
      absl::StrCat("RocksDB ", op, " ", dir, ": ", s.ToString()));
}

}  // namespace

RocksDbStore::RocksDbStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}
RocksDbStore::~RocksDbStore() = default;

absl::StatusOr<std::unique_ptr<RocksDbStore>> RocksDbStore::Create(
    const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) != 0) {
    return posix::Error(errno, "mkdir", dir);
  }
  auto db = std::make_unique<Db>();
  db->dir = dir;  // from here on, ~Db removes the directory
  rocksdb::Options options;
  options.create_if_missing = true;
  options.error_if_exists = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw);
  if (!s.ok()) return RocksError(s, "DB::Open", dir);
  db->db.reset(raw);
  return std::unique_ptr<RocksDbStore>(new RocksDbStore(std::move(db)));
}

absl::Status RocksDbStore::AppendBatch(absl::Span<const std::string> values) {
  rocksdb::WriteBatch batch;
  int64_t key = next_key_;
  char key_bytes[8];
  for (const std::string& value : values) {
    runnel::internal::StoreBigEndian64(key_bytes, static_cast<uint64_t>(key++));
    rocksdb::Status s = batch.Put(rocksdb::Slice(key_bytes, sizeof(key_bytes)),
                                  rocksdb::Slice(value.data(), value.size()));
    if (!s.ok()) return RocksError(s, "WriteBatch::Put", db_->dir);
  }
  rocksdb::Status s = db_->db->Write(rocksdb::WriteOptions(), &batch);
  if (!s.ok()) return RocksError(s, "DB::Write", db_->dir);
  next_key_ = key;
  return absl::OkStatus();
}

absl::Status RocksDbStore::Flush() {
  rocksdb::FlushOptions options;
  options.wait = true;
  rocksdb::Status s = db_->db->Flush(options);
  if (!s.ok()) return RocksError(s, "DB::Flush", db_->dir);
  return absl::OkStatus();
}

absl::StatusOr<ScanResult> RocksDbStore::ReadSeq() {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->db->NewIterator(rocksdb::ReadOptions()));
  ScanResult result;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const rocksdb::Slice key = it->key();
    if (key.size() != 8 || runnel::internal::LoadBigEndian64(key.data()) !=
                               static_cast<uint64_t>(result.records)) {
      return absl::DataLossError(
          absl::StrCat("RocksDB readseq ", db_->dir, ": key #", result.records,
                       " is not the expected sequence number"));
    }
    ++result.records;
    result.valid_bytes += key.size() + it->value().size();
  }
  if (!it->status().ok()) {
    return RocksError(it->status(), "Iterator", db_->dir);
  }
  return result;
}

}  // namespace bench
}  // namespace runnel
