// $setWindowFields (P2): partitions, sortBy, and window outputs computed with the $group
// accumulators over `documents` or `range` windows, plus the window-only functions $rank
// $denseRank $documentNumber $shift $locf. Blocking: the whole input is buffered.
#include <algorithm>

#include "agg/accumulator.h"
#include "agg/document_util.h"
#include "agg/stages_internal.h"
#include "query/sort_pattern.h"

namespace dds::agg {

namespace {

using bson::BsonDocument;
using bson::BsonElement;
using bson::BsonType;

struct Bound {
  enum class Kind { kUnbounded, kCurrent, kOffset } kind = Kind::kUnbounded;
  double offset = 0;
};

struct WindowOutput {
  std::string path;
  std::string op;
  const AccumulatorEntry* acc = nullptr;  // accumulator functions
  ExprPtr arg;                            // evaluated per document
  BsonDocument raw;                       // {"": argument}
  bool range = false;                     // range window (else documents)
  Bound lo, hi;
  int64_t shift_by = 0;
  ExprPtr shift_default;
};

struct WindowSpec {
  ExprPtr partition_by;
  std::shared_ptr<const query::SortPattern> sort_by;
  std::string sort_field;  // single sort field for range windows
  std::vector<WindowOutput> outputs;
  BsonDocument let;
};

StatusWith<Bound> ParseBound(const BsonElement& e, bool range) {
  Bound b;
  if (e.type() == BsonType::kString) {
    if (e.String() == "unbounded") return b;
    if (e.String() == "current") {
      b.kind = Bound::Kind::kCurrent;
      return b;
    }
    return Status(ErrorCode::kFailedToParse, "Window bounds must be 'unbounded', 'current', or a number");
  }
  if (!e.IsNumber() || (!range && !e.ExactInt64())) {
    return Status(ErrorCode::kFailedToParse, "Numeric document-based bounds must be an integer");
  }
  b.kind = Bound::Kind::kOffset;
  b.offset = e.NumberDouble();
  return b;
}

Status ParseWindow(const BsonElement& w, WindowOutput* out) {
  if (w.type() != BsonType::kObject) return Status(ErrorCode::kFailedToParse, "'window' field must be an object");
  for (const BsonElement& f : w.Object()) {
    std::string_view n = f.field_name();
    if (n == "documents" || n == "range") {
      out->range = n == "range";
      if (f.type() != BsonType::kArray) return Status(ErrorCode::kFailedToParse, "Window bounds must be a 2-element array");
      std::vector<BsonElement> parts;
      for (const BsonElement& x : f.Array()) parts.push_back(x);
      if (parts.size() != 2) return Status(ErrorCode::kFailedToParse, "Window bounds must be a 2-element array");
      DDS_ASSIGN_OR_RETURN(out->lo, ParseBound(parts[0], out->range));
      DDS_ASSIGN_OR_RETURN(out->hi, ParseBound(parts[1], out->range));
    } else if (n == "unit") {
      return Status(ErrorCode::kNotImplemented, "time-unit range windows are not supported yet");
    } else {
      return Status(ErrorCode::kFailedToParse, "'window' field can only contain 'documents' as the only argument or "
                                               "'range' with an optional 'unit' field");
    }
  }
  return Status::OK();
}

class WindowSource : public DocumentSource {
 public:
  WindowSource(std::unique_ptr<DocumentSource> in, std::shared_ptr<const WindowSpec> spec)
      : input_(std::move(in)), spec_(std::move(spec)) {}

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
    while (auto d = input_->GetNext()) docs.push_back(std::move(*d));
    std::vector<std::vector<BsonDocument>> partitions =
        SortAndPartition(std::move(docs), spec_->sort_by.get(), spec_->partition_by,
                         spec_->let.view());
    for (std::vector<BsonDocument>& part : partitions) ComputePartition(part);
  }

