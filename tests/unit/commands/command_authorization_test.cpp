// Authorization through RunCommand with --auth on, against a real Engine and UserStore: the
// pre-auth set, mongod's refusal messages, the localhost exception, built-in roles against
// representative commands, custom checks (aggregate, renameCollection, explain, getMore), user
// and role management commands and their effect on live connections, listing filters.
#include "commands/command_authorization.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <set>

#include "bson/bson.h"
#include "commands/command.h"
#include "commands/cursor_manager.h"
#include "commands/dispatch.h"
#include "commands/user_store.h"
#include "common/logging.h"
#include "storage/engine.h"
#include "test_util.h"

namespace dds::commands {
namespace {

class AuthzTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogQuiet(true);
    dir_ = std::filesystem::temp_directory_path() /
           ("dds_authz_" + std::to_string(std::random_device{}()));
    storage::EngineOptions options;
    options.db_path = dir_.string();
    auto engine = storage::Engine::Open(options);
    ASSERT_OK(engine);
    engine_ = std::move(engine).value();
    users_ = std::make_unique<UserStore>(engine_.get());
    service_.engine = engine_.get();
    service_.cursors = &cursors_;
    service_.users = users_.get();
    service_.settings.auth_enabled = true;
  }
  void TearDown() override {
    users_.reset();
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }

  bson::BsonDocument Run(ClientState& client, const std::string& json) {
    RequestInfo info;
    bson::BsonDocument body = bson::FromJson(json);
    return RunCommand(service_, client, body, info);
  }
  static int Code(const bson::BsonDocument& r) {
    return r["ok"].Double() == 1.0 ? 0 : r["code"].Int32();
  }
  int Code(ClientState& client, const std::string& json) { return Code(Run(client, json)); }

  // Stores a user with `roles` ([{role, db}] JSON) and returns a client logged in as it.
  std::unique_ptr<ClientState> LoginAs(const std::string& user, const std::string& db,
                                       const std::string& roles_json) {
    UserRecord u;
    u.name = {user, db};
    u.sha256 = scram::DeriveCredentials(scram::Mechanism::kSha256, user, "pw", 4096).value();
    bson::BsonDocument roles = bson::FromJson("{\"r\": " + roles_json + "}");
    for (const bson::BsonElement& r : roles["r"].Array()) {
      u.roles.push_back({std::string(r.Object()["role"].String()),
                         std::string(r.Object()["db"].String())});
    }
    EXPECT_OK(users_->UpsertUser(u));
    auto client = std::make_unique<ClientState>();
    client->remote = "10.1.2.3:4444";
    client->auth.Login(u.name);
    return client;
  }

  std::filesystem::path dir_;
  std::unique_ptr<storage::Engine> engine_;
  std::unique_ptr<UserStore> users_;
  CursorManager cursors_;
  ServiceContext service_;
};

TEST(CommandAuthTable, EveryCommandDeclaresItsAuthorization) {
  for (const CommandEntry& e : AllCommands()) {
    EXPECT_TRUE(IsValidCommandAuth(e.auth, e.flags)) << e.name;
  }
}

TEST(CommandAuthTable, PreAuthCommandsAreMongodsSet) {
  std::set<std::string> pre_auth;
  for (const CommandEntry& e : AllCommands()) {
    if (e.auth.scope == AuthScope::kPreAuth) pre_auth.insert(std::string(e.name));
  }
  std::set<std::string> allowed = {"hello",     "isMaster",     "ismaster",   "saslStart",
                                   "saslContinue", "ping",      "buildInfo",  "buildinfo",
                                   "connectionStatus", "logout", "whatsmyuri", "authenticate",
                                   "listCommands", "configureFailPoint", "getnonce"};
  for (const std::string& n : pre_auth) EXPECT_TRUE(allowed.count(n)) << n;
  for (const char* n : {"hello", "isMaster", "ping", "buildInfo", "connectionStatus", "logout"}) {
    EXPECT_TRUE(pre_auth.count(n)) << n;
  }
  EXPECT_EQ(FindCommand("find")->auth.scope, AuthScope::kNamespace);
  EXPECT_TRUE(FindCommand("find")->auth.actions.Contains(auth::ActionType::kFind));
}

