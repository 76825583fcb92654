// kill -9 at random moments while a child commits with fsync `always`;
// after every kill the data dir must reopen with every sample whose Commit
// had returned. Rounds: STRATA_CRASH_ROUNDS (default 50 and 25; `make soak`
// runs 1,000).
//
// Every round must test something: the writer is killed only after it has
// acknowledged a random number of batches in this round (then after a
// random extra delay, so kills still land anywhere: in appends, head
// persistence, compaction, WAL checkpoints, snapshots). A writer that
// acknowledges nothing within kAckTimeout fails the test. The compaction
// test also checks that the head keeps being truncated throughout the run
// and that retention keeps the data directory bounded.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "db_test_util.h"
#include "strata/db.h"
#include "test_env.h"

namespace strata {
namespace {

constexpr auto kAckTimeout = std::chrono::seconds(60);

std::string WriterPath() {
  return testing::BinaryDir() + "/tests/db/crash_writer";
}

struct WriterRun {
  int64_t step_ms = 1000;
  bool compact = false;
  int64_t retention_ms = 0;  // 0: none.
  // > 0: one writer closing and reopening the DB (shutdown snapshot)
  // after every this many batches.
  int64_t close_every = 0;
  // Options::head_chunks_on_disk, for the writer and the verifier.
  bool head_chunks = false;
  // Whether the verifier's Close writes a shutdown snapshot (which the
  // next open prefers to the head-chunk files).
  bool verifier_snapshots = true;
};

struct Round {
  std::string out;  // "<thread> <batch>" lines, one per acknowledged batch.
  int acks = 0;
  bool timed_out = false;  // Nothing acknowledged within kAckTimeout.
};

// Reads what is available on `fd` into `round` within `wait_ms`.
void Drain(int fd, int wait_ms, Round* round) {
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, wait_ms) <= 0) return;
  char buf[65536];
  const ssize_t n = read(fd, buf, sizeof(buf));
  if (n <= 0) return;
  round->out.append(buf, n);
  round->acks += static_cast<int>(std::count(buf, buf + n, '\n'));
}

// Starts the writer, waits until it has acknowledged `min_acks` batches
// (at most kAckTimeout), lets it run `extra_ms` more, then kills it.
Round RunAndKill(const std::string& dir, const WriterRun& w, int min_acks,
                 int extra_ms) {
  Round round;
  int fds[2];
  if (pipe(fds) != 0) return round;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    const std::string path = WriterPath();
    const std::string step = std::to_string(w.step_ms);
    const std::string retention = std::to_string(w.retention_ms);
    const std::string close_every = std::to_string(w.close_every);
    execl(path.c_str(), path.c_str(), dir.c_str(), step.c_str(),
          w.compact ? "1" : "0", retention.c_str(), close_every.c_str(),
          w.head_chunks ? "1" : "0", nullptr);
    _exit(127);
  }
  close(fds[1]);
  using Clock = std::chrono::steady_clock;
  const auto ack_deadline = Clock::now() + kAckTimeout;
  while (round.acks < min_acks && Clock::now() < ack_deadline) {
    Drain(fds[0], 100, &round);
    if (waitpid(pid, nullptr, WNOHANG) == pid) {  // Died on its own.
      pid = -1;
      break;
    }
  }
  round.timed_out = round.acks == 0;
  const auto kill_at = Clock::now() + std::chrono::milliseconds(extra_ms);
  while (pid > 0 && Clock::now() < kill_at) Drain(fds[0], 1, &round);
  int status = 0;
  if (pid > 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  ssize_t n;
  char buf[65536];
  while ((n = read(fds[0], buf, sizeof(buf))) > 0) {
    round.out.append(buf, n);
    round.acks += static_cast<int>(std::count(buf, buf + n, '\n'));
  }
  close(fds[0]);
  EXPECT_TRUE(pid > 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "writer exited early with status " << status;
  return round;
}

// Every acknowledged batch at or after `from_t` must be readable with its
// exact values.
void CheckAcked(DB& db, const std::set<std::pair<int, int64_t>>& acked,
                int64_t step_ms, int round) {
  auto crash = testing::ReadAll(db, {Matcher::Equal("__name__", "crash")});
  auto fresh = testing::ReadAll(db, {Matcher::Equal("__name__", "crash_new")});
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
}

int64_t WalSegments(const std::string& dir) {
  int64_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/wal")) {
    if (e.is_regular_file() && e.path().filename().string().find_first_not_of(
                                   "0123456789") == std::string::npos) {
      ++n;
    }
  }
  return n;
}

