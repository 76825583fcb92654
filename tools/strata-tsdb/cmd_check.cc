// `strata-tsdb check rules FILE...`: promtool 2.42's `check rules`, with its
// output (stdout for progress and success, stderr for failures), its
// duplicate-rule lint and its exit codes (1: an error, 3: only lint
// findings with --lint-fatal, else 0).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli.h"
#include "rules/rule_file.h"

namespace strata::tsdb {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitLint = 3;

struct CheckRulesFlags {
  std::vector<std::string> files;
  std::string lint = "duplicate-rules";
  bool lint_fatal = false;
  bool extended = false;  // promtool's `check --extended`: for metrics only
};

// promtool's newLintConfig: --lint is a comma-separated list; an unknown
// item is a warning on stdout, not an error.
bool LintDuplicateRules(const std::string& lint) {
  bool duplicates = false;
  size_t begin = 0;
  while (true) {
    const size_t end = std::min(lint.find(',', begin), lint.size());
    const std::string item = lint.substr(begin, end - begin);
    if (item == "all" || item == "duplicate-rules") {
      duplicates = true;
    } else if (item != "none") {
      std::printf("WARNING: unknown lint option %s\n", item.c_str());
    }
    if (end == lint.size()) break;
    begin = end + 1;
  }
  return duplicates;
}

// A rule as promtool's duplicate lint compares them: its metric (record or
// alert name) and its labels, sorted.
using RuleKey = std::pair<std::string, std::map<std::string, std::string>>;

// promtool's checkDuplicates: each key that occurs more than once, once,
// in sorted order.
std::vector<RuleKey> DuplicateRules(const rules::RuleFile& file) {
  std::vector<RuleKey> keys;
  for (const rules::RuleGroupSpec& group : file.groups) {
    for (const rules::RuleSpec& rule : group.rules) {
      keys.emplace_back(rule.name(),
                        std::map<std::string, std::string>(rule.labels.begin(),
                                                           rule.labels.end()));
    }
  }
  std::sort(keys.begin(), keys.end());
  std::vector<RuleKey> duplicates;
  for (size_t i = 1; i < keys.size(); ++i) {
    if (keys[i] == keys[i - 1] &&
        (duplicates.empty() || duplicates.back() != keys[i])) {
      duplicates.push_back(keys[i]);
    }
  }
  return duplicates;
}

std::string DuplicatesMessage(const std::vector<RuleKey>& duplicates) {
  std::string out = "lint error " + std::to_string(duplicates.size()) +
                    " duplicate rule(s) found.\n";
  for (const RuleKey& d : duplicates) {
    out += "Metric: " + d.first + "\nLabel(s):\n";
    for (const auto& [name, value] : d.second) {
      out += "\t" + name + ": " + value + "\n";
    }
  }
  return out + "Might cause inconsistency while recording expressions";
}

// One file: prints as promtool does; returns whether it failed and whether
// the failure was a real error (not only a lint finding).
struct FileVerdict {
  bool failed = false;
  bool has_errors = false;
};

FileVerdict CheckOneFile(const std::string& path, bool lint_duplicates) {
  std::printf("Checking %s\n", path.c_str());
  std::fflush(stdout);
  FileVerdict verdict;
  std::vector<std::string> errors;
  size_t num_rules = 0;
  StatusOr<rules::RuleFile> file = rules::LoadRuleFile(path);
  if (!file.ok()) {
    errors.push_back(std::string(file.status().message()));
    verdict.has_errors = true;
  } else {
    for (const rules::RuleGroupSpec& g : file->groups) {
      num_rules += g.rules.size();
    }
    if (lint_duplicates) {
      std::vector<RuleKey> duplicates = DuplicateRules(*file);
      if (!duplicates.empty()) errors.push_back(DuplicatesMessage(duplicates));
    }
  }
  if (errors.empty()) {
    std::printf("  SUCCESS: %zu rules found\n\n", num_rules);
    return verdict;
  }
  verdict.failed = true;
  std::fprintf(stderr, "  FAILED:\n");
  for (const std::string& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
  std::fflush(stderr);
  std::printf("\n");
  return verdict;
}

int CheckRules(const CheckRulesFlags& f) {
  // As promtool's argument parser: a missing file is a usage error before
  // any file is checked.
  for (const std::string& path : f.files) {
    if (!std::filesystem::exists(path)) {
      std::fprintf(stderr,
                   "strata-tsdb: error: path '%s' does not exist, try --help\n",
                   path.c_str());
      return kExitFailure;
    }
  }
  const bool lint_duplicates = LintDuplicateRules(f.lint);
  bool failed = false;
  bool has_errors = false;
  for (const std::string& path : f.files) {
    const FileVerdict v = CheckOneFile(path, lint_duplicates);
    failed = failed || v.failed;
    has_errors = has_errors || v.has_errors;
  }
  std::fflush(stdout);
  if (failed && has_errors) return kExitFailure;
  if (failed && f.lint_fatal) return kExitLint;
  return 0;
}

}  // namespace

void RegisterCheck(CLI::App& app, GlobalOptions& /*g*/, Command& cmd) {
  CLI::App* check = app.add_subcommand(
      "check", "Check the syntax of files, as promtool check does.");
  check->require_subcommand(1);
  auto f = std::make_shared<CheckRulesFlags>();
  CLI::App* rules = check->add_subcommand(
      "rules", "Check that rule files are valid (promtool check rules).");
  rules->add_option("rule-files", f->files, "The rule files to check.")
      ->required();
  rules
      ->add_option("--lint", f->lint,
                   "Linting checks to apply, comma-separated: all, "
                   "duplicate-rules, none.")
      ->capture_default_str();
  rules->add_flag("--lint-fatal", f->lint_fatal,
                  "Make lint errors exit with exit code 3.");
  // promtool's `check --extended` is accepted before or after `rules`.
  check->add_flag("--extended", f->extended,
                  "Accepted for promtool compatibility (metrics only).");
  rules->add_flag("--extended", f->extended,
                  "Accepted for promtool compatibility (metrics only).");
  rules->callback([f, &cmd] {
    cmd.run = [f, &cmd] {
      // promtool's exit codes (1 and 3) are part of the interface.
      cmd.exit_code = CheckRules(*f);
      return Status::OK();
    };
  });
}

}  // namespace strata::tsdb
