// Privilege: a set of actions on a resource pattern, the unit roles are made of, with its BSON
// form as user-defined roles store it and rolesInfo/usersInfo show it:
//   {resource: {db: "shop", collection: "orders"}, actions: ["find", "insert"]}
//   {resource: {cluster: true}, actions: ["serverStatus"]}
//   {resource: {anyResource: true}, actions: ["anyAction"]}
//
// PrivilegeVector keeps at most one entry per resource pattern (actions are merged), as mongod's
// Privilege::addPrivilegeToPrivilegeVector. Value types.
#pragma once

#include <vector>

#include "auth/action_set.h"
#include "auth/resource_pattern.h"
#include "bson/bson.h"
#include "common/status.h"

namespace dds::auth {

struct Privilege {
  ResourcePattern resource;
  ActionSet actions;
};

using PrivilegeVector = std::vector<Privilege>;

// Adds `privilege` to `*privileges`, merging its actions into an entry with the same resource.
void AddPrivilege(PrivilegeVector* privileges, const Privilege& privilege);
void AddPrivileges(PrivilegeVector* privileges, const PrivilegeVector& more);
// Removes `privilege`'s actions from the entry with the same resource (dropping the entry when
// it becomes empty). Returns false when no entry has that resource.
bool RemovePrivilege(PrivilegeVector* privileges, const Privilege& privilege);

// Parses {resource: ..., actions: [...]}. 2 BadValue for a malformed resource or an unknown
// action ("Unrecognized action privilege string: x"), 14 TypeMismatch for wrong types.
StatusWith<Privilege> ParsePrivilege(const bson::BsonView& doc);
// Parses an array of privilege documents (`privileges` of createRole); `field` names it in
// messages.
StatusWith<PrivilegeVector> ParsePrivileges(const bson::BsonElement& array, std::string_view field);

// Appends {resource, actions} to an open document in `*builder`.
void AppendPrivilegeFields(bson::BsonBuilder* builder, const Privilege& privilege);
// Appends `name: [{resource, actions}, ...]`.
void AppendPrivilegeArray(bson::BsonBuilder* builder, std::string_view name,
                          const PrivilegeVector& privileges);

// True when some privilege in `privileges` covers `target` with every action of `actions`
// (actions may be split across several privileges that cover the target).
bool PrivilegesAllow(const PrivilegeVector& privileges, const ResourceTarget& target,
                     const ActionSet& actions);

}  // namespace dds::auth
