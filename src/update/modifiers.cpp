// The update operators: $set $unset $inc $mul $min $max $setOnInsert $currentDate $rename
// (target side) $push $addToSet $pop $pull $pullAll $bit.
#include <algorithm>
#include <chrono>
#include <cmath>

#include "query/match_parser.h"
#include "query/sort_pattern.h"
#include "update/arithmetic.h"
#include "update/modifier.h"
#include "update/modifiers_internal.h"

namespace dds::update {

using bson::BsonElement;
using bson::BsonType;

std::string IdForMessage(const bson::BsonView& doc) {
  BsonElement id = doc.Get("_id");
  if (id.eoo()) return "{}";
  return "{_id: " + bson::ElementValueToShellString(id) + "}";
}

Status SetChild(MNode* container, std::string_view name, MNode node, const std::string& full_path) {
  if (container->kind() == MNode::Kind::kObject) {
    MNode* existing = container->Find(name);
    if (existing != nullptr) {
      *existing = std::move(node);
    } else {
      container->Append(name, std::move(node));
    }
    return Status::OK();
  }
  std::optional<size_t> idx = ParseArrayIndex(name);
  if (!idx) {
    std::string parent = full_path;
    size_t dot = parent.rfind('.');
    parent = dot == std::string::npos ? "" : parent.substr(0, dot);
    size_t pdot = parent.rfind('.');
    std::string parent_name = pdot == std::string::npos ? parent : parent.substr(pdot + 1);
    return Status(ErrorCode::kPathNotViable, "Cannot create field '" + std::string(name) + "' in element " +
                                                 container->ShellString(parent_name));
  }
  while (container->size() < *idx) container->Push(MNode::FromValue(agg::Value::Null()));
  if (*idx < container->size()) {
    *container->child(*idx) = std::move(node);
  } else {
    container->Push(std::move(node));
  }
  return Status::OK();
}

namespace {

// $set and $setOnInsert.
class SetModifier : public Modifier {
 public:
  SetModifier(agg::Value v, bool on_insert_only) : value_(std::move(v)), on_insert_only_(on_insert_only) {}
  Status Apply(MNode* container, std::string_view name, const ModifierApplyContext& ctx) const override {
    if (on_insert_only_ && !ctx.upsert_insert) return Status::OK();
    // A view of the parsed value: the plan outlives the tree, which is written out before Apply returns.
    return SetChild(container, name, MNode::FromElement(value_.element()), ctx.full_path);
  }

 private:
  agg::Value value_;
  bool on_insert_only_;
};

class UnsetModifier : public Modifier {
 public:
  bool creates_path() const override { return false; }
  bool scalar_on_path_is_noop() const override { return true; }
  Status Apply(MNode* container, std::string_view name, const ModifierApplyContext&) const override {
    if (container->kind() == MNode::Kind::kObject) {
      for (size_t i = 0; i < container->size(); ++i) {
        if (container->name(i) == name) {
          container->Remove(i);
          break;
        }
      }
      return Status::OK();
    }
    // $unset on an array element sets it to null (the array does not shrink).
    MNode* e = container->Find(name);
    if (e != nullptr) e->SetValue(agg::Value::Null());
    return Status::OK();
  }
};

class ArithmeticModifier : public Modifier {
 public:
  ArithmeticModifier(agg::Value operand, bool multiply) : operand_(std::move(operand)), multiply_(multiply) {}
  Status Apply(MNode* container, std::string_view name, const ModifierApplyContext& ctx) const override {
    MNode* existing = container->Find(name);
    if (existing == nullptr) {
      if (!multiply_) return SetChild(container, name, MNode::FromValue(operand_), ctx.full_path);
      // $mul on a missing field sets operand * int32 0 (0 of the multiplier's type).
      bson::BsonBuilder b;
      b.AppendInt32("", 0);
      bson::BsonDocument zero = b.Done();
      std::optional<agg::Value> v = ApplyArithmetic(operand_.element(), zero.view().FirstElement(), true);
      return SetChild(container, name, MNode::FromValue(std::move(*v)), ctx.full_path);
    }
    if (existing->kind() != MNode::Kind::kValue || !existing->element().IsNumber()) {
      return Status(ErrorCode::kTypeMismatch,
                    std::string("Cannot apply ") + (multiply_ ? "$mul" : "$inc") +
                        " to a value of non-numeric type. " + IdForMessage(ctx.original) +
                        " has the field '" + std::string(name) + "' of non-numeric type " +
                        std::string(bson::TypeAlias(existing->type())));
    }
    std::optional<agg::Value> v = ApplyArithmetic(operand_.element(), existing->element(), multiply_);
    if (!v) {
      return Status(ErrorCode::kBadValue, std::string("Failed to apply ") + (multiply_ ? "$mul" : "$inc") +
                                              " operations to current value (" +
                                              SafeNumDebugString(existing->element()) + ") for document " +
                                              IdForMessage(ctx.original));
    }
    // An identical result (same type, equal value) leaves the field untouched, as mongod does.
    if (NumbersIdentical(v->element(), existing->element())) return Status::OK();
    existing->SetValue(std::move(*v));
    return Status::OK();
  }

