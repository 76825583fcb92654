// The out-of-order window through the public API (Prometheus 2.42's
// storage.tsdb.out_of_order_time_window): samples within the window are
// accepted into the out-of-order head and logged to <dir>/wbl/, beyond it
// refused as too old, duplicates as Prometheus; queries merge them with
// the in-order head and blocks; a restart (clean or as kill -9 leaves the
// dir) replays the WBL; compaction writes them into blocks marked
// from-out-of-order that promtool 2.42 reads, overlapping blocks are
// merged, and the WBL segments they hold are deleted.
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "db_test_util.h"
#include "gtest/gtest.h"
#include "run_command.h"
#include "snapshot_test_util.h"
#include "strata/db.h"
#include "temp_dir.h"
#include "test_env.h"

namespace strata {
namespace {

namespace fs = std::filesystem;
using testing::TV;

constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kHour = 60 * kMinute;

class DBOooTest : public ::testing::Test {
 protected:
  void Open(int64_t window_ms, bool snapshot_on_shutdown = true) {
    db_.reset();
    db_ = OpenAt(dir_.path(), window_ms, snapshot_on_shutdown);
  }
  static std::unique_ptr<DB> OpenAt(const std::string& dir, int64_t window_ms,
                                    bool snapshot_on_shutdown = true) {
    Options options;
    options.background_compaction = false;
    options.retention_ms = 0;
    options.dense_chunks = false;
    options.out_of_order_time_window_ms = window_ms;
    options.snapshot_on_shutdown = snapshot_on_shutdown;
    StatusOr<std::unique_ptr<DB>> db = DB::Open(options, dir);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(*db) : nullptr;
  }

  // Appends one sample in its own commit; the Append's status code.
  StatusCode Add(std::string_view name, int64_t t, double v) {
    std::unique_ptr<Appender> app = db_->NewAppender();
    StatusOr<SeriesRef> r = app->Append(Labels::Of({{"__name__", name}}), t, v);
    Status c = app->Commit();
    EXPECT_TRUE(c.ok()) << c.ToString();
    return r.ok() ? StatusCode::kOk : r.status().code();
  }

  std::vector<TV> Read(DB& db, std::string_view name) {
    auto all = testing::ReadAll(db, {Matcher::Equal("__name__", name)});
    return all.empty() ? std::vector<TV>() : all.begin()->second;
  }

