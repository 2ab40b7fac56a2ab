#include "commands/user_store.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <shared_mutex>

#include "commands/write_helpers.h"
#include "common/base64.h"
#include "storage/engine.h"

namespace dds::commands {

namespace {

using bson::BsonBuilder;
using bson::BsonElement;
using bson::BsonType;
using bson::BsonView;

// A user/role document that mongod wrote differently, or that was damaged.
Status Malformed(std::string_view what, std::string_view id) {
  return Status(ErrorCode::kInternalError,
                "malformed " + std::string(what) + " document '" + std::string(id) + "'");
}

void AppendCredentials(BsonBuilder* b, std::string_view mechanism, const scram::Credentials& c) {
  b->StartDocument(mechanism);
  b->AppendInt32("iterationCount", c.iteration_count);
  b->AppendString("salt", Base64Encode(c.salt));
  b->AppendString("storedKey", Base64Encode(c.stored_key));
  b->AppendString("serverKey", Base64Encode(c.server_key));
  b->End();
}

std::optional<scram::Credentials> ParseCredentials(const BsonView& doc) {
  BsonElement iterations = doc.Get("iterationCount");
  BsonElement salt = doc.Get("salt");
  BsonElement stored = doc.Get("storedKey");
  BsonElement server = doc.Get("serverKey");
  if (!iterations.IsNumber() || !salt.IsString() || !stored.IsString() || !server.IsString()) {
    return std::nullopt;
  }
  std::optional<std::string> s = Base64Decode(salt.String());
  std::optional<std::string> st = Base64Decode(stored.String());
  std::optional<std::string> sv = Base64Decode(server.String());
  if (!s || !st || !sv) return std::nullopt;
  scram::Credentials c;
  c.iteration_count = static_cast<int>(iterations.NumberDouble());
  c.salt = std::move(*s);
  c.stored_key = std::move(*st);
  c.server_key = std::move(*sv);
  return c;
}

bool ParseRoleNames(const BsonElement& e, std::vector<auth::RoleName>* out) {
  if (e.eoo()) return true;
  if (!e.IsArray()) return false;
  for (const BsonElement& r : e.Array()) {
    if (!r.IsObject()) return false;
    BsonElement role = r.Object().Get("role");
    BsonElement db = r.Object().Get("db");
    if (!role.IsString() || !db.IsString()) return false;
    out->push_back({std::string(role.String()), std::string(db.String())});
  }
  return true;
}

// A random version-4 UUID (16 raw bytes).
std::string NewUuid() {
  std::string id = scram::RandomBytes(16);
  id[6] = static_cast<char>((static_cast<uint8_t>(id[6]) & 0x0f) | 0x40);
  id[8] = static_cast<char>((static_cast<uint8_t>(id[8]) & 0x3f) | 0x80);
  return id;
}

bson::BsonDocument IdDocument(std::string_view id) {
  BsonBuilder b;
  b.AppendString("_id", id);
  return b.Done();
}

}  // namespace

void AppendRoleNames(BsonBuilder* b, std::string_view field,
                     const std::vector<auth::RoleName>& roles) {
  b->StartArray(field);
  for (size_t i = 0; i < roles.size(); ++i) {
    b->StartDocument(bson::IndexName(i));
    b->AppendString("role", roles[i].role);
    b->AppendString("db", roles[i].db);
    b->End();
  }
  b->End();
}

bson::BsonDocument UserRecordToBson(const UserRecord& user) {
  BsonBuilder b;
  b.AppendString("_id", user.name.Id());
  b.AppendBinary("userId", 4, user.user_id);
  b.AppendString("user", user.name.user);
  b.AppendString("db", user.name.db);
  b.StartDocument("credentials");
  if (user.sha1) AppendCredentials(&b, scram::kSha1Name, *user.sha1);
  if (user.sha256) AppendCredentials(&b, scram::kSha256Name, *user.sha256);
  b.End();
  if (!user.custom_data.empty()) b.AppendDocument("customData", user.custom_data.view());
  AppendRoleNames(&b, "roles", user.roles);
  return b.Done();
}

StatusWith<UserRecord> UserRecordFromBson(const BsonView& doc) {
  BsonElement id = doc.Get("_id");
  std::string id_text = id.IsString() ? std::string(id.String()) : std::string("?");
  BsonElement user = doc.Get("user");
  BsonElement db = doc.Get("db");
  if (!user.IsString() || !db.IsString()) return Malformed("user", id_text);
  UserRecord out;
  out.name = {std::string(user.String()), std::string(db.String())};
  BsonElement user_id = doc.Get("userId");
  if (user_id.type() == BsonType::kBinData) out.user_id = std::string(user_id.BinData());
  BsonElement credentials = doc.Get("credentials");
  if (credentials.IsObject()) {
    BsonView creds = credentials.Object();
    if (BsonElement e = creds.Get(scram::kSha1Name); e.IsObject()) {
      out.sha1 = ParseCredentials(e.Object());
      if (!out.sha1) return Malformed("user", id_text);
    }
    if (BsonElement e = creds.Get(scram::kSha256Name); e.IsObject()) {
      out.sha256 = ParseCredentials(e.Object());
      if (!out.sha256) return Malformed("user", id_text);
    }
  }
  if (!ParseRoleNames(doc.Get("roles"), &out.roles)) return Malformed("user", id_text);
  if (BsonElement custom = doc.Get("customData"); custom.IsObject()) {
    out.custom_data = bson::BsonDocument(custom.Object());
  }
  return out;
}

bson::BsonDocument RoleDefinitionToBson(const auth::RoleDefinition& role) {
  BsonBuilder b;
  b.AppendString("_id", role.name.Id());
  b.AppendString("role", role.name.role);
  b.AppendString("db", role.name.db);
  auth::AppendPrivilegeArray(&b, "privileges", role.privileges);
  AppendRoleNames(&b, "roles", role.roles);
  return b.Done();
}

StatusWith<auth::RoleDefinition> RoleDefinitionFromBson(const BsonView& doc) {
  BsonElement id = doc.Get("_id");
  std::string id_text = id.IsString() ? std::string(id.String()) : std::string("?");
  BsonElement role = doc.Get("role");
  BsonElement db = doc.Get("db");
  if (!role.IsString() || !db.IsString()) return Malformed("role", id_text);
  auth::RoleDefinition out;
  out.name = {std::string(role.String()), std::string(db.String())};
  if (BsonElement privileges = doc.Get("privileges"); !privileges.eoo()) {
    StatusWith<auth::PrivilegeVector> parsed = auth::ParsePrivileges(privileges, "privileges");
    if (!parsed.ok()) return Malformed("role", id_text);
    out.privileges = std::move(parsed).value();
  }
  if (!ParseRoleNames(doc.Get("roles"), &out.roles)) return Malformed("role", id_text);
  return out;
}

struct UserStore::Impl {
  storage::Engine* engine;
  std::atomic<uint64_t> generation{1};
  // Serializes writes (and the reloads they cause).
  std::mutex write_mutex;
  std::shared_mutex cache_mutex;
  std::map<auth::UserName, UserRecord> users;  // positive cache
  std::atomic<bool> user_cache_enabled{true};
  // Resolve() results by direct role list (every login resolves its user's roles; root's
  // privilege set is large). Cleared with the roles on every change.
  std::map<std::vector<auth::RoleName>, auth::ResolvedRoles> resolved;
  // -1 unknown, 0 no user, 1 some user.
  std::atomic<int> has_any_user{-1};
  // Every user-defined role, loaded on first use.
  bool roles_loaded = false;
  std::map<auth::RoleName, auth::RoleDefinition> roles;

