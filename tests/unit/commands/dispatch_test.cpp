#include "commands/dispatch.h"

#include <gtest/gtest.h>

#include "bson/bson.h"
#include "common/logging.h"
#include "test_util.h"

namespace dds::commands {
namespace {

class DispatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogQuiet(true);
    client_.connection_id = 7;
    client_.remote = "127.0.0.1:5555";
  }
  bson::BsonDocument Run(const char* json, bool op_query = false) {
    RequestInfo info;
    info.legacy_op_query = op_query;
    bson::BsonDocument body = bson::FromJson(json);
    return RunCommand(service_, client_, body, info);
  }
  static std::vector<std::string> FieldNames(const bson::BsonDocument& doc) {
    std::vector<std::string> out;
    for (const bson::BsonElement& e : doc) out.emplace_back(e.field_name());
    return out;
  }

  ServiceContext service_;
  ClientState client_;
};

TEST_F(DispatchTest, PingRepliesOkDouble) {
  bson::BsonDocument r = Run(R"({"ping": 1, "$db": "admin"})");
  ASSERT_EQ(r["ok"].type(), bson::BsonType::kDouble);
  EXPECT_EQ(r["ok"].Double(), 1.0);
  EXPECT_EQ(service_.counters.command.load(), 1);
}

TEST_F(DispatchTest, UnknownCommand) {
  bson::BsonDocument r = Run(R"({"foo": 1, "$db": "test"})");
  EXPECT_EQ(FieldNames(r), (std::vector<std::string>{"ok", "errmsg", "code", "codeName"}));
  EXPECT_EQ(r["ok"].Double(), 0.0);
  EXPECT_EQ(r["code"].type(), bson::BsonType::kInt32);
  EXPECT_EQ(r["code"].Int32(), 59);
  EXPECT_EQ(r["codeName"].String(), "CommandNotFound");
  EXPECT_EQ(r["errmsg"].String(), "no such command: 'foo'");
  // Case-sensitive.
  EXPECT_EQ(Run(R"({"PING": 1, "$db": "test"})")["code"].Int32(), 59);
}

TEST_F(DispatchTest, OpMsgRequiresDb) {
  bson::BsonDocument r = Run(R"({"ping": 1})");
  EXPECT_EQ(r["code"].Int32(), 40571);
  EXPECT_EQ(r["errmsg"].String(), "OP_MSG requests require a $db argument");
  EXPECT_EQ(r["codeName"].String(), "Location40571");
  EXPECT_EQ(Run(R"({})")["ok"].Double(), 0.0);
}

TEST_F(DispatchTest, AdminOnly) {
  bson::BsonDocument r = Run(R"({"getParameter": 1, "featureCompatibilityVersion": 1, "$db": "test"})");
  EXPECT_EQ(r["code"].Int32(), 13);
  EXPECT_EQ(r["errmsg"].String(), "getParameter may only be run against the admin database.");
}

TEST_F(DispatchTest, OpQueryOnlyForHandshake) {
  bson::BsonDocument r = Run(R"({"ping": 1, "$db": "admin"})", /*op_query=*/true);
  EXPECT_EQ(r["code"].Int32(), 352);
  r = Run(R"({"ismaster": 1, "$db": "admin"})", /*op_query=*/true);
  EXPECT_EQ(r["ok"].Double(), 1.0);
}

TEST_F(DispatchTest, InvalidDatabaseName) {
  bson::BsonDocument r = Run(R"({"ping": 1, "$db": "a.b"})");
  EXPECT_EQ(r["code"].Int32(), 73);
}

TEST_F(DispatchTest, HelloShape) {
  bson::BsonDocument r = Run(R"({"hello": 1, "$db": "test"})");
  EXPECT_EQ(FieldNames(r),
            (std::vector<std::string>{"isWritablePrimary", "maxBsonObjectSize",
                                      "maxMessageSizeBytes", "maxWriteBatchSize", "localTime",
                                      "logicalSessionTimeoutMinutes", "connectionId",
                                      "minWireVersion", "maxWireVersion", "readOnly", "ok"}));
  EXPECT_TRUE(r["isWritablePrimary"].Bool());
  EXPECT_EQ(r["maxBsonObjectSize"].Int32(), 16777216);
  EXPECT_EQ(r["maxMessageSizeBytes"].Int32(), 48000000);
  EXPECT_EQ(r["maxWriteBatchSize"].Int32(), 100000);
  EXPECT_EQ(r["localTime"].type(), bson::BsonType::kDate);
  EXPECT_EQ(r["logicalSessionTimeoutMinutes"].Int32(), 30);
  EXPECT_EQ(r["connectionId"].Int32(), 7);
  EXPECT_EQ(r["minWireVersion"].Int32(), 0);
  EXPECT_EQ(r["maxWireVersion"].Int32(), 21);
  EXPECT_FALSE(r["readOnly"].Bool());
}

