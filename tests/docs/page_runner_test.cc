#include "page_runner.h"

#include <signal.h>

#include <cstdlib>

#include "gtest/gtest.h"
#include "temp_dir.h"
#include "text_file.h"

namespace strata::docs {
namespace {

std::vector<FencedBlock> Blocks(std::vector<std::string> bodies) {
  std::vector<FencedBlock> blocks;
  int line = 1;
  for (std::string& body : bodies) {
    FencedBlock b;
    b.info = std::string(kRunnableInfo);
    b.body = std::move(body);
    b.line = line;
    line += 10;
    blocks.push_back(std::move(b));
  }
  return blocks;
}

class PageRunnerTest : public ::testing::Test {
 protected:
  PageRunResult Run(std::vector<std::string> bodies,
                    std::chrono::seconds timeout = std::chrono::seconds(60)) {
    PageRunOptions options;
    options.work_dir = work_.path();
    options.scratch_dir = scratch_.path();
    options.environment = {"PATH=/usr/bin:/bin", "GREETING=hello"};
    options.timeout = timeout;
    return RunPage(Blocks(std::move(bodies)), options);
  }
  testing::TempDir work_{"strata-runner-work"};
  testing::TempDir scratch_{"strata-runner-scratch"};
};

TEST_F(PageRunnerTest, BlocksShareOneShellInTheWorkDir) {
  const PageRunResult run =
      Run({"x=$GREETING; echo one > f\n", "echo \"$x $(cat f) $PWD\"\n"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.last_block, 1);
  EXPECT_NE(run.output.find("hello one " + work_.path()), std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find(BlockMarker(1, Blocks({"", ""})[1])),
            std::string::npos);
}

TEST_F(PageRunnerTest, FailingBlockIsTheOneReportedAndLaterOnesDoNotRun) {
  const PageRunResult run =
      Run({"true\n", "false | cat\necho after\n", "echo third\n"});
  EXPECT_EQ(run.exit_code, 1);  // pipefail and errexit.
  EXPECT_EQ(run.last_block, 1);
  EXPECT_EQ(run.output.find("after"), std::string::npos);
  EXPECT_EQ(run.output.find("third"), std::string::npos);
}

TEST_F(PageRunnerTest, UnsetVariableFails) {
  const PageRunResult run = Run({"echo $NOT_SET_ANYWHERE\n"});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.output.find("NOT_SET_ANYWHERE"), std::string::npos);
}

TEST_F(PageRunnerTest, BackgroundProcessesAreEndedAfterThePage) {
  const PageRunResult run = Run({"sleep 1000 & echo $! > pid\n"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const pid_t pid =
      std::atoi(testing::ReadFileOrEmpty(work_.Join("pid")).c_str());
  ASSERT_GT(pid, 0);
  EXPECT_NE(kill(pid, 0), 0) << "the page's sleep is still running";
}

TEST_F(PageRunnerTest, TimeoutEndsThePageAndNamesTheBlock) {
  const auto start = std::chrono::steady_clock::now();
  const PageRunResult run =
      Run({"true\n", "sleep 1000\n"}, std::chrono::seconds(1));
  EXPECT_TRUE(run.timed_out);
  EXPECT_EQ(run.last_block, 1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

}  // namespace
}  // namespace strata::docs
