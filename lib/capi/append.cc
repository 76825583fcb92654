// Appenders of the C ABI: single samples by labels or ref, batches of one
// series by labels, batches by ref (Appender::AppendBatch), commit and
// rollback.
#include <algorithm>
#include <new>

#include "capi/handles.h"

using strata::capi::Fail;
using strata::capi::Guarded;
using strata::capi::RequireNonNull;

extern "C" {

strata_appender* strata_appender_new(strata_db* db) {
  if (db == nullptr) return nullptr;
  try {
    return new strata_appender{db->db->NewAppender()};
  } catch (const std::exception& e) {
    Fail(STRATA_INTERNAL, e.what());
    return nullptr;
  }
}

void strata_appender_free(strata_appender* app) { delete app; }

strata_status_t strata_append(strata_appender* app, const strata_label* labels,
                              size_t n_labels, int64_t t_ms, double value,
                              uint64_t* ref) {
  return Guarded([&] {
    if (strata_status_t s = RequireNonNull(app, "appender")) return s;
    auto lset = strata::capi::LabelsFromC(labels, n_labels);
    if (!lset.ok()) return Fail(lset.status());
    auto r = app->app->Append(*lset, t_ms, value);
    if (!r.ok()) return Fail(r.status());
    if (ref != nullptr) *ref = *r;
    return STRATA_OK;
  });
}

strata_status_t strata_append_ref(strata_appender* app, uint64_t ref,
                                  int64_t t_ms, double value) {
  return Guarded([&] {
    if (strata_status_t s = RequireNonNull(app, "appender")) return s;
    return Fail(app->app->Append(ref, t_ms, value).status());
  });
}

strata_status_t strata_append_batch(strata_appender* app,
                                    const strata_label* labels, size_t n_labels,
                                    const int64_t* ts, const double* vs,
                                    size_t n, size_t* n_appended) {
  size_t done = 0;
  strata_status_t status = Guarded([&] {
    if (strata_status_t s = RequireNonNull(app, "appender")) return s;
    if (n == 0) return STRATA_OK;
    if (ts == nullptr || vs == nullptr) {
      return Fail(STRATA_INVALID_ARGUMENT, "ts or vs is NULL");
    }
    auto lset = strata::capi::LabelsFromC(labels, n_labels);
    if (!lset.ok()) return Fail(lset.status());
    // The first sample resolves the series; the rest go by its ref.
    auto ref = app->app->Append(*lset, ts[0], vs[0]);
    if (!ref.ok()) return Fail(ref.status());
    for (done = 1; done < n; ++done) {
      auto r = app->app->Append(*ref, ts[done], vs[done]);
      if (!r.ok()) return Fail(r.status());
    }
    return STRATA_OK;
  });
  if (n_appended != nullptr) *n_appended = done;
  return status;
}

strata_status_t strata_append_refs(strata_appender* app, const uint64_t* refs,
                                   const int64_t* ts, const double* vs,
                                   size_t n, strata_sample_error* errors,
                                   size_t errors_cap, size_t* n_errors) {
  size_t refused = 0;
  strata_status_t status = Guarded([&] {
    if (strata_status_t s = RequireNonNull(app, "appender")) return s;
    if (n == 0) return STRATA_OK;
    if (refs == nullptr || ts == nullptr || vs == nullptr) {
      return Fail(STRATA_INVALID_ARGUMENT, "refs, ts or vs is NULL");
    }
    if (errors == nullptr && errors_cap > 0) {
      return Fail(STRATA_INVALID_ARGUMENT, "errors is NULL");
    }
    strata::AppendBatchReport report;
    strata::Status st =
        app->app->AppendBatch({refs, n}, {ts, n}, {vs, n}, &report);
    if (!st.ok()) return Fail(st);
    refused = report.errors.size();
    for (size_t i = 0; i < std::min(refused, errors_cap); ++i) {
      errors[i].index = report.errors[i].index;
      // The codes mirror StatusCode's order (errors.cc).
      errors[i].status = static_cast<strata_status_t>(report.errors[i].code);
    }
    return STRATA_OK;
  });
  if (n_errors != nullptr) *n_errors = refused;
  return status;
}

strata_status_t strata_commit(strata_appender* app) {
  return Guarded([&] {
    if (strata_status_t s = RequireNonNull(app, "appender")) return s;
    return Fail(app->app->Commit());
  });
}

void strata_rollback(strata_appender* app) {
  if (app != nullptr) app->app->Rollback();
}

size_t strata_appender_pending(const strata_appender* app) {
  return app != nullptr ? app->app->pending() : 0;
}

}  // extern "C"
