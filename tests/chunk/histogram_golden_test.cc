// Golden tests against histogram and float histogram chunks (encodings 2
// and 3) written by real Prometheus 2.42: the series of
// histogram_test_data.h, remote-written into Prometheus with
// native histograms on and persisted by its snapshot API.
//   - Recorded: the chunk segment committed under
//     tests/testdata/histogram_golden/ (made by regenerate.sh there).
//   - Live: a fresh Prometheus 2.42 (`prometheus` on PATH) gets the same
//     series now; with STRATA_UPDATE_HISTOGRAM_GOLDEN=1 its chunk segment
//     replaces the recorded one.
// Both require, chunk by chunk in the file's order (series sorted by
// label, then time), that Strata's iterator decodes exactly the written
// histograms and that HistogramSeriesAppender, fed the same histograms,
// makes byte-identical chunks with the same counter-reset headers.
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "block/chunk_file_reader.h"
#include "chunk/encoding.h"
#include "chunk/float_histogram_chunk.h"
#include "chunk/float_histogram_iterator.h"
#include "chunk/histogram_chunk.h"
#include "chunk/histogram_iterator.h"
#include "chunk/histogram_series.h"
#include "gtest/gtest.h"
#include "histogram_remote_write.h"
#include "histogram_test_data.h"
#include "http_client/http_client.h"
#include "prometheus_process.h"
#include "strata/file_system.h"
#include "temp_dir.h"
#include "test_env.h"

