// $bucket (desugared, as mongod does, into $group on a $switch of the boundaries plus $sort) and
// $documents.
#include "agg/stages_internal.h"

namespace dds::agg {
namespace {

using bson::BsonDocument;
using bson::BsonElement;
using bson::BsonType;

// Runs several parsed stages as one.
class SequenceStage : public StageSpec {
 public:
  SequenceStage(std::string_view name, std::vector<StagePtr> stages) : name_(name), stages_(std::move(stages)) {}
  std::string_view name() const override { return name_; }
  std::unique_ptr<DocumentSource> Bind(std::unique_ptr<DocumentSource> input) const override {
    for (const StagePtr& s : stages_) input = s->Bind(std::move(input));
    return input;
  }

 private:
  std::string_view name_;
  std::vector<StagePtr> stages_;
};

}  // namespace

StatusWith<StagePtr> ParseBucketStage(const BsonElement& spec, const StageParseContext& ctx) {
  if (spec.type() != BsonType::kObject) {
    return Status(40201, "Argument to $bucket stage must be an object, but found type: " +
                             std::string(bson::TypeAlias(spec.type())) + ".");
  }
  BsonElement group_by, boundaries, def, output;
  for (const BsonElement& e : spec.Object()) {
    std::string_view n = e.field_name();
    if (n == "groupBy") group_by = e;
    else if (n == "boundaries") boundaries = e;
    else if (n == "default") def = e;
    else if (n == "output") output = e;
    else return Status(40197, "Unrecognized option to $bucket: " + std::string(n) + ".");
  }
  if (group_by.eoo() || boundaries.eoo()) {
    return Status(40198, "$bucket requires 'groupBy' and 'boundaries' to be specified.");
  }
  if (!(group_by.type() == BsonType::kObject ||
        (group_by.type() == BsonType::kString && !group_by.String().empty() && group_by.String()[0] == '$'))) {
    return Status(40202, "The $bucket 'groupBy' field must be defined as a $-prefixed path or an expression, but found: " +
                             bson::ElementValueToShellString(group_by) + ".");
  }
  if (boundaries.type() != BsonType::kArray) {
    return Status(40200, "The $bucket 'boundaries' field must be an array, but found type: " +
                             std::string(bson::TypeAlias(boundaries.type())) + ".");
  }
  std::vector<BsonElement> bounds;
  for (const BsonElement& b : boundaries.Array()) bounds.push_back(b);
  if (bounds.size() < 2) {
    return Status(40192, "The $bucket 'boundaries' field must have at least 2 values, but found " +
                             std::to_string(bounds.size()) + " value(s).");
  }
  for (size_t i = 1; i < bounds.size(); ++i) {
    if (bson::CanonicalTypeRank(bounds[i].type()) != bson::CanonicalTypeRank(bounds[0].type())) {
      return Status(40193, "All values in the the 'boundaries' option to $bucket must have the same type.");
    }
    if (bson::CompareElementValues(bounds[i - 1], bounds[i]) >= 0) {
      return Status(40194, "The 'boundaries' option to $bucket must be sorted in ascending order");
    }
  }
  if (!def.eoo() && bson::CanonicalTypeRank(def.type()) == bson::CanonicalTypeRank(bounds[0].type()) &&
      bson::CompareElementValues(def, bounds.front()) >= 0 && bson::CompareElementValues(def, bounds.back()) < 0) {
    return Status(40199, "The $bucket 'default' field must be less than the lowest boundary or greater than or equal "
                         "to the highest boundary.");
  }
  if (!output.eoo() && output.type() != BsonType::kObject) {
    return Status(40196, "The $bucket 'output' field must be an object, but found type: " +
                             std::string(bson::TypeAlias(output.type())) + ".");
  }
  // {$group: {_id: {$switch: ...}, <output>}} then {$sort: {_id: 1}}.
  bson::BsonBuilder g;
  g.StartDocument("$group");
  g.StartDocument("_id");
  g.StartDocument("$switch");
  g.StartArray("branches");
  for (size_t i = 0; i + 1 < bounds.size(); ++i) {
    g.StartDocument(bson::IndexName(i));
    g.StartDocument("case");
    g.StartArray("$and");
    g.StartDocument("0");
    g.StartArray("$gte");
    g.AppendElementAs("0", group_by);
    g.StartDocument("1");
    g.AppendElementAs("$literal", bounds[i]);
    g.End();
    g.End();
    g.End();
    g.StartDocument("1");
    g.StartArray("$lt");
    g.AppendElementAs("0", group_by);
    g.StartDocument("1");
    g.AppendElementAs("$literal", bounds[i + 1]);
    g.End();
    g.End();
    g.End();
    g.End();  // $and
    g.End();  // case
    g.StartDocument("then");
    g.AppendElementAs("$literal", bounds[i]);
    g.End();
    g.End();
  }
  g.End();  // branches
  if (!def.eoo()) {
    g.StartDocument("default");
    g.AppendElementAs("$literal", def);
    g.End();
  }
  g.End();  // $switch
  g.End();  // _id
  if (output.eoo()) {
    g.StartDocument("count");
    g.AppendInt32("$sum", 1);
    g.End();
  } else {
    g.AppendElements(output.Object());
  }
  g.End();
  BsonDocument group_doc = g.Done();
  DDS_ASSIGN_OR_RETURN(StagePtr group, ParseGroupStage(group_doc.view().FirstElement(), ctx));
  BsonDocument sort_doc = bson::FromJson(R"({"$sort": {"_id": 1}})");
  DDS_ASSIGN_OR_RETURN(StagePtr sort, ParseSortStage(sort_doc.view().FirstElement(), ctx));
  return StagePtr(std::make_shared<SequenceStage>("$bucket", std::vector<StagePtr>{group, sort}));
}

StatusWith<StagePtr> ParseDocumentsStage(const BsonElement& spec, const StageParseContext& ctx) {
  ParseScope scope = ScopeWithLet(ctx.let_vars);
  DDS_ASSIGN_OR_RETURN(ExprPtr expr, ParseExpression(spec, &scope));
  Value v = EvaluateWithLet(*expr, bson::BsonView(), ctx.let_vars);
  if (!v.IsArray()) {
    return Status(5858203, "error during $documents evaluation: $documents must evaluate to an array of objects");
  }
  std::vector<BsonDocument> docs;
  for (const Value& item : v.ArrayItems()) {
    if (!item.IsObject()) {
      return Status(5858203, "error during $documents evaluation: $documents must evaluate to an array of objects");
    }
    docs.emplace_back(item.element().Object());
  }
  auto shared = std::make_shared<const std::vector<BsonDocument>>(std::move(docs));
  class DocumentsStage : public StageSpec {
   public:
    explicit DocumentsStage(std::shared_ptr<const std::vector<BsonDocument>> d) : docs_(std::move(d)) {}
    std::string_view name() const override { return "$documents"; }
    // The input (an empty collection scan for {aggregate: 1}) is ignored.
    std::unique_ptr<DocumentSource> Bind(std::unique_ptr<DocumentSource>) const override {
      return MakeVectorSource(*docs_);
    }

   private:
    std::shared_ptr<const std::vector<BsonDocument>> docs_;
  };
  return StagePtr(std::make_shared<DocumentsStage>(std::move(shared)));
}

}  // namespace dds::agg

