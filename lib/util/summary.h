// Summary: a sliding-window summary metric as client_golang's
// prometheus.Summary (MaxAge, AgeBuckets, Objectives): a count and a sum of
// every observation ever made, and quantiles over the recent ones.
//
//   SummaryOptions options;
//   options.quantiles = {0.5, 0.9, 0.99};
//   Summary latency(std::move(options));
//   latency.Observe(0.25);
//   SummarySnapshot s = latency.Snapshot();  // s.count, s.sum, s.quantiles
//
// The window is client_golang's: `age_buckets` buckets of max_age /
// age_buckets each; an observation goes into the current bucket, and when
// a bucket's time is over the oldest one is emptied and becomes the
// current one. Quantiles are taken over all buckets, that is over the last
// (age_buckets - 1) to age_buckets bucket durations (8 to 10 minutes with
// the defaults), as client_golang's head stream.
//
// Quantiles are exact where client_golang's are estimates (CKMS within each
// objective's error): the nearest rank, the smallest observation v such
// that at least q * n of the n observations in the window are <= v. That
// holds while each bucket holds at most max_samples_per_bucket
// observations; beyond that a bucket keeps a uniform random sample of its
// observations (reservoir sampling), each standing for seen / kept of them,
// so memory stays bounded and quantiles become estimates.
//
// Thread-safety: every method may be called from any thread.
#ifndef STRATA_UTIL_SUMMARY_H_
#define STRATA_UTIL_SUMMARY_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "util/mutex.h"

namespace strata {

struct SummaryOptions {
  using Clock = std::chrono::steady_clock;

  // The quantiles reported, each in [0, 1] (the keys of client_golang's
  // Objectives; the error values do not apply to exact quantiles).
  std::vector<double> quantiles;
  // client_golang's DefMaxAge and DefAgeBuckets.
  Clock::duration max_age = std::chrono::minutes(10);
  int age_buckets = 5;
  // Bound on the observations one bucket keeps for the quantiles.
  size_t max_samples_per_bucket = 4096;
  // The time source; empty means Clock::now (tests inject their own).
  std::function<Clock::time_point()> now;
};

struct SummarySnapshot {
  uint64_t count = 0;  // every observation ever made
  double sum = 0;
  // {quantile, value} in ascending quantile order; the value is NaN when
  // the window holds no observation (as client_golang reports it).
  std::vector<std::pair<double, double>> quantiles;
};

class Summary {
 public:
  // Preconditions: quantiles in [0, 1], max_age > 0, age_buckets > 0,
  // max_samples_per_bucket > 0.
  explicit Summary(SummaryOptions options);
  Summary(const Summary&) = delete;
  Summary& operator=(const Summary&) = delete;

  void Observe(double value);

  SummarySnapshot Snapshot() const;

 private:
  // The observations of one bucket duration.
  struct Bucket {
    uint64_t seen = 0;
    std::vector<double> samples;  // all of them, or a uniform sample
  };

  SummaryOptions::Clock::time_point Now() const;
  // Empties the buckets whose time is over at `now`.
  void Rotate(SummaryOptions::Clock::time_point now) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Constant after construction.
  const SummaryOptions options_;  // quantiles sorted ascending
  const SummaryOptions::Clock::duration bucket_duration_;

  mutable Mutex mu_;
  uint64_t count_ ABSL_GUARDED_BY(mu_) = 0;
  double sum_ ABSL_GUARDED_BY(mu_) = 0;
  // Rotation empties buckets, also on Snapshot, hence mutable.
  mutable std::vector<Bucket> buckets_ ABSL_GUARDED_BY(mu_);
  mutable size_t current_ ABSL_GUARDED_BY(mu_) = 0;
  // When the current bucket's time is over.
  mutable SummaryOptions::Clock::time_point current_expires_
      ABSL_GUARDED_BY(mu_);
  std::minstd_rand random_ ABSL_GUARDED_BY(mu_);
};

}  // namespace strata

#endif  // STRATA_UTIL_SUMMARY_H_