TEST(LoopbackAddress, Forms) {
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1:5000"));
  EXPECT_TRUE(IsLoopbackAddress("127.1.2.3:1"));
  EXPECT_TRUE(IsLoopbackAddress("[::1]:5000"));
  EXPECT_TRUE(IsLoopbackAddress("/tmp/mongodb-27017.sock"));
  EXPECT_FALSE(IsLoopbackAddress("10.0.0.1:5000"));
  EXPECT_FALSE(IsLoopbackAddress("[fe80::1]:5000"));
  EXPECT_FALSE(IsLoopbackAddress(""));
}

TEST_F(AuthzTest, UnauthenticatedGetsRequiresAuthentication) {
  ClientState anon;
  anon.remote = "10.0.0.9:1234";
  EXPECT_EQ(Code(anon, R"({"ping": 1, "$db": "admin"})"), 0);
  EXPECT_EQ(Code(anon, R"({"hello": 1, "$db": "admin"})"), 0);
  EXPECT_EQ(Code(anon, R"({"buildInfo": 1, "$db": "test"})"), 0);
  bson::BsonDocument r = Run(anon, R"({"find": "c", "$db": "test"})");
  EXPECT_EQ(Code(r), 13);
  EXPECT_EQ(r["errmsg"].String(), "Command find requires authentication");
  EXPECT_EQ(r["codeName"].String(), "Unauthorized");
  EXPECT_EQ(Code(anon, R"({"listDatabases": 1, "$db": "admin"})"), 13);
  // Not loopback: no localhost exception.
  EXPECT_EQ(Code(anon, R"({"createUser": "a", "pwd": "p", "roles": [], "$db": "admin"})"), 13);
}

TEST_F(AuthzTest, LocalhostExceptionEndsWithTheFirstUser) {
  ClientState local;
  local.remote = "127.0.0.1:40000";
  EXPECT_EQ(Code(local, R"({"find": "c", "$db": "admin"})"), 13);
  EXPECT_EQ(Code(local, R"({"createUser": "x", "pwd": "p", "roles": [], "$db": "test"})"), 13);
  EXPECT_EQ(Code(local, R"({"createUser": "admin", "pwd": "secret",
                            "roles": [{"role": "root", "db": "admin"}], "$db": "admin"})"),
            0);
  EXPECT_EQ(Code(local, R"({"createUser": "second", "pwd": "secret", "roles": [],
                            "$db": "admin"})"),
            13);
}

TEST_F(AuthzTest, ReadUserRefusedAnInsertWithMongodsMessage) {
  auto reader = LoginAs("reader", "shop", R"([{"role": "read", "db": "shop"}])");
  EXPECT_EQ(Code(*reader, R"({"find": "orders", "$db": "shop"})"), 0);
  EXPECT_EQ(Code(*reader, R"({"count": "orders", "$db": "shop"})"), 0);
  EXPECT_EQ(Code(*reader, R"({"listCollections": 1, "$db": "shop"})"), 0);
  bson::BsonDocument r = Run(*reader, R"({"insert": "orders", "documents": [{"_id": 1}],
                                          "ordered": true, "$db": "shop"})");
  EXPECT_EQ(Code(r), 13);
  EXPECT_EQ(r["errmsg"].String(),
            "not authorized on shop to execute command { insert: \"orders\", ordered: true, $db: "
            "\"shop\" }");
  EXPECT_EQ(Code(*reader, R"({"find": "orders", "$db": "other"})"), 13);
  EXPECT_EQ(Code(*reader, R"({"serverStatus": 1, "$db": "admin"})"), 13);
  EXPECT_EQ(Code(*reader, R"({"createUser": "x", "pwd": "p", "roles": [], "$db": "shop"})"), 13);
}

