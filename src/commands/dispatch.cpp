#include "commands/dispatch.h"

#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <thread>

#include "bson/bson.h"
#include "commands/command.h"
#include "commands/command_authorization.h"
#include "commands/fail_point.h"
#include "commands/latency_stats.h"
#include "commands/namespace_util.h"
#include "commands/operation_registry.h"
#include "commands/write_concern.h"
#include "query/planner.h"
#include "storage/engine.h"
#include "common/logging.h"
#include "common/status.h"

namespace dds::commands {

namespace {

using bson::BsonElement;
using bson::BsonType;

// Longest command text in a slow-query log line.
constexpr size_t kMaxLoggedCommandChars = 4096;

// Counts the operation in serverStatus.opcounters the way mongod does: find -> query, getMore ->
// getmore, write commands -> one per document/statement, everything else -> command.
void CountOp(ServerCounters& counters, std::string_view name, const bson::BsonView& body) {
  auto count_array = [&body](std::string_view field) -> int64_t {
    BsonElement e = body.Get(field);
    return e.IsArray() ? e.Array().CountFields() : 0;
  };
  if (name == "find") {
    counters.query.fetch_add(1, std::memory_order_relaxed);
  } else if (name == "getMore") {
    counters.getmore.fetch_add(1, std::memory_order_relaxed);
  } else if (name == "insert") {
    counters.insert.fetch_add(count_array("documents"), std::memory_order_relaxed);
  } else if (name == "update") {
    counters.update.fetch_add(count_array("updates"), std::memory_order_relaxed);
  } else if (name == "delete") {
    counters.remove.fetch_add(count_array("deletes"), std::memory_order_relaxed);
  } else {
    counters.command.fetch_add(1, std::memory_order_relaxed);
  }
}

// The commands of Stable API version 1 (mongod's apiVersions: ["1"]).
constexpr std::string_view kApiVersion1Commands[] = {
    "abortTransaction", "aggregate",   "authenticate",   "collMod",    "commitTransaction",
    "count",            "create",      "createIndexes",  "delete",     "distinct",
    "drop",             "dropDatabase", "dropIndexes",   "endSessions", "explain",
    "find",             "findAndModify", "getMore",      "hello",      "insert",
    "killCursors",      "listCollections", "listDatabases", "listIndexes", "ping",
    "refreshSessions",  "saslContinue", "saslStart",     "update",
};

// Checks apiVersion / apiStrict / apiDeprecationErrors (322, 323), as mongod does.
Status CheckApiParameters(std::string_view name, const bson::BsonView& body) {
  BsonElement version = body.Get("apiVersion");
  BsonElement strict = body.Get("apiStrict");
  BsonElement deprecation = body.Get("apiDeprecationErrors");
  if (version.eoo()) {
    if (!strict.eoo()) {
      return Status(ErrorCode::kAPIVersionError,
                    "Provided apiStrict:" + std::string(strict.TrueValue() ? "true" : "false") +
                        ", but the command " + std::string(name) +
                        " does not specify an apiVersion.");
    }
    if (!deprecation.eoo()) {
      return Status(ErrorCode::kAPIVersionError,
                    "Provided apiDeprecationErrors:" +
                        std::string(deprecation.TrueValue() ? "true" : "false") +
                        ", but the command " + std::string(name) +
                        " does not specify an apiVersion.");
    }
    return Status::OK();
  }
  if (version.type() != BsonType::kString) {
    return Status(ErrorCode::kTypeMismatch,
                  "BSON field 'apiVersion' is the wrong type '" +
                      std::string(bson::TypeAlias(version.type())) + "', expected type 'string'");
  }
  if (version.String() != "1") {
    return Status(ErrorCode::kAPIVersionError,
                  "API version must be \"1\"");
  }
  if (strict.type() == BsonType::kBool && strict.Bool()) {
    bool in_v1 = false;
    for (std::string_view c : kApiVersion1Commands) in_v1 = in_v1 || c == name;
    if (!in_v1) {
      return Status(ErrorCode::kAPIStrictError,
                    "Provided apiStrict:true, but the command " + std::string(name) +
                        " is not in API Version 1. Information on supported commands and "
                        "migrations in API Version 1 can be found at "
                        "https://dochub.mongodb.org/core/manual-versioned-api");
    }
  }
  return Status::OK();
}

// DDL commands whose writeConcern dispatch applies (the CRUD handlers apply their own).
bool IsDdlCommand(std::string_view name) {
  return name == "create" || name == "drop" || name == "dropDatabase" || name == "collMod" ||
         name == "renameCollection" || name == "createIndexes" || name == "dropIndexes";
}

// Returns the raw bytes of `lsid.id` (a UUID), or "" when the command has no session.
std::string SessionId(const bson::BsonView& body) {
  BsonElement lsid = body.Get("lsid");
  if (lsid.type() != BsonType::kObject) return std::string();
  BsonElement id = lsid.Object().Get("id");
  if (id.type() != BsonType::kBinData) return std::string();
  return std::string(id.BinData());
}

// "db.coll" when the command names a collection, else "db.$cmd".
std::string OperationNamespace(const std::string& db, const bson::BsonView& body) {
  BsonElement first = body.FirstElement();
  if (first.type() == BsonType::kString) return db + "." + std::string(first.String());
  return db + ".$cmd";
}

// Finds the command, checks where and how it may run, and runs it.
StatusWith<bson::BsonDocument> Execute(ServiceContext& service, ClientState& client,
                                       const bson::BsonView& body, const RequestInfo& info,
                                       std::string* db_out) {
  BsonElement db_element = body.Get("$db");
  if (db_element.eoo()) {
    if (!info.legacy_op_query) {
      return Status(40571, "OP_MSG requests require a $db argument");
    }
  } else if (db_element.type() != BsonType::kString) {
    return Status(ErrorCode::kTypeMismatch,
                  "BSON field '$db' is the wrong type '" +
                      std::string(bson::TypeAlias(db_element.type())) +
                      "', expected type 'string'");
  }
  std::string db = db_element.eoo() ? std::string("admin") : std::string(db_element.String());
  *db_out = db;

  if (body.empty()) return Status(ErrorCode::kCommandNotFound, "no such command: ''");
  std::string_view name = body.FirstElement().field_name();
  const CommandEntry* entry = FindCommand(name);
  if (entry == nullptr) {
    return Status(ErrorCode::kCommandNotFound, "no such command: '" + std::string(name) + "'");
  }
  if (info.legacy_op_query && (entry->flags & kOpQueryAllowed) == 0) {
    return Status(ErrorCode::kUnsupportedOpQueryCommand,
                  "Unsupported OP_QUERY command: " + std::string(name) +
                      ". The client driver may require an upgrade. For more details see "
                      "https://dochub.mongodb.org/core/legacy-opcode-removal");
  }
  if (Status s = ValidateDatabaseName(db); !s.ok()) {
    return Status(ErrorCode::kInvalidNamespace, "Invalid database name: '" + db + "'");
  }
  if ((entry->flags & kAdminOnly) != 0 && db != "admin") {
    return Status(ErrorCode::kUnauthorized,
                  std::string(name) + " may only be run against the admin database.");
  }
  if ((entry->flags & (kWrite | kRead | kCollectionLevel)) != 0 && service.engine == nullptr) {
    return Status(ErrorCode::kInternalError, "the storage engine is not available");
  }
  CommandContext ctx{service, client, info, db, entry->name};
  // Authorization (commands/command_authorization.h): nothing at all without --auth.
  if (service.settings.auth_enabled) {
    DDS_RETURN_IF_ERROR(CheckCommandAuthorization(ctx, *entry, body));
  }

  DDS_RETURN_IF_ERROR(CheckApiParameters(name, body));
  if (BsonElement max_time = body.Get("maxTimeMS"); !max_time.eoo()) {
    // A generic argument: validated once here for every command.
    if (!max_time.IsNumber()) {
      return Status(ErrorCode::kTypeMismatch,
                    "BSON field 'maxTimeMS' is the wrong type '" +
                        std::string(bson::TypeAlias(max_time.type())) +
                        "', expected types '[long, int, decimal, double]'");
    }
    double v = max_time.NumberDouble();
    if (v < 0) {
      return Status(51024, "BSON field 'maxTimeMS' value must be >= 0, actual value '" +
                               max_time.ValueToJson() + "'");
    }
    if (v > 2147483647.0) {
      return Status(ErrorCode::kBadValue, "maxTimeMS value must be less than 2147483648");
    }
  }
  // Transactions are not implemented: answer as a real standalone mongod does rather than run
  // the statements without transactional guarantees.
  if (body.HasField("txnNumber")) {
    return Status(ErrorCode::kIllegalOperation,
                  "Transaction numbers are only allowed on a replica set member or mongos");
  }

  CountOp(service.counters, name, body);
  ctx.lsid = SessionId(body);
  ScopedOperation op(client, entry->name, OperationNamespace(db, body), body, ctx.lsid);
  std::optional<WriteConcern> ddl_write_concern;
  if (IsDdlCommand(name)) {
    DDS_ASSIGN_OR_RETURN(ddl_write_concern, ParseWriteConcernFromCommand(body));
  }
  std::optional<FailCommandAction> fail;
  if (name != "configureFailPoint") fail = CheckFailCommand(name, client.app_name);
  if (fail) {
    if (fail->block_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(fail->block_ms));
    if (fail->close_connection) {
      client.close_connection = true;
      return Status(ErrorCode::kHostUnreachable, "connection closed by the failCommand fail point");
    }
    if (!fail->error.ok()) return fail->error;
  }
  try {
    auto handler_start = std::chrono::steady_clock::now();
    StatusWith<bson::BsonDocument> result = entry->handler(ctx, body);
    // Per-collection latencies for $collStats latencyStats (mongod's Top); a dropped
    // collection's stats are gone with it.
    if (std::optional<LatencyKind> kind =
            LatencyKindOf(entry->name, (entry->flags & kCollectionLevel) != 0);
        kind && entry->name != "drop") {
      std::string ns = LatencyNamespace(db, body);
      if (!ns.empty()) {
        RecordLatency(ns, *kind,
                      std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - handler_start)
                          .count());
      }
    }
    if (op.End()) return Status(ErrorCode::kInterrupted, "operation was interrupted");
    if (!result.ok()) return result;
    const bson::BsonDocument* wce = nullptr;
    if (ddl_write_concern) {
      // j/fsync: the catalog change must reach stable storage before the reply.
      if (ddl_write_concern->durable) DDS_RETURN_IF_ERROR(service.engine->SyncWal());
      if (ddl_write_concern->write_concern_error) wce = &*ddl_write_concern->write_concern_error;
    }
    if (fail && fail->write_concern_error) wce = &*fail->write_concern_error;
    if (wce != nullptr) {
      bson::BsonBuilder b;
      for (const BsonElement& e : result.value()) {
        if (e.field_name() != "writeConcernError") b.AppendElement(e);
      }
      b.AppendDocument("writeConcernError", wce->view());
      return b.Done();
    }
    return result;
  } catch (const DbException& e) {
    return e.status();
  } catch (const std::exception& e) {
    DDS_LOG_ERROR("COMMAND", 23072, "Exception while running command",
                  {{"command", std::string(name)}, {"error", e.what()}});
    return Status(ErrorCode::kInternalError,
                  "an internal error occurred while running " + std::string(name));
  } catch (...) {
    DDS_LOG_ERROR("COMMAND", 23072, "Unknown exception while running command",
                  {{"command", std::string(name)}});
    return Status(ErrorCode::kInternalError,
                  "an internal error occurred while running " + std::string(name));
  }
}

void LogSlowOperation(const ClientState& client, const std::string& db, const bson::BsonView& body,
                      const Status& status, int64_t duration_ms, size_t reply_len,
                      const RequestInfo& info) {
  std::string command_json = body.ToJson();
  if (command_json.size() > kMaxLoggedCommandChars) {
    command_json = JsonQuote(command_json.substr(0, kMaxLoggedCommandChars) + "...");
  }
  std::string ns = body.empty() ? db + ".$cmd" : OperationNamespace(db, body);
  if (status.ok()) {
    DDS_LOG_INFO("COMMAND", 51803, "Slow query",
                 {{"type", "command"},
                  {"ns", ns},
                  {"appName", client.app_name},
                  LogAttr::Json("command", command_json),
                  {"ok", 1},
                  {"reslen", static_cast<int64_t>(reply_len)},
                  {"protocol", info.legacy_op_query ? "op_query" : "op_msg"},
                  {"durationMillis", duration_ms}});
  } else {
    DDS_LOG_INFO("COMMAND", 51803, "Slow query",
                 {{"type", "command"},
                  {"ns", ns},
                  {"appName", client.app_name},
                  LogAttr::Json("command", command_json),
                  {"ok", 0},
                  {"errMsg", status.reason()},
                  {"errName", status.code_name()},
                  {"errCode", status.code()},
                  {"reslen", static_cast<int64_t>(reply_len)},
                  {"protocol", info.legacy_op_query ? "op_query" : "op_msg"},
                  {"durationMillis", duration_ms}});
  }
}

}  // namespace

