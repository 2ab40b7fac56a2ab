// The parsed form of a projection: a tree of path components, each child being an inclusion,
// exclusion, sub-projection, computed value or projection operator ($slice, $elemMatch,
// positional). Shared by projection.cpp and projection_operator_table.cpp.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "bson/bson.h"
#include "query/expression_hook.h"
#include "query/match_expression.h"

namespace dds::query {

struct ProjectionNode {
  struct Child {
    enum class Kind { kInclude, kExclude, kSub, kSlice, kElemMatch, kExpr, kPositional };
    std::string name;
    Kind kind = Kind::kInclude;
    std::shared_ptr<ProjectionNode> sub;
    int64_t skip = 0;
    int64_t limit = 0;
    bool has_skip = false;
    std::shared_ptr<const MatchExpression> matcher;
    std::shared_ptr<const CompiledExpression> expr;
  };
  std::vector<Child> children;

  const Child* Find(std::string_view name) const {
    for (const Child& c : children) {
      if (c.name == name) return &c;
    }
    return nullptr;
  }
  Child* Find(std::string_view name) {
    for (Child& c : children) {
      if (c.name == name) return &c;
    }
    return nullptr;
  }
};

// What a projection operator parse function receives and fills.
struct ProjectionOperatorArgs {
  std::string_view full_path;      // "a.b"
  bson::BsonElement operand;       // the "$slice": ... element
  bool for_aggregation;
  ProjectionNode::Child* child;    // kind and parameters to fill
};

using ProjectionOperatorParser = Status (*)(const ProjectionOperatorArgs& args);

struct ProjectionOperatorEntry {
  std::string_view name;
  ProjectionOperatorParser parse;
};

// Returns the entry for `name` (exact), or nullptr.
const ProjectionOperatorEntry* FindProjectionOperator(std::string_view name);
std::span<const ProjectionOperatorEntry> AllProjectionOperators();

}  // namespace dds::query
