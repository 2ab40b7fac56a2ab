#include "query/match_nodes.h"

#include <algorithm>
#include <cmath>

namespace dds::query {
namespace {

using bson::BsonElement;
using bson::BsonType;

bson::BsonDocument HoldValue(const BsonElement& e) {
  bson::BsonBuilder b;
  b.AppendElementAs("", e);
  return b.Done();
}

bool IsNullOrMissing(BsonType t) {
  return t == BsonType::kNull || t == BsonType::kUndefined || t == BsonType::kEoo;
}

bool IsNaNElement(const BsonElement& e) {
  switch (e.type()) {
    case BsonType::kDouble: return std::isnan(e.Double());
    case BsonType::kDecimal128: return e.Decimal().IsNaN();
    default: return false;
  }
}

const char* KindName(MatchKind k) {
  switch (k) {
    case MatchKind::kEq: return "$eq";
    case MatchKind::kLt: return "$lt";
    case MatchKind::kLte: return "$lte";
    case MatchKind::kGt: return "$gt";
    case MatchKind::kGte: return "$gte";
    case MatchKind::kAnd: return "$and";
    case MatchKind::kOr: return "$or";
    case MatchKind::kNor: return "$nor";
    default: return "?";
  }
}

}  // namespace

const std::string& MatchExpression::path() const {
  static const std::string kEmpty;
  return kEmpty;
}

bool LeafMatch::Matches(const bson::BsonView& doc, MatchDetails* details) const {
  return VisitPath(doc, path_, leaf_, [&](const BsonElement& e, const BsonElement& offset) {
    if (!MatchesSingleElement(e, details)) return false;
    if (details != nullptr && details->need_record() && !offset.eoo()) {
      details->set_elem_match_key(std::string(offset.field_name()));
    }
    return true;
  });
}

bool CompareMatches(MatchKind kind, const BsonElement& e, const BsonElement& rhs) {
  BsonType te = e.type(), tr = rhs.type();
  int re = bson::CanonicalTypeRank(te), rr = bson::CanonicalTypeRank(tr);
  if (re != rr) {
    // null matches missing and undefined (mongod: canonical types 0 and 5).
    if (IsNullOrMissing(te) && IsNullOrMissing(tr) && (te == BsonType::kNull) != (tr == BsonType::kNull)) {
      return kind == MatchKind::kEq || kind == MatchKind::kLte || kind == MatchKind::kGte;
    }
    if (tr == BsonType::kMaxKey || tr == BsonType::kMinKey) {
      switch (kind) {
        case MatchKind::kLt:
        case MatchKind::kLte: return tr == BsonType::kMaxKey;
        case MatchKind::kGt:
        case MatchKind::kGte: return tr == BsonType::kMinKey;
        default: return false;
      }
    }
    return false;
  }
  if (IsNaNElement(e) || IsNaNElement(rhs)) {
    bool both = IsNaNElement(e) && IsNaNElement(rhs);
    switch (kind) {
      case MatchKind::kEq:
      case MatchKind::kLte:
      case MatchKind::kGte: return both;
      default: return false;
    }
  }
  int c = bson::CompareElementValues(e, rhs);
  switch (kind) {
    case MatchKind::kEq: return c == 0;
    case MatchKind::kLt: return c < 0;
    case MatchKind::kLte: return c <= 0;
    case MatchKind::kGt: return c > 0;
    case MatchKind::kGte: return c >= 0;
    default: return false;
  }
}

ComparisonMatch::ComparisonMatch(MatchKind kind, std::string path, const BsonElement& value)
    : LeafMatch(std::move(path), LeafArrayBehavior::kTraverse),
      kind_(kind),
      holder_(HoldValue(value)) {
  rhs_ = holder_.view().FirstElement();
}

bool ComparisonMatch::MatchesSingleElement(const BsonElement& e, MatchDetails*) const {
  return CompareMatches(kind_, e, rhs_);
}

std::string ComparisonMatch::DebugString() const {
  return PathPrefix() + KindName(kind_) + " " + bson::ElementValueToShellString(rhs_);
}

bool RegexMatch::MatchesRegex(const Regex& re, const BsonElement& e) {
  switch (e.type()) {
    case BsonType::kString:
    case BsonType::kSymbol: return re.Matches(e.String());
    case BsonType::kRegex: return e.RegexPattern() == re.pattern() && e.RegexFlags() == re.options();
    default: return false;
  }
}

bool RegexMatch::MatchesSingleElement(const BsonElement& e, MatchDetails*) const {
  return MatchesRegex(*regex_, e);
}

std::string RegexMatch::DebugString() const {
  return PathPrefix() + "$regex /" + regex_->pattern() + "/" + regex_->options();
}

InMatch::InMatch(std::string path, const bson::BsonView& values,
                 std::vector<std::shared_ptr<const Regex>> regexes)
    : LeafMatch(std::move(path), LeafArrayBehavior::kTraverse), regexes_(std::move(regexes)) {
  bson::BsonArrayBuilder b;
  for (const BsonElement& e : values) {
    if (e.type() == BsonType::kRegex) continue;
    if (e.type() == BsonType::kNull) has_null_ = true;
    b.AppendElement(e);
  }
  values_ = b.Done();
  for (const BsonElement& e : values_) sorted_.push_back(e);
  std::sort(sorted_.begin(), sorted_.end(), [](const BsonElement& a, const BsonElement& b) {
    return bson::CompareElementValues(a, b) < 0;
  });
}

bool InMatch::MatchesSingleElement(const BsonElement& e, MatchDetails*) const {
  if (has_null_ && IsNullOrMissing(e.type())) return true;
  // BSON order agrees with query equality (1 == 1.0, NaN == NaN); null is handled above.
  auto it = std::lower_bound(sorted_.begin(), sorted_.end(), e, [](const BsonElement& a, const BsonElement& b) {
    return bson::CompareElementValues(a, b) < 0;
  });
  if (it != sorted_.end() && bson::CompareElementValues(*it, e) == 0) return true;
  for (const auto& re : regexes_) {
    if (RegexMatch::MatchesRegex(*re, e)) return true;
  }
  return false;
}

std::string InMatch::DebugString() const {
  std::string s = PathPrefix() + "$in [";
  bool first = true;
  for (const BsonElement& v : values_) {
    if (!first) s += ", ";
    first = false;
    s += bson::ElementValueToShellString(v);
  }
  for (const auto& re : regexes_) {
    if (!first) s += ", ";
    first = false;
    s += "/" + re->pattern() + "/" + re->options();
  }
  return s + "]";
}

bool TypeMatch::MatchesSingleElement(const BsonElement& e, MatchDetails*) const {
  if (e.eoo()) return false;
  if (all_numbers_ && e.IsNumber()) return true;
  for (BsonType t : types_) {
    if (t == e.type()) return true;
  }
  return false;
}

std::string TypeMatch::DebugString() const {
  std::string s = PathPrefix() + "$type [";
  if (all_numbers_) s += "number ";
  for (BsonType t : types_) s += std::string(bson::TypeAlias(t)) + " ";
  return s + "]";
}

bool ModMatch::MatchesSingleElement(const BsonElement& e, MatchDetails*) const {
  if (!e.IsNumber()) return false;
  int64_t v;
  switch (e.type()) {
    case BsonType::kInt32: v = e.Int32(); break;
    case BsonType::kInt64: v = e.Int64(); break;
    default: {
      double d = e.NumberDouble();
      if (std::isnan(d) || std::isinf(d)) return false;
      // Truncation toward zero, saturating like mongod's numberLong().
      if (d >= 9223372036854775807.0) v = INT64_MAX;
      else if (d <= -9223372036854775808.0) v = INT64_MIN;
      else v = static_cast<int64_t>(d);
    }
  }
  if (divisor_ == -1) return remainder_ == 0;
  return v % divisor_ == remainder_;
}

std::string ModMatch::DebugString() const {
  return PathPrefix() + "$mod [" + std::to_string(divisor_) + ", " + std::to_string(remainder_) +
         "]";
}

bool SizeMatch::MatchesSingleElement(const BsonElement& e, MatchDetails*) const {
  if (e.type() != BsonType::kArray) return false;
  int64_t n = 0;
  for (auto it = e.Array().begin(); it != e.Array().end(); ++it) ++n;
  return n == size_;
}

std::string SizeMatch::DebugString() const {
  return PathPrefix() + "$size " + std::to_string(size_);
}

bool ElemMatchObjectMatch::MatchesSingleElement(const BsonElement& e, MatchDetails* details) const {
  if (e.type() != BsonType::kArray) return false;
  for (const BsonElement& sub : e.Array()) {
    if (sub.type() != BsonType::kObject && sub.type() != BsonType::kArray) continue;
    if (sub_->Matches(sub.Object(), nullptr)) {
      if (details != nullptr && details->need_record()) {
        details->set_elem_match_key(std::string(sub.field_name()));
      }
      return true;
    }
  }
  return false;
}

std::string ElemMatchObjectMatch::DebugString() const {
  return PathPrefix() + "$elemMatch (" + sub_->DebugString() + ")";
}

bool ElemMatchValueMatch::MatchesSingleElement(const BsonElement& e, MatchDetails* details) const {
  if (e.type() != BsonType::kArray) return false;
  for (const BsonElement& sub : e.Array()) {
    bool all = true;
    for (const auto& child : children_) {
      if (!child->MatchesSingleElement(sub, nullptr)) {
        all = false;
        break;
      }
    }
    if (all) {
      if (details != nullptr && details->need_record()) {
        details->set_elem_match_key(std::string(sub.field_name()));
      }
      return true;
    }
  }
  return false;
}

std::string ElemMatchValueMatch::DebugString() const {
  std::string s = PathPrefix() + "$elemMatch [";
  for (const auto& c : children_) s += c->DebugString() + "; ";
  return s + "]";
}

bool BitsMatch::MatchesSingleElement(const BsonElement& e, MatchDetails*) const {
  bool any_matched = false;  // for kAny*: some position meets the test
  bool all_matched = true;   // for kAll*: every position meets the test
  bool want_set = test_ == Test::kAllSet || test_ == Test::kAnySet;
  auto check = [&](bool bit) {
    bool ok = bit == want_set;
    any_matched |= ok;
    all_matched &= ok;
  };
  if (e.IsNumber()) {
    std::optional<int64_t> v;
    if (e.type() == BsonType::kDouble || e.type() == BsonType::kDecimal128) {
      v = e.ExactInt64();
    } else {
      v = e.type() == BsonType::kInt32 ? e.Int32() : e.Int64();
    }
    if (!v) return false;
    uint64_t bits = static_cast<uint64_t>(*v);
    for (uint32_t p : positions_) check(p >= 64 ? *v < 0 : ((bits >> p) & 1) != 0);
  } else if (e.type() == BsonType::kBinData) {
    std::string_view bytes = e.BinData();
    for (uint32_t p : positions_) {
      size_t byte = p / 8;
      check(byte < bytes.size() && ((static_cast<uint8_t>(bytes[byte]) >> (p % 8)) & 1) != 0);
    }
  } else {
    return false;
  }
  if (test_ == Test::kAllSet || test_ == Test::kAllClear) return all_matched;
  return any_matched;
}

std::string BitsMatch::DebugString() const {
  static const char* kNames[] = {"$bitsAllSet", "$bitsAllClear", "$bitsAnySet", "$bitsAnyClear"};
  std::string s = PathPrefix() + kNames[static_cast<int>(test_)] + " [";
  for (uint32_t p : positions_) s += std::to_string(p) + " ";
  return s + "]";
}

bool ListMatch::Matches(const bson::BsonView& doc, MatchDetails* details) const {
  switch (kind_) {
    case MatchKind::kAnd:
      for (const auto& c : children_) {
        if (!c->Matches(doc, details)) return false;
      }
      return true;
    case MatchKind::kOr:
      for (const auto& c : children_) {
        if (c->Matches(doc, details)) return true;
      }
      return false;
    default:  // $nor
      for (const auto& c : children_) {
        if (c->Matches(doc, nullptr)) return false;
      }
      return true;
  }
}

bool ListMatch::MatchesSingleElement(const BsonElement& e, MatchDetails* details) const {
  switch (kind_) {
    case MatchKind::kAnd:
      for (const auto& c : children_) {
        if (!c->MatchesSingleElement(e, details)) return false;
      }
      return true;
    case MatchKind::kOr:
      for (const auto& c : children_) {
        if (c->MatchesSingleElement(e, details)) return true;
      }
      return false;
    default:
      for (const auto& c : children_) {
        if (c->MatchesSingleElement(e, nullptr)) return false;
      }
      return true;
  }
}

std::string ListMatch::DebugString() const {
  std::string s = std::string(KindName(kind_)) + "(";
  for (size_t i = 0; i < children_.size(); ++i) {
    if (i) s += ", ";
    s += children_[i]->DebugString();
  }
  return s + ")";
}

bool ExprMatch::Matches(const bson::BsonView& doc, MatchDetails*) const {
  bson::BsonDocument result = expr_->Evaluate(doc);
  return result.view().FirstElement().TrueValue();
}

}  // namespace dds::query
