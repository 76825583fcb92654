// The shutdown snapshot (issue 16 item 2): a clean Close saves the head; the
// next Open loads it and replays only the WAL written after it, answering
// exactly as a full WAL replay would. A damaged or stale snapshot is
// removed and the whole WAL replayed. The head holds native histogram
// series too (switching between floats and histograms), so every check
// covers histogram records (db_snapshot_histogram_test.cc has the
// histogram-specific ones).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "chunk/encoding.h"
#include "db/head_snapshot_format.h"
#include "snapshot_test_util.h"
#include "strata/db.h"
#include "util/file_system.h"
#include "wal/replay.h"
#include "wal/wal.h"

namespace strata {
namespace {

using testing::AppendBothWorkloads;
using testing::AppendHistogramWorkload;
using testing::AppendWorkload;
using testing::CopyDir;
using testing::Dump;
using testing::DumpHistograms;
using testing::OpenOrDie;
using testing::SnapshotDirs;
using testing::TempDir;

constexpr int kSeries = 40;
constexpr int kHistogramSeries = 8;

Options SnapshotOptions() {
  Options o;
  o.background_compaction = false;
  o.wal_segment_bytes = 64 * 1024;  // Several segments.
  o.enable_native_histograms = true;
  return o;
}

// Histogram samples compared without counter-reset hints: a full replay
// may rebuild an open chunk that a reset started with an "unknown" header.
std::map<std::string, std::vector<std::string>> Histograms(DB& db) {
  return DumpHistograms(db, /*with_hints=*/false);
}

Options FullReplayOptions() {
  Options o = SnapshotOptions();
  o.snapshot_on_shutdown = false;
  return o;
}

// A data dir closed cleanly after the workload and a deletion.
void WriteClosedDir(const std::string& dir) {
  auto db = OpenOrDie(SnapshotOptions(), dir);
  ASSERT_NE(db, nullptr);
  AppendBothWorkloads(*db, kSeries, kHistogramSeries, 0, 300, 1);
  ASSERT_TRUE(
      db->DeleteSeries({Matcher::Equal("s", "3")}, 15000 * 10, 15000 * 20)
          .ok());
  ASSERT_TRUE(
      db->DeleteSeries({Matcher::Equal("s", "0")}, 15000 * 100, 15000 * 101)
          .ok());
  ASSERT_TRUE(db->Close().ok());
  ASSERT_EQ(SnapshotDirs(dir).size(), 1u);
}

TEST(DBSnapshotTest, SnapshotAndFullReplayAnswerIdentically) {
  TempDir a;
  WriteClosedDir(a.path());
  TempDir b;
  CopyDir(a.path(), b.path());

  auto from_snapshot = OpenOrDie(SnapshotOptions(), a.path());
  auto from_wal = OpenOrDie(FullReplayOptions(), b.path());
  ASSERT_NE(from_snapshot, nullptr);
  ASSERT_NE(from_wal, nullptr);
  const ReplayReport& r = from_snapshot->replay_report();
  EXPECT_TRUE(r.from_snapshot);
  EXPECT_EQ(r.snapshot_series, kSeries + kHistogramSeries);
  EXPECT_TRUE(r.snapshot_discarded.empty()) << r.snapshot_discarded;
  EXPECT_EQ(r.segments, 0);  // Nothing was written after the snapshot.
  EXPECT_FALSE(from_wal->replay_report().from_snapshot);
  // Snapshots are off for b: it removed the copy's.
  EXPECT_TRUE(SnapshotDirs(b.path()).empty());

  const auto want = Dump(*from_wal);
  ASSERT_EQ(want.size(), static_cast<size_t>(kSeries));
  EXPECT_EQ(Dump(*from_snapshot), want);
  ASSERT_EQ(Histograms(*from_wal).size(),
            static_cast<size_t>(kHistogramSeries));
  EXPECT_EQ(Histograms(*from_snapshot), Histograms(*from_wal));
  EXPECT_EQ(from_snapshot->Stats().head_chunks, from_wal->Stats().head_chunks);
  EXPECT_EQ(from_snapshot->Stats().head_min_time,
            from_wal->Stats().head_min_time);
  EXPECT_EQ(from_snapshot->Stats().head_max_time,
            from_wal->Stats().head_max_time);

  // Appends continue the open chunks as if there had been no restart:
  // same answers, same chunk count, and the same again after another
  // restart of each (a's through a new snapshot).
  AppendWorkload(*from_snapshot, kSeries, 300, 200, 2);
  AppendWorkload(*from_wal, kSeries, 300, 200, 2);
  AppendHistogramWorkload(*from_snapshot, kHistogramSeries, 300, 200, 2);
  AppendHistogramWorkload(*from_wal, kHistogramSeries, 300, 200, 2);
  EXPECT_EQ(Dump(*from_snapshot), Dump(*from_wal));
  EXPECT_EQ(Histograms(*from_snapshot), Histograms(*from_wal));
  EXPECT_EQ(from_snapshot->Stats().head_chunks, from_wal->Stats().head_chunks);
  // Duplicates and out-of-order samples are judged against the restored
  // newest sample.
  auto app = from_snapshot->NewAppender();
  Labels s1 = Labels::Of({{"job", "snap"}, {"s", "1"}});
  EXPECT_EQ(app->Append(s1, 15000 * 498, 1).status().code(),
            StatusCode::kOutOfOrder);
  app->Rollback();
  ASSERT_TRUE(from_snapshot->Close().ok());
  ASSERT_TRUE(from_wal->Close().ok());
  auto again = OpenOrDie(SnapshotOptions(), a.path());
  auto again_wal = OpenOrDie(FullReplayOptions(), b.path());
  EXPECT_TRUE(again->replay_report().from_snapshot);
  EXPECT_EQ(Dump(*again), Dump(*again_wal));
  EXPECT_EQ(Histograms(*again), Histograms(*again_wal));
}

// Snapshot, then more WAL, then a crash (the dir copied while the DB is
// open, as a kill -9 leaves it): the snapshot plus the later segments.
TEST(DBSnapshotTest, LaterWalIsReplayedOnTopOfTheSnapshot) {
  TempDir a;
  WriteClosedDir(a.path());
  auto db = OpenOrDie(SnapshotOptions(), a.path());
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->replay_report().from_snapshot);
  AppendWorkload(*db, kSeries + 5, 300, 150, 3);  // New series too.
  AppendHistogramWorkload(*db, kHistogramSeries + 2, 300, 150, 3);
  ASSERT_TRUE(
      db->DeleteSeries({Matcher::Equal("s", "7")}, 0, 15000 * 350).ok());
  TempDir crashed;
  CopyDir(a.path(), crashed.path());
  const auto want = Dump(*db);
  const auto want_histograms = Histograms(*db);

