#include "remote_write_load.h"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <thread>
#include <utility>

#include "http_client/http_client.h"
#include "prometheus/remote.pb.h"
#include "snappy.h"

namespace strata::e2e {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::chrono::seconds kRequestTimeout{30};

http_client::Options ClientOptions() {
  http_client::Options options;
  options.timeout = kRequestTimeout;
  return options;
}

bool HasPositiveRetryAfter(const http_client::Response& r) {
  const std::string value = r.Header("Retry-After");
  if (value.empty()) return false;
  char* end = nullptr;
  const long seconds = std::strtol(value.c_str(), &end, 10);
  return *end == '\0' && seconds > 0;
}

// One connection's series and its current batch. Owned by one thread.
class LoadConnection {
 public:
  LoadConnection(const LoadOptions& options, int conn)
      : options_(options), http_("127.0.0.1", options.port, ClientOptions()) {
    for (int s = 0; s < options.series_per_request; ++s) {
      prometheus::TimeSeries* ts = write_.add_timeseries();
      AddLabel(ts, "__name__", "overload_load");
      AddLabel(ts, "conn", std::to_string(conn));
      AddLabel(ts, "phase", options.phase);
      AddLabel(ts, "series", std::to_string(s));
      for (int k = 0; k < options.samples_per_series; ++k) ts->add_samples();
    }
    request_.method = "POST";
    request_.target = "/api/v1/write";
    request_.headers = {{"Content-Type", "application/x-protobuf"},
                        {"Content-Encoding", "snappy"},
                        {"X-Prometheus-Remote-Write-Version", "0.1.0"}};
    BuildBatch();
  }

  // Sends the current batch; an accepted one is replaced by the next.
  void SendOnce(LoadReport* report) {
    const int64_t samples = static_cast<int64_t>(options_.series_per_request) *
                            options_.samples_per_series;
    ++report->requests;
    report->samples_offered += samples;
    report->bytes_offered += static_cast<int64_t>(request_.body.size());
    StatusOr<http_client::Response> r = http_.Send(request_);
    const int status = r.ok() ? r->status : 0;
    if (status / 100 == 2) {
      ++report->accepted;
      report->samples_accepted += samples;
      ++sequence_;
      BuildBatch();
    } else if (status == 429) {
      ++report->throttled;
      if (!HasPositiveRetryAfter(*r)) ++report->throttled_without_retry_after;
    } else {
      ++report->failed;
      if (report->first_failure.empty()) {
        report->first_failure = r.ok() ? std::to_string(status) + " " + r->body
                                       : r.status().ToString();
      }
    }
  }

 private:
  static void AddLabel(prometheus::TimeSeries* ts, const std::string& name,
                       const std::string& value) {
    prometheus::Label* label = ts->add_labels();
    label->set_name(name);
    label->set_value(value);
  }

  // Sets the samples of batch `sequence_` and encodes the body.
  void BuildBatch() {
    const int64_t first =
        options_.start_ms + sequence_ * options_.samples_per_series;
    for (prometheus::TimeSeries& ts : *write_.mutable_timeseries()) {
      for (int k = 0; k < ts.samples_size(); ++k) {
        prometheus::Sample* sample = ts.mutable_samples(k);
        sample->set_timestamp(first + k);
        sample->set_value(static_cast<double>(sequence_ + k));
      }
    }
    write_.SerializeToString(&raw_);
    request_.body.clear();
    snappy::Compress(raw_.data(), raw_.size(), &request_.body);
  }

  const LoadOptions& options_;
  http_client::Connection http_;
  prometheus::WriteRequest write_;
  std::string raw_;
  http_client::Request request_;
  int64_t sequence_ = 0;
};

// Runs connection `conn` from `start` for the options' duration.
LoadReport RunConnection(const LoadOptions& options, int conn,
                         Clock::time_point start) {
  LoadConnection connection(options, conn);
  LoadReport report;
  const Clock::time_point deadline = start + options.duration;
  if (options.requests_per_second <= 0) {
    while (Clock::now() < deadline) connection.SendOnce(&report);
    return report;
  }
  const auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(1.0 / options.requests_per_second));
  // Staggered, so the connections' requests spread over each interval.
  Clock::time_point next = start + interval * conn / options.connections;
  while (next < deadline) {
    std::this_thread::sleep_until(next);
    // A connection that fell behind sends at once but owes no burst.
    next = std::max(next + interval, Clock::now());
    connection.SendOnce(&report);
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
  std::vector<LoadReport> parts(static_cast<size_t>(options.connections));
  const Clock::time_point start = Clock::now();
  {
    std::vector<std::jthread> threads;
    for (int c = 0; c < options.connections; ++c) {
      threads.emplace_back([&options, &parts, c, start] {
        parts[static_cast<size_t>(c)] = RunConnection(options, c, start);
      });
    }
  }
  LoadReport total;
  total.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (const LoadReport& part : parts) {
    Merge(part, &total);
    total.samples_accepted_by_connection.push_back(part.samples_accepted);
  }
  return total;
}

}  // namespace strata::e2e
