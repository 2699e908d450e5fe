// The machine a report was measured on, as the report prints it: CPU model,
// cores, RAM, kernel, the file system holding the bench files, load.
//
//   MachineInfo m = DescribeMachine("/tmp");
//   out << m.cpu << ", " << m.cores << " cores";
//
// Everything comes from /proc, uname(2), statfs(2) and
// /proc/self/mountinfo; a field that cannot be read says "unknown".
//
// Thread-safety: pure functions (they read the system's files).
#ifndef RUNNEL_BENCHMARKS_REPORTER_MACHINE_H_
#define RUNNEL_BENCHMARKS_REPORTER_MACHINE_H_

#include <string>

namespace runnel {
namespace report {

struct MachineInfo {
  std::string cpu;          // "AMD EPYC ... (2596 MHz), virtual machine"
  int cores = 0;            // online CPUs
  std::string memory;       // "23.4 GiB"
  std::string kernel;       // "Linux 6.18.0 x86_64"
  std::string file_system;  // "ext4 on /dev/vda at / (rw,relatime,...)"
};

// `bench_dir`: the directory whose file system is described.
MachineInfo DescribeMachine(const std::string& bench_dir);

// The 1, 5 and 15 minute load averages ("0.52 0.71 1.20").
std::string LoadAverage();

// A file system line of /proc/self/mountinfo, and the path it is for:
// "<fstype> on <source> at <mount point> (<options>)". Exposed for tests.
std::string DescribeMount(const std::string& mountinfo,
                          const std::string& path);

}  // namespace report
}  // namespace runnel

#endif  // RUNNEL_BENCHMARKS_REPORTER_MACHINE_H_
