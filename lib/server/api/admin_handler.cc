#include "server/api/admin_handler.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
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

// skip_head-style boolean parameter `name` (absent: false), with
// Prometheus's message for a bad value.
StatusOr<bool> BoolParam(const Request& request, std::string_view name) {
  bool value = false;
  const std::string_view text = request.params.Get(name);
  if (!text.empty() && !ParseBool(text, &value)) {
    return Status::InvalidArgument(Cat("unable to parse boolean '", name,
                                       "' argument: strconv."
                                       "ParseBool: parsing \"",
                                       text, "\": invalid syntax"));
  }
  return value;
}

// The backup directory parameter: absolute, and not the data directory or
// inside it (a backup there would be copied into itself by the next one).
StatusOr<std::string> BackupDir(std::string_view dir,
                                const std::string& data_dir) {
  if (dir.empty()) return Status::InvalidArgument("no dir parameter provided");
  if (dir.front() != '/') {
    return Status::InvalidArgument(
        Cat("dir must be an absolute path on the server's machine: ", dir));
  }
  std::error_code ec;
  const std::filesystem::path want =
      std::filesystem::weakly_canonical(std::filesystem::path(dir), ec);
  const std::filesystem::path data = std::filesystem::weakly_canonical(
      std::filesystem::absolute(data_dir, ec), ec);
  if (ec) return Status::InvalidArgument(Cat("dir ", dir, ": ", ec.message()));
  auto [d, w] =
      std::mismatch(data.begin(), data.end(), want.begin(), want.end());
  if (d == data.end()) {
    return Status::InvalidArgument(
        Cat("dir must be outside the data directory: ", dir));
  }
  return want.string();
}

std::string BackupJson(const std::string& dir, const DB::BackupReport& r,
                       int64_t extra_bytes) {
  std::string data = R"({"dir":)";
  AppendJsonString(&data, dir);
  data += Cat(R"(,"blocksCopied":)", r.blocks_copied, R"(,"blocksSkipped":)",
              r.blocks_skipped, R"(,"bytesCopied":)",
              r.bytes_copied + extra_bytes, R"(,"bytesByKind":{"blocks":)",
              r.block_bytes, R"(,"walSegments":)", r.wal_segment_bytes,
              R"(,"walCheckpoint":)", r.wal_checkpoint_bytes, R"(,"wbl":)",
              r.wbl_segment_bytes, R"(,"metadata":)", extra_bytes, "}}");
  return data;
}

// The API error for a failed storage operation, its paths relative to the
// data directory (the log has them in full).
Response StorageError(std::string_view what, const Status& st,
                      const std::string& data_dir) {
  return ApiError(ApiErrorTypeFor(st),
                  RelativeToDir(Cat(what, st.ToString()), data_dir));
}

// A tenth of the retention, between 1s and 10m.
absl::Duration RetentionCheckInterval(const AdminOptions& o) {
  if (o.snapshot_retention_check_ms > 0) {
    return absl::Milliseconds(o.snapshot_retention_check_ms);
  }
  return std::clamp(absl::Milliseconds(o.snapshot_retention_ms) / 10,
                    absl::Seconds(1), absl::Minutes(10));
}

}  // namespace

AdminHandler::AdminHandler(AdminOptions options)
    : options_(std::move(options)),
      retention_(std::make_unique<SnapshotRetention>(
          JoinPath(options_.data_dir, kSnapshotsDir),
          absl::Milliseconds(options_.snapshot_retention_ms),
          RetentionCheckInterval(options_))) {}

void AdminHandler::RegisterRoutes(Router* router) {
  constexpr std::string_view kPrefix = "/api/v1/admin/tsdb/";
  const CrossOriginPolicy& policy = options_.cross_origin;
  for (const char* method : {"POST", "PUT"}) {
    router->Handle(method, Cat(kPrefix, "snapshot"),
                   policy.Protect([this](Request& r) { return Snapshot(r); }));
    router->Handle(method, Cat(kPrefix, "backup"),
                   policy.Protect([this](Request& r) { return Backup(r); }));
    router->Handle(
        method, Cat(kPrefix, "delete_series"),
        policy.Protect([this](Request& r) { return DeleteSeries(r); }));
    router->Handle(
        method, Cat(kPrefix, "clean_tombstones"),
        policy.Protect([this](Request& r) { return CleanTombstones(r); }));
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
    StatusOr<bool> skip = BoolParam(request, "skip_head");
    if (!skip.ok()) {
      return ApiError(ApiErrorType::kBadData, skip.status().message());
    }
    const bool skip_head = *skip;
    FileSystem* fs = FileSystem::Default();
    const std::string name = SnapshotName();
    const std::string dir =
        JoinPath(JoinPath(options_.data_dir, kSnapshotsDir), name);
    retention_->BeginWrite(name);
    Status st = fs->CreateDirs(dir);
    if (st.ok()) st = db->Snapshot(dir, !skip_head);
    retention_->EndWrite(name);
    retention_->RemoveExpired(absl::Now());
    if (!st.ok()) {
      // Leave no empty or partial snapshot behind.
      (void)fs->RemoveAll(dir);
      STRATA_LOG(kError, "Snapshot failed", {{"err", st.ToString()}});
      return StorageError("create snapshot: ", st, options_.data_dir);
    }
    STRATA_LOG(kInfo, "Snapshot created",
               {{"dir", dir}, {"with_head", skip_head ? "false" : "true"}});
    std::string data = R"({"name":)";
    AppendJsonString(&data, name);
    data += '}';
    return ApiSuccess(data);
  });
}

Response AdminHandler::Backup(Request& request) {
  return WithDB([&](DB* db) {
    if (!request.params_status.ok()) {
      return ApiError(
          ApiErrorType::kBadData,
          Cat("error parsing form values: ", request.params_status.message()));
    }
    StatusOr<bool> skip_head = BoolParam(request, "skip_head");
    if (!skip_head.ok()) {
      return ApiError(ApiErrorType::kBadData, skip_head.status().message());
    }
    StatusOr<std::string> dir =
        BackupDir(request.params.Get("dir"), options_.data_dir);
    if (!dir.ok()) {
      return ApiError(ApiErrorType::kBadData, dir.status().message());
    }
    StatusOr<DB::BackupReport> r = db->Backup(*dir, !*skip_head);
    StatusOr<int64_t> extras = int64_t{0};
    if (r.ok() && options_.backup_extras) extras = options_.backup_extras(*dir);
    const Status st = r.ok() ? extras.status() : r.status();
    if (!st.ok()) {
      STRATA_LOG(kError, "Backup failed",
                 {{"dir", *dir}, {"err", st.ToString()}});
      return StorageError("backup: ", st, options_.data_dir);
    }
    return ApiSuccess(BackupJson(*dir, *r, *extras));
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
        STRATA_LOG(kError, "Deleting series failed", {{"err", st.ToString()}});
        return StorageError("", st, options_.data_dir);
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
    if (!st.ok()) {
      STRATA_LOG(kError, "Cleaning tombstones failed",
                 {{"err", st.ToString()}});
      return StorageError("", st, options_.data_dir);
    }
    Response r;
    r.status = kHttpNoContent;
    return r;
  });
}

}  // namespace strata::server
