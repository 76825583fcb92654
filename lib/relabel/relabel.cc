#include "relabel/relabel.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "re2/re2.h"
#include "util/go_regexp.h"
#include "util/strings.h"

namespace strata::relabel {
namespace {

constexpr std::array<std::pair<Action, std::string_view>, 11> kActionNames = {{
    {Action::kReplace, "replace"},
    {Action::kKeep, "keep"},
    {Action::kDrop, "drop"},
    {Action::kKeepEqual, "keepequal"},
    {Action::kDropEqual, "dropequal"},
    {Action::kHashMod, "hashmod"},
    {Action::kLabelMap, "labelmap"},
    {Action::kLabelDrop, "labeldrop"},
    {Action::kLabelKeep, "labelkeep"},
    {Action::kLowercase, "lowercase"},
    {Action::kUppercase, "uppercase"},
}};

RE2::Options QuietOptions() {
  RE2::Options options;
  options.set_log_errors(false);
  return options;
}

// Prometheus's relabelTarget: what target_label (and labelmap's
// replacement) may be: label-name characters and $-references.
bool IsRelabelTarget(std::string_view s) {
  static const RE2* const kTarget =
      new RE2(R"(^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$)", QuietOptions());
  return RE2::FullMatch(re2::StringPiece(s.data(), s.size()), *kTarget);
}

bool Is(Action a, std::initializer_list<Action> set) {
  return std::find(set.begin(), set.end(), a) != set.end();
}

// Prometheus compiles every relabel regex as ^(?:regex)$.
std::unique_ptr<RE2> NewAnchoredRegexp(std::string_view regex) {
  return std::make_unique<RE2>(Cat("^(?:", regex, ")$"), QuietOptions());
}

// The label set under construction, with labels.Builder's outcome: the
// last Set or Del of a name wins, and an empty value deletes.
class Builder {
 public:
  explicit Builder(const Labels& base)
      : labels_(base.pairs().begin(), base.pairs().end()) {}

  void Set(std::string_view name, std::string value) {
    auto it = Find(name);
    if (value.empty()) {
      if (it != labels_.end() && it->name == name) labels_.erase(it);
    } else if (it != labels_.end() && it->name == name) {
      it->value = std::move(value);
    } else {
      labels_.insert(it, Label{std::string(name), std::move(value)});
    }
  }
  void Del(std::string_view name) { Set(name, ""); }
  Labels Build() && { return Labels::FromUnchecked(std::move(labels_)); }

 private:
  std::vector<Label>::iterator Find(std::string_view name) {
    return std::lower_bound(
        labels_.begin(), labels_.end(), name,
        [](const Label& l, std::string_view n) { return l.name < n; });
  }
  std::vector<Label> labels_;  // sorted by name, names unique
};

// Prometheus's sum64(md5(val)): the digest's last 8 bytes, big-endian
// (Go's shifts of 64 bits and more give 0 for the first 8).
uint64_t Md5Sum64(std::string_view val) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(val.data(), val.size(), digest, &len, EVP_md5(), nullptr);
  uint64_t s = 0;
  for (unsigned int i = 8; i < 16 && i < len; ++i) s = (s << 8) | digest[i];
  return s;
}

}  // namespace

StatusOr<Action> ParseAction(std::string_view text) {
  const std::string lower = absl::AsciiStrToLower(std::string(text));
  for (const auto& [action, name] : kActionNames) {
    if (lower == name) return action;
  }
  return Status::InvalidArgument(
      Cat("unknown relabel action ", GoQuoted(text)));
}

std::string_view ActionName(Action action) {
  for (const auto& [a, name] : kActionNames) {
    if (a == action) return name;
  }
  return "";
}

