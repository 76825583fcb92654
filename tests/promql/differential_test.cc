// Differential test against the real Prometheus 2.42: both engines query
// the same TSDB block (one hour of real scrape data recorded by Prometheus,
// ../shared/datasets/recorded-15s) and must return the same series with the
// same values, instant and range, for a corpus of queries covering every
// function family. Skipped when the `prometheus` binary or the dataset is
// missing. The server listens on 127.0.0.1 only and is stopped at the end.
// STRATA_DIFF_VERBOSE=1 lists the instant queries whose values differ in the
// last bits (Go's trigonometric functions are not glibc's).
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "free_port.h"
#include "gtest/gtest.h"
#include "http_client/http_client.h"
#include "promql/engine.h"
#include "promql/format.h"
#include "strata/db.h"
#include "temp_dir.h"
#include "test_env.h"
#include "url_encode.h"
#include "util/go_format.h"
#include "util/log.h"
#include "wait_for.h"

namespace strata::promql {
namespace {

namespace fs = std::filesystem;

// The block's samples lie in [kMinT, kMaxT].
constexpr int64_t kMinT = 1795620464632;
constexpr int64_t kMaxT = 1795624064634;

std::optional<fs::path> DatasetDir() {
  const char* src = std::getenv("STRATA_SOURCE_DIR");
#ifdef STRATA_PROMQL_TEST_SOURCE_DIR
  if (src == nullptr || *src == '\0') src = STRATA_PROMQL_TEST_SOURCE_DIR;
#endif
  if (src == nullptr) return std::nullopt;
  fs::path dir = fs::path(src) / ".." / "shared" / "datasets" / "recorded-15s";
  std::error_code ec;
  if (!fs::exists(dir / "prometheus-blocks.tar.zst", ec)) return std::nullopt;
  return dir;
}

bool HaveProgram(const char* name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::string_view p(path);
  while (!p.empty()) {
    size_t colon = p.find(':');
    fs::path candidate = fs::path(std::string(p.substr(0, colon))) / name;
    if (access(candidate.c_str(), X_OK) == 0) return true;
    if (colon == std::string_view::npos) break;
    p.remove_prefix(colon + 1);
  }
  return false;
}

// Runs argv (no shell) and returns its stdout; nullopt if it fails.
std::optional<std::string> RunCommand(const std::vector<std::string>& argv) {
  int fds[2];
  if (pipe(fds) != 0) return std::nullopt;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> args;
    for (const std::string& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char buf[65536];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof(buf))) > 0) out.append(buf, n);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  return out;
}

int FreePort() { return strata::testing::FreeLoopbackPort(); }

// --- A minimal JSON reader for Prometheus's API responses. ---

struct Json {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  double number = 0;
  std::string str;
  std::vector<Json> array;
  std::vector<std::pair<std::string, Json>> object;

  const Json* Get(std::string_view key) const {
    for (const auto& [k, v] : object) {
      if (k == key) return &v;
    }
    return nullptr;
  }
};

class JsonReader {
 public:
  explicit JsonReader(std::string_view s) : s_(s) {}
  std::optional<Json> Parse() {
    std::optional<Json> v = Value();
    Space();
    if (!v || pos_ != s_.size()) return std::nullopt;
    return v;
  }

