#include "server/api/admin_handler.h"

#include <charconv>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "promql/parser.h"
#include "server/api/api_params.h"
#include "server/http/api_envelope.h"
#include "util/file_system.h"
#include "util/log.h"
#include "util/strings.h"

namespace strata::server {
namespace {

constexpr std::string_view kSnapshotsDir = "snapshots";

// Go's strconv.ParseBool.
bool ParseBool(std::string_view s, bool* v) {
  if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" ||
      s == "True") {
    *v = true;
    return true;
  }
  if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" ||
      s == "False") {
    *v = false;
    return true;
  }
  return false;
}

// "<YYYYMMDDTHHMMSSZ>-<16 hex digits>", as Prometheus names snapshots.
std::string SnapshotName() {
  const std::string time =
      absl::FormatTime("%Y%m%dT%H%M%SZ", absl::Now(), absl::UTCTimeZone());
  std::random_device rd;
  std::mt19937_64 rng((static_cast<uint64_t>(rd()) << 32) ^ rd());
  const uint64_t r = rng();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string name = time + "-";
  for (int shift = 60; shift >= 0; shift -= 4) name += kHex[(r >> shift) & 15];
  return name;
}

}  // namespace

AdminHandler::AdminHandler(AdminOptions options)
    : options_(std::move(options)) {}

void AdminHandler::RegisterRoutes(Router* router) {
  constexpr std::string_view kPrefix = "/api/v1/admin/tsdb/";
  for (const char* method : {"POST", "PUT"}) {
    router->Handle(method, Cat(kPrefix, "snapshot"),
                   [this](Request& r) { return Snapshot(r); });
    router->Handle(method, Cat(kPrefix, "delete_series"),
                   [this](Request& r) { return DeleteSeries(r); });
    router->Handle(method, Cat(kPrefix, "clean_tombstones"),
                   [this](Request& r) { return CleanTombstones(r); });
  }
}

template <typename Fn>
Response AdminHandler::WithDB(Fn fn) {
  DB* db = db_.load(std::memory_order_acquire);
  if (db == nullptr) {
    return Response::Text(kHttpServiceUnavailable, "Service Unavailable");
  }
  if (!options_.enabled) {
    return ApiError(ApiErrorType::kUnavailable, "admin APIs disabled");
  }
  return fn(db);
}

Response AdminHandler::Snapshot(Request& request) {
  return WithDB([&](DB* db) {
    bool skip_head = false;
    const std::string_view skip = request.params.Get("skip_head");
    if (!skip.empty() && !ParseBool(skip, &skip_head)) {
      return ApiError(
          ApiErrorType::kBadData,
          Cat("unable to parse boolean 'skip_head' argument: strconv."
              "ParseBool: parsing \"",
              skip, "\": invalid syntax"));
    }
    FileSystem* fs = FileSystem::Default();
    const std::string name = SnapshotName();
    const std::string dir =
        JoinPath(JoinPath(options_.data_dir, kSnapshotsDir), name);
    Status st = fs->CreateDirs(dir);
    if (st.ok()) st = db->Snapshot(dir, !skip_head);
    if (!st.ok()) {
      // Leave no empty or partial snapshot behind.
      (void)fs->RemoveAll(dir);
      STRATA_LOG(kError, "Snapshot failed", {{"err", st.ToString()}});
      return ApiError(ApiErrorTypeFor(st),
                      Cat("create snapshot: ", st.ToString()));
    }
    STRATA_LOG(kInfo, "Snapshot created",
               {{"dir", dir}, {"with_head", skip_head ? "false" : "true"}});
    std::string data = R"({"name":)";
    AppendJsonString(&data, name);
    data += '}';
    return ApiSuccess(data);
  });
}

Response AdminHandler::DeleteSeries(Request& request) {
  return WithDB([&](DB* db) {
    if (!request.params_status.ok()) {
      return ApiError(
          ApiErrorType::kBadData,
          Cat("error parsing form values: ", request.params_status.message()));
    }
    const std::vector<std::string> matches = request.params.GetAll("match[]");
    if (matches.empty()) {
      return ApiError(ApiErrorType::kBadData, "no match[] parameter provided");
    }
    StatusOr<int64_t> start = TimeParam(request, "start", kApiMinTimeMs);
    if (!start.ok()) {
      return ApiError(ApiErrorType::kBadData, start.status().message());
    }
    StatusOr<int64_t> end = TimeParam(request, "end", kApiMaxTimeMs);
    if (!end.ok()) {
      return ApiError(ApiErrorType::kBadData, end.status().message());
    }
    // Parse every selector before deleting anything.
    std::vector<std::vector<Matcher>> selectors;
    for (const std::string& match : matches) {
      StatusOr<std::vector<Matcher>> matchers =
          promql::ParseMetricSelector(match);
      if (!matchers.ok()) {
        return ApiError(ApiErrorType::kBadData,
                        InvalidParam(matchers.status(), "match[]").message());
      }
      selectors.push_back(std::move(*matchers));
    }
    for (const std::vector<Matcher>& matchers : selectors) {
      // As in Prometheus, `{}` selects no series, so deletes nothing.
      if (matchers.empty()) continue;
      Status st = db->DeleteSeries(matchers, *start, *end);
      if (!st.ok()) {
        return ApiError(ApiErrorTypeFor(st), st.ToString());
      }
    }
    Response r;
    r.status = kHttpNoContent;
    return r;
  });
}

Response AdminHandler::CleanTombstones(Request& /*request*/) {
  return WithDB([&](DB* db) {
    Status st = db->CleanTombstones();
    if (!st.ok()) return ApiError(ApiErrorTypeFor(st), st.ToString());
    Response r;
    r.status = kHttpNoContent;
    return r;
  });
}

}  // namespace strata::server
