// Seeds of the text-parsing targets: PromQL (every expression of the
// conformance scripts), label matchers, OpenMetrics text, rule files (the
// repository's test and example rule files), meta.json and web configs
// (the string literals of the web config tests).
#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "seed_writer.h"

namespace strata::fuzz {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kQueries[] = {
    "up",
    "sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m]))",
    "histogram_quantile(0.9, sum by (le) (rate(x_bucket[1m])))",
    "max_over_time(vector(1)[1h:1m] offset 5m @ 100)",
    "a + on(b) group_left(c) d unless e or f and g",
    "-(1 + 2) ^ 3 % 4 * -5 / 0x1f",
    "label_replace(up, \"a\", \"$1\", \"b\", \"(.*)\")",
    "topk(3, count_values(\"v\", up)) > bool 1",
    "{__name__=~\"a|b\", job!=\"x\"}[5m:] @ start()",
    "time() - timestamp(up) offset -1h",
    "quantile_over_time(0.5, up[1d]) != NaN",
    "\"a string\"",
    "`raw\\string`",
    "sort_desc(absent_over_time(nonexistent{a=\"\\u00e9\\n\"}[1m]))",
};

// The expression of each `eval instant at <time> <expr>` line.
void AddConformanceQueries(const fs::path& dir, SeedWriter* out) {
  if (!fs::is_directory(dir)) return;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".test") continue;
    std::istringstream lines(ReadWholeFile(e.path()));
    for (std::string line; std::getline(lines, line);) {
      if (!line.starts_with("eval")) continue;
      const size_t at = line.find(" at ");
      if (at == std::string::npos) continue;
      const size_t expr = line.find(' ', at + 4);
      if (expr == std::string::npos) continue;
      out->Add("promql_fuzzer", std::string_view(line).substr(expr + 1));
    }
  }
}

// Matcher seeds: type byte, name, NUL, value, NUL, values to test.
void AddMatchers(SeedWriter* out) {
  struct Seed {
    char type;
    std::string_view rest;
  };
  using namespace std::string_view_literals;
  for (const Seed& s : {
           Seed{0, "job\0api\0api\0web"sv},
           Seed{1, "job\0\0a"sv},
           Seed{2, "job\0api|web|db\0web\0x"sv},
           Seed{2, "path\0/api/v1/.*\0/api/v1/query\0/api"sv},
           Seed{2, "a\0ab?c*\0a\0abc\0ac"sv},
           Seed{3, "code\0(?i)5..\0500\0404"sv},
           Seed{2, "x\0\\.\\*|\\|\0.*\0|"sv},
           Seed{2, "e\0\xc3\xa9t\xc3\xa9?\0\xc3\xa9t\0\xc3\xa9"sv},
           Seed{3, "__name__\0foo_[a-z]+\0foo_bar"sv},
       }) {
    std::string seed(1, s.type);
    seed.append(s.rest);
    out->Add("label_matcher_fuzzer", seed);
  }
}

void AddOpenMetrics(SeedWriter* out) {
  out->Add("openmetrics_fuzzer",
           "# HELP http_requests_total Requests.\n"
           "# TYPE http_requests_total counter\n"
           "# UNIT http_requests_total requests\n"
           "http_requests_total{code=\"200\",path=\"/a\\\"b\\\\c\\n\"} 1027 "
           "1600000000.123\n"
           "http_requests_total{code=\"200\",path=\"/a\\\"b\\\\c\\n\"} 1028.5 "
           "1600000015\n"
           "up 1 -1.5 # {trace_id=\"abc\"} 1 1600000000\n"
           "{__name__=\"x\",a=\"b\"} NaN 1e3\n"
           "y +Inf 0.001\n"
           "z -Inf 1600000000.0005\n"
           "# EOF\n");
  out->Add("openmetrics_fuzzer", "a 1 1\nb{} 0x1p-3 2\n");
}

void AddRuleFiles(const fs::path& source, SeedWriter* out) {
  for (const char* dir :
       {"tests/ruletest/corpus/rules", "examples/stack/rules", "tests/rules"}) {
    if (!fs::is_directory(source / dir)) continue;
    for (const fs::directory_entry& e : fs::directory_iterator(source / dir)) {
      if (e.path().extension() == ".yml" || e.path().extension() == ".yaml") {
        out->Add("rule_file_fuzzer", ReadWholeFile(e.path()));
      }
    }
  }
  out->Add("rule_file_fuzzer",
           "groups:\n- name: g\n  interval: 30s\n  limit: 10\n  rules:\n"
           "  - alert: HighLoad\n    expr: load > 1\n    for: 5m\n"
           "    keep_firing_for: 1m\n    labels: {severity: page}\n"
           "    annotations:\n      summary: '{{ $labels.instance }} at {{ "
           "$value | humanize }}'\n"
           "  - record: job:up:sum\n    expr: sum by (job) (up)\n");
}

