// A small in-memory storage behind the public Querier/Series/
// SampleIterator interfaces, for PromQL tests over native histograms (and
// floats) without a DB: series of float, integer-histogram and
// float-histogram samples, handed to the engine through
// promql::Engine's QuerierFactory seam. An integer histogram reads as a
// float one the way Prometheus 2.42's chunk iterator converts it
// (chunk::IteratorFloatHistogram). StoreAsPrometheus() makes the
// histograms what Prometheus's head would return: re-encoded in its
// chunks (recoded layouts: buckets added by later samples show up empty in
// earlier ones).
//
// Thread-safety: fill it, then query it from one thread.
#ifndef STRATA_TESTS_PROMQL_MEMORY_QUERIER_H_
#define STRATA_TESTS_PROMQL_MEMORY_QUERIER_H_

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "chunk/float_histogram_iterator.h"
#include "chunk/histogram.h"
#include "chunk/histogram_iterator.h"
#include "chunk/histogram_series.h"
#include "promql/engine.h"
#include "strata/querier.h"

namespace strata::promql::testing {

struct MemorySample {
  int64_t t = 0;
  SampleValueType type = SampleValueType::kFloat;
  double v = 0;
  Histogram h;
  FloatHistogram fh;  // Of an integer histogram: as the chunk iterator's.
};

class MemoryStorage {
 public:
  // Samples must be added in increasing time order per series.
  void AddFloat(const Labels& l, int64_t t, double v) {
    MemorySample s;
    s.t = t;
    s.v = v;
    series_[l].push_back(std::move(s));
  }
  void AddHistogram(const Labels& l, int64_t t, const Histogram& h) {
    MemorySample s;
    s.t = t;
    s.type = SampleValueType::kHistogram;
    s.h = h;
    s.fh = chunk::IteratorFloatHistogram(h);
    series_[l].push_back(std::move(s));
  }
  void AddFloatHistogram(const Labels& l, int64_t t, const FloatHistogram& h) {
    MemorySample s;
    s.t = t;
    s.type = SampleValueType::kFloatHistogram;
    s.fh = h;
    series_[l].push_back(std::move(s));
  }

  // Passes each run of integer or float histograms of a series through
  // the chunk appenders Prometheus 2.42's head uses (2h chunk range) and
  // keeps what their chunks decode to.
  void StoreAsPrometheus() {
    constexpr int64_t kChunkRange = 2 * 3600 * 1000;
    for (auto& [labels, samples] : series_) {
      Samples out;
      size_t i = 0;
      while (i < samples.size()) {
        const SampleValueType type = samples[i].type;
        size_t j = i;
        while (j < samples.size() && samples[j].type == type) ++j;
        if (type == SampleValueType::kHistogram) {
          chunk::HistogramSeriesAppender app(kChunkRange);
          for (size_t k = i; k < j; ++k) app.Append(samples[k].t, samples[k].h);
          for (const auto& c : app.chunks()) {
            chunk::HistogramIterator it(c.Bytes());
            while (it.Next()) {
              MemorySample m;
              m.t = it.t();
              m.type = type;
              m.h = it.AtHistogram();
              m.fh = it.AtFloatHistogram();
              out.push_back(std::move(m));
            }
          }
        } else if (type == SampleValueType::kFloatHistogram) {
          chunk::FloatHistogramSeriesAppender app(kChunkRange);
          for (size_t k = i; k < j; ++k) {
            app.Append(samples[k].t, samples[k].fh);
          }
          for (const auto& c : app.chunks()) {
            chunk::FloatHistogramIterator it(c.Bytes());
            while (it.Next()) {
              MemorySample m;
              m.t = it.t();
              m.type = type;
              m.fh = it.AtFloatHistogram();
              out.push_back(std::move(m));
            }
          }
        } else {
          out.insert(out.end(), samples.begin() + i, samples.begin() + j);
        }
        i = j;
      }
      samples = std::move(out);
    }
  }

  QuerierFactory Queriers() const {
    return [this](int64_t mint,
                  int64_t maxt) -> StatusOr<std::unique_ptr<Querier>> {
      return std::unique_ptr<Querier>(new MemQuerier(this, mint, maxt));
    };
  }

