// The docs pages are well-formed: every fenced block is closed, a block
// meant to run says exactly ```bash run (and parses as bash on its own),
// relative links between pages (and to the repository) resolve, anchors
// included, and every `make <target>` they (and the README) name exists.
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "docs_pages.h"
#include "gtest/gtest.h"
#include "markdown.h"
#include "run_command.h"
#include "temp_dir.h"
#include "text_file.h"

namespace strata::docs {
namespace {

namespace fs = std::filesystem;

bool IsExternal(const std::string& target) {
  return target.find("://") != std::string::npos ||
         target.starts_with("mailto:");
}

TEST(DocsStructureTest, PagesExist) {
  const std::vector<std::string> pages = DocsPages();
  EXPECT_NE(std::find(pages.begin(), pages.end(), "README.md"), pages.end());
  EXPECT_NE(std::find(pages.begin(), pages.end(), "getting-started.md"),
            pages.end());
}

TEST(DocsStructureTest, FencedBlocksAreClosedAndRunnableOnesParse) {
  testing::TempDir dir("strata-docs-syntax");
  ASSERT_TRUE(dir.ok());
  for (const std::string& page : DocsPages()) {
    for (const FencedBlock& block : FencedBlocks(ReadPage(page))) {
      const std::string where =
          "docs/" + page + ":" + std::to_string(block.line);
      EXPECT_TRUE(block.closed) << where << ": the block is never closed";
      EXPECT_FALSE(LooksLikeMisspelledRunnable(block.info))
          << where << ": info string \"" << block.info
          << "\"; a runnable block says exactly \"" << kRunnableInfo << "\"";
      if (block.info != kRunnableInfo) continue;
      // `! cmd` never stops a `set -e` script: the check would be a no-op.
      std::istringstream lines(block.body);
      int offset = 1;
      for (std::string line; std::getline(lines, line); ++offset) {
        const size_t first = line.find_first_not_of(" \t");
        EXPECT_FALSE(first != std::string::npos &&
                     line.compare(first, 2, "! ") == 0)
            << "docs/" << page << ":" << block.line + offset
            << ": `! command` does not fail the page under set -e; use "
            << "`if command; then exit 1; fi`";
        // Under pipefail a reader that stops early (grep -q, head) kills
        // its writer with SIGPIPE now and then: a flaky page.
        EXPECT_FALSE(
            std::regex_search(line, std::regex(R"(\|\s*(grep\s+-q|head)\b)")))
            << "docs/" << page << ":" << block.line + offset
            << ": `| grep -q` or `| head` can fail the page under pipefail "
            << "(SIGPIPE); use `grep ... >/dev/null` or a file";
      }
      const std::string file = dir.Join("block.sh");
      testing::WriteFile(file, block.body);
      int code = 0;
      const std::string err =
          testing::RunCommand("bash -n '" + file + "' 2>&1", &code);
      EXPECT_EQ(code, 0) << where << ": not valid bash on its own:\n" << err;
    }
  }
}

TEST(DocsStructureTest, RelativeLinksResolve) {
  int checked = 0;
  for (const std::string& page : DocsPages()) {
    const std::string text = ReadPage(page);
    const fs::path page_dir =
        fs::path(DocsDir()) / fs::path(page).parent_path();
    for (const Link& link : Links(text)) {
      if (IsExternal(link.target)) continue;
      const std::string where =
          "docs/" + page + ":" + std::to_string(link.line);
      const size_t hash = link.target.find('#');
      const std::string file = link.target.substr(0, hash);
      const std::string anchor =
          hash == std::string::npos ? "" : link.target.substr(hash + 1);
      const fs::path target =
          file.empty() ? fs::path(DocsDir()) / page : page_dir / file;
      ++checked;
      if (!fs::exists(target)) {
        ADD_FAILURE() << where << ": " << link.target << " does not exist";
        continue;
      }
      if (anchor.empty() || target.extension() != ".md") continue;
      const std::string target_text = testing::ReadFileOrEmpty(target);
      EXPECT_EQ(HeadingAnchors(target_text).count(anchor), 1u)
          << where << ": no heading for #" << anchor << " in " << file;
    }
  }
  EXPECT_GT(checked, 0) << "no relative links found in docs/";
}

// The targets `path` (a Makefile) defines: "name:" at the start of a line.
std::set<std::string> MakefileTargets(const fs::path& path) {
  std::set<std::string> targets;
  std::istringstream lines(testing::ReadFileOrEmpty(path));
  const std::regex rule(R"(^([A-Za-z][A-Za-z0-9_-]*)\s*:([^=]|$))");
  std::smatch m;
  for (std::string line; std::getline(lines, line);) {
    if (std::regex_search(line, m, rule)) targets.insert(m[1]);
  }
  return targets;
}

// The make targets `text` (a Markdown page) tells the reader to run: a code
// span starting `make <target>` (not after "no ", as in "there is no
// `make install`") and a line of a fenced block starting `make <target>`.
std::vector<std::string> MakeTargetsNamed(const std::string& text) {
  std::vector<std::string> named;
  const std::string prose = ProseText(text);
  const std::regex span(R"((no )?`make ([a-z][a-z0-9_-]*))");
  for (auto it = std::sregex_iterator(prose.begin(), prose.end(), span);
       it != std::sregex_iterator(); ++it) {
    if (!(*it)[1].matched) named.push_back((*it)[2]);
  }
  const std::regex command(R"(^\s*(sudo\s+)?make ([a-z][a-z0-9_-]*))");
  for (const FencedBlock& block : FencedBlocks(text)) {
    std::istringstream lines(block.body);
    std::smatch m;
    for (std::string line; std::getline(lines, line);) {
      if (std::regex_search(line, m, command)) named.push_back(m[2]);
    }
  }
  return named;
}

// What a reader of a fresh clone runs first exists: every `make <target>`
// of the pages and of the repository's README is a target of the Makefile.
TEST(DocsStructureTest, MakeTargetsNamedExist) {
  const fs::path repo = fs::path(DocsDir()).parent_path();
  const std::set<std::string> targets = MakefileTargets(repo / "Makefile");
  ASSERT_TRUE(targets.count("build") && targets.count("test"))
      << "no build and test targets found in " << (repo / "Makefile");
  std::vector<std::pair<std::string, std::string>> pages;  // name, text
  pages.emplace_back("README.md", testing::ReadFileOrEmpty(repo / "README.md"));
  for (const std::string& page : DocsPages()) {
    pages.emplace_back("docs/" + page, ReadPage(page));
  }
  int checked = 0;
  for (const auto& [name, text] : pages) {
    for (const std::string& target : MakeTargetsNamed(text)) {
      ++checked;
      EXPECT_EQ(targets.count(target), 1u)
          << name << " names `make " << target
          << "`, which the Makefile does not define";
    }
  }
  EXPECT_GT(checked, 0) << "no `make <target>` found in the pages";
}

TEST(DocsStructureTest, MakeTargetsNamedFindsSpansAndCommands) {
  EXPECT_EQ(MakeTargetsNamed("Run `make run` (there is no `make install`)."
                             "\n```bash\nsudo make deps\nmake build X=1\n"
                             "```\nprose lines that make sense\n"),
            (std::vector<std::string>{"run", "deps", "build"}));
}

}  // namespace
}  // namespace strata::docs
