#include "service/instance_manager.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

#include "common/logging.h"
#include "service/api_error.h"
#include "service/crypto.h"
#include "service/identity.h"
#include "service/node_process.h"
#include "service/scram.h"
#include "service/time_util.h"
#include "service/wire_client.h"

namespace dds::service {

using nlohmann::json;

struct InstanceManager::InstanceRow {
  std::string id, project_id, name, status, mode;
  int port = 0;
  std::string vpc_id, subnet_id;
  json actions = json::array();
  json spec = json::object();
  std::string fail_reason;
  int64_t created = 0, updated = 0;
};

struct InstanceManager::NodeRow {
  std::string id, instance_id, name, type, status, role;
  int port = 0;
  pid_t pid = 0;
  std::string dir, spec_code, last_error;
  int restarts = 0;
};

namespace {

constexpr const char* kInstanceColumns =
    "id, project_id, name, status, mode, port, vpc_id, subnet_id, actions, spec, fail_reason, "
    "created, updated";
constexpr const char* kNodeColumns =
    "id, instance_id, name, type, status, role, port, pid, dir, spec_code, last_error, restarts";
constexpr int kHelloTimeoutMs = 1000;
constexpr int kStopTimeoutMs = 10000;

InstanceManager::InstanceRow ToInstance(const SqlRow& r) {
  InstanceManager::InstanceRow row;
  row.id = r.Str(0);
  row.project_id = r.Str(1);
  row.name = r.Str(2);
  row.status = r.Str(3);
  row.mode = r.Str(4);
  row.port = static_cast<int>(r.Int(5));
  row.vpc_id = r.Str(6);
  row.subnet_id = r.Str(7);
  row.actions = json::parse(r.Str(8), nullptr, false);
  if (!row.actions.is_array()) row.actions = json::array();
  row.spec = json::parse(r.Str(9), nullptr, false);
  if (!row.spec.is_object()) row.spec = json::object();
  row.fail_reason = r.Str(10);
  row.created = r.Int(11);
  row.updated = r.Int(12);
  return row;
}

InstanceManager::NodeRow ToNode(const SqlRow& r) {
  InstanceManager::NodeRow n;
  n.id = r.Str(0);
  n.instance_id = r.Str(1);
  n.name = r.Str(2);
  n.type = r.Str(3);
  n.status = r.Str(4);
  n.role = r.Str(5);
  n.port = static_cast<int>(r.Int(6));
  n.pid = static_cast<pid_t>(r.Int(7));
  n.dir = r.Str(8);
  n.spec_code = r.Str(9);
  n.last_error = r.Str(10);
  n.restarts = static_cast<int>(r.Int(11));
  return n;
}

Status InstanceNotFound() {
  return NotFound("DBS.200002", "The DB instance does not exist or is not in this project.");
}

Status Busy(const std::string& status, const std::string& operation) {
  return Conflict("DBS.200011", "The instance status (" + status +
                                    ") or a running operation does not allow " + operation + ".");
}

std::string ActionsText(std::initializer_list<const char*> actions) {
  json a = json::array();
  for (const char* s : actions) a.push_back(s);
  return a.dump();
}

bool ValidInstanceIdFormat(const std::string& id) {
  return id.size() == 36 && IsHex32(id.substr(0, 32)) && id.substr(32) == "in02";
}

std::string DirSizeGb(const std::string& dir) {
  std::error_code ec;
  uint64_t total = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", static_cast<double>(total) / (1024.0 * 1024 * 1024));
  return buf;
}

}  // namespace

InstanceManager::InstanceManager(const ServiceConfig* config, MetadataStore* store)
    : config_(config), store_(store) {}

InstanceManager::~InstanceManager() { Shutdown(0); }

// ---------------------------------------------------------------------------------------------
// Loading and rendering.

StatusWith<InstanceManager::InstanceRow> InstanceManager::LoadInstance(
    const std::string& project_id, const std::string& id) {
  if (!ValidInstanceIdFormat(id)) return InstanceNotFound();
  DDS_ASSIGN_OR_RETURN(auto rows, store_->Query(std::string("SELECT ") + kInstanceColumns +
                                                    " FROM instances WHERE id = ? AND "
                                                    "project_id = ?",
                                                {id, project_id}));
  if (rows.empty()) return InstanceNotFound();
  return ToInstance(rows[0]);
}

StatusWith<std::vector<InstanceManager::NodeRow>> InstanceManager::LoadNodes(
    const std::string& instance_id) {
  DDS_ASSIGN_OR_RETURN(auto rows, store_->Query(std::string("SELECT ") + kNodeColumns +
                                                    " FROM nodes WHERE instance_id = ? ORDER BY "
                                                    "name",
                                                {instance_id}));
  std::vector<NodeRow> nodes;
  for (const auto& r : rows) nodes.push_back(ToNode(r));
  return nodes;
}

Status InstanceManager::CheckInstanceExists(const std::string& project_id, const std::string& id) {
  return LoadInstance(project_id, id).status();
}

json InstanceManager::InstanceJson(const InstanceRow& row, const std::vector<NodeRow>& nodes) {
  const json& spec = row.spec;
  json node_list = json::array();
  std::string used = "0.00";
  for (const NodeRow& n : nodes) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = used_gb_.find(n.id);
      if (it != used_gb_.end()) used = it->second;
    }
    node_list.push_back({{"id", n.id},
                         {"name", n.name},
                         {"status", n.status},
                         {"role", n.role},
                         {"private_ip", config_->instances_bind_ip},
                         {"public_ip", ""},
                         {"spec_code", n.spec_code},
                         {"availability_zone", spec.value("availability_zone", "")}});
  }
  json group = {
      {"type", "single"},
      {"status", row.status},
      {"volume", {{"size", std::to_string(spec.value("volume_size", 0))}, {"used", used}}},
      {"nodes", node_list}};
  json ds = spec.value("datastore", json::object());
  std::string version = ds.value("version", "");
  json out = {{"id", row.id},
              {"name", row.name},
              {"remark", ""},
              {"status", row.status},
              {"port", std::to_string(row.port)},
              {"mode", row.mode},
              {"region", spec.value("region", "")},
              {"datastore",
               {{"type", "DDS-Community"},
                {"version", version},
                {"patch_available", false},
                {"whole_version", version + ".0"}}},
              {"engine", "rocksDB"},
              {"created", FormatIsoSeconds(row.created)},
              {"updated", FormatIsoSeconds(row.updated)},
              {"db_user_name", "rwuser"},
              {"ssl", spec.value("ssl_option", "1") == "1" ? 1 : 0},
              {"vpc_id", row.vpc_id},
              {"subnet_id", row.subnet_id},
              {"security_group_id", spec.value("security_group_id", "")},
              {"backup_strategy", spec.value("backup_strategy", json::object())},
              {"pay_mode", "0"},
              {"maintenance_window", "02:00-06:00"},
              {"groups", json::array({group})},
              {"disk_encryption_id", ""},
              {"dss_pool_id", ""},
              {"enterprise_project_id", spec.value("enterprise_project_id", "0")},
              {"time_zone", ""},
              {"actions", row.actions},
              {"tags", spec.value("tags", json::array())}};
  if (!row.fail_reason.empty()) out["fail_reason"] = row.fail_reason;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Busy tracking, jobs.

