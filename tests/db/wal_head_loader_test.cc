// WalHeadLoader with and without its decode pipeline: the same records give
// the same head and counts, a sample before its series record stays
// unknown in both, and a samples record that does not decode is rejected
// by OnRecord inline and reported by Finish on the pipeline, the other
// records' samples kept; labels repeated under two refs resolve with
// workers as without. RecordPipeline: records applied in order across
// chunks, Drain waits for them, errors counted. Native histogram records
// take the samples' path: in WAL order with a series' float samples, and
// appended as they come rather than at the end of the replay.
#include "db/wal_head_loader.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "db/record_pipeline.h"
#include "head/head.h"
#include "wal/histogram_record.h"
#include "wal/record.h"

namespace strata {
namespace {

std::string SeriesRecord(uint64_t first_ref, int count) {
  std::vector<wal::RefSeries> series;
  for (int i = 0; i < count; ++i) {
    series.push_back(
        {first_ref + i, Labels::Of({{"__name__", "m"},
                                    {"i", std::to_string(first_ref + i)}})});
  }
  std::string out;
  wal::EncodeSeries(series, &out);
  return out;
}

std::string SamplesRecord(uint64_t first_ref, int count, int64_t t) {
  std::vector<wal::RefSample> samples;
  for (int i = 0; i < count; ++i) {
    samples.push_back({first_ref + i, t, static_cast<double>(t + i)});
  }
  std::string out;
  wal::EncodeSamples(samples, &out);
  return out;
}

// A samples record whose second sample is cut short.
std::string UndecodableSamplesRecord() {
  std::string out = SamplesRecord(1, 2, 5000);
  out.resize(out.size() - 3);
  return out;
}

struct Loaded {
  WalHeadLoader::Counts counts;
  Status finish;
  std::vector<Status> on_record;
  size_t series = 0;
};

Loaded Load(const std::vector<std::string>& records, int workers) {
  auto head = std::make_shared<Head>(HeadOptions{});
  Loaded out;
  {
    WalHeadLoader loader(head.get(), kMinTime, workers);
    for (const std::string& r : records)
      out.on_record.push_back(loader.OnRecord(r));
    out.finish = loader.Finish();
    out.counts = loader.counts();
  }
  out.series = head->NumSeries();
  return out;
}

std::vector<std::string> Records() {
  std::vector<std::string> records;
  // Samples of refs 1..3 before any series record: unknown.
  records.push_back(SamplesRecord(1, 3, 0));
  for (int batch = 0; batch < 50; ++batch) {
    const uint64_t first = 1 + batch * 100;
    records.push_back(SeriesRecord(first, 100));
    for (int64_t k = 1; k <= 20; ++k) {
      // Every series so far gets a sample at k; earlier batches' series too.
      records.push_back(
          SamplesRecord(1, static_cast<int>(first + 99), k * 1000 + batch));
    }
  }
  return records;
}

TEST(WalHeadLoaderTest, PipelineLoadsWhatInlineLoads) {
  const std::vector<std::string> records = Records();
  const Loaded inline_load = Load(records, 0);
  const Loaded pipelined = Load(records, 2);
  ASSERT_TRUE(inline_load.finish.ok());
  ASSERT_TRUE(pipelined.finish.ok());
  EXPECT_EQ(inline_load.series, 5000u);
  EXPECT_EQ(pipelined.series, 5000u);
  EXPECT_EQ(inline_load.counts.samples_unknown_series, 3);
  EXPECT_EQ(pipelined.counts.samples_unknown_series, 3);
  EXPECT_EQ(pipelined.counts.samples, inline_load.counts.samples);
  EXPECT_EQ(pipelined.counts.samples_rejected,
            inline_load.counts.samples_rejected);
  EXPECT_EQ(pipelined.counts.records, inline_load.counts.records);
  EXPECT_GT(pipelined.counts.samples, 0);
}

TEST(WalHeadLoaderTest, UndecodableSamplesRecord) {
  std::vector<std::string> records = {
      SeriesRecord(1, 2), SamplesRecord(1, 2, 1000), UndecodableSamplesRecord(),
      SamplesRecord(1, 2, 9000)};
  const Loaded inline_load = Load(records, 0);
  EXPECT_TRUE(inline_load.on_record[2].IsCorruption());
  EXPECT_TRUE(inline_load.finish.ok());
  EXPECT_EQ(inline_load.counts.samples, 4);

  const Loaded pipelined = Load(records, 2);
  for (const Status& st : pipelined.on_record) EXPECT_TRUE(st.ok());
  EXPECT_TRUE(pipelined.finish.IsCorruption());
  EXPECT_EQ(pipelined.counts.records_undecodable, 1);
  EXPECT_EQ(pipelined.counts.samples, 4);
}

// After a snapshot: records name the head's series by id without a series
// record; refs the head never had stay unknown, and a series the replay
// creates is not found under an id it was not introduced with.
TEST(WalHeadLoaderTest, HeadSeriesFoundByIdAfterASnapshot) {
  for (const int workers : {0, 2}) {
    auto head = std::make_shared<Head>(HeadOptions{});
    bool created = false;
    head->GetOrCreateWithId(5, Labels::Of({{"__name__", "m"}, {"i", "5"}}),
                            &created);
    ASSERT_TRUE(created);
    WalHeadLoader loader(head.get(), kMinTime, workers);
    loader.UseHeadSeries();
    // Ref 20's series gets id 20; ref 6 was never a series of the head.
    EXPECT_TRUE(loader.OnRecord(SeriesRecord(20, 1)).ok());
    std::vector<wal::RefSample> samples = {
        {5, 1000, 1}, {6, 1000, 1}, {20, 1000, 1}, {5, 2000, 2}};
    std::string record;
    wal::EncodeSamples(samples, &record);
    EXPECT_TRUE(loader.OnRecord(record).ok());
    EXPECT_TRUE(loader.Finish().ok());
    EXPECT_EQ(loader.counts().samples, 3) << workers;
    EXPECT_EQ(loader.counts().samples_unknown_series, 1) << workers;
    EXPECT_EQ(head->GetById(5)->max_time_hint(), 2000) << workers;
  }
}

Histogram CounterHistogram(int64_t t) {
  Histogram h;
  h.count = static_cast<uint64_t>(t);
  h.sum = static_cast<double>(t);
  h.positive_spans = {{0, 1}};
  h.positive_buckets = {t};
  return h;
}

// At each time, series `ref` holds a float, a histogram or a float
// histogram, switching every 17 steps: each kind is a record of its own,
// so a series' samples are spread over the three record types.
std::vector<std::string> MixedKindRecords(int series, int steps) {
  std::vector<std::string> records = {SeriesRecord(1, series)};
  for (int64_t t = 1; t <= steps; ++t) {
    std::vector<wal::RefSample> floats;
    std::vector<wal::RefHistogramSample> histograms;
    std::vector<wal::RefFloatHistogramSample> float_histograms;
    for (uint64_t ref = 1; ref <= static_cast<uint64_t>(series); ++ref) {
      const Histogram h = CounterHistogram(t);
      switch ((t / 17 + ref) % 3) {
        case 0:
          floats.push_back({ref, t * 1000, static_cast<double>(t)});
          break;
        case 1:
          histograms.push_back({ref, t * 1000, h});
          break;
        default:
          float_histograms.push_back({ref, t * 1000, ToFloatHistogram(h)});
      }
    }
    // The histogram records first: a pipeline that let a later float
    // record overtake them would reject samples as out of order.
    std::string record;
    wal::EncodeHistogramSamples(histograms, &record);
    records.push_back(record);
    record.clear();
    wal::EncodeFloatHistogramSamples(float_histograms, &record);
    records.push_back(record);
    record.clear();
    wal::EncodeSamples(floats, &record);
    records.push_back(record);
  }
  return records;
}

TEST(WalHeadLoaderTest, HistogramsKeepWalOrderWithFloats) {
  const std::vector<std::string> records = MixedKindRecords(50, 300);
  for (const int workers : {0, 2, 3}) {
    const Loaded loaded = Load(records, workers);
    ASSERT_TRUE(loaded.finish.ok()) << workers;
    EXPECT_EQ(loaded.counts.samples, 50 * 300) << workers;
    EXPECT_EQ(loaded.counts.samples_rejected, 0) << workers;
  }
}

// Histogram samples reach the head while the replay still reads, so the
// replay does not hold them all in memory.
TEST(WalHeadLoaderTest, HistogramsAreAppendedAsTheyCome) {
  for (const int workers : {0, 2}) {
    auto head = std::make_shared<Head>(HeadOptions{});
    WalHeadLoader loader(head.get(), kMinTime, workers);
    ASSERT_TRUE(loader.OnRecord(SeriesRecord(1, 1)).ok());
    MemSeries* series = head->GetById(1);
    ASSERT_NE(series, nullptr);
    // About 4 MB of records: past the pipeline's and the workers' batches.
    int64_t t = 0;
    for (int r = 0; r < 1000; ++r) {
      std::vector<wal::RefHistogramSample> histograms;
      for (int i = 0; i < 100; ++i) {
        ++t;
        histograms.push_back({1, t * 1000, CounterHistogram(t)});
      }
      std::string record;
      wal::EncodeHistogramSamples(histograms, &record);
      ASSERT_TRUE(loader.OnRecord(record).ok());
    }
    // Before Finish: some histograms are in the head already (with
    // workers, wait for them with a deadline).
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (series->max_time_hint() == kMinTime &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_GT(series->max_time_hint(), kMinTime) << workers;
    ASSERT_TRUE(loader.Finish().ok());
    EXPECT_EQ(loader.counts().samples, t) << workers;
    EXPECT_EQ(series->max_time_hint(), t * 1000) << workers;
  }
}

// A series record: refs[k] with the label i=values[k].
std::string SeriesRecordWithLabels(const std::vector<uint64_t>& refs,
                                   const std::vector<std::string>& values) {
  std::vector<wal::RefSeries> series;
  for (size_t k = 0; k < refs.size(); ++k) {
    series.push_back(
        {refs[k], Labels::Of({{"__name__", "m"}, {"i", values[k]}})});
  }
  std::string out;
  wal::EncodeSeries(series, &out);
  return out;
}

std::string SamplesAt(const std::vector<uint64_t>& refs, int64_t t) {
  std::vector<wal::RefSample> samples;
  for (uint64_t ref : refs) samples.push_back({ref, t, static_cast<double>(t)});
  std::string out;
  wal::EncodeSamples(samples, &out);
  return out;
}

std::vector<uint64_t> RefRange(uint64_t first, uint64_t last) {
  std::vector<uint64_t> refs;
  for (uint64_t r = first; r <= last; ++r) refs.push_back(r);
  return refs;
}

// Series records that repeat labels under a second ref, in the same record
// and in a later one, and reuse a taken ref: with the decode pipeline and
// appenders on threads, every ref must resolve to the series (and its
// samples reach the series) that an inline replay gives it.
std::vector<std::string> RepeatedLabelRecords() {
  std::vector<std::string> records;
  // Refs 1..2000: refs 1501..2000 repeat the labels of refs 1..500.
  std::vector<uint64_t> refs = RefRange(1, 2000);
  std::vector<std::string> values;
  for (uint64_t r : refs) values.push_back(std::to_string(r % 1500));
  records.push_back(SeriesRecordWithLabels(refs, values));
  records.push_back(SamplesAt(RefRange(1, 1500), 1000));
  records.push_back(SamplesAt(RefRange(1501, 2000), 2000));
  // Refs 3000..3999: the first half repeats labels 600..1099, the rest new.
  refs = RefRange(3000, 3999);
  values.clear();
  for (uint64_t r : refs) {
    values.push_back(r < 3500 ? std::to_string(r - 2400)
                              : "new-" + std::to_string(r));
  }
  records.push_back(SeriesRecordWithLabels(refs, values));
  records.push_back(SamplesAt(RefRange(3000, 3999), 3000));
  // Taken refs 1..600 with new labels: those series get ids from the
  // counter, in record order.
  refs = RefRange(1, 600);
  values.clear();
  for (uint64_t r : refs) values.push_back("again-" + std::to_string(r));
  records.push_back(SeriesRecordWithLabels(refs, values));
  records.push_back(SamplesAt(RefRange(1, 600), 4000));
  return records;
}

struct HeadView {
  WalHeadLoader::Counts counts;
  // By head id: labels and newest sample (empty: no series).
  std::vector<std::string> labels;
  std::vector<int64_t> max_time;
};

HeadView LoadAndView(const std::vector<std::string>& records, int workers) {
  Head head{HeadOptions{}};
  HeadView view;
  WalHeadLoader loader(&head, kMinTime, workers);
  for (const std::string& r : records) EXPECT_TRUE(loader.OnRecord(r).ok());
  EXPECT_TRUE(loader.Finish().ok());
  view.counts = loader.counts();
  for (SeriesId id = 0; id < head.NextSeriesId(); ++id) {
    MemSeries* s = head.GetById(id);
    view.labels.push_back(s == nullptr ? "" : s->labels().ToString());
    view.max_time.push_back(s == nullptr ? kMinTime : s->max_time_hint());
  }
  return view;
}

TEST(WalHeadLoaderTest, RepeatedLabelsResolveAsInlineReplay) {
  const std::vector<std::string> records = RepeatedLabelRecords();
  const HeadView sequential = LoadAndView(records, 0);
  EXPECT_EQ(sequential.counts.series_created, 1500 + 500 + 600);
  EXPECT_EQ(sequential.counts.ref_id_mismatches, 500 + 500 + 600);
  // Ref 1501 names the series of ref 1, which got its sample at 2000.
  ASSERT_GT(sequential.max_time.size(), 1u);
  EXPECT_EQ(sequential.max_time[1], 2000);
  for (const int workers : {2, 3, 4}) {
    const HeadView pipelined = LoadAndView(records, workers);
    EXPECT_EQ(pipelined.counts.series_created,
              sequential.counts.series_created);
    EXPECT_EQ(pipelined.counts.ref_id_mismatches,
              sequential.counts.ref_id_mismatches);
    EXPECT_EQ(pipelined.counts.samples, sequential.counts.samples);
    EXPECT_EQ(pipelined.counts.samples_rejected,
              sequential.counts.samples_rejected);
    EXPECT_EQ(pipelined.labels, sequential.labels) << workers;
    EXPECT_EQ(pipelined.max_time, sequential.max_time) << workers;
  }
}

TEST(RecordPipelineTest, AppliesInOrderAcrossChunksAndDrains) {
  std::vector<std::string> applied;
  RecordPipeline pipeline([&](std::string_view r) {
    applied.emplace_back(r);
    return r == "bad" ? Status::Corruption("bad record") : Status::OK();
  });
  std::vector<std::string> want;
  // Big records: several chunks, and records larger than a chunk.
  for (int i = 0; i < 40; ++i) {
    std::string r(static_cast<size_t>(i % 7 == 0 ? 3 << 20 : 100 << 10),
                  static_cast<char>('a' + i % 26));
    want.push_back(r);
    pipeline.Add(r);
    if (i == 20) {
      pipeline.Drain();
      EXPECT_EQ(applied.size(), 21u);  // Drained: safe to read here.
    }
  }
  pipeline.Add("bad");
  want.push_back("bad");
  pipeline.Add("");
  want.push_back("");
  pipeline.Finish();
  EXPECT_EQ(applied, want);
  EXPECT_EQ(pipeline.failed_records(), 1);
  EXPECT_TRUE(pipeline.first_error().IsCorruption());
}

}  // namespace
}  // namespace strata