TEST_F(AuthzTest, ReadWriteRefusedOnAnotherDatabase) {
  auto rw = LoginAs("rw", "admin", R"([{"role": "readWrite", "db": "shop"}])");
  EXPECT_EQ(Code(*rw, R"({"insert": "c", "documents": [{"_id": 1}], "$db": "shop"})"), 0);
  EXPECT_EQ(Code(*rw, R"({"update": "c", "updates": [{"q": {}, "u": {"$set": {"a": 1}}}],
                         "$db": "shop"})"),
            0);
  EXPECT_EQ(Code(*rw, R"({"createIndexes": "c", "indexes": [{"key": {"a": 1}, "name": "a_1"}],
                         "$db": "shop"})"),
            0);
  EXPECT_EQ(Code(*rw, R"({"insert": "c", "documents": [{"_id": 1}], "$db": "other"})"), 13);
  EXPECT_EQ(Code(*rw, R"({"find": "c", "$db": "other"})"), 13);
  EXPECT_EQ(Code(*rw, R"({"dropDatabase": 1, "$db": "shop"})"), 13);
  EXPECT_EQ(Code(*rw, R"({"insert": "c", "documents": [{"_id": 2}],
                         "bypassDocumentValidation": true, "$db": "shop"})"),
            13);
  // Same-database rename with readWrite; across databases it needs more.
  EXPECT_EQ(Code(*rw, R"({"renameCollection": "shop.c", "to": "shop.d", "$db": "admin"})"), 0);
  EXPECT_EQ(Code(*rw, R"({"renameCollection": "shop.d", "to": "other.d", "$db": "admin"})"), 13);
  // explain needs what the explained command needs.
  EXPECT_EQ(Code(*rw, R"({"explain": {"find": "d"}, "$db": "shop"})"), 0);
  EXPECT_EQ(Code(*rw, R"({"explain": {"find": "d"}, "$db": "other"})"), 13);
}

TEST_F(AuthzTest, BuiltinRolesAgainstRepresentativeCommands) {
  struct Case {
    const char* role;
    const char* command;
    bool allowed;
  };
  const Case cases[] = {
      {"dbAdmin", R"({"collStats": "c", "$db": "shop"})", true},
      {"dbAdmin", R"({"find": "c", "$db": "shop"})", false},
      {"dbAdmin", R"({"dbStats": 1, "$db": "shop"})", true},
      {"dbOwner", R"({"dropDatabase": 1, "$db": "shop"})", true},
      {"dbOwner", R"({"find": "c", "$db": "shop"})", true},
      {"userAdmin", R"({"usersInfo": 1, "$db": "shop"})", true},
      {"userAdmin", R"({"find": "c", "$db": "shop"})", false},
      {"clusterMonitor", R"({"serverStatus": 1, "$db": "admin"})", true},
      {"clusterMonitor", R"({"currentOp": 1, "$db": "admin"})", true},
      {"clusterMonitor", R"({"getLog": "global", "$db": "admin"})", true},
      {"clusterMonitor", R"({"find": "c", "$db": "shop"})", false},
      {"hostManager", R"({"setParameter": 1, "notablescan": false, "$db": "admin"})", true},
      {"hostManager", R"({"serverStatus": 1, "$db": "admin"})", false},
      {"clusterAdmin", R"({"serverStatus": 1, "$db": "admin"})", true},
      {"readAnyDatabase", R"({"find": "c", "$db": "x"})", true},
      {"readAnyDatabase", R"({"insert": "c", "documents": [{}], "$db": "x"})", false},
      {"readWriteAnyDatabase", R"({"insert": "c", "documents": [{}], "$db": "x"})", true},
      {"userAdminAnyDatabase", R"({"usersInfo": 1, "$db": "x"})", true},
      {"dbAdminAnyDatabase", R"({"collStats": "c", "$db": "x"})", true},
      {"backup", R"({"find": "c", "$db": "x"})", true},
      {"restore", R"({"insert": "c", "documents": [{}], "$db": "x"})", true},
      {"root", R"({"insert": "c", "documents": [{}], "$db": "x"})", true},
      {"root", R"({"serverStatus": 1, "$db": "admin"})", true},
      {"root", R"({"find": "system.users", "$db": "admin"})", true},
  };
  int i = 0;
  for (const Case& c : cases) {
    std::string db = std::string(c.role).find("Any") != std::string::npos ||
                             std::string(c.role).starts_with("cluster") ||
                             std::string(c.role) == "hostManager" ||
                             std::string(c.role) == "backup" || std::string(c.role) == "restore" ||
                             std::string(c.role) == "root"
                         ? "admin"
                         : "shop";
    auto client = LoginAs("u" + std::to_string(i++), "admin",
                          std::string("[{\"role\": \"") + c.role + "\", \"db\": \"" + db + "\"}]");
    int code = Code(*client, c.command);
    if (c.allowed) {
      EXPECT_NE(code, 13) << c.role << " " << c.command;
    } else {
      EXPECT_EQ(code, 13) << c.role << " " << c.command;
    }
  }
}

