#include "report_format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace strata::bench {
namespace {

std::string PadRight(const std::string& s, size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

}  // namespace

std::string Fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, v);
  return buf;
}

std::string Num(double v) {
  if (v < 0 || std::isnan(v)) return "n/a";
  if (v >= 1e4) {
    std::string digits = Fmt("%.0f", v);
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) {
      if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
      out += digits[i];
    }
    return out;
  }
  if (v >= 100 || v == std::floor(v)) return Fmt("%.0f", v);
  if (v >= 1) return Fmt("%.2f", v);
  return Fmt("%.3f", v);
}

std::string Ratio(double s, double p) {
  if (s < 0 || p <= 0 || std::isnan(s) || std::isnan(p)) return "n/a";
  return Fmt(s / p >= 10 ? "%.1fx" : "%.2fx", s / p);
}

void AppendHeaderLine(std::string* out, const char* bullet,
                      const std::string& key, const std::string& value) {
  out->append(bullet).append(key).append(": ").append(value).append("\n");
}

std::string TextTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()), 0);
    for (size_t i = 0; i < row.size(); ++i)
      width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      out += PadRight(row[i], width[i] + 2);
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += '\n';
  }
  return out;
}

std::string MarkdownTable(const std::vector<std::vector<std::string>>& rows) {
  std::string out;
  for (size_t r = 0; r < rows.size(); ++r) {
    out += "|";
    for (const std::string& cell : rows[r]) out += " " + cell + " |";
    out += "\n";
    if (r == 0) {
      out += "|";
      for (size_t i = 0; i < rows[r].size(); ++i)
        out += i == 0 ? "---|" : "---:|";
      out += "\n";
    }
  }
  return out;
}

}  // namespace strata::bench
