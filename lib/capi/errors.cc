// Status codes, the per-thread error message, version, and the helpers
// converting C inputs (handles.h).
#include <string>

#include "capi/handles.h"

namespace strata::capi {
namespace {

// The C codes mirror StatusCode's order; these pin that.
static_assert(static_cast<int>(StatusCode::kOk) == STRATA_OK);
static_assert(static_cast<int>(StatusCode::kInvalidArgument) ==
              STRATA_INVALID_ARGUMENT);
static_assert(static_cast<int>(StatusCode::kDuplicateSample) ==
              STRATA_DUPLICATE_SAMPLE);
static_assert(static_cast<int>(StatusCode::kUnavailable) == STRATA_UNAVAILABLE);
static_assert(static_cast<int>(StatusCode::kResourceExhausted) ==
              STRATA_RESOURCE_EXHAUSTED);
static_assert(static_cast<int>(StatusCode::kInternal) == STRATA_INTERNAL);
static_assert(static_cast<int>(StatusCode::kTooOldSample) ==
              STRATA_TOO_OLD_SAMPLE);

}  // namespace

thread_local std::string t_last_error;

strata_status_t Fail(strata_status_t code, std::string_view message) {
  t_last_error.assign(message);
  return code;
}

strata_status_t Fail(const Status& s) {
  if (s.ok()) return STRATA_OK;
  int code = static_cast<int>(s.code());
  return Fail(code <= STRATA_TOO_OLD_SAMPLE ? static_cast<strata_status_t>(code)
                                            : STRATA_OTHER_ERROR,
              s.ToString());
}

strata_status_t RequireNonNull(const void* p, std::string_view what) {
  if (p != nullptr) return STRATA_OK;
  return Fail(STRATA_INVALID_ARGUMENT, std::string(what) + " is NULL");
}

StatusOr<Labels> LabelsFromC(const strata_label* labels, size_t n) {
  if (n > 0 && labels == nullptr) {
    return Status::InvalidArgument("labels is NULL");
  }
  std::vector<Label> pairs;
  pairs.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (labels[i].name == nullptr || labels[i].value == nullptr) {
      return Status::InvalidArgument("label name or value is NULL");
    }
    pairs.push_back({labels[i].name, labels[i].value});
  }
  return Labels::FromPairs(std::move(pairs));
}

StatusOr<std::vector<Matcher>> MatchersFromC(const strata_matcher* matchers,
                                             size_t n) {
  if (n > 0 && matchers == nullptr) {
    return Status::InvalidArgument("matchers is NULL");
  }
  std::vector<Matcher> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const strata_matcher& m = matchers[i];
    if (m.type < STRATA_MATCH_EQUAL || m.type > STRATA_MATCH_NOT_REGEX ||
        m.name == nullptr || m.value == nullptr) {
      return Status::InvalidArgument("bad matcher: unknown type or NULL");
    }
    STRATA_ASSIGN_OR_RETURN(
        Matcher matcher,
        Matcher::Create(static_cast<Matcher::Type>(m.type), m.name, m.value));
    out.push_back(std::move(matcher));
  }
  return out;
}

std::vector<strata_label> LabelViews(const Labels& labels) {
  std::vector<strata_label> views;
  views.reserve(labels.size());
  for (const Label& l : labels) {
    views.push_back({l.name.c_str(), l.value.c_str()});
  }
  return views;
}

}  // namespace strata::capi

extern "C" {

const char* strata_version(void) { return STRATA_VERSION; }

const char* strata_last_error(void) {
  return strata::capi::t_last_error.c_str();
}

const char* strata_status_name(strata_status_t status) {
  if (status < STRATA_OK || status > STRATA_INTERNAL) return "other_error";
  // StatusCodeName returns string literals, so NUL-terminated.
  return strata::StatusCodeName(static_cast<strata::StatusCode>(status)).data();
}

}  // extern "C"
