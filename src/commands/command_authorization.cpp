#include "commands/command_authorization.h"

#include <optional>
#include <string>
#include <vector>

#include "auth/authorization_session.h"
#include "commands/cursor_manager.h"
#include "commands/namespace_util.h"
#include "commands/user_store.h"
#include "common/logging.h"

namespace dds::commands {

namespace {

using auth::ActionSet;
using auth::ResourceTarget;
using bson::BsonElement;
using bson::BsonType;
using bson::BsonView;
using A = auth::ActionType;

const auth::AuthorizationSession& Session(const CommandContext& ctx) { return ctx.client.auth; }

// OK when the session may do `actions` on `target`, else mongod's 13 for the command.
Status Require(const CommandContext& ctx, const BsonView& cmd, const ResourceTarget& target,
               const ActionSet& actions) {
  if (Session(ctx).IsAuthorized(target, actions)) return Status::OK();
  return UnauthorizedError(ctx.db, cmd);
}

// The target a collection-level command acts on: `$db`.<first field> when it is a string, else
// the database (aggregate: 1, or a malformed name the command itself rejects).
ResourceTarget CommandTarget(const CommandContext& ctx, const BsonView& cmd) {
  BsonElement first = cmd.FirstElement();
  if (first.type() == BsonType::kString) return ResourceTarget::Namespace(ctx.db, first.String());
  return ResourceTarget::Database(ctx.db);
}

bool Flag(const BsonView& cmd, std::string_view name) {
  BsonElement e = cmd.Get(name);
  return !e.eoo() && e.TrueValue();
}

// "db.coll" -> target (the form renameCollection and dataSize use).
ResourceTarget FullNamespaceTarget(std::string_view ns) {
  std::string_view db;
  std::string_view coll;
  SplitNamespace(ns, &db, &coll);
  return ResourceTarget::Namespace(db, coll);
}

// Evaluates the entry's declared requirement (steps 4 of the header) for an authenticated user.
Status CheckEntry(const CommandContext& ctx, const CommandEntry& entry, const BsonView& cmd) {
  switch (entry.auth.scope) {
    case AuthScope::kPreAuth:
    case AuthScope::kAnyUser:
      return Status::OK();
    case AuthScope::kCluster:
      return Require(ctx, cmd, ResourceTarget::Cluster(), entry.auth.actions);
    case AuthScope::kDatabase:
      return Require(ctx, cmd, ResourceTarget::Database(ctx.db), entry.auth.actions);
    case AuthScope::kNamespace:
      return Require(ctx, cmd, CommandTarget(ctx, cmd), entry.auth.actions);
    case AuthScope::kCustom:
      return entry.auth.check(ctx, cmd);
  }
  return UnauthorizedError(ctx.db, cmd);
}

// Re-resolves the session's roles and privileges when the user store changed since they were
// resolved; logs out a user that no longer exists.
Status RefreshIfStale(const CommandContext& ctx) {
  auth::AuthorizationSession& session = ctx.client.auth;
  UserStore* users = ctx.service.users;
  if (!session.authenticated() || users == nullptr) return Status::OK();
  uint64_t generation = users->generation();
  if (session.generation() == generation) return Status::OK();
  DDS_ASSIGN_OR_RETURN(std::optional<UserRecord> user, users->FindUser(*session.user()));
  if (!user) {
    session.Logout();
    return Status::OK();
  }
  DDS_ASSIGN_OR_RETURN(auth::ResolvedRoles resolved, users->Resolve(user->roles));
  session.SetRolesAndPrivileges(std::move(resolved.roles), std::move(resolved.privileges),
                                generation);
  return Status::OK();
}

// The localhost exception: no user and no user-defined role yet, a loopback client, and
// createUser/createRole on admin.
bool LocalhostExceptionApplies(const CommandContext& ctx, const CommandEntry& entry) {
  if (entry.name != "createUser" && entry.name != "createRole") return false;
  if (ctx.db != kAdminDb || ctx.service.users == nullptr) return false;
  if (!IsLoopbackAddress(ctx.client.remote)) return false;
  if (ctx.service.users->HasAnyUser()) return false;
  StatusWith<std::vector<auth::RoleDefinition>> roles = ctx.service.users->ListRoles(std::nullopt);
  return roles.ok() && roles.value().empty();
}

}  // namespace

Status UnauthorizedError(std::string_view db, const BsonView& cmd) {
  // mongod prints the command body; the statements of insert/update/delete arrive as OP_MSG
  // document sequences (pymongo, libmongoc), which are not part of it. Leave them out here too,
  // which also keeps a refused 48 MB batch from producing an oversized reply.
  bool has_statements = false;
  for (const BsonElement& e : cmd) {
    std::string_view n = e.field_name();
    has_statements = has_statements || (e.IsArray() && (n == "documents" || n == "updates" ||
                                                        n == "deletes"));
  }
  std::string text;
  if (has_statements) {
    bson::BsonBuilder b;
    for (const BsonElement& e : cmd) {
      std::string_view n = e.field_name();
      if (e.IsArray() && (n == "documents" || n == "updates" || n == "deletes")) continue;
      b.AppendElement(e);
    }
    text = b.Done().view().ToShellString();
  } else {
    text = cmd.ToShellString();
  }
  return Status(ErrorCode::kUnauthorized,
                "not authorized on " + std::string(db) + " to execute command " + text);
}

bool IsLoopbackAddress(std::string_view remote) {
  if (remote.empty()) return false;
  if (remote.front() == '/') return true;  // a unix domain socket
  std::string_view host = remote;
  if (host.front() == '[') {
    size_t close = host.find(']');
    host = host.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
  } else if (host.find(':') == host.rfind(':')) {
    host = host.substr(0, host.find(':'));  // "ip:port" (IPv4)
  }
  return host.starts_with("127.") || host == "::1" || host.starts_with("::1:") ||
         host == "localhost" || host.starts_with("::ffff:127.");
}

Status CheckCommandAuthorization(const CommandContext& ctx, const CommandEntry& entry,
                                 const BsonView& cmd) {
  DDS_RETURN_IF_ERROR(RefreshIfStale(ctx));
  if (entry.auth.scope == AuthScope::kPreAuth) return Status::OK();
  if (!Session(ctx).authenticated()) {
    if (LocalhostExceptionApplies(ctx, entry)) return Status::OK();
    return Status(ErrorCode::kUnauthorized,
                  "Command " + std::string(entry.name) + " requires authentication");
  }
  return CheckEntry(ctx, entry, cmd);
}

// --- listing filters -----------------------------------------------------------------------

bool ListDatabasesMustFilter(const CommandContext& ctx, const BsonView& cmd) {
  if (!AuthorizationEnabled(ctx)) return false;
  BsonElement authorized = cmd.Get("authorizedDatabases");
  if (!authorized.eoo() && authorized.TrueValue()) return true;
  if (!authorized.eoo()) return false;  // explicitly false: the check demanded the action
  return !Session(ctx).IsAuthorizedOnCluster({A::kListDatabases});
}

bool UserCanSeeDatabase(const CommandContext& ctx, std::string_view db) {
  return Session(ctx).HasAnyPrivilegeOnDatabase(db);
}

bool ListCollectionsMustFilter(const CommandContext& ctx, const BsonView& cmd) {
  if (!AuthorizationEnabled(ctx)) return false;
  if (!Flag(cmd, "authorizedCollections") || !Flag(cmd, "nameOnly")) return false;
  return !Session(ctx).IsAuthorizedOnDatabase(ctx.db, {A::kListCollections});
}

bool UserCanSeeCollection(const CommandContext& ctx, std::string_view db, std::string_view coll) {
  return Session(ctx).HasAnyPrivilegeOnNamespace(db, coll);
}

// --- CRUD and DDL ------------------------------------------------------------------------------

Status CheckInsert(const CommandContext& ctx, const BsonView& cmd) {
  ActionSet actions{A::kInsert};
  if (Flag(cmd, "bypassDocumentValidation")) actions.Add(A::kBypassDocumentValidation);
  return Require(ctx, cmd, CommandTarget(ctx, cmd), actions);
}

Status CheckUpdate(const CommandContext& ctx, const BsonView& cmd) {
  ActionSet actions{A::kUpdate};
  if (BsonElement updates = cmd.Get("updates"); updates.IsArray()) {
    for (const BsonElement& u : updates.Array()) {
      if (u.IsObject() && Flag(u.Object(), "upsert")) actions.Add(A::kInsert);
    }
  }
  if (Flag(cmd, "bypassDocumentValidation")) actions.Add(A::kBypassDocumentValidation);
  return Require(ctx, cmd, CommandTarget(ctx, cmd), actions);
}

Status CheckDelete(const CommandContext& ctx, const BsonView& cmd) {
  return Require(ctx, cmd, CommandTarget(ctx, cmd), {A::kRemove});
}

Status CheckFindAndModify(const CommandContext& ctx, const BsonView& cmd) {
  ActionSet actions{A::kFind};
  if (Flag(cmd, "remove")) {
    actions.Add(A::kRemove);
  } else {
    actions.Add(A::kUpdate);
    if (Flag(cmd, "upsert")) actions.Add(A::kInsert);
  }
  if (Flag(cmd, "bypassDocumentValidation")) actions.Add(A::kBypassDocumentValidation);
  return Require(ctx, cmd, CommandTarget(ctx, cmd), actions);
}

Status CheckCreate(const CommandContext& ctx, const BsonView& cmd) {
  DDS_RETURN_IF_ERROR(Require(ctx, cmd, CommandTarget(ctx, cmd), {A::kCreateCollection}));
  // A view reads its source: mongod also demands find there.
  if (BsonElement view_on = cmd.Get("viewOn"); view_on.type() == BsonType::kString) {
    DDS_RETURN_IF_ERROR(
        Require(ctx, cmd, ResourceTarget::Namespace(ctx.db, view_on.String()), {A::kFind}));
  }
  return Status::OK();
}

Status CheckDataSize(const CommandContext& ctx, const BsonView& cmd) {
  BsonElement ns = cmd.FirstElement();
  if (ns.type() != BsonType::kString)
    return Require(ctx, cmd, ResourceTarget::Database(ctx.db), {A::kFind});
  return Require(ctx, cmd, FullNamespaceTarget(ns.String()), {A::kFind});
}

Status CheckCurrentOp(const CommandContext& ctx, const BsonView& cmd) {
  // {$ownOps: true} lists the user's own operations, which needs no privilege.
  if (Flag(cmd, "$ownOps")) return Status::OK();
  return Require(ctx, cmd, ResourceTarget::Cluster(), {A::kInprog});
}

Status CheckKillOp(const CommandContext& ctx, const BsonView& cmd) {
  return Require(ctx, cmd, ResourceTarget::Cluster(), {A::kKillop});
}

Status CheckRenameCollection(const CommandContext& ctx, const BsonView& cmd) {
  BsonElement from = cmd.FirstElement();
  BsonElement to = cmd.Get("to");
  // Malformed requests are the command's to reject (after this check passes vacuously).
  if (from.type() != BsonType::kString || to.type() != BsonType::kString) {
    return Require(ctx, cmd, ResourceTarget::Cluster(), {A::kRenameCollectionSameDB});
  }
  ResourceTarget source = FullNamespaceTarget(from.String());
  ResourceTarget target = FullNamespaceTarget(to.String());
  bool drop_target = Flag(cmd, "dropTarget");
  const auth::AuthorizationSession& s = Session(ctx);
  // mongod's rename_collection_common.cpp: within one database renameCollectionSameDB suffices,
  // unless it would let the user read what they could not read before.
  if (source.db == target.db && auth::IsNormalCollection(source.coll) &&
      auth::IsNormalCollection(target.coll)) {
    bool can_rename = s.IsAuthorizedOnDatabase(source.db, {A::kRenameCollectionSameDB});
    bool can_drop = !drop_target || s.IsAuthorized(target, {A::kDropCollection});
    bool can_read_source = s.IsAuthorized(source, {A::kFind});
    bool can_read_target = s.IsAuthorized(target, {A::kFind});
    if (can_rename && can_drop && (can_read_source || !can_read_target)) return Status::OK();
  }
  DDS_RETURN_IF_ERROR(Require(ctx, cmd, source, {A::kFind, A::kDropCollection}));
  ActionSet target_actions{A::kInsert, A::kCreateIndex};
  if (drop_target) target_actions.Add(A::kDropCollection);
  return Require(ctx, cmd, target, target_actions);
}

// --- cursors -------------------------------------------------------------------------------

namespace {

// OK when the cursor does not exist (the command answers CursorNotFound itself) or belongs to
// the authenticated user.
bool OwnsCursor(const CommandContext& ctx, int64_t id) {
  if (ctx.service.cursors == nullptr) return true;
  std::optional<std::string> owner = ctx.service.cursors->OwnerOf(id);
  if (!owner) return true;
  return *owner == Session(ctx).user()->ToString();
}

}  // namespace

Status CheckGetMore(const CommandContext& ctx, const BsonView& cmd) {
  BsonElement id = cmd.FirstElement();
  if (id.type() != BsonType::kInt64) return Status::OK();  // the command rejects the type
  if (OwnsCursor(ctx, id.Int64())) return Status::OK();
  return UnauthorizedError(ctx.db, cmd);
}

Status CheckKillCursors(const CommandContext& ctx, const BsonView& cmd) {
  BsonElement cursors = cmd.Get("cursors");
  if (!cursors.IsArray()) return Status::OK();
  for (const BsonElement& id : cursors.Array()) {
    if (id.type() != BsonType::kInt64 || OwnsCursor(ctx, id.Int64())) continue;
    DDS_RETURN_IF_ERROR(Require(ctx, cmd, CommandTarget(ctx, cmd), {A::kKillAnyCursor}));
  }
  return Status::OK();
}

// --- listing --------------------------------------------------------------------------------

Status CheckListDatabases(const CommandContext& ctx, const BsonView& cmd) {
  // Every user may list the databases they have privileges on; authorizedDatabases: false
  // demands the full list, which needs the action.
  BsonElement authorized = cmd.Get("authorizedDatabases");
  if (!authorized.eoo() && !authorized.TrueValue()) {
    return Require(ctx, cmd, ResourceTarget::Cluster(), {A::kListDatabases});
  }
  return Status::OK();
}

Status CheckListCollections(const CommandContext& ctx, const BsonView& cmd) {
  if (Flag(cmd, "authorizedCollections") && Flag(cmd, "nameOnly")) return Status::OK();
  return Require(ctx, cmd, ResourceTarget::Database(ctx.db), {A::kListCollections});
}

// --- aggregate and explain ------------------------------------------------------------------

namespace {

Status CheckPipeline(const CommandContext& ctx, const BsonView& cmd, std::string_view db,
                     const BsonView& pipeline, bool bypass);

// The namespace a $lookup/$unionWith/$graphLookup/$out/$merge names: "coll" (in `db`) or
// {db, coll}.
std::optional<ResourceTarget> ForeignTarget(std::string_view db, const BsonElement& e) {
  if (e.type() == BsonType::kString) return ResourceTarget::Namespace(db, e.String());
  if (e.IsObject()) {
    BsonElement d = e.Object().Get("db");
    BsonElement c = e.Object().Get("coll");
    if (c.type() != BsonType::kString) return std::nullopt;
    return ResourceTarget::Namespace(d.type() == BsonType::kString ? d.String() : db, c.String());
  }
  return std::nullopt;
}

Status CheckStage(const CommandContext& ctx, const BsonView& cmd, std::string_view db,
                  const BsonElement& stage, bool bypass) {
  std::string_view name = stage.field_name();
  if (name == "$lookup" || name == "$graphLookup") {
    if (!stage.IsObject()) return Status::OK();
    BsonView spec = stage.Object();
    if (std::optional<ResourceTarget> from = ForeignTarget(db, spec.Get("from"))) {
      DDS_RETURN_IF_ERROR(Require(ctx, cmd, *from, {A::kFind}));
    }
    if (BsonElement sub = spec.Get("pipeline"); sub.IsArray()) {
      DDS_RETURN_IF_ERROR(CheckPipeline(ctx, cmd, db, sub.Array(), bypass));
    }
  } else if (name == "$unionWith") {
    BsonElement coll = stage;
    if (stage.IsObject()) coll = stage.Object().Get("coll");
    if (coll.type() == BsonType::kString) {
      DDS_RETURN_IF_ERROR(
          Require(ctx, cmd, ResourceTarget::Namespace(db, coll.String()), {A::kFind}));
    }
    if (stage.IsObject()) {
      if (BsonElement sub = stage.Object().Get("pipeline"); sub.IsArray()) {
        DDS_RETURN_IF_ERROR(CheckPipeline(ctx, cmd, db, sub.Array(), bypass));
      }
    }
  } else if (name == "$facet") {
    if (!stage.IsObject()) return Status::OK();
    for (const BsonElement& sub : stage.Object()) {
      if (sub.IsArray()) DDS_RETURN_IF_ERROR(CheckPipeline(ctx, cmd, db, sub.Array(), bypass));
    }
  } else if (name == "$out") {
    // $out replaces the target: insert and remove there (mongod's DocumentSourceOut).
    std::optional<ResourceTarget> target = ForeignTarget(db, stage);
    if (target) {
      ActionSet actions{A::kInsert, A::kRemove};
      if (bypass) actions.Add(A::kBypassDocumentValidation);
      DDS_RETURN_IF_ERROR(Require(ctx, cmd, *target, actions));
    }
  } else if (name == "$merge") {
    BsonElement into = stage.IsObject() ? stage.Object().Get("into") : stage;
    std::optional<ResourceTarget> target = ForeignTarget(db, into);
    if (target) {
      ActionSet actions;
      BsonElement matched = stage.IsObject() ? stage.Object().Get("whenMatched") : BsonElement();
      BsonElement not_matched =
          stage.IsObject() ? stage.Object().Get("whenNotMatched") : BsonElement();
      bool matched_writes = matched.eoo() || matched.IsArray() ||
                            (matched.type() == BsonType::kString &&
                             (matched.String() == "replace" || matched.String() == "merge"));
      bool inserts = not_matched.eoo() ||
                     (not_matched.type() == BsonType::kString && not_matched.String() == "insert");
      if (matched_writes) actions.Add(A::kUpdate);
      if (inserts) actions.Add(A::kInsert);
      if (bypass) actions.Add(A::kBypassDocumentValidation);
      if (!actions.empty()) DDS_RETURN_IF_ERROR(Require(ctx, cmd, *target, actions));
    }
  }
  return Status::OK();
}

Status CheckPipeline(const CommandContext& ctx, const BsonView& cmd, std::string_view db,
                     const BsonView& pipeline, bool bypass) {
  for (const BsonElement& stage : pipeline) {
    if (!stage.IsObject() || stage.Object().empty()) continue;
    DDS_RETURN_IF_ERROR(CheckStage(ctx, cmd, db, stage.Object().FirstElement(), bypass));
  }
  return Status::OK();
}

}  // namespace

Status CheckAggregate(const CommandContext& ctx, const BsonView& cmd) {
  BsonElement pipeline_element = cmd.Get("pipeline");
  if (!pipeline_element.IsArray()) return Require(ctx, cmd, CommandTarget(ctx, cmd), {A::kFind});
  BsonView pipeline = pipeline_element.Array();
  ResourceTarget source = CommandTarget(ctx, cmd);
  // The first stage decides what reading the source needs.
  std::string_view first;
  BsonElement first_spec;
  if (!pipeline.empty() && pipeline.FirstElement().IsObject() &&
      !pipeline.FirstElement().Object().empty()) {
    first_spec = pipeline.FirstElement().Object().FirstElement();
    first = first_spec.field_name();
  }
  if (first == "$collStats") {
    DDS_RETURN_IF_ERROR(Require(ctx, cmd, source, {A::kCollStats}));
  } else if (first == "$indexStats") {
    DDS_RETURN_IF_ERROR(Require(ctx, cmd, source, {A::kIndexStats}));
  } else if (first == "$planCacheStats") {
    DDS_RETURN_IF_ERROR(Require(ctx, cmd, source, {A::kPlanCacheRead}));
  } else if (first == "$currentOp") {
    bool all_users = first_spec.IsObject() && Flag(first_spec.Object(), "allUsers");
    if (all_users) DDS_RETURN_IF_ERROR(Require(ctx, cmd, ResourceTarget::Cluster(), {A::kInprog}));
  } else if (first == "$listSessions" || first == "$listLocalSessions") {
    bool all_users = first_spec.IsObject() && Flag(first_spec.Object(), "allUsers");
    if (all_users) {
      DDS_RETURN_IF_ERROR(Require(ctx, cmd, ResourceTarget::Cluster(), {A::kListSessions}));
    }
  } else if (first != "$documents") {
    DDS_RETURN_IF_ERROR(Require(ctx, cmd, source, {A::kFind}));
  }
  return CheckPipeline(ctx, cmd, ctx.db, pipeline, Flag(cmd, "bypassDocumentValidation"));
}

Status CheckExplain(const CommandContext& ctx, const BsonView& cmd) {
  BsonElement inner = cmd.FirstElement();
  if (!inner.IsObject() || inner.Object().empty()) return Status::OK();  // the command rejects it
  BsonView inner_cmd = inner.Object();
  const CommandEntry* entry = FindCommand(inner_cmd.FirstElement().field_name());
  if (entry == nullptr || entry->auth.scope == AuthScope::kPreAuth) return Status::OK();
  Status s = CheckEntry(ctx, *entry, inner_cmd);
  // The refusal names the explain command, as mongod's.
  if (s.Is(ErrorCode::kUnauthorized)) return UnauthorizedError(ctx.db, cmd);
  return s;
}

}  // namespace dds::commands
