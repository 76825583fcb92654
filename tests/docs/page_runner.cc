#include "page_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <thread>

#include "run_command.h"
#include "text_file.h"

namespace strata::docs {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kPoll{50};
// How long the page's processes get to exit after SIGTERM, then SIGKILL.
constexpr std::chrono::seconds kTermGrace{10};
constexpr std::chrono::seconds kKillGrace{5};

using strata::testing::ShellQuote;

// Reaps every exited child (the script, and the page's orphans that this
// subreaper inherited); sets *script_status when `script` is among them.
void ReapChildren(pid_t script, int* script_status, bool* script_exited) {
  int status = 0;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    if (pid == script) {
      *script_status = status;
      *script_exited = true;
    }
  }
}

bool GroupGone(pid_t group) { return kill(-group, 0) != 0 && errno == ESRCH; }

// Sends `sig` to the group and waits up to `grace` for all of it to exit.
bool SignalGroupAndWait(pid_t group, int sig, std::chrono::seconds grace,
                        pid_t script, int* status, bool* exited) {
  kill(-group, sig);
  const auto deadline = Clock::now() + grace;
  while (true) {
    ReapChildren(script, status, exited);
    if (GroupGone(group)) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPoll);
  }
}

// In the child: the process group, cwd, output and environment, then bash.
[[noreturn]] void ExecScript(const PageRunOptions& options,
                             const std::string& script_path,
                             const std::string& output_path) {
  setpgid(0, 0);
  const int out =
      open(output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (out < 0 || in < 0 || chdir(options.work_dir.c_str()) != 0) _exit(127);
  dup2(in, 0);
  dup2(out, 1);
  dup2(out, 2);
  std::vector<char*> env;
  for (const std::string& e : options.environment) {
    env.push_back(const_cast<char*>(e.c_str()));
  }
  env.push_back(nullptr);
  const char* argv[] = {"bash", "-euo", "pipefail", script_path.c_str(),
                        nullptr};
  execve("/bin/bash", const_cast<char* const*>(argv), env.data());
  _exit(127);
}

int ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

std::string BlockMarker(int index, const FencedBlock& block) {
  return "### docs: block " + std::to_string(index + 1) + " (line " +
         std::to_string(block.line) + ")";
}

std::string PageScript(const std::vector<FencedBlock>& blocks,
                       const std::string& progress_path) {
  std::string script = "set -euo pipefail\n";
  for (size_t i = 0; i < blocks.size(); ++i) {
    const int index = static_cast<int>(i);
    script += "echo " + std::to_string(index) + " > " +
              ShellQuote(progress_path) + "\n";
    script += "echo " + ShellQuote(BlockMarker(index, blocks[i])) + "\n";
    script += blocks[i].body;
  }
  return script;
}

PageRunResult RunPage(const std::vector<FencedBlock>& blocks,
                      const PageRunOptions& options) {
  const std::string script_path = options.scratch_dir + "/page.sh";
  const std::string output_path = options.scratch_dir + "/output.txt";
  const std::string progress_path = options.scratch_dir + "/progress";
  testing::WriteFile(script_path, PageScript(blocks, progress_path));
  testing::WriteFile(progress_path, "-1\n");
  // Background processes outlive bash; as their subreaper this process can
  // reap them once they are killed.
  prctl(PR_SET_CHILD_SUBREAPER, 1);

  PageRunResult result;
  const pid_t pid = fork();
  if (pid < 0) {
    result.output = "fork failed";
    return result;
  }
  if (pid == 0) ExecScript(options, script_path, output_path);
  setpgid(pid, pid);  // Also here: no race with the first kill below.

  int status = 0;
  bool exited = false;
  const auto deadline = Clock::now() + options.timeout;
  while (!exited) {
    ReapChildren(pid, &status, &exited);
    if (exited) break;
    if (Clock::now() >= deadline) {
      result.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(kPoll);
  }
  // The script is done (or out of time): end what it left running.
  if (!SignalGroupAndWait(pid, SIGTERM, kTermGrace, pid, &status, &exited)) {
    SignalGroupAndWait(pid, SIGKILL, kKillGrace, pid, &status, &exited);
  }
  result.exit_code = exited && !result.timed_out ? ExitCode(status) : -1;
  result.output = testing::ReadFileOrEmpty(output_path);
  result.last_block =
      std::atoi(testing::ReadFileOrEmpty(progress_path).c_str());
  return result;
}

}  // namespace strata::docs
