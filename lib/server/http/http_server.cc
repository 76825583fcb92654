#include "server/http/http_server.h"

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <ctime>
#include <exception>
#include <future>
#include <limits>
#include <optional>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "boost/asio/bind_executor.hpp"
#include "boost/asio/dispatch.hpp"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/read.hpp"
#include "boost/asio/ssl.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/strand.hpp"
#include "boost/asio/thread_pool.hpp"
#include "boost/asio/write.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "boost/beast/ssl.hpp"
#include "openssl/ssl.h"
#include "server/http/connection_admission.h"
#include "server/http/connection_registry.h"
#include "server/http/tls_context.h"
#include "server/http/web_config_file.h"
#include "util/log.h"
#include "util/strings.h"

namespace strata::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

// Bytes requested per read while waiting for a request to start.
constexpr size_t kReadChunkBytes = 16 << 10;
// A streamed response is sent in chunks of at least this many bytes.
constexpr size_t kStreamFlushBytes = 64 << 10;
// After refusing a request whose body we did not read, keep draining the
// socket this long before closing, so the client sees our response instead
// of a reset.
constexpr auto kLingerTime = std::chrono::seconds(2);
// Pause before accepting again after accept failed (e.g. out of fds).
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(50);
// After the grace period, how long Shutdown waits for force-closed
// connections to finish unwinding before stopping the threads.
constexpr auto kForceCloseWait = std::chrono::seconds(2);

constexpr std::string_view kContinueResponse = "HTTP/1.1 100 Continue\r\n\r\n";

int Cores() {
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

std::string EndpointString(const tcp::endpoint& ep) {
  const net::ip::address addr = ep.address();
  if (addr.is_v6()) {
    return "[" + addr.to_string() + "]:" + std::to_string(ep.port());
  }
  return addr.to_string() + ":" + std::to_string(ep.port());
}

bool IsFramingHeader(std::string_view name) {
  return EqualsIgnoreCase(name, "Content-Length") ||
         EqualsIgnoreCase(name, "Transfer-Encoding") ||
         EqualsIgnoreCase(name, "Connection");
}

// Builds the plain Request from Beast's message. InvalidArgument if the
// request target cannot be decoded.
Status BuildRequest(http::request<http::string_body>& msg,
                    const std::string& remote, Request* req) {
  req->method = std::string(msg.method_string());
  req->target = std::string(msg.target());
  req->http_version = msg.version();
  for (const auto& field : msg) {
    req->headers.Add(std::string(field.name_string()),
                     std::string(field.value()));
  }
  req->body = std::move(msg.body());
  req->remote_address = remote;

  return DecodeRequestTarget(req);
}

// Beast keeps a field's name and value lengths in 16 bits and throws
// std::length_error ("field value too large") from inside the parser for a
// longer one. This parser refuses such a field (header or trailer) as
// header_limit instead, answered 431 like any oversized header.
class RequestParser final : public http::request_parser<http::string_body> {
 private:
  // Beast's own bound: a name or value plus 2 must fit in uint16_t.
  static constexpr size_t kMaxFieldBytes =
      std::numeric_limits<uint16_t>::max() - 2;

  void on_field_impl(http::field name, beast::string_view name_string,
                     beast::string_view value, beast::error_code& ec) override {
    if (name_string.size() >= kMaxFieldBytes ||
        value.size() >= kMaxFieldBytes) {
      ec = http::error::header_limit;
      return;
    }
    try {
      get().insert(name, name_string, value);
    } catch (const std::length_error&) {
      ec = http::error::header_limit;
    }
  }
};

// The message of the exception being handled, for logs.
std::string CurrentExceptionText() {
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "exception of unknown type";
  }
}

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// The server proper; HttpServer::Impl is this under the header's name.
class ServerCore {
 public:
  ServerCore(HttpServerOptions options, const Router* router,
             RequestObserver observer);
  ~ServerCore();

  Status Start();
  bool Shutdown(std::chrono::milliseconds grace);
  int port() const { return port_; }
  int64_t active_connections() const;