bool InstanceManager::TryAcquire(const std::string& instance_id) {
  std::lock_guard<std::mutex> lock(mu_);
  return busy_.insert(instance_id).second;
}

void InstanceManager::Release(const std::string& instance_id) {
  std::lock_guard<std::mutex> lock(mu_);
  busy_.erase(instance_id);
}

Status InstanceManager::BeginOperation(const InstanceRow& row, const std::string& action,
                                       const std::set<std::string>& allowed_status) {
  if (!allowed_status.count(row.status) || !row.actions.empty()) {
    return Busy(row.status, action);
  }
  // The row says idle: a job that just finished (or a supervisor health check) may still hold
  // the claim for a moment, so wait briefly before answering busy.
  bool acquired = TryAcquire(row.id);
  for (int i = 0; i < 200 && !acquired; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    acquired = TryAcquire(row.id);
  }
  if (!acquired) return Busy(row.status, action);
  json actions = json::array({action});
  Status s = store_->Exec("UPDATE instances SET actions = ?, updated = ? WHERE id = ?",
                          {actions.dump(), NowMillis(), row.id});
  if (!s.ok()) Release(row.id);
  return s;
}

StatusWith<std::string> InstanceManager::NewJob(const std::string& project_id,
                                                const std::string& name, const InstanceRow& row) {
  std::string id = UuidV4();
  DDS_RETURN_IF_ERROR(store_->Exec(
      "INSERT INTO jobs (id, project_id, name, instance_id, instance_name, status, progress, "
      "created) VALUES (?, ?, ?, ?, ?, 'Running', '0%', ?)",
      {id, project_id, name, row.id, row.name, NowMillis()}));
  return id;
}

void InstanceManager::SetProgress(const std::string& job_id, int percent) {
  store_->Exec("UPDATE jobs SET progress = ? WHERE id = ? AND status = 'Running'",
               {std::to_string(percent) + "%", job_id});
}

Status InstanceManager::FinishJob(const std::string& job_id, const Status& outcome) {
  if (outcome.ok()) {
    return store_->Exec(
        "UPDATE jobs SET status = 'Completed', progress = '', fail_reason = '', ended = ? "
        "WHERE id = ?",
        {NowMillis(), job_id});
  }
  return store_->Exec(
      "UPDATE jobs SET status = 'Failed', progress = '', fail_reason = ?, ended = ? WHERE id = ?",
      {MapStatusToError(outcome).http_status == 500 ? outcome.reason() : outcome.reason(),
       NowMillis(), job_id});
}

void InstanceManager::RunJob(const std::string& instance_id, std::function<void()> fn) {
  active_jobs_.fetch_add(1);
  std::thread([this, instance_id, fn = std::move(fn)]() {
    SetLogContext("job");
    fn();
    Release(instance_id);
    {
      std::lock_guard<std::mutex> lock(jobs_mu_);
      active_jobs_.fetch_sub(1);
    }
    jobs_cv_.notify_all();
  }).detach();
}

// ---------------------------------------------------------------------------------------------
// Nodes.

std::string InstanceManager::InitialUsersPath(const std::string& node_dir) const {
  return node_dir + "/initial_users.json";
}

Status InstanceManager::WriteInitialUsers(const std::string& node_dir, const json& users) {
  std::error_code ec;
  std::filesystem::create_directories(node_dir, ec);
  if (ec) return Status(ErrorCode::kInternalError, "cannot create " + node_dir);
  std::string path = InitialUsersPath(node_dir);
  std::string tmp = path + ".tmp";
  {
    ::unlink(tmp.c_str());
    mode_t old = ::umask(077);
    std::ofstream out(tmp, std::ios::trunc);
    ::umask(old);
    out << users.dump(2) << "\n";
    out.close();
    if (!out) return Status(ErrorCode::kInternalError, "cannot write " + tmp);
  }
  ::chmod(tmp.c_str(), 0600);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status(ErrorCode::kInternalError, "cannot rename " + tmp);
  }
  return Status::OK();
}

