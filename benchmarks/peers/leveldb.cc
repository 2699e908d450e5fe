// The LevelDB peer (leveldb.h). Compiled to an Unavailable stub when the
// build has no LevelDB (@system_libs//:leveldb defines RUNNEL_HAVE_LEVELDB).
#include "benchmarks/peers/leveldb.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "benchmarks/log_bench_posix.h"

#ifdef RUNNEL_HAVE_LEVELDB
#include <leveldb/db.h>
#include <leveldb/iterator.h>
#include <leveldb/options.h>
#include <leveldb/write_batch.h>
#endif

namespace runnel {
namespace bench {

#ifdef RUNNEL_HAVE_LEVELDB
namespace {

absl::Status LevelError(const leveldb::Status& s, absl::string_view op,
                        absl::string_view dir) {
  std::string message =
      absl::StrCat("LevelDB ", op, " ", dir, ": ", s.ToString());
  if (s.IsCorruption()) return absl::DataLossError(message);
  return absl::InternalError(message);
}

class LevelDbPeer final : public Peer {
 public:
  LevelDbPeer(std::string dir, std::unique_ptr<leveldb::DB> db)
      : dir_(std::move(dir)), db_(std::move(db)) {}
  ~LevelDbPeer() override {
    db_.reset();
    posix::RemoveTree(dir_);
  }

  std::string version() const override {
    return absl::StrCat("LevelDB ", leveldb::kMajorVersion, ".",
                        leveldb::kMinorVersion);
  }

  absl::Status Append(absl::Span<const std::string> values,
                      Commit commit) override {
    leveldb::WriteBatch batch;
    int64_t seq = records_;
    char key[8];
    for (const std::string& value : values) {
      peer_internal::StoreKey(seq++, key);
      batch.Put(leveldb::Slice(key, sizeof(key)),
                leveldb::Slice(value.data(), value.size()));
    }
    leveldb::WriteOptions options;
    options.sync = commit == Commit::kSync;
    leveldb::Status s = db_->Write(options, &batch);
    if (!s.ok()) return LevelError(s, "DB::Write", dir_);
    records_ = seq;
    return absl::OkStatus();
  }

  absl::StatusOr<PeerReadResult> ReadAll() override {
    leveldb::ReadOptions options;
    options.verify_checksums = true;
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(options));
    PeerReadResult result;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const leveldb::Slice k = it->key();
      const leveldb::Slice v = it->value();
      int64_t seq = -1;
      if (!peer_internal::LoadKey({k.data(), k.size()}, &seq) ||
          seq != result.records) {
        return peer_internal::OutOfSequence("LevelDB", dir_, result.records);
      }
      ++result.records;
      result.bytes += k.size() + v.size();
      result.checksum += ValueChecksum({v.data(), v.size()});
    }
    if (!it->status().ok()) return LevelError(it->status(), "Iterator", dir_);
    return result;
  }

 private:
  const std::string dir_;
  std::unique_ptr<leveldb::DB> db_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Peer>> OpenLevelDb(const std::string& dir) {
  if (absl::Status s = peer_internal::MakeStoreDir(dir); !s.ok()) return s;
  leveldb::Options options;
  options.create_if_missing = true;
  options.error_if_exists = true;
  leveldb::DB* raw = nullptr;
  leveldb::Status s = leveldb::DB::Open(options, dir, &raw);
  if (!s.ok()) {
    posix::RemoveTree(dir);
    return LevelError(s, "DB::Open", dir);
  }
  return std::unique_ptr<Peer>(
      new LevelDbPeer(dir, std::unique_ptr<leveldb::DB>(raw)));
}

#else  // !RUNNEL_HAVE_LEVELDB

absl::StatusOr<std::unique_ptr<Peer>> OpenLevelDb(const std::string& dir) {
  return absl::UnavailableError(absl::StrCat(
      "LevelDB ", dir, ": not in this build (install libleveldb-dev)"));
}

#endif  // RUNNEL_HAVE_LEVELDB

}  // namespace bench
}  // namespace runnel
