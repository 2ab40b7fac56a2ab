// SortPattern: a parsed sort specification (compat §3.5) and the sort-key machinery: the key of
// a document is one element per sort field (arrays contribute their minimum element for an
// ascending field, their maximum for a descending one; missing counts as null). Immutable after
// Parse; safe to share between threads.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bson/document.h"
#include "common/status.h"
#include "query/path.h"

namespace dds::query {

class SortPattern {
 public:
  struct Field {
    std::string path;
    bool ascending = true;
  };

  SortPattern() = default;
  // Errors: 15974 "Illegal key in $sort specification: ...", 15975 "$sort key ordering must be
  // 1 (for ascending) or -1 (for descending)"; {$meta: "textScore"} answers 2 BadValue for now.
  static StatusWith<SortPattern> Parse(const bson::BsonView& spec);

  bool empty() const { return fields_.empty() && !natural_; }
  // The direction when the spec is {$natural: 1|-1}.
  std::optional<int> natural_direction() const { return natural_; }
  const std::vector<Field>& fields() const { return fields_; }

  // The sort key of a document: one element per sort field, named "" (arrays: min element for
  // ascending, max for descending; missing = null).
  bson::BsonDocument ExtractKey(const bson::BsonView& doc) const;
  // Returns <0, 0, >0 comparing two keys produced by ExtractKey, honouring directions.
  int CompareKeys(const bson::BsonView& key_a, const bson::BsonView& key_b) const;
  // Convenience: compares two documents (extracting keys on the fly).
  int CompareDocuments(const bson::BsonView& a, const bson::BsonView& b) const;

 private:
  std::vector<Field> fields_;
  std::vector<FieldPath> paths_;  // fields_[i].path, parsed once (ExtractKey runs per document)
  std::optional<int> natural_;
};

}  // namespace dds::query
