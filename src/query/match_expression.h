// MatchExpression: a parsed query predicate (the find filter language, compat §3) that decides
// whether a BSON document matches. Built by ParseMatchExpression (match_parser.h); immutable after
// parsing, so one tree may be evaluated from several threads at once. A tree owns its children and
// copies every constant it needs from the filter, so the filter buffer may die after parsing.
//
// MatchDetails records, while matching, the array offset that positional `$` (projection and
// update) refers to. It is per evaluation and not shared between threads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bson/document.h"
#include "bson/element.h"

namespace dds::query {

// Side results of one Matches() call.
class MatchDetails {
 public:
  // Records the array index (as a decimal string) used by positional `$`.
  void set_elem_match_key(std::string k) { elem_match_key_ = std::move(k); has_key_ = true; }
  bool has_elem_match_key() const { return has_key_; }
  // REQUIRES: has_elem_match_key()
  const std::string& elem_match_key() const { return elem_match_key_; }
  // Asks the matcher to record the array offset (off by default: recording costs a string copy).
  void RequestElemMatchKey() { requested_ = true; }
  bool need_record() const { return requested_; }
  void Reset() {
    has_key_ = false;
    elem_match_key_.clear();
  }

 private:
  std::string elem_match_key_;
  bool has_key_ = false;
  bool requested_ = true;
};

// The kind of a node, for callers that inspect trees (upsert seeding, positional projection).
enum class MatchKind {
  kAlwaysTrue,
  kAlwaysFalse,
  kAnd,
  kOr,
  kNor,
  kNot,
  kEq,
  kNe,
  kLt,
  kLte,
  kGt,
  kGte,
  kIn,
  kNin,
  kExists,
  kType,
  kRegex,
  kMod,
  kSize,
  kAll,
  kElemMatchObject,
  kElemMatchValue,
  kBits,
  kExpr,
  kJsonSchema,
  kOther,
};

class MatchExpression {
 public:
  virtual ~MatchExpression() = default;
  // Returns true if `doc` satisfies the predicate. May fill `details` (positional `$`).
  // May throw DbException (for example $expr evaluation errors).
  virtual bool Matches(const bson::BsonView& doc, MatchDetails* details = nullptr) const = 0;
  // Returns true if the single value `e` satisfies the predicate, ignoring the node's path (used
  // by $elemMatch on values, $pull and arrayFilters). Logical nodes apply it to their children.
  virtual bool MatchesSingleElement(const bson::BsonElement& e,
                                    MatchDetails* details = nullptr) const {
    return false;
  }
  // Returns a readable rendering of the tree (for explain and tests).
  virtual std::string DebugString() const = 0;

  virtual MatchKind kind() const { return MatchKind::kOther; }
  // For path predicates: the dotted path; "" for logical nodes.
  virtual const std::string& path() const;
  // Children of logical nodes ($and/$or/$nor/$not); empty for leaves.
  virtual size_t num_children() const { return 0; }
  virtual const MatchExpression* child(size_t i) const { return nullptr; }
  // For $eq (and implicit equality): the operand, as a one-element document {"": value};
  // empty otherwise.
  virtual bson::BsonView equality_operand() const { return bson::BsonView(); }
};

}  // namespace dds::query
