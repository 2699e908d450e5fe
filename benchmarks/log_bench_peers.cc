// The shared parts of log_bench_peers.h: the workload, size knobs, the bench
// directory, the batch scan and the batch-file writer. The raw loops are in
// log_bench_raw.cc, the peers in log_bench_{lmdb,rocksdb}.cc.
#include "benchmarks/log_bench_peers.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "benchmarks/log_bench_posix.h"
#include "log/big_endian.h"
#include "log/crc32c.h"
#include "log/format.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace bench {
using posix::Error;

namespace {
constexpr char kValueBytesEnv[] = "RUNNEL_BENCH_VALUE_BYTES";
}  // namespace

size_t WorkloadValueBytes() {
  absl::StatusOr<size_t> bytes = BytesFromEnv(kValueBytesEnv, kValueBytes);
  return bytes.ok() && *bytes <= kMaxValueBytes ? *bytes : kValueBytes;
}

uint64_t Workload::ValuesChecksum() const {
  uint64_t sum = 0;
  for (const std::string& v : values) sum += ValueChecksum(v);
  return sum;
}

absl::StatusOr<Workload> MakeWorkload() {
  absl::StatusOr<size_t> value_bytes =
      BytesFromEnv(kValueBytesEnv, kValueBytes);
  if (!value_bytes.ok()) return value_bytes.status();
  if (*value_bytes > kMaxValueBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(kValueBytesEnv, "=", *value_bytes, ": at most ",
                     kMaxValueBytes, " (a batch must fit max.message.bytes)"));
  }
  Workload w;
  std::mt19937_64 rng(1);
  w.values.assign(kRecordsPerBatch, std::string(*value_bytes, 'A'));
  for (std::string& v : w.values) {
    for (char& c : v) c = static_cast<char>('A' + rng() % 26);
  }
  RecordBatchBuilder builder(RecordBatchOptions(), &w.batch);
  int64_t timestamp = 1700000000000;
  for (const std::string& v : w.values) {
    absl::Status s = builder.Append(timestamp++, std::nullopt, v);
    if (!s.ok()) return s;
  }
  absl::StatusOr<RecordBatchHeader> header = builder.Finish();
  if (!header.ok()) return header.status();
  return w;
}

absl::StatusOr<size_t> BytesFromEnv(const char* name, size_t default_bytes) {
  const char* env = ::getenv(name);
  if (env == nullptr || *env == '\0') return default_bytes;
  absl::string_view text(env);
  int shift = 0;
  switch (absl::ascii_toupper(text.back())) {
    case 'K':
      shift = 10;
      break;
    case 'M':
      shift = 20;
      break;
    case 'G':
      shift = 30;
      break;
  }
  if (shift != 0) text.remove_suffix(1);
  uint64_t n = 0;
  if (!absl::SimpleAtoi(text, &n) || n == 0 || n > (uint64_t{1} << 40)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "environment variable ", name, "=\"", env,
        "\": want a positive size like 268435456, 256M or 1G (at most 1T)"));
  }
  return static_cast<size_t>(n << shift);
}

absl::StatusOr<int64_t> CountFromEnv(const char* name, int64_t default_count) {
  absl::StatusOr<size_t> n =
      BytesFromEnv(name, static_cast<size_t>(default_count));
  if (!n.ok()) return n.status();
  return static_cast<int64_t>(*n);
}

int ReadPasses(int default_passes) {
  absl::StatusOr<int64_t> n =
      CountFromEnv("RUNNEL_BENCH_READ_PASSES", default_passes);
  return n.ok() && *n <= 1000000 ? static_cast<int>(*n) : default_passes;
}

absl::StatusOr<std::unique_ptr<BenchDir>> BenchDir::Create() {
  const char* base = ::getenv("RUNNEL_BENCH_DIR");
  if (base == nullptr || *base == '\0') base = ::getenv("TEST_TMPDIR");
  if (base == nullptr || *base == '\0') base = "/tmp";
  std::string path = absl::StrCat(base, "/runnel_log_bench.XXXXXX");
  if (::mkdtemp(&path[0]) == nullptr) {
    return Error(errno, "mkdtemp", path);
  }
  return std::unique_ptr<BenchDir>(new BenchDir(std::move(path)));
}

BenchDir::~BenchDir() { posix::RemoveTree(path_); }

std::string BenchDir::File(absl::string_view name) const {
  return absl::StrCat(path_, "/", name);
}

absl::string_view PageStateName(PageState state) {
  switch (state) {
    case PageState::kPrefaulted:
      return "prefaulted";
    case PageState::kFresh:
      return "fresh";
    case PageState::kCold:
      return "cold";
  }
  return "unknown";
}

uint32_t StoredCrc(absl::string_view batch) {
  if (batch.size() < format::kRecordBatchHeaderSize) return 0;
  return runnel::internal::LoadBigEndian32(batch.data() + format::kCrcOffset);
}

