// ddsd: the DDS database server (a MongoDB 7.0-compatible mongod). Everything but this thin
// entry point lives in the dds_server library (server/server_main.cpp).
#include "server/server_main.h"

int main(int argc, char** argv) { return dds::server::ServerMain(argc, argv); }
