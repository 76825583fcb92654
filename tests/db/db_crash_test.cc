// kill -9 at random moments while a child commits with fsync `always`;
// after every kill the data dir must reopen with every sample whose Commit
// had returned. Rounds: STRATA_CRASH_ROUNDS (default 50; `make soak` runs
// more).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "db_test_util.h"
#include "strata/db.h"
#include "test_env.h"

namespace strata {
namespace {

std::string WriterPath() {
  return testing::BinaryDir() + "/tests/db/crash_writer";
}

// Starts the writer, kills it after `delay_ms`, returns its stdout.
std::string RunAndKill(const std::string& dir, int delay_ms, int64_t step_ms,
                       bool compact) {
  int fds[2];
  if (pipe(fds) != 0) return "";
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    const std::string path = WriterPath();
    const std::string step = std::to_string(step_ms);
    execl(path.c_str(), path.c_str(), dir.c_str(), step.c_str(),
          compact ? "1" : "0", nullptr);
    _exit(127);
  }
  close(fds[1]);
  // Drain the pipe while waiting, so the writer never blocks on it.
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  std::string out;
  char buf[65536];
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(delay_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    ssize_t n = read(fds[0], buf, sizeof(buf));
    if (n > 0)
      out.append(buf, n);
    else
      usleep(1000);
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  fcntl(fds[0], F_SETFL, 0);
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof(buf))) > 0) out.append(buf, n);
  close(fds[0]);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "writer exited early with status " << status;
  return out;
}

// Kills the writer `rounds` times; after each kill, every acknowledged
// batch must be readable with its exact values.
void KillLoop(int rounds, int64_t step_ms, bool compact) {
  testing::TempDir dir;
  std::mt19937 rng(std::random_device{}());
  std::set<std::pair<int, int64_t>> acked;
  int64_t total_kills = 0;
  for (int round = 0; round < rounds; ++round) {
    const int delay = std::uniform_int_distribution<int>(5, 120)(rng);
    std::istringstream lines(RunAndKill(dir.path(), delay, step_ms, compact));
    int thread;
    int64_t batch;
    while (lines >> thread >> batch) acked.insert({thread, batch});
    ++total_kills;

    Options options;
    options.background_compaction = false;
    options.retention_ms = 0;
    auto db = DB::Open(options, dir.path());
    ASSERT_TRUE(db.ok()) << "round " << round << ": " << db.status().ToString();
    ASSERT_TRUE((*db)->replay_report().corruption.ok())
        << (*db)->replay_report().corruption.ToString();
    auto crash = testing::ReadAll(**db, {Matcher::Equal("__name__", "crash")});
    auto fresh =
        testing::ReadAll(**db, {Matcher::Equal("__name__", "crash_new")});
    for (const auto& [k, b] : acked) {
      for (int i = 0; i < 20; ++i) {
        const auto& samples =
            crash[absl::StrCat("crash{s=\"", i, "\", thread=\"", k, "\"}")];
        auto it = std::lower_bound(
            samples.begin(), samples.end(), b * step_ms,
            [](const testing::TV& tv, int64_t t) { return tv.t < t; });
        ASSERT_TRUE(it != samples.end() && it->t == b * step_ms)
            << "round " << round << ": lost thread " << k << " batch " << b
            << " series " << i;
        ASSERT_EQ(it->v, static_cast<double>(b * 100 + i));
      }
      if (b % 10 == 0) {
        const auto& s =
            fresh[absl::StrCat("crash_new{b=\"", b, "\", thread=\"", k, "\"}")];
        ASSERT_EQ(s.size(), 1u) << "lost new series of batch " << b;
      }
    }
    ASSERT_TRUE((*db)->Close().ok());
  }
  EXPECT_EQ(total_kills, rounds);
  EXPECT_GT(acked.size(),
            static_cast<size_t>(rounds));  // The writer made progress.
  std::printf(
      "crash test: %d kill -9 rounds%s, %zu acknowledged batches verified\n",
      rounds, compact ? " during compaction and snapshots" : "", acked.size());
}

int Rounds(int fallback) {
  const char* env = std::getenv("STRATA_CRASH_ROUNDS");
  return env ? std::atoi(env) : fallback;
}

TEST(DBCrashTest, KillNineNeverLosesAcknowledgedSamples) {
  KillLoop(Rounds(50), 1000, false);
}

// Batches 5 minutes apart make the head span several block ranges within
// a round, so kills land in head persistence, compaction, WAL checkpoints
// and snapshots.
TEST(DBCrashTest, KillNineDuringCompactionAndSnapshot) {
  KillLoop(Rounds(25), 5 * 60 * 1000, true);
}

}  // namespace
}  // namespace strata
