// HeadAppender::AppendHistogram and the head's histogram chunks: the same
// chunks (bytes, counter-reset headers, cuts) as Prometheus 2.42's head
// makes, modelled by chunk::HistogramSeriesAppender (itself checked against
// chunks Prometheus wrote, tests/chunk/histogram_golden_test.cc); order and
// duplicate rules; series switching between floats and histograms; the WAL
// records a commit writes; reading back through the query layer.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "../chunk/histogram_test_data.h"
#include "chunk/encoding.h"
#include "chunk/histogram_series.h"
#include "head/head.h"
#include "head/head_appender.h"
#include "query/block_querier.h"
#include "wal/histogram_record.h"
#include "wal/record.h"

namespace strata {
namespace {

using chunk::testing::FloatHistogramTestSeries;
using chunk::testing::HistogramTestSeries;

// Keeps every committed batch's records.
class RecordingLog : public CommitLog {
 public:
  Status Log(std::span<const std::string> records) override {
    for (const std::string& r : records) records_.push_back(r);
    return Status::OK();
  }
  std::vector<std::string> records_;
};

HeadOptions Enabled() {
  HeadOptions o;
  o.enable_native_histograms = true;
  return o;
}

Labels L(const std::string& name) {
  return Labels::FromUnchecked({{"__name__", "h"}, {"series", name}});
}

struct StoredChunk {
  uint8_t encoding;
  std::string bytes;
};

std::vector<StoredChunk> ChunksOf(const Head& head, const Labels& labels) {
  MemSeries* s = head.Get(labels);
  EXPECT_NE(s, nullptr);
  std::vector<StoredChunk> out;
  if (s == nullptr) return out;
  std::vector<ChunkMeta> metas;
  s->ChunkMetas(kMinTime, kMaxTime, &metas);
  for (const ChunkMeta& m : metas) {
    StatusOr<ChunkBytes> c =
        s->ChunkCopy(MemSeries::ChunkRefSeq(m.ref), head.chunk_files());
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    if (c.ok()) out.push_back({c->encoding, std::string(c->data)});
  }
  return out;
}

TEST(HeadHistogramTest, RefusedWhileDisabled) {
  Head head(HeadOptions{});
  HeadAppender app(&head, nullptr);
  Histogram h;
  StatusOr<SeriesRef> r = app.AppendHistogram(L("a"), 1000, &h, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotSupported);
}

TEST(HeadHistogramTest, ArgumentsAndValidation) {
  Head head(Enabled());
  HeadAppender app(&head, nullptr);
  Histogram h;
  FloatHistogram fh;
  EXPECT_EQ(app.AppendHistogram(L("a"), 1, nullptr, nullptr).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(app.AppendHistogram(L("a"), 1, &h, &fh).status().code(),
            StatusCode::kInvalidArgument);
  Histogram bad;
  bad.positive_spans = {{0, 2}};
  bad.positive_buckets = {1};  // The spans say 2 buckets.
  bad.count = 1;
  StatusOr<SeriesRef> r = app.AppendHistogram(L("a"), 1, &bad, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("spans need 2 buckets, have 1 buckets"),
            std::string::npos)
      << r.status().ToString();
  EXPECT_EQ(app.pending(), 0u);
}

// Every rule case of the chunk tests, appended through the head one commit
// per sample, gives the chunks the reference appender makes.
// (A head per series: they share their times, and a head refuses samples
// older than half a chunk range before its newest.)
TEST(HeadHistogramTest, ChunksMatchPrometheusRules) {
  for (const auto& series : HistogramTestSeries()) {
    Head head(Enabled());
    chunk::HistogramSeriesAppender want(HeadOptions{}.chunk_range_ms);
    for (const auto& s : series.samples) {
      HeadAppender app(&head, nullptr);
      ASSERT_TRUE(app.AppendHistogram(L(series.name), s.t, &s.h, nullptr).ok())
          << series.name << " t=" << s.t;
      ASSERT_TRUE(app.Commit().ok());
      ASSERT_TRUE(want.Append(s.t, s.h));
    }
    const std::vector<StoredChunk> got = ChunksOf(head, L(series.name));
    ASSERT_EQ(got.size(), want.chunks().size()) << series.name;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].encoding, 2) << series.name << " chunk " << i;
      EXPECT_EQ(got[i].bytes, want.chunks()[i].Bytes())
          << series.name << " chunk " << i;
    }
  }
  for (const auto& series : FloatHistogramTestSeries()) {
    Head head(Enabled());
    chunk::FloatHistogramSeriesAppender want(HeadOptions{}.chunk_range_ms);
    HeadAppender app(&head, nullptr);  // One batch for the whole series.
    for (const auto& s : series.samples) {
      ASSERT_TRUE(app.AppendHistogram(L(series.name), s.t, nullptr, &s.h).ok())
          << series.name << " t=" << s.t;
      ASSERT_TRUE(want.Append(s.t, s.h));
    }
    ASSERT_TRUE(app.Commit().ok());
    const std::vector<StoredChunk> got = ChunksOf(head, L(series.name));
    ASSERT_EQ(got.size(), want.chunks().size()) << series.name;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].encoding, 3) << series.name << " chunk " << i;
      EXPECT_EQ(got[i].bytes, want.chunks()[i].Bytes())
          << series.name << " chunk " << i;
    }
  }
}

