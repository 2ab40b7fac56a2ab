// $fill (5.3): fills null and missing fields with a constant expression, the last observed value
// (locf) or linear interpolation over the sortBy field, per partition.

#include "agg/document_util.h"
#include "agg/expression_internal.h"
#include "agg/stages_internal.h"
#include "query/sort_pattern.h"

namespace dds::agg {

namespace {

using bson::BsonDocument;
using bson::BsonElement;
using bson::BsonType;

struct FillOutput {
  std::string path;
  ExprPtr value;     // {value: expr}
  bool locf = false;  // {method: "locf"}
  bool linear = false;
};

struct FillSpec {
  ExprPtr partition_by;
  std::shared_ptr<const query::SortPattern> sort_by;
  std::string sort_field;
  std::vector<FillOutput> outputs;
  BsonDocument let;
};

class FillSource : public DocumentSource {
 public:
  FillSource(std::unique_ptr<DocumentSource> in, std::shared_ptr<const FillSpec> s) : in_(std::move(in)), spec_(std::move(s)) {}
  std::optional<BsonDocument> GetNext() override {
    if (!done_) Compute();
    if (pos_ >= out_.size()) return std::nullopt;
    return std::move(out_[pos_++]);
  }

 private:
  Value Eval(const ExprPtr& e, const BsonDocument& d) const {
    return EvaluateWithLet(*e, d, spec_->let.view());
  }

  void Compute() {
    done_ = true;
    std::vector<BsonDocument> docs;
    while (auto d = in_->GetNext()) docs.push_back(std::move(*d));
    std::vector<std::vector<BsonDocument>> parts =
        SortAndPartition(std::move(docs), spec_->sort_by.get(), spec_->partition_by,
                         spec_->let.view());
    for (auto& part : parts) {
      for (const FillOutput& o : spec_->outputs) Fill(part, o);
      for (BsonDocument& d : part) out_.push_back(std::move(d));
    }
  }

  void Fill(std::vector<BsonDocument>& part, const FillOutput& o) {
    std::vector<Value> values;
    for (const BsonDocument& d : part) values.push_back(GetNestedField(d, o.path));
    if (o.value) {
      for (size_t i = 0; i < part.size(); ++i) {
        if (values[i].nullish()) part[i] = SetPath(part[i], o.path, Eval(o.value, part[i]));
      }
    } else if (o.locf) {
      Value last;
      for (size_t i = 0; i < part.size(); ++i) {
        if (!values[i].nullish()) {
          last = values[i];
        } else if (!last.missing()) {
          part[i] = SetPath(part[i], o.path, last);
        }
      }
    } else {
      std::vector<double> xs;
      for (const BsonDocument& d : part) {
        Value x = GetNestedField(d, spec_->sort_field);
        xs.push_back(x.type() == BsonType::kDate ? static_cast<double>(x.element().Date()) : (x.IsNumber() ? ToDouble(x) : 0));
      }
      std::optional<size_t> prev;
      for (size_t i = 0; i < part.size(); ++i) {
        if (values[i].nullish()) continue;
        if (!values[i].IsNumber()) ThrowDb(6050106, "There can be no non-numeric values in a $linearFill window");
        if (prev && i > *prev + 1) {
          double x0 = xs[*prev], x1 = xs[i], y0 = ToDouble(values[*prev]), y1 = ToDouble(values[i]);
          for (size_t j = *prev + 1; j < i; ++j) {
            double y = x1 == x0 ? y0 : y0 + (y1 - y0) * (xs[j] - x0) / (x1 - x0);
            part[j] = SetPath(part[j], o.path, Value::Double(y));
          }
        }
        prev = i;
      }
    }
  }

  std::unique_ptr<DocumentSource> in_;
  std::shared_ptr<const FillSpec> spec_;
  bool done_ = false;
  std::vector<BsonDocument> out_;
  size_t pos_ = 0;
};

}  // namespace

StatusWith<StagePtr> ParseFillStage(const BsonElement& spec, const StageParseContext& ctx) {
  if (spec.type() != BsonType::kObject) return Status(ErrorCode::kTypeMismatch, "$fill specification must be an object");
  auto f = std::make_shared<FillSpec>();
  f->let = BsonDocument(ctx.let_vars);
  ParseScope scope = ScopeWithLet(ctx.let_vars);
  BsonElement output;
  for (const BsonElement& e : spec.Object()) {
    std::string_view n = e.field_name();
    if (n == "partitionBy") {
      DDS_ASSIGN_OR_RETURN(f->partition_by, ParseExpression(e, &scope));
    } else if (n == "partitionByFields") {
      if (e.type() != BsonType::kArray) return Status(ErrorCode::kTypeMismatch, "partitionByFields must be an array");
      bson::BsonBuilder b;
      b.StartDocument("p");
      for (const BsonElement& x : e.Array()) {
        if (x.type() != BsonType::kString) return Status(ErrorCode::kTypeMismatch, "partitionByFields must be strings");
        b.AppendString(x.String(), "$" + std::string(x.String()));
      }
      b.End();
      BsonDocument pd = b.Done();
      DDS_ASSIGN_OR_RETURN(f->partition_by, ParseExpression(pd.view().FirstElement(), &scope));
    } else if (n == "sortBy") {
      if (e.type() != BsonType::kObject) return Status(ErrorCode::kTypeMismatch, "sortBy must be an object");
      DDS_ASSIGN_OR_RETURN(query::SortPattern p, query::SortPattern::Parse(e.Object()));
      if (p.fields().size() == 1) f->sort_field = p.fields()[0].path;
      f->sort_by = std::make_shared<const query::SortPattern>(std::move(p));
    } else if (n == "output") {
      if (e.type() != BsonType::kObject) return Status(ErrorCode::kTypeMismatch, "output must be an object");
      output = e;
    } else {
      return Status(40415, "BSON field '$fill." + std::string(n) + "' is an unknown field.");
    }
  }
  if (output.eoo()) return Status(40414, "BSON field '$fill.output' is missing but a required field");
  for (const BsonElement& o : output.Object()) {
    FillOutput fo;
    fo.path = std::string(o.field_name());
    if (o.type() != BsonType::kObject || o.Object().CountFields() != 1) {
      return Status(6050203, "Exactly one of 'value' and 'method' must be specified in $fill output: " + fo.path);
    }
    BsonElement k = o.Object().FirstElement();
    if (k.field_name() == "value") {
      DDS_ASSIGN_OR_RETURN(fo.value, ParseExpression(k, &scope));
    } else if (k.field_name() == "method" && k.type() == BsonType::kString && (k.String() == "locf" || k.String() == "linear")) {
      if (!f->sort_by) return Status(6050201, "sortBy required if any output field specifies a 'method'");
      fo.locf = k.String() == "locf";
      fo.linear = !fo.locf;
      if (fo.linear && f->sort_field.empty()) return Status(605001, "$linearFill requires a single sortBy field");
    } else {
      return Status(6050202, "Method must be either locf or linear");
    }
    f->outputs.push_back(std::move(fo));
  }
  std::shared_ptr<const FillSpec> bound = std::move(f);
  return MakeStage("$fill", [bound](std::unique_ptr<DocumentSource> input) {
    return std::unique_ptr<DocumentSource>(std::make_unique<FillSource>(std::move(input), bound));
  });
}

}  // namespace dds::agg
