#include "strata/labels.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "util/strings.h"
#define XXH_STATIC_LINKING_ONLY
#include "xxhash.h"

namespace strata {
namespace {

bool IsLabelNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsLabelNameChar(char c) {
  return IsLabelNameStart(c) || (c >= '0' && c <= '9');
}

// Ties on the name (duplicate names, which only FromPairs rejects) are
// ordered by value, so the result never depends on the input order: a
// decoded WAL series record then reads the same after a round trip.
void SortAndDropEmpty(std::vector<Label>* labels) {
  std::erase_if(*labels, [](const Label& l) { return l.value.empty(); });
  std::sort(labels->begin(), labels->end(), [](const Label& a, const Label& b) {
    return a.name != b.name ? a.name < b.name : a.value < b.value;
  });
}

}  // namespace

bool IsValidLabelName(std::string_view name) {
  if (name.empty() || !IsLabelNameStart(name[0])) return false;
  return std::all_of(name.begin() + 1, name.end(), IsLabelNameChar);
}

bool IsValidMetricName(std::string_view name) {
  if (name.empty()) return false;
  if (!IsLabelNameStart(name[0]) && name[0] != ':') return false;
  return std::all_of(name.begin() + 1, name.end(),
                     [](char c) { return IsLabelNameChar(c) || c == ':'; });
}

StatusOr<Labels> Labels::FromPairs(std::vector<Label> labels) {
  SortAndDropEmpty(&labels);
  for (size_t i = 0; i < labels.size(); ++i) {
    const Label& l = labels[i];
    if (i > 0 && labels[i - 1].name == l.name) {
      return Status::InvalidArgument(
          absl::StrCat("label name \"", l.name, "\" is not unique"));
    }
    const bool valid = l.name == kMetricNameLabel ? IsValidMetricName(l.value)
                                                  : IsValidLabelName(l.name);
    if (!valid) {
      return Status::InvalidArgument(
          l.name == kMetricNameLabel
              ? absl::StrCat("invalid metric name \"", l.value, "\"")
              : absl::StrCat("invalid label name \"", l.name, "\""));
    }
    if (!IsValidUtf8(l.value)) {
      return Status::InvalidArgument(
          absl::StrCat("invalid UTF-8 in value of label \"", l.name, "\""));
    }
  }
  return Labels(std::move(labels));
}

Labels Labels::FromUnchecked(std::vector<Label> labels) {
  SortAndDropEmpty(&labels);
  return Labels(std::move(labels));
}

Labels Labels::Of(
    std::initializer_list<std::pair<std::string_view, std::string_view>>
        pairs) {
  std::vector<Label> labels;
  labels.reserve(pairs.size());
  for (const auto& [n, v] : pairs)
    labels.push_back({std::string(n), std::string(v)});
  return FromUnchecked(std::move(labels));
}

std::string_view Labels::Get(std::string_view name) const {
  auto it = std::lower_bound(
      labels_.begin(), labels_.end(), name,
      [](const Label& l, std::string_view n) { return l.name < n; });
  if (it != labels_.end() && it->name == name) return it->value;
  return {};
}

uint64_t Labels::Hash() const {
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  static constexpr char kSep = '\xff';
  for (const Label& l : labels_) {
    XXH3_64bits_update(&state, l.name.data(), l.name.size());
    XXH3_64bits_update(&state, &kSep, 1);
    XXH3_64bits_update(&state, l.value.data(), l.value.size());
    XXH3_64bits_update(&state, &kSep, 1);
  }
  return XXH3_64bits_digest(&state);
}

std::string Labels::ToString() const {
  std::string out(MetricName());
  out.push_back('{');
  bool first = true;
  for (const Label& l : labels_) {
    if (l.name == kMetricNameLabel) continue;
    if (!first) out.append(", ");
    first = false;
    out.append(l.name);
    out.push_back('=');
    AppendQuoted(&out, l.value);
  }
  out.push_back('}');
  if (first && !out.empty() && out.size() > 2) {
    out.resize(out.size() - 2);  // `name{}` prints as `name`.
  }
  return out;
}

int Compare(const Labels& a, const Labels& b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (int c = a[i].name.compare(b[i].name); c != 0) return c < 0 ? -1 : 1;
    if (int c = a[i].value.compare(b[i].value); c != 0) return c < 0 ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

bool MatchesAll(const Labels& labels, const std::vector<Matcher>& matchers) {
  for (const Matcher& m : matchers) {
    if (!m.Matches(labels.Get(m.name()))) return false;
  }
  return true;
}

}  // namespace strata
