#include "config_file.h"

#include <cerrno>
#include <fstream>
#include <sstream>

#include "yaml-cpp/yaml.h"

namespace strata::server {

StatusOr<ConfigFile> ParseConfig(std::string_view yaml) {
  // yaml-cpp reports errors by throwing; nothing escapes this function.
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        "invalid YAML at line " + std::to_string(e.mark.line + 1) +
        ", column " + std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  ConfigFile config;
  if (root.IsNull()) return config;
  if (!root.IsMap()) {
    return Status::InvalidArgument(
        "configuration must be a YAML mapping at the top level");
  }
  try {
    for (const auto& entry : root) {
      if (!entry.first.IsScalar()) {
        return Status::InvalidArgument("top-level keys must be strings");
      }
      config.sections.push_back(entry.first.as<std::string>());
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("invalid configuration: ") +
                                   e.what());
  }
  return config;
}

StatusOr<ConfigFile> LoadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    const int err = errno;
    if (err == ENOENT)
      return Status::NotFound("open " + path + ": no such file");
    return Status::FromErrno(err, "open " + path);
  }
  std::ostringstream text;
  text << in.rdbuf();
  StatusOr<ConfigFile> config = ParseConfig(text.str());
  if (!config.ok()) return config.status().WithContext(path);
  return config;
}

}  // namespace strata::server
