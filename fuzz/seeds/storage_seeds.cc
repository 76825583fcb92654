// Seeds of the storage targets, written by the engine itself: a DB with a
// few series (and a deletion) gives WAL segments and records, and its
// snapshot a block (index, chunk segment, meta.json); tombstones and a few
// framed WAL records (snappy, multi-page) are encoded directly.
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "block/tombstones.h"
#include "chunk/dense_chunk.h"
#include "chunk/histogram.h"
#include "chunk/histogram_chunk.h"
#include "seed_writer.h"
#include "strata/appender.h"
#include "strata/db.h"
#include "strata/histogram.h"
#include "strata/labels.h"
#include "strata/options.h"
#include "temp_dir.h"
#include "wal/compression.h"
#include "wal/framing.h"
#include "wal/histogram_record.h"
#include "wal/record.h"
#include "wal/segment_reader.h"

namespace strata::fuzz {
namespace {

namespace fs = std::filesystem;

void Check(const Status& st, const char* what) {
  if (st.ok()) return;
  std::fprintf(stderr, "%s: %s\n", what, st.ToString().c_str());
  std::abort();
}

// Twelve series, 40 samples each (a NaN and a stale marker among them),
// one series deleted in part.
void FillDB(DB* db) {
  auto app = db->NewAppender();
  for (int i = 0; i < 12; ++i) {
    const Labels labels = Labels::Of({{"__name__", i % 2 ? "up" : "req_total"},
                                      {"instance", "host" + std::to_string(i)},
                                      {"job", i < 6 ? "api" : "db"}});
    for (int64_t t = 0; t < 40; ++t) {
      double v = static_cast<double>(i * 100 + t * t) / 3;
      if (t == 20 && i == 3) v = std::nan("");
      if (t == 39 && i == 5) v = std::bit_cast<double>(0x7ff0000000000002ull);
      Check(app->Append(labels, 1000 * 15 * t, v).status(), "append");
    }
    if (i == 5) Check(app->Commit(), "commit");
  }
  Check(app->Commit(), "commit");
  Check(db->DeleteSeries({Matcher::Equal("instance", "host7")}, 0, 100000),
        "delete");
}

void AddWal(const fs::path& wal_dir, SeedWriter* out) {
  for (const fs::directory_entry& e : fs::directory_iterator(wal_dir)) {
    if (!e.is_regular_file()) continue;
    const std::string segment = ReadWholeFile(e.path());
    out->Add("wal_segment_fuzzer", segment);
    wal::SegmentReader reader(segment);
    std::string_view record;
    while (reader.Next(&record)) out->Add("wal_record_fuzzer", record);
  }
}

void AddBlock(const fs::path& snapshot, SeedWriter* out) {
  for (const fs::directory_entry& e : fs::directory_iterator(snapshot)) {
    if (!e.is_directory()) continue;
    const fs::path block = e.path();
    if (fs::exists(block / "index")) {
      out->Add("index_fuzzer", ReadWholeFile(block / "index"));
    }
    if (fs::exists(block / "chunks" / "000001")) {
      out->Add("chunk_segment_fuzzer",
               ReadWholeFile(block / "chunks" / "000001"));
    }
    if (fs::exists(block / "meta.json")) {
      out->Add("block_meta_fuzzer", ReadWholeFile(block / "meta.json"));
    }
    if (fs::exists(block / "tombstones")) {
      out->Add("tombstones_fuzzer", ReadWholeFile(block / "tombstones"));
    }
  }
}

void AddEncodedRecords(SeedWriter* out) {
  std::string series;
  wal::EncodeSeries(
      std::vector<wal::RefSeries>{
          {1, Labels::Of({{"__name__", "up"}, {"job", "a"}})},
          {2, Labels::Of({{"__name__", "x"}, {"l", std::string(300, 'v')}})}},
      &series);
  std::string samples;
  wal::EncodeSamples(
      std::vector<wal::RefSample>{
          {1, 1000, 1.5}, {2, 999, -2}, {1, 2000, std::nan("")}},
      &samples);
  std::string stones;
  wal::EncodeTombstones(
      std::vector<wal::Stone>{{1, {{0, 10}, {20, 30}}}, {2, {{-5, 5}}}},
      &stones);
  Histogram h;
  h.counter_reset_hint = CounterResetHint::kNotCounterReset;
  h.schema = 1;
  h.zero_threshold = 0.001;
  h.zero_count = 2;
  h.count = 10;
  h.sum = 23.5;
  h.positive_spans = {{0, 2}, {1, 1}};
  h.negative_spans = {{-2, 1}};
  h.positive_buckets = {1, 2, -1};
  h.negative_buckets = {2};
  std::string histograms;
  wal::EncodeHistogramSamples(
      std::vector<wal::RefHistogramSample>{{1, 1000, h}, {2, 1015, {}}},
      &histograms);
  std::string float_histograms;
  wal::EncodeFloatHistogramSamples(
      std::vector<wal::RefFloatHistogramSample>{{1, 1000, ToFloatHistogram(h)},
                                                {3, -7, {}}},
      &float_histograms);
  for (const std::string* r :
       {&series, &samples, &stones, &histograms, &float_histograms}) {
    out->Add("wal_record_fuzzer", *r);
  }
  // A segment: a snappy record, a plain one, a record over two pages.
  std::string segment;
  std::string compressed;
  uint8_t flag = wal::Compress(wal::Compression::kSnappy, series, &compressed);
  int64_t offset =
      wal::AppendFragments(0, flag ? compressed : series, flag, &segment);
  offset = wal::AppendFragments(offset, samples, 0, &segment);
  std::string big;
  std::vector<wal::RefSeries> many;
  for (uint64_t i = 0; i < 800; ++i) {
    many.push_back(
        {i, Labels::Of({{"__name__", "m"}, {"i", std::to_string(i * 7919)}})});
  }
  wal::EncodeSeries(many, &big);
  wal::AppendFragments(offset, big, 0, &segment);
  out->Add("wal_segment_fuzzer", segment);
}

void AddTombstones(SeedWriter* out) {
  MemTombstones stones;
  stones.Add(1, {0, 100});
  stones.Add(1, {200, 300});
  stones.Add(7, {-1000, 5});
  stones.Add(4096, {1, 1});
  out->Add("tombstones_fuzzer", stones.Encode());
}

}  // namespace

// Dense chunks of each value coding: a counter with scrape jitter and a
// stale marker, decimals, binary fractions and random bits.
void AddDenseChunks(SeedWriter* out) {
  std::vector<int64_t> t;
  std::vector<double> counter, decimals, fractions, random;
  uint64_t x = 88172645463325252u;
  for (int i = 0; i < 130; ++i) {
    t.push_back(1795620464632 + i * 15000 + (i % 17 == 3 ? 2 : 0));
    counter.push_back(1000 + 3 * i + (i / 50) * 100);
    decimals.push_back((i * 37 % 101) / 100.0);
    fractions.push_back(1.0 / 3 + i / 7.0);
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    random.push_back(std::bit_cast<double>(x));
  }
  counter.back() = std::bit_cast<double>(uint64_t{0x7ff0000000000002});
  for (const std::vector<double>* v :
       {&counter, &decimals, &fractions, &random}) {
    out->Add("dense_chunk_fuzzer", chunk::EncodeDenseChunk(t, *v));
  }
}

// Histogram chunks: counters with growing buckets on both sides, a gauge
// header, a stale marker, an odd zero threshold.
void AddHistogramChunks(SeedWriter* out) {
  chunk::HistogramChunk counter, gauge;
  gauge.SetCounterResetHeader(chunk::CounterResetHeader::kGauge);
  for (int i = 0; i < 40; ++i) {
    chunk::Histogram h;
    h.schema = 3;
    h.zero_threshold = i < 20 ? 2.938735877055719e-39 : 0.001;
    h.zero_count = static_cast<uint64_t>(i);
    h.positive_spans = {{-2, 2}, {3, 1}};
    h.positive_buckets = {i, 3, -i / 2};
    h.negative_spans = {{0, 1}};
    h.negative_buckets = {2 * i};
    h.count = static_cast<uint64_t>(5 * i + 3);
    h.sum = 1.5 * i;
    const int64_t t = 1795620464632 + i * 15000;
    if (i < 20) counter.Append(t, h);
    gauge.Append(t, h);
  }
  chunk::Histogram stale;
  stale.sum = std::bit_cast<double>(chunk::kStaleNaNBits);
  counter.Append(1795620464632 + 41 * 15000, stale);
  out->Add("histogram_chunk_fuzzer", counter.Bytes());
  out->Add("histogram_chunk_fuzzer", gauge.Bytes());
}

void AddStorageSeeds(SeedWriter* out) {
  testing::TempDir tmp("strata-fuzz-seeds");
  if (!tmp.ok()) {
    std::perror("creating a temporary directory");
    std::abort();
  }
  const std::string& dir = tmp.path();
  {
    Options options;
    options.background_compaction = false;
    auto db = DB::Open(options, dir + "/data");
    Check(db.status(), "open");
    FillDB(db->get());
    Check((*db)->Snapshot(dir + "/snapshot", /*with_head=*/true), "snapshot");
    Check((*db)->Close(), "close");
  }
  AddWal(fs::path(dir) / "data" / "wal", out);
  AddBlock(fs::path(dir) / "snapshot", out);
  AddEncodedRecords(out);
  AddTombstones(out);
  AddDenseChunks(out);
  AddHistogramChunks(out);
}

}  // namespace strata::fuzz
