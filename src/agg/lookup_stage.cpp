// $lookup (equality, pipeline and combined forms) and $unionWith, reading other collections
// through ExpressionContext::foreign.
#include <algorithm>

#include "agg/document_util.h"
#include "agg/equality_hash.h"
#include "agg/stages_internal.h"
#include "query/match_parser.h"

namespace dds::agg {
namespace {

using bson::BsonDocument;
using bson::BsonElement;
using bson::BsonType;

Status NeedForeign(const StageParseContext& ctx, std::string_view stage) {
  if (!ctx.expr_ctx.foreign) {
    return Status(ErrorCode::kNotImplemented, std::string(stage) + " is not available in this context");
  }
  return Status::OK();
}

std::vector<BsonDocument> Drain(std::unique_ptr<DocumentSource> src) {
  std::vector<BsonDocument> out;
  while (auto d = src->GetNext()) out.push_back(std::move(*d));
  return out;
}

struct LookupSpec {
  std::string from, local_field, foreign_field, as;
  std::vector<std::pair<std::string, ExprPtr>> let;
  std::optional<BsonDocument> pipeline;  // {"p": [...]} holder
  BsonDocument outer_let;
  std::shared_ptr<ForeignCollections> foreign;
  int depth = 0;
};

// Parses the sub-pipeline with `let` bound (each input document has its own values).
std::vector<StagePtr> ParseSubPipeline(const LookupSpec& spec, const BsonDocument& let_doc, const ExpressionContext& ectx) {
  StageParseContext sub{ectx, let_doc, spec.depth + 1};
  auto stages = ParseStages(spec.pipeline->view().FirstElement().Array(), sub);
  if (!stages.ok()) ThrowDb(stages.status());
  return std::move(stages).value();
}

class LookupSource : public DocumentSource {
 public:
  // mongod's internalQueryCollectionMaxDataSizeBytesToChooseHashJoin default.
  static constexpr size_t kMaxHeldForeignBytes = 100 << 20;

  LookupSource(std::unique_ptr<DocumentSource> input, std::shared_ptr<const LookupSpec> spec)
      : input_(std::move(input)), spec_(std::move(spec)) {}

  std::optional<BsonDocument> GetNext() override {
    std::optional<BsonDocument> d = input_->GetNext();
    if (!d) return std::nullopt;
    std::optional<BsonDocument> let_doc;
    if (spec_->pipeline) let_doc = LetValues(*d);
    std::unique_ptr<DocumentSource> candidates;
    if (!spec_->local_field.empty()) {
      std::vector<Value> values = LocalValues(*d);
      candidates = MakeVectorSource(values.empty() ? std::vector<BsonDocument>()
                                                   : Matching(values, spec_->foreign_field));
    } else if (std::optional<std::pair<std::string, Value>> eq =
                   let_doc ? LeadingExprEquality(*let_doc) : std::nullopt) {
      // A superset of what the sub-pipeline's leading $match keeps (it still runs on them).
      candidates = MakeVectorSource(Matching({eq->second}, eq->first));
    } else if (HoldForeign()) {
      candidates = MakeVectorSource(foreign_docs_);
    } else {
      candidates = spec_->foreign->Scan(spec_->from);
    }
    std::vector<Value> results;
    if (spec_->pipeline) {
      ExpressionContext ectx{*let_doc, spec_->foreign};
      std::vector<StagePtr> stages = ParseSubPipeline(*spec_, *let_doc, ectx);
      std::unique_ptr<DocumentSource> chain = std::move(candidates);
      for (const StagePtr& s : stages) chain = s->Bind(std::move(chain));
      while (auto r = chain->GetNext()) results.push_back(Value::Document(*r));
    } else {
      while (auto m = candidates->GetNext()) results.push_back(Value::Document(*m));
    }
    return SetPath(*d, spec_->as, Value::ArrayOf(results));
  }

