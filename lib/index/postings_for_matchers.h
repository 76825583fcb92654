// Resolves label matchers to postings, in one place for the head and for
// blocks. Prometheus semantics: a matcher that matches the empty string
// also selects series that lack the label.
#ifndef STRATA_INDEX_POSTINGS_FOR_MATCHERS_H_
#define STRATA_INDEX_POSTINGS_FOR_MATCHERS_H_

#include <vector>

#include "index/reader.h"
#include "strata/labels.h"

namespace strata {

// Series satisfying every matcher. An empty matcher list selects nothing.
StatusOr<Postings> PostingsForMatchers(const IndexReader& index,
                                       const std::vector<Matcher>& matchers);

// Values of `m.name()` that `m` accepts, using set-match and literal-prefix
// shortcuts when the regex allows them. Excludes "".
StatusOr<std::vector<std::string>> MatchingLabelValues(const IndexReader& index,
                                                       const Matcher& m);

}  // namespace strata

#endif  // STRATA_INDEX_POSTINGS_FOR_MATCHERS_H_
