#include "commands/document_validation.h"

#include <gtest/gtest.h>

#include <memory>

#include "bson/bson.h"
#include "test_util.h"

namespace dds::commands {
namespace {

using bson::FromJson;

storage::CollectionPtr Descriptor(uint64_t id, std::string_view options_json) {
  auto d = std::make_shared<storage::CollectionDescriptor>();
  d->id = id;
  d->db = "test";
  d->name = "c";
  d->options = FromJson(options_json);
  return d;
}

TEST(DocumentValidation, CheckValidatorOptionsRefusesForbiddenOperatorsAndPlaces) {
  EXPECT_OK(CheckValidatorOptions("test", "c", FromJson(R"({"a": {"$gt": 1}})"), false));
  EXPECT_OK(CheckValidatorOptions("admin", "c", FromJson("{}"), false));
  EXPECT_CODE(CheckValidatorOptions("test", "c", FromJson(R"({"$where": "1"})"), false),
              ErrorCode::kBadValue);
  EXPECT_CODE(CheckValidatorOptions("test", "c",
                                    FromJson(R"({"$or": [{"$text": {"$search": "x"}}]})"), false),
              ErrorCode::kBadValue);
  EXPECT_EQ(CheckValidatorOptions("test", "c", FromJson(R"({"a": {"$elemMatch":
                                    {"b": {"$near": [0, 0]}}}})"), false).code(),
            5626500);
  EXPECT_CODE(CheckValidatorOptions("admin", "c", FromJson(R"({"a": 1})"), false),
              ErrorCode::kInvalidOptions);
  EXPECT_CODE(CheckValidatorOptions("test", "system.js", FromJson(R"({"a": 1})"), false),
              ErrorCode::kInvalidOptions);
  Status s = CheckValidatorOptions("test", "c", FromJson(R"({"a": {"$bogus": 1}})"), true);
  EXPECT_CODE(s, ErrorCode::kBadValue);
  EXPECT_EQ(s.reason(),
            "Parsing of collection validator failed :: caused by :: unknown operator: $bogus");
}

TEST(DocumentValidation, NoValidatorMeansNothingToCheck) {
  for (std::string_view options : {"{}", R"({"validator": {}})",
                                   R"({"validator": {"a": 1}, "validationLevel": "off"})",
                                   R"({"validationAction": "warn"})"}) {
    StatusWith<std::shared_ptr<const CollectionValidator>> v =
        CollectionValidator::For(Descriptor(1, options));
    ASSERT_OK(v.status());
    EXPECT_EQ(v.value(), nullptr) << options;
  }
  StatusWith<WriteValidation> bypassed =
      WriteValidation::Make(Descriptor(2, R"({"validator": {"a": 1}})"), /*bypass=*/true);
  ASSERT_OK(bypassed.status());
  EXPECT_FALSE(bypassed.value().active());
  EXPECT_OK(bypassed.value().CheckInsert(FromJson(R"({"_id": 1, "a": 2})")));
}

TEST(DocumentValidation, StrictModerateAndWarn) {
  storage::CollectionPtr strict = Descriptor(3, R"({"validator": {"a": 1}})");
  StatusWith<WriteValidation> v = WriteValidation::Make(strict, false);
  ASSERT_OK(v.status());
  ASSERT_TRUE(v.value().active());
  EXPECT_OK(v.value().CheckInsert(FromJson(R"({"_id": 1, "a": 1})")));
  Status failed = v.value().CheckInsert(FromJson(R"({"_id": 1, "a": 2})"));
  EXPECT_CODE(failed, ErrorCode::kDocumentValidationFailure);
  EXPECT_EQ(failed.reason(), "Document failed validation");
  bson::BsonView extra(failed.extra_bson().data());
  EXPECT_EQ(extra["errInfo"].Object()["failingDocumentId"].Int32(), 1);
  // strict: an invalid document must become valid.
  EXPECT_CODE(v.value().CheckUpdate(FromJson(R"({"_id": 1, "a": 3})"),
                                    FromJson(R"({"_id": 1, "a": 2})")),
              ErrorCode::kDocumentValidationFailure);

  StatusWith<WriteValidation> moderate = WriteValidation::Make(
      Descriptor(4, R"({"validator": {"a": 1}, "validationLevel": "moderate"})"), false);
  ASSERT_OK(moderate.status());
  EXPECT_OK(moderate.value().CheckUpdate(FromJson(R"({"_id": 1, "a": 3})"),
                                         FromJson(R"({"_id": 1, "a": 2})")));
  EXPECT_CODE(moderate.value().CheckUpdate(FromJson(R"({"_id": 1, "a": 1})"),
                                           FromJson(R"({"_id": 1, "a": 2})")),
              ErrorCode::kDocumentValidationFailure);
  EXPECT_CODE(moderate.value().CheckInsert(FromJson(R"({"_id": 1, "a": 2})")),
              ErrorCode::kDocumentValidationFailure);

  StatusWith<WriteValidation> warn = WriteValidation::Make(
      Descriptor(5, R"({"validator": {"a": 1}, "validationAction": "warn"})"), false);
  ASSERT_OK(warn.status());
  EXPECT_OK(warn.value().CheckInsert(FromJson(R"({"_id": 1, "a": 2})")));
}

TEST(DocumentValidation, ValidatorIsCachedPerDescriptor) {
  storage::CollectionPtr first = Descriptor(6, R"({"validator": {"a": 1}})");
  auto a = CollectionValidator::For(first);
  auto b = CollectionValidator::For(first);
  ASSERT_OK(a.status());
  ASSERT_OK(b.status());
  EXPECT_EQ(a.value(), b.value());
  // A collMod installs a new descriptor for the same collection id: a new validator.
  storage::CollectionPtr second = Descriptor(6, R"({"validator": {"a": 2}})");
  auto c = CollectionValidator::For(second);
  ASSERT_OK(c.status());
  EXPECT_NE(c.value(), a.value());
  EXPECT_OK(c.value()->CheckInsert(FromJson(R"({"_id": 1, "a": 2})")));
}

}  // namespace
}  // namespace dds::commands
