// Copyright 2026 The Runnel Authors.
//
// log/mapped_index_file.h — the part Kafka's two per-segment indexes
// (`.index`, `.timeindex`) share: a file of fixed-size big-endian entries,
// preallocated and memory-mapped while the segment is active, trimmed to its
// entries when the segment rolls. Internal; OffsetIndex (log/offset_index.h)
// and TimeIndex (log/time_index.h) derive from it and add the entry layout.
//
//   // Through a derived class:
//   auto index = OffsetIndex::Open(fs, "/d/t-0/00000000000000000000.index",
//                                  /*base_offset=*/0, 10485760,
//                                  /*writable=*/true);
//   ... (*index)->Append(...) ...
//   (*index)->Flush();            // msync of the entries written since
//   (*index)->Close(/*trim=*/true);
//
// Opening. Writable: the file is created if missing and mapped read-write
// with room (address space) for max_index_bytes rounded down to a whole
// number of entries; its blocks are reserved (File::Reserve) 4 KiB at first
// — never below its current size, so existing entries survive — and the
// reservation and mapping double as entries are appended (EnsureSlot). A
// full disk is ResourceExhausted at Open or at an append, never a SIGBUS.
// Read-only: the file is mapped as it is (an empty file is not mapped at all).
// A length that is not a multiple of the entry size is DataLoss naming the
// path.
//
// How many entries an existing file holds. Kafka trusts length / entry size
// because it trims the file at every clean close. Runnel also reopens files
// that were never trimmed (a crash while the segment was active), whose tail
// is the zeros of the preallocation. So the count is the number of slots up
// to and including the last slot that is not all zero bytes: a trimmed file
// counts every slot, a preallocated one stops before its zero tail. (A
// single all-zero entry at slot 0 therefore reads as "empty"; neither index
// writes such an entry in practice, and for lookups it means the same as no
// entry.) Whether those entries are well-formed is the derived class's
// Validate(): zeros in the middle, disorder or torn entries make it fail
// with DataLoss, and the log then rebuilds the index (Reset + re-append from
// a scan of the .log).
//
// Invariant of a writable index: every slot at or past entries() is zero.
// Truncation zeroes the slots it drops, so the zero-tail rule above never
// brings dropped entries back after a crash (once the zeroing is flushed).
//
// Thread-safety: one writer and many readers. Readers (entries(),
// Lookup/EntryAt/last_* of the derived classes) may run concurrently with
// the writer's append and with Flush: an entry's bytes are stored before the
// count is published (release) and readers load the count (acquire), so they
// only read complete entries. Appends, truncation (TruncateTo/Reset) and
// Close must not run concurrently with each other; truncation and Close must
// not run concurrently with anything (the caller excludes readers).
//
// Durability: nothing is durable until Flush() (msync of the slots changed
// since the previous Flush) or a File::Sync by someone else; Close does not
// flush.
//
// Lifetimes: the FileSystem must outlive the object.
#ifndef RUNNEL_LOG_MAPPED_INDEX_FILE_H_
#define RUNNEL_LOG_MAPPED_INDEX_FILE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runnel/file_system.h"
#include "util/mutex.h"

namespace runnel {
namespace internal {

class MappedIndexFile {
 public:
  // The first reservation of a writable index file; later ones double it.
  static constexpr size_t kFirstReservationBytes = 4096;

  MappedIndexFile(const MappedIndexFile&) = delete;
  MappedIndexFile& operator=(const MappedIndexFile&) = delete;
  virtual ~MappedIndexFile();

  const std::string& path() const { return path_; }
  // The segment's base offset; entries store offsets relative to it.
  int64_t base_offset() const { return base_offset_; }
  bool writable() const { return writable_; }
  bool closed() const { return closed_; }

  // Entries currently in the index (0 after Close). Safe to call
  // concurrently with the writer.
  size_t entries() const { return entries_.load(std::memory_order_acquire); }
  // Slots the file has room for: the mapped length / entry size.
  size_t max_entries() const { return max_entries_; }

  // Drops the entries whose offset is >= `offset` (Kafka's truncateTo:
  // the segment's log is being cut at `offset`) and zeroes their slots.
  // FailedPrecondition on a read-only or closed index. Not concurrent with
  // readers or the writer.
  absl::Status TruncateTo(int64_t offset);

  // Drops every entry (and zeroes their slots). FailedPrecondition on a
  // read-only or closed index. Not concurrent with readers or the writer.
  absl::Status Reset();

  // Makes the slots changed since the last Flush durable (MappedRegion::Sync
  // of that range): new entries and the zeroed slots of a truncation. OK
  // and a no-op on a read-only index or when nothing changed. May run
  // concurrently with the writer's appends and with readers.
  absl::Status Flush();