  auto reopened = OpenOrDie(SnapshotOptions(), crashed.path());
  ASSERT_NE(reopened, nullptr);
  const ReplayReport& r = reopened->replay_report();
  EXPECT_TRUE(r.from_snapshot);
  EXPECT_GT(r.segments, 0);
  EXPECT_EQ(Dump(*reopened), want);
  EXPECT_EQ(Histograms(*reopened), want_histograms);
  // And a full replay of the same crashed dir agrees.
  TempDir copy;
  CopyDir(crashed.path(), copy.path());
  auto full = OpenOrDie(FullReplayOptions(), copy.path());
  EXPECT_EQ(Dump(*full), want);
  EXPECT_EQ(Histograms(*full), want_histograms);
}

// A crash after a block was persisted but before the WAL was checkpointed:
// the snapshot still fits the WAL, and series whose snapshot chunks the
// block now holds get their later samples from the WAL segments after the
// snapshot (the head must not drop those series before the WAL replay).
TEST(DBSnapshotTest, BlockPersistedAfterTheSnapshotKeepsLaterWalSamples) {
  TempDir a;
  WriteClosedDir(a.path());  // Samples in [0, 75 min): the first block range.
  auto db = OpenOrDie(SnapshotOptions(), a.path());
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->replay_report().from_snapshot);
  AppendWorkload(*db, kSeries, 300, 500, 5);  // On to 3 h 20 min.
  TempDir crashed;
  CopyDir(a.path(), crashed.path());
  const auto want = Dump(*db);

