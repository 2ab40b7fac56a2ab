// $group, $sortByCount and $facet.
#include <map>

#include "agg/accumulator.h"
#include "agg/stages_internal.h"
#include "query/sort_pattern.h"

namespace dds::agg {

namespace {

using bson::BsonDocument;
using bson::BsonElement;
using bson::BsonType;

struct GroupField {
  std::string name;
  const AccumulatorEntry* acc;
  ExprPtr arg;
  BsonDocument raw;  // {"": <accumulator argument>}
};

struct GroupSpec {
  ExprPtr id;
  std::vector<GroupField> fields;
  std::shared_ptr<const BsonDocument> let_vars;
};

class GroupSource : public DocumentSource {
 public:
  GroupSource(std::unique_ptr<DocumentSource> input, std::shared_ptr<const GroupSpec> spec)
      : input_(std::move(input)), spec_(std::move(spec)) {}

  std::optional<BsonDocument> GetNext() override {
    if (!done_) Consume();
    if (pos_ >= order_.size()) return std::nullopt;
    Group& g = groups_[order_[pos_++]];
    bson::BsonBuilder b;
    if (g.key.missing()) b.AppendNull("_id");
    else AppendValue(&b, "_id", g.key);
    for (size_t i = 0; i < spec_->fields.size(); ++i) {
      AppendValue(&b, spec_->fields[i].name, g.accs[i]->Finalize());
    }
    return b.Done();
  }

 private:
  struct Group {
    Value key;
    std::vector<std::unique_ptr<Accumulator>> accs;
  };
  struct KeyLess {
    bool operator()(const Value& a, const Value& b) const { return CompareValues(a, b) < 0; }
  };

  void Consume() {
    done_ = true;
    while (std::optional<BsonDocument> d = input_->GetNext()) {
      Variables vars(*d);
      for (const BsonElement& e : spec_->let_vars->view()) vars.Push(std::string(e.field_name()), Value::FromElement(e));
      Value key = spec_->id->Evaluate(&vars);
      // A missing _id groups with null.
      if (key.missing()) key = Value::Null();
      auto it = index_.find(key);
      size_t gi;
      if (it == index_.end()) {
        gi = groups_.size();
        Group g;
        g.key = key;
        for (const GroupField& f : spec_->fields) g.accs.push_back(f.acc->make(f.raw.view().FirstElement()));
        groups_.push_back(std::move(g));
        index_.emplace(std::move(key), gi);
        order_.push_back(gi);
      } else {
        gi = it->second;
      }
      Group& g = groups_[gi];
      for (size_t i = 0; i < spec_->fields.size(); ++i) {
        const GroupField& f = spec_->fields[i];
        g.accs[i]->ProcessDocument(f.arg ? f.arg->Evaluate(&vars) : Value::Null(), *d);
      }
    }
  }

