#include "markdown.h"

#include <cctype>
#include <map>

namespace strata::docs {
namespace {

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

// A fence line: its character and length, and what follows it.
struct Fence {
  char ch = 0;
  size_t length = 0;
  std::string_view rest;
};

bool ParseFence(std::string_view line, Fence* fence) {
  size_t indent = 0;
  while (indent < line.size() && line[indent] == ' ') ++indent;
  if (indent > 3 || indent >= line.size()) return false;
  const char ch = line[indent];
  if (ch != '`' && ch != '~') return false;
  size_t n = 0;
  while (indent + n < line.size() && line[indent + n] == ch) ++n;
  if (n < 3) return false;
  fence->ch = ch;
  fence->length = n;
  fence->rest = line.substr(indent + n);
  // A backtick fence's info string may not contain a backtick.
  return ch != '`' || fence->rest.find('`') == std::string_view::npos;
}

bool Closes(std::string_view line, const Fence& open) {
  Fence f;
  return ParseFence(line, &f) && f.ch == open.ch && f.length >= open.length &&
         Trim(f.rest).empty();
}

// Calls `visit(line, line_number)` for each line outside fenced blocks.
template <typename Visit>
void ForEachProseLine(std::string_view page, Visit&& visit) {
  const std::vector<std::string_view> lines = SplitLines(page);
  for (size_t i = 0; i < lines.size(); ++i) {
    Fence open;
    if (!ParseFence(lines[i], &open)) {
      visit(lines[i], static_cast<int>(i + 1));
      continue;
    }
    while (i + 1 < lines.size() && !Closes(lines[i + 1], open)) ++i;
    ++i;  // The closing fence.
  }
}

// `line` without its code spans (`...`, ``...``).
std::string WithoutCodeSpans(std::string_view line) {
  std::string out;
  size_t i = 0;
  while (i < line.size()) {
    if (line[i] != '`') {
      out += line[i++];
      continue;
    }
    size_t n = 0;
    while (i + n < line.size() && line[i + n] == '`') ++n;
    const std::string ticks(n, '`');
    const size_t close = line.find(ticks, i + n);
    if (close == std::string_view::npos) {
      out.append(line.substr(i, n));
      i += n;
      continue;
    }
    i = close + n;
  }
  return out;
}

}  // namespace

std::vector<FencedBlock> FencedBlocks(std::string_view page) {
  std::vector<FencedBlock> blocks;
  const std::vector<std::string_view> lines = SplitLines(page);
  for (size_t i = 0; i < lines.size(); ++i) {
    Fence open;
    if (!ParseFence(lines[i], &open)) continue;
    FencedBlock block;
    block.info = std::string(Trim(open.rest));
    block.line = static_cast<int>(i + 1);
    block.closed = false;
    for (++i; i < lines.size(); ++i) {
      if (Closes(lines[i], open)) {
        block.closed = true;
        break;
      }
      block.body.append(lines[i]).push_back('\n');
    }
    blocks.push_back(std::move(block));
  }
  return blocks;
}

std::vector<FencedBlock> RunnableBlocks(std::string_view page) {
  std::vector<FencedBlock> runnable;
  for (FencedBlock& block : FencedBlocks(page)) {
    if (block.info == kRunnableInfo) runnable.push_back(std::move(block));
  }
  return runnable;
}

bool LooksLikeMisspelledRunnable(std::string_view info) {
  if (info == kRunnableInfo) return false;
  const size_t run = info.find("run");
  if (run == std::string_view::npos) return false;
  const bool word_start =
      run == 0 || !std::isalnum(static_cast<unsigned char>(info[run - 1]));
  const bool word_end =
      run + 3 == info.size() ||
      !std::isalnum(static_cast<unsigned char>(info[run + 3]));
  return word_start && word_end;
}

std::string ProseText(std::string_view page) {
  std::string prose;
  ForEachProseLine(page, [&](std::string_view line, int) {
    prose.append(line).push_back('\n');
  });
  return prose;
}

std::vector<Link> Links(std::string_view page) {
  std::vector<Link> links;
  ForEachProseLine(page, [&](std::string_view raw, int line_number) {
    const std::string line = WithoutCodeSpans(raw);
    for (size_t i = line.find("]("); i != std::string::npos;
         i = line.find("](", i + 2)) {
      const size_t end = line.find(')', i + 2);
      if (end == std::string::npos) break;
      std::string target = line.substr(i + 2, end - i - 2);
      // [text](target "title")
      if (const size_t space = target.find(' '); space != std::string::npos) {
        target.resize(space);
      }
      if (!target.empty()) links.push_back({std::move(target), line_number});
    }
  });
  return links;
}

std::set<std::string> HeadingAnchors(std::string_view page) {
  std::set<std::string> anchors;
  std::map<std::string, int> seen;
  ForEachProseLine(page, [&](std::string_view line, int) {
    if (line.empty() || line.front() != '#') return;
    size_t level = 0;
    while (level < line.size() && line[level] == '#') ++level;
    if (level > 6 || level >= line.size() || line[level] != ' ') return;
    std::string anchor;
    for (char c : Trim(line.substr(level))) {
      const unsigned char u = static_cast<unsigned char>(c);
      if (std::isalnum(u) || c == '-' || c == '_' || u >= 0x80) {
        anchor += static_cast<char>(std::tolower(u));
      } else if (c == ' ') {
        anchor += '-';
      }
    }
    const int n = seen[anchor]++;
    anchors.insert(n == 0 ? anchor : anchor + "-" + std::to_string(n));
  });
  return anchors;
}

}  // namespace strata::docs