TEST_F(DispatchTest, LegacyIsMasterWithHelloOkAndCompression) {
  bson::BsonDocument r = Run(
      R"({"ismaster": 1, "helloOk": true, "client": {"application": {"name": "app"}},
          "compression": ["zstd", "lz4", "snappy"], "$db": "admin"})",
      true);
  std::vector<std::string> names = FieldNames(r);
  ASSERT_GE(names.size(), 3u);
  EXPECT_EQ(names[0], "helloOk");
  EXPECT_EQ(names[1], "ismaster");
  EXPECT_FALSE(r.view().HasField("isWritablePrimary"));
  EXPECT_FALSE(r.view().HasField("topologyVersion"));
  bson::BsonView comp = r["compression"].Array();
  ASSERT_EQ(comp.CountFields(), 2);
  EXPECT_EQ(comp["0"].String(), "zstd");
  EXPECT_EQ(comp["1"].String(), "snappy");
  EXPECT_EQ(client_.compressors, (std::vector<std::string>{"zstd", "snappy"}));
  EXPECT_EQ(client_.app_name, "app");

  // A second hello carrying client metadata is refused.
  bson::BsonDocument again = Run(R"({"hello": 1, "client": {}, "$db": "admin"})");
  EXPECT_EQ(again["code"].Int32(), 186);
  EXPECT_EQ(again["codeName"].String(), "ClientMetadataCannotBeMutated");
  // Without it, fine.
  EXPECT_EQ(Run(R"({"hello": 1, "$db": "admin"})")["ok"].Double(), 1.0);
}

TEST_F(DispatchTest, BuildInfo) {
  bson::BsonDocument r = Run(R"({"buildinfo": 1, "$db": "admin"})");
  EXPECT_EQ(r["version"].String().substr(0, 4), "7.0.");
  bson::BsonView va = r["versionArray"].Array();
  EXPECT_EQ(va["0"].type(), bson::BsonType::kInt32);
  EXPECT_EQ(va["0"].Int32(), 7);
  EXPECT_EQ(r["buildEnvironment"].Object()["target_os"].String(), "linux");
  EXPECT_EQ(r["ddsServer"].Object()["version"].String(), "0.1.0");
  EXPECT_FALSE(r.view().HasField("ferretdb"));
  EXPECT_EQ(r["storageEngines"].Array()["0"].String(), "rocksdb");
}

TEST_F(DispatchTest, GetParameter) {
  bson::BsonDocument r =
      Run(R"({"getParameter": 1, "featureCompatibilityVersion": 1, "$db": "admin"})");
  EXPECT_EQ(r["featureCompatibilityVersion"].Object()["version"].String(), "7.0");
  r = Run(R"({"getParameter": "foo", "$db": "admin"})");
  EXPECT_EQ(r["code"].Int32(), 72);
  EXPECT_EQ(r["errmsg"].String(), "no option found to get");
  r = Run(R"({"getParameter": "*", "$db": "admin"})");
  EXPECT_TRUE(r.view().HasField("featureCompatibilityVersion"));
  EXPECT_TRUE(r.view().HasField("logLevel"));
  r = Run(R"({"setParameter": 1, "logLevel": 0, "$db": "admin"})");
  EXPECT_EQ(r["ok"].Double(), 1.0);
  EXPECT_EQ(r["was"].Int32(), 0);
  r = Run(R"({"setParameter": 1, "nope": 0, "$db": "admin"})");
  EXPECT_EQ(r["code"].Int32(), 72);
}

TEST_F(DispatchTest, GetLog) {
  bson::BsonDocument r = Run(R"({"getLog": "startupWarnings", "$db": "admin"})");
  EXPECT_EQ(r["ok"].Double(), 1.0);
  EXPECT_TRUE(r["log"].IsArray());
  EXPECT_EQ(r["totalLinesWritten"].type(), bson::BsonType::kInt32);
  r = Run(R"({"getLog": "x", "$db": "admin"})");
  EXPECT_EQ(r["code"].Int32(), 96);
  EXPECT_EQ(r["errmsg"].String(), "No log named 'x'");
  r = Run(R"({"getLog": "*", "$db": "admin"})");
  EXPECT_EQ(r["names"].Array().CountFields(), 2);
}

