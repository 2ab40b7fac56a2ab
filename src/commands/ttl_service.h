// TtlService: owns the TTL monitor of one ddsd process (the background deleter of
// expireAfterSeconds indexes, index/ttl_monitor.h) so the server can start and stop it without
// depending on the index layer. The pass interval is mongod's `ttlMonitorSleepSecs`
// (--setParameter ttlMonitorSleepSecs=N; default 60 s).
//
// Thread-safe; Stop (or destruction) joins the monitor thread.
#pragma once

#include <map>
#include <memory>
#include <string>

namespace dds::storage {
class Engine;
}  // namespace dds::storage
namespace dds::index {
class TtlMonitor;
}  // namespace dds::index

namespace dds::commands {

// The default pass interval (mongod's ttlMonitorSleepSecs).
constexpr int kDefaultTtlMonitorSleepSecs = 60;

class TtlService {
 public:
  // Starts the monitor over `engine` (which must outlive the service). `set_parameters` are the
  // server's --setParameter values; ttlMonitorSleepSecs (a positive integer) sets the interval.
  static std::unique_ptr<TtlService> Start(storage::Engine& engine,
                                           const std::map<std::string, std::string>& set_parameters);
  ~TtlService();
  // Stops and joins the monitor (idempotent).
  void Stop();

 private:
  explicit TtlService(std::unique_ptr<index::TtlMonitor> monitor);
  std::unique_ptr<index::TtlMonitor> monitor_;
};

}  // namespace dds::commands
