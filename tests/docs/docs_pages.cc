#include "docs_pages.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>

#include "test_env.h"
#include "text_file.h"

namespace strata::docs {
namespace {

namespace fs = std::filesystem;

constexpr const char* kProvidedPrograms[] = {"prometheus",
                                             "promtool",
                                             "prometheus-alertmanager",
                                             "prometheus-node-exporter",
                                             "amtool",
                                             "curl",
                                             "jq",
                                             "python3"};

// The words of a script, split at whitespace and shell punctuation, each
// reduced to its last path component ("/usr/bin/jq" gives "jq").
std::set<std::string> Words(const std::string& script) {
  std::set<std::string> words;
  std::string word;
  const auto flush = [&] {
    if (word.empty()) return;
    const size_t slash = word.rfind('/');
    words.insert(slash == std::string::npos ? word : word.substr(slash + 1));
    word.clear();
  };
  for (char c : script) {
    if (std::string_view(" \t\n;|&()<>`'\"$={}").find(c) !=
        std::string_view::npos) {
      flush();
    } else {
      word += c;
    }
  }
  flush();
  return words;
}

bool OnPath(const std::string& program, const std::string& path) {
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && access((dir + "/" + program).c_str(), X_OK) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string DocsDir() { return testing::SourceDir() + "/docs"; }

std::vector<std::string> DocsPages() {
  std::vector<std::string> pages;
  std::error_code ec;
  const fs::path root = DocsDir();
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it.depth() > 1) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && it->path().extension() == ".md") {
      pages.push_back(fs::relative(it->path(), root).string());
    }
  }
  std::sort(pages.begin(), pages.end());
  return pages;
}

std::string ReadPage(const std::string& relative_path) {
  return testing::ReadFileOrEmpty(DocsDir() + "/" + relative_path);
}

std::string PageTestName(const std::string& relative_path) {
  std::string name = relative_path;
  if (name.ends_with(".md")) name.resize(name.size() - 3);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

std::string PagePath() {
  const std::string build = testing::BinaryDir() + "/tools";
  const char* inherited = std::getenv("PATH");
  return build + "/strata-server:" + build +
         "/strata-tsdb:/usr/bin:/bin:" + "/usr/sbin:/sbin" +
         (inherited != nullptr ? std::string(":") + inherited : "");
}

std::vector<std::string> MissingPrograms(const std::string& script,
                                         const std::string& path) {
  const std::set<std::string> words = Words(script);
  std::vector<std::string> missing;
  for (const char* program : kProvidedPrograms) {
    if (words.count(program) > 0 && !OnPath(program, path)) {
      missing.push_back(program);
    }
  }
  return missing;
}

}  // namespace strata::docs
