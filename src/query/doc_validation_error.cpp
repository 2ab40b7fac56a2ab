#include "query/doc_validation_error.h"

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bson/bson.h"
#include "common/status.h"
#include "query/expression_hook.h"
#include "query/match_parser.h"
#include "query/path.h"
#include "query/regex.h"

namespace dds::query {
namespace {

using bson::BsonBuilder;
using bson::BsonDocument;
using bson::BsonElement;
using bson::BsonType;
using bson::BsonView;
using Details = std::vector<BsonDocument>;

// mongod's internalQueryMaxDocValidationErrorConsideredValues default.
constexpr size_t kMaxConsideredValues = 10;
// mongod's maximum size of a generated error (3/4 of the 16 MiB user object limit).
constexpr int64_t kMaxDetailsBytes = 12 * 1024 * 1024;

// True if `filter` matches `doc`; an evaluation error counts as no match (as in mongod's
// checkValidation, where a throwing validator fails the document).
bool Eval(const BsonView& filter, const BsonView& doc) {
  try {
    StatusWith<std::unique_ptr<MatchExpression>> parsed = ParseMatchExpression(filter);
    return parsed.ok() && parsed.value()->Matches(doc);
  } catch (const DbException&) {
    return false;
  }
}

BsonDocument One(std::string_view name, const BsonElement& value) {
  BsonBuilder b;
  b.AppendElementAs(name, value);
  return b.Done();
}

void AppendArrayOf(BsonBuilder* b, std::string_view name, const Details& items) {
  b->StartArray(name);
  for (size_t i = 0; i < items.size(); ++i) b->AppendDocument(bson::IndexName(i), items[i]);
  b->End();
}

void AppendStrings(BsonBuilder* b, std::string_view name, const std::set<std::string>& items) {
  b->StartArray(name);
  size_t i = 0;
  for (const std::string& s : items) b->AppendString(bson::IndexName(i++), s);
  b->End();
}

// ---------------------------------------------------------------------------------------------
// Leaf operators of the query language.

struct Values {
  bool missing = true;
  std::vector<BsonElement> items;
  bool truncated = false;
};

// The values `path` reaches in `doc` (mongod's createValuesArray).
Values CollectValues(const BsonView& doc, const std::string& path, LeafArrayBehavior leaf) {
  Values v;
  FieldPath fp(path);
  VisitPath(doc, fp, leaf, [&](const BsonElement& e, const BsonElement&) {
    if (e.eoo()) return false;
    if (v.items.size() >= kMaxConsideredValues) {
      v.truncated = true;
      return true;
    }
    v.items.push_back(e);
    return false;
  });
  if (!v.items.empty()) {
    v.missing = false;
  } else {
    // An empty leaf array yields nothing but the path exists.
    VisitPath(doc, fp, LeafArrayBehavior::kTraverse, [&](const BsonElement& e, const BsonElement&) {
      if (!e.eoo()) v.missing = false;
      return !e.eoo();
    });
  }
  return v;
}

void AppendConsideredValues(BsonBuilder* b, const Values& v) {
  if (v.missing) return;
  if (v.items.size() == 1) {
    b->AppendElementAs("consideredValue", v.items[0]);
  } else {
    b->StartArray("consideredValues");
    for (size_t i = 0; i < v.items.size(); ++i) b->AppendElementAs(bson::IndexName(i), v.items[i]);
    b->End();
  }
  if (v.truncated) b->AppendBool("consideredValuesTruncated", true);
}

void AppendConsideredTypes(BsonBuilder* b, const Values& v) {
  if (v.missing || v.items.empty()) return;
  std::set<std::string> types;
  for (const BsonElement& e : v.items) types.emplace(bson::TypeAlias(e.type()));
  if (types.size() == 1) {
    b->AppendString("consideredType", *types.begin());
  } else {
    AppendStrings(b, "consideredTypes", types);
  }
}

const std::set<BsonType> kNumberTypes = {BsonType::kDouble, BsonType::kInt32, BsonType::kInt64,
                                         BsonType::kDecimal128};

struct LeafInfo {
  std::string_view normal;
  std::string_view inverted;
  const std::set<BsonType>* expected = nullptr;
  LeafArrayBehavior leaf = LeafArrayBehavior::kTraverseOmitArray;
};

// mongod's reason strings per operator (ValidationErrorPreVisitor).
std::optional<LeafInfo> LeafFor(std::string_view op) {
  static const std::set<BsonType> kRegexTypes = {BsonType::kString, BsonType::kSymbol,
                                                 BsonType::kRegex};
  static const std::set<BsonType> kArray = {BsonType::kArray};
  static const std::set<BsonType> kBitsTypes = {BsonType::kDouble, BsonType::kInt32,
                                                BsonType::kInt64, BsonType::kDecimal128,
                                                BsonType::kBinData};
  if (op == "$eq" || op == "$gt" || op == "$gte" || op == "$lt" || op == "$lte") {
    return LeafInfo{"comparison failed", "comparison succeeded"};
  }
  // $ne, $nin and {$exists: false} are negations in mongod; reported here as leaves.
  if (op == "$ne") return LeafInfo{"comparison succeeded", "comparison failed"};
  if (op == "$in") return LeafInfo{"no matching value found in array", "matching value found in array"};
  if (op == "$nin") return LeafInfo{"matching value found in array", "no matching value found in array"};
  if (op == "$regex") {
    return LeafInfo{"regular expression did not match", "regular expression did match", &kRegexTypes};
  }
  if (op == "$mod") {
    return LeafInfo{"$mod did not evaluate to expected remainder",
                    "$mod did evaluate to expected remainder", &kNumberTypes};
  }
  if (op == "$size") {
    return LeafInfo{"array length was not equal to given size",
                    "array length was equal to given size", &kArray, LeafArrayBehavior::kNoTraversal};
  }
  if (op == "$elemMatch") {
    return LeafInfo{"array did not satisfy the child predicate",
                    "array did satisfy the child predicate", &kArray, LeafArrayBehavior::kNoTraversal};
  }
  if (op == "$all") {
    return LeafInfo{"array did not contain all specified values",
                    "array did contain all specified values", nullptr,
                    LeafArrayBehavior::kNoTraversal};
  }
  if (op == "$bitsAllSet" || op == "$bitsAllClear" || op == "$bitsAnySet" ||
      op == "$bitsAnyClear") {
    return LeafInfo{"bitwise operator failed to match", "bitwise operator matched successfully",
                    &kBitsTypes};
  }
  return std::nullopt;
}

// A path leaf: comparison, $in, $regex, $mod, $size, $elemMatch, $all, bits (generatePathError).
BsonDocument PathLeafError(std::string_view op, const std::string& path, const BsonDocument& spec,
                           const BsonView& doc, bool inverted) {
  BsonBuilder b;
  b.AppendString("operatorName", op);
  b.AppendDocument("specifiedAs", spec);
  if (op == "$exists") {
    // {$exists: false} is a negated $exists: the reason flips.
    bool want = spec.view().FirstElement().Object().FirstElement().TrueValue();
    bool normal = want != inverted;
    b.AppendString("reason", normal ? "path does not exist" : "path does exist");
    return b.Done();
  }
  if (op == "$type") {
    Values v = CollectValues(doc, path, LeafArrayBehavior::kTraverseOmitArray);
    b.AppendString("reason", v.missing ? "field was missing"
                                       : (inverted ? "type did match" : "type did not match"));
    AppendConsideredValues(&b, v);
    AppendConsideredTypes(&b, v);
    return b.Done();
  }
  std::optional<LeafInfo> info = LeafFor(op);
  if (!info) info = LeafInfo{"comparison failed", "comparison succeeded"};
  Values v = CollectValues(doc, path, info->leaf);
  bool has_reason = false;
  if (v.missing) {
    b.AppendString("reason", "field was missing");
    has_reason = true;
  } else if (info->expected != nullptr) {
    bool any = false;
    for (const BsonElement& e : v.items) any = any || info->expected->count(e.type()) > 0;
    if (!any) {
      b.AppendString("reason", "type did not match");
      AppendConsideredTypes(&b, v);
      std::set<std::string> names;
      for (BsonType t : *info->expected) names.emplace(bson::TypeAlias(t));
      if (names.size() == 1) {
        b.AppendString("expectedType", *names.begin());
      } else {
        AppendStrings(&b, "expectedTypes", names);
      }
      has_reason = true;
    }
  }
  if (!has_reason) b.AppendString("reason", inverted ? info->inverted : info->normal);
  AppendConsideredValues(&b, v);
  return b.Done();
}

// ---------------------------------------------------------------------------------------------
// Clauses: the validator split the way mongod's parser splits it into an implicit $and.

struct Clause {
  std::string op;    // "$and", "$gt", "$eq" (implicit equality), "$regex", ...
  std::string path;  // "" for top-level operators
  BsonDocument spec;  // the clause as a standalone filter (also its `specifiedAs`)
};

std::vector<Clause> SplitClauses(const BsonView& filter) {
  std::vector<Clause> out;
  for (const BsonElement& e : filter) {
    std::string_view name = e.field_name();
    if (!name.empty() && name[0] == '$') {
      if (name == "$comment") continue;
      out.push_back({std::string(name), "", One(name, e)});
      continue;
    }
    std::string path(name);
    if (e.type() == BsonType::kRegex) {
      out.push_back({"$regex", path, One(name, e)});
      continue;
    }
    BsonElement first = e.IsObject() ? e.Object().FirstElement() : BsonElement();
    bool ops = !first.eoo() && !first.field_name().empty() && first.field_name()[0] == '$' &&
               first.field_name() != "$ref" && first.field_name() != "$id" &&
               first.field_name() != "$db";
    if (!ops) {
      out.push_back({"$eq", path, One(name, e)});
      continue;
    }
    BsonView obj = e.Object();
    for (const BsonElement& op : obj) {
      std::string_view op_name = op.field_name();
      if (op_name == "$options") continue;  // reported with its $regex
      BsonBuilder b;
      b.StartDocument(name);
      b.AppendElement(op);
      if (op_name == "$regex" && obj.HasField("$options")) b.AppendElement(obj["$options"]);
      b.End();
      out.push_back({std::string(op_name), path, b.Done()});
    }
  }
  return out;
}

BsonDocument TreeError(const BsonView& filter, const BsonView& doc, bool inverted);
BsonDocument ClauseError(const Clause& c, const BsonView& doc, bool inverted);
BsonDocument JsonSchemaError(const BsonView& schema, const BsonView& doc, bool inverted);

// $and / $or / $nor (and the implicit $and): the clauses that explain the outcome, with their
// indexes (finishLogicalOperatorChildError).
BsonDocument ListError(std::string_view op, const std::vector<BsonDocument>& children_specs,
                       const std::vector<Clause>* clauses, const BsonView& doc, bool inverted) {
  const bool is_nor = op == "$nor";
  // Which children report, and in which sense.
  const bool child_inverted = is_nor ? !inverted : inverted;
  BsonBuilder b;
  b.AppendString("operatorName", op);
  // A $nor flips the sense before it reports (mongod: clausesSatisfied for a failing $nor).
  b.StartArray(child_inverted ? "clausesSatisfied" : "clausesNotSatisfied");
  size_t n = 0;
  for (size_t i = 0; i < children_specs.size(); ++i) {
    const BsonView spec = children_specs[i].view();
    bool report;
    if (op == "$or") {
      report = !inverted || Eval(spec, doc);
    } else if (is_nor) {
      report = inverted || Eval(spec, doc);
    } else {  // $and
      report = inverted || !Eval(spec, doc);
    }
    if (!report) continue;
    b.StartDocument(bson::IndexName(n++));
    b.AppendInt32("index", static_cast<int32_t>(i));
    BsonDocument child = clauses != nullptr ? ClauseError((*clauses)[i], doc, child_inverted)
                                            : TreeError(spec, doc, child_inverted);
    b.AppendDocument("details", child);
    b.End();
  }
  b.End();
  return b.Done();
}

BsonDocument TreeError(const BsonView& filter, const BsonView& doc, bool inverted) {
  std::vector<Clause> clauses = SplitClauses(filter);
  if (clauses.size() == 1) return ClauseError(clauses[0], doc, inverted);
  std::vector<BsonDocument> specs;
  for (const Clause& c : clauses) specs.push_back(c.spec);
  return ListError("$and", specs, &clauses, doc, inverted);
}

BsonDocument ExprError(const BsonElement& operand, const BsonDocument& spec, const BsonView& doc,
                       bool inverted) {
  BsonBuilder b;
  b.AppendString("operatorName", "$expr");
  b.AppendDocument("specifiedAs", spec);
  ExpressionCompiler compiler = GetExpressionCompiler();
  Status failure = Status::OK();
  BsonDocument value;
  if (compiler == nullptr) {
    failure = Status(ErrorCode::kNotImplemented, "$expr is not available in this build");
  } else {
    try {
      StatusWith<std::shared_ptr<const CompiledExpression>> expr = compiler(operand, BsonView());
      if (expr.ok()) {
        value = expr.value()->Evaluate(doc);
      } else {
        failure = expr.status();
      }
    } catch (const DbException& ex) {
      failure = ex.status();
    }
  }
  if (!failure.ok()) {
    b.AppendString("reason", "failed to evaluate aggregation expression");
    b.StartDocument("details");
    b.AppendInt32("code", failure.code());
    b.AppendString("codeName", ErrorCodeName(failure.code()));
    b.AppendString("errmsg", failure.reason());
    b.End();
    return b.Done();
  }
  b.AppendString("reason", inverted ? "expression did match" : "expression did not match");
  BsonElement result = value.view().FirstElement();
  if (!result.eoo()) b.AppendElementAs("expressionResult", result);
  return b.Done();
}

BsonDocument ClauseError(const Clause& c, const BsonView& doc, bool inverted) {
  const BsonElement operand = c.spec.view().FirstElement();
  if (c.path.empty()) {
    if (c.op == "$and" || c.op == "$or" || c.op == "$nor") {
      std::vector<BsonDocument> specs;
      for (const BsonElement& e : operand.Array()) specs.emplace_back(e.Object());
      return ListError(c.op, specs, nullptr, doc, inverted);
    }
    if (c.op == "$jsonSchema") return JsonSchemaError(operand.Object(), doc, inverted);
    if (c.op == "$expr") return ExprError(operand, c.spec, doc, inverted);
    BsonBuilder b;  // $alwaysFalse / $alwaysTrue
    b.AppendString("operatorName", c.op);
    b.AppendDocument("specifiedAs", c.spec);
    b.AppendString("reason", inverted ? "expression always evaluates to true"
                                      : "expression always evaluates to false");
    return b.Done();
  }
  if (c.op == "$not") {
    // {path: {$not: <ops or regex>}}: the child is described in the opposite sense.
    const BsonElement arg = operand.Object().FirstElement();
    BsonBuilder b;
    b.AppendString("operatorName", "$not");
    b.AppendDocument("details", TreeError(One(c.path, arg), doc, !inverted));
    return b.Done();
  }
  return PathLeafError(c.op, c.path, c.spec, doc, inverted);
}

// ---------------------------------------------------------------------------------------------
// $jsonSchema: the keywords of one (sub)schema applied to one value.

// True if `value` satisfies the schema made of `keywords`.
bool SchemaMatches(const BsonView& keywords, const BsonElement& value) {
  BsonBuilder filter;
  filter.StartDocument("$jsonSchema").StartDocument("properties");
  filter.AppendDocument("v", keywords);
  filter.End().End();
  BsonBuilder doc;
  doc.AppendElementAs("v", value);
  return Eval(filter.Done(), doc.Done());
}

// The keywords `names` of `schema` (those present), as a schema of their own.
BsonDocument Subset(const BsonView& schema, std::initializer_list<std::string_view> names) {
  BsonBuilder b;
  for (std::string_view n : names) {
    BsonElement e = schema[n];
    if (!e.eoo()) b.AppendElement(e);
  }
  return b.Done();
}

void AppendAnnotations(BsonBuilder* b, const BsonView& schema) {
  for (std::string_view k : {"title", "description"}) {
    BsonElement e = schema[k];
    if (e.type() == BsonType::kString) b->AppendElement(e);
  }
}

Details SchemaErrors(const BsonView& schema, const BsonElement& value, bool root);

// {operatorName: <keyword>, specifiedAs: {<keywords>}, reason, consideredValue}.
BsonDocument KeywordError(std::string_view keyword, const BsonDocument& specified,
                          std::string_view reason, const BsonElement& value) {
  BsonBuilder b;
  b.AppendString("operatorName", keyword);
  b.AppendDocument("specifiedAs", specified);
  b.AppendString("reason", reason);
  b.AppendElementAs("consideredValue", value);
  return b.Done();
}

void ScalarKeywordErrors(const BsonView& s, const BsonElement& v, Details* out) {
  auto check = [&](std::string_view keyword, std::initializer_list<std::string_view> group,
                   std::string_view reason) {
    if (s[keyword].eoo()) return;
    BsonDocument sub = Subset(s, group);
    if (!SchemaMatches(sub, v)) out->push_back(KeywordError(keyword, sub, reason, v));
  };
  if (v.type() == BsonType::kString) {
    check("pattern", {"pattern"}, "regular expression did not match");
    check("maxLength", {"maxLength"}, "specified string length was not satisfied");
    check("minLength", {"minLength"}, "specified string length was not satisfied");
  }
  if (v.IsNumber()) {
    check("multipleOf", {"multipleOf"},
          "considered value is not a multiple of the specified value");
    // specifiedAs names exclusiveMaximum/exclusiveMinimum only when they are true.
    check("maximum", {"maximum", s["exclusiveMaximum"].TrueValue() ? "exclusiveMaximum" : ""},
          "comparison failed");
    check("minimum", {"minimum", s["exclusiveMinimum"].TrueValue() ? "exclusiveMinimum" : ""},
          "comparison failed");
  }
}

// Reports the first element of `arr`, from index `from` on, that `schema` rejects: {operatorName:
// `op`, <schema annotations>, reason, itemIndex, details}. Nothing when every one matches.
void FirstItemMismatch(std::string_view op, std::string_view reason, const BsonView& schema,
                       const BsonView& arr, size_t from, Details* out) {
  size_t i = 0;
  for (const BsonElement& x : arr) {
    if (i >= from && !SchemaMatches(schema, x)) {
      BsonBuilder b;
      b.AppendString("operatorName", op);
      AppendAnnotations(&b, schema);
      b.AppendString("reason", reason);
      b.AppendInt32("itemIndex", static_cast<int32_t>(i));
      AppendArrayOf(&b, "details", SchemaErrors(schema, x, false));
      out->push_back(b.Done());
      return;
    }
    ++i;
  }
}

void ArrayKeywordErrors(const BsonView& s, const BsonElement& v, Details* out) {
  if (v.type() != BsonType::kArray) return;
  BsonView arr = v.Array();
  for (std::string_view k : {"minItems", "maxItems"}) {
    if (s[k].eoo()) continue;
    BsonDocument sub = Subset(s, {k});
    if (SchemaMatches(sub, v)) continue;
    BsonBuilder b;
    b.AppendString("operatorName", k);
    b.AppendDocument("specifiedAs", sub);
    b.AppendString("reason", "array did not match specified length");
    b.AppendElementAs("consideredValue", v);
    b.AppendInt32("numberOfItems", arr.CountFields());
    out->push_back(b.Done());
  }
  if (s["uniqueItems"].TrueValue()) {
    std::vector<BsonElement> seen;
    for (const BsonElement& x : arr) {
      bool dup = false;
      for (const BsonElement& y : seen) dup = dup || bson::CompareElementValues(x, y) == 0;
      if (dup) {
        BsonBuilder b;
        b.AppendString("operatorName", "uniqueItems");
        b.AppendDocument("specifiedAs", Subset(s, {"uniqueItems"}));
        b.AppendString("reason", "found a duplicate item");
        b.AppendElementAs("consideredValue", v);
        b.AppendElementAs("duplicatedValue", x);
        out->push_back(b.Done());
        break;
      }
      seen.push_back(x);
    }
  }
  BsonElement items = s["items"];
  if (items.IsObject()) {
    FirstItemMismatch("items", "At least one item did not match the sub-schema", items.Object(),
                      arr, 0, out);
  } else if (items.IsArray()) {
    Details per_item;
    std::vector<BsonElement> schemas;
    for (const BsonElement& x : items.Array()) schemas.push_back(x);
    size_t i = 0;
    for (const BsonElement& x : arr) {
      if (i >= schemas.size()) break;
      if (!SchemaMatches(schemas[i].Object(), x)) {
        BsonBuilder b;
        b.AppendInt32("itemIndex", static_cast<int32_t>(i));
        AppendArrayOf(&b, "details", SchemaErrors(schemas[i].Object(), x, false));
        per_item.push_back(b.Done());
      }
      ++i;
    }
    if (!per_item.empty()) {
      BsonBuilder b;
      b.AppendString("operatorName", "items");
      AppendArrayOf(&b, "details", per_item);
      out->push_back(b.Done());
    }
    BsonElement additional = s["additionalItems"];
    if (additional.type() == BsonType::kBool && !additional.Bool() &&
        arr.CountFields() > static_cast<int>(schemas.size())) {
      BsonBuilder b;
      b.AppendString("operatorName", "additionalItems");
      b.AppendDocument("specifiedAs", One("additionalItems", additional));
      b.AppendString("reason", "found additional items");
      b.StartArray("additionalItems");
      size_t j = 0, k = 0;
      for (const BsonElement& x : arr) {
        if (j++ >= schemas.size()) b.AppendElementAs(bson::IndexName(k++), x);
      }
      b.End();
      out->push_back(b.Done());
    } else if (additional.IsObject()) {
      FirstItemMismatch("additionalItems",
                        "At least one additional item did not match the sub-schema",
                        additional.Object(), arr, schemas.size(), out);
    }
  }
}

bool IsDeclaredProperty(const BsonView& s, std::string_view name) {
  BsonElement props = s["properties"];
  if (props.IsObject() && props.Object().HasField(name)) return true;
  BsonElement patterns = s["patternProperties"];
  if (!patterns.IsObject()) return false;
  for (const BsonElement& p : patterns.Object()) {
    StatusWith<std::shared_ptr<const Regex>> re = Regex::Compile(p.field_name(), "");
    if (re.ok() && re.value()->Matches(name)) return true;
  }
  return false;
}

void ObjectKeywordErrors(const BsonView& s, const BsonElement& v, Details* out) {
  if (v.type() != BsonType::kObject) return;
  BsonView obj = v.Object();
  BsonElement props = s["properties"];
  if (props.IsObject()) {
    Details failed;
    for (const BsonElement& p : props.Object()) {
      BsonElement value = obj[p.field_name()];
      if (value.eoo() || !p.IsObject() || SchemaMatches(p.Object(), value)) continue;
      Details sub = SchemaErrors(p.Object(), value, false);
      if (sub.empty()) continue;
      BsonBuilder b;
      b.AppendString("propertyName", p.field_name());
      AppendAnnotations(&b, p.Object());
      AppendArrayOf(&b, "details", sub);
      failed.push_back(b.Done());
    }
    if (!failed.empty()) {
      BsonBuilder b;
      b.AppendString("operatorName", "properties");
      AppendArrayOf(&b, "propertiesNotSatisfied", failed);
      out->push_back(b.Done());
    }
  }
  BsonElement patterns = s["patternProperties"];
  BsonElement additional = s["additionalProperties"];
  if (additional.type() == BsonType::kBool && !additional.Bool()) {
    std::vector<std::string_view> extra;
    for (const BsonElement& f : obj) {
      if (!IsDeclaredProperty(s, f.field_name())) extra.push_back(f.field_name());
    }
    if (!extra.empty()) {
      BsonBuilder b;
      b.AppendString("operatorName", "additionalProperties");
      b.AppendDocument("specifiedAs", One("additionalProperties", additional));
      b.StartArray("additionalProperties");
      for (size_t i = 0; i < extra.size(); ++i) b.AppendString(bson::IndexName(i), extra[i]);
      b.End();
      out->push_back(b.Done());
    }
  } else if (additional.IsObject()) {
    for (const BsonElement& f : obj) {
      if (IsDeclaredProperty(s, f.field_name()) || SchemaMatches(additional.Object(), f)) continue;
      BsonBuilder b;
      b.AppendString("operatorName", "additionalProperties");
      AppendAnnotations(&b, additional.Object());
      b.AppendString("reason", "at least one additional property did not match the subschema");
      b.AppendString("failingProperty", f.field_name());
      AppendArrayOf(&b, "details", SchemaErrors(additional.Object(), f, false));
      out->push_back(b.Done());
      break;
    }
  }
  if (patterns.IsObject()) {
    Details failed;
    for (const BsonElement& p : patterns.Object()) {
      if (!p.IsObject()) continue;
      StatusWith<std::shared_ptr<const Regex>> re = Regex::Compile(p.field_name(), "");
      if (!re.ok()) continue;
      for (const BsonElement& f : obj) {
        if (!re.value()->Matches(f.field_name()) || SchemaMatches(p.Object(), f)) continue;
        BsonBuilder b;
        b.AppendString("propertyName", f.field_name());
        AppendAnnotations(&b, p.Object());
        b.AppendString("regexMatched", p.field_name());
        AppendArrayOf(&b, "details", SchemaErrors(p.Object(), f, false));
        failed.push_back(b.Done());
        break;
      }
    }
    if (!failed.empty()) {
      BsonBuilder b;
      b.AppendString("operatorName", "patternProperties");
      AppendArrayOf(&b, "details", failed);
      out->push_back(b.Done());
    }
  }
  BsonElement required = s["required"];
  if (required.IsArray()) {
    std::vector<std::string_view> missing;
    for (const BsonElement& r : required.Array()) {
      if (r.IsString() && !obj.HasField(r.String())) missing.push_back(r.String());
    }
    if (!missing.empty()) {
      BsonBuilder b;
      b.AppendString("operatorName", "required");
      b.AppendDocument("specifiedAs", One("required", required));
      b.StartArray("missingProperties");
      for (size_t i = 0; i < missing.size(); ++i) b.AppendString(bson::IndexName(i), missing[i]);
      b.End();
      out->push_back(b.Done());
    }
  }
  for (std::string_view k : {"minProperties", "maxProperties"}) {
    if (s[k].eoo()) continue;
    BsonDocument sub = Subset(s, {k});
    if (SchemaMatches(sub, v)) continue;
    BsonBuilder b;
    b.AppendString("operatorName", k);
    b.AppendDocument("specifiedAs", sub);
    b.AppendString("reason", "specified number of properties was not satisfied");
    b.AppendInt32("numberOfProperties", obj.CountFields());
    out->push_back(b.Done());
  }
  BsonElement deps = s["dependencies"];
  if (deps.IsObject()) {
    Details failing;
    for (const BsonElement& d : deps.Object()) {
      if (!obj.HasField(d.field_name())) continue;
      BsonBuilder b;
      if (d.IsArray()) {
        std::vector<std::string_view> missing;
        for (const BsonElement& x : d.Array()) {
          if (x.IsString() && !obj.HasField(x.String())) missing.push_back(x.String());
        }
        if (missing.empty()) continue;
        b.AppendString("conditionalProperty", d.field_name());
        b.StartArray("missingProperties");
        for (size_t i = 0; i < missing.size(); ++i) b.AppendString(bson::IndexName(i), missing[i]);
        b.End();
      } else if (d.IsObject()) {
        if (SchemaMatches(d.Object(), v)) continue;
        b.AppendString("conditionalProperty", d.field_name());
        AppendArrayOf(&b, "details", SchemaErrors(d.Object(), v, false));
      } else {
        continue;
      }
      failing.push_back(b.Done());
    }
    if (!failing.empty()) {
      BsonBuilder b;
      b.AppendString("operatorName", "dependencies");
      AppendArrayOf(&b, "failingDependencies", failing);
      out->push_back(b.Done());
    }
  }
}

void LogicalKeywordErrors(const BsonView& s, const BsonElement& v, Details* out) {
  auto schema_list = [&](std::string_view k, bool only_failing) {
    Details list;
    size_t i = 0;
    for (const BsonElement& sub : s[k].Array()) {
      if (!only_failing || !SchemaMatches(sub.Object(), v)) {
        BsonBuilder b;
        b.AppendInt32("index", static_cast<int32_t>(i));
        AppendAnnotations(&b, sub.Object());
        AppendArrayOf(&b, "details", SchemaErrors(sub.Object(), v, false));
        list.push_back(b.Done());
      }
      ++i;
    }
    BsonBuilder b;
    b.AppendString("operatorName", k);
    AppendArrayOf(&b, "schemasNotSatisfied", list);
    out->push_back(b.Done());
  };
  if (s["allOf"].IsArray() && !SchemaMatches(Subset(s, {"allOf"}), v)) schema_list("allOf", true);
  if (s["anyOf"].IsArray() && !SchemaMatches(Subset(s, {"anyOf"}), v)) schema_list("anyOf", false);
  if (s["oneOf"].IsArray() && !SchemaMatches(Subset(s, {"oneOf"}), v)) {
    std::vector<int32_t> matching;
    int32_t i = 0;
    for (const BsonElement& sub : s["oneOf"].Array()) {
      if (SchemaMatches(sub.Object(), v)) matching.push_back(i);
      ++i;
    }
    if (matching.empty()) {
      schema_list("oneOf", false);
    } else {
      BsonBuilder b;
      b.AppendString("operatorName", "oneOf");
      b.AppendString("reason", "more than one subschema matched");
      b.StartArray("matchingSchemaIndexes");
      for (size_t j = 0; j < matching.size(); ++j) b.AppendInt32(bson::IndexName(j), matching[j]);
      b.End();
      out->push_back(b.Done());
    }
  }
  if (s["not"].IsObject() && SchemaMatches(s["not"].Object(), v)) {
    BsonBuilder b;
    b.AppendString("operatorName", "not");
    b.AppendString("reason", "child expression matched");
    out->push_back(b.Done());
  }
  if (s["enum"].IsArray() && !SchemaMatches(Subset(s, {"enum"}), v)) {
    out->push_back(KeywordError("enum", Subset(s, {"enum"}), "value was not found in enum", v));
  }
}

// The keyword errors of schema `s` for `value`, in mongod's translation order: scalar, array,
// object, logical keywords, then the type of a nested value.
Details SchemaErrors(const BsonView& s, const BsonElement& value, bool root) {
  Details out;
  ScalarKeywordErrors(s, value, &out);
  ArrayKeywordErrors(s, value, &out);
  ObjectKeywordErrors(s, value, &out);
  LogicalKeywordErrors(s, value, &out);
  if (!root) {
    for (std::string_view k : {"bsonType", "type"}) {
      if (s[k].eoo()) continue;
      BsonDocument sub = Subset(s, {k});
      if (SchemaMatches(sub, value)) continue;
      BsonBuilder b;
      b.AppendString("operatorName", k);
      b.AppendDocument("specifiedAs", sub);
      b.AppendString("reason", "type did not match");
      b.AppendElementAs("consideredValue", value);
      b.AppendString("consideredType", bson::TypeAlias(value.type()));
      out.push_back(b.Done());
    }
  }
  return out;
}

BsonDocument JsonSchemaError(const BsonView& schema, const BsonView& doc, bool inverted) {
  BsonBuilder b;
  b.AppendString("operatorName", "$jsonSchema");
  if (inverted) {
    b.AppendString("reason", "schema matched");
    return b.Done();
  }
  BsonBuilder holder;
  holder.AppendDocument("", doc);
  BsonDocument held = holder.Done();
  const BsonElement root = held.view().FirstElement();
  // A root type that excludes objects matches nothing (mongod: an $alwaysFalse).
  BsonDocument root_type = Subset(schema, {"bsonType", "type"});
  if (!root_type.view().empty() && !SchemaMatches(root_type, root)) {
    BsonBuilder f;
    f.AppendString("operatorName", "$jsonSchema");
    f.StartDocument("specifiedAs").AppendDocument("$jsonSchema", schema).End();
    f.AppendString("reason", "expression always evaluates to false");
    return f.Done();
  }
  AppendAnnotations(&b, schema);
  AppendArrayOf(&b, "schemaRulesNotSatisfied", SchemaErrors(schema, root, true));
  return b.Done();
}

}  // namespace

BsonDocument GenerateValidationError(const BsonView& validator, const BsonView& doc) {
  BsonBuilder b;
  BsonElement id = doc["_id"];
  if (!id.eoo()) b.AppendElementAs("failingDocumentId", id);
  BsonDocument details = TreeError(validator, doc, false);
  if (details.size() > kMaxDetailsBytes) {
    // mongod's last resort when even a truncated error is too large.
    b.AppendString("note", "detailed error was too large");
    return b.Done();
  }
  b.AppendDocument("details", details);
  return b.Done();
}

}  // namespace dds::query
