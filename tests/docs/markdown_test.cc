#include "markdown.h"

#include "gtest/gtest.h"

namespace strata::docs {
namespace {

TEST(MarkdownTest, FencedBlocksKeepInfoBodyAndLine) {
  const std::string page =
      "# T\n\n```bash run\necho a\n```\ntext\n~~~yaml\nk: v\n~~~\n"
      "````bash\n```\ninside\n````\n```\nopen\n";
  const std::vector<FencedBlock> blocks = FencedBlocks(page);
  ASSERT_EQ(blocks.size(), 4u);
  EXPECT_EQ(blocks[0].info, "bash run");
  EXPECT_EQ(blocks[0].body, "echo a\n");
  EXPECT_EQ(blocks[0].line, 3);
  EXPECT_EQ(blocks[1].info, "yaml");
  EXPECT_EQ(blocks[1].body, "k: v\n");
  EXPECT_EQ(blocks[2].body, "```\ninside\n");  // A longer fence nests.
  EXPECT_FALSE(blocks[3].closed);
  EXPECT_TRUE(blocks[0].closed);
  const std::vector<FencedBlock> runnable = RunnableBlocks(page);
  ASSERT_EQ(runnable.size(), 1u);
  EXPECT_EQ(runnable[0].line, 3);
}

TEST(MarkdownTest, MisspelledRunnableInfo) {
  EXPECT_FALSE(LooksLikeMisspelledRunnable("bash run"));
  EXPECT_FALSE(LooksLikeMisspelledRunnable("bash"));
  EXPECT_FALSE(LooksLikeMisspelledRunnable("runbook"));
  EXPECT_TRUE(LooksLikeMisspelledRunnable("sh run"));
  EXPECT_TRUE(LooksLikeMisspelledRunnable("bash  run"));
  EXPECT_TRUE(LooksLikeMisspelledRunnable("run"));
  EXPECT_TRUE(LooksLikeMisspelledRunnable("bash run=yes"));
}

TEST(MarkdownTest, LinksOutsideCode) {
  const std::string page =
      "See [a](a.md#x) and ![img](i.png \"t\") and `[no](code.md)`.\n"
      "```\n[no](block.md)\n```\n[b](https://e.com)\n";
  const std::vector<Link> links = Links(page);
  ASSERT_EQ(links.size(), 3u);
  EXPECT_EQ(links[0].target, "a.md#x");
  EXPECT_EQ(links[1].target, "i.png");
  EXPECT_EQ(links[2].target, "https://e.com");
  EXPECT_EQ(links[2].line, 5);
}

TEST(MarkdownTest, ProseTextLeavesOutBlocks) {
  EXPECT_EQ(ProseText("a\n```bash\nb\n```\nc\n"), "a\nc\n");
}

TEST(MarkdownTest, HeadingAnchorsAsGitHub) {
  const std::set<std::string> anchors = HeadingAnchors(
      "# Getting started\n## Point Prometheus (agent mode) at Strata\n"
      "## Step 1: `make`\n## Step 1: `make`\n```\n# not a heading\n```\n");
  EXPECT_EQ(anchors,
            (std::set<std::string>{"getting-started",
                                   "point-prometheus-agent-mode-at-strata",
                                   "step-1-make", "step-1-make-1"}));
}

}  // namespace
}  // namespace strata::docs
