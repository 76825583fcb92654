// `strata-tsdb backup DEST` and `restore SRC`: incremental copies of the
// blocks, each verified after the copy. Backup of a running server goes
// through its admin snapshot (--server URL); otherwise the data directory
// is opened (its lock taken) and DB::Backup writes the head as a block too.
#include <cstdio>

#include "cli.h"
#include "http_client/http_client.h"
#include "inspect/block_copy.h"
#include "inspect/data_dir.h"
#include "nlohmann/json.hpp"
#include "strata/db.h"
#include "util/dir_lock.h"
#include "util/file_system.h"

namespace strata::tsdb {
namespace {

using inspect::CopyBlocks;
using inspect::CopyReport;

struct BackupFlags {
  std::string dir;
  std::string server;
  bool skip_head = false;
  bool keep_snapshot = false;
};

void PrintCopy(const GlobalOptions& g, const char* verb, const CopyReport& r,
               const std::string& extra) {
  if (g.json) {
    nlohmann::json j = {{"blocksCopied", r.blocks_copied},
                        {"blocksSkipped", r.blocks_skipped},
                        {"bytesCopied", r.bytes_copied},
                        {"copied", r.copied}};
    if (!extra.empty()) j["snapshot"] = extra;
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::printf(
      "%s %lld blocks (%s), %lld already there, every copy verified%s\n", verb,
      (long long)r.blocks_copied, FormatBytes(r.bytes_copied).c_str(),
      (long long)r.blocks_skipped,
      extra.empty() ? "" : (" (from snapshot " + extra + ")").c_str());
}

Status BackupOnline(const GlobalOptions& g, const BackupFlags& f) {
  const std::string path = std::string("/api/v1/admin/tsdb/snapshot") +
                           (f.skip_head ? "?skip_head=true" : "");
  STRATA_ASSIGN_OR_RETURN(http_client::Url url,
                          http_client::ParseUrl(f.server));
  http_client::Request request;
  request.method = "POST";
  request.target = url.path_prefix + path;
  request.headers = {{"User-Agent", "strata-tsdb"}};
  http_client::Options options;
  options.timeout = std::chrono::seconds(120);
  STRATA_ASSIGN_OR_RETURN(
      http_client::Response resp,
      http_client::Fetch(url.host, url.port, request, options));
  if (resp.status != 200) {
    return Status::Unavailable(
        "snapshot request answered " + std::to_string(resp.status) + ": " +
        resp.body.substr(0, 200) +
        (resp.status == 404 || resp.status == 405
             ? " (is the server run with --web.enable-admin-api?)"
             : ""));
  }
  std::string name;
  try {
    name = nlohmann::json::parse(resp.body)["data"]["name"].get<std::string>();
  } catch (const std::exception&) {
    return Status::Internal("unexpected snapshot response: " + resp.body);
  }
  const std::string snap = JoinPath(JoinPath(g.data_dir, "snapshots"), name);
  FileSystem* fs = FileSystem::Default();
  if (!fs->IsDirectory(snap)) {
    return Status::NotFound("snapshot " + snap +
                            " not found: --data-dir must be the server's "
                            "--storage.tsdb.path on this machine");
  }
  StatusOr<CopyReport> r = CopyBlocks(snap, f.dir);
  if (r.ok() && !f.keep_snapshot) {
    // The snapshot is this command's own temporary: hard links and the
    // head block, now copied and verified.
    STRATA_RETURN_IF_ERROR(fs->RemoveAll(snap));
  }
  STRATA_RETURN_IF_ERROR(r.status());
  PrintCopy(g, "backed up", *r, name);
  return Status::OK();
}

Status RunBackup(const GlobalOptions& g, const BackupFlags& f) {
  if (!f.server.empty()) return BackupOnline(g, f);
  FileSystem* fs = FileSystem::Default();
  if (!fs->IsDirectory(g.data_dir)) {
    return Status::NotFound("data directory " + g.data_dir + " does not exist");
  }
  Options o;
  o.background_compaction = false;
  StatusOr<std::unique_ptr<DB>> db = DB::Open(o, g.data_dir);
  if (!db.ok()) {
    return db.status().WithContext(
        "opening " + g.data_dir +
        " (if a server is running, use --server URL for an online backup)");
  }
  StatusOr<DB::BackupReport> r = (*db)->Backup(f.dir, !f.skip_head);
  STRATA_RETURN_IF_ERROR((*db)->Close());
  STRATA_RETURN_IF_ERROR(r.status());
  CopyReport c;
  c.blocks_copied = r->blocks_copied;
  c.blocks_skipped = r->blocks_skipped;
  c.bytes_copied = r->bytes_copied;
  PrintCopy(g, "backed up", c, "");
  return Status::OK();
}

Status RunRestore(const GlobalOptions& g, const std::string& src) {
  FileSystem* fs = FileSystem::Default();
  STRATA_RETURN_IF_ERROR(fs->CreateDirs(g.data_dir));
  StatusOr<std::unique_ptr<DirLock>> lock = DirLock::Acquire(g.data_dir);
  if (!lock.ok()) {
    return lock.status().WithContext(
        "restore needs the server stopped (data directory lock)");
  }
  const int64_t previous_end = inspect::NewestBlockEnd(g.data_dir);
  STRATA_ASSIGN_OR_RETURN(CopyReport r, CopyBlocks(src, g.data_dir));
  WarnIfHeadBoundaryMoved(g.data_dir, previous_end);
  PrintCopy(g, "restored", r, "");
  return Status::OK();
}

}  // namespace

void RegisterBackup(CLI::App& app, GlobalOptions& g, Command& cmd) {
  auto f = std::make_shared<BackupFlags>();
  CLI::App* sub = app.add_subcommand(
      "backup",
      "Incremental backup into DEST: only blocks DEST lacks are copied, each "
      "verified. Restore with `restore DEST` or by opening DEST.");
  sub->add_option("dest", f->dir, "Backup directory.")->required();
  sub->add_option("--server", f->server,
                  "URL of a running strata-server (with "
                  "--web.enable-admin-api) to take an online snapshot from, "
                  "e.g. http://127.0.0.1:9201.");
  sub->add_flag("--skip-head", f->skip_head,
                "Only persisted blocks, not the head.");
  sub->add_flag("--keep-snapshot", f->keep_snapshot,
                "With --server: keep the snapshot in the data directory.");
  sub->callback(
      [&g, &cmd, f] { cmd.run = [&g, f] { return RunBackup(g, *f); }; });
  auto src = std::make_shared<std::string>();
  CLI::App* rsub = app.add_subcommand(
      "restore",
      "Copy the blocks of a backup SRC that the data directory lacks, each "
      "verified. The server must be stopped.");
  rsub->add_option("src", *src, "Backup directory.")
      ->required()
      ->check(CLI::ExistingDirectory);
  rsub->callback(
      [&g, &cmd, src] { cmd.run = [&g, src] { return RunRestore(g, *src); }; });
}

}  // namespace strata::tsdb
