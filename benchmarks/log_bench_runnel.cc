// log_bench_runnel.h: the fixture file system, the sequential Log reader and
// the unclean-segment surgery of the runnel::Log cases.
#include "benchmarks/log_bench_runnel.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "benchmarks/log_bench_posix.h"
#include "log/big_endian.h"
#include "log/format.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace bench {
namespace {

using posix::Error;

size_t PageSize() {
  static const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  return page;
}

// Writes each page that [begin, end) touches once, rewriting a byte with its
// own value: a write fault per page, contents unchanged.
void TouchPagesForWrite(char* begin, char* end) {
  const uintptr_t mask = ~static_cast<uintptr_t>(PageSize() - 1);
  for (char* p = begin; p < end;) {
    volatile char* v = p;
    *v = *v;
    p = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(p) & mask) +
                                PageSize());
  }
}

class BenchRegion final : public MappedRegion {
 public:
  BenchRegion(std::unique_ptr<MappedRegion> base, BenchFileSystemOptions o)
      : MappedRegion(base->path(), const_cast<char*>(base->data()),
                     base->size(), base->offset(), base->mode(),
                     base->capacity()),
        base_(std::move(base)),
        options_(o) {
    if (options_.prefault) Touch(0, size());
  }

  absl::Status Sync(size_t offset_in_region, size_t length) override {
    if (options_.skip_sync) return CheckSyncRange(offset_in_region, length);
    return base_->Sync(offset_in_region, length);
  }

  absl::Status Grow(size_t new_size) override {
    const size_t old_size = size();
    absl::Status status = base_->Grow(new_size);
    if (!status.ok()) return status;
    set_size(base_->size());
    if (options_.prefault) Touch(old_size, size());
    return absl::OkStatus();
  }

 private:
  void Touch(size_t from, size_t to) {
    if (mode() != MapMode::kReadWrite || from >= to) return;
    TouchPagesForWrite(mutable_data() + from, mutable_data() + to);
  }

  const std::unique_ptr<MappedRegion> base_;
  const BenchFileSystemOptions options_;
};

class BenchFile final : public File {
 public:
  BenchFile(std::unique_ptr<File> base, BenchFileSystemOptions options)
      : File(base->path()), base_(std::move(base)), options_(options) {}

  absl::StatusOr<size_t> ReadAt(uint64_t offset,
                                absl::Span<char> dst) override {
    return base_->ReadAt(offset, dst);
  }
  absl::Status WriteAt(uint64_t offset, absl::string_view data) override {
    return base_->WriteAt(offset, data);
  }
  absl::Status Append(absl::string_view data) override {
    return base_->Append(data);
  }
  absl::StatusOr<uint64_t> Size() override { return base_->Size(); }
  absl::Status Truncate(uint64_t size) override {
    return base_->Truncate(size);
  }

  absl::Status Reserve(uint64_t offset, uint64_t length) override {
    return base_->Reserve(offset, length);
  }

  absl::Status Sync() override {
    return options_.skip_sync ? absl::OkStatus() : base_->Sync();
  }

  absl::StatusOr<std::unique_ptr<MappedRegion>> MapGrowable(
      uint64_t offset, size_t length, size_t capacity, MapMode mode) override {
    absl::StatusOr<std::unique_ptr<MappedRegion>> region =
        base_->MapGrowable(offset, length, capacity, mode);
    if (!region.ok()) return region.status();
    return std::unique_ptr<MappedRegion>(
        new BenchRegion(*std::move(region), options_));
  }

  absl::Status Close() override { return base_->Close(); }

 private:
  const std::unique_ptr<File> base_;
  const BenchFileSystemOptions options_;
};

}  // namespace

// --- BenchFileSystem: everything forwards; files are wrapped. ---

absl::StatusOr<std::unique_ptr<File>> BenchFileSystem::OpenFile(
    absl::string_view path, const OpenOptions& options) {
  absl::StatusOr<std::unique_ptr<File>> file = base_->OpenFile(path, options);
  if (!file.ok()) return file.status();
  return std::unique_ptr<File>(new BenchFile(*std::move(file), options_));
}
absl::Status BenchFileSystem::RemoveFile(absl::string_view path) {
  return base_->RemoveFile(path);
}
absl::Status BenchFileSystem::Rename(absl::string_view from,
                                     absl::string_view to) {
  return base_->Rename(from, to);
}
absl::StatusOr<bool> BenchFileSystem::FileExists(absl::string_view path) {
  return base_->FileExists(path);
}
absl::StatusOr<bool> BenchFileSystem::IsDirectory(absl::string_view path) {
  return base_->IsDirectory(path);
}
absl::StatusOr<uint64_t> BenchFileSystem::GetFileSize(absl::string_view path) {
  return base_->GetFileSize(path);
}
absl::Status BenchFileSystem::CreateDir(absl::string_view path) {
  return base_->CreateDir(path);
}
absl::Status BenchFileSystem::RemoveDir(absl::string_view path) {
  return base_->RemoveDir(path);
}
absl::StatusOr<std::vector<std::string>> BenchFileSystem::ListDir(
    absl::string_view dir) {
  return base_->ListDir(dir);
}
absl::Status BenchFileSystem::SyncDir(absl::string_view dir) {
  return options_.skip_sync ? absl::OkStatus() : base_->SyncDir(dir);
}
absl::StatusOr<std::unique_ptr<DirLock>> BenchFileSystem::LockDir(
    absl::string_view dir) {
  return base_->LockDir(dir);
}

