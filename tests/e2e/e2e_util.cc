#include "e2e_util.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "chunk/xor_iterator.h"
#include "free_port.h"
#include "prometheus/remote.pb.h"
#include "run_command.h"
#include "snappy.h"
#include "strata/appender.h"
#include "text_file.h"
#include "util/coding.h"
#include "util/crc32c.h"
#include "wait_for.h"

namespace strata::e2e {

int FreePort() { return strata::testing::FreeLoopbackPort(); }

std::string ReadFileOrEmpty(const std::string& path) {
  return testing::ReadFileOrEmpty(path);
}

void WriteFile(const std::string& path, const std::string& text) {
  testing::WriteFile(path, text);
}

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Process::Process(std::vector<std::string> argv, std::string log_path)
    : log_path_(std::move(log_path)) {
  pid_ = fork();
  if (pid_ == 0) {
    const int log =
        open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    // Not our process group's signals: a Ctrl-C of the test kills us, and
    // our destructor kills the children.
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
}

Process::~Process() {
  if (pid_ > 0 && !exited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

void Process::Signal(int sig) {
  if (pid_ > 0 && !exited_) kill(pid_, sig);
}

int Process::Wait(int timeout_ms) {
  if (exited_) return -1;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

bool Process::running() {
  if (exited_) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    exited_ = true;
    return false;
  }
  return true;
}

std::string StrataServerPath() {
  constexpr const char* kRelative = "/tools/strata-server/strata-server";
  if (const char* dir = std::getenv("STRATA_BINARY_DIR")) {
    return std::string(dir) + kRelative;
  }
  std::error_code ec;
  const std::filesystem::path self =
      std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return std::string(".") + kRelative;
  // <build>/tests/e2e/<binary>
  return self.parent_path().parent_path().parent_path().string() + kRelative;
}

std::unique_ptr<Process> StartStrataServer(
    const std::string& data_dir, int port, const std::string& log_path,
    const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {
      StrataServerPath(), "--storage.tsdb.path=" + data_dir,
      "--web.listen-address=127.0.0.1:" + std::to_string(port)};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return std::make_unique<Process>(std::move(argv), log_path);
}

Status UnpackArchive(const std::string& archive, const std::string& dir) {
  if (!std::filesystem::exists(archive)) {
    return Status::NotFound("missing dataset " + archive);
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::string cmd = "zstd -dc " + strata::testing::ShellQuote(archive) +
                          " | tar -x -C " + strata::testing::ShellQuote(dir);
  if (std::system(cmd.c_str()) != 0) {
    return Status::IOError("cannot unpack " + archive + " into " + dir);
  }
  return Status::OK();
}

http_client::Response Http(int port, const std::string& method,
                           const std::string& target, const std::string& body,
                           const http_client::Headers& headers) {
  http_client::Request request;
  request.method = method;
  request.target = target;
  request.body = body;
  request.headers = headers;
  StatusOr<http_client::Response> r =
      http_client::Fetch("127.0.0.1", port, request);
  if (r.ok()) return *std::move(r);
  http_client::Response failed;
  failed.body = r.status().ToString();
  return failed;
}

http_client::Response RemoteWriteV1(int port, const std::string& raw_request) {
  std::string body;
  snappy::Compress(raw_request.data(), raw_request.size(), &body);
  return Http(port, "POST", "/api/v1/write", body,
              {{"Content-Type", "application/x-protobuf"},
               {"Content-Encoding", "snappy"},
               {"X-Prometheus-Remote-Write-Version", "0.1.0"}});
}

bool WaitForOk(int port, const std::string& path, int timeout_ms) {
  return strata::testing::WaitFor(
      [&] { return Http(port, "GET", path).status == 200; },
      std::chrono::milliseconds(timeout_ms), std::chrono::milliseconds(50));
}

namespace {

uint64_t Bits(double v) {
  uint64_t b;
  std::memcpy(&b, &v, sizeof(b));
  return b;
}

std::string LabelsKey(
    const google::protobuf::RepeatedPtrField<prometheus::Label>& labels) {
  std::string name;
  std::string rest;
  for (const auto& l : labels) {
    if (l.name() == "__name__") {
      name = l.value();
      continue;
    }
    rest += (rest.empty() ? "" : ", ") + l.name() + "=\"" + l.value() + "\"";
  }
  return name + "{" + rest + "}";
}

StatusOr<std::string> PostRead(int port, int64_t mint, int64_t maxt,
                               bool streamed, const std::string& job_regex) {
  prometheus::ReadRequest read;
  prometheus::Query* q = read.add_queries();
  q->set_start_timestamp_ms(mint);
  q->set_end_timestamp_ms(maxt);
  prometheus::LabelMatcher* m = q->add_matchers();
  m->set_type(prometheus::LabelMatcher::RE);
  m->set_name("__name__");
  m->set_value(".+");
  if (!job_regex.empty()) {
    prometheus::LabelMatcher* job = q->add_matchers();
    job->set_type(prometheus::LabelMatcher::RE);
    job->set_name("job");
    job->set_value(job_regex);
  }
  if (streamed) {
    read.add_accepted_response_types(
        prometheus::ReadRequest::STREAMED_XOR_CHUNKS);
  }
  const std::string raw = read.SerializeAsString();
  std::string body;
  snappy::Compress(raw.data(), raw.size(), &body);
  http_client::Response r =
      Http(port, "POST", "/api/v1/read", body,
           {{"Content-Type", "application/x-protobuf"},
            {"Content-Encoding", "snappy"},
            {"X-Prometheus-Remote-Read-Version", "0.1.0"}});
  if (r.status != 200) {
    return Status::Internal("remote read answered " + std::to_string(r.status) +
                            ": " + r.body);
  }
  return std::move(r.body);
}

}  // namespace

StatusOr<SeriesSamples> RemoteReadAll(int port, int64_t mint, int64_t maxt,
                                      const std::string& job_regex) {
  STRATA_ASSIGN_OR_RETURN(
      std::string body,
      PostRead(port, mint, maxt, /*streamed=*/false, job_regex));
  std::string raw;
  if (!snappy::Uncompress(body.data(), body.size(), &raw)) {
    return Status::Corruption("remote read answer is not snappy");
  }
  prometheus::ReadResponse response;
  if (!response.ParseFromString(raw) || response.results_size() != 1) {
    return Status::Corruption("bad ReadResponse");
  }
  SeriesSamples out;
  for (const auto& ts : response.results(0).timeseries()) {
    auto& samples = out[LabelsKey(ts.labels())];
    for (const auto& s : ts.samples()) {
      samples.emplace_back(s.timestamp(), Bits(s.value()));
    }
  }
  return out;
}

StatusOr<SeriesSamples> RemoteReadStreamedAll(int port, int64_t mint,
                                              int64_t maxt) {
  STRATA_ASSIGN_OR_RETURN(std::string body,
                          PostRead(port, mint, maxt, /*streamed=*/true, ""));
  std::string_view in = body;
  SeriesSamples out;
  std::string previous;
  while (!in.empty()) {
    uint64_t size;
    uint32_t crc;
    if (!GetUvarint(&in, &size) || !GetBE32(&in, &crc) || size > in.size()) {
      return Status::Corruption("truncated frame");
    }
    const std::string_view data = in.substr(0, size);
    in.remove_prefix(size);
    if (crc32c::Value(data) != crc) return Status::Corruption("frame CRC");
    if (size > (1 << 20)) return Status::Corruption("frame over 1 MiB");
    prometheus::ChunkedReadResponse frame;
    if (!frame.ParseFromArray(data.data(), static_cast<int>(data.size()))) {
      return Status::Corruption("bad ChunkedReadResponse");
    }
    for (const auto& cs : frame.chunked_series()) {
      const std::string key = LabelsKey(cs.labels());
      if (key != previous && out.count(key) != 0) {
        return Status::Corruption("series frames not consecutive: " + key);
      }
      previous = key;
      auto& samples = out[key];
      for (const auto& chunk : cs.chunks()) {
        if (chunk.type() != prometheus::Chunk::XOR) {
          return Status::Corruption("not an XOR chunk");
        }
        chunk::XorIterator it(chunk.data());
        while (it.Next()) {
          if (it.t() < mint || it.t() > maxt) continue;
          samples.emplace_back(it.t(), it.v_bits());
        }
        if (it.error()) return Status::Corruption("bad XOR chunk");
      }
    }
  }
  return out;
}

std::string DescribeDifference(const SeriesSamples& want,
                               const SeriesSamples& got) {
  std::string out;
  int shown = 0;
  for (const auto& [series, samples] : want) {
    auto it = got.find(series);
    if (it == got.end()) {
      if (shown++ < 5) out += "missing series " + series + "\n";
      continue;
    }
    if (it->second != samples) {
      if (shown++ < 5) {
        out += "series " + series + ": want " + std::to_string(samples.size()) +
               " samples, got " + std::to_string(it->second.size());
        for (size_t i = 0; i < std::min(samples.size(), it->second.size());
             ++i) {
          if (samples[i] != it->second[i]) {
            out += "; first difference at #" + std::to_string(i) +
                   " t=" + std::to_string(samples[i].first) +
                   " vs t=" + std::to_string(it->second[i].first);
            break;
          }
        }
        out += "\n";
      }
    }
  }
  for (const auto& [series, samples] : got) {
    if (want.count(series) == 0 && shown++ < 10) {
      out += "unexpected series " + series + "\n";
    }
  }
  if (shown > 0) {
    out += std::to_string(shown) + " series differ (want " +
           std::to_string(want.size()) + " series, got " +
           std::to_string(got.size()) + ")";
  }
  return out;
}

int64_t CountSamples(const SeriesSamples& s) {
  int64_t n = 0;
  for (const auto& [series, samples] : s) n += samples.size();
  return n;
}

int64_t CountStaleMarkers(const SeriesSamples& s) {
  int64_t n = 0;
  for (const auto& [series, samples] : s) {
    for (const auto& [t, bits] : samples) n += bits == kStaleNaNBits;
  }
  return n;
}

}  // namespace strata::e2e

namespace strata::e2e {

std::string WaitForSameSamples(int want_port, int got_port, int64_t mint,
                               int64_t maxt, int timeout_ms,
                               SeriesSamples* samples,
                               const std::string& job_regex) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string diff = "never compared";
  while (std::chrono::steady_clock::now() < deadline) {
    StatusOr<SeriesSamples> want =
        RemoteReadAll(want_port, mint, maxt, job_regex);
    StatusOr<SeriesSamples> got =
        RemoteReadAll(got_port, mint, maxt, job_regex);
    if (!want.ok() || !got.ok()) {
      diff = !want.ok() ? want.status().ToString() : got.status().ToString();
    } else {
      diff = DescribeDifference(*want, *got);
      if (diff.empty()) {
        *samples = std::move(*want);
        return "";
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return diff;
}

double MetricValue(int port, const std::string& prefix) {
  const std::string text = Http(port, "GET", "/metrics").body;
  const size_t at = text.find("\n" + prefix);
  if (at == std::string::npos) return -1;
  const size_t end = text.find('\n', at + 1);
  const size_t space = text.rfind(' ', end);
  return std::stod(text.substr(space + 1, end - space - 1));
}

int WriteUntilKilled(Process* server, int port,
                     const std::function<std::string(int)>& request,
                     int acked_before_kill) {
  std::atomic<int> acknowledged{0};
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int r = 0; r < 100000 && !stop.load(); ++r) {
      if (RemoteWriteV1(port, request(r)).status != 204) return;
      acknowledged.store(r + 1);
    }
  });
  for (int i = 0; i < 200 && acknowledged.load() < acked_before_kill; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  server->Signal(SIGKILL);
  stop.store(true);
  writer.join();
  if (server->Wait(10000) != 128 + SIGKILL) return -1;
  return acknowledged.load();
}

}  // namespace strata::e2e