  // For sessions.
  const HttpServerOptions& options() const { return options_; }
  const Router& router() const { return *router_; }
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  const ConnectionAdmission& admission() const { return admission_; }
  net::thread_pool& handler_pool() { return *handler_pool_; }
  void Observe(const RequestRecord& record) const {
    if (observer_) observer_(record);
  }
  void Unregister(Connection* session);
  // Handler thread: the router's response, behind the web configuration's
  // basic auth and with its headers.
  Response Serve(Request& request, std::string* route);

 private:
  // Runs the io_context on an I/O thread until it is stopped, containing
  // exceptions from completion handlers.
  void RunIoLoop();
  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  // A session of the server's transport for an accepted socket.
  std::shared_ptr<Connection> MakeSession(tcp::socket socket);
  // The current TLS context (re-read if the web config changed) in Asio's
  // wrapper. Acceptor strand only.
  std::shared_ptr<net::ssl::context> SslContext();

  // Constant after construction.
  const HttpServerOptions options_;
  const Router* const router_;
  const RequestObserver observer_;

  // Declared before ioc_: sessions still queued in ioc_ unregister
  // themselves while it is destroyed.
  // Counts connections by admission; decides when accepting pauses.
  ConnectionAdmission admission_;
  ConnectionRegistry sessions_;

  std::atomic<bool> stopping_{false};
  // Owner thread only.
  bool started_ = false;
  bool shut_down_ = false;
  int port_ = 0;
  // Set by Start before the threads start, constant afterwards.
  bool tls_ = false;

  // Acceptor strand only: the TLS context last wrapped for Asio.
  std::shared_ptr<const TlsContext> ssl_source_;
  std::shared_ptr<net::ssl::context> ssl_context_;

  net::io_context ioc_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  // The acceptor and its retry timer live on one strand.
  tcp::acceptor acceptor_;
  net::steady_timer accept_retry_timer_;
  std::unique_ptr<net::thread_pool> handler_pool_;
  std::vector<std::thread> io_threads_;
};

