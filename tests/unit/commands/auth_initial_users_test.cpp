#include "commands/auth_initial_users.h"

#include <string>

#include "commands/sasl_commands.h"
#include "common/base64.h"
#include "scram/scram.h"
#include "test_util.h"

namespace dds::commands {
namespace {

std::string CredJson(const scram::Credentials& c) {
  return "{\"iterationCount\": " + std::to_string(c.iteration_count) + ", \"salt\": \"" +
         Base64Encode(c.salt) + "\", \"storedKey\": \"" + Base64Encode(c.stored_key) +
         "\", \"serverKey\": \"" + Base64Encode(c.server_key) + "\"}";
}

TEST(InitialUsers, ParsesTheServiceFormat) {
  auto sha1 = scram::DeriveCredentials(scram::Mechanism::kSha1, "rwuser", "pw", 10000);
  auto sha256 = scram::DeriveCredentials(scram::Mechanism::kSha256, "rwuser", "pw", 15000);
  ASSERT_OK(sha1);
  ASSERT_OK(sha256);
  std::string json = "[{\"user\": \"rwuser\", \"db\": \"admin\", \"roles\": [{\"role\": \"root\", "
                     "\"db\": \"admin\"}, \"readWrite\"], \"credentials\": {\"SCRAM-SHA-1\": " +
                     CredJson(*sha1) + ", \"SCRAM-SHA-256\": " + CredJson(*sha256) + "}}]";
  auto users = ParseInitialUsers(json);
  ASSERT_OK(users);
  ASSERT_EQ(users->size(), 1u);
  const UserRecord& u = (*users)[0];
  EXPECT_EQ(u.name.ToString(), "rwuser@admin");
  ASSERT_EQ(u.roles.size(), 2u);
  EXPECT_EQ(u.roles[0].ToString(), "root@admin");
  EXPECT_EQ(u.roles[1].ToString(), "readWrite@admin");
  ASSERT_TRUE(u.sha1 && u.sha256);
  EXPECT_EQ(u.sha1->stored_key, sha1->stored_key);
  EXPECT_EQ(u.sha1->iteration_count, 10000);
  EXPECT_EQ(u.sha256->server_key, sha256->server_key);
  EXPECT_EQ(u.sha256->salt, sha256->salt);
  EXPECT_TRUE(u.user_id.empty());  // UserStore::UpsertUser keeps or generates it
}

TEST(InitialUsers, EmptyArrayIsFine) {
  auto users = ParseInitialUsers("[]");
  ASSERT_OK(users);
  EXPECT_TRUE(users->empty());
}

TEST(InitialUsers, RejectsBadFiles) {
  auto sha256 = scram::DeriveCredentials(scram::Mechanism::kSha256, "u", "pw", 15000);
  ASSERT_OK(sha256);
  const std::string good_creds = "{\"SCRAM-SHA-256\": " + CredJson(*sha256) + "}";
  auto check = [](const std::string& json, const std::string& expected) {
    auto users = ParseInitialUsers(json);
    ASSERT_FALSE(users.ok()) << json;
    EXPECT_EQ(users.status().code(), static_cast<int>(ErrorCode::kBadValue));
    EXPECT_NE(users.status().reason().find(expected), std::string::npos)
        << users.status().reason();
  };
  check("nope", "not valid JSON");
  check("{}", "array");
  check("[1]", "object");
  check(R"([{"user": "u", "db": "admin", "roles": [], "pwd": "secret"}])", "plaintext passwords");
  check(R"([{"user": "u", "db": "admin", "roles": [], "password": "x"}])", "plaintext passwords");
  check(R"([{"db": "admin", "roles": [], "credentials": )" + good_creds + "}]", "'user'");
  check(R"([{"user": "u", "db": "a b", "roles": [], "credentials": )" + good_creds + "}]",
        "database name");
  check(R"([{"user": "u", "db": "admin", "credentials": )" + good_creds + "}]", "'roles'");
  check(R"([{"user": "u", "db": "admin", "roles": [{"role": "r"}], "credentials": )" +
            good_creds + "}]",
        "each role");
  check(R"([{"user": "u", "db": "admin", "roles": [], "credentials": {}}])", "SCRAM-SHA-1 and/or");
  check(R"([{"user": "u", "db": "admin", "roles": [], "credentials": {"PLAIN": {}}}])",
        "unsupported mechanism 'PLAIN'");
  check(R"([{"user": "u", "db": "admin", "roles": [], "extra": 1, "credentials": )" + good_creds +
            "}]",
        "unknown field 'extra'");
  check(R"([{"user": "u", "db": "admin", "roles": [], "credentials": {"SCRAM-SHA-256": )"
        R"({"iterationCount": 100, "salt": "c2FsdA==", "storedKey": "x", "serverKey": "x"}}}])",
        "at least 4096");
  check(R"([{"user": "u", "db": "admin", "roles": [], "credentials": {"SCRAM-SHA-256": )"
        R"({"iterationCount": 15000, "salt": "c2FsdA==", "storedKey": "eA==", "serverKey": "eA=="}}}])",
        "'storedKey' must decode to 32 bytes");
  check(R"([{"user": "u", "db": "admin", "roles": [], "credentials": {"SCRAM-SHA-256": )"
        R"({"iterationCount": 15000, "salt": "!!", "storedKey": "eA==", "serverKey": "eA=="}}}])",
        "'salt' is not valid base64");
  const std::string one = R"({"user": "u", "db": "admin", "roles": [], "credentials": )" +
                          good_creds + "}";
  check("[" + one + ", " + one + "]", "appears more than once");
}

TEST(InitialUsers, MissingFile) {
  auto users = ReadInitialUsersFile("/nonexistent/dds/users.json");
  ASSERT_FALSE(users.ok());
  EXPECT_NE(users.status().reason().find("/nonexistent/dds/users.json"), std::string::npos);
}

TEST(AuthFailureDelay, FreeThenDoublingThenCapped) {
  using std::chrono::milliseconds;
  EXPECT_EQ(AuthFailureDelay(1), milliseconds(0));
  EXPECT_EQ(AuthFailureDelay(kFreeAuthFailures), milliseconds(0));
  EXPECT_EQ(AuthFailureDelay(kFreeAuthFailures + 1), milliseconds(100));
  EXPECT_EQ(AuthFailureDelay(kFreeAuthFailures + 2), milliseconds(200));
  EXPECT_EQ(AuthFailureDelay(kFreeAuthFailures + 3), milliseconds(400));
  EXPECT_EQ(AuthFailureDelay(kFreeAuthFailures + 7), milliseconds(5000));
  EXPECT_EQ(AuthFailureDelay(1000), kMaxFailureDelay);
}

}  // namespace
}  // namespace dds::commands
