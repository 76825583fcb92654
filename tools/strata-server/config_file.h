// The optional --config.file. Prometheus's YAML configuration; nothing in it
// is acted on yet, but the file must be valid YAML whose top level is a
// mapping (an empty file counts as an empty mapping).
//
// Thread-safety: pure function.
#ifndef STRATA_SERVER_CONFIG_FILE_H_
#define STRATA_SERVER_CONFIG_FILE_H_

#include <string>
#include <string_view>
#include <vector>

#include "strata/status.h"

namespace strata::server {

struct ConfigFile {
  // Top-level keys in file order, e.g. "global", "scrape_configs".
  std::vector<std::string> sections;
};

// Parses YAML text. InvalidArgument with the line and column of a syntax
// error, or if the top level is not a mapping.
StatusOr<ConfigFile> ParseConfig(std::string_view yaml);
// Reads and parses a file; NotFound/IOError if it cannot be read.
StatusOr<ConfigFile> LoadConfigFile(const std::string& path);

}  // namespace strata::server

#endif  // STRATA_SERVER_CONFIG_FILE_H_
