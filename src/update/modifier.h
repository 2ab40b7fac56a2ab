// Modifier: one update operator applied to one path ($set, $inc, $push ...), and the update-
// operator table (update/update_operator_table.cpp) mapping "$inc" to its parse function.
// A Modifier is immutable after parsing and shared between documents.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "bson/bson.h"
#include "common/status.h"
#include "update/mutable_document.h"

namespace dds::update {

struct ModifierApplyContext {
  // True while building an upsert's inserted document ($setOnInsert active).
  bool upsert_insert = false;
  // The dotted path as written (after positional resolution) for messages.
  std::string full_path;
  // The original document (for "{_id: 1} has the field ..." messages).
  bson::BsonView original;
  // The current time for $currentDate.
  int64_t now_ms = 0;
};

class Modifier {
 public:
  virtual ~Modifier() = default;
  // Whether missing path components are created (false: a missing path makes it a no-op).
  virtual bool creates_path() const { return true; }
  // Whether a non-viable path (through a scalar, or a non-numeric component on an array) is a
  // silent no-op (mongod's allowNonViablePath(): $unset only); otherwise PathNotViable.
  virtual bool scalar_on_path_is_noop() const { return false; }
  // Applies to child `name` of `container` (an expanded object or array).
  virtual Status Apply(MNode* container, std::string_view name, const ModifierApplyContext& ctx) const = 0;
};

using ModifierPtr = std::shared_ptr<const Modifier>;

struct ModifierParseContext {
  // The operator name ("$set").
  std::string_view op;
};

// Parses `field: operand` for one operator.
using ModifierParser = StatusWith<ModifierPtr> (*)(const bson::BsonElement& field, const ModifierParseContext& ctx);

struct UpdateOperatorEntry {
  std::string_view name;
  ModifierParser parse;
};

const UpdateOperatorEntry* FindUpdateOperator(std::string_view name);
std::span<const UpdateOperatorEntry> AllUpdateOperators();

// Sets child `name` of `container` to `node`: replaces, appends, or pads an array with nulls.
// 28 PathNotViable for a non-numeric name in an array.
Status SetChild(MNode* container, std::string_view name, MNode node, const std::string& full_path);

// Renders {_id: <value>} of `doc` for messages.
std::string IdForMessage(const bson::BsonView& doc);

}  // namespace dds::update
