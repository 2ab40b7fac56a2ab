// $graphLookup (recursive search over another collection through ExpressionContext::foreign) and
// $bucketAuto (equal-count buckets, no granularity).
#include <algorithm>

#include "agg/accumulator.h"
#include "agg/document_util.h"
#include "agg/equality_hash.h"
#include "agg/stages_internal.h"
#include "query/match_parser.h"

namespace dds::agg {
namespace {

using bson::BsonDocument;
using bson::BsonElement;
using bson::BsonType;

struct GraphSpec {
  std::string from, connect_from, connect_to, as, depth_field;
  ExprPtr start_with;
  std::optional<int64_t> max_depth;
  std::shared_ptr<const query::MatchExpression> restrict;
  std::shared_ptr<ForeignCollections> foreign;
  BsonDocument let;
};

void AddValues(const Value& v, std::vector<Value>* out) {
  if (v.IsArray()) {
    for (Value& x : v.ArrayItems()) out->push_back(std::move(x));
  } else {
    out->push_back(v.missing() ? Value::Null() : v);
  }
}

class GraphLookupSource : public DocumentSource {
 public:
  GraphLookupSource(std::unique_ptr<DocumentSource> in, std::shared_ptr<const GraphSpec> spec)
      : input_(std::move(in)), spec_(std::move(spec)) {}

  std::optional<BsonDocument> GetNext() override {
    std::optional<BsonDocument> d = input_->GetNext();
    if (!d) return std::nullopt;
    if (!loaded_) {
      auto src = spec_->foreign->Scan(spec_->from);
      while (auto f = src->GetNext()) {
        if (!spec_->restrict || spec_->restrict->Matches(*f)) foreign_.push_back(std::move(*f));
      }
      hash_.emplace(foreign_, spec_->connect_to);
      loaded_ = true;
    }
    Variables vars(*d);
    for (const BsonElement& e : spec_->let.view()) vars.Push(std::string(e.field_name()), Value::FromElement(e));
    std::vector<Value> frontier;
    AddValues(spec_->start_with->Evaluate(&vars), &frontier);
    std::vector<bool> visited(foreign_.size(), false);
    std::vector<Value> results;
    for (int64_t depth = 0; !frontier.empty(); ++depth) {
      if (spec_->max_depth && depth > *spec_->max_depth) break;
      std::unique_ptr<query::MatchExpression> m = Matcher(frontier);
      std::vector<Value> next;
      auto visit = [&](size_t i) {
        if (visited[i] || !m->Matches(foreign_[i])) return;
        visited[i] = true;
        BsonDocument found = foreign_[i];
        if (!spec_->depth_field.empty()) found = SetPath(found, spec_->depth_field, Value::Int64(depth));
        results.push_back(Value::Document(found));
        AddValues(GetNestedField(foreign_[i], spec_->connect_from), &next);
      };
      // The documents that may match (the hash join), else all of them; in collection order.
      if (std::optional<std::vector<size_t>> candidates = hash_->Candidates(frontier)) {
        for (size_t i : *candidates) visit(i);
      } else {
        for (size_t i = 0; i < foreign_.size(); ++i) visit(i);
      }
      frontier = std::move(next);
    }
    return SetPath(*d, spec_->as, Value::ArrayOf(results));
  }

 private:
  std::unique_ptr<query::MatchExpression> Matcher(const std::vector<Value>& values) const {
    bson::BsonBuilder b;
    b.StartArray("$or");
    size_t i = 0;
    for (const Value& v : values) {
      b.StartDocument(bson::IndexName(i++));
      b.StartDocument(spec_->connect_to);
      b.AppendElementAs("$eq", v.element());
      b.End();
      b.End();
    }
    b.End();
    auto m = query::ParseMatchExpression(b.Done());
    if (!m.ok()) ThrowDb(m.status());
    return std::move(m).value();
  }

  std::unique_ptr<DocumentSource> input_;
  std::shared_ptr<const GraphSpec> spec_;
  bool loaded_ = false;
  std::vector<BsonDocument> foreign_;
  // foreign_ hashed by connectToField's values.
  std::optional<EqualityHash> hash_;
};

class GraphLookupStage : public StageSpec {
 public:
  explicit GraphLookupStage(std::shared_ptr<const GraphSpec> s) : spec_(std::move(s)) {}
  std::string_view name() const override { return "$graphLookup"; }
  std::unique_ptr<DocumentSource> Bind(std::unique_ptr<DocumentSource> input) const override {
    return std::make_unique<GraphLookupSource>(std::move(input), spec_);
  }

