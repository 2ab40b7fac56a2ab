// Operation monitoring commands (compat §2.4): currentOp, killOp, profile.
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <string>

#include "bson/bson.h"
#include "commands/command_handlers.h"
#include "commands/operation_registry.h"
#include "commands/request_parser.h"
#include "query/match_parser.h"

namespace dds::commands {

namespace {

using bson::BsonBuilder;
using bson::BsonElement;
using bson::BsonType;

// "2026-11-28T08:18:02.332+00:00", mongod's currentOpTime format.
std::string IsoNow() {
  auto now = std::chrono::system_clock::now();
  int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm {};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+00:00", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

std::string HostAndPort(const CommandContext& ctx) {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) std::snprintf(buf, sizeof buf, "localhost");
  return std::string(buf) + ":" + std::to_string(ctx.service.settings.port);
}

bson::BsonDocument OperationDocument(const OperationSnapshot& op, const std::string& host,
                                     const std::string& now) {
  BsonBuilder b;
  b.AppendString("type", "op");
  b.AppendString("host", host);
  b.AppendString("desc", "conn" + std::to_string(op.connection_id));
  b.AppendInt32("connectionId", static_cast<int32_t>(op.connection_id));
  b.AppendString("client", op.client);
  if (!op.app_name.empty()) b.AppendString("appName", op.app_name);
  b.AppendBool("active", true);
  b.AppendString("currentOpTime", now);
  b.AppendInt32("opid", op.opid);
  if (!op.lsid.empty()) {
    b.StartDocument("lsid");
    b.AppendBinary("id", static_cast<uint8_t>(bson::BinarySubtype::kUuid), op.lsid);
    b.End();
  }
  b.AppendInt64("secs_running", op.micros_running / 1000000);
  b.AppendInt64("microsecs_running", op.micros_running);
  b.AppendString("op", op.op_type);
  b.AppendString("ns", op.ns);
  b.AppendDocument("command", op.command.view());
  b.AppendInt32("numYields", 0);
  if (op.progress) {
    // mongod's ProgressMeter line and counters ("Index Build: scanning collection: 35/1000 3%").
    const OperationControl::Progress& p = *op.progress;
    int64_t percent = p.total > 0 ? p.done * 100 / p.total : 0;
    b.AppendString("msg", p.message + ": " + std::to_string(p.done) + "/" +
                              std::to_string(p.total) + " " + std::to_string(percent) + "%");
    b.StartDocument("progress");
    b.AppendInt64("done", p.done);
    b.AppendInt64("total", p.total);
    b.End();
  }
  if (op.killed) b.AppendBool("killPending", true);
  b.StartDocument("locks").End();
  b.AppendBool("waitingForLock", false);
  b.StartDocument("lockStats").End();
  return b.Done();
}

}  // namespace

std::vector<bson::BsonDocument> CurrentOperationDocuments(const CommandContext& ctx) {
  std::string host = HostAndPort(ctx);
  std::string now = IsoNow();
  std::vector<bson::BsonDocument> docs;
  for (const OperationSnapshot& op : OperationRegistry::Global().Snapshot()) {
    docs.push_back(OperationDocument(op, host, now));
  }
  return docs;
}

StatusWith<bson::BsonDocument> RunCurrentOp(CommandContext& ctx, const bson::BsonView& cmd) {
  // Everything but the command's own options is a filter on the reported documents.
  BsonBuilder filter_builder;
  bool first = true;
  for (const BsonElement& e : cmd) {
    if (first) {
      first = false;
      continue;
    }
    std::string_view n = e.field_name();
    if (n == "$all" || n == "$ownOps" || n == "$truncateOps" || n == "$local" ||
        IsGenericArgument(n)) {
      continue;
    }
    filter_builder.AppendElement(e);
  }
  bson::BsonDocument filter_doc = filter_builder.Done();
  DDS_ASSIGN_OR_RETURN(std::unique_ptr<query::MatchExpression> filter,
                       query::ParseMatchExpression(filter_doc));
  BsonBuilder b;
  b.StartArray("inprog");
  size_t n = 0;
  for (const bson::BsonDocument& doc : CurrentOperationDocuments(ctx)) {
    if (!filter->Matches(doc)) continue;
    b.AppendDocument(bson::IndexName(n++), doc.view());
  }
  b.End();
  return b.Done();
}

StatusWith<bson::BsonDocument> RunKillOp(CommandContext& ctx, const bson::BsonView& cmd) {
  BsonElement op = cmd.Get("op");
  if (op.eoo()) return Status(ErrorCode::kNoSuchKey, "Missing expected field \"op\"");
  if (!op.IsNumber()) {
    return Status(ErrorCode::kTypeMismatch, "Did not provide a numeric value for killOp");
  }
  std::optional<int32_t> opid = op.ExactInt32();
  if (opid) OperationRegistry::Global().Kill(*opid);
  // mongod answers the same whether or not the operation exists.
  BsonBuilder b;
  b.AppendString("info", "attempting to kill op");
  return b.Done();
}

StatusWith<bson::BsonDocument> RunProfile(CommandContext& ctx, const bson::BsonView& cmd) {
  BsonElement level = cmd.FirstElement();
  if (!level.IsNumber()) {
    return WrongTypeError("profile.profile", level, "[long, int, decimal, double]");
  }
  FieldParser p("profile", cmd);
  std::optional<int64_t> slow_ms;
  DDS_RETURN_IF_ERROR(p.ReadInt64("slowms", &slow_ms));
  BsonElement sample_rate = p.Take("sampleRate");
  BsonElement filter = p.Take("filter");
  DDS_RETURN_IF_ERROR(p.Finish());
  int64_t lvl = SafeInt64(level);
  if (lvl < -1 || lvl > 2) {
    return Status(ErrorCode::kBadValue, "Invalid profiling level: " + std::to_string(lvl));
  }
  if (!sample_rate.eoo() && (!sample_rate.IsNumber() || sample_rate.NumberDouble() < 0 ||
                             sample_rate.NumberDouble() > 1)) {
    return Status(ErrorCode::kBadValue, "'sampleRate' must be between 0.0 and 1.0 inclusive");
  }
  if (lvl > 0) {
    return Status(ErrorCode::kNotImplemented,
                  "the database profiler (system.profile) is not supported yet; slow operations "
                  "are logged (slowms)");
  }
  if (!filter.eoo()) {
    return Status(ErrorCode::kNotImplemented, "profile filters are not supported yet");
  }
  BsonBuilder b;
  b.AppendInt32("was", 0);
  b.AppendInt32("slowms", static_cast<int32_t>(OperationRegistry::slow_ms()));
  b.AppendDouble("sampleRate", 1.0);
  // Level 0 with slowms changes only the slow-operation log threshold, as in mongod.
  if (slow_ms) OperationRegistry::set_slow_ms(*slow_ms);
  return b.Done();
}

}  // namespace dds::commands
