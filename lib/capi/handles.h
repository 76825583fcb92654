// The C ABI's handles (include/strata/c.h) and the helpers every part of
// it shares: status conversion with the per-thread error message, the
// exception barrier, labels and matchers from their C forms.
//
// Thread-safety: a strata_db is shared (DB and Engine are thread-safe);
// every other handle is used by one thread at a time, as in the C++ API.
#ifndef STRATA_CAPI_HANDLES_H_
#define STRATA_CAPI_HANDLES_H_

#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "promql/engine.h"
#include "strata/c.h"
#include "strata/db.h"

struct strata_options {
  strata::Options db;
  strata::promql::EngineOptions engine;
};

struct strata_db {
  std::unique_ptr<strata::DB> db;
  // Immutable after open; shared by concurrent queries.
  std::unique_ptr<strata::promql::Engine> engine;
};

struct strata_appender {
  std::unique_ptr<strata::Appender> app;
};

namespace strata::capi {

// This thread's last failure message (strata_last_error).
extern thread_local std::string t_last_error;

// Records `s`'s message as this thread's last error and returns its code
// (STRATA_OK, message untouched, when `s` is OK).
strata_status_t Fail(const Status& s);
strata_status_t Fail(strata_status_t code, std::string_view message);

// Runs `step`, a callable returning strata_status_t, turning any exception
// (std::bad_alloc, mostly) into STRATA_INTERNAL: none crosses the C ABI.
template <typename Step>
strata_status_t Guarded(Step&& step) noexcept {
  try {
    return step();
  } catch (const std::exception& e) {
    return Fail(STRATA_INTERNAL, e.what());
  } catch (...) {
    return Fail(STRATA_INTERNAL, "unknown exception");
  }
}

// InvalidArgument naming `what` when `p` is null.
strata_status_t RequireNonNull(const void* p, std::string_view what);

StatusOr<Labels> LabelsFromC(const strata_label* labels, size_t n);
StatusOr<std::vector<Matcher>> MatchersFromC(const strata_matcher* matchers,
                                             size_t n);

// A querier over [mint, maxt] with the matchers converted from C: what
// selecting series and reading label names/values start with (select.cc).
struct Selection {
  std::unique_ptr<Querier> querier;
  std::vector<Matcher> matchers;
};
StatusOr<Selection> OpenSelection(strata_db* db, const strata_matcher* matchers,
                                  size_t n, int64_t mint, int64_t maxt);

// C views of `labels`' names and values, pointing into `labels`.
std::vector<strata_label> LabelViews(const Labels& labels);

}  // namespace strata::capi

#endif  // STRATA_CAPI_HANDLES_H_
