#include "metrics_text.h"

#include <cstdint>

#include "dataset.h"
#include "http_client/http_client.h"

namespace strata::bench {

double SumMetric(std::string_view text,
                 std::initializer_list<std::string_view> names) {
  for (const std::string_view name : names) {
    double sum = 0;
    bool found = false;
    size_t pos = 0;
    LabelPairs labels;
    while (pos < text.size()) {
      size_t eol = text.find('\n', pos);
      if (eol == std::string_view::npos) eol = text.size();
      const std::string_view line = text.substr(pos, eol - pos);
      pos = eol + 1;
      if (line.size() <= name.size() ||
          line.compare(0, name.size(), name) != 0 ||
          (line[name.size()] != ' ' && line[name.size()] != '{')) {
        continue;
      }
      double value;
      int64_t ts;
      if (ParseSampleLine(line, &labels, &value, &ts)) {
        sum += value;
        found = true;
      }
    }
    if (found) return sum;
  }
  return -1;
}

double ScrapeMetric(int port, std::initializer_list<std::string_view> names) {
  StatusOr<http_client::Response> r = http_client::Get(port, "/metrics");
  if (!r.ok() || r->status != 200) return -1;
  return SumMetric(r->body, names);
}

}  // namespace strata::bench
