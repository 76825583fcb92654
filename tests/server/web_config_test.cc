// --web.config.file: decoding and validation with exporter-toolkit's
// messages, bcrypt verification through libcrypt, basic auth with its
// cache, the TLS context's checks, and re-reading the file on change.
#include "server/http/web_config.h"

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "basic_authorization.h"
#include "gtest/gtest.h"
#include "server/http/basic_auth.h"
#include "server/http/bcrypt.h"
#include "server/http/tls_context.h"
#include "server/http/web_config_file.h"
#include "temp_dir.h"
#include "test_pki.h"

namespace strata::server {
namespace {

using strata::testing::BasicAuthorization;

// exporter-toolkit's testdata and Python's crypt module (libxcrypt).
constexpr char kFakePasswordHash[] =  // "fakepassword", $2y$, cost 10
    "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi";
constexpr char kSecretHash[] =  // "secret", $2b$, cost 10
    "$2b$10$v2iHkQ60SWKgyZK/fZGbh./0D9jzwJa3ifif9MJzfQOC1dEmO8sy.";
constexpr char kPw4Hash[] =  // "pw4", $2b$, cost 4 (cheap)
    "$2b$04$REL3NHvmpeV3TqdoZ0J6xOv8s0VvcQSGBQrFHsklkiaM.zPqbY50C";

// "Basic " + base64("alice:secret") and friends.
constexpr char kAliceSecret[] = "Basic YWxpY2U6c2VjcmV0";
constexpr char kAliceWrong[] = "Basic YWxpY2U6d3Jvbmc=";
constexpr char kBobSecret[] = "Basic Ym9iOnNlY3JldA==";

std::string ParseError(std::string_view yaml) {
  StatusOr<WebConfig> config = ParseWebConfig(yaml, "/etc/strata");
  return config.ok() ? "" : std::string(config.status().message());
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

TEST(WebConfigTest, DecodesEveryFieldAndJoinsPathsWithTheFilesDirectory) {
  StatusOr<WebConfig> config = ParseWebConfig(R"(
tls_server_config:
  cert_file: tls/server.crt
  key_file: /abs/server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ../ca.crt
  min_version: TLS13
  max_version: TLS13
  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]
  curve_preferences: [X25519, CurveP256]
  prefer_server_cipher_suites: false
http_server_config:
  http2: false
  headers:
    X-Frame-Options: sameorigin
    Strict-Transport-Security: max-age=31536000
basic_auth_users:
  alice: )" + std::string(kSecretHash) + "\n",
                                              "/etc/strata");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const TlsServerConfig& tls = config->tls;
  EXPECT_EQ(tls.cert_file, "/etc/strata/tls/server.crt");
  EXPECT_EQ(tls.key_file, "/abs/server.key");
  EXPECT_EQ(tls.client_ca_file, "/etc/ca.crt");
  EXPECT_EQ(tls.client_auth_type, "RequireAndVerifyClientCert");
  EXPECT_EQ(tls.min_version, kTlsVersion13);
  EXPECT_EQ(tls.max_version, kTlsVersion13);
  EXPECT_EQ(tls.cipher_suites.size(), 1u);
  EXPECT_EQ(tls.curve_preferences.size(), 2u);
  EXPECT_FALSE(tls.prefer_server_cipher_suites);
  EXPECT_TRUE(tls.enabled());
  EXPECT_FALSE(config->http.http2);
  ASSERT_EQ(config->http.headers.size(), 2u);
  EXPECT_EQ(config->http.headers[0].first, "X-Frame-Options");
  EXPECT_EQ(config->basic_auth_users.at("alice"), kSecretHash);
}

TEST(WebConfigTest, DefaultsAreExporterToolkits) {
  StatusOr<WebConfig> config = ParseWebConfig("", "/x");
  ASSERT_TRUE(config.ok());
  EXPECT_FALSE(config->tls.enabled());
  EXPECT_EQ(config->tls.min_version, kTlsVersion12);
  EXPECT_EQ(config->tls.max_version, kTlsVersion13);
  EXPECT_TRUE(config->tls.prefer_server_cipher_suites);
  EXPECT_TRUE(config->http.http2);
  EXPECT_TRUE(config->basic_auth_users.empty());
  // Only basic auth: TLS stays off.
  config = ParseWebConfig(
      "basic_auth_users: {alice: " + std::string(kSecretHash) + "}", "/x");
  ASSERT_TRUE(config.ok());
  EXPECT_FALSE(config->tls.enabled());
}

TEST(WebConfigTest, StrictDecodingWithGoMessages) {
  EXPECT_EQ(ParseError("tls_config: {}\n"),
            "yaml: unmarshal errors:\n"
            "  line 1: field tls_config not found in type web.Config");
  EXPECT_EQ(ParseError("tls_server_config:\n  cert: x\n"),
            "yaml: unmarshal errors:\n"
            "  line 2: field cert not found in type web.TLSConfig");
  EXPECT_EQ(ParseError("http_server_config:\n  http2: maybe\n"),
            "yaml: unmarshal errors:\n"
            "  line 2: cannot unmarshal !!str `maybe` into bool");
  EXPECT_EQ(ParseError("basic_auth_users: [a]\n"),
            "yaml: unmarshal errors:\n"
            "  line 1: cannot unmarshal !!seq into map[string]config.Secret");
  EXPECT_EQ(ParseError("tls_server_config:\n  cipher_suites: [TLS_RSA_X]\n"),
            "unknown cipher: TLS_RSA_X");
  EXPECT_EQ(ParseError("tls_server_config:\n  curve_preferences: [P256]\n"),
            "unknown curve: P256");
  EXPECT_EQ(ParseError("tls_server_config:\n  min_version: TLS14\n"),
            "unknown TLS version: TLS14");
}

TEST(WebConfigTest, OnlyExporterToolkitsHeadersMayBeSet) {
  EXPECT_EQ(ParseError("http_server_config:\n  headers: {Server: x}\n"),
            "HTTP header \"Server\" can not be configured");
  EXPECT_EQ(
      ParseError("http_server_config:\n  headers: {X-Frame-Options: allow}\n"),
      "invalid value for X-Frame-Options. Expected one of: "
      "[\"deny\" \"sameorigin\"], but got: \"allow\"");
  EXPECT_EQ(ParseError("http_server_config:\n  headers: "
                       "{X-Content-Type-Options: nosniff, "
                       "Content-Security-Policy: \"default-src 'self'\"}\n"),
            "");
}

TEST(WebConfigTest, BcryptHashesAreCheckedAsGoChecksThem) {
  auto users = [](std::string hash) {
    return ParseError("basic_auth_users:\n  alice: '" + hash + "'\n");
  };
  EXPECT_EQ(users("secret"),
            "crypto/bcrypt: hashedSecret too short to be a bcrypted password");
  std::string hash = kSecretHash;
  EXPECT_EQ(users("x" + hash.substr(1)),
            "crypto/bcrypt: bcrypt hashes must start with '$', but "
            "hashedSecret started with 'x'");
  EXPECT_EQ(users("$3" + hash.substr(2)),
            "crypto/bcrypt: bcrypt algorithm version '3' requested is newer "
            "than current version '2'");
  EXPECT_EQ(users(hash.substr(0, 4) + "03" + hash.substr(6)),
            "crypto/bcrypt: cost 3 is outside allowed range (4,31)");
  // The cost is read with Go's strconv.Atoi: a sign is allowed.
  EXPECT_EQ(users(hash.substr(0, 4) + "-5" + hash.substr(6)),
            "crypto/bcrypt: cost -5 is outside allowed range (4,31)");
  EXPECT_EQ(users(hash.substr(0, 4) + "+a" + hash.substr(6)),
            "strconv.Atoi: parsing \"+a\": invalid syntax");
  EXPECT_EQ(*BcryptCost(hash.substr(0, 4) + "+5" + hash.substr(6)), 5);
  // Accepted, but never matches: Go compares against the hash re-rendered
  // with "05".
  EXPECT_FALSE(BcryptMatches(hash.substr(0, 4) + "+5" + hash.substr(6), "x"));
  EXPECT_EQ(users(kSecretHash), "");
  EXPECT_EQ(*BcryptCost(kFakePasswordHash), 10);
}

TEST(BcryptTest, VerifiesWithLibcrypt) {
  EXPECT_TRUE(BcryptMatches(kSecretHash, "secret"));
  EXPECT_FALSE(BcryptMatches(kSecretHash, "Secret"));
  EXPECT_FALSE(BcryptMatches(kSecretHash, ""));
  EXPECT_TRUE(BcryptMatches(kFakePasswordHash, "fakepassword"));  // $2y$
  EXPECT_TRUE(BcryptMatches(kPw4Hash, "pw4"));
  EXPECT_FALSE(BcryptMatches(kPw4Hash, std::string("pw4\0x", 5)));
  EXPECT_FALSE(BcryptMatches("not a hash", "secret"));
}

TEST(BasicAuthTest, ParsesTheHeaderAsGo) {
  auto parsed = ParseBasicAuthorization("basic YWxpY2U6c2VjcmV0");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->user, "alice");
  EXPECT_EQ(parsed->password, "secret");
  parsed = ParseBasicAuthorization("Basic YTpiOmM=");  // a:b:c
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->user, "a");
  EXPECT_EQ(parsed->password, "b:c");
  EXPECT_FALSE(
      ParseBasicAuthorization("Basic YWxpY2U=").has_value());  // no ':'
  EXPECT_FALSE(ParseBasicAuthorization("Basic YWxpY2U6c2VjcmV0=").has_value());
  EXPECT_FALSE(ParseBasicAuthorization("Bearer YWxpY2U6c2VjcmV0").has_value());
  EXPECT_FALSE(ParseBasicAuthorization("").has_value());
}

