// docs/configuration.md cannot drift from the code:
// - its flag reference is exactly what tools/docgen/flags_reference.py
//   generates from `strata-server --help` and `strata-tsdb ... --help`
//   (`make docs` regenerates it), and every flag its prose names exists;
// - every configuration-file field its table documents is one the parser
//   (tools/strata-server/config_file.cc) knows, and every field the parser
//   knows is documented.
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "config_file.h"
#include "docs_pages.h"
#include "gtest/gtest.h"
#include "markdown.h"
#include "run_command.h"
#include "temp_dir.h"
#include "test_env.h"
#include "text_file.h"

namespace strata::docs {
namespace {

constexpr const char* kPage = "configuration.md";
constexpr std::string_view kFieldsHeading = "## Configuration file reference";
constexpr std::string_view kGeneratedBegin =
    "<!-- BEGIN GENERATED FLAG REFERENCE";
constexpr std::string_view kGeneratedEnd = "<!-- END GENERATED FLAG REFERENCE";
// A field name no parser knows, for the probes' control case.
constexpr const char* kUnknownField = "strata_docs_no_such_field";

std::string Tool(const std::string& name) {
  return testing::BinaryDir() + "/tools/" + name + "/" + name;
}

// The configuration-file table's field paths, e.g. "global.scrape_interval",
// "alerting.alertmanagers[].static_configs[].targets".
std::vector<std::string> DocumentedFields(const std::string& page) {
  std::vector<std::string> fields;
  const size_t begin = page.find(kFieldsHeading);
  if (begin == std::string::npos) return fields;
  size_t end = page.find("\n## ", begin + kFieldsHeading.size());
  if (end == std::string::npos) end = page.size();
  std::istringstream section(page.substr(begin, end - begin));
  static const std::regex kRow(R"(^\| `([a-z_*][a-z0-9_.\[\]*]*)` \|)");
  std::string line;
  std::smatch m;
  while (std::getline(section, line)) {
    if (std::regex_search(line, m, kRow)) fields.push_back(m[1]);
  }
  return fields;
}

std::string Leaf(const std::string& path) {
  std::string leaf = path.substr(path.rfind('.') + 1);
  if (leaf.ends_with("[]")) leaf.resize(leaf.size() - 2);
  return leaf;
}

// A YAML document setting only `path` (to null): "a.b[].c" gives
// "{a: {b: [{c: null}]}}". `leaf` replaces the last name when not "".
std::string ProbeYaml(const std::string& path, const std::string& leaf) {
  std::vector<std::string> parts;
  std::stringstream in(path);
  for (std::string part; std::getline(in, part, '.');) parts.push_back(part);
  if (!leaf.empty()) parts.back() = leaf;
  std::string yaml = "null";
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    std::string name = *it;
    const bool list = name.ends_with("[]");
    if (list) name.resize(name.size() - 2);
    if (name.starts_with("*")) name = "file" + name.substr(1);  // *_sd_configs
    yaml = "{" + name + ": " + (list ? "[" + yaml + "]" : yaml) + "}";
  }
  return yaml;
}

// The error ParseConfig gives for `yaml` ("" if none).
std::string ParseError(const std::string& yaml) {
  StatusOr<server::ConfigFile> config = server::ParseConfig(yaml);
  return config.ok() ? "" : std::string(config.status().message());
}

// The field names config_file.cc decodes or names: `key == "name"`, the
// entries of its k...[] name tables, and `ends_with("_suffix")` as
// "*_suffix".
std::set<std::string> ParserFieldNames(const std::string& source) {
  std::set<std::string> names;
  static const std::regex kKey(R"re(key == "([a-z0-9_]+)")re");
  static const std::regex kTable(R"re(k\w+\[\] = \{([^}]*)\})re");
  static const std::regex kLiteral(R"re("([a-z0-9_]+)")re");
  static const std::regex kSuffix(R"re(ends_with\("(_[a-z0-9_]+)"\))re");
  for (std::sregex_iterator it(source.begin(), source.end(), kKey), end;
       it != end; ++it) {
    names.insert((*it)[1]);
  }
  for (std::sregex_iterator it(source.begin(), source.end(), kTable), end;
       it != end; ++it) {
    const std::string table = (*it)[1];
    for (std::sregex_iterator lit(table.begin(), table.end(), kLiteral);
         lit != end; ++lit) {
      names.insert((*lit)[1]);
    }
  }
  for (std::sregex_iterator it(source.begin(), source.end(), kSuffix), end;
       it != end; ++it) {
    names.insert("*" + std::string((*it)[1]));
  }
  return names;
}

// `flags_reference.py --check PAGE`: its exit code, and its output in *out.
int CheckFlagReference(const std::string& page_path, std::string* out) {
  int code = 0;
  *out = testing::RunCommand(
      "python3 '" + testing::SourceDir() +
          "/tools/docgen/flags_reference.py' --strata-server '" +
          Tool("strata-server") + "' --strata-tsdb '" + Tool("strata-tsdb") +
          "' --check '" + page_path + "' 2>&1",
      &code);
  return code;
}

TEST(ConfigurationReferenceTest, FlagReferenceIsTheGeneratedOne) {
  std::string out;
  EXPECT_EQ(CheckFlagReference(DocsDir() + "/" + kPage, &out), 0) << out;
}

TEST(ConfigurationReferenceTest, StaleFlagReferenceIsDetected) {
  std::string page = ReadPage(kPage);
  const std::string row = "| `--web.listen-address` |";
  const size_t at = page.find(row);
  ASSERT_NE(at, std::string::npos);
  page.erase(at, page.find('\n', at) + 1 - at);  // A flag lacks its row.
  testing::TempDir dir("strata-docs-stale");
  ASSERT_TRUE(dir.ok());
  testing::WriteFile(dir.Join(kPage), page);
  std::string out;
  EXPECT_EQ(CheckFlagReference(dir.Join(kPage), &out), 1) << out;
  EXPECT_NE(out.find("+" + row), std::string::npos) << out;
}

TEST(ConfigurationReferenceTest, FlagsNamedInTheProseExist) {
  const std::string page = ReadPage(kPage);
  const size_t begin = page.find(kGeneratedBegin);
  const size_t end = page.find(kGeneratedEnd);
  ASSERT_NE(begin, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  const std::string generated = page.substr(begin, end - begin);
  // The prose, and the lines of the blocks that run strata-server or
  // strata-tsdb (other programs' flags, curl's say, are theirs).
  std::string text = ProseText(page.substr(0, begin) + page.substr(end));
  for (const FencedBlock& block : FencedBlocks(page.substr(0, begin))) {
    std::istringstream lines(block.body);
    for (std::string line; std::getline(lines, line);) {
      if (line.find("strata-") != std::string::npos) text += line + "\n";
    }
  }
  // Not inside a longer run of dashes (a heading anchor's "---").
  static const std::regex kFlag(R"((?:^|[^-\w])(--[a-z][a-z0-9.-]*[a-z0-9]))");
  int named = 0;
  for (std::sregex_iterator it(text.begin(), text.end(), kFlag), last;
       it != last; ++it, ++named) {
    const std::string flag = (*it)[1];
    if (flag == "--help" || flag == "--version") continue;
    EXPECT_NE(generated.find("`" + flag + "`"), std::string::npos)
        << "docs/" << kPage << " names " << flag
        << ", which neither strata-server nor strata-tsdb has";
  }
  EXPECT_GT(named, 0);
}

TEST(ConfigurationReferenceTest, EveryDocumentedFieldIsKnownToTheParser) {
  const std::vector<std::string> fields = DocumentedFields(ReadPage(kPage));
  ASSERT_GE(fields.size(), 20u)
      << "the table under \"" << kFieldsHeading << "\" was not found";
  for (const std::string& path : fields) {
    const std::string leaf = Leaf(path);
    const std::string error = ParseError(ProbeYaml(path, ""));
    const std::string name =
        leaf.starts_with("*") ? "file" + leaf.substr(1) : leaf;
    EXPECT_EQ(error.find("field " + name + " not found"), std::string::npos)
        << path << " is documented but the parser does not know it: " << error;
    // The control: an unknown name at the same place is refused.
    EXPECT_NE(ParseError(ProbeYaml(path, kUnknownField))
                  .find(std::string("field ") + kUnknownField + " not found"),
              std::string::npos)
        << path;
  }
}

TEST(ConfigurationReferenceTest, EveryFieldOfTheParserIsDocumented) {
  std::set<std::string> documented;
  for (const std::string& path : DocumentedFields(ReadPage(kPage))) {
    documented.insert(Leaf(path));
  }
  const std::set<std::string> names = ParserFieldNames(testing::ReadFileOrEmpty(
      testing::SourceDir() + "/tools/strata-server/config_file.cc"));
  ASSERT_GE(names.size(), 20u);
  for (const std::string& name : names) {
    EXPECT_EQ(documented.count(name), 1u)
        << "configuration field " << name << " (config_file.cc) is not in "
        << "the table of docs/" << kPage;
  }
}

}  // namespace
}  // namespace strata::docs
