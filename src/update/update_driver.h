// UpdateDriver: a parsed update (`u` of an update statement, findAndModify `update`): operator
// document, replacement document, or pipeline (compat §4). Parse once, then Apply to each matched
// document, or BuildUpsertDocument when nothing matched. Immutable after Parse; safe to share.
// Apply never mutates its input; it returns a new document and whether anything changed.
#pragma once

#include <memory>
#include <string>

#include "bson/document.h"
#include "common/status.h"
#include "query/match_expression.h"

namespace dds::update {

struct UpdateOptions {
  // The `arrayFilters` array; empty if none.
  bson::BsonView array_filters;
  // Whether the statement is multi: true. Default: false.
  bool multi = false;
  // `let` variables for pipeline updates.
  bson::BsonView let_vars;
};

struct UpdateOutcome {
  bson::BsonDocument doc;
  bool modified = false;
};

class UpdatePlan;

class UpdateDriver {
 public:
  UpdateDriver();
  ~UpdateDriver();
  UpdateDriver(UpdateDriver&&) noexcept;
  UpdateDriver& operator=(UpdateDriver&&) noexcept;

  // `u` is an operator document, a replacement document, or a pipeline array.
  static StatusWith<UpdateDriver> Parse(const bson::BsonElement& u, const UpdateOptions& options);
  bool is_replacement() const;
  bool is_pipeline() const;
  // True when some path uses positional `$` (the caller must pass MatchDetails to Apply).
  bool needs_match_details() const;

  // Applies to an existing document; `_id` is immutable (66); result size <= 16 MiB (17419).
  StatusWith<UpdateOutcome> Apply(const bson::BsonView& doc,
                                  const query::MatchDetails* details = nullptr) const;
  // The document an upsert inserts: seeded from the query's equality predicates, then the update
  // applied with $setOnInsert active; `_id` first, generated ObjectId if absent; replacement
  // upserts keep the query's _id.
  StatusWith<bson::BsonDocument> BuildUpsertDocument(const bson::BsonView& query) const;

 private:
  std::shared_ptr<const UpdatePlan> plan_;
};

}  // namespace dds::update
