// kill -9 during out-of-order ingest (ooo_crash_writer) loses nothing
// acknowledged: after each kill the DB opens and every out-of-order sample
// of every acknowledged batch is there with its value (from the WBL, the
// out-of-order blocks, or both), then the next writer run continues in
// the same directory. With compaction running, kills also land in WBL
// cuts, block writes and WBL segment removals.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <string>

#include "db_test_util.h"
#include "gtest/gtest.h"
#include "strata/db.h"
#include "temp_dir.h"
#include "test_env.h"

namespace strata {
namespace {

constexpr int64_t kNow = 10 * 3600 * 1000;

// Runs the writer from batch `first` until it acknowledged `min_acks`
// batches (at most 60 s) and `extra_ms` more, kills it, and returns the
// last acknowledged batch (first - 1 if none).
int64_t RunAndKill(const std::string& dir, int64_t first, bool compact,
                   int min_acks, int extra_ms) {
  int fds[2];
  if (pipe(fds) != 0) return first - 1;
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    const std::string path =
        testing::BinaryDir() + "/tests/db/ooo_crash_writer";
    const std::string from = std::to_string(first);
    execl(path.c_str(), path.c_str(), dir.c_str(), from.c_str(),
          compact ? "1" : "0", nullptr);
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  int acks = 0;
  const auto drain = [&](int wait_ms) {
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, wait_ms) <= 0) return;
    char buf[65536];
    const ssize_t n = read(fds[0], buf, sizeof(buf));
    if (n <= 0) return;
    out.append(buf, n);
    acks += static_cast<int>(std::count(buf, buf + n, '\n'));
  };
  using Clock = std::chrono::steady_clock;
  const auto ack_deadline = Clock::now() + std::chrono::seconds(60);
  bool died = false;
  while (acks < min_acks && Clock::now() < ack_deadline) {
    drain(100);
    if (waitpid(pid, nullptr, WNOHANG) == pid) {
      died = true;
      break;
    }
  }
  const auto kill_at = Clock::now() + std::chrono::milliseconds(extra_ms);
  while (!died && Clock::now() < kill_at) drain(1);
  int status = 0;
  if (!died) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  char buf[65536];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof(buf))) > 0) out.append(buf, n);
  close(fds[0]);
  EXPECT_TRUE(!died && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "writer exited on its own";
  // The last complete line.
  if (out.empty() || out.back() != '\n') out.resize(out.rfind('\n') + 1);
  if (out.empty()) return first - 1;
  out.pop_back();
  return std::stoll(out.substr(out.rfind('\n') + 1));
}

// Every out-of-order sample of batches [0, last] is there, exactly once.
void CheckAcked(const std::string& dir, int64_t last, int round) {
  Options options;
  options.background_compaction = false;
  options.retention_ms = 0;
  options.dense_chunks = false;
  options.out_of_order_time_window_ms = 3600 * 1000;
  auto db = DB::Open(options, dir);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto all = testing::ReadAll(**db, {Matcher::Equal("__name__", "ooo")});
  ASSERT_EQ(all.size(), 1u);
  const std::vector<testing::TV>& got = all.begin()->second;
  // Sorted by time: sample n is at kNow - n - 1, so n descends.
  std::vector<bool> seen(static_cast<size_t>((last + 1) * 10), false);
  for (size_t i = 1; i < got.size(); ++i) {
    ASSERT_LT(got[i - 1].t, got[i].t) << "round " << round << ": duplicate";
  }
  for (const testing::TV& tv : got) {
    const int64_t n = kNow - tv.t - 1;
    ASSERT_EQ(tv.v, static_cast<double>(n)) << "round " << round;
    if (n < static_cast<int64_t>(seen.size())) seen[n] = true;
  }
  for (size_t n = 0; n < seen.size(); ++n) {
    ASSERT_TRUE(seen[n]) << "round " << round << ": lost sample " << n
                         << " of batch " << n / 10 << " (" << got.size()
                         << " samples, newest at kNow"
                         << (got.empty() ? 0 : got.back().t - kNow) << ")";
  }
}

void KillLoop(bool compact, int rounds) {
  testing::TempDir dir("strata-ooo-crash");
  std::mt19937 rng(42);
  int64_t next = 0;
  for (int round = 0; round < rounds; ++round) {
    const int extra_ms = std::uniform_int_distribution<int>(0, 150)(rng);
    const int64_t last = RunAndKill(dir.path(), next, compact, 5, extra_ms);
    ASSERT_GE(last, next) << "round " << round << ": nothing acknowledged";
    ASSERT_NO_FATAL_FAILURE(CheckAcked(dir.path(), last, round));
    next = last + 1;
  }
}

int Rounds(int full) { return testing::InCi() ? full : full / 3 + 1; }

TEST(DBOooCrashTest, KillNineKeepsAcknowledgedOutOfOrderSamples) {
  KillLoop(false, Rounds(15));
}

TEST(DBOooCrashTest, KillNineDuringOutOfOrderCompaction) {
  KillLoop(true, Rounds(15));
}

}  // namespace
}  // namespace strata
