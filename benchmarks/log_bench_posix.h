// Small POSIX helpers shared by the log_bench_peers sources: errno as an
// absl::Status, and recursive removal of bench files. Internal to
// benchmarks/ (//benchmarks:log_bench_posix).
//
// Thread-safe: pure functions (errno is thread-local).
#ifndef RUNNEL_BENCHMARKS_LOG_BENCH_POSIX_H_
#define RUNNEL_BENCHMARKS_LOG_BENCH_POSIX_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace runnel {
namespace bench {
namespace posix {

// "<op> <path>: <strerror(error)>" with the matching status code.
absl::Status Error(int error, absl::string_view op, absl::string_view path);

// Removes `path` and, if it is a directory, everything under it. Best
// effort (for destructors): errors are ignored.
void RemoveTree(const std::string& path);

}  // namespace posix
}  // namespace bench
}  // namespace runnel

#endif  // RUNNEL_BENCHMARKS_LOG_BENCH_POSIX_H_