namespace dds::agg {
namespace {

// Applies $redact at one document level; returns false when the level is pruned.
bool Redact(const Expression& expr, const bson::BsonView& level, Variables* vars, bson::BsonBuilder* out);

void RedactArray(const Expression& expr, const bson::BsonView& arr, Variables* vars, bson::BsonBuilder* out) {
  size_t i = 0;
  for (const BsonElement& e : arr) {
    if (e.type() == BsonType::kObject) {
      bson::BsonBuilder sub;
      if (Redact(expr, e.Object(), vars, &sub)) out->AppendDocument(bson::IndexName(i++), sub.Done());
    } else if (e.type() == BsonType::kArray) {
      out->StartArray(bson::IndexName(i++));
      RedactArray(expr, e.Array(), vars, out);
      out->End();
    } else {
      out->AppendElementAs(bson::IndexName(i++), e);
    }
  }
}

bool Redact(const Expression& expr, const bson::BsonView& level, Variables* vars, bson::BsonBuilder* out) {
  vars->set_current(level);
  Value decision = expr.Evaluate(vars);
  std::string_view d = decision.type() == BsonType::kString ? decision.element().String() : std::string_view();
  if (d == "prune") return false;
  if (d == "keep") {
    out->AppendElements(level);
    return true;
  }
  if (d != "descend") {
    ThrowDb(17053, "$redact's expression should not return anything aside from the variables $$KEEP, $$DESCEND, "
                   "and $$PRUNE, but returned " + decision.ToString());
  }
  for (const BsonElement& e : level) {
    if (e.type() == BsonType::kObject) {
      bson::BsonBuilder sub;
      if (Redact(expr, e.Object(), vars, &sub)) out->AppendDocument(e.field_name(), sub.Done());
    } else if (e.type() == BsonType::kArray) {
      out->StartArray(e.field_name());
      RedactArray(expr, e.Array(), vars, out);
      out->End();
    } else {
      out->AppendElement(e);
    }
  }
  return true;
}

}  // namespace

StatusWith<StagePtr> ParseRedactStage(const BsonElement& spec, const StageParseContext& ctx) {
  ParseScope scope = ScopeWithLet(ctx.let_vars);
  DDS_ASSIGN_OR_RETURN(ExprPtr expr, ParseExpression(spec, &scope));
  auto let_holder = std::make_shared<const BsonDocument>(ctx.let_vars);
  class RedactStage : public StageSpec {
   public:
    RedactStage(ExprPtr e, std::shared_ptr<const BsonDocument> l) : expr_(std::move(e)), let_(std::move(l)) {}
    std::string_view name() const override { return "$redact"; }
    std::unique_ptr<DocumentSource> Bind(std::unique_ptr<DocumentSource> input) const override {
      auto expr = expr_;
      auto let = let_;
      return MakeMapSource(std::move(input), [expr, let](BsonDocument d) -> std::optional<BsonDocument> {
        Variables vars(d);
        for (const BsonElement& e : let->view()) vars.Push(std::string(e.field_name()), Value::FromElement(e));
        bson::BsonBuilder out;
        if (!Redact(*expr, d, &vars, &out)) return std::nullopt;
        return out.Done();
      });
    }

   private:
    ExprPtr expr_;
    std::shared_ptr<const BsonDocument> let_;
  };
  return StagePtr(std::make_shared<RedactStage>(std::move(expr), std::move(let_holder)));
}

}  // namespace dds::agg
