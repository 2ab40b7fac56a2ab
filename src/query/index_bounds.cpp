#include "query/index_bounds.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "index/key_generator.h"
#include "query/match_nodes.h"
#include "storage/key_string.h"
#include "storage/keyspace.h"

namespace dds::query {
namespace {

using bson::BsonElement;
using bson::BsonType;

std::string Ks(const BsonElement& e) { return storage::EncodeKeyString(e); }

std::string RawLow(const IntervalBound& b) {
  return b.inclusive ? b.ks : storage::PrefixSuccessor(b.ks);
}
std::string RawHigh(const IntervalBound& b) {
  return b.inclusive ? storage::PrefixSuccessor(b.ks) : b.ks;
}

std::string Display(const BsonElement& e) {
  switch (e.type()) {
    case BsonType::kMinKey:
      return "MinKey";
    case BsonType::kMaxKey:
      return "MaxKey";
    case BsonType::kDouble: {
      double d = e.Double();
      if (std::isinf(d)) return d > 0 ? "inf.0" : "-inf.0";
      if (std::isnan(d)) return "nan.0";
      return bson::ElementValueToShellString(e);
    }
    default:
      return bson::ElementValueToShellString(e);
  }
}

const BsonElement& MinKeyElement() {
  static const bson::BsonDocument* d = [] {
    bson::BsonBuilder b;
    b.AppendMinKey("");
    return new bson::BsonDocument(b.Done());
  }();
  static const BsonElement e = d->view().FirstElement();
  return e;
}

const BsonElement& MaxKeyElement() {
  static const bson::BsonDocument* d = [] {
    bson::BsonBuilder b;
    b.AppendMaxKey("");
    return new bson::BsonDocument(b.Done());
  }();
  static const BsonElement e = d->view().FirstElement();
  return e;
}

bson::BsonDocument ValueDoc(const BsonElement& v) {
  bson::BsonBuilder b;
  b.AppendElementAs("", v);
  return b.Done();
}

Interval Point(const BsonElement& v) {
  Interval i;
  i.low = IntervalBound{Ks(v), true, "", ValueDoc(v)};  // shown from the value
  i.high = i.low;
  i.point = true;
  return i;
}

// Displays of the edges of a type bracket (as mongod prints them).
std::pair<std::string, std::string> BracketDisplay(BsonType type) {
  switch (type) {
    case BsonType::kInt32:
    case BsonType::kInt64:
    case BsonType::kDouble:
    case BsonType::kDecimal128:
      return {"-inf.0", "inf.0"};
    case BsonType::kString:
    case BsonType::kSymbol:
      return {"\"\"", "{}"};
    case BsonType::kDate:
      return {"new Date(-9223372036854775808)", "new Date(9223372036854775807)"};
    case BsonType::kObject:
      return {"{}", "[]"};
    case BsonType::kArray:
      return {"[]", "BinData(0, )"};
    default:
      return {"MinKey", "MaxKey"};
  }
}

// The values of the edges of a type bracket (as mongod's bounds hold them).
bson::BsonDocument BracketValue(BsonType type, bool high) {
  bson::BsonBuilder b;
  switch (type) {
    case BsonType::kInt32:
    case BsonType::kInt64:
    case BsonType::kDouble:
    case BsonType::kDecimal128:
      b.AppendDouble("", high ? std::numeric_limits<double>::infinity()
                              : -std::numeric_limits<double>::infinity());
      break;
    case BsonType::kString:
    case BsonType::kSymbol:
      if (high) {
        b.StartDocument("");
        b.End();
      } else {
        b.AppendString("", "");
      }
      break;
    case BsonType::kDate:
      b.AppendDate("", high ? std::numeric_limits<int64_t>::max()
                            : std::numeric_limits<int64_t>::min());
      break;
    default:
      if (high) {
        b.AppendMaxKey("");
      } else {
        b.AppendMinKey("");
      }
      break;
  }
  return b.Done();
}

// The interval of one comparison; nullopt when it cannot be bounded.
std::optional<IntervalList> ComparisonBounds(MatchKind kind, const BsonElement& v) {
  BsonType t = v.type();
  if (kind == MatchKind::kEq) {
    if (t == BsonType::kNull || t == BsonType::kUndefined) {
      // null equality matches null, missing (indexed as null) and undefined.
      bson::BsonBuilder b;
      b.AppendUndefined("u");
      b.AppendNull("n");
      bson::BsonDocument d = b.Done();
      return UnionIntervals({Point(d["u"]), Point(d["n"])});
    }
    if (t == BsonType::kArray) {
      // The array itself (nested arrays) or, through multikey entries, its first element;
      // an empty array was indexed as undefined.
      IntervalList list{Point(v)};
      BsonElement first = v.Array().FirstElement();
      if (first.eoo()) {
        bson::BsonBuilder b;
        b.AppendUndefined("u");
        bson::BsonDocument d = b.Done();
        list.push_back(Point(d["u"]));
      } else {
        list.push_back(Point(first));
      }
      return UnionIntervals(std::move(list));
    }
    return IntervalList{Point(v)};
  }
  // Ranges: within the operand's type bracket. MinKey/MaxKey/null/array operands compare across
  // types: leave them unbounded.
  if (t == BsonType::kMinKey || t == BsonType::kMaxKey || t == BsonType::kNull ||
      t == BsonType::kUndefined || t == BsonType::kArray) {
    return std::nullopt;
  }
  std::string ks = Ks(v);
  std::string bracket = ks.substr(0, 1);
  auto [lo_disp, hi_disp] = BracketDisplay(t);
  Interval i;
  switch (kind) {
    case MatchKind::kGt:
    case MatchKind::kGte:
      i.low = IntervalBound{ks, kind == MatchKind::kGte, Display(v), ValueDoc(v)};
      i.high = IntervalBound{bracket, true, hi_disp, BracketValue(t, true)};
      break;
    case MatchKind::kLt:
    case MatchKind::kLte:
      if (v.IsNumber()) {
        // NaN sorts below every number but matches no range: start at -inf, as mongod's
        // [-inf, v) does (so the bounds are exact).
        bson::BsonDocument neg_inf = BracketValue(t, false);
        i.low = IntervalBound{Ks(neg_inf.view().FirstElement()), true, lo_disp, neg_inf};
      } else {
        i.low = IntervalBound{bracket, true, lo_disp, BracketValue(t, false)};
      }
      i.high = IntervalBound{ks, kind == MatchKind::kLte, Display(v), ValueDoc(v)};
      break;
    default:
      return std::nullopt;
  }
  return IntervalList{i};
}

bool InHasRegexes(const InMatch& in) {
  // The regex operands are not exposed; DebugString lists them after the values.
  std::string values = in.path() + " $in [";
  bool first = true;
  for (const BsonElement& v : in.values()) {
    if (!first) values += ", ";
    first = false;
    values += bson::ElementValueToShellString(v);
  }
  return in.DebugString() != values + "]";
}

Interval Reverse(const Interval& i) {
  Interval r;
  auto invert = [](const std::string& s) {
    std::string out = s;
    for (char& c : out) c = static_cast<char>(~static_cast<unsigned char>(c));
    return out;
  };
  r.low = IntervalBound{invert(i.high.ks), i.high.inclusive, i.high.display, i.high.value};
  r.high = IntervalBound{invert(i.low.ks), i.low.inclusive, i.low.display, i.low.value};
  r.point = i.point;  // a point stays a point (later fields of a compound key then apply)
  return r;
}

// A descending field's intervals in scan byte order: inverted and reversed.
IntervalList Descending(const IntervalList& list) {
  IntervalList out;
  for (auto it = list.rbegin(); it != list.rend(); ++it) out.push_back(Reverse(*it));
  return out;
}

}  // namespace

std::string IntervalBound::Shown() const {
  if (!display.empty() || value.empty()) return display;
  return Display(value.view().FirstElement());
}

std::string Interval::ToString() const {
  return std::string(low.inclusive ? "[" : "(") + low.Shown() + ", " + high.Shown() +
         (high.inclusive ? "]" : ")");
}

IntervalList FullIntervalList() {
  // Built once: every candidate of every query starts from it (for each key field).
  static const IntervalList* const kFull = [] {
    Interval i;
    i.low = IntervalBound{Ks(MinKeyElement()), true, "MinKey", ValueDoc(MinKeyElement())};
    i.high = IntervalBound{Ks(MaxKeyElement()), true, "MaxKey", ValueDoc(MaxKeyElement())};
    return new IntervalList{i};
  }();
  return *kFull;
}

bool IsFull(const IntervalList& list) {
  // Only FullIntervalList's bounds (and their reversals) carry these texts.
  return list.size() == 1 && list[0].low.display == "MinKey" && list[0].high.display == "MaxKey" &&
         list[0].low.inclusive && list[0].high.inclusive;
}

IntervalList EqualityBounds(const BsonElement& v) {
  return *ComparisonBounds(MatchKind::kEq, v);  // equality always has bounds
}

std::optional<IntervalList> BoundsForPredicate(const MatchExpression& leaf, bool for_hashed) {
  auto hashed_points = [](const std::vector<BsonElement>& values) {
    IntervalList list;
    for (const BsonElement& v : values) {
      bson::BsonBuilder b;
      b.AppendInt64("", index::HashIndexValue(v));
      bson::BsonDocument d = b.Done();
      list.push_back(Point(d.view().FirstElement()));
    }
    return UnionIntervals(std::move(list));
  };
  switch (leaf.kind()) {
    case MatchKind::kEq:
    case MatchKind::kLt:
    case MatchKind::kLte:
    case MatchKind::kGt:
    case MatchKind::kGte: {
      const auto* cmp = dynamic_cast<const ComparisonMatch*>(&leaf);
      if (cmp == nullptr) return std::nullopt;
      if (for_hashed) {
        if (leaf.kind() != MatchKind::kEq || cmp->rhs().IsArray()) return std::nullopt;
        return hashed_points({cmp->rhs()});
      }
      return ComparisonBounds(leaf.kind(), cmp->rhs());
    }
    case MatchKind::kIn: {
      const auto* in = dynamic_cast<const InMatch*>(&leaf);
      if (in == nullptr || InHasRegexes(*in)) return std::nullopt;
      std::vector<BsonElement> values;
      for (const BsonElement& v : in->values()) values.push_back(v);
      if (for_hashed) {
        for (const BsonElement& v : values) {
          if (v.IsArray()) return std::nullopt;
        }
        return hashed_points(values);
      }
      IntervalList list;
      for (const BsonElement& v : values) {
        std::optional<IntervalList> one = ComparisonBounds(MatchKind::kEq, v);
        if (!one) return std::nullopt;
        list.insert(list.end(), one->begin(), one->end());
      }
      return UnionIntervals(std::move(list));  // $in: [] gives no interval: nothing matches
    }
    case MatchKind::kRegex: {
      if (for_hashed) return std::nullopt;
      // Strings and symbols: the whole string bracket.
      bson::BsonBuilder b;
      b.AppendString("", "");
      bson::BsonDocument d = b.Done();
      std::string bracket = Ks(d.view().FirstElement()).substr(0, 1);
      Interval i;
      i.low = IntervalBound{bracket, true, "\"\""};
      i.high = IntervalBound{bracket, true, "{}"};
      IntervalList list{i};
      // A stored regex with the same pattern and flags matches too (mongod: "Regexes are after
      // strings", a point interval on the regex value).
      if (const auto* re = dynamic_cast<const RegexMatch*>(&leaf)) {
        bson::BsonBuilder rb;
        rb.AppendRegex("", re->regex().pattern(), re->regex().options());
        bson::BsonDocument rd = rb.Done();
        list.push_back(Point(rd.view().FirstElement()));
      }
      return list;
    }
    default:
      return std::nullopt;
  }
}

IntervalList IntersectIntervals(const IntervalList& a, const IntervalList& b) {
  IntervalList out;
  for (const Interval& x : a) {
    for (const Interval& y : b) {
      Interval r;
      r.low = RawLow(x.low) >= RawLow(y.low) ? x.low : y.low;
      r.high = RawHigh(x.high) <= RawHigh(y.high) ? x.high : y.high;
      // A point inside the other interval stays a point.
      r.point = (x.point && RawLow(r.low) == RawLow(x.low) && RawHigh(r.high) == RawHigh(x.high)) ||
                (y.point && RawLow(r.low) == RawLow(y.low) && RawHigh(r.high) == RawHigh(y.high));
      if (RawLow(r.low) < RawHigh(r.high)) out.push_back(std::move(r));
    }
  }
  return UnionIntervals(std::move(out));
}

IntervalList UnionIntervals(IntervalList list) {
  std::sort(list.begin(), list.end(), [](const Interval& a, const Interval& b) {
    return RawLow(a.low) < RawLow(b.low);
  });
  IntervalList out;
  for (Interval& i : list) {
    if (!out.empty() && RawLow(i.low) <= RawHigh(out.back().high)) {
      if (RawHigh(i.high) > RawHigh(out.back().high)) {
        out.back().high = i.high;
        out.back().point = false;
      } else if (!(out.back().point && i.point && RawLow(i.low) == RawLow(out.back().low))) {
        out.back().point = out.back().point && RawLow(i.low) == RawLow(out.back().low) &&
                           RawHigh(i.high) == RawHigh(out.back().high);
      }
      continue;
    }
    out.push_back(std::move(i));
  }
  return out;
}

size_t IndexBounds::SinglePointPrefix() const {
  size_t n = 0;
  while (n < fields.size() && fields[n].size() == 1 && fields[n][0].is_point()) ++n;
  return n;
}

size_t IndexBounds::ConstrainedFields(size_t max_points) const {
  size_t combos = 1;
  size_t k = 0;
  for (; k < fields.size(); ++k) {
    const IntervalList& list = fields[k];
    bool all_points = !list.empty() && std::all_of(list.begin(), list.end(),
                                                   [](const Interval& i) { return i.is_point(); });
    if (!all_points || combos * list.size() > max_points) break;
    combos *= list.size();
  }
  if (k == fields.size() || IsFull(fields[k])) return k;
  return k + 1;
}

bool IndexBounds::SingleInterval(const index::IndexInfo& info, bson::BsonDocument* start_key,
                                 bool* start_inclusive, bson::BsonDocument* end_key,
                                 bool* end_inclusive) const {
  bson::BsonBuilder sb, eb;
  *start_inclusive = true;
  *end_inclusive = true;
  auto append = [](bson::BsonBuilder* b, const std::string& path, const IntervalBound& bound) {
    BsonElement v = bound.value.view().FirstElement();
    if (v.eoo()) return false;
    b->AppendElementAs(path, v);
    return true;
  };
  size_t f = 0;
  for (; f < fields.size(); ++f) {
    if (fields[f].size() != 1 || !fields[f][0].is_point()) break;
    if (!append(&sb, info.fields[f].path, fields[f][0].low) ||
        !append(&eb, info.fields[f].path, fields[f][0].high)) {
      return false;
    }
  }
  if (f < fields.size()) {
    if (fields[f].size() != 1) return false;
    bool descending = info.fields[f].kind == index::KeyKind::kDescending;
    const Interval& i = fields[f][0];
    const IntervalBound& start = descending ? i.high : i.low;
    const IntervalBound& end = descending ? i.low : i.high;
    if (!append(&sb, info.fields[f].path, start) || !append(&eb, info.fields[f].path, end)) {
      return false;
    }
    *start_inclusive = start.inclusive;
    *end_inclusive = end.inclusive;
    for (++f; f < fields.size(); ++f) {
      if (!IsFull(fields[f])) return false;
      // mongod's appendTrailingAllValuesInterval: MinKey/MaxKey by inclusivity and direction.
      bool asc = info.fields[f].kind != index::KeyKind::kDescending;
      const std::string& path = info.fields[f].path;
      if (*start_inclusive == asc) {
        sb.AppendMinKey(path);
      } else {
        sb.AppendMaxKey(path);
      }
      if (*end_inclusive == asc) {
        eb.AppendMaxKey(path);
      } else {
        eb.AppendMinKey(path);
      }
    }
  }
  *start_key = sb.Done();
  *end_key = eb.Done();
  return true;
}

std::vector<index::KeyRange> IndexBounds::ToKeyRanges(const index::IndexInfo& info,
                                                      size_t max_points) const {
  // A field's intervals in scan byte order: the field's own list unless it is descending.
  IntervalList reversed;
  auto directed = [&](size_t f) -> const IntervalList& {
    if (info.fields[f].kind != index::KeyKind::kDescending) return fields[f];
    reversed = Descending(fields[f]);
    return reversed;
  };
  std::vector<std::string> prefixes{""};
  size_t k = 0;
  for (; k < fields.size(); ++k) {
    const IntervalList& list = directed(k);
    bool all_points = !list.empty() && std::all_of(list.begin(), list.end(),
                                                   [](const Interval& i) { return i.is_point(); });
    if (!all_points || prefixes.size() * list.size() > max_points) break;
    std::vector<std::string> next;
    for (const std::string& p : prefixes) {
      for (const Interval& i : list) next.push_back(p + i.low.ks);
    }
    prefixes = std::move(next);
  }
  std::vector<index::KeyRange> ranges;
  if (k == fields.size() || IsFull(fields[k])) {
    for (const std::string& p : prefixes) {
      index::KeyRange r;
      r.low = r.high = p;
      if (p.empty()) r.low_unbounded = r.high_unbounded = true;
      r.whole_tuple = k == fields.size() && !p.empty();
      ranges.push_back(std::move(r));
    }
    return ranges;
  }
  const IntervalList& list = directed(k);
  for (const std::string& p : prefixes) {
    for (const Interval& i : list) {
      index::KeyRange r;
      r.low = p + i.low.ks;
      r.low_inclusive = i.low.inclusive;
      r.high = p + i.high.ks;
      r.high_inclusive = i.high.inclusive;
      ranges.push_back(std::move(r));
    }
  }
  return ranges;
}

bson::BsonDocument IndexBounds::ToExplain(const index::IndexInfo& info, bool forward) const {
  bson::BsonBuilder b;
  for (size_t f = 0; f < fields.size(); ++f) {
    bool descending = info.fields[f].kind == index::KeyKind::kDescending;
    IntervalList list = fields[f];
    if (descending != !forward) {
      // Shown in scan order: reversed intervals, each high to low.
      IntervalList rev;
      for (auto it = list.rbegin(); it != list.rend(); ++it) {
        Interval r;
        r.low = it->high;
        r.high = it->low;
        rev.push_back(r);
      }
      list = std::move(rev);
    }
    b.StartArray(info.fields[f].path);
    for (size_t i = 0; i < list.size(); ++i) b.AppendString(bson::IndexName(i), list[i].ToString());
    b.End();
  }
  return b.Done();
}

}  // namespace dds::query
