// Copyright 2026 The Runnel Authors.
//
// partition/metadata_store.h — the Broker's durable topic metadata for one
// data directory: which topics exist, their partition counts, replication
// factors, topic ids, config overrides and pending deletions. Internal.
//
// The whole state is one versioned snapshot. Commit replaces it atomically
// and durably; Open reads back the last committed one.
//
//   absl::StatusOr<std::unique_ptr<runnel::MetadataStore>> store =
//       runnel::MetadataStore::Open(fs, "/data");
//   if (!store.ok()) return store.status();
//   runnel::MetadataSnapshot next = (*store)->current();
//   next.version += 1;
//   next.topics.push_back({"orders", 3, 1, {{"retention.ms", "86400000"}},
//                          runnel::NewTopicId()});
//   absl::Status s = (*store)->Commit(std::move(next));
//
// FILE. `<data_dir>/__runnel_metadata`, text, every line ending in '\n'
// (one space between fields, no other whitespace):
//
//   runnel-metadata v1                 header, exactly these bytes
//   version <V>                        V: decimal, >= 1
//   topics <N>                         N: decimal, >= 0
//   topic <name> <P> <R> <D> <id> <M>  N times, names strictly ascending;
//                                      P partitions (>= 1), R replication
//                                      factor (>= 1), D pending_delete (0 or
//                                      1), M config lines that follow
//   config <key> <value>               M times, keys strictly ascending
//   crc32c <8 lowercase hex digits>    CRC-32C of every byte before this line
//
// Decimals are '-'? digits, without '+', spaces or leading zeros beyond
// "0". Every string field (<name>, <id>, <key>, <value>) is written as
// `<n>:<e>` where <e> is absl::CEscape of the raw bytes (so it holds no
// '\n' and no bytes outside printable ASCII; spaces stay spaces) and <n> is
// the decimal byte length of <e>. Any byte may thus appear in a value.
//
// Crash safety: Commit writes `<data_dir>/__runnel_metadata.tmp`, syncs it,
// renames it over the file and syncs the directory. A crash at any point
// leaves either the complete old or the complete new snapshot. A `.tmp`
// left behind is ignored and removed by Open.
//
// Errors: Open returns DataLoss naming the path (and the line, for a
// malformed line) for a bad CRC, bad header, malformed or truncated file or
// content that Commit would not have accepted; file system errors as they
// come. Commit returns InvalidArgument naming the topic (and config key)
// for invalid input, changing nothing; or the file system's error prefixed
// with what was being done. After a failed Commit current() is unchanged.
// If only the final directory sync failed, the rename may already be
// visible: until a crash or the next successful Commit, a reopen may find
// the new snapshot (a crash then yields the old one).
//
// Thread-safety: not thread-safe; the Broker serializes calls (under its
// own mutex). current()'s reference is invalidated by a successful Commit.
//
// Lifetimes: `fs` is not owned and must outlive the store.
#ifndef RUNNEL_PARTITION_METADATA_STORE_H_
#define RUNNEL_PARTITION_METADATA_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runnel/file_system.h"

namespace runnel {

struct TopicMetadata {
  std::string name;  // runnel::ValidateTopicName
  int32_t partitions = 1;
  int16_t replication_factor = 1;
  // Kafka-style topic config overrides, stored verbatim (they must pass
  // TopicConfig::FromProperties).
  absl::flat_hash_map<std::string, std::string> config_overrides;
  // 16 random bytes as 22 characters of unpadded base64url, like Kafka's
  // Uuid.toString(); not all zero. See NewTopicId().
  std::string topic_id;
  // Deleted, but its partitions' files may still be on disk.
  bool pending_delete = false;
};

bool operator==(const TopicMetadata& a, const TopicMetadata& b);
inline bool operator!=(const TopicMetadata& a, const TopicMetadata& b) {
  return !(a == b);
}

struct MetadataSnapshot {
  // 0 for the empty state of a fresh directory; each Commit adds one.
  int64_t version = 0;
  std::vector<TopicMetadata> topics;  // sorted by name, names unique
};

bool operator==(const MetadataSnapshot& a, const MetadataSnapshot& b);
inline bool operator!=(const MetadataSnapshot& a, const MetadataSnapshot& b) {
  return !(a == b);
}

class MetadataStore {
 public:
  // The file names inside the data directory.
  static constexpr char kFileName[] = "__runnel_metadata";
  static constexpr char kTempFileName[] = "__runnel_metadata.tmp";

  // Reads the metadata of `data_dir`, which must be an existing directory.
  // A missing file is the empty snapshot, version 0. Errors: see above.
  // `read_only`: a reader beside a live writer (Broker read-only mode):
  // leaves a `.tmp` alone (it may be the writer's Commit under way) and
  // Commit fails with FailedPrecondition.
  static absl::StatusOr<std::unique_ptr<MetadataStore>> Open(
      FileSystem* fs, std::string data_dir, bool read_only = false);

  MetadataStore(const MetadataStore&) = delete;
  MetadataStore& operator=(const MetadataStore&) = delete;

  // The last committed snapshot.
  const MetadataSnapshot& current() const { return current_; }

  // Replaces the state with `next`, durably. `next.topics` may come in any
  // order (the store sorts them by name). Requires next.version ==
  // current().version + 1, valid topic names, partitions >= 1,
  // replication_factor >= 1, unique names and topic ids, valid topic ids
  // and overrides that TopicConfig::FromProperties accepts.
  absl::Status Commit(MetadataSnapshot next);

  const std::string& path() const { return path_; }

 private:
  MetadataStore(FileSystem* fs, std::string data_dir, MetadataSnapshot current);

  FileSystem* const fs_;
  const std::string data_dir_;
  const std::string path_;
  const std::string temp_path_;
  MetadataSnapshot current_;
  bool read_only_ = false;
};

// A fresh random topic id (16 random bytes, unpadded base64url, never all
// zero). Thread-safe.
std::string NewTopicId();

// OK if `id` is 22 characters of canonical unpadded base64url encoding 16
// bytes that are not all zero; else InvalidArgument saying why.
absl::Status ValidateTopicId(absl::string_view id);

}  // namespace runnel

#endif  // RUNNEL_PARTITION_METADATA_STORE_H_
