#include "ruletest/test_group.h"

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <memory>
#include <set>
#include <utility>

#include "promql/engine.h"
#include "promql/evaluator.h"
#include "promql/series_desc.h"
#include "rules/rule_file.h"
#include "rules/rule_group.h"
#include "ruletest/go_text.h"
#include "ruletest/input_loader.h"
#include "strata/db.h"
#include "util/duration.h"
#include "util/strings.h"

namespace strata::ruletest {
namespace {

using promql::internal::GoLabelsString;

// promql.LazyLoader's engine settings.
constexpr int64_t kMaxSamples = 10000;
constexpr int64_t kQueryTimeoutMs = 100 * 1000;

// A DB in a fresh temporary directory, removed with it (promtool's
// teststorage).
class ScratchDb {
 public:
  static StatusOr<std::unique_ptr<ScratchDb>> Create() {
    std::string dir_template =
        (std::filesystem::temp_directory_path() / "strata-ruletest-XXXXXX")
            .string();
    if (mkdtemp(dir_template.data()) == nullptr) {
      return Status::IOError(Cat("mkdtemp ", dir_template, " failed"));
    }
    auto scratch = std::unique_ptr<ScratchDb>(new ScratchDb(dir_template));
    Options options;
    options.background_compaction = false;
    options.retention_ms = std::numeric_limits<int64_t>::max() / 4;
    StatusOr<std::unique_ptr<DB>> db = DB::Open(options, dir_template);
    if (!db.ok()) return db.status();
    scratch->db_ = std::move(*db);
    return scratch;
  }
  ~ScratchDb() {
    if (db_ != nullptr) (void)db_->Close();
    db_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  DB& db() { return *db_; }

 private:
  explicit ScratchDb(std::string dir) : dir_(std::move(dir)) {}
  const std::string dir_;
  std::unique_ptr<DB> db_;
};

// One alert as promtool compares them: labels, then annotations.
struct LabelsAndAnnotations {
  Labels labels;
  Labels annotations;

  friend bool operator==(const LabelsAndAnnotations&,
                         const LabelsAndAnnotations&) = default;
  friend bool operator<(const LabelsAndAnnotations& a,
                        const LabelsAndAnnotations& b) {
    const int diff = Compare(a.labels, b.labels);
    if (diff != 0) return diff < 0;
    return Compare(a.annotations, b.annotations) < 0;
  }
  std::string String() const {
    return Cat("Labels:", GoLabelsString(labels),
               "\nAnnotations:", GoLabelsString(annotations));
  }
};

// promtool's labelsAndAnnotations.String().
std::string AlertsString(const std::vector<LabelsAndAnnotations>& alerts) {
  if (alerts.empty()) return "[]";
  std::string s =
      Cat("[\n0:", IndentLines(Cat("\n", alerts[0].String()), "  "));
  for (size_t i = 1; i < alerts.size(); ++i) {
    CatTo(&s, ",\n", i, ":", IndentLines(Cat("\n", alerts[i].String()), "  "));
  }
  return s + "\n]";
}

struct ParsedSample {
  Labels labels;
  double value = 0;

  friend bool operator==(const ParsedSample&, const ParsedSample&) = default;
};

// promtool's parsedSamplesString.
std::string SamplesString(const std::vector<ParsedSample>& samples) {
  if (samples.empty()) return "nil";
  std::string s;
  for (size_t i = 0; i < samples.size(); ++i) {
    if (i > 0) s += ", ";
    CatTo(&s, GoLabelsString(samples[i].labels), " ",
          FormatFloatUpperE(samples[i].value));
  }
  return s;
}

Labels ToLabels(const StringPairs& pairs) {
  std::vector<Label> labels;
  for (const auto& [name, value] : pairs) labels.push_back({name, value});
  return Labels::FromUnchecked(std::move(labels));
}

// Each line of a rule file's error is one of promtool's errors.
std::vector<std::string> SplitFileErrors(const std::string& path,
                                         std::string_view message) {
  std::vector<std::string> out;
  const std::string separator = Cat("\n", path, ": ");
  size_t start = 0;
  while (true) {
    const size_t next = message.find(separator, start);
    out.emplace_back(message.substr(start, next - start));
    if (next == std::string_view::npos) return out;
    start = next + 1;
  }
}

using Groups = std::vector<std::unique_ptr<rules::RuleGroup>>;

// Manager.LoadGroups for promtool, then orderedGroups: by position in
// group_eval_order (unlisted groups as 0), files and groups in order
// otherwise (promtool leaves that order to Go's map iteration).
StatusOr<Groups> LoadGroups(const TestGroupContext& context,
                            const TestGroup& tg, rules::GroupOptions options,
                            std::vector<std::string>* errors) {
  Groups groups;
  for (const std::string& path : context.rule_files) {
    StatusOr<rules::RuleFile> file = rules::LoadRuleFile(path);
    if (!file.ok()) {
      *errors = SplitFileErrors(path, file.status().message());
      return file.status();
    }
    for (const rules::RuleGroupSpec& spec : file->groups) {
      options.interval_ms = tg.interval_ms;
      StatusOr<std::unique_ptr<rules::RuleGroup>> group =
          rules::RuleGroup::Create(path, spec, options);
      if (!group.ok()) {
        errors->push_back(Cat(path, ": ", group.status().message()));
        return group.status();
      }
      groups.push_back(std::move(*group));
    }
  }
  auto position = [&](const rules::RuleGroup& g) {
    auto it = context.group_order.find(g.name());
    return it == context.group_order.end() ? 0 : it->second;
  };
  std::stable_sort(groups.begin(), groups.end(),
                   [&](const auto& a, const auto& b) {
                     return position(*a) < position(*b);
                   });
  return groups;
}

// What the evaluation loop checks: the alert_rule_test cases by eval_time.
struct AlertChecks {
  std::vector<int64_t> eval_times;  // sorted, unique
  std::map<int64_t, std::vector<const AlertTestCase*>> cases;
  std::map<int64_t, std::set<std::string>> names;
};

class GroupRun {
 public:
  GroupRun(const TestGroup& tg, const TestGroupContext& context, DB& db,
           const promql::Engine& engine, Groups groups)
      : tg_(tg),
        context_(context),
        db_(db),
        engine_(engine),
        groups_(std::move(groups)) {}

