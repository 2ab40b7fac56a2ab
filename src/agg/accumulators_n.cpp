// P2 accumulators: $firstN $lastN $maxN $minN $top $bottom $topN $bottomN $median $percentile.
// Their argument is an object ({input, n} / {sortBy, output[, n]} / {input, p, method}); the
// group stage evaluates it as an object expression per document, so Process receives {n, ...}.
#include <algorithm>
#include <cmath>

#include "agg/accumulators_internal.h"
#include "query/sort_pattern.h"

namespace dds::agg {
namespace {

using bson::BsonElement;
using bson::BsonType;

Status RequireObject(const BsonElement& arg, std::initializer_list<std::string_view> required,
                     std::initializer_list<std::string_view> allowed) {
  std::string name(arg.field_name());
  if (arg.type() != BsonType::kObject) {
    return Status(5787801, name + " requires an object as an argument, found: " + std::string(bson::TypeAlias(arg.type())));
  }
  for (const BsonElement& f : arg.Object()) {
    if (std::find(allowed.begin(), allowed.end(), f.field_name()) == allowed.end()) {
      return Status(5787901, name + " found an unknown argument: " + std::string(f.field_name()));
    }
  }
  for (std::string_view r : required) {
    if (!arg.Object().HasField(r)) return Status(5787906, name + " requires '" + std::string(r) + "' to be specified");
  }
  return Status::OK();
}

int64_t ReadN(const Value& obj, const char* op) {
  Value n = Value::FromElement(obj.IsObject() ? obj.element().Object().Get("n") : BsonElement());
  std::optional<int64_t> k = n.IsNumber() ? n.element().ExactInt64() : std::nullopt;
  if (!k || *k <= 0) ThrowDb(5787908, std::string("Value for 'n' must be a positive integer for ") + op + ": " + n.ToString());
  return *k;
}

Value Field(const Value& obj, std::string_view name) {
  if (!obj.IsObject()) return Value();
  return Value::FromElement(obj.element().Object().Get(name));
}

// $firstN / $lastN / $maxN / $minN.
class NAccumulator : public Accumulator {
 public:
  explicit NAccumulator(int kind) : kind_(kind) {}
  void Process(const Value& v) override {
    static const char* kNames[] = {"$firstN", "$lastN", "$maxN", "$minN"};
    if (n_ == 0) n_ = ReadN(v, kNames[kind_]);
    Value in = Field(v, "input");
    if (kind_ >= 2 && in.nullish()) return;
    if (in.missing()) in = Value::Null();
    items_.push_back(std::move(in));
    if (kind_ == 0 && static_cast<int64_t>(items_.size()) > n_) items_.pop_back();
    if (kind_ == 1 && static_cast<int64_t>(items_.size()) > n_) items_.erase(items_.begin());
  }
  Value Finalize() const override {
    std::vector<Value> out = items_;
    if (kind_ >= 2) {
      std::stable_sort(out.begin(), out.end(), [&](const Value& a, const Value& b) {
        int c = CompareValues(a, b);
        return kind_ == 2 ? c > 0 : c < 0;
      });
      if (static_cast<int64_t>(out.size()) > n_) out.resize(static_cast<size_t>(n_));
    }
    return Value::ArrayOf(out);
  }

 private:
  int kind_;
  int64_t n_ = 0;
  std::vector<Value> items_;
};

// $top / $bottom / $topN / $bottomN.
class TopBottomAccumulator : public Accumulator {
 public:
  TopBottomAccumulator(const BsonElement& arg, bool top, bool has_n) : top_(top), has_n_(has_n) {
    auto p = query::SortPattern::Parse(arg.Object().Get("sortBy").Object());
    pattern_ = std::move(p).value();
  }
  void Process(const Value& v) override { ProcessDocument(v, bson::BsonView()); }
  void ProcessDocument(const Value& v, const bson::BsonView& doc) override {
    if (has_n_ && n_ == 0) n_ = ReadN(v, top_ ? "$topN" : "$bottomN");
    Value out = Field(v, "output");
    if (out.missing()) out = Value::Null();
    entries_.push_back({pattern_.ExtractKey(doc), std::move(out)});
  }
  Value Finalize() const override {
    std::vector<const Entry*> sorted;
    for (const Entry& e : entries_) sorted.push_back(&e);
    std::stable_sort(sorted.begin(), sorted.end(), [&](const Entry* a, const Entry* b) {
      return pattern_.CompareKeys(a->key, b->key) < 0;
    });
    if (!has_n_) {
      if (sorted.empty()) return Value::Null();
      return top_ ? sorted.front()->output : sorted.back()->output;
    }
    std::vector<Value> out;
    size_t n = static_cast<size_t>(std::min<int64_t>(n_, static_cast<int64_t>(sorted.size())));
    if (top_) {
      for (size_t i = 0; i < n; ++i) out.push_back(sorted[i]->output);
    } else {
      for (size_t i = sorted.size() - n; i < sorted.size(); ++i) out.push_back(sorted[i]->output);
    }
    return Value::ArrayOf(out);
  }

