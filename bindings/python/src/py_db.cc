#include "py_db.h"

#include <utility>
#include <vector>

#include "batch.h"
#include "convert.h"
#include "errors.h"
#include "query_result.h"

namespace py = pybind11;

namespace strata::python {

std::unique_ptr<PyDB> PyDB::Open(const std::string& path,
                                 const py::kwargs& kwargs) {
  const OpenOptions options = OpenOptionsFromKwargs(kwargs);
  StatusOr<std::unique_ptr<DB>> db = Status::Internal("not opened");
  {
    py::gil_scoped_release release;
    db = DB::Open(options.storage, path);
  }
  return std::make_unique<PyDB>(ValueOrThrow(std::move(db)), options.engine);
}

DB& PyDB::Live() {
  if (closed_.load()) {
    throw StatusError(Status::Unavailable("database is closed"));
  }
  return *db_;
}

void PyDB::Append(const py::dict& labels, const TimestampArray& timestamps,
                  const ValueArray& values) {
  DB& db = Live();
  const Labels series = LabelsFromDict(labels);
  const SampleSpans spans = SpansOf(timestamps, values);
  Status status;
  {
    py::gil_scoped_release release;
    std::unique_ptr<Appender> appender = db.NewAppender();
    status = AppendSeries(*appender, series, spans.t, spans.v);
    if (status.ok()) status = appender->Commit();
  }
  ThrowIfError(status);
}

std::unique_ptr<PyAppender> PyDB::NewAppender() {
  return std::make_unique<PyAppender>(Live().NewAppender());
}

py::list PyDB::Select(const py::handle& matchers, int64_t start, int64_t end) {
  DB& db = Live();
  const std::vector<Matcher> parsed = MatchersFromPython(matchers);
  StatusOr<std::vector<SeriesSamples>> series = Status::Internal("not run");
  {
    py::gil_scoped_release release;
    series = SelectSeries(db, parsed, start, end);
  }
  return SeriesToPython(ValueOrThrow(std::move(series)));
}

py::tuple PyDB::Query(const std::string& query, int64_t time) {
  DB& db = Live();
  StatusOr<promql::Result> result = Status::Internal("not run");
  {
    py::gil_scoped_release release;
    result = engine_.Instant(db, query, time);
  }
  return QueryResultToPython(ValueOrThrow(std::move(result)));
}

py::tuple PyDB::QueryRange(const std::string& query, int64_t start, int64_t end,
                           int64_t step) {
  DB& db = Live();
  StatusOr<promql::Result> result = Status::Internal("not run");
  {
    py::gil_scoped_release release;
    result = engine_.Range(db, query, start, end, step);
  }
  return QueryResultToPython(ValueOrThrow(std::move(result)));
}

void PyDB::Snapshot(const std::string& dir, bool with_head) {
  DB& db = Live();
  Status status;
  {
    py::gil_scoped_release release;
    status = db.Snapshot(dir, with_head);
  }
  ThrowIfError(status);
}

void PyDB::Compact() {
  DB& db = Live();
  Status status;
  {
    py::gil_scoped_release release;
    status = db.Compact();
  }
  ThrowIfError(status);
}

py::dict PyDB::Stats() {
  const DBStats stats = Live().Stats();
  py::dict out;
  out["head_series"] = stats.head_series;
  out["head_chunks"] = stats.head_chunks;
  out["head_min_time"] = stats.head_min_time;
  out["head_max_time"] = stats.head_max_time;
  out["samples_appended"] = stats.samples_appended;
  out["series_created"] = stats.series_created;
  out["samples_out_of_order"] = stats.samples_out_of_order;
  out["samples_out_of_bounds"] = stats.samples_out_of_bounds;
  out["samples_duplicate"] = stats.samples_duplicate;
  out["wal_bytes"] = stats.wal_bytes;
  out["blocks"] = stats.blocks;
  out["blocks_bytes"] = stats.blocks_bytes;
  return out;
}

void PyDB::Close() {
  if (closed_.exchange(true)) return;
  Status status;
  {
    py::gil_scoped_release release;
    status = db_->Close();
  }
  ThrowIfError(status);
}

}  // namespace strata::python
