// ResourcePattern: the resource part of a privilege (mongod's src/mongo/db/auth/resource_pattern.h),
// and ResourceTarget: the concrete resource a command acts on.
//
// Patterns as stored in roles:
//   {cluster: true}                     cluster-wide actions (serverStatus, shutdown, ...)
//   {anyResource: true}                 everything, system collections and the cluster included
//   {db: "", collection: ""}            any normal resource: every database and non-system
//                                       collection except in `local` and `config`
//   {db: "shop", collection: ""}        the database and its non-system collections
//   {db: "", collection: "orders"}      a collection of that name in every database
//   {db: "shop", collection: "orders"}  exactly one namespace
// A database pattern never covers system.* collections (read@admin cannot read
// admin.system.users), exactly as mongod's resource search list.
//
// Targets hold string_views into the request (no allocation on the check path). Value types.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dds::auth {

enum class MatchType : uint8_t {
  kCluster,
  kDatabase,
  kCollectionName,
  kExactNamespace,
  kAnyNormal,
  kAny,
};

// What a command acts on: the cluster, a database, or one namespace.
struct ResourceTarget {
  enum class Kind : uint8_t { kCluster, kDatabase, kNamespace };
  Kind kind = Kind::kCluster;
  std::string_view db;
  std::string_view coll;

  static ResourceTarget Cluster() { return {Kind::kCluster, {}, {}}; }
  static ResourceTarget Database(std::string_view db) { return {Kind::kDatabase, db, {}}; }
  static ResourceTarget Namespace(std::string_view db, std::string_view coll) {
    return {Kind::kNamespace, db, coll};
  }
  // "db.coll", "db" or "cluster" for messages.
  std::string ToString() const;
};

class ResourcePattern {
 public:
  static ResourcePattern Cluster() { return ResourcePattern(MatchType::kCluster, "", ""); }
  static ResourcePattern AnyResource() { return ResourcePattern(MatchType::kAny, "", ""); }
  static ResourcePattern AnyNormal() { return ResourcePattern(MatchType::kAnyNormal, "", ""); }
  static ResourcePattern Database(std::string db) {
    return ResourcePattern(MatchType::kDatabase, std::move(db), "");
  }
  static ResourcePattern CollectionName(std::string coll) {
    return ResourcePattern(MatchType::kCollectionName, "", std::move(coll));
  }
  static ResourcePattern ExactNamespace(std::string db, std::string coll) {
    return ResourcePattern(MatchType::kExactNamespace, std::move(db), std::move(coll));
  }
  // The pattern a stored {db, collection} pair means ("" is a wildcard, see above).
  static ResourcePattern FromDbAndCollection(std::string db, std::string coll);

  MatchType match_type() const { return match_type_; }
  const std::string& db() const { return db_; }
  const std::string& coll() const { return coll_; }

  // True when a privilege on this pattern applies to `target`.
  bool Covers(const ResourceTarget& target) const;

  // mongod's ResourcePattern::toString form ("<database shop>", "<all normal resources>"...).
  std::string ToString() const;
  bool operator==(const ResourcePattern&) const = default;

 private:
  ResourcePattern(MatchType t, std::string db, std::string coll)
      : match_type_(t), db_(std::move(db)), coll_(std::move(coll)) {}

  MatchType match_type_;
  std::string db_;
  std::string coll_;
};

// True for collections that database and any-normal patterns cover: not system.*.
bool IsNormalCollection(std::string_view coll);
// True for databases that any-normal patterns cover: not `local` or `config`.
bool IsNormalDatabase(std::string_view db);

}  // namespace dds::auth