 private:
  agg::Value operand_;
  bool multiply_;
};

class MinMaxModifier : public Modifier {
 public:
  MinMaxModifier(agg::Value v, bool is_min) : value_(std::move(v)), min_(is_min) {}
  Status Apply(MNode* container, std::string_view name, const ModifierApplyContext& ctx) const override {
    MNode* existing = container->Find(name);
    if (existing == nullptr) return SetChild(container, name, MNode::FromValue(value_), ctx.full_path);
    agg::Value current = existing->ToValue();
    int c = agg::CompareValues(value_, current);
    if (min_ ? c < 0 : c > 0) existing->SetValue(value_);
    return Status::OK();
  }

 private:
  agg::Value value_;
  bool min_;
};

class CurrentDateModifier : public Modifier {
 public:
  explicit CurrentDateModifier(bool timestamp) : timestamp_(timestamp) {}
  Status Apply(MNode* container, std::string_view name, const ModifierApplyContext& ctx) const override {
    int64_t now = ctx.now_ms;
    bson::BsonBuilder b;
    if (timestamp_) {
      b.AppendTimestamp("", static_cast<uint32_t>(now / 1000), 1);
    } else {
      b.AppendDate("", now);
    }
    return SetChild(container, name, MNode::FromValue(agg::Value::FromHolder(b.Done())), ctx.full_path);
  }

 private:
  bool timestamp_;
};

// Requires an array target (or missing for the creating operators).
Status RequireArray(MNode* existing, std::string_view name, const ModifierApplyContext& ctx, const char* op) {
  if (existing->type() == BsonType::kArray) {
    existing->Expand();
    return Status::OK();
  }
  if (std::string_view(op) == "$push") {
    return Status(ErrorCode::kBadValue, "The field '" + std::string(name) + "' must be an array but is of type " +
                                            std::string(bson::TypeAlias(existing->type())) + " in document " +
                                            IdForMessage(ctx.original));
  }
  if (std::string_view(op) == "$addToSet") {
    return Status(ErrorCode::kBadValue, "Cannot apply $addToSet to non-array field. Field named '" + std::string(name) +
                                            "' has non-array type " + std::string(bson::TypeAlias(existing->type())));
  }
  if (std::string_view(op) == "$pop") {
    return Status(ErrorCode::kTypeMismatch, "Path '" + ctx.full_path + "' contains an element of non-array type '" +
                                                std::string(bson::TypeAlias(existing->type())) + "'");
  }
  return Status(ErrorCode::kBadValue, "Cannot apply " + std::string(op) + " to a non-array value");
}

class PushModifier : public Modifier {
 public:
  std::vector<agg::Value> each;
  std::optional<int64_t> slice;
  std::optional<int64_t> position;
  bool has_sort = false;
  int sort_direction = 0;  // 1 / -1 when sorting whole elements
  std::shared_ptr<const query::SortPattern> sort_pattern;

