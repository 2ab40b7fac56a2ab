// The projection-operator table (STYLE §6): $elemMatch, $meta, $slice in find projections.
#include <algorithm>

#include "query/match_parser.h"
#include "query/projection_internal.h"

namespace dds::query {
namespace {

using bson::BsonElement;
using bson::BsonType;
using Kind = ProjectionNode::Child::Kind;

Status ParseSliceOperator(const ProjectionOperatorArgs& a) {
  const BsonElement& e = a.operand;
  if (e.IsNumber()) {
    std::optional<int64_t> n = e.ExactInt64();
    double d = e.NumberDouble();
    a.child->kind = Kind::kSlice;
    a.child->limit = n ? *n : static_cast<int64_t>(d);
    return Status::OK();
  }
  if (e.type() == BsonType::kArray) {
    BsonElement parts[2];
    int count = 0;
    for (const BsonElement& p : e.Array()) {
      if (count < 2) parts[count] = p;
      ++count;
    }
    if (count != 2) return Status(31272, "$slice array argument should be of form [skip, limit]");
    if (!parts[0].IsNumber()) {
      return Status(31257, "$slice expects the skip argument to be a number, got " +
                               std::string(bson::TypeAlias(parts[0].type())));
    }
    if (!parts[1].IsNumber()) {
      return Status(31258, "$slice expects the limit argument to be a number, got " +
                               std::string(bson::TypeAlias(parts[1].type())));
    }
    int64_t limit = static_cast<int64_t>(parts[1].NumberDouble());
    if (limit <= 0) return Status(31259, "$slice limit must be positive, got " + std::to_string(limit));
    a.child->kind = Kind::kSlice;
    a.child->has_skip = true;
    a.child->skip = static_cast<int64_t>(parts[0].NumberDouble());
    a.child->limit = limit;
    return Status::OK();
  }
  return Status(31273, "$slice only supports numbers and [skip, limit] arrays");
}

Status ParseElemMatchOperator(const ProjectionOperatorArgs& a) {
  if (a.operand.type() != BsonType::kObject) {
    return Status(ErrorCode::kBadValue, "elemMatch: Invalid argument, object required.");
  }
  if (a.full_path.find('.') != std::string_view::npos) {
    return Status(ErrorCode::kBadValue, "Cannot use $elemMatch projection on a nested field.");
  }
  // Parse {path: {$elemMatch: ...}} so the node checks array elements exactly as a filter does.
  bson::BsonBuilder b;
  b.StartDocument(a.full_path);
  b.AppendElement(a.operand);
  b.End();
  bson::BsonDocument filter = b.Done();
  DDS_ASSIGN_OR_RETURN(std::unique_ptr<MatchExpression> m, ParseMatchExpression(filter));
  a.child->kind = Kind::kElemMatch;
  a.child->matcher = std::shared_ptr<const MatchExpression>(std::move(m));
  return Status::OK();
}

Status ParseMetaOperator(const ProjectionOperatorArgs& a) {
  std::string what = a.operand.type() == BsonType::kString ? std::string(a.operand.String()) : "";
  return Status(ErrorCode::kBadValue,
                "$meta projection \"" + what + "\" is not supported (no text or search indexes)");
}

// Sorted by name; tests/unit/query/projection_test.cpp checks it.
constexpr ProjectionOperatorEntry kProjectionOperators[] = {
    {"$elemMatch", &ParseElemMatchOperator},
    {"$meta", &ParseMetaOperator},
    {"$slice", &ParseSliceOperator},
};

}  // namespace

const ProjectionOperatorEntry* FindProjectionOperator(std::string_view name) {
  auto it = std::lower_bound(std::begin(kProjectionOperators), std::end(kProjectionOperators), name,
                             [](const ProjectionOperatorEntry& e, std::string_view n) { return e.name < n; });
  if (it == std::end(kProjectionOperators) || it->name != name) return nullptr;
  return &*it;
}

std::span<const ProjectionOperatorEntry> AllProjectionOperators() { return kProjectionOperators; }

}  // namespace dds::query