TEST_F(AuthzTest, CustomRoleGrantsOneCollection) {
  auto admin = LoginAs("boss", "admin", R"([{"role": "root", "db": "admin"}])");
  ASSERT_EQ(Code(*admin, R"({"createRole": "ordersReader", "privileges": [{"resource":
      {"db": "shop", "collection": "orders"}, "actions": ["find"]}], "roles": [],
      "$db": "shop"})"),
            0);
  ASSERT_EQ(Code(*admin, R"({"createUser": "clerk", "pwd": "pw", "roles": ["ordersReader"],
                            "$db": "shop"})"),
            0);
  auto clerk = std::make_unique<ClientState>();
  clerk->auth.Login({"clerk", "shop"});
  EXPECT_EQ(Code(*clerk, R"({"find": "orders", "$db": "shop"})"), 0);
  EXPECT_EQ(Code(*clerk, R"({"find": "customers", "$db": "shop"})"), 13);
  EXPECT_EQ(Code(*clerk, R"({"insert": "orders", "documents": [{}], "$db": "shop"})"), 13);
  // $lookup into a collection the role does not cover is refused.
  EXPECT_EQ(Code(*clerk, R"({"aggregate": "orders", "pipeline": [], "cursor": {},
                            "$db": "shop"})"),
            0);
  EXPECT_EQ(Code(*clerk, R"({"aggregate": "orders", "pipeline": [{"$lookup": {"from":
      "customers", "localField": "a", "foreignField": "b", "as": "x"}}], "cursor": {},
      "$db": "shop"})"),
            13);
  EXPECT_EQ(Code(*clerk, R"({"aggregate": "orders", "pipeline": [{"$out": "copy"}],
                            "cursor": {}, "$db": "shop"})"),
            13);
  // listCollections with authorizedCollections lists what the user may act on.
  ASSERT_EQ(Code(*admin, R"({"create": "orders", "$db": "shop"})"), 0);
  ASSERT_EQ(Code(*admin, R"({"create": "customers", "$db": "shop"})"), 0);
  EXPECT_EQ(Code(*clerk, R"({"listCollections": 1, "$db": "shop"})"), 13);
  bson::BsonDocument r = Run(*clerk, R"({"listCollections": 1, "nameOnly": true,
                                         "authorizedCollections": true, "$db": "shop"})");
  ASSERT_EQ(Code(r), 0) << r.ToJson();
  bson::BsonView batch = r["cursor"].Object()["firstBatch"].Array();
  ASSERT_EQ(batch.CountFields(), 1);
  EXPECT_EQ(batch["0"].Object()["name"].String(), "orders");
  // listDatabases shows only shop.
  r = Run(*clerk, R"({"listDatabases": 1, "nameOnly": true, "$db": "admin"})");
  ASSERT_EQ(Code(r), 0) << r.ToJson();
  batch = r["databases"].Array();
  ASSERT_EQ(batch.CountFields(), 1);
  EXPECT_EQ(batch["0"].Object()["name"].String(), "shop");
  EXPECT_EQ(Code(*clerk, R"({"listDatabases": 1, "authorizedDatabases": false, "$db": "admin"})"),
            13);
  r = Run(*admin, R"({"listDatabases": 1, "nameOnly": true, "$db": "admin"})");
  EXPECT_GE(r["databases"].Array().CountFields(), 2);
}