  testing::TempDir dir_{"strata-db-ooo"};
  std::unique_ptr<DB> db_;
};

TEST_F(DBOooTest, WindowAcceptsRefusesAndQueriesMerge) {
  Open(30 * kMinute);
  const int64_t now = 10 * kHour;
  ASSERT_EQ(Add("a", now, 1), StatusCode::kOk);
  ASSERT_EQ(Add("a", now - 20 * kMinute, 2), StatusCode::kOk);
  EXPECT_EQ(Add("a", now - 31 * kMinute, 3), StatusCode::kTooOldSample);
  // A new series' first sample older than the head's newest but within
  // the in-order bound (newest - block/2): in order, as Prometheus.
  ASSERT_EQ(Add("b", now - 10 * kMinute, 4), StatusCode::kOk);
  ASSERT_EQ(Add("b", now - 5 * kMinute, 5), StatusCode::kOk);
  EXPECT_EQ(Add("a", now, 9), StatusCode::kDuplicateSample);
  EXPECT_EQ(Read(*db_, "a"),
            (std::vector<TV>{{now - 20 * kMinute, 2}, {now, 1}}));
  EXPECT_EQ(Read(*db_, "b"),
            (std::vector<TV>{{now - 10 * kMinute, 4}, {now - 5 * kMinute, 5}}));
  // A range that holds only out-of-order samples.
  auto q = testing::ReadAll(*db_, {Matcher::Equal("__name__", "a")}, 0,
                            now - kMinute);
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q.begin()->second, (std::vector<TV>{{now - 20 * kMinute, 2}}));
  DBStats st = db_->Stats();
  EXPECT_EQ(st.samples_ooo_appended, 1);
  EXPECT_EQ(st.samples_too_old, 1);
  EXPECT_EQ(st.samples_duplicate, 1);
  EXPECT_EQ(st.samples_appended, 4);
  EXPECT_EQ(st.ooo_head_series, 1);
  EXPECT_GT(st.wbl_bytes, 0);
  EXPECT_TRUE(fs::exists(dir_.path() + "/wbl"));
}

TEST_F(DBOooTest, WindowOffRefusesAndNoWblDir) {
  Open(0);
  ASSERT_EQ(Add("a", 10 * kHour, 1), StatusCode::kOk);
  EXPECT_EQ(Add("a", 10 * kHour - 1, 1), StatusCode::kOutOfOrder);
  EXPECT_FALSE(fs::exists(dir_.path() + "/wbl"));
  // Turned on while open (a config reload).
  ASSERT_TRUE(db_->SetOutOfOrderTimeWindow(kHour).ok());
  EXPECT_EQ(Add("a", 10 * kHour - 1, 1), StatusCode::kOk);
  ASSERT_TRUE(db_->SetOutOfOrderTimeWindow(-5).ok());  // Off.
  EXPECT_EQ(Add("a", 10 * kHour - 2, 1), StatusCode::kOutOfOrder);
  EXPECT_EQ(Read(*db_, "a").size(), 2u);
}

// A new series whose first batch is out of order after its first sample:
// that one goes in order (WAL), the rest out of order (WBL).
TEST_F(DBOooTest, NewSeriesOutOfOrderInItsFirstBatch) {
  Open(kHour, /*snapshot_on_shutdown=*/false);
  const int64_t now = 10 * kHour;
  ASSERT_EQ(Add("in_order", now, 0), StatusCode::kOk);
  {
    std::unique_ptr<Appender> app = db_->NewAppender();
    for (int i = 0; i < 10; ++i) {
      ASSERT_TRUE(
          app->Append(Labels::Of({{"__name__", "ooo"}}), now - i - 1, i).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
  }
  std::vector<TV> want;
  for (int i = 9; i >= 0; --i) want.push_back({now - i - 1, double(i)});
  EXPECT_EQ(Read(*db_, "ooo"), want);
  testing::TempDir crashed("strata-db-ooo-crash");
  testing::CopyDir(dir_.path(), crashed.path());
  std::unique_ptr<DB> copy = OpenAt(crashed.path(), kHour);
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(Read(*copy, "ooo"), want);
}

TEST_F(DBOooTest, RestartReplaysTheWbl) {
  for (bool snapshot : {false, true}) {
    SCOPED_TRACE(snapshot ? "with shutdown snapshot" : "WAL replay");
    testing::TempDir dir("strata-db-ooo-restart");
    db_ = OpenAt(dir.path(), 30 * kMinute, snapshot);
    const int64_t now = 10 * kHour;
    std::vector<TV> want;
    ASSERT_EQ(Add("a", now, 0), StatusCode::kOk);
    for (int i = 1; i <= 100; ++i) {
      ASSERT_EQ(Add("a", now - i * 10000, i), StatusCode::kOk);
    }
    for (int i = 100; i >= 1; --i) want.push_back({now - i * 10000, double(i)});
    want.push_back({now, 0});
    ASSERT_EQ(Read(*db_, "a"), want);
    // As kill -9 leaves it: no close, no snapshot.
    testing::TempDir crashed("strata-db-ooo-crash");
    testing::CopyDir(dir.path(), crashed.path());
    ASSERT_TRUE(db_->Close().ok());
    db_ = OpenAt(dir.path(), 30 * kMinute, snapshot);
    EXPECT_EQ(Read(*db_, "a"), want);
    EXPECT_EQ(db_->replay_report().ooo_samples, 100);
    // Appends continue after the replay.
    ASSERT_EQ(Add("a", now - 1001 * 1000, 7), StatusCode::kOk);
    EXPECT_EQ(Read(*db_, "a").size(), want.size() + 1);
    db_.reset();
    std::unique_ptr<DB> copy = OpenAt(crashed.path(), 30 * kMinute, snapshot);
    ASSERT_NE(copy, nullptr);
    EXPECT_EQ(Read(*copy, "a"), want);
  }
}

// Two appenders on one series: the slow one checks its samples in order,
// then the fast one commits newer samples first. At the slow one's commit
// its samples are out of order; as Prometheus's Commit re-checks each
// sample, those within the window go to the out-of-order head (and the
// WBL, so a crash keeps them), the others are counted too old.
TEST_F(DBOooTest, SampleOvertakenByAnotherCommitGoesOutOfOrder) {
  Open(30 * kMinute);
  const int64_t now = 10 * kHour;
  ASSERT_EQ(Add("a", now - 2 * kMinute, 1), StatusCode::kOk);
  ASSERT_EQ(Add("b", now - 40 * kMinute, 1), StatusCode::kOk);
  std::unique_ptr<Appender> slow = db_->NewAppender();
  ASSERT_TRUE(
      slow->Append(Labels::Of({{"__name__", "a"}}), now - kMinute, 2).ok());
  // In order for b, but beyond the window of the head's newest sample.
  ASSERT_TRUE(
      slow->Append(Labels::Of({{"__name__", "b"}}), now - 39 * kMinute, 2)
          .ok());
  ASSERT_EQ(Add("a", now, 3), StatusCode::kOk);
  ASSERT_EQ(Add("b", now - 38 * kMinute, 3), StatusCode::kOk);
  const DBStats before = db_->Stats();
  ASSERT_TRUE(slow->Commit().ok());
  slow.reset();
  const std::vector<TV> want_a = {
      {now - 2 * kMinute, 1}, {now - kMinute, 2}, {now, 3}};
  const std::vector<TV> want_b = {{now - 40 * kMinute, 1},
                                  {now - 38 * kMinute, 3}};
  EXPECT_EQ(Read(*db_, "a"), want_a);
  EXPECT_EQ(Read(*db_, "b"), want_b);
  const DBStats after = db_->Stats();
  EXPECT_EQ(after.samples_too_old - before.samples_too_old, 1);
  EXPECT_EQ(after.samples_ooo_appended - before.samples_ooo_appended, 1);
  EXPECT_EQ(after.samples_out_of_order, before.samples_out_of_order);
  // As kill -9 leaves the dir: the WBL gives the sample back.
  testing::TempDir crashed("strata-db-ooo-raced");
  testing::CopyDir(dir_.path(), crashed.path());
  db_.reset();
  std::unique_ptr<DB> copy = OpenAt(crashed.path(), 30 * kMinute, false);
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(Read(*copy, "a"), want_a);
  EXPECT_EQ(Read(*copy, "b"), want_b);
}

// The dir's block metas, by ULID: whether each is from out-of-order data.
std::map<std::string, bool> BlockHints(const std::string& dir) {
  std::map<std::string, bool> out;
  for (auto& e : fs::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (!e.is_directory() || n.size() != 26) continue;
    std::ifstream in(e.path() / "meta.json");
    std::stringstream ss;
    ss << in.rdbuf();
    out[n] = ss.str().find("from-out-of-order") != std::string::npos;
  }
  return out;
}

TEST_F(DBOooTest, CompactionWritesOutOfOrderBlocks) {
  Open(3 * kHour);
  // In order every minute over [0, 5h): Compact persists [0, 2h).
  std::vector<TV> want;
  {
    std::unique_ptr<Appender> app = db_->NewAppender();
    for (int64_t t = 0; t < 5 * kHour; t += kMinute) {
      ASSERT_TRUE(app->Append(Labels::Of({{"__name__", "a"}}), t, 1).ok());
      want.push_back({t, 1});
    }
    ASSERT_TRUE(app->Commit().ok());
  }
  ASSERT_TRUE(db_->Compact().ok());
  ASSERT_EQ(db_->Stats().blocks, 1);
  // Out of order, at half minutes: in the persisted range [0, 2h) (within
  // the window of 3h from 5h) and in the head's range.
  for (int64_t t = 2 * kHour + 30000; t < 4 * kHour; t += 10 * kMinute) {
    ASSERT_EQ(Add("a", t, 2), StatusCode::kOk);
    want.push_back({t, 2});
  }
  // Older than the head takes in order, within the window: overlaps the
  // persisted block.
  ASSERT_EQ(Add("a", 2 * kHour - 30000, 2), StatusCode::kOk);
  want.push_back({2 * kHour - 30000, 2});
  EXPECT_EQ(Add("a", 2 * kHour - 90000, 2), StatusCode::kTooOldSample);
  std::sort(want.begin(), want.end(),
            [](const TV& x, const TV& y) { return x.t < y.t; });
  ASSERT_EQ(Read(*db_, "a"), want);

  const size_t wbl_segments_before = std::distance(
      fs::directory_iterator(dir_.path() + "/wbl"), fs::directory_iterator());
  ASSERT_TRUE(db_->CompactOutOfOrderHead().ok());
  EXPECT_EQ(db_->Stats().ooo_head_series, 0);
  std::map<std::string, bool> hints = BlockHints(dir_.path());
  int ooo_blocks = 0;
  for (const auto& [ulid, ooo] : hints) ooo_blocks += ooo ? 1 : 0;
  EXPECT_EQ(ooo_blocks, 2);  // [0, 2h) and [2h, 4h).
  EXPECT_EQ(Read(*db_, "a"), want);
  // The WBL segments the blocks hold are gone; at most the new one is left.
  EXPECT_GE(wbl_segments_before, 1u);
  EXPECT_LE(std::distance(fs::directory_iterator(dir_.path() + "/wbl"),
                          fs::directory_iterator()),
            1);

  // More in order: the head persists [2h, 4h), which overlaps the
  // out-of-order block; compaction merges them (vertical compaction).
  {
    std::unique_ptr<Appender> app = db_->NewAppender();
    for (int64_t t = 5 * kHour; t < 7 * kHour; t += kMinute) {
      ASSERT_TRUE(app->Append(Labels::Of({{"__name__", "a"}}), t, 1).ok());
      want.push_back({t, 1});
    }
    ASSERT_TRUE(app->Commit().ok());
  }
  ASSERT_TRUE(db_->Compact().ok());
  EXPECT_EQ(Read(*db_, "a"), want);
  std::vector<BlockInfo> blocks = db_->Blocks();
  for (size_t i = 1; i < blocks.size(); ++i) {
    EXPECT_LE(blocks[i - 1].max_time, blocks[i].min_time) << "overlap left";
  }
  ASSERT_TRUE(db_->Close().ok());
  Open(3 * kHour);
  EXPECT_EQ(Read(*db_, "a"), want);
  db_.reset();

  // promtool 2.42 reads the blocks: every sample before 5h, once.
  if (!fs::exists("/usr/bin/promtool")) {
    STRATA_SKIP_OR_FAIL_IF_MISSING("promtool");
  }
  int code = -1;
  const std::string analyze = testing::RunCommand(
      "promtool tsdb analyze " + dir_.path() + " 2>&1", &code);
  EXPECT_EQ(code, 0) << analyze;
  const std::string dump = testing::RunCommand(
      "promtool tsdb dump --min-time=0 --max-time=" +
          std::to_string(5 * kHour - 1) + " " + dir_.path() + " 2>/dev/null",
      &code);
  EXPECT_EQ(code, 0);
  std::istringstream lines(dump);
  std::string line;
  std::vector<TV> dumped;
  while (std::getline(lines, line)) {
    const size_t t_pos = line.rfind(' ');
    const size_t v_pos = line.rfind(' ', t_pos - 1);
    ASSERT_NE(v_pos, std::string::npos) << line;
    dumped.push_back({std::stoll(line.substr(t_pos + 1)),
                      std::stod(line.substr(v_pos + 1, t_pos - v_pos - 1))});
  }
  std::vector<TV> want_before;
  for (const TV& tv : want) {
    if (tv.t < 5 * kHour) want_before.push_back(tv);
  }
  EXPECT_EQ(dumped, want_before);
}

}  // namespace
}  // namespace strata
