// bench-deps: strata_promql strata_db strata_util
//
// PromQL engine over a DB of 1,000 series x 2 h at 15 s (480k samples):
// 100 instances x 10 routes of a counter, plus a 10-bucket histogram per
// route and instance (11,000 series in all).
//   - BM_RangeRateSum: sum by (route) (rate(c[5m])), 2 h at 15 s steps.
//   - BM_RangeHistogramQuantile: histogram_quantile(0.9, sum by (le)
//     (rate(h_bucket[5m]))), 2 h at 60 s steps.
//   - BM_InstantTopk: topk(10, rate(c[5m])) at the end.
//   - BM_RangeSelector: the raw counter, 2 h at 15 s steps.
//   - BM_Subquery: max_over_time(rate(c[1m])[30m:15s]) at the end.
//   - BM_Parse: parsing a 200-character query.
// items = output points (or series for the instant query); the
// samples_read counter is the raw samples the selectors cover.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "promql/engine.h"
#include "promql/parser.h"
#include "strata/db.h"
#include "temp_dir.h"
#include "util/log.h"

namespace strata::promql {
namespace {

constexpr int64_t kStep = 15000;
constexpr int64_t kEnd = 2 * 3600 * 1000;

class Fixture {
 public:
  Fixture() {
    SetLogLevel(LogLevel::kWarn);
    Options options;
    options.block_duration_ms = 100LL * 365 * kMillisPerDay;
    options.retention_ms = 0;
    options.wal_compression = false;
    db_ = *DB::Open(options, dir_.path());
    const char* les[] = {"0.005", "0.01", "0.025", "0.05", "0.1",
                         "0.25",  "0.5",  "1",     "2.5",  "+Inf"};
    std::vector<Labels> counters, buckets;
    for (int inst = 0; inst < 100; ++inst) {
      for (int route = 0; route < 10; ++route) {
        const std::string i = std::to_string(inst), r = std::to_string(route);
        counters.push_back(
            Labels::Of({{"__name__", "c"}, {"instance", i}, {"route", r}}));
        for (const char* le : les) {
          buckets.push_back(Labels::Of({{"__name__", "h_bucket"},
                                        {"instance", i},
                                        {"route", r},
                                        {"le", le}}));
        }
      }
    }
    for (int64_t t = 0; t <= kEnd; t += kStep) {
      auto app = db_->NewAppender();
      for (size_t s = 0; s < counters.size(); ++s) {
        (void)app->Append(counters[s], t,
                          static_cast<double>(t / 1000 * (s % 7 + 1)));
      }
      for (size_t s = 0; s < buckets.size(); ++s) {
        (void)app->Append(buckets[s], t,
                          static_cast<double>(t / 1000 * (s % 10 + 1)));
      }
      (void)app->Commit();
    }
  }
  ~Fixture() { db_.reset(); }
  DB& db() { return *db_; }

 private:
  testing::TempDir dir_{"strata-promql-bench"};
  std::unique_ptr<DB> db_;
};

Fixture& Data() {
  static Fixture* f = new Fixture();
  return *f;
}

void RunRange(benchmark::State& state, const char* query, int64_t step,
              int64_t samples_read) {
  Engine engine;
  DB& db = Data().db();  // Built outside the timed loop.
  int64_t points = 0;
  for (auto _ : state) {
    auto r = engine.Range(db, query, 0, kEnd, step);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    for (const Series& s : r->matrix) points += s.points.size();
  }
  state.SetItemsProcessed(points);
  state.counters["samples_read"] = static_cast<double>(samples_read);
}

void BM_RangeRateSum(benchmark::State& state) {
  RunRange(state, "sum by (route) (rate(c[5m]))", kStep, 1000 * 481);
}
BENCHMARK(BM_RangeRateSum)->Unit(benchmark::kMillisecond);

void BM_RangeHistogramQuantile(benchmark::State& state) {
  RunRange(state, "histogram_quantile(0.9, sum by (le) (rate(h_bucket[5m])))",
           60000, 10000 * 481);
}
BENCHMARK(BM_RangeHistogramQuantile)->Unit(benchmark::kMillisecond);

void BM_RangeSelector(benchmark::State& state) {
  RunRange(state, "c", kStep, 1000 * 481);
}
BENCHMARK(BM_RangeSelector)->Unit(benchmark::kMillisecond);

void BM_InstantTopk(benchmark::State& state) {
  Engine engine;
  DB& db = Data().db();
  int64_t items = 0;
  for (auto _ : state) {
    auto r = engine.Instant(db, "topk(10, rate(c[5m]))", kEnd);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    items += r->vector.size();
  }
  state.SetItemsProcessed(items);
}
BENCHMARK(BM_InstantTopk)->Unit(benchmark::kMillisecond);

void BM_Subquery(benchmark::State& state) {
  Engine engine;
  DB& db = Data().db();
  int64_t items = 0;
  for (auto _ : state) {
    auto r = engine.Instant(db, "max_over_time(rate(c[1m])[30m:15s])", kEnd);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    items += r->vector.size();
  }
  state.SetItemsProcessed(items);
}
BENCHMARK(BM_Subquery)->Unit(benchmark::kMillisecond);

void BM_Parse(benchmark::State& state) {
  const std::string q =
      "sum by (job, route) (rate(http_requests_total{job=~\"api.*\", "
      "status!=\"500\"}[5m] offset 1m)) / on(job, route) group_left "
      "sum by (job, route) (rate(http_requests_total[5m])) > bool 0.5 "
      "or vector(0)";
  for (auto _ : state) {
    auto e = ParseExpr(q);
    benchmark::DoNotOptimize(e);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Parse);

}  // namespace
}  // namespace strata::promql

BENCHMARK_MAIN();