namespace strata::chunk {
namespace {

using testing::FloatHistogramSample;
using testing::FloatHistogramSeries;
using testing::FloatHistogramTestSeries;
using testing::HistogramSample;
using testing::HistogramSeries;
using testing::HistogramTestSeries;
using testing::MeaningOf;

constexpr int64_t kChunkRange = 2 * 3600 * 1000;  // Prometheus's default.

std::string GoldenDir() {
  return strata::testing::SourceDir() + "/tests/testdata/histogram_golden";
}

struct FileChunk {
  uint8_t encoding = 0;
  std::string data;
};

std::vector<FileChunk> ReadChunks(const std::string& chunks_dir) {
  std::vector<FileChunk> out;
  StatusOr<std::unique_ptr<ChunkFileReader>> reader =
      ChunkFileReader::Open(FileSystem::Default(), chunks_dir);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (!reader.ok()) return out;
  const Status s =
      (*reader)->ForEachChunk([&out](uint64_t, const ChunkBytes& c) {
        out.push_back({c.encoding, std::string(c.data)});
        return Status::OK();
      });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

// Strata's chunks for `series` (appended to *expected) and the samples
// (to *written). The last chunk of each series is its closing sample,
// which Prometheus re-encoded from its open head chunk with an unknown
// counter-reset header (see histogram_test_data.h).
template <typename Appender, typename SeriesList, typename Sample>
void EncodeAll(const SeriesList& series, std::vector<FileChunk>* expected,
               std::vector<Sample>* written) {
  for (const auto& s : series) {
    Appender app(kChunkRange);
    for (const auto& x : s.samples) {
      ASSERT_TRUE(app.Append(x.t, x.h));
    }
    ASSERT_EQ(app.chunks().back().NumSamples(), 1) << s.name;
    for (const auto& c : app.chunks()) {
      expected->push_back(
          {static_cast<uint8_t>(c.encoding()), std::string(c.Bytes())});
    }
    auto reencoded = app.chunks().back();
    reencoded.SetCounterResetHeader(CounterResetHeader::kUnknown);
    expected->back().data = reencoded.Bytes();
    written->insert(written->end(), s.samples.begin(), s.samples.end());
  }
}

// Decodes the chunks of one kind and compares them with what was written.
template <typename Iterator, typename Sample>
void ExpectDecodes(const std::vector<FileChunk>& chunks,
                   const std::vector<Sample>& written) {
  std::vector<Sample> decoded;
  for (const FileChunk& c : chunks) {
    Iterator it(c.data);
    while (it.Next()) decoded.push_back({it.t(), it.At()});
    ASSERT_FALSE(it.error()) << it.error_message();
  }
  ASSERT_EQ(decoded.size(), written.size());
  for (size_t i = 0; i < decoded.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(decoded[i].t, written[i].t);
    EXPECT_TRUE(MeaningOf(decoded[i].h) == MeaningOf(written[i].h));
  }
}

// The file's chunks, in order, against the integer then the float series.
void ExpectSameAsStrata(const std::vector<FileChunk>& file) {
  std::vector<FileChunk> expected;
  std::vector<HistogramSample> written;
  std::vector<FloatHistogramSample> written_float;
  EncodeAll<HistogramSeriesAppender>(HistogramTestSeries(), &expected,
                                     &written);
  const size_t num_int = expected.size();
  EncodeAll<FloatHistogramSeriesAppender>(FloatHistogramTestSeries(), &expected,
                                          &written_float);
  ASSERT_EQ(file.size(), expected.size());
  for (size_t i = 0; i < file.size(); ++i) {
    SCOPED_TRACE(i);
    ASSERT_EQ(file[i].encoding, expected[i].encoding);
    EXPECT_EQ(ReadCounterResetHeader(file[i].data),
              ReadCounterResetHeader(expected[i].data));
    EXPECT_TRUE(file[i].data == expected[i].data)
        << "chunk bytes differ from Strata's encoding";
  }
  ExpectDecodes<HistogramIterator>(
      std::vector<FileChunk>(file.begin(), file.begin() + num_int), written);
  ExpectDecodes<FloatHistogramIterator>(
      std::vector<FileChunk>(file.begin() + num_int, file.end()),
      written_float);
}

TEST(HistogramGoldenTest, RecordedPrometheusChunks) {
  const std::string dir = GoldenDir() + "/chunks";
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  ExpectSameAsStrata(ReadChunks(dir));
}

// The chunks directory of the only block in the snapshot `name`.
std::string SnapshotChunksDir(const std::string& data,
                              const std::string& name) {
  for (const auto& e :
       std::filesystem::directory_iterator(data + "/snapshots/" + name)) {
    if (std::filesystem::is_directory(e.path() / "chunks")) {
      return (e.path() / "chunks").string();
    }
  }
  return "";
}

TEST(HistogramGoldenTest, LivePrometheus) {
  if (!strata::testing::HavePrometheus()) {
    STRATA_SKIP_OR_FAIL_IF_MISSING("prometheus");
  }
  strata::testing::TempDir tmp;
  ASSERT_TRUE(tmp.ok());
  const std::string data = tmp.path() + "/data";
  strata::testing::PrometheusProcess prom(
      data, "global:\n  scrape_interval: 1m\n", tmp.path(),
      {"--enable-feature=native-histograms",
       "--web.enable-remote-write-receiver", "--web.enable-admin-api"});
  ASSERT_TRUE(prom.WaitReady()) << prom.log();

  StatusOr<http_client::Response> w =
      testing::RemoteWriteHistogramTestSeries(prom.port());
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_EQ(w->status, 204) << w->body << prom.log();

  StatusOr<std::string> name = prom.AdminSnapshot();
  ASSERT_TRUE(name.ok()) << name.status().ToString();
  const std::string chunks = SnapshotChunksDir(data, *name);
  ASSERT_FALSE(chunks.empty()) << *name;

  ExpectSameAsStrata(ReadChunks(chunks));

  const char* update = std::getenv("STRATA_UPDATE_HISTOGRAM_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::filesystem::create_directories(GoldenDir() + "/chunks");
    std::filesystem::copy_file(
        chunks + "/000001", GoldenDir() + "/chunks/000001",
        std::filesystem::copy_options::overwrite_existing);
  }
}

}  // namespace
}  // namespace strata::chunk
