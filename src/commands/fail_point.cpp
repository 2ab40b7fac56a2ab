#include "commands/fail_point.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <vector>

#include "bson/bson.h"
#include "commands/command_handlers.h"
#include "commands/request_parser.h"

namespace dds::commands {

namespace {

using bson::BsonElement;
using bson::BsonType;

struct FailCommandConfig {
  enum class Mode { kOff, kAlwaysOn, kTimes, kSkip };
  Mode mode = Mode::kOff;
  int64_t remaining = 0;  // kTimes: activations left; kSkip: matches to let through first
  std::vector<std::string> commands;
  std::string app_name;
  std::optional<int32_t> error_code;
  bson::BsonDocument error_labels;  // {errorLabels: [...]} or empty
  std::optional<bson::BsonDocument> write_concern_error;
  int64_t block_ms = 0;
  bool close_connection = false;
};

std::mutex g_mu;
FailCommandConfig g_fail_command;
// Quick check without the lock for the common case (no fail point).
std::atomic<bool> g_active{false};
int64_t g_times_entered = 0;

Status ParseMode(const BsonElement& mode, FailCommandConfig* config) {
  if (mode.type() == BsonType::kString) {
    if (mode.String() == "off") {
      config->mode = FailCommandConfig::Mode::kOff;
      return Status::OK();
    }
    if (mode.String() == "alwaysOn") {
      config->mode = FailCommandConfig::Mode::kAlwaysOn;
      return Status::OK();
    }
    return Status(ErrorCode::kBadValue, "unknown mode: " + std::string(mode.String()));
  }
  if (mode.type() == BsonType::kObject) {
    BsonElement times = mode.Object().Get("times");
    BsonElement skip = mode.Object().Get("skip");
    if (times.IsNumber()) {
      config->mode = FailCommandConfig::Mode::kTimes;
      config->remaining = SafeInt64(times);
      if (config->remaining <= 0) config->mode = FailCommandConfig::Mode::kOff;
      return Status::OK();
    }
    if (skip.IsNumber()) {
      config->mode = FailCommandConfig::Mode::kSkip;
      config->remaining = SafeInt64(skip);
      return Status::OK();
    }
    if (mode.Object().HasField("activationProbability")) {
      return Status(ErrorCode::kNotImplemented,
                    "fail point mode activationProbability is not supported");
    }
    return Status(ErrorCode::kBadValue, "invalid mode object " + mode.Object().ToShellString());
  }
  return Status(ErrorCode::kTypeMismatch, "'mode' must be a string or JSON object");
}

Status ParseData(const bson::BsonView& data, FailCommandConfig* config) {
  for (const BsonElement& e : data) {
    std::string_view name = e.field_name();
    if (name == "failCommands") {
      if (e.type() != BsonType::kArray) return WrongTypeError("failCommands", e, "array");
      for (const BsonElement& c : e.Array()) {
        if (c.type() != BsonType::kString) return WrongTypeError("failCommands", c, "string");
        config->commands.emplace_back(c.String());
      }
    } else if (name == "errorCode") {
      if (!e.IsNumber()) return WrongTypeError("errorCode", e, "int");
      config->error_code = static_cast<int32_t>(SafeInt64(e));
    } else if (name == "errorLabels") {
      if (e.type() != BsonType::kArray) return WrongTypeError("errorLabels", e, "array");
      bson::BsonBuilder b;
      b.AppendArray("errorLabels", e.Array());
      config->error_labels = b.Done();
    } else if (name == "writeConcernError") {
      if (e.type() != BsonType::kObject) return WrongTypeError("writeConcernError", e, "object");
      config->write_concern_error = bson::BsonDocument(e.Object());
    } else if (name == "appName") {
      if (e.type() != BsonType::kString) return WrongTypeError("appName", e, "string");
      config->app_name = std::string(e.String());
    } else if (name == "blockConnection") {
      if (!e.TrueValue()) continue;
      BsonElement t = data.Get("blockTimeMS");
      if (!t.IsNumber()) {
        return Status(ErrorCode::kBadValue, "'blockTimeMS' must be set with 'blockConnection'");
      }
      config->block_ms = SafeInt64(t);
    } else if (name == "blockTimeMS" || name == "failInternalCommands" || name == "namespace") {
      // Read with blockConnection / not applicable to client commands.
    } else if (name == "closeConnection") {
      config->close_connection = e.TrueValue();
    } else {
      return Status(ErrorCode::kNotImplemented,
                    "failCommand option '" + std::string(name) + "' is not supported");
    }
  }
  if (config->mode != FailCommandConfig::Mode::kOff && config->commands.empty()) {
    return Status(ErrorCode::kBadValue, "'failCommands' must be set and non-empty");
  }
  return Status::OK();
}

}  // namespace

bool TestCommandsEnabled(const ServiceContext& service) {
  BsonElement params = service.settings.parsed_options.view().Get("setParameter");
  if (params.type() != BsonType::kObject) return false;
  BsonElement e = params.Object().Get("enableTestCommands");
  if (e.type() == BsonType::kString) return e.String() == "1" || e.String() == "true";
  return e.TrueValue();
}

std::optional<FailCommandAction> CheckFailCommand(std::string_view command_name,
                                                  std::string_view app_name) {
  if (!g_active.load(std::memory_order_acquire)) return std::nullopt;
  std::lock_guard<std::mutex> lock(g_mu);
  FailCommandConfig& c = g_fail_command;
  if (c.mode == FailCommandConfig::Mode::kOff) return std::nullopt;
  if (std::find(c.commands.begin(), c.commands.end(), command_name) == c.commands.end()) {
    return std::nullopt;
  }
  if (!c.app_name.empty() && c.app_name != app_name) return std::nullopt;
  if (c.mode == FailCommandConfig::Mode::kSkip) {
    if (c.remaining > 0) {
      --c.remaining;
      return std::nullopt;
    }
  } else if (c.mode == FailCommandConfig::Mode::kTimes) {
    if (--c.remaining <= 0) {
      c.mode = FailCommandConfig::Mode::kOff;
      g_active.store(false, std::memory_order_release);
    }
  }
  ++g_times_entered;
  FailCommandAction action;
  action.block_ms = c.block_ms;
  action.close_connection = c.close_connection;
  if (c.error_code) {
    action.error = Status(*c.error_code, "Failing command via 'failCommand' failpoint",
                          c.error_labels.empty() ? std::string() : c.error_labels.bytes());
  }
  action.write_concern_error = c.write_concern_error;
  return action;
}

StatusWith<bson::BsonDocument> RunConfigureFailPoint(CommandContext& ctx,
                                                     const bson::BsonView& cmd) {
  if (!TestCommandsEnabled(ctx.service)) {
    return Status(ErrorCode::kCommandNotFound, "no such command: 'configureFailPoint'");
  }
  BsonElement name = cmd.FirstElement();
  if (name.type() != BsonType::kString) {
    return WrongTypeError("configureFailPoint.configureFailPoint", name, "string");
  }
  if (name.String() != "failCommand") {
    return Status(ErrorCode::kBadValue,
                  "Cannot find failpoint: " + std::string(name.String()) +
                      " (DDS supports only failCommand)");
  }
  FieldParser p("configureFailPoint", cmd);
  bson::BsonElement mode;
  DDS_RETURN_IF_ERROR(p.ReadAnyOf("mode", {BsonType::kString, BsonType::kObject}, &mode,
                                  Presence::kRequired));
  bson::BsonView data;
  DDS_RETURN_IF_ERROR(p.ReadObject("data", &data));
  DDS_RETURN_IF_ERROR(p.Finish());
  FailCommandConfig config;
  DDS_RETURN_IF_ERROR(ParseMode(mode, &config));
  DDS_RETURN_IF_ERROR(ParseData(data, &config));
  int64_t count;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    count = g_times_entered;
    g_times_entered = 0;
    g_fail_command = std::move(config);
    g_active.store(g_fail_command.mode != FailCommandConfig::Mode::kOff,
                   std::memory_order_release);
  }
  bson::BsonBuilder b;
  b.AppendInt64("count", count);
  return b.Done();
}

}  // namespace dds::commands
