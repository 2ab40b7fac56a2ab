// The write stages of aggregate, $out and $merge (compat §5.1, P2), run by the command layer:
// the agg layer parses and runs the rest of the pipeline, and the command drains its output into
// the target collection.
//
//   $out: writes into a temporary collection, then renames it over the target (atomic replace).
//   $merge: matches on `_id` (other `on` fields need a unique index: 51183), whenMatched
//     replace | keepExisting | merge | fail | [update pipeline with $$new], whenNotMatched
//     insert | discard | fail; writes in batches (not atomic, like mongod).
//
// Stateless functions; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "agg/pipeline.h"
#include "bson/bson.h"
#include "commands/command.h"
#include "common/status.h"

namespace dds::commands {

struct OutputStageSpec {
  enum class Kind { kOut, kMerge };
  enum class WhenMatched { kReplace, kKeepExisting, kMerge, kFail, kPipeline };
  enum class WhenNotMatched { kInsert, kDiscard, kFail };

  Kind kind = Kind::kOut;
  std::string db;
  std::string coll;
  WhenMatched when_matched = WhenMatched::kMerge;
  WhenNotMatched when_not_matched = WhenNotMatched::kInsert;
  // The whenMatched pipeline ({"": [...]}) and the $merge `let` (unevaluated), when given.
  std::optional<bson::BsonDocument> pipeline;
  std::optional<bson::BsonDocument> let_spec;
  // The command's bypassDocumentValidation: the target's validator is not applied.
  bool bypass_document_validation = false;
};

// Finds $out/$merge in `stages`: it must be the last stage (40601 otherwise). When present,
// *spec is set and *rest receives the pipeline without it.
Status ExtractOutputStage(const CommandContext& ctx, const bson::BsonView& stages,
                          std::optional<OutputStageSpec>* spec, bson::BsonDocument* rest);

// Drains `source` into the target collection. `source` may throw DbException.
Status WriteOutputStage(CommandContext& ctx, const OutputStageSpec& spec,
                        agg::DocumentSource* source);

}  // namespace dds::commands
