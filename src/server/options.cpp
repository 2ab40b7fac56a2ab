#include "server/options.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>
#include <string_view>
#include <utility>
#include <variant>

// yaml-cpp's headers trip GCC 12's -Wdangling-pointer; the warning is theirs, not ours.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#endif
#include <yaml-cpp/yaml.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include "bson/builder.h"

namespace dds::server {
namespace {

using Value = std::variant<bool, int64_t, double, std::string>;
// Options that were set, by dotted mongod name ("net.port").
using OptionMap = std::map<std::string, Value>;

enum class OptType { kBool, kInt, kDouble, kString };

struct OptionSpec {
  std::string_view key;
  OptType type;
};

// The config-file keys ddsd understands (mongod names).
constexpr OptionSpec kFileOptions[] = {
    {"net.bindIp", OptType::kString},
    {"net.bindIpAll", OptType::kBool},
    {"net.maxIncomingConnections", OptType::kInt},
    {"net.port", OptType::kInt},
    {"net.tls.CAFile", OptType::kString},
    {"net.tls.allowConnectionsWithoutCertificates", OptType::kBool},
    {"net.tls.allowInvalidCertificates", OptType::kBool},
    {"net.tls.certificateKeyFile", OptType::kString},
    {"net.tls.certificateKeyFilePassword", OptType::kString},
    {"net.tls.mode", OptType::kString},
    {"processManagement.fork", OptType::kBool},
    {"security.authorization", OptType::kString},
    {"security.initialUsersFile", OptType::kString},
    {"storage.dbPath", OptType::kString},
    {"storage.journal.enabled", OptType::kBool},
    {"storage.wiredTiger.engineConfig.cacheSizeGB", OptType::kDouble},
    {"systemLog.destination", OptType::kString},
    {"systemLog.logAppend", OptType::kBool},
    {"systemLog.path", OptType::kString},
    {"systemLog.quiet", OptType::kBool},
};

// Command-line flags: the flag, the option it sets, whether it takes a value, and the value a
// switch sets.
struct FlagSpec {
  std::string_view flag;
  std::string_view key;
  OptType type;
  const char* switch_value;  // for switches: the string value set (kString) or "true"
};

constexpr FlagSpec kFlags[] = {
    {"--port", "net.port", OptType::kInt, nullptr},
    {"--bind_ip", "net.bindIp", OptType::kString, nullptr},
    {"--bind_ip_all", "net.bindIpAll", OptType::kBool, "true"},
    {"--maxConns", "net.maxIncomingConnections", OptType::kInt, nullptr},
    {"--dbpath", "storage.dbPath", OptType::kString, nullptr},
    {"--logpath", "systemLog.path", OptType::kString, nullptr},
    {"--logappend", "systemLog.logAppend", OptType::kBool, "true"},
    {"--quiet", "systemLog.quiet", OptType::kBool, "true"},
    {"--fork", "processManagement.fork", OptType::kBool, "true"},
    {"--auth", "security.authorization", OptType::kString, "enabled"},
    {"--noauth", "security.authorization", OptType::kString, "disabled"},
    {"--tlsMode", "net.tls.mode", OptType::kString, nullptr},
    {"--tlsCertificateKeyFile", "net.tls.certificateKeyFile", OptType::kString, nullptr},
    {"--tlsCertificateKeyFilePassword", "net.tls.certificateKeyFilePassword", OptType::kString,
     nullptr},
    {"--tlsCAFile", "net.tls.CAFile", OptType::kString, nullptr},
    {"--tlsAllowConnectionsWithoutCertificates", "net.tls.allowConnectionsWithoutCertificates",
     OptType::kBool, "true"},
    {"--tlsAllowInvalidCertificates", "net.tls.allowInvalidCertificates", OptType::kBool, "true"},
    {"--initialUsersFile", "security.initialUsersFile", OptType::kString, nullptr},
    {"--wiredTigerCacheSizeGB", "storage.wiredTiger.engineConfig.cacheSizeGB", OptType::kDouble,
     nullptr},
};

Status BadValue(std::string msg) { return Status(ErrorCode::kBadValue, std::move(msg)); }

const OptionSpec* FindFileOption(std::string_view key) {
  for (const OptionSpec& s : kFileOptions) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

StatusWith<Value> ConvertValue(std::string_view key, OptType type, const std::string& text) {
  switch (type) {
    case OptType::kString:
      return Value(text);
    case OptType::kBool:
      if (text == "true") return Value(true);
      if (text == "false") return Value(false);
      return BadValue("Bad value for " + std::string(key) + ": expected true or false, got '" +
                      text + "'");
    case OptType::kDouble: {
      char* end = nullptr;
      double v = std::strtod(text.c_str(), &end);
      if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v)) {
        return BadValue("Bad value for " + std::string(key) + ": '" + text + "' is not a number");
      }
      return Value(v);
    }
    case OptType::kInt: {
      int64_t v = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
        return BadValue("Bad value for " + std::string(key) + ": '" + text + "' is not an integer");
      }
      return Value(v);
    }
  }
  return BadValue("unreachable");
}

