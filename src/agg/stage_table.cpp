#include <algorithm>

#include "agg/stages_internal.h"

namespace dds::agg {
namespace {

constexpr uint32_t kUpd = kStageAllowedInUpdate;
constexpr uint32_t kFac = kStageAllowedInFacet;
constexpr uint32_t kFirst = kStageFirstOnly;

// Sorted by name (bytewise); tests/unit/agg/table_test.cpp checks it.
constexpr StageEntry kStages[] = {
    {"$addFields", &ParseAddFieldsStage, kUpd | kFac},
    {"$bucket", &ParseBucketStage, kFac},
    {"$bucketAuto", &ParseBucketAutoStage, kFac},
    {"$changeStream", &ParseChangeStreamStage, kStageNone},
    {"$collStats", &ParseStatsStage, kFirst},
    {"$count", &ParseCountStage, kFac},
    {"$currentOp", &ParseNeedsStorageStage, kStageNone},
    {"$densify", &ParseUnsupportedStage, kFac},
    {"$documents", &ParseDocumentsStage, kStageNone},
    {"$facet", &ParseFacetStage, kStageNone},
    {"$fill", &ParseFillStage, kFac},
    {"$geoNear", &ParseUnsupportedStage, kStageNone},
    {"$graphLookup", &ParseGraphLookupStage, kFac},
    {"$group", &ParseGroupStage, kFac},
    {"$indexStats", &ParseStatsStage, kFirst},
    {"$limit", &ParseLimitStage, kFac},
    {"$listLocalSessions", &ParseNeedsStorageStage, kStageNone},
    {"$listSessions", &ParseNeedsStorageStage, kStageNone},
    {"$lookup", &ParseLookupStage, kFac},
    {"$match", &ParseMatchStage, kFac},
    {"$merge", &ParseNeedsStorageStage, kStageNone},
    {"$out", &ParseNeedsStorageStage, kStageNone},
    {"$planCacheStats", &ParseStatsStage, kFirst},
    {"$project", &ParseProjectStage, kUpd | kFac},
    {"$redact", &ParseRedactStage, kFac},
    {"$replaceRoot", &ParseReplaceRootStage, kUpd | kFac},
    {"$replaceWith", &ParseReplaceWithStage, kUpd | kFac},
    {"$sample", &ParseSampleStage, kFac},
    {"$set", &ParseAddFieldsStage, kUpd | kFac},
    {"$setWindowFields", &ParseSetWindowFieldsStage, kFac},
    {"$skip", &ParseSkipStage, kFac},
    {"$sort", &ParseSortStage, kFac},
    {"$sortByCount", &ParseSortByCountStage, kFac},
    {"$unionWith", &ParseUnionWithStage, kFac},
    {"$unset", &ParseUnsetStage, kUpd | kFac},
    {"$unwind", &ParseUnwindStage, kFac},
};

}  // namespace

const StageEntry* FindStage(std::string_view name) {
  auto it = std::lower_bound(std::begin(kStages), std::end(kStages), name,
                             [](const StageEntry& e, std::string_view n) { return e.name < n; });
  if (it == std::end(kStages) || it->name != name) return nullptr;
  return &*it;
}

std::span<const StageEntry> AllStages() { return kStages; }

StatusWith<std::vector<StagePtr>> ParseStages(const bson::BsonView& stages, const StageParseContext& ctx,
                                              uint32_t required_flag) {
  std::vector<StagePtr> out;
  for (const bson::BsonElement& s : stages) {
    if (s.type() != bson::BsonType::kObject) {
      return Status(ErrorCode::kTypeMismatch, "Each element of the 'pipeline' array must be an object");
    }
    bson::BsonView obj = s.Object();
    if (obj.CountFields() != 1) {
      return Status(40323, "A pipeline stage specification object must contain exactly one field.");
    }
    bson::BsonElement spec = obj.FirstElement();
    const StageEntry* entry = FindStage(spec.field_name());
    if (entry == nullptr) {
      return Status(40324, "Unrecognized pipeline stage name: '" + std::string(spec.field_name()) + "'");
    }
    if (required_flag == kStageAllowedInFacet && !(entry->flags & kStageAllowedInFacet)) {
      return Status(40600, std::string(spec.field_name()) + " is not allowed to be used within a $facet stage");
    }
    if (required_flag == kStageAllowedInUpdate && !(entry->flags & kStageAllowedInUpdate)) {
      return Status(ErrorCode::kInvalidOptions,
                    std::string(spec.field_name()) + " is not allowed to be used within an update");
    }
    if ((entry->flags & kStageFirstOnly) && !out.empty()) {
      return Status(40602, std::string(spec.field_name()) +
                               " is only valid as the first stage in a pipeline.");
    }
    DDS_ASSIGN_OR_RETURN(StagePtr stage, entry->parse(spec, ctx));
    out.push_back(std::move(stage));
  }
  return out;
}

}  // namespace dds::agg