 private:
  // Loads the foreign collection once to be matched from memory, unless it is larger than
  // kMaxHeldForeignBytes: then nothing is held and each input document scans it again (mongod's
  // nested loop join, which it prefers to the hash join past the same 100 MB). Returns whether
  // the collection is held.
  bool HoldForeign() {
    if (!loaded_) {
      loaded_ = true;
      held_ = true;
      size_t bytes = 0;
      std::unique_ptr<DocumentSource> src = spec_->foreign->Scan(spec_->from);
      while (std::optional<BsonDocument> f = src->GetNext()) {
        bytes += static_cast<size_t>(f->size());
        if (bytes > kMaxHeldForeignBytes) {
          held_ = false;
          std::vector<BsonDocument>().swap(foreign_docs_);
          break;
        }
        foreign_docs_.push_back(std::move(*f));
      }
    }
    return held_;
  }

  // The values of the sub-pipeline's `let` variables for `doc` (missing ones are null).
  BsonDocument LetValues(const BsonDocument& doc) const {
    bson::BsonBuilder lb;
    lb.AppendElements(spec_->outer_let);
    Variables vars(doc);
    for (const BsonElement& e : spec_->outer_let.view()) {
      vars.Push(std::string(e.field_name()), Value::FromElement(e));
    }
    for (const auto& [name, expr] : spec_->let) {
      Value v = expr->Evaluate(&vars);
      if (v.missing()) {
        lb.AppendNull(name);
      } else {
        lb.AppendElementAs(name, v.element());
      }
    }
    return lb.Done();
  }

  // For a sub-pipeline that starts {$match: {$expr: {$eq: ["$path", "$$var"]}, ...}} (or a $and
  // of $expr terms, the first such $eq; either order), the foreign path and the variable's value
  // for this input document, when the value is not an array: every foreign document whose
  // `path` the $expr finds equal to it also satisfies {path: {$eq: value}} (mongod turns the
  // same $expr into index bounds). nullopt otherwise.
  std::optional<std::pair<std::string, Value>> LeadingExprEquality(const BsonDocument& let_doc) {
    if (!expr_equality_parsed_) {
      expr_equality_parsed_ = true;
      expr_equality_ = ParseLeadingExprEquality();
    }
    if (!expr_equality_) return std::nullopt;
    BsonElement v = let_doc.view()[expr_equality_->second];
    if (v.eoo() || v.type() == BsonType::kArray || v.type() == BsonType::kUndefined) {
      return std::nullopt;
    }
    return std::make_pair(expr_equality_->first, Value::FromElement(v));
  }

  // (foreign path, let variable) of the sub-pipeline's leading $expr equality, if it has one.
  std::optional<std::pair<std::string, std::string>> ParseLeadingExprEquality() const {
    BsonElement stages = spec_->pipeline->view().FirstElement();
    if (stages.type() != BsonType::kArray) return std::nullopt;
    BsonElement first = stages.Array().FirstElement();
    if (first.type() != BsonType::kObject ||
        first.Object().FirstElement().field_name() != "$match") {
      return std::nullopt;
    }
    BsonElement match = first.Object().FirstElement();
    if (match.type() != BsonType::kObject) return std::nullopt;
    // Other conditions of the $match only narrow what the equality lets through.
    BsonElement expr = match.Object().Get("$expr");
    if (expr.type() != BsonType::kObject) return std::nullopt;
    std::vector<BsonElement> terms;
    BsonElement op = expr.Object().FirstElement();
    if (op.field_name() == "$and" && op.type() == BsonType::kArray) {
      for (const BsonElement& t : op.Array()) terms.push_back(t);
    } else {
      terms.push_back(expr);
    }
    for (const BsonElement& t : terms) {
      if (t.type() != BsonType::kObject) continue;
      BsonElement eq = t.Object().FirstElement();
      if (eq.field_name() != "$eq" || eq.type() != BsonType::kArray) continue;
      std::vector<BsonElement> sides;
      for (const BsonElement& side : eq.Array()) sides.push_back(side);
      if (sides.size() != 2) continue;
      for (int i : {0, 1}) {
        const BsonElement& path = sides[i];
        const BsonElement& var = sides[1 - i];
        if (path.type() != BsonType::kString || var.type() != BsonType::kString) continue;
        std::string_view p = path.String(), v = var.String();
        if (p.size() < 2 || p[0] != '$' || p[1] == '$') continue;
        if (v.size() < 3 || !v.starts_with("$$") || v.find('.') != std::string_view::npos) continue;
        std::string name(v.substr(2));
        const bool user_var = std::any_of(spec_->let.begin(), spec_->let.end(),
                                          [&](const auto& l) { return l.first == name; });
        if (user_var) return std::make_pair(std::string(p.substr(1)), name);
      }
    }
    return std::nullopt;
  }