// What the rounds did, to prove they kept testing something.
struct Work {
  int64_t acked_batches = 0;
  std::vector<int> truncation_rounds;  // Rounds after which head mint grew.
  int64_t max_wal_segments = 0;
  int64_t max_blocks = 0;
  // Verifier opens that loaded a shutdown snapshot, and snapshots found
  // unusable (e.g. stale after a checkpoint).
  int snapshot_loads = 0;
  int snapshots_discarded = 0;
  // Kills that left a partially written shutdown snapshot.
  int partial_snapshots = 0;
  // Verifier opens that attached chunks from chunks_head/, and that found
  // (and cut) a damaged head-chunk file.
  int mapped_chunk_loads = 0;
  int mapped_chunk_damage = 0;
};

bool HasPartialSnapshot(const std::string& dir) {
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with("head_snapshot.") && name.ends_with(".tmp")) {
      return true;
    }
  }
  return false;
}

// Kills the writer `rounds` times; after each kill, every acknowledged
// batch (within retention) must be readable with its exact values.
Work KillLoop(int rounds, const WriterRun& w) {
  testing::TempDir dir;
  std::mt19937 rng(std::random_device{}());
  std::set<std::pair<int, int64_t>> acked;
  int64_t max_acked_t = 0;
  int64_t head_mint = INT64_MIN;
  Work work;
  for (int round = 0; round < rounds; ++round) {
    const int min_acks = std::uniform_int_distribution<int>(1, 40)(rng);
    const int extra_ms = std::uniform_int_distribution<int>(0, 40)(rng);
    Round r = RunAndKill(dir.path(), w, min_acks, extra_ms);
    EXPECT_FALSE(r.timed_out)
        << "round " << round << ": the writer acknowledged nothing in "
        << kAckTimeout.count() << " s";
    if (r.timed_out) return work;
    work.acked_batches += r.acks;
    work.partial_snapshots += HasPartialSnapshot(dir.path()) ? 1 : 0;
    std::istringstream lines(r.out);
    int thread;
    int64_t batch;
    while (lines >> thread >> batch) {
      acked.insert({thread, batch});
      max_acked_t = std::max(max_acked_t, batch * w.step_ms);
    }
    // Retention may have dropped older blocks: only what is within it
    // must still be there. A block goes when its newest sample is older
    // than `retention` before the newest block's, which a batch committed
    // but not yet acknowledged may extend by a step or two: a block range
    // of margin covers that.
    if (w.retention_ms > 0) {
      const int64_t keep_from =
          max_acked_t - w.retention_ms + Options().block_duration_ms;
      std::erase_if(acked, [&](const std::pair<int, int64_t>& a) {
        return a.second * w.step_ms < keep_from;
      });
    }

    Options options;
    options.background_compaction = false;
    options.retention_ms = 0;
    options.head_chunks_on_disk = w.head_chunks;
    options.snapshot_on_shutdown = w.verifier_snapshots;
    auto db = DB::Open(options, dir.path());
    EXPECT_TRUE(db.ok()) << "round " << round << ": " << db.status().ToString();
    if (!db.ok()) return work;
    EXPECT_TRUE((*db)->replay_report().corruption.ok())
        << (*db)->replay_report().corruption.ToString();
    work.snapshot_loads += (*db)->replay_report().from_snapshot ? 1 : 0;
    work.snapshots_discarded +=
        (*db)->replay_report().snapshot_discarded.empty() ? 0 : 1;
    work.mapped_chunk_loads += (*db)->replay_report().mapped_chunks > 0;
    work.mapped_chunk_damage +=
        !(*db)->replay_report().mapped_chunks_damage.empty();
    CheckAcked(**db, acked, w.step_ms, round);
    if (::testing::Test::HasFatalFailure()) return work;
    const DBStats stats = (*db)->Stats();
    if (head_mint != INT64_MIN && stats.head_min_time > head_mint) {
      work.truncation_rounds.push_back(round);
    }
    head_mint = stats.head_min_time;
    work.max_blocks = std::max(work.max_blocks, stats.blocks);
    work.max_wal_segments =
        std::max(work.max_wal_segments, WalSegments(dir.path()));
    // The plain writer never compacts, and every open starts a WAL segment
    // (two a round): persist the head here, as a server would, so that the
    // WAL is checkpointed and stays bounded however many rounds run.
    if (!w.compact) {
      EXPECT_TRUE((*db)->Compact().ok()) << "round " << round;
    }
    EXPECT_TRUE((*db)->Close().ok());
  }
  std::printf(
      "crash test: %d kill -9 rounds%s, %lld batches acknowledged, %zu "
      "verified at the end, %zu rounds truncated the head, at most %lld "
      "blocks and %lld WAL segments; %d opens from a shutdown snapshot, %d "
      "snapshots discarded, %d kills inside a snapshot write; %d opens "
      "with chunks from chunks_head/, %d found a damaged head-chunk file\n",
      rounds, w.compact ? " during compaction and snapshots" : "",
      static_cast<long long>(work.acked_batches), acked.size(),
      work.truncation_rounds.size(), static_cast<long long>(work.max_blocks),
      static_cast<long long>(work.max_wal_segments), work.snapshot_loads,
      work.snapshots_discarded, work.partial_snapshots, work.mapped_chunk_loads,
      work.mapped_chunk_damage);
  return work;
}