  // The block [0, 2 h) that a compaction of the same head writes, placed
  // beside the WAL it was not yet checkpointed from.
  TempDir compacted;
  CopyDir(crashed.path(), compacted.path());
  {
    auto other = OpenOrDie(FullReplayOptions(), compacted.path());
    ASSERT_NE(other, nullptr);
    ASSERT_TRUE(other->Compact().ok());
    ASSERT_GT(other->Stats().blocks, 0);
    ASSERT_TRUE(other->Close().ok());
  }
  int blocks = 0;
  for (const auto& e : std::filesystem::directory_iterator(compacted.path())) {
    const std::string name = e.path().filename().string();
    if (e.is_directory() && name.size() == 26) {
      CopyDir(e.path().string(), crashed.path() + "/" + name);
      ++blocks;
    }
  }
  ASSERT_GT(blocks, 0);

  auto reopened = OpenOrDie(SnapshotOptions(), crashed.path());
  ASSERT_NE(reopened, nullptr);
  EXPECT_TRUE(reopened->replay_report().from_snapshot);
  EXPECT_GT(reopened->Stats().blocks, 0);
  const auto got = Dump(*reopened);
  size_t got_samples = 0, want_samples = 0;
  for (const auto& [series, samples] : got) got_samples += samples.size();
  for (const auto& [series, samples] : want) want_samples += samples.size();
  EXPECT_EQ(got_samples, want_samples);
  EXPECT_TRUE(got == want);
}

// A checkpoint after the snapshot (head truncated, segments removed) makes
// the snapshot stale: it must not be loaded after a crash.
TEST(DBSnapshotTest, SnapshotOlderThanTheCheckpointIsNotUsed) {
  TempDir a;
  WriteClosedDir(a.path());
  auto db = OpenOrDie(SnapshotOptions(), a.path());
  ASSERT_NE(db, nullptr);
  const std::string name = SnapshotDirs(a.path()).at(0);
  TempDir saved;
  CopyDir(a.path() + "/" + name, saved.path());
  // Past 1.5 block ranges (2 h blocks): the head persists a block, is
  // truncated and the WAL checkpointed, which removes the stale snapshot.
  AppendWorkload(*db, kSeries, 300, 700, 4);
  ASSERT_TRUE(db->Compact().ok());
  ASSERT_GT(db->Stats().blocks, 0);
  ASSERT_GT(db->Stats().wal_checkpoints, 0);
  EXPECT_TRUE(SnapshotDirs(a.path()).empty());
  // A crash between the checkpoint and that removal leaves it behind.
  TempDir crashed;
  CopyDir(a.path(), crashed.path());
  std::filesystem::create_directory(crashed.path() + "/" + name);
  CopyDir(saved.path(), crashed.path() + "/" + name);
  const auto want = Dump(*db);

  auto reopened = OpenOrDie(SnapshotOptions(), crashed.path());
  ASSERT_NE(reopened, nullptr);
  const ReplayReport& r = reopened->replay_report();
  EXPECT_FALSE(r.from_snapshot);
  EXPECT_FALSE(r.snapshot_discarded.empty());
  EXPECT_TRUE(SnapshotDirs(crashed.path()).empty());
  EXPECT_EQ(Dump(*reopened), want);
}

// Damage of every kind: the snapshot is removed, the WAL replayed.
enum class Damage {
  kFlipByte,
  kTruncate,
  kUnknownVersion,
  kNoFooter,
  kBeyondWal,
  kEmpty,
  kDuplicateSeries,
  kBadOpenChunkState,
  // In series records of native histograms: an open histogram chunk's XOR
  // window out of range, its bytes cut, a newest sample of another kind
  // than the open chunk's, the newest histogram's record cut short.
  kBadHistogramWindow,
  kCutHistogramChunk,
  kNewestKindMismatch,
  kCutNewestHistogram,
};

class DBSnapshotDamageTest : public ::testing::TestWithParam<Damage> {};

std::vector<std::string> ReadRecords(const std::string& dir) {
  std::vector<std::string> out;
  EXPECT_TRUE(wal::ReadSegments(nullptr, dir, -1, -1, [&](std::string_view r) {
                out.emplace_back(r);
                return Status::OK();
              }).ok());
  return out;
}

// Rewrites the snapshot in `dir` with valid framing around `records`.
void Reframe(const std::string& dir, const std::vector<std::string>& records) {
  std::filesystem::remove_all(dir);
  auto w = wal::Wal::Open(dir, nullptr, wal::WalOptions());
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Log(std::span<const std::string>(records)).ok());
  ASSERT_TRUE((*w)->Close().ok());
}

