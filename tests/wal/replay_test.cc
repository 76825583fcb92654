// ReplayWal: torn tails, corruption, quarantine and recovery afterwards.
#include "wal/replay.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "wal/log_format.h"
#include "wal/segment.h"
#include "wal/segment_reader.h"
#include "wal/wal.h"
#include "wal_test_util.h"

namespace strata::wal {
namespace {

class ReplayTest : public TempDirTest {
 protected:
  WalOptions Options(int64_t segment_bytes = kDefaultSegmentBytes) {
    WalOptions o;
    o.sync = WalSyncPolicy::kInterval;
    o.segment_bytes = segment_bytes;
    return o;
  }

  // Logs `records` into a fresh WAL, one Log each; closes it.
  void Write(const std::vector<std::string>& records,
             int64_t segment_bytes = kDefaultSegmentBytes) {
    auto wal = Wal::Open(dir_, posix(), Options(segment_bytes));
    ASSERT_TRUE(wal.ok()) << wal.status().ToString();
    for (const std::string& r : records) ASSERT_TRUE((*wal)->Log(r).ok());
    ASSERT_TRUE((*wal)->Close().ok());
  }

  std::string Read(const std::string& path) { return *posix()->ReadFile(path); }
  void Overwrite(const std::string& path, const std::string& content) {
    auto f = posix()->NewWritableFile(path);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append(content).ok());
    ASSERT_TRUE((*f)->Close().ok());
  }
  std::string Seg(int index) { return SegmentPath(dir_, index); }

  // Start offsets of the records of a segment file.
  std::vector<int64_t> RecordOffsets(const std::string& path) {
    const std::string data = Read(path);
    SegmentReader reader(data);
    std::vector<int64_t> offsets;
    std::string_view r;
    while (reader.Next(&r)) offsets.push_back(reader.record_offset());
    EXPECT_TRUE(reader.status().ok());
    return offsets;
  }

  // The one quarantine directory created beside the WAL.
  std::string QuarantineDir() {
    std::string found;
    const std::vector<std::string> names = *posix()->ListDir(root_);
    for (const std::string& name : names) {
      if (name.starts_with("wal-quarantine-")) {
        EXPECT_TRUE(found.empty()) << "more than one quarantine directory";
        found = JoinPath(root_, name);
      }
    }
    return found;
  }

