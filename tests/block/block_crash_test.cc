// kill -9 at random moments while a child writes blocks in a loop: the
// directory must never hold a half-written block. Every ULID directory is
// a complete block with exactly the written samples (including every block
// whose Write had returned); anything else is a `.tmp-for-creation`
// directory, which RemoveTmpBlockDirs removes.
// Rounds: STRATA_BLOCK_CRASH_ROUNDS (default 20).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <random>
#include <set>
#include <sstream>

#include "block/block.h"
#include "block/block_dir.h"
#include "query_test_util.h"

namespace strata {
namespace {

std::string WriterPath() {
  const char* bin = std::getenv("STRATA_BINARY_DIR");
  return std::string(bin != nullptr ? bin : STRATA_BLOCK_TEST_BINARY_DIR) +
         "/tests/block/block_crash_writer";
}

// Reads what is available from non-blocking `fd` into *out until
// `deadline`, or until `stop` (if set) returns true.
void ReadUntil(int fd, std::chrono::steady_clock::time_point deadline,
               const std::function<bool(const std::string&)>& stop,
               std::string* out) {
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    if (stop && stop(*out)) return;
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n > 0) {
      out->append(buf, static_cast<size_t>(n));
    } else {
      usleep(500);
    }
  }
}

// Starts the writer, waits until it has acknowledged its first block (a
// bounded wait: under a sanitizer or a loaded machine it may take seconds
// to start), kills it `delay_ms` later; returns its stdout. Each round
// thus tests something: at least one acknowledged block must be there.
std::string RunAndKill(const std::string& dir, int delay_ms) {
  int fds[2];
  if (pipe(fds) != 0) return "";
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    const std::string path = WriterPath();
    execl(path.c_str(), path.c_str(), dir.c_str(), nullptr);
    _exit(127);
  }
  close(fds[1]);
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  std::string out;
  constexpr auto kStartTimeout = std::chrono::seconds(60);
  ReadUntil(
      fds[0], std::chrono::steady_clock::now() + kStartTimeout,
      [](const std::string& o) { return o.find('\n') != std::string::npos; },
      &out);
  EXPECT_NE(out.find('\n'), std::string::npos)
      << "the writer acknowledged no block within " << kStartTimeout.count()
      << " s";
  ReadUntil(
      fds[0],
      std::chrono::steady_clock::now() + std::chrono::milliseconds(delay_ms),
      nullptr, &out);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  fcntl(fds[0], F_SETFL, 0);
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof(buf))) > 0) {
    out.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "writer exited early, status " << status;
  return out;
}

TEST(BlockCrashTest, KillDuringWritesLeavesNoHalfBlock) {
  const char* env = std::getenv("STRATA_BLOCK_CRASH_ROUNDS");
  const int rounds = env != nullptr ? std::atoi(env) : 20;
  testing::TempDir dir;
  FileSystem* fs = FileSystem::Default();
  const testing::SeriesSamples want = testing::CrashTestSeries();
  std::mt19937 rng(std::random_device{}());
  int tmp_dirs_seen = 0, blocks_checked = 0;
  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const int delay = 20 + static_cast<int>(rng() % 400);
    const std::string out = RunAndKill(dir.path(), delay);
    std::set<std::string> acknowledged;
    std::istringstream lines(out);
    for (std::string l; std::getline(lines, l);) acknowledged.insert(l);

    auto names = fs->ListDir(dir.path());
    ASSERT_TRUE(names.ok());
    for (const std::string& n : *names) {
      if (IsTmpBlockDirName(n)) {
        ++tmp_dirs_seen;
        continue;
      }
      ASSERT_TRUE(IsBlockDirName(n)) << "unexpected entry " << n;
      auto block = Block::Open(fs, JoinPath(dir.path(), n));
      ASSERT_TRUE(block.ok()) << block.status().ToString();
      Status v = (*block)->Verify();
      ASSERT_TRUE(v.ok()) << v.ToString();
      ASSERT_EQ(testing::ReadAll({*block}), want) << n;
      ++blocks_checked;
      acknowledged.erase(n);
      // Checked; keep the directory small.
      ASSERT_TRUE(fs->RemoveAll(JoinPath(dir.path(), n)).ok());
    }
    EXPECT_TRUE(acknowledged.empty())
        << "a block whose Write returned is missing: " << *acknowledged.begin();
    auto removed = RemoveTmpBlockDirs(fs, dir.path());
    ASSERT_TRUE(removed.ok());
    EXPECT_TRUE(fs->ListDir(dir.path())->empty());
  }
  // Kills landed both between and during writes.
  EXPECT_GT(blocks_checked, 0);
  EXPECT_GT(tmp_dirs_seen, 0);
  std::printf("%d rounds: %d complete blocks checked, %d tmp dirs removed\n",
              rounds, blocks_checked, tmp_dirs_seen);
}

}  // namespace
}  // namespace strata
