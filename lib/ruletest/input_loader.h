// promtool's input series as Prometheus's promql.LazyLoader holds them:
// one `load <interval>` command whose samples are appended to the DB only
// up to the time the rule evaluation loop has reached.
//
// Thread-safety: not thread-safe; one test group's runner uses it.
#ifndef STRATA_RULETEST_INPUT_LOADER_H_
#define STRATA_RULETEST_INPUT_LOADER_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "promql/series_desc.h"
#include "ruletest/unit_test_file.h"
#include "strata/db.h"
#include "strata/labels.h"
#include "strata/status.h"

namespace strata::ruletest {

class InputLoader {
 public:
  // Parses the series as the load command's lines: a series whose text is
  // empty ends the command, and a series defined twice keeps its last
  // values.
  static StatusOr<InputLoader> Create(int64_t interval_ms,
                                      const std::vector<InputSeries>& input);

  // Appends, in one commit, every sample at or before ts_ms not appended
  // yet (LazyLoader.appendTill).
  Status AppendTill(DB& db, int64_t ts_ms);

 private:
  struct Sample {
    int64_t t = 0;
    double v = 0;
  };
  struct Series {
    Labels labels;
    std::vector<Sample> samples;
    size_t next = 0;  // The first sample not appended yet.
  };
  std::vector<Series> series_;
};

}  // namespace strata::ruletest

#endif  // STRATA_RULETEST_INPUT_LOADER_H_
