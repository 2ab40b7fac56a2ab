#include "auth/privilege.h"

#include <string>

namespace dds::auth {

using bson::BsonElement;
using bson::BsonType;

void AddPrivilege(PrivilegeVector* privileges, const Privilege& privilege) {
  for (Privilege& p : *privileges) {
    if (p.resource == privilege.resource) {
      p.actions.Add(privilege.actions);
      return;
    }
  }
  privileges->push_back(privilege);
}

void AddPrivileges(PrivilegeVector* privileges, const PrivilegeVector& more) {
  for (const Privilege& p : more) AddPrivilege(privileges, p);
}

bool RemovePrivilege(PrivilegeVector* privileges, const Privilege& privilege) {
  for (auto it = privileges->begin(); it != privileges->end(); ++it) {
    if (it->resource == privilege.resource) {
      if (privilege.actions.IsAll()) {
        it->actions = ActionSet();
      } else {
        it->actions.Remove(privilege.actions);
      }
      if (it->actions.empty()) privileges->erase(it);
      return true;
    }
  }
  return false;
}

namespace {

Status WrongType(std::string_view field, const BsonElement& e, std::string_view expected) {
  return Status(ErrorCode::kTypeMismatch, "BSON field '" + std::string(field) +
                                              "' is the wrong type '" +
                                              std::string(bson::TypeAlias(e.type())) +
                                              "', expected type '" + std::string(expected) + "'");
}

StatusWith<ResourcePattern> ParseResource(const bson::BsonView& doc) {
  BsonElement cluster = doc.Get("cluster");
  BsonElement any = doc.Get("anyResource");
  BsonElement db = doc.Get("db");
  BsonElement coll = doc.Get("collection");
  for (const BsonElement& e : doc) {
    std::string_view n = e.field_name();
    if (n != "cluster" && n != "anyResource" && n != "db" && n != "collection") {
      return Status(ErrorCode::kBadValue,
                    "Unrecognized field in resource pattern: '" + std::string(n) + "'");
    }
  }
  if (!cluster.eoo()) {
    if (!any.eoo() || !db.eoo() || !coll.eoo()) {
      return Status(ErrorCode::kBadValue,
                    "resource pattern must contain exactly one of 'cluster', 'anyResource', or "
                    "'db' and 'collection'");
    }
    if (cluster.type() != BsonType::kBool || !cluster.Bool()) {
      return Status(ErrorCode::kBadValue, "resource.cluster must be true");
    }
    return ResourcePattern::Cluster();
  }
  if (!any.eoo()) {
    if (!db.eoo() || !coll.eoo()) {
      return Status(ErrorCode::kBadValue,
                    "resource pattern must contain exactly one of 'cluster', 'anyResource', or "
                    "'db' and 'collection'");
    }
    if (any.type() != BsonType::kBool || !any.Bool()) {
      return Status(ErrorCode::kBadValue, "resource.anyResource must be true");
    }
    return ResourcePattern::AnyResource();
  }
  if (db.eoo() || coll.eoo()) {
    return Status(ErrorCode::kBadValue,
                  "resource pattern must contain 'db' and 'collection' (or 'cluster' or "
                  "'anyResource')");
  }
  if (db.type() != BsonType::kString) return WrongType("resource.db", db, "string");
  if (coll.type() != BsonType::kString) return WrongType("resource.collection", coll, "string");
  return ResourcePattern::FromDbAndCollection(std::string(db.String()),
                                              std::string(coll.String()));
}

}  // namespace

StatusWith<Privilege> ParsePrivilege(const bson::BsonView& doc) {
  BsonElement resource = doc.Get("resource");
  BsonElement actions = doc.Get("actions");
  for (const BsonElement& e : doc) {
    std::string_view n = e.field_name();
    if (n != "resource" && n != "actions") {
      return Status(ErrorCode::kBadValue,
                    "Unrecognized field in privilege document: '" + std::string(n) + "'");
    }
  }
  if (resource.eoo()) {
    return Status(ErrorCode::kBadValue, "Privilege document must contain a 'resource' field");
  }
  if (resource.type() != BsonType::kObject) return WrongType("resource", resource, "object");
  if (actions.eoo()) {
    return Status(ErrorCode::kBadValue, "Privilege document must contain an 'actions' field");
  }
  if (actions.type() != BsonType::kArray) return WrongType("actions", actions, "array");
  DDS_ASSIGN_OR_RETURN(ResourcePattern pattern, ParseResource(resource.Object()));
  ActionSet set;
  for (const BsonElement& a : actions.Array()) {
    if (a.type() != BsonType::kString) return WrongType("actions", a, "string");
    std::optional<ActionType> action = ParseActionType(a.String());
    if (!action) {
      return Status(ErrorCode::kBadValue,
                    "Unrecognized action privilege string: " + std::string(a.String()));
    }
    set.Add(*action);
  }
  return Privilege{std::move(pattern), set};
}

StatusWith<PrivilegeVector> ParsePrivileges(const BsonElement& array, std::string_view field) {
  if (array.type() != BsonType::kArray) return WrongType(field, array, "array");
  PrivilegeVector out;
  for (const BsonElement& e : array.Array()) {
    if (e.type() != BsonType::kObject) return WrongType(field, e, "object");
    DDS_ASSIGN_OR_RETURN(Privilege p, ParsePrivilege(e.Object()));
    AddPrivilege(&out, p);
  }
  return out;
}

void AppendPrivilegeFields(bson::BsonBuilder* b, const Privilege& privilege) {
  b->StartDocument("resource");
  switch (privilege.resource.match_type()) {
    case MatchType::kCluster:
      b->AppendBool("cluster", true);
      break;
    case MatchType::kAny:
      b->AppendBool("anyResource", true);
      break;
    default:
      b->AppendString("db", privilege.resource.db());
      b->AppendString("collection", privilege.resource.coll());
      break;
  }
  b->End();
  b->StartArray("actions");
  std::vector<std::string> names = privilege.actions.ToNames();
  for (size_t i = 0; i < names.size(); ++i) b->AppendString(bson::IndexName(i), names[i]);
  b->End();
}

void AppendPrivilegeArray(bson::BsonBuilder* b, std::string_view name,
                          const PrivilegeVector& privileges) {
  b->StartArray(name);
  for (size_t i = 0; i < privileges.size(); ++i) {
    b->StartDocument(bson::IndexName(i));
    AppendPrivilegeFields(b, privileges[i]);
    b->End();
  }
  b->End();
}

bool PrivilegesAllow(const PrivilegeVector& privileges, const ResourceTarget& target,
                     const ActionSet& actions) {
  ActionSet missing = actions;
  for (const Privilege& p : privileges) {
    if (!p.actions.ContainsAny(missing) || !p.resource.Covers(target)) continue;
    if (p.actions.ContainsAll(missing)) return true;
    missing.Remove(p.actions);
  }
  return missing.empty();
}

}  // namespace dds::auth