Status Validate(const Config& c) {
  for (const std::string& name : c.source_labels) {
    if (!IsValidLabelName(name)) {
      return Status::InvalidArgument(
          Cat(GoQuoted(name), " is not a valid label name"));
    }
  }
  const auto re = NewAnchoredRegexp(c.regex);
  if (!re->ok()) {
    return Status::InvalidArgument(
        GoRegexpCompileError(re->error_code(), re->error_arg()));
  }
  const Action a = c.action;
  const std::string_view name = ActionName(a);
  using enum Action;
  if (a == kHashMod && c.modulus == 0) {
    return Status::InvalidArgument(
        "relabel configuration for hashmod requires non-zero modulus");
  }
  if (Is(a, {kReplace, kHashMod, kLowercase, kUppercase, kKeepEqual,
             kDropEqual}) &&
      c.target_label.empty()) {
    return Status::InvalidArgument(
        Cat("relabel configuration for ", name,
            " action requires 'target_label' value"));
  }
  if (Is(a, {kReplace, kLowercase, kUppercase, kKeepEqual, kDropEqual}) &&
      !IsRelabelTarget(c.target_label)) {
    return Status::InvalidArgument(Cat(GoQuoted(c.target_label),
                                       " is invalid 'target_label' for ", name,
                                       " action"));
  }
  if (Is(a, {kLowercase, kUppercase, kKeepEqual, kDropEqual}) &&
      c.replacement != kDefaultReplacement) {
    return Status::InvalidArgument(
        Cat("'replacement' can not be set for ", name, " action"));
  }
  if (a == kLabelMap && !IsRelabelTarget(c.replacement)) {
    return Status::InvalidArgument(Cat(GoQuoted(c.replacement),
                                       " is invalid 'replacement' for ", name,
                                       " action"));
  }
  if (a == kHashMod && !IsValidLabelName(c.target_label)) {
    return Status::InvalidArgument(Cat(GoQuoted(c.target_label),
                                       " is invalid 'target_label' for ", name,
                                       " action"));
  }
  if (Is(a, {kKeepEqual, kDropEqual}) &&
      (c.regex != kDefaultRegex || c.modulus != 0 ||
       c.separator != kDefaultSeparator ||
       c.replacement != kDefaultReplacement)) {
    return Status::InvalidArgument(
        Cat(name,
            " action requires only 'source_labels' and `target_label`, and "
            "no other fields"));
  }
  if (Is(a, {kLabelDrop, kLabelKeep}) &&
      (!c.source_labels.empty() || !c.target_label.empty() || c.modulus != 0 ||
       c.separator != kDefaultSeparator ||
       c.replacement != kDefaultReplacement)) {
    return Status::InvalidArgument(
        Cat(name, " action requires only 'regex', and no other fields"));
  }
  return Status::OK();
}

// One config with its anchored regex.
struct Step {
  const Config* config;
  std::unique_ptr<RE2> regex;
};

struct Relabeler::Compiled {
  std::vector<Config> configs;
  std::vector<Step> steps;  // steps[i].config == &configs[i]
};