// One connection over `Stream`: PlainStream, or TlsStream (which starts
// with the TLS handshake). Every method except the ones marked "handler
// thread" runs on the connection's strand (the stream's executor), so the
// members need no lock. Handlers run on the handler pool and come back to
// the strand by posting; while a handler runs, no other operation is
// pending on the stream, which is what lets a streaming handler drive
// writes itself.
template <typename Stream>
class Session : public Connection,
                public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  // `tls` is the TLS context for a TlsStream, nothing for a PlainStream.
  template <typename... TlsContext>
  Session(ServerCore* server, tcp::socket socket, TlsContext&... tls)
      : server_(server), stream_(std::move(socket), tls...) {
    beast::error_code ec;
    const tcp::endpoint peer = Socket().remote_endpoint(ec);
    if (!ec) remote_ = EndpointString(peer);
    Socket().set_option(tcp::no_delay(true), ec);
  }
  ~Session() override { server_->Unregister(this); }

  void Start(Admission admission) override {
    admission_ = admission;
    net::dispatch(stream_.get_executor(), [self = Self()] {
      // A new connection's wait for its first request (and, over TLS, for
      // its handshake) is header time: one that sends nothing cannot hold
      // its slot for the idle timeout.
      self->Tcp().expires_after(self->HeaderTimeout());
      if constexpr (kTls) {
        self->ReadTlsRecordHeader();
      } else {
        self->WaitForRequest();
      }
    });
  }

  void PostServerStopping() override {
    net::post(stream_.get_executor(), [self = Self()] {
      self->close_after_response_ = true;
      if (self->state_ == State::kIdle) self->Close();
    });
  }

  void PostForceClose() override {
    net::post(stream_.get_executor(), [self = Self()] { self->Close(); });
  }

 private:
  class StreamWriter;
  enum class State { kIdle, kReading, kHandling, kWriting, kClosed };

  std::shared_ptr<Session> Self() { return this->shared_from_this(); }
  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }
  tcp::socket& Socket() { return Tcp().socket(); }

  // TLS only (not instantiated for PlainStream): reads the first record
  // header; a handshake goes on, plain HTTP gets Go's 400, anything else is
  // closed.
  void ReadTlsRecordHeader() {
    state_ = State::kReading;
    net::async_read(
        Tcp(), buffer_.prepare(kReadChunkBytes),
        net::transfer_at_least(kTlsRecordHeaderBytes),
        beast::bind_front_handler(&Session::OnTlsRecordHeader, Self()));
  }

  void OnTlsRecordHeader(beast::error_code ec, size_t n) {
    buffer_.commit(n);
    if (ec || n < kTlsRecordHeaderBytes) return Close();
    const std::string_view header(
        static_cast<const char*>(buffer_.data().data()), kTlsRecordHeaderBytes);
    if (static_cast<unsigned char>(header[0]) == kTlsHandshakeRecord) {
      return stream_.async_handshake(
          net::ssl::stream_base::server, buffer_.data(),
          beast::bind_front_handler(&Session::OnHandshake, Self()));
    }
    if (!LooksLikeHttp(header)) return Close();
    state_ = State::kWriting;
    Tcp().expires_after(server_->options().write_timeout);
    net::async_write(Tcp(),
                     net::buffer(kPlainHttpToTlsResponse.data(),
                                 kPlainHttpToTlsResponse.size()),
                     [self = Self()](beast::error_code ec, size_t) {
                       if (ec) return self->Close();
                       self->Linger();
                     });
  }

  void OnHandshake(beast::error_code ec, size_t used) {
    buffer_.consume(used);
    if (ec) {
      // Logged as Go's net/http logs it (Prometheus: at error level).
      STRATA_LOG(kError, "http: TLS handshake error",
                 {{"remote", remote_}, {"err", ec.message()}});
      return Close();
    }
    WaitForRequest();
  }

  void WaitForRequest() {
    state_ = State::kIdle;
    if (server_->stopping() || close_after_response_) return Close();
    if (buffer_.size() > 0) return ReadHeader();  // Pipelined request.
    if (requests_read_ > 0) {
      Tcp().expires_after(server_->options().idle_timeout);
    }
    stream_.async_read_some(
        buffer_.prepare(kReadChunkBytes),
        beast::bind_front_handler(&Session::OnFirstBytes, Self()));
  }

  void OnFirstBytes(beast::error_code ec, size_t n) {
    if (ec) return Close();
    buffer_.commit(n);
    ReadHeader();
  }

  void ReadHeader() {
    state_ = State::kReading;
    method_.clear();
    started_ = Clock::time_point();
    parser_.emplace();
    parser_->header_limit(
        static_cast<uint32_t>(server_->options().max_header_bytes));
    parser_->body_limit(server_->options().max_body_bytes);
    // The first request's deadline runs from the accept (Start).
    if (requests_read_++ > 0) Tcp().expires_after(HeaderTimeout());
    http::async_read_header(
        stream_, buffer_, *parser_,
        beast::bind_front_handler(&Session::OnHeader, Self()));
  }

  void OnHeader(beast::error_code ec, size_t /*bytes*/) {
    if (ec) return OnReadError(ec);
    started_ = Clock::now();
    const auto& header = parser_->get();
    if (ConnectionAdmission::OneRequestOnly(admission_)) {
      close_after_response_ = true;
    }
    if (!server_->admission().MayServe(admission_, header.target())) {
      return RefuseAndClose(kHttpServiceUnavailable,
                            std::string(ConnectionAdmission::kRefusedBody),
                            /*retry_later=*/true);
    }
    if (EqualsIgnoreCase(header[http::field::expect], "100-continue") &&
        !parser_->is_done()) {
      Tcp().expires_after(server_->options().write_timeout);
      net::async_write(
          stream_,
          net::buffer(kContinueResponse.data(), kContinueResponse.size()),
          [self = Self()](beast::error_code ec, size_t) {
            if (ec) return self->Close();
            self->ReadBody();
          });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    Tcp().expires_after(server_->options().body_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnBody, Self()));
  }

  void OnBody(beast::error_code ec, size_t /*bytes*/) {
    if (ec) return OnReadError(ec);
    Dispatch();
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      return RefuseAndClose(kHttpPayloadTooLarge, "request body too large\n");
    }
    if (ec == http::error::header_limit) {
      return RefuseAndClose(kHttpHeaderFieldsTooLarge,
                            "431 Request Header Fields Too Large\n");
    }
    // Any other parser error is a malformed request; transport errors
    // (reset, timeout, end of stream) just end the connection.
    if (ec.category() ==
            http::make_error_code(http::error::end_of_stream).category() &&
        ec != http::error::end_of_stream &&
        ec != http::error::partial_message) {
      return RefuseAndClose(kHttpBadRequest, "400 Bad Request");
    }
    Close();
  }

  void Dispatch() {
    state_ = State::kHandling;
    http::request<http::string_body> msg = parser_->release();
    parser_.reset();
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    head_ = msg.method() == http::verb::head;
    Request request;
    Status built = BuildRequest(msg, remote_, &request);
    method_ = request.method;
    if (!built.ok()) {
      return RefuseAndClose(kHttpBadRequest,
                            "400 Bad Request: " + std::string(built.message()));
    }
    request_bytes_ = static_cast<int64_t>(request.body.size());
    client_gone_ = std::make_shared<std::atomic<bool>>(false);
    request.client_gone = client_gone_;
    WatchForHangup();
    net::post(server_->handler_pool(),
              [self = Self(), req = std::move(request)]() mutable {
                self->RunHandler(std::move(req));
              });
  }

  // While a handler runs, waits for the socket to become readable: end of
  // stream or an error then means the client went away (Go's net/http
  // cancels the request context the same way), and the handler sees
  // Request::client_gone. Bytes of a pipelined next request end the
  // watch; they stay unread for the next ReadHeader. Over TLS, an alert
  // record (the client's close_notify) also means it went away.
  void WatchForHangup() {
    Socket().async_wait(
        tcp::socket::wait_read,
        net::bind_executor(
            stream_.get_executor(),
            [self = Self(), gone = client_gone_](beast::error_code ec) {
              if (ec || gone != self->client_gone_) return;  // Stale.
              if (self->state_ != State::kHandling &&
                  self->state_ != State::kWriting) {
                return;
              }
              unsigned char byte = 0;
              const ssize_t n = ::recv(self->Socket().native_handle(), &byte, 1,
                                       MSG_PEEK | MSG_DONTWAIT);
              if (n == 0 ||
                  (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
                   errno != EINTR) ||
                  (kTls && n == 1 && byte == kTlsAlertRecord)) {
                gone->store(true, std::memory_order_relaxed);
              } else if (n < 0) {
                self->WatchForHangup();  // Spurious wake-up.
              }
            }));
  }

  // Handler thread.
  void RunHandler(Request request) {
    std::string route;
    Response response;
    try {
      response = server_->Serve(request, &route);
    } catch (...) {
      // Handlers report errors as responses; this is only a safety net
      // (an exception escaping a pool thread would end the process).
      STRATA_LOG(kError, "HTTP handler threw",
                 {{"path", request.path}, {"err", CurrentExceptionText()}});
      response =
          Response::Text(kHttpInternalServerError, "internal server error\n");
    }
    if (response.stream && !head_) {
      StreamResponse(std::move(response), std::move(route));
      return;
    }
    net::post(stream_.get_executor(),
              [self = Self(), response = std::move(response),
               route = std::move(route)]() mutable {
                self->WriteResponse(std::move(response), std::move(route));
              });
  }

  bool KeepAliveAfterResponse() const {
    return keep_alive_ && !close_after_response_ && !server_->stopping();
  }

  template <typename Message>
  void SetHeaders(const Response& response, Message* msg) {
    for (const auto& [name, value] : response.headers.fields()) {
      if (IsFramingHeader(name)) continue;
      msg->insert(name, value);
    }
    if (msg->find(http::field::date) == msg->end()) {
      msg->set(http::field::date, HttpDate());
    }
  }

  void WriteResponse(Response response, std::string route) {
    state_ = State::kWriting;
    auto msg = std::make_shared<http::response<http::string_body>>();
    msg->version(version_);
    msg->result(static_cast<unsigned>(response.status));
    SetHeaders(response, msg.get());
    const bool keep = KeepAliveAfterResponse();
    msg->keep_alive(keep);
    const int64_t body_bytes = static_cast<int64_t>(response.body.size());
    msg->body() = std::move(response.body);
    msg->prepare_payload();
    const bool bodiless_status = response.status < 200 ||
                                 response.status == 204 ||
                                 response.status == 304;
    if (head_ && !bodiless_status) {
      msg->body().clear();
      msg->content_length(static_cast<uint64_t>(body_bytes));
    }
    // A buffered response is observed as it is handed to the transport, as
    // Prometheus's promhttp does, so a client that has read it sees it
    // counted on its next scrape.
    ObserveResponse(response.status, route, head_ ? 0 : body_bytes);
    Tcp().expires_after(server_->options().write_timeout);
    http::async_write(stream_, *msg,
                      [self = Self(), msg, keep](beast::error_code ec, size_t) {
                        self->Continue(ec, keep);
                      });
  }

  // Reports the request, timed from the end of its headers to now.
  void ObserveResponse(int status, const std::string& route,
                       int64_t body_bytes) {
    RequestRecord record;
    record.method = method_;
    record.route = route;
    record.status = status;
    record.seconds =
        std::chrono::duration<double>(Clock::now() - started_).count();
    record.request_body_bytes = request_bytes_;
    record.response_body_bytes = body_bytes;
    server_->Observe(record);
  }

  // After a response: the next request on the connection, or close.
  void Continue(beast::error_code ec, bool keep) {
    if (ec || !keep) return Close();
    WaitForRequest();
  }

  // A streamed response is observed after its last byte.
  void Finish(beast::error_code ec, bool keep, int status,
              const std::string& route, int64_t body_bytes) {
    ObserveResponse(status, route, body_bytes);
    Continue(ec, keep);
  }

  // Handler thread: runs `op` on the strand, passing it a completion to call
  // with the outcome, and waits for that. Only handler threads may block
  // like this; the strand is then otherwise idle.
  beast::error_code RunOnStrand(
      const std::function<void(std::function<void(beast::error_code)>)>& op) {
    std::promise<beast::error_code> done;
    std::future<beast::error_code> result = done.get_future();
    net::post(stream_.get_executor(), [&op, &done] {
      op([&done](beast::error_code ec) { done.set_value(ec); });
    });
    return result.get();
  }

  // Handler thread.
  void StreamResponse(Response response, std::string route);

  std::chrono::milliseconds HeaderTimeout() const {
    return ConnectionAdmission::HeaderTimeout(
        admission_, server_->options().header_timeout);
  }

  // Sends a short error response (with Retry-After if `retry_later`), then
  // drains what the client still sends for a while before closing.
  void RefuseAndClose(int status, std::string text, bool retry_later = false) {
    state_ = State::kWriting;
    if (parser_ && parser_->is_header_done()) {
      if (method_.empty())
        method_ = std::string(parser_->get().method_string());
      version_ = parser_->get().version();
    }
    if (started_ == Clock::time_point()) started_ = Clock::now();
    auto msg = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(status), version_);
    msg->set(http::field::content_type, kContentTypeText);
    msg->set(http::field::date, HttpDate());
    msg->keep_alive(false);
    if (retry_later) {
      msg->set(http::field::retry_after,
               ConnectionAdmission::kRetryAfterSeconds);
    }
    msg->body() = std::move(text);
    msg->prepare_payload();
    Tcp().expires_after(server_->options().write_timeout);
    http::async_write(
        stream_, *msg,
        [self = Self(), msg, status](beast::error_code ec, size_t) {
          RequestRecord record;
          record.method = self->method_;
          record.status = status;
          record.seconds =
              std::chrono::duration<double>(Clock::now() - self->started_)
                  .count();
          record.response_body_bytes = static_cast<int64_t>(msg->body().size());
          self->server_->Observe(record);
          if (ec) return self->Close();
          self->Linger();
        });
  }

  void Linger() {
    state_ = State::kClosed;
    beast::error_code ec;
    Socket().shutdown(tcp::socket::shutdown_send, ec);
    Tcp().expires_after(kLingerTime);
    DrainSome();
  }

  // Reads and drops raw bytes (TLS records undecrypted).
  void DrainSome() {
    buffer_.consume(buffer_.size());
    Tcp().async_read_some(buffer_.prepare(kReadChunkBytes),
                          [self = Self()](beast::error_code ec, size_t) {
                            if (ec) return self->Close();
                            self->DrainSome();
                          });
  }

  void Close() {
    state_ = State::kClosed;
    beast::error_code ec;
    // Over TLS without close_notify: every response is delimited by its
    // length or chunking, and the peer may be gone already.
    Socket().shutdown(tcp::socket::shutdown_both, ec);
    Tcp().close();
  }

  ServerCore* const server_;
  Stream stream_;
  std::string remote_;
  // Set when the client of the request being handled hung up.
  std::shared_ptr<std::atomic<bool>> client_gone_;

  // Guarded by the strand, except that the fields describing the current
  // request are set before the handler is posted and only read afterwards.
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  State state_ = State::kIdle;
  Admission admission_ = Admission::kFull;
  int64_t requests_read_ = 0;
  bool close_after_response_ = false;
  bool keep_alive_ = false;
  bool head_ = false;
  unsigned version_ = 11;
  std::string method_;
  int64_t request_bytes_ = 0;
  Clock::time_point started_;
};