StatusWith<pid_t> InstanceManager::StartNode(const NodeRow& node, const std::string& job_id,
                                             int from, int to) {
  NodeLaunch launch;
  launch.ddsd_path = config_->ddsd_path;
  launch.bind_ip = config_->instances_bind_ip;
  launch.port = node.port;
  launch.node_dir = node.dir;
  launch.auth = config_->instances_auth;
  std::string users = InitialUsersPath(node.dir);
  if (launch.auth && ::access(users.c_str(), R_OK) == 0) launch.initial_users_file = users;
  if (!PortIsFree(config_->instances_bind_ip, node.port)) {
    return Status(ErrorCode::kInternalError,
                  "port " + std::to_string(node.port) + " is in use by another process");
  }
  DDS_ASSIGN_OR_RETURN(pid_t pid, SpawnNode(launch));
  store_->Exec("UPDATE nodes SET pid = ? WHERE id = ?", {static_cast<int64_t>(pid), node.id});
  DDS_LOG_INFO("SERVICE", 9200, "Started node",
               {{"node", node.id}, {"pid", static_cast<int64_t>(pid)}, {"port", node.port}});
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + std::chrono::milliseconds(config_->node_start_timeout_ms);
  Status last = Status(ErrorCode::kNetworkTimeout, "no answer yet");
  while (std::chrono::steady_clock::now() < deadline) {
    int exit_code = 0;  // stays 0 when another thread reaped the process
    if (!NodeProcessAlive(pid, node.port, &exit_code)) {
      // The exit code says why even when the log is empty (mongod's codes; 48 = port in use).
      std::string why = exit_code != 0 ? " (" + DescribeNodeExit(exit_code) + ")" : "";
      std::string tail = TailFile(node.dir + "/stdout.log", 300);
      return Status(ErrorCode::kOperationFailed,
                    "the node process exited before answering hello" + why +
                        (tail.empty() ? std::string() : ": " + tail));
    }
    last = WireHello(config_->instances_bind_ip, node.port, kHelloTimeoutMs);
    if (last.ok()) return pid;
    if (!job_id.empty()) {
      double frac = std::chrono::duration<double>(std::chrono::steady_clock::now() - start) /
                    std::chrono::milliseconds(config_->node_start_timeout_ms);
      SetProgress(job_id, from + static_cast<int>((to - from) * std::min(1.0, frac)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  StopNodeProcess(pid, node.port, kStopTimeoutMs);
  return Status(ErrorCode::kOperationFailed, "the node did not answer hello within " +
                                                 std::to_string(config_->node_start_timeout_ms) +
                                                 " ms: " + last.reason());
}

Status InstanceManager::StopNode(const NodeRow& node) {
  // Re-read the pid: the supervisor may have restarted the node since `node` was loaded.
  auto rows = store_->Query("SELECT pid FROM nodes WHERE id = ?", {node.id});
  pid_t pid = rows.ok() && !rows->empty() ? static_cast<pid_t>((*rows)[0].Int(0)) : node.pid;
  DDS_RETURN_IF_ERROR(StopNodeProcess(pid, node.port, kStopTimeoutMs));
  return store_->Exec("UPDATE nodes SET pid = 0 WHERE id = ?", {node.id});
}

StatusWith<int> InstanceManager::AllocatePort(const std::optional<int>& requested) {
  DDS_ASSIGN_OR_RETURN(auto rows, store_->Query("SELECT port FROM instances"));
  std::set<int> used;
  for (const auto& r : rows) used.insert(static_cast<int>(r.Int(0)));
  if (requested) {
    if (used.count(*requested) || !PortIsFree(config_->instances_bind_ip, *requested)) {
      return Conflict("DBS.200059", "port " + std::to_string(*requested) + " is already in use");
    }
    return *requested;
  }
  std::vector<int> candidates;
  if (config_->first_port > 0) candidates.push_back(config_->first_port);
  for (int p = config_->port_low; p <= config_->port_high; ++p) {
    if (p != config_->first_port) candidates.push_back(p);
  }
  for (int p : candidates) {
    if (!used.count(p) && PortIsFree(config_->instances_bind_ip, p)) return p;
  }
  return Unavailable("No free port for a new instance: the configured range is exhausted.");
}

// ---------------------------------------------------------------------------------------------
// Operations.

StatusWith<json> InstanceManager::CreateInstance(const Caller& caller, const CreateSpec& spec) {
  if (config_->unique_names) {
    DDS_ASSIGN_OR_RETURN(auto dup, store_->Query("SELECT 1 FROM instances WHERE project_id = ? "
                                                 "AND name = ?",
                                                 {caller.project_id, spec.name}));
    if (!dup.empty()) return Conflict("DBS.200022", "instance name already exists");
  }
  // Verifiers are derived now so the password never reaches the job or the disk.
  json initial_users;
  if (spec.password) {
    DDS_ASSIGN_OR_RETURN(initial_users, MakeInitialUsers("rwuser", *spec.password));
  }
  InstanceRow row;
  NodeRow node;
  std::string job_id;
  const FlavorRequest& flavor = spec.flavor[0];
  {
    std::lock_guard<std::mutex> alloc(alloc_mu_);
    DDS_ASSIGN_OR_RETURN(auto counts, store_->Query("SELECT COUNT(*) FROM instances WHERE "
                                                    "project_id = ? AND mode = ?",
                                                    {caller.project_id, spec.mode}));
    auto quota_it = config_->quotas.find(spec.mode);
    int quota = quota_it == config_->quotas.end() ? 0 : quota_it->second;
    if (counts[0].Int(0) >= quota) {
      return ApiError(ErrorCode::kServicePayloadTooLarge, "DBS.200046",
                      "The instance quota (" + std::to_string(quota) + " " + spec.mode +
                          " instances) is exhausted.");
    }
    if (::access(config_->ddsd_path.c_str(), X_OK) != 0) {
      return InternalApiError("ddsd binary is not executable: " + config_->ddsd_path);
    }
    DDS_ASSIGN_OR_RETURN(int port, AllocatePort(spec.port));
    int64_t now = NowMillis();
    row.id = RandomHex(16) + "in02";
    row.project_id = caller.project_id;
    row.name = spec.name;
    row.status = "creating";
    row.mode = spec.mode;
    row.port = port;
    row.vpc_id = spec.vpc_id;
    row.subnet_id = spec.subnet_id;
    row.actions = json::array({"CREATE"});
    row.created = row.updated = now;
    json flavor_echo = json::array();
    for (const FlavorRequest& f : spec.flavor) {
      json e = {{"type", f.type}, {"num", std::to_string(f.num)}, {"spec_code", f.spec_code}};
      if (!f.storage.empty()) e["storage"] = f.storage;
      if (f.size_gb) e["size"] = std::to_string(f.size_gb);
      flavor_echo.push_back(e);
    }
    row.spec = {{"datastore",
                 {{"type", "DDS-Community"},
                  {"version", spec.version},
                  {"storage_engine", spec.storage_engine}}},
                {"region", spec.region},
                {"availability_zone", spec.availability_zone},
                {"security_group_id", spec.security_group_id},
                {"flavor", flavor_echo},
                {"volume_size", flavor.size_gb},
                {"spec_code", flavor.spec_code},
                {"backup_strategy", spec.backup_strategy},
                {"ssl_option", spec.ssl_option},
                {"tags", spec.tags},
                {"enterprise_project_id", spec.enterprise_project_id}};
    node.id = RandomHex(16) + "no02";
    node.instance_id = row.id;
    node.name = row.name + "_single_node_1";
    node.type = "single";
    node.status = "creating";
    node.role = "Primary";
    node.port = port;
    node.dir = config_->data_dir + "/instances/" + row.id + "/" + node.id;
    node.spec_code = flavor.spec_code;
    job_id = UuidV4();
    DDS_RETURN_IF_ERROR(store_->Transaction([&]() -> Status {
      DDS_RETURN_IF_ERROR(store_->Exec(
          std::string("INSERT INTO instances (") + kInstanceColumns +
              ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?)",
          {row.id, row.project_id, row.name, row.status, row.mode, static_cast<int64_t>(port),
           row.vpc_id, row.subnet_id, row.actions.dump(), row.spec.dump(), now, now}));
      DDS_RETURN_IF_ERROR(
          store_->Exec(std::string("INSERT INTO nodes (") + kNodeColumns +
                           ") VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, '', 0)",
                       {node.id, node.instance_id, node.name, node.type, node.status, node.role,
                        static_cast<int64_t>(port), node.dir, node.spec_code}));
      return store_->Exec(
          "INSERT INTO jobs (id, project_id, name, instance_id, instance_name, status, progress, "
          "created) VALUES (?, ?, 'CreateMongoDBReplicaSingle', ?, ?, 'Running', '0%', ?)",
          {job_id, row.project_id, row.id, row.name, now});
    }));
    TryAcquire(row.id);
  }
  DDS_LOG_INFO("SERVICE", 9201, "Creating instance",
               {{"instance", row.id}, {"name", row.name}, {"port", row.port}, {"job", job_id}});
  RunJob(row.id, [this, row, node, job_id, initial_users]() {
    Status outcome = [&]() -> Status {
      SetProgress(job_id, 10);
      if (!initial_users.is_null()) DDS_RETURN_IF_ERROR(WriteInitialUsers(node.dir, initial_users));
      SetProgress(job_id, 20);
      DDS_ASSIGN_OR_RETURN(pid_t pid, StartNode(node, job_id, 30, 90));
      (void)pid;
      // Instance and job change together: Completed never precedes status=normal (§1.6).
      return store_->Transaction([&]() -> Status {
        int64_t now = NowMillis();
        DDS_RETURN_IF_ERROR(store_->Exec(
            "UPDATE nodes SET status = 'normal', role = 'Primary', last_error = '' WHERE id = ?",
            {node.id}));
        DDS_RETURN_IF_ERROR(store_->Exec(
            "UPDATE instances SET status = 'normal', actions = '[]', updated = ? WHERE id = ?",
            {now, row.id}));
        return store_->Exec(
            "UPDATE jobs SET status = 'Completed', progress = '', ended = ? WHERE id = ?",
            {now, job_id});
      });
    }();
    if (outcome.ok()) {
      DDS_LOG_INFO("SERVICE", 9202, "Instance created", {{"instance", row.id}});
      return;
    }
    DDS_LOG_WARNING("SERVICE", 9203, "Instance creation failed",
                    {{"instance", row.id}, {"reason", outcome.reason()}});
    StopNode(node);
    store_->Transaction([&]() -> Status {
      int64_t now = NowMillis();
      store_->Exec(
          "UPDATE nodes SET status = 'abnormal', role = 'unknown', last_error = ? "
          "WHERE id = ?",
          {outcome.reason(), node.id});
      store_->Exec(
          "UPDATE instances SET status = 'createfail', actions = '[]', fail_reason = ?, "
          "updated = ? WHERE id = ?",
          {outcome.reason(), now, row.id});
      return FinishJob(job_id, outcome);
    });
  });
  json echo = {{"id", row.id},
               {"name", row.name},
               {"datastore", row.spec["datastore"]},
               {"created", FormatSpaceTime(row.created)},
               {"status", "creating"},
               {"region", spec.region},
               {"availability_zone", spec.availability_zone},
               {"vpc_id", spec.vpc_id},
               {"subnet_id", spec.subnet_id},
               {"security_group_id", spec.security_group_id},
               {"port", row.port},
               {"mode", spec.mode},
               {"flavor", row.spec["flavor"]},
               {"backup_strategy",
                {{"start_time", spec.backup_strategy["start_time"]},
                 {"keep_days", std::to_string(spec.backup_strategy.value("keep_days", 7))}}},
               {"ssl_option", spec.ssl_option},
               {"enterprise_project_id", spec.enterprise_project_id},
               {"tags", spec.tags},
               {"job_id", job_id}};
  return echo;
}

StatusWith<std::string> InstanceManager::ListInstances(const std::string& project_id,
                                                       const InstanceFilter& f) {
  // Tags "k1=v1,k2=v2": all pairs must match; an empty value matches any value.
  std::vector<std::pair<std::string, std::string>> tag_filter;
  if (!f.tags.empty()) {
    size_t pos = 0;
    while (pos <= f.tags.size()) {
      size_t comma = f.tags.find(',', pos);
      std::string part =
          f.tags.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      size_t eq = part.find('=');
      tag_filter.emplace_back(part.substr(0, eq),
                              eq == std::string::npos ? "" : part.substr(eq + 1));
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
  }
  // Pass 1 reads only ids (and specs when tags filter) to count and page; pass 2 reads the page.
  std::string sql = tag_filter.empty() ? "SELECT id FROM instances WHERE project_id = ?"
                                       : "SELECT id, spec FROM instances WHERE project_id = ?";
  std::vector<SqlValue> params = {project_id};
  if (!f.id.empty()) {
    sql += " AND id = ?";
    params.emplace_back(f.id);
  }
  if (!f.mode.empty()) {
    sql += " AND mode = ?";
    params.emplace_back(f.mode);
  }
  if (!f.vpc_id.empty()) {
    sql += " AND vpc_id = ?";
    params.emplace_back(f.vpc_id);
  }
  if (!f.subnet_id.empty()) {
    sql += " AND subnet_id = ?";
    params.emplace_back(f.subnet_id);
  }
  if (!f.name.empty()) {
    if (f.name[0] == '*') {
      sql += " AND instr(name, ?) > 0";
      params.emplace_back(f.name.substr(1));
    } else {
      sql += " AND name = ?";
      params.emplace_back(f.name);
    }
  }
  sql += " ORDER BY created DESC, rowid DESC";
  DDS_ASSIGN_OR_RETURN(auto rows, store_->Query(sql, params));
  std::vector<std::string> matched;
  for (const auto& r : rows) {
    if (!tag_filter.empty()) {
      json spec = json::parse(r.Str(1), nullptr, false);
      json tags = spec.is_object() ? spec.value("tags", json::array()) : json::array();
      bool ok = true;
      for (const auto& [k, v] : tag_filter) {
        bool found = false;
        for (const json& t : tags) {
          if (t.value("key", "") == k && (v.empty() || t.value("value", "") == v)) found = true;
        }
        ok = ok && found;
      }
      if (!ok) continue;
    }
    matched.push_back(r.Str(0));
  }
  std::string marks;
  std::vector<SqlValue> id_params;
  std::vector<std::string> page_ids;
  for (size_t i = static_cast<size_t>(f.offset);
       i < matched.size() && page_ids.size() < static_cast<size_t>(f.limit); ++i) {
    page_ids.push_back(matched[i]);
    marks += marks.empty() ? "?" : ", ?";
    id_params.emplace_back(matched[i]);
  }
  std::string out = "{\"instances\":[";
  if (!page_ids.empty()) {
    DDS_ASSIGN_OR_RETURN(auto page_rows,
                         store_->Query(std::string("SELECT ") + kInstanceColumns +
                                           " FROM instances WHERE id IN (" + marks + ")",
                                       id_params));
    DDS_ASSIGN_OR_RETURN(auto node_rows, store_->Query(std::string("SELECT ") + kNodeColumns +
                                                           " FROM nodes WHERE instance_id IN (" +
                                                           marks + ") ORDER BY name",
                                                       id_params));
    std::map<std::string, const SqlRow*> by_id;
    for (const auto& r : page_rows) by_id[r.Str(0)] = &r;
    std::map<std::string, std::vector<const SqlRow*>> nodes_by_instance;
    for (const auto& nr : node_rows) nodes_by_instance[nr.Str(1)].push_back(&nr);
    bool first = true;
    for (const std::string& id : page_ids) {
      auto it = by_id.find(id);
      if (it == by_id.end()) continue;
      // The cache key is every column the rendering depends on.
      std::string key;
      auto append_row = [&key](const SqlRow& r) {
        for (size_t c = 0; c < r.cols.size(); ++c) key.append(r.Str(c)).push_back('\x1f');
      };
      append_row(*it->second);
      std::vector<NodeRow> nodes;
      for (const SqlRow* nr : nodes_by_instance[id]) {
        append_row(*nr);
        nodes.push_back(ToNode(*nr));
        std::lock_guard<std::mutex> lock(mu_);
        auto used = used_gb_.find(nodes.back().id);
        if (used != used_gb_.end()) key.append(used->second);
      }
      std::string text;
      {
        std::lock_guard<std::mutex> lock(cache_mu_);
        auto cached = render_cache_.find(id);
        if (cached != render_cache_.end() && cached->second.first == key) {
          text = cached->second.second;
        }
      }
      if (text.empty()) {
        text = InstanceJson(ToInstance(*it->second), nodes).dump();
        std::lock_guard<std::mutex> lock(cache_mu_);
        render_cache_[id] = {key, text};
      }
      if (!first) out.push_back(',');
      first = false;
      out += text;
    }
  }
  out += "],\"total_count\":" + std::to_string(matched.size()) + "}";
  return out;
}

StatusWith<std::string> InstanceManager::DeleteInstance(const std::string& project_id,
                                                        const std::string& id) {
  DDS_ASSIGN_OR_RETURN(InstanceRow row, LoadInstance(project_id, id));
  DDS_RETURN_IF_ERROR(
      BeginOperation(row, "DELETE_INSTANCE",
                     {"normal", "abnormal", "createfail", "data_disk_full", "enlargefail"}));
  auto job = NewJob(project_id, "DeleteMongoDB", row);
  if (!job.ok()) {
    Release(row.id);
    return job.status();
  }
  std::string job_id = job.value();
  RunJob(row.id, [this, row, job_id]() {
    Status outcome = [&]() -> Status {
      DDS_ASSIGN_OR_RETURN(auto nodes, LoadNodes(row.id));
      int i = 0;
      for (const NodeRow& n : nodes) {
        DDS_RETURN_IF_ERROR(StopNode(n));
        SetProgress(job_id, 20 + 50 * (++i) / static_cast<int>(nodes.size()));
      }
      std::error_code ec;
      std::filesystem::remove_all(config_->data_dir + "/instances/" + row.id, ec);
      if (ec) return Status(ErrorCode::kOperationFailed, "cannot remove data: " + ec.message());
      SetProgress(job_id, 90);
      return store_->Transaction([&]() -> Status {
        DDS_RETURN_IF_ERROR(store_->Exec("DELETE FROM nodes WHERE instance_id = ?", {row.id}));
        DDS_RETURN_IF_ERROR(store_->Exec("DELETE FROM instances WHERE id = ?", {row.id}));
        return FinishJob(job_id, Status::OK());
      });
    }();
    if (outcome.ok()) {
      {
        std::lock_guard<std::mutex> lock(cache_mu_);
        render_cache_.erase(row.id);
      }
      DDS_LOG_INFO("SERVICE", 9204, "Instance deleted", {{"instance", row.id}});
      return;
    }
    store_->Exec("UPDATE instances SET actions = '[]' WHERE id = ?", {row.id});
    FinishJob(job_id, outcome);
  });
  return job_id;
}

StatusWith<std::string> InstanceManager::RestartInstance(const std::string& project_id,
                                                         const std::string& id, const json& body) {
  DDS_ASSIGN_OR_RETURN(InstanceRow row, LoadInstance(project_id, id));
  auto target = body.find("target_id");
  if (target == body.end() || !target->is_string() || target->get<std::string>().empty()) {
    return BadRequest("DBS.200001", "target_id is required");
  }
  if (body.contains("target_type") && !body["target_type"].is_null()) {
    return BadRequest("DBS.280327", "target_type is not valid for a " + row.mode + " instance");
  }
  for (const char* key : {"is_serial", "is_force"}) {
    if (body.contains(key) && !body[key].is_boolean() && !body[key].is_null()) {
      return BadRequest("DBS.200001", std::string(key) + " must be a boolean");
    }
  }
  bool force = body.value("is_force", false);
  DDS_ASSIGN_OR_RETURN(auto nodes, LoadNodes(row.id));
  std::string target_id = *target;
  std::string job_name = "RestartReplicaSingleInstance";
  if (target_id != row.id) {
    bool is_node = std::any_of(nodes.begin(), nodes.end(),
                               [&](const NodeRow& n) { return n.id == target_id; });
    if (!is_node) return NotFound("DBS.200013", "target_id is not a node of this instance");
    job_name = "RestartNode";
  }
  std::set<std::string> allowed = {"normal"};
  if (force) allowed.insert("abnormal");
  DDS_RETURN_IF_ERROR(BeginOperation(row, "RESTARTING", allowed));
  auto job = NewJob(project_id, job_name, row);
  if (!job.ok()) {
    Release(row.id);
    return job.status();
  }
  std::string job_id = job.value();
  store_->Exec("UPDATE nodes SET status = 'reboot' WHERE instance_id = ?", {row.id});
  RunJob(row.id, [this, row, nodes, job_id]() {
    Status outcome = [&]() -> Status {
      for (const NodeRow& n : nodes) {
        SetProgress(job_id, 10);
        DDS_RETURN_IF_ERROR(StopNode(n));
        SetProgress(job_id, 30);
        DDS_RETURN_IF_ERROR(StartNode(n, job_id, 40, 90));
      }
      return store_->Transaction([&]() -> Status {
        int64_t now = NowMillis();
        DDS_RETURN_IF_ERROR(
            store_->Exec("UPDATE nodes SET status = 'normal', role = 'Primary', "
                         "last_error = '' WHERE instance_id = ?",
                         {row.id}));
        DDS_RETURN_IF_ERROR(
            store_->Exec("UPDATE instances SET status = 'normal', actions = '[]', "
                         "fail_reason = '', updated = ? WHERE id = ?",
                         {now, row.id}));
        return FinishJob(job_id, Status::OK());
      });
    }();
    if (outcome.ok()) return;
    Status failed(outcome.code(), "DBS.200434 restart failed: " + outcome.reason());
    store_->Transaction([&]() -> Status {
      store_->Exec(
          "UPDATE nodes SET status = 'abnormal', role = 'unknown', last_error = ? "
          "WHERE instance_id = ?",
          {outcome.reason(), row.id});
      store_->Exec(
          "UPDATE instances SET status = 'abnormal', actions = '[]', fail_reason = ?, "
          "updated = ? WHERE id = ?",
          {outcome.reason(), NowMillis(), row.id});
      return FinishJob(job_id, failed);
    });
  });
  return job_id;
}

StatusWith<std::string> InstanceManager::ResizeInstance(const std::string& project_id,
                                                        const std::string& id, const json& body) {
  DDS_ASSIGN_OR_RETURN(InstanceRow row, LoadInstance(project_id, id));
  auto resize = body.find("resize");
  if (resize == body.end() || !resize->is_object()) {
    return BadRequest("DBS.200001", "resize is required");
  }
  if (resize->contains("target_type") && !(*resize)["target_type"].is_null()) {
    return BadRequest("DBS.280327", "target_type is not valid for a " + row.mode + " instance");
  }
  auto target = resize->find("target_id");
  if (target == resize->end() || !target->is_string()) {
    return BadRequest("DBS.200001", "resize.target_id is required");
  }
  auto spec_code = resize->find("target_spec_code");
  if (spec_code == resize->end() || !spec_code->is_string() ||
      spec_code->get<std::string>().empty()) {
    return BadRequest("DBS.280239", "resize.target_spec_code is required");
  }
  if (target->get<std::string>() != row.id) {
    return NotFound("DBS.200013", "target_id is not this instance");
  }
  std::string code = *spec_code;
  const FlavorSpec* flavor = FindFlavor(*config_, code);
  if (flavor == nullptr) return Unprocessable("DBS.280239", "flavor '" + code + "' does not exist");
  if (flavor->type != "single") {
    return Unprocessable("DBS.280267", "flavor '" + code + "' does not fit a Single instance");
  }
  if (code == row.spec.value("spec_code", "")) {
    return BadRequest("DBS.200004", "target_spec_code equals the current flavor");
  }
  DDS_RETURN_IF_ERROR(BeginOperation(row, "RESIZE_FLAVOR", {"normal"}));
  auto job = NewJob(project_id, "ResizeMongoDBInstance", row);
  if (!job.ok()) {
    Release(row.id);
    return job.status();
  }
  std::string job_id = job.value();
  store_->Exec("UPDATE nodes SET status = 'resize_flavor' WHERE instance_id = ?", {row.id});
  RunJob(row.id, [this, row, code, job_id]() {
    Status outcome = [&]() -> Status {
      DDS_ASSIGN_OR_RETURN(auto nodes, LoadNodes(row.id));
      // The flavor is recorded and the node restarted under it; ddsd has no CPU/memory limit
      // flags yet, so the limits themselves are not enforced (docs/service.md).
      for (const NodeRow& n : nodes) {
        DDS_RETURN_IF_ERROR(StopNode(n));
        SetProgress(job_id, 30);
        DDS_RETURN_IF_ERROR(StartNode(n, job_id, 40, 90));
      }
      json spec = row.spec;
      spec["spec_code"] = code;
      for (json& f : spec["flavor"]) f["spec_code"] = code;
      return store_->Transaction([&]() -> Status {
        DDS_RETURN_IF_ERROR(
            store_->Exec("UPDATE nodes SET status = 'normal', spec_code = ? "
                         "WHERE instance_id = ?",
                         {code, row.id}));
        DDS_RETURN_IF_ERROR(
            store_->Exec("UPDATE instances SET status = 'normal', actions = '[]', "
                         "spec = ?, updated = ? WHERE id = ?",
                         {spec.dump(), NowMillis(), row.id}));
        return FinishJob(job_id, Status::OK());
      });
    }();
    if (outcome.ok()) return;
    store_->Transaction([&]() -> Status {
      store_->Exec(
          "UPDATE nodes SET status = 'abnormal', role = 'unknown', last_error = ? "
          "WHERE instance_id = ?",
          {outcome.reason(), row.id});
      store_->Exec(
          "UPDATE instances SET status = 'abnormal', actions = '[]', fail_reason = ? "
          "WHERE id = ?",
          {outcome.reason(), row.id});
      return FinishJob(job_id, outcome);
    });
  });
  return job_id;
}

Status InstanceManager::RenameInstance(const std::string& project_id, const std::string& id,
                                       const json& body) {
  DDS_ASSIGN_OR_RETURN(InstanceRow row, LoadInstance(project_id, id));
  auto name = body.find("new_instance_name");
  if (name == body.end() || !name->is_string() || !ValidInstanceName(*name)) {
    return BadRequest("DBS.280234",
                      "new_instance_name must be 4-64 characters: a letter, then letters, digits, "
                      "'-' or '_'");
  }
  if (row.status == "creating" || row.status == "createfail") return Busy(row.status, "rename");
  if (config_->unique_names) {
    DDS_ASSIGN_OR_RETURN(auto dup, store_->Query("SELECT 1 FROM instances WHERE project_id = ? "
                                                 "AND name = ? AND id <> ?",
                                                 {project_id, name->get<std::string>(), id}));
    if (!dup.empty()) return Conflict("DBS.200022", "instance name already exists");
  }
  return store_->Exec("UPDATE instances SET name = ?, updated = ? WHERE id = ?",
                      {name->get<std::string>(), NowMillis(), id});
}

Status InstanceManager::ResetPassword(const std::string& project_id, const std::string& id,
                                      const json& body) {
  DDS_ASSIGN_OR_RETURN(InstanceRow row, LoadInstance(project_id, id));
  auto pwd = body.find("user_pwd");
  if (pwd == body.end() || !pwd->is_string()) {
    return BadRequest("DBS.200001", "user_pwd is required");
  }
  DDS_RETURN_IF_ERROR(ValidateDbPassword(*pwd));
  std::string user = body.value("user_name", std::string("rwuser"));
  std::string db = body.value("db_name", std::string("admin"));
  if (body.contains("user_name") && !body["user_name"].is_string()) {
    return BadRequest("DBS.200001", "user_name must be a string");
  }
  if (user != "rwuser" || db != "admin") {
    return BadRequest("DBS.200824", "database account " + user + "@" + db + " does not exist");
  }
  DDS_ASSIGN_OR_RETURN(json users, MakeInitialUsers("rwuser", pwd->get<std::string>()));
  DDS_RETURN_IF_ERROR(BeginOperation(row, "RESET_PASSWORD", {"normal"}));
  Status outcome = [&]() -> Status {
    DDS_ASSIGN_OR_RETURN(auto nodes, LoadNodes(row.id));
    for (const NodeRow& n : nodes) {
      DDS_RETURN_IF_ERROR(WriteInitialUsers(n.dir, users));
      if (config_->instances_auth) {
        // The node reads its rwuser credentials at start: restart it so the new ones apply.
        DDS_RETURN_IF_ERROR(StopNode(n));
        DDS_RETURN_IF_ERROR(StartNode(n, "", 0, 0));
      }
    }
    return Status::OK();
  }();
  store_->Exec("UPDATE instances SET actions = '[]', updated = ? WHERE id = ?",
               {NowMillis(), row.id});
  Release(row.id);
  if (!outcome.ok()) {
    DDS_LOG_WARNING("SERVICE", 9205, "Password reset failed",
                    {{"instance", row.id}, {"reason", outcome.reason()}});
    return BadRequest("DBS.200077", "password change failed");
  }
  return Status::OK();
}

Status InstanceManager::EnlargeVolume(const std::string& project_id, const std::string& id,
                                      const json& body) {
  DDS_ASSIGN_OR_RETURN(InstanceRow row, LoadInstance(project_id, id));
  auto volume = body.find("volume");
  if (volume == body.end() || !volume->is_object()) {
    return BadRequest("DBS.200001", "volume is required");
  }
  bool present = false;
  std::optional<int64_t> size = LenientInt(*volume, "size", &present);
  if (!size) return BadRequest("DBS.200001", "volume.size is required (GB)");
  if (*size % 10 != 0) return BadRequest("DBS.200302", "volume.size must be a multiple of 10");
  if (*size <= row.spec.value("volume_size", 0)) {
    return BadRequest("DBS.200306", "volume.size must be larger than the current size");
  }
  if (*size > 1000) return Forbidden("DBS.200028", "storage would exceed its maximum (1000 GB)");
  if (row.status != "normal" || !row.actions.empty()) return Busy(row.status, "enlarge-volume");
  return NotImplementedApi(
      "ddsd cannot enforce a storage size limit yet, so enlarging the volume is not available");
}

StatusWith<json> InstanceManager::ShowJob(const std::string& project_id, const std::string& id) {
  DDS_ASSIGN_OR_RETURN(auto rows, store_->Query("SELECT id, name, status, created, ended, "
                                                "progress, instance_id, instance_name, "
                                                "fail_reason FROM jobs WHERE id = ? AND "
                                                "project_id = ?",
                                                {id, project_id}));
  if (rows.empty()) return BadRequest("DBS.280016", "The job does not exist.");
  const SqlRow& r = rows[0];
  bool running = r.Str(2) == "Running";
  return json{{"job",
               {{"id", r.Str(0)},
                {"name", r.Str(1)},
                {"status", r.Str(2)},
                {"created", FormatJobTime(r.Int(3))},
                {"ended", r.Int(4) ? FormatJobTime(r.Int(4)) : ""},
                {"progress", running ? r.Str(5) : ""},
                {"instance", {{"id", r.Str(6)}, {"name", r.Str(7)}}},
                {"fail_reason", r.Str(2) == "Failed" ? json(r.Str(8)) : json(nullptr)}}}};
}

StatusWith<json> InstanceManager::ListJobs(const std::string& project_id, const JobFilter& f) {
  std::string sql =
      "SELECT id, name, instance_id, instance_name, status, progress, fail_reason, created, ended "
      "FROM jobs WHERE project_id = ? AND created >= ? AND created <= ?";
  std::vector<SqlValue> params = {project_id, f.start_ms, f.end_ms};
  if (!f.status.empty()) {
    sql += " AND status = ?";
    params.emplace_back(f.status);
  }
  if (!f.id.empty()) {
    sql += " AND id = ?";
    params.emplace_back(f.id);
  }
  if (!f.name.empty()) {
    sql += " AND name = ?";
    params.emplace_back(f.name);
  }
  sql += " ORDER BY created DESC, rowid DESC";
  DDS_ASSIGN_OR_RETURN(auto rows, store_->Query(sql, params));
  json list = json::array();
  for (size_t i = static_cast<size_t>(f.offset);
       i < rows.size() && list.size() < static_cast<size_t>(f.limit); ++i) {
    const SqlRow& r = rows[i];
    bool running = r.Str(4) == "Running";
    list.push_back({{"id", r.Str(0)},
                    {"name", r.Str(1)},
                    {"instance_id", r.Str(2)},
                    {"instance_name", r.Str(3)},
                    {"status", r.Str(4)},
                    {"progress", running ? r.Str(5) : ""},
                    {"fail_reason", r.Str(4) == "Failed" ? json(r.Str(6)) : json(nullptr)},
                    {"created_at", FormatJobTime(r.Int(7))},
                    {"ended_at", r.Int(8) ? FormatJobTime(r.Int(8)) : ""}});
  }
  return json{{"jobs", list}, {"total_count", rows.size()}};
}

StatusWith<json> InstanceManager::Quotas(const std::string& project_id) {
  json resources = json::array();
  for (const char* mode : {"Sharding", "ReplicaSet", "Single"}) {
    DDS_ASSIGN_OR_RETURN(auto rows, store_->Query("SELECT COUNT(*) FROM instances WHERE "
                                                  "project_id = ? AND mode = ?",
                                                  {project_id, std::string(mode)}));
    auto it = config_->quotas.find(mode);
    resources.push_back({{"type", "instance"},
                         {"mode", mode},
                         {"quota", it == config_->quotas.end() ? 0 : it->second},
                         {"used", rows[0].Int(0)}});
  }
  return json{{"quotas", {{"resources", resources}}}};
}

// ---------------------------------------------------------------------------------------------
// Recovery and supervision.

Status InstanceManager::Recover() {
  int64_t now = NowMillis();
  DDS_ASSIGN_OR_RETURN(auto running, store_->Query("SELECT id FROM jobs WHERE status = 'Running'"));
  for (const auto& r : running) {
    DDS_LOG_WARNING("SERVICE", 9210, "Failing job interrupted by a service restart",
                    {{"job", r.Str(0)}});
  }
  DDS_RETURN_IF_ERROR(store_->Exec(
      "UPDATE jobs SET status = 'Failed', progress = '', ended = ?, fail_reason = 'The job was "
      "interrupted: dds-service stopped while it was running. Retry the operation.' WHERE "
      "status = 'Running'",
      {now}));
  DDS_ASSIGN_OR_RETURN(auto creating, store_->Query("SELECT id FROM instances WHERE status = "
                                                    "'creating'"));
  for (const auto& r : creating) {
    DDS_ASSIGN_OR_RETURN(auto nodes, LoadNodes(r.Str(0)));
    for (const NodeRow& n : nodes) StopNodeProcess(n.pid, n.port, kStopTimeoutMs);
  }
  DDS_RETURN_IF_ERROR(store_->Exec(
      "UPDATE instances SET status = 'createfail', fail_reason = 'creation was interrupted by a "
      "dds-service restart' WHERE status = 'creating'"));
  DDS_RETURN_IF_ERROR(store_->Exec("UPDATE instances SET actions = '[]' WHERE actions <> '[]'"));
  return store_->Exec(
      "UPDATE nodes SET status = 'normal' WHERE status IN ('reboot', "
      "'resize_flavor')");
}

void InstanceManager::StartSupervisor() {
  supervisor_ = std::thread([this]() {
    SetLogContext("supervisor");
    SupervisorLoop();
  });
}

bool InstanceManager::Shutdown(int timeout_ms) {
  stopping_.store(true);
  sup_cv_.notify_all();
  if (supervisor_.joinable()) supervisor_.join();
  std::unique_lock<std::mutex> lock(jobs_mu_);
  return jobs_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                           [&]() { return active_jobs_.load() == 0; });
}

void InstanceManager::SupervisorLoop() {
  int round = 0;
  while (!stopping_.load()) {
    auto rows =
        store_->Query(std::string("SELECT n.id, n.instance_id, n.name, n.type, n.status, "
                                  "n.role, n.port, n.pid, n.dir, n.spec_code, "
                                  "n.last_error, n.restarts, i.status FROM nodes n "
                                  "JOIN instances i ON i.id = n.instance_id WHERE "
                                  "i.status IN ('normal', 'abnormal')"));
    if (rows.ok()) {
      for (const auto& r : *rows) {
        if (stopping_.load()) break;
        NodeRow node = ToNode(r);
        std::string instance_status = r.Str(12);
        if (!TryAcquire(node.instance_id)) continue;
        SuperviseNode(node, instance_status);
        Release(node.instance_id);
        if (round % 30 == 0) {
          std::string used = DirSizeGb(node.dir + "/db");
          std::lock_guard<std::mutex> lock(mu_);
          used_gb_[node.id] = used;
        }
      }
    }
    ++round;
    std::unique_lock<std::mutex> lock(sup_mu_);
    sup_cv_.wait_for(lock, std::chrono::milliseconds(config_->supervisor_interval_ms),
                     [&]() { return stopping_.load(); });
  }
}

void InstanceManager::SuperviseNode(const NodeRow& node, const std::string& instance_status) {
  // Re-read: a job may have changed the node since the loop's query.
  auto fresh =
      store_->Query(std::string("SELECT ") + kNodeColumns + " FROM nodes WHERE id = ?", {node.id});
  auto inst =
      store_->Query("SELECT status, actions FROM instances WHERE id = ?", {node.instance_id});
  if (!fresh.ok() || fresh->empty() || !inst.ok() || inst->empty()) return;
  NodeRow n = ToNode((*fresh)[0]);
  std::string status = (*inst)[0].Str(0);
  if ((status != "normal" && status != "abnormal") || (*inst)[0].Str(1) != "[]") return;
  (void)instance_status;

  bool alive = NodeProcessAlive(n.pid, n.port);
  if (!alive) {
    // A previous dds-service may have started the node and died before recording its pid.
    pid_t orphan = FindNodeProcess(n.dir + "/db", n.port);
    if (orphan > 0) {
      store_->Exec("UPDATE nodes SET pid = ? WHERE id = ?", {static_cast<int64_t>(orphan), n.id});
      n.pid = orphan;
      alive = true;
    }
  }
  bool healthy = false;
  if (alive) {
    Status hello = WireHello(config_->instances_bind_ip, n.port, kHelloTimeoutMs);
    std::lock_guard<std::mutex> lock(mu_);
    if (hello.ok()) {
      hello_failures_.erase(n.id);
      healthy = true;
    } else if (++hello_failures_[n.id] >= 3) {
      // Running but not answering: treat it as hung.
      hello_failures_.erase(n.id);
      alive = false;
    } else {
      return;  // give it a few rounds
    }
  }
  if (healthy) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      restart_failures_.erase(n.id);
      next_restart_ms_.erase(n.id);
      if (adopted_logged_.insert(n.pid).second) {
        DDS_LOG_INFO("SERVICE", 9220, "Node is healthy",
                     {{"node", n.id}, {"pid", static_cast<int64_t>(n.pid)}, {"port", n.port}});
      }
    }
    if (status != "normal" || n.status != "normal") {
      store_->Transaction([&]() -> Status {
        store_->Exec(
            "UPDATE nodes SET status = 'normal', role = 'Primary', last_error = '' "
            "WHERE id = ?",
            {n.id});
        return store_->Exec(
            "UPDATE instances SET status = 'normal', fail_reason = '', "
            "updated = ? WHERE id = ?",
            {NowMillis(), n.instance_id});
      });
      DDS_LOG_INFO("SERVICE", 9221, "Instance is normal again", {{"instance", n.instance_id}});
    }
    return;
  }
  // Dead (or hung): mark abnormal, then restart with backoff.
  if (alive) StopNodeProcess(n.pid, n.port, kStopTimeoutMs);
  if (status == "normal" || n.status == "normal") {
    DDS_LOG_WARNING("SERVICE", 9222, "Node is down; instance marked abnormal",
                    {{"instance", n.instance_id}, {"node", n.id}});
    store_->Transaction([&]() -> Status {
      store_->Exec(
          "UPDATE nodes SET status = 'abnormal', role = 'unknown', last_error = "
          "'the node process is not running', pid = 0 WHERE id = ?",
          {n.id});
      return store_->Exec(
          "UPDATE instances SET status = 'abnormal', fail_reason = 'node down', "
          "updated = ? WHERE id = ?",
          {NowMillis(), n.instance_id});
    });
  }
  int64_t now = NowMillis();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = next_restart_ms_.find(n.id);
    if (it != next_restart_ms_.end() && now < it->second) return;
  }
  StatusWith<pid_t> started = StartNode(n, "", 0, 0);
  if (started.ok()) {
    store_->Transaction([&]() -> Status {
      store_->Exec(
          "UPDATE nodes SET status = 'normal', role = 'Primary', last_error = '', "
          "restarts = restarts + 1 WHERE id = ?",
          {n.id});
      return store_->Exec(
          "UPDATE instances SET status = 'normal', fail_reason = '', updated = ? "
          "WHERE id = ?",
          {NowMillis(), n.instance_id});
    });
    std::lock_guard<std::mutex> lock(mu_);
    restart_failures_.erase(n.id);
    next_restart_ms_.erase(n.id);
    DDS_LOG_INFO("SERVICE", 9223, "Node restarted by the supervisor",
                 {{"instance", n.instance_id}, {"node", n.id}});
    return;
  }
  std::string reason = started.status().reason();
  DDS_LOG_WARNING("SERVICE", 9224, "Node restart failed",
                  {{"instance", n.instance_id}, {"node", n.id}, {"reason", reason}});
  store_->Transaction([&]() -> Status {
    store_->Exec(
        "UPDATE nodes SET status = 'abnormal', role = 'unknown', last_error = ? WHERE "
        "id = ?",
        {reason, n.id});
    return store_->Exec("UPDATE instances SET status = 'abnormal', fail_reason = ? WHERE id = ?",
                        {reason, n.instance_id});
  });
  std::lock_guard<std::mutex> lock(mu_);
  int failures = ++restart_failures_[n.id];
  int64_t backoff = std::min<int64_t>(30000, 1000LL << std::min(failures, 5));
  next_restart_ms_[n.id] = NowMillis() + backoff;
}

}  // namespace dds::service
