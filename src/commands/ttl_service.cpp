#include "commands/ttl_service.h"

#include <chrono>
#include <cstdlib>

#include "index/ttl_monitor.h"
#include "query/planner.h"

namespace dds::commands {

std::unique_ptr<TtlService> TtlService::Start(
    storage::Engine& engine, const std::map<std::string, std::string>& set_parameters) {
  query::InstallIndexHooks();  // partial TTL indexes evaluate their filter through the query layer
  int secs = kDefaultTtlMonitorSleepSecs;
  auto it = set_parameters.find("ttlMonitorSleepSecs");
  if (it != set_parameters.end()) {
    int v = std::atoi(it->second.c_str());
    if (v > 0) secs = v;
  }
  auto monitor = std::make_unique<index::TtlMonitor>(engine, std::chrono::seconds(secs));
  monitor->Start();
  return std::unique_ptr<TtlService>(new TtlService(std::move(monitor)));
}

TtlService::TtlService(std::unique_ptr<index::TtlMonitor> monitor) : monitor_(std::move(monitor)) {}

TtlService::~TtlService() { Stop(); }

void TtlService::Stop() {
  if (monitor_ != nullptr) monitor_->Stop();
}

}  // namespace dds::commands