  void ComputePartition(std::vector<BsonDocument>& part) {
    size_t n = part.size();
    std::vector<BsonDocument> keys;
    if (spec_->sort_by) {
      for (const BsonDocument& d : part) keys.push_back(spec_->sort_by->ExtractKey(d));
    }
    std::vector<double> sort_values;
    std::vector<BsonDocument> results(part.begin(), part.end());
    for (const WindowOutput& o : spec_->outputs) {
      std::vector<Value> args;
      for (const BsonDocument& d : part) args.push_back(o.arg ? Eval(o.arg, d) : Value::Null());
      if (o.range) {
        sort_values.clear();
        for (const BsonDocument& d : part) {
          Value sv = GetNestedField(d, spec_->sort_field);
          BsonElement e = sv.element();
          if (!e.IsNumber() && e.type() != BsonType::kDate) {
            ThrowDb(5429414, "Invalid range: Expected the sortBy field to be a number or a date, but it was " +
                                 std::string(bson::TypeAlias(e.type())));
          }
          sort_values.push_back(e.type() == BsonType::kDate ? static_cast<double>(e.Date()) : e.NumberDouble());
        }
      }
      for (size_t i = 0; i < n; ++i) {
        Value result;
        if (o.op == "$documentNumber") {
          result = Value::Int64(static_cast<int64_t>(i + 1));
        } else if (o.op == "$rank" || o.op == "$denseRank") {
          int64_t rank = 1, dense = 1;
          for (size_t j = 1; j <= i; ++j) {
            if (spec_->sort_by->CompareKeys(keys[j - 1], keys[j]) != 0) {
              rank = static_cast<int64_t>(j) + 1;
              ++dense;
            }
          }
          result = Value::Int64(o.op == "$rank" ? rank : dense);
        } else if (o.op == "$shift") {
          int64_t j = static_cast<int64_t>(i) + o.shift_by;
          if (j >= 0 && j < static_cast<int64_t>(n)) {
            result = args[static_cast<size_t>(j)];
            if (result.missing()) result = Value::Null();
          } else {
            result = o.shift_default ? Eval(o.shift_default, part[i]) : Value::Null();
          }
        } else if (o.op == "$locf") {
          result = Value::Null();
          for (size_t j = 0; j <= i; ++j) {
            if (!args[j].nullish()) result = args[j];
          }
        } else {
          size_t lo = 0, hi = n;  // [lo, hi)
          if (o.range) {
            double v = sort_values[i];
            for (size_t j = 0; j < n; ++j) {
              double x = sort_values[j];
              bool ok = true;
              if (o.lo.kind == Bound::Kind::kCurrent) ok = ok && x >= v;
              if (o.lo.kind == Bound::Kind::kOffset) ok = ok && x >= v + o.lo.offset;
              if (o.hi.kind == Bound::Kind::kCurrent) ok = ok && x <= v;
              if (o.hi.kind == Bound::Kind::kOffset) ok = ok && x <= v + o.hi.offset;
              if (!ok) continue;
              if (lo == 0 && hi == n) {
                lo = j;
                hi = j + 1;
              } else {
                hi = j + 1;
              }
            }
            bool any = false;
            for (size_t j = 0; j < n && !any; ++j) {
              double x = sort_values[j];
              any = (o.lo.kind != Bound::Kind::kOffset || x >= v + o.lo.offset) &&
                    (o.hi.kind != Bound::Kind::kOffset || x <= v + o.hi.offset);
            }
            if (!any) lo = hi = 0;
          } else {
            auto at = [&](const Bound& b, bool is_lo) -> int64_t {
              if (b.kind == Bound::Kind::kUnbounded) return is_lo ? 0 : static_cast<int64_t>(n);
              int64_t off = b.kind == Bound::Kind::kCurrent ? 0 : static_cast<int64_t>(b.offset);
              int64_t idx = static_cast<int64_t>(i) + off + (is_lo ? 0 : 1);
              return std::clamp<int64_t>(idx, 0, static_cast<int64_t>(n));
            };
            int64_t l = at(o.lo, true), h = at(o.hi, false);
            lo = static_cast<size_t>(l);
            hi = static_cast<size_t>(std::max(l, h));
          }
          std::unique_ptr<Accumulator> acc = o.acc->make(o.raw.view().FirstElement());
          for (size_t j = lo; j < hi; ++j) acc->ProcessDocument(args[j], part[j]);
          result = acc->Finalize();
        }
        results[i] = SetPath(results[i], o.path, result);
      }
    }
    for (BsonDocument& d : results) out_.push_back(std::move(d));
  }

  std::unique_ptr<DocumentSource> input_;
  std::shared_ptr<const WindowSpec> spec_;
  bool done_ = false;
  std::vector<BsonDocument> out_;
  size_t pos_ = 0;
};

}  // namespace