TEST_F(AuthzTest, GrantAndRevokeAffectLiveConnections) {
  auto admin = LoginAs("boss", "admin", R"([{"role": "userAdminAnyDatabase", "db": "admin"}])");
  ASSERT_EQ(Code(*admin, R"({"createUser": "bob", "pwd": "pw", "roles": [], "$db": "shop"})"), 0);
  ClientState bob;
  bob.auth.Login({"bob", "shop"});
  EXPECT_EQ(Code(bob, R"({"find": "c", "$db": "shop"})"), 13);
  ASSERT_EQ(Code(*admin, R"({"grantRolesToUser": "bob", "roles": ["read"], "$db": "shop"})"), 0);
  EXPECT_EQ(Code(bob, R"({"find": "c", "$db": "shop"})"), 0);
  ASSERT_EQ(Code(*admin, R"({"revokeRolesFromUser": "bob", "roles": ["read"], "$db": "shop"})"),
            0);
  EXPECT_EQ(Code(bob, R"({"find": "c", "$db": "shop"})"), 13);
  ASSERT_EQ(Code(*admin, R"({"updateUser": "bob", "roles": [{"role": "read", "db": "shop"}],
                            "$db": "shop"})"),
            0);
  EXPECT_EQ(Code(bob, R"({"find": "c", "$db": "shop"})"), 0);
  ASSERT_EQ(Code(*admin, R"({"dropUser": "bob", "$db": "shop"})"), 0);
  bson::BsonDocument r = Run(bob, R"({"find": "c", "$db": "shop"})");
  EXPECT_EQ(Code(r), 13);
  EXPECT_EQ(r["errmsg"].String(), "Command find requires authentication");
  EXPECT_FALSE(bob.auth.authenticated());
}

TEST_F(AuthzTest, UserAdminFlows) {
  auto ua = LoginAs("ua", "shop", R"([{"role": "userAdmin", "db": "shop"}])");
  EXPECT_EQ(Code(*ua, R"({"createUser": "c1", "pwd": "pw", "roles": ["readWrite"],
                         "$db": "shop"})"),
            0);
  EXPECT_EQ(Code(*ua, R"({"createUser": "c1", "pwd": "pw", "roles": [], "$db": "shop"})"), 51003);
  // Granting a role of another database needs grantRole there.
  EXPECT_EQ(Code(*ua, R"({"createUser": "c2", "pwd": "pw",
                         "roles": [{"role": "read", "db": "other"}], "$db": "shop"})"),
            13);
  EXPECT_EQ(Code(*ua, R"({"createUser": "c3", "pwd": "pw", "roles": [], "$db": "other"})"), 13);
  EXPECT_EQ(Code(*ua, R"({"createUser": "c4", "pwd": "pw", "roles": ["nope"], "$db": "shop"})"),
            31);
  EXPECT_EQ(Code(*ua, R"({"createUser": "c5", "pwd": "pw", "$db": "shop"})"), 40414);
  EXPECT_EQ(Code(*ua, R"({"createUser": "c5", "pwd": 1, "roles": [], "$db": "shop"})"), 14);
  EXPECT_EQ(Code(*ua, R"({"createUser": "c5", "pwd": "pw", "roles": [], "mechanisms": [],
                         "$db": "shop"})"),
            2);
  EXPECT_EQ(Code(*ua, R"({"updateUser": "c1", "$db": "shop"})"), 2);
  EXPECT_EQ(Code(*ua, R"({"updateUser": "zz", "pwd": "x", "$db": "shop"})"), 11);
  EXPECT_EQ(Code(*ua, R"({"dropUser": "zz", "$db": "shop"})"), 11);
  EXPECT_EQ(Code(*ua, R"({"grantRolesToUser": "c1", "roles": ["nope"], "$db": "shop"})"), 31);

  bson::BsonDocument r = Run(*ua, R"({"usersInfo": "c1", "$db": "shop"})");
  ASSERT_EQ(Code(r), 0) << r.ToJson();
  bson::BsonView u = r["users"].Array()["0"].Object();
  EXPECT_EQ(u["_id"].String(), "shop.c1");
  EXPECT_EQ(u["user"].String(), "c1");
  EXPECT_EQ(u["db"].String(), "shop");
  EXPECT_EQ(u["userId"].BinSubtype(), 4);
  EXPECT_EQ(u["roles"].Array()["0"].Object()["role"].String(), "readWrite");
  EXPECT_EQ(u["mechanisms"].Array().CountFields(), 2);
  EXPECT_TRUE(u["credentials"].eoo());
  r = Run(*ua, R"({"usersInfo": 1, "showCredentials": true, "showPrivileges": true,
                   "$db": "shop"})");
  ASSERT_EQ(Code(r), 0) << r.ToJson();
  EXPECT_EQ(r["users"].Array().CountFields(), 2);
  u = r["users"].Array()["0"].Object();
  EXPECT_FALSE(u["credentials"].Object()["SCRAM-SHA-256"].eoo());
  EXPECT_TRUE(u["inheritedPrivileges"].IsArray());
  r = Run(*ua, R"({"usersInfo": 1, "filter": {"user": "ua"}, "$db": "shop"})");
  EXPECT_EQ(r["users"].Array().CountFields(), 1);
  // Other databases' users are not theirs to see; their own entry always is.
  EXPECT_EQ(Code(*ua, R"({"usersInfo": {"forAllDBs": true}, "$db": "admin"})"), 13);
  r = Run(*ua, R"({"dropAllUsersFromDatabase": 1, "$db": "shop"})");
  EXPECT_EQ(r["n"].Int32(), 2);
}

