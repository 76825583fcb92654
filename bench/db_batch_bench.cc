// bench-deps: strata_db
//
// Batch append and select through the C++ API, the reference for the
// Python bindings' figure (bench/python_batch_bench.py does the same work
// from NumPy). S series x N samples, 1 s apart, values
// ((s*17 + i*31) % 1000) / 2; appended window by window (W samples of one
// series per commit, every series in turn, so no sample is out of bounds),
// each commit through a fresh Appender, the first sample by labels and the
// rest by reference, as strata.DB.append does. Then one select of every
// series into vectors. Default options (zstd WAL, fsync interval).
//
// Usage: db_batch_bench [series=1000] [samples_per_series=10000]
//                       [window=1000]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "strata/db.h"
#include "temp_dir.h"

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since)
      .count();
}

struct Workload {
  int series = 1000;
  int samples = 10000;
  int window = 1000;
  std::vector<strata::Labels> labels;
  std::vector<int64_t> t;              // Shared by every series.
  std::vector<std::vector<double>> v;  // Per series.
};

Workload MakeWorkload(int series, int samples, int window) {
  Workload w{series, samples, window, {}, {}, {}};
  for (int i = 0; i < samples; ++i) w.t.push_back(int64_t{i} * 1000);
  for (int s = 0; s < series; ++s) {
    w.labels.push_back(strata::Labels::Of(
        {{"__name__", "bench"}, {"series", std::to_string(s)}}));
    std::vector<double>& v = w.v.emplace_back();
    for (int i = 0; i < samples; ++i)
      v.push_back(((s * 17 + i * 31) % 1000) / 2.0);
  }
  return w;
}

strata::Status AppendWindow(strata::DB& db, const Workload& w, int s, int begin,
                            int end) {
  auto app = db.NewAppender();
  strata::SeriesRef ref = 0;
  for (int i = begin; i < end; ++i) {
    auto added = ref == 0 ? app->Append(w.labels[s], w.t[i], w.v[s][i])
                          : app->Append(ref, w.t[i], w.v[s][i]);
    if (!added.ok()) return added.status();
    ref = *added;
  }
  return app->Commit();
}

strata::Status AppendAll(strata::DB& db, const Workload& w) {
  for (int begin = 0; begin < w.samples; begin += w.window) {
    const int end = std::min(begin + w.window, w.samples);
    for (int s = 0; s < w.series; ++s) {
      STRATA_RETURN_IF_ERROR(AppendWindow(db, w, s, begin, end));
    }
  }
  return strata::Status::OK();
}

strata::StatusOr<int64_t> SelectAll(strata::DB& db) {
  STRATA_ASSIGN_OR_RETURN(auto querier, db.NewQuerier(INT64_MIN, INT64_MAX));
  auto set = querier->Select({strata::Matcher::Equal("__name__", "bench")});
  int64_t samples = 0;
  while (set->Next()) {
    std::vector<int64_t> t;
    std::vector<double> v;
    auto it = set->At().NewIterator();
    while (it->Next()) {
      t.push_back(it->t());
      v.push_back(it->v());
    }
    STRATA_RETURN_IF_ERROR(it->status());
    samples += static_cast<int64_t>(t.size());
  }
  STRATA_RETURN_IF_ERROR(set->status());
  return samples;
}

}  // namespace

int main(int argc, char** argv) {
  const int series = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int samples = argc > 2 ? std::atoi(argv[2]) : 10000;
  const int window = argc > 3 ? std::atoi(argv[3]) : 1000;
  const Workload w = MakeWorkload(series, samples, window);
  const strata::testing::TempDir tmp("strata-bench");
  auto db = strata::DB::Open(strata::Options{}, tmp.path());
  if (!db.ok()) {
    std::fprintf(stderr, "%s\n", db.status().ToString().c_str());
    return 1;
  }
  const double total = double(series) * samples;
  auto start = std::chrono::steady_clock::now();
  strata::Status s = AppendAll(**db, w);
  const double append_s = Seconds(start);
  start = std::chrono::steady_clock::now();
  auto selected = SelectAll(**db);
  const double select_s = Seconds(start);
  if (!s.ok() || !selected.ok() || *selected != int64_t(total)) {
    std::fprintf(stderr, "failed: %s %s\n", s.ToString().c_str(),
                 selected.status().ToString().c_str());
    return 1;
  }
  std::printf(
      "c++ %d series x %d samples, window %d: append %.3f s (%.2f M "
      "samples/s), select %.3f s (%.2f M samples/s)\n",
      series, samples, window, append_s, total / append_s / 1e6, select_s,
      total / select_s / 1e6);
  return (*db)->Close().ok() ? 0 : 1;
}
