#include "commands/write_concern.h"

#include <string>

#include "bson/bson.h"
#include "commands/request_parser.h"

namespace dds::commands {

namespace {

using bson::BsonElement;
using bson::BsonType;

// Builds {code, codeName, errmsg, errInfo: {writeConcern: <as given + provenance>}}.
bson::BsonDocument MakeWriteConcernError(ErrorCode code, std::string_view errmsg,
                                         const bson::BsonView& wc) {
  bson::BsonBuilder b;
  b.AppendInt32("code", ToInt(code));
  b.AppendString("codeName", ErrorCodeName(ToInt(code)));
  b.AppendString("errmsg", errmsg);
  b.StartDocument("errInfo");
  b.StartDocument("writeConcern");
  for (const BsonElement& e : wc) {
    if (e.field_name() != "provenance") b.AppendElement(e);
  }
  b.AppendString("provenance", "clientSupplied");
  b.End();
  b.End();
  return b.Done();
}

}  // namespace

StatusWith<WriteConcern> ParseWriteConcern(const BsonElement& element) {
  WriteConcern out;
  if (element.eoo() || element.type() == BsonType::kNull) return out;
  if (element.type() != BsonType::kObject) {
    return WrongTypeError("writeConcern", element, "object");
  }
  bson::BsonView wc = element.Object();
  bool j = false, fsync = false;
  for (const BsonElement& e : wc) {
    std::string_view name = e.field_name();
    if (name == "w") {
      if (e.IsNumber()) {
        int64_t w = SafeInt64(e);
        if (w < 0) return Status(ErrorCode::kFailedToParse, "w cannot be negative");
        if (w > 50) {
          return Status(ErrorCode::kFailedToParse, "w has to be a non-negative number and not greater than 50; found: " + std::to_string(w));
        }
        if (w == 0) out.unacknowledged = true;
        if (w > 1) {
          out.write_concern_error =
              MakeWriteConcernError(ErrorCode::kBadValue,
                                    "no replication has been enabled, so w=2+ won't work", wc);
        }
      } else if (e.type() == BsonType::kString) {
        std::string_view mode = e.String();
        if (mode != "majority" && !mode.empty()) {
          out.write_concern_error = MakeWriteConcernError(
              ErrorCode::kUnknownReplWriteConcern,
              "No write concern mode named '" + std::string(mode) +
                  "' found in replica set configuration",
              wc);
        }
      } else if (e.type() == BsonType::kObject) {
        // Tag-set counts ({w: {dc1: 1}}) need replica-set tags a standalone does not have.
        if (!e.Object().empty()) {
          out.write_concern_error = MakeWriteConcernError(
              ErrorCode::kUnknownReplWriteConcern,
              "No write concern mode named '" + e.Object().ToShellString() +
                  "' found in replica set configuration",
              wc);
        }
      } else {
        return Status(ErrorCode::kFailedToParse, "w has to be a number, string, or object");
      }
    } else if (name == "j" || name == "fsync") {
      if (e.type() != BsonType::kBool && !e.IsNumber() && !e.IsNullish()) {
        return WrongTypeError("writeConcern." + std::string(name), e,
                              "[bool, long, int, decimal, double]");
      }
      (name == "j" ? j : fsync) = e.TrueValue();
    } else if (name == "wtimeout" || name == "wtimeoutMS") {
      if (!e.IsNumber() && !e.IsNullish()) {
        return WrongTypeError("writeConcern." + std::string(name), e,
                              "[long, int, decimal, double]");
      }
    } else if (name == "provenance" || name == "getLastError" || name == "wOpTime" ||
               name == "wElectionId") {
      // Accepted and ignored, as mongod does.
    } else {
      return UnknownFieldError("writeConcern." + std::string(name));
    }
  }
  if (j && fsync) {
    return Status(ErrorCode::kFailedToParse, "fsync and j options cannot be used together");
  }
  out.durable = j || fsync;
  return out;
}

StatusWith<WriteConcern> ParseWriteConcernFromCommand(const bson::BsonView& cmd) {
  return ParseWriteConcern(cmd.Get("writeConcern"));
}

}  // namespace dds::commands
