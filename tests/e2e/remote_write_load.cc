#include "remote_write_load.h"

#include <poll.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <utility>

#include "http_test_client.h"
#include "prometheus/remote.pb.h"
#include "snappy.h"
#include "util/coding.h"
#include "util/strings.h"

namespace strata::e2e {
namespace {

using Clock = std::chrono::steady_clock;
using server::testing::TestConnection;
using server::testing::TestResponse;

constexpr std::chrono::seconds kRequestTimeout{30};
// WriteRequest.timeseries: field 1, wire type 2 (length-delimited).
constexpr char kTimeseriesFieldKey = (1 << 3) | 2;

bool HasPositiveRetryAfter(const TestResponse& r) {
  const std::string value = r.Header("Retry-After");
  if (value.empty()) return false;
  char* end = nullptr;
  const long seconds = std::strtol(value.c_str(), &end, 10);
  return *end == '\0' && seconds > 0;
}

void RecordFailure(std::string what, LoadReport* report) {
  ++report->failed;
  if (report->first_failure.empty()) report->first_failure = std::move(what);
}

// One connection's series, its current batch encoded as a complete HTTP
// request, and when it may send next. Owned by one sender thread.
class LoadConnection {
 public:
  LoadConnection(const LoadOptions& options, int conn)
      : options_(options),
        conn_(conn),
        interval_(options.requests_per_second > 0
                      ? std::chrono::duration_cast<Clock::duration>(
                            std::chrono::duration<double>(
                                1.0 / options.requests_per_second))
                      : Clock::duration::zero()),
        samples_per_request_(static_cast<int64_t>(options.series_per_request) *
                             options.samples_per_series) {
    prometheus::TimeSeries labels_only;
    for (int s = 0; s < options.series_per_request; ++s) {
      labels_only.clear_labels();
      AddLabel(&labels_only, "__name__", "overload_load");
      AddLabel(&labels_only, "conn", std::to_string(conn));
      AddLabel(&labels_only, "phase", options.phase);
      AddLabel(&labels_only, "series", std::to_string(s));
      series_labels_.push_back(labels_only.SerializeAsString());
    }
    for (int k = 0; k < options.samples_per_series; ++k) {
      samples_only_.add_samples();
    }
    BuildBatch();
  }

  // Schedules the first request: staggered after `start`, so that the
  // connections' requests spread over each interval.
  void StartAt(Clock::time_point start) {
    next_send_ = start + interval_ * conn_ / options_.connections;
  }

  bool awaiting_answer() const { return awaiting_answer_; }
  Clock::time_point next_send() const { return next_send_; }
  int fd() const { return http_->fd(); }
  int64_t samples_accepted() const { return samples_accepted_; }

  // Sends the current batch (it is due: next_send() <= now).
  void Send(Clock::time_point now, LoadReport* report) {
    // A connection that fell behind sends at once but owes no burst.
    next_send_ = std::max(next_send_ + interval_, now);
    ++report->requests;
    report->samples_offered += samples_per_request_;
    report->bytes_offered += static_cast<int64_t>(body_bytes_);
    if (http_ == nullptr) {
      StatusOr<std::unique_ptr<TestConnection>> c =
          TestConnection::Connect(options_.port, kRequestTimeout);
      if (!c.ok()) return RecordFailure(c.status().ToString(), report);
      http_ = *std::move(c);
    }
    if (Status sent = http_->Send(request_); !sent.ok()) {
      http_.reset();
      return RecordFailure(sent.ToString(), report);
    }
    awaiting_answer_ = true;
  }

  // Reads the answer to the batch sent (the socket is readable); an
  // accepted batch is replaced by the next.
  void Receive(LoadReport* report) {
    awaiting_answer_ = false;
    StatusOr<TestResponse> r = http_->ReadResponse();
    if (!r.ok()) {
      http_.reset();
      return RecordFailure(r.status().ToString(), report);
    }
    if (EqualsIgnoreCase(r->Header("Connection"), "close")) http_.reset();
    if (r->status / 100 == 2) {
      ++report->accepted;
      report->samples_accepted += samples_per_request_;
      samples_accepted_ += samples_per_request_;
      ++sequence_;
      BuildBatch();
    } else if (r->status == 429) {
      ++report->throttled;
      if (!HasPositiveRetryAfter(*r)) ++report->throttled_without_retry_after;
    } else {
      RecordFailure(std::to_string(r->status) + " " + r->body, report);
    }
  }

  // The answer did not come in time: the connection is given up.
  void TimedOut(LoadReport* report) {
    awaiting_answer_ = false;
    http_.reset();
    RecordFailure("no answer within the request timeout", report);
  }

 private:
  static void AddLabel(prometheus::TimeSeries* ts, const std::string& name,
                       const std::string& value) {
    prometheus::Label* label = ts->add_labels();
    label->set_name(name);
    label->set_value(value);
  }

