// strata._strata: the extension module behind `import strata`
// (strata/__init__.py adds QueryResult, to_pandas and strata.open).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <limits>

#include "errors.h"
#include "py_appender.h"
#include "py_db.h"

namespace py = pybind11;
using strata::python::PyAppender;
using strata::python::PyDB;

namespace {

constexpr int64_t kMinTime = std::numeric_limits<int64_t>::min();
constexpr int64_t kMaxTime = std::numeric_limits<int64_t>::max();

void BindAppender(py::module_& m) {
  py::class_<PyAppender>(m, "Appender")
      .def("append", &PyAppender::Append, py::arg("labels"),
           py::arg("timestamps"), py::arg("values"))
      .def("commit", &PyAppender::Commit)
      .def("rollback", &PyAppender::Rollback)
      .def_property_readonly("pending", &PyAppender::Pending);
}

void BindDB(py::module_& m) {
  py::class_<PyDB>(m, "DB")
      .def("append", &PyDB::Append, py::arg("labels"), py::arg("timestamps"),
           py::arg("values"))
      .def("appender", &PyDB::NewAppender, py::keep_alive<0, 1>())
      .def("select", &PyDB::Select, py::arg("matchers"),
           py::arg("start") = kMinTime, py::arg("end") = kMaxTime)
      .def("_query", &PyDB::Query, py::arg("query"), py::arg("time"))
      .def("_query_range", &PyDB::QueryRange, py::arg("query"),
           py::arg("start"), py::arg("end"), py::arg("step"))
      .def("snapshot", &PyDB::Snapshot, py::arg("dir"),
           py::arg("with_head") = true)
      .def("compact", &PyDB::Compact)
      .def("stats", &PyDB::Stats)
      .def("close", &PyDB::Close)
      .def_property_readonly("closed", &PyDB::closed)
      .def_property_readonly("path", &PyDB::path);
}

}  // namespace

PYBIND11_MODULE(_strata, m) {
  m.doc() = "Strata's embedded time-series store (C++ extension)";
  strata::python::RegisterErrors(m);
  BindAppender(m);
  BindDB(m);
  m.def("_open", &PyDB::Open, py::arg("path"));
}
