// Selection through the C ABI: a series set walking a querier's series,
// each series' samples read one at a time or in arrays.
#include <memory>
#include <vector>

#include "capi/handles.h"

// Owns the querier its series set reads from. Invariant: `samples` is the
// current series' iterator (null before the first strata_series_next and
// after the last); `labels` points into the current series.
struct strata_series_set {
  std::unique_ptr<strata::Querier> querier;
  std::unique_ptr<strata::SeriesSet> set;
  std::unique_ptr<strata::SampleIterator> samples;
  std::vector<strata_label> labels;
  strata::Status status;
};

using strata::capi::Fail;
using strata::capi::Guarded;
using strata::capi::RequireNonNull;

namespace {

// Ends the current series' iteration, keeping its error if it failed.
void FinishSamples(strata_series_set* set) {
  if (set->samples == nullptr) return;
  if (set->status.ok()) set->status = set->samples->status();
  set->samples.reset();
}

}  // namespace

namespace strata::capi {

StatusOr<Selection> OpenSelection(strata_db* db, const strata_matcher* matchers,
                                  size_t n, int64_t mint, int64_t maxt) {
  if (db == nullptr) return Status::InvalidArgument("db is NULL");
  Selection selection;
  STRATA_ASSIGN_OR_RETURN(selection.matchers, MatchersFromC(matchers, n));
  STRATA_ASSIGN_OR_RETURN(selection.querier, db->db->NewQuerier(mint, maxt));
  return selection;
}

}  // namespace strata::capi

extern "C" {

strata_status_t strata_select(strata_db* db, const strata_matcher* matchers,
                              size_t n_matchers, int64_t mint, int64_t maxt,
                              strata_series_set** out) {
  return Guarded([&] {
    if (strata_status_t s = RequireNonNull(out, "set")) return s;
    auto selection =
        strata::capi::OpenSelection(db, matchers, n_matchers, mint, maxt);
    if (!selection.ok()) return Fail(selection.status());
    auto set = std::make_unique<strata_series_set>();
    set->querier = std::move(selection->querier);
    set->set = set->querier->Select(selection->matchers);
    if (!set->set->status().ok()) return Fail(set->set->status());
    *out = set.release();
    return STRATA_OK;
  });
}

int strata_series_next(strata_series_set* set) {
  if (set == nullptr) return 0;
  int more = 0;
  strata_status_t s = Guarded([&] {
    FinishSamples(set);
    set->labels.clear();
    if (!set->status.ok()) return Fail(set->status);
    if (!set->set->Next()) {
      set->status = set->set->status();
      return Fail(set->status);
    }
    const strata::Series& series = set->set->At();
    set->labels = strata::capi::LabelViews(series.labels());
    set->samples = series.NewIterator();
    more = 1;
    return STRATA_OK;
  });
  // An exception: the set ends with its message as its status.
  if (s != STRATA_OK && set->status.ok()) {
    set->status = strata::Status(strata::StatusCode::kInternal,
                                 strata::capi::t_last_error);
  }
  return more;
}

size_t strata_series_labels(strata_series_set* set,
                            const strata_label** labels) {
  if (set == nullptr || labels == nullptr) return 0;
  *labels = set->labels.data();
  return set->labels.size();
}

int strata_series_sample_next(strata_series_set* set, int64_t* t_ms,
                              double* value) {
  if (set == nullptr || set->samples == nullptr) return 0;
  if (!set->samples->Next()) {
    FinishSamples(set);
    return 0;
  }
  if (t_ms != nullptr) *t_ms = set->samples->t();
  if (value != nullptr) *value = set->samples->v();
  return 1;
}

size_t strata_series_samples(strata_series_set* set, int64_t* ts, double* vs,
                             size_t cap) {
  size_t n = 0;
  while (n < cap && strata_series_sample_next(set, &ts[n], &vs[n])) ++n;
  return n;
}

strata_status_t strata_series_set_status(strata_series_set* set) {
  if (set == nullptr) return STRATA_OK;
  return Fail(set->status);
}

void strata_series_set_free(strata_series_set* set) { delete set; }

}  // extern "C"
