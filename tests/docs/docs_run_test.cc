// Executes every docs page's runnable blocks (```bash run) against the
// real binaries, one test per page (docs/*.md and docs/*/*.md), as
// page_runner.h describes: one `bash -euo pipefail` process per page, in a
// fresh directory, with free loopback ports in STRATA_PORT, STRATA_PORT2,
// PROM_PORT, PROM_PORT2, AM_PORT, AM_PORT2, AM_CLUSTER_PORT,
// AM_CLUSTER_PORT2 and NODE_PORT, DOCS_DIR and REPO_DIR, and PATH starting
// with the build's strata-server and strata-tsdb, then Debian's programs.
// A page passes when its script exits 0 within DOCS_PAGE_TIMEOUT seconds
// (default 300); the failing block and its output are reported.
#include <unistd.h>

#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "docs_pages.h"
#include "free_port.h"
#include "gtest/gtest.h"
#include "markdown.h"
#include "page_runner.h"
#include "temp_dir.h"
#include "test_env.h"

namespace strata::docs {
namespace {

constexpr const char* kPortVariables[] = {
    "STRATA_PORT",     "STRATA_PORT2",     "PROM_PORT",
    "PROM_PORT2",      "AM_PORT",          "AM_PORT2",
    "AM_CLUSTER_PORT", "AM_CLUSTER_PORT2", "NODE_PORT"};
// At most this much of a failing block's output goes into the report.
constexpr size_t kMaxReportedOutput = 30000;

std::chrono::seconds PageTimeout() {
  const char* env = std::getenv("DOCS_PAGE_TIMEOUT");
  const int seconds = env != nullptr ? std::atoi(env) : 0;
  return std::chrono::seconds(seconds > 0 ? seconds : 300);
}

// The inherited environment with the runner's variables set.
std::vector<std::string> PageEnvironment(const std::string& work_dir) {
  std::vector<std::string> env;
  std::set<std::string> ours = {"PATH", "DOCS_DIR", "REPO_DIR", "PWD"};
  for (const char* name : kPortVariables) ours.insert(name);
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    if (ours.count(entry.substr(0, entry.find('='))) == 0) env.push_back(entry);
  }
  env.push_back("PATH=" + PagePath());
  env.push_back("DOCS_DIR=" + DocsDir());
  env.push_back("REPO_DIR=" + testing::SourceDir());
  env.push_back("PWD=" + work_dir);
  std::set<int> taken;
  for (const char* name : kPortVariables) {
    int port = 0;
    for (int attempt = 0; attempt < 100 && (port == 0 || taken.count(port));
         ++attempt) {
      port = testing::FreeLoopbackPort();
    }
    taken.insert(port);
    env.push_back(std::string(name) + "=" + std::to_string(port));
  }
  return env;
}

// The output from the marker of block `index` on, at most the last
// kMaxReportedOutput bytes.
std::string OutputOfBlock(const std::string& output, int index,
                          const FencedBlock& block) {
  size_t from = output.rfind(BlockMarker(index, block));
  if (from == std::string::npos) from = 0;
  if (output.size() - from > kMaxReportedOutput) {
    from = output.size() - kMaxReportedOutput;
  }
  return output.substr(from);
}

class DocsPageRunTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DocsPageRunTest, RunnableBlocksSucceed) {
  const std::string page = GetParam();
  const std::vector<FencedBlock> blocks = RunnableBlocks(ReadPage(page));
  if (blocks.empty()) GTEST_SKIP() << page << " has no ```bash run blocks";
  for (const char* tool :
       {"strata-server/strata-server", "strata-tsdb/strata-tsdb"}) {
    const std::string path = testing::BinaryDir() + "/tools/" + tool;
    ASSERT_EQ(access(path.c_str(), X_OK), 0) << "not built: " << path;
  }
  std::string script;
  for (const FencedBlock& b : blocks) script += b.body;
  for (const std::string& program : MissingPrograms(script, PagePath())) {
    STRATA_SKIP_OR_FAIL_IF_MISSING(program + " (used by docs/" + page + ")");
  }

  testing::TempDir work("strata-docs-" + PageTestName(page));
  testing::TempDir scratch("strata-docs-runner");
  ASSERT_TRUE(work.ok() && scratch.ok());
  PageRunOptions options;
  options.work_dir = work.path();
  options.scratch_dir = scratch.path();
  options.environment = PageEnvironment(work.path());
  options.timeout = PageTimeout();
  const PageRunResult run = RunPage(blocks, options);

  if (run.exit_code == 0) return;
  if (HasFailure()) return;
  work.Keep();
  const int index = run.last_block;
  if (index < 0 || index >= static_cast<int>(blocks.size())) {
    ADD_FAILURE() << "docs/" << page << ": the script failed before its "
                  << "first block (exit " << run.exit_code << "):\n"
                  << run.output;
    return;
  }
  const FencedBlock& block = blocks[index];
  ADD_FAILURE() << "docs/" << page << ":" << block.line << ": block "
                << index + 1 << " of " << blocks.size()
                << (run.timed_out ? " was still running at the timeout ("
                                  : " failed (exit ")
                << (run.timed_out
                        ? std::to_string(options.timeout.count()) + " s)"
                        : std::to_string(run.exit_code) + ")")
                << "; the page's directory is kept in " << work.path()
                << "\n--- block:\n"
                << block.body << "--- output:\n"
                << OutputOfBlock(run.output, index, block);
}

INSTANTIATE_TEST_SUITE_P(Docs, DocsPageRunTest,
                         ::testing::ValuesIn(DocsPages()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return PageTestName(info.param);
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(DocsPageRunTest);

}  // namespace
}  // namespace strata::docs