  Status Apply(MNode* container, std::string_view name, const ModifierApplyContext& ctx) const override {
    MNode* existing = container->Find(name);
    if (existing == nullptr) {
      MNode arr = MNode::FromValue(agg::Value::ArrayOf({}));
      arr.Expand();
      DDS_RETURN_IF_ERROR(SetChild(container, name, std::move(arr), ctx.full_path));
      existing = container->Find(name);
    } else {
      DDS_RETURN_IF_ERROR(RequireArray(existing, name, ctx, "$push"));
    }
    std::vector<MNode>& items = existing->children();
    int64_t n = static_cast<int64_t>(items.size());
    size_t pos = items.size();
    if (position) {
      int64_t p = *position;
      if (p < 0) p = std::max<int64_t>(0, n + p);
      pos = static_cast<size_t>(std::min(p, n));
    }
    for (const agg::Value& v : each) items.insert(items.begin() + static_cast<long>(pos++), MNode::FromValue(v));
    if (has_sort) {
      std::vector<agg::Value> values;
      for (const MNode& m : items) values.push_back(m.ToValue());
      std::stable_sort(values.begin(), values.end(), [&](const agg::Value& a, const agg::Value& b) {
        if (sort_pattern) {
          bson::BsonView da = a.IsObject() ? a.element().Object() : bson::BsonView();
          bson::BsonView db = b.IsObject() ? b.element().Object() : bson::BsonView();
          return sort_pattern->CompareDocuments(da, db) < 0;
        }
        int c = agg::CompareValues(a, b);
        return sort_direction > 0 ? c < 0 : c > 0;
      });
      items.clear();
      for (agg::Value& v : values) items.push_back(MNode::FromValue(std::move(v)));
    }
    if (slice) {
      int64_t size = static_cast<int64_t>(items.size());
      if (*slice >= 0) {
        if (*slice < size) items.erase(items.begin() + *slice, items.end());
      } else if (-*slice < size) {
        items.erase(items.begin(), items.begin() + (size + *slice));
      }
    }
    return Status::OK();
  }
};

class AddToSetModifier : public Modifier {
 public:
  std::vector<agg::Value> each;
  Status Apply(MNode* container, std::string_view name, const ModifierApplyContext& ctx) const override {
    MNode* existing = container->Find(name);
    if (existing == nullptr) {
      MNode arr = MNode::FromValue(agg::Value::ArrayOf({}));
      arr.Expand();
      DDS_RETURN_IF_ERROR(SetChild(container, name, std::move(arr), ctx.full_path));
      existing = container->Find(name);
    } else {
      DDS_RETURN_IF_ERROR(RequireArray(existing, name, ctx, "$addToSet"));
    }
    for (const agg::Value& v : each) {
      bool found = false;
      for (const MNode& m : existing->children()) {
        if (agg::CompareValues(m.ToValue(), v) == 0) {
          found = true;
          break;
        }
      }
      if (!found) existing->Push(MNode::FromValue(v));
    }
    return Status::OK();
  }
};

class PopModifier : public Modifier {
 public:
  explicit PopModifier(bool first) : first_(first) {}
  // A path blocked by a scalar is PathNotViable (only $unset allows non-viable paths).
  bool creates_path() const override { return false; }
  Status Apply(MNode* container, std::string_view name, const ModifierApplyContext& ctx) const override {
    MNode* existing = container->Find(name);
    if (existing == nullptr) return Status::OK();
    DDS_RETURN_IF_ERROR(RequireArray(existing, name, ctx, "$pop"));
    if (existing->size() == 0) return Status::OK();
    existing->Remove(first_ ? 0 : existing->size() - 1);
    return Status::OK();
  }

 private:
  bool first_;
};

class PullModifier : public Modifier {
 public:
  // One of: matcher on element values (operator condition), matcher on element documents
  // (plain query), or exact values ($pullAll / scalar $pull).
  std::shared_ptr<const query::MatchExpression> value_matcher;
  std::shared_ptr<const query::MatchExpression> doc_matcher;
  std::vector<agg::Value> values;
  const char* op = "$pull";

