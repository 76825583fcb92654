// `strata-tsdb test rules FILE...`: promtool 2.42's `test rules`
// (cmd/promtool/unittest.go RulesUnitTest) over lib/ruletest, with its
// output (progress and verdicts on stdout, failures on stderr, a blank
// stdout line after each failure) and exit codes (1 if any file failed).
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli.h"
#include "ruletest/runner.h"
#include "util/log.h"

namespace strata::tsdb {
namespace {

constexpr int kExitFailure = 1;

int TestRules(const std::vector<std::string>& files) {
  // As promtool's argument parser (kingpin ExistingFiles): a missing file
  // is a usage error before any file runs.
  for (const std::string& path : files) {
    if (!std::filesystem::exists(path)) {
      std::fprintf(stderr,
                   "strata-tsdb: error: path '%s' does not exist, try --help\n",
                   path.c_str());
      return kExitFailure;
    }
  }
  bool failed = false;
  for (const std::string& path : files) {
    std::printf("Unit Testing:  %s\n", path.c_str());
    std::fflush(stdout);
    const ruletest::FileResult result = ruletest::RunUnitTestFile(path);
    for (const std::string& w : result.warnings) {
      std::fprintf(stderr, "%s\n", w.c_str());
    }
    if (result.passed()) {
      std::printf("  SUCCESS\n");
    } else {
      failed = true;
      std::fprintf(stderr, "  FAILED:\n");
      for (const std::string& e : result.errors) {
        std::fprintf(stderr, "%s\n", e.c_str());
        std::printf("\n");
      }
    }
    std::printf("\n");
    std::fflush(stdout);
    std::fflush(stderr);
  }
  return failed ? kExitFailure : 0;
}

}  // namespace

void RegisterTest(CLI::App& app, GlobalOptions& /*g*/, Command& cmd) {
  CLI::App* test = app.add_subcommand("test", "Unit testing.");
  test->require_subcommand(1);
  auto files = std::make_shared<std::vector<std::string>>();
  CLI::App* rules = test->add_subcommand(
      "rules", "Unit tests for rules (promtool test rules).");
  rules->add_option("test-rule-file", *files, "The unit test file.")
      ->required();
  rules->callback([files, &cmd] {
    cmd.run = [files, &cmd] {
      // promtool runs the rules with a no-op logger: a rule's warning is
      // one of the failure texts, not a log line.
      SetLogLevel(LogLevel::kError);
      // promtool's exit codes are part of the interface.
      cmd.exit_code = TestRules(*files);
      return Status::OK();
    };
  });
}

}  // namespace strata::tsdb