namespace {

bool FullMatch(const RE2& re, std::string_view s) {
  return RE2::FullMatch(re2::StringPiece(s.data(), s.size()), re);
}

// The groups of an anchored match of `re` on `s`, or false.
bool Submatches(const RE2& re, std::string_view s,
                std::vector<std::string_view>* texts) {
  std::vector<re2::StringPiece> groups(re.NumberOfCapturingGroups() + 1);
  if (!re.Match(re2::StringPiece(s.data(), s.size()), 0, s.size(),
                RE2::UNANCHORED, groups.data(),
                static_cast<int>(groups.size()))) {
    return false;
  }
  texts->assign(groups.size(), std::string_view());
  for (size_t i = 0; i < groups.size(); ++i) {
    if (groups[i].data() != nullptr) {
      (*texts)[i] = std::string_view(groups[i].data(), groups[i].size());
    }
  }
  return true;
}

std::string Expand(const RE2& re, std::string_view tmpl,
                   const std::vector<std::string_view>& groups) {
  std::string out;
  GoRegexpExpand(tmpl, groups, re.NamedCapturingGroups(), &out);
  return out;
}

// Prometheus's replace action.
void Replace(const Config& c, const RE2& re, const std::string& val,
             Builder* b) {
  std::vector<std::string_view> groups;
  if (!Submatches(re, val, &groups)) return;
  const std::string target = Expand(re, c.target_label, groups);
  if (!IsValidLabelName(target)) {
    b->Del(c.target_label);
    return;
  }
  std::string value = Expand(re, c.replacement, groups);
  if (value.empty()) {
    b->Del(c.target_label);
    return;
  }
  b->Set(target, std::move(value));
}

// Prometheus's labelmap, labeldrop and labelkeep: over the names of `in`.
void MapNames(const Config& c, const RE2& re, const Labels& in, Builder* b) {
  std::vector<std::string_view> groups;
  for (const Label& l : in) {
    switch (c.action) {
      case Action::kLabelMap:
        // The regex is anchored, so ReplaceAllString is one expansion.
        if (Submatches(re, l.name, &groups)) {
          b->Set(Expand(re, c.replacement, groups), l.value);
        }
        break;
      case Action::kLabelDrop:
        if (FullMatch(re, l.name)) b->Del(l.name);
        break;
      case Action::kLabelKeep:
        if (!FullMatch(re, l.name)) b->Del(l.name);
        break;
      default:
        break;
    }
  }
}

// One config on *labels; false if it drops them.
bool Apply(const Step& step, Labels* labels) {
  const Config& c = *step.config;
  const RE2& re = *step.regex;
  std::string val;
  for (size_t i = 0; i < c.source_labels.size(); ++i) {
    if (i > 0) val += c.separator;
    val += labels->Get(c.source_labels[i]);
  }
  Builder b(*labels);
  switch (c.action) {
    case Action::kDrop:
      return !FullMatch(re, val);
    case Action::kKeep:
      return FullMatch(re, val);
    case Action::kDropEqual:
      return labels->Get(c.target_label) != val;
    case Action::kKeepEqual:
      return labels->Get(c.target_label) == val;
    case Action::kReplace:
      Replace(c, re, val, &b);
      break;
    case Action::kLowercase:
      b.Set(c.target_label, absl::AsciiStrToLower(val));
      break;
    case Action::kUppercase:
      b.Set(c.target_label, absl::AsciiStrToUpper(val));
      break;
    case Action::kHashMod:
      b.Set(c.target_label, std::to_string(Md5Sum64(val) % c.modulus));
      break;
    case Action::kLabelMap:
    case Action::kLabelDrop:
    case Action::kLabelKeep:
      MapNames(c, re, *labels, &b);
      break;
  }
  *labels = std::move(b).Build();
  return true;
}

}  // namespace

Relabeler::Relabeler() : compiled_(std::make_shared<Compiled>()) {}
Relabeler::Relabeler(std::shared_ptr<const Compiled> compiled)
    : compiled_(std::move(compiled)) {}
Relabeler::~Relabeler() = default;
Relabeler::Relabeler(const Relabeler&) = default;
Relabeler& Relabeler::operator=(const Relabeler&) = default;
Relabeler::Relabeler(Relabeler&&) noexcept = default;
Relabeler& Relabeler::operator=(Relabeler&&) noexcept = default;

StatusOr<Relabeler> Relabeler::Compile(std::vector<Config> configs) {
  for (const Config& c : configs) STRATA_RETURN_IF_ERROR(Validate(c));
  auto compiled = std::make_shared<Compiled>();
  compiled->configs = std::move(configs);
  for (const Config& c : compiled->configs) {
    compiled->steps.push_back(Step{&c, NewAnchoredRegexp(c.regex)});
  }
  return Relabeler(std::move(compiled));
}

bool Relabeler::Process(Labels* labels) const {
  for (const Step& step : compiled_->steps) {
    if (!Apply(step, labels)) return false;
  }
  return true;
}

const std::vector<Config>& Relabeler::configs() const {
  return compiled_->configs;
}

bool Relabeler::empty() const { return compiled_->configs.empty(); }

}  // namespace strata::relabel
