// InstanceManager: instances, their nodes and the jobs that change them (dds-api.md §3.1, §1.6,
// §4.1, §4.2). Synchronous checks run on the caller's thread and answer with DDS errors; slow work
// (create, delete, restart, resize) runs as a persisted job on its own thread. A supervisor
// thread health-checks every node, marks instances abnormal, restarts dead nodes and adopts nodes
// left running by a previous dds-service.
//
// Thread-safe. One operation at a time per instance (a busy instance answers 409 DBS.200011).
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>
#include <sys/types.h>

#include "common/status.h"
#include "service/config.h"
#include "service/instance_spec.h"
#include "service/metadata_store.h"
#include "service/request_context.h"

namespace dds::service {

// Filters of GET /instances (P0-2); empty strings mean "no filter".
struct InstanceFilter {
  std::string id, name, mode, datastore_type, vpc_id, subnet_id, tags;
  int offset = 0;
  int limit = 100;
};

// Filters of GET /v3.1/jobs (P0-10).
struct JobFilter {
  int64_t start_ms = 0, end_ms = 0;
  std::string status, id, name;
  int offset = 0;
  int limit = 100;
};

class InstanceManager {
 public:
  InstanceManager(const ServiceConfig* config, MetadataStore* store);
  ~InstanceManager();

  // Startup: fails jobs a previous process left Running, turns `creating` instances into
  // `createfail`, clears stale actions. The supervisor then adopts or restarts nodes.
  Status Recover();
  void StartSupervisor();
  // Stops the supervisor and waits up to `timeout_ms` for running jobs. Returns true when no job
  // is still running.
  bool Shutdown(int timeout_ms);
  // Returns the number of jobs running now.
  int ActiveJobs() const { return active_jobs_.load(); }

  // P0-1: returns the 202 body (with id and job_id).
  StatusWith<nlohmann::json> CreateInstance(const Caller& caller, const CreateSpec& spec);
  // P0-2: returns the JSON text {"instances": [...], "total_count": n}. Rendered instances are
  // cached per instance and reused while their rows are unchanged.
  StatusWith<std::string> ListInstances(const std::string& project_id,
                                        const InstanceFilter& filter);
  // P0-3, P0-4, P0-7: return the job id.
  StatusWith<std::string> DeleteInstance(const std::string& project_id, const std::string& id);
  StatusWith<std::string> RestartInstance(const std::string& project_id, const std::string& id,
                                          const nlohmann::json& body);
  StatusWith<std::string> ResizeInstance(const std::string& project_id, const std::string& id,
                                         const nlohmann::json& body);
  // P0-5, P0-6.
  Status RenameInstance(const std::string& project_id, const std::string& id,
                        const nlohmann::json& body);
  Status ResetPassword(const std::string& project_id, const std::string& id,
                       const nlohmann::json& body);
  // P0-8: validated fully, then 501 (ddsd cannot enforce a storage limit yet).
  Status EnlargeVolume(const std::string& project_id, const std::string& id,
                       const nlohmann::json& body);
  // 404 DBS.200002 unless the instance exists in the project.
  Status CheckInstanceExists(const std::string& project_id, const std::string& id);
  // P0-9 / P0-10.
  StatusWith<nlohmann::json> ShowJob(const std::string& project_id, const std::string& job_id);
  StatusWith<nlohmann::json> ListJobs(const std::string& project_id, const JobFilter& filter);
  // P0-14.
  StatusWith<nlohmann::json> Quotas(const std::string& project_id);

  struct InstanceRow;
  struct NodeRow;

 private:
  StatusWith<InstanceRow> LoadInstance(const std::string& project_id, const std::string& id);
  StatusWith<std::vector<NodeRow>> LoadNodes(const std::string& instance_id);
  nlohmann::json InstanceJson(const InstanceRow& row, const std::vector<NodeRow>& nodes);
  // Claims the instance for one operation; false when another one holds it.
  bool TryAcquire(const std::string& instance_id);
  void Release(const std::string& instance_id);
  // Checks the state for a modifying operation, claims the instance and records `action`.
  Status BeginOperation(const InstanceRow& row, const std::string& action,
                        const std::set<std::string>& allowed_status);
  StatusWith<std::string> NewJob(const std::string& project_id, const std::string& name,
                                 const InstanceRow& row);
  void SetProgress(const std::string& job_id, int percent);
  Status FinishJob(const std::string& job_id, const Status& outcome);
  // Runs `fn` on a job thread; the instance is released when it returns.
  void RunJob(const std::string& instance_id, std::function<void()> fn);
  StatusWith<int> AllocatePort(const std::optional<int>& requested);
  // Spawns the node and waits for hello; records the pid. Reports progress in [from, to].
  StatusWith<pid_t> StartNode(const NodeRow& node, const std::string& job_id, int from, int to);
  Status StopNode(const NodeRow& node);
  Status WriteInitialUsers(const std::string& node_dir, const nlohmann::json& users);
  std::string InitialUsersPath(const std::string& node_dir) const;
  void SupervisorLoop();
  void SuperviseNode(const NodeRow& node, const std::string& instance_status);

  const ServiceConfig* config_;
  MetadataStore* store_;
  std::mutex mu_;  // guards busy_, allocation, hello_failures_, next_restart_ms_, used_gb_
  std::set<std::string> busy_;
  std::map<std::string, int> hello_failures_;
  std::map<std::string, int64_t> next_restart_ms_;
  std::map<std::string, int> restart_failures_;
  std::map<std::string, std::string> used_gb_;
  std::set<pid_t> adopted_logged_;
  std::mutex cache_mu_;
  // instance id -> (the row and node columns it was rendered from, the rendered JSON text)
  std::map<std::string, std::pair<std::string, std::string>> render_cache_;
  std::mutex alloc_mu_;  // serializes quota checks and port allocation
  std::atomic<int> active_jobs_{0};
  std::mutex jobs_mu_;
  std::condition_variable jobs_cv_;
  std::atomic<bool> stopping_{false};
  std::mutex sup_mu_;
  std::condition_variable sup_cv_;
  std::thread supervisor_;
};

}  // namespace dds::service
