// Prometheus's PromQL test-script language (promql/test.go in 2.42): `load`,
// `clear` and `eval[_fail|_ordered] instant at <dur> <expr>` commands with
// expected results. Parsing only; conformance_test.cc runs the commands.
#ifndef STRATA_TESTS_PROMQL_TEST_SCRIPT_H_
#define STRATA_TESTS_PROMQL_TEST_SCRIPT_H_

#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "promql/format.h"
#include "promql/series_desc.h"
#include "strata/labels.h"
#include "util/duration.h"

namespace strata::promql::testing {

struct LoadCmd {
  int64_t step_ms = 0;
  // A series listed twice keeps its last definition, as Prometheus's map.
  std::vector<SeriesDesc> series;
};

struct EvalCmd {
  std::string expr;
  int64_t at_ms = 0;
  int line = 0;  // 1-based line of the eval command.
  bool fail = false;
  bool ordered = false;
  // A bare number: the result must be this scalar.
  std::optional<double> scalar;
  struct Expected {
    Labels labels;
    double value = 0;
    int pos = 0;  // 1-based position among the expected lines.
  };
  std::vector<Expected> expected;
};

struct Command {
  enum class Kind { kClear, kLoad, kEval };
  Kind kind = Kind::kClear;
  LoadCmd load;  // kLoad
  EvalCmd eval;  // kEval
};

namespace internal {

inline std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r' ||
                   s[b] == '\n' || s[b] == '\v' || s[b] == '\f')) {
    ++b;
  }
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' ||
                   s[e - 1] == '\n' || s[e - 1] == '\v' || s[e - 1] == '\f')) {
    --e;
  }
  return std::string(s.substr(b, e - b));
}

// Trimmed lines; comment lines become empty (and so end a block).
inline std::vector<std::string> GetLines(std::string_view input) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= input.size()) {
    size_t nl = input.find('\n', start);
    if (nl == std::string_view::npos) nl = input.size();
    std::string l = Trim(input.substr(start, nl - start));
    if (!l.empty() && l[0] == '#') l.clear();
    lines.push_back(std::move(l));
    start = nl + 1;
  }
  return lines;
}

inline Status LineError(size_t i, std::string_view msg) {
  return Status::InvalidArgument("line " + std::to_string(i + 1) + ": " +
                                 std::string(msg));
}

}  // namespace internal

inline StatusOr<std::vector<Command>> ParseTestScript(std::string_view input) {
  static const std::regex kLoad(R"(^load\s+(.+?)$)");
  static const std::regex kEval(
      R"(^eval(?:_(fail|ordered))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$)");
  std::vector<std::string> lines = internal::GetLines(input);
  std::vector<Command> cmds;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    if (l.empty()) continue;
    std::string word = l.substr(0, l.find_first_of(" \t"));
    for (char& c : word) c = static_cast<char>(std::tolower(c));
    std::smatch m;
    if (word == "clear") {
      cmds.push_back(Command{Command::Kind::kClear, {}, {}});
    } else if (word == "load") {
      if (!std::regex_match(l, m, kLoad)) {
        return internal::LineError(i, "invalid load command");
      }
      StatusOr<int64_t> step = ParseDuration(m[1].str());
      if (!step.ok()) return internal::LineError(i, step.status().message());
      LoadCmd load;
      load.step_ms = *step;
      while (i + 1 < lines.size() && !lines[i + 1].empty()) {
        ++i;
        StatusOr<SeriesDesc> desc = ParseSeriesDesc(lines[i]);
        if (!desc.ok()) return internal::LineError(i, desc.status().message());
        bool replaced = false;
        for (SeriesDesc& s : load.series) {
          if (s.labels == desc->labels) {
            s = *std::move(desc);
            replaced = true;
            break;
          }
        }
        if (!replaced) load.series.push_back(*std::move(desc));
      }
      cmds.push_back(Command{Command::Kind::kLoad, std::move(load), {}});
    } else if (word.starts_with("eval")) {
      if (!std::regex_match(l, m, kEval)) {
        return internal::LineError(i, "invalid evaluation command");
      }
      EvalCmd eval;
      eval.fail = m[1].str() == "fail";
      eval.ordered = m[1].str() == "ordered";
      eval.expr = m[3].str();
      eval.line = static_cast<int>(i + 1);
      StatusOr<int64_t> at = ParseDuration(m[2].str());
      if (!at.ok()) return internal::LineError(i, at.status().message());
      eval.at_ms = *at;
      for (int j = 1; i + 1 < lines.size() && !lines[i + 1].empty(); ++j) {
        ++i;
        if (StatusOr<double> f = ParseNumber(lines[i]); f.ok()) {
          eval.scalar = *f;
          break;
        }
        StatusOr<SeriesDesc> desc = ParseSeriesDesc(lines[i]);
        if (!desc.ok()) return internal::LineError(i, desc.status().message());
        if (desc->values.size() != 1 || desc->values[0].omitted) {
          return internal::LineError(i, "expected exactly one value");
        }
        std::erase_if(eval.expected, [&](const EvalCmd::Expected& e) {
          return e.labels == desc->labels;
        });
        eval.expected.push_back({desc->labels, desc->values[0].value, j});
      }
      cmds.push_back(Command{Command::Kind::kEval, {}, std::move(eval)});
    } else {
      return internal::LineError(i, "invalid command \"" + l + "\"");
    }
  }
  return cmds;
}

}  // namespace strata::promql::testing

#endif  // STRATA_TESTS_PROMQL_TEST_SCRIPT_H_
