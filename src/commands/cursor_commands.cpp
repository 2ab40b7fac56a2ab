// getMore and killCursors (compat §2.2, §2.6): thin parsers over the CursorManager.
#include <string>

#include "bson/bson.h"
#include "commands/command_handlers.h"
#include "commands/cursor_manager.h"
#include "commands/namespace_util.h"
#include "commands/request_parser.h"

namespace dds::commands {

StatusWith<bson::BsonDocument> RunGetMore(CommandContext& ctx, const bson::BsonView& cmd) {
  FieldParser p("getMore", cmd);
  int64_t cursor_id = 0;
  DDS_RETURN_IF_ERROR(p.ReadStrictInt64("getMore", &cursor_id, Presence::kRequired));
  std::string collection;
  DDS_RETURN_IF_ERROR(p.ReadString("collection", &collection, Presence::kRequired));
  std::optional<int64_t> batch_size;
  DDS_RETURN_IF_ERROR(p.ReadNonNegativeInt64("batchSize", &batch_size));
  std::optional<int64_t> max_time_ms;
  DDS_RETURN_IF_ERROR(p.ReadNonNegativeInt64("maxTimeMS", &max_time_ms));
  p.Ignore("term");
  p.Ignore("lastKnownCommittedOpTime");
  p.Ignore("includeQueryStatsMetrics");
  DDS_RETURN_IF_ERROR(p.Finish());
  if (collection.empty() || !ValidateCollectionName(ctx.db, collection).ok()) {
    return Status(ErrorCode::kInvalidNamespace,
                  "Invalid namespace specified '" + MakeNamespace(ctx.db, collection) + "'");
  }
  if (ctx.service.cursors == nullptr) {
    return Status(ErrorCode::kCursorNotFound,
                  "cursor id " + std::to_string(cursor_id) + " not found");
  }
  return ctx.cursors().GetMore(ctx, cursor_id, collection, batch_size);
}

StatusWith<bson::BsonDocument> RunKillCursors(CommandContext& ctx, const bson::BsonView& cmd) {
  bson::BsonElement first = cmd.FirstElement();
  if (first.type() != bson::BsonType::kString) {
    return Status(ErrorCode::kInvalidNamespace,
                  "collection name has invalid type " + std::string(bson::TypeAlias(first.type())));
  }
  std::string collection(first.String());
  if (collection.empty() || !ValidateCollectionName(ctx.db, collection).ok()) {
    return Status(ErrorCode::kInvalidNamespace,
                  "Invalid namespace specified '" + MakeNamespace(ctx.db, collection) + "'");
  }
  FieldParser p("killCursors", cmd);
  bson::BsonView cursors;
  DDS_RETURN_IF_ERROR(p.ReadArray("cursors", &cursors, Presence::kRequired));
  DDS_RETURN_IF_ERROR(p.Finish());

  std::string ns = MakeNamespace(ctx.db, collection);
  std::vector<int64_t> killed, not_found;
  for (const bson::BsonElement& e : cursors) {
    if (e.type() != bson::BsonType::kInt64) {
      return WrongTypeError("killCursors.cursors", e, "long");
    }
    int64_t id = e.Int64();
    bool ok = ctx.service.cursors != nullptr && ctx.cursors().Kill(id, ns);
    (ok ? killed : not_found).push_back(id);
  }
  auto append_ids = [](bson::BsonBuilder& b, std::string_view name,
                       const std::vector<int64_t>& ids) {
    b.StartArray(name);
    for (size_t i = 0; i < ids.size(); ++i) b.AppendInt64(bson::IndexName(i), ids[i]);
    b.End();
  };
  bson::BsonBuilder b;
  append_ids(b, "cursorsKilled", killed);
  append_ids(b, "cursorsNotFound", not_found);
  append_ids(b, "cursorsAlive", {});
  append_ids(b, "cursorsUnknown", {});
  return b.Done();
}

}  // namespace dds::commands
