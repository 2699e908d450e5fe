// Copyright 2026 The Runnel Authors.
//
// //benchmarks:log_bench, the open cases: BM_OpenIdleLogs_RunnelLog opens
// RUNNEL_BENCH_IDLE_LOGS (10,000) cleanly closed logs of a few small
// batches, BM_OpenIdleLogs_RawOpen is its limit (list + open + fstat of the
// same files). See log_bench.cc's banner for the environment.
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "benchmarks/bench_checks.h"
#include "benchmarks/log_bench_posix.h"
#include "benchmarks/log_bench_runnel.h"
#include "benchmarks/log_bench_setup.h"
#include "log/format.h"
#include "runnel/file_system.h"
#include "runnel/log.h"

namespace runnel {
namespace bench {
namespace {

// Where the idle logs go: a fresh directory of this case, or, with
// RUNNEL_BENCH_IDLE_LOGS_DIR set (the report does), a directory there per
// value size and count that later cases and processes reuse — building
// 10,000 logs takes far longer than opening them. The caller of the
// benchmark owns that directory (nothing removes it).
std::string IdleLogsBase(const Setup& setup) {
  const char* shared = ::getenv("RUNNEL_BENCH_IDLE_LOGS_DIR");
  if (shared == nullptr || *shared == '\0') return setup.dir->path();
  return absl::StrCat(shared, "/idle-v", setup.workload.value_bytes(), "-n",
                      setup.idle_logs);
}

// Writes `idle_logs` logs of kIdleLogBatches small batches each under
// `base`, every one closed cleanly by runnel::Log itself. Built with syncs
// skipped (a fixture: durability is not what is measured), then the whole
// file system synced once so no write-back runs during the measurement.
absl::Status BuildIdleLogs(const Setup& setup, const std::string& base,
                           const std::vector<std::string>& dirs) {
  absl::StatusOr<std::string> batch =
      SmallBatch(setup.workload, kIdleLogRecordsPerBatch);
  if (!batch.ok()) return batch.status();
  BenchFileSystemOptions fs_options;
  fs_options.skip_sync = true;
  BenchFileSystem fs(FileSystem::Default(), fs_options);
  LogOptions options;
  options.file_system = &fs;
  options.preallocate_bytes = 64 << 10;  // not 16 MiB x 10,000 at once
  for (const std::string& dir : dirs) {
    absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(dir, options);
    if (!log.ok()) return log.status();
    for (int b = 0; b < kIdleLogBatches; ++b) {
      absl::StatusOr<AppendInfo> info = (*log)->Append(*batch);
      if (!info.ok()) return info.status();
    }
    if (absl::Status s = (*log)->Close(); !s.ok()) return s;
  }
  const int fd = ::open(base.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::syncfs(fd) != 0) {
    const int error = errno;
    if (fd >= 0) ::close(fd);
    return absl::ErrnoToStatus(error, "syncfs " + base);
  }
  ::close(fd);
  return absl::OkStatus();
}

// The idle logs of this case (see IdleLogsBase), built unless a shared
// directory already holds them (its file "complete" is written last).
absl::StatusOr<std::vector<std::string>> MakeIdleLogs(const Setup& setup) {
  const std::string base = IdleLogsBase(setup);
  std::vector<std::string> dirs;
  for (int64_t i = 0; i < setup.idle_logs; ++i) {
    dirs.push_back(absl::StrCat(base, "/idle-", i));
  }
  const std::string complete = base + "/complete";
  if (base != setup.dir->path()) {
    if (::access(complete.c_str(), F_OK) == 0) return dirs;
    posix::RemoveTree(base);  // a half-built one from an interrupted run
    if (::mkdir(base.c_str(), 0755) != 0) {
      return absl::ErrnoToStatus(errno, "mkdir " + base);
    }
  }
  if (absl::Status s = BuildIdleLogs(setup, base, dirs); !s.ok()) return s;
  const int fd = ::open(complete.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return absl::ErrnoToStatus(errno, "create " + complete);
  ::close(fd);
  return dirs;
}

// Each iteration opens all setup.idle_logs logs (Log::Open, default options)
// and keeps them open to its end; closing them is not measured.
void BM_OpenIdleLogs_RunnelLog(benchmark::State& state) {
  absl::StatusOr<Setup> setup = MakeSetup();
  if (Failed(state, setup.status())) return;
  absl::StatusOr<std::vector<std::string>> dirs = MakeIdleLogs(*setup);
  if (Failed(state, dirs.status())) return;
  constexpr int64_t kRecordsPerLog =
      int64_t{kIdleLogBatches} * kIdleLogRecordsPerBatch;
  for (auto _ : state) {
    std::vector<std::unique_ptr<Log>> logs;
    logs.reserve(dirs->size());
    for (const std::string& dir : *dirs) {
      absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(dir, LogOptions());
      if (Failed(state, log.status())) return;
      logs.push_back(*std::move(log));
    }
    state.PauseTiming();
    for (const std::unique_ptr<Log>& log : logs) {
      if (log->log_end_offset() != kRecordsPerLog) {
        state.SkipWithError("runnel::Log: an idle log lost records");
        return;
      }
    }
    logs.clear();
    state.ResumeTiming();
  }
  MarkVerified(state);
  state.counters["logs"] = static_cast<double>(setup->idle_logs);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) *
                          setup->idle_logs);
}

// Opens every file of one log directory (opendir, readdir, open + fstat +
// close of each entry) and adds the .log files and their bytes to *logs and
// *bytes: the least any store must do to find a partition's files.
absl::Status StatLogDir(const std::string& dir, int64_t* logs, int64_t* bytes) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return absl::ErrnoToStatus(errno, "opendir " + dir);
  absl::Status s;
  while (struct dirent* e = ::readdir(d)) {
    const absl::string_view name(e->d_name);
    if (name == "." || name == "..") continue;
    const std::string path = absl::StrCat(dir, "/", name);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || ::fstat(fd, &st) != 0) {
      s = absl::ErrnoToStatus(errno, "open/fstat " + path);
      if (fd >= 0) ::close(fd);
      break;
    }
    ::close(fd);
    if (absl::EndsWith(name, format::kLogFileSuffix)) {
      ++*logs;
      *bytes += st.st_size;
    }
  }
  ::closedir(d);
  return s;
}