 private:
  void Space() {
    while (pos_ < s_.size() &&
           std::isspace(static_cast<unsigned char>(s_[pos_]))) {
      ++pos_;
    }
  }
  std::optional<std::string> String() {
    if (s_[pos_] != '"') return std::nullopt;
    ++pos_;
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      char c = s_[pos_++];
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      char e = s_[pos_++];
      switch (e) {
        case 'n':
          out.push_back('\n');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'u': {
          unsigned cp =
              std::stoul(std::string(s_.substr(pos_, 4)), nullptr, 16);
          pos_ += 4;
          if (cp < 0x80) {
            out.push_back(static_cast<char>(cp));
          } else if (cp < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          } else {
            out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          }
          break;
        }
        default:
          out.push_back(e);
      }
    }
    ++pos_;
    return out;
  }
  std::optional<Json> Value() {
    Space();
    if (pos_ >= s_.size()) return std::nullopt;
    Json j;
    char c = s_[pos_];
    if (c == '{') {
      j.type = Json::Type::kObject;
      ++pos_;
      Space();
      if (s_[pos_] == '}') {
        ++pos_;
        return j;
      }
      while (true) {
        Space();
        std::optional<std::string> k = String();
        if (!k) return std::nullopt;
        Space();
        if (s_[pos_++] != ':') return std::nullopt;
        std::optional<Json> v = Value();
        if (!v) return std::nullopt;
        j.object.emplace_back(std::move(*k), std::move(*v));
        Space();
        if (s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (s_[pos_++] != '}') return std::nullopt;
        return j;
      }
    }
    if (c == '[') {
      j.type = Json::Type::kArray;
      ++pos_;
      Space();
      if (s_[pos_] == ']') {
        ++pos_;
        return j;
      }
      while (true) {
        std::optional<Json> v = Value();
        if (!v) return std::nullopt;
        j.array.push_back(std::move(*v));
        Space();
        if (s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (s_[pos_++] != ']') return std::nullopt;
        return j;
      }
    }
    if (c == '"') {
      j.type = Json::Type::kString;
      std::optional<std::string> str = String();
      if (!str) return std::nullopt;
      j.str = std::move(*str);
      return j;
    }
    if (s_.substr(pos_, 4) == "null") {
      pos_ += 4;
      return j;
    }
    if (s_.substr(pos_, 4) == "true" || s_.substr(pos_, 5) == "false") {
      j.type = Json::Type::kBool;
      pos_ += s_[pos_] == 't' ? 4 : 5;
      return j;
    }
    size_t end = pos_;
    while (end < s_.size() && std::strchr("+-0123456789.eE", s_[end])) ++end;
    j.type = Json::Type::kNumber;
    j.number = std::stod(std::string(s_.substr(pos_, end - pos_)));
    pos_ = end;
    return j;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

// --- The two engines' answers in one shape. ---

struct Answer {
  bool ok = false;
  std::string error_type;
  std::string error;
  std::string type;
  // Series in answer order; each point is (ms, value).
  std::vector<std::pair<std::string, std::vector<std::pair<int64_t, double>>>>
      series;
};

std::string LabelsKey(const Labels& l) {
  std::string out = "{";
  for (const Label& p : l) out += p.name + "=\"" + p.value + "\",";
  return out + "}";
}

Answer FromStrata(const StatusOr<Result>& r) {
  Answer a;
  if (!r.ok()) {
    a.error_type = std::string(ErrorType(r.status()));
    a.error = std::string(r.status().message());
    return a;
  }
  a.ok = true;
  a.type = std::string(ValueTypeName(r->type));
  switch (r->type) {
    case ValueType::kVector:
      for (const Sample& s : r->vector) {
        a.series.push_back({LabelsKey(s.metric), {{s.t, s.v}}});
      }
      break;
    case ValueType::kScalar:
      a.series.push_back({"", {{r->t, r->scalar}}});
      break;
    case ValueType::kMatrix:
      for (const Series& s : r->matrix) {
        std::vector<std::pair<int64_t, double>> pts;
        for (const Point& p : s.points) pts.push_back({p.t, p.v});
        a.series.push_back({LabelsKey(s.metric), std::move(pts)});
      }
      break;
    default:
      break;
  }
  return a;
}

std::pair<int64_t, double> JsonPoint(const Json& j) {
  const double t = j.array[0].number;
  return {static_cast<int64_t>(std::llround(t * 1000)),
          *ParseFloat(j.array[1].str)};
}

Answer FromPrometheus(const Json& j) {
  Answer a;
  const Json* status = j.Get("status");
  if (status == nullptr || status->str != "success") {
    a.error_type = j.Get("errorType") ? j.Get("errorType")->str : "?";
    a.error = j.Get("error") ? j.Get("error")->str : "?";
    return a;
  }
  a.ok = true;
  const Json& data = *j.Get("data");
  a.type = data.Get("resultType")->str;
  const Json& result = *data.Get("result");
  if (a.type == "scalar") {
    a.series.push_back({"", {JsonPoint(result)}});
    return a;
  }
  for (const Json& s : result.array) {
    std::vector<Label> labels;
    for (const auto& [k, v] : s.Get("metric")->object)
      labels.push_back({k, v.str});
    std::string key = LabelsKey(Labels::FromUnchecked(std::move(labels)));
    std::vector<std::pair<int64_t, double>> pts;
    if (const Json* v = s.Get("value")) pts.push_back(JsonPoint(*v));
    if (const Json* vs = s.Get("values")) {
      for (const Json& p : vs->array) pts.push_back(JsonPoint(p));
    }
    a.series.push_back({std::move(key), std::move(pts)});
  }
  return a;
}

struct Tally {
  int queries = 0;
  int exact = 0;  // Every value bit-for-bit equal.
  int close = 0;  // Values differ by at most 1e-12 relative.
  int mismatched = 0;
  int same_error = 0;  // Both failed with the same error.
  double max_rel_diff = 0;
};

// Empty if the answers agree.
std::string Compare(const Answer& want, const Answer& got, bool ordered,
                    Tally* tally) {
  if (want.ok != got.ok) {
    return want.ok
               ? "strata failed: " + got.error
               : "prometheus failed (" + want.error + ") but strata did not";
  }
  if (!want.ok) {
    if (want.error_type != got.error_type) {
      return "error type " + got.error_type + ", want " + want.error_type;
    }
    if (want.error != got.error) {
      return "error \"" + got.error + "\", want \"" + want.error + "\"";
    }
    ++tally->same_error;
    return "";
  }
  if (want.type != got.type) return "type " + got.type + ", want " + want.type;
  auto want_series = want.series, got_series = got.series;
  if (!ordered) {
    std::sort(want_series.begin(), want_series.end());
    std::sort(got_series.begin(), got_series.end());
  }
  if (want_series.size() != got_series.size()) {
    return std::to_string(got_series.size()) + " series, want " +
           std::to_string(want_series.size());
  }
  bool exact = true;
  for (size_t i = 0; i < want_series.size(); ++i) {
    const auto& [wk, wp] = want_series[i];
    const auto& [gk, gp] = got_series[i];
    if (wk != gk) return "series " + gk + ", want " + wk;
    if (wp.size() != gp.size()) {
      std::string where;
      for (size_t k = 0; k < std::max(wp.size(), gp.size()); ++k) {
        if (k >= wp.size() || k >= gp.size() || wp[k].first != gp[k].first) {
          where = " (first difference at point " + std::to_string(k) + ": " +
                  (k < gp.size() ? std::to_string(gp[k].first) : "none") +
                  " vs " +
                  (k < wp.size() ? std::to_string(wp[k].first) : "none") + ")";
          break;
        }
      }
      return wk + ": " + std::to_string(gp.size()) + " points, want " +
             std::to_string(wp.size()) + where;
    }
    for (size_t k = 0; k < wp.size(); ++k) {
      if (wp[k].first != gp[k].first) {
        return wk + ": point at " + std::to_string(gp[k].first) + ", want " +
               std::to_string(wp[k].first);
      }
      const double w = wp[k].second, g = gp[k].second;
      if (w == g || (std::isnan(w) && std::isnan(g))) continue;
      exact = false;
      const double rel =
          std::fabs(w - g) / std::max(std::fabs(w), std::fabs(g));
      tally->max_rel_diff = std::max(tally->max_rel_diff, rel);
      if (!(rel <= 1e-12)) {
        return wk + " at " + std::to_string(wp[k].first) + ": " +
               FormatGoFloat(g, GoFloatFormat::kFixed) + ", want " +
               FormatGoFloat(w, GoFloatFormat::kFixed);
      }
    }
  }
  ++(exact ? tally->exact : tally->close);
  return "";
}

// A Prometheus server over a copy of the block.
class PrometheusServer {
 public:
  ~PrometheusServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status;
      waitpid(pid_, &status, 0);
    }
  }

  bool Start(const fs::path& data_dir, const fs::path& config) {
    port_ = FreePort();
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      std::string listen =
          "--web.listen-address=127.0.0.1:" + std::to_string(port_);
      std::string path = "--storage.tsdb.path=" + data_dir.string();
      std::string cfg = "--config.file=" + config.string();
      execlp("prometheus", "prometheus", cfg.c_str(), path.c_str(),
             listen.c_str(), "--storage.tsdb.retention.time=100y",
             static_cast<char*>(nullptr));
      _exit(127);
    }
    return strata::testing::WaitFor(
        [&] { return HttpGet("/-/ready").has_value(); },
        std::chrono::seconds(30), std::chrono::milliseconds(100));
  }

  std::optional<Json> Query(const std::string& path,
                            const std::vector<std::string>& params) {
    std::string target = path;
    for (size_t i = 0; i < params.size(); ++i) {
      const size_t eq = params[i].find('=');
      target += (i == 0 ? "?" : "&") + params[i].substr(0, eq + 1) +
                strata::testing::UrlEncode(params[i].substr(eq + 1));
    }
    std::optional<std::string> body = HttpGet(target);
    if (!body) return std::nullopt;
    return JsonReader(*body).Parse();
  }

 private:
  // The body of the response to GET `target`; Prometheus answers query
  // errors with 4xx/5xx and a JSON body. Readiness wants a 200.
  std::optional<std::string> HttpGet(const std::string& target) const {
    StatusOr<http_client::Response> r = http_client::Get(port_, target);
    if (!r.ok()) return std::nullopt;
    if (target == "/-/ready" && r->status != 200) return std::nullopt;
    return std::move(r->body);
  }
  pid_t pid_ = -1;
  int port_ = 0;
};