 private:
  struct Entry {
    bson::BsonDocument key;
    Value output;
  };
  bool top_, has_n_;
  int64_t n_ = 0;
  query::SortPattern pattern_;
  std::vector<Entry> entries_;
};

// $median / $percentile (method "approximate"; computed exactly on the collected values).
class PercentileAccumulator : public Accumulator {
 public:
  explicit PercentileAccumulator(bool median) : median_(median) {}
  void Process(const Value& v) override {
    if (!median_ && ps_.empty()) {
      Value p = Field(v, "p");
      if (!p.IsArray() || p.ArrayItems().empty()) ThrowDb(7750301, "$percentile 'p' must be a non-empty array of numbers");
      for (const Value& x : p.ArrayItems()) {
        if (!x.IsNumber() || ToDouble(x) < 0 || ToDouble(x) > 1) {
          ThrowDb(7750302, "$percentile 'p' must be an array of numeric values from [0.0, 1.0] range");
        }
        ps_.push_back(ToDouble(x));
      }
    }
    Value in = Field(v, "input");
    if (in.IsNumber()) values_.push_back(ToDouble(in));
  }
  Value Finalize() const override {
    std::vector<double> sorted = values_;
    std::sort(sorted.begin(), sorted.end());
    auto at = [&](double p) -> Value {
      if (sorted.empty()) return Value::Null();
      double rank = std::ceil(p * static_cast<double>(sorted.size())) - 1;
      size_t idx = static_cast<size_t>(std::clamp(rank, 0.0, static_cast<double>(sorted.size() - 1)));
      return Value::Double(sorted[idx]);
    };
    if (median_) return at(0.5);
    std::vector<Value> out;
    for (double p : ps_) out.push_back(at(p));
    return Value::ArrayOf(out);
  }

 private:
  bool median_;
  std::vector<double> ps_;
  std::vector<double> values_;
};

}  // namespace

Status ValidateNInputAccumulator(const BsonElement& arg) { return RequireObject(arg, {"input", "n"}, {"input", "n"}); }

Status ValidateTopBottomAccumulator(const BsonElement& arg) {
  bool n = arg.field_name() == "$topN" || arg.field_name() == "$bottomN";
  Status s = n ? RequireObject(arg, {"sortBy", "output", "n"}, {"sortBy", "output", "n"})
               : RequireObject(arg, {"sortBy", "output"}, {"sortBy", "output"});
  if (!s.ok()) return s;
  BsonElement sort_by = arg.Object().Get("sortBy");
  if (sort_by.type() != BsonType::kObject) {
    return Status(ErrorCode::kFailedToParse, std::string(arg.field_name()) + " requires 'sortBy' to be an object");
  }
  return query::SortPattern::Parse(sort_by.Object()).status();
}

Status ValidatePercentileAccumulator(const BsonElement& arg) {
  bool median = arg.field_name() == "$median";
  Status s = median ? RequireObject(arg, {"input", "method"}, {"input", "method"})
                    : RequireObject(arg, {"input", "p", "method"}, {"input", "p", "method"});
  if (!s.ok()) return s;
  BsonElement method = arg.Object().Get("method");
  if (method.type() != BsonType::kString || method.String() != "approximate") {
    return Status(ErrorCode::kBadValue, "Currently only 'approximate' can be used as percentile 'method'");
  }
  return Status::OK();
}

std::unique_ptr<Accumulator> MakeFirstN(const BsonElement&) { return std::make_unique<NAccumulator>(0); }
std::unique_ptr<Accumulator> MakeLastN(const BsonElement&) { return std::make_unique<NAccumulator>(1); }
std::unique_ptr<Accumulator> MakeMaxN(const BsonElement&) { return std::make_unique<NAccumulator>(2); }
std::unique_ptr<Accumulator> MakeMinN(const BsonElement&) { return std::make_unique<NAccumulator>(3); }
std::unique_ptr<Accumulator> MakeTop(const BsonElement& a) { return std::make_unique<TopBottomAccumulator>(a, true, false); }
std::unique_ptr<Accumulator> MakeBottom(const BsonElement& a) { return std::make_unique<TopBottomAccumulator>(a, false, false); }
std::unique_ptr<Accumulator> MakeTopN(const BsonElement& a) { return std::make_unique<TopBottomAccumulator>(a, true, true); }
std::unique_ptr<Accumulator> MakeBottomN(const BsonElement& a) { return std::make_unique<TopBottomAccumulator>(a, false, true); }
std::unique_ptr<Accumulator> MakeMedian(const BsonElement&) { return std::make_unique<PercentileAccumulator>(true); }
std::unique_ptr<Accumulator> MakePercentile(const BsonElement&) { return std::make_unique<PercentileAccumulator>(false); }

}  // namespace dds::agg
