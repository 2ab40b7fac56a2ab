// Names of users and roles: both are qualified by the database they are defined on
// ("rwuser@admin", "readWrite@shop"), exactly as mongod's UserName and RoleName.
#pragma once

#include <compare>
#include <string>

namespace dds::auth {

struct UserName {
  std::string user;
  std::string db;

  // "user@db", the form mongod uses in messages and logs.
  std::string ToString() const { return user + "@" + db; }
  // "db.user", the `_id` of the user's document in admin.system.users.
  std::string Id() const { return db + "." + user; }
  auto operator<=>(const UserName&) const = default;
};

struct RoleName {
  std::string role;
  std::string db;

  std::string ToString() const { return role + "@" + db; }
  std::string Id() const { return db + "." + role; }
  auto operator<=>(const RoleName&) const = default;
};

}  // namespace dds::auth
