#include "server/options.h"

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "bson/bson.h"
#include "test_util.h"

namespace dds::server {
namespace {

StatusWith<ServerOptions> Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "ddsd");
  return ParseServerOptions(args);
}

std::string WriteConfig(const std::string& yaml) {
  std::string path = ::testing::TempDir() + "ddsd_options_test.yaml";
  std::ofstream(path) << yaml;
  return path;
}

TEST(ServerOptions, Defaults) {
  auto o = Parse({});
  ASSERT_OK(o);
  EXPECT_EQ(o->port, 27017);
  EXPECT_EQ(o->bind_ips, std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(o->db_path, "/data/db");
  EXPECT_FALSE(o->bind_ip_all);
  EXPECT_TRUE(o->parsed.empty());
  EXPECT_EQ(o->argv, std::vector<std::string>{"ddsd"});
}

TEST(ServerOptions, CommandLineFlags) {
  auto o = Parse({"--port", "27018", "--bind_ip=127.0.0.1, ::1", "--dbpath", "/tmp/x", "--quiet",
                  "--logpath", "/tmp/l.log", "--logappend", "--setParameter", "a=b", "--maxConns",
                  "10"});
  ASSERT_OK(o);
  EXPECT_EQ(o->port, 27018);
  EXPECT_EQ(o->bind_ips, (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_EQ(o->db_path, "/tmp/x");
  EXPECT_TRUE(o->quiet);
  EXPECT_EQ(o->log_path, "/tmp/l.log");
  EXPECT_TRUE(o->log_append);
  EXPECT_EQ(o->set_parameters.at("a"), "b");
  EXPECT_EQ(o->max_incoming_connections, 10);
  EXPECT_EQ(o->parsed.ToJson(),
            bson::FromJson(R"({"net": {"bindIp": "127.0.0.1, ::1", "maxIncomingConnections": 10,
                                       "port": 27018},
                               "setParameter": {"a": "b"}, "storage": {"dbPath": "/tmp/x"},
                               "systemLog": {"destination": "file", "logAppend": true,
                                             "path": "/tmp/l.log", "quiet": true}})")
                .ToJson());
}

TEST(ServerOptions, CacheSize) {
  auto defaults = Parse({});
  ASSERT_OK(defaults);
  EXPECT_EQ(defaults->cache_size_bytes, 256LL << 20);
  auto flag = Parse({"--wiredTigerCacheSizeGB", "1.5"});
  ASSERT_OK(flag);
  EXPECT_EQ(flag->cache_size_bytes, 3LL << 29);
  EXPECT_EQ(flag->parsed["storage"].Object()["wiredTiger"].Object()["engineConfig"].Object()
                ["cacheSizeGB"].Double(),
            1.5);
  auto file = Parse({"--config", WriteConfig("storage:\n  wiredTiger:\n    engineConfig:\n"
                                             "      cacheSizeGB: 2\n")});
  ASSERT_OK(file);
  EXPECT_EQ(file->cache_size_bytes, 2LL << 30);
  EXPECT_CODE(Parse({"--wiredTigerCacheSizeGB", "0.1"}), ErrorCode::kBadValue);
  EXPECT_CODE(Parse({"--wiredTigerCacheSizeGB", "lots"}), ErrorCode::kBadValue);
}

TEST(ServerOptions, RejectsBadCommandLines) {
  EXPECT_CODE(Parse({"--bogus"}), ErrorCode::kBadValue);
  EXPECT_NE(Parse({"--bogus"}).status().reason().find("unrecognised option '--bogus'"),
            std::string::npos);
  EXPECT_CODE(Parse({"--port"}), ErrorCode::kBadValue);
  EXPECT_CODE(Parse({"--port", "abc"}), ErrorCode::kBadValue);
  EXPECT_CODE(Parse({"--port", "70000"}), ErrorCode::kBadValue);
  EXPECT_CODE(Parse({"positional"}), ErrorCode::kBadValue);
  EXPECT_CODE(Parse({"--quiet=1"}), ErrorCode::kBadValue);
  EXPECT_CODE(Parse({"--fork"}), ErrorCode::kBadValue);
  EXPECT_CODE(Parse({"--bind_ip", "a", "--bind_ip_all"}), ErrorCode::kBadValue);
  EXPECT_CODE(Parse({"--initialUsersFile"}), ErrorCode::kBadValue);
  EXPECT_CODE(Parse({"--initialUsersFile="}), ErrorCode::kBadValue);
}

TEST(ServerOptions, Authentication) {
  auto auth = Parse({"--auth", "--initialUsersFile", "/tmp/users.json"});
  ASSERT_OK(auth);
  EXPECT_TRUE(auth->auth);
  EXPECT_EQ(auth->initial_users_file, "/tmp/users.json");
  // pymongo's test harness reads parsed.security.authorization.
  EXPECT_EQ(auth->parsed.view()["security"].Object()["authorization"].String(), "enabled");
  auto noauth = Parse({"--noauth"});
  ASSERT_OK(noauth);
  EXPECT_FALSE(noauth->auth);
  EXPECT_FALSE(Parse({})->auth);
  // The last of --auth / --noauth wins, as with mongod's switches.
  EXPECT_TRUE(Parse({"--noauth", "--auth"})->auth);

  std::string path = WriteConfig("security:\n  authorization: enabled\n  initialUsersFile: /x.json\n");
  auto file = Parse({"--config", path});
  ASSERT_OK(file);
  EXPECT_TRUE(file->auth);
  EXPECT_EQ(file->initial_users_file, "/x.json");
  auto overridden = Parse({"--config", path, "--noauth"});
  ASSERT_OK(overridden);
  EXPECT_FALSE(overridden->auth);
  std::remove(path.c_str());
}

TEST(ServerOptions, HelpAndVersion) {
  auto h = Parse({"--help", "--bogus-ignored-after"});
  EXPECT_FALSE(h.ok());  // unknown flags are still errors
  auto v = Parse({"--version"});
  ASSERT_OK(v);
  EXPECT_TRUE(v->version);
  auto help = Parse({"-h"});
  ASSERT_OK(help);
  EXPECT_TRUE(help->help);
  EXPECT_NE(HelpText().find("--dbpath"), std::string::npos);
}

TEST(ServerOptions, ConfigFile) {
  std::string path = WriteConfig(R"(
net:
  port: 28000
  bindIp: 127.0.0.1,localhost
storage:
  dbPath: /tmp/from-file
  journal:
    enabled: true
systemLog:
  destination: file
  path: /tmp/file.log
  logAppend: true
setParameter:
  enableTestCommands: 1
security:
  authorization: disabled
)");
  auto o = Parse({"-f", path, "--port", "28001"});
  ASSERT_OK(o);
  EXPECT_EQ(o->port, 28001);  // flags override the file
  EXPECT_EQ(o->db_path, "/tmp/from-file");
  EXPECT_EQ(o->bind_ips, (std::vector<std::string>{"127.0.0.1", "localhost"}));
  EXPECT_EQ(o->log_path, "/tmp/file.log");
  EXPECT_EQ(o->set_parameters.at("enableTestCommands"), "1");
  EXPECT_EQ(o->config_path, path);
  bson::BsonView parsed = o->parsed.view();
  EXPECT_EQ(parsed["config"].String(), path);
  EXPECT_EQ(parsed["net"].Object()["port"].Int32(), 28001);
  EXPECT_TRUE(parsed["storage"].Object()["journal"].Object()["enabled"].Bool());
  EXPECT_EQ(parsed.FirstElement().field_name(), "config");

  // --bind_ip_all on the command line replaces the file's bindIp.
  auto all = Parse({"--config", path, "--bind_ip_all"});
  ASSERT_OK(all);
  EXPECT_TRUE(all->bind_ip_all);
  std::remove(path.c_str());
}

TEST(ServerOptions, ConfigFileErrors) {
  auto check = [](const std::string& yaml, const std::string& expected) {
    std::string path = WriteConfig(yaml);
    auto o = Parse({"--config", path});
    ASSERT_FALSE(o.ok()) << yaml;
    EXPECT_NE(o.status().reason().find(expected), std::string::npos) << o.status().reason();
    std::remove(path.c_str());
  };
  check("net:\n  prot: 1\n", "Unrecognized option: net.prot");
  check("bogus: 1\n", "Unrecognized option: bogus");
  check("net:\n  port: abc\n", "net.port");
  check("processManagement:\n  fork: true\n", "fork");
  check("security:\n  authorization: maybe\n", "Bad value for security.authorization");
  check("systemLog:\n  destination: syslog\n", "syslog");
  check("systemLog:\n  destination: file\n", "systemLog.path is required");
  check("net:\n  bindIp: a\n  bindIpAll: true\n", "Can't specify both");
  check("net: [1, 2\n", "Error parsing YAML");
  auto missing = Parse({"--config", "/nonexistent/ddsd.yaml"});
  EXPECT_FALSE(missing.ok());
}

}  // namespace
}  // namespace dds::server
