// Runs the runnable blocks of one docs page as the docs tests do: all of
// them, in order, in ONE `bash -euo pipefail` process, in a directory of
// their own, with a given environment; then ends every process the page
// left running (its whole process group).
//
// The script prints a marker line before each block, so the output shows
// where each block's output starts and the block that was running when
// the script failed or timed out is known.
//
// Thread-safety: RunPage makes the calling process a child subreaper (so
// the page's orphaned background processes can be reaped) and reaps any
// child; call it from one thread of a process that runs nothing else.
#ifndef STRATA_TESTS_DOCS_PAGE_RUNNER_H_
#define STRATA_TESTS_DOCS_PAGE_RUNNER_H_

#include <chrono>
#include <string>
#include <vector>

#include "markdown.h"

namespace strata::docs {

struct PageRunOptions {
  std::string work_dir;     // The page's cwd; must exist.
  std::string scratch_dir;  // For the script, its output and progress.
  // NAME=value entries: the whole environment of the script.
  std::vector<std::string> environment;
  std::chrono::seconds timeout{300};
};

struct PageRunResult {
  int exit_code = -1;  // bash's exit code; 128+N if killed by signal N.
  bool timed_out = false;
  // The 0-based index of the block running when the script ended (the
  // failing one when exit_code != 0); -1 if none started.
  int last_block = -1;
  std::string output;  // stdout and stderr, interleaved as written.
};

// The script the blocks make: `set -euo pipefail`, then each block after
// its marker. `progress_path` receives the running block's index.
std::string PageScript(const std::vector<FencedBlock>& blocks,
                       const std::string& progress_path);

// The marker line printed before block `index` (0-based).
std::string BlockMarker(int index, const FencedBlock& block);

PageRunResult RunPage(const std::vector<FencedBlock>& blocks,
                      const PageRunOptions& options);

}  // namespace strata::docs

#endif  // STRATA_TESTS_DOCS_PAGE_RUNNER_H_
