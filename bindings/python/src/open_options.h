// strata.open(path, **options): keyword arguments -> strata::Options (the
// storage) and promql::EngineOptions (db.query / db.query_range).
//
// Thread-safety: needs the GIL.
#ifndef STRATA_BINDINGS_PYTHON_OPEN_OPTIONS_H_
#define STRATA_BINDINGS_PYTHON_OPEN_OPTIONS_H_

#include <pybind11/pybind11.h>

#include "promql/engine.h"
#include "strata/options.h"

namespace strata::python {

struct OpenOptions {
  Options storage;
  promql::EngineOptions engine;
};

// Unknown names raise TypeError, as for any Python function; bad values
// raise InvalidArgumentError.
OpenOptions OpenOptionsFromKwargs(const pybind11::kwargs& kwargs);

}  // namespace strata::python

#endif  // STRATA_BINDINGS_PYTHON_OPEN_OPTIONS_H_