 private:
  std::shared_ptr<const GraphSpec> spec_;
};

}  // namespace

StatusWith<StagePtr> ParseGraphLookupStage(const BsonElement& spec, const StageParseContext& ctx) {
  if (spec.type() != BsonType::kObject) {
    return Status(ErrorCode::kFailedToParse, "the $graphLookup stage specification must be an object, but found " +
                                                 std::string(bson::TypeAlias(spec.type())));
  }
  auto g = std::make_shared<GraphSpec>();
  g->let = BsonDocument(ctx.let_vars);
  ParseScope scope = ScopeWithLet(ctx.let_vars);
  for (const BsonElement& e : spec.Object()) {
    std::string_view n = e.field_name();
    auto str = [&](std::string* out) -> Status {
      if (e.type() != BsonType::kString) {
        return Status(40103, "expected string as argument for " + std::string(n) + ", found: " + bson::ElementValueToShellString(e));
      }
      *out = std::string(e.String());
      return Status::OK();
    };
    if (n == "from") DDS_RETURN_IF_ERROR(str(&g->from));
    else if (n == "connectFromField") DDS_RETURN_IF_ERROR(str(&g->connect_from));
    else if (n == "connectToField") DDS_RETURN_IF_ERROR(str(&g->connect_to));
    else if (n == "as") DDS_RETURN_IF_ERROR(str(&g->as));
    else if (n == "depthField") DDS_RETURN_IF_ERROR(str(&g->depth_field));
    else if (n == "startWith") {
      DDS_ASSIGN_OR_RETURN(g->start_with, ParseExpression(e, &scope));
    } else if (n == "maxDepth") {
      std::optional<int64_t> v = e.IsNumber() ? e.ExactInt64() : std::nullopt;
      if (!v || *v < 0) return Status(40101, "maxDepth requires a nonnegative argument, found: " + bson::ElementValueToShellString(e));
      g->max_depth = *v;
    } else if (n == "restrictSearchWithMatch") {
      if (e.type() != BsonType::kObject) return Status(40185, "restrictSearchWithMatch must be an object");
      DDS_ASSIGN_OR_RETURN(std::unique_ptr<query::MatchExpression> m, query::ParseMatchExpression(e.Object()));
      g->restrict = std::move(m);
    } else {
      return Status(40104, "Unknown argument to $graphLookup: " + std::string(n));
    }
  }
  if (g->from.empty() || g->as.empty() || !g->start_with || g->connect_from.empty() || g->connect_to.empty()) {
    return Status(40105, "from, as, startWith, connectFromField and connectToField must all be specified.");
  }
  if (!ctx.expr_ctx.foreign) return Status(ErrorCode::kNotImplemented, "$graphLookup is not available in this context");
  g->foreign = ctx.expr_ctx.foreign;
  return StagePtr(std::make_shared<GraphLookupStage>(std::move(g)));
}

StatusWith<StagePtr> ParseBucketAutoStage(const BsonElement& spec, const StageParseContext& ctx) {
  if (spec.type() != BsonType::kObject) {
    return Status(40240, "The argument to $bucketAuto must be an object, but found type: " + std::string(bson::TypeAlias(spec.type())));
  }
  ParseScope scope = ScopeWithLet(ctx.let_vars);
  ExprPtr group_by;
  int64_t buckets = 0;
  std::vector<std::tuple<std::string, const AccumulatorEntry*, ExprPtr, BsonDocument>> outputs;
  for (const BsonElement& e : spec.Object()) {
    std::string_view n = e.field_name();
    if (n == "groupBy") {
      DDS_ASSIGN_OR_RETURN(group_by, ParseExpression(e, &scope));
    } else if (n == "buckets") {
      std::optional<int32_t> v = e.IsNumber() ? e.ExactInt32() : std::nullopt;
      if (!v || *v <= 0) return Status(40243, "The $bucketAuto 'buckets' field must be greater than 0, but found: " + bson::ElementValueToShellString(e));
      buckets = *v;
    } else if (n == "output") {
      if (e.type() != BsonType::kObject) return Status(40244, "The $bucketAuto 'output' field must be an object");
      for (const BsonElement& f : e.Object()) {
        if (f.type() != BsonType::kObject || f.Object().CountFields() != 1) {
          return Status(40234, "The field '" + std::string(f.field_name()) + "' must be an accumulator object");
        }
        BsonElement acc = f.Object().FirstElement();
        const AccumulatorEntry* entry = FindAccumulator(acc.field_name());
        if (entry == nullptr) return Status(15952, "unknown group operator '" + std::string(acc.field_name()) + "'");
        ExprPtr arg;
        if (!entry->no_argument) {
          DDS_ASSIGN_OR_RETURN(arg, ParseExpression(acc, &scope));
        }
        bson::BsonBuilder rb;
        rb.AppendElementAs("", acc);
        outputs.emplace_back(std::string(f.field_name()), entry, std::move(arg), rb.Done());
      }
    } else if (n == "granularity") {
      return Status(ErrorCode::kNotImplemented, "$bucketAuto granularity is not supported yet");
    } else {
      return Status(40245, "Unrecognized option to $bucketAuto: " + std::string(n) + ".");
    }
  }
  if (!group_by || buckets == 0) return Status(40246, "$bucketAuto requires 'groupBy' and 'buckets' to be specified");
  auto shared_outputs = std::make_shared<const decltype(outputs)>(std::move(outputs));
  auto let = std::make_shared<const BsonDocument>(ctx.let_vars);

  class BucketAutoSource : public DocumentSource {
   public:
    BucketAutoSource(std::unique_ptr<DocumentSource> in, ExprPtr g, int64_t n, decltype(shared_outputs) o,
                     std::shared_ptr<const BsonDocument> l)
        : in_(std::move(in)), group_by_(std::move(g)), n_(n), outputs_(std::move(o)), let_(std::move(l)) {}
    std::optional<BsonDocument> GetNext() override {
      if (!done_) Compute();
      if (pos_ >= out_.size()) return std::nullopt;
      return std::move(out_[pos_++]);
    }

   private:
    void Compute() {
      done_ = true;
      std::vector<std::pair<Value, BsonDocument>> items;
      while (auto d = in_->GetNext()) {
        Variables vars(*d);
        for (const BsonElement& e : let_->view()) vars.Push(std::string(e.field_name()), Value::FromElement(e));
        Value key = group_by_->Evaluate(&vars);
        if (key.missing()) key = Value::Null();
        items.emplace_back(std::move(key), std::move(*d));
      }
      std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return CompareValues(a.first, b.first) < 0; });
      size_t per = items.empty() ? 0 : (items.size() + static_cast<size_t>(n_) - 1) / static_cast<size_t>(n_);
      size_t i = 0;
      while (i < items.size()) {
        size_t end = std::min(items.size(), i + per);
        // Equal values stay in one bucket.
        while (end < items.size() && ValuesEqual(items[end - 1].first, items[end].first)) ++end;
        std::vector<std::unique_ptr<Accumulator>> accs;
        for (const auto& [name, entry, arg, raw] : *outputs_) accs.push_back(entry->make(raw.view().FirstElement()));
        std::unique_ptr<Accumulator> count = FindAccumulator("$sum")->make(BsonElement());
        for (size_t j = i; j < end; ++j) {
          Variables vars(items[j].second);
          for (const BsonElement& e : let_->view()) vars.Push(std::string(e.field_name()), Value::FromElement(e));
          size_t k = 0;
          for (const auto& [name, entry, arg, raw] : *outputs_) {
            accs[k++]->ProcessDocument(arg ? arg->Evaluate(&vars) : Value::Null(), items[j].second);
          }
          count->Process(Value::Int32(1));
        }
        bson::BsonBuilder b;
        b.StartDocument("_id");
        AppendValue(&b, "min", items[i].first);
        AppendValue(&b, "max", end < items.size() ? items[end].first : items[end - 1].first);
        b.End();
        if (outputs_->empty()) {
          AppendValue(&b, "count", count->Finalize());
        } else {
          size_t k = 0;
          for (const auto& [name, entry, arg, raw] : *outputs_) AppendValue(&b, name, accs[k++]->Finalize());
        }
        out_.push_back(b.Done());
        i = end;
      }
    }

    std::unique_ptr<DocumentSource> in_;
    ExprPtr group_by_;
    int64_t n_;
    decltype(shared_outputs) outputs_;
    std::shared_ptr<const BsonDocument> let_;
    bool done_ = false;
    std::vector<BsonDocument> out_;
    size_t pos_ = 0;
  };

  class BucketAutoStage : public StageSpec {
   public:
    BucketAutoStage(ExprPtr g, int64_t n, decltype(shared_outputs) o, std::shared_ptr<const BsonDocument> l)
        : group_by_(std::move(g)), n_(n), outputs_(std::move(o)), let_(std::move(l)) {}
    std::string_view name() const override { return "$bucketAuto"; }
    std::unique_ptr<DocumentSource> Bind(std::unique_ptr<DocumentSource> input) const override {
      return std::make_unique<BucketAutoSource>(std::move(input), group_by_, n_, outputs_, let_);
    }

   private:
    ExprPtr group_by_;
    int64_t n_;
    decltype(shared_outputs) outputs_;
    std::shared_ptr<const BsonDocument> let_;
  };
  return StagePtr(std::make_shared<BucketAutoStage>(std::move(group_by), buckets, std::move(shared_outputs), std::move(let)));
}

}  // namespace dds::agg
