// Server information and administration commands (compat §2.2, §2.4): ping, buildInfo,
// getParameter/setParameter, getCmdLineOpts, getLog, hostInfo, serverStatus, whatsmyuri,
// connectionStatus, logout, listCommands, shutdown, fsync, replSetGetStatus.
#include <dlfcn.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "bson/bson.h"
#include "commands/command_handlers.h"
#include "commands/request_parser.h"
#include "common/logging.h"
#include "common/version.h"
#include "storage/engine.h"

namespace dds::commands {

namespace {

using bson::BsonBuilder;
using bson::BsonElement;
using bson::BsonType;


// logLevel, the one parameter that changes behaviour at runtime.
std::atomic<int32_t> g_log_level{0};

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

// Reads "Key:   123 kB" from /proc/meminfo; returns kB or 0.
int64_t MemInfoKb(std::string_view key) {
  std::ifstream in("/proc/meminfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size(), key) == 0 && line.size() > key.size() &&
        line[key.size()] == ':') {
      return std::atoll(line.c_str() + key.size() + 1);
    }
  }
  return 0;
}

// Returns {virtual MB, resident MB} of this process.
std::pair<int64_t, int64_t> ProcessMemoryMb() {
  std::ifstream in("/proc/self/statm");
  int64_t pages_virtual = 0, pages_resident = 0;
  in >> pages_virtual >> pages_resident;
  int64_t page = sysconf(_SC_PAGESIZE);
  return {pages_virtual * page / (1024 * 1024), pages_resident * page / (1024 * 1024)};
}

std::string OsPrettyName() {
  std::ifstream in("/etc/os-release");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("PRETTY_NAME=", 0) == 0) {
      std::string v = line.substr(12);
      if (v.size() >= 2 && v.front() == '"') v = v.substr(1, v.size() - 2);
      return v;
    }
  }
  return "Linux";
}

// ---- parameters -----------------------------------------------------------------------------

struct Parameter {
  std::string_view name;
  void (*append)(BsonBuilder& b, std::string_view name, const ServiceContext& service);
  bool settable_at_runtime;
  bool settable_at_startup;
};

void AppendFcv(BsonBuilder& b, std::string_view name, const ServiceContext&) {
  b.StartDocument(name);
  b.AppendString("version", "7.0");
  b.End();
}
void AppendAuthMechanisms(BsonBuilder& b, std::string_view name, const ServiceContext&) {
  b.StartArray(name);
  b.AppendString("0", "SCRAM-SHA-1");
  b.AppendString("1", "SCRAM-SHA-256");
  b.End();
}
// Returns the startup value of setParameter `name` ("" when not given).
std::string StartupParameter(const ServiceContext& service, std::string_view name) {
  BsonElement params = service.settings.parsed_options.view().Get("setParameter");
  if (params.type() != BsonType::kObject) return std::string();
  BsonElement e = params.Object().Get(name);
  if (e.type() == BsonType::kString) return std::string(e.String());
  if (e.IsNumber()) return std::to_string(SafeInt64(e));
  if (e.type() == BsonType::kBool) return e.Bool() ? "true" : "false";
  return std::string();
}

void AppendCursorTimeout(BsonBuilder& b, std::string_view name, const ServiceContext& service) {
  std::string v = StartupParameter(service, "cursorTimeoutMillis");
  b.AppendInt64(name, v.empty() ? 600000 : std::atoll(v.c_str()));
}
void AppendTestCommands(BsonBuilder& b, std::string_view name, const ServiceContext& service) {
  std::string v = StartupParameter(service, "enableTestCommands");
  b.AppendBool(name, v == "1" || v == "true");
}
void AppendLogLevel(BsonBuilder& b, std::string_view name, const ServiceContext&) {
  b.AppendInt32(name, g_log_level.load());
}
void AppendFalse(BsonBuilder& b, std::string_view name, const ServiceContext&) { b.AppendBool(name, false); }
void AppendTxnLifetime(BsonBuilder& b, std::string_view name, const ServiceContext&) { b.AppendInt32(name, 60); }
void AppendSessionTimeout(BsonBuilder& b, std::string_view name, const ServiceContext&) { b.AppendInt32(name, 30); }
void AppendSortMemory(BsonBuilder& b, std::string_view name, const ServiceContext&) {
  b.AppendInt64(name, 100 * 1024 * 1024);
}
void AppendMaxBsonDepth(BsonBuilder& b, std::string_view name, const ServiceContext&) {
  b.AppendInt32(name, bson::kMaxBsonDepth);
}

