// runner.h: posix_spawn a bench binary, wait with a deadline, read its JSON.
#include "benchmarks/reporter/runner.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

extern char** environ;

namespace runnel {
namespace report {
namespace {

// Our environment with `overrides` replacing or adding variables.
std::vector<std::string> ChildEnv(
    const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const absl::string_view entry(*e);
    bool replaced = false;
    for (const auto& [name, value] : overrides) {
      replaced = replaced || absl::StartsWith(entry, name + "=");
    }
    if (!replaced) env.emplace_back(entry);
  }
  for (const auto& [name, value] : overrides) {
    env.push_back(absl::StrCat(name, "=", value));
  }
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(&s[0]);
  out.push_back(nullptr);
  return out;
}

// Starts argv with `env`, stdout and stderr to `log_path`.
absl::StatusOr<pid_t> Spawn(std::vector<std::string> argv,
                            std::vector<std::string> env,
                            const std::string& log_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<char*> args = CStrings(argv);
  std::vector<char*> vars = CStrings(env);
  pid_t pid = -1;
  const int error =
      ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), vars.data());
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    return absl::ErrnoToStatus(error, absl::StrCat("posix_spawn ", argv[0]));
  }
  return pid;
}

// Waits for `pid` until `deadline`, then SIGKILLs it. "" if it exited 0,
// else what went wrong.
std::string Wait(pid_t pid, absl::Time deadline) {
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) {
      return absl::StrCat("waitpid: ", ::strerror(errno));
    }
    if (absl::Now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return "timed out (killed)";
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
  if (WIFEXITED(status))
    return absl::StrCat("exit status ", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return absl::StrCat("killed by signal ", WTERMSIG(status), " (",
                        ::strsignal(WTERMSIG(status)), ")");
  }
  return "ended oddly";
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  *out = text.str();
  return true;
}

// The last non-empty line of `text` (a failed process's last words).
std::string LastLine(const std::string& text) {
  std::string last;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::StripAsciiWhitespace(line).empty()) last = std::string(line);
  }
  return last;
}

std::vector<std::string> Histograms(const std::string& log) {
  std::vector<std::string> out;
  for (absl::string_view line : absl::StrSplit(log, '\n')) {
    if (absl::StartsWith(line, "histogram ")) out.emplace_back(line);
  }
  return out;
}

// The result of `spec.bench_case` in the JSON at `json_path`, given how the
// process ended (`failure`, "" = exit 0).
CaseResult ReadResult(const RunSpec& spec, const std::string& json_path,
                      const std::string& failure, const std::string& log) {
  CaseResult result;
  result.name = spec.bench_case;
  std::string json;
  absl::StatusOr<std::vector<CaseResult>> cases =
      ReadFile(json_path, &json) ? ParseBenchmarkJson(json)
                                 : absl::NotFoundError("no JSON output");
  if (cases.ok()) {
    for (CaseResult& c : *cases) {
      if (c.name == spec.bench_case) result = std::move(c);
    }
  }
  if (!failure.empty()) {
    result.failure = absl::StrCat(failure, ": ", LastLine(log));
  } else if (!cases.ok()) {
    result.failure = std::string(cases.status().message());
  } else if (result.runs.empty()) {
    result.failure = "the case did not run: " + LastLine(log);
  }
  return result;
}

}  // namespace

std::vector<std::string> CaseArgv(const RunSpec& spec,
                                  const RunnerOptions& options,
                                  const std::string& json_path) {
  return {
      absl::StrCat(options.bin_dir, "/", spec.binary),
      absl::StrCat("--benchmark_filter=", CaseFilter(spec.bench_case)),
      absl::StrCat("--benchmark_repetitions=", spec.repetitions),
      absl::StrCat("--benchmark_min_time=", options.sizes.min_time_s),
      absl::StrCat("--benchmark_out=", json_path),
      "--benchmark_out_format=json",
  };
}

RunOutput RunCase(const RunSpec& spec, int index,
                  const RunnerOptions& options) {
  RunOutput out;
  const std::string json_path =
      absl::StrCat(options.work_dir, "/", index, ".json");
  out.log_path = absl::StrCat(options.work_dir, "/", index, ".log");
  std::vector<std::pair<std::string, std::string>> env =
      SizeEnv(options.sizes, spec.value_bytes);
  env.emplace_back("RUNNEL_BENCH_DIR", options.bench_dir);
  // The open cases build 10,000 logs once per value size, not per process.
  env.emplace_back("RUNNEL_BENCH_IDLE_LOGS_DIR", options.work_dir);
  env.insert(env.end(), spec.env.begin(), spec.env.end());
  const absl::Time start = absl::Now();
  absl::StatusOr<pid_t> pid =
      Spawn(CaseArgv(spec, options, json_path), ChildEnv(env), out.log_path);
  std::string failure;
  if (!pid.ok()) {
    failure = std::string(pid.status().message());
  } else {
    failure = Wait(*pid, start + options.timeout);
  }
  out.elapsed = absl::Now() - start;
  std::string log;
  ReadFile(out.log_path, &log);
  out.result = ReadResult(spec, json_path, failure, log);
  out.histograms = Histograms(log);
  return out;
}

}  // namespace report
}  // namespace runnel
