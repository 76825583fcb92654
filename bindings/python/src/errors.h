// strata.Error and its subclasses, one per Strata StatusCode, and the
// bridge that turns a non-OK Status into the matching Python exception.
//
// Every exception carries `code` (StatusCodeName: "out_of_order",
// "invalid_argument", ...) and `message` (the Status message).
//
// Thread-safety: RegisterErrors runs once at import, under the GIL; the
// classes it creates are immutable afterwards. ThrowIfError may be called
// with or without the GIL (it only builds a C++ exception).
#ifndef STRATA_BINDINGS_PYTHON_ERRORS_H_
#define STRATA_BINDINGS_PYTHON_ERRORS_H_

#include <pybind11/pybind11.h>

#include <exception>
#include <utility>

#include "strata/status.h"

namespace strata::python {

// Carries a Status out of C++ code to pybind11's exception translator,
// which raises it as the strata.Error subclass for its code.
class StatusError : public std::exception {
 public:
  explicit StatusError(Status status) : status_(std::move(status)) {}
  const char* what() const noexcept override { return "strata status error"; }
  const Status& status() const { return status_; }

 private:
  Status status_;
};

inline void ThrowIfError(const Status& status) {
  if (!status.ok()) throw StatusError(status);
}

template <typename T>
T ValueOrThrow(StatusOr<T>&& result) {
  ThrowIfError(result.status());
  return std::move(result).value();
}

// Creates strata.Error and its subclasses in `module` and installs the
// translator from StatusError.
void RegisterErrors(pybind11::module_& module);

}  // namespace strata::python

#endif  // STRATA_BINDINGS_PYTHON_ERRORS_H_
