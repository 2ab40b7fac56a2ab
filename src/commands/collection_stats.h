// Collection statistics shared by the collStats command and the $collStats / $indexStats /
// $planCacheStats aggregation stages (compat §2.4, §5.1). The stages need the storage engine (and
// the plan cache), which the agg layer does not have: the aggregate command produces their
// documents here and runs the rest of the pipeline over them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bson/bson.h"
#include "commands/command.h"
#include "commands/request_parser.h"
#include "common/status.h"
#include "storage/catalog.h"

namespace dds::commands {

// Reads an optional `scale` (mongod's safeInt, >= 1: 51024 otherwise) into *scale.
Status ReadScale(FieldParser& p, int64_t* scale);

// Appends what collStats reports for `desc` after `ns`: size, count, avgObjSize, numOrphanDocs,
// storageSize, freeStorageSize, capped, nindexes, indexBuilds, totalIndexSize, totalSize,
// indexSizes, scaleFactor. Sizes are divided by `scale`.
void AppendStorageStats(storage::Engine& engine, const storage::CollectionDescriptor& desc,
                        int64_t scale, bson::BsonBuilder* b);

// The one document of a leading `$collStats: <spec>` over ctx.db.<coll>: {ns, host, localTime,
// latencyStats?, storageStats?, count?, queryExecStats?}. 5447000 when the spec is not an
// object, IDL errors (40415, 14, 51024) for a bad spec, 26 when storageStats, count or
// queryExecStats is requested for a missing collection.
StatusWith<bson::BsonDocument> CollStatsStageDocument(const CommandContext& ctx,
                                                      const std::string& coll,
                                                      const bson::BsonElement& spec);

// The documents of a leading `$indexStats: {}` over ctx.db.<coll>, one per index in catalog order:
// {name, key, host, accesses: {ops, since}, spec, building?}. 28803 unless the spec is {}; a
// missing collection has none.
StatusWith<std::vector<bson::BsonDocument>> IndexStatsStageDocuments(const CommandContext& ctx,
                                                                     const std::string& coll,
                                                                     const bson::BsonElement& spec);

// The documents of a leading `$planCacheStats: {}` over ctx.db.<coll>, one per cached plan
// choice (query/planner.h): {version, queryHash, planCacheKey, isActive, works, timeOfCreation,
// createdFromQuery: {query, sort, projection}, cachedPlan, candidatePlanScores, indexFilterSet,
// estimatedSizeBytes, host}. FailedToParse (9) unless the spec is an object of at most
// `allHosts`; 50933 for a missing collection (as mongod).
StatusWith<std::vector<bson::BsonDocument>> PlanCacheStatsStageDocuments(
    const CommandContext& ctx, const std::string& coll, const bson::BsonElement& spec);

}  // namespace dds::commands
