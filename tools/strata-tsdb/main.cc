// strata-tsdb: the offline tool to inspect, verify, repair, import, export
// and back up a Strata data directory. See README.md in this directory.
#include <cstdio>
#include <string>
#include <string_view>

#include "absl/synchronization/mutex.h"
#include "cli.h"
#include "util/log.h"

int main(int argc, char** argv) {
  using namespace strata::tsdb;  // NOLINT
  // Debian's abseil tracks every Mutex for deadlock cycles; with one Mutex
  // per in-memory series that dominates imports (DB::Open does the same).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  CLI::App app{
      "strata-tsdb: inspect, verify, repair, import, export and back up a "
      "Strata data directory."};
  app.name("strata-tsdb");
  app.fallthrough();
  app.require_subcommand(1);
  app.set_version_flag("--version",
                       std::string("strata-tsdb, version ") + STRATA_VERSION);
  GlobalOptions g;
  Command cmd;
  app.add_option("-d,--data-dir,--storage.tsdb.path", g.data_dir,
                 "The data directory.")
      ->capture_default_str();
  app.add_flag("--json", g.json, "Machine-readable JSON output.");
  std::string log_level = "warn";
  app.add_option("--log.level", log_level, "debug, info, warn or error.")
      ->capture_default_str();
  RegisterList(app, g, cmd);
  RegisterDump(app, g, cmd);
  RegisterImport(app, g, cmd);
  RegisterVerify(app, g, cmd);
  RegisterExport(app, g, cmd);
  RegisterBackup(app, g, cmd);
  RegisterDelete(app, g, cmd);
  RegisterAnalyze(app, g, cmd);
  RegisterCheck(app, g, cmd);
  RegisterTest(app, g, cmd);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help.
    // `check` and `test` word a missing argument and exit as promtool's
    // argument parser (kingpin) does.
    const bool promtool_command =
        app.got_subcommand("check") || app.got_subcommand("test");
    const std::string what = e.what();  // CLI11: "rule-files is required"
    const std::string_view required = " is required";
    const std::string argument =
        what.ends_with(required) ? what.substr(0, what.size() - required.size())
                                 : "";
    if (promtool_command && !argument.empty() &&
        argument.find(' ') == std::string::npos) {
      std::fprintf(stderr,
                   "strata-tsdb: error: required argument '%s' not "
                   "provided, try --help\n",
                   argument.c_str());
    } else {
      std::fprintf(stderr, "strata-tsdb: %s\n", e.what());
    }
    return promtool_command ? 1 : 2;
  }
  strata::LogLevel level;
  if (strata::ParseLogLevel(log_level, &level)) strata::SetLogLevel(level);
  if (!cmd.run) {
    std::fprintf(stderr, "strata-tsdb: no command given (see --help)\n");
    return 2;
  }
  const strata::Status st = cmd.run();
  if (!st.ok()) {
    std::fprintf(stderr, "strata-tsdb: %s\n", st.ToString().c_str());
    return 1;
  }
  return cmd.exit_code;
}
