// Labels identify a series; Matchers select series by their labels.
//
// Semantics follow Prometheus: a label with an empty value is the same as no
// label, so Labels never stores one, and `{a=""}` matches series without `a`.
// Regular expressions are RE2, fully anchored.
//
// Thread-safety: both types are immutable values, safe to share.
#ifndef STRATA_LABELS_H_
#define STRATA_LABELS_H_

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/status.h"

namespace strata {

inline constexpr std::string_view kMetricNameLabel = "__name__";

struct Label {
  std::string name;
  std::string value;

  friend bool operator==(const Label&, const Label&) = default;
  friend auto operator<=>(const Label&, const Label&) = default;
};

// A set of labels sorted by name, names unique, no empty values.
class Labels {
 public:
  Labels() = default;

  // Validates and normalizes: sorts by name, drops empty values, rejects
  // duplicate or invalid names (Prometheus: [a-zA-Z_][a-zA-Z0-9_]*, and
  // [a-zA-Z_:][a-zA-Z0-9_:]* for __name__) and values that are not UTF-8.
  static StatusOr<Labels> FromPairs(std::vector<Label> labels);

  // For trusted input (tests, decoders that already validated): sorts and
  // drops empty values, but does not validate names.
  static Labels FromUnchecked(std::vector<Label> labels);
  static Labels Of(
      std::initializer_list<std::pair<std::string_view, std::string_view>>
          pairs);

  // Returns "" when `name` is absent.
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const { return !Get(name).empty(); }
  std::string_view MetricName() const { return Get(kMetricNameLabel); }

  size_t size() const { return labels_.size(); }
  bool empty() const { return labels_.empty(); }
  const Label& operator[](size_t i) const { return labels_[i]; }
  std::vector<Label>::const_iterator begin() const { return labels_.begin(); }
  std::vector<Label>::const_iterator end() const { return labels_.end(); }
  const std::vector<Label>& pairs() const { return labels_; }

  // XXH3 over names and values with separators; stable across processes.
  uint64_t Hash() const;

  // Prometheus's text form: `name{a="b", c="d"}` with escaped values; a
  // set without __name__ prints as `{a="b"}`.
  std::string ToString() const;

  // Compares label by label, names first then values, as Prometheus sorts.
  friend bool operator==(const Labels& a, const Labels& b) {
    return a.labels_ == b.labels_;
  }
  friend int Compare(const Labels& a, const Labels& b);
  friend bool operator<(const Labels& a, const Labels& b) {
    return Compare(a, b) < 0;
  }

 private:
  explicit Labels(std::vector<Label> sorted) : labels_(std::move(sorted)) {}
  std::vector<Label> labels_;
};

class Matcher {
 public:
  enum class Type { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };

  // Fails with InvalidArgument if a regex does not compile.
  static StatusOr<Matcher> Create(Type type, std::string_view name,
                                  std::string_view value);
  static Matcher Equal(std::string_view name, std::string_view value);
  static Matcher NotEqual(std::string_view name, std::string_view value);

  Type type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& value() const { return value_; }

  // Whether a label value (use "" for an absent label) satisfies this.
  bool Matches(std::string_view label_value) const;

  // For regex matchers whose pattern is a plain alternation of literals
  // (`a|b|c`), the literals; empty otherwise. Lets index lookups avoid
  // scanning every value.
  const std::vector<std::string>& SetMatches() const;
  // The literal prefix every match of a regex must start with ("" if none).
  std::string_view LiteralPrefix() const;

  // `name="value"`, `name=~"value"`, ... as PromQL prints it.
  std::string ToString() const;
  // The operator as PromQL writes it: "=", "!=", "=~" or "!~".
  static std::string_view OperatorString(Type type);

 private:
  struct Regex;  // Wraps RE2; hidden so no third-party type leaks.
  Matcher(Type type, std::string name, std::string value,
          std::shared_ptr<const Regex> regex)
      : type_(type),
        name_(std::move(name)),
        value_(std::move(value)),
        regex_(std::move(regex)) {}

  Type type_;
  std::string name_;
  std::string value_;
  std::shared_ptr<const Regex> regex_;  // Set iff the type is a regex type.
};

// True if `labels` satisfies every matcher.
bool MatchesAll(const Labels& labels, const std::vector<Matcher>& matchers);

}  // namespace strata

#endif  // STRATA_LABELS_H_
