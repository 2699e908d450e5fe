// machine.h: /proc, uname and mountinfo.
#include "benchmarks/reporter/machine.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace runnel {
namespace report {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The value of the first "key<spaces>: value" line of a /proc file.
std::string Field(const std::string& text, absl::string_view key) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::StartsWith(line, key)) continue;
    std::vector<absl::string_view> kv = absl::StrSplit(line, ':');
    if (kv.size() < 2) continue;
    if (absl::StripAsciiWhitespace(kv[0]) != key) continue;
    return std::string(
        absl::StripAsciiWhitespace(line.substr(kv[0].size() + 1)));
  }
  return "";
}

std::string Cpu() {
  const std::string cpuinfo = Slurp("/proc/cpuinfo");
  std::string model = Field(cpuinfo, "model name");
  if (model.empty()) model = "unknown CPU";
  const std::string mhz = Field(cpuinfo, "cpu MHz");
  double mhz_value = 0;
  if (absl::SimpleAtod(mhz, &mhz_value)) {
    absl::StrAppend(&model, absl::StrFormat(" (%.0f MHz)", mhz_value));
  }
  const std::string flags = Field(cpuinfo, "flags");
  if (absl::StrContains(absl::StrCat(" ", flags, " "), " hypervisor ")) {
    absl::StrAppend(&model, ", virtual machine");
  }
  return model;
}

std::string Memory() {
  // "MemTotal:       24576000 kB"
  const std::string field = Field(Slurp("/proc/meminfo"), "MemTotal");
  absl::string_view total = field;
  absl::ConsumeSuffix(&total, " kB");
  double kib = 0;
  if (!absl::SimpleAtod(total, &kib)) return "unknown";
  return absl::StrFormat("%.1f GiB", kib / (1 << 20));
}

std::string Kernel() {
  struct utsname u;
  if (::uname(&u) != 0) return "unknown";
  return absl::StrCat(u.sysname, " ", u.release, " ", u.machine);
}

}  // namespace

std::string DescribeMount(const std::string& mountinfo,
                          const std::string& path) {
  // 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=..
  std::string best_point;
  std::string best;
  for (absl::string_view line : absl::StrSplit(mountinfo, '\n')) {
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    size_t dash = 0;
    while (dash < f.size() && f[dash] != "-") ++dash;
    if (f.size() < 6 || dash + 2 >= f.size()) continue;
    const std::string& point = f[4];
    const bool covers =
        path == point || point == "/" || absl::StartsWith(path, point + "/");
    if (!covers || point.size() < best_point.size()) continue;
    best_point = point;
    best = absl::StrCat(f[dash + 1], " on ", f[dash + 2], " at ", point, " (",
                        f[5], ")");
  }
  return best.empty() ? "unknown" : best;
}

MachineInfo DescribeMachine(const std::string& bench_dir) {
  MachineInfo m;
  m.cpu = Cpu();
  m.cores = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
  m.memory = Memory();
  m.kernel = Kernel();
  char resolved[PATH_MAX];
  const std::string path =
      ::realpath(bench_dir.c_str(), resolved) != nullptr ? resolved : bench_dir;
  m.file_system = absl::StrCat(
      path, ": ", DescribeMount(Slurp("/proc/self/mountinfo"), path));
  return m;
}

std::string LoadAverage() {
  std::vector<std::string> f =
      absl::StrSplit(Slurp("/proc/loadavg"), ' ', absl::SkipEmpty());
  if (f.size() < 3) return "unknown";
  return absl::StrCat(f[0], " ", f[1], " ", f[2]);
}

}  // namespace report
}  // namespace runnel
