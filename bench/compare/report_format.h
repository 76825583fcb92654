// Text formatting shared by the reports of every scenario (report.h,
// head_memory_report.cc): numbers, ratios, plain-text and Markdown tables.
#ifndef STRATA_BENCH_COMPARE_REPORT_FORMAT_H_
#define STRATA_BENCH_COMPARE_REPORT_FORMAT_H_

#include <string>
#include <vector>

namespace strata::bench {

inline constexpr double kMiB = 1024.0 * 1024.0;

// `v` through printf's `format`.
std::string Fmt(const char* format, double v);
// Thousands separators for big numbers, fixed decimals for small ones;
// "n/a" for negative or NaN (a figure that was not measured).
std::string Num(double v);
// "0.31x" (or "12.3x"); "n/a" unless both are measured and p > 0.
std::string Ratio(double s, double p);

// Appends "<bullet><key>: <value>\n".
void AppendHeaderLine(std::string* out, const char* bullet,
                      const std::string& key, const std::string& value);

// Columns padded to their widest cell, two spaces apart.
std::string TextTable(const std::vector<std::vector<std::string>>& rows);
// The first row is the header; the other columns are right-aligned.
std::string MarkdownTable(const std::vector<std::vector<std::string>>& rows);

}  // namespace strata::bench

#endif  // STRATA_BENCH_COMPARE_REPORT_FORMAT_H_
