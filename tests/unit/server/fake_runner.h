// A CommandRunner for server tests: answers {ok: 1, echo: <command name>, db: <$db>} and
// records what it saw; "sleep" blocks for `ms` milliseconds; "shutdown" calls a hook; any command
// with `replyBytes: N` gets a reply padded with an N-byte string `pad`.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bson/bson.h"
#include "server/request_processor.h"

namespace dds::server::testing {

class FakeRunner : public CommandRunner {
 public:
  bson::BsonDocument Run(commands::ClientState& client, const bson::BsonView& body,
                         const commands::RequestInfo& info) override {
    std::string name(body.FirstElement().field_name());
    {
      std::lock_guard<std::mutex> lock(mu);
      names.push_back(name);
      infos.push_back(info);
      connection_ids.push_back(client.connection_id);
    }
    if (name == "sleep") {
      std::this_thread::sleep_for(std::chrono::milliseconds(body["ms"].Int32()));
    }
    if (name == "shutdown" && on_shutdown) on_shutdown();
    bson::BsonBuilder b;
    b.AppendString("echo", name);
    bson::BsonElement db = body["$db"];
    if (!db.eoo()) b.AppendString("db", db.String());
    b.AppendInt64("connectionId", client.connection_id);
    bson::BsonElement pad = body["replyBytes"];
    if (!pad.eoo()) b.AppendString("pad", std::string(static_cast<size_t>(pad.Int32()), 'x'));
    b.AppendDouble("ok", 1.0);
    ++runs;
    return b.Done();
  }

  bson::BsonDocument Error(const Status& status) override {
    bson::BsonBuilder b;
    b.AppendDouble("ok", 0.0);
    b.AppendString("errmsg", status.reason());
    b.AppendInt32("code", status.code());
    b.AppendString("codeName", status.code_name());
    return b.Done();
  }

  std::mutex mu;
  std::vector<std::string> names;
  std::vector<commands::RequestInfo> infos;
  std::vector<int64_t> connection_ids;
  std::atomic<int> runs{0};
  std::function<void()> on_shutdown;
};

}  // namespace dds::server::testing
