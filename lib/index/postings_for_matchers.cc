#include "index/postings_for_matchers.h"

#include <algorithm>

namespace strata {
namespace {

// Series whose value for the matcher's label is one the matcher rejects,
// or accepts, depending on `want_match`. Only non-empty values are looked
// at, so series lacking the label are in neither set.
StatusOr<Postings> PostingsWithValues(const IndexReader& index,
                                      const Matcher& m, bool want_match) {
  if (want_match) {
    STRATA_ASSIGN_OR_RETURN(std::vector<std::string> values,
                            MatchingLabelValues(index, m));
    return index.PostingsFor(m.name(), values);
  }
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> all,
                          index.LabelValues(m.name()));
  std::erase_if(all, [&](const std::string& v) { return m.Matches(v); });
  return index.PostingsFor(m.name(), all);
}

}  // namespace

StatusOr<std::vector<std::string>> MatchingLabelValues(const IndexReader& index,
                                                       const Matcher& m) {
  std::vector<std::string> out;
  if (m.type() == Matcher::Type::kEqual) {
    if (!m.value().empty()) out.push_back(m.value());
    return out;
  }
  if (m.type() == Matcher::Type::kRegexMatch && !m.SetMatches().empty()) {
    for (const std::string& v : m.SetMatches()) {
      if (!v.empty()) out.push_back(v);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> all,
                          index.LabelValues(m.name()));
  std::string_view prefix = m.LiteralPrefix();
  auto begin = all.begin();
  auto end = all.end();
  if (!prefix.empty()) {
    // Values are sorted, so those with the prefix form one run.
    begin = std::lower_bound(all.begin(), all.end(), prefix);
    end = begin;
    while (end != all.end() && std::string_view(*end).starts_with(prefix))
      ++end;
  }
  for (auto it = begin; it != end; ++it) {
    if (m.Matches(*it)) out.push_back(std::move(*it));
  }
  return out;
}

StatusOr<Postings> PostingsForMatchers(const IndexReader& index,
                                       const std::vector<Matcher>& matchers) {
  if (matchers.empty()) return Postings();
  // Intersect the matchers that select by value first; subtract those that
  // only exclude. Start from all series only if nothing selects.
  std::vector<Postings> include;
  std::vector<Postings> exclude;
  for (const Matcher& m : matchers) {
    if (m.Matches("")) {
      // Accepts absent labels: all series minus those with a rejected value.
      STRATA_ASSIGN_OR_RETURN(Postings rejected,
                              PostingsWithValues(index, m, false));
      exclude.push_back(std::move(rejected));
    } else {
      STRATA_ASSIGN_OR_RETURN(Postings accepted,
                              PostingsWithValues(index, m, true));
      if (accepted.isEmpty()) return Postings();
      include.push_back(std::move(accepted));
    }
  }
  Postings result;
  if (include.empty()) {
    STRATA_ASSIGN_OR_RETURN(result, index.AllPostings());
  } else {
    std::sort(include.begin(), include.end(),
              [](const Postings& a, const Postings& b) {
                return a.cardinality() < b.cardinality();
              });
    result = std::move(include[0]);
    for (size_t i = 1; i < include.size() && !result.isEmpty(); ++i) {
      result &= include[i];
    }
  }
  for (const Postings& p : exclude) {
    if (result.isEmpty()) break;
    result -= p;
  }
  return result;
}

}  // namespace strata
