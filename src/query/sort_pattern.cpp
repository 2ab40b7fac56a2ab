#include "query/sort_pattern.h"

#include "bson/bson.h"
#include "query/path.h"

namespace dds::query {
namespace {

using bson::BsonElement;
using bson::BsonType;

// Tracks the best (min or max) candidate value of one sort field.
struct KeyCandidate {
  bool ascending;
  bool has = false;
  bool is_null = false;       // the candidate is null (missing)
  bool is_undefined = false;  // the candidate is an empty array (sorts before null)
  BsonElement value;

  int Rank() const { return is_undefined ? 0 : 1; }
  void Consider(const BsonElement& e) { Offer(e, false, false); }
  void ConsiderNull() { Offer(BsonElement(), true, false); }
  void ConsiderEmptyArray() { Offer(BsonElement(), false, true); }

  void Offer(const BsonElement& e, bool null, bool undef) {
    if (!has) {
      Set(e, null, undef);
      return;
    }
    int c = Compare(e, null, undef);
    if (ascending ? c < 0 : c > 0) Set(e, null, undef);
  }
  void Set(const BsonElement& e, bool null, bool undef) {
    has = true;
    value = e;
    is_null = null;
    is_undefined = undef;
  }
  // Compares the offered value against the current one.
  int Compare(const BsonElement& e, bool null, bool undef) const {
    auto rank = [](const BsonElement& x, bool n, bool u) {
      if (u) return bson::CanonicalTypeRank(BsonType::kUndefined);
      if (n || x.eoo()) return bson::CanonicalTypeRank(BsonType::kNull);
      return bson::CanonicalTypeRank(x.type());
    };
    int ra = rank(e, null, undef), rb = rank(value, is_null, is_undefined);
    if (ra != rb) return ra < rb ? -1 : 1;
    if (null || undef || is_null || is_undefined || e.eoo() || value.eoo()) return 0;
    return bson::CompareElementValues(e, value);
  }
};

// Collects the candidate values of `path` from component `i` of `obj` (index-key semantics).
void Collect(const bson::BsonView& obj, const FieldPath& path, size_t i, KeyCandidate* c) {
  BsonElement e = obj.Get(path.part(i));
  if (e.eoo()) {
    c->ConsiderNull();
    return;
  }
  bool last = i + 1 == path.size();
  if (e.type() == BsonType::kArray) {
    bson::BsonView arr = e.Array();
    if (arr.empty()) {
      if (last) c->ConsiderEmptyArray();
      else c->ConsiderNull();
      return;
    }
    // A numeric next component ("a.0.b") selects that element of the array instead of
    // expanding it, as mongod's sort-key (index-key) generation does.
    if (!last && path.is_numeric(i + 1)) {
      BsonElement elt = arr.Get(path.part(i + 1));
      if (elt.eoo()) {
        c->ConsiderNull();
      } else if (i + 2 == path.size()) {
        if (elt.type() == BsonType::kArray) {
          bson::BsonView inner = elt.Array();
          if (inner.empty()) c->ConsiderEmptyArray();
          for (const BsonElement& x : inner) c->Consider(x);
        } else {
          c->Consider(elt);
        }
      } else if (elt.type() == BsonType::kObject) {
        Collect(elt.Object(), path, i + 2, c);
      } else {
        c->ConsiderNull();
      }
      return;
    }
    for (const BsonElement& elt : arr) {
      if (last) {
        c->Consider(elt);
      } else if (elt.type() == BsonType::kObject) {
        Collect(elt.Object(), path, i + 1, c);
      } else {
        c->ConsiderNull();
      }
    }
    return;
  }
  if (last) {
    c->Consider(e);
    return;
  }
  if (e.type() == BsonType::kObject) {
    Collect(e.Object(), path, i + 1, c);
    return;
  }
  c->ConsiderNull();
}

}  // namespace

StatusWith<SortPattern> SortPattern::Parse(const bson::BsonView& spec) {
  SortPattern p;
  for (const BsonElement& e : spec) {
    std::string_view name = e.field_name();
    if (e.type() == BsonType::kObject) {
      BsonElement meta = e.Object().Get("$meta");
      if (!meta.eoo() && meta.type() == BsonType::kString) {
        return Status(ErrorCode::kBadValue, "$meta sort by \"" + std::string(meta.String()) +
                                                "\" is not supported (no text or search indexes)");
      }
      return Status(17312, "$meta is the only expression supported by $sort right now");
    }
    if (!e.IsNumber()) {
      return Status(15974, "Illegal key in $sort specification: " + std::string(name) + ": " +
                               bson::ElementValueToShellString(e));
    }
    double d = e.NumberDouble();
    if (d != 1 && d != -1) {
      return Status(15975, "$sort key ordering must be 1 (for ascending) or -1 (for descending)");
    }
    if (name == "$natural") {
      p.natural_ = d > 0 ? 1 : -1;
      continue;
    }
    if (name.empty()) return Status(ErrorCode::kBadValue, "FieldPath cannot be constructed with empty string");
    if (name[0] == '$') {
      return Status(16410, "FieldPath field names may not start with '$'. Consider using $getField or $setField.");
    }
    p.fields_.push_back(Field{std::string(name), d > 0});
    p.paths_.emplace_back(std::string(name));
  }
  return p;
}

bson::BsonDocument SortPattern::ExtractKey(const bson::BsonView& doc) const {
  bson::BsonBuilder b;
  for (size_t i = 0; i < fields_.size(); ++i) {
    KeyCandidate c{fields_[i].ascending};
    Collect(doc, paths_[i], 0, &c);
    if (c.is_undefined) b.AppendUndefined("");
    else if (c.is_null || c.value.eoo()) b.AppendNull("");
    else b.AppendElementAs("", c.value);
  }
  return b.Done();
}

int SortPattern::CompareKeys(const bson::BsonView& key_a, const bson::BsonView& key_b) const {
  auto ia = key_a.begin(), ib = key_b.begin();
  for (const Field& f : fields_) {
    if (ia == key_a.end() || ib == key_b.end()) break;
    int c = bson::CompareElementValues(*ia, *ib);
    if (c != 0) return f.ascending ? c : -c;
    ++ia;
    ++ib;
  }
  return 0;
}

int SortPattern::CompareDocuments(const bson::BsonView& a, const bson::BsonView& b) const {
  bson::BsonDocument ka = ExtractKey(a), kb = ExtractKey(b);
  return CompareKeys(ka, kb);
}

}  // namespace dds::query