TEST_F(AuthzTest, DigestedPasswordOnlyAllowsSha1) {
  auto root = LoginAs("boss", "admin", R"([{"role": "root", "db": "admin"}])");
  // hex(MD5("p:mongo:secret")), what mongosh's client digestor sends.
  EXPECT_EQ(Code(*root, R"({"createUser": "p", "pwd": "c558a4a90761e8e11811125c479bb868",
                           "digestPassword": false, "roles": [], "$db": "test"})"),
            0);
  auto p = users_->FindUser({"p", "test"});
  ASSERT_TRUE(p.value().has_value());
  ASSERT_TRUE(p.value()->sha1.has_value());
  EXPECT_FALSE(p.value()->sha256.has_value());
  // The same verifiers as the server derives from the plaintext.
  auto from_plain = scram::DeriveCredentials(scram::Mechanism::kSha1, "p", "secret", 10000,
                                             p.value()->sha1->salt);
  ASSERT_OK(from_plain);
  EXPECT_EQ(from_plain.value().stored_key, p.value()->sha1->stored_key);
  EXPECT_EQ(from_plain.value().server_key, p.value()->sha1->server_key);
  EXPECT_EQ(Code(*root, R"({"createUser": "n", "pwd": "x", "digestPassword": false,
                           "mechanisms": ["SCRAM-SHA-256"], "roles": [], "$db": "test"})"),
            2);
}