int Rounds(int fallback) {
  const char* env = std::getenv("STRATA_CRASH_ROUNDS");
  return env ? std::atoi(env) : fallback;
}

// Batches 30 s apart: the head spans a block range within a dozen rounds,
// so the verifier's persistence keeps the WAL bounded.
TEST(DBCrashTest, KillNineNeverLosesAcknowledgedSamples) {
  const int rounds = Rounds(50);
  const Work work = KillLoop(rounds, WriterRun{30 * 1000, false, 0});
  EXPECT_GE(work.acked_batches, rounds);  // Every round acknowledged some.
  // Not a segment or two per round (each open starts one).
  EXPECT_LE(work.max_wal_segments, 40);
}

// The writer closes and reopens the DB every few batches: kills land in
// shutdown snapshot writes (a partial snapshot must never be loaded) and
// loads, and most verifier opens start from the snapshot the previous
// round's verifier or writer left, plus the WAL written after it.
TEST(DBCrashTest, KillNineDuringShutdownSnapshots) {
  const int rounds = Rounds(25);
  WriterRun run{30 * 1000, false, 0};
  run.close_every = 3;
  const Work work = KillLoop(rounds, run);
  EXPECT_GE(work.acked_batches, rounds);
  EXPECT_GT(work.snapshot_loads, rounds / 2);
  // Every open starts a WAL segment, and the writer opens every 3 batches:
  // the WAL is not bounded by rounds here, only by head persistence.
}

// Batches 5 minutes apart make the head span several block ranges within
// a few rounds, so kills land in head persistence, compaction, WAL
// checkpoints and snapshots. A day of retention keeps the directory small.
TEST(DBCrashTest, KillNineDuringCompactionAndSnapshot) {
  const int rounds = Rounds(25);
  constexpr int64_t kDay = 24 * 3600 * 1000;
  const Work work = KillLoop(rounds, WriterRun{5 * 60 * 1000, true, kDay});
  EXPECT_GE(work.acked_batches, rounds);
  // The head is truncated (a block persisted, the WAL checkpointed) in
  // every quarter of the run, not only early.
  const int quarter = std::max(1, rounds / 4);
  for (int q = 0; q + quarter <= rounds; q += quarter) {
    EXPECT_TRUE(std::any_of(work.truncation_rounds.begin(),
                            work.truncation_rounds.end(),
                            [&](int r) { return r >= q && r < q + quarter; }))
        << "no head truncation in rounds " << q << " to " << q + quarter - 1;
  }
  // Bounded: a day of 2 h blocks and the WAL of a head of a few hours.
  EXPECT_LE(work.max_blocks, 20);
  EXPECT_LE(work.max_wal_segments, 40);
}

// Head chunks on disk: batches 30 s apart (two writers, as in
// KillNineNeverLosesAcknowledgedSamples) cut a chunk per series every 120
// batches, so kills land before, in and after head-chunk writes; the
// verifier writes no snapshot, so every open after the first cuts attaches
// the chunks from chunks_head/ (cutting damaged files) and replays only the
// WAL after them, and its persistence removes old files.
TEST(DBCrashTest, KillNineDuringHeadChunkWrites) {
  const int rounds = Rounds(25);
  WriterRun run{30 * 1000, false, 0};
  run.head_chunks = true;
  run.verifier_snapshots = false;
  const Work work = KillLoop(rounds, run);
  EXPECT_GE(work.acked_batches, rounds);
  EXPECT_GT(work.mapped_chunk_loads, rounds / 4);
}

// The same with the writer compacting and snapshotting (head truncation
// removing head-chunk files under the kills) and closing cleanly every few
// batches (shutdown snapshots reading chunks back from disk).
TEST(DBCrashTest, KillNineDuringHeadChunkWritesCompactionAndSnapshots) {
  const int rounds = Rounds(25);
  constexpr int64_t kDay = 24 * 3600 * 1000;
  WriterRun compacting{5 * 60 * 1000, true, kDay};
  compacting.head_chunks = true;
  const Work work = KillLoop(rounds, compacting);
  EXPECT_GE(work.acked_batches, rounds);
  WriterRun restarting{5 * 60 * 1000, false, 0};
  restarting.close_every = 3;
  restarting.head_chunks = true;
  const Work restarts = KillLoop(rounds, restarting);
  EXPECT_GE(restarts.acked_batches, rounds);
}

}  // namespace
}  // namespace strata
