#include "server/server_main.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <sys/utsname.h>
#include <unistd.h>

#include "bson/builder.h"
#include "commands/auth_initial_users.h"
#include "commands/cursor_manager.h"
#include "commands/dispatch.h"
#include "commands/ttl_service.h"
#include "commands/user_store.h"
#include "common/logging.h"
#include "server/options.h"
#include "server/request_processor.h"
#include "server/transport.h"
#include "common/version.h"
#include "storage/engine.h"
#include "storage/keyspace.h"

namespace dds::server {
namespace {

// How often idle cursors are reaped (mongod's clientCursorMonitor runs every 4 s; a minute is
// plenty for a 10-minute timeout).
constexpr std::chrono::milliseconds kCursorReapInterval = std::chrono::seconds(60);
// cursorTimeoutMillis default: 10 minutes, as mongod.
constexpr std::chrono::milliseconds kDefaultCursorTimeout = std::chrono::minutes(10);

std::string BuildInfoJson() {
  return "{\"version\":\"" + std::string(kMongoVersion) + "\",\"gitVersion\":\"" +
         std::string(kGitVersion) +
         "\",\"modules\":[],\"allocator\":\"system\",\"environment\":{\"distarch\":\"x86_64\","
         "\"target_arch\":\"x86_64\"},\"ddsServer\":{\"version\":\"" +
         std::string(kDdsVersion) + "\"}}";
}

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

// mongod renames an existing log file aside unless logAppend is set.
void RotateAside(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return;
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H-%M-%S", &tm);
  std::filesystem::rename(path, path + "." + stamp, ec);
}

int Fail(int code, int id, std::string_view msg, const std::string& error) {
  DDS_LOG_ERROR("CONTROL", id, msg, {{"error", error}});
  DDS_LOG_INFO("CONTROL", 23138, "Shutting down", {{"exitCode", code}});
  return code;
}

// Creates or replaces the users of --initialUsersFile (docs/security.md).
Status ApplyInitialUsersFile(const std::string& path, commands::UserStore* users) {
  if (users == nullptr) return Status(ErrorCode::kInternalError, "the user store is not available");
  std::error_code ec;
  const auto perms = std::filesystem::status(path, ec).permissions();
  if (!ec && (perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all)) !=
                 std::filesystem::perms::none) {
    LogStartupWarning("ACCESS", 20575,
                      "The initial users file is readable by other users; it should be mode 0600");
  }
  DDS_ASSIGN_OR_RETURN(std::vector<commands::UserRecord> records,
                       commands::ReadInitialUsersFile(path));
  for (const commands::UserRecord& user : records) {
    Status upserted = users->UpsertUser(user);
    if (!upserted.ok()) {
      return Status(upserted.code(), "cannot create user " + user.name.ToString() + " from " +
                                         path + ": " + upserted.reason());
    }
  }
  DDS_LOG_INFO("ACCESS", 20576, "Applied the initial users file",
               {{"path", path}, {"users", static_cast<int64_t>(records.size())}});
  return Status::OK();
}

}  // namespace

