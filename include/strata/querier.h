// Querier: reads series and samples from a consistent view of the DB.
//
// Thread-safety: a Querier and what it returns are for one thread at a time;
// many Queriers may run concurrently with each other and with appends.
#ifndef STRATA_QUERIER_H_
#define STRATA_QUERIER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "strata/histogram.h"
#include "strata/labels.h"
#include "strata/status.h"

namespace strata {

// What one sample holds (Prometheus's chunkenc.ValueType, same numbers).
// One series may hold floats at some times and histograms at others.
enum class SampleValueType : uint8_t {
  kFloat = 1,
  kHistogram = 2,       // A native histogram with integer counts.
  kFloatHistogram = 3,  // A native histogram with float counts.
};

// Iterates one series' samples in increasing timestamp order. Starts before
// the first sample.
class SampleIterator {
 public:
  virtual ~SampleIterator() = default;
  // Advances; false at the end or on error (see status()).
  virtual bool Next() = 0;
  // Advances to the first sample with timestamp >= t; never moves
  // backwards. Returns false if there is none.
  virtual bool Seek(int64_t t) = 0;
  // Precondition (for all the accessors below): the last Next/Seek
  // returned true.
  virtual int64_t t() const = 0;
  // The current sample's kind. Iterators over float-only data need not
  // override it.
  virtual SampleValueType value_type() const { return SampleValueType::kFloat; }
  // The value when value_type() is kFloat; meaningless otherwise.
  virtual double v() const = 0;
  // When value_type() is kHistogram: the histogram, valid until the
  // iterator moves. Otherwise an empty histogram.
  virtual const Histogram& histogram() const {
    static const Histogram kEmpty;
    return kEmpty;
  }
  // When value_type() is kHistogram or kFloatHistogram: the sample as a
  // float histogram (an integer one converted by ToFloatHistogram, as
  // Prometheus's AtFloatHistogram does). Otherwise an empty histogram.
  virtual FloatHistogram float_histogram() const {
    if (value_type() == SampleValueType::kHistogram) {
      return ToFloatHistogram(histogram());
    }
    return {};
  }
  virtual Status status() const = 0;

  // Reads a run of float samples, the current one first: copies the
  // current sample and the ones after it into ts[i], vs[i] while they are
  // floats with timestamps <= maxt, at most `max` of them, advancing past
  // each one copied, and returns how many it copied (0 when the current
  // sample is a histogram or after maxt). Afterwards *more tells whether
  // the iterator stands on a sample: the one that ended the run, as if
  // Next() had returned true; false at the end or on error (status()).
  // The same as the per-sample accessors and Next(), in one virtual call
  // per run: readers of many samples (PromQL's selectors) use it.
  // Precondition: the last Next/Seek returned true.
  virtual size_t ReadFloats(int64_t maxt, int64_t* ts, double* vs, size_t max,
                            bool* more) {
    size_t n = 0;
    *more = true;
    while (n < max && value_type() == SampleValueType::kFloat && t() <= maxt) {
      ts[n] = t();
      vs[n] = v();
      ++n;
      if (!Next()) {
        *more = false;
        break;
      }
    }
    return n;
  }
};

// One compressed chunk as stored: Prometheus's chunk encoding byte (1 =
// XOR, 2 = histogram, 3 = float histogram) and its bytes, with the first and
// last sample times (inclusive).
struct RawChunk {
  int64_t mint = 0;
  int64_t maxt = 0;
  uint8_t encoding = 0;
  std::string_view data;  // Valid until the iterator moves or is destroyed.
};

// Iterates one series' chunks in time order.
class ChunkIterator {
 public:
  virtual ~ChunkIterator() = default;
  virtual bool Next() = 0;
  virtual const RawChunk& At() const = 0;
  virtual Status status() const = 0;
};

class Series {
 public:
  virtual ~Series() = default;
  virtual const Labels& labels() const = 0;
  // A fresh iterator over the samples in the querier's [mint, maxt].
  virtual std::unique_ptr<SampleIterator> NewIterator() const = 0;
  // The same samples as chunks. Stored chunks wholly inside [mint, maxt]
  // come out as they are, without re-encoding; chunks cut by the range,
  // by deletions or overlapping other blocks are re-encoded.
  virtual std::unique_ptr<ChunkIterator> NewChunkIterator() const = 0;
};

class SeriesSet {
 public:
  virtual ~SeriesSet() = default;
  virtual bool Next() = 0;
  // Valid until the next call to Next().
  virtual const Series& At() const = 0;
  virtual Status status() const = 0;
};

struct SelectHints {
  // Sort series by labels (Prometheus order). Unsorted can be faster.
  bool sorted = true;
};

class Querier {
 public:
  virtual ~Querier() = default;

  // Series with at least one sample in [mint, maxt] whose labels satisfy
  // every matcher. An empty matcher list is an InvalidArgument error, as is
  // a list whose every matcher matches the empty string.
  virtual std::unique_ptr<SeriesSet> Select(
      const std::vector<Matcher>& matchers, const SelectHints& hints = {}) = 0;

  // Sorted, unique label names (values) of the series that match; all
  // series when `matchers` is empty.
  virtual StatusOr<std::vector<std::string>> LabelNames(
      const std::vector<Matcher>& matchers) = 0;
  virtual StatusOr<std::vector<std::string>> LabelValues(
      const std::string& name, const std::vector<Matcher>& matchers) = 0;

  // What this querier's reads skipped so far because storage was damaged
  // (a block's chunk or index series entry failing its checksum), one line
  // each, naming the block and series; everything else was returned.
  // Prometheus answers such queries with status "success" and these in
  // its "warnings". The DB also logs and counts the damage
  // (DBStats::corruptions_*).
  virtual std::vector<std::string> Warnings() const { return {}; }

  int64_t mint() const { return mint_; }
  int64_t maxt() const { return maxt_; }

 protected:
  Querier(int64_t mint, int64_t maxt) : mint_(mint), maxt_(maxt) {}

 private:
  int64_t mint_;
  int64_t maxt_;
};

}  // namespace strata

#endif  // STRATA_QUERIER_H_