  // With trim (segment roll or clean shutdown) a writable file is cut to
  // entries() × entry size; trim is ignored for a read-only index. Then the
  // mapping and the file are released, even if trimming fails (the first
  // error is returned). Every later call fails with FailedPrecondition. Does
  // not flush: call Flush() first for durability.
  absl::Status Close(bool trim);

 protected:
  MappedIndexFile(const char* kind, size_t entry_size, std::string path,
                  int64_t base_offset);

  // The derived class's factory: opens and maps `index`'s file as described
  // in the banner and sets entries() from its zero tail.
  template <typename Index>
  static absl::StatusOr<std::unique_ptr<Index>> OpenIndex(
      std::unique_ptr<Index> index, FileSystem* fs, size_t max_index_bytes,
      bool writable) {
    absl::Status opened = index->OpenAndMap(fs, max_index_bytes, writable);
    if (!opened.ok()) return opened;
    return index;
  }

  // The absolute offset stored in entry `i` (i < entries()); non-decreasing
  // in i in a valid index.
  virtual int64_t OffsetOfEntry(size_t i) const = 0;

  // The bytes of slot `i` (i < max_entries()).
  const char* Slot(size_t i) const { return data_ + i * entry_size_; }
  char* MutableSlot(size_t i) { return mutable_data_ + i * entry_size_; }

  // Makes sure slot `i` (< max_entries()) is backed by reserved, mapped
  // bytes, growing the file's reservation (doubling, from
  // kFirstReservationBytes) if needed. The writer calls it before storing
  // an entry. Errors: ResourceExhausted naming the path on a full disk
  // (nothing changed); FailedPrecondition past max_entries().
  absl::Status EnsureSlot(size_t i);

  // Publishes `n` (> entries()) entries after their bytes were stored.
  void PublishEntries(size_t n) {
    entries_.store(n, std::memory_order_release);
  }

  // Keeps the first `n` entries and zeroes the slots of the rest.
  // Writable, open index only (checked by the caller).
  void TruncateToEntries(size_t n);

  // OK if the index is open (and writable, if `write`); otherwise
  // FailedPrecondition naming `op` and the path.
  absl::Status CheckUsable(absl::string_view op, bool write) const;

  // offset − base_offset() if it lies in [0, INT32_MAX]; otherwise
  // InvalidArgument naming `op`, the path, the offset and the base offset.
  absl::Status ToRelative(absl::string_view op, int64_t offset,
                          int32_t* relative) const;

  // DataLoss "<kind> <path>: entry <slot> <what>", for Validate().
  absl::Status CorruptEntry(size_t slot, absl::string_view what) const;

  // DataLoss unless OffsetOfEntry(i) >= base_offset(); for Validate().
  absl::Status CheckOffsetInSegment(size_t i) const;

  // OutOfRange unless i < entries(); for EntryAt().
  absl::Status CheckEntryIndex(size_t i) const;

  // The largest i in [0, n) with key(i) <= target, or -1 if there is none.
  // `key` must be non-decreasing in i.
  template <typename KeyFn>
  static ptrdiff_t LargestAtMost(size_t n, int64_t target, KeyFn key) {
    ptrdiff_t lo = 0;
    ptrdiff_t hi = static_cast<ptrdiff_t>(n) - 1;
    ptrdiff_t found = -1;
    while (lo <= hi) {
      const ptrdiff_t mid = lo + (hi - lo) / 2;
      if (key(static_cast<size_t>(mid)) <= target) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  // "offset index" / "time index", for messages.
  const char* kind() const { return kind_; }

 private:
  absl::Status OpenAndMap(FileSystem* fs, size_t max_index_bytes,
                          bool writable);
  // Slots in the first `bytes` bytes up to and including the last slot that
  // holds a non-zero byte.
  size_t CountBeforeZeroTail(size_t bytes) const;

  const char* const kind_;
  const size_t entry_size_;
  const std::string path_;
  const int64_t base_offset_;
  bool writable_ = false;
  bool closed_ = false;
  std::unique_ptr<File> file_;
  std::unique_ptr<MappedRegion> region_;  // null when nothing is mapped
  const char* data_ = nullptr;
  char* mutable_data_ = nullptr;
  size_t max_entries_ = 0;
  // Bytes of the file reserved and mapped (writable: grows by EnsureSlot).
  uint64_t reserved_bytes_ = 0;
  std::atomic<size_t> entries_{0};

  // Flush bookkeeping: slots [0, synced_) were synced by the last Flush and
  // not changed since; slots [synced_, dirty_end_) were zeroed by a
  // truncation and not yet synced (appends extend the dirty range implicitly
  // up to entries()).
  Mutex flush_mu_;
  size_t synced_ ABSL_GUARDED_BY(flush_mu_) = 0;
  size_t dirty_end_ ABSL_GUARDED_BY(flush_mu_) = 0;
};

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_LOG_MAPPED_INDEX_FILE_H_
