// The node types of a MatchExpression tree: path leaves (comparison, $in, $exists, $type, $regex,
// $mod, $size, $elemMatch, $bits*), logical nodes ($and/$or/$nor/$not) and $expr. Built by the
// parse functions of match_operator_table.cpp. Each node owns copies of its constants; nodes are
// heap-allocated, never copied or moved, so cached element views into their own buffers stay valid.
// Evaluation of simple leaves walks the BsonView directly and allocates nothing.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bson/bson.h"
#include "query/expression_hook.h"
#include "query/match_expression.h"
#include "query/path.h"
#include "query/regex.h"

namespace dds::query {

// Base of every node that tests the values a path reaches.
class LeafMatch : public MatchExpression {
 public:
  LeafMatch(std::string path, LeafArrayBehavior leaf) : path_(std::move(path)), leaf_(leaf) {}
  LeafMatch(const LeafMatch&) = delete;
  LeafMatch& operator=(const LeafMatch&) = delete;

  bool Matches(const bson::BsonView& doc, MatchDetails* details = nullptr) const override;
  const std::string& path() const override { return path_.dotted(); }
  const FieldPath& field_path() const { return path_; }

 protected:
  std::string PathPrefix() const { return path_.dotted().empty() ? "" : path_.dotted() + " "; }

 private:
  FieldPath path_;
  LeafArrayBehavior leaf_;
};

// $eq $ne(as NOT) $lt $lte $gt $gte and implicit equality.
class ComparisonMatch : public LeafMatch {
 public:
  // `kind` is one of kEq kLt kLte kGt kGte.
  ComparisonMatch(MatchKind kind, std::string path, const bson::BsonElement& value);
  MatchKind kind() const override { return kind_; }
  bool MatchesSingleElement(const bson::BsonElement& e, MatchDetails* details) const override;
  std::string DebugString() const override;
  bson::BsonView equality_operand() const override {
    return kind_ == MatchKind::kEq ? holder_.view() : bson::BsonView();
  }
  const bson::BsonElement& rhs() const { return rhs_; }

 private:
  MatchKind kind_;
  bson::BsonDocument holder_;
  bson::BsonElement rhs_;
};

// Returns whether `e` compares to `rhs` under `kind` with mongod's cross-type rules (null equals
// missing and undefined; MinKey/MaxKey bound everything; no other cross-type matches; NaN only
// equals NaN).
bool CompareMatches(MatchKind kind, const bson::BsonElement& e, const bson::BsonElement& rhs);

class RegexMatch : public LeafMatch {
 public:
  RegexMatch(std::string path, std::shared_ptr<const Regex> regex)
      : LeafMatch(std::move(path), LeafArrayBehavior::kTraverse), regex_(std::move(regex)) {}
  MatchKind kind() const override { return MatchKind::kRegex; }
  bool MatchesSingleElement(const bson::BsonElement& e, MatchDetails* details) const override;
  std::string DebugString() const override;
  static bool MatchesRegex(const Regex& re, const bson::BsonElement& e);
  const Regex& regex() const { return *regex_; }

 private:
  std::shared_ptr<const Regex> regex_;
};

class InMatch : public LeafMatch {
 public:
  // `values` is the $in array (regexes already compiled into `regexes`).
  InMatch(std::string path, const bson::BsonView& values,
          std::vector<std::shared_ptr<const Regex>> regexes);
  MatchKind kind() const override { return MatchKind::kIn; }
  bool MatchesSingleElement(const bson::BsonElement& e, MatchDetails* details) const override;
  std::string DebugString() const override;
  // The non-regex values as an array document.
  bson::BsonView values() const { return values_.view(); }

 private:
  bson::BsonDocument values_;  // non-regex operands as an array
  std::vector<bson::BsonElement> sorted_;  // views into values_, in BSON order (binary search)
  std::vector<std::shared_ptr<const Regex>> regexes_;
  bool has_null_ = false;
};

class ExistsMatch : public LeafMatch {
 public:
  explicit ExistsMatch(std::string path)
      : LeafMatch(std::move(path), LeafArrayBehavior::kTraverse) {}
  MatchKind kind() const override { return MatchKind::kExists; }
  bool MatchesSingleElement(const bson::BsonElement& e, MatchDetails* details) const override {
    return !e.eoo();
  }
  std::string DebugString() const override { return PathPrefix() + "$exists"; }
};

class TypeMatch : public LeafMatch {
 public:
  TypeMatch(std::string path, std::vector<bson::BsonType> types, bool all_numbers)
      : LeafMatch(std::move(path), LeafArrayBehavior::kTraverse),
        types_(std::move(types)),
        all_numbers_(all_numbers) {}
  MatchKind kind() const override { return MatchKind::kType; }
  bool MatchesSingleElement(const bson::BsonElement& e, MatchDetails* details) const override;
  std::string DebugString() const override;

 private:
  std::vector<bson::BsonType> types_;
  bool all_numbers_;
};

class ModMatch : public LeafMatch {
 public:
  ModMatch(std::string path, int64_t divisor, int64_t remainder)
      : LeafMatch(std::move(path), LeafArrayBehavior::kTraverse),
        divisor_(divisor),
        remainder_(remainder) {}
  MatchKind kind() const override { return MatchKind::kMod; }
  bool MatchesSingleElement(const bson::BsonElement& e, MatchDetails* details) const override;
  std::string DebugString() const override;

