#include "auth/resource_pattern.h"

namespace dds::auth {

bool IsNormalCollection(std::string_view coll) { return !coll.starts_with("system."); }

bool IsNormalDatabase(std::string_view db) { return db != "local" && db != "config"; }

std::string ResourceTarget::ToString() const {
  switch (kind) {
    case Kind::kCluster:
      return "cluster";
    case Kind::kDatabase:
      return std::string(db);
    case Kind::kNamespace:
      return std::string(db) + "." + std::string(coll);
  }
  return "";
}

ResourcePattern ResourcePattern::FromDbAndCollection(std::string db, std::string coll) {
  if (db.empty() && coll.empty()) return AnyNormal();
  if (db.empty()) return CollectionName(std::move(coll));
  if (coll.empty()) return Database(std::move(db));
  return ExactNamespace(std::move(db), std::move(coll));
}

bool ResourcePattern::Covers(const ResourceTarget& target) const {
  using Kind = ResourceTarget::Kind;
  switch (match_type_) {
    case MatchType::kAny:
      return true;
    case MatchType::kCluster:
      return target.kind == Kind::kCluster;
    case MatchType::kAnyNormal:
      // mongod keeps local and config (and system collections) out of "all normal resources".
      if (target.kind == Kind::kDatabase) return IsNormalDatabase(target.db);
      return target.kind == Kind::kNamespace && IsNormalDatabase(target.db) &&
             IsNormalCollection(target.coll);
    case MatchType::kDatabase:
      if (target.kind == Kind::kDatabase) return target.db == db_;
      return target.kind == Kind::kNamespace && target.db == db_ &&
             IsNormalCollection(target.coll);
    case MatchType::kCollectionName:
      return target.kind == Kind::kNamespace && target.coll == coll_;
    case MatchType::kExactNamespace:
      return target.kind == Kind::kNamespace && target.db == db_ && target.coll == coll_;
  }
  return false;
}

std::string ResourcePattern::ToString() const {
  switch (match_type_) {
    case MatchType::kAny:
      return "<all resources>";
    case MatchType::kCluster:
      return "<system resource>";
    case MatchType::kAnyNormal:
      return "<all normal resources>";
    case MatchType::kDatabase:
      return "<database " + db_ + ">";
    case MatchType::kCollectionName:
      return "<collection " + coll_ + " in any database>";
    case MatchType::kExactNamespace:
      return db_ + "." + coll_;
  }
  return "";
}

}  // namespace dds::auth
