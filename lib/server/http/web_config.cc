#include "server/http/web_config.h"

#include "goyaml/decoder.h"
#include "server/http/bcrypt.h"
#include "util/file_system.h"
#include "util/strings.h"
#include "yaml-cpp/yaml.h"

namespace strata::server {
namespace {

// exporter-toolkit's extraHTTPHeaders: the only headers the file may set,
// each with its allowed values (none listed: any value).
struct AllowedHeader {
  std::string_view name;
  std::vector<std::string_view> values;
};
const std::vector<AllowedHeader>& AllowedHeaders() {
  static const auto* headers = new std::vector<AllowedHeader>{
      {"Strict-Transport-Security", {}},
      {"X-Content-Type-Options", {"nosniff"}},
      {"X-Frame-Options", {"deny", "sameorigin"}},
      {"X-XSS-Protection", {}},
      {"Content-Security-Policy", {}},
  };
  return *headers;
}

// validateHeaderConfig. Names match exactly, as Go's map lookup does.
Status ValidateHeaders(
    const std::vector<std::pair<std::string, std::string>>& headers) {
  for (const auto& [name, value] : headers) {
    const AllowedHeader* allowed = nullptr;
    for (const AllowedHeader& h : AllowedHeaders()) {
      if (h.name == name) allowed = &h;
    }
    if (allowed == nullptr) {
      return Status::InvalidArgument(
          Cat("HTTP header ", GoQuoted(name), " can not be configured"));
    }
    if (allowed->values.empty()) continue;
    std::string expected = "[";
    bool ok = false;
    for (std::string_view v : allowed->values) {
      ok = ok || v == value;
      CatTo(&expected, expected.size() > 1 ? " " : "", GoQuoted(v));
    }
    if (!ok) {
      return Status::InvalidArgument(Cat("invalid value for ", name,
                                         ". Expected one of: ", expected,
                                         "], but got: ", GoQuoted(value)));
    }
  }
  return Status::OK();
}

// Decodes yaml.v2's UnmarshalStrict of exporter-toolkit's web.Config, with
// the custom UnmarshalYAML of Cipher, Curve and TLSVersion (value errors).
class Decoder {
 public:
  Status Decode(const YAML::Node& root, WebConfig* config) {
    if (yaml_.IsMap(root, "web.Config")) {
      for (const auto& entry : root) {
        if (yaml_.failed()) break;
        const std::string key = entry.first.Scalar();
        if (key == "tls_server_config") {
          DecodeTls(entry.second, &config->tls);
        } else if (key == "http_server_config") {
          DecodeHttp(entry.second, &config->http);
        } else if (key == "basic_auth_users") {
          DecodeUsers(entry.second, &config->basic_auth_users);
        } else {
          yaml_.UnknownField(entry.first, "web.Config");
        }
      }
    }
    return yaml_.Result();
  }

 private:
  void DecodeTls(const YAML::Node& node, TlsServerConfig* tls) {
    if (!yaml_.IsMap(node, "web.TLSConfig")) return;
    for (const auto& entry : node) {
      if (yaml_.failed()) return;
      const std::string key = entry.first.Scalar();
      const YAML::Node& value = entry.second;
      if (key == "cert_file") {
        tls->cert_file = yaml_.String(value);
      } else if (key == "key_file") {
        tls->key_file = yaml_.String(value);
      } else if (key == "client_auth_type") {
        tls->client_auth_type = yaml_.String(value);
      } else if (key == "client_ca_file") {
        tls->client_ca_file = yaml_.String(value);
      } else if (key == "cipher_suites") {
        tls->cipher_suites =
            Names(value, "[]web.Cipher",
                  "unknown cipher: ", [](std::string_view name) {
                    for (const auto& c : GoCipherSuites()) {
                      if (c.go_name == name) return true;
                    }
                    return false;
                  });
      } else if (key == "curve_preferences") {
        tls->curve_preferences = Names(
            value, "[]web.Curve", "unknown curve: ", [](std::string_view name) {
              return !OpenSslGroupName(name).empty();
            });
      } else if (key == "min_version") {
        tls->min_version = Version(value);
      } else if (key == "max_version") {
        tls->max_version = Version(value);
      } else if (key == "prefer_server_cipher_suites") {
        tls->prefer_server_cipher_suites = yaml_.Bool(value);
      } else {
        yaml_.UnknownField(entry.first, "web.TLSConfig");
      }
    }
  }

