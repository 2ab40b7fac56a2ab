// The $group accumulators: $sum $avg $min $max $first $last $push $addToSet $count
// $mergeObjects $stdDevPop $stdDevSamp, and their table.
#include <algorithm>
#include <cmath>

#include "agg/accumulator.h"
#include "agg/accumulators_internal.h"
#include "common/status.h"

namespace dds::agg {

Value MergeObjectValues(const std::vector<Value>& a);  // expression_arrays.cpp

namespace {

using bson::BsonType;

// Sums with mongod's widening int32 -> int64 -> double; decimals are summed exactly on the side
// and joined by the rest (as an exact decimal) at the end, as mongod's $sum does.
class SumAccumulator : public Accumulator {
 public:
  void Process(const Value& v) override {
    if (!v.IsNumber()) return;  // $sum ignores non-numeric values
    ++count_;
    switch (v.type()) {
      case BsonType::kInt32:
      case BsonType::kInt64: {
        int64_t x = v.type() == BsonType::kInt32 ? v.element().Int32() : v.element().Int64();
        if (v.type() == BsonType::kInt64 && kind_ == kInt) kind_ = kLong;
        if (kind_ <= kLong) {
          int64_t r;
          if (__builtin_add_overflow(l_, x, &r)) {
            kind_ = kDouble;
            d_ = static_cast<double>(l_) + static_cast<double>(x);
          } else {
            l_ = r;
            if (kind_ == kInt && (r < INT32_MIN || r > INT32_MAX)) kind_ = kLong;
          }
        } else {
          d_ += static_cast<double>(x);
        }
        break;
      }
      case BsonType::kDouble: {
        if (kind_ <= kLong) d_ = static_cast<double>(l_);
        kind_ = std::max(kind_, kDouble);
        d_ += v.element().Double();
        break;
      }
      default:
        decimal_ = true;
        decimal_total_ = decimal_total_.Add(v.element().Decimal());
    }
  }
  Value Finalize() const override {
    if (decimal_) return Value::Decimal(DecimalTotal());
    switch (kind_) {
      case kInt: return Value::Int32(static_cast<int32_t>(l_));
      case kLong: return Value::Int64(l_);
      default: return Value::Double(d_);
    }
  }
  int64_t count() const { return count_; }
  double total() const { return kind_ <= kLong ? static_cast<double>(l_) : d_; }
  bool decimal() const { return decimal_; }
  bson::Decimal128 DecimalTotal() const {
    bson::Decimal128 rest = kind_ <= kLong ? bson::Decimal128::FromInt64(l_)
                                           : bson::Decimal128::FromDoubleExact(d_);
    return decimal_total_.Add(rest);
  }

 private:
  enum Kind { kInt, kLong, kDouble } kind_ = kInt;
  int64_t l_ = 0;
  double d_ = 0;
  bool decimal_ = false;
  bson::Decimal128 decimal_total_;
  int64_t count_ = 0;
};

class AvgAccumulator : public Accumulator {
 public:
  void Process(const Value& v) override { sum_.Process(v); }
  Value Finalize() const override {
    if (sum_.count() == 0) return Value::Null();
    if (sum_.decimal()) {
      return Value::Decimal(sum_.DecimalTotal().Divide(bson::Decimal128::FromInt64(sum_.count())));
    }
    return Value::Double(sum_.total() / static_cast<double>(sum_.count()));
  }

 private:
  SumAccumulator sum_;
};

template <bool kMin>
class MinMaxAccumulator : public Accumulator {
 public:
  void Process(const Value& v) override {
    if (v.nullish()) return;  // $min/$max ignore null and missing
    if (best_.missing() || (kMin ? CompareValues(v, best_) < 0 : CompareValues(v, best_) > 0)) best_ = v;
  }
  Value Finalize() const override { return best_.missing() ? Value::Null() : best_; }

 private:
  Value best_;
};

class FirstAccumulator : public Accumulator {
 public:
  void Process(const Value& v) override {
    if (seen_) return;
    seen_ = true;
    value_ = v.missing() ? Value::Null() : v;
  }
  Value Finalize() const override { return seen_ ? value_ : Value::Null(); }

 private:
  bool seen_ = false;
  Value value_;
};

class LastAccumulator : public Accumulator {
 public:
  void Process(const Value& v) override { value_ = v.missing() ? Value::Null() : v; }
  Value Finalize() const override { return value_.missing() ? Value::Null() : value_; }

