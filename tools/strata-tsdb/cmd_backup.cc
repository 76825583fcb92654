// `strata-tsdb backup DEST` and `restore SRC`. A backup is a data directory:
// the blocks, the WAL (the head's data) and the server's metric metadata
// file, each run copying only what DEST lacks (DB::Backup; the WAL's closed
// segments and checkpoint once, the live segment's new records). Offline,
// the data directory is opened (its lock taken) and backed up; with
// --server URL the running server does it (POST /api/v1/admin/tsdb/backup,
// DEST on the server's machine). Restore copies the blocks, the WAL (into
// an empty data directory only) and the metadata back (inspect::Restore).
#include <cstdio>
#include <filesystem>

#include "cli.h"
#include "http_client/http_client.h"
#include "inspect/data_dir.h"
#include "inspect/restore.h"
#include "nlohmann/json.hpp"
#include "strata/db.h"
#include "util/dir_lock.h"
#include "util/file_system.h"
#include "util/strings.h"

namespace strata::tsdb {
namespace {

using inspect::RestoreReport;

struct BackupFlags {
  std::string dir;
  std::string server;
  bool skip_head = false;
  bool keep_snapshot = false;  // Accepted for old scripts; no effect.
};

// What a backup or restore copied, by kind.
struct CopiedBytes {
  int64_t blocks_copied = 0;
  int64_t blocks_skipped = 0;
  int64_t block_bytes = 0;
  int64_t wal_segment_bytes = 0;
  int64_t wal_checkpoint_bytes = 0;
  int64_t wbl_bytes = 0;
  int64_t metadata_bytes = 0;
  int64_t total() const {
    return block_bytes + wal_segment_bytes + wal_checkpoint_bytes + wbl_bytes +
           metadata_bytes;
  }
};

void PrintCopy(const GlobalOptions& g, const char* verb, const CopiedBytes& c) {
  if (g.json) {
    nlohmann::json j = {{"blocksCopied", c.blocks_copied},
                        {"blocksSkipped", c.blocks_skipped},
                        {"bytesCopied", c.total()},
                        {"bytesByKind",
                         {{"blocks", c.block_bytes},
                          {"walSegments", c.wal_segment_bytes},
                          {"walCheckpoint", c.wal_checkpoint_bytes},
                          {"wbl", c.wbl_bytes},
                          {"metadata", c.metadata_bytes}}}};
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::printf(
      "%s %lld blocks (%s), %lld already there, every copy verified; WAL "
      "segments %s, WAL checkpoint %s, WBL %s, metadata %s; %s in all\n",
      verb, (long long)c.blocks_copied, FormatBytes(c.block_bytes).c_str(),
      (long long)c.blocks_skipped, FormatBytes(c.wal_segment_bytes).c_str(),
      FormatBytes(c.wal_checkpoint_bytes).c_str(),
      FormatBytes(c.wbl_bytes).c_str(), FormatBytes(c.metadata_bytes).c_str(),
      FormatBytes(c.total()).c_str());
}

StatusOr<CopiedBytes> ParseOnlineReport(const std::string& body) {
  try {
    const nlohmann::json d = nlohmann::json::parse(body).at("data");
    CopiedBytes c;
    c.blocks_copied = d.at("blocksCopied").get<int64_t>();
    c.blocks_skipped = d.at("blocksSkipped").get<int64_t>();
    const nlohmann::json& k = d.at("bytesByKind");
    c.block_bytes = k.at("blocks").get<int64_t>();
    c.wal_segment_bytes = k.at("walSegments").get<int64_t>();
    c.wal_checkpoint_bytes = k.at("walCheckpoint").get<int64_t>();
    c.wbl_bytes = k.value("wbl", int64_t{0});  // Absent from older servers.
    c.metadata_bytes = k.at("metadata").get<int64_t>();
    return c;
  } catch (const std::exception&) {
    return Status::Internal("unexpected backup response: " + body);
  }
}

Status BackupOnline(const GlobalOptions& g, const BackupFlags& f) {
  std::error_code ec;
  const std::string dest = std::filesystem::absolute(f.dir, ec).string();
  if (ec) return Status::InvalidArgument("backup directory " + f.dir);
  STRATA_ASSIGN_OR_RETURN(http_client::Url url,
                          http_client::ParseUrl(f.server));
  http_client::Request request;
  request.method = "POST";
  request.target = url.path_prefix + "/api/v1/admin/tsdb/backup";
  request.headers = {{"User-Agent", "strata-tsdb"},
                     {"Content-Type", "application/x-www-form-urlencoded"}};
  request.body =
      Cat("dir=", GoQueryEscape(dest), f.skip_head ? "&skip_head=true" : "");
  http_client::Options options;
  options.timeout = std::chrono::hours(1);
  STRATA_ASSIGN_OR_RETURN(
      http_client::Response resp,
      http_client::Fetch(url.host, url.port, request, options));
  if (resp.status != 200) {
    return Status::Unavailable(
        "backup request answered " + std::to_string(resp.status) + ": " +
        resp.body.substr(0, 300) +
        (resp.status == 404 || resp.status == 405 || resp.status == 503
             ? " (is the server run with --web.enable-admin-api?)"
             : ""));
  }
  STRATA_ASSIGN_OR_RETURN(CopiedBytes c, ParseOnlineReport(resp.body));
  PrintCopy(g, "backed up", c);
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
  CopiedBytes c;
  c.blocks_copied = r->blocks_copied;
  c.blocks_skipped = r->blocks_skipped;
  c.block_bytes = r->block_bytes;
  c.wal_segment_bytes = r->wal_segment_bytes;
  c.wal_checkpoint_bytes = r->wal_checkpoint_bytes;
  c.wbl_bytes = r->wbl_segment_bytes;
  STRATA_ASSIGN_OR_RETURN(c.metadata_bytes,
                          inspect::CopyMetadataFile(g.data_dir, f.dir));
  PrintCopy(g, "backed up", c);
  return Status::OK();
}

Status RunRestore(const GlobalOptions& g, const std::string& src,
                  bool skip_head) {
  FileSystem* fs = FileSystem::Default();
  STRATA_RETURN_IF_ERROR(fs->CreateDirs(g.data_dir));
  StatusOr<std::unique_ptr<DirLock>> lock = DirLock::Acquire(g.data_dir);
  if (!lock.ok()) {
    return lock.status().WithContext(
        "restore needs the server stopped (data directory lock)");
  }
  const int64_t previous_end = inspect::NewestBlockEnd(g.data_dir);
  STRATA_ASSIGN_OR_RETURN(RestoreReport r,
                          inspect::Restore(src, g.data_dir, !skip_head));
  WarnIfHeadBoundaryMoved(g.data_dir, previous_end);
  CopiedBytes c;
  c.blocks_copied = r.blocks.blocks_copied;
  c.blocks_skipped = r.blocks.blocks_skipped;
  c.block_bytes = r.blocks.bytes_copied;
  c.wal_segment_bytes = r.wal_segment_bytes;
  c.wal_checkpoint_bytes = r.wal_checkpoint_bytes;
  c.wbl_bytes = r.wbl_segment_bytes;
  c.metadata_bytes = r.metadata_bytes;
  PrintCopy(g, "restored", c);
  return Status::OK();
}

}  // namespace

void RegisterBackup(CLI::App& app, GlobalOptions& g, Command& cmd) {
  auto f = std::make_shared<BackupFlags>();
  CLI::App* sub = app.add_subcommand(
      "backup",
      "Incremental backup into DEST, itself a data directory: the blocks DEST "
      "lacks (each verified), the WAL's new bytes (the head) and the metric "
      "metadata. Restore with `restore DEST` or by opening a copy of DEST.");
  sub->add_option("dest", f->dir, "Backup directory.")->required();
  sub->add_option("--server", f->server,
                  "URL of a running strata-server (with "
                  "--web.enable-admin-api) that writes the backup itself "
                  "into DEST (a path on its machine), e.g. "
                  "http://127.0.0.1:9201.");
  sub->add_flag("--skip-head", f->skip_head,
                "Only persisted blocks and metadata, not the head (WAL).");
  sub->add_flag("--keep-snapshot", f->keep_snapshot,
                "No effect (online backups no longer go through a snapshot).");
  sub->callback(
      [&g, &cmd, f] { cmd.run = [&g, f] { return RunBackup(g, *f); }; });
  auto src = std::make_shared<std::string>();
  auto skip_head = std::make_shared<bool>(false);
  CLI::App* rsub = app.add_subcommand(
      "restore",
      "Copy what the data directory lacks from backup SRC: blocks (each "
      "verified), the WAL (into a data directory without a WAL of its own) "
      "and the metric metadata. The server must be stopped.");
  rsub->add_option("src", *src, "Backup directory.")
      ->required()
      ->check(CLI::ExistingDirectory);
  rsub->add_flag("--skip-head", *skip_head,
                 "Only blocks and metadata, not the backed-up WAL.");
  rsub->callback([&g, &cmd, src, skip_head] {
    cmd.run = [&g, src, skip_head] { return RunRestore(g, *src, *skip_head); };
  });
}

}  // namespace strata::tsdb
