// $jsonSchema (compat §3.1, P2): the draft-4 subset mongod supports plus `bsonType`. Keywords
// apply only to instances of their type (e.g. `minimum` ignores strings), as JSON Schema says.
// Unsupported keywords ($ref, $schema, default, definitions, format, id) are FailedToParse, as
// in mongod's json_schema_parser.cpp.
#include <cmath>
#include <set>

#include "query/match_parser_internal.h"

namespace dds::query {
namespace {

using bson::BsonElement;
using bson::BsonType;

struct SchemaNode {
  std::vector<BsonType> types;  // from bsonType / type; empty = any
  bool any_number = false;
  bool has_type = false;
  std::vector<std::string> required;
  std::vector<std::pair<std::string, std::shared_ptr<SchemaNode>>> properties;
  std::vector<std::pair<std::shared_ptr<const Regex>, std::shared_ptr<SchemaNode>>> pattern_properties;
  std::optional<bool> additional_properties_allowed;
  std::shared_ptr<SchemaNode> additional_properties;
  std::optional<int64_t> min_properties, max_properties;
  std::optional<double> minimum, maximum, multiple_of;
  bool exclusive_minimum = false, exclusive_maximum = false;
  std::optional<int64_t> min_length, max_length;
  std::shared_ptr<const Regex> pattern;
  std::optional<int64_t> min_items, max_items;
  bool unique_items = false;
  std::shared_ptr<SchemaNode> items;                     // one schema for every item
  std::vector<std::shared_ptr<SchemaNode>> items_tuple;  // positional schemas
  std::optional<bool> additional_items_allowed;
  std::shared_ptr<SchemaNode> additional_items;
  std::optional<bson::BsonDocument> enum_values;  // array document
  std::vector<std::shared_ptr<SchemaNode>> all_of, any_of, one_of;
  std::shared_ptr<SchemaNode> not_schema;
  std::vector<std::pair<std::string, std::vector<std::string>>> property_dependencies;
  std::vector<std::pair<std::string, std::shared_ptr<SchemaNode>>> schema_dependencies;
};

Status Fail(const std::string& msg) { return Status(ErrorCode::kFailedToParse, msg); }
Status Mismatch(const std::string& msg) { return Status(ErrorCode::kTypeMismatch, msg); }

StatusWith<int64_t> NonNegative(const BsonElement& e) {
  std::optional<int64_t> v = e.IsNumber() ? e.ExactInt64() : std::nullopt;
  if (!v || *v < 0) {
    return Status(ErrorCode::kFailedToParse, "$jsonSchema keyword '" + std::string(e.field_name()) +
                                                 "' must be a representable non-negative integer");
  }
  return *v;
}

Status AddJsonType(std::string_view name, SchemaNode* n) {
  if (name == "object") n->types.push_back(BsonType::kObject);
  else if (name == "array") n->types.push_back(BsonType::kArray);
  else if (name == "number") n->any_number = true;
  else if (name == "boolean") n->types.push_back(BsonType::kBool);
  else if (name == "string") n->types.push_back(BsonType::kString);
  else if (name == "null") n->types.push_back(BsonType::kNull);
  else if (name == "integer") return Status(ErrorCode::kBadValue, "$jsonSchema type 'integer' is not currently supported.");
  else return Status(ErrorCode::kBadValue, "Unknown type name alias: " + std::string(name));
  return Status::OK();
}

Status AddBsonType(std::string_view name, SchemaNode* n) {
  if (name == "number") {
    n->any_number = true;
    return Status::OK();
  }
  static constexpr BsonType kAll[] = {
      BsonType::kDouble,  BsonType::kString,    BsonType::kObject,     BsonType::kArray,   BsonType::kBinData,
      BsonType::kUndefined, BsonType::kObjectId, BsonType::kBool,      BsonType::kDate,    BsonType::kNull,
      BsonType::kRegex,   BsonType::kDbPointer, BsonType::kJavaScript, BsonType::kSymbol,  BsonType::kJavaScriptWithScope,
      BsonType::kInt32,   BsonType::kTimestamp, BsonType::kInt64,      BsonType::kDecimal128, BsonType::kMinKey,
      BsonType::kMaxKey};
  for (BsonType t : kAll) {
    if (bson::TypeAlias(t) == name) {
      n->types.push_back(t);
      return Status::OK();
    }
  }
  return Status(ErrorCode::kBadValue, "Unknown type name alias: " + std::string(name));
}

StatusWith<std::shared_ptr<SchemaNode>> ParseSchema(const bson::BsonView& schema, int depth);

StatusWith<std::vector<std::shared_ptr<SchemaNode>>> ParseSchemaArray(const BsonElement& e, int depth) {
  if (e.type() != BsonType::kArray) {
    return Mismatch("$jsonSchema keyword '" + std::string(e.field_name()) + "' must be an array");
  }
  if (e.Array().empty()) {
    return Fail("$jsonSchema keyword '" + std::string(e.field_name()) + "' must be a nonempty array");
  }
  std::vector<std::shared_ptr<SchemaNode>> out;
  for (const BsonElement& s : e.Array()) {
    if (s.type() != BsonType::kObject) {
      return Mismatch("$jsonSchema keyword '" + std::string(e.field_name()) + "' must be an array of objects");
    }
    DDS_ASSIGN_OR_RETURN(std::shared_ptr<SchemaNode> n, ParseSchema(s.Object(), depth + 1));
    out.push_back(std::move(n));
  }
  return out;
}

StatusWith<std::shared_ptr<SchemaNode>> ParseSchema(const bson::BsonView& schema, int depth) {
  if (depth > 100) return Fail("$jsonSchema is nested too deeply");
  auto n = std::make_shared<SchemaNode>();
  bool has_bson_type = false, has_json_type = false;
  for (const BsonElement& e : schema) {
    std::string_view k = e.field_name();
    auto need_object = [&]() -> Status {
      if (e.type() != BsonType::kObject) return Mismatch("$jsonSchema keyword '" + std::string(k) + "' must be an object");
      return Status::OK();
    };
    if (k == "bsonType" || k == "type") {
      bool bson_type = k == "bsonType";
      (bson_type ? has_bson_type : has_json_type) = true;
      n->has_type = true;
      auto add = [&](const BsonElement& t) -> Status {
        if (t.type() != BsonType::kString) {
          return Status(ErrorCode::kTypeMismatch, "$jsonSchema keyword '" + std::string(k) + "' must be a string or an array of strings");
        }
        return bson_type ? AddBsonType(t.String(), n.get()) : AddJsonType(t.String(), n.get());
      };
      if (e.type() == BsonType::kArray) {
        for (const BsonElement& t : e.Array()) DDS_RETURN_IF_ERROR(add(t));
      } else {
        DDS_RETURN_IF_ERROR(add(e));
      }
    } else if (k == "required") {
      // mongod's parseRequired: type errors are TypeMismatch, empty or duplicates FailedToParse.
      if (e.type() != BsonType::kArray) return Mismatch("$jsonSchema keyword 'required' must be an array");
      for (const BsonElement& r : e.Array()) {
        if (r.type() != BsonType::kString) return Mismatch("$jsonSchema keyword 'required' must be an array of strings");
        for (const std::string& seen : n->required) {
          if (seen == r.String()) return Fail("$jsonSchema keyword 'required' array cannot contain duplicate values");
        }
        n->required.emplace_back(r.String());
      }
      if (n->required.empty()) return Fail("$jsonSchema keyword 'required' cannot be an empty array");
    } else if (k == "properties") {
      DDS_RETURN_IF_ERROR(need_object());
      for (const BsonElement& p : e.Object()) {
        if (p.type() != BsonType::kObject) return Mismatch("Nested schema for $jsonSchema property '" + std::string(p.field_name()) + "' must be an object");
        DDS_ASSIGN_OR_RETURN(std::shared_ptr<SchemaNode> sub, ParseSchema(p.Object(), depth + 1));
        n->properties.emplace_back(std::string(p.field_name()), std::move(sub));
      }
    } else if (k == "patternProperties") {
      DDS_RETURN_IF_ERROR(need_object());
      for (const BsonElement& p : e.Object()) {
        if (p.type() != BsonType::kObject) return Mismatch("$jsonSchema keyword 'patternProperties' has property '" + std::string(p.field_name()) + "' which is not an object");
        DDS_ASSIGN_OR_RETURN(std::shared_ptr<const Regex> re, Regex::Compile(p.field_name(), ""));
        DDS_ASSIGN_OR_RETURN(std::shared_ptr<SchemaNode> sub, ParseSchema(p.Object(), depth + 1));
        n->pattern_properties.emplace_back(std::move(re), std::move(sub));
      }
    } else if (k == "additionalProperties" || k == "additionalItems") {
      bool props = k == "additionalProperties";
      if (e.type() == BsonType::kBool) {
        (props ? n->additional_properties_allowed : n->additional_items_allowed) = e.Bool();
      } else if (e.type() == BsonType::kObject) {
        DDS_ASSIGN_OR_RETURN(std::shared_ptr<SchemaNode> sub, ParseSchema(e.Object(), depth + 1));
        (props ? n->additional_properties : n->additional_items) = std::move(sub);
      } else {
        return Mismatch("$jsonSchema keyword '" + std::string(k) + "' must be an object or a boolean");
      }
    } else if (k == "minProperties" || k == "maxProperties" || k == "minLength" || k == "maxLength" ||
               k == "minItems" || k == "maxItems") {
      DDS_ASSIGN_OR_RETURN(int64_t v, NonNegative(e));
      if (k == "minProperties") n->min_properties = v;
      else if (k == "maxProperties") n->max_properties = v;
      else if (k == "minLength") n->min_length = v;
      else if (k == "maxLength") n->max_length = v;
      else if (k == "minItems") n->min_items = v;
      else n->max_items = v;
    } else if (k == "minimum" || k == "maximum" || k == "multipleOf") {
      if (!e.IsNumber()) return Status(ErrorCode::kTypeMismatch, "$jsonSchema keyword '" + std::string(k) + "' must be a number");
      if (k == "minimum") n->minimum = e.NumberDouble();
      else if (k == "maximum") n->maximum = e.NumberDouble();
      else {
        if (e.NumberDouble() <= 0) return Fail("$jsonSchema keyword 'multipleOf' must have a positive value");
        n->multiple_of = e.NumberDouble();
      }
    } else if (k == "exclusiveMinimum" || k == "exclusiveMaximum") {
      if (e.type() != BsonType::kBool) return Status(ErrorCode::kTypeMismatch, "$jsonSchema keyword '" + std::string(k) + "' must be a boolean");
      (k == "exclusiveMinimum" ? n->exclusive_minimum : n->exclusive_maximum) = e.Bool();
    } else if (k == "pattern") {
      if (e.type() != BsonType::kString) return Status(ErrorCode::kTypeMismatch, "$jsonSchema keyword 'pattern' must be a string");
      DDS_ASSIGN_OR_RETURN(n->pattern, Regex::Compile(e.String(), ""));
    } else if (k == "uniqueItems") {
      if (e.type() != BsonType::kBool) return Status(ErrorCode::kTypeMismatch, "$jsonSchema keyword 'uniqueItems' must be a boolean");
      n->unique_items = e.Bool();
    } else if (k == "items") {
      if (e.type() == BsonType::kObject) {
        DDS_ASSIGN_OR_RETURN(n->items, ParseSchema(e.Object(), depth + 1));
      } else if (e.type() == BsonType::kArray) {
        DDS_ASSIGN_OR_RETURN(n->items_tuple, ParseSchemaArray(e, depth));
      } else {
        return Mismatch("$jsonSchema keyword 'items' must be an array or an object");
      }
    } else if (k == "enum") {
      if (e.type() != BsonType::kArray) return Mismatch("$jsonSchema keyword 'enum' must be an array");
      if (e.Array().empty()) return Fail("$jsonSchema keyword 'enum' cannot be an empty array");
      n->enum_values = bson::BsonDocument(e.Array());
    } else if (k == "allOf" || k == "anyOf" || k == "oneOf") {
      DDS_ASSIGN_OR_RETURN(auto list, ParseSchemaArray(e, depth));
      (k == "allOf" ? n->all_of : k == "anyOf" ? n->any_of : n->one_of) = std::move(list);
    } else if (k == "not") {
      DDS_RETURN_IF_ERROR(need_object());
      DDS_ASSIGN_OR_RETURN(n->not_schema, ParseSchema(e.Object(), depth + 1));
    } else if (k == "dependencies") {
      DDS_RETURN_IF_ERROR(need_object());
      for (const BsonElement& d : e.Object()) {
        if (d.type() == BsonType::kObject) {
          DDS_ASSIGN_OR_RETURN(std::shared_ptr<SchemaNode> sub, ParseSchema(d.Object(), depth + 1));
          n->schema_dependencies.emplace_back(std::string(d.field_name()), std::move(sub));
        } else if (d.type() == BsonType::kArray) {
          std::vector<std::string> names;
          for (const BsonElement& x : d.Array()) {
            if (x.type() != BsonType::kString) return Mismatch("array '" + std::string(d.field_name()) + "' in $jsonSchema keyword 'dependencies' can only contain strings");
            names.emplace_back(x.String());
          }
          n->property_dependencies.emplace_back(std::string(d.field_name()), std::move(names));
        } else {
          return Mismatch("property '" + std::string(d.field_name()) + "' in $jsonSchema keyword 'dependencies' must be either an object or an array");
        }
      }
    } else if (k == "title" || k == "description") {
      if (e.type() != BsonType::kString) return Status(ErrorCode::kTypeMismatch, "$jsonSchema keyword '" + std::string(k) + "' must be a string");
    } else if (k == "$ref" || k == "$schema" || k == "default" || k == "definitions" || k == "format" || k == "id") {
      return Fail("$jsonSchema keyword '" + std::string(k) + "' is not currently supported");
    } else {
      return Fail("Unknown $jsonSchema keyword: " + std::string(k));
    }
  }
  if (has_bson_type && has_json_type) return Fail("Cannot specify both $jsonSchema keywords 'type' and 'bsonType'");
  return n;
}

bool Validate(const SchemaNode& n, const BsonElement& e);

bool ValidateObject(const SchemaNode& n, const bson::BsonView& obj) {
  for (const std::string& r : n.required) {
    if (!obj.HasField(r)) return false;
  }
  int64_t count = 0;
  for (const BsonElement& f : obj) {
    ++count;
    std::string_view name = f.field_name();
    bool covered = false;
    for (const auto& [pname, schema] : n.properties) {
      if (pname == name) {
        covered = true;
        if (!Validate(*schema, f)) return false;
      }
    }
    for (const auto& [re, schema] : n.pattern_properties) {
      if (re->Matches(name)) {
        covered = true;
        if (!Validate(*schema, f)) return false;
      }
    }
    if (!covered) {
      if (n.additional_properties_allowed == false) return false;
      if (n.additional_properties && !Validate(*n.additional_properties, f)) return false;
    }
  }
  if (n.min_properties && count < *n.min_properties) return false;
  if (n.max_properties && count > *n.max_properties) return false;
  for (const auto& [name, deps] : n.property_dependencies) {
    if (!obj.HasField(name)) continue;
    for (const std::string& d : deps) {
      if (!obj.HasField(d)) return false;
    }
  }
  return true;
}

bool Validate(const SchemaNode& n, const BsonElement& e) {
  BsonType t = e.type();
  if (n.has_type) {
    bool ok = n.any_number && e.IsNumber();
    for (BsonType x : n.types) ok = ok || x == t;
    if (!ok) return false;
  }
  if (e.IsNumber()) {
    double v = e.NumberDouble();
    if (n.minimum && (n.exclusive_minimum ? !(v > *n.minimum) : !(v >= *n.minimum))) return false;
    if (n.maximum && (n.exclusive_maximum ? !(v < *n.maximum) : !(v <= *n.maximum))) return false;
    if (n.multiple_of && std::fmod(v, *n.multiple_of) != 0) return false;
  }
  if (t == BsonType::kString) {
    int64_t cps = 0;
    for (char c : e.String()) cps += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (n.min_length && cps < *n.min_length) return false;
    if (n.max_length && cps > *n.max_length) return false;
    if (n.pattern && !n.pattern->Matches(e.String())) return false;
  }
  if (t == BsonType::kObject) {
    if (!ValidateObject(n, e.Object())) return false;
    for (const auto& [name, schema] : n.schema_dependencies) {
      if (e.Object().HasField(name)) {
        // Schema dependencies validate the whole object.
        if (!Validate(*schema, e)) return false;
      }
    }
  }
  if (t == BsonType::kArray) {
    std::vector<BsonElement> items;
    for (const BsonElement& x : e.Array()) items.push_back(x);
    int64_t size = static_cast<int64_t>(items.size());
    if (n.min_items && size < *n.min_items) return false;
    if (n.max_items && size > *n.max_items) return false;
    if (n.unique_items) {
      for (size_t i = 0; i < items.size(); ++i) {
        for (size_t j = i + 1; j < items.size(); ++j) {
          if (bson::CompareElementValues(items[i], items[j]) == 0) return false;
        }
      }
    }
    if (n.items) {
      for (const BsonElement& x : items) {
        if (!Validate(*n.items, x)) return false;
      }
    }
    if (!n.items_tuple.empty()) {
      for (size_t i = 0; i < items.size(); ++i) {
        if (i < n.items_tuple.size()) {
          if (!Validate(*n.items_tuple[i], items[i])) return false;
        } else {
          if (n.additional_items_allowed == false) return false;
          if (n.additional_items && !Validate(*n.additional_items, items[i])) return false;
        }
      }
    }
  }
  if (n.enum_values) {
    bool found = false;
    for (const BsonElement& v : n.enum_values->view()) found = found || bson::CompareElementValues(v, e) == 0;
    if (!found) return false;
  }
  for (const auto& s : n.all_of) {
    if (!Validate(*s, e)) return false;
  }
  if (!n.any_of.empty()) {
    bool any = false;
    for (const auto& s : n.any_of) any = any || Validate(*s, e);
    if (!any) return false;
  }
  if (!n.one_of.empty()) {
    int matched = 0;
    for (const auto& s : n.one_of) matched += Validate(*s, e) ? 1 : 0;
    if (matched != 1) return false;
  }
  if (n.not_schema && Validate(*n.not_schema, e)) return false;
  return true;
}

class JsonSchemaMatch : public MatchExpression {
 public:
  explicit JsonSchemaMatch(std::shared_ptr<const SchemaNode> root) : root_(std::move(root)) {}
  MatchKind kind() const override { return MatchKind::kJsonSchema; }
  bool Matches(const bson::BsonView& doc, MatchDetails*) const override {
    bson::BsonBuilder b(static_cast<size_t>(doc.size()) + 8);
    b.AppendDocument("", doc);
    bson::BsonDocument holder = b.Done();
    return Validate(*root_, holder.view().FirstElement());
  }
  std::string DebugString() const override { return "$jsonSchema"; }

 private:
  std::shared_ptr<const SchemaNode> root_;
};

}  // namespace

StatusWith<MatchNodePtr> ParseJsonSchema(const MatchOperatorArgs& a) {
  if (a.operand.type() != BsonType::kObject) {
    return Status(ErrorCode::kTypeMismatch, "$jsonSchema must be an object");
  }
  DDS_ASSIGN_OR_RETURN(std::shared_ptr<SchemaNode> root, ParseSchema(a.operand.Object(), 0));
  return MatchNodePtr(std::make_unique<JsonSchemaMatch>(std::move(root)));
}

}  // namespace dds::query
