#include "http_client/http_client.h"

#include <charconv>
#include <cstdint>
#include <optional>

#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"

namespace strata::http_client {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) {
      return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

Status TransportError(const beast::error_code& ec, std::string_view what,
                      const std::string& peer) {
  std::string msg = std::string(what) + " " + peer + ": " + ec.message();
  if (ec == beast::error::timeout) return Status::DeadlineExceeded(msg);
  return Status::Unavailable(msg);
}

// Runs `ioc` until the one pending operation has completed; each step of a
// request is started and then finished here, so calls stay blocking while
// tcp_stream's expiry bounds them.
void RunPending(net::io_context& ioc) {
  ioc.restart();
  ioc.run();
}

}  // namespace

std::string Response::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return "";
}

StatusOr<Url> ParseUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) {
    return Status::InvalidArgument("URL must start with http://: " +
                                   std::string(url));
  }
  std::string_view rest = url.substr(kScheme.size());
  Url out;
  if (const size_t slash = rest.find('/'); slash != std::string_view::npos) {
    out.path_prefix = std::string(rest.substr(slash));
    rest = rest.substr(0, slash);
  }
  while (!out.path_prefix.empty() && out.path_prefix.back() == '/') {
    out.path_prefix.pop_back();
  }
  out.host = std::string(rest);
  if (const size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    out.host = std::string(rest.substr(0, colon));
    const std::string_view port = rest.substr(colon + 1);
    const auto [end, ec] =
        std::from_chars(port.data(), port.data() + port.size(), out.port);
    if (ec != std::errc() || end != port.data() + port.size() ||
        out.port <= 0 || out.port > 65535) {
      return Status::InvalidArgument("bad port in URL: " + std::string(url));
    }
  }
  if (out.host.empty()) {
    return Status::InvalidArgument("no host in URL: " + std::string(url));
  }
  return out;
}

struct Connection::Impl {
  Impl(std::string h, int p, const Options& o)
      : host(std::move(h)),
        port(p),
        options(o),
        peer(host + ":" + std::to_string(port)) {}

  Status Connect() {
    beast::error_code ec;
    tcp::resolver resolver(ioc);
    const tcp::resolver::results_type endpoints =
        resolver.resolve(host, std::to_string(port), ec);
    if (ec) return TransportError(ec, "resolving", peer);
    stream.expires_after(options.timeout);
    stream.async_connect(endpoints, [&ec](const beast::error_code& e,
                                          const tcp::endpoint&) { ec = e; });
    RunPending(ioc);
    if (ec) return Fail(ec, "connecting to");
    stream.socket().set_option(tcp::no_delay(true), ec);  // Best effort.
    connected = true;
    return Status::OK();
  }
  // Closes the socket after a failure; the next Send connects anew.
  Status Fail(const beast::error_code& ec, std::string_view what) {
    Close();
    return TransportError(ec, what, peer);
  }
  void Close() {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
    buffer.clear();
    connected = false;
  }

  // Constant after construction.
  const std::string host;
  const int port;
  const Options options;
  const std::string peer;  // "host:port", also the Host header.

  net::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;  // Bytes read past the last response.
  bool connected = false;
};

Connection::Connection(std::string host, int port, const Options& options)
    : impl_(std::make_unique<Impl>(std::move(host), port, options)) {}

Connection::~Connection() {
  if (impl_->connected) impl_->Close();
}

bool Connection::connected() const { return impl_->connected; }

StatusOr<Response> Connection::Send(const Request& request) {
  Impl& c = *impl_;
  if (!c.connected) STRATA_RETURN_IF_ERROR(c.Connect());

  http::request<http::string_body> req;
  req.method_string(request.method);
  req.target(request.target);
  req.version(11);
  req.set(http::field::host, c.peer);
  for (const auto& [name, value] : request.headers) req.insert(name, value);
  req.body() = request.body;
  req.prepare_payload();

  beast::error_code ec;
  c.stream.expires_after(c.options.timeout);
  http::async_write(c.stream, req,
                    [&ec](const beast::error_code& e, size_t) { ec = e; });
  RunPending(c.ioc);
  if (ec) return c.Fail(ec, "sending to");

  http::response_parser<http::string_body> parser;
  parser.body_limit(boost::none);  // Tests read large query results.
  if (request.method == "HEAD") parser.skip(true);
  c.stream.expires_after(c.options.timeout);
  http::async_read(c.stream, c.buffer, parser,
                   [&ec](const beast::error_code& e, size_t) { ec = e; });
  RunPending(c.ioc);
  if (ec) return c.Fail(ec, "reading from");

  http::response<http::string_body>& msg = parser.get();
  Response out;
  out.status = static_cast<int>(msg.result_int());
  for (const auto& field : msg) {
    out.headers.emplace_back(std::string(field.name_string()),
                             std::string(field.value()));
  }
  out.body = std::move(msg.body());
  if (!msg.keep_alive()) c.Close();
  return out;
}

StatusOr<Response> Fetch(const std::string& host, int port,
                         const Request& request, const Options& options) {
  Connection conn(host, port, options);
  Request closing = request;
  closing.headers.emplace_back("Connection", "close");
  return conn.Send(closing);
}

StatusOr<Response> Get(int port, std::string_view target,
                       const Options& options) {
  Request request;
  request.target = std::string(target);
  return Fetch("127.0.0.1", port, request, options);
}

StatusOr<Response> Post(int port, std::string_view target,
                        std::string_view body, std::string_view content_type,
                        const Options& options) {
  Request request;
  request.method = "POST";
  request.target = std::string(target);
  request.body = std::string(body);
  request.headers.emplace_back("Content-Type", std::string(content_type));
  return Fetch("127.0.0.1", port, request, options);
}

}  // namespace strata::http_client
