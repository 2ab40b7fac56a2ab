// Request parsing and validation for instance operations (dds-api.md §3.1 P0-1, P0-5, P0-6,
// P0-7, P0-8): field rules, DDS error codes, and the numeric leniency of §1.3 (numbers accepted
// as JSON numbers or decimal strings).
//
// Pure functions over JSON; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "service/config.h"

namespace dds::service {

struct FlavorRequest {
  std::string type;
  int num = 0;
  std::string storage;
  int size_gb = 0;  // 0 for mongos
  std::string spec_code;
};

// A validated create-instance request.
struct CreateSpec {
  std::string name;
  std::string mode;
  std::string version;
  std::string storage_engine;
  std::string region;
  std::string availability_zone;
  std::string vpc_id, subnet_id, security_group_id;
  std::optional<int> port;
  std::optional<std::string> password;  // never stored
  std::vector<FlavorRequest> flavor;
  nlohmann::json backup_strategy;  // {start_time, keep_days (int)}
  std::string ssl_option = "1";
  nlohmann::json tags = nlohmann::json::array();
  std::string enterprise_project_id = "0";
};

// Reads an integer given as a JSON number or a decimal string (§1.3). nullopt when absent or
// malformed; `present` says whether the field was there at all.
std::optional<int64_t> LenientInt(const nlohmann::json& obj, const char* key, bool* present);

// Validates an instance name: 4-64 chars, a letter first, then letters, digits, '-' or '_'.
bool ValidInstanceName(const std::string& name);

// Validates a database password (P0-1 rule): 400 DBS.280200 (characters), DBS.200052 (classes,
// length), DBS.200068 (weak).
Status ValidateDbPassword(const std::string& password);

// Parses and validates a create-instance body in the order of §1.5.2 (400 before 422 before 501).
StatusWith<CreateSpec> ParseCreateInstance(const nlohmann::json& body, const ServiceConfig& config);

// Parses offset/limit query values (§1.4): offset >= 0 (400 DBS.280440), limit 1-100
// (400 DBS.280439). Leaves the defaults when absent.
Status ParsePagingParams(const std::optional<std::string>& offset,
                         const std::optional<std::string>& limit, int* offset_out, int* limit_out);

// Returns the flavor for `spec_code`, or nullptr.
const FlavorSpec* FindFlavor(const ServiceConfig& config, const std::string& spec_code);

}  // namespace dds::service
