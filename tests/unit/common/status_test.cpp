#include "common/status.h"

#include "common/error_codes.h"
#include "test_util.h"

namespace dds {
namespace {

Status FailsWith(ErrorCode code) { return Status(code, "boom"); }

Status PropagatesError() {
  DDS_RETURN_IF_ERROR(FailsWith(ErrorCode::kBadValue));
  return Status(ErrorCode::kInternalError, "not reached");
}

StatusWith<int> MaybeInt(bool ok) {
  if (!ok) return Status(ErrorCode::kTypeMismatch, "no int");
  return 42;
}

Status UsesAssign(bool ok, int* out) {
  DDS_ASSIGN_OR_RETURN(int v, MaybeInt(ok));
  *out = v;
  return Status::OK();
}

TEST(Status, OkAllocatesNothingAndHasCodeZero) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), 0);
  EXPECT_EQ(s.ToString(), "OK");
  EXPECT_TRUE(Status(0, "ignored").ok());
}

TEST(Status, CarriesCodeNameReasonAndExtra) {
  Status s(ErrorCode::kDuplicateKey, "E11000 dup", std::string("\x05\0\0\0\0", 5));
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), 11000);
  EXPECT_EQ(s.code_name(), "DuplicateKey");
  EXPECT_EQ(s.reason(), "E11000 dup");
  EXPECT_EQ(s.extra_bson().size(), 5u);
  EXPECT_TRUE(s.Is(ErrorCode::kDuplicateKey));
  EXPECT_EQ(s.ToString(), "DuplicateKey: E11000 dup");
  Status prefixed = s.WithPrefix("Plan executor error :: caused by :: ");
  EXPECT_EQ(prefixed.code(), 11000);
  EXPECT_EQ(prefixed.reason(), "Plan executor error :: caused by :: E11000 dup");
  EXPECT_EQ(prefixed.extra_bson().size(), 5u);
}

TEST(Status, LocationCodesAreNamedByNumber) {
  EXPECT_EQ(ErrorCodeName(40414), "Location40414");
  EXPECT_EQ(Status(51024, "x").code_name(), "Location51024");
  EXPECT_EQ(ErrorCodeName(59), "CommandNotFound");
  EXPECT_EQ(KnownErrorCodeName(12345678), "");
}

TEST(Status, HttpStatusComesFromTheTable) {
  EXPECT_EQ(HttpStatusForCode(ToInt(ErrorCode::kBadValue)), 400);
  EXPECT_EQ(HttpStatusForCode(ToInt(ErrorCode::kNotImplemented)), 501);
  EXPECT_EQ(HttpStatusForCode(ToInt(ErrorCode::kDuplicateKey)), 409);
  EXPECT_EQ(HttpStatusForCode(999999), 500);
}

TEST(Status, MacrosPropagate) {
  EXPECT_CODE(PropagatesError(), ErrorCode::kBadValue);
  int v = 0;
  EXPECT_OK(UsesAssign(true, &v));
  EXPECT_EQ(v, 42);
  EXPECT_CODE(UsesAssign(false, &v), ErrorCode::kTypeMismatch);
}

TEST(Status, DbExceptionCarriesTheStatus) {
  try {
    ThrowDb(ErrorCode::kPathNotViable, "cannot create field");
    FAIL();
  } catch (const DbException& e) {
    EXPECT_EQ(e.status().code(), 28);
    EXPECT_STREQ(e.what(), "PathNotViable: cannot create field");
  }
}

TEST(ErrorCodes, TableHasUniqueCodesAndNames) {
  std::vector<std::pair<int, std::string>> seen;
#define X(code, name, http) seen.emplace_back(code, #name);
#include "common/error_codes.def"
#undef X
  for (size_t i = 0; i < seen.size(); ++i) {
    for (size_t j = i + 1; j < seen.size(); ++j) {
      EXPECT_NE(seen[i].first, seen[j].first) << seen[i].second;
      EXPECT_NE(seen[i].second, seen[j].second);
    }
  }
}

}  // namespace
}  // namespace dds
