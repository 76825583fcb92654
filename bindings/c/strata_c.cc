// The C ABI over the C++ API (include/strata/c.h).
#include <memory>
#include <string>
#include <vector>

#include "strata/c.h"
#include "strata/db.h"

namespace {

thread_local std::string g_last_error;

strata_status_t ToC(const strata::Status& s) {
  if (s.ok()) return STRATA_OK;
  g_last_error = s.ToString();
  switch (s.code()) {
    case strata::StatusCode::kInvalidArgument:
      return STRATA_INVALID_ARGUMENT;
    case strata::StatusCode::kNotFound:
      return STRATA_NOT_FOUND;
    case strata::StatusCode::kCorruption:
      return STRATA_CORRUPTION;
    case strata::StatusCode::kIOError:
      return STRATA_IO_ERROR;
    case strata::StatusCode::kOutOfOrder:
      return STRATA_OUT_OF_ORDER;
    case strata::StatusCode::kOutOfBounds:
      return STRATA_OUT_OF_BOUNDS;
    case strata::StatusCode::kDuplicateSample:
      return STRATA_DUPLICATE_SAMPLE;
    case strata::StatusCode::kUnavailable:
      return STRATA_UNAVAILABLE;
    default:
      return STRATA_OTHER_ERROR;
  }
}

}  // namespace

struct strata_db {
  std::unique_ptr<strata::DB> db;
};
struct strata_appender {
  std::unique_ptr<strata::Appender> app;
};
struct strata_series_set {
  std::unique_ptr<strata::Querier> querier;
  std::unique_ptr<strata::SeriesSet> set;
  std::vector<strata_label> labels;
  std::vector<std::pair<int64_t, double>> samples;
};

extern "C" {

const char* strata_last_error(void) { return g_last_error.c_str(); }

strata_status_t strata_open(const char* dir, int sync_always, strata_db** out) {
  strata::Options options;
  if (sync_always) options.wal_sync = strata::WalSyncPolicy::kAlways;
  auto db = strata::DB::Open(options, dir);
  if (!db.ok()) return ToC(db.status());
  *out = new strata_db{std::move(db).value()};
  return STRATA_OK;
}

strata_status_t strata_close(strata_db* db) {
  if (db == nullptr) return STRATA_OK;
  strata_status_t s = ToC(db->db->Close());
  delete db;
  return s;
}

strata_appender* strata_appender_new(strata_db* db) {
  return new strata_appender{db->db->NewAppender()};
}

void strata_appender_free(strata_appender* app) { delete app; }

strata_status_t strata_append(strata_appender* app, const strata_label* labels,
                              size_t n_labels, int64_t t_ms, double value,
                              uint64_t* ref) {
  std::vector<strata::Label> pairs;
  pairs.reserve(n_labels);
  for (size_t i = 0; i < n_labels; ++i) {
    pairs.push_back({labels[i].name, labels[i].value});
  }
  auto lset = strata::Labels::FromPairs(std::move(pairs));
  if (!lset.ok()) return ToC(lset.status());
  auto r = app->app->Append(*lset, t_ms, value);
  if (!r.ok()) return ToC(r.status());
  if (ref != nullptr) *ref = *r;
  return STRATA_OK;
}

strata_status_t strata_append_ref(strata_appender* app, uint64_t ref,
                                  int64_t t_ms, double value) {
  auto r = app->app->Append(ref, t_ms, value);
  return r.ok() ? STRATA_OK : ToC(r.status());
}

strata_status_t strata_commit(strata_appender* app) {
  return ToC(app->app->Commit());
}

void strata_rollback(strata_appender* app) { app->app->Rollback(); }

strata_status_t strata_select(strata_db* db, const strata_matcher* matchers,
                              size_t n_matchers, int64_t mint, int64_t maxt,
                              strata_series_set** out) {
  std::vector<strata::Matcher> ms;
  for (size_t i = 0; i < n_matchers; ++i) {
    auto m = strata::Matcher::Create(
        static_cast<strata::Matcher::Type>(matchers[i].type), matchers[i].name,
        matchers[i].value);
    if (!m.ok()) return ToC(m.status());
    ms.push_back(std::move(m).value());
  }
  auto q = db->db->NewQuerier(mint, maxt);
  if (!q.ok()) return ToC(q.status());
  auto set = std::make_unique<strata_series_set>();
  set->querier = std::move(q).value();
  set->set = set->querier->Select(ms);
  if (!set->set->status().ok()) return ToC(set->set->status());
  *out = set.release();
  return STRATA_OK;
}

int strata_series_next(strata_series_set* set) {
  set->labels.clear();
  set->samples.clear();
  if (!set->set->Next()) return 0;
  const strata::Series& s = set->set->At();
  for (const strata::Label& l : s.labels()) {
    set->labels.push_back({l.name.c_str(), l.value.c_str()});
  }
  auto it = s.NewIterator();
  while (it->Next()) set->samples.emplace_back(it->t(), it->v());
  return 1;
}

size_t strata_series_labels(strata_series_set* set,
                            const strata_label** labels) {
  *labels = set->labels.data();
  return set->labels.size();
}

size_t strata_series_samples(strata_series_set* set, size_t offset, int64_t* ts,
                             double* vs, size_t cap) {
  size_t n = 0;
  for (size_t i = offset; i < set->samples.size() && n < cap; ++i, ++n) {
    ts[n] = set->samples[i].first;
    vs[n] = set->samples[i].second;
  }
  return n;
}

void strata_series_set_free(strata_series_set* set) { delete set; }

}  // extern "C"