StatusWith<StagePtr> ParseSetWindowFieldsStage(const BsonElement& spec, const StageParseContext& ctx) {
  if (spec.type() != BsonType::kObject) {
    return Status(ErrorCode::kFailedToParse, "the $setWindowFields stage specification must be an object");
  }
  auto w = std::make_shared<WindowSpec>();
  w->let = BsonDocument(ctx.let_vars);
  ParseScope scope = ScopeWithLet(ctx.let_vars);
  BsonElement output;
  for (const BsonElement& e : spec.Object()) {
    std::string_view n = e.field_name();
    if (n == "partitionBy") {
      DDS_ASSIGN_OR_RETURN(w->partition_by, ParseExpression(e, &scope));
    } else if (n == "sortBy") {
      if (e.type() != BsonType::kObject) return Status(ErrorCode::kTypeMismatch, "sortBy must be an object");
      DDS_ASSIGN_OR_RETURN(query::SortPattern p, query::SortPattern::Parse(e.Object()));
      if (p.fields().size() == 1) w->sort_field = p.fields()[0].path;
      w->sort_by = std::make_shared<const query::SortPattern>(std::move(p));
    } else if (n == "output") {
      if (e.type() != BsonType::kObject) return Status(ErrorCode::kTypeMismatch, "output must be an object");
      output = e;
    } else {
      return Status(40415, "BSON field '$setWindowFields." + std::string(n) + "' is an unknown field.");
    }
  }
  if (output.eoo()) return Status(40414, "BSON field '$setWindowFields.output' is missing but a required field");
  for (const BsonElement& f : output.Object()) {
    if (f.type() != BsonType::kObject) {
      return Status(ErrorCode::kFailedToParse, "The field '" + std::string(f.field_name()) + "' must be an object");
    }
    WindowOutput o;
    o.path = std::string(f.field_name());
    BsonElement fn;
    for (const BsonElement& x : f.Object()) {
      if (x.field_name() == "window") {
        DDS_RETURN_IF_ERROR(ParseWindow(x, &o));
      } else if (fn.eoo() && !x.field_name().empty() && x.field_name()[0] == '$') {
        fn = x;
      } else {
        return Status(ErrorCode::kFailedToParse, "Window function found an unknown argument: " + std::string(x.field_name()));
      }
    }
    if (fn.eoo()) return Status(ErrorCode::kFailedToParse, "Expected a $-prefixed window function, " + std::string(f.field_name()));
    o.op = std::string(fn.field_name());
    if (o.range && w->sort_field.empty()) {
      return Status(5339902, "Range-based bounds require sortBy a single field");
    }
    if (o.op == "$rank" || o.op == "$denseRank" || o.op == "$documentNumber") {
      if (!w->sort_by) return Status(5371602, o.op + " must be specified with a top level sortBy expression with exactly one element");
    } else if (o.op == "$shift") {
      if (fn.type() != BsonType::kObject) return Status(ErrorCode::kFailedToParse, "Argument to $shift must be an object");
      for (const BsonElement& a : fn.Object()) {
        if (a.field_name() == "output") {
          DDS_ASSIGN_OR_RETURN(o.arg, ParseExpression(a, &scope));
        } else if (a.field_name() == "by") {
          std::optional<int32_t> by = a.IsNumber() ? a.ExactInt32() : std::nullopt;
          if (!by) return Status(ErrorCode::kFailedToParse, "'$shift:by' field must be an integer");
          o.shift_by = *by;
        } else if (a.field_name() == "default") {
          DDS_ASSIGN_OR_RETURN(o.shift_default, ParseExpression(a, &scope));
        } else {
          return Status(ErrorCode::kFailedToParse, "Unknown argument in $shift: " + std::string(a.field_name()));
        }
      }
      if (!o.arg) return Status(ErrorCode::kFailedToParse, "$shift requires an 'output' expression");
      if (!w->sort_by) return Status(5371602, "$shift must be specified with a top level sortBy expression with exactly one element");
    } else if (o.op == "$locf") {
      DDS_ASSIGN_OR_RETURN(o.arg, ParseExpression(fn, &scope));
    } else {
      o.acc = FindAccumulator(o.op);
      if (o.acc == nullptr) {
        if (o.op == "$derivative" || o.op == "$integral" || o.op == "$expMovingAvg" || o.op == "$covariancePop" ||
            o.op == "$covarianceSamp" || o.op == "$linearFill") {
          return Status(ErrorCode::kNotImplemented, "window function " + o.op + " is not supported yet");
        }
        return Status(ErrorCode::kFailedToParse, "Unrecognized window function, " + o.op);
      }
      bson::BsonBuilder rb;
      rb.AppendElementAs("", fn);
      o.raw = rb.Done();
      if (o.acc->validate != nullptr) DDS_RETURN_IF_ERROR(o.acc->validate(fn));
      if (!o.acc->no_argument) {
        DDS_ASSIGN_OR_RETURN(o.arg, ParseExpression(fn, &scope));
      }
    }
    w->outputs.push_back(std::move(o));
  }
  std::shared_ptr<const WindowSpec> bound = std::move(w);
  return MakeStage("$setWindowFields", [bound](std::unique_ptr<DocumentSource> input) {
    return std::unique_ptr<DocumentSource>(std::make_unique<WindowSource>(std::move(input), bound));
  });
}

}  // namespace dds::agg