  // Sets the samples of batch `sequence_` and encodes the request. Every
  // series of a batch has the same samples, and a series' labels never
  // change: both are encoded once by protobuf, and the WriteRequest is
  // their concatenation, as protobuf encodes it (a repeated message field
  // is its elements, each tagged and length-prefixed; a message is its
  // fields in order, labels = 1 before samples = 2). So refusals cost the
  // generator nothing and acceptances little.
  void BuildBatch() {
    const int64_t first =
        options_.start_ms + sequence_ * options_.samples_per_series;
    for (int k = 0; k < samples_only_.samples_size(); ++k) {
      prometheus::Sample* sample = samples_only_.mutable_samples(k);
      sample->set_timestamp(first + k);
      sample->set_value(static_cast<double>(sequence_ + k));
    }
    samples_only_.SerializeToString(&samples_);
    raw_.clear();
    for (const std::string& labels : series_labels_) {
      raw_ += kTimeseriesFieldKey;
      PutUvarint(&raw_, labels.size() + samples_.size());
      raw_ += labels;
      raw_ += samples_;
    }
    body_.clear();
    snappy::Compress(raw_.data(), raw_.size(), &body_);
    body_bytes_ = body_.size();
    request_.assign(
        "POST /api/v1/write HTTP/1.1\r\n"
        "Host: 127.0.0.1\r\n"
        "Content-Type: application/x-protobuf\r\n"
        "Content-Encoding: snappy\r\n"
        "X-Prometheus-Remote-Write-Version: 0.1.0\r\n"
        "Content-Length: ");
    request_ += std::to_string(body_.size());
    request_ += "\r\n\r\n";
    request_ += body_;
  }

  const LoadOptions& options_;
  const int conn_;
  const Clock::duration interval_;
  Clock::time_point next_send_;
  const int64_t samples_per_request_;
  std::unique_ptr<TestConnection> http_;  // Null until (re)connected.
  bool awaiting_answer_ = false;
  // The encoded labels of each series (a TimeSeries with only labels).
  std::vector<std::string> series_labels_;
  prometheus::TimeSeries samples_only_;  // The current batch's samples.
  std::string samples_;                  // samples_only_, encoded.
  std::string raw_;                      // The WriteRequest, encoded.
  std::string body_;
  size_t body_bytes_ = 0;
  std::string request_;  // Headers and body, as sent.
  int64_t sequence_ = 0;
  int64_t samples_accepted_ = 0;
};

// Sends each due batch of `connections` until `deadline`, reading answers
// as they come; then waits for the last answers.
LoadReport RunSender(std::span<const std::unique_ptr<LoadConnection>> conns,
                     Clock::time_point deadline) {
  LoadReport report;
  std::vector<pollfd> fds;
  std::vector<LoadConnection*> waiting;
  while (true) {
    const Clock::time_point now = Clock::now();
    const bool sending = now < deadline;
    Clock::time_point wake = sending ? deadline : now + kRequestTimeout;
    fds.clear();
    waiting.clear();
    for (const std::unique_ptr<LoadConnection>& c : conns) {
      if (sending && !c->awaiting_answer()) {
        if (c->next_send() <= now) {
          c->Send(now, &report);
        } else {
          wake = std::min(wake, c->next_send());
        }
      }
      if (c->awaiting_answer()) {
        fds.push_back({c->fd(), POLLIN, 0});
        waiting.push_back(c.get());
      }
    }
    if (!sending && waiting.empty()) break;
    const auto wait =
        std::chrono::duration_cast<std::chrono::nanoseconds>(wake - now);
    const timespec timeout{static_cast<time_t>(wait.count() / 1000000000),
                           static_cast<long>(wait.count() % 1000000000)};
    const int ready = ppoll(fds.data(), fds.size(), &timeout, nullptr);
    if (ready == 0 && !sending) {
      for (LoadConnection* c : waiting) c->TimedOut(&report);
      break;
    }
    for (size_t i = 0; ready > 0 && i < fds.size(); ++i) {
      if (fds[i].revents != 0) waiting[i]->Receive(&report);
    }
  }
  return report;
}

void Merge(const LoadReport& part, LoadReport* total) {
  total->requests += part.requests;
  total->accepted += part.accepted;
  total->throttled += part.throttled;
  total->throttled_without_retry_after += part.throttled_without_retry_after;
  total->failed += part.failed;
  if (total->first_failure.empty()) total->first_failure = part.first_failure;
  total->samples_offered += part.samples_offered;
  total->bytes_offered += part.bytes_offered;
  total->samples_accepted += part.samples_accepted;
}

}  // namespace

LoadReport RunRemoteWriteLoad(const LoadOptions& options) {
  const int threads = std::clamp(options.threads, 1, options.connections);
  // The connections of each thread; batches are encoded before the clock
  // starts.
  std::vector<std::vector<std::unique_ptr<LoadConnection>>> groups(
      static_cast<size_t>(threads));
  for (int c = 0; c < options.connections; ++c) {
    groups[static_cast<size_t>(c % threads)].push_back(
        std::make_unique<LoadConnection>(options, c));
  }
  const Clock::time_point started = Clock::now();
  for (const auto& group : groups) {
    for (const std::unique_ptr<LoadConnection>& c : group) c->StartAt(started);
  }
  const Clock::time_point deadline = started + options.duration;
  std::vector<LoadReport> parts(static_cast<size_t>(threads));
  {
    std::vector<std::jthread> senders;
    for (size_t t = 0; t < groups.size(); ++t) {
      senders.emplace_back([&groups, &parts, t, deadline] {
        parts[t] = RunSender(groups[t], deadline);
      });
    }
  }
  LoadReport total;
  total.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  for (const LoadReport& part : parts) Merge(part, &total);
  for (int c = 0; c < options.connections; ++c) {
    const auto& group = groups[static_cast<size_t>(c % threads)];
    total.samples_accepted_by_connection.push_back(
        group[static_cast<size_t>(c / threads)]->samples_accepted());
  }
  return total;
}

}  // namespace strata::e2e
