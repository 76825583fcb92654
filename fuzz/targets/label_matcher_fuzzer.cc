// Label matchers (util/matcher.cc: RE2 with Prometheus's anchoring, set
// matches, literal prefixes) and their PromQL text form.
//
// Input: a type byte, then NUL-separated name, value (the pattern for
// regex types) and label values to test.
// Invariants: a matcher and its negation disagree on every value; a regex
// with set matches accepts exactly those literals; every value a regex
// accepts starts with its literal prefix; a printed matcher parses back
// (ParseMetricSelector) to the same type, name and value.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "promql/parser.h"
#include "strata/labels.h"
#include "util/strings.h"

namespace {

using strata::Matcher;

Matcher::Type Negation(Matcher::Type type) {
  switch (type) {
    case Matcher::Type::kEqual:
      return Matcher::Type::kNotEqual;
    case Matcher::Type::kNotEqual:
      return Matcher::Type::kEqual;
    case Matcher::Type::kRegexMatch:
      return Matcher::Type::kRegexNoMatch;
    case Matcher::Type::kRegexNoMatch:
      return Matcher::Type::kRegexMatch;
  }
  return type;
}

std::vector<std::string_view> SplitOnNul(std::string_view s) {
  std::vector<std::string_view> parts;
  for (size_t pos = 0;;) {
    const size_t nul = s.find('\0', pos);
    parts.push_back(s.substr(pos, nul - pos));
    if (nul == std::string_view::npos) return parts;
    pos = nul + 1;
  }
}

void CheckValue(const Matcher& m, const Matcher& negated,
                std::string_view value) {
  const bool matches = m.Matches(value);
  FUZZ_CHECK(matches != negated.Matches(value),
             m.ToString() + " and its negation agree on a value");
  if (m.type() != Matcher::Type::kRegexMatch || !matches) return;
  FUZZ_CHECK(value.starts_with(m.LiteralPrefix()),
             m.ToString() + " matches a value without its literal prefix");
  const std::vector<std::string>& set = m.SetMatches();
  FUZZ_CHECK(
      set.empty() || std::find(set.begin(), set.end(), value) != set.end(),
      m.ToString() + " matches a value outside its set matches");
}

void CheckPrinted(const Matcher& m) {
  if (!strata::IsValidLabelName(m.name()) || !strata::IsValidUtf8(m.value())) {
    return;
  }
  const std::string text = "{" + m.ToString() + "}";
  auto parsed = strata::promql::ParseMetricSelector(text);
  // Selectors that match only empty values do not parse; nothing to compare.
  if (!parsed.ok()) return;
  FUZZ_CHECK(parsed->size() == 1, text + " parses to several matchers");
  const Matcher& back = parsed->front();
  FUZZ_CHECK(back.type() == m.type() && back.name() == m.name() &&
                 back.value() == m.value(),
             text + " parses back as " + back.ToString());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const auto type = static_cast<Matcher::Type>(data[0] % 4);
  const std::vector<std::string_view> parts = SplitOnNul(
      std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  const std::string_view name = parts[0];
  const std::string_view value = parts.size() > 1 ? parts[1] : "";
  auto m = Matcher::Create(type, name, value);
  if (!m.ok()) return 0;
  auto negated = Matcher::Create(Negation(type), name, value);
  FUZZ_CHECK(negated.ok(), "the negation of a valid matcher fails: " +
                               negated.status().ToString());
  CheckValue(*m, *negated, "");
  CheckValue(*m, *negated, m->LiteralPrefix());
  for (const std::string& literal : m->SetMatches()) {
    FUZZ_CHECK(m->type() != Matcher::Type::kRegexMatch || m->Matches(literal),
               m->ToString() + " rejects its set match " + literal);
    CheckValue(*m, *negated, literal);
  }
  for (size_t i = 2; i < parts.size(); ++i) CheckValue(*m, *negated, parts[i]);
  CheckPrinted(*m);
  return 0;
}
