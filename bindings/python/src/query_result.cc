#include "query_result.h"

#include <string>

#include "convert.h"

namespace py = pybind11;

namespace strata::python {
namespace {

std::vector<SeriesSamples> FromVector(promql::Vector&& vector) {
  std::vector<SeriesSamples> out;
  out.reserve(vector.size());
  for (promql::Sample& sample : vector) {
    out.push_back({std::move(sample.metric), {sample.t}, {sample.v}});
  }
  return out;
}

std::vector<SeriesSamples> FromMatrix(promql::Matrix&& matrix) {
  std::vector<SeriesSamples> out;
  out.reserve(matrix.size());
  for (promql::Series& series : matrix) {
    SeriesSamples& samples = out.emplace_back();
    samples.labels = std::move(series.metric);
    samples.t.reserve(series.points.size());
    samples.v.reserve(series.points.size());
    for (const promql::Point& point : series.points) {
      samples.t.push_back(point.t);
      samples.v.push_back(point.v);
    }
  }
  return out;
}

}  // namespace

py::list SeriesToPython(std::vector<SeriesSamples>&& series) {
  py::list out;
  for (SeriesSamples& s : series) {
    out.append(py::make_tuple(LabelsToDict(s.labels), ToNumPy(std::move(s.t)),
                              ToNumPy(std::move(s.v))));
  }
  return out;
}

py::tuple QueryResultToPython(promql::Result&& result) {
  std::vector<SeriesSamples> series;
  if (result.type == promql::ValueType::kVector) {
    series = FromVector(std::move(result.vector));
  } else if (result.type == promql::ValueType::kMatrix) {
    series = FromMatrix(std::move(result.matrix));
  }
  py::list warnings;
  for (const std::string& warning : result.warnings) warnings.append(warning);
  return py::make_tuple(std::string(promql::ValueTypeName(result.type)),
                        SeriesToPython(std::move(series)), result.scalar,
                        result.string, result.t, warnings);
}

}  // namespace strata::python