// The limit of BM_OpenIdleLogs_RunnelLog, over the same directories:
// StatLogDir of each.
void BM_OpenIdleLogs_RawOpen(benchmark::State& state) {
  absl::StatusOr<Setup> setup = MakeSetup();
  if (Failed(state, setup.status())) return;
  absl::StatusOr<std::vector<std::string>> dirs = MakeIdleLogs(*setup);
  if (Failed(state, dirs.status())) return;
  absl::StatusOr<std::string> batch =
      SmallBatch(setup->workload, kIdleLogRecordsPerBatch);
  if (Failed(state, batch.status())) return;
  for (auto _ : state) {
    int64_t logs = 0;
    int64_t bytes = 0;
    for (const std::string& dir : *dirs) {
      if (Failed(state, StatLogDir(dir, &logs, &bytes))) return;
    }
    if (logs != setup->idle_logs ||
        bytes != setup->idle_logs * kIdleLogBatches *
                     static_cast<int64_t>(batch->size())) {
      state.SkipWithError("raw open: wrong number or size of .log files");
      return;
    }
  }
  MarkVerified(state);
  state.counters["logs"] = static_cast<double>(setup->idle_logs);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) *
                          setup->idle_logs);
}

bool RegisterOpenCases() {
  Fixed(benchmark::RegisterBenchmark("BM_OpenIdleLogs_RunnelLog",
                                     BM_OpenIdleLogs_RunnelLog),
        kIdleLogOpenRounds);
  Fixed(benchmark::RegisterBenchmark("BM_OpenIdleLogs_RawOpen",
                                     BM_OpenIdleLogs_RawOpen),
        kIdleLogOpenRounds);
  return true;
}

[[maybe_unused]] const bool kRegistered = RegisterOpenCases();

}  // namespace
}  // namespace bench
}  // namespace runnel
