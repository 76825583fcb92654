#include "py_appender.h"

#include "batch.h"
#include "convert.h"
#include "errors.h"

namespace py = pybind11;

namespace strata::python {

void PyAppender::Append(const py::dict& labels,
                        const TimestampArray& timestamps,
                        const ValueArray& values) {
  const Labels series = LabelsFromDict(labels);
  const SampleSpans spans = SpansOf(timestamps, values);
  Status status;
  {
    py::gil_scoped_release release;
    std::lock_guard lock(mu_);
    status = AppendSeries(*appender_, series, spans.t, spans.v);
  }
  ThrowIfError(status);
}

void PyAppender::Commit() {
  Status status;
  {
    py::gil_scoped_release release;
    std::lock_guard lock(mu_);
    status = appender_->Commit();
  }
  ThrowIfError(status);
}

void PyAppender::Rollback() {
  py::gil_scoped_release release;
  std::lock_guard lock(mu_);
  appender_->Rollback();
}

size_t PyAppender::Pending() {
  std::lock_guard lock(mu_);
  return appender_->pending();
}

}  // namespace strata::python
