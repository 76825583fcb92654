// IndexWriter: layout details of what it writes, and the input it rejects.
#include "index/index_writer.h"

#include <limits>

#include "gtest/gtest.h"
#include "index/index_file_reader.h"
#include "index/index_format.h"
#include "index/series_encoding.h"
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

class IndexWriterTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dir_.ok()); }
  std::unique_ptr<IndexWriter> NewWriter() {
    auto w = IndexWriter::Create(FileSystem::Default(), path_);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return std::move(*w);
  }
  TempDir dir_;
  std::string path_ = dir_.Join("index");
};

TEST_F(IndexWriterTest, EmptyIndexLayoutMatchesPrometheus) {
  auto w = NewWriter();
  ASSERT_TRUE(w->Finish().ok());
  auto data = ReadWholeFile(path_);
  ASSERT_TRUE(data.has_value());
  // Header, empty symbol table (len 4, count 0, CRC), no series, no label
  // indices, padding to 4, the empty all-postings list, an empty label
  // offset table, a one-entry postings offset table, the TOC.
  std::string want;
  PutBE32(&want, index_format::kMagic);
  want.push_back(2);
  PutBE32(&want, 4);
  PutBE32(&want, 0);
  PutBE32(&want, crc32c::Value(std::string(4, '\0')));
  const uint64_t series = want.size();  // 17
  want.append(3, '\0');                 // Postings start aligned at 20.
  const uint64_t all = want.size();
  PutBE32(&want, 4);
  PutBE32(&want, 0);
  PutBE32(&want, crc32c::Value(std::string(4, '\0')));
  const uint64_t label_table = want.size();
  PutBE32(&want, 4);
  PutBE32(&want, 0);
  PutBE32(&want, crc32c::Value(std::string(4, '\0')));
  const uint64_t postings_table = want.size();
  std::string body;
  PutBE32(&body, 1);
  PutUvarint(&body, 2);
  PutLengthPrefixed(&body, "");
  PutLengthPrefixed(&body, "");
  PutUvarint(&body, all);
  PutBE32(&want, static_cast<uint32_t>(body.size()));
  want += body;
  PutBE32(&want, crc32c::Value(body));
  index_format::Toc toc;
  toc.symbols = 5;
  toc.series = series;
  toc.label_indices = series;
  toc.postings = series;  // Before the padding, as Prometheus records it.
  toc.label_indices_table = label_table;
  toc.postings_table = postings_table;
  toc.EncodeTo(&want);
  EXPECT_EQ(*data, want);
  EXPECT_EQ(w->Size(), want.size());
}

TEST_F(IndexWriterTest, SeriesAreSixteenByteAlignedAndIdsAreOffsets) {
  std::vector<TestSeries> series = MakeSeries(40);
  std::vector<SeriesId> ids = WriteIndex(path_, series);
  ASSERT_EQ(ids.size(), series.size());
  auto data = ReadWholeFile(path_);
  ASSERT_TRUE(data.has_value());
  index_format::Toc toc;
  ASSERT_TRUE(toc.DecodeFrom(std::string_view(*data).substr(
      data->size() - index_format::Toc::kEncodedSize)));
  // The first series is at the first 16-byte boundary after the symbols.
  EXPECT_EQ(ids[0], (toc.series + 15) / 16);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) {
      EXPECT_GT(ids[i], ids[i - 1]);
    }
    const uint64_t off = uint64_t{ids[i]} * 16;
    ASSERT_LT(off, toc.label_indices);
    // The entry is uvarint length, body, CRC32C of the body.
    std::string_view in = std::string_view(*data).substr(off);
    uint64_t len;
    ASSERT_TRUE(GetUvarint(&in, &len));
    const std::string_view entry_body = in.substr(0, len);
    EXPECT_EQ(crc32c::Value(entry_body), DecodeBE32(in.data() + len));
    std::vector<index_format::LabelRef> refs;
    std::vector<ChunkMeta> chunks;
    ASSERT_TRUE(index_format::DecodeSeriesBody(entry_body, &refs, &chunks));
    EXPECT_EQ(refs.size(), series[i].labels.size());
    ASSERT_EQ(chunks.size(), series[i].chunks.size());
    for (size_t c = 0; c < chunks.size(); ++c) {
      EXPECT_EQ(chunks[c].ref, series[i].chunks[c].ref);
      EXPECT_EQ(chunks[c].mint, series[i].chunks[c].mint);
      EXPECT_EQ(chunks[c].maxt, series[i].chunks[c].maxt);
    }
  }
}

