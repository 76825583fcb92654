// The shutdown snapshot with head chunks on disk (issue 16): the snapshot
// gives each completed chunk in chunks_head/ by reference instead of its
// bytes. The same data dir opened through a full WAL replay, through the
// head-chunk files and through such a snapshot answers identically; a
// snapshot whose referenced chunks were damaged or removed falls back to the
// replay (chunks on disk up to the damage, then the WAL) and loses nothing;
// version-1 and version-2 snapshots (XOR chunks only) still load.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "db/head_snapshot_format.h"
#include "snapshot_test_util.h"
#include "strata/db.h"
#include "util/coding.h"
#include "wal/replay.h"
#include "wal/wal.h"

namespace strata {
namespace {

namespace fs = std::filesystem;
using testing::AppendWorkload;
using testing::ChunkFiles;
using testing::CopyDir;
using testing::Dump;
using testing::OpenOrDie;
using testing::SnapshotDirs;
using testing::TempDir;

constexpr int kSeries = 40;

Options SnapshotOptions() { return testing::HeadChunkTestOptions(true); }

Options MappedOptions() { return testing::HeadChunkTestOptions(false); }

Options FullReplayOptions() {
  Options o = MappedOptions();
  o.head_chunks_on_disk = false;
  return o;
}

int64_t SnapshotBytes(const std::string& data_dir) {
  int64_t total = 0;
  for (const std::string& name : SnapshotDirs(data_dir)) {
    for (const auto& e : fs::directory_iterator(data_dir + "/" + name)) {
      total += static_cast<int64_t>(fs::file_size(e.path()));
    }
  }
  return total;
}

// `runs` rounds of the workload (300 steps each: several chunks per
// series), each closed cleanly, so each writes a head-chunk file and a
// snapshot. Returns the answers before the last close.
std::map<std::string, std::vector<testing::TV>> WriteClosedDir(
    const std::string& dir, int runs) {
  std::map<std::string, std::vector<testing::TV>> want;
  for (int run = 0; run < runs; ++run) {
    auto db = OpenOrDie(SnapshotOptions(), dir);
    if (db == nullptr) return want;
    AppendWorkload(*db, kSeries, run * 300, 300, 1 + run);
    if (::testing::Test::HasFatalFailure()) return want;
    want = Dump(*db);
    EXPECT_TRUE(db->Close().ok());
  }
  EXPECT_EQ(SnapshotDirs(dir).size(), 1u);
  return want;
}

TEST(DBSnapshotRefsTest, FullReplayMappedAndSnapshotAnswerIdentically) {
  TempDir a;
  const auto want = WriteClosedDir(a.path(), 3);
  ASSERT_EQ(want.size(), static_cast<size_t>(kSeries));
  TempDir wal_copy, mapped_copy;
  CopyDir(a.path(), wal_copy.path());
  CopyDir(a.path(), mapped_copy.path());

  auto from_wal = OpenOrDie(FullReplayOptions(), wal_copy.path());
  auto mapped = OpenOrDie(MappedOptions(), mapped_copy.path());
  auto from_snap = OpenOrDie(SnapshotOptions(), a.path());
  ASSERT_NE(from_wal, nullptr);
  ASSERT_NE(mapped, nullptr);
  ASSERT_NE(from_snap, nullptr);
  const ReplayReport& r = from_snap->replay_report();
  EXPECT_TRUE(r.from_snapshot) << r.snapshot_discarded;
  EXPECT_EQ(r.snapshot_series, kSeries);
  // Every completed chunk came by reference: only open chunks were read.
  EXPECT_GT(r.snapshot_chunk_refs, 2 * kSeries);
  EXPECT_EQ(r.snapshot_chunk_refs + kSeries, r.snapshot_chunks);
  EXPECT_EQ(r.segments, 0);
  // Chunks by reference count the samples the snapshot records for them.
  EXPECT_EQ(r.samples, from_wal->replay_report().samples);
  const int64_t refs_before = r.snapshot_chunk_refs;
  EXPECT_GT(mapped->replay_report().samples_in_mapped_chunks, 0);
  EXPECT_EQ(Dump(*from_wal), want);
  EXPECT_EQ(Dump(*mapped), want);
  EXPECT_EQ(Dump(*from_snap), want);
  EXPECT_EQ(from_snap->Stats().head_chunks, from_wal->Stats().head_chunks);
  EXPECT_EQ(from_snap->Stats().head_min_time, from_wal->Stats().head_min_time);
  EXPECT_EQ(from_snap->Stats().head_max_time, from_wal->Stats().head_max_time);

  // Appends continue as without a restart; duplicates are judged against
  // the newest sample.
  AppendWorkload(*from_wal, kSeries, 900, 200, 9);
  AppendWorkload(*mapped, kSeries, 900, 200, 9);
  AppendWorkload(*from_snap, kSeries, 900, 200, 9);
  const auto later = Dump(*from_wal);
  EXPECT_EQ(Dump(*mapped), later);
  EXPECT_EQ(Dump(*from_snap), later);
  auto app = from_snap->NewAppender();
  Labels s1 = Labels::Of({{"job", "snap"}, {"s", "1"}});
  EXPECT_EQ(app->Append(s1, 15000 * 1000, 1).status().code(),
            StatusCode::kOutOfOrder);
  const double newest = later.at("{job=\"snap\", s=\"1\"}").back().v;
  EXPECT_TRUE(app->Append(s1, 15000 * 1099, newest).ok());  // Duplicate.
  app->Rollback();
  app.reset();

  // A crash now (no clean close): the loaded snapshot plus the WAL after
  // it, with chunks this run cut on disk that the snapshot does not know.
  TempDir crashed;
  CopyDir(a.path(), crashed.path());
  auto after_crash = OpenOrDie(SnapshotOptions(), crashed.path());
  ASSERT_NE(after_crash, nullptr);
  EXPECT_TRUE(after_crash->replay_report().from_snapshot);
  EXPECT_GT(after_crash->replay_report().segments, 0);
  EXPECT_EQ(Dump(*after_crash), later);

  // A clean close refers to the old and the new files; loaded again.
  ASSERT_TRUE(from_snap->Close().ok());
  from_snap.reset();
  auto again = OpenOrDie(SnapshotOptions(), a.path());
  ASSERT_NE(again, nullptr);
  EXPECT_TRUE(again->replay_report().from_snapshot);
  EXPECT_GT(again->replay_report().snapshot_chunk_refs, refs_before);
  EXPECT_EQ(Dump(*again), later);
}

// References make the snapshot a fraction of the inline one.
TEST(DBSnapshotRefsTest, ReferencesKeepTheSnapshotSmall) {
  TempDir with_refs, inline_chunks;
  {
    auto db = OpenOrDie(SnapshotOptions(), with_refs.path());
    ASSERT_NE(db, nullptr);
    AppendWorkload(*db, kSeries, 0, 600, 1);
    ASSERT_TRUE(db->Close().ok());
  }
  {
    Options o = SnapshotOptions();
    o.head_chunks_on_disk = false;
    auto db = OpenOrDie(o, inline_chunks.path());
    ASSERT_NE(db, nullptr);
    AppendWorkload(*db, kSeries, 0, 600, 1);
    ASSERT_TRUE(db->Close().ok());
  }
  EXPECT_LT(SnapshotBytes(with_refs.path()) * 2,
            SnapshotBytes(inline_chunks.path()));
}

enum class Damage { kTornTail, kBadCrc, kMissingFile, kChunksOff };

class DBSnapshotRefsDamageTest : public ::testing::TestWithParam<Damage> {};

// The snapshot refers to chunks that are no longer intact: it is dropped,
// and the replay (chunks up to the damage, then the WAL) loses nothing.
TEST_P(DBSnapshotRefsDamageTest, FallsBackAndLosesNothing) {
  TempDir a;
  const auto want = WriteClosedDir(a.path(), 3);
  ASSERT_GE(ChunkFiles(a.path()).size(), 3u);
  const std::string chunks = a.path() + "/chunks_head";
  Options options = SnapshotOptions();
  switch (GetParam()) {
    case Damage::kTornTail: {
      const std::string last = chunks + "/" + ChunkFiles(a.path()).back();
      fs::resize_file(last, fs::file_size(last) - 7);
      break;
    }
    case Damage::kBadCrc: {
      const std::string first = chunks + "/000001";
      std::fstream f(first, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(static_cast<std::streamoff>(fs::file_size(first) / 2));
      f.put('\x55');
      f.put('\xAA');
      break;
    }
    case Damage::kMissingFile:
      fs::remove(chunks + "/000002");
      break;
    case Damage::kChunksOff:
      options.head_chunks_on_disk = false;
      break;
  }
  auto db = OpenOrDie(options, a.path());
  ASSERT_NE(db, nullptr);
  const ReplayReport& r = db->replay_report();
  EXPECT_FALSE(r.from_snapshot);
  EXPECT_FALSE(r.snapshot_discarded.empty());
  EXPECT_TRUE(r.corruption.ok());
  if (GetParam() != Damage::kChunksOff) {
    EXPECT_NE(r.snapshot_discarded.find("chunks_head"), std::string::npos)
        << r.snapshot_discarded;
    EXPECT_FALSE(r.mapped_chunks_damage.empty());
  }
  EXPECT_TRUE(SnapshotDirs(a.path()).empty());
  EXPECT_EQ(Dump(*db), want);
  // The next clean close writes a usable snapshot again.
  AppendWorkload(*db, kSeries, 900, 100, 7);
  const auto later = Dump(*db);
  ASSERT_TRUE(db->Close().ok());
  db.reset();
  auto again = OpenOrDie(options, a.path());
  ASSERT_NE(again, nullptr);
  EXPECT_TRUE(again->replay_report().from_snapshot)
      << again->replay_report().snapshot_discarded;
  EXPECT_EQ(Dump(*again), later);
}

std::string DamageName(const ::testing::TestParamInfo<Damage>& info) {
  static const char* const kNames[] = {"TornTail", "BadCrc", "MissingFile",
                                       "ChunksOff"};
  return kNames[static_cast<int>(info.param)];
}

INSTANTIATE_TEST_SUITE_P(Kinds, DBSnapshotRefsDamageTest,
                         ::testing::Values(Damage::kTornTail, Damage::kBadCrc,
                                           Damage::kMissingFile,
                                           Damage::kChunksOff),
                         DamageName);

// A series record as version 1 or 2 wrote it (lib/db/FORMAT.md: XOR
// chunks only; version 1, type 0x01, every chunk inline; version 2, type
// 0x04, completed chunks inline or by reference): the fixture of an older
// Strata's snapshot.
std::string EncodeOldSeries(int version, uint64_t id, const Labels& labels,
                            const SeriesStateView& state) {
  std::string dst(1, version == 1 ? '\x01' : '\x04');
  PutBE64(&dst, id);
  PutUvarint(&dst, labels.size());
  for (const Label& l : labels) {
    PutLengthPrefixed(&dst, l.name);
    PutLengthPrefixed(&dst, l.value);
  }
  PutBE64(&dst, static_cast<uint64_t>(state.max_time));
  PutBE64(&dst, state.last_value_bits);
  PutBE64(&dst, static_cast<uint64_t>(state.next_at));
  auto put_chunk = [&](const SeriesChunkView& c) {
    PutBE64(&dst, static_cast<uint64_t>(c.mint));
    PutBE64(&dst, static_cast<uint64_t>(c.maxt));
    PutLengthPrefixed(&dst, c.bytes);
  };
  PutUvarint(&dst, state.closed.size());
  for (const SeriesChunkView& c : state.closed) {
    EXPECT_EQ(c.encoding, 1);
    if (version == 1) {
      put_chunk(c);
    } else if (c.disk_ref == 0) {
      dst.push_back(0);
      put_chunk(c);
    } else {
      dst.push_back(1);
      PutBE64(&dst, static_cast<uint64_t>(c.mint));
      PutBE64(&dst, static_cast<uint64_t>(c.maxt));
      PutBE64(&dst, c.disk_ref);
      PutUvarint(&dst, c.samples);
    }
  }
  dst.push_back(state.has_open ? 1 : 0);
  if (!state.has_open) return dst;
  put_chunk(state.open);
  const chunk::XorChunk::AppendState& a = state.open_state;
  PutBE64(&dst, static_cast<uint64_t>(a.t));
  PutBE64(&dst, a.v_bits);
  PutBE64(&dst, a.t_delta);
  PutUvarint(&dst, a.num);
  dst.push_back(static_cast<char>(a.leading));
  dst.push_back(static_cast<char>(a.trailing));
  dst.push_back(static_cast<char>(a.free_bits));
  return dst;
}

// A snapshot of an older version (1: chunks inline; 2: by reference)
// still loads.
class DBOldSnapshotTest : public ::testing::TestWithParam<int> {};

TEST_P(DBOldSnapshotTest, StillLoads) {
  const int version = GetParam();
  TempDir a;
  Options options = SnapshotOptions();
  options.head_chunks_on_disk = version >= 2;
  std::map<std::string, std::vector<testing::TV>> want;
  {
    auto db = OpenOrDie(options, a.path());
    ASSERT_NE(db, nullptr);
    AppendWorkload(*db, kSeries, 0, 300, 1);
    want = Dump(*db);
    ASSERT_TRUE(db->Close().ok());
  }
  // Rewritten as the old version: header version, series records.
  const std::string dir = a.path() + "/" + SnapshotDirs(a.path()).at(0);
  std::vector<std::string> records;
  ASSERT_TRUE(wal::ReadSegments(nullptr, dir, -1, -1, [&](std::string_view r) {
                records.emplace_back(r);
                return Status::OK();
              }).ok());
  snapshot::Header h;
  ASSERT_TRUE(snapshot::DecodeHeader(records.at(0), &h).ok());
  h.version = static_cast<uint8_t>(version);
  records[0].clear();
  snapshot::EncodeHeader(h, &records[0]);
  int rewritten = 0;
  for (std::string& r : records) {
    if (snapshot::GetRecordType(r) !=
        snapshot::RecordType::kSeriesWithEncodings)
      continue;
    const std::string copy = r;  // The decoded views point into it.
    uint64_t id;
    Labels labels;
    SeriesStateView state;
    ASSERT_TRUE(snapshot::DecodeSeries(copy, &id, &labels, &state).ok());
    r = EncodeOldSeries(version, id, labels, state);
    ++rewritten;
  }
  ASSERT_EQ(rewritten, kSeries);
  fs::remove_all(dir);
  {
    auto w = wal::Wal::Open(dir, nullptr, wal::WalOptions());
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Log(std::span<const std::string>(records)).ok());
    ASSERT_TRUE((*w)->Close().ok());
  }
  auto db = OpenOrDie(options, a.path());
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(db->replay_report().from_snapshot)
      << db->replay_report().snapshot_discarded;
  if (version == 1) {
    EXPECT_EQ(db->replay_report().snapshot_chunk_refs, 0);
  } else {
    EXPECT_GT(db->replay_report().snapshot_chunk_refs, 0);
  }
  EXPECT_EQ(Dump(*db), want);
  // Appends continue the restored open chunks.
  AppendWorkload(*db, kSeries, 300, 50, 2);
  EXPECT_EQ(Dump(*db).begin()->second.size(),
            want.begin()->second.size() + 4 * 50);
}

INSTANTIATE_TEST_SUITE_P(Versions, DBOldSnapshotTest, ::testing::Values(1, 2),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return "Version" + std::to_string(info.param);
                         });

}  // namespace
}  // namespace strata
