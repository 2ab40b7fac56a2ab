// ServerMain: the whole life of a ddsd process: options -> logging -> dbpath -> storage engine
// -> cursor manager -> transport -> serve until SIGINT/SIGTERM or the shutdown command -> close
// everything in order. src/server/main.cpp only calls this.
#pragma once

namespace dds::server {

// Returns the process exit code (0 after a clean shutdown; 2 for bad options; 48 when it
// cannot listen; 100 when the dbpath or the storage engine cannot be opened).
int ServerMain(int argc, char** argv);

}  // namespace dds::server