Status WalkYaml(const YAML::Node& node, const std::string& prefix, OptionMap* out) {
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string name = it->first.as<std::string>();
    const std::string key = prefix.empty() ? name : prefix + "." + name;
    const YAML::Node& value = it->second;
    if (value.IsNull()) continue;
    if (value.IsMap()) {
      if (key.rfind("setParameter.", 0) == 0) {
        return BadValue("Bad value for " + key + ": expected a scalar");
      }
      DDS_RETURN_IF_ERROR(WalkYaml(value, key, out));
      continue;
    }
    if (!value.IsScalar()) return BadValue("Bad value for " + key + ": expected a scalar");
    const std::string text = value.Scalar();
    if (key.rfind("setParameter.", 0) == 0 && key.size() > 13) {
      (*out)[key] = text;
      continue;
    }
    const OptionSpec* spec = FindFileOption(key);
    if (spec == nullptr) return BadValue("Unrecognized option: " + key);
    DDS_ASSIGN_OR_RETURN(Value v, ConvertValue(key, spec->type, text));
    (*out)[key] = std::move(v);
  }
  return Status::OK();
}

Status LoadConfigFile(const std::string& path, OptionMap* out) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return BadValue("Error reading config file: No such file or directory: " + path);
  } catch (const YAML::Exception& e) {
    return BadValue("Error parsing YAML config file: " + std::string(e.what()));
  }
  if (root.IsNull()) return Status::OK();
  if (!root.IsMap()) return BadValue("Error parsing YAML config file: not a map of options");
  try {
    return WalkYaml(root, "", out);
  } catch (const YAML::Exception& e) {
    return BadValue("Error parsing YAML config file: " + std::string(e.what()));
  }
}

Status CheckBindConflict(const OptionMap& m) {
  if (m.count("net.bindIp") && m.count("net.bindIpAll")) {
    return BadValue("Can't specify both net.bindIp and net.bindIpAll");
  }
  return Status::OK();
}

std::string ValueString(const Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (const auto* d = std::get_if<double>(&v)) return std::to_string(*d);
  return std::to_string(std::get<int64_t>(v));
}

// Nested view of the dotted option names, for the "parsed" document.
struct Node {
  const Value* value = nullptr;
  std::map<std::string, Node> children;
};

void AppendNode(bson::BsonBuilder* b, const std::string& name, const Node& node) {
  if (node.value != nullptr) {
    const Value& v = *node.value;
    if (const auto* s = std::get_if<std::string>(&v)) {
      b->AppendString(name, *s);
    } else if (const auto* x = std::get_if<bool>(&v)) {
      b->AppendBool(name, *x);
    } else if (const auto* d = std::get_if<double>(&v)) {
      b->AppendDouble(name, *d);
    } else {
      int64_t i = std::get<int64_t>(v);
      if (i >= INT32_MIN && i <= INT32_MAX) {
        b->AppendInt32(name, static_cast<int32_t>(i));
      } else {
        b->AppendInt64(name, i);
      }
    }
    return;
  }
  b->StartDocument(name);
  for (const auto& [child_name, child] : node.children) AppendNode(b, child_name, child);
  b->End();
}