  void DecodeHttp(const YAML::Node& node, HttpServerConfig* http) {
    if (!yaml_.IsMap(node, "web.HTTPConfig")) return;
    for (const auto& entry : node) {
      if (yaml_.failed()) return;
      const std::string key = entry.first.Scalar();
      if (key == "http2") {
        http->http2 = yaml_.Bool(entry.second);
      } else if (key == "headers") {
        http->headers = yaml_.StringMap(entry.second);
      } else {
        yaml_.UnknownField(entry.first, "web.HTTPConfig");
      }
    }
  }

  void DecodeUsers(const YAML::Node& node,
                   std::map<std::string, std::string>* users) {
    users->clear();  // Null or a new map replaces the old one in go-yaml.
    if (!yaml_.IsMap(node, "map[string]config.Secret")) return;
    for (const auto& entry : node) {
      (*users)[yaml_.String(entry.first)] =
          yaml_.String(entry.second, "config.Secret");
    }
  }

  // A list of names each checked by `known`; the first unknown one is a
  // value error "<prefix><name>".
  template <typename Known>
  std::vector<std::string> Names(const YAML::Node& node,
                                 std::string_view go_type,
                                 std::string_view error_prefix, Known known) {
    std::vector<std::string> out;
    for (const YAML::Node& item : yaml_.Sequence(node, go_type)) {
      std::string name = yaml_.String(item);
      if (!item.IsScalar()) continue;  // A type error, already noted.
      if (!known(name)) {
        yaml_.ValueError(Cat(error_prefix, name));
        return out;
      }
      out.push_back(std::move(name));
    }
    return out;
  }

  uint16_t Version(const YAML::Node& node) {
    // Null: unmarshal into a string leaves "", which is unknown.
    const std::string name = yaml_.String(node);
    if (name == "TLS13") return kTlsVersion13;
    if (name == "TLS12") return kTlsVersion12;
    if (name == "TLS11") return kTlsVersion11;
    if (name == "TLS10") return kTlsVersion10;
    if (node.IsScalar() || goyaml::IsAbsent(node)) {
      yaml_.ValueError(Cat("unknown TLS version: ", name));
    }
    return 0;
  }

  goyaml::Decoder yaml_{goyaml::Version::kV2};
};

}  // namespace

const std::vector<CipherSuiteName>& GoCipherSuites() {
  static const auto* suites = new std::vector<CipherSuiteName>{
      {"TLS_AES_128_GCM_SHA256", ""},
      {"TLS_AES_256_GCM_SHA384", ""},
      {"TLS_CHACHA20_POLY1305_SHA256", ""},
      {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA"},
      {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA"},
      {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA"},
      {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA"},
      {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
       "ECDHE-ECDSA-AES128-GCM-SHA256"},
      {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
       "ECDHE-ECDSA-AES256-GCM-SHA384"},
      {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"},
      {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"},
      {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
       "ECDHE-RSA-CHACHA20-POLY1305"},
      {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
       "ECDHE-ECDSA-CHACHA20-POLY1305"},
  };
  return *suites;
}

std::string_view OpenSslGroupName(std::string_view go_curve) {
  if (go_curve == "CurveP256") return "P-256";
  if (go_curve == "CurveP384") return "P-384";
  if (go_curve == "CurveP521") return "P-521";
  if (go_curve == "X25519") return "X25519";
  return "";
}

StatusOr<WebConfig> ParseWebConfig(std::string_view yaml,
                                   std::string_view dir) {
  WebConfig config;
  // yaml-cpp reports errors by throwing; nothing escapes this function.
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    Decoder decoder;
    STRATA_RETURN_IF_ERROR(decoder.Decode(root, &config));
  } catch (const YAML::Exception& e) {
    return goyaml::SyntaxError(e);
  }
  STRATA_RETURN_IF_ERROR(ValidateHeaders(config.http.headers));
  // validateUsers, in user order (Go's map order is random).
  for (const auto& [user, hash] : config.basic_auth_users) {
    StatusOr<int> cost = BcryptCost(hash);
    if (!cost.ok()) return cost.status();
  }
  // TLSConfig.SetDirectory.
  TlsServerConfig& tls = config.tls;
  tls.cert_file = JoinDir(dir, tls.cert_file);
  tls.key_file = JoinDir(dir, tls.key_file);
  tls.client_ca_file = JoinDir(dir, tls.client_ca_file);
  return config;
}

StatusOr<WebConfig> ReadWebConfigFile(const std::string& path) {
  StatusOr<std::string> text = ReadConfigFile(path);
  if (!text.ok()) return text.status();
  return ParseWebConfig(*text, ParentDir(path));
}

}  // namespace strata::server
