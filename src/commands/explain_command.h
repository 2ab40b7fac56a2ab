// The explain command (issue #4); see explain_command.cpp.
#pragma once

#include "bson/document.h"
#include "common/status.h"  // before command.h: dispatch.h names dds::Status
#include "commands/command.h"

namespace dds::commands {

// explain: {explain: {<command>}, verbosity} -> {queryPlanner, executionStats?, command,
// serverInfo, serverParameters}.
StatusWith<bson::BsonDocument> RunExplain(CommandContext& ctx, const bson::BsonView& cmd);

// aggregate with `explain: true`: the same output at verbosity queryPlanner.
StatusWith<bson::BsonDocument> ExplainAggregate(CommandContext& ctx, const bson::BsonView& cmd);

}  // namespace dds::commands
