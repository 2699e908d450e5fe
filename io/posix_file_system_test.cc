// Copyright 2026 The Runnel Authors.
//
// POSIX-only behaviour: locks against other processes (fork), lock release
// when the holder dies, close-on-exec descriptors, huge-page advice.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
#include "runnel/file_system.h"

namespace runnel {
namespace {

using ::runnel::testing::ScratchDir;
using ::runnel::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using Code = absl::StatusCode;

TEST(PosixFileSystemTest, DefaultIsOneProcessWideObject) {
  EXPECT_NE(FileSystem::Default(), nullptr);
  EXPECT_EQ(FileSystem::Default(), FileSystem::Default());
}

// Runs `child` in a forked process and returns its exit status (0..255),
// or -1 if it did not exit normally.
template <typename Fn>
int RunInChild(Fn child) {
  const pid_t pid = fork();
  if (pid == 0) _exit(child());
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(PosixFileSystemTest, AnotherProcessCannotTakeTheLock) {
  ScratchDir dir;
  FileSystem* fs = FileSystem::Default();
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DirLock> lock, fs->LockDir(dir.path()));
  const std::string parent = absl::StrCat("process ", getpid());
  const int exit_code = RunInChild([&] {
    absl::StatusOr<std::unique_ptr<DirLock>> second =
        NewPosixFileSystem()->LockDir(dir.path());
    if (second.ok()) return 1;
    if (second.status().code() != Code::kFailedPrecondition) return 2;
    if (!absl::StrContains(second.status().message(), parent)) return 3;
    if (!absl::StrContains(second.status().message(), dir.path())) return 4;
    return 0;
  });
  EXPECT_EQ(exit_code, 0);
}

TEST(PosixFileSystemTest, LockHeldByAChildNamesItAndDiesWithIt) {
  ScratchDir dir;
  int to_parent[2];
  int to_child[2];
  ASSERT_EQ(pipe2(to_parent, O_CLOEXEC), 0);
  ASSERT_EQ(pipe2(to_child, O_CLOEXEC), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    absl::StatusOr<std::unique_ptr<DirLock>> lock =
        FileSystem::Default()->LockDir(dir.path());
    const char ready = lock.ok() ? 'y' : 'n';
    (void)!write(to_parent[1], &ready, 1);
    char go;
    (void)!read(to_child[0], &go, 1);
    _exit(0);  // Dies holding the lock: the kernel must release it.
  }
  char ready = 0;
  ASSERT_EQ(read(to_parent[0], &ready, 1), 1);
  ASSERT_EQ(ready, 'y');
  EXPECT_THAT(FileSystem::Default()->LockDir(dir.path()).status(),
              StatusIs(Code::kFailedPrecondition,
                       AllOf(HasSubstr(dir.path()),
                             HasSubstr(absl::StrCat("process ", child)))));
  ASSERT_EQ(write(to_child[1], "g", 1), 1);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  RUNNEL_EXPECT_OK(FileSystem::Default()->LockDir(dir.path()).status());
  for (int fd : {to_parent[0], to_parent[1], to_child[0], to_child[1]}) {
    close(fd);
  }
}

std::set<int> OpenDescriptors() {
  std::set<int> fds;
  DIR* d = opendir("/proc/self/fd");
  if (d == nullptr) return fds;
  while (const dirent* entry = readdir(d)) {
    int fd;
    if (absl::SimpleAtoi(entry->d_name, &fd) && fd != dirfd(d)) {
      fds.insert(fd);
    }
  }
  closedir(d);
  return fds;
}

TEST(PosixFileSystemTest, EveryDescriptorIsCloseOnExec) {
  ScratchDir dir;
  FileSystem* fs = FileSystem::Default();
  const std::set<int> before = OpenDescriptors();
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<File> file,
      fs->OpenFile(dir.path() + "/f", OpenOptions::CreateNew()));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DirLock> lock, fs->LockDir(dir.path()));
  const std::set<int> after = OpenDescriptors();
  int new_descriptors = 0;
  for (int fd : after) {
    if (before.count(fd) != 0) continue;
    ++new_descriptors;
    EXPECT_NE(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0) << "fd " << fd;
  }
  EXPECT_EQ(new_descriptors, 2);
}

TEST(PosixFileSystemTest, ReserveAllocatesBlocks) {
  ScratchDir dir;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<File> file,
                       FileSystem::Default()->OpenFile(
                           dir.path() + "/f", OpenOptions::CreateNew()));
  RUNNEL_ASSERT_OK(file->Reserve(0, 1 << 20));
  struct stat st;
  ASSERT_EQ(stat((dir.path() + "/f").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 1 << 20);
  // Allocated, not sparse (st_blocks counts 512-byte units).
  EXPECT_GE(static_cast<int64_t>(st.st_blocks) * 512, 1 << 20);
}

// The VmFlags line of /proc/self/smaps for the mapping that holds `at`
// ("" if none).
std::string VmFlagsOf(const void* at) {
  std::ifstream smaps("/proc/self/smaps");
  const uintptr_t address = reinterpret_cast<uintptr_t>(at);
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    uint64_t start, end;
    const size_t dash = line.find('-');
    const size_t space = line.find(' ');
    if (dash != std::string::npos && space != std::string::npos &&
        dash < space && absl::SimpleHexAtoi(line.substr(0, dash), &start) &&
        absl::SimpleHexAtoi(line.substr(dash + 1, space - dash - 1), &end)) {
      inside = start <= address && address < end;
      continue;
    }
    if (inside && absl::StartsWith(line, "VmFlags:")) return line;
  }
  return "";
}

// Growable read-write mappings (files being appended to) are aligned for
// huge pages, and get them where AdviseHugePages asks (also past the
// current size, up to the capacity), not elsewhere; read-only ones never.
TEST(PosixFileSystemTest, GrowableWritableMappingsTakeHugePagesWhereAdvised) {
  std::ifstream thp("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string mode;
  if (!std::getline(thp, mode) || absl::StrContains(mode, "[never]")) {
    GTEST_SKIP() << "no transparent huge pages here";
  }
  ScratchDir dir;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<File> file,
                       FileSystem::Default()->OpenFile(
                           dir.path() + "/f", OpenOptions::CreateNew()));
  RUNNEL_ASSERT_OK(file->Reserve(0, 8 << 20));
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<MappedRegion> rw,
      file->MapGrowable(0, 4 << 20, 64 << 20, MapMode::kReadWrite));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(rw->data()) % (2 << 20), 0u);
  EXPECT_THAT(VmFlagsOf(rw->data()), Not(HasSubstr(" hg")));
  RUNNEL_ASSERT_OK(rw->AdviseHugePages(2 << 20, 62 << 20));
  RUNNEL_ASSERT_OK(rw->Grow(8 << 20));
  EXPECT_THAT(VmFlagsOf(rw->data()), Not(HasSubstr(" hg")));
  EXPECT_THAT(VmFlagsOf(rw->data() + (2 << 20)), HasSubstr(" hg"));
  EXPECT_THAT(VmFlagsOf(rw->data() + (6 << 20)), HasSubstr(" hg"));
  EXPECT_FALSE(rw->AdviseHugePages(0, 65 << 20).ok());  // past capacity
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MappedRegion> ro,
                       file->Map(0, 8 << 20, MapMode::kReadOnly));
  EXPECT_THAT(VmFlagsOf(ro->data()), Not(HasSubstr(" hg")));
}

}  // namespace
}  // namespace runnel
