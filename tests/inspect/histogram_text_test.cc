// Native histograms printed as Prometheus's Histogram.String and
// FloatHistogram.String print them (what promtool's tsdb dump writes),
// and SampleWriter's handling of histogram samples in each format.
#include "inspect/histogram_text.h"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "inspect/sample_writer.h"

namespace strata::inspect {
namespace {

Histogram Integer() {
  Histogram h;
  h.schema = 0;
  h.zero_threshold = 0.001;
  h.zero_count = 2;
  h.count = 9;
  h.sum = 12.5;
  // Absolute counts: index 0: 1, 1: 2, 3: 1.
  h.positive_spans = {{0, 2}, {1, 1}};
  h.positive_buckets = {1, 1, -1};
  // Index 1: 3.
  h.negative_spans = {{1, 1}};
  h.negative_buckets = {3};
  return h;
}

TEST(HistogramTextTest, IntegerHistogramAsPrometheusPrintsIt) {
  EXPECT_EQ(HistogramText(Integer()),
            "{count:9, sum:12.5, [-2,-1):3, [-0.001,0.001]:2, (0.5,1]:1, "
            "(1,2]:2, (4,8]:1}");
}

TEST(HistogramTextTest, EmptyBucketsAndAnEmptyZeroBucketAreLeftOut) {
  Histogram h;
  h.schema = -1;
  h.count = 2;
  h.sum = 1e6;
  h.positive_spans = {{-1, 3}};
  // 1, 0, 1 at indices -1, 0, 1: (1/16, 1/4], (1/4, 1], (1, 4].
  h.positive_buckets = {1, -1, 1};
  EXPECT_EQ(HistogramText(h), "{count:2, sum:1e+06, (0.0625,0.25]:1, (1,4]:1}");
}

TEST(HistogramTextTest, FloatHistogramUsesGoShortestFloats) {
  FloatHistogram h;
  h.schema = 1;
  h.count = 3.5;
  h.sum = -1.25;
  h.positive_spans = {{2, 1}};
  h.positive_buckets = {3.5};
  EXPECT_EQ(FloatHistogramText(h),
            // Prometheus's table: 0.7071067811865475 x 2, not sqrt(2).
            "{count:3.5, sum:-1.25, (1.414213562373095,2]:3.5}");
}

// One series of one float sample and one histogram sample.
class TwoKindsIterator : public SampleIterator {
 public:
  bool Next() override { return ++at_ < 2; }
  bool Seek(int64_t t) override {
    while (at_ < 0 || this->t() < t) {
      if (!Next()) return false;
    }
    return true;
  }
  int64_t t() const override { return 1000 * (at_ + 1); }
  SampleValueType value_type() const override {
    return at_ == 0 ? SampleValueType::kFloat : SampleValueType::kHistogram;
  }
  double v() const override { return 0.5; }
  const Histogram& histogram() const override { return h_; }
  Status status() const override { return Status::OK(); }

 private:
  int at_ = -1;
  Histogram h_ = Integer();
};

class TwoKindsSeries : public Series {
 public:
  const Labels& labels() const override { return labels_; }
  std::unique_ptr<SampleIterator> NewIterator() const override {
    return std::make_unique<TwoKindsIterator>();
  }
  std::unique_ptr<ChunkIterator> NewChunkIterator() const override {
    return nullptr;
  }

 private:
  Labels labels_ = Labels::Of({{"__name__", "h"}});
};

std::string Write(SampleFormat format, Status* finish) {
  char* data = nullptr;
  size_t size = 0;
  std::FILE* f = open_memstream(&data, &size);
  {
    SampleWriter w(f, format);
    EXPECT_TRUE(w.WriteSeries(TwoKindsSeries()).ok());
    *finish = w.Finish();
  }
  std::fclose(f);
  std::string out(data, size);
  std::free(data);
  return out;
}

TEST(HistogramTextTest, SampleWriterFormats) {
  Status finish;
  EXPECT_EQ(Write(SampleFormat::kText, &finish),
            "{__name__=\"h\"} 0.5 1000\n{__name__=\"h\"} " +
                HistogramText(Integer()) + " 2000\n");
  EXPECT_TRUE(finish.ok());
  EXPECT_EQ(Write(SampleFormat::kJson, &finish),
            "{\"labels\":{\"__name__\":\"h\"},\"samples\":[[1000,\"0.5\"],"
            "[2000,{\"histogram\":\"" +
                HistogramText(Integer()) + "\"}]]}\n");
  EXPECT_TRUE(finish.ok());
  EXPECT_EQ(Write(SampleFormat::kOpenMetrics, &finish), "h 0.5 1.000\n# EOF\n");
  EXPECT_EQ(finish.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(finish.message().find("1 native histogram samples not written"),
            std::string::npos)
      << finish.ToString();
}

}  // namespace
}  // namespace strata::inspect