TEST_F(DispatchTest, MiscCommands) {
  EXPECT_EQ(Run(R"({"whatsmyuri": 1, "$db": "admin"})")["you"].String(), "127.0.0.1:5555");
  bson::BsonDocument r = Run(R"({"connectionStatus": 1, "$db": "admin"})");
  EXPECT_EQ(r["authInfo"].Object()["authenticatedUsers"].Array().CountFields(), 0);
  r = Run(R"({"replSetGetStatus": 1, "$db": "admin"})");
  EXPECT_EQ(r["code"].Int32(), 76);
  EXPECT_EQ(r["errmsg"].String(), "not running with --replSet");
  r = Run(R"({"startSession": 1, "$db": "admin"})");
  bson::BsonElement id = r["id"].Object()["id"];
  EXPECT_EQ(id.type(), bson::BsonType::kBinData);
  EXPECT_EQ(id.BinSubtype(), 4);
  EXPECT_EQ(id.BinData().size(), 16u);
  EXPECT_EQ(r["timeoutMinutes"].Int32(), 30);
  EXPECT_EQ(Run(R"({"endSessions": [{"id": 1}], "$db": "admin"})")["ok"].Double(), 1.0);
  EXPECT_EQ(Run(R"({"endSessions": 1, "$db": "admin"})")["code"].Int32(), 14);
  r = Run(R"({"serverStatus": 1, "$db": "admin"})");
  EXPECT_EQ(r["storageEngine"].Object()["name"].String(), "rocksdb");
  EXPECT_EQ(r["process"].String(), "mongod");
  r = Run(R"({"listCommands": 1, "$db": "admin"})");
  EXPECT_TRUE(r["commands"].Object().HasField("hello"));
  EXPECT_EQ(Run(R"({"mapReduce": "c", "$db": "test"})")["code"].Int32(), 59);
  EXPECT_EQ(Run(R"({"shutdown": 1, "$db": "admin"})")["ok"].Double(), 0.0);
}

TEST_F(DispatchTest, CurrentOpShowsItself) {
  bson::BsonDocument r = Run(R"({"currentOp": 1, "$db": "admin"})");
  ASSERT_EQ(r["ok"].Double(), 1.0) << r.ToJson();
  bson::BsonView inprog = r["inprog"].Array();
  ASSERT_GE(inprog.CountFields(), 1);
  bson::BsonView op = inprog["0"].Object();
  EXPECT_EQ(op["op"].String(), "command");
  EXPECT_EQ(op["ns"].String(), "admin.$cmd");
  EXPECT_EQ(op["command"].Object().FirstElement().field_name(), "currentOp");
  EXPECT_EQ(op["connectionId"].Int32(), 7);
  r = Run(R"({"currentOp": 1, "op": "query", "$db": "admin"})");
  EXPECT_EQ(r["inprog"].Array().CountFields(), 0);
  EXPECT_EQ(Run(R"({"currentOp": 1, "$db": "test"})")["code"].Int32(), 13);
  EXPECT_EQ(Run(R"({"killOp": 1, "$db": "admin"})")["code"].Int32(), 4);
  EXPECT_EQ(Run(R"({"killOp": 1, "op": 12345, "$db": "admin"})")["ok"].Double(), 1.0);
}

TEST_F(DispatchTest, Profile) {
  bson::BsonDocument r = Run(R"({"profile": -1, "$db": "test"})");
  EXPECT_EQ(r["was"].Int32(), 0);
  EXPECT_EQ(r["slowms"].Int32(), 100);
  r = Run(R"({"profile": 0, "slowms": 250, "$db": "test"})");
  EXPECT_EQ(r["slowms"].Int32(), 100);
  EXPECT_EQ(Run(R"({"profile": -1, "$db": "test"})")["slowms"].Int32(), 250);
  Run(R"({"profile": 0, "slowms": 100, "$db": "test"})");
  EXPECT_EQ(Run(R"({"profile": 1, "$db": "test"})")["code"].Int32(), 238);
  EXPECT_EQ(Run(R"({"profile": 5, "$db": "test"})")["code"].Int32(), 2);
}

