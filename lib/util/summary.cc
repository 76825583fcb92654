#include "util/summary.h"

#include <algorithm>
#include <limits>

namespace strata {
namespace {

SummaryOptions WithSortedQuantiles(SummaryOptions options) {
  std::sort(options.quantiles.begin(), options.quantiles.end());
  return options;
}

// The nearest-rank quantile q of `weighted` ({value, weight}, sorted by
// value, non-empty) whose weights add up to `total`.
double WeightedQuantile(const std::vector<std::pair<double, double>>& weighted,
                        double total, double q) {
  const double target = q * total;
  double cumulative = 0;
  for (const auto& [value, weight] : weighted) {
    cumulative += weight;
    if (cumulative >= target) return value;
  }
  return weighted.back().first;  // rounding in the weights' sum
}

}  // namespace

Summary::Summary(SummaryOptions options)
    : options_(WithSortedQuantiles(std::move(options))),
      bucket_duration_(options_.max_age / options_.age_buckets),
      buckets_(static_cast<size_t>(options_.age_buckets)),
      current_expires_(Now() + bucket_duration_) {}

SummaryOptions::Clock::time_point Summary::Now() const {
  return options_.now ? options_.now() : SummaryOptions::Clock::now();
}

void Summary::Rotate(SummaryOptions::Clock::time_point now) const {
  if (now <= current_expires_) return;
  // client_golang rotates while now is after the head's expiry: once per
  // bucket duration that has begun since.
  const auto rotations =
      (now - current_expires_ + bucket_duration_ - decltype(now)::duration(1)) /
      bucket_duration_;
  const int64_t steps =
      std::min<int64_t>(rotations, static_cast<int64_t>(buckets_.size()));
  for (int64_t i = 0; i < steps; ++i) {
    current_ = (current_ + 1) % buckets_.size();
    buckets_[current_] = Bucket{};
  }
  current_expires_ += rotations * bucket_duration_;
}

void Summary::Observe(double value) {
  const auto now = Now();
  MutexLock lock(&mu_);
  Rotate(now);
  ++count_;
  sum_ += value;
  Bucket& bucket = buckets_[current_];
  ++bucket.seen;
  if (bucket.samples.size() < options_.max_samples_per_bucket) {
    bucket.samples.push_back(value);
    return;
  }
  // Reservoir sampling (Algorithm R): the value replaces a kept one with
  // probability kept / seen, so the kept ones stay a uniform sample.
  const uint64_t slot =
      std::uniform_int_distribution<uint64_t>(0, bucket.seen - 1)(random_);
  if (slot < bucket.samples.size()) bucket.samples[slot] = value;
}

SummarySnapshot Summary::Snapshot() const {
  const auto now = Now();
  SummarySnapshot out;
  std::vector<std::pair<double, double>> weighted;
  double total = 0;
  {
    MutexLock lock(&mu_);
    Rotate(now);
    out.count = count_;
    out.sum = sum_;
    for (const Bucket& bucket : buckets_) {
      if (bucket.samples.empty()) continue;
      const double weight = static_cast<double>(bucket.seen) /
                            static_cast<double>(bucket.samples.size());
      for (double v : bucket.samples) weighted.emplace_back(v, weight);
      total += static_cast<double>(bucket.seen);
    }
  }
  std::sort(weighted.begin(), weighted.end());
  out.quantiles.reserve(options_.quantiles.size());
  for (double q : options_.quantiles) {
    out.quantiles.emplace_back(q, weighted.empty()
                                      ? std::numeric_limits<double>::quiet_NaN()
                                      : WeightedQuantile(weighted, total, q));
  }
  return out;
}

}  // namespace strata