TEST(BasicAuthTest, ChecksUsersAndCachesOutcomes) {
  const std::map<std::string, std::string> users = {{"alice", kSecretHash}};
  BasicAuthenticator auth;
  EXPECT_EQ(BasicAuthorization("alice", "secret"), kAliceSecret);
  EXPECT_TRUE(auth.Authenticate(users, kAliceSecret));
  EXPECT_EQ(auth.cached_entries(), 1u);
  EXPECT_TRUE(auth.Authenticate(users, kAliceSecret));  // From the cache.
  EXPECT_EQ(auth.cached_entries(), 1u);
  EXPECT_FALSE(auth.Authenticate(users, kAliceWrong));
  // An unknown user costs a bcrypt too, and never passes, even with the
  // fake hash's own password.
  EXPECT_FALSE(auth.Authenticate(users, kBobSecret));
  EXPECT_FALSE(auth.Authenticate(users, "Basic Ym9iOmZha2VwYXNzd29yZA=="));
  EXPECT_EQ(auth.cached_entries(), 4u);
  EXPECT_FALSE(auth.Authenticate(users, ""));
  // A changed hash is a different cache entry.
  const std::map<std::string, std::string> changed = {{"alice", kPw4Hash}};
  EXPECT_FALSE(auth.Authenticate(changed, kAliceSecret));
}

