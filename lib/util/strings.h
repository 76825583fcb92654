// Small string helpers shared by formats and printers.
#ifndef STRATA_UTIL_STRINGS_H_
#define STRATA_UTIL_STRINGS_H_

#include <string>
#include <string_view>

namespace strata {

bool IsValidUtf8(std::string_view s);
// Prometheus label-name and metric-name syntax.
bool IsValidLabelName(std::string_view name);
bool IsValidMetricName(std::string_view name);
// Appends `s` in double quotes with \\, \" and \n escaped, as Prometheus
// prints label values.
void AppendQuoted(std::string* out, std::string_view s);

}  // namespace strata

#endif  // STRATA_UTIL_STRINGS_H_
