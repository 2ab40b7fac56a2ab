#include "commands/namespace_util.h"

#include <gtest/gtest.h>

#include "bson/bson.h"
#include "test_util.h"

namespace dds::commands {
namespace {

TEST(NamespaceUtil, DatabaseNames) {
  EXPECT_OK(ValidateDatabaseName("test"));
  EXPECT_OK(ValidateDatabaseName(std::string(63, 'a')));
  Status s = ValidateDatabaseName(std::string(64, 'a'));
  ASSERT_CODE(s, ErrorCode::kInvalidNamespace);
  EXPECT_EQ(s.reason(), "db name must be at most 63 characters, found: 64");
  s = ValidateDatabaseName("a.b");
  ASSERT_CODE(s, ErrorCode::kInvalidNamespace);
  EXPECT_EQ(s.reason(), "'.' is an invalid character in a db name: a.b");
  for (const char* bad : {"", "a/b", "a\\b", "a\"b", "a$b", "a*b", "a<b", "a>b", "a:b", "a|b",
                          "a?b", "a b"}) {
    EXPECT_EQ(ValidateDatabaseName(bad).code(), 73) << bad;
  }
  EXPECT_CODE(ValidateDatabaseName(std::string("a\0b", 3)), ErrorCode::kInvalidNamespace);
}

TEST(NamespaceUtil, CollectionNames) {
  EXPECT_OK(ValidateCollectionName("db", "coll"));
  EXPECT_OK(ValidateCollectionName("db", "a.b"));
  EXPECT_OK(ValidateCollectionName("db", "system.users"));
  EXPECT_EQ(ValidateCollectionName("db", "").reason(), "Collection names cannot be empty");
  EXPECT_CODE(ValidateCollectionName("db", "a$b"), ErrorCode::kInvalidNamespace);
  EXPECT_CODE(ValidateCollectionName("db", ".a"), ErrorCode::kInvalidNamespace);
  EXPECT_EQ(ValidateCollectionName("db", std::string("a\0b", 3)).reason(),
            "namespaces cannot have embedded null characters");
  EXPECT_OK(ValidateCollectionName("db", std::string(252, 'c')));
  EXPECT_CODE(ValidateCollectionName("db", std::string(253, 'c')), ErrorCode::kInvalidNamespace);
}

TEST(NamespaceUtil, SystemCollections) {
  EXPECT_TRUE(IsSystemCollection("system.foo"));
  EXPECT_FALSE(IsSystemCollection("systemfoo"));
  EXPECT_EQ(ValidateUserCreatableCollection("db", "system.foo").reason(),
            "Invalid system namespace: db.system.foo");
  EXPECT_OK(ValidateUserCreatableCollection("db", "system.js"));
  EXPECT_EQ(ValidateUserWritableCollection("db", "system.users").reason(),
            "cannot write to 'db.system.users'");
}

TEST(NamespaceUtil, CollectionNameFromCommand) {
  auto sw = CollectionNameFromCommand("db", bson::FromJson(R"({"find": 1})"));
  ASSERT_CODE(sw, ErrorCode::kInvalidNamespace);
  EXPECT_EQ(sw.status().reason(), "collection name has invalid type int");
  sw = CollectionNameFromCommand("db", bson::FromJson(R"({"find": ""})"));
  EXPECT_EQ(sw.status().reason(), "Invalid namespace specified 'db.'");
  sw = CollectionNameFromCommand("db", bson::FromJson(R"({"find": "c"})"));
  ASSERT_OK(sw);
  EXPECT_EQ(sw.value(), "c");
}

TEST(NamespaceUtil, SplitAndMake) {
  std::string_view db, coll;
  SplitNamespace("a.b.c", &db, &coll);
  EXPECT_EQ(db, "a");
  EXPECT_EQ(coll, "b.c");
  EXPECT_EQ(MakeNamespace("a", "b"), "a.b");
  EXPECT_OK(ValidateFullNamespace("a.b"));
  EXPECT_EQ(ValidateFullNamespace("ab").reason(), "Invalid namespace specified 'ab'");
}

}  // namespace
}  // namespace dds::commands
