// FieldPath: a parsed dotted path ("a.b.0") and VisitPath, the allocation-free walk that yields
// the elements a path reaches in a document with MongoDB's implicit array traversal (compat §3.3):
// arrays met in the middle of the path are traversed element by element (sub-documents continue
// the path; numeric components also index the array); a leaf array yields its elements and then
// itself; nested arrays are not flattened further; a missing component yields one EOO element.
// This mirrors mongod's BSONElementIterator (src/mongo/db/matcher/path.cpp). Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bson/document.h"

namespace dds::query {

class FieldPath {
 public:
  FieldPath() = default;
  explicit FieldPath(std::string dotted);

  const std::string& dotted() const { return dotted_; }
  size_t size() const { return parts_.size(); }
  bool empty() const { return parts_.empty(); }
  std::string_view part(size_t i) const {
    return std::string_view(dotted_).substr(parts_[i].first, parts_[i].second);
  }
  bool is_numeric(size_t i) const { return numeric_[i]; }

 private:
  std::string dotted_;
  std::vector<std::pair<uint32_t, uint32_t>> parts_;
  std::vector<bool> numeric_;
};

// Returns true if `s` is a non-empty string of ASCII digits.
bool IsAllDigits(std::string_view s);

enum class LeafArrayBehavior {
  kTraverse,            // yield the elements of a leaf array, then the array itself
  kTraverseOmitArray,   // yield only the elements of a leaf array
  kNoTraversal,         // yield the leaf array itself
};

namespace path_internal {

template <typename Fn>
bool VisitArray(const bson::BsonElement& arr, const FieldPath& path, size_t next,
                LeafArrayBehavior leaf, const bson::BsonElement& outer, Fn& fn);

// Walks `obj` from component `start`: the part of mongod's getFieldDottedOrArray.
template <typename Fn>
bool VisitFrom(const bson::BsonView& obj, const FieldPath& path, size_t start,
               LeafArrayBehavior leaf, const bson::BsonElement& outer, Fn& fn) {
  bson::BsonView cur = obj;
  size_t i = start;
  bson::BsonElement e;
  while (true) {
    e = cur.Get(path.part(i));
    if (e.eoo()) return fn(bson::BsonElement(), outer);
    if (i + 1 == path.size()) break;
    if (e.type() == bson::BsonType::kObject) {
      cur = e.Object();
      ++i;
      continue;
    }
    if (e.type() == bson::BsonType::kArray) break;
    // A scalar in the middle of the path: the path is missing.
    return fn(bson::BsonElement(), outer);
  }
  if (e.type() != bson::BsonType::kArray) return fn(e, outer);
  if (i + 1 == path.size() && leaf == LeafArrayBehavior::kNoTraversal) return fn(e, outer);
  return VisitArray(e, path, i + 1, leaf, outer, fn);
}

template <typename Fn>
bool VisitArray(const bson::BsonElement& arr, const FieldPath& path, size_t next,
                LeafArrayBehavior leaf, const bson::BsonElement& outer, Fn& fn) {
  const bool has_more = next < path.size();
  const bool next_numeric = has_more && path.is_numeric(next);
  const bool next_is_last = has_more && next + 1 == path.size();
  for (const bson::BsonElement& elt : arr.Array()) {
    // The outermost implicit-traversal offset wins (mongod prefers it for positional `$`).
    const bson::BsonElement& offset = outer.eoo() ? elt : outer;
    if (!has_more) {
      if (fn(elt, offset)) return true;
      continue;
    }
    const bool offset_match = next_numeric && elt.field_name() == path.part(next);
    if (elt.type() == bson::BsonType::kObject) {
      if (VisitFrom(elt.Object(), path, next, leaf, offset, fn)) return true;
      if (offset_match) {
        if (next_is_last) {
          if (fn(elt, outer)) return true;
        } else if (VisitFrom(elt.Object(), path, next + 1, leaf, outer, fn)) {
          return true;
        }
      }
    } else if (offset_match) {
      if (next_is_last) {
        if (fn(elt, outer)) return true;
      } else if (elt.type() == bson::BsonType::kArray) {
        if (VisitArray(elt, path, next + 1, leaf, outer, fn)) return true;
      }
    }
  }
  if (has_more || leaf == LeafArrayBehavior::kTraverseOmitArray) return false;
  return fn(arr, outer);
}

}  // namespace path_internal

// Calls fn(element, array_offset) for each element `path` reaches in `doc` until fn returns true.
// `array_offset` is the array element of the outermost implicitly traversed array (EOO when none);
// its field name is the index positional `$` refers to. Returns true if fn stopped the walk.
template <typename Fn>
bool VisitPath(const bson::BsonView& doc, const FieldPath& path, LeafArrayBehavior leaf, Fn&& fn) {
  if (path.empty()) return false;
  return path_internal::VisitFrom(doc, path, 0, leaf, bson::BsonElement(), fn);
}

// Visits starting at an element that sits at the end of the path prefix [0, suffix): used by
// $elemMatch-like callers that already hold the element.
template <typename Fn>
bool VisitElement(const bson::BsonElement& e, LeafArrayBehavior leaf, Fn&& fn) {
  if (e.type() != bson::BsonType::kArray || leaf == LeafArrayBehavior::kNoTraversal) {
    return fn(e, bson::BsonElement());
  }
  for (const bson::BsonElement& elt : e.Array()) {
    if (fn(elt, elt)) return true;
  }
  if (leaf == LeafArrayBehavior::kTraverseOmitArray) return false;
  return fn(e, bson::BsonElement());
}

}  // namespace dds::query
