// ActionSet, ResourcePattern matching (mongod's resource search rules: system collections,
// local/config, "" wildcards) and privilege parsing/serialization.
#include "auth/privilege.h"

#include <gtest/gtest.h>

#include "auth/action_set.h"
#include "auth/resource_pattern.h"
#include "bson/bson.h"
#include "test_util.h"

namespace dds::auth {
namespace {

using A = ActionType;
using T = ResourceTarget;

TEST(ActionSet, NamesRoundTripAndAnyAction) {
  EXPECT_EQ(ActionTypeName(A::kFind), "find");
  EXPECT_EQ(ActionTypeName(A::kRenameCollectionSameDB), "renameCollectionSameDB");
  EXPECT_EQ(ParseActionType("killop"), A::kKillop);
  EXPECT_FALSE(ParseActionType("Find").has_value());
  for (size_t i = 0; i < kActionTypeCount; ++i) {
    auto a = static_cast<ActionType>(i);
    EXPECT_EQ(ParseActionType(ActionTypeName(a)), a);
  }
  ActionSet all;
  all.Add(A::kAnyAction);
  EXPECT_TRUE(all.IsAll());
  EXPECT_TRUE(all.Contains(A::kShutdown));
  EXPECT_EQ(all.ToNames(), std::vector<std::string>{"anyAction"});
  ActionSet some{A::kInsert, A::kFind};
  EXPECT_EQ(some.ToNames(), (std::vector<std::string>{"find", "insert"}));
  EXPECT_TRUE(some.ContainsAll({A::kFind}));
  EXPECT_FALSE(some.ContainsAll({A::kFind, A::kUpdate}));
  EXPECT_TRUE(some.ContainsAny({A::kFind, A::kUpdate}));
  some.Remove(A::kFind);
  EXPECT_FALSE(some.Contains(A::kFind));
  EXPECT_TRUE(ActionSet().empty());
}

TEST(ActionSet, UsableInConstantExpressions) {
  constexpr ActionSet s{A::kFind, A::kInsert};
  static_assert(s.Contains(A::kFind) && !s.Contains(A::kUpdate));
  static_assert(ActionSet::All().ContainsAll(s));
}

TEST(ResourcePattern, DatabasePatternSkipsSystemCollections) {
  ResourcePattern db = ResourcePattern::Database("shop");
  EXPECT_TRUE(db.Covers(T::Database("shop")));
  EXPECT_TRUE(db.Covers(T::Namespace("shop", "orders")));
  EXPECT_FALSE(db.Covers(T::Namespace("shop", "system.users")));
  EXPECT_FALSE(db.Covers(T::Namespace("shopx", "orders")));
  EXPECT_FALSE(db.Covers(T::Cluster()));
}

TEST(ResourcePattern, AnyNormalSkipsLocalConfigAndSystem) {
  ResourcePattern normal = ResourcePattern::AnyNormal();
  EXPECT_TRUE(normal.Covers(T::Namespace("shop", "orders")));
  EXPECT_TRUE(normal.Covers(T::Database("admin")));
  EXPECT_FALSE(normal.Covers(T::Database("local")));
  EXPECT_FALSE(normal.Covers(T::Namespace("config", "x")));
  EXPECT_FALSE(normal.Covers(T::Namespace("admin", "system.users")));
  EXPECT_FALSE(normal.Covers(T::Cluster()));
}

TEST(ResourcePattern, AnyResourceCoversEverything) {
  ResourcePattern any = ResourcePattern::AnyResource();
  EXPECT_TRUE(any.Covers(T::Cluster()));
  EXPECT_TRUE(any.Covers(T::Namespace("admin", "system.users")));
  EXPECT_TRUE(any.Covers(T::Database("local")));
}

TEST(ResourcePattern, CollectionAndExactPatterns) {
  ResourcePattern coll = ResourcePattern::CollectionName("system.users");
  EXPECT_TRUE(coll.Covers(T::Namespace("admin", "system.users")));
  EXPECT_TRUE(coll.Covers(T::Namespace("x", "system.users")));
  EXPECT_FALSE(coll.Covers(T::Database("admin")));
  ResourcePattern exact = ResourcePattern::ExactNamespace("shop", "orders");
  EXPECT_TRUE(exact.Covers(T::Namespace("shop", "orders")));
  EXPECT_FALSE(exact.Covers(T::Namespace("shop", "orders2")));
  EXPECT_FALSE(exact.Covers(T::Database("shop")));
  EXPECT_FALSE(ResourcePattern::Cluster().Covers(T::Database("admin")));
  EXPECT_TRUE(ResourcePattern::Cluster().Covers(T::Cluster()));
}

TEST(ResourcePattern, StoredWildcards) {
  EXPECT_EQ(ResourcePattern::FromDbAndCollection("", "").match_type(), MatchType::kAnyNormal);
  EXPECT_EQ(ResourcePattern::FromDbAndCollection("d", "").match_type(), MatchType::kDatabase);
  EXPECT_EQ(ResourcePattern::FromDbAndCollection("", "c").match_type(),
            MatchType::kCollectionName);
  EXPECT_EQ(ResourcePattern::FromDbAndCollection("d", "c").match_type(),
            MatchType::kExactNamespace);
}

TEST(Privilege, ParseAndSerialize) {
  auto p = ParsePrivilege(bson::FromJson(
      R"({"resource": {"db": "shop", "collection": "orders"}, "actions": ["insert", "find"]})"));
  ASSERT_OK(p);
  EXPECT_EQ(p.value().resource, ResourcePattern::ExactNamespace("shop", "orders"));
  bson::BsonBuilder b;
  AppendPrivilegeFields(&b, p.value());
  EXPECT_EQ(b.Done().ToJson(),
            R"({"resource":{"db":"shop","collection":"orders"},"actions":["find","insert"]})");

  auto cluster = ParsePrivilege(
      bson::FromJson(R"({"resource": {"cluster": true}, "actions": ["serverStatus"]})"));
  ASSERT_OK(cluster);
  EXPECT_EQ(cluster.value().resource.match_type(), MatchType::kCluster);
  auto any = ParsePrivilege(
      bson::FromJson(R"({"resource": {"anyResource": true}, "actions": ["anyAction"]})"));
  ASSERT_OK(any);
  EXPECT_TRUE(any.value().actions.IsAll());
}

TEST(Privilege, ParseErrors) {
  EXPECT_CODE(ParsePrivilege(bson::FromJson(
                  R"({"resource": {"db": "a", "collection": ""}, "actions": ["fly"]})")),
              ErrorCode::kBadValue);
  EXPECT_CODE(ParsePrivilege(bson::FromJson(R"({"resource": {"db": "a"}, "actions": []})")),
              ErrorCode::kBadValue);
  EXPECT_CODE(ParsePrivilege(bson::FromJson(
                  R"({"resource": {"db": 1, "collection": ""}, "actions": []})")),
              ErrorCode::kTypeMismatch);
  EXPECT_CODE(ParsePrivilege(bson::FromJson(
                  R"({"resource": {"cluster": true, "db": "a"}, "actions": []})")),
              ErrorCode::kBadValue);
  EXPECT_CODE(ParsePrivilege(bson::FromJson(R"({"actions": []})")), ErrorCode::kBadValue);
  EXPECT_CODE(ParsePrivilege(bson::FromJson(
                  R"({"resource": {"cluster": true}, "actions": "find"})")),
              ErrorCode::kTypeMismatch);
}

TEST(Privilege, VectorMergesAndRemoves) {
  PrivilegeVector v;
  AddPrivilege(&v, {ResourcePattern::Database("a"), {A::kFind}});
  AddPrivilege(&v, {ResourcePattern::Database("a"), {A::kInsert}});
  AddPrivilege(&v, {ResourcePattern::Database("b"), {A::kFind}});
  ASSERT_EQ(v.size(), 2u);
  EXPECT_TRUE(v[0].actions.ContainsAll({A::kFind, A::kInsert}));
  EXPECT_TRUE(RemovePrivilege(&v, {ResourcePattern::Database("a"), {A::kFind, A::kInsert}}));
  EXPECT_EQ(v.size(), 1u);
  EXPECT_FALSE(RemovePrivilege(&v, {ResourcePattern::Cluster(), {A::kFind}}));
}

TEST(Privilege, ActionsMaySplitAcrossPrivileges) {
  PrivilegeVector v;
  AddPrivilege(&v, {ResourcePattern::Database("a"), {A::kFind}});
  AddPrivilege(&v, {ResourcePattern::ExactNamespace("a", "c"), {A::kInsert}});
  EXPECT_TRUE(PrivilegesAllow(v, T::Namespace("a", "c"), {A::kFind, A::kInsert}));
  EXPECT_FALSE(PrivilegesAllow(v, T::Namespace("a", "d"), {A::kFind, A::kInsert}));
  EXPECT_TRUE(PrivilegesAllow(v, T::Namespace("a", "d"), {}));
}

}  // namespace
}  // namespace dds::auth
