// ServerOptions: ddsd's configuration, read like mongod's: an optional YAML config file
// (--config/-f, mongod key names) overridden by command-line flags.
//
// ParseServerOptions also builds the "parsed" document getCmdLineOpts reports (only the options
// that were set, grouped and ordered as mongod shows them). Plain data; no shared state.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "bson/document.h"
#include "common/status.h"
#include "server/tls_options.h"

namespace dds::server {

// mongod's exit codes that ddsd reuses.
constexpr int kExitClean = 0;
constexpr int kExitBadOptions = 2;  // EXIT_BADOPTIONS
constexpr int kExitNetError = 48;   // EXIT_NET_ERROR: cannot listen
constexpr int kExitUncaught = 100;  // EXIT_UNCAUGHT: e.g. dbpath unusable

struct ServerOptions {
  // net.port / --port. Default: 27017. 0 picks a free port (logged in "Waiting for connections").
  int port = 27017;
  // net.bindIp / --bind_ip, comma-separated. Default: 127.0.0.1.
  std::vector<std::string> bind_ips = {"127.0.0.1"};
  // net.bindIpAll / --bind_ip_all: listen on 0.0.0.0. Default: false.
  bool bind_ip_all = false;
  // net.maxIncomingConnections / --maxConns. Default: 1000000 (mongod's).
  int64_t max_incoming_connections = 1'000'000;
  // storage.dbPath / --dbpath. Default: /data/db (created if missing).
  std::string db_path = "/data/db";
  // --config / -f: the YAML file read, "" when none.
  std::string config_path;
  // systemLog.path / --logpath: log file; "" logs to stderr.
  std::string log_path;
  // systemLog.logAppend / --logappend. Default: false (an existing file is renamed aside).
  bool log_append = false;
  // systemLog.quiet / --quiet: no connection accepted/ended lines. Default: false.
  bool quiet = false;
  // storage.wiredTiger.engineConfig.cacheSizeGB / --wiredTigerCacheSizeGB (mongod's names): the
  // storage engine's cache of uncompressed data and index blocks (RocksDB's block cache).
  // Default: 256 MiB (mongod sizes its cache at max(256 MB, 50% of RAM - 1 GB); DDS instances
  // share a host, so the default stays small: raise it for a dedicated machine).
  int64_t cache_size_bytes = 256LL << 20;
  // security.authorization / --auth / --noauth: "enabled" makes every command but the handshake
  // and authentication ones require an authenticated user. Default: disabled.
  bool auth = false;
  // security.initialUsersFile / --initialUsersFile: a JSON array of users with SCRAM credentials
  // (never passwords) created or replaced at every start. "" when none (docs/security.md).
  std::string initial_users_file;
  // net.tls.* / --tls*: see server/tls_options.h. Default: TLS disabled.
  TlsOptions tls;
  // setParameter.<name> / --setParameter name=value, stored as given.
  std::map<std::string, std::string> set_parameters;

  // --help / --version: print and exit 0.
  bool help = false;
  bool version = false;

  // The command line as given (argv[0] included).
  std::vector<std::string> argv;
  // getCmdLineOpts' "parsed" document.
  bson::BsonDocument parsed;
};

// Parses the command line (args[0] is the program name) and the config file it names.
// Errors are BadValue (2) with mongod-like messages ("Unrecognized option: x.y", "Error parsing
// command line: unrecognised option '--foo'"); the caller prints them and exits 2.
StatusWith<ServerOptions> ParseServerOptions(const std::vector<std::string>& args);

// Returns the --help text.
std::string HelpText();

}  // namespace dds::server
