// URL query strings and application/x-www-form-urlencoded bodies, parsed the
// way Go's net/url.ParseQuery does (Prometheus's HTTP API relies on it):
// pairs split on '&', key and value split on the first '=', '+' means space,
// %XX escapes are decoded, repeated keys keep every value in order (so
// `match[]=a&match[]=b` yields both).
//
// Thread-safety: Params is a plain value; const methods are safe to call
// concurrently.
#ifndef STRATA_SERVER_HTTP_URL_PARAMS_H_
#define STRATA_SERVER_HTTP_URL_PARAMS_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/status.h"

namespace strata::server {

// An ordered multimap of decoded parameters.
class Params {
 public:
  // The first value of `key`, or "" if absent (as Go's Values.Get).
  std::string_view Get(std::string_view key) const;
  // Every value of `key` in order; empty if absent.
  std::vector<std::string> GetAll(std::string_view key) const;
  bool Has(std::string_view key) const;

  void Add(std::string key, std::string value);
  // Appends all of `other`'s pairs after this one's.
  void Append(const Params& other);

  size_t size() const { return pairs_.size(); }
  bool empty() const { return pairs_.empty(); }
  const std::vector<std::pair<std::string, std::string>>& pairs() const {
    return pairs_;
  }

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
};

// Decodes %XX escapes; with `plus_is_space`, '+' becomes ' ' (query and form
// encoding; paths keep '+'). InvalidArgument on a malformed escape.
StatusOr<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// Adds the pairs of `query` (without the leading '?') to `params`. Like Go,
// a bad pair (malformed escape, or a key containing ';') is skipped and the
// rest still parsed; the first such problem is returned as InvalidArgument.
Status ParseQueryString(std::string_view query, Params* params);

// True if a Content-Type header value names a urlencoded form, ignoring
// case and parameters ("application/x-www-form-urlencoded; charset=UTF-8").
bool IsFormContentType(std::string_view content_type);

}  // namespace strata::server

#endif  // STRATA_SERVER_HTTP_URL_PARAMS_H_
