// UserStore against a real Engine in a temp directory: the stored layout (mongod's), the caches
// and their invalidation, role drops removing grants.
#include "commands/user_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "bson/bson.h"
#include "common/logging.h"
#include "storage/engine.h"
#include "test_util.h"

namespace dds::commands {
namespace {

class UserStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogQuiet(true);
    dir_ = std::filesystem::temp_directory_path() /
           ("dds_users_" + std::to_string(std::random_device{}()));
    storage::EngineOptions options;
    options.db_path = dir_.string();
    auto engine = storage::Engine::Open(options);
    ASSERT_OK(engine);
    engine_ = std::move(engine).value();
    store_ = std::make_unique<UserStore>(engine_.get());
  }
  void TearDown() override {
    store_.reset();
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }

  static UserRecord MakeUser(const std::string& user, const std::string& db) {
    UserRecord u;
    u.name = {user, db};
    auto sha1 = scram::DeriveCredentials(scram::Mechanism::kSha1, user, "pw", 10000, "0123456789abcdef");
    auto sha256 = scram::DeriveCredentials(scram::Mechanism::kSha256, user, "pw", 15000,
                                           "0123456789abcdef0123456789ab");
    u.sha1 = sha1.value();
    u.sha256 = sha256.value();
    u.roles = {{"readWrite", db}};
    return u;
  }

  std::filesystem::path dir_;
  std::unique_ptr<storage::Engine> engine_;
  std::unique_ptr<UserStore> store_;
};

TEST_F(UserStoreTest, InsertFindAndStoredLayout) {
  EXPECT_FALSE(store_->HasAnyUser());
  ASSERT_OK(store_->InsertUser(MakeUser("alice", "shop")));
  EXPECT_TRUE(store_->HasAnyUser());
  EXPECT_EQ(store_->InsertUser(MakeUser("alice", "shop")).code(), 51003);

  auto found = store_->FindUser({"alice", "shop"});
  ASSERT_OK(found);
  ASSERT_TRUE(found.value().has_value());
  const UserRecord& u = *found.value();
  EXPECT_EQ(u.user_id.size(), 16u);
  ASSERT_TRUE(u.sha256.has_value());
  EXPECT_EQ(u.sha256->iteration_count, 15000);
  EXPECT_EQ(u.sha1->salt, "0123456789abcdef");
  ASSERT_EQ(u.roles.size(), 1u);
  EXPECT_EQ(u.roles[0].role, "readWrite");

  // The document in admin.system.users has mongod's shape.
  bson::BsonDocument doc = UserRecordToBson(u);
  EXPECT_EQ(doc["_id"].String(), "shop.alice");
  EXPECT_EQ(doc["userId"].BinSubtype(), 4);
  EXPECT_EQ(doc["credentials"].Object()["SCRAM-SHA-1"].Object()["salt"].String(),
            "MDEyMzQ1Njc4OWFiY2RlZg==");
  EXPECT_EQ(doc["credentials"].Object()["SCRAM-SHA-256"].Object()["iterationCount"].Int32(), 15000);
  EXPECT_EQ(doc["roles"].Array()["0"].Object()["db"].String(), "shop");
  ASSERT_NE(engine_->catalog().Lookup("admin", "system.users"), nullptr);

  auto missing = store_->FindUser({"alice", "admin"});
  ASSERT_OK(missing);
  EXPECT_FALSE(missing.value().has_value());
}

TEST_F(UserStoreTest, UpsertKeepsUserIdAndBumpsGeneration) {
  ASSERT_OK(store_->UpsertUser(MakeUser("bob", "admin")));
  std::string id = store_->FindUser({"bob", "admin"}).value()->user_id;
  uint64_t g = store_->generation();
  UserRecord changed = MakeUser("bob", "admin");
  changed.roles = {{"root", "admin"}};
  ASSERT_OK(store_->UpsertUser(changed));
  EXPECT_GT(store_->generation(), g);
  auto found = store_->FindUser({"bob", "admin"});
  EXPECT_EQ(found.value()->user_id, id);
  EXPECT_EQ(found.value()->roles[0].role, "root");
}

TEST_F(UserStoreTest, SurvivesReopen) {
  ASSERT_OK(store_->InsertUser(MakeUser("carol", "test")));
  store_.reset();
  store_ = std::make_unique<UserStore>(engine_.get());
  EXPECT_TRUE(store_->HasAnyUser());
  EXPECT_TRUE(store_->FindUser({"carol", "test"}).value().has_value());
}

TEST_F(UserStoreTest, DropUsers) {
  ASSERT_OK(store_->InsertUser(MakeUser("a", "x")));
  ASSERT_OK(store_->InsertUser(MakeUser("b", "x")));
  ASSERT_OK(store_->InsertUser(MakeUser("c", "y")));
  EXPECT_EQ(store_->DropUser({"zz", "x"}).code(), 11);
  ASSERT_OK(store_->DropUser({"a", "x"}));
  EXPECT_FALSE(store_->FindUser({"a", "x"}).value().has_value());
  auto n = store_->DropAllUsers("x");
  ASSERT_OK(n);
  EXPECT_EQ(n.value(), 1);
  auto all = store_->ListUsers(std::nullopt);
  ASSERT_EQ(all.value().size(), 1u);
  EXPECT_EQ(all.value()[0].name.user, "c");
}

TEST_F(UserStoreTest, RolesAndDropRemovesGrants) {
  auth::RoleDefinition role;
  role.name = {"ordersReader", "shop"};
  role.privileges.push_back(
      {auth::ResourcePattern::ExactNamespace("shop", "orders"), {auth::ActionType::kFind}});
  ASSERT_OK(store_->InsertRole(role));
  EXPECT_EQ(store_->InsertRole(role).code(), 51002);
  auth::RoleDefinition parent;
  parent.name = {"parent", "shop"};
  parent.roles = {{"ordersReader", "shop"}};
  ASSERT_OK(store_->InsertRole(parent));

  UserRecord u = MakeUser("dave", "shop");
  u.roles = {{"parent", "shop"}};
  ASSERT_OK(store_->InsertUser(u));

  auto resolved = store_->Resolve(u.roles);
  ASSERT_OK(resolved);
  EXPECT_EQ(resolved.value().roles.size(), 2u);
  EXPECT_TRUE(auth::PrivilegesAllow(resolved.value().privileges,
                                    auth::ResourceTarget::Namespace("shop", "orders"),
                                    {auth::ActionType::kFind}));
  EXPECT_FALSE(auth::PrivilegesAllow(resolved.value().privileges,
                                     auth::ResourceTarget::Namespace("shop", "other"),
                                     {auth::ActionType::kFind}));

  EXPECT_EQ(store_->DropRole({"nope", "shop"}).code(), 31);
  ASSERT_OK(store_->DropRole({"ordersReader", "shop"}));
  auto p = store_->FindRole({"parent", "shop"});
  ASSERT_TRUE(p.value().has_value());
  EXPECT_TRUE(p.value()->roles.empty());

  ASSERT_OK(store_->DropAllRoles("shop").status());
  EXPECT_TRUE(store_->FindUser({"dave", "shop"}).value()->roles.empty());
  EXPECT_TRUE(store_->ListRoles(std::nullopt).value().empty());
}

}  // namespace
}  // namespace dds::commands