TEST(BasicAuthTest, CacheStaysBounded) {
  const std::map<std::string, std::string> users = {{"alice", kPw4Hash}};
  BasicAuthenticator auth;
  for (int i = 0; i < 250; ++i) {
    // Distinct unknown users: each costs a bcrypt and is cached.
    const std::string authorization =
        BasicAuthorization("u" + std::to_string(i), "pw4");
    EXPECT_FALSE(auth.Authenticate(users, authorization));
    EXPECT_LE(auth.cached_entries(), BasicAuthenticator::kCacheEntries);
  }
  EXPECT_GT(auth.cached_entries(), BasicAuthenticator::kCacheEntries / 2);
}

class TlsContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    StatusOr<testing::TestPki> pki = testing::WriteTestPki(dir_.path());
    ASSERT_TRUE(pki.ok()) << pki.status().ToString();
    pki_ = *pki;
  }
  std::string BuildError(const TlsServerConfig& config) {
    auto built = TlsContext::Build(config);
    return built.ok() ? "" : std::string(built.status().message());
  }
  TlsServerConfig Valid() const {
    TlsServerConfig config;
    config.cert_file = pki_.server_cert;
    config.key_file = pki_.server_key;
    return config;
  }
  strata::testing::TempDir dir_{"strata-tls"};
  testing::TestPki pki_;
};