  bool creates_path() const override { return false; }
  Status Apply(MNode* container, std::string_view name, const ModifierApplyContext& ctx) const override {
    MNode* existing = container->Find(name);
    if (existing == nullptr) return Status::OK();
    if (existing->type() != BsonType::kArray) {
      return Status(ErrorCode::kBadValue, std::string("Cannot apply ") + op + " to a non-array value");
    }
    existing->Expand();
    std::vector<MNode>& items = existing->children();
    std::vector<MNode> kept;
    for (MNode& m : items) {
      agg::Value v = m.ToValue();
      bool remove = false;
      if (value_matcher) {
        // mongod's WrappedObjectMatcher: the element is matched as {"": element}, so an array
        // element is traversed like any array in a query.
        bson::BsonBuilder b;
        b.AppendElementAs("x", v.element());
        bson::BsonDocument wrapped = b.Done();
        remove = value_matcher->Matches(wrapped.view());
      } else if (doc_matcher) {
        remove = v.IsObject() && doc_matcher->Matches(v.element().Object());
      } else {
        for (const agg::Value& x : values) remove = remove || agg::CompareValues(v, x) == 0;
      }
      if (!remove) kept.push_back(std::move(m));
    }
    items = std::move(kept);
    return Status::OK();
  }
};

class BitModifier : public Modifier {
 public:
  std::vector<std::pair<int, agg::Value>> ops;  // 0 and, 1 or, 2 xor
  Status Apply(MNode* container, std::string_view name, const ModifierApplyContext& ctx) const override {
    MNode* existing = container->Find(name);
    bool is64 = false;
    int64_t v = 0;
    if (existing != nullptr) {
      BsonType t = existing->type();
      if (t != BsonType::kInt32 && t != BsonType::kInt64) {
        return Status(ErrorCode::kBadValue, "Cannot apply $bit to a value of non-integral type." +
                                                IdForMessage(ctx.original) + " has the field " + std::string(name) +
                                                " of non-integer type " + std::string(bson::TypeAlias(t)));
      }
      is64 = t == BsonType::kInt64;
      v = *existing->element().ExactInt64();
    }
    for (const auto& [op, operand] : ops) {
      int64_t x = *operand.element().ExactInt64();
      if (operand.type() == BsonType::kInt64) is64 = true;
      if (op == 0) v &= x;
      else if (op == 1) v |= x;
      else v ^= x;
    }
    agg::Value result = is64 ? agg::Value::Int64(v) : agg::Value::Int32(static_cast<int32_t>(v));
    if (existing != nullptr) {
      existing->SetValue(std::move(result));
      return Status::OK();
    }
    return SetChild(container, name, MNode::FromValue(std::move(result)), ctx.full_path);
  }
};

Status RequireNumber(const BsonElement& field, const char* what) {
  if (!field.IsNumber()) {
    return Status(ErrorCode::kTypeMismatch, std::string("Cannot ") + what + " with non-numeric argument: {" +
                                                std::string(field.field_name()) + ": " +
                                                bson::ElementValueToShellString(field) + "}");
  }
  return Status::OK();
}

std::vector<agg::Value> EachValues(const BsonElement& e) {
  std::vector<agg::Value> out;
  for (const BsonElement& x : e.Array()) out.push_back(agg::Value::FromElement(x));
  return out;
}

}  // namespace

StatusWith<ModifierPtr> ParseSet(const BsonElement& f, const ModifierParseContext&) {
  return ModifierPtr(std::make_shared<SetModifier>(agg::Value::FromElement(f), false));
}

StatusWith<ModifierPtr> ParseSetOnInsert(const BsonElement& f, const ModifierParseContext&) {
  return ModifierPtr(std::make_shared<SetModifier>(agg::Value::FromElement(f), true));
}

StatusWith<ModifierPtr> ParseUnset(const BsonElement&, const ModifierParseContext&) {
  return ModifierPtr(std::make_shared<UnsetModifier>());
}

StatusWith<ModifierPtr> ParseInc(const BsonElement& f, const ModifierParseContext&) {
  DDS_RETURN_IF_ERROR(RequireNumber(f, "increment"));
  return ModifierPtr(std::make_shared<ArithmeticModifier>(agg::Value::FromElement(f), false));
}

StatusWith<ModifierPtr> ParseMul(const BsonElement& f, const ModifierParseContext&) {
  DDS_RETURN_IF_ERROR(RequireNumber(f, "multiply"));
  return ModifierPtr(std::make_shared<ArithmeticModifier>(agg::Value::FromElement(f), true));
}

StatusWith<ModifierPtr> ParseMin(const BsonElement& f, const ModifierParseContext&) {
  return ModifierPtr(std::make_shared<MinMaxModifier>(agg::Value::FromElement(f), true));
}

StatusWith<ModifierPtr> ParseMax(const BsonElement& f, const ModifierParseContext&) {
  return ModifierPtr(std::make_shared<MinMaxModifier>(agg::Value::FromElement(f), false));
}

StatusWith<ModifierPtr> ParseCurrentDate(const BsonElement& f, const ModifierParseContext&) {
  if (f.type() == BsonType::kBool) return ModifierPtr(std::make_shared<CurrentDateModifier>(false));
  if (f.type() == BsonType::kObject) {
    BsonElement t = f.Object().Get("$type");
    if (f.Object().CountFields() == 1 && t.type() == BsonType::kString) {
      if (t.String() == "date") return ModifierPtr(std::make_shared<CurrentDateModifier>(false));
      if (t.String() == "timestamp") return ModifierPtr(std::make_shared<CurrentDateModifier>(true));
      return Status(ErrorCode::kBadValue, "The '$type' string field is required to be 'date' or 'timestamp': {$currentDate: {field : {$type: 'date'}}}");
    }
    return Status(ErrorCode::kBadValue, "The only valid field of the option is '$type': {$currentDate: {field : {$type: 'date/timestamp'}}}");
  }
  return Status(ErrorCode::kBadValue, std::string(bson::TypeAlias(f.type())) +
                                          " is not valid type for $currentDate. Please use a boolean ('true') or a $type expression ({$type: 'timestamp/date'}).");
}

StatusWith<ModifierPtr> ParsePush(const BsonElement& f, const ModifierParseContext&) {
  auto m = std::make_shared<PushModifier>();
  if (f.type() == BsonType::kObject && f.Object().HasField("$each")) {
    for (const BsonElement& mod : f.Object()) {
      std::string_view n = mod.field_name();
      if (n == "$each") {
        if (mod.type() != BsonType::kArray) {
          return Status(ErrorCode::kBadValue, "The argument to $each in $push must be an array but it was of type: " +
                                                  std::string(bson::TypeAlias(mod.type())));
        }
        m->each = EachValues(mod);
      } else if (n == "$slice") {
        std::optional<int64_t> v = mod.IsNumber() ? mod.ExactInt64() : std::nullopt;
        if (!v) {
          return Status(ErrorCode::kBadValue, "The value for $slice must be an integer value but was given type: " +
                                                  std::string(bson::TypeAlias(mod.type())));
        }
        m->slice = *v;
      } else if (n == "$position") {
        std::optional<int64_t> v = mod.IsNumber() ? mod.ExactInt64() : std::nullopt;
        if (!v) {
          return Status(ErrorCode::kBadValue, "The value for $position must be an integer value, not of type: " +
                                                  std::string(bson::TypeAlias(mod.type())));
        }
        m->position = *v;
      } else if (n == "$sort") {
        m->has_sort = true;
        if (mod.IsNumber()) {
          double d = mod.NumberDouble();
          if (d != 1 && d != -1) {
            return Status(ErrorCode::kBadValue, "The $sort element value must be either 1 or -1");
          }
          m->sort_direction = d > 0 ? 1 : -1;
        } else if (mod.type() == BsonType::kObject) {
          // mongod's checkSortClause(): non-empty, every value 1 or -1, no empty path component.
          if (mod.Object().empty()) {
            return Status(ErrorCode::kBadValue, "The $sort pattern is empty when it should be a set of fields.");
          }
          for (const BsonElement& key : mod.Object()) {
            double order = key.IsNumber() ? key.NumberDouble() : 0;
            if (order != 1 && order != -1) {
              return Status(ErrorCode::kBadValue, "The $sort element value must be either 1 or -1");
            }
            std::string_view field = key.field_name();
            if (field.empty()) return Status(ErrorCode::kBadValue, "The $sort field cannot be empty");
            if (field.front() == '.' || field.back() == '.' || field.find("..") != std::string_view::npos) {
              return Status(ErrorCode::kBadValue, "The $sort field is a dotted field but has an empty part: " +
                                                      std::string(field));
            }
          }
          auto p = query::SortPattern::Parse(mod.Object());
          if (!p.ok()) return Status(ErrorCode::kBadValue, "The $sort is invalid: " + p.status().reason());
          m->sort_pattern = std::make_shared<const query::SortPattern>(std::move(p).value());
        } else {
          return Status(ErrorCode::kBadValue, "The $sort is invalid: use 1/-1 to sort the whole element, or "
                                              "{field:1/-1} to sort embedded fields");
        }
      } else {
        return Status(ErrorCode::kBadValue, "Unrecognized clause in $push: " + std::string(n));
      }
    }
  } else {
    m->each.push_back(agg::Value::FromElement(f));
  }
  return ModifierPtr(m);
}

StatusWith<ModifierPtr> ParseAddToSet(const BsonElement& f, const ModifierParseContext&) {
  auto m = std::make_shared<AddToSetModifier>();
  if (f.type() == BsonType::kObject && f.Object().FirstElement().field_name() == "$each") {
    BsonElement each = f.Object().FirstElement();
    if (f.Object().CountFields() != 1) {
      return Status(ErrorCode::kBadValue, "Found unexpected fields after $each in $addToSet: " + bson::ToShellString(f.Object()));
    }
    if (each.type() != BsonType::kArray) {
      return Status(ErrorCode::kTypeMismatch, "The argument to $each in $addToSet must be an array but it was of type " +
                                                  std::string(bson::TypeAlias(each.type())));
    }
    // Duplicates inside $each are added once.
    for (agg::Value& v : EachValues(each)) {
      bool dup = false;
      for (const agg::Value& x : m->each) dup = dup || agg::CompareValues(x, v) == 0;
      if (!dup) m->each.push_back(std::move(v));
    }
  } else {
    m->each.push_back(agg::Value::FromElement(f));
  }
  return ModifierPtr(m);
}

StatusWith<ModifierPtr> ParsePop(const BsonElement& f, const ModifierParseContext&) {
  if (!f.IsNumber()) {
    return Status(ErrorCode::kFailedToParse, "Expected a number in: " + std::string(f.field_name()) + ": " +
                                                 bson::ElementValueToShellString(f));
  }
  double d = f.NumberDouble();
  if (d != 1 && d != -1) {
    return Status(ErrorCode::kFailedToParse, "$pop expects 1 or -1, found: " + bson::ElementValueToShellString(f));
  }
  return ModifierPtr(std::make_shared<PopModifier>(d < 0));
}

StatusWith<ModifierPtr> ParsePull(const BsonElement& f, const ModifierParseContext&) {
  auto m = std::make_shared<PullModifier>();
  if (f.type() == BsonType::kObject) {
    bson::BsonBuilder b;
    std::string_view first = f.Object().FirstElement().field_name();
    bool operators = !first.empty() && first[0] == '$' && first != "$and" && first != "$or" &&
                     first != "$nor" && first != "$expr" && first != "$where" && first != "$text";
    if (operators) {
      b.AppendElementAs("x", f);
      bson::BsonDocument filter = b.Done();
      DDS_ASSIGN_OR_RETURN(std::unique_ptr<query::MatchExpression> mx, query::ParseMatchExpression(filter));
      m->value_matcher = std::move(mx);
    } else {
      DDS_ASSIGN_OR_RETURN(std::unique_ptr<query::MatchExpression> mx, query::ParseMatchExpression(f.Object()));
      m->doc_matcher = std::move(mx);
    }
  } else if (f.type() == BsonType::kRegex) {
    bson::BsonBuilder b;
    b.AppendElementAs("x", f);
    bson::BsonDocument filter = b.Done();
    DDS_ASSIGN_OR_RETURN(std::unique_ptr<query::MatchExpression> mx, query::ParseMatchExpression(filter));
    m->value_matcher = std::move(mx);
  } else {
    m->values.push_back(agg::Value::FromElement(f));
  }
  return ModifierPtr(m);
}

StatusWith<ModifierPtr> ParsePullAll(const BsonElement& f, const ModifierParseContext&) {
  if (f.type() != BsonType::kArray) {
    return Status(ErrorCode::kBadValue, "$pullAll requires an array argument but was given a " +
                                            std::string(bson::TypeAlias(f.type())));
  }
  auto m = std::make_shared<PullModifier>();
  m->op = "$pullAll";
  m->values = EachValues(f);
  return ModifierPtr(m);
}

StatusWith<ModifierPtr> ParseBit(const BsonElement& f, const ModifierParseContext&) {
  if (f.type() != BsonType::kObject) {
    return Status(ErrorCode::kBadValue, "The $bit modifier is not compatible with a " + std::string(bson::TypeAlias(f.type())) +
                                            ". You must pass in an embedded document: {$bit: {field: {and/or/xor: #}}");
  }
  auto m = std::make_shared<BitModifier>();
  for (const BsonElement& op : f.Object()) {
    std::string_view n = op.field_name();
    int code = n == "and" ? 0 : n == "or" ? 1 : n == "xor" ? 2 : -1;
    if (code < 0) {
      return Status(ErrorCode::kBadValue, "The $bit modifier only supports 'and', 'or', and 'xor', not '" + std::string(n) +
                                              "' which is an unknown operator: {" + std::string(n) + ": " +
                                              bson::ElementValueToShellString(op) + "}");
    }
    if (op.type() != BsonType::kInt32 && op.type() != BsonType::kInt64) {
      return Status(ErrorCode::kBadValue, "The $bit modifier field must be an Integer(32/64 bit); a '" +
                                              std::string(bson::TypeAlias(op.type())) + "' is not supported here: {" +
                                              std::string(n) + ": " + bson::ElementValueToShellString(op) + "}");
    }
    m->ops.emplace_back(code, agg::Value::FromElement(op));
  }
  if (m->ops.empty()) {
    return Status(ErrorCode::kBadValue, "You must pass in at least one bitwise operation. The format is: {$bit: {field: {and/or/xor: #}}");
  }
  return ModifierPtr(m);
}

}  // namespace dds::update