bson::BsonDocument BuildParsed(const OptionMap& m) {
  Node root;
  for (const auto& [key, value] : m) {
    Node* n = &root;
    size_t start = 0;
    while (true) {
      size_t dot = key.find('.', start);
      // setParameter names may not be split further.
      if (start > 0 && key.compare(0, start - 1, "setParameter") == 0) dot = std::string::npos;
      n = &n->children[key.substr(start, dot == std::string::npos ? dot : dot - start)];
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    n->value = &value;
  }
  bson::BsonBuilder b;
  for (const auto& [name, child] : root.children) AppendNode(&b, name, child);
  return b.Done();
}

std::vector<std::string> SplitBindIps(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    std::string part = s.substr(start, comma == std::string::npos ? comma : comma - start);
    const size_t b = part.find_first_not_of(" \t");
    const size_t e = part.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(part.substr(b, e - b + 1));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// Moves the merged options into `o`, checking values.
Status Apply(const OptionMap& m, ServerOptions* o) {
  for (const auto& [key, value] : m) {
    if (key.rfind("setParameter.", 0) == 0) {
      o->set_parameters[key.substr(13)] = ValueString(value);
    } else if (key == "net.port") {
      const int64_t port = std::get<int64_t>(value);
      if (port < 0 || port > 65535) {
        return BadValue("net.port must be between 0 and 65535, got " + std::to_string(port));
      }
      o->port = static_cast<int>(port);
    } else if (key == "net.bindIp") {
      o->bind_ips = SplitBindIps(std::get<std::string>(value));
      if (o->bind_ips.empty()) return BadValue("net.bindIp must name at least one address");
    } else if (key == "net.bindIpAll") {
      o->bind_ip_all = std::get<bool>(value);
    } else if (key == "net.maxIncomingConnections") {
      o->max_incoming_connections = std::get<int64_t>(value);
      if (o->max_incoming_connections <= 0) {
        return BadValue("net.maxIncomingConnections must be greater than 0");
      }
    } else if (key == "net.tls.mode") {
      DDS_ASSIGN_OR_RETURN(o->tls.mode, ParseTlsMode(std::get<std::string>(value)));
    } else if (key == "net.tls.certificateKeyFile") {
      o->tls.certificate_key_file = std::get<std::string>(value);
    } else if (key == "net.tls.certificateKeyFilePassword") {
      o->tls.certificate_key_file_password = std::get<std::string>(value);
    } else if (key == "net.tls.CAFile") {
      o->tls.ca_file = std::get<std::string>(value);
    } else if (key == "net.tls.allowConnectionsWithoutCertificates") {
      o->tls.allow_connections_without_certificates = std::get<bool>(value);
    } else if (key == "net.tls.allowInvalidCertificates") {
      o->tls.allow_invalid_certificates = std::get<bool>(value);
    } else if (key == "processManagement.fork") {
      if (std::get<bool>(value)) {
        return BadValue(
            "processManagement.fork (--fork) is not supported by ddsd; run it in the foreground "
            "under a process supervisor");
      }
    } else if (key == "security.authorization") {
      const std::string& s = std::get<std::string>(value);
      if (s != "enabled" && s != "disabled") {
        return BadValue("Bad value for security.authorization: '" + s +
                        "' (expected 'enabled' or 'disabled')");
      }
      o->auth = s == "enabled";
    } else if (key == "security.initialUsersFile") {
      o->initial_users_file = std::get<std::string>(value);
      if (o->initial_users_file.empty()) {
        return BadValue("security.initialUsersFile must not be empty");
      }
    } else if (key == "storage.dbPath") {
      o->db_path = std::get<std::string>(value);
      if (o->db_path.empty()) return BadValue("storage.dbPath must not be empty");
    } else if (key == "storage.wiredTiger.engineConfig.cacheSizeGB") {
      // mongod accepts 0.25 GB to 10000 GB; the value sizes RocksDB's block cache here.
      const double gb = std::get<double>(value);
      if (gb < 0.25 || gb > 10000) {
        return BadValue("storage.wiredTiger.engineConfig.cacheSizeGB must be between 0.25 and "
                        "10000, got " + ValueString(value));
      }
      o->cache_size_bytes = static_cast<int64_t>(gb * (1ULL << 30));
    } else if (key == "storage.journal.enabled") {
      // Accepted for mongod compatibility; the write-ahead log is always on.
    } else if (key == "systemLog.destination") {
      const std::string& s = std::get<std::string>(value);
      if (s == "syslog") return BadValue("systemLog.destination 'syslog' is not supported");
      if (s != "file") return BadValue("Bad value for systemLog.destination: '" + s + "'");
      if (!m.count("systemLog.path")) {
        return BadValue("systemLog.path is required if systemLog.destination is to a file");
      }
    } else if (key == "systemLog.path") {
      o->log_path = std::get<std::string>(value);
      if (o->log_path.empty()) return BadValue("systemLog.path must not be empty");
    } else if (key == "systemLog.logAppend") {
      o->log_append = std::get<bool>(value);
    } else if (key == "systemLog.quiet") {
      o->quiet = std::get<bool>(value);
    }
  }
  return Status::OK();
}

// Replaces the value of --tlsCertificateKeyFilePassword (either form) with "<password>".
void CensorArgv(std::vector<std::string>* argv) {
  constexpr std::string_view kSecret = "--tlsCertificateKeyFilePassword";
  for (size_t i = 1; i < argv->size(); ++i) {
    std::string& a = (*argv)[i];
    if (a == kSecret && i + 1 < argv->size()) {
      (*argv)[++i] = "<password>";
    } else if (a.rfind(std::string(kSecret) + "=", 0) == 0) {
      a = std::string(kSecret) + "=<password>";
    }
  }
}

Status CommandLineError(const std::string& what) {
  return BadValue("Error parsing command line: " + what);
}

}  // namespace

StatusWith<ServerOptions> ParseServerOptions(const std::vector<std::string>& args) {
  ServerOptions o;
  o.argv = args;
  OptionMap cli;
  std::string config_path;
  for (size_t i = 1; i < args.size(); ++i) {
    std::string arg = args[i];
    std::optional<std::string> inline_value;
    if (arg.rfind("--", 0) == 0) {
      const size_t eq = arg.find('=');
      if (eq != std::string::npos) {
        inline_value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
      }
    }
    auto take_value = [&](std::string* out) -> Status {
      if (inline_value) {
        *out = *inline_value;
        return Status::OK();
      }
      if (i + 1 >= args.size()) {
        return CommandLineError("the required argument for option '" + arg + "' is missing");
      }
      *out = args[++i];
      return Status::OK();
    };
    if (arg == "--help" || arg == "-h") {
      o.help = true;
      continue;
    }
    if (arg == "--version") {
      o.version = true;
      continue;
    }
    if (arg == "--config" || arg == "-f") {
      DDS_RETURN_IF_ERROR(take_value(&config_path));
      continue;
    }
    if (arg == "--setParameter") {
      std::string kv;
      DDS_RETURN_IF_ERROR(take_value(&kv));
      const size_t eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) {
        return CommandLineError("Illegal option assignment: \"" + kv + "\"");
      }
      cli["setParameter." + kv.substr(0, eq)] = kv.substr(eq + 1);
      continue;
    }
    const FlagSpec* flag = nullptr;
    for (const FlagSpec& f : kFlags) {
      if (f.flag == arg) flag = &f;
    }
    if (flag == nullptr) {
      if (arg.empty() || arg[0] != '-') {
        return CommandLineError(
            "too many positional options have been specified on the command line");
      }
      return CommandLineError("unrecognised option '" + args[i] + "'");
    }
    std::string text;
    if (flag->switch_value != nullptr) {
      if (inline_value) {
        return CommandLineError("option '" + arg + "' does not take any arguments");
      }
      text = flag->switch_value;
    } else {
      DDS_RETURN_IF_ERROR(take_value(&text));
    }
    DDS_ASSIGN_OR_RETURN(Value v, ConvertValue(flag->key, flag->type, text));
    cli[std::string(flag->key)] = std::move(v);
    if (flag->key == "systemLog.path") cli["systemLog.destination"] = std::string("file");
  }
  if (o.help || o.version) return o;
  DDS_RETURN_IF_ERROR(CheckBindConflict(cli));

  OptionMap merged;
  if (!config_path.empty()) {
    DDS_RETURN_IF_ERROR(LoadConfigFile(config_path, &merged));
    DDS_RETURN_IF_ERROR(CheckBindConflict(merged));
    o.config_path = config_path;
  }
  // Flags override the file.
  for (auto& [key, value] : cli) {
    if (key == "net.bindIp") merged.erase("net.bindIpAll");
    if (key == "net.bindIpAll") merged.erase("net.bindIp");
    merged[key] = value;
  }
  DDS_RETURN_IF_ERROR(Apply(merged, &o));
  DDS_RETURN_IF_ERROR(ValidateTlsOptions(o.tls));
  // Secrets never reach getCmdLineOpts or the log, as mongod censors them.
  if (merged.count("net.tls.certificateKeyFilePassword")) {
    merged["net.tls.certificateKeyFilePassword"] = std::string("<password>");
  }
  CensorArgv(&o.argv);
  if (!config_path.empty()) merged["config"] = config_path;
  o.parsed = BuildParsed(merged);
  return o;
}