ScanResult ScanBatches(absl::string_view bytes) {
  using ::runnel::internal::LoadBigEndian32;
  ScanResult result;
  size_t pos = 0;
  while (bytes.size() - pos >= format::kRecordBatchHeaderSize) {
    const char* batch = bytes.data() + pos;
    const int32_t length = static_cast<int32_t>(
        LoadBigEndian32(batch + format::kBatchLengthOffset));
    if (length < format::kMinBatchLength ||
        static_cast<size_t>(length) >
            bytes.size() - pos - format::kLogOverhead) {
      break;  // zeros after the end, or a length that cannot be
    }
    const size_t size = format::kLogOverhead + static_cast<size_t>(length);
    const uint32_t crc = Crc32cExtend(0, batch + format::kCrcCoverageStart,
                                      size - format::kCrcCoverageStart);
    if (crc != LoadBigEndian32(batch + format::kCrcOffset)) break;  // torn
    ++result.batches;
    result.records += static_cast<int32_t>(
        LoadBigEndian32(batch + format::kRecordsCountOffset));
    result.crc_sum += crc;
    pos += size;
  }
  result.valid_bytes = pos;
  return result;
}

namespace {

// write() all of `data`, retrying short writes and EINTR.
absl::Status WriteAll(int fd, const char* data, size_t n,
                      const std::string& path) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return Error(errno, "write", path);
    data += w;
    n -= static_cast<size_t>(w);
  }
  return absl::OkStatus();
}

// `count` copies of `batch`, base offsets first_offset, first_offset +
// records_per_batch, ... (the base offset is outside the CRC).
std::string Copies(absl::string_view batch, int64_t count, int64_t first_offset,
                   int64_t records_per_batch) {
  std::string out;
  out.reserve(batch.size() * static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    const size_t at = out.size();
    out.append(batch.data(), batch.size());
    runnel::internal::StoreBigEndian64(
        &out[at], static_cast<uint64_t>(first_offset + i * records_per_batch));
  }
  return out;
}

absl::Status WriteBatches(int fd, const std::string& path,
                          absl::string_view batch, int64_t count,
                          int64_t records_per_batch) {
  constexpr int64_t kChunk = 64;  // batches per write(), about 7 MB
  for (int64_t done = 0; done < count; done += kChunk) {
    const int64_t n = std::min(kChunk, count - done);
    const std::string chunk =
        Copies(batch, n, done * records_per_batch, records_per_batch);
    absl::Status s = WriteAll(fd, chunk.data(), chunk.size(), path);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

// A crash-like tail: the first half of one more batch, then zeros up to
// file_bytes (blocks allocated, as in a preallocated segment).
absl::Status WriteTornTail(int fd, const std::string& path,
                           absl::string_view batch, int64_t base_offset,
                           size_t file_bytes) {
  std::string torn = Copies(batch, 1, base_offset, 0);
  torn.resize(batch.size() / 2);
  absl::Status s = WriteAll(fd, torn.data(), torn.size(), path);
  if (!s.ok()) return s;
  if (::fallocate(fd, 0, 0, static_cast<off_t>(file_bytes)) == 0) {
    return absl::OkStatus();
  }
  if (errno != EOPNOTSUPP) return Error(errno, "fallocate", path);
  if (::ftruncate(fd, static_cast<off_t>(file_bytes)) != 0) {
    return Error(errno, "ftruncate", path);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ScanResult> WriteBatchFile(const std::string& path,
                                          absl::string_view batch,
                                          size_t file_bytes,
                                          bool unclean_tail) {
  const ScanResult one = ScanBatches(batch);
  if (one.batches != 1 || one.valid_bytes != batch.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("WriteBatchFile ", path, ": not exactly one valid batch"));
  }
  const size_t torn = unclean_tail ? batch.size() / 2 : 0;
  const int64_t count =
      file_bytes < torn
          ? 0
          : static_cast<int64_t>((file_bytes - torn) / batch.size());
  if (count == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("WriteBatchFile ", path, ": ", file_bytes,
                     " bytes hold no batch of ", batch.size(), " bytes"));
  }
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Error(errno, "open", path);
  absl::Status s = WriteBatches(fd, path, batch, count, one.records);
  if (s.ok() && unclean_tail) {
    s = WriteTornTail(fd, path, batch, count * one.records, file_bytes);
  }
  if (s.ok() && ::fdatasync(fd) != 0) s = Error(errno, "fdatasync", path);
  if (::close(fd) != 0 && s.ok()) s = Error(errno, "close", path);
  if (!s.ok()) return s;
  ScanResult expected;
  expected.batches = count;
  expected.records = count * one.records;
  expected.valid_bytes = static_cast<size_t>(count) * batch.size();
  expected.crc_sum = static_cast<uint64_t>(count) * one.crc_sum;
  return expected;
}

}  // namespace bench
}  // namespace runnel