TEST_F(AuthzTest, RolesCommandsAndShapes) {
  auto root = LoginAs("boss", "admin", R"([{"role": "root", "db": "admin"}])");
  ASSERT_EQ(Code(*root, R"({"createRole": "a", "privileges": [], "roles": [], "$db": "shop"})"), 0);
  EXPECT_EQ(Code(*root, R"({"createRole": "a", "privileges": [], "roles": [], "$db": "shop"})"),
            51002);
  EXPECT_EQ(Code(*root, R"({"createRole": "read", "privileges": [], "roles": [],
                           "$db": "shop"})"),
            2);
  EXPECT_EQ(Code(*root, R"({"createRole": "b", "roles": [], "$db": "shop"})"), 40414);
  EXPECT_EQ(Code(*root, R"({"createRole": "b", "privileges": [{"resource": {"cluster": true},
      "actions": ["serverStatus"]}], "roles": [], "$db": "shop"})"),
            49);
  EXPECT_EQ(Code(*root, R"({"createRole": "b", "privileges": [], "roles": ["a", "read"],
                           "$db": "shop"})"),
            0);
  EXPECT_EQ(Code(*root, R"({"grantRolesToRole": "a", "roles": ["b"], "$db": "shop"})"), 49);
  EXPECT_EQ(Code(*root, R"({"grantRolesToRole": "read", "roles": ["b"], "$db": "shop"})"), 49);
  EXPECT_EQ(Code(*root, R"({"grantRolesToRole": "zz", "roles": ["b"], "$db": "shop"})"), 31);
  EXPECT_EQ(Code(*root, R"({"grantPrivilegesToRole": "a", "privileges": [{"resource":
      {"db": "shop", "collection": "x"}, "actions": ["find", "insert"]}], "$db": "shop"})"),
            0);
  EXPECT_EQ(Code(*root, R"({"revokePrivilegesFromRole": "a", "privileges": [{"resource":
      {"db": "shop", "collection": "x"}, "actions": ["insert"]}], "$db": "shop"})"),
            0);

  bson::BsonDocument r = Run(*root, R"({"rolesInfo": "b", "showPrivileges": true,
                                        "$db": "shop"})");
  ASSERT_EQ(Code(r), 0) << r.ToJson();
  bson::BsonView b = r["roles"].Array()["0"].Object();
  EXPECT_EQ(b["_id"].String(), "shop.b");
  EXPECT_EQ(b["role"].String(), "b");
  EXPECT_FALSE(b["isBuiltin"].Bool());
  EXPECT_EQ(b["roles"].Array().CountFields(), 2);
  EXPECT_EQ(b["inheritedRoles"].Array().CountFields(), 2);
  bson::BsonView inherited = b["inheritedPrivileges"].Array();
  bool found_x = false;
  for (const bson::BsonElement& p : inherited) {
    if (p.Object()["resource"].Object()["collection"].String() == "x") {
      found_x = true;
      EXPECT_EQ(p.Object()["actions"].Array().CountFields(), 1);
    }
  }
  EXPECT_TRUE(found_x);

  r = Run(*root, R"({"rolesInfo": 1, "showBuiltinRoles": true, "$db": "shop"})");
  EXPECT_EQ(r["roles"].Array().CountFields(), 8);
  r = Run(*root, R"({"rolesInfo": {"role": "read", "db": "shop"}, "$db": "admin"})");
  bson::BsonView read = r["roles"].Array()["0"].Object();
  EXPECT_TRUE(read["isBuiltin"].Bool());
  EXPECT_TRUE(read["_id"].eoo());

  EXPECT_EQ(Code(*root, R"({"dropRole": "read", "$db": "shop"})"), 49);
  EXPECT_EQ(Code(*root, R"({"dropRole": "zz", "$db": "shop"})"), 31);
  ASSERT_EQ(Code(*root, R"({"dropRole": "a", "$db": "shop"})"), 0);
  r = Run(*root, R"({"rolesInfo": "b", "$db": "shop"})");
  EXPECT_EQ(r["roles"].Array()["0"].Object()["roles"].Array().CountFields(), 1);
  r = Run(*root, R"({"dropAllRolesFromDatabase": 1, "$db": "shop"})");
  EXPECT_EQ(r["n"].Int32(), 1);
}

TEST_F(AuthzTest, CursorsBelongToTheirUser) {
  auto a = LoginAs("a", "admin", R"([{"role": "readWrite", "db": "shop"}])");
  auto b = LoginAs("b", "admin", R"([{"role": "readWrite", "db": "shop"}])");
  ASSERT_EQ(Code(*a, R"({"insert": "c", "documents": [{"_id": 1}, {"_id": 2}, {"_id": 3}],
                        "$db": "shop"})"),
            0);
  bson::BsonDocument r = Run(*a, R"({"find": "c", "batchSize": 1, "$db": "shop"})");
  ASSERT_EQ(Code(r), 0);
  int64_t id = r["cursor"].Object()["id"].Int64();
  ASSERT_NE(id, 0);
  std::string get_more = "{\"getMore\": {\"$numberLong\": \"" + std::to_string(id) +
                         "\"}, \"collection\": \"c\", \"batchSize\": 1, \"$db\": \"shop\"}";
  EXPECT_EQ(Code(*b, get_more), 13);
  EXPECT_EQ(Code(*a, get_more), 0);
  std::string kill = "{\"killCursors\": \"c\", \"cursors\": [{\"$numberLong\": \"" +
                     std::to_string(id) + "\"}], \"$db\": \"shop\"}";
  EXPECT_EQ(Code(*b, kill), 13);
  EXPECT_EQ(Code(*a, kill), 0);
}

TEST_F(AuthzTest, AuthDisabledChecksNothing) {
  service_.settings.auth_enabled = false;
  ClientState anon;
  EXPECT_EQ(Code(anon, R"({"insert": "c", "documents": [{}], "$db": "test"})"), 0);
  EXPECT_EQ(Code(anon, R"({"createUser": "x", "pwd": "p", "roles": [], "$db": "test"})"), 0);
}

}  // namespace
}  // namespace dds::commands
