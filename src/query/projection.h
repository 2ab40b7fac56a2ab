// Projection: the find / findAndModify `projection` (compat §3.4): inclusion or exclusion of
// dotted paths, `_id` handling, and the operators $slice, $elemMatch, positional `arr.$` and
// aggregation expressions. Parsed once, applied to each document; immutable after Parse and
// safe to share between threads. Owns copies of everything it needs from the spec.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bson/document.h"
#include "common/status.h"
#include "query/match_expression.h"

namespace dds::query {

struct ProjectionNode;

class Projection {
 public:
  enum class Type { kInclusion, kExclusion };

  Projection();
  Projection(Projection&&) noexcept;
  Projection& operator=(Projection&&) noexcept;
  Projection(const Projection&);
  Projection& operator=(const Projection&);
  ~Projection();

  // `query` is the find filter (needed by positional "arr.$"); `let_vars` the command's `let`.
  static StatusWith<Projection> Parse(const bson::BsonView& spec,
                                      const bson::BsonView& query = bson::BsonView(),
                                      const bson::BsonView& let_vars = bson::BsonView());
  // The same rules as an aggregation $project stage (31324 for positional, 51272 for {}).
  static StatusWith<Projection> ParseForAggregation(const bson::BsonView& spec,
                                                    const bson::BsonView& let_vars = bson::BsonView());

  // Returns the projected document. `details` must carry the elem-match key when
  // requires_match_details().
  StatusWith<bson::BsonDocument> Apply(const bson::BsonView& doc,
                                       const MatchDetails* details = nullptr) const;
  bool is_identity() const;                // {} projection
  bool requires_match_details() const;     // positional
  Type type() const { return type_; }

 private:
  Type type_ = Type::kInclusion;
  bool identity_ = true;
  bool include_id_ = true;
  bool positional_ = false;
  std::shared_ptr<const ProjectionNode> root_;
  std::shared_ptr<const MatchExpression> positional_matcher_;
  std::string positional_path_;
  friend class ProjectionParser;
};

}  // namespace dds::query
