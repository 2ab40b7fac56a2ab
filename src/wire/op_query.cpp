#include "wire/op_query.h"

#include <array>

#include "bson/bson_types.h"
#include "bson/builder.h"
#include "bson/validate.h"
#include "wire/message.h"

namespace dds::wire {
namespace {

constexpr std::array<std::string_view, 7> kOpQueryCommands = {
    "hello", "isMaster", "ismaster", "saslStart", "saslContinue", "authenticate", "getnonce"};

constexpr std::string_view kRemovalHelp =
    "The client driver may require an upgrade. For more details see "
    "https://dochub.mongodb.org/core/legacy-opcode-removal";

StatusWith<bson::BsonDocument> ReadDocument(Reader* r) {
  size_t size = 0;
  DDS_RETURN_IF_ERROR(
      bson::ValidateBson(r->pos(), r->remaining(), bson::kMaxBsonDepth + 50, &size));
  if (size > static_cast<size_t>(bson::kMaxBsonInternalSize)) {
    return Status(ErrorCode::kBSONObjectTooLarge,
                  "BSONObj size: " + std::to_string(size) + " is invalid");
  }
  bson::BsonDocument doc(bson::BsonView(r->pos()));
  r->Skip(size);
  return doc;
}

}  // namespace

StatusWith<OpQueryRequest> ParseOpQuery(const char* message, size_t size) {
  Reader r(message + kHeaderSize, size - kHeaderSize);
  OpQueryRequest q;
  std::string_view ns;
  if (!r.Read(&q.flags) || !r.ReadCString(&ns) || !r.Read(&q.number_to_skip) ||
      !r.Read(&q.number_to_return)) {
    return Status(ErrorCode::kProtocolError, "OP_QUERY message is truncated");
  }
  q.full_collection_name = std::string(ns);
  DDS_ASSIGN_OR_RETURN(q.query, ReadDocument(&r));
  if (!r.at_end()) {
    DDS_ASSIGN_OR_RETURN(bson::BsonDocument selector, ReadDocument(&r));
    q.return_fields_selector = std::move(selector);
    if (!r.at_end()) {
      return Status(ErrorCode::kProtocolError, "OP_QUERY message has trailing bytes");
    }
  }
  return q;
}

bool IsOpQueryCommandAllowed(std::string_view command_name) {
  for (std::string_view c : kOpQueryCommands) {
    if (c == command_name) return true;
  }
  return false;
}

StatusWith<bson::BsonDocument> OpQueryToCommand(const OpQueryRequest& query) {
  const std::string& ns = query.full_collection_name;
  const size_t dot = ns.find('.');
  if (dot == std::string::npos || std::string_view(ns).substr(dot + 1) != "$cmd") {
    return Status(kOpQueryRemovedCode,
                  "OP_QUERY is no longer supported. " + std::string(kRemovalHelp));
  }
  const std::string db = ns.substr(0, dot);
  if (db.empty()) return Status(ErrorCode::kInvalidNamespace, "Invalid database name: ''");

  bson::BsonView cmd = query.query.view();
  bson::BsonElement read_preference;
  // Old mongos-style senders wrap the command: {$query: {...}, $readPreference: {...}}.
  const bson::BsonElement first = cmd.FirstElement();
  if ((first.field_name() == "$query" || first.field_name() == "query") &&
      first.type() == bson::BsonType::kObject) {
    read_preference = cmd["$readPreference"];
    cmd = first.Object();
  }

  const std::string_view name = cmd.FirstElement().field_name();
  if (!IsOpQueryCommandAllowed(name)) {
    return Status(
        ErrorCode::kUnsupportedOpQueryCommand,
        "Unsupported OP_QUERY command: " + std::string(name) + ". " + std::string(kRemovalHelp));
  }
  if (query.number_to_return != 1 && query.number_to_return != -1) {
    return Status(16979, "Bad numberToReturn (" + std::to_string(query.number_to_return) +
                             ") for $cmd type ns - can only be 1 or -1");
  }
  if (cmd.HasField("$db")) {
    return Status(40621, "$db is not allowed in OP_QUERY requests");
  }
  bson::BsonBuilder b(static_cast<size_t>(cmd.size()) + db.size() + 16);
  b.AppendElements(cmd);
  if (!read_preference.eoo() && !cmd.HasField("$readPreference")) {
    b.AppendElement(read_preference);
  }
  b.AppendString("$db", db);
  return b.Done();
}

std::string EncodeOpReply(const bson::BsonView& doc, int32_t response_to, int32_t flags) {
  std::string out;
  const size_t len = kHeaderSize + 4 + 8 + 4 + 4 + static_cast<size_t>(doc.size());
  out.reserve(len);
  AppendHeader(&out, MessageHeader{static_cast<int32_t>(len), NextRequestId(), response_to,
                                   static_cast<int32_t>(OpCode::kReply)});
  AppendLE<int32_t>(&out, flags);
  AppendLE<int64_t>(&out, 0);  // cursorID
  AppendLE<int32_t>(&out, 0);  // startingFrom
  AppendLE<int32_t>(&out, 1);  // numberReturned
  out.append(doc.data(), static_cast<size_t>(doc.size()));
  return out;
}

std::string EncodeQueryFailure(const Status& status, int32_t response_to) {
  bson::BsonBuilder b;
  b.AppendString("$err", status.reason());
  b.AppendInt32("code", status.code());
  b.AppendDouble("ok", 0.0);
  bson::BsonDocument doc = b.Done();
  return EncodeOpReply(doc.view(), response_to, kReplyQueryFailure);
}

}  // namespace dds::wire