// Sorted by name, like mongod's parameter map.
constexpr Parameter kParameters[] = {
    {"authenticationMechanisms", &AppendAuthMechanisms, false, true},
    {"cursorTimeoutMillis", &AppendCursorTimeout, false, true},
    {"enableTestCommands", &AppendTestCommands, false, true},
    {"featureCompatibilityVersion", &AppendFcv, false, false},
    {"internalQueryMaxBlockingSortMemoryUsageBytes", &AppendSortMemory, false, true},
    {"localLogicalSessionTimeoutMinutes", &AppendSessionTimeout, false, true},
    {"logLevel", &AppendLogLevel, true, true},
    {"maxBSONDepth", &AppendMaxBsonDepth, false, true},
    {"notablescan", &AppendFalse, false, true},
    {"quiet", &AppendFalse, false, true},
    {"requireApiVersion", &AppendFalse, false, true},
    {"transactionLifetimeLimitSeconds", &AppendTxnLifetime, false, true},
};

const Parameter* FindParameter(std::string_view name) {
  for (const Parameter& p : kParameters) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

void AppendParameter(BsonBuilder& b, const Parameter& p, bool show_details,
                     const ServiceContext& service) {
  if (!show_details) {
    p.append(b, p.name, service);
    return;
  }
  b.StartDocument(p.name);
  p.append(b, "value", service);
  b.AppendBool("settableAtRuntime", p.settable_at_runtime);
  b.AppendBool("settableAtStartup", p.settable_at_startup);
  b.End();
}

// "jemalloc" when the process runs on it (ddsd links it when built with it; see the top-level
// CMakeLists.txt), else "system". Decided by the symbol, so it is true of this very process.
const char* AllocatorName() {
  static const char* name = dlsym(RTLD_DEFAULT, "mallctl") != nullptr ? "jemalloc" : "system";
  return name;
}

}  // namespace

StatusWith<bson::BsonDocument> RunPing(CommandContext& ctx, const bson::BsonView& cmd) {
  return bson::BsonDocument();
}

StatusWith<bson::BsonDocument> RunBuildInfo(CommandContext& ctx, const bson::BsonView& cmd) {
  BsonBuilder b;
  b.AppendString("version", kMongoVersion);
  b.AppendString("gitVersion", kGitVersion);
  b.StartArray("modules").End();
  b.AppendString("allocator", AllocatorName());
  b.AppendString("javascriptEngine", "none");
  b.AppendString("sysInfo", "deprecated");
  b.StartArray("versionArray");
  for (size_t i = 0; i < std::size(kMongoVersionArray); ++i) {
    b.AppendInt32(bson::IndexName(i), kMongoVersionArray[i]);
  }
  b.End();
  // No TLS yet: mongod built without SSL reports "disabled".
  b.StartDocument("openssl");
  b.AppendString("running", "disabled");
  b.AppendString("compiled", "disabled");
  b.End();
  b.StartDocument("buildEnvironment");
  b.AppendString("distmod", "");
  b.AppendString("distarch", "x86_64");
  b.AppendString("cc", "");
  b.AppendString("ccflags", "");
  b.AppendString("cxx", "");
  b.AppendString("cxxflags", "-std=c++20");
  b.AppendString("linkflags", "");
  b.AppendString("target_arch", "x86_64");
  b.AppendString("target_os", "linux");
  b.AppendString("cppdefines", "");
  b.End();
  b.AppendInt32("bits", 64);
  b.AppendBool("debug", false);
  b.AppendInt32("maxBsonObjectSize", bson::kMaxBsonObjectSize);
  b.StartArray("storageEngines");
  b.AppendString("0", "rocksdb");
  b.End();
  // Our own identity, under our own key (D13: never a `ferretdb` key).
  b.StartDocument("ddsServer");
  b.AppendString("version", kDdsVersion);
  b.End();
  return b.Done();
}

StatusWith<bson::BsonDocument> RunGetParameter(CommandContext& ctx, const bson::BsonView& cmd) {
  BsonElement arg = cmd.FirstElement();
  bool all = false;
  bool show_details = false;
  if (arg.type() == BsonType::kString && arg.String() == "*") {
    all = true;
  } else if (arg.type() == BsonType::kObject) {
    FieldParser p("getParameter.getParameter", arg.Object(), FieldParser::kNested);
    DDS_RETURN_IF_ERROR(p.ReadSafeBool("allParameters", &all));
    DDS_RETURN_IF_ERROR(p.ReadSafeBool("showDetails", &show_details));
    DDS_RETURN_IF_ERROR(p.Finish());
  }
  BsonBuilder b;
  for (const Parameter& p : kParameters) {
    if (all || cmd.HasField(p.name)) AppendParameter(b, p, show_details, ctx.service);
  }
  if (!b.HasFields()) return Status(ErrorCode::kInvalidOptions, "no option found to get");
  return b.Done();
}

