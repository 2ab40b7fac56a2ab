// Index bounds: for each field of an index key pattern, the ordered list of intervals of key
// values a scan must visit (MongoDB's OrderedIntervalList), built from the predicates of a filter
// on that field, and the translation of per-field bounds into KeyString ranges of the compound
// tuple (index::KeyRange).
//
// A bound is a *prefix class* of KeyString bytes: the full KeyString of a value (a point) or a
// shorter prefix such as the type byte alone (every value of one canonical type: the type
// bracket of a range predicate, compat §3.2). An inclusive bound includes the whole class, an
// exclusive one excludes it. Classes survive byte inversion, which is how descending fields are
// handled. Bounds are always a superset of the matching keys: the caller re-applies the filter.
//
// Plain values; thread-safe once built.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bson/bson.h"
#include "index/index_access_method.h"
#include "index/index_spec.h"
#include "query/match_expression.h"

namespace dds::query {

struct IntervalBound {
  // Ascending KeyString bytes (a value's KeyString or a prefix of it).
  std::string ks;
  bool inclusive = true;
  // How explain prints the bound ("5", "\"abc\"", "-inf.0", "MinKey", ...); empty for a value's
  // own bound, printed from `value` when shown (planning does not pay for the text).
  std::string display;
  // The bound as a value ({"": v}; the bracket edge for a type-bracket bound, e.g. Infinity),
  // for the startKey/endKey of COUNT_SCAN explain. Empty when unknown.
  bson::BsonDocument value;
  // The text explain prints: `display`, or the value's when `display` is empty.
  std::string Shown() const;
};

struct Interval {
  IntervalBound low;
  IntervalBound high;
  // True when the interval is exactly one value ([v, v] with v's full KeyString).
  bool point = false;
  bool is_point() const { return point; }
  // "[1, 5)" as explain prints it.
  std::string ToString() const;
};

// Intervals of one field in ascending KeyString order, disjoint.
using IntervalList = std::vector<Interval>;

// Returns [MinKey, MaxKey].
IntervalList FullIntervalList();
bool IsFull(const IntervalList& list);

// Returns the intervals of key values that can satisfy `leaf` (a path predicate), or nullopt
// when the predicate cannot be answered by bounds (the field is then unconstrained).
// `for_hashed` restricts to equality and $in (the values are hashed).
std::optional<IntervalList> BoundsForPredicate(const MatchExpression& leaf, bool for_hashed);

// The bounds of an equality on `v` (BoundsForPredicate of {path: v}, without a parsed predicate).
IntervalList EqualityBounds(const bson::BsonElement& v);

// Intersection and union of interval lists.
IntervalList IntersectIntervals(const IntervalList& a, const IntervalList& b);
IntervalList UnionIntervals(IntervalList a);

// The bounds of one index: one list per key-pattern field, in ascending value order (direction
// is applied by ToKeyRanges and ToExplain).
struct IndexBounds {
  std::vector<IntervalList> fields;

  // Returns the scan ranges over the index tuple bytes, in ascending byte order; fields after the
  // first one that is not a single point (or after `max_points` point combinations) are left
  // unconstrained.
  std::vector<index::KeyRange> ToKeyRanges(const index::IndexInfo& info,
                                           size_t max_points = 4096) const;
  // {field: ["[1, 1]", ...], ...} as explain's indexBounds shows it (descending fields reversed;
  // reversed again for a backward scan).
  bson::BsonDocument ToExplain(const index::IndexInfo& info, bool forward) const;
  // Number of leading fields bounded to exactly one point.
  size_t SinglePointPrefix() const;
  // Number of fields that ToKeyRanges(info, max_points) actually constrains: the leading
  // union-of-points fields and the first field after them (when it is not [MinKey, MaxKey]).
  // Predicates on later fields are not enforced by the scan.
  size_t ConstrainedFields(size_t max_points = 4096) const;
  // mongod's IndexBoundsBuilder::isSingleInterval: single points, then at most one single
  // non-point interval, then only [MinKey, MaxKey]. On success sets the start and end keys
  // ({path: value, ...} in scan order, trailing fields MinKey/MaxKey by inclusivity) as COUNT_SCAN
  // explain shows them.
  bool SingleInterval(const index::IndexInfo& info, bson::BsonDocument* start_key,
                      bool* start_inclusive, bson::BsonDocument* end_key,
                      bool* end_inclusive) const;
};

}  // namespace dds::query