  // The foreign documents equal to one of `values`: through an index of the foreign collection
  // when one serves the equality (each input document is then a few index probes, as mongod's
  // indexed loop join), else from one scan of the collection, loaded once and hashed by the
  // foreign field's values (mongod's hash join), else, past kMaxHeldForeignBytes, from a scan
  // per input document.
  std::vector<BsonDocument> Matching(const std::vector<Value>& values, const std::string& path) {
    BsonDocument filter = EqualityFilter(values, path);
    if (!scan_foreign_) {
      std::unique_ptr<DocumentSource> found = spec_->foreign->FindIndexed(spec_->from, filter);
      if (found != nullptr) return Drain(std::move(found));
      scan_foreign_ = true;  // no index serves the foreign field: scan from now on
    }
    auto m = query::ParseMatchExpression(filter.view());
    if (!m.ok()) ThrowDb(m.status());
    std::vector<BsonDocument> matched;
    if (!HoldForeign()) {
      std::unique_ptr<DocumentSource> src = spec_->foreign->Scan(spec_->from);
      while (std::optional<BsonDocument> f = src->GetNext()) {
        if (m.value()->Matches(*f)) matched.push_back(std::move(*f));
      }
      return matched;
    }
    if (!hash_) hash_.emplace(foreign_docs_, path);
    if (std::optional<std::vector<size_t>> candidates = hash_->Candidates(values)) {
      for (size_t i : *candidates) {
        if (m.value()->Matches(foreign_docs_[i])) matched.push_back(foreign_docs_[i]);
      }
      return matched;
    }
    for (const BsonDocument& f : foreign_docs_) {
      if (m.value()->Matches(f)) matched.push_back(f);
    }
    return matched;
  }

  // The local field's values: an array's elements, else the value (missing counts as null).
  std::vector<Value> LocalValues(const BsonDocument& doc) const {
    ParseScope scope;
    auto path = ParseExpression(bson::FromJson("{\"p\": \"$" + spec_->local_field + "\"}")["p"], &scope);
    if (!path.ok()) ThrowDb(path.status());
    Variables vars(doc);
    Value local = path.value()->Evaluate(&vars);
    if (local.IsArray()) return local.ArrayItems();
    return {local.missing() ? Value::Null() : local};
  }

  // {path: {$eq: v}} for one value, {$or: [...]} of those for several.
  BsonDocument EqualityFilter(const std::vector<Value>& values, const std::string& path) const {
    bson::BsonBuilder b;
    if (values.size() == 1) {
      b.StartDocument(path).AppendElementAs("$eq", values[0].element()).End();
      return b.Done();
    }
    b.StartArray("$or");
    size_t i = 0;
    for (const Value& v : values) {
      b.StartDocument(bson::IndexName(i++));
      b.StartDocument(path);
      b.AppendElementAs("$eq", v.element());
      b.End();
      b.End();
    }
    b.End();
    return b.Done();
  }

  std::unique_ptr<DocumentSource> input_;
  std::shared_ptr<const LookupSpec> spec_;
  bool scan_foreign_ = false;
  bool loaded_ = false;
  bool held_ = false;
  std::vector<BsonDocument> foreign_docs_;
  // The sub-pipeline's leading $expr equality (ParseLeadingExprEquality), parsed on first use.
  bool expr_equality_parsed_ = false;
  std::optional<std::pair<std::string, std::string>> expr_equality_;
  // foreign_docs_ hashed by the values at the equality's path, made on first use.
  std::optional<EqualityHash> hash_;
};

class LookupStage : public StageSpec {
 public:
  explicit LookupStage(std::shared_ptr<const LookupSpec> spec) : spec_(std::move(spec)) {}
  std::string_view name() const override { return "$lookup"; }
  std::unique_ptr<DocumentSource> Bind(std::unique_ptr<DocumentSource> input) const override {
    return std::make_unique<LookupSource>(std::move(input), spec_);
  }