std::string HelpText() {
  return R"(Options:

General options:
  -h [ --help ]                 Show this usage information
  --version                     Show version information
  -f [ --config ] arg           Configuration file (YAML, mongod key names)
  --quiet                       Quieter output (no connection accepted/ended lines)
  --port arg                    Specify port number - 27017 by default
  --bind_ip arg                 Comma separated list of ip addresses to listen on
                                - localhost by default
  --bind_ip_all                 Bind to all ip addresses
  --maxConns arg                Max number of simultaneous connections
  --logpath arg                 Log file to send write to instead of stderr
  --logappend                   Append to logpath instead of over-writing
  --setParameter arg            Set a configurable parameter (name=value)
  --auth                        Run with security: clients must authenticate
                                (SCRAM-SHA-256 / SCRAM-SHA-1)
  --noauth                      Run without security (the default)
  --initialUsersFile arg        JSON file of users with SCRAM credentials, created or
                                replaced at every start (see docs/security.md)
  --wiredTigerCacheSizeGB arg   Storage cache size in GB (0.25 - 10000; default 0.25)

TLS options:
  --tlsMode arg                 Set the TLS operation mode (disabled|allowTLS|preferTLS|requireTLS)
  --tlsCertificateKeyFile arg   Certificate and key file for TLS (PEM)
  --tlsCertificateKeyFilePassword arg
                                Password to unlock the key in the certificate key file
  --tlsCAFile arg               Certificate Authority file for TLS; client certificates are
                                requested and verified against it
  --tlsAllowConnectionsWithoutCertificates
                                Allow clients without a certificate when --tlsCAFile is set
  --tlsAllowInvalidCertificates Allow client certificates that fail validation

Storage options:
  --dbpath arg                  Directory for datafiles - defaults to /data/db
)";
}

}  // namespace dds::server
