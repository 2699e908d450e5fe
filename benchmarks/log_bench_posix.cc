// log_bench_posix.h: errno as a Status, recursive removal of bench files.
#include "benchmarks/log_bench_posix.h"

#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>

#include "absl/strings/str_cat.h"

namespace runnel {
namespace bench {
namespace posix {

absl::Status Error(int error, absl::string_view op, absl::string_view path) {
  return absl::ErrnoToStatus(error, absl::StrCat(op, " ", path));
}

namespace {
int RemoveEntry(const char* path, const struct stat*, int, struct FTW*) {
  ::remove(path);
  return 0;  // keep going whatever happened
}
}  // namespace

void RemoveTree(const std::string& path) {
  ::nftw(path.c_str(), RemoveEntry, 16, FTW_DEPTH | FTW_PHYS);
}

}  // namespace posix
}  // namespace bench
}  // namespace runnel