Histogram Simple(uint64_t n) {
  Histogram h;
  h.count = n;
  h.sum = static_cast<double>(n);
  h.positive_spans = {{0, 1}};
  h.positive_buckets = {static_cast<int64_t>(n)};
  return h;
}

TEST(HeadHistogramTest, OrderAndDuplicates) {
  const Histogram h1 = Simple(1), h2 = Simple(2);
  Head head(Enabled());
  {
    HeadAppender app(&head, nullptr);
    ASSERT_TRUE(app.AppendHistogram(L("a"), 100, &h1, nullptr).ok());
    // In the batch: equal is a no-op, another value conflicts, older is
    // out of order, a float at the same time conflicts.
    EXPECT_TRUE(app.AppendHistogram(L("a"), 100, &h1, nullptr).ok());
    EXPECT_EQ(app.AppendHistogram(L("a"), 100, &h2, nullptr).status().code(),
              StatusCode::kDuplicateSample);
    EXPECT_EQ(app.AppendHistogram(L("a"), 50, &h2, nullptr).status().code(),
              StatusCode::kOutOfOrder);
    EXPECT_EQ(app.Append(L("a"), 100, 1.0).status().code(),
              StatusCode::kDuplicateSample);
    ASSERT_TRUE(app.Commit().ok());
  }
  HeadAppender app(&head, nullptr);
  EXPECT_TRUE(app.AppendHistogram(L("a"), 100, &h1, nullptr).ok());
  EXPECT_EQ(app.AppendHistogram(L("a"), 100, &h2, nullptr).status().code(),
            StatusCode::kDuplicateSample);
  FloatHistogram fh = ToFloatHistogram(h1);
  EXPECT_EQ(app.AppendHistogram(L("a"), 100, nullptr, &fh).status().code(),
            StatusCode::kDuplicateSample);
  EXPECT_EQ(app.AppendHistogram(L("a"), 99, &h2, nullptr).status().code(),
            StatusCode::kOutOfOrder);
  EXPECT_EQ(app.Append(L("a"), 100, 0.0).status().code(),
            StatusCode::kDuplicateSample);
  ASSERT_TRUE(app.Commit().ok());
  EXPECT_EQ(head.counters().samples_appended.load(), 1);
}

// Prometheus 2.42's duplicate check (Histogram.Equals): a histogram whose
// spans differ from the newest one's only by zero-length spans is the same
// sample (a no-op), in the batch and after commit; an extra empty bucket
// is another value (a conflict), as 2.42 does not compact before
// comparing.
TEST(HeadHistogramTest, DuplicateWhoseSpansDifferOnlyInLayout) {
  Histogram h = Simple(3);
  h.positive_spans = {{0, 1}, {2, 1}};
  h.positive_buckets = {1, 1};
  Histogram same_layout = h;
  same_layout.positive_spans = {{0, 1}, {1, 0}, {1, 1}, {4, 0}};
  same_layout.negative_spans = {{2, 0}};
  Histogram empty_bucket = h;
  empty_bucket.positive_spans = {{0, 2}, {1, 1}};
  empty_bucket.positive_buckets = {1, -1, 2};
  FloatHistogram fh = ToFloatHistogram(h);
  FloatHistogram fh_same_layout = ToFloatHistogram(same_layout);
  Head head(Enabled());
  {
    HeadAppender app(&head, nullptr);
    ASSERT_TRUE(app.AppendHistogram(L("a"), 100, &h, nullptr).ok());
    EXPECT_TRUE(app.AppendHistogram(L("a"), 100, &same_layout, nullptr).ok());
    EXPECT_EQ(app.AppendHistogram(L("a"), 100, &empty_bucket, nullptr)
                  .status()
                  .code(),
              StatusCode::kDuplicateSample);
    ASSERT_TRUE(app.AppendHistogram(L("f"), 100, nullptr, &fh).ok());
    EXPECT_TRUE(
        app.AppendHistogram(L("f"), 100, nullptr, &fh_same_layout).ok());
    ASSERT_TRUE(app.Commit().ok());
  }
  HeadAppender app(&head, nullptr);
  EXPECT_TRUE(app.AppendHistogram(L("a"), 100, &same_layout, nullptr).ok());
  EXPECT_EQ(
      app.AppendHistogram(L("a"), 100, &empty_bucket, nullptr).status().code(),
      StatusCode::kDuplicateSample);
  EXPECT_TRUE(app.AppendHistogram(L("f"), 100, nullptr, &fh_same_layout).ok());
  ASSERT_TRUE(app.Commit().ok());
  EXPECT_EQ(head.counters().samples_appended.load(), 2);
}

