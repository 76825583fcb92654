// Strata's self-monitoring alerts and their runbooks (docs/runbooks/):
// every alert named Strata* in the example rule files has a runbook_url
// annotation naming its page, the page exists and shows the rule's
// expression as it is, the index lists it, and every page belongs to an
// alert. Runs on the repository's files only, no server.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rules/rule_file.h"
#include "test_env.h"

namespace strata {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSelfAlertPrefix = "Strata";
constexpr std::string_view kRunbookDir = "docs/runbooks/";

std::string ReadWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Runs of whitespace as one space, none at the ends: a multi-line YAML
// expression and its one-line copy on a page compare equal.
std::string CollapseSpace(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// The alert rules named Strata* of every rule file of examples/stack/rules,
// by name.
std::map<std::string, rules::RuleSpec> SelfAlerts() {
  std::map<std::string, rules::RuleSpec> alerts;
  const fs::path dir = fs::path(testing::SourceDir()) / "examples/stack/rules";
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".yml") continue;
    StatusOr<rules::RuleFile> file = rules::LoadRuleFile(entry.path());
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    if (!file.ok()) continue;
    for (const rules::RuleGroupSpec& group : file->groups) {
      for (const rules::RuleSpec& rule : group.rules) {
        if (rule.is_alert() && rule.alert.starts_with(kSelfAlertPrefix)) {
          alerts.emplace(rule.alert, rule);
        }
      }
    }
  }
  return alerts;
}

std::string Annotation(const rules::RuleSpec& rule, std::string_view name) {
  for (const auto& [key, value] : rule.annotations) {
    if (key == name) return value;
  }
  return "";
}

// The `expr:` line of a page's first ```yaml block, which restates the rule.
std::string PageExpr(const std::string& page) {
  const size_t block = page.find("```yaml\n");
  if (block == std::string::npos) return "";
  const size_t expr = page.find("expr: ", block);
  if (expr == std::string::npos) return "";
  const size_t start = expr + 6;
  return page.substr(start, page.find('\n', start) - start);
}

fs::path RunbookDir() { return fs::path(testing::SourceDir()) / kRunbookDir; }

TEST(RunbooksTest, SelfAlertsAreFound) {
  // Guards the tests below against passing on an empty set.
  EXPECT_GE(SelfAlerts().size(), 10u);
}

TEST(RunbooksTest, EveryStrataAlertHasARunbookUrlNamingItsPage) {
  for (const auto& [name, rule] : SelfAlerts()) {
    const std::string url = Annotation(rule, "runbook_url");
    const std::string page = std::string(kRunbookDir) + name + ".md";
    EXPECT_TRUE(url.ends_with(page))
        << name << ": runbook_url \"" << url << "\" should end in " << page;
    EXPECT_TRUE(fs::is_regular_file(RunbookDir() / (name + ".md")))
        << name << ": no page " << page;
  }
}

TEST(RunbooksTest, EveryPageShowsItsRulesExpressionAsItIs) {
  for (const auto& [name, rule] : SelfAlerts()) {
    const fs::path path = RunbookDir() / (name + ".md");
    if (!fs::exists(path)) continue;  // Reported by the test above.
    const std::string page = ReadWholeFile(path);
    EXPECT_EQ(CollapseSpace(PageExpr(page)), CollapseSpace(rule.expr)) << path;
    EXPECT_TRUE(page.starts_with("# " + name + "\n")) << path;
  }
}

TEST(RunbooksTest, EveryPageBelongsToAnAlert) {
  const std::map<std::string, rules::RuleSpec> alerts = SelfAlerts();
  int pages = 0;
  for (const fs::directory_entry& entry :
       fs::directory_iterator(RunbookDir())) {
    if (entry.path().extension() != ".md") continue;
    const std::string stem = entry.path().stem();
    if (stem == "README") continue;
    ++pages;
    EXPECT_TRUE(alerts.contains(stem))
        << entry.path() << " names no alert of examples/stack/rules";
  }
  EXPECT_EQ(pages, static_cast<int>(alerts.size()));
}

TEST(RunbooksTest, TheIndexLinksEveryPage) {
  const std::string index = ReadWholeFile(RunbookDir() / "README.md");
  for (const auto& [name, rule] : SelfAlerts()) {
    EXPECT_NE(index.find("](" + name + ".md)"), std::string::npos)
        << "docs/runbooks/README.md does not link " << name << ".md";
  }
}

}  // namespace
}  // namespace strata
