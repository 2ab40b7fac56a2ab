// The production CommandRunner: kept apart from request_processor.cpp so that the session logic
// links (and is unit-tested) without the command layer.
#include "server/request_processor.h"

namespace dds::server {

bson::BsonDocument DispatchRunner::Run(commands::ClientState& client, const bson::BsonView& body,
                                       const commands::RequestInfo& info) {
  return commands::RunCommand(service_, client, body, info);
}

bson::BsonDocument DispatchRunner::Error(const Status& status) {
  return commands::ErrorReply(status);
}

}  // namespace dds::server