// Handler thread: buffers the body and hands full chunks to the strand.
template <typename Stream>
class Session<Stream>::StreamWriter : public BodyWriter {
 public:
  StreamWriter(Session* session, bool chunked)
      : session_(session), chunked_(chunked) {}

  Status Write(std::string_view data) override {
    if (!status_.ok()) return status_;
    buffer_.append(data);
    if (buffer_.size() >= kStreamFlushBytes) return Flush();
    return Status::OK();
  }

  Status Flush() override {
    if (!status_.ok() || buffer_.empty()) return status_;
    auto data = std::make_shared<std::string>(std::move(buffer_));
    buffer_.clear();
    bytes_ += static_cast<int64_t>(data->size());
    Session* s = session_;
    const bool chunked = chunked_;
    beast::error_code ec = s->RunOnStrand([s, data, chunked](auto done) {
      s->Tcp().expires_after(s->server_->options().write_timeout);
      auto on_written = [data, done](beast::error_code ec, size_t) {
        done(ec);
      };
      if (chunked) {
        net::async_write(s->stream_, http::make_chunk(net::buffer(*data)),
                         on_written);
      } else {
        net::async_write(s->stream_, net::buffer(*data), on_written);
      }
    });
    if (ec) status_ = Status::IOError("writing response: " + ec.message());
    return status_;
  }

