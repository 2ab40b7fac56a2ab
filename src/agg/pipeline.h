// Pipeline: a parsed aggregation pipeline (compat §5.1) and its pull-based execution. Parse
// validates every stage through the stage table (agg/stage_table.cpp); Bind turns the parsed
// stages into a chain of DocumentSource pulling from `input`. A Pipeline is immutable and may be
// bound many times; each bound chain is single-threaded. Stages may throw DbException.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bson/document.h"
#include "common/status.h"

namespace dds::agg {

// A pull-based stage; may throw DbException.
class DocumentSource {
 public:
  virtual ~DocumentSource() = default;
  // Returns the next document, or nullopt at the end.
  virtual std::optional<bson::BsonDocument> GetNext() = 0;
};

// Read access to other collections of the same database, for $lookup and $unionWith. The
// commands layer installs it; it must stay usable for as long as a bound pipeline lives (cursors
// keep pipelines across getMore). When absent, those stages answer NotImplemented.
class ForeignCollections {
 public:
  virtual ~ForeignCollections() = default;
  // Returns every document of collection `coll` in the pipeline's database; an empty source when
  // the collection does not exist. May throw DbException.
  virtual std::unique_ptr<DocumentSource> Scan(const std::string& coll) = 0;
  // Returns the documents of `coll` matching the find filter `filter` when an index of `coll`
  // serves it (as the planner would run that find); nullptr when none does, or the collection is
  // missing: the caller scans instead. May throw DbException.
  virtual std::unique_ptr<DocumentSource> FindIndexed(const std::string& coll,
                                                      const bson::BsonView& filter) {
    return nullptr;
  }
};

struct ExpressionContext {
  // `let` variables of the command.
  bson::BsonView let_vars;
  // Other collections for $lookup / $unionWith. Default: none.
  std::shared_ptr<ForeignCollections> foreign;
};

class StageSpec;

class Pipeline {
 public:
  Pipeline();
  ~Pipeline();
  Pipeline(Pipeline&&) noexcept;
  Pipeline& operator=(Pipeline&&) noexcept;
  Pipeline(const Pipeline&);
  Pipeline& operator=(const Pipeline&);

  static StatusWith<Pipeline> Parse(const bson::BsonView& stages /* the pipeline array */,
                                    const ExpressionContext& ctx);
  // If the first stage is $match, returns its filter so the caller can push it into the scan
  // (the stage is then skipped by Bind(..., skip_leading_match=true)).
  std::optional<bson::BsonDocument> LeadingMatch() const;
  // If the pipeline starts with $sort, or $match then $sort, returns that sort's specification so
  // the caller can have the query executor sort (through an index when one provides the order,
  // else a blocking sort that spills to disk); Bind(..., skip_leading_sort=true) then skips it.
  std::optional<bson::BsonDocument> LeadingSort() const;
  std::unique_ptr<DocumentSource> Bind(std::unique_ptr<DocumentSource> input,
                                       bool skip_leading_match = false,
                                       bool skip_leading_sort = false) const;
  size_t num_stages() const { return stages_.size(); }
  // The stage names in order (for explain).
  std::vector<std::string> StageNames() const;

 private:
  std::vector<std::shared_ptr<const StageSpec>> stages_;
  std::shared_ptr<const bson::BsonDocument> let_vars_;
};

// A DocumentSource over a vector of documents (tests, $documents, sub-pipelines).
std::unique_ptr<DocumentSource> MakeVectorSource(std::vector<bson::BsonDocument> docs);

}  // namespace dds::agg
