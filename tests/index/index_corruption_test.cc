// Damaged index files: every single-byte change is caught by Open or
// Verify and blamed on the section that holds the byte; random damage and
// truncation never crash any reader call.
#include <random>

#include "gtest/gtest.h"
#include "index/index_file_reader.h"
#include "index/index_format.h"
#include "index_test_util.h"
#include "temp_dir.h"
#include "util/coding.h"
#include "util/crc32c.h"

namespace strata {
namespace {

using index_testing::MakeSeries;
using index_testing::ReadWholeFile;
using index_testing::TestSeries;
using index_testing::WriteIndex;
using strata::testing::TempDir;

// The section (as Corrupt() names it) that holds byte `offset`.
std::string SectionOf(const index_format::Toc& toc, uint64_t size,
                      uint64_t offset) {
  if (offset < 5) return "header";
  if (offset < toc.series) return "symbol table";
  if (offset < toc.label_indices) return "series";
  if (offset < toc.postings) return "label index";
  if (offset < toc.label_indices_table) return "postings list";
  if (offset < toc.postings_table) return "label offset table";
  if (offset < size - index_format::Toc::kEncodedSize) {
    return "postings offset table";
  }
  return "TOC";
}

// Opens `path` and verifies it; the first error, or OK.
Status OpenAndVerify(FileSystem* fs, const std::string& path) {
  auto r = IndexFileReader::Open(fs, path);
  if (!r.ok()) return r.status();
  return (*r)->Verify();
}

// Calls every read method with ids and names taken from the file itself,
// so damaged offsets are followed. Only checks that nothing crashes.
void ExerciseEverything(FileSystem* fs, const std::string& path) {
  auto r = IndexFileReader::Open(fs, path);
  if (!r.ok()) return;
  const IndexFileReader& idx = **r;
  (void)idx.Verify();
  (void)idx.Symbols();
  auto names = idx.LabelNames();
  if (names.ok()) {
    for (const std::string& n : *names) {
      auto values = idx.LabelValues(n);
      if (values.ok()) (void)idx.PostingsFor(n, *values);
    }
  }
  (void)idx.ForEachPostingsList([](std::string_view, std::string_view,
                                   uint32_t) { return Status::OK(); });
  auto all = idx.AllPostings();
  if (all.ok()) {
    int n = 0;
    for (uint32_t id : *all) {
      Labels labels;
      std::vector<ChunkMeta> chunks;
      (void)idx.Series(id, &labels, &chunks);
      if (++n == 200) break;
    }
  }
  for (uint32_t id = 0; id < idx.FileSize() / 16 + 2; id += 7) {
    Labels labels;
    (void)idx.Series(id, &labels, nullptr);
  }
}

class IndexCorruptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    const std::string good = dir_.Join("good");
    WriteIndex(good, MakeSeries(12, 3));
    auto data = ReadWholeFile(good);
    ASSERT_TRUE(data.has_value());
    original_ = *data;
    ASSERT_TRUE(toc_.DecodeFrom(std::string_view(original_).substr(
        original_.size() - index_format::Toc::kEncodedSize)));
    ASSERT_TRUE(OpenAndVerify(FileSystem::Default(), good).ok());
  }
  TempDir dir_;
  std::string path_ = dir_.Join("index");
  std::string original_;
  index_format::Toc toc_;
  index_testing::MemoryMapFileSystem fs_;
};

TEST_F(IndexCorruptionTest, EveryByteChangeIsDetectedAndBlamedOnItsSection) {
  // The file has padding in the series and before the postings, and every
  // section; check that the sample covers them.
  ASSERT_GT(toc_.label_indices_table, toc_.postings);
  ASSERT_GT(original_.size(), 1000u);
  std::printf("flipping each of %zu bytes three ways\n", original_.size());
  for (uint64_t i = 0; i < original_.size(); ++i) {
    for (const uint8_t mask : {0x01, 0x80, 0xFF}) {
      std::string data = original_;
      data[i] = static_cast<char>(data[i] ^ mask);
      fs_.Put(path_, std::move(data));
      Status s = OpenAndVerify(&fs_, path_);
      const std::string section = SectionOf(toc_, original_.size(), i);
      ASSERT_TRUE(s.IsCorruption()) << "byte " << i << " (" << section << ") ^ "
                                    << int{mask} << ": " << s.ToString();
      EXPECT_NE(s.message().find(path_), std::string::npos) << s.ToString();
      EXPECT_NE(s.message().find(section + " at byte"), std::string::npos)
          << "byte " << i << " ^ " << int{mask} << ": " << s.ToString();
    }
  }
}

