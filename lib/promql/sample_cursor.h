// SampleCursor: one series' samples as the evaluator reads them, floats in
// runs (SampleIterator::ReadFloats, one virtual call per run of up to
// kRun samples) and histograms one at a time through the iterator.
// Internal to lib/promql.
//
// Thread-safety: none; one query, one thread.
#ifndef STRATA_PROMQL_SAMPLE_CURSOR_H_
#define STRATA_PROMQL_SAMPLE_CURSOR_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "strata/querier.h"

namespace strata::promql::internal {

// Moves through `it` like the iterator itself (Seek never moves back), the
// current sample being either a float of the run buffer or, when the run
// stopped at a histogram or past `maxt`, the iterator's own. Samples after
// `maxt` are not read in runs (the caller stops there).
//
// Invariant: on_run_ ⇔ pos_ < len_; when !on_run_ and the last move
// returned true, the iterator stands on the current sample.
class SampleCursor {
 public:
  SampleCursor(SampleIterator& it, int64_t maxt) : it_(it), maxt_(maxt) {}

  // As SampleIterator::Seek.
  bool Seek(int64_t t) {
    if (on_run_) {
      while (pos_ < len_ && ts_[pos_] < t) ++pos_;
      if (pos_ < len_) return true;
      on_run_ = false;
      // The iterator stands on the sample after the run, if any.
      if (!more_) return false;
    }
    return it_.Seek(t) && Fill();
  }
  // As SampleIterator::Next.
  bool Next() {
    if (on_run_) {
      if (++pos_ < len_) return true;
      on_run_ = false;
      if (!more_) return false;
      return Fill();
    }
    return it_.Next() && Fill();
  }

  // Precondition (here and below): the last Seek/Next returned true.
  // The current sample when it is a float of a run (the common case):
  // sets *t and *v; false otherwise (read it through the accessors).
  bool RunFloat(int64_t* t, double* v) const {
    if (!on_run_) return false;
    *t = ts_[pos_];
    *v = vs_[pos_];
    return true;
  }
  int64_t t() const { return on_run_ ? ts_[pos_] : it_.t(); }
  bool is_float() const {
    return on_run_ || it_.value_type() == SampleValueType::kFloat;
  }
  // Meaningful when is_float().
  double v() const { return on_run_ ? vs_[pos_] : it_.v(); }
  // The iterator, for a histogram sample (!is_float()).
  const SampleIterator& iterator() const { return it_; }
  Status status() const { return it_.status(); }

 private:
  static constexpr size_t kRun = 128;

  // The iterator stands on a sample: starts a run there if it is a float
  // up to maxt_; else that sample stays current. Always true.
  bool Fill() {
    len_ = it_.ReadFloats(maxt_, ts_.data(), vs_.data(), kRun, &more_);
    pos_ = 0;
    on_run_ = len_ > 0;  // Else more_ is set: the iterator's sample.
    return true;
  }

  SampleIterator& it_;
  const int64_t maxt_;
  std::array<int64_t, kRun> ts_;
  std::array<double, kRun> vs_;
  size_t pos_ = 0;
  size_t len_ = 0;
  bool on_run_ = false;
  bool more_ = false;  // After a run: the iterator stands on a sample.
};

}  // namespace strata::promql::internal

#endif  // STRATA_PROMQL_SAMPLE_CURSOR_H_