  std::unique_ptr<DocumentSource> input_;
  std::shared_ptr<const GroupSpec> spec_;
  bool done_ = false;
  std::vector<Group> groups_;
  std::map<Value, size_t, KeyLess> index_;
  std::vector<size_t> order_;
  size_t pos_ = 0;
};

}  // namespace

StatusWith<StagePtr> ParseGroupStage(const BsonElement& spec, const StageParseContext& ctx) {
  if (spec.type() != BsonType::kObject) return Status(15947, "a group's fields must be specified in an object");
  auto g = std::make_shared<GroupSpec>();
  g->let_vars = std::make_shared<const BsonDocument>(ctx.let_vars);
  ParseScope scope = ScopeWithLet(ctx.let_vars);
  bool has_id = false;
  for (const BsonElement& e : spec.Object()) {
    std::string_view name = e.field_name();
    if (name == "_id") {
      DDS_ASSIGN_OR_RETURN(g->id, ParseExpression(e, &scope));
      has_id = true;
      continue;
    }
    if (name.find('.') != std::string_view::npos) {
      return Status(40235, "The field name '" + std::string(name) + "' cannot contain '.'");
    }
    if (!name.empty() && name[0] == '$') {
      return Status(40236, "The field name '" + std::string(name) + "' cannot be an operator name");
    }
    if (e.type() != BsonType::kObject) {
      return Status(40234, "The field '" + std::string(name) + "' must be an accumulator object");
    }
    if (e.Object().CountFields() != 1) {
      return Status(40238, "The field '" + std::string(name) + "' must specify one accumulator");
    }
    BsonElement acc = e.Object().FirstElement();
    const AccumulatorEntry* entry = FindAccumulator(acc.field_name());
    if (entry == nullptr) {
      return Status(15952, "unknown group operator '" + std::string(acc.field_name()) + "'");
    }
    GroupField f{std::string(name), entry, nullptr, BsonDocument()};
    {
      bson::BsonBuilder rb;
      rb.AppendElementAs("", acc);
      f.raw = rb.Done();
    }
    if (entry->validate != nullptr) DDS_RETURN_IF_ERROR(entry->validate(acc));
    if (entry->no_argument) {
      if (acc.type() != BsonType::kObject || !acc.Object().empty()) {
        return Status(ErrorCode::kTypeMismatch, "$count takes no arguments, i.e. $count:{}");
      }
    } else {
      if (acc.type() == BsonType::kArray) {
        return Status(40237, "The " + std::string(acc.field_name()) + " accumulator is a unary operator");
      }
      if (entry->validate != nullptr && acc.type() == BsonType::kObject) {
        // Object-argument accumulators: everything but sortBy (document paths) is an expression.
        bson::BsonBuilder ab;
        ab.StartDocument(acc.field_name());
        for (const BsonElement& x : acc.Object()) {
          if (x.field_name() != "sortBy") ab.AppendElement(x);
        }
        ab.End();
        BsonDocument filtered = ab.Done();
        DDS_ASSIGN_OR_RETURN(f.arg, ParseExpression(filtered.view().FirstElement(), &scope));
      } else {
        DDS_ASSIGN_OR_RETURN(f.arg, ParseExpression(acc, &scope));
      }
    }
    g->fields.push_back(std::move(f));
  }
  if (!has_id) return Status(15955, "a group specification must include an _id");
  std::shared_ptr<const GroupSpec> bound = std::move(g);
  return MakeStage("$group", [bound](std::unique_ptr<DocumentSource> input) {
    return std::unique_ptr<DocumentSource>(std::make_unique<GroupSource>(std::move(input), bound));
  });
}

StatusWith<StagePtr> ParseSortByCountStage(const BsonElement& spec, const StageParseContext& ctx) {
  if (!(spec.type() == BsonType::kObject || (spec.type() == BsonType::kString && !spec.String().empty() && spec.String()[0] == '$'))) {
    return Status(40148, "the sortByCount field must be defined as a $-prefixed path or an expression");
  }
  if (spec.type() == BsonType::kObject) {
    std::string_view first = spec.Object().FirstElement().field_name();
    if (first.empty() || first[0] != '$') {
      return Status(40147, "the sortByCount field must be specified as an expression object");
    }
  }
  bson::BsonBuilder gb;
  gb.StartDocument("$group");
  gb.AppendElementAs("_id", spec);
  gb.StartDocument("count");
  gb.AppendInt32("$sum", 1);
  gb.End();
  gb.End();
  BsonDocument group_doc = gb.Done();
  DDS_ASSIGN_OR_RETURN(StagePtr group, ParseGroupStage(group_doc.view().FirstElement(), ctx));
  auto pattern = query::SortPattern::Parse(bson::FromJson(R"({"count": -1})"));
  auto sort = std::make_shared<const query::SortPattern>(std::move(pattern).value());

  class SortByCountStage : public StageSpec {
   public:
    SortByCountStage(StagePtr g, std::shared_ptr<const query::SortPattern> s) : group_(std::move(g)), sort_(std::move(s)) {}
    std::string_view name() const override { return "$sortByCount"; }
    std::unique_ptr<DocumentSource> Bind(std::unique_ptr<DocumentSource> input) const override {
      std::unique_ptr<DocumentSource> grouped = group_->Bind(std::move(input));
      std::vector<BsonDocument> all;
      class Lazy : public DocumentSource {
       public:
        Lazy(std::unique_ptr<DocumentSource> in, std::shared_ptr<const query::SortPattern> s) : in_(std::move(in)), sort_(std::move(s)) {}
        std::optional<BsonDocument> GetNext() override {
          if (!done_) {
            std::vector<BsonDocument> docs;
            while (auto d = in_->GetNext()) docs.push_back(std::move(*d));
            out_ = SortDocuments(*sort_, std::move(docs));
            done_ = true;
          }
          if (pos_ >= out_.size()) return std::nullopt;
          return std::move(out_[pos_++]);
        }

       private:
        std::unique_ptr<DocumentSource> in_;
        std::shared_ptr<const query::SortPattern> sort_;
        bool done_ = false;
        std::vector<BsonDocument> out_;
        size_t pos_ = 0;
      };
      return std::make_unique<Lazy>(std::move(grouped), sort_);
    }

   private:
    StagePtr group_;
    std::shared_ptr<const query::SortPattern> sort_;
  };
  return StagePtr(std::make_shared<SortByCountStage>(std::move(group), std::move(sort)));
}

StatusWith<StagePtr> ParseFacetStage(const BsonElement& spec, const StageParseContext& ctx) {
  if (spec.type() != BsonType::kObject) {
    return Status(15947, "the $facet specification must be a non-empty object");
  }
  if (spec.Object().empty()) return Status(40169, "the $facet specification must be a non-empty object");
  if (ctx.depth >= 20) return Status(ErrorCode::kMaxSubPipelineDepthExceeded, "Maximum number of nested sub-pipelines exceeded. Limit is 20");
  std::vector<std::pair<std::string, std::vector<StagePtr>>> facets;
  StageParseContext sub{ctx.expr_ctx, ctx.let_vars, ctx.depth + 1};
  for (const BsonElement& e : spec.Object()) {
    if (e.type() != BsonType::kArray) {
      return Status(40170, "arguments to $facet must be arrays, " + std::string(e.field_name()) + " is type " +
                               std::string(bson::TypeAlias(e.type())));
    }
    DDS_ASSIGN_OR_RETURN(std::vector<StagePtr> stages, ParseStages(e.Array(), sub, kStageAllowedInFacet));
    facets.emplace_back(std::string(e.field_name()), std::move(stages));
  }
  auto shared = std::make_shared<const std::vector<std::pair<std::string, std::vector<StagePtr>>>>(std::move(facets));

  class FacetStage : public StageSpec {
   public:
    explicit FacetStage(decltype(shared) f) : facets_(std::move(f)) {}
    std::string_view name() const override { return "$facet"; }
    std::unique_ptr<DocumentSource> Bind(std::unique_ptr<DocumentSource> input) const override {
      class Source : public DocumentSource {
       public:
        Source(std::unique_ptr<DocumentSource> in, decltype(shared) f) : in_(std::move(in)), facets_(std::move(f)) {}
        std::optional<BsonDocument> GetNext() override {
          if (done_) return std::nullopt;
          done_ = true;
          std::vector<BsonDocument> docs;
          while (auto d = in_->GetNext()) docs.push_back(std::move(*d));
          bson::BsonBuilder b;
          for (const auto& [name, stages] : *facets_) {
            std::unique_ptr<DocumentSource> chain = MakeVectorSource(docs);
            for (const StagePtr& s : stages) chain = s->Bind(std::move(chain));
            b.StartArray(name);
            size_t i = 0;
            while (auto r = chain->GetNext()) b.AppendDocument(bson::IndexName(i++), *r);
            b.End();
          }
          return b.Done();
        }

       private:
        std::unique_ptr<DocumentSource> in_;
        decltype(shared) facets_;
        bool done_ = false;
      };
      return std::make_unique<Source>(std::move(input), facets_);
    }

   private:
    decltype(shared) facets_;
  };
  return StagePtr(std::make_shared<FacetStage>(std::move(shared)));
}

}  // namespace dds::agg
