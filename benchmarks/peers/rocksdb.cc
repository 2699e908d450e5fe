// The RocksDB peer (rocksdb.h).
#include "benchmarks/peers/rocksdb.h"

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/version.h>
#include <rocksdb/write_batch.h>

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "benchmarks/log_bench_posix.h"

namespace runnel {
namespace bench {
namespace {

absl::Status RocksError(const rocksdb::Status& s, absl::string_view op,
                        absl::string_view dir) {
  std::string message =
      absl::StrCat("RocksDB ", op, " ", dir, ": ", s.ToString());
  if (s.IsCorruption()) return absl::DataLossError(message);
  return absl::InternalError(message);
}

class RocksDbPeer final : public Peer {
 public:
  RocksDbPeer(std::string dir, std::unique_ptr<rocksdb::DB> db)
      : dir_(std::move(dir)), db_(std::move(db)) {}
  ~RocksDbPeer() override {
    db_->Close().PermitUncheckedError();
    db_.reset();
    posix::RemoveTree(dir_);
  }

  std::string version() const override {
    return absl::StrCat("RocksDB ", ROCKSDB_MAJOR, ".", ROCKSDB_MINOR, ".",
                        ROCKSDB_PATCH);
  }

  absl::Status Append(absl::Span<const std::string> values,
                      Commit commit) override {
    rocksdb::WriteBatch batch;
    int64_t seq = records_;
    char key[8];
    for (const std::string& value : values) {
      peer_internal::StoreKey(seq++, key);
      rocksdb::Status s = batch.Put(rocksdb::Slice(key, sizeof(key)),
                                    rocksdb::Slice(value.data(), value.size()));
      if (!s.ok()) return RocksError(s, "WriteBatch::Put", dir_);
    }
    rocksdb::WriteOptions options;
    options.sync = commit == Commit::kSync;
    rocksdb::Status s = db_->Write(options, &batch);
    if (!s.ok()) return RocksError(s, "DB::Write", dir_);
    records_ = seq;
    return absl::OkStatus();
  }

  absl::Status Flush() override {
    rocksdb::FlushOptions options;
    options.wait = true;
    rocksdb::Status s = db_->Flush(options);
    if (!s.ok()) return RocksError(s, "DB::Flush", dir_);
    return absl::OkStatus();
  }

  absl::StatusOr<PeerReadResult> ReadAll() override {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions()));
    PeerReadResult result;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const rocksdb::Slice k = it->key();
      const rocksdb::Slice v = it->value();
      int64_t seq = -1;
      if (!peer_internal::LoadKey({k.data(), k.size()}, &seq) ||
          seq != result.records) {
        return peer_internal::OutOfSequence("RocksDB readseq", dir_,
                                            result.records);
      }
      ++result.records;
      result.bytes += k.size() + v.size();
      result.checksum += ValueChecksum({v.data(), v.size()});
    }
    if (!it->status().ok()) return RocksError(it->status(), "Iterator", dir_);
    return result;
  }

 private:
  const std::string dir_;
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Peer>> OpenRocksDb(const std::string& dir) {
  if (absl::Status s = peer_internal::MakeStoreDir(dir); !s.ok()) return s;
  rocksdb::Options options;
  options.create_if_missing = true;
  options.error_if_exists = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw);
  if (!s.ok()) {
    posix::RemoveTree(dir);
    return RocksError(s, "DB::Open", dir);
  }
  return std::unique_ptr<Peer>(
      new RocksDbPeer(dir, std::unique_ptr<rocksdb::DB>(raw)));
}

}  // namespace bench
}  // namespace runnel
