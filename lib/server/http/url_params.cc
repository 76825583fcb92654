#include "server/http/url_params.h"

#include <algorithm>

#include "server/http/http.h"
#include "util/strings.h"

namespace strata::server {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string_view Params::Get(std::string_view key) const {
  for (const auto& [k, v] : pairs_) {
    if (k == key) return v;
  }
  return {};
}

std::vector<std::string> Params::GetAll(std::string_view key) const {
  std::vector<std::string> values;
  for (const auto& [k, v] : pairs_) {
    if (k == key) values.push_back(v);
  }
  return values;
}

bool Params::Has(std::string_view key) const {
  for (const auto& pair : pairs_) {
    if (pair.first == key) return true;
  }
  return false;
}

void Params::Add(std::string key, std::string value) {
  pairs_.emplace_back(std::move(key), std::move(value));
}

void Params::Append(const Params& other) {
  pairs_.insert(pairs_.end(), other.pairs_.begin(), other.pairs_.end());
}

StatusOr<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      const int hi = i + 1 < text.size() ? HexValue(text[i + 1]) : -1;
      const int lo = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return Status::InvalidArgument(
            "invalid URL escape \"" +
            std::string(text.substr(i, std::min<size_t>(3, text.size() - i))) +
            "\"");
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Status ParseQueryString(std::string_view query, Params* params) {
  Status first_error;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view()
                                          : query.substr(amp + 1);
    if (pair.empty()) continue;
    // Go 1.17+ no longer treats ';' as a separator and rejects such keys.
    if (pair.find(';') != std::string_view::npos) {
      if (first_error.ok()) {
        first_error =
            Status::InvalidArgument("invalid semicolon separator in query");
      }
      continue;
    }
    const size_t eq = pair.find('=');
    std::string_view raw_key = pair.substr(0, eq);
    std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    StatusOr<std::string> key = PercentDecode(raw_key, true);
    StatusOr<std::string> value = PercentDecode(raw_value, true);
    if (!key.ok() || !value.ok()) {
      if (first_error.ok()) {
        first_error = !key.ok() ? key.status() : value.status();
      }
      continue;
    }
    params->Add(std::move(*key), std::move(*value));
  }
  return first_error;
}

bool IsFormContentType(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && (media.front() == ' ' || media.front() == '\t')) {
    media.remove_prefix(1);
  }
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) {
    media.remove_suffix(1);
  }
  return EqualsIgnoreCase(media, "application/x-www-form-urlencoded");
}

}  // namespace strata::server
