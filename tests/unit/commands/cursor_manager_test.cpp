#include "commands/cursor_manager.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "bson/bson.h"
#include "commands/command.h"
#include "test_util.h"

namespace dds::commands {
namespace {

// Produces {_id: i, pad: <pad_bytes x 'x'>} for i in [0, n).
class CountingStream : public DocumentStream {
 public:
  CountingStream(int n, size_t pad_bytes = 0, int fail_at = -1)
      : n_(n), pad_(pad_bytes, 'x'), fail_at_(fail_at) {}
  StatusWith<bool> Next(bson::BsonDocument* out) override {
    if (i_ == fail_at_) return Status(ErrorCode::kBadValue, "stream failed");
    if (i_ >= n_) return false;
    bson::BsonBuilder b;
    b.AppendInt32("_id", i_++);
    if (!pad_.empty()) b.AppendString("pad", pad_);
    *out = b.Done();
    return true;
  }

 private:
  int n_;
  int i_ = 0;
  std::string pad_;
  int fail_at_;
};

struct Fixture {
  ServiceContext service;
  ClientState client;
  RequestInfo info;
  CursorManager manager;
  CommandContext ctx{service, client, info, "test", "find"};
};

int BatchLen(const bson::BsonDocument& reply, const char* name) {
  return reply["cursor"].Object()[name].Array().CountFields();
}
int64_t CursorId(const bson::BsonDocument& reply) { return reply["cursor"].Object()["id"].Int64(); }

TEST(CursorManager, DefaultFirstBatchIs101) {
  Fixture f;
  auto reply = f.manager.BuildCursorReply(f.ctx, "test.c", std::make_unique<CountingStream>(250), {});
  ASSERT_OK(reply);
  EXPECT_EQ(BatchLen(*reply, "firstBatch"), 101);
  int64_t id = CursorId(*reply);
  EXPECT_NE(id, 0);
  EXPECT_EQ((*reply)["cursor"].Object()["id"].type(), bson::BsonType::kInt64);
  EXPECT_EQ((*reply)["cursor"].Object()["ns"].String(), "test.c");
  EXPECT_EQ(f.manager.open_count(), 1u);

  auto more = f.manager.GetMore(f.ctx, id, "c", std::nullopt);
  ASSERT_OK(more);
  EXPECT_EQ(BatchLen(*more, "nextBatch"), 149);
  EXPECT_EQ(CursorId(*more), 0);
  EXPECT_EQ(f.manager.open_count(), 0u);
  auto gone = f.manager.GetMore(f.ctx, id, "c", std::nullopt);
  ASSERT_CODE(gone, ErrorCode::kCursorNotFound);
  EXPECT_EQ(gone.status().reason(), "cursor id " + std::to_string(id) + " not found");
}

TEST(CursorManager, ExhaustedFirstBatchHasIdZero) {
  Fixture f;
  auto reply = f.manager.BuildCursorReply(f.ctx, "test.c", std::make_unique<CountingStream>(101), {});
  ASSERT_OK(reply);
  EXPECT_EQ(BatchLen(*reply, "firstBatch"), 101);
  EXPECT_EQ(CursorId(*reply), 0);
  EXPECT_EQ((*reply)["cursor"].Object()["id"].type(), bson::BsonType::kInt64);
}

TEST(CursorManager, BatchSizeZeroKeepsCursorOpen) {
  Fixture f;
  CursorOptions o;
  o.batch_size = 0;
  auto reply = f.manager.BuildCursorReply(f.ctx, "test.c", std::make_unique<CountingStream>(3), o);
  ASSERT_OK(reply);
  EXPECT_EQ(BatchLen(*reply, "firstBatch"), 0);
  int64_t id = CursorId(*reply);
  ASSERT_NE(id, 0);
  auto more = f.manager.GetMore(f.ctx, id, "c", 2);
  ASSERT_OK(more);
  EXPECT_EQ(BatchLen(*more, "nextBatch"), 2);
  EXPECT_EQ(CursorId(*more), id);
  more = f.manager.GetMore(f.ctx, id, "c", 2);
  EXPECT_EQ(BatchLen(*more, "nextBatch"), 1);
  EXPECT_EQ(CursorId(*more), 0);
}

TEST(CursorManager, LimitAndSingleBatch) {
  Fixture f;
  CursorOptions o;
  o.batch_size = 2;
  o.limit = 5;
  auto reply = f.manager.BuildCursorReply(f.ctx, "test.c", std::make_unique<CountingStream>(100), o);
  int64_t id = CursorId(*reply);
  ASSERT_NE(id, 0);
  auto more = f.manager.GetMore(f.ctx, id, "c", std::nullopt);
  EXPECT_EQ(BatchLen(*more, "nextBatch"), 3);
  EXPECT_EQ(CursorId(*more), 0);

  CursorOptions single;
  single.batch_size = 4;
  single.single_batch = true;
  reply = f.manager.BuildCursorReply(f.ctx, "test.c", std::make_unique<CountingStream>(100), single);
  EXPECT_EQ(BatchLen(*reply, "firstBatch"), 4);
  EXPECT_EQ(CursorId(*reply), 0);
  EXPECT_EQ(f.manager.open_count(), 0u);
}

TEST(CursorManager, ByteCapKeepsAtLeastOneDocument) {
  Fixture f;
  // 5 documents of ~6 MiB: a 16 MiB batch holds two.
  auto reply = f.manager.BuildCursorReply(
      f.ctx, "test.c", std::make_unique<CountingStream>(5, 6 << 20), {});
  ASSERT_OK(reply);
  EXPECT_EQ(BatchLen(*reply, "firstBatch"), 2);
  int64_t id = CursorId(*reply);
  auto more = f.manager.GetMore(f.ctx, id, "c", std::nullopt);
  EXPECT_EQ(BatchLen(*more, "nextBatch"), 2);
  more = f.manager.GetMore(f.ctx, id, "c", std::nullopt);
  EXPECT_EQ(BatchLen(*more, "nextBatch"), 1);
  EXPECT_EQ(CursorId(*more), 0);
}

TEST(CursorManager, GetMoreOnOtherNamespaceIsUnauthorized) {
  Fixture f;
  auto reply = f.manager.BuildCursorReply(f.ctx, "test.c", std::make_unique<CountingStream>(500), {});
  int64_t id = CursorId(*reply);
  auto more = f.manager.GetMore(f.ctx, id, "d", std::nullopt);
  ASSERT_CODE(more, ErrorCode::kUnauthorized);
  EXPECT_EQ(more.status().reason(),
            "Requested getMore on namespace 'test.d', but cursor belongs to a different "
            "namespace test.c");
}

TEST(CursorManager, KillAndKillForNamespace) {
  Fixture f;
  int64_t a = CursorId(*f.manager.BuildCursorReply(f.ctx, "test.c",
                                                   std::make_unique<CountingStream>(500), {}));
  int64_t b = CursorId(*f.manager.BuildCursorReply(f.ctx, "test.c",
                                                   std::make_unique<CountingStream>(500), {}));
  int64_t c = CursorId(*f.manager.BuildCursorReply(f.ctx, "other.c",
                                                   std::make_unique<CountingStream>(500), {}));
  EXPECT_EQ(f.manager.open_count(), 3u);
  EXPECT_FALSE(f.manager.Kill(a, "test.d"));
  EXPECT_TRUE(f.manager.Kill(a, "test.c"));
  EXPECT_FALSE(f.manager.Kill(a, "test.c"));
  f.manager.KillForNamespace("test.c");
  EXPECT_CODE(f.manager.GetMore(f.ctx, b, "c", std::nullopt), ErrorCode::kCursorNotFound);
  EXPECT_EQ(f.manager.open_count(), 1u);
  f.manager.KillForDatabase("othe");
  EXPECT_EQ(f.manager.open_count(), 1u);
  f.manager.KillForDatabase("other");
  EXPECT_EQ(f.manager.open_count(), 0u);
  (void)c;
}

TEST(CursorManager, KillForSessions) {
  Fixture f;
  f.ctx.lsid = "session-a";
  int64_t a = CursorId(*f.manager.BuildCursorReply(f.ctx, "test.c",
                                                   std::make_unique<CountingStream>(500), {}));
  f.ctx.lsid = "session-b";
  f.manager.BuildCursorReply(f.ctx, "test.c", std::make_unique<CountingStream>(500), {});
  f.ctx.lsid = "";
  f.manager.BuildCursorReply(f.ctx, "test.c", std::make_unique<CountingStream>(500), {});
  f.manager.KillForSessions({"session-a"});
  EXPECT_EQ(f.manager.open_count(), 2u);
  EXPECT_CODE(f.manager.GetMore(f.ctx, a, "c", std::nullopt), ErrorCode::kCursorNotFound);
  f.manager.KillAll();
  EXPECT_EQ(f.manager.open_count(), 0u);
}

TEST(CursorManager, StreamErrorEndsCursor) {
  Fixture f;
  CursorOptions o;
  o.batch_size = 2;
  auto reply = f.manager.BuildCursorReply(f.ctx, "test.c",
                                          std::make_unique<CountingStream>(10, 0, 5), o);
  int64_t id = CursorId(*reply);
  ASSERT_NE(id, 0);
  auto more = f.manager.GetMore(f.ctx, id, "c", std::nullopt);
  ASSERT_CODE(more, ErrorCode::kBadValue);
  EXPECT_EQ(f.manager.open_count(), 0u);
}

TEST(CursorManager, IdleCursorsAreReaped) {
  ServiceContext service;
  ClientState client;
  RequestInfo info;
  CursorManager manager(std::chrono::milliseconds(0));
  CommandContext ctx{service, client, info, "test", "find"};
  CursorOptions keep;
  keep.no_cursor_timeout = true;
  manager.BuildCursorReply(ctx, "test.c", std::make_unique<CountingStream>(500), {});
  manager.BuildCursorReply(ctx, "test.c", std::make_unique<CountingStream>(500), keep);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_EQ(manager.ReapIdle(), 1);
  EXPECT_EQ(manager.open_count(), 1u);
}

}  // namespace
}  // namespace dds::commands