  explicit Impl(storage::Engine* e) : engine(e) {}

  // Calls `fn` for each document of admin.<coll> (stops at the first error).
  Status Scan(std::string_view coll, const std::function<Status(const BsonView&)>& fn) {
    storage::CollectionPtr c = engine->catalog().Lookup(kAdminDb, coll);
    if (c == nullptr) return Status::OK();
    std::unique_ptr<storage::ReadUnit> read = engine->BeginRead();
    std::unique_ptr<storage::RecordCursor> cursor = read->ScanRecords(c->id);
    while (cursor->Next()) DDS_RETURN_IF_ERROR(fn(cursor->doc()));
    return cursor->status();
  }

  StatusWith<std::optional<bson::BsonDocument>> Get(std::string_view coll, std::string_view id) {
    storage::CollectionPtr c = engine->catalog().Lookup(kAdminDb, coll);
    if (c == nullptr) return std::optional<bson::BsonDocument>();
    bson::BsonDocument id_doc = IdDocument(id);
    std::unique_ptr<storage::ReadUnit> read = engine->BeginRead();
    return read->GetRecord(c->id, id_doc.view().FirstElement());
  }

  // Writes (doc != nullptr) or deletes (doc == nullptr) the document with `id` in admin.<coll>,
  // in one durable commit. *existed says whether it was there before.
  Status Put(std::string_view coll, std::string_view id, const bson::BsonDocument* doc,
             bool* existed) {
    storage::CollectionPtr c = engine->catalog().Lookup(kAdminDb, coll);
    if (c == nullptr) {
      if (doc == nullptr) {
        if (existed != nullptr) *existed = false;
        return Status::OK();
      }
      DDS_ASSIGN_OR_RETURN(c, GetOrCreateCollection(*engine, kAdminDb, coll));
    }
    bson::BsonDocument id_doc = IdDocument(id);
    BsonElement id_element = id_doc.view().FirstElement();
    Status last = Status::OK();
    for (int attempt = 0; attempt < kMaxWriteConflictRetries; ++attempt) {
      std::unique_ptr<storage::WriteUnit> unit = engine->BeginWrite();
      StatusWith<std::optional<bson::BsonDocument>> old = unit->GetRecordForUpdate(c->id, id_element);
      last = old.status();
      if (old.ok()) {
        if (existed != nullptr) *existed = old.value().has_value();
        if (doc == nullptr) {
          if (old.value()) last = DeleteRecordFor(unit.get(), *c, id_element, old.value()->view());
        } else if (old.value()) {
          last = UpdateRecordFor(unit.get(), *c, doc->view().FirstElement(), old.value()->view(),
                                 doc->view());
        } else {
          last = InsertRecordFor(unit.get(), *c, doc->view().FirstElement(), doc->view());
        }
        if (last.ok()) last = unit->Commit(true);
      }
      if (!last.Is(ErrorCode::kWriteConflict)) break;
    }
    return last;
  }