std::string Seconds(int64_t ms) { return strata::testing::MillisAsSeconds(ms); }

struct Case {
  const char* query;
  bool ordered = false;  // Compare the order of instant results.
  bool range = true;     // Also compare range queries.
};

// Queries over the recorded data: every function family, operators with
// matching, aggregations, subqueries, offsets, @, staleness at the end.
const Case kCases[] = {
    {"up"},
    {"up == 1"},
    {"up > bool 0"},
    {"-up"},
    {"http_requests_total"},
    {"rate(http_requests_total[5m])"},
    {"rate(http_requests_total[30s])"},
    {"irate(node_cpu_seconds_total[1m])"},
    {"increase(http_requests_total[1m])"},
    {"increase(http_requests_total[10m])"},
    {"delta(process_resident_memory_bytes[5m])"},
    {"idelta(process_open_fds[2m])"},
    {"deriv(process_resident_memory_bytes[10m])"},
    {"predict_linear(process_resident_memory_bytes[15m], 3600)"},
    {"holt_winters(process_resident_memory_bytes[10m], 0.3, 0.6)"},
    {"changes(process_open_fds[15m])"},
    {"resets(http_requests_total[30m])"},
    {"sum by (route) (rate(http_requests_total[5m]))"},
    {"sum without (instance, job) (rate(http_requests_total[1m]))"},
    {"avg by (mode) (rate(node_cpu_seconds_total[5m]))"},
    {"max by (job) (process_resident_memory_bytes)"},
    {"min(process_open_fds)"},
    {"count by (job) ({__name__=~\"process_.+\"})"},
    {"group by (job) (up)"},
    {"stddev by (mode) (rate(node_cpu_seconds_total[5m]))"},
    {"stdvar(rate(node_cpu_seconds_total[5m]))"},
    {"quantile(0.9, rate(node_cpu_seconds_total[5m]))"},
    {"count_values(\"v\", up)"},
    {"topk(3, rate(node_cpu_seconds_total[5m]))", true},
    {"bottomk(2, process_resident_memory_bytes)", true},
    {"topk by (job) (1, process_resident_memory_bytes)"},
    {"sort_desc(sum by (route) (http_requests_total))", true},
    {"sort(process_open_fds)", true},
    {"histogram_quantile(0.9, sum by (le, route) "
     "(rate(http_request_duration_seconds_bucket[5m])))"},
    {"histogram_quantile(0.5, rate(http_request_duration_seconds_bucket[2m]))"},
    {"histogram_quantile(0.99, sum by (le) "
     "(increase(http_request_duration_seconds_bucket[10m])))"},
    {"avg_over_time(process_resident_memory_bytes[10m])"},
    {"sum_over_time(process_open_fds[10m])"},
    {"count_over_time(up[10m])"},
    {"max_over_time(process_resident_memory_bytes[10m])"},
    {"min_over_time(process_resident_memory_bytes[10m])"},
    {"last_over_time(process_open_fds[10m])"},
    {"quantile_over_time(0.75, process_resident_memory_bytes[10m])"},
    {"stddev_over_time(process_resident_memory_bytes[10m])"},
    {"stdvar_over_time(process_open_fds[10m])"},
    {"present_over_time(up[5m])"},
    {"absent_over_time(up{job=\"node\"}[5m])"},
    {"absent(nonexistent{job=\"x\"})"},
    {"absent(up)"},
    {"rate(http_requests_total[5m] offset 10m)"},
    {"http_requests_total offset -5m"},
    {"rate(http_requests_total[5m] @ 1795622000.5)"},
    {"process_open_fds @ end()"},
    {"process_open_fds @ start() - process_open_fds"},
    {"max_over_time(rate(http_requests_total[1m])[10m:30s])"},
    {"avg_over_time(sum(rate(node_cpu_seconds_total[1m]))[15m:])"},
    {"rate(http_requests_total[5m:1m] offset 2m)"},
    {"node_cpu_seconds_total / on(instance, cpu) group_left "
     "sum by (instance, cpu) (node_cpu_seconds_total)"},
    {"rate(http_requests_total{status=\"500\"}[5m]) / ignoring(status) "
     "rate(http_requests_total{status=\"200\"}[5m])"},
    {"sum by (route) (rate(http_requests_total[5m])) * on(route) group_right "
     "http_requests_total"},
    {"up and on(job) process_open_fds"},
    {"up or vector(0)"},
    {"up unless up{job=\"node\"}"},
    {"process_open_fds > 10"},
    {"process_open_fds < bool 10"},
    {"2 ^ up"},
    {"process_open_fds % 7"},
    {"process_open_fds atan2 process_max_fds"},
    {"label_replace(up, \"host\", \"$1\", \"instance\", \"(.*):.*\")"},
    {"label_join(up, \"x\", \"-\", \"job\", \"instance\")"},
    {"timestamp(up)"},
    {"time() - process_start_time_seconds"},
    {"abs(delta(process_resident_memory_bytes[5m]))"},
    {"ceil(rate(http_requests_total[5m]))"},
    {"floor(rate(http_requests_total[5m]))"},
    {"round(rate(http_requests_total[5m]), 0.1)"},
    {"clamp(process_open_fds, 10, 20)"},
    {"clamp_max(process_open_fds, 15)"},
    {"clamp_min(process_open_fds, 15)"},
    {"sgn(deriv(process_resident_memory_bytes[5m]))"},
    {"exp(-up)"},
    {"ln(process_resident_memory_bytes)"},
    {"log2(process_resident_memory_bytes)"},
    {"log10(process_resident_memory_bytes)"},
    {"sqrt(process_open_fds)"},
    {"sin(process_open_fds) + cos(process_open_fds) + tan(up)"},
    {"deg(up) + rad(up)"},
    {"scalar(sum(up)) * 2"},
    {"vector(1)"},
    {"pi()"},
    {"time()"},
    {"day_of_week()"},
    {"hour(process_start_time_seconds)"},
    {"minute() + month() + year() + days_in_month() + day_of_month()"},
    {"day_of_year(process_start_time_seconds)"},
    {"sum(rate({__name__=~\"http_.*_total\"}[5m]))"},
    {"dataspace_active_contracts"},
    {"sum by (decision) (increase(dataspace_consents_total[15m]))"},
    {"http_requests_total + on(job) http_requests_total"},
    {"label_replace(up, \"a\", \"b\", \"c\", \"(\")"},
    {"{__name__=~\"node_cpu.*\", mode=\"idle\"}"},
    {"rate(node_cpu_seconds_total{mode=\"idle\"}[5m]) * 100"},
    {"sum by (route) (http_requests_total) > 100"},
    {"absent_over_time(nonexistent[5m])"},
    {"quantile_over_time(0.5, rate(http_requests_total[1m])[10m:1m])"},
    {"http_request_duration_seconds_sum / http_request_duration_seconds_count"},
    {"increase(http_request_duration_seconds_count[5m])"},
    {"up offset 1h"},
    {"count_values without (instance) (\"value\", process_open_fds)"},
    // Routes tie at some steps, and Prometheus then picks at random in
    // range queries (it aggregates in Go map order): instant only.
    {"topk(2, sum by (route) (rate(http_requests_total[5m])))", true, false},
    {"sum(up) by (job) / on(job) group_left count(up) by (job)"},
    {"changes(up[1h])"},
    {"predict_linear(process_resident_memory_bytes[15m] @ 1795622000, 600)"},
    {"timestamp(process_open_fds @ 1795622000)"},
    {"timestamp(process_open_fds @ 1795622000 offset 1m)"},
    {"minute(process_open_fds @ 1795622000)"},
    // Everything at once: lookback, staleness markers where series ended.
    {"{__name__=~\".+\"}"},
    {"count({__name__=~\".+\"})"},
    {"rate({__name__=~\".+_total\"}[5m])"},
    {"sum by (__name__) (rate({__name__=~\".+_total\"}[5m]))"},
    {"resets({__name__=~\".+_total\"}[30m])"},
    {"histogram_quantile(0.9, rate({__name__=~\".+_bucket\"}[5m]))"},
    {"label_replace({__name__=~\"node_cpu.*\"}, \"foo\", \"$0-${1}x\", "
     "\"cpu\", \"(.+)\")"},
    {"node_cpu_seconds_total * on(cpu) group_left node_cpu_seconds_total"},
    {"count_values(\"x\", {__name__=~\"process_.*\"})"},
    // Equal values: Go's sort is not stable beyond 12 elements, so only the
    // set is compared here; sort order without ties is checked above.
    {"sort_desc({__name__=~\"process_.*\"})"},
    {"sort_desc(process_resident_memory_bytes)", true},
    {"quantile_over_time(0.99, {__name__=~\"process_.*\"}[10m])"},
    {"absent_over_time({job=\"nonexistent\"}[1m])"},
    {"topk(5, {__name__=~\".+\"})", true},
    {"bottomk(5, {__name__=~\".+\"})", true},
    {"topk(3, up)", true},
    {"max_over_time({__name__=~\".+\"}[2m])"},
    {"last_over_time({__name__=~\".+\"}[10m])"},
    {"{__name__=~\".+\"} offset 3m"},
};

