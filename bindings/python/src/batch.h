// The storage work behind the bindings, as plain C++ over the public API
// (no Python types), so callers can run it with the GIL released.
//
// Thread-safety: as the Appender and Querier they use (include/strata/):
// an Appender is for one thread at a time; a DB for any number.
#ifndef STRATA_BINDINGS_PYTHON_BATCH_H_
#define STRATA_BINDINGS_PYTHON_BATCH_H_

#include <cstdint>
#include <span>
#include <vector>

#include "strata/db.h"

namespace strata::python {

// Adds samples (t[i], v[i]) of one series to `appender`'s pending batch.
// On the first refused sample returns its error, naming its index and
// timestamp, and rolls the whole pending batch back. Precondition:
// t.size() == v.size().
Status AppendSeries(Appender& appender, const Labels& labels,
                    std::span<const int64_t> t, std::span<const double> v);

// One series as read back: its labels and samples in time order.
struct SeriesSamples {
  Labels labels;
  std::vector<int64_t> t;
  std::vector<double> v;
};

// Every series matching `matchers` with its samples in [mint, maxt],
// sorted by labels.
StatusOr<std::vector<SeriesSamples>> SelectSeries(
    DB& db, const std::vector<Matcher>& matchers, int64_t mint, int64_t maxt);

}  // namespace strata::python

#endif  // STRATA_BINDINGS_PYTHON_BATCH_H_
