#include "server/request_processor.h"

#include "common/logging.h"
#include "wire/request.h"

namespace dds::server {

ProcessResult ProcessMessage(CommandRunner& runner, commands::ClientState& client,
                             const char* message, size_t size) {
  ProcessResult result;
  wire::ParsedRequest parsed = wire::ParseRequest(message, size);
  if (!parsed.status.ok()) {
    const Status& st = parsed.status;
    switch (parsed.action) {
      case wire::ErrorAction::kClose:
        DDS_LOG_WARNING("NETWORK", 22988,
                        "Error receiving request from client. Ending connection from remote",
                        {{"error", st.ToString()},
                         {"remote", client.remote},
                         {"connectionId", client.connection_id}});
        result.close = true;
        return result;
      case wire::ErrorAction::kReply:
      case wire::ErrorAction::kReplyAndClose: {
        DDS_LOG_WARNING("COMMAND", 21962, "Assertion while parsing command",
                        {{"error", st.ToString()},
                         {"remote", client.remote},
                         {"connectionId", client.connection_id}});
        bson::BsonDocument error = runner.Error(st);
        result.reply = wire::EncodeErrorReply(parsed, error.view());
        result.close = parsed.action == wire::ErrorAction::kReplyAndClose;
        return result;
      }
      case wire::ErrorAction::kNone:
        break;
    }
  }
  const wire::Request& req = parsed.request;
  commands::RequestInfo info;
  info.legacy_op_query = req.op == wire::OpCode::kQuery;
  info.more_to_come = req.more_to_come;
  info.exhaust_allowed = req.exhaust_allowed;
  bson::BsonDocument reply = runner.Run(client, req.body.view(), info);
  if (client.close_connection) {  // failCommand closeConnection: no reply, drop the connection
    client.close_connection = false;
    result.close = true;
    return result;
  }
  if (req.more_to_come) return result;  // fire-and-forget: no reply
  result.reply = wire::EncodeReply(req, reply.view());
  return result;
}

}  // namespace dds::server