TEST(DifferentialTest, MatchesPrometheus242) {
  std::optional<fs::path> dataset = DatasetDir();
  if (!dataset) STRATA_SKIP_OR_FAIL_IF_MISSING("the ../shared dataset");
  if (!HaveProgram("prometheus") || !HaveProgram("zstd") ||
      !HaveProgram("tar")) {
    STRATA_SKIP_OR_FAIL_IF_MISSING("prometheus, zstd or tar");
  }
  SetLogLevel(LogLevel::kWarn);
  strata::testing::TempDir tmp("strata-promql-diff");
  ASSERT_TRUE(tmp.ok());
  const fs::path root = tmp.path();
  const fs::path prom_dir = root / "prometheus";
  const fs::path strata_dir = root / "strata";
  fs::create_directories(prom_dir);
  fs::create_directories(strata_dir);
  const std::string archive = (*dataset / "prometheus-blocks.tar.zst").string();
  for (const fs::path& dir : {prom_dir, strata_dir}) {
    ASSERT_TRUE(RunCommand(
        {"sh", "-c",
         "zstd -dc '" + archive + "' | tar -x -C '" + dir.string() + "'"}))
        << "unpacking the block";
  }
  const fs::path config = root / "prometheus.yml";
  std::ofstream(config) << "global:\n  scrape_interval: 15s\n";

  PrometheusServer prom;
  ASSERT_TRUE(prom.Start(prom_dir, config)) << "prometheus did not get ready";

  Options options;
  options.retention_ms = 0;
  auto db = DB::Open(options, strata_dir.string());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  Engine engine;

  const std::vector<int64_t> instants = {
      kMinT + 30 * 60000, kMinT + 59 * 60000 + 12345, kMaxT,
      kMaxT + 2 * 60000 + 500, kMaxT + 6 * 60000};
  struct RangeSpec {
    int64_t start, end, step;
  };
  const std::vector<RangeSpec> ranges = {
      {kMinT, kMaxT + 10 * 60000, 60000},
      {kMinT + 7 * 60000 + 3, kMinT + 31 * 60000, 17000},
  };

  Tally tally;
  std::vector<std::string> failures;
  for (const Case& c : kCases) {
    for (int64_t t : instants) {
      ++tally.queries;
      std::optional<Json> j =
          prom.Query("/api/v1/query",
                     {std::string("query=") + c.query, "time=" + Seconds(t)});
      ASSERT_TRUE(j.has_value()) << c.query;
      const int close_before = tally.close;
      std::string diff = Compare(FromPrometheus(*j),
                                 FromStrata(engine.Instant(**db, c.query, t)),
                                 c.ordered, &tally);
      if (tally.close != close_before && std::getenv("STRATA_DIFF_VERBOSE")) {
        std::printf("  inexact: %s @%s\n", c.query, Seconds(t).c_str());
      }
      if (!diff.empty()) {
        ++tally.mismatched;
        failures.push_back(std::string(c.query) + " @" + Seconds(t) + ": " +
                           diff);
      }
    }
    for (const RangeSpec& r : ranges) {
      if (!c.range) break;
      ++tally.queries;
      std::optional<Json> j = prom.Query(
          "/api/v1/query_range",
          {std::string("query=") + c.query, "start=" + Seconds(r.start),
           "end=" + Seconds(r.end), "step=" + Seconds(r.step)});
      ASSERT_TRUE(j.has_value()) << c.query;
      std::string diff = Compare(
          FromPrometheus(*j),
          FromStrata(engine.Range(**db, c.query, r.start, r.end, r.step)),
          false, &tally);
      if (!diff.empty()) {
        ++tally.mismatched;
        failures.push_back(std::string(c.query) + " range from " +
                           Seconds(r.start) + " step " +
                           std::to_string(r.step) + ": " + diff);
      }
    }
  }
  for (const std::string& f : failures)
    std::printf("  MISMATCH %s\n", f.c_str());
  std::printf(
      "%d queries: %d identical, %d within 1e-12, %d same error, %d "
      "mismatched (max relative difference %g)\n",
      tally.queries, tally.exact, tally.close, tally.same_error,
      tally.mismatched, tally.max_rel_diff);
  EXPECT_EQ(tally.mismatched, 0);
}

}  // namespace
}  // namespace strata::promql
