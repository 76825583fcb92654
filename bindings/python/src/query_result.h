// A PromQL result as Python values: the tuple
//   (result_type, series, scalar, string, time, warnings)
// where series is a list of (labels: dict, timestamps: int64 ndarray,
// values: float64 ndarray); strata.QueryResult (strata/__init__.py) wraps it.
// An instant vector gives each series one point, at the query time.
//
// Thread-safety: needs the GIL.
#ifndef STRATA_BINDINGS_PYTHON_QUERY_RESULT_H_
#define STRATA_BINDINGS_PYTHON_QUERY_RESULT_H_

#include <pybind11/pybind11.h>

#include <vector>

#include "batch.h"
#include "promql/engine.h"

namespace strata::python {

pybind11::tuple QueryResultToPython(promql::Result&& result);

// [(labels, timestamps, values), ...], moving the sample buffers into the
// arrays.
pybind11::list SeriesToPython(std::vector<SeriesSamples>&& series);

}  // namespace strata::python

#endif  // STRATA_BINDINGS_PYTHON_QUERY_RESULT_H_