TEST_F(IndexCorruptionTest, EveryTruncationFailsOpen) {
  for (size_t n = 0; n < original_.size(); ++n) {
    fs_.Put(path_, original_.substr(0, n));
    auto r = IndexFileReader::Open(&fs_, path_);
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_TRUE(r.status().IsCorruption()) << r.status().ToString();
  }
}

TEST_F(IndexCorruptionTest, AppendedBytesFailOpen) {
  fs_.Put(path_, original_ + std::string(16, '\0'));
  EXPECT_FALSE(IndexFileReader::Open(&fs_, path_).ok());
}

TEST_F(IndexCorruptionTest, MissingFileIsNotCorruption) {
  auto r = IndexFileReader::Open(FileSystem::Default(), dir_.Join("nope"));
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(r.status().IsCorruption());
}

TEST_F(IndexCorruptionTest, RandomDamageNeverCrashes) {
  // A bigger file, so that damaged offsets point at plausible places.
  const std::string big = dir_.Join("big");
  WriteIndex(big, MakeSeries(400, 9));
  const std::string good = *ReadWholeFile(big);
  std::mt19937 rng(12345);
  int detected = 0;
  const int kRounds = 1500;
  for (int round = 0; round < kRounds; ++round) {
    std::string data = good;
    switch (round % 4) {
      case 0:
      case 1: {  // A few random bytes.
        const int flips = 1 + static_cast<int>(rng() % 8);
        for (int f = 0; f < flips; ++f) {
          data[rng() % data.size()] = static_cast<char>(rng());
        }
        break;
      }
      case 2: {  // A burst of garbage.
        const size_t at = rng() % data.size();
        const size_t n = std::min<size_t>(1 + rng() % 64, data.size() - at);
        for (size_t k = 0; k < n; ++k) data[at + k] = static_cast<char>(rng());
        break;
      }
      case 3: {  // Damage, keeping the TOC valid so deeper code runs: the
                 // sections themselves are then the only defence.
        const size_t body = data.size() - index_format::Toc::kEncodedSize;
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int f = 0; f < flips; ++f) {
          data[rng() % body] = static_cast<char>(rng());
        }
        break;
      }
    }
    const bool changed = data != good;
    fs_.Put(path_, std::move(data));
    ExerciseEverything(&fs_, path_);
    if (changed) {
      Status s = OpenAndVerify(&fs_, path_);
      EXPECT_FALSE(s.ok()) << "round " << round;
      if (!s.ok()) ++detected;
    }
  }
  EXPECT_GT(detected, kRounds / 2);
}

TEST_F(IndexCorruptionTest, PlausibleButWrongContentsAreCaughtByVerify) {
  // A postings list that names a series lacking the label: rewrite the list
  // and its CRC so only the cross-check can notice.
  auto r = IndexFileReader::Open(FileSystem::Default(), dir_.Join("good"));
  ASSERT_TRUE(r.ok());
  auto all = (*r)->AllPostings();
  ASSERT_TRUE(all.ok());
  ASSERT_GE(all->cardinality(), 2u);
  const uint32_t first = all->minimum();
  const uint32_t last = all->maximum();
  // Find the postings list for the label pair of the first series' "id".
  Labels labels;
  ASSERT_TRUE((*r)->Series(first, &labels, nullptr).ok());
  const std::string id(labels.Get("id"));
  uint64_t list_offset = 0;
  // The ("id", value) list holds exactly `first`; find it by scanning.
  for (uint64_t off = toc_.postings; off + 12 <= toc_.label_indices_table;
       off += 4) {
    if (DecodeBE32(original_.data() + off) == 8 &&
        DecodeBE32(original_.data() + off + 4) == 1 &&
        DecodeBE32(original_.data() + off + 8) == first) {
      auto p = (*r)->PostingsFor("id", {id});
      ASSERT_TRUE(p.ok());
      if (p->cardinality() == 1 && p->minimum() == first) {
        list_offset = off;
        break;
      }
    }
  }
  ASSERT_NE(list_offset, 0u);
  std::string data = original_;
  EncodeBE32(data.data() + list_offset + 8, last);
  EncodeBE32(data.data() + list_offset + 12,
             crc32c::Value(std::string_view(data).substr(list_offset + 4, 8)));
  fs_.Put(path_, std::move(data));
  Status s = OpenAndVerify(&fs_, path_);
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("postings list"), std::string::npos)
      << s.ToString();
}

}  // namespace
}  // namespace strata