StatusWith<bson::BsonDocument> RunSetParameter(CommandContext& ctx, const bson::BsonView& cmd) {
  BsonBuilder b;
  int found = 0;
  bool first = true;
  for (const BsonElement& e : cmd) {
    if (first) {
      first = false;
      continue;
    }
    std::string_view name = e.field_name();
    if (IsGenericArgument(name)) continue;
    const Parameter* p = FindParameter(name);
    if (p == nullptr) {
      return Status(ErrorCode::kInvalidOptions, "Attempted to set unrecognized parameter [" +
                                                    std::string(name) +
                                                    "], use help:true to see options ");
    }
    if (!p->settable_at_runtime) {
      return Status(ErrorCode::kIllegalOperation,
                    "not allowed to change [" + std::string(name) + "] at runtime");
    }
    if (found == 0) p->append(b, "was", ctx.service);
    ++found;
    if (name == "logLevel") {
      if (!e.IsNumber()) return WrongTypeError("logLevel", e, "[long, int, decimal, double]");
      int64_t level = SafeInt64(e);
      if (level < 0 || level > 5) {
        return Status(ErrorCode::kBadValue, "logLevel must be between 0 and 5");
      }
      g_log_level.store(static_cast<int32_t>(level));
      SetMinLogSeverity(level > 0 ? LogSeverity::kDebug : LogSeverity::kInfo);
    }
  }
  if (found == 0) {
    return Status(ErrorCode::kInvalidOptions, "no option found to set, use help:true to see options ");
  }
  return b.Done();
}

StatusWith<bson::BsonDocument> RunGetCmdLineOpts(CommandContext& ctx, const bson::BsonView& cmd) {
  const ServerSettings& s = ctx.service.settings;
  BsonBuilder b;
  b.StartArray("argv");
  for (size_t i = 0; i < s.argv.size(); ++i) b.AppendString(bson::IndexName(i), s.argv[i]);
  b.End();
  if (!s.parsed_options.empty()) {
    b.AppendDocument("parsed", s.parsed_options.view());
  } else {
    b.StartDocument("parsed");
    b.StartDocument("net");
    b.AppendString("bindIp", s.bind_ip);
    b.AppendInt32("port", s.port);
    b.End();
    if (s.auth_enabled) {
      b.StartDocument("security");
      b.AppendString("authorization", "enabled");
      b.End();
    }
    if (!s.db_path.empty()) {
      b.StartDocument("storage");
      b.AppendString("dbPath", s.db_path);
      b.End();
    }
    if (!s.log_path.empty()) {
      b.StartDocument("systemLog");
      b.AppendString("destination", "file");
      b.AppendString("path", s.log_path);
      b.End();
    }
    b.End();
  }
  return b.Done();
}

StatusWith<bson::BsonDocument> RunGetLog(CommandContext& ctx, const bson::BsonView& cmd) {
  BsonElement arg = cmd.FirstElement();
  if (arg.type() != BsonType::kString) {
    return Status(ErrorCode::kTypeMismatch, "Argument to getLog must be of type String; found " +
                                                arg.ValueToJson() + " of type " +
                                                std::string(bson::TypeAlias(arg.type())));
  }
  std::string_view name = arg.String();
  BsonBuilder b;
  if (name == "*") {
    b.StartArray("names");
    b.AppendString("0", "global");
    b.AppendString("1", "startupWarnings");
    b.End();
    return b.Done();
  }
  std::vector<std::string> lines;
  int64_t total = 0;
  if (name == "global") {
    uint64_t written = 0;
    lines = RecentLogLines(&written);
    total = static_cast<int64_t>(written);
  } else if (name == "startupWarnings") {
    lines = StartupWarningLines();
    total = static_cast<int64_t>(lines.size());
  } else {
    return Status(ErrorCode::kOperationFailed, "No log named '" + std::string(name) + "'");
  }
  b.AppendInt32("totalLinesWritten", static_cast<int32_t>(total));
  b.StartArray("log");
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string& line = lines[i];
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    b.AppendString(bson::IndexName(i), line);
  }
  b.End();
  return b.Done();
}

