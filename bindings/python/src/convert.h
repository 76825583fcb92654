// Conversions between Python values and Strata's C++ types: label dicts,
// matchers (a PromQL selector string or a dict of equalities) and NumPy
// arrays that take over a std::vector's buffer without copying it.
//
// Thread-safety: every function here needs the GIL.
#ifndef STRATA_BINDINGS_PYTHON_CONVERT_H_
#define STRATA_BINDINGS_PYTHON_CONVERT_H_

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <memory>
#include <vector>

#include "strata/labels.h"

namespace strata::python {

// {"__name__": "up", "job": "a"} -> validated Labels (InvalidArgumentError
// on a bad name, a non-str key or value).
Labels LabelsFromDict(const pybind11::dict& labels);
pybind11::dict LabelsToDict(const Labels& labels);

// A PromQL series selector (`up{job=~"a.*"}`) or a dict of label name ->
// value equalities.
std::vector<Matcher> MatchersFromPython(const pybind11::handle& matchers);

// A 1-D NumPy array owning `values`' buffer (no copy).
template <typename T>
pybind11::array_t<T> ToNumPy(std::vector<T>&& values) {
  auto owned = std::make_unique<std::vector<T>>(std::move(values));
  std::vector<T>* raw = owned.get();
  pybind11::capsule owner(owned.release(), [](void* p) {
    std::unique_ptr<std::vector<T>>(static_cast<std::vector<T>*>(p));
  });
  return pybind11::array_t<T>(static_cast<pybind11::ssize_t>(raw->size()),
                              raw->data(), owner);
}

}  // namespace strata::python

#endif  // STRATA_BINDINGS_PYTHON_CONVERT_H_
