#include <algorithm>

#include "update/modifiers_internal.h"

namespace dds::update {
namespace {

// Sorted by name (bytewise); tests/unit/update/update_operator_table_test.cpp checks it.
constexpr UpdateOperatorEntry kUpdateOperators[] = {
    {"$addToSet", &ParseAddToSet},
    {"$bit", &ParseBit},
    {"$currentDate", &ParseCurrentDate},
    {"$inc", &ParseInc},
    {"$max", &ParseMax},
    {"$min", &ParseMin},
    {"$mul", &ParseMul},
    {"$pop", &ParsePop},
    {"$pull", &ParsePull},
    {"$pullAll", &ParsePullAll},
    {"$push", &ParsePush},
    {"$rename", &ParseRename},
    {"$set", &ParseSet},
    {"$setOnInsert", &ParseSetOnInsert},
    {"$unset", &ParseUnset},
};

}  // namespace

const UpdateOperatorEntry* FindUpdateOperator(std::string_view name) {
  auto it = std::lower_bound(std::begin(kUpdateOperators), std::end(kUpdateOperators), name,
                             [](const UpdateOperatorEntry& e, std::string_view n) { return e.name < n; });
  if (it == std::end(kUpdateOperators) || it->name != name) return nullptr;
  return &*it;
}

std::span<const UpdateOperatorEntry> AllUpdateOperators() { return kUpdateOperators; }

StatusWith<ModifierPtr> ParseRename(const bson::BsonElement& f, const ModifierParseContext&) {
  if (f.type() != bson::BsonType::kString) {
    return Status(ErrorCode::kBadValue, "The 'to' field for $rename must be a string: " + std::string(f.field_name()) +
                                            ": " + bson::ElementValueToShellString(f));
  }
  return ModifierPtr(std::make_shared<RenameModifier>(std::string(f.String())));
}

}  // namespace dds::update
