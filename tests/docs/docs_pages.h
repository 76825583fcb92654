// Where the docs tests find the pages: every docs/*.md and docs/*/*.md of
// the repository, and what they need from the machine.
//
// Thread-safety: pure functions (they read the file system).
#ifndef STRATA_TESTS_DOCS_DOCS_PAGES_H_
#define STRATA_TESTS_DOCS_DOCS_PAGES_H_

#include <string>
#include <vector>

namespace strata::docs {

// $STRATA_SOURCE_DIR/docs.
std::string DocsDir();

// The pages relative to DocsDir(), sorted: "README.md",
// "runbooks/StrataDown.md", ...
std::vector<std::string> DocsPages();

std::string ReadPage(const std::string& relative_path);

// A gtest-safe name for a page: "runbooks/wal-corrupt.md" gives
// "runbooks_wal_corrupt".
std::string PageTestName(const std::string& relative_path);

// The directories the pages' commands are looked up in, in order: the
// build's strata-server and strata-tsdb, then Debian's, then $PATH.
std::string PagePath();

// Of the external programs the runner provides (prometheus, promtool,
// prometheus-alertmanager, prometheus-node-exporter, amtool, curl, jq,
// python3), those `script` names as a command word and `path` lacks.
std::vector<std::string> MissingPrograms(const std::string& script,
                                         const std::string& path);

}  // namespace strata::docs

#endif  // STRATA_TESTS_DOCS_DOCS_PAGES_H_
