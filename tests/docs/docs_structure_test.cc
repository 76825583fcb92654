// The docs pages are well-formed: every fenced block is closed, a block
// meant to run says exactly ```bash run (and parses as bash on its own),
// and relative links between pages (and to the repository) resolve,
// anchors included.
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
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

}  // namespace
}  // namespace strata::docs