// Re-encodes the first series record for which `edit` (given the decoded
// state) returns true; fails the test if none does.
void EditSeriesRecord(std::vector<std::string>* records,
                      const std::function<bool(SeriesStateView*)>& edit) {
  for (std::string& r : *records) {
    if (snapshot::GetRecordType(r) !=
        snapshot::RecordType::kSeriesWithEncodings) {
      continue;
    }
    const std::string copy = r;  // The decoded views point into it.
    uint64_t id;
    Labels labels;
    SeriesStateView state;
    ASSERT_TRUE(snapshot::DecodeSeries(copy, &id, &labels, &state).ok());
    if (!edit(&state)) continue;
    r.clear();
    snapshot::EncodeSeries(id, labels, state, &r);
    return;
  }
  FAIL() << "no series record to damage";
}

bool HistogramOpen(const SeriesStateView& s) {
  return s.has_open &&
         s.open.encoding != static_cast<uint8_t>(chunk::Encoding::kXor);
}

void DamageSnapshot(const std::string& db_dir, Damage damage) {
  const std::vector<std::string> names = SnapshotDirs(db_dir);
  ASSERT_EQ(names.size(), 1u);
  const std::string dir = db_dir + "/" + names[0];
  const std::string seg = dir + "/00000000";
  std::vector<std::string> records = ReadRecords(dir);
  ASSERT_GT(records.size(), 3u);
  switch (damage) {
    case Damage::kFlipByte: {
      std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
      const auto size = std::filesystem::file_size(seg);
      f.seekg(static_cast<std::streamoff>(size / 2));
      char c;
      f.read(&c, 1);
      c ^= 0x10;
      f.seekp(static_cast<std::streamoff>(size / 2));
      f.write(&c, 1);
      break;
    }
    case Damage::kTruncate:
      std::filesystem::resize_file(seg, std::filesystem::file_size(seg) / 2);
      break;
    case Damage::kUnknownVersion: {
      snapshot::Header h;
      ASSERT_TRUE(snapshot::DecodeHeader(records[0], &h).ok());
      const size_t at = records[0].find(static_cast<char>(snapshot::kVersion),
                                        1 + 20);  // After type and magic.
      ASSERT_EQ(at, 21u);
      records[0][at] = snapshot::kVersion + 1;
      Reframe(dir, records);
      break;
    }
    case Damage::kNoFooter:
      records.pop_back();
      Reframe(dir, records);
      break;
    case Damage::kBeyondWal: {
      snapshot::Header h;
      ASSERT_TRUE(snapshot::DecodeHeader(records[0], &h).ok());
      snapshot::WalPosition beyond = h.position;
      beyond.offset += 4096;
      h.position = beyond;
      records[0].clear();
      snapshot::EncodeHeader(h, &records[0]);
      Reframe(dir, records);
      std::filesystem::rename(dir, db_dir + "/" + snapshot::DirName(beyond));
      break;
    }
    case Damage::kEmpty:
      std::filesystem::resize_file(seg, 0);
      break;
    case Damage::kDuplicateSeries:
      // Well framed and checksummed, but one series twice.
      records.insert(records.begin() + 2, records[1]);
      Reframe(dir, records);
      break;
    case Damage::kBadOpenChunkState:
      EditSeriesRecord(&records, [](SeriesStateView* s) {
        if (!s->has_open || HistogramOpen(*s)) return false;
        s->open_state.free_bits = 9;
        return true;
      });
      Reframe(dir, records);
      break;
    case Damage::kBadHistogramWindow:
      EditSeriesRecord(&records, [](SeriesStateView* s) {
        if (!HistogramOpen(*s)) return false;
        s->open_windows.at(0) = {40, 0};
        return true;
      });
      Reframe(dir, records);
      break;
    case Damage::kCutHistogramChunk:
      EditSeriesRecord(&records, [](SeriesStateView* s) {
        if (!HistogramOpen(*s)) return false;
        s->open.bytes = s->open.bytes.substr(0, s->open.bytes.size() / 2);
        return true;
      });
      Reframe(dir, records);
      break;
    case Damage::kNewestKindMismatch:
      EditSeriesRecord(&records, [](SeriesStateView* s) {
        if (!HistogramOpen(*s)) return false;
        s->last_type = SampleValueType::kFloat;
        return true;
      });
      Reframe(dir, records);
      break;
    case Damage::kCutNewestHistogram: {
      bool cut = false;
      for (std::string& r : records) {
        uint64_t id;
        Labels labels;
        SeriesStateView state;
        if (snapshot::GetRecordType(r) !=
                snapshot::RecordType::kSeriesWithEncodings ||
            !snapshot::DecodeSeries(r, &id, &labels, &state).ok() ||
            state.last_type == SampleValueType::kFloat) {
          continue;
        }
        // The newest histogram's record is last: one byte less.
        r.pop_back();
        cut = true;
        break;
      }
      ASSERT_TRUE(cut);
      Reframe(dir, records);
      break;
    }
  }
}