// --- Reading and file surgery. ---

absl::StatusOr<ScanResult> ReadWholeLog(Log& log, size_t max_bytes) {
  using ::runnel::internal::LoadBigEndian32;
  using ::runnel::internal::LoadBigEndian64;
  ScanResult result;
  int64_t offset = log.log_start_offset();
  const int64_t end = log.log_end_offset();
  while (offset < end) {
    absl::StatusOr<LogReadResult> read = log.Read(offset, max_bytes);
    if (!read.ok()) return read.status();
    if (read->batches.empty()) {
      return absl::DataLossError(
          absl::StrCat("Log::Read(", offset, ") returned nothing below ", end));
    }
    for (absl::string_view batch : read->batches) {
      const int64_t base = static_cast<int64_t>(
          LoadBigEndian64(batch.data() + format::kBaseOffsetOffset));
      if (base != offset) {
        return absl::DataLossError(absl::StrCat("Log::Read: batch at offset ",
                                                base, ", expected ", offset));
      }
      offset = base +
               static_cast<int32_t>(LoadBigEndian32(
                   batch.data() + format::kLastOffsetDeltaOffset)) +
               1;
      ++result.batches;
      result.records += static_cast<int32_t>(
          LoadBigEndian32(batch.data() + format::kRecordsCountOffset));
      result.valid_bytes += batch.size();
      result.crc_sum += StoredCrc(batch);
    }
  }
  return result;
}

absl::Status RestoreUncleanTail(const std::string& path,
                                absl::string_view batch, size_t valid_bytes,
                                int64_t next_offset, size_t file_bytes) {
  std::string torn(batch.substr(0, batch.size() / 2));
  if (torn.size() < format::kRecordBatchHeaderSize ||
      valid_bytes + torn.size() > file_bytes || next_offset < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "RestoreUncleanTail ", path, ": half a ", batch.size(),
        "-byte batch at ", valid_bytes, " does not fit in ", file_bytes));
  }
  runnel::internal::StoreBigEndian64(&torn[format::kBaseOffsetOffset],
                                     static_cast<uint64_t>(next_offset));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Error(errno, "open", path);
  absl::Status s;
  for (size_t done = 0; done < torn.size() && s.ok();) {
    const ssize_t w = ::pwrite(fd, torn.data() + done, torn.size() - done,
                               static_cast<off_t>(valid_bytes + done));
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      s = Error(errno, "pwrite", path);
    } else {
      done += static_cast<size_t>(w);
    }
  }
  if (s.ok() && ::fallocate(fd, 0, 0, static_cast<off_t>(file_bytes)) != 0) {
    if (errno != EOPNOTSUPP) {
      s = Error(errno, "fallocate", path);
    } else if (::ftruncate(fd, static_cast<off_t>(file_bytes)) != 0) {
      s = Error(errno, "ftruncate", path);
    }
  }
  if (s.ok() && ::fdatasync(fd) != 0) s = Error(errno, "fdatasync", path);
  if (::close(fd) != 0 && s.ok()) s = Error(errno, "close", path);
  return s;
}

absl::Status RemoveAllBut(const std::string& dir, absl::string_view keep) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return Error(errno, "opendir", dir);
  std::vector<std::string> doomed;
  while (struct dirent* e = ::readdir(d)) {
    const absl::string_view name(e->d_name);
    if (name == "." || name == ".." || name == keep) continue;
    doomed.emplace_back(name);
  }
  ::closedir(d);
  for (const std::string& name : doomed) {
    const std::string path = absl::StrCat(dir, "/", name);
    if (::unlink(path.c_str()) != 0) return Error(errno, "unlink", path);
  }
  return absl::OkStatus();
}

absl::Status DropFileCache(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error(errno, "open", path);
  const int error = ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
  if (error != 0) return Error(error, "posix_fadvise(DONTNEED)", path);
  return absl::OkStatus();
}

absl::StatusOr<std::string> SmallBatch(const Workload& workload, int records) {
  if (records <= 0 || static_cast<size_t>(records) > workload.values.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("SmallBatch: ", records, " records of ",
                     workload.values.size(), " values"));
  }
  std::string out;
  RecordBatchBuilder builder(RecordBatchOptions(), &out);
  for (int i = 0; i < records; ++i) {
    absl::Status s =
        builder.Append(1700000000000 + i, std::nullopt, workload.values[i]);
    if (!s.ok()) return s;
  }
  absl::StatusOr<RecordBatchHeader> header = builder.Finish();
  if (!header.ok()) return header.status();
  return out;
}

}  // namespace bench
}  // namespace runnel