StatusWith<bson::BsonDocument> RunHostInfo(CommandContext& ctx, const bson::BsonView& cmd) {
  struct utsname uts {};
  uname(&uts);
  int64_t mem_mb = MemInfoKb("MemTotal") / 1024;
  int32_t cores = static_cast<int32_t>(std::thread::hardware_concurrency());
  BsonBuilder b;
  b.StartDocument("system");
  b.AppendDate("currentTime", NowMillis());
  b.AppendString("hostname", HostName());
  b.AppendInt32("cpuAddrSize", 64);
  b.AppendInt64("memSizeMB", mem_mb);
  b.AppendInt64("memLimitMB", mem_mb);
  b.AppendInt32("numCores", cores);
  b.AppendInt32("numPhysicalCores", cores);
  b.AppendInt32("numCpuSockets", 1);
  b.AppendString("cpuArch", uts.machine);
  b.AppendBool("numaEnabled", false);
  b.AppendInt32("numNumaNodes", 1);
  b.End();
  b.StartDocument("os");
  b.AppendString("type", "Linux");
  b.AppendString("name", OsPrettyName());
  b.AppendString("version", uts.release);
  b.End();
  b.StartDocument("extra");
  b.AppendString("versionString", std::string(uts.sysname) + " version " + uts.release + " " +
                                      uts.version);
  b.AppendString("kernelVersion", uts.release);
  b.AppendInt64("pageSize", sysconf(_SC_PAGESIZE));
  b.AppendInt32("numPages", static_cast<int32_t>(sysconf(_SC_PHYS_PAGES)));
  b.AppendInt32("maxOpenFiles", static_cast<int32_t>(sysconf(_SC_OPEN_MAX)));
  b.End();
  return b.Done();
}

StatusWith<bson::BsonDocument> RunServerStatus(CommandContext& ctx, const bson::BsonView& cmd) {
  const ServerCounters& c = ctx.service.counters;
  auto uptime = std::chrono::steady_clock::now() - ctx.service.start_time;
  int64_t uptime_ms = std::chrono::duration_cast<std::chrono::milliseconds>(uptime).count();
  std::string host = HostName();
  if (ctx.service.settings.port != 27017) host += ":" + std::to_string(ctx.service.settings.port);
  auto [virt_mb, res_mb] = ProcessMemoryMb();

  BsonBuilder b;
  b.AppendString("host", host);
  b.AppendString("version", kMongoVersion);
  b.AppendString("process", "mongod");
  b.AppendInt64("pid", static_cast<int64_t>(getpid()));
  b.AppendDouble("uptime", static_cast<double>(uptime_ms / 1000));
  b.AppendInt64("uptimeMillis", uptime_ms);
  b.AppendInt64("uptimeEstimate", uptime_ms / 1000);
  b.AppendDate("localTime", NowMillis());
  b.StartDocument("asserts");
  b.AppendInt32("regular", 0);
  b.AppendInt32("warning", 0);
  b.AppendInt32("msg", 0);
  b.AppendInt32("user", 0);
  b.AppendInt32("rollovers", 0);
  b.End();
  b.StartDocument("connections");
  int64_t current = c.connections_current.load();
  b.AppendInt32("current", static_cast<int32_t>(current));
  b.AppendInt32("available", static_cast<int32_t>(std::max<int64_t>(0, 838860 - current)));
  b.AppendInt32("totalCreated", static_cast<int32_t>(c.connections_total.load()));
  b.AppendInt32("active", static_cast<int32_t>(c.connections_active.load()));
  b.End();
  b.StartDocument("mem");
  b.AppendInt32("bits", 64);
  b.AppendInt32("resident", static_cast<int32_t>(res_mb));
  b.AppendInt32("virtual", static_cast<int32_t>(virt_mb));
  b.AppendBool("supported", true);
  b.End();
  b.StartDocument("network");
  b.AppendInt64("bytesIn", c.bytes_in.load());
  b.AppendInt64("bytesOut", c.bytes_out.load());
  b.AppendInt64("numRequests", c.num_requests.load());
  b.End();
  b.StartDocument("opcounters");
  b.AppendInt64("insert", c.insert.load());
  b.AppendInt64("query", c.query.load());
  b.AppendInt64("update", c.update.load());
  b.AppendInt64("delete", c.remove.load());
  b.AppendInt64("getmore", c.getmore.load());
  b.AppendInt64("command", c.command.load());
  b.End();
  b.StartDocument("storageEngine");
  b.AppendString("name", "rocksdb");
  b.AppendBool("supportsCommittedReads", true);
  b.AppendBool("oldestRequiredTimestampForCrashRecovery", false);
  b.AppendBool("supportsPendingDrops", false);
  b.AppendBool("dropPendingIdents", false);
  b.AppendBool("supportsSnapshotReadConcern", false);
  b.AppendBool("readOnly", false);
  b.AppendBool("persistent", true);
  b.AppendBool("backupCursorOpen", false);
  b.End();
  // The storage engine's own figures (as MongoRocks reported them): cache, memtables, flushes,
  // compactions and the files per level, for operators watching a write burst settle.
  if (ctx.service.engine == nullptr) return b.Done();  // a service without storage (unit tests)
  storage::Engine::EngineMetrics metrics = ctx.engine().Metrics();
  b.StartDocument("rocksdb");
  for (const auto& [name, value] : metrics.properties) b.AppendInt64(name, value);
  b.StartArray("num-files-at-level");
  for (size_t i = 0; i < metrics.files_per_level.size(); ++i) {
    b.AppendInt64(bson::IndexName(i), metrics.files_per_level[i]);
  }
  b.End();
  b.End();
  return b.Done();
}

