// AdminHandler: Prometheus's TSDB admin API, off unless enabled
// (--web.enable-admin-api), at Prometheus's paths, POST or PUT:
//
//   /api/v1/admin/tsdb/snapshot?skip_head=<bool>
//       200 {"status":"success","data":{"name":"<UTC time>-<16 hex>"}};
//       the snapshot is <data dir>/snapshots/<name>, written by
//       DB::Snapshot (with the head unless skip_head).
//       With AdminOptions::snapshot_retention, snapshots older than it are
//       removed at each new snapshot and periodically (SnapshotRetention);
//       never the one being written.
//   /api/v1/admin/tsdb/backup?dir=<absolute path>&skip_head=<bool>
//       Strata's own: an incremental backup into `dir` on the server's
//       machine (DB::Backup: the blocks `dir` lacks and, unless skip_head,
//       the WAL's new bytes), then AdminOptions::backup_extras (the metric
//       metadata). 200 {"status":"success","data":{"dir":..,
//       "blocksCopied":n,"blocksSkipped":n,"bytesCopied":n,"bytesByKind":
//       {"blocks":n,"walSegments":n,"walCheckpoint":n,"metadata":n}}}.
//       `dir` must be absolute and outside the data directory.
//   /api/v1/admin/tsdb/delete_series?match[]=<selector>&start=..&end=..
//       204; DB::DeleteSeries for every match[] (start/end as the query
//       API: Unix seconds or RFC 3339, default: all time).
//       Bounds: an absent start/end means Prometheus's minimum/maximum
//       time, as in Prometheus (its users script deletions that way); a
//       given one must lie within that range (ParseApiTime), else 400.
//       Prometheus lets such values overflow: start=1e20 wraps to the
//       minimum time and deletes everything the selector matches.
//   /api/v1/admin/tsdb/clean_tombstones
//       204; DB::CleanTombstones.
//
// A cross-site request (a web page's form POST, see CrossOriginPolicy) is
// refused with 403 before anything else, unless AdminOptions::cross_origin
// (--web.cors.origin) allows its Origin.
//
// Errors use the API's JSON envelope: disabled -> 503 "unavailable"
// ("admin APIs disabled"), bad parameters -> 400 "bad_data", a DB that
// does not support the operation yet (NotSupported) -> 503 "unavailable",
// any other DB error -> 500 "internal". Before a DB is attached every path
// answers 503 "Service Unavailable", as all of /api/v1 does until ready.
//
// Thread-safety: RegisterRoutes once before serving; the rest is safe to
// call concurrently. An attached DB must stay open until detached and
// in-flight requests have finished.
#ifndef STRATA_SERVER_API_ADMIN_HANDLER_H_
#define STRATA_SERVER_API_ADMIN_HANDLER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "server/api/snapshot_retention.h"
#include "server/http/cross_origin.h"
#include "server/http/http.h"
#include "server/http/router.h"
#include "strata/db.h"
#include "strata/status.h"

namespace strata::server {

struct AdminOptions {
  bool enabled = false;
  // The data directory; snapshots go to its snapshots/ subdirectory.
  std::string data_dir;
  // Snapshots older than this are removed; 0 keeps all.
  int64_t snapshot_retention_ms = 0;
  // How often expired snapshots are looked for besides at each snapshot.
  // 0: a tenth of the retention, between 1s and 10m.
  int64_t snapshot_retention_check_ms = 0;
  // Copies what the server keeps beside the DB into backup directory `dir`
  // after the DB's part; returns the bytes copied. May be empty.
  std::function<StatusOr<int64_t>(const std::string& dir)> backup_extras =
      nullptr;
  // Origins whose pages may call these endpoints (--web.cors.origin).
  CrossOriginPolicy cross_origin{};
};

class AdminHandler {
 public:
  explicit AdminHandler(AdminOptions options);
  AdminHandler(const AdminHandler&) = delete;
  AdminHandler& operator=(const AdminHandler&) = delete;

  void RegisterRoutes(Router* router);
  void SetDB(DB* db) { db_.store(db, std::memory_order_release); }

  Response Snapshot(Request& request);
  Response Backup(Request& request);
  Response DeleteSeries(Request& request);
  Response CleanTombstones(Request& request);

 private:
  // Runs `fn(db)` if a DB is attached and the API is enabled; otherwise
  // the matching refusal.
  template <typename Fn>
  Response WithDB(Fn fn);

  // Constant after construction.
  const AdminOptions options_;
  std::unique_ptr<SnapshotRetention> retention_;

  std::atomic<DB*> db_{nullptr};
};

}  // namespace strata::server

#endif  // STRATA_SERVER_API_ADMIN_HANDLER_H_