void AddBlockMetas(SeedWriter* out) {
  out->Add("block_meta_fuzzer",
           "{\n\t\"ulid\": \"01GQZ8E4GQ0H1YJ1K8Q6WQ6Y2V\",\n\t\"minTime\": "
           "1600000000000,\n\t\"maxTime\": 1600007200000,\n\t\"stats\": {\n"
           "\t\t\"numSamples\": 10,\n\t\t\"numSeries\": 2,\n\t\t\"numChunks\": "
           "2,\n\t\t\"numTombstones\": 1\n\t},\n\t\"compaction\": {\n"
           "\t\t\"level\": 2,\n\t\t\"sources\": [\n\t\t\t"
           "\"01GQZ8E4GQ0H1YJ1K8Q6WQ6Y2V\"\n\t\t],\n\t\t\"deletable\": true,\n"
           "\t\t\"parents\": [\n\t\t\t{\n\t\t\t\t\"ulid\": "
           "\"01GQZ8E4GQ0H1YJ1K8Q6WQ6Y2W\",\n\t\t\t\t\"minTime\": 1,\n"
           "\t\t\t\t\"maxTime\": 2\n\t\t\t}\n\t\t],\n\t\t\"failed\": true\n"
           "\t},\n\t\"version\": 1\n}\n");
}

// The position after the token at `i` of C++ source `code` that is not a
// string literal: a comment, a character literal or one character.
size_t SkipToken(std::string_view code, size_t i) {
  if (code.substr(i, 2) == "//")
    return std::min(code.find('\n', i), code.size());
  if (code.substr(i, 2) == "/*") {
    const size_t end = code.find("*/", i + 2);
    return end == std::string_view::npos ? code.size() : end + 2;
  }
  if (code[i] != '\'') return i + 1;
  for (++i; i < code.size() && code[i] != '\''; ++i) {
    if (code[i] == '\\') ++i;
  }
  return i + 1;
}

// The string literals of C++ source `code`, adjacent ones joined as the
// compiler joins them: plain literals with their simple escapes (\n, \t,
// \", \\, \') and raw literals R"(...)".
std::vector<std::string> StringLiterals(std::string_view code) {
  std::vector<std::string> literals;
  bool joining = false;  // Only whitespace since the last literal.
  for (size_t i = 0; i < code.size();) {
    const char c = code[i];
    if (c == ' ' || c == '\n' || c == '\t') {
      ++i;
      continue;
    }
    std::string literal;
    if (code.substr(i, 3) == "R\"(") {
      const size_t end = code.find(")\"", i + 3);
      if (end == std::string_view::npos) break;
      literal = code.substr(i + 3, end - i - 3);
      i = end + 2;
    } else if (c == '"') {
      for (++i; i < code.size() && code[i] != '"'; ++i) {
        if (code[i] != '\\' || i + 1 == code.size()) {
          literal.push_back(code[i]);
          continue;
        }
        const char e = code[++i];
        literal.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
      }
      ++i;
    } else {
      joining = false;
      i = SkipToken(code, i);
      continue;
    }
    if (joining) {
      literals.back() += literal;
    } else {
      literals.push_back(std::move(literal));
    }
    joining = true;
  }
  return literals;
}

// Web configs, Authorization headers and bcrypt hashes: the literals of
// the web config tests that are one of them, and a complete file.
void AddWebConfigs(const fs::path& source, SeedWriter* out) {
  constexpr std::string_view kMarkers[] = {"tls_server_config",
                                           "http_server_config",
                                           "basic_auth_users",
                                           "Basic ",
                                           "basic ",
                                           "$2"};
  for (const char* test :
       {"tests/server/web_config_test.cc", "tests/e2e/tls_auth_test.cc"}) {
    for (const std::string& literal :
         StringLiterals(ReadWholeFile(source / test))) {
      for (std::string_view marker : kMarkers) {
        if (literal.find(marker) == std::string::npos) continue;
        out->Add("web_config_fuzzer", literal);
        break;
      }
    }
  }
  out->Add(
      "web_config_fuzzer",
      "tls_server_config:\n"
      "  cert_file: tls/server.crt\n"
      "  key_file: /abs/server.key\n"
      "  client_auth_type: RequireAndVerifyClientCert\n"
      "  client_ca_file: ../ca.crt\n"
      "  min_version: TLS12\n"
      "  max_version: TLS13\n"
      "  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256]\n"
      "  curve_preferences: [X25519, CurveP256, CurveP384, CurveP521]\n"
      "  prefer_server_cipher_suites: false\n"
      "http_server_config:\n"
      "  http2: false\n"
      "  headers:\n"
      "    X-Frame-Options: deny\n"
      "    X-Content-Type-Options: nosniff\n"
      "    Strict-Transport-Security: max-age=31536000\n"
      "basic_auth_users:\n"
      "  alice: $2b$10$v2iHkQ60SWKgyZK/fZGbh./0D9jzwJa3ifif9MJzfQOC1dEmO8sy.\n"
      "  bob: "
      "'$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi'\n");
}

}  // namespace

void AddTextSeeds(const std::string& source_dir, SeedWriter* out) {
  const fs::path source(source_dir);
  for (std::string_view q : kQueries) out->Add("promql_fuzzer", q);
  AddConformanceQueries(source / ".." / "shared" / "conformance" / "promql",
                        out);
  AddMatchers(out);
  AddOpenMetrics(out);
  AddRuleFiles(source, out);
  AddBlockMetas(out);
  AddWebConfigs(source, out);
}

}  // namespace strata::fuzz
