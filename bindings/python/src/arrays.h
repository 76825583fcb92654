// The NumPy argument types of append: C-contiguous int64 timestamps and
// float64 values. Arrays of those dtypes are read in place (zero-copy);
// others are converted by pybind11 first (forcecast).
#ifndef STRATA_BINDINGS_PYTHON_ARRAYS_H_
#define STRATA_BINDINGS_PYTHON_ARRAYS_H_

#include <pybind11/numpy.h>

#include <cstdint>
#include <span>

namespace strata::python {

using TimestampArray =
    pybind11::array_t<int64_t,
                      pybind11::array::c_style | pybind11::array::forcecast>;
using ValueArray = pybind11::array_t<double, pybind11::array::c_style |
                                                 pybind11::array::forcecast>;

// The two arrays' buffers; InvalidArgumentError unless both are 1-D and of
// the same length. Needs the GIL; the spans stay valid while the arrays
// are referenced.
struct SampleSpans {
  std::span<const int64_t> t;
  std::span<const double> v;
};
SampleSpans SpansOf(const TimestampArray& timestamps, const ValueArray& values);

}  // namespace strata::python

#endif  // STRATA_BINDINGS_PYTHON_ARRAYS_H_