 private:
  std::shared_ptr<const LookupSpec> spec_;
};

}  // namespace

StatusWith<StagePtr> ParseLookupStage(const BsonElement& spec_elem, const StageParseContext& ctx) {
  if (spec_elem.type() != BsonType::kObject) {
    return Status(ErrorCode::kFailedToParse, "the $lookup specification must be an Object, but found " +
                                                 std::string(bson::TypeAlias(spec_elem.type())));
  }
  auto spec = std::make_shared<LookupSpec>();
  spec->depth = ctx.depth;
  spec->outer_let = BsonDocument(ctx.let_vars);
  BsonElement let_elem;
  for (const BsonElement& e : spec_elem.Object()) {
    std::string_view n = e.field_name();
    auto need_string = [&](std::string* out) -> Status {
      if (e.type() != BsonType::kString) {
        return Status(ErrorCode::kFailedToParse, "$lookup argument '" + std::string(n) + ": " +
                                                     bson::ElementValueToShellString(e) + "' must be a string, is type " +
                                                     std::string(bson::TypeAlias(e.type())));
      }
      *out = std::string(e.String());
      return Status::OK();
    };
    if (n == "from") {
      if (e.type() == BsonType::kObject) {
        return Status(ErrorCode::kNotImplemented, "$lookup from another database is not supported");
      }
      DDS_RETURN_IF_ERROR(need_string(&spec->from));
    } else if (n == "localField") {
      DDS_RETURN_IF_ERROR(need_string(&spec->local_field));
    } else if (n == "foreignField") {
      DDS_RETURN_IF_ERROR(need_string(&spec->foreign_field));
    } else if (n == "as") {
      DDS_RETURN_IF_ERROR(need_string(&spec->as));
    } else if (n == "let") {
      if (e.type() != BsonType::kObject) {
        return Status(ErrorCode::kFailedToParse, "$lookup argument 'let: " + bson::ElementValueToShellString(e) +
                                                     "' must be an object, is type " + std::string(bson::TypeAlias(e.type())));
      }
      let_elem = e;
    } else if (n == "pipeline") {
      if (e.type() != BsonType::kArray) {
        return Status(ErrorCode::kFailedToParse, "'pipeline' option must be specified as an array");
      }
      bson::BsonBuilder b;
      b.AppendArray("p", e.Array());
      spec->pipeline = b.Done();
    } else {
      return Status(ErrorCode::kFailedToParse, "unknown argument to $lookup: " + std::string(n));
    }
  }
  if (spec->as.empty()) return Status(ErrorCode::kFailedToParse, "must specify 'as' field for a $lookup");
  if (spec->from.empty()) return Status(ErrorCode::kFailedToParse, "must specify 'from' field for a $lookup");
  if (spec->local_field.empty() != spec->foreign_field.empty() || (!spec->pipeline && spec->local_field.empty())) {
    return Status(ErrorCode::kFailedToParse,
                  "$lookup requires either 'pipeline' or both 'localField' and 'foreignField' to be specified");
  }
  if (!spec->pipeline && !let_elem.eoo()) {
    return Status(ErrorCode::kFailedToParse, "$lookup with 'let' must also specify 'pipeline'");
  }
  if (ctx.depth >= 20) {
    return Status(ErrorCode::kMaxSubPipelineDepthExceeded, "Maximum number of nested sub-pipelines exceeded. Limit is 20");
  }
  // Let expressions see the outer document; the sub-pipeline sees them as variables.
  ParseScope scope = ScopeWithLet(ctx.let_vars);
  bson::BsonBuilder names;
  names.AppendElements(ctx.let_vars);
  if (!let_elem.eoo()) {
    for (const BsonElement& v : let_elem.Object()) {
      DDS_ASSIGN_OR_RETURN(ExprPtr x, ParseExpression(v, &scope));
      spec->let.emplace_back(std::string(v.field_name()), std::move(x));
      names.AppendNull(v.field_name());
    }
  }
  if (spec->pipeline) {
    // Validate the sub-pipeline once with placeholder values.
    BsonDocument placeholder = names.Done();
    StageParseContext sub{ctx.expr_ctx, placeholder, ctx.depth + 1};
    auto stages = ParseStages(spec->pipeline->view().FirstElement().Array(), sub);
    if (!stages.ok()) return stages.status();
    for (const StagePtr& s : *stages) {
      if (s->name() == "$out" || s->name() == "$merge") {
        return Status(51047, std::string(s->name()) + " is not allowed within a $lookup's sub-pipeline");
      }
    }
  }
  DDS_RETURN_IF_ERROR(NeedForeign(ctx, "$lookup"));
  spec->foreign = ctx.expr_ctx.foreign;
  return StagePtr(std::make_shared<LookupStage>(std::move(spec)));
}

StatusWith<StagePtr> ParseUnionWithStage(const BsonElement& spec_elem, const StageParseContext& ctx) {
  std::string coll;
  std::optional<BsonDocument> pipeline;
  if (spec_elem.type() == BsonType::kString) {
    coll = std::string(spec_elem.String());
  } else if (spec_elem.type() == BsonType::kObject) {
    for (const BsonElement& e : spec_elem.Object()) {
      if (e.field_name() == "coll" && e.type() == BsonType::kString) {
        coll = std::string(e.String());
      } else if (e.field_name() == "pipeline" && e.type() == BsonType::kArray) {
        bson::BsonBuilder b;
        b.AppendArray("p", e.Array());
        pipeline = b.Done();
      } else {
        return Status(40415, "BSON field '$unionWith." + std::string(e.field_name()) + "' is an unknown field.");
      }
    }
  } else {
    return Status(ErrorCode::kFailedToParse, "the $unionWith stage specification must be an object or string, but found " +
                                                 std::string(bson::TypeAlias(spec_elem.type())));
  }
  if (coll.empty()) return Status(40414, "BSON field '$unionWith.coll' is missing but a required field");
  std::vector<StagePtr> stages;
  if (pipeline) {
    StageParseContext sub{ctx.expr_ctx, ctx.let_vars, ctx.depth + 1};
    DDS_ASSIGN_OR_RETURN(stages, ParseStages(pipeline->view().FirstElement().Array(), sub));
  }
  DDS_RETURN_IF_ERROR(NeedForeign(ctx, "$unionWith"));
  auto foreign = ctx.expr_ctx.foreign;

  class UnionSource : public DocumentSource {
   public:
    UnionSource(std::unique_ptr<DocumentSource> in, std::shared_ptr<ForeignCollections> f, std::string c,
                std::vector<StagePtr> s)
        : input_(std::move(in)), foreign_(std::move(f)), coll_(std::move(c)), stages_(std::move(s)) {}
    std::optional<BsonDocument> GetNext() override {
      if (input_) {
        if (auto d = input_->GetNext()) return d;
        input_.reset();
        other_ = foreign_->Scan(coll_);
        for (const StagePtr& s : stages_) other_ = s->Bind(std::move(other_));
      }
      return other_->GetNext();
    }

   private:
    std::unique_ptr<DocumentSource> input_;
    std::shared_ptr<ForeignCollections> foreign_;
    std::string coll_;
    std::vector<StagePtr> stages_;
    std::unique_ptr<DocumentSource> other_;
  };

  class UnionStage : public StageSpec {
   public:
    UnionStage(std::shared_ptr<ForeignCollections> f, std::string c, std::vector<StagePtr> s)
        : foreign_(std::move(f)), coll_(std::move(c)), stages_(std::move(s)) {}
    std::string_view name() const override { return "$unionWith"; }
    std::unique_ptr<DocumentSource> Bind(std::unique_ptr<DocumentSource> input) const override {
      return std::make_unique<UnionSource>(std::move(input), foreign_, coll_, stages_);
    }

   private:
    std::shared_ptr<ForeignCollections> foreign_;
    std::string coll_;
    std::vector<StagePtr> stages_;
  };
  return StagePtr(std::make_shared<UnionStage>(std::move(foreign), std::move(coll), std::move(stages)));
}

}  // namespace dds::agg
