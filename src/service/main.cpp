// dds-service: the DDS v3 management API. Parses config, opens the service state, serves HTTP
// until SIGTERM/SIGINT, drains, and exits. Nodes keep running for the next start to adopt.
#include <csignal>
#include <cstdio>
#include <filesystem>

#include <unistd.h>

#include "common/logging.h"
#include "service/config.h"
#include "service/http_server.h"
#include "service/service_state.h"

int main(int argc, char** argv) {
  using namespace dds::service;
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  std::string exe_dir = ec ? "." : exe.parent_path().string();
  auto config = LoadServiceConfig(argc, argv, exe_dir);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.status().reason().c_str());
    return 2;
  }
  ::signal(SIGPIPE, SIG_IGN);
  auto state = ServiceState::Open(std::move(config.value()));
  if (!state.ok()) {
    DDS_LOG_ERROR("SERVICE", 9001, "Cannot start dds-service",
                  {{"error", state.status().ToString()}});
    return 1;
  }
  HttpServer server(state.value().get());
  dds::Status listening = server.Listen();
  if (!listening.ok()) {
    DDS_LOG_ERROR("SERVICE", 9002, "Cannot listen", {{"error", listening.ToString()}});
    return 1;
  }
  const ServiceConfig& c = state.value()->config();
  state.value()->instances().StartSupervisor();
  DDS_LOG_INFO("SERVICE", 9000, "dds-service listening",
               {{"host", c.listen_host},
                {"port", server.port()},
                {"dataDir", c.data_dir},
                {"ddsd", c.ddsd_path},
                {"instancesAuth", c.instances_auth},
                {"pid", static_cast<int64_t>(::getpid())}});
  server.Run();
  bool drained = state.value()->instances().Shutdown(c.drain_timeout_ms);
  DDS_LOG_INFO("SERVICE", 9003, "dds-service stopped", {{"jobsDrained", drained}});
  if (!drained) {
    // Jobs still running are failed with a reason by the next start (Recover()).
    std::fflush(nullptr);
    ::_exit(0);
  }
  return 0;
}
