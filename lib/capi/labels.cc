// Label names and values through the C ABI, as lists of strings.
#include <memory>
#include <string>
#include <vector>

#include "capi/handles.h"

struct strata_string_list {
  std::vector<std::string> strings;
};

using strata::capi::Fail;
using strata::capi::Guarded;
using strata::capi::RequireNonNull;

namespace {

// Opens a querier over [mint, maxt] and hands `read`'s strings to the
// caller as a list; `read` takes the querier and the matchers.
template <typename Read>
strata_status_t ReadStrings(strata_db* db, const strata_matcher* matchers,
                            size_t n_matchers, int64_t mint, int64_t maxt,
                            strata_string_list** out, Read&& read) {
  if (strata_status_t s = RequireNonNull(out, "list")) return s;
  auto selection =
      strata::capi::OpenSelection(db, matchers, n_matchers, mint, maxt);
  if (!selection.ok()) return Fail(selection.status());
  strata::StatusOr<std::vector<std::string>> strings =
      read(*selection->querier, selection->matchers);
  if (!strings.ok()) return Fail(strings.status());
  *out = new strata_string_list{std::move(strings).value()};
  return STRATA_OK;
}

}  // namespace

extern "C" {

strata_status_t strata_label_names(strata_db* db,
                                   const strata_matcher* matchers,
                                   size_t n_matchers, int64_t mint,
                                   int64_t maxt, strata_string_list** names) {
  return Guarded([&] {
    return ReadStrings(
        db, matchers, n_matchers, mint, maxt, names,
        [](strata::Querier& q, const auto& ms) { return q.LabelNames(ms); });
  });
}

strata_status_t strata_label_values(strata_db* db, const char* name,
                                    const strata_matcher* matchers,
                                    size_t n_matchers, int64_t mint,
                                    int64_t maxt, strata_string_list** values) {
  return Guarded([&] {
    if (strata_status_t s = RequireNonNull(name, "name")) return s;
    return ReadStrings(db, matchers, n_matchers, mint, maxt, values,
                       [name](strata::Querier& q, const auto& ms) {
                         return q.LabelValues(name, ms);
                       });
  });
}

size_t strata_string_list_size(const strata_string_list* list) {
  return list != nullptr ? list->strings.size() : 0;
}

const char* strata_string_list_at(const strata_string_list* list, size_t i) {
  if (list == nullptr || i >= list->strings.size()) return nullptr;
  return list->strings[i].c_str();
}

void strata_string_list_free(strata_string_list* list) { delete list; }

}  // extern "C"