TEST_P(DBSnapshotDamageTest, FallsBackToFullReplay) {
  TempDir a;
  WriteClosedDir(a.path());
  TempDir b;
  CopyDir(a.path(), b.path());
  DamageSnapshot(a.path(), GetParam());

  auto damaged = OpenOrDie(SnapshotOptions(), a.path());
  auto full = OpenOrDie(FullReplayOptions(), b.path());
  ASSERT_NE(damaged, nullptr);
  ASSERT_NE(full, nullptr);
  const ReplayReport& r = damaged->replay_report();
  EXPECT_FALSE(r.from_snapshot);
  EXPECT_FALSE(r.snapshot_discarded.empty());
  EXPECT_TRUE(SnapshotDirs(a.path()).empty());
  EXPECT_EQ(Dump(*damaged), Dump(*full));
  EXPECT_EQ(Histograms(*damaged), Histograms(*full));
  EXPECT_EQ(damaged->Stats().head_chunks, full->Stats().head_chunks);
  // The next clean close writes a good one again.
  ASSERT_TRUE(damaged->Close().ok());
  auto again = OpenOrDie(SnapshotOptions(), a.path());
  EXPECT_TRUE(again->replay_report().from_snapshot);
  EXPECT_EQ(Dump(*again), Dump(*full));
  EXPECT_EQ(Histograms(*again), Histograms(*full));
}

std::string DamageName(const ::testing::TestParamInfo<Damage>& info) {
  static const char* const kNames[] = {
      "FlipByte",          "Truncate",           "UnknownVersion",
      "NoFooter",          "BeyondWal",          "Empty",
      "DuplicateSeries",   "BadOpenChunkState",  "BadHistogramWindow",
      "CutHistogramChunk", "NewestKindMismatch", "CutNewestHistogram"};
  return kNames[static_cast<int>(info.param)];
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, DBSnapshotDamageTest,
    ::testing::Values(Damage::kFlipByte, Damage::kTruncate,
                      Damage::kUnknownVersion, Damage::kNoFooter,
                      Damage::kBeyondWal, Damage::kEmpty,
                      Damage::kDuplicateSeries, Damage::kBadOpenChunkState,
                      Damage::kBadHistogramWindow, Damage::kCutHistogramChunk,
                      Damage::kNewestKindMismatch, Damage::kCutNewestHistogram),
    DamageName);

// A partial snapshot (a crash while writing it) is never loaded.
TEST(DBSnapshotTest, PartialSnapshotIsIgnoredAndRemoved) {
  TempDir a;
  WriteClosedDir(a.path());
  const std::string name = SnapshotDirs(a.path())[0];
  std::filesystem::rename(a.path() + "/" + name,
                          a.path() + "/" + name + ".tmp");
  auto db = OpenOrDie(SnapshotOptions(), a.path());
  ASSERT_NE(db, nullptr);
  EXPECT_FALSE(db->replay_report().from_snapshot);
  EXPECT_TRUE(SnapshotDirs(a.path()).empty());
  EXPECT_EQ(Dump(*db).size(), static_cast<size_t>(kSeries));
  EXPECT_EQ(Histograms(*db).size(), static_cast<size_t>(kHistogramSeries));
}

TEST(DBSnapshotTest, OffWritesNoSnapshot) {
  TempDir a;
  auto db = OpenOrDie(FullReplayOptions(), a.path());
  ASSERT_NE(db, nullptr);
  AppendWorkload(*db, 3, 0, 10, 1);
  ASSERT_TRUE(db->Close().ok());
  EXPECT_TRUE(SnapshotDirs(a.path()).empty());
}

}  // namespace
}  // namespace strata
