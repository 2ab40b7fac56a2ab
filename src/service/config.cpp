#include "service/config.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace dds::service {

std::vector<FlavorSpec> DefaultFlavors() {
  std::vector<FlavorSpec> out;
  struct Size {
    const char* name;
    const char* vcpus;
    const char* ram;
  };
  const Size sizes[] = {{"medium", "1", "4"}, {"large", "2", "8"}, {"xlarge", "4", "16"}};
  const std::pair<const char*, const char*> types[] = {{"mongos", "mongos"},
                                                       {"shard", "shard"},
                                                       {"config", "config"},
                                                       {"replica", "repset"},
                                                       {"single", "single"}};
  for (const auto& [type, suffix] : types) {
    for (const Size& s : sizes) {
      out.push_back(
          {std::string("dds.mongodb.s6.") + s.name + ".4." + suffix, type, s.vcpus, s.ram});
    }
  }
  return out;
}

Status ParseListen(const std::string& value, std::string* host, int* port) {
  size_t colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Status(ErrorCode::kBadValue, "--listen expects HOST:PORT, got '" + value + "'");
  }
  try {
    size_t used = 0;
    int p = std::stoi(value.substr(colon + 1), &used);
    if (used != value.size() - colon - 1 || p < 0 || p > 65535) throw std::out_of_range("port");
    *host = value.substr(0, colon);
    *port = p;
  } catch (const std::exception&) {
    return Status(ErrorCode::kBadValue, "bad port in '" + value + "'");
  }
  return Status::OK();
}

Status ParsePortRange(const std::string& value, int* low, int* high) {
  size_t dash = value.find('-');
  try {
    if (dash == std::string::npos) throw std::invalid_argument("no dash");
    int lo = std::stoi(value.substr(0, dash));
    int hi = std::stoi(value.substr(dash + 1));
    if (lo < 1 || hi > 65535 || lo > hi) throw std::out_of_range("range");
    *low = lo;
    *high = hi;
  } catch (const std::exception&) {
    return Status(ErrorCode::kBadValue, "--instance-ports expects LOW-HIGH, got '" + value + "'");
  }
  return Status::OK();
}

Status ApplyConfigJson(const std::string& text, ServiceConfig* c) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status(ErrorCode::kFailedToParse, "config file is not a JSON object");
  }
  try {
    if (j.contains("listen"))
      DDS_RETURN_IF_ERROR(ParseListen(j["listen"], &c->listen_host, &c->listen_port));
    if (j.contains("data_dir")) c->data_dir = j["data_dir"];
    if (j.contains("ddsd")) c->ddsd_path = j["ddsd"];
    if (j.contains("instance_ports")) {
      DDS_RETURN_IF_ERROR(ParsePortRange(j["instance_ports"], &c->port_low, &c->port_high));
    }
    if (j.contains("first_port")) c->first_port = j["first_port"];
    if (j.contains("region")) c->region = j["region"];
    if (j.contains("availability_zones")) {
      c->availability_zones = j["availability_zones"].get<std::vector<std::string>>();
    }
    if (j.contains("instances")) {
      const auto& in = j["instances"];
      if (in.contains("auth")) c->instances_auth = in["auth"];
      if (in.contains("bind_ip")) c->instances_bind_ip = in["bind_ip"];
      if (in.contains("start_timeout_ms")) c->node_start_timeout_ms = in["start_timeout_ms"];
      if (in.contains("unique_names")) c->unique_names = in["unique_names"];
    }
    if (j.contains("quotas")) {
      for (auto& [mode, n] : j["quotas"].items()) c->quotas[mode] = n.get<int>();
    }
    if (j.contains("http")) {
      const auto& h = j["http"];
      if (h.contains("max_body_bytes")) c->max_body_bytes = h["max_body_bytes"];
      if (h.contains("request_timeout_ms")) c->request_timeout_ms = h["request_timeout_ms"];
      if (h.contains("idle_timeout_ms")) c->idle_timeout_ms = h["idle_timeout_ms"];
      if (h.contains("drain_min_ms")) c->drain_min_ms = h["drain_min_ms"];
      if (h.contains("drain_timeout_ms")) c->drain_timeout_ms = h["drain_timeout_ms"];
      if (h.contains("threads")) c->http_threads = h["threads"];
    }
    if (j.contains("auth") && j["auth"].contains("token_lifetime_s")) {
      c->token_lifetime_s = j["auth"]["token_lifetime_s"];
    }
    if (j.contains("supervisor") && j["supervisor"].contains("interval_ms")) {
      c->supervisor_interval_ms = j["supervisor"]["interval_ms"];
    }
    if (j.contains("datastore_versions")) {
      c->datastore_versions = j["datastore_versions"].get<std::vector<std::string>>();
    }
    if (j.contains("flavors")) {
      c->flavors.clear();
      for (const auto& f : j["flavors"]) {
        c->flavors.push_back(
            {f.at("spec_code"), f.at("type"), f.value("vcpus", "1"), f.value("ram", "4")});
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return Status(ErrorCode::kBadValue, std::string("bad config value: ") + e.what());
  }
  return Status::OK();
}

StatusWith<ServiceConfig> LoadServiceConfig(int argc, char** argv, const std::string& argv0_dir) {
  ServiceConfig c;
  c.flavors = DefaultFlavors();
  std::map<std::string, std::string> flags;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    size_t eq = arg.find('=');
    if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (arg == "--help" || arg == "-h") {
      return Status(ErrorCode::kBadValue,
                    "usage: dds-service [--config FILE] [--listen HOST:PORT] [--data-dir DIR] "
                    "[--ddsd PATH] [--instance-ports LOW-HIGH]");
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return Status(ErrorCode::kBadValue, "missing value for " + arg);
    }
    if (arg != "--config" && arg != "--listen" && arg != "--data-dir" && arg != "--ddsd" &&
        arg != "--instance-ports") {
      return Status(ErrorCode::kBadValue, "unknown option " + arg);
    }
    flags[arg] = value;
  }
  if (flags.count("--config")) {
    std::ifstream in(flags["--config"]);
    if (!in) return Status(ErrorCode::kBadValue, "cannot read config file " + flags["--config"]);
    std::stringstream ss;
    ss << in.rdbuf();
    DDS_RETURN_IF_ERROR(ApplyConfigJson(ss.str(), &c));
  }
  if (flags.count("--listen")) {
    DDS_RETURN_IF_ERROR(ParseListen(flags["--listen"], &c.listen_host, &c.listen_port));
  }
  if (flags.count("--data-dir")) c.data_dir = flags["--data-dir"];
  if (flags.count("--ddsd")) c.ddsd_path = flags["--ddsd"];
  if (flags.count("--instance-ports")) {
    DDS_RETURN_IF_ERROR(ParsePortRange(flags["--instance-ports"], &c.port_low, &c.port_high));
  }
  if (c.ddsd_path.empty()) c.ddsd_path = argv0_dir + "/ddsd";
  if (c.flavors.empty()) c.flavors = DefaultFlavors();
  return c;
}

}  // namespace dds::service
