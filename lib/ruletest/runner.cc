#include "ruletest/runner.h"

#include <glob.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ruletest/test_group.h"
#include "ruletest/unit_test_file.h"
#include "util/strings.h"

namespace strata::ruletest {
namespace {

constexpr int64_t kDefaultEvaluationIntervalMs = 60 * 1000;

// Go's filepath.Clean of a joined path ("." for an empty one).
std::string CleanPath(const std::filesystem::path& p) {
  std::string s = p.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s.empty() ? "." : s;
}

// filepath.Glob: the matches in lexical order; a pattern without
// metacharacters matches itself when it exists.
std::vector<std::string> Glob(const std::string& pattern) {
  std::vector<std::string> out;
  glob_t g{};
  if (glob(pattern.c_str(), 0, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  }
  globfree(&g);
  return out;
}

// promtool's resolveAndGlobFilepaths.
std::vector<std::string> ResolveRuleFiles(const std::string& test_file,
                                          const std::vector<std::string>& in,
                                          std::vector<std::string>* warnings) {
  std::filesystem::path base = std::filesystem::path(test_file).parent_path();
  if (base.empty()) base = ".";
  std::vector<std::string> out;
  for (const std::string& rf : in) {
    std::string pattern = rf;
    if (!rf.empty() && rf[0] != '/') pattern = CleanPath(base / rf);
    std::vector<std::string> matches = Glob(pattern);
    if (matches.empty()) {
      warnings->push_back(Cat("  WARNING: no file match pattern ", pattern));
    }
    out.insert(out.end(), matches.begin(), matches.end());
  }
  return out;
}

StatusOr<std::string> ReadFile(const std::string& path) {
  if (std::filesystem::is_directory(path)) {
    return Status::InvalidArgument(Cat("read ", path, ": is a directory"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::InvalidArgument(
        Cat("open ", path, ": no such file or directory"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

FileResult RunUnitTestFile(const std::string& path) {
  FileResult result;
  StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) {
    result.errors.emplace_back(text.status().message());
    return result;
  }
  StatusOr<UnitTestFile> file = ParseUnitTestFile(*text);
  if (!file.ok()) {
    result.errors.emplace_back(file.status().message());
    return result;
  }
  TestGroupContext context;
  context.rule_files =
      ResolveRuleFiles(path, file->rule_files, &result.warnings);
  context.evaluation_interval_ms = file->evaluation_interval_ms != 0
                                       ? file->evaluation_interval_ms
                                       : kDefaultEvaluationIntervalMs;
  for (size_t i = 0; i < file->group_eval_order.size(); ++i) {
    const std::string& name = file->group_eval_order[i];
    if (!context.group_order.emplace(name, static_cast<int>(i)).second) {
      result.errors.push_back(
          Cat("group name repeated in evaluation order: ", name));
      return result;
    }
  }
  for (const TestGroup& group : file->tests) {
    std::vector<std::string> errors = RunTestGroup(group, context);
    result.errors.insert(result.errors.end(), errors.begin(), errors.end());
  }
  return result;
}

}  // namespace strata::ruletest
