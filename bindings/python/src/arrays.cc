#include "arrays.h"

#include <string>

#include "errors.h"

namespace strata::python {

SampleSpans SpansOf(const TimestampArray& timestamps,
                    const ValueArray& values) {
  if (timestamps.ndim() != 1 || values.ndim() != 1) {
    throw StatusError(
        Status::InvalidArgument("timestamps and values must be 1-D arrays"));
  }
  if (timestamps.size() != values.size()) {
    throw StatusError(
        Status::InvalidArgument("timestamps and values differ in length: " +
                                std::to_string(timestamps.size()) + " vs " +
                                std::to_string(values.size())));
  }
  const auto n = static_cast<size_t>(timestamps.size());
  return {std::span<const int64_t>(timestamps.data(), n),
          std::span<const double>(values.data(), n)};
}

}  // namespace strata::python