bson::BsonDocument ErrorReply(const Status& status) {
  bson::BsonBuilder b;
  b.AppendDouble("ok", 0.0);
  b.AppendString("errmsg", status.reason());
  b.AppendInt32("code", status.code());
  b.AppendString("codeName", status.code_name());
  const std::string& extra = status.extra_bson();
  if (!extra.empty()) {
    bson::BsonView extra_view(extra.data());
    for (const BsonElement& e : extra_view) {
      std::string_view n = e.field_name();
      if (n == "ok" || n == "errmsg" || n == "code" || n == "codeName") continue;
      b.AppendElement(e);
    }
  }
  return b.Done();
}

bson::BsonDocument RunCommand(ServiceContext& service, ClientState& client,
                              const bson::BsonView& body, const RequestInfo& info) {
  // The index layer evaluates partial filters through the query layer's hook; referencing it
  // here also keeps the planner linked into every binary that runs commands.
  static const bool hooks_installed = (query::InstallIndexHooks(), true);
  (void)hooks_installed;
  auto start = std::chrono::steady_clock::now();
  std::string db;
  StatusWith<bson::BsonDocument> result = Status(ErrorCode::kInternalError, "not run");
  try {
    result = Execute(service, client, body, info, &db);
  } catch (const std::exception& e) {
    // Handlers are covered inside Execute; this guards the checks around them (bad_alloc...).
    DDS_LOG_ERROR("COMMAND", 23072, "Exception while dispatching command", {{"error", e.what()}});
    result = Status(ErrorCode::kInternalError, "an internal error occurred");
  }

  bson::BsonDocument reply;
  if (result.ok()) {
    bson::BsonBuilder b(static_cast<size_t>(result.value().size()) + 16);
    b.AppendElements(result.value().view());
    b.AppendDouble("ok", 1.0);
    reply = b.Done();
  } else {
    reply = ErrorReply(result.status());
  }

  int64_t duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - start)
                            .count();
  if (duration_ms > OperationRegistry::slow_ms()) {
    std::string_view name = body.empty() ? std::string_view() : body.FirstElement().field_name();
    // Streaming/awaitable commands wait on purpose; mongod does not report them either.
    if (name != "hello" && name != "isMaster" && name != "ismaster") {
      LogSlowOperation(client, db, body, result.status(), duration_ms,
                       static_cast<size_t>(reply.size()), info);
    }
  }
  return reply;
}

}  // namespace dds::commands
