#include "convert.h"

#include <string>

#include "errors.h"
#include "promql/parser.h"

namespace py = pybind11;

namespace strata::python {
namespace {

std::string StrOrThrow(const py::handle& value, const char* what) {
  if (!py::isinstance<py::str>(value)) {
    throw StatusError(Status::InvalidArgument(
        std::string(what) + " must be str, not " +
        std::string(py::str(value.get_type().attr("__name__")))));
  }
  return value.cast<std::string>();
}

}  // namespace

Labels LabelsFromDict(const py::dict& labels) {
  std::vector<Label> pairs;
  pairs.reserve(labels.size());
  for (const auto& [name, value] : labels) {
    pairs.push_back(
        {StrOrThrow(name, "label name"), StrOrThrow(value, "label value")});
  }
  return ValueOrThrow(Labels::FromPairs(std::move(pairs)));
}

py::dict LabelsToDict(const Labels& labels) {
  py::dict out;
  for (const Label& label : labels) {
    out[py::str(label.name)] = py::str(label.value);
  }
  return out;
}

std::vector<Matcher> MatchersFromPython(const py::handle& matchers) {
  if (py::isinstance<py::str>(matchers)) {
    return ValueOrThrow(
        promql::ParseMetricSelector(matchers.cast<std::string>()));
  }
  if (!py::isinstance<py::dict>(matchers)) {
    throw StatusError(Status::InvalidArgument(
        "matchers must be a PromQL selector (str) or a dict of label "
        "equalities"));
  }
  std::vector<Matcher> out;
  for (const auto& [name, value] : py::reinterpret_borrow<py::dict>(matchers)) {
    out.push_back(Matcher::Equal(StrOrThrow(name, "label name"),
                                 StrOrThrow(value, "label value")));
  }
  return out;
}

}  // namespace strata::python