  // REQUIRES: cache_mutex held exclusively.
  Status LoadRolesLocked() {
    if (roles_loaded) return Status::OK();
    std::map<auth::RoleName, auth::RoleDefinition> loaded;
    DDS_RETURN_IF_ERROR(Scan(kSystemRoles, [&](const BsonView& doc) -> Status {
      DDS_ASSIGN_OR_RETURN(auth::RoleDefinition role, RoleDefinitionFromBson(doc));
      loaded.emplace(role.name, std::move(role));
      return Status::OK();
    }));
    roles = std::move(loaded);
    roles_loaded = true;
    return Status::OK();
  }

  void Changed() {
    std::unique_lock lock(cache_mutex);
    users.clear();
    roles.clear();
    resolved.clear();
    roles_loaded = false;
    has_any_user.store(-1);
    generation.fetch_add(1);
  }
};

UserStore::UserStore(storage::Engine* engine) : impl_(std::make_unique<Impl>(engine)) {}
UserStore::~UserStore() = default;

StatusWith<std::optional<UserRecord>> UserStore::FindUser(const auth::UserName& name) {
  const bool use_cache = impl_->user_cache_enabled.load(std::memory_order_relaxed);
  if (use_cache) {
    std::shared_lock lock(impl_->cache_mutex);
    auto it = impl_->users.find(name);
    if (it != impl_->users.end()) return std::optional<UserRecord>(it->second);
  }
  uint64_t generation = impl_->generation.load();
  DDS_ASSIGN_OR_RETURN(std::optional<bson::BsonDocument> doc, impl_->Get(kSystemUsers, name.Id()));
  if (!doc) return std::optional<UserRecord>();
  DDS_ASSIGN_OR_RETURN(UserRecord user, UserRecordFromBson(doc->view()));
  std::unique_lock lock(impl_->cache_mutex);
  // A change in between may have made what we read stale: then do not cache it.
  if (use_cache && impl_->generation.load() == generation) impl_->users.emplace(name, user);
  return std::optional<UserRecord>(std::move(user));
}

void UserStore::SetUserCacheEnabled(bool enabled) {
  impl_->user_cache_enabled.store(enabled);
  std::unique_lock lock(impl_->cache_mutex);
  impl_->users.clear();
  impl_->resolved.clear();
}

bool UserStore::HasAnyUser() {
  int known = impl_->has_any_user.load();
  if (known >= 0) return known == 1;
  bool any = false;
  Status s = impl_->Scan(kSystemUsers, [&any](const BsonView&) {
    any = true;
    return Status(ErrorCode::kInternalError, "stop");  // one document is enough
  });
  (void)s;
  impl_->has_any_user.store(any ? 1 : 0);
  return any;
}

Status UserStore::UpsertUser(const UserRecord& user) {
  std::lock_guard write(impl_->write_mutex);
  UserRecord copy = user;
  if (copy.user_id.empty()) {
    // Keep the existing userId when replacing.
    DDS_ASSIGN_OR_RETURN(std::optional<bson::BsonDocument> old,
                         impl_->Get(kSystemUsers, user.name.Id()));
    if (old) {
      if (BsonElement id = old->view().Get("userId"); id.type() == BsonType::kBinData) {
        copy.user_id = std::string(id.BinData());
      }
    }
    if (copy.user_id.empty()) copy.user_id = NewUuid();
  }
  bson::BsonDocument doc = UserRecordToBson(copy);
  Status s = impl_->Put(kSystemUsers, copy.name.Id(), &doc, nullptr);
  impl_->Changed();
  return s;
}

Status UserStore::InsertUser(const UserRecord& user) {
  std::lock_guard write(impl_->write_mutex);
  DDS_ASSIGN_OR_RETURN(std::optional<bson::BsonDocument> old,
                       impl_->Get(kSystemUsers, user.name.Id()));
  if (old) return Status(51003, "User \"" + user.name.ToString() + "\" already exists");
  UserRecord copy = user;
  if (copy.user_id.empty()) copy.user_id = NewUuid();
  bson::BsonDocument doc = UserRecordToBson(copy);
  Status s = impl_->Put(kSystemUsers, copy.name.Id(), &doc, nullptr);
  impl_->Changed();
  return s;
}

Status UserStore::DropUser(const auth::UserName& name) {
  std::lock_guard write(impl_->write_mutex);
  bool existed = false;
  Status s = impl_->Put(kSystemUsers, name.Id(), nullptr, &existed);
  impl_->Changed();
  DDS_RETURN_IF_ERROR(s);
  if (!existed) {
    return Status(ErrorCode::kUserNotFound, "User '" + name.ToString() + "' not found");
  }
  return Status::OK();
}

StatusWith<int64_t> UserStore::DropAllUsers(std::string_view db) {
  DDS_ASSIGN_OR_RETURN(std::vector<UserRecord> users, ListUsers(db));
  std::lock_guard write(impl_->write_mutex);
  int64_t n = 0;
  Status s = Status::OK();
  for (const UserRecord& u : users) {
    bool existed = false;
    s = impl_->Put(kSystemUsers, u.name.Id(), nullptr, &existed);
    if (!s.ok()) break;
    if (existed) ++n;
  }
  impl_->Changed();
  DDS_RETURN_IF_ERROR(s);
  return n;
}

StatusWith<std::vector<UserRecord>> UserStore::ListUsers(std::optional<std::string_view> db) {
  std::vector<UserRecord> out;
  DDS_RETURN_IF_ERROR(impl_->Scan(kSystemUsers, [&](const BsonView& doc) -> Status {
    DDS_ASSIGN_OR_RETURN(UserRecord user, UserRecordFromBson(doc));
    if (!db || user.name.db == *db) out.push_back(std::move(user));
    return Status::OK();
  }));
  std::sort(out.begin(), out.end(),
            [](const UserRecord& a, const UserRecord& b) { return a.name.Id() < b.name.Id(); });
  return out;
}

StatusWith<std::optional<auth::RoleDefinition>> UserStore::FindRole(const auth::RoleName& name) {
  {
    std::shared_lock lock(impl_->cache_mutex);
    if (impl_->roles_loaded) {
      auto it = impl_->roles.find(name);
      if (it == impl_->roles.end()) return std::optional<auth::RoleDefinition>();
      return std::optional<auth::RoleDefinition>(it->second);
    }
  }
  std::unique_lock lock(impl_->cache_mutex);
  DDS_RETURN_IF_ERROR(impl_->LoadRolesLocked());
  auto it = impl_->roles.find(name);
  if (it == impl_->roles.end()) return std::optional<auth::RoleDefinition>();
  return std::optional<auth::RoleDefinition>(it->second);
}

Status UserStore::InsertRole(const auth::RoleDefinition& role) {
  std::lock_guard write(impl_->write_mutex);
  DDS_ASSIGN_OR_RETURN(std::optional<bson::BsonDocument> old,
                       impl_->Get(kSystemRoles, role.name.Id()));
  if (old) return Status(51002, "Role \"" + role.name.ToString() + "\" already exists");
  bson::BsonDocument doc = RoleDefinitionToBson(role);
  Status s = impl_->Put(kSystemRoles, role.name.Id(), &doc, nullptr);
  impl_->Changed();
  return s;
}

Status UserStore::UpsertRole(const auth::RoleDefinition& role) {
  std::lock_guard write(impl_->write_mutex);
  bson::BsonDocument doc = RoleDefinitionToBson(role);
  Status s = impl_->Put(kSystemRoles, role.name.Id(), &doc, nullptr);
  impl_->Changed();
  return s;
}

namespace {

bool EraseRole(std::vector<auth::RoleName>* roles, const std::function<bool(const auth::RoleName&)>& pred) {
  auto it = std::remove_if(roles->begin(), roles->end(), pred);
  bool changed = it != roles->end();
  roles->erase(it, roles->end());
  return changed;
}

}  // namespace

// mongod removes the grants first, then the roles.
StatusWith<int64_t> UserStore::DropRolesWhere(
    const std::function<bool(const auth::RoleName&)>& dropped) {
  DDS_ASSIGN_OR_RETURN(std::vector<auth::RoleDefinition> all_roles, ListRoles(std::nullopt));
  DDS_ASSIGN_OR_RETURN(std::vector<UserRecord> users, ListUsers(std::nullopt));
  std::lock_guard write(impl_->write_mutex);
  int64_t n = 0;
  Status s = Status::OK();
  for (UserRecord& u : users) {
    if (!EraseRole(&u.roles, dropped)) continue;
    bson::BsonDocument doc = UserRecordToBson(u);
    s = impl_->Put(kSystemUsers, u.name.Id(), &doc, nullptr);
    if (!s.ok()) break;
  }
  for (auth::RoleDefinition& r : all_roles) {
    if (!s.ok()) break;
    if (dropped(r.name)) {
      bool existed = false;
      s = impl_->Put(kSystemRoles, r.name.Id(), nullptr, &existed);
      if (existed) ++n;
    } else if (EraseRole(&r.roles, dropped)) {
      bson::BsonDocument doc = RoleDefinitionToBson(r);
      s = impl_->Put(kSystemRoles, r.name.Id(), &doc, nullptr);
    }
  }
  impl_->Changed();
  DDS_RETURN_IF_ERROR(s);
  return n;
}

StatusWith<int64_t> UserStore::DropAllRoles(std::string_view db) {
  return DropRolesWhere([db](const auth::RoleName& r) { return r.db == db; });
}

Status UserStore::DropRole(const auth::RoleName& name) {
  DDS_ASSIGN_OR_RETURN(std::optional<auth::RoleDefinition> role, FindRole(name));
  if (!role) {
    return Status(ErrorCode::kRoleNotFound, "Role '" + name.ToString() + "' not found");
  }
  return DropRolesWhere([&name](const auth::RoleName& r) { return r == name; }).status();
}

StatusWith<std::vector<auth::RoleDefinition>> UserStore::ListRoles(
    std::optional<std::string_view> db) {
  std::unique_lock lock(impl_->cache_mutex);
  DDS_RETURN_IF_ERROR(impl_->LoadRolesLocked());
  std::vector<auth::RoleDefinition> out;
  for (const auto& [name, role] : impl_->roles) {
    if (!db || name.db == *db) out.push_back(role);
  }
  std::sort(out.begin(), out.end(), [](const auth::RoleDefinition& a, const auth::RoleDefinition& b) {
    return a.name.Id() < b.name.Id();
  });
  return out;
}

auth::RoleLookup UserStore::RoleLookupFn() {
  return [this](const auth::RoleName& name) { return FindRole(name); };
}

StatusWith<auth::ResolvedRoles> UserStore::Resolve(const std::vector<auth::RoleName>& roles) {
  const bool use_cache = impl_->user_cache_enabled.load(std::memory_order_relaxed);
  if (use_cache) {
    std::shared_lock lock(impl_->cache_mutex);
    auto it = impl_->resolved.find(roles);
    if (it != impl_->resolved.end()) return it->second;
  }
  const uint64_t generation = impl_->generation.load();
  DDS_ASSIGN_OR_RETURN(auth::ResolvedRoles resolved, auth::ResolveRoles(roles, RoleLookupFn()));
  if (use_cache) {
    std::unique_lock lock(impl_->cache_mutex);
    // A change in between may have made the result stale: then do not keep it.
    if (impl_->generation.load() == generation) impl_->resolved.emplace(roles, resolved);
  }
  return resolved;
}

void UserStore::Invalidate(const auth::UserName& name) {
  std::unique_lock lock(impl_->cache_mutex);
  impl_->users.erase(name);
  impl_->has_any_user.store(-1);
  impl_->generation.fetch_add(1);
}

void UserStore::InvalidateAll() { impl_->Changed(); }

uint64_t UserStore::generation() const { return impl_->generation.load(); }

}  // namespace dds::commands