int ServerMain(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  auto parsed = ParseServerOptions(args);
  if (!parsed.ok()) {
    std::cerr << parsed.status().reason() << "\ntry '" << (args.empty() ? "ddsd" : args[0])
              << " --help' for more information" << std::endl;
    return kExitBadOptions;
  }
  ServerOptions options = std::move(parsed).value();
  if (options.help) {
    std::cout << HelpText();
    return kExitClean;
  }
  if (options.version) {
    std::cout << "db version v" << kMongoVersion << "\n"
              << "DDS ddsd " << kDdsVersion << " (MongoDB wire-compatible document database)\n"
              << "Build Info: " << BuildInfoJson() << std::endl;
    return kExitClean;
  }

  std::signal(SIGPIPE, SIG_IGN);
  if (!options.log_path.empty()) {
    if (!options.log_append) RotateAside(options.log_path);
    if (!SetLogFile(options.log_path)) {
      std::cerr << "Failed to open log file " << options.log_path << std::endl;
      return kExitBadOptions;
    }
  }
  SetLogContext("initandlisten");
  DDS_LOG_INFO("CONTROL", 4615611, "MongoDB starting",
               {{"pid", static_cast<int64_t>(getpid())},
                {"port", options.port},
                {"dbPath", options.db_path},
                {"architecture", "64-bit"},
                {"host", HostName()}});
  DDS_LOG_INFO("CONTROL", 23403, "Build Info", {LogAttr::Json("buildInfo", BuildInfoJson())});
  utsname uts{};
  if (uname(&uts) == 0) {
    DDS_LOG_INFO("CONTROL", 51765, "Operating System",
                 {LogAttr::Json("os", "{\"name\":" + JsonQuote(uts.sysname) +
                                          ",\"version\":" + JsonQuote(uts.release) + "}")});
  }
  DDS_LOG_INFO("CONTROL", 21951, "Options set by command line",
               {LogAttr::Json("options", options.parsed.ToJson())});

  // setParameter cursorTimeoutMillis (mongod's name) sets the idle-cursor timeout.
  std::chrono::milliseconds cursor_timeout = kDefaultCursorTimeout;
  if (auto it = options.set_parameters.find("cursorTimeoutMillis");
      it != options.set_parameters.end()) {
    char* end = nullptr;
    const long long ms = std::strtoll(it->second.c_str(), &end, 10);
    if (it->second.empty() || *end != '\0' || ms <= 0) {
      std::cerr << "Bad value for setParameter cursorTimeoutMillis: '" << it->second
                << "' (expected a positive integer)" << std::endl;
      return kExitBadOptions;
    }
    cursor_timeout = std::chrono::milliseconds(ms);
  }
  // Reap at least as often as the timeout, at most once a minute.
  const auto reap_interval = std::clamp<std::chrono::milliseconds>(
      cursor_timeout, std::chrono::seconds(1), kCursorReapInterval);

  // mongod fails when the dbpath is missing; ddsd creates it (mkdir -p) first.
  std::error_code ec;
  std::filesystem::create_directories(options.db_path, ec);
  if (ec || !std::filesystem::is_directory(options.db_path)) {
    return Fail(kExitUncaught, 20557, "DBException in initAndListen, terminating",
                "NonExistentPath: Data directory " + options.db_path +
                    " not found and could not be created: " +
                    (ec ? ec.message() : std::string("not a directory")));
  }

  storage::EngineOptions engine_options;
  engine_options.db_path = options.db_path;
  engine_options.block_cache_bytes = static_cast<size_t>(options.cache_size_bytes);
  auto opened = storage::Engine::Open(engine_options);
  if (!opened.ok()) {
    return Fail(kExitUncaught, 20557, "DBException in initAndListen, terminating",
                opened.status().ToString());
  }
  std::unique_ptr<storage::Engine> engine = std::move(opened).value();
  if (int32_t from = engine->catalog().upgraded_from_format(); from != 0) {
    DDS_LOG_INFO("STORAGE", 7260600, "Upgraded the on-disk format of the data directory",
                 {{"from", from}, {"to", storage::kFormatVersion}, {"dbPath", options.db_path}});
  }
  auto cursors = std::make_unique<commands::CursorManager>(cursor_timeout);
  auto users = std::make_unique<commands::UserStore>(engine.get());

  commands::ServiceContext service;
  service.engine = engine.get();
  service.cursors = cursors.get();
  service.users = users.get();
  service.settings.port = options.port;
  service.settings.bind_ip = options.bind_ip_all ? "0.0.0.0" : "";
  if (!options.bind_ip_all) {
    for (size_t i = 0; i < options.bind_ips.size(); ++i) {
      service.settings.bind_ip += (i ? "," : "") + options.bind_ips[i];
    }
  }
  service.settings.db_path = options.db_path;
  service.settings.log_path = options.log_path;
  service.settings.argv = options.argv;
  service.settings.parsed_options = options.parsed;
  service.settings.auth_enabled = options.auth;
  service.settings.quiet = options.quiet;
  // setParameter authUserCacheEnabled=false: every handshake reads its user from storage (only
  // for measuring what the cache saves: bench/run_auth.sh).
  if (auto it = options.set_parameters.find("authUserCacheEnabled");
      it != options.set_parameters.end()) {
    const std::string& v = it->second;
    if (v != "true" && v != "false" && v != "1" && v != "0") {
      std::cerr << "Bad value for setParameter authUserCacheEnabled: '" << v
                << "' (expected true or false)" << std::endl;
      return kExitBadOptions;
    }
    users->SetUserCacheEnabled(v == "true" || v == "1");
  }

  // The initial users file is applied at every start: a password reset by the management service
  // (a rewritten file) takes effect now. Any problem with it stops the server.
  if (!options.initial_users_file.empty()) {
    Status applied = ApplyInitialUsersFile(options.initial_users_file, service.users);
    if (!applied.ok()) {
      return Fail(kExitBadOptions, 20574, "Error applying the initial users file",
                  applied.ToString());
    }
  }

  DispatchRunner runner(service);
  TransportOptions transport_options;
  transport_options.bind_ips = options.bind_ips;
  transport_options.bind_ip_all = options.bind_ip_all;
  transport_options.port = options.port;
  transport_options.max_connections = options.max_incoming_connections;
  transport_options.quiet = options.quiet;
  transport_options.tls = options.tls;
  Transport transport(service, runner, transport_options);
  service.request_shutdown = [&transport] { transport.Shutdown(); };

  Status listening = transport.Listen();
  if (!listening.ok()) {
    DDS_LOG_ERROR("NETWORK", 20568, "Error setting up listener", {{"error", listening.ToString()}});
    engine.reset();
    DDS_LOG_INFO("CONTROL", 23138, "Shutting down", {{"exitCode", kExitNetError}});
    return kExitNetError;
  }
  service.settings.port = transport.port();
  commands::CursorManager* cursor_ptr = cursors.get();
  transport.AddPeriodicTask(reap_interval, [cursor_ptr] {
    const int reaped = cursor_ptr->ReapIdle();
    if (reaped > 0) {
      DDS_LOG_INFO("QUERY", 20529, "Cursors timed out", {{"numTimedOut", reaped}});
    }
  });
  // Index-scan iterators kept for reuse pin the files they were made over: an idle server lets
  // them go instead of holding replaced files until the next query.
  storage::Engine* engine_ptr = engine.get();
  transport.AddPeriodicTask(std::chrono::seconds(1),
                            [engine_ptr] { engine_ptr->ReleaseIdleIterators(); });

  // The TTL monitor (expireAfterSeconds indexes) runs while the server listens.
  std::unique_ptr<commands::TtlService> ttl =
      commands::TtlService::Start(*engine, options.set_parameters);

  transport.Run();

  SetLogContext("SignalHandler");
  ttl->Stop();
  DDS_LOG_INFO("QUERY", 4784928, "Killing all open cursors",
               {{"openCursors", static_cast<int64_t>(cursors->open_count())}});
  service.cursors = nullptr;
  cursors.reset();
  service.users = nullptr;
  users.reset();
  DDS_LOG_INFO("STORAGE", 4784930, "Shutting down the storage engine");
  service.engine = nullptr;
  engine.reset();
  DDS_LOG_INFO("STORAGE", 4784931, "Storage engine shut down");
  DDS_LOG_INFO("CONTROL", 20565, "Now exiting");
  DDS_LOG_INFO("CONTROL", 23138, "Shutting down", {{"exitCode", kExitClean}});
  return kExitClean;
}

}  // namespace dds::server