  // Flushes and ends the body.
  Status Finish() {
    STRATA_RETURN_IF_ERROR(Flush());
    if (!chunked_) return Status::OK();
    Session* s = session_;
    beast::error_code ec = s->RunOnStrand([s](auto done) {
      s->Tcp().expires_after(s->server_->options().write_timeout);
      net::async_write(s->stream_, http::make_chunk_last(),
                       [done](beast::error_code ec, size_t) { done(ec); });
    });
    if (ec) status_ = Status::IOError("writing response: " + ec.message());
    return status_;
  }

  int64_t bytes() const { return bytes_; }

 private:
  Session* const session_;
  const bool chunked_;
  std::string buffer_;
  Status status_;
  int64_t bytes_ = 0;
};

template <typename Stream>
void Session<Stream>::StreamResponse(Response response, std::string route) {
  // HTTP/1.0 has no chunked encoding: the body then ends when we close.
  const bool chunked = version_ >= 11;
  auto header = std::make_shared<http::response<http::empty_body>>();
  header->version(version_);
  header->result(static_cast<unsigned>(response.status));
  SetHeaders(response, header.get());
  bool keep = false;
  beast::error_code ec = RunOnStrand([&](auto done) {
    state_ = State::kWriting;
    keep = chunked && KeepAliveAfterResponse();
    header->keep_alive(keep);
    if (chunked) header->chunked(true);
    auto sr =
        std::make_shared<http::response_serializer<http::empty_body>>(*header);
    Tcp().expires_after(server_->options().write_timeout);
    http::async_write_header(
        stream_, *sr,
        [header, sr, done](beast::error_code ec, size_t) { done(ec); });
  });
  StreamWriter writer(this, chunked);
  Status status;
  if (ec) {
    status = Status::IOError("writing response header: " + ec.message());
  } else {
    try {
      status = response.stream(&writer);
    } catch (...) {
      // The header is out: all we can do is cut the response short.
      STRATA_LOG(kError, "HTTP streaming handler threw",
                 {{"route", route}, {"err", CurrentExceptionText()}});
      status = Status::Internal("streaming handler threw");
    }
  }
  if (status.ok()) status = writer.Finish();
  if (!status.ok() && !ec) {
    STRATA_LOG(kDebug, "streamed response aborted",
               {{"route", route}, {"err", status.ToString()}});
  }
  net::post(stream_.get_executor(),
            [self = Self(), ok = status.ok(), keep, code = response.status,
             route = std::move(route), bytes = writer.bytes()] {
              self->Finish(ok ? beast::error_code()
                              : beast::error_code(net::error::broken_pipe),
                           keep, code, route, bytes);
            });
}

