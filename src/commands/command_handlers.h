// Handlers of the non-CRUD commands, grouped by the file that defines them. The CRUD handlers
// are declared in crud_commands.h. Every handler has the CommandHandler signature (command.h):
// it returns the reply body without `ok`. Handlers are stateless apart from the ServiceContext
// and ClientState they are given, and may run concurrently.
#pragma once

#include "bson/document.h"
#include "commands/command.h"
#include "common/status.h"

namespace dds::commands {

#define DDS_DECLARE_HANDLER(fn) \
  StatusWith<bson::BsonDocument> fn(CommandContext& ctx, const bson::BsonView& cmd)

// hello_command.cpp
DDS_DECLARE_HANDLER(RunHello);

// sasl_commands.cpp
DDS_DECLARE_HANDLER(RunSaslStart);
DDS_DECLARE_HANDLER(RunSaslContinue);
DDS_DECLARE_HANDLER(RunConnectionStatus);
DDS_DECLARE_HANDLER(RunLogout);

// server_info_commands.cpp
DDS_DECLARE_HANDLER(RunPing);
DDS_DECLARE_HANDLER(RunBuildInfo);
DDS_DECLARE_HANDLER(RunGetParameter);
DDS_DECLARE_HANDLER(RunSetParameter);
DDS_DECLARE_HANDLER(RunGetCmdLineOpts);
DDS_DECLARE_HANDLER(RunGetLog);
DDS_DECLARE_HANDLER(RunHostInfo);
DDS_DECLARE_HANDLER(RunServerStatus);
DDS_DECLARE_HANDLER(RunWhatsMyUri);
DDS_DECLARE_HANDLER(RunListCommands);
DDS_DECLARE_HANDLER(RunShutdown);
DDS_DECLARE_HANDLER(RunFsync);
DDS_DECLARE_HANDLER(RunFsyncUnlock);
DDS_DECLARE_HANDLER(RunReplSetGetStatus);

// session_commands.cpp
DDS_DECLARE_HANDLER(RunStartSession);
DDS_DECLARE_HANDLER(RunEndSessions);  // also refreshSessions
DDS_DECLARE_HANDLER(RunKillSessions);
DDS_DECLARE_HANDLER(RunKillAllSessions);  // also killAllSessionsByPattern

// fail_point.cpp
DDS_DECLARE_HANDLER(RunConfigureFailPoint);

// operation_commands.cpp
DDS_DECLARE_HANDLER(RunCurrentOp);
DDS_DECLARE_HANDLER(RunKillOp);
DDS_DECLARE_HANDLER(RunProfile);

// database_commands.cpp
DDS_DECLARE_HANDLER(RunListDatabases);
DDS_DECLARE_HANDLER(RunListCollections);
DDS_DECLARE_HANDLER(RunCreate);
DDS_DECLARE_HANDLER(RunDrop);
DDS_DECLARE_HANDLER(RunDropDatabase);
DDS_DECLARE_HANDLER(RunRenameCollection);
DDS_DECLARE_HANDLER(RunDbStats);
DDS_DECLARE_HANDLER(RunCollStats);
DDS_DECLARE_HANDLER(RunDataSize);
DDS_DECLARE_HANDLER(RunValidate);
DDS_DECLARE_HANDLER(RunCompact);
DDS_DECLARE_HANDLER(RunCollMod);

// index_commands.cpp
DDS_DECLARE_HANDLER(RunListIndexes);
DDS_DECLARE_HANDLER(RunCreateIndexes);
DDS_DECLARE_HANDLER(RunDropIndexes);
DDS_DECLARE_HANDLER(RunReIndex);

// plan_cache_commands.cpp
DDS_DECLARE_HANDLER(RunPlanCacheClear);

// cursor_commands.cpp
DDS_DECLARE_HANDLER(RunGetMore);
DDS_DECLARE_HANDLER(RunKillCursors);

#undef DDS_DECLARE_HANDLER

}  // namespace dds::commands