 private:
  Value value_;
};

class PushAccumulator : public Accumulator {
 public:
  void Process(const Value& v) override {
    if (!v.missing()) items_.push_back(v);
  }
  Value Finalize() const override { return Value::ArrayOf(items_); }

 private:
  std::vector<Value> items_;
};

class AddToSetAccumulator : public Accumulator {
 public:
  void Process(const Value& v) override {
    if (v.missing()) return;
    for (const Value& x : items_) {
      if (ValuesEqual(x, v)) return;
    }
    items_.push_back(v);
  }
  Value Finalize() const override { return Value::ArrayOf(items_); }

 private:
  std::vector<Value> items_;
};

class CountAccumulator : public Accumulator {
 public:
  void Process(const Value&) override { ++n_; }
  Value Finalize() const override {
    return n_ <= INT32_MAX ? Value::Int32(static_cast<int32_t>(n_)) : Value::Int64(n_);
  }

 private:
  int64_t n_ = 0;
};

class MergeObjectsAccumulator : public Accumulator {
 public:
  void Process(const Value& v) override {
    if (v.nullish()) return;
    merged_ = MergeObjectValues({merged_, v});
  }
  Value Finalize() const override { return merged_.missing() ? Value::Document(bson::BsonView()) : merged_; }

 private:
  Value merged_;
};

template <bool kSample>
class StdDevAccumulator : public Accumulator {
 public:
  void Process(const Value& v) override {
    if (!v.IsNumber()) return;
    double x = v.element().NumberDouble();
    ++n_;
    double delta = x - mean_;
    mean_ += delta / static_cast<double>(n_);
    m2_ += delta * (x - mean_);
  }
  Value Finalize() const override {
    int64_t denom = kSample ? n_ - 1 : n_;
    if (denom <= 0) return Value::Null();
    return Value::Double(std::sqrt(m2_ / static_cast<double>(denom)));
  }

 private:
  int64_t n_ = 0;
  double mean_ = 0, m2_ = 0;
};

template <typename T>
std::unique_ptr<Accumulator> Make(const bson::BsonElement&) {
  return std::make_unique<T>();
}

// Sorted by name; tests/unit/agg/table_test.cpp checks it.
constexpr AccumulatorEntry kAccumulators[] = {
    {"$addToSet", &Make<AddToSetAccumulator>, false},
    {"$avg", &Make<AvgAccumulator>, false},
    {"$bottom", &MakeBottom, false, &ValidateTopBottomAccumulator},
    {"$bottomN", &MakeBottomN, false, &ValidateTopBottomAccumulator},
    {"$count", &Make<CountAccumulator>, true},
    {"$first", &Make<FirstAccumulator>, false},
    {"$firstN", &MakeFirstN, false, &ValidateNInputAccumulator},
    {"$last", &Make<LastAccumulator>, false},
    {"$lastN", &MakeLastN, false, &ValidateNInputAccumulator},
    {"$max", &Make<MinMaxAccumulator<false>>, false},
    {"$maxN", &MakeMaxN, false, &ValidateNInputAccumulator},
    {"$median", &MakeMedian, false, &ValidatePercentileAccumulator},
    {"$mergeObjects", &Make<MergeObjectsAccumulator>, false},
    {"$min", &Make<MinMaxAccumulator<true>>, false},
    {"$minN", &MakeMinN, false, &ValidateNInputAccumulator},
    {"$percentile", &MakePercentile, false, &ValidatePercentileAccumulator},
    {"$push", &Make<PushAccumulator>, false},
    {"$stdDevPop", &Make<StdDevAccumulator<false>>, false},
    {"$stdDevSamp", &Make<StdDevAccumulator<true>>, false},
    {"$sum", &Make<SumAccumulator>, false},
    {"$top", &MakeTop, false, &ValidateTopBottomAccumulator},
    {"$topN", &MakeTopN, false, &ValidateTopBottomAccumulator},
};

}  // namespace

const AccumulatorEntry* FindAccumulator(std::string_view name) {
  auto it = std::lower_bound(std::begin(kAccumulators), std::end(kAccumulators), name,
                             [](const AccumulatorEntry& e, std::string_view n) { return e.name < n; });
  if (it == std::end(kAccumulators) || it->name != name) return nullptr;
  return &*it;
}

std::span<const AccumulatorEntry> AllAccumulators() { return kAccumulators; }

}  // namespace dds::agg
