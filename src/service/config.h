// ServiceConfig: everything dds-service can be configured with, loaded from an optional JSON file
// (--config) and then overridden by command-line flags. Each field states its default.
//
// A plain struct; built once at startup and then only read.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace dds::service {

// One flavor (dds-api.md §4.4): a spec_code for a node type and its CPU/memory.
struct FlavorSpec {
  std::string spec_code;
  std::string type;  // mongos | shard | config | replica | single
  std::string vcpus;
  std::string ram;  // GB
};

struct ServiceConfig {
  // Address of the HTTP listener. Default: 127.0.0.1:8080.
  std::string listen_host = "127.0.0.1";
  int listen_port = 8080;
  // Directory for metadata, instance data and secrets; created when missing. Default: ./dds-data.
  std::string data_dir = "./dds-data";
  // The ddsd binary. Default: "ddsd" beside the dds-service executable.
  std::string ddsd_path;
  // Node ports: `first_port` is tried first (0 = skip), then [port_low, port_high].
  // Default: 8635, then 8636-8735.
  int first_port = 8635;
  int port_low = 8636;
  int port_high = 8735;
  // Region and availability zones. Default: "local" and ["local"].
  std::string region = "local";
  std::vector<std::string> availability_zones = {"local"};
  // Start nodes with --auth and the rwuser initial-users file. Default: true.
  bool instances_auth = true;
  // Address nodes listen on and that clients are told (private_ip). Default: 127.0.0.1.
  std::string instances_bind_ip = "127.0.0.1";
  // How long a starting node may take to answer hello. Default: 20000 ms.
  int node_start_timeout_ms = 20000;
  // Instance quotas per mode. Default: 100 each.
  std::map<std::string, int> quotas = {{"Sharding", 100}, {"ReplicaSet", 100}, {"Single", 100}};
  // Reject names already used in the project (DBS.200022). Default: false (DDS allows duplicates).
  bool unique_names = false;
  // Largest request body. Default: 1 MiB.
  size_t max_body_bytes = 1 << 20;
  // Time allowed to receive one request (headers and body). Default: 30000 ms.
  int request_timeout_ms = 30000;
  // Idle keep-alive connections are closed after this. Default: 60000 ms.
  int idle_timeout_ms = 60000;
  // Graceful shutdown: answer 503 for at least drain_min_ms and until in-flight requests and jobs
  // end, at most drain_timeout_ms. Defaults: 0 and 15000 ms.
  int drain_min_ms = 0;
  int drain_timeout_ms = 15000;
  // HTTP worker threads. Default: 2.
  int http_threads = 2;
  // Token lifetime. Default: 86400 s (24 h).
  int token_lifetime_s = 86400;
  // Supervisor period. Default: 1000 ms.
  int supervisor_interval_ms = 1000;
  // Datastore versions offered. Default: 4.0, 4.2, 4.4, 5.0.
  std::vector<std::string> datastore_versions = {"4.0", "4.2", "4.4", "5.0"};
  // Flavors offered. Default: a small s6 series for every node type.
  std::vector<FlavorSpec> flavors;
};

// Returns the default flavor list.
std::vector<FlavorSpec> DefaultFlavors();

// Parses `[--config FILE] [--listen HOST:PORT] [--data-dir DIR] [--ddsd PATH]
// [--instance-ports LOW-HIGH]` (the file first, then flags). `argv0_dir` is the directory of the
// executable, for the default ddsd path. --help yields ErrorCode::kServiceNotFound-free BadValue.
StatusWith<ServiceConfig> LoadServiceConfig(int argc, char** argv, const std::string& argv0_dir);

// Applies the JSON text of a config file onto `config`.
Status ApplyConfigJson(const std::string& text, ServiceConfig* config);

// Parses "HOST:PORT".
Status ParseListen(const std::string& value, std::string* host, int* port);
// Parses "LOW-HIGH".
Status ParsePortRange(const std::string& value, int* low, int* high);

}  // namespace dds::service
