// Logical session commands (compat §1.10, §2.3): startSession, endSessions, refreshSessions,
// killSessions, killAllSessions, killAllSessionsByPattern. Sessions are implicit on a standalone:
// the commands validate their arguments and answer as mongod does.
#include <random>
#include <string>
#include <vector>

#include "bson/bson.h"
#include "commands/command_handlers.h"
#include "commands/cursor_manager.h"
#include "commands/request_parser.h"

namespace dds::commands {

namespace {

// Returns 16 random bytes shaped as a version-4 UUID.
std::string RandomUuid() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::string bytes(16, '\0');
  for (int i = 0; i < 2; ++i) {
    uint64_t v = rng();
    for (int j = 0; j < 8; ++j) bytes[i * 8 + j] = static_cast<char>(v >> (j * 8));
  }
  bytes[6] = static_cast<char>((bytes[6] & 0x0f) | 0x40);
  bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);
  return bytes;
}

}  // namespace

StatusWith<bson::BsonDocument> RunStartSession(CommandContext& ctx, const bson::BsonView& cmd) {
  bson::BsonBuilder b;
  b.StartDocument("id");
  b.AppendBinary("id", static_cast<uint8_t>(bson::BinarySubtype::kUuid), RandomUuid());
  b.End();
  b.AppendInt32("timeoutMinutes", 30);
  return b.Done();
}

namespace {

// Checks that the command's argument is an array of documents; returns it.
StatusWith<bson::BsonView> SessionList(const CommandContext& ctx, const bson::BsonView& cmd) {
  std::string name(ctx.command_name);
  bson::BsonElement arg = cmd.FirstElement();
  if (arg.type() != bson::BsonType::kArray) {
    return WrongTypeError(name + "." + name, arg, "array");
  }
  for (const bson::BsonElement& e : arg.Array()) {
    if (e.type() != bson::BsonType::kObject) {
      return WrongTypeError(name + "." + name, e, "object");
    }
  }
  return arg.Array();
}

// Returns the raw UUID of {id: UUID}, or "".
std::string LsidBytes(const bson::BsonView& lsid) {
  bson::BsonElement id = lsid.Get("id");
  if (id.type() != bson::BsonType::kBinData) return std::string();
  return std::string(id.BinData());
}

}  // namespace

StatusWith<bson::BsonDocument> RunEndSessions(CommandContext& ctx, const bson::BsonView& cmd) {
  // Sessions are implicit; their cursors time out like any other (mongod reaps them later too).
  DDS_RETURN_IF_ERROR(SessionList(ctx, cmd));
  return bson::BsonDocument();
}

StatusWith<bson::BsonDocument> RunKillSessions(CommandContext& ctx, const bson::BsonView& cmd) {
  DDS_ASSIGN_OR_RETURN(bson::BsonView list, SessionList(ctx, cmd));
  std::vector<std::string> lsids;
  for (const bson::BsonElement& e : list) {
    std::string id = LsidBytes(e.Object());
    if (!id.empty()) lsids.push_back(std::move(id));
  }
  if (ctx.service.cursors != nullptr && !lsids.empty()) ctx.cursors().KillForSessions(lsids);
  return bson::BsonDocument();
}

StatusWith<bson::BsonDocument> RunKillAllSessions(CommandContext& ctx, const bson::BsonView& cmd) {
  DDS_ASSIGN_OR_RETURN(bson::BsonView list, SessionList(ctx, cmd));
  // Without authentication no session has a user, so only user-less patterns match anything:
  // an empty list (everything), an empty pattern, or {lsid: {id}}.
  bool all = list.empty();
  std::vector<std::string> lsids;
  for (const bson::BsonElement& e : list) {
    bson::BsonView pattern = e.Object();
    if (pattern.empty()) all = true;
    bson::BsonElement lsid = pattern.Get("lsid");
    if (lsid.type() == bson::BsonType::kObject) {
      std::string id = LsidBytes(lsid.Object());
      if (!id.empty()) lsids.push_back(std::move(id));
    }
  }
  if (ctx.service.cursors != nullptr) {
    if (all) {
      ctx.cursors().KillAll();
    } else if (!lsids.empty()) {
      ctx.cursors().KillForSessions(lsids);
    }
  }
  return bson::BsonDocument();
}

}  // namespace dds::commands