 private:
  int64_t divisor_;
  int64_t remainder_;
};

class SizeMatch : public LeafMatch {
 public:
  SizeMatch(std::string path, int64_t size)
      : LeafMatch(std::move(path), LeafArrayBehavior::kNoTraversal), size_(size) {}
  MatchKind kind() const override { return MatchKind::kSize; }
  bool MatchesSingleElement(const bson::BsonElement& e, MatchDetails* details) const override;
  std::string DebugString() const override;

 private:
  int64_t size_;
};

// $elemMatch with a query document: some array element (document or array) matches `sub`.
class ElemMatchObjectMatch : public LeafMatch {
 public:
  ElemMatchObjectMatch(std::string path, std::unique_ptr<MatchExpression> sub)
      : LeafMatch(std::move(path), LeafArrayBehavior::kNoTraversal), sub_(std::move(sub)) {}
  MatchKind kind() const override { return MatchKind::kElemMatchObject; }
  bool MatchesSingleElement(const bson::BsonElement& e, MatchDetails* details) const override;
  std::string DebugString() const override;

 private:
  std::unique_ptr<MatchExpression> sub_;
};

// $elemMatch with operators only: some array element satisfies every child.
class ElemMatchValueMatch : public LeafMatch {
 public:
  ElemMatchValueMatch(std::string path, std::vector<std::unique_ptr<MatchExpression>> children)
      : LeafMatch(std::move(path), LeafArrayBehavior::kNoTraversal),
        children_(std::move(children)) {}
  MatchKind kind() const override { return MatchKind::kElemMatchValue; }
  bool MatchesSingleElement(const bson::BsonElement& e, MatchDetails* details) const override;
  std::string DebugString() const override;

 private:
  std::vector<std::unique_ptr<MatchExpression>> children_;
};

class BitsMatch : public LeafMatch {
 public:
  enum class Test { kAllSet, kAllClear, kAnySet, kAnyClear };
  BitsMatch(std::string path, Test test, std::vector<uint32_t> positions)
      : LeafMatch(std::move(path), LeafArrayBehavior::kTraverse),
        test_(test),
        positions_(std::move(positions)) {}
  MatchKind kind() const override { return MatchKind::kBits; }
  bool MatchesSingleElement(const bson::BsonElement& e, MatchDetails* details) const override;
  std::string DebugString() const override;

 private:
  Test test_;
  std::vector<uint32_t> positions_;
};

// $and / $or / $nor.
class ListMatch : public MatchExpression {
 public:
  explicit ListMatch(MatchKind kind) : kind_(kind) {}
  void Add(std::unique_ptr<MatchExpression> child) { children_.push_back(std::move(child)); }
  MatchKind kind() const override { return kind_; }
  bool Matches(const bson::BsonView& doc, MatchDetails* details = nullptr) const override;
  bool MatchesSingleElement(const bson::BsonElement& e, MatchDetails* details) const override;
  std::string DebugString() const override;
  size_t num_children() const override { return children_.size(); }
  const MatchExpression* child(size_t i) const override { return children_[i].get(); }
  std::vector<std::unique_ptr<MatchExpression>>& mutable_children() { return children_; }

 private:
  MatchKind kind_;
  std::vector<std::unique_ptr<MatchExpression>> children_;
};

class NotMatch : public MatchExpression {
 public:
  explicit NotMatch(std::unique_ptr<MatchExpression> child) : child_(std::move(child)) {}
  MatchKind kind() const override { return MatchKind::kNot; }
  bool Matches(const bson::BsonView& doc, MatchDetails* details = nullptr) const override {
    return !child_->Matches(doc, nullptr);
  }
  bool MatchesSingleElement(const bson::BsonElement& e, MatchDetails* details) const override {
    return !child_->MatchesSingleElement(e, nullptr);
  }
  std::string DebugString() const override { return "$not(" + child_->DebugString() + ")"; }
  size_t num_children() const override { return 1; }
  const MatchExpression* child(size_t i) const override { return child_.get(); }

 private:
  std::unique_ptr<MatchExpression> child_;
};

class ConstantMatch : public MatchExpression {
 public:
  explicit ConstantMatch(bool value) : value_(value) {}
  MatchKind kind() const override {
    return value_ ? MatchKind::kAlwaysTrue : MatchKind::kAlwaysFalse;
  }
  bool Matches(const bson::BsonView&, MatchDetails* = nullptr) const override { return value_; }
  bool MatchesSingleElement(const bson::BsonElement&, MatchDetails*) const override {
    return value_;
  }
  std::string DebugString() const override { return value_ ? "$alwaysTrue" : "$alwaysFalse"; }

 private:
  bool value_;
};

// $expr: an aggregation expression evaluated over the document, true when the result is truthy.
class ExprMatch : public MatchExpression {
 public:
  ExprMatch(std::shared_ptr<const CompiledExpression> expr, std::string text)
      : expr_(std::move(expr)), text_(std::move(text)) {}
  MatchKind kind() const override { return MatchKind::kExpr; }
  bool Matches(const bson::BsonView& doc, MatchDetails* details = nullptr) const override;
  std::string DebugString() const override { return "$expr " + text_; }

 private:
  std::shared_ptr<const CompiledExpression> expr_;
  std::string text_;
};

}  // namespace dds::query
