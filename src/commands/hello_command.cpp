// hello / isMaster / ismaster (compat §1.7): the handshake and monitoring reply of a standalone
// mongod 7.0, field for field. No topologyVersion (D3), so clients poll instead of streaming.
// With credentials, drivers also ask which SASL mechanisms their user has (saslSupportedMechs)
// and piggyback the first SASL step (speculativeAuthenticate); both live in sasl_commands.cpp.
#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "bson/bson.h"
#include "commands/command_handlers.h"
#include "commands/request_parser.h"
#include "commands/sasl_commands.h"

namespace dds::commands {

namespace {

constexpr int32_t kMaxMessageSizeBytes = 48000000;
constexpr int32_t kMaxWriteBatchSize = 100000;
constexpr int32_t kLogicalSessionTimeoutMinutes = 30;
constexpr int32_t kMinWireVersion = 0;
constexpr int32_t kMaxWireVersion = 21;

constexpr std::string_view kSupportedCompressors[] = {"snappy", "zlib", "zstd"};

bool IsSupportedCompressor(std::string_view name) {
  for (std::string_view c : kSupportedCompressors) {
    if (c == name) return true;
  }
  return false;
}

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

StatusWith<bson::BsonDocument> RunHello(CommandContext& ctx, const bson::BsonView& cmd) {
  const bool is_hello = ctx.command_name == "hello";
  std::string_view cmd_name = ctx.command_name;

  // client metadata: first hello of a connection only.
  bson::BsonElement client = cmd.Get("client");
  if (!client.eoo()) {
    if (ctx.client.seen_hello_metadata) {
      return Status(ErrorCode::kClientMetadataCannotBeMutated,
                    "The client metadata document may only be sent in the first hello");
    }
    if (client.type() != bson::BsonType::kObject) {
      return WrongTypeError(std::string(cmd_name) + ".client", client, "object");
    }
    bson::BsonElement app = client.Object().Get("application");
    if (app.type() == bson::BsonType::kObject) {
      bson::BsonElement app_name = app.Object().Get("name");
      if (app_name.type() == bson::BsonType::kString) {
        ctx.client.app_name = std::string(app_name.String());
      }
    }
    ctx.client.seen_hello_metadata = true;
  }

  // compression: the supported ones, in the client's order.
  bson::BsonElement compression = cmd.Get("compression");
  if (!compression.eoo()) {
    if (compression.type() != bson::BsonType::kArray) {
      return WrongTypeError(std::string(cmd_name) + ".compression", compression, "array");
    }
    std::vector<std::string> chosen;
    for (const bson::BsonElement& e : compression.Array()) {
      if (e.type() != bson::BsonType::kString) {
        return WrongTypeError(std::string(cmd_name) + ".compression", e, "string");
      }
      std::string name(e.String());
      if (IsSupportedCompressor(name) &&
          std::find(chosen.begin(), chosen.end(), name) == chosen.end()) {
        chosen.push_back(std::move(name));
      }
    }
    ctx.client.compressors = std::move(chosen);
  }

  // saslSupportedMechs: "db.user" -> that user's mechanisms (omitted for an unknown user).
  std::optional<std::vector<std::string>> sasl_mechanisms;
  if (bson::BsonElement e = cmd.Get("saslSupportedMechs"); e.type() == bson::BsonType::kString) {
    DDS_ASSIGN_OR_RETURN(sasl_mechanisms, SaslSupportedMechanisms(ctx.service, e.String()));
  }
  // speculativeAuthenticate: the first SASL step; on any failure the field is omitted.
  std::optional<bson::BsonDocument> speculative;
  if (bson::BsonElement e = cmd.Get("speculativeAuthenticate"); e.type() == bson::BsonType::kObject) {
    StatusWith<bson::BsonDocument> step = SpeculativeSaslStart(ctx.service, ctx.client, e.Object());
    if (step.ok()) speculative = std::move(step).value();
  }

  bson::BsonBuilder b;
  if (!cmd.Get("helloOk").eoo()) b.AppendBool("helloOk", true);
  if (is_hello) {
    b.AppendBool("isWritablePrimary", true);
  } else {
    b.AppendBool("ismaster", true);
  }
  b.AppendInt32("maxBsonObjectSize", bson::kMaxBsonObjectSize);
  b.AppendInt32("maxMessageSizeBytes", kMaxMessageSizeBytes);
  b.AppendInt32("maxWriteBatchSize", kMaxWriteBatchSize);
  b.AppendDate("localTime", NowMillis());
  b.AppendInt32("logicalSessionTimeoutMinutes", kLogicalSessionTimeoutMinutes);
  b.AppendInt32("connectionId", static_cast<int32_t>(ctx.client.connection_id));
  b.AppendInt32("minWireVersion", kMinWireVersion);
  b.AppendInt32("maxWireVersion", kMaxWireVersion);
  b.AppendBool("readOnly", false);
  if (!compression.eoo() && !ctx.client.compressors.empty()) {
    b.StartArray("compression");
    for (size_t i = 0; i < ctx.client.compressors.size(); ++i) {
      b.AppendString(bson::IndexName(i), ctx.client.compressors[i]);
    }
    b.End();
  }
  if (sasl_mechanisms) {
    b.StartArray("saslSupportedMechs");
    for (size_t i = 0; i < sasl_mechanisms->size(); ++i) {
      b.AppendString(bson::IndexName(i), (*sasl_mechanisms)[i]);
    }
    b.End();
  }
  if (speculative) b.AppendDocument("speculativeAuthenticate", speculative->view());
  return b.Done();
}

}  // namespace dds::commands