ServerCore::ServerCore(HttpServerOptions options, const Router* router,
                       RequestObserver observer)
    : options_(std::move(options)),
      router_(router),
      observer_(std::move(observer)),
      admission_(options_.max_connections, options_.reserved_connections,
                 options_.reserved_paths),
      acceptor_(net::make_strand(ioc_)),
      accept_retry_timer_(acceptor_.get_executor()) {}

ServerCore::~ServerCore() {
  if (started_ && !shut_down_) Shutdown(std::chrono::milliseconds(0));
}

Status ServerCore::Start() {
  if (started_) return Status::FailedPrecondition("server already started");
  std::string host;
  int port = 0;
  STRATA_RETURN_IF_ERROR(SplitHostPort(options_.listen_address, &host, &port));
  if (host.empty()) host = "0.0.0.0";

  beast::error_code ec;
  tcp::endpoint endpoint;
  const net::ip::address address = net::ip::make_address(host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, static_cast<unsigned short>(port));
  } else {
    tcp::resolver resolver(ioc_);
    auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec || results.empty()) {
      return Status::InvalidArgument("cannot resolve listen address \"" +
                                     options_.listen_address +
                                     "\": " + ec.message());
    }
    endpoint = results.begin()->endpoint();
  }

  const std::string where = "listen tcp " + options_.listen_address;
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return Status::IOError(where + ": " + ec.message());
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  acceptor_.bind(endpoint, ec);
  if (ec) return Status::IOError(where + ": " + ec.message());
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Status::IOError(where + ": " + ec.message());
  port_ = acceptor_.local_endpoint().port();
  tls_ = options_.web_config != nullptr && options_.web_config->tls_enabled();
  STRATA_LOG(kInfo, tls_ ? "TLS is enabled." : "TLS is disabled.",
             {{"http2", "false"}, {"address", options_.listen_address}});

  const int io_threads =
      options_.io_threads > 0 ? options_.io_threads : Cores();
  const int handler_threads = options_.handler_threads > 0
                                  ? options_.handler_threads
                                  : std::max(4, 2 * Cores());
  work_.emplace(ioc_.get_executor());
  handler_pool_ = std::make_unique<net::thread_pool>(handler_threads);
  for (int i = 0; i < io_threads; ++i) {
    io_threads_.emplace_back([this] { RunIoLoop(); });
  }
  started_ = true;
  net::post(acceptor_.get_executor(), [this] { DoAccept(); });
  return Status::OK();
}