  // Appends `more` with a new Wal and checks that replay then yields
  // `before` + `more` with no damage reported.
  void ReopenAppendAndCheck(std::vector<std::string> before,
                            const std::vector<std::string>& more) {
    {
      auto wal = Wal::Open(dir_, posix(), Options());
      ASSERT_TRUE(wal.ok());
      for (const std::string& r : more) ASSERT_TRUE((*wal)->Log(r).ok());
    }
    before.insert(before.end(), more.begin(), more.end());
    ReplayResult result;
    EXPECT_EQ(ReplayAll(posix(), dir_, &result), before);
    EXPECT_TRUE(result.corruption.ok()) << result.corruption.ToString();
    EXPECT_TRUE(result.torn_tails.empty());
  }
};

TEST_F(ReplayTest, MissingOrEmptyDirectoryHasNothingToReplay) {
  ReplayResult result;
  EXPECT_TRUE(ReplayAll(posix(), dir_, &result).empty());
  ASSERT_TRUE(posix()->CreateDirs(dir_).ok());
  EXPECT_TRUE(ReplayAll(posix(), dir_, &result).empty());
  EXPECT_EQ(result.first_segment, -1);
}

TEST_F(ReplayTest, TornTailAtEveryOffsetOfTheLastRecord) {
  std::vector<std::string> records;
  for (int i = 0; i < 10; ++i) records.push_back(MakeRecord(i, 30 + i));
  records.push_back(MakeRecord(99, 70));
  Write(records);
  const std::string original = Read(Seg(0));
  const int64_t last_start = RecordOffsets(Seg(0)).back();
  const int64_t last_end = last_start + kHeaderSize + 70;
  const std::vector<std::string> earlier(records.begin(), records.end() - 1);

  for (int64_t cut = last_start; cut <= last_end; ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    Overwrite(Seg(0), original.substr(0, cut));
    ReplayResult result;
    auto got = ReplayAll(posix(), dir_, &result);
    EXPECT_TRUE(result.corruption.ok());
    if (cut == last_start || cut == last_end) {
      EXPECT_EQ(got, cut == last_end ? records : earlier);
      EXPECT_TRUE(result.torn_tails.empty());
      continue;
    }
    EXPECT_EQ(got, earlier);
    ASSERT_EQ(result.torn_tails.size(), 1u);
    EXPECT_EQ(result.torn_tails[0].segment, 0);
    EXPECT_EQ(result.torn_tails[0].offset, last_start);
    EXPECT_EQ(result.torn_tails[0].bytes_dropped, cut - last_start);
    EXPECT_EQ(*posix()->FileSize(Seg(0)), last_start) << "tail not cut";
  }
  // After the last cut: a new WAL continues cleanly after the good records.
  Overwrite(Seg(0), original.substr(0, last_start + 3));
  ReplayResult result;
  ReplayAll(posix(), dir_, &result);
  ReopenAppendAndCheck(earlier, {"after-1", "after-2"});
}

TEST_F(ReplayTest, TornMultiPageRecordInTheLastOfSeveralSegments) {
  std::vector<std::string> records;
  {
    auto wal = Wal::Open(dir_, posix(), Options());
    ASSERT_TRUE(wal.ok());
    for (int s = 0; s < 3; ++s) {
      for (int i = 0; i < 5; ++i) {
        records.push_back(MakeRecord(s * 10 + i, 500));
        ASSERT_TRUE((*wal)->Log(records.back()).ok());
      }
      if (s < 2) {
        ASSERT_TRUE((*wal)->NextSegment().ok());
      }
    }
    records.push_back(
        MakeRecord(77, 2 * kPageSize + 1000));  // Three fragments.
    ASSERT_TRUE((*wal)->Log(records.back()).ok());
  }
  const std::string original = Read(Seg(2));
  const int64_t last_start = RecordOffsets(Seg(2)).back();
  const std::vector<std::string> earlier(records.begin(), records.end() - 1);
  // Offsets around each page boundary and fragment header, plus a stride.
  std::vector<int64_t> cuts;
  for (int64_t page = 1; page <= 3; ++page) {
    for (int64_t d = -9; d <= 9; ++d) cuts.push_back(page * kPageSize + d);
  }
  for (int64_t c = last_start + 1; c < 2 * kPageSize + 1000; c += 509)
    cuts.push_back(c);
  for (int64_t cut : cuts) {
    if (cut <= last_start || cut >= static_cast<int64_t>(original.size()))
      continue;
    const int64_t last_end =
        2 * kPageSize + 1000 + 3 * kHeaderSize + last_start;
    if (cut >= last_end) continue;
    SCOPED_TRACE("cut at " + std::to_string(cut));
    Overwrite(Seg(2), original.substr(0, cut));
    ReplayResult result;
    EXPECT_EQ(ReplayAll(posix(), dir_, &result), earlier);
    EXPECT_TRUE(result.corruption.ok());
    ASSERT_EQ(result.torn_tails.size(), 1u);
    EXPECT_EQ(result.torn_tails[0].segment, 2);
    EXPECT_EQ(result.torn_tails[0].offset, last_start);
  }
  ReopenAppendAndCheck(earlier, {"x"});
}

TEST_F(ReplayTest, DamagedFinalRecordIsATornTail) {
  std::vector<std::string> records;
  for (int i = 0; i < 20; ++i) records.push_back(MakeRecord(i, 100));
  Write(records);
  std::string data = Read(Seg(0));
  const int64_t last_start = RecordOffsets(Seg(0)).back();
  data[last_start + kHeaderSize + 50] ^= 0x01;  // Checksum now fails.
  Overwrite(Seg(0), data);
  ReplayResult result;
  EXPECT_EQ(ReplayAll(posix(), dir_, &result),
            std::vector<std::string>(records.begin(), records.end() - 1));
  EXPECT_TRUE(result.corruption.ok());
  ASSERT_EQ(result.torn_tails.size(), 1u);
  EXPECT_TRUE(result.torn_tails[0].reason.IsCorruption());
  EXPECT_TRUE(QuarantineDir().empty());
}

TEST_F(ReplayTest, MidFileCorruptionSkipsOnlyTheDamagedRecord) {
  std::vector<std::string> records;
  for (int i = 0; i < 300; ++i) records.push_back(MakeRecord(i, 1000 + i % 7));
  Write(records, 4 * kPageSize);
  auto segments = *ListSegments(posix(), dir_);
  ASSERT_GE(segments.size(), 3u);
  const int last = segments.back().index;

  // Damage the payload of a record in the second page of segment 1.
  const std::vector<int64_t> offsets0 = RecordOffsets(Seg(0));
  const std::vector<int64_t> offsets1 = RecordOffsets(Seg(1));
  const int64_t flip_at = kPageSize + 100;
  size_t damaged = 0;  // Index within segment 1 of the damaged record.
  while (damaged + 1 < offsets1.size() && offsets1[damaged + 1] <= flip_at)
    ++damaged;
  const int64_t damaged_start = offsets1[damaged];
  std::string seg1 = Read(Seg(1));
  seg1[flip_at] ^= 0x80;
  Overwrite(Seg(1), seg1);
  std::vector<std::string> later_files;
  for (int i = 2; i <= last; ++i) later_files.push_back(Read(Seg(i)));

  ReplayResult result;
  auto got = ReplayAll(posix(), dir_, &result);
  // Every record but the damaged one, bit for bit and in order.
  std::vector<std::string> want = records;
  want.erase(want.begin() + static_cast<int64_t>(offsets0.size() + damaged));
  EXPECT_EQ(got, want);
  ASSERT_TRUE(result.corruption.IsCorruption());
  EXPECT_EQ(result.corrupt_segment, 1);
  EXPECT_EQ(result.corrupt_offset, damaged_start);
  const std::string msg(result.corruption.message());
  EXPECT_NE(msg.find("00000001"), std::string::npos) << msg;
  EXPECT_NE(msg.find(std::to_string(damaged_start)), std::string::npos) << msg;
  EXPECT_TRUE(result.torn_tails.empty());
  ASSERT_EQ(result.skipped.size(), 1u);
  EXPECT_EQ(result.skipped[0].segment, 1);
  EXPECT_EQ(result.skipped[0].offset, damaged_start);
  EXPECT_EQ(result.skipped[0].bytes, offsets1[damaged + 1] - damaged_start);
  EXPECT_EQ(result.records_salvaged,
            static_cast<int64_t>(offsets1.size() - damaged - 1));

  // Nothing deleted: the damaged original is in the quarantine, byte for
  // byte; later segments stay where they are, untouched.
  const std::string q = QuarantineDir();
  ASSERT_FALSE(q.empty());
  EXPECT_EQ(result.quarantine_dir, q);
  EXPECT_EQ(Read(JoinPath(q, "00000001")), seg1);
  EXPECT_EQ(result.quarantined, std::vector<std::string>{"00000001"});
  for (int i = 2; i <= last; ++i) EXPECT_EQ(Read(Seg(i)), later_files[i - 2]);
  // Segment 1 is now clean: its prefix as it was, then the records after
  // the damage.
  EXPECT_EQ(Read(Seg(1)).substr(0, damaged_start),
            seg1.substr(0, damaged_start));
  EXPECT_TRUE(ReadSegments(posix(), dir_, -1, -1, [](std::string_view) {
                return Status::OK();
              }).ok());

  // Replaying again finds a consistent WAL, and new writes append after it.
  ReplayResult again;
  EXPECT_EQ(ReplayAll(posix(), dir_, &again), want);
  EXPECT_TRUE(again.corruption.ok());
  EXPECT_TRUE(again.skipped.empty());
  ReopenAppendAndCheck(want, {MakeRecord(1000, 10), MakeRecord(1001, 40000)});
}

TEST_F(ReplayTest, DamageWithValidDataAfterItInTheLastSegmentIsCorruption) {
  std::vector<std::string> records;
  for (int i = 0; i < 100; ++i) records.push_back(MakeRecord(i, 900));
  Write(records);
  std::string data = Read(Seg(0));
  data[200] ^= 0x04;  // Inside the first record's payload.
  Overwrite(Seg(0), data);
  ReplayResult result;
  const std::vector<std::string> want(records.begin() + 1, records.end());
  EXPECT_EQ(ReplayAll(posix(), dir_, &result), want);
  EXPECT_TRUE(result.corruption.IsCorruption());
  EXPECT_EQ(result.corrupt_offset, 0);
  EXPECT_TRUE(result.torn_tails.empty());
  EXPECT_EQ(result.records_salvaged, 99);
  EXPECT_EQ(Read(JoinPath(QuarantineDir(), "00000000")), data);
  ReopenAppendAndCheck(want, {"fresh"});
}

TEST_F(ReplayTest, MissingSegmentIsCorruption) {
  {
    auto wal = Wal::Open(dir_, posix(), Options());
    ASSERT_TRUE(wal.ok());
    for (int s = 0; s < 4; ++s) {
      ASSERT_TRUE((*wal)->Log("r" + std::to_string(s)).ok());
      ASSERT_TRUE((*wal)->NextSegment().ok());
    }
  }
  ASSERT_TRUE(posix()->RemoveFile(Seg(2)).ok());
  ReplayResult result;
  EXPECT_EQ(ReplayAll(posix(), dir_, &result),
            (std::vector<std::string>{"r0", "r1"}));
  EXPECT_EQ(result.corrupt_segment, 3);
  EXPECT_EQ(result.corrupt_offset, 0);
  const std::string q = QuarantineDir();
  EXPECT_TRUE(posix()->Exists(JoinPath(q, "00000003")));
  EXPECT_TRUE(posix()->Exists(JoinPath(q, "00000004")));
  EXPECT_FALSE(posix()->Exists(Seg(3)));
  ReopenAppendAndCheck({"r0", "r1"}, {"r5"});
}

TEST_F(ReplayTest, CallbackCorruptionSkipsThatRecord) {
  std::vector<std::string> records;
  for (int i = 0; i < 10; ++i) records.push_back("rec" + std::to_string(i));
  Write(records);
  std::vector<std::string> got;
  ReplayResult result;
  ASSERT_TRUE(ReplayWal(
                  posix(), dir_,
                  [&](std::string_view r) {
                    if (r == "rec6") return Status::Corruption("undecodable");
                    got.emplace_back(r);
                    return Status::OK();
                  },
                  &result)
                  .ok());
  std::vector<std::string> want = records;
  want.erase(want.begin() + 6);
  EXPECT_EQ(got, want);
  EXPECT_EQ(result.records, 9);
  EXPECT_EQ(result.records_salvaged, 3);
  EXPECT_TRUE(result.corruption.IsCorruption());
  EXPECT_NE(result.corruption.message().find("undecodable"),
            std::string_view::npos);
  ASSERT_EQ(result.skipped.size(), 1u);
  ReplayResult again;
  EXPECT_EQ(ReplayAll(posix(), dir_, &again), got);
  EXPECT_TRUE(again.corruption.ok());
}

TEST_F(ReplayTest, OtherCallbackErrorsStopReplayUnchanged) {
  Write({"a", "b", "c"});
  const std::string before = Read(Seg(0));
  ReplayResult result;
  Status s = ReplayWal(
      posix(), dir_,
      [](std::string_view r) {
        return r == "b" ? Status::ResourceExhausted("full") : Status::OK();
      },
      &result);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(Read(Seg(0)), before);
  ReplayOptions strict;
  strict.quarantine_on_callback_corruption = false;
  s = ReplayWal(
      posix(), dir_, [](std::string_view) { return Status::Corruption("bad"); },
      &result, strict);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_EQ(Read(Seg(0)), before);
  EXPECT_TRUE(QuarantineDir().empty());
}

TEST_F(ReplayTest, ReadOnlyReplayReportsButChangesNothing) {
  std::vector<std::string> records;
  for (int i = 0; i < 60; ++i) records.push_back(MakeRecord(i, 1500));
  Write(records);
  std::string data = Read(Seg(0));
  ReplayOptions read_only;
  read_only.repair = false;

  // A torn tail is reported, not cut.
  const std::string torn = data.substr(0, RecordOffsets(Seg(0)).back() + 20);
  Overwrite(Seg(0), torn);
  ReplayResult result;
  EXPECT_EQ(ReplayAll(posix(), dir_, &result, read_only).size(),
            records.size() - 1);
  EXPECT_EQ(result.torn_tails.size(), 1u);
  EXPECT_EQ(Read(Seg(0)), torn);

  // Corruption is returned as an error and nothing moves.
  data[kPageSize + 10] ^= 0x10;
  Overwrite(Seg(0), data);
  Status s = ReplayWal(
      posix(), dir_, [](std::string_view) { return Status::OK(); }, &result,
      read_only);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(Read(Seg(0)), data);
  EXPECT_TRUE(QuarantineDir().empty());
}

TEST_F(ReplayTest, AbandonedSegmentGarbageIsATornTail) {
  // Segment 0: records, then garbage past the durable length its marker
  // records (as a failed write leaves it); segment 1: later records.
  {
    auto wal = Wal::Open(dir_, posix(), Options());
    ASSERT_TRUE(wal.ok());
    for (int i = 0; i < 5; ++i)
      ASSERT_TRUE((*wal)->Log("a" + std::to_string(i)).ok());
  }
  std::string seg0 = Read(Seg(0));
  seg0.resize(RecordOffsets(Seg(0)).back() + kHeaderSize + 2);  // Unpadded.
  const int64_t valid = static_cast<int64_t>(seg0.size());
  seg0 += std::string("\x01\x00\x30garbage-after-a-failed-write", 32);
  Overwrite(Seg(0), seg0);
  {
    auto wal = Wal::Open(dir_, posix(), Options());
    ASSERT_TRUE(wal.ok());
    for (int i = 0; i < 3; ++i)
      ASSERT_TRUE((*wal)->Log("b" + std::to_string(i)).ok());
  }
  const std::vector<std::string> all = {"a0", "a1", "a2", "a3",
                                        "a4", "b0", "b1", "b2"};

  // Without a marker this is corruption in a non-final segment.
  {
    ReplayOptions read_only;
    read_only.repair = false;
    ReplayResult result;
    Status s = ReplayWal(
        posix(), dir_, [](std::string_view) { return Status::OK(); }, &result,
        read_only);
    EXPECT_TRUE(s.IsCorruption());
  }
  ASSERT_TRUE(WriteAbandonMarker(posix(), dir_, 0, valid).ok());
  ReplayResult result;
  EXPECT_EQ(ReplayAll(posix(), dir_, &result), all);
  EXPECT_TRUE(result.corruption.ok()) << result.corruption.ToString();
  ASSERT_EQ(result.torn_tails.size(), 1u);
  EXPECT_EQ(result.torn_tails[0].segment, 0);
  EXPECT_EQ(result.torn_tails[0].offset, valid);
  EXPECT_EQ(*posix()->FileSize(Seg(0)), valid);
  ReopenAppendAndCheck(all, {"c0"});

  // Checkpoint-style removal drops the marker with its segment.
  ASSERT_TRUE(RemoveSegmentsBefore(posix(), dir_, 1).ok());
  EXPECT_FALSE(posix()->Exists(AbandonMarkerPath(dir_, 0)));
}

TEST_F(ReplayTest, DamageBeforeTheAbandonMarkIsStillCorruption) {
  {
    auto wal = Wal::Open(dir_, posix(), Options());
    for (int i = 0; i < 50; ++i)
      ASSERT_TRUE((*wal)->Log(MakeRecord(i, 2000)).ok());
    ASSERT_TRUE((*wal)->NextSegment().ok());
    ASSERT_TRUE((*wal)->Log("later").ok());
  }
  std::string seg0 = Read(Seg(0));
  ASSERT_TRUE(
      WriteAbandonMarker(posix(), dir_, 0, static_cast<int64_t>(seg0.size()))
          .ok());
  seg0[kPageSize + 5] ^= 0x01;
  Overwrite(Seg(0), seg0);
  ReplayResult result;
  ReplayAll(posix(), dir_, &result);
  EXPECT_TRUE(result.corruption.IsCorruption());
  EXPECT_EQ(result.corrupt_segment, 0);
  // The marker of a quarantined segment moves with it.
  EXPECT_FALSE(posix()->Exists(AbandonMarkerPath(dir_, 0)));
  EXPECT_TRUE(posix()->Exists(JoinPath(QuarantineDir(), AbandonMarkerName(0))));
}

TEST_F(ReplayTest, StaleRepairFilesAreRemoved) {
  Write({"a"});
  Overwrite(Seg(0) + ".repair", "partial copy");
  ReplayResult result;
  EXPECT_EQ(ReplayAll(posix(), dir_, &result), std::vector<std::string>{"a"});
  EXPECT_FALSE(posix()->Exists(Seg(0) + ".repair"));
}

TEST_F(ReplayTest, ReadSegmentsReadsARangeAndRejectsAnyDamage) {
  {
    auto wal = Wal::Open(dir_, posix(), Options());
    for (int s = 0; s < 4; ++s) {
      ASSERT_TRUE((*wal)->Log("s" + std::to_string(s)).ok());
      ASSERT_TRUE((*wal)->NextSegment().ok());
    }
  }
  auto read = [&](int first, int last, std::vector<std::string>* out) {
    return ReadSegments(posix(), dir_, first, last, [&](std::string_view r) {
      out->emplace_back(r);
      return Status::OK();
    });
  };
  std::vector<std::string> got;
  ASSERT_TRUE(read(1, 2, &got).ok());
  EXPECT_EQ(got, (std::vector<std::string>{"s1", "s2"}));
  got.clear();
  ASSERT_TRUE(read(2, -1, &got).ok());
  EXPECT_EQ(got, (std::vector<std::string>{"s2", "s3"}));

  std::string seg3 = Read(Seg(3));
  Overwrite(Seg(3), seg3.substr(0, 5));  // Torn.
  got.clear();
  Status s = read(-1, -1, &got);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("00000003"), std::string_view::npos);
  EXPECT_EQ(got.size(), 3u);
}

}  // namespace
}  // namespace strata::wal
