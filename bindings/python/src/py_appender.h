// strata.Appender: a batch of samples, possibly of many series, that
// commits atomically (Appender in include/strata/appender.h).
//
// Thread-safety: the methods may be called from any Python thread; a
// mutex serializes them, since the C++ Appender is for one thread at a
// time. Storage work runs with the GIL released.
#ifndef STRATA_BINDINGS_PYTHON_PY_APPENDER_H_
#define STRATA_BINDINGS_PYTHON_PY_APPENDER_H_

#include <pybind11/pybind11.h>

#include <memory>
#include <mutex>

#include "arrays.h"
#include "strata/appender.h"

namespace strata::python {

class PyAppender {
 public:
  explicit PyAppender(std::unique_ptr<Appender> appender)
      : appender_(std::move(appender)) {}

  // Adds the samples of one series to the batch. A refused sample rolls
  // the whole batch back and raises.
  void Append(const pybind11::dict& labels, const TimestampArray& timestamps,
              const ValueArray& values);
  void Commit();
  void Rollback();
  size_t Pending();

 private:
  std::mutex mu_;
  std::unique_ptr<Appender> appender_;  // Guarded by mu_.
};

}  // namespace strata::python

#endif  // STRATA_BINDINGS_PYTHON_PY_APPENDER_H_
