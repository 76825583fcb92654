// Salvage: a flipped byte anywhere in a segment costs only the records it
// touches. Every other record is replayed bit for bit, in order, and the
// WAL is clean afterwards.
#include "wal/salvage.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "wal/framing.h"
#include "wal/log_format.h"
#include "wal/segment.h"
#include "wal/segment_reader.h"
#include "wal/wal.h"
#include "wal_test_util.h"

namespace strata::wal {
namespace {

struct Span {
  int64_t begin;
  int64_t end;
};

// Byte ranges of the records of a clean segment.
std::vector<Span> RecordSpans(std::string_view data) {
  SegmentReader reader(data);
  std::vector<Span> spans;
  std::string_view r;
  while (reader.Next(&r))
    spans.push_back({reader.record_offset(), reader.offset()});
  EXPECT_TRUE(reader.status().ok());
  return spans;
}

// Offsets of every fragment header of a clean segment.
std::vector<int64_t> HeaderOffsets(std::string_view data) {
  std::vector<int64_t> headers;
  const int64_t size = static_cast<int64_t>(data.size());
  int64_t pos = 0;
  while (pos < size) {
    const int64_t in_page = kPageSize - pos % kPageSize;
    if (in_page < kHeaderSize || data[pos] == 0) {
      pos += in_page;
      continue;
    }
    headers.push_back(pos);
    pos += kHeaderSize + ((static_cast<uint8_t>(data[pos + 1]) << 8) |
                          static_cast<uint8_t>(data[pos + 2]));
  }
  return headers;
}

class SalvageTest : public TempDirTest,
                    public ::testing::WithParamInterface<Compression> {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    // Small, page-sized and multi-page records, some compressible.
    for (int i = 0; i < 120; ++i) {
      const size_t size = i % 10 == 3 ? 70000 : i % 4 == 0 ? 9000 : 300;
      std::string r = MakeRecord(i, size);
      if (i % 3 == 0) r.replace(8, size / 2, size / 2, 'z');
      records_.push_back(r);
    }
    WalOptions o;
    o.compression = GetParam();
    auto wal = Wal::Open(dir_, posix(), o);
    ASSERT_TRUE(wal.ok());
    for (const std::string& r : records_) ASSERT_TRUE((*wal)->Log(r).ok());
    // A later segment, so damage at the end of segment 0 is not a torn tail.
    ASSERT_TRUE((*wal)->NextSegment().ok());
    ASSERT_TRUE((*wal)->Log("after").ok());
    ASSERT_TRUE((*wal)->Close().ok());
    original_ = *posix()->ReadFile(SegmentPath(dir_, 0));
    spans_ = RecordSpans(original_);
    ASSERT_EQ(spans_.size(), records_.size());
  }

  // Replays with segment 0 replaced by `data`; checks what came back.
  // Returns the indexes of the records lost.
  std::vector<size_t> ReplayDamaged(const std::string& data) {
    {
      auto f = posix()->NewWritableFile(SegmentPath(dir_, 0));
      EXPECT_TRUE(f.ok());
      EXPECT_TRUE((*f)->Append(data).ok());
      EXPECT_TRUE((*f)->Close().ok());
    }
    ReplayOptions o;
    o.quarantine_dir = JoinPath(root_, "q");
    ReplayResult result;
    std::vector<std::string> got = ReplayAll(posix(), dir_, &result, o);
    EXPECT_FALSE(got.empty());
    if (got.empty()) return {};
    EXPECT_EQ(got.back(), "after");
    got.pop_back();
    // `got` is records_ minus some, bit for bit, in order.
    std::vector<size_t> lost;
    size_t j = 0;
    for (size_t i = 0; i < records_.size(); ++i) {
      if (j < got.size() && got[j] == records_[i]) {
        ++j;
      } else {
        lost.push_back(i);
      }
    }
    EXPECT_EQ(j, got.size()) << "a record came back altered or reordered";
    EXPECT_TRUE(result.torn_tails.empty());
    EXPECT_EQ(result.skipped.empty(), data == original_);
    // The WAL is clean now and replays the same records again.
    ReplayResult again;
    std::vector<std::string> replayed = ReplayAll(posix(), dir_, &again, o);
    replayed.pop_back();
    EXPECT_EQ(replayed, got);
    EXPECT_TRUE(again.skipped.empty());
    EXPECT_TRUE(posix()->RemoveAll(o.quarantine_dir).ok());
    return lost;
  }

  std::vector<std::string> records_;
  std::string original_;
  std::vector<Span> spans_;
};

TEST_P(SalvageTest, FlippedPayloadByteCostsExactlyItsRecord) {
  const std::vector<int64_t> headers = HeaderOffsets(original_);
  int checked = 0;
  for (size_t i = 0; i < spans_.size(); i += 7) {
    // The middle of the record's bytes, unless that is a header.
    int64_t at = (spans_[i].begin + spans_[i].end) / 2;
    bool in_header = false;
    for (int64_t h : headers)
      in_header = in_header || (at >= h && at < h + kHeaderSize);
    if (in_header) continue;
    SCOPED_TRACE(::testing::Message() << "record " << i << " byte " << at);
    std::string data = original_;
    data[at] ^= 0x20;
    EXPECT_EQ(ReplayDamaged(data), std::vector<size_t>{i});
    ++checked;
  }
  EXPECT_GE(checked, 10);
}

TEST_P(SalvageTest, FlippedHeaderByteCostsAtMostItsPage) {
  const std::vector<int64_t> headers = HeaderOffsets(original_);
  for (size_t h = 0; h < headers.size(); h += 5) {
    for (int64_t byte : {0, 1, 2, 5}) {
      const int64_t at = headers[h] + byte;
      SCOPED_TRACE(::testing::Message()
                   << "header at " << headers[h] << " byte " << byte);
      std::string data = original_;
      data[at] ^= 0x41;
      const std::vector<size_t> lost = ReplayDamaged(data);
      // Only records with bytes in the flipped byte's page are lost.
      const int64_t page = at / kPageSize * kPageSize;
      for (size_t i : lost) {
        EXPECT_LT(spans_[i].begin, page + kPageSize) << "record " << i;
        EXPECT_GT(spans_[i].end, page) << "record " << i;
      }
      EXPECT_FALSE(lost.empty());
    }
  }
}

TEST_P(SalvageTest, DamageInSeveralPlacesOfOneSegment) {
  std::string data = original_;
  for (int64_t at : {int64_t{100}, 3 * kPageSize + 50, 9 * kPageSize + 4000}) {
    if (at < static_cast<int64_t>(data.size())) data[at] ^= 0x10;
  }
  const std::vector<size_t> lost = ReplayDamaged(data);
  EXPECT_GE(lost.size(), 2u);
  EXPECT_LE(lost.size(), 6u);
}

INSTANTIATE_TEST_SUITE_P(Compression, SalvageTest,
                         ::testing::Values(Compression::kNone,
                                           Compression::kSnappy,
                                           Compression::kZstd));

TEST(FindResumePointTest, NothingIntactFollowsATruncatedRecord) {
  std::string data;
  AppendFragments(0, std::string(100, 'a'), 0, &data);
  const std::string cut = data.substr(0, 50);
  EXPECT_EQ(FindResumePoint(cut, 0, 0), -1);
}

}  // namespace
}  // namespace strata::wal
