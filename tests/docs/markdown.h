// The parts of a Markdown page the docs tests look at: fenced code blocks
// (with their info string), links, and the anchors GitHub gives headings.
// CommonMark's fences: a line of three or more backticks (or tildes),
// indented at most three spaces, opens a block that a line of at least as
// many of the same character closes.
//
// Thread-safety: pure functions.
#ifndef STRATA_TESTS_DOCS_MARKDOWN_H_
#define STRATA_TESTS_DOCS_MARKDOWN_H_

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace strata::docs {

// The info string of a block that the docs runner executes; any other
// block is only shown.
inline constexpr std::string_view kRunnableInfo = "bash run";

struct FencedBlock {
  std::string info;    // Trimmed, e.g. "bash run", "yaml", "".
  std::string body;    // The lines between the fences, each ending in '\n'.
  int line = 0;        // 1-based line of the opening fence.
  bool closed = true;  // False if the page ended inside the block.
};

std::vector<FencedBlock> FencedBlocks(std::string_view page);

// The blocks whose info string is exactly kRunnableInfo.
std::vector<FencedBlock> RunnableBlocks(std::string_view page);

// True for an info string that looks meant to be runnable but is not
// exactly kRunnableInfo ("bash  run", "sh run", "bash run ", "run").
bool LooksLikeMisspelledRunnable(std::string_view info);

// The page's lines outside fenced blocks, each ending in '\n'.
std::string ProseText(std::string_view page);

struct Link {
  std::string target;  // As written: "runbooks/x.md#fix", "https://...".
  int line = 0;
};

// Inline links and images, [text](target) and ![alt](target), outside code
// blocks and code spans.
std::vector<Link> Links(std::string_view page);

// The anchors of the page's headings as GitHub makes them: lower case,
// punctuation other than '-' and '_' removed, spaces to '-', "-1", "-2"...
// appended to repeats.
std::set<std::string> HeadingAnchors(std::string_view page);

}  // namespace strata::docs

#endif  // STRATA_TESTS_DOCS_MARKDOWN_H_