TEST(SeriesEncodingTest, ChunkMetaDeltasRoundTripAtExtremes) {
  const std::vector<index_format::LabelRef> labels = {
      {0, 1}, {7, 300}, {0xFFFFFFFF, 0x80000000}};
  const std::vector<ChunkMeta> chunks = {
      {0, std::numeric_limits<int64_t>::min() + 1, -5},
      {0, -4, -4},
      {uint64_t{1} << 40, 0, 1000},
      {(uint64_t{1} << 40) + 5, 1001, std::numeric_limits<int64_t>::max()}};
  std::string body;
  index_format::EncodeSeriesBody(labels, chunks, &body);
  std::vector<index_format::LabelRef> got_labels;
  std::vector<ChunkMeta> got_chunks;
  ASSERT_TRUE(index_format::DecodeSeriesBody(body, &got_labels, &got_chunks));
  EXPECT_EQ(got_labels, labels);
  ASSERT_EQ(got_chunks.size(), chunks.size());
  for (size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_EQ(got_chunks[i].ref, chunks[i].ref);
    EXPECT_EQ(got_chunks[i].mint, chunks[i].mint);
    EXPECT_EQ(got_chunks[i].maxt, chunks[i].maxt);
  }
  // Every strict prefix is malformed, and so is a trailing byte.
  for (size_t n = 0; n < body.size(); ++n) {
    EXPECT_FALSE(index_format::DecodeSeriesBody(body.substr(0, n), &got_labels,
                                                &got_chunks))
        << n;
  }
  EXPECT_FALSE(
      index_format::DecodeSeriesBody(body + "x", &got_labels, &got_chunks));
}

TEST_F(IndexWriterTest, RejectsUnsortedOrDuplicateSymbols) {
  auto w = NewWriter();
  EXPECT_EQ(w->AddSymbols({"b", "a"}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(w->AddSymbols({"a", "a"}).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(w->AddSymbols({"a", "b"}).ok());
  EXPECT_EQ(w->AddSymbols({"c"}).code(), StatusCode::kFailedPrecondition);
}

TEST_F(IndexWriterTest, RejectsBadSeriesAndKeepsGoing) {
  auto w = NewWriter();
  ASSERT_TRUE(w->AddSymbols({"a", "b", "c", "x"}).ok());
  const Labels ab = Labels::Of({{"a", "b"}});
  const Labels ac = Labels::Of({{"a", "c"}});
  EXPECT_EQ(w->AddSeries(Labels(), {}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(w->AddSeries(Labels::Of({{"a", "zz"}}), {}).status().code(),
            StatusCode::kInvalidArgument);  // Not a symbol.
  ASSERT_TRUE(w->AddSeries(ac, {}).ok());
  EXPECT_EQ(w->AddSeries(ab, {}).status().code(),
            StatusCode::kInvalidArgument);  // Out of order.
  EXPECT_EQ(w->AddSeries(ac, {}).status().code(),
            StatusCode::kInvalidArgument);  // Duplicate.
  const Labels ax = Labels::Of({{"a", "x"}});
  const std::vector<ChunkMeta> overlapping = {{8, 0, 10}, {20, 10, 20}};
  EXPECT_EQ(w->AddSeries(ax, overlapping).status().code(),
            StatusCode::kInvalidArgument);
  const std::vector<ChunkMeta> inverted = {{8, 10, 9}};
  EXPECT_EQ(w->AddSeries(ax, inverted).status().code(),
            StatusCode::kInvalidArgument);
  const std::vector<ChunkMeta> ok = {{100, 0, 10}, {200, 11, 20}};
  ASSERT_TRUE(w->AddSeries(ax, ok).ok());
  // Chunk refs may not go backwards across series either.
  const std::vector<ChunkMeta> backwards = {{150, 0, 10}};
  EXPECT_EQ(w->AddSeries(Labels::Of({{"b", "a"}}), backwards).status().code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(w->Finish().ok());
  EXPECT_EQ(w->AddSeries(Labels::Of({{"b", "c"}}), {}).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(w->Finish().code(), StatusCode::kFailedPrecondition);

  auto r = IndexFileReader::Open(FileSystem::Default(), path_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->NumSeries(), 2u);
  EXPECT_TRUE((*r)->Verify().ok());
}

TEST_F(IndexWriterTest, CreateFailsInMissingDirectory) {
  auto w = IndexWriter::Create(FileSystem::Default(),
                               dir_.Join("no/such/dir/index"));
  EXPECT_FALSE(w.ok());
}

}  // namespace
}  // namespace strata
