#include "errors.h"

#include <array>
#include <string>
#include <string_view>

namespace py = pybind11;

namespace strata::python {
namespace {

struct ErrorClass {
  StatusCode code;
  const char* name;
};

// Python names of the subclasses; kOk has none.
constexpr std::array<ErrorClass, 14> kErrorClasses = {{
    {StatusCode::kInvalidArgument, "InvalidArgumentError"},
    {StatusCode::kNotFound, "NotFoundError"},
    {StatusCode::kCorruption, "CorruptionError"},
    {StatusCode::kIOError, "StorageIOError"},
    {StatusCode::kOutOfOrder, "OutOfOrderError"},
    {StatusCode::kOutOfBounds, "OutOfBoundsError"},
    {StatusCode::kDuplicateSample, "DuplicateSampleError"},
    {StatusCode::kResourceExhausted, "ResourceExhaustedError"},
    {StatusCode::kUnavailable, "UnavailableError"},
    {StatusCode::kFailedPrecondition, "FailedPreconditionError"},
    {StatusCode::kNotSupported, "NotSupportedError"},
    {StatusCode::kCancelled, "CancelledError"},
    {StatusCode::kDeadlineExceeded, "DeadlineExceededError"},
    {StatusCode::kInternal, "InternalError"},
}};

// Created once at import and never freed (the module lives as long as
// the interpreter); indexed like kErrorClasses.
PyObject* g_base_error = nullptr;
std::array<PyObject*, kErrorClasses.size()> g_error_classes{};

PyObject* NewErrorClass(py::module_& module, const char* name, PyObject* base,
                        py::object code) {
  const std::string qualified = std::string("strata.") + name;
  PyObject* cls = PyErr_NewException(qualified.c_str(), base, nullptr);
  if (cls == nullptr) throw py::error_already_set();
  py::handle handle(cls);
  handle.attr("code") = code;
  handle.attr("__module__") = "strata";
  module.add_object(name, py::reinterpret_borrow<py::object>(handle));
  return cls;
}

PyObject* ClassFor(StatusCode code) {
  for (size_t i = 0; i < kErrorClasses.size(); ++i) {
    if (kErrorClasses[i].code == code) return g_error_classes[i];
  }
  return g_base_error;
}

void RaiseStatus(const Status& status) {
  PyObject* cls = ClassFor(status.code());
  const std::string message(status.message());
  py::object error = py::reinterpret_borrow<py::object>(cls)(status.ToString());
  error.attr("code") = std::string(StatusCodeName(status.code()));
  error.attr("message") = message;
  PyErr_SetObject(cls, error.ptr());
}

}  // namespace

void RegisterErrors(py::module_& module) {
  g_base_error =
      NewErrorClass(module, "Error", PyExc_Exception, py::str("unknown"));
  for (size_t i = 0; i < kErrorClasses.size(); ++i) {
    g_error_classes[i] = NewErrorClass(
        module, kErrorClasses[i].name, g_base_error,
        py::str(std::string(StatusCodeName(kErrorClasses[i].code))));
  }
  py::register_exception_translator([](std::exception_ptr thrown) {
    try {
      if (thrown) std::rethrow_exception(thrown);
    } catch (const StatusError& e) {
      RaiseStatus(e.status());
    }
  });
}

}  // namespace strata::python