  // promtool's evaluation loop, then its promql_expr_test checks.
  std::vector<std::string> Run(InputLoader& input, const AlertChecks& checks);

 private:
  // Appends input up to ts and evaluates every group; false if a rule
  // failed (the errors end the test group).
  bool EvalAt(InputLoader& input, int64_t ts);
  void CheckAlerts(int64_t eval_time, const AlertChecks& checks);
  void CheckPromqlExpr(const PromqlTestCase& tc);

  const TestGroup& tg_;
  const TestGroupContext& context_;
  DB& db_;
  const promql::Engine& engine_;
  const Groups groups_;
  std::vector<std::string> errors_;
};

std::vector<std::string> GroupRun::Run(InputLoader& input,
                                       const AlertChecks& checks) {
  int64_t max_time = 0;
  for (const AlertTestCase& a : tg_.alert_rule_tests) {
    max_time = std::max(max_time, a.eval_time_ms);
  }
  for (const PromqlTestCase& p : tg_.promql_expr_tests) {
    max_time = std::max(max_time, p.eval_time_ms);
  }
  const int64_t step = context_.evaluation_interval_ms;
  size_t current = 0;
  for (int64_t ts = 0; ts <= max_time; ts += step) {
    if (!EvalAt(input, ts)) return errors_;
    // An alert test at eval_time is checked against the evaluation at the
    // ts with ts <= eval_time < ts + interval.
    while (current < checks.eval_times.size() &&
           ts <= checks.eval_times[current] &&
           checks.eval_times[current] < ts + step) {
      CheckAlerts(checks.eval_times[current], checks);
      ++current;
    }
  }
  for (const PromqlTestCase& tc : tg_.promql_expr_tests) CheckPromqlExpr(tc);
  return errors_;
}

bool GroupRun::EvalAt(InputLoader& input, int64_t ts) {
  Status appended = input.AppendTill(db_, ts);
  if (!appended.ok()) {
    errors_.emplace_back(appended.message());
    return true;
  }
  bool ok = true;
  for (const auto& group : groups_) {
    group->Eval(ts);
    for (const rules::RuleStatus& rule : group->Status().rules) {
      if (rule.last_error.empty()) continue;
      errors_.push_back(Cat("    rule: ", rule.name,
                            ", time: ", FormatGoDuration(ts * 1000000),
                            ", err: ", rule.last_error));
      ok = false;
    }
  }
  return ok;
}

void GroupRun::CheckAlerts(int64_t eval_time, const AlertChecks& checks) {
  const std::set<std::string>& present = checks.names.at(eval_time);
  std::map<std::string, std::vector<LabelsAndAnnotations>> got;
  // The same alert name may be in several groups: all count.
  for (const auto& group : groups_) {
    for (const rules::RuleStatus& rule : group->Status().rules) {
      if (!rule.is_alerting || present.count(rule.name) == 0) continue;
      std::vector<LabelsAndAnnotations>& alerts = got[rule.name];
      for (const rules::Alert& a : rule.alerts) {
        if (a.state == rules::AlertState::kFiring) {
          alerts.push_back({a.labels, a.annotations});
        }
      }
    }
  }
  for (const AlertTestCase* tc : checks.cases.at(eval_time)) {
    std::vector<LabelsAndAnnotations> got_alerts = got[tc->alertname];
    std::vector<LabelsAndAnnotations> exp_alerts;
    for (const ExpectedAlert& a : tc->exp_alerts) {
      StringPairs labels = a.labels;
      std::erase_if(labels,
                    [](const auto& l) { return l.first == "alertname"; });
      labels.emplace_back("alertname", tc->alertname);
      exp_alerts.push_back({ToLabels(labels), ToLabels(a.annotations)});
    }
    std::stable_sort(got_alerts.begin(), got_alerts.end());
    std::stable_sort(exp_alerts.begin(), exp_alerts.end());
    if (exp_alerts == got_alerts) continue;
    std::string test_name;
    if (!tg_.name.empty()) test_name = Cat("    name: ", tg_.name, ",\n");
    const std::string indent = "            ";
    errors_.push_back(
        Cat(test_name, "    alertname: ", tc->alertname,
            ", time: ", FormatDuration(tc->eval_time_ms),
            ", \n        exp:", IndentLines(AlertsString(exp_alerts), indent),
            ", \n        got:", IndentLines(AlertsString(got_alerts), indent)));
  }
}

void GroupRun::CheckPromqlExpr(const PromqlTestCase& tc) {
  const std::string where = Cat("    expr: ", GoQuoted(tc.expr),
                                ", time: ", FormatDuration(tc.eval_time_ms));
  StatusOr<promql::Result> result =
      engine_.Instant(db_, tc.expr, tc.eval_time_ms);
  std::vector<ParsedSample> got;
  if (result.ok()) {
    if (result->type == promql::ValueType::kVector) {
      for (const promql::Sample& s : result->vector) {
        got.push_back({s.metric, s.v});
      }
    } else if (result->type == promql::ValueType::kScalar) {
      got.push_back({Labels(), result->scalar});
    } else {
      result = Status::InvalidArgument("rule result is not a vector or scalar");
    }
  }
  if (!result.ok()) {
    errors_.push_back(Cat(where, ", err: ", result.status().message()));
    return;
  }
  std::vector<ParsedSample> expected;
  for (const ExpectedSample& s : tc.exp_samples) {
    // Go's parser.ParseMetric takes an empty (or blank) input as no
    // labels: how a scalar-like result such as count(x) is expected.
    if (s.labels.find_first_not_of(" \t\r\n") == std::string::npos) {
      expected.push_back({Labels(), s.value});
      continue;
    }
    StatusOr<promql::SeriesDesc> desc = promql::ParseSeriesDesc(s.labels);
    if (!desc.ok()) {
      errors_.push_back(Cat(where, ", err: labels ", GoQuoted(s.labels), ": ",
                            desc.status().message()));
      return;
    }
    expected.push_back({desc->labels, s.value});
  }
  auto by_labels = [](const ParsedSample& a, const ParsedSample& b) {
    return a.labels < b.labels;
  };
  std::stable_sort(expected.begin(), expected.end(), by_labels);
  std::stable_sort(got.begin(), got.end(), by_labels);
  if (expected == got) return;
  errors_.push_back(Cat(where, ",\n        exp: ", SamplesString(expected),
                        "\n        got: ", SamplesString(got)));
}

// The alert_rule_test cases by eval_time, or promtool's error for one
// without alertname.
StatusOr<AlertChecks> CollectAlertChecks(const TestGroup& tg) {
  AlertChecks checks;
  for (const AlertTestCase& a : tg.alert_rule_tests) {
    if (a.alertname.empty()) {
      std::string in_group;
      if (!tg.name.empty()) in_group = Cat(" (in TestGroup ", tg.name, ")");
      return Status::InvalidArgument(
          Cat("an item under alert_rule_test misses required attribute "
              "alertname at eval_time ",
              FormatDuration(a.eval_time_ms), in_group));
    }
    checks.cases[a.eval_time_ms].push_back(&a);
    checks.names[a.eval_time_ms].insert(a.alertname);
  }
  for (const auto& [t, unused] : checks.cases) checks.eval_times.push_back(t);
  return checks;
}

}  // namespace

std::vector<std::string> RunTestGroup(const TestGroup& tg,
                                      const TestGroupContext& context) {
  StatusOr<InputLoader> input =
      InputLoader::Create(tg.interval_ms, tg.input_series);
  if (!input.ok()) return {std::string(input.status().message())};
  StatusOr<std::unique_ptr<ScratchDb>> scratch = ScratchDb::Create();
  if (!scratch.ok()) return {std::string(scratch.status().message())};
  DB& db = (*scratch)->db();

  promql::EngineOptions engine_options;
  engine_options.max_samples = kMaxSamples;
  engine_options.timeout_ms = kQueryTimeoutMs;
  engine_options.default_subquery_step_ms = context.evaluation_interval_ms;
  const promql::Engine engine(engine_options);

  rules::GroupOptions options;
  options.db = &db;
  options.engine = &engine;
  options.external_labels = tg.external_labels;
  options.external_url = tg.external_url;
  options.manager_external_url_unset = true;
  std::vector<std::string> errors;
  StatusOr<Groups> groups = LoadGroups(context, tg, options, &errors);
  if (!groups.ok()) return errors;

  StatusOr<AlertChecks> checks = CollectAlertChecks(tg);
  if (!checks.ok()) return {std::string(checks.status().message())};

  GroupRun run(tg, context, db, engine, std::move(*groups));
  return run.Run(*input, *checks);
}

}  // namespace strata::ruletest
