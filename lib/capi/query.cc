// PromQL through the C ABI: instant and range queries whose results come
// out as plain arrays (labels, timestamps, values per series).
#include <memory>
#include <string_view>
#include <vector>

#include "capi/handles.h"

// Owns the engine's result, which owns the label strings the views point
// into; the views are built once, so every accessor is a lookup.
struct strata_query_result {
  struct Series {
    std::vector<strata_label> labels;
    std::vector<int64_t> ts;
    std::vector<double> vs;
  };
  strata::promql::Result result;
  strata_value_type type = STRATA_VALUE_NONE;
  std::vector<Series> series;
};

using strata::capi::Fail;
using strata::capi::Guarded;
using strata::capi::RequireNonNull;

namespace {

using ValueType = strata::promql::ValueType;

strata_value_type TypeToC(ValueType type) {
  switch (type) {
    case ValueType::kVector:
      return STRATA_VALUE_VECTOR;
    case ValueType::kScalar:
      return STRATA_VALUE_SCALAR;
    case ValueType::kMatrix:
      return STRATA_VALUE_MATRIX;
    case ValueType::kString:
      return STRATA_VALUE_STRING;
    case ValueType::kNone:
      break;
  }
  return STRATA_VALUE_NONE;
}

// Lays `r->result` out as series of plain arrays.
void BuildSeries(strata_query_result* r) {
  const strata::promql::Result& res = r->result;
  r->type = TypeToC(res.type);
  switch (res.type) {
    case ValueType::kVector:
      for (const strata::promql::Sample& s : res.vector) {
        r->series.push_back({strata::capi::LabelViews(s.metric), {s.t}, {s.v}});
      }
      break;
    case ValueType::kMatrix:
      for (const strata::promql::Series& s : res.matrix) {
        strata_query_result::Series& out = r->series.emplace_back();
        out.labels = strata::capi::LabelViews(s.metric);
        out.ts.reserve(s.points.size());
        out.vs.reserve(s.points.size());
        for (const strata::promql::Point& p : s.points) {
          out.ts.push_back(p.t);
          out.vs.push_back(p.v);
        }
      }
      break;
    case ValueType::kScalar:
      r->series.push_back({{}, {res.t}, {res.scalar}});
      break;
    case ValueType::kString:
    case ValueType::kNone:
      break;
  }
}

// Hands a finished evaluation to the caller as a strata_query_result.
strata_status_t Deliver(strata::StatusOr<strata::promql::Result> res,
                        strata_query_result** out) {
  if (!res.ok()) return Fail(res.status());
  auto r = std::make_unique<strata_query_result>();
  r->result = std::move(res).value();
  BuildSeries(r.get());
  *out = r.release();
  return STRATA_OK;
}

const strata_query_result::Series* SeriesAt(const strata_query_result* r,
                                            size_t i) {
  if (r == nullptr || i >= r->series.size()) return nullptr;
  return &r->series[i];
}

}  // namespace

extern "C" {

strata_status_t strata_query(strata_db* db, const char* promql, int64_t t_ms,
                             strata_query_result** result) {
  return Guarded([&] {
    if (strata_status_t s = RequireNonNull(db, "db")) return s;
    if (strata_status_t s = RequireNonNull(promql, "promql")) return s;
    if (strata_status_t s = RequireNonNull(result, "result")) return s;
    return Deliver(db->engine->Instant(*db->db, promql, t_ms), result);
  });
}

strata_status_t strata_query_range(strata_db* db, const char* promql,
                                   int64_t start_ms, int64_t end_ms,
                                   int64_t step_ms,
                                   strata_query_result** result) {
  return Guarded([&] {
    if (strata_status_t s = RequireNonNull(db, "db")) return s;
    if (strata_status_t s = RequireNonNull(promql, "promql")) return s;
    if (strata_status_t s = RequireNonNull(result, "result")) return s;
    return Deliver(
        db->engine->Range(*db->db, promql, start_ms, end_ms, step_ms), result);
  });
}

strata_value_type strata_result_type(const strata_query_result* result) {
  return result != nullptr ? result->type : STRATA_VALUE_NONE;
}

size_t strata_result_series_count(const strata_query_result* result) {
  return result != nullptr ? result->series.size() : 0;
}

size_t strata_result_labels(const strata_query_result* result, size_t i,
                            const strata_label** labels) {
  const strata_query_result::Series* s = SeriesAt(result, i);
  if (s == nullptr || labels == nullptr) return 0;
  *labels = s->labels.data();
  return s->labels.size();
}

size_t strata_result_points(const strata_query_result* result, size_t i,
                            const int64_t** ts, const double** vs) {
  const strata_query_result::Series* s = SeriesAt(result, i);
  if (s == nullptr || ts == nullptr || vs == nullptr) return 0;
  *ts = s->ts.data();
  *vs = s->vs.data();
  return s->ts.size();
}

const char* strata_result_string(const strata_query_result* result) {
  if (result == nullptr || result->type != STRATA_VALUE_STRING) return "";
  return result->result.string.c_str();
}

void strata_result_free(strata_query_result* result) { delete result; }

}  // extern "C"
