#include "server/tls_options.h"

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "bson/bson.h"
#include "server/options.h"
#include "test_util.h"

namespace dds::server {
namespace {

StatusWith<ServerOptions> Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "ddsd");
  return ParseServerOptions(args);
}

TEST(TlsOptions, ParsesModesIncludingLegacySpellings) {
  EXPECT_EQ(*ParseTlsMode("disabled"), TlsMode::kDisabled);
  EXPECT_EQ(*ParseTlsMode("allowTLS"), TlsMode::kAllowTls);
  EXPECT_EQ(*ParseTlsMode("preferTLS"), TlsMode::kPreferTls);
  EXPECT_EQ(*ParseTlsMode("requireTLS"), TlsMode::kRequireTls);
  EXPECT_EQ(*ParseTlsMode("requireSSL"), TlsMode::kRequireTls);
  EXPECT_CODE(ParseTlsMode("requiretls"), ErrorCode::kBadValue);
  EXPECT_EQ(TlsModeName(TlsMode::kPreferTls), "preferTLS");
}

TEST(TlsOptions, CommandLineFlags) {
  auto o = Parse({"--tlsMode", "requireTLS", "--tlsCertificateKeyFile", "/k/server.pem",
                  "--tlsCertificateKeyFilePassword", "s3cret", "--tlsCAFile=/k/ca.pem",
                  "--tlsAllowConnectionsWithoutCertificates", "--tlsAllowInvalidCertificates"});
  ASSERT_OK(o);
  EXPECT_EQ(o->tls.mode, TlsMode::kRequireTls);
  EXPECT_EQ(o->tls.certificate_key_file, "/k/server.pem");
  EXPECT_EQ(o->tls.certificate_key_file_password, "s3cret");
  EXPECT_EQ(o->tls.ca_file, "/k/ca.pem");
  EXPECT_TRUE(o->tls.allow_connections_without_certificates);
  EXPECT_TRUE(o->tls.allow_invalid_certificates);
  // getCmdLineOpts and the startup log never show the password (mongod censors it too).
  EXPECT_EQ(o->parsed.ToJson(),
            bson::FromJson(R"({"net": {"tls": {"CAFile": "/k/ca.pem",
                                               "allowConnectionsWithoutCertificates": true,
                                               "allowInvalidCertificates": true,
                                               "certificateKeyFile": "/k/server.pem",
                                               "certificateKeyFilePassword": "<password>",
                                               "mode": "requireTLS"}}})")
                .ToJson());
  for (const std::string& a : o->argv) EXPECT_EQ(a.find("s3cret"), std::string::npos) << a;
  auto inline_form = Parse({"--tlsMode=preferTLS", "--tlsCertificateKeyFile=/k/s.pem",
                            "--tlsCertificateKeyFilePassword=s3cret"});
  ASSERT_OK(inline_form);
  EXPECT_EQ(inline_form->argv.back(), "--tlsCertificateKeyFilePassword=<password>");
}

TEST(TlsOptions, ConfigFile) {
  std::string path = ::testing::TempDir() + "ddsd_tls_options_test.yaml";
  std::ofstream(path) << R"(
net:
  tls:
    mode: allowTLS
    certificateKeyFile: /k/server.pem
    CAFile: /k/ca.pem
    allowConnectionsWithoutCertificates: true
)";
  auto o = Parse({"-f", path});
  ASSERT_OK(o);
  EXPECT_EQ(o->tls.mode, TlsMode::kAllowTls);
  EXPECT_EQ(o->tls.ca_file, "/k/ca.pem");
  EXPECT_TRUE(o->tls.allow_connections_without_certificates);
  EXPECT_FALSE(o->tls.allow_invalid_certificates);
  // Flags override the file.
  auto flags = Parse({"-f", path, "--tlsMode", "requireTLS"});
  ASSERT_OK(flags);
  EXPECT_EQ(flags->tls.mode, TlsMode::kRequireTls);
  std::remove(path.c_str());
}

TEST(TlsOptions, StartupChecksUseMongodWording) {
  auto no_cert = Parse({"--tlsMode", "requireTLS"});
  ASSERT_CODE(no_cert, ErrorCode::kBadValue);
  EXPECT_EQ(no_cert.status().reason(),
            "need tlsCertificateKeyFile or certificateSelector when TLS is enabled");
  auto no_mode = Parse({"--tlsCAFile", "/k/ca.pem"});
  ASSERT_CODE(no_mode, ErrorCode::kBadValue);
  EXPECT_EQ(no_mode.status().reason(),
            "need to enable TLS via the sslMode/tlsMode flag when using TLS configuration "
            "parameters");
  EXPECT_CODE(Parse({"--tlsMode", "sometimes", "--tlsCertificateKeyFile", "/k/s.pem"}),
              ErrorCode::kBadValue);
  EXPECT_OK(Parse({"--tlsMode", "disabled"}));
  auto defaults = Parse({});
  ASSERT_OK(defaults);
  EXPECT_FALSE(defaults->tls.enabled());
}

}  // namespace
}  // namespace dds::server
