// Running promtool 2.42 and parsing `promtool tsdb dump` output, whose
// lines are `{name="value", ...} <value %g> <timestamp ms>` with values
// quoted as Go's strconv.Quote does.
#ifndef STRATA_TESTS_BLOCK_PROMTOOL_UTIL_H_
#define STRATA_TESTS_BLOCK_PROMTOOL_UTIL_H_

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "query_test_util.h"
#include "util/strings.h"

namespace strata::testing {

inline bool HavePromtool() {
  int code = 0;
  RunCommand("promtool --version 2>/dev/null", &code);
  return code == 0;
}

// Parses a Go-quoted string at the front of *in (starting at '"').
inline bool ParseGoQuoted(std::string_view* in, std::string* out) {
  if (in->empty() || (*in)[0] != '"') return false;
  size_t i = 1;
  out->clear();
  while (i < in->size() && (*in)[i] != '"') {
    char c = (*in)[i++];
    if (c != '\\') {
      out->push_back(c);
      continue;
    }
    if (i >= in->size()) return false;
    c = (*in)[i++];
    auto hex = [&](int digits) -> int64_t {
      if (i + digits > in->size()) return -1;
      const std::string h(in->substr(i, digits));
      i += digits;
      return std::strtoll(h.c_str(), nullptr, 16);
    };
    switch (c) {
      case 'n':
        out->push_back('\n');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 'a':
        out->push_back('\a');
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'v':
        out->push_back('\v');
        break;
      case '\\':
        out->push_back('\\');
        break;
      case '"':
        out->push_back('"');
        break;
      case 'x':
        out->push_back(static_cast<char>(hex(2)));
        break;
      case 'u':
        AppendUtf8(out, static_cast<int>(hex(4)));
        break;
      case 'U':
        AppendUtf8(out, static_cast<int>(hex(8)));
        break;
      default:
        return false;
    }
  }
  if (i >= in->size()) return false;
  in->remove_prefix(i + 1);
  return true;
}

// Parses `promtool tsdb dump` output into series; false on a bad line.
inline bool ParseDump(std::string_view text, SeriesSamples* out,
                      std::string* bad_line) {
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty()) continue;
    const std::string_view whole = line;
    auto fail = [&] {
      *bad_line = std::string(whole);
      return false;
    };
    if (line[0] != '{') return fail();
    line.remove_prefix(1);
    std::vector<Label> labels;
    while (!line.empty() && line[0] != '}') {
      const size_t eq = line.find('=');
      if (eq == std::string_view::npos) return fail();
      Label l;
      l.name = std::string(line.substr(0, eq));
      line.remove_prefix(eq + 1);
      if (!ParseGoQuoted(&line, &l.value)) return fail();
      labels.push_back(std::move(l));
      if (line.substr(0, 2) == ", ") line.remove_prefix(2);
    }
    if (line.substr(0, 2) != "} ") return fail();
    line.remove_prefix(2);
    const size_t sp = line.rfind(' ');
    if (sp == std::string_view::npos) return fail();
    const std::string value(line.substr(0, sp));
    const std::string ts(line.substr(sp + 1));
    char* end = nullptr;
    const double v = std::strtod(value.c_str(), &end);
    if (*end != '\0') return fail();
    const int64_t t = std::strtoll(ts.c_str(), &end, 10);
    if (*end != '\0') return fail();
    (*out)[Labels::FromUnchecked(std::move(labels))].push_back({t, v});
  }
  return true;
}

// `promtool tsdb dump dir`; the data dir needs a `wal` directory.
inline SeriesSamples PromtoolDump(const std::string& dir) {
  std::filesystem::create_directories(dir + "/wal");
  int code = 0;
  const std::string text =
      RunCommand("promtool tsdb dump '" + dir + "' 2>/dev/null", &code);
  EXPECT_EQ(code, 0) << "promtool tsdb dump " << dir;
  SeriesSamples out;
  std::string bad;
  EXPECT_TRUE(ParseDump(text, &out, &bad)) << bad;
  return out;
}

// Staleness markers print as NaN and parse back as a plain NaN; compare
// NaNs by being NaN.
inline bool SameSamples(const SeriesSamples& a, const SeriesSamples& b,
                        std::string* diff) {
  if (a.size() != b.size()) {
    *diff = "series counts " + std::to_string(a.size()) + " vs " +
            std::to_string(b.size());
    return false;
  }
  for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
    if (!(ia->first == ib->first)) {
      *diff = "series " + ia->first.ToString() + " vs " + ib->first.ToString();
      return false;
    }
    const auto& va = ia->second;
    const auto& vb = ib->second;
    if (va.size() != vb.size()) {
      *diff = ia->first.ToString() + ": " + std::to_string(va.size()) + " vs " +
              std::to_string(vb.size()) + " samples";
      return false;
    }
    for (size_t i = 0; i < va.size(); ++i) {
      const bool same_v = std::isnan(va[i].v)
                              ? std::isnan(vb[i].v)
                              : DoubleBits(va[i].v) == DoubleBits(vb[i].v);
      if (va[i].t != vb[i].t || !same_v) {
        *diff = ia->first.ToString() + " sample " + std::to_string(i) + ": " +
                std::to_string(va[i].t) + "/" + std::to_string(va[i].v) +
                " vs " + std::to_string(vb[i].t) + "/" +
                std::to_string(vb[i].v);
        return false;
      }
    }
  }
  return true;
}

}  // namespace strata::testing

#endif  // STRATA_TESTS_BLOCK_PROMTOOL_UTIL_H_