 private:
  using Samples = std::vector<MemorySample>;

  class MemIterator : public SampleIterator {
   public:
    MemIterator(const Samples* s, int64_t mint, int64_t maxt)
        : samples_(s), mint_(mint), maxt_(maxt) {}
    bool Next() override {
      if (i_ < 0) return Seek(mint_);
      ++i_;
      return Valid();
    }
    bool Seek(int64_t t) override {
      t = std::max(t, mint_);
      if (i_ < 0) i_ = 0;
      if (Valid() && (*samples_)[i_].t >= t) return true;
      while (i_ < static_cast<int64_t>(samples_->size()) &&
             (*samples_)[i_].t < t) {
        ++i_;
      }
      return Valid();
    }
    int64_t t() const override { return At().t; }
    SampleValueType value_type() const override { return At().type; }
    double v() const override { return At().v; }
    const Histogram& histogram() const override { return At().h; }
    FloatHistogram float_histogram() const override {
      switch (At().type) {
        case SampleValueType::kHistogram:
        case SampleValueType::kFloatHistogram:
          return At().fh;
        default:
          return {};
      }
    }
    Status status() const override { return Status::OK(); }

   private:
    const MemorySample& At() const { return (*samples_)[i_]; }
    bool Valid() const {
      return i_ >= 0 && i_ < static_cast<int64_t>(samples_->size()) &&
             (*samples_)[i_].t <= maxt_;
    }
    const Samples* samples_;
    int64_t mint_, maxt_;
    int64_t i_ = -1;
  };

  class MemSeries : public strata::Series {
   public:
    MemSeries(const Labels* l, const Samples* s, int64_t mint, int64_t maxt)
        : labels_(l), samples_(s), mint_(mint), maxt_(maxt) {}
    const Labels& labels() const override { return *labels_; }
    std::unique_ptr<SampleIterator> NewIterator() const override {
      return std::make_unique<MemIterator>(samples_, mint_, maxt_);
    }
    std::unique_ptr<ChunkIterator> NewChunkIterator() const override {
      return nullptr;  // PromQL never asks for chunks.
    }

   private:
    const Labels* labels_;
    const Samples* samples_;
    int64_t mint_, maxt_;
  };

  class MemSeriesSet : public SeriesSet {
   public:
    explicit MemSeriesSet(std::vector<MemSeries> s) : series_(std::move(s)) {}
    bool Next() override { return ++i_ < series_.size(); }
    const strata::Series& At() const override { return series_[i_]; }
    Status status() const override { return Status::OK(); }

   private:
    std::vector<MemSeries> series_;
    size_t i_ = static_cast<size_t>(-1);
  };

  class MemQuerier : public Querier {
   public:
    MemQuerier(const MemoryStorage* st, int64_t mint, int64_t maxt)
        : Querier(mint, maxt), st_(st) {}
    std::unique_ptr<SeriesSet> Select(const std::vector<Matcher>& matchers,
                                      const SelectHints&) override {
      std::vector<MemSeries> out;
      for (const auto& [labels, samples] : st_->series_) {
        bool match = true;
        for (const Matcher& m : matchers) {
          match = match && m.Matches(labels.Get(m.name()));
        }
        const bool in_range = std::any_of(
            samples.begin(), samples.end(), [&](const MemorySample& s) {
              return s.t >= mint() && s.t <= maxt();
            });
        if (match && in_range) {
          out.emplace_back(&labels, &samples, mint(), maxt());
        }
      }
      return std::make_unique<MemSeriesSet>(std::move(out));
    }
    StatusOr<std::vector<std::string>> LabelNames(
        const std::vector<Matcher>&) override {
      return std::vector<std::string>();
    }
    StatusOr<std::vector<std::string>> LabelValues(
        const std::string&, const std::vector<Matcher>&) override {
      return std::vector<std::string>();
    }

   private:
    const MemoryStorage* st_;
  };

  // Sorted by labels, as Select returns them.
  std::map<Labels, Samples> series_;
};

}  // namespace strata::promql::testing

#endif  // STRATA_TESTS_PROMQL_MEMORY_QUERIER_H_