// A series holding floats, then histograms, then float histograms, then
// floats: a new chunk of the matching encoding at each switch, all read
// back with their kinds through the query layer.
TEST(HeadHistogramTest, SeriesSwitchesKindsAndReadsBack) {
  const Histogram h3 = Simple(3), h4 = Simple(4);
  auto head = std::make_shared<Head>(Enabled());
  RecordingLog log;
  {
    HeadAppender app(head.get(), &log);
    ASSERT_TRUE(app.Append(L("m"), 1000, 1.5).ok());
    ASSERT_TRUE(app.Append(L("m"), 2000, 2.5).ok());
    ASSERT_TRUE(app.Commit().ok());
  }
  {
    HeadAppender app(head.get(), &log);
    ASSERT_TRUE(app.AppendHistogram(L("m"), 3000, &h3, nullptr).ok());
    ASSERT_TRUE(app.AppendHistogram(L("m"), 4000, &h4, nullptr).ok());
    ASSERT_TRUE(app.Commit().ok());
  }
  FloatHistogram fh = ToFloatHistogram(Simple(5));
  fh.sum = 0.25;
  {
    HeadAppender app(head.get(), &log);
    ASSERT_TRUE(app.AppendHistogram(L("m"), 5000, nullptr, &fh).ok());
    ASSERT_TRUE(app.Commit().ok());
    ASSERT_TRUE(app.Append(L("m"), 6000, 6.5).ok());
    ASSERT_TRUE(app.Commit().ok());
  }
  const std::vector<StoredChunk> chunks = ChunksOf(*head, L("m"));
  ASSERT_EQ(chunks.size(), 4u);
  EXPECT_EQ(chunks[0].encoding, 1);
  EXPECT_EQ(chunks[1].encoding, 2);
  EXPECT_EQ(chunks[2].encoding, 3);
  EXPECT_EQ(chunks[3].encoding, 1);

  BlockQuerier q({head}, kMinTime, kMaxTime);
  auto set =
      q.Select({*Matcher::Create(Matcher::Type::kEqual, "series", "m")}, {});
  ASSERT_TRUE(set->Next());
  auto it = set->At().NewIterator();
  std::vector<std::string> seen;
  while (it->Next()) {
    switch (it->value_type()) {
      case SampleValueType::kFloat:
        seen.push_back(std::to_string(it->t()) + " f " +
                       std::to_string(it->v()));
        break;
      case SampleValueType::kHistogram:
        seen.push_back(std::to_string(it->t()) + " h " +
                       std::to_string(it->histogram().count));
        EXPECT_EQ(it->float_histogram().count,
                  static_cast<double>(it->histogram().count));
        break;
      case SampleValueType::kFloatHistogram:
        seen.push_back(std::to_string(it->t()) + " fh " +
                       std::to_string(it->float_histogram().sum));
        break;
    }
  }
  ASSERT_TRUE(it->status().ok()) << it->status().ToString();
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "1000 f 1.500000", "2000 f 2.500000", "3000 h 3",
                      "4000 h 4", "5000 fh 0.250000", "6000 f 6.500000"}));

  // The WAL: series, samples, then records 7 and 8 in commit order.
  std::vector<wal::RecordType> types;
  for (const std::string& r : log.records_) {
    types.push_back(wal::GetRecordType(r));
  }
  EXPECT_EQ(types, (std::vector<wal::RecordType>{
                       wal::RecordType::kSeries, wal::RecordType::kSamples,
                       wal::RecordType::kHistogramSamples,
                       wal::RecordType::kFloatHistogramSamples,
                       wal::RecordType::kSamples}));
  std::vector<wal::RefHistogramSample> hs;
  ASSERT_TRUE(wal::DecodeHistogramSamples(log.records_[2], &hs).ok());
  ASSERT_EQ(hs.size(), 2u);
  EXPECT_EQ(hs[1].t, 4000);
  EXPECT_EQ(hs[1].h.count, 4u);
  std::vector<wal::RefFloatHistogramSample> fhs;
  ASSERT_TRUE(wal::DecodeFloatHistogramSamples(log.records_[3], &fhs).ok());
  ASSERT_EQ(fhs.size(), 1u);
  EXPECT_EQ(fhs[0].fh.sum, 0.25);
}

}  // namespace
}  // namespace strata