TEST_F(TlsContextTest, BuildsAndChecksAsConfigToTLSConfig) {
  EXPECT_EQ(BuildError(Valid()), "");
  TlsServerConfig config = Valid();
  config.cert_file.clear();
  EXPECT_EQ(BuildError(config), "missing cert_file");
  config = Valid();
  config.key_file.clear();
  EXPECT_EQ(BuildError(config), "missing key_file");
  config = Valid();
  config.cert_file = dir_.path() + "/nope.crt";
  EXPECT_EQ(BuildError(config), "failed to load X509KeyPair: open " +
                                    dir_.path() +
                                    "/nope.crt: no such file or directory");
  config = Valid();
  config.key_file = pki_.client_key;
  EXPECT_EQ(BuildError(config),
            "failed to load X509KeyPair: tls: private key does not match "
            "public key");
  config = Valid();
  config.client_auth_type = "Sometimes";
  EXPECT_EQ(BuildError(config), "Invalid ClientAuth: Sometimes");
  config = Valid();
  config.client_ca_file = pki_.ca_cert;
  EXPECT_EQ(BuildError(config),
            "Client CA's have been configured without a Client Auth Policy");
  for (const char* type :
       {"NoClientCert", "RequestClientCert", "RequireAnyClientCert",
        "RequireClientCert", "VerifyClientCertIfGiven",
        "RequireAndVerifyClientCert"}) {
    config = Valid();
    config.client_auth_type = type;
    if (std::string_view(type) != "NoClientCert") {
      config.client_ca_file = pki_.ca_cert;
    }
    EXPECT_EQ(BuildError(config), "") << type;
  }
  config = Valid();
  config.cipher_suites = {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                          "TLS_AES_128_GCM_SHA256"};
  config.curve_preferences = {"CurveP384", "X25519"};
  config.min_version = kTlsVersion12;
  EXPECT_EQ(BuildError(config), "");
}

TEST_F(TlsContextTest, LooksLikeHttpAsGo) {
  EXPECT_TRUE(LooksLikeHttp("GET /"));
  EXPECT_TRUE(LooksLikeHttp("POST "));
  EXPECT_TRUE(LooksLikeHttp("OPTIO"));
  EXPECT_FALSE(LooksLikeHttp("\x16\x03\x01\x02\x00"));
  EXPECT_FALSE(LooksLikeHttp("DELET"));
}

class WebConfigFileTest : public TlsContextTest {
 protected:
  std::string path() const { return dir_.path() + "/web.yml"; }
  Request WithAuthorization(const char* value) {
    Request request;
    if (value != nullptr) request.headers.Add("Authorization", value);
    return request;
  }
};

TEST_F(WebConfigFileTest, OpenFailsOnAnInvalidFile) {
  auto opened = WebConfigFile::Open(path());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().message(),
            "open " + path() + ": no such file or directory");
  WriteFile(path(), "tls_server_config:\n  cert_file: server.crt\n");
  opened = WebConfigFile::Open(path());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().message(), "missing key_file");
}