void ServerCore::RunIoLoop() {
  while (true) {
    try {
      ioc_.run();
      return;  // Stopped.
    } catch (...) {
      // A completion handler threw: the operation it belonged to is gone
      // (its connection closes once nothing refers to it), everything
      // else carries on. io_context::run may be called again as is.
      STRATA_LOG(kError, "HTTP I/O handler threw; its connection is dropped",
                 {{"err", CurrentExceptionText()}});
    }
  }
}

void ServerCore::DoAccept() {
  if (stopping()) return;
  acceptor_.async_accept(
      net::make_strand(ioc_),
      beast::bind_front_handler(&ServerCore::OnAccept, this));
}

void ServerCore::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (stopping() || ec == net::error::operation_aborted) return;
  if (ec) {
    // Typically EMFILE: back off instead of spinning.
    STRATA_LOG(kWarn, "accept failed", {{"err", ec.message()}});
    accept_retry_timer_.expires_after(kAcceptRetryDelay);
    accept_retry_timer_.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec) DoAccept();
    });
    return;
  }
  std::shared_ptr<Connection> session = MakeSession(std::move(socket));
  const ConnectionAdmission::Admitted admitted = admission_.Admit();
  sessions_.Add(session, admitted.admission);
  session->Start(admitted.admission);
  if (!admitted.pause_accept) DoAccept();
}

