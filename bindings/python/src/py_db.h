// strata.DB: one open data directory (DB in include/strata/db.h) with a
// PromQL engine over it.
//
// Thread-safety: every method may be called from any Python thread at
// once; storage and query work runs with the GIL released. close() is
// idempotent; afterwards every method raises UnavailableError. The C++ DB
// lives until the Python object is collected, so a call racing with
// close() fails cleanly instead of touching freed memory.
#ifndef STRATA_BINDINGS_PYTHON_PY_DB_H_
#define STRATA_BINDINGS_PYTHON_PY_DB_H_

#include <pybind11/pybind11.h>

#include <atomic>
#include <memory>
#include <string>

#include "arrays.h"
#include "open_options.h"
#include "promql/engine.h"
#include "py_appender.h"
#include "strata/db.h"

namespace strata::python {

class PyDB {
 public:
  static std::unique_ptr<PyDB> Open(const std::string& path,
                                    const pybind11::kwargs& kwargs);
  PyDB(std::unique_ptr<DB> db, const promql::EngineOptions& engine)
      : db_(std::move(db)), engine_(engine) {}

  // Appends one series' samples and commits them: all or none.
  void Append(const pybind11::dict& labels, const TimestampArray& timestamps,
              const ValueArray& values);
  std::unique_ptr<PyAppender> NewAppender();
  pybind11::list Select(const pybind11::handle& matchers, int64_t start,
                        int64_t end);
  pybind11::tuple Query(const std::string& query, int64_t time);
  pybind11::tuple QueryRange(const std::string& query, int64_t start,
                             int64_t end, int64_t step);
  void Snapshot(const std::string& dir, bool with_head);
  void Compact();
  pybind11::dict Stats();
  void Close();
  bool closed() const { return closed_.load(); }
  std::string path() const { return db_->dir(); }

 private:
  // The DB, or UnavailableError once closed.
  DB& Live();

  // Constant after construction.
  const std::unique_ptr<DB> db_;
  const promql::Engine engine_;
  std::atomic<bool> closed_{false};
};

}  // namespace strata::python

#endif  // STRATA_BINDINGS_PYTHON_PY_DB_H_
