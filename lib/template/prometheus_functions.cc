#include "template/prometheus_functions.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <utility>

#include "template/builtins.h"
#include "template/humanize.h"
#include "template/regexp.h"
#include "util/duration.h"
#include "util/strings.h"

namespace strata::tmpl {
namespace {

using Args = std::span<const Value>;
using Kind = Value::Kind;
constexpr ParamType kAny = ParamType::kAny;
constexpr ParamType kString = ParamType::kString;
constexpr ParamType kSampleParam = ParamType::kSample;
constexpr ParamType kQueryResultParam = ParamType::kQueryResult;

// strconv.ParseFloat(s, 64) with Go's error text.
StatusOr<double> ParseGoFloat(const std::string& s) {
  auto syntax_error = [&s](std::string_view why) {
    return Status::InvalidArgument(
        Cat("strconv.ParseFloat: parsing ", GoQuoted(s), ": ", why));
  };
  if (s.empty() || s.front() == ' ' || s.front() == '\t' || s.front() == '\n' ||
      s.find('(') != std::string::npos) {
    return syntax_error("invalid syntax");
  }
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return syntax_error("invalid syntax");
  if (errno == ERANGE && std::isinf(v))
    return syntax_error("value out of range");
  return v;
}

// net.SplitHostPort; false where Go returns an error.
bool SplitHostPort(std::string_view hp, std::string_view* host,
                   std::string_view* port) {
  size_t i = hp.rfind(':');
  if (i == std::string_view::npos) return false;
  size_t j = 0, k = 0;
  if (!hp.empty() && hp[0] == '[') {
    size_t end = hp.find(']');
    if (end == std::string_view::npos || end + 1 == hp.size() || end + 1 != i) {
      return false;
    }
    *host = hp.substr(1, end - 1);
    j = 1;
    k = end + 1;
  } else {
    *host = hp.substr(0, i);
    if (host->find(':') != std::string_view::npos) return false;
  }
  if (hp.substr(j).find('[') != std::string_view::npos) return false;
  if (hp.substr(k).find(']') != std::string_view::npos) return false;
  *port = hp.substr(i + 1);
  return true;
}

bool IsIpAddress(std::string_view host) {
  std::string h(host);
  unsigned char buf[16];
  return inet_pton(AF_INET, h.c_str(), buf) == 1 ||
         inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

std::string StripPort(const std::string& hp) {
  std::string_view host, port;
  if (!SplitHostPort(hp, &host, &port)) return hp;
  return std::string(host);
}

std::string StripDomain(const std::string& hp) {
  std::string_view host, port;
  if (!SplitHostPort(hp, &host, &port)) {
    host = hp;
    port = "";
  }
  if (IsIpAddress(host)) return hp;
  host = host.substr(0, host.find('.'));
  if (port.empty()) return std::string(host);
  if (host.find(':') != std::string_view::npos) {
    return Cat("[", host, "]:", port);
  }
  return Cat(host, ":", port);
}

// strings.Title: upper-cases each letter that starts a word (ASCII).
std::string Title(std::string s) {
  bool prev_separator = true;
  for (char& c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    bool separator = u < 0x80 && !(std::isalnum(u) || c == '_');
    if (prev_separator && u < 0x80 && std::islower(u)) {
      c = static_cast<char>(std::toupper(u));
    }
    prev_separator = separator;
  }
  return s;
}

std::string MapAscii(std::string s, int (*f)(int)) {
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x80) c = static_cast<char>(f(c));
  }
  return s;
}

// The path of a URL ("http://host:9090/path?q" -> "/path").
std::string UrlPath(std::string_view url) {
  size_t scheme = url.find("://");
  std::string_view rest =
      scheme == std::string_view::npos ? url : url.substr(scheme + 3);
  size_t slash = scheme == std::string_view::npos ? 0 : rest.find('/');
  if (slash == std::string_view::npos) return "";
  rest = rest.substr(slash);
  return std::string(rest.substr(0, rest.find_first_of("?#")));
}

Function OneString(std::string (*f)(std::string)) {
  return {{kString}, false, [f](Args a) -> StatusOr<Value> {
            return Value::String(f(a[0].AsString()));
          }};
}

// A humanize-style function over convertToFloat.
Function OnFloat(std::function<StatusOr<Value>(double)> f) {
  return {{kAny}, false, [f = std::move(f)](Args a) -> StatusOr<Value> {
            STRATA_ASSIGN_OR_RETURN(double v, ConvertToFloat(a[0]));
            return f(v);
          }};
}

void AddSampleFunctions(QueryFunc query, Functions* f) {
  (*f)["query"] = {
      {kString}, false, [query = std::move(query)](Args a) -> StatusOr<Value> {
        if (!query) {
          return Status::FailedPrecondition("no query engine");
        }
        STRATA_ASSIGN_OR_RETURN(std::vector<Sample> samples,
                                query(a[0].AsString()));
        return Value::QueryResult(std::move(samples));
      }};
  (*f)["first"] = {{kQueryResultParam}, false, [](Args a) -> StatusOr<Value> {
                     if (a[0].AsList().empty()) {
                       return Status::InvalidArgument(
                           "first() called on vector with no elements");
                     }
                     return a[0].AsList()[0];
                   }};
  (*f)["label"] = {
      {kString, kSampleParam}, false, [](Args a) -> StatusOr<Value> {
        const auto& labels = a[1].AsSample().labels;
        auto it = labels.find(a[0].AsString());
        return Value::String(it == labels.end() ? "" : it->second);
      }};
  (*f)["value"] = {{kSampleParam}, false, [](Args a) -> StatusOr<Value> {
                     return Value::Float(a[0].AsSample().value);
                   }};
  (*f)["strvalue"] = {
      {kSampleParam}, false, [](Args a) -> StatusOr<Value> {
        const auto& labels = a[0].AsSample().labels;
        auto it = labels.find("__value__");
        return Value::String(it == labels.end() ? "" : it->second);
      }};
  (*f)["sortByLabel"] = {
      {kString, kQueryResultParam}, false, [](Args a) -> StatusOr<Value> {
        const std::string& by = a[0].AsString();
        ValueList items = a[1].AsList();
        auto label = [&by](const Value& v) {
          auto it = v.AsSample().labels.find(by);
          return it == v.AsSample().labels.end() ? std::string() : it->second;
        };
        std::stable_sort(items.begin(), items.end(),
                         [&](const Value& x, const Value& y) {
                           return label(x) < label(y);
                         });
        return Value::List(std::move(items), "template.queryResult");
      }};
}

void AddStringFunctions(Functions* f) {
  (*f)["args"] = {{kAny}, true, [](Args a) -> StatusOr<Value> {
                    ValueMap m;
                    for (size_t i = 0; i < a.size(); ++i) {
                      m.emplace(Cat("arg", i), a[i]);
                    }
                    return Value::Map(std::move(m));
                  }};
  (*f)["reReplaceAll"] = {
      {kString, kString, kString}, false, [](Args a) -> StatusOr<Value> {
        STRATA_ASSIGN_OR_RETURN(
            std::string s, RegexpReplaceAll(a[0].AsString(), a[1].AsString(),
                                            a[2].AsString()));
        return Value::String(std::move(s));
      }};
  (*f)["match"] = {{kString, kString}, false, [](Args a) -> StatusOr<Value> {
                     STRATA_ASSIGN_OR_RETURN(
                         bool m, RegexpMatch(a[0].AsString(), a[1].AsString()));
                     return Value::Bool(m);
                   }};
  (*f)["title"] = OneString(Title);
  (*f)["toUpper"] = OneString(
      [](std::string s) { return MapAscii(std::move(s), ::toupper); });
  (*f)["toLower"] = OneString(
      [](std::string s) { return MapAscii(std::move(s), ::tolower); });
  (*f)["graphLink"] = OneString([](std::string s) {
    return Cat("/graph?g0.expr=", GoQueryEscape(s), "&g0.tab=0");
  });
  (*f)["tableLink"] = OneString([](std::string s) {
    return Cat("/graph?g0.expr=", GoQueryEscape(s), "&g0.tab=1");
  });
  (*f)["safeHtml"] = OneString([](std::string s) { return s; });
  (*f)["stripPort"] = OneString([](std::string s) { return StripPort(s); });
  (*f)["stripDomain"] = OneString([](std::string s) { return StripDomain(s); });
}

void AddNumberFunctions(std::optional<std::string> external_url, Functions* f) {
  (*f)["humanize"] = OnFloat(
      [](double v) -> StatusOr<Value> { return Value::String(Humanize(v)); });
  (*f)["humanize1024"] = OnFloat([](double v) -> StatusOr<Value> {
    return Value::String(Humanize1024(v));
  });
  (*f)["humanizeDuration"] = OnFloat([](double v) -> StatusOr<Value> {
    return Value::String(HumanizeDuration(v));
  });
  (*f)["humanizePercentage"] = OnFloat([](double v) -> StatusOr<Value> {
    return Value::String(HumanizePercentage(v));
  });
  (*f)["humanizeTimestamp"] = OnFloat([](double v) -> StatusOr<Value> {
    STRATA_ASSIGN_OR_RETURN(std::string s, HumanizeTimestamp(v));
    return Value::String(std::move(s));
  });
  (*f)["toTime"] = OnFloat([](double v) -> StatusOr<Value> {
    if (std::isnan(v) || std::isinf(v)) {
      return Status::InvalidArgument("value is NaN or Inf");
    }
    STRATA_ASSIGN_OR_RETURN(Time t, FloatToTime(v));
    return Value::FromTime(t);
  });
  std::optional<std::string> path;
  if (external_url) path = UrlPath(*external_url);
  auto url_function = [](std::optional<std::string> text) -> Function {
    return {{}, false, [text](Args) -> StatusOr<Value> {
              if (!text) {
                return Status::InvalidArgument(
                    "runtime error: invalid memory address or nil pointer "
                    "dereference");
              }
              return Value::String(*text);
            }};
  };
  (*f)["pathPrefix"] = url_function(std::move(path));
  (*f)["externalURL"] = url_function(std::move(external_url));
  (*f)["parseDuration"] = {
      {kString}, false, [](Args a) -> StatusOr<Value> {
        STRATA_ASSIGN_OR_RETURN(int64_t ms, ParseDuration(a[0].AsString()));
        return Value::Float(static_cast<double>(ms) / 1000);
      }};
}

}  // namespace

StatusOr<double> ConvertToFloat(const Value& v) {
  switch (v.kind()) {
    case Kind::kFloat:
      return v.AsFloat();
    case Kind::kInt:
      return static_cast<double>(v.AsInt());
    case Kind::kString:
      return ParseGoFloat(v.AsString());
    default:
      return Status::InvalidArgument(
          Cat("can't convert ", v.TypeName(), " to float"));
  }
}

Functions PrometheusFunctions(QueryFunc query,
                              std::optional<std::string> external_url) {
  Functions f;
  AddSampleFunctions(std::move(query), &f);
  AddStringFunctions(&f);
  AddNumberFunctions(std::move(external_url), &f);
  return f;
}

}  // namespace strata::tmpl