TEST_F(WebConfigFileTest, AuthorizesAndSetsHeaders) {
  WriteFile(path(), "basic_auth_users: {alice: '" + std::string(kSecretHash) +
                        "'}\nhttp_server_config: {headers: "
                        "{X-Frame-Options: deny}}\n");
  auto file = WebConfigFile::Open(path());
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_FALSE((*file)->tls_enabled());
  auto snapshot = (*file)->Current();
  EXPECT_FALSE((*file)->Authorize(*snapshot, WithAuthorization(kAliceSecret)));
  for (const char* bad : {kAliceWrong, kBobSecret, (const char*)nullptr}) {
    std::optional<Response> refused =
        (*file)->Authorize(*snapshot, WithAuthorization(bad));
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->status, 401);
    EXPECT_EQ(refused->body, "Unauthorized\n");
    EXPECT_EQ(refused->headers.Get("WWW-Authenticate"), "Basic");
  }
  Response response = Response::Text(200, "ok");
  WebConfigFile::ApplyHeaders(*snapshot, &response);
  EXPECT_EQ(response.headers.Get("X-Frame-Options"), "deny");
}

TEST_F(WebConfigFileTest, RereadsOnChangeAndKeepsTheLastGoodConfig) {
  WriteFile(path(),
            "basic_auth_users: {alice: '" + std::string(kSecretHash) + "'}\n");
  auto opened = WebConfigFile::Open(path());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  WebConfigFile& file = **opened;
  EXPECT_EQ(file.Current()->config.basic_auth_users.count("alice"), 1u);
  EXPECT_EQ(file.reloads(), 0);
  // A new user: picked up by the next look.
  WriteFile(path(),
            "basic_auth_users: {bob: '" + std::string(kSecretHash) + "'}\n");
  EXPECT_EQ(file.Current()->config.basic_auth_users.count("bob"), 1u);
  EXPECT_EQ(file.reloads(), 1);
  // Broken: bob stays.
  WriteFile(path(), "basic_auth_users: {bob: '" + std::string(kSecretHash) +
                        "'}\nbogus: 1\n");
  EXPECT_EQ(file.Current()->config.basic_auth_users.count("bob"), 1u);
  EXPECT_EQ(file.reloads(), 1);
  // TLS can not be switched on without a restart.
  WriteFile(path(), "tls_server_config: {cert_file: '" + pki_.server_cert +
                        "', key_file: '" + pki_.server_key + "'}\n");
  EXPECT_EQ(file.Current()->tls, nullptr);
  EXPECT_EQ(file.reloads(), 1);
  // Fixed: reloaded.
  WriteFile(path(), "");
  EXPECT_TRUE(file.Current()->config.basic_auth_users.empty());
  EXPECT_EQ(file.reloads(), 2);
}

TEST_F(WebConfigFileTest, ANewCertificateIsPickedUp) {
  WriteFile(path(),
            "tls_server_config: {cert_file: server.crt, key_file: "
            "server.key}\n");
  auto opened = WebConfigFile::Open(path());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  WebConfigFile& file = **opened;
  EXPECT_TRUE(file.tls_enabled());
  std::shared_ptr<const TlsContext> first = file.Current()->tls;
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(file.Current()->tls, first);  // Nothing changed.
  // Rotate: new files renamed into place (a new inode each).
  const std::string next = dir_.path() + "/next";
  ASSERT_EQ(::mkdir(next.c_str(), 0755), 0);
  ASSERT_TRUE(testing::WriteTestPki(next).ok());
  for (const char* name : {"/server.crt", "/server.key"}) {
    ASSERT_EQ(std::rename((next + name).c_str(), (dir_.path() + name).c_str()),
              0);
  }
  EXPECT_NE(file.Current()->tls, first);
  EXPECT_EQ(file.reloads(), 1);
}

}  // namespace
}  // namespace strata::server