StatusWith<bson::BsonDocument> RunWhatsMyUri(CommandContext& ctx, const bson::BsonView& cmd) {
  BsonBuilder b;
  b.AppendString("you", ctx.client.remote);
  return b.Done();
}

StatusWith<bson::BsonDocument> RunListCommands(CommandContext& ctx, const bson::BsonView& cmd) {
  BsonBuilder b;
  b.StartDocument("commands");
  for (const CommandEntry& e : AllCommands()) {
    b.StartDocument(e.name);
    b.AppendString("help", e.help);
    b.AppendBool("requiresAuth", (e.flags & kNoAuth) == 0);
    b.AppendBool("secondaryOk", true);
    b.AppendBool("adminOnly", (e.flags & kAdminOnly) != 0);
    b.StartArray("apiVersions").End();
    b.StartArray("deprecatedApiVersions").End();
    b.End();
  }
  b.End();
  return b.Done();
}

StatusWith<bson::BsonDocument> RunShutdown(CommandContext& ctx, const bson::BsonView& cmd) {
  FieldParser p("shutdown", cmd);
  bool force = false;
  int64_t timeout_secs = 0;
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("force", &force));
  DDS_RETURN_IF_ERROR(p.ReadNonNegativeInt64("timeoutSecs", &timeout_secs));
  DDS_RETURN_IF_ERROR(p.Finish());
  if (!ctx.service.request_shutdown) {
    return Status(ErrorCode::kCommandNotSupported, "shutdown is not available in this process");
  }
  DDS_LOG_INFO("COMMAND", 4695400, "Terminating via shutdown command",
               {{"force", force}, {"timeoutSecs", timeout_secs}});
  ctx.service.request_shutdown();
  return bson::BsonDocument();
}

StatusWith<bson::BsonDocument> RunFsync(CommandContext& ctx, const bson::BsonView& cmd) {
  FieldParser p("fsync", cmd);
  bool lock = false, async = false;
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("lock", &lock));
  DDS_RETURN_IF_ERROR(p.ReadSafeBool("async", &async));
  p.Ignore("forBackup");
  p.Ignore("fsyncLockAcquisitionTimeoutMillis");
  DDS_RETURN_IF_ERROR(p.Finish());
  if (lock) {
    return Status(ErrorCode::kNotImplemented,
                  "fsync with lock: true is not supported; use a checkpoint backup instead");
  }
  if (ctx.service.engine == nullptr) {
    return Status(ErrorCode::kInternalError, "the storage engine is not available");
  }
  DDS_RETURN_IF_ERROR(ctx.engine().SyncWal());
  BsonBuilder b;
  b.AppendInt32("numFiles", 1);
  return b.Done();
}

StatusWith<bson::BsonDocument> RunFsyncUnlock(CommandContext& ctx, const bson::BsonView& cmd) {
  return Status(ErrorCode::kCommandFailed, "fsyncUnlock called when not locked");
}

StatusWith<bson::BsonDocument> RunReplSetGetStatus(CommandContext& ctx,
                                                   const bson::BsonView& cmd) {
  return Status(ErrorCode::kNoReplicationEnabled, "not running with --replSet");
}

}  // namespace dds::commands