std::shared_ptr<Connection> ServerCore::MakeSession(tcp::socket socket) {
  if (!tls_) {
    return std::make_shared<Session<PlainStream>>(this, std::move(socket));
  }
  std::shared_ptr<net::ssl::context> ssl = SslContext();
  return std::make_shared<Session<TlsStream>>(this, std::move(socket), *ssl);
}

std::shared_ptr<net::ssl::context> ServerCore::SslContext() {
  std::shared_ptr<const TlsContext> tls = options_.web_config->Current()->tls;
  if (tls != ssl_source_) {
    // Asio's wrapper frees the SSL_CTX it is given: give it a reference.
    SSL_CTX_up_ref(tls->native());
    ssl_context_ = std::make_shared<net::ssl::context>(tls->native());
    ssl_source_ = std::move(tls);
  }
  return ssl_context_;
}

Response ServerCore::Serve(Request& request, std::string* route) {
  if (options_.web_config == nullptr) {
    return router_->Dispatch(request, route);
  }
  WebConfigFile& web = *options_.web_config;
  const std::shared_ptr<const WebConfigFile::Snapshot> config = web.Current();
  std::optional<Response> refused = web.Authorize(*config, request);
  Response response =
      refused ? std::move(*refused) : router_->Dispatch(request, route);
  WebConfigFile::ApplyHeaders(*config, &response);
  return response;
}

void ServerCore::Unregister(Connection* session) {
  const std::optional<Admission> admission = sessions_.Remove(session);
  const bool resume = admission.has_value() && admission_.Release(*admission);
  if (resume && !stopping()) {
    net::post(acceptor_.get_executor(), [this] { DoAccept(); });
  }
}

int64_t ServerCore::active_connections() const { return sessions_.size(); }

bool ServerCore::Shutdown(std::chrono::milliseconds grace) {
  if (!started_ || shut_down_) {
    shut_down_ = true;
    return true;
  }
  shut_down_ = true;
  stopping_.store(true, std::memory_order_release);

  std::promise<void> acceptor_closed;
  net::post(acceptor_.get_executor(), [this, &acceptor_closed] {
    beast::error_code ec;
    acceptor_.close(ec);
    accept_retry_timer_.cancel();
    acceptor_closed.set_value();
  });
  acceptor_closed.get_future().wait();

  for (const auto& session : sessions_.Live()) session->PostServerStopping();
  const bool drained = sessions_.AwaitEmpty(grace);
  if (!drained) {
    std::vector<std::shared_ptr<Connection>> live = sessions_.Live();
    STRATA_LOG(kWarn, "closing HTTP connections still busy after grace period",
               {{"connections", std::to_string(live.size())}});
    for (const auto& session : live) session->PostForceClose();
  }
  // Handlers still running see their connection closed and return.
  handler_pool_->join();
  sessions_.AwaitEmpty(kForceCloseWait);
  work_.reset();
  ioc_.stop();
  for (std::thread& t : io_threads_) t.join();
  io_threads_.clear();
  return drained;
}

}  // namespace

class HttpServer::Impl : public ServerCore {
 public:
  using ServerCore::ServerCore;
};

HttpServer::HttpServer(HttpServerOptions options, const Router* router,
                       RequestObserver observer)
    : impl_(std::make_unique<Impl>(std::move(options), router,
                                   std::move(observer))) {}

HttpServer::~HttpServer() = default;

Status HttpServer::Start() { return impl_->Start(); }
int HttpServer::port() const { return impl_->port(); }
bool HttpServer::Shutdown(std::chrono::milliseconds grace) {
  return impl_->Shutdown(grace);
}
int64_t HttpServer::active_connections() const {
  return impl_->active_connections();
}

}  // namespace strata::server