TEST_F(DispatchTest, FailCommandFailPoint) {
  // Without enableTestCommands the command does not exist, as in mongod.
  EXPECT_EQ(Run(R"({"configureFailPoint": "failCommand", "mode": "alwaysOn", "$db": "admin"})")
                ["code"].Int32(),
            59);
  bson::BsonBuilder parsed;
  parsed.StartDocument("setParameter").AppendString("enableTestCommands", "1").End();
  service_.settings.parsed_options = parsed.Done();
  bson::BsonDocument r = Run(R"({"configureFailPoint": "failCommand", "mode": {"times": 2},
      "data": {"failCommands": ["ping"], "errorCode": 8, "errorLabels": ["RetryableWriteError"]},
      "$db": "admin"})");
  ASSERT_EQ(r["ok"].Double(), 1.0) << r.ToJson();
  r = Run(R"({"ping": 1, "$db": "admin"})");
  EXPECT_EQ(r["code"].Int32(), 8);
  EXPECT_EQ(r["codeName"].String(), "UnknownError");
  EXPECT_EQ(r["errorLabels"].Array()["0"].String(), "RetryableWriteError");
  EXPECT_EQ(Run(R"({"buildInfo": 1, "$db": "admin"})")["ok"].Double(), 1.0);
  EXPECT_EQ(Run(R"({"ping": 1, "$db": "admin"})")["code"].Int32(), 8);
  EXPECT_EQ(Run(R"({"ping": 1, "$db": "admin"})")["ok"].Double(), 1.0);

  r = Run(R"({"configureFailPoint": "failCommand", "mode": "alwaysOn",
      "data": {"failCommands": ["ping"], "writeConcernError": {"code": 91, "errmsg": "x"}},
      "$db": "admin"})");
  ASSERT_EQ(r["ok"].Double(), 1.0) << r.ToJson();
  r = Run(R"({"ping": 1, "$db": "admin"})");
  EXPECT_EQ(r["ok"].Double(), 1.0);
  EXPECT_EQ(r["writeConcernError"].Object()["code"].Int32(), 91);
  Run(R"({"configureFailPoint": "failCommand", "mode": "off", "$db": "admin"})");
  EXPECT_FALSE(Run(R"({"ping": 1, "$db": "admin"})").view().HasField("writeConcernError"));

  Run(R"({"configureFailPoint": "failCommand", "mode": {"times": 1},
          "data": {"failCommands": ["ping"], "closeConnection": true}, "$db": "admin"})");
  EXPECT_FALSE(client_.close_connection);
  Run(R"({"ping": 1, "$db": "admin"})");
  EXPECT_TRUE(client_.close_connection);
}

TEST_F(DispatchTest, StableApiAndTransactions) {
  EXPECT_EQ(Run(R"({"ping": 1, "apiVersion": "1", "apiStrict": true, "$db": "admin"})")["ok"]
                .Double(),
            1.0);
  EXPECT_EQ(Run(R"({"ping": 1, "apiVersion": "2", "$db": "admin"})")["code"].Int32(), 322);
  EXPECT_EQ(Run(R"({"ping": 1, "apiStrict": true, "$db": "admin"})")["code"].Int32(), 322);
  EXPECT_EQ(
      Run(R"({"buildInfo": 1, "apiVersion": "1", "apiStrict": true, "$db": "admin"})")["code"]
          .Int32(),
      323);
  EXPECT_EQ(
      Run(R"({"buildInfo": 1, "apiVersion": "1", "apiStrict": false, "$db": "admin"})")["ok"]
          .Double(),
      1.0);
  bson::BsonDocument r = Run(
      R"({"ping": 1, "txnNumber": {"$numberLong": "1"}, "autocommit": false, "$db": "admin"})");
  EXPECT_EQ(r["code"].Int32(), 20);
}

TEST_F(DispatchTest, ShutdownCallsHook) {
  bool called = false;
  service_.request_shutdown = [&called] { called = true; };
  EXPECT_EQ(Run(R"({"shutdown": 1, "$db": "admin"})")["ok"].Double(), 1.0);
  EXPECT_TRUE(called);
}

TEST_F(DispatchTest, ErrorReplyCarriesExtraFields) {
  bson::BsonBuilder extra;
  extra.StartDocument("keyValue").AppendInt32("a", 1).End();
  Status s(ErrorCode::kDuplicateKey, "E11000 dup", extra.DoneBytes());
  bson::BsonDocument r = ErrorReply(s);
  EXPECT_EQ(FieldNames(r),
            (std::vector<std::string>{"ok", "errmsg", "code", "codeName", "keyValue"}));
}

}  // namespace
}  // namespace dds::commands
