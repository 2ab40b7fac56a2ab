// StageSpec: one parsed pipeline stage, and the stage table (agg/stage_table.cpp) that maps a
// stage name to its parse function. A StageSpec is immutable; Bind creates the per-execution
// DocumentSource that pulls from the previous stage.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "agg/expression.h"
#include "agg/pipeline.h"

namespace dds::agg {

class StageSpec {
 public:
  virtual ~StageSpec() = default;
  virtual std::string_view name() const = 0;
  virtual std::unique_ptr<DocumentSource> Bind(std::unique_ptr<DocumentSource> input) const = 0;
  // For $match: the filter document; empty otherwise.
  virtual const bson::BsonDocument* match_filter() const { return nullptr; }
  // For $sort: its specification (so a leading $sort can be answered by the scan or an index).
  virtual const bson::BsonDocument* sort_spec() const { return nullptr; }
};

using StagePtr = std::shared_ptr<const StageSpec>;

// What a stage parse function receives.
struct StageParseContext {
  const ExpressionContext& expr_ctx;
  // `let` variables as a document (owned by the pipeline).
  bson::BsonView let_vars;
  // Nesting depth of sub-pipelines ($facet).
  int depth = 0;
};

using StageParser = StatusWith<StagePtr> (*)(const bson::BsonElement& spec, const StageParseContext& ctx);

enum StageFlags : uint32_t {
  kStageNone = 0,
  kStageAllowedInUpdate = 1 << 0,  // pipeline-style updates
  kStageAllowedInFacet = 1 << 1,
  // Only valid as the first stage of a pipeline (40602 elsewhere), as mongod's
  // PositionRequirement::kFirst.
  kStageFirstOnly = 1 << 2,
};

struct StageEntry {
  std::string_view name;
  StageParser parse;
  uint32_t flags;
};

const StageEntry* FindStage(std::string_view name);
std::span<const StageEntry> AllStages();

// Parses a pipeline array into stages (40323 / 40324 errors). `allowed_flag` = 0 allows every stage.
StatusWith<std::vector<StagePtr>> ParseStages(const bson::BsonView& stages, const StageParseContext& ctx,
                                              uint32_t required_flag = 0);

}  // namespace dds::agg
