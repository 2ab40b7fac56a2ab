#include "service/instance_spec.h"

#include <algorithm>
#include <cctype>

#include "service/api_error.h"

namespace dds::service {
namespace {

using nlohmann::json;

Status Param(std::string_view msg) { return BadRequest("DBS.200001", msg); }

// Returns the string member `key`, or an error naming it when absent or not a non-empty string.
StatusWith<std::string> RequiredString(const json& obj, const char* key,
                                       std::string_view code = "DBS.200001") {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    return BadRequest(code, std::string(key) + " is required");
  }
  if (!it->is_string()) return BadRequest(code, std::string(key) + " must be a string");
  std::string v = *it;
  if (v.empty()) return BadRequest(code, std::string(key) + " must not be empty");
  if (v.size() > 128) return BadRequest(code, std::string(key) + " is too long");
  return v;
}

bool OnlyChars(const std::string& s, const std::string& extra) {
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || extra.find(c) != std::string::npos;
  });
}

Status ValidateTags(const json& tags) {
  if (!tags.is_array()) return BadRequest("DBS.280484", "tags must be an array");
  if (tags.size() > 20) return BadRequest("DBS.280484", "at most 20 tags");
  for (const json& t : tags) {
    if (!t.is_object() || !t.contains("key") || !t["key"].is_string()) {
      return BadRequest("DBS.280482", "each tag needs a string key");
    }
    std::string key = t["key"];
    if (key.empty() || key.size() > 36 || !OnlyChars(key, "-_")) {
      return BadRequest("DBS.280482", "invalid tag key");
    }
    if (!t.contains("value") || !t["value"].is_string()) {
      return BadRequest("DBS.280483", "each tag needs a string value");
    }
    std::string value = t["value"];
    if (value.size() > 43 || !OnlyChars(value, "-_")) {
      return BadRequest("DBS.280483", "invalid tag value");
    }
  }
  return Status::OK();
}

Status ValidateBackupStrategy(const json& b, json* out) {
  if (!b.is_object()) return BadRequest("DBS.280216", "backup_strategy must be an object");
  auto st = b.find("start_time");
  if (st == b.end() || !st->is_string()) {
    return BadRequest("DBS.280216", "backup_strategy.start_time is required");
  }
  std::string s = *st;
  // "hh:00-HH:00" with HH = hh + 1 (mod 24).
  bool ok = s.size() == 11 && s[2] == ':' && s[5] == '-' && s[8] == ':' && s[3] == '0' &&
            s[4] == '0' && s[9] == '0' && s[10] == '0' && std::isdigit(s[0]) &&
            std::isdigit(s[1]) && std::isdigit(s[6]) && std::isdigit(s[7]);
  if (ok) {
    int h1 = std::stoi(s.substr(0, 2));
    int h2 = std::stoi(s.substr(6, 2));
    ok = h1 < 24 && h2 < 24 && h2 == (h1 + 1) % 24;
  }
  if (!ok) return BadRequest("DBS.280216", "backup_strategy.start_time must be like 23:00-00:00");
  bool present = false;
  std::optional<int64_t> keep = LenientInt(b, "keep_days", &present);
  if (present && (!keep || *keep < 0 || *keep > 732)) {
    return BadRequest("DBS.280214", "backup_strategy.keep_days must be 0-732");
  }
  *out = {{"start_time", s}, {"keep_days", keep.value_or(7)}};
  return Status::OK();
}

}  // namespace

std::optional<int64_t> LenientInt(const json& obj, const char* key, bool* present) {
  auto it = obj.find(key);
  *present = it != obj.end() && !it->is_null();
  if (!*present) return std::nullopt;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_number_float()) {
    double d = *it;
    if (d == static_cast<double>(static_cast<int64_t>(d))) return static_cast<int64_t>(d);
    return std::nullopt;
  }
  if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    if (s.empty() || s.size() > 12) return std::nullopt;
    size_t i = (s[0] == '-') ? 1 : 0;
    if (i == s.size()) return std::nullopt;
    for (size_t k = i; k < s.size(); ++k) {
      if (!std::isdigit(static_cast<unsigned char>(s[k]))) return std::nullopt;
    }
    return std::stoll(s);
  }
  return std::nullopt;
}

bool ValidInstanceName(const std::string& name) {
  if (name.size() < 4 || name.size() > 64) return false;
  if (!std::isalpha(static_cast<unsigned char>(name[0]))) return false;
  return OnlyChars(name, "-_");
}

Status ValidateDbPassword(const std::string& pw) {
  static const std::string kSpecial = "~!@#%^*-_=+?()$";
  for (char c : pw) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && kSpecial.find(c) == std::string::npos) {
      return BadRequest("DBS.280200", "password contains invalid characters");
    }
  }
  bool upper = false, lower = false, digit = false, special = false;
  for (char c : pw) {
    unsigned char u = static_cast<unsigned char>(c);
    upper |= std::isupper(u) != 0;
    lower |= std::islower(u) != 0;
    digit |= std::isdigit(u) != 0;
    special |= kSpecial.find(c) != std::string::npos;
  }
  if (pw.size() < 8 || pw.size() > 32 || !upper || !lower || !digit || !special) {
    return BadRequest("DBS.200052",
                      "password must be 8-32 characters and combine upper case, lower case, "
                      "digits and special characters ~!@#%^*-_=+?()$");
  }
  static const char* kWeak[] = {"Password123!", "Passw0rd!",  "P@ssw0rd", "Admin@123",
                                "Abc@1234",     "Qwerty@123", "Root@123", "Huawei@123"};
  for (const char* weak : kWeak) {
    if (pw == weak) return BadRequest("DBS.200068", "password is too weak");
  }
  return Status::OK();
}

Status ParsePagingParams(const std::optional<std::string>& offset,
                         const std::optional<std::string>& limit, int* offset_out, int* limit_out) {
  bool present = false;
  if (offset) {
    std::optional<int64_t> v = LenientInt(json{{"v", *offset}}, "v", &present);
    if (!v || *v < 0 || *v > 1000000000) return BadRequest("DBS.280440", "invalid offset");
    *offset_out = static_cast<int>(*v);
  }
  if (limit) {
    std::optional<int64_t> v = LenientInt(json{{"v", *limit}}, "v", &present);
    if (!v || *v < 1 || *v > 100) return BadRequest("DBS.280439", "limit must be 1-100");
    *limit_out = static_cast<int>(*v);
  }
  return Status::OK();
}

const FlavorSpec* FindFlavor(const ServiceConfig& config, const std::string& spec_code) {
  for (const FlavorSpec& f : config.flavors) {
    if (f.spec_code == spec_code) return &f;
  }
  return nullptr;
}

StatusWith<CreateSpec> ParseCreateInstance(const json& body, const ServiceConfig& config) {
  CreateSpec spec;
  // Required fields, in the order of the P0-1 table.
  auto name_it = body.find("name");
  if (name_it == body.end() || !name_it->is_string()) {
    return BadRequest("DBS.280234", "name is required and must be a string");
  }
  spec.name = *name_it;
  if (!ValidInstanceName(spec.name)) {
    return BadRequest("DBS.280234",
                      "name must be 4-64 characters: a letter, then letters, digits, '-' or '_'");
  }
  auto ds = body.find("datastore");
  if (ds == body.end() || !ds->is_object()) return Param("datastore is required");
  DDS_ASSIGN_OR_RETURN(std::string ds_type, RequiredString(*ds, "type", "DBS.280235"));
  if (ds_type != "DDS-Community") {
    return NotFound("DBS.200042", "datastore type '" + ds_type + "' is not offered");
  }
  DDS_ASSIGN_OR_RETURN(spec.version, RequiredString(*ds, "version", "DBS.200041"));
  if (std::find(config.datastore_versions.begin(), config.datastore_versions.end(), spec.version) ==
      config.datastore_versions.end()) {
    return BadRequest("DBS.200041", "datastore version '" + spec.version + "' is not offered");
  }
  spec.storage_engine = "rocksDB";
  if (ds->contains("storage_engine")) {
    DDS_ASSIGN_OR_RETURN(spec.storage_engine, RequiredString(*ds, "storage_engine", "DBS.280122"));
    if (spec.storage_engine != "rocksDB" && spec.storage_engine != "wiredTiger") {
      return BadRequest("DBS.280122", "storage_engine must be rocksDB");
    }
  }
  DDS_ASSIGN_OR_RETURN(spec.region, RequiredString(body, "region", "DBS.200024"));
  if (spec.region != config.region) {
    return BadRequest("DBS.200024", "region '" + spec.region + "' is unknown");
  }
  DDS_ASSIGN_OR_RETURN(spec.availability_zone,
                       RequiredString(body, "availability_zone", "DBS.200025"));
  {
    std::string azs = spec.availability_zone;
    size_t pos = 0;
    while (true) {
      size_t comma = azs.find(',', pos);
      std::string az =
          azs.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      if (std::find(config.availability_zones.begin(), config.availability_zones.end(), az) ==
          config.availability_zones.end()) {
        return BadRequest("DBS.200025", "availability zone '" + az + "' is unknown");
      }
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
  }
  DDS_ASSIGN_OR_RETURN(spec.vpc_id, RequiredString(body, "vpc_id", "DBS.200048"));
  DDS_ASSIGN_OR_RETURN(spec.subnet_id, RequiredString(body, "subnet_id", "DBS.200049"));
  DDS_ASSIGN_OR_RETURN(spec.security_group_id,
                       RequiredString(body, "security_group_id", "DBS.200050"));
  bool present = false;
  std::optional<int64_t> port = LenientInt(body, "port", &present);
  if (present) {
    if (!port) return BadRequest("DBS.200059", "port must be an integer");
    bool in_range =
        (*port >= 2100 && *port <= 9500) || *port == 27017 || *port == 27018 || *port == 27019;
    if (!in_range) return BadRequest("DBS.200060", "port must be 2100-9500 or 27017-27019");
    spec.port = static_cast<int>(*port);
  }
  if (auto pw = body.find("password"); pw != body.end() && !pw->is_null()) {
    if (!pw->is_string()) return BadRequest("DBS.200052", "password must be a string");
    DDS_RETURN_IF_ERROR(ValidateDbPassword(*pw));
    spec.password = pw->get<std::string>();
  }
  auto mode = body.find("mode");
  if (mode == body.end() || !mode->is_string()) return BadRequest("DBS.280342", "mode is required");
  spec.mode = *mode;
  if (spec.mode != "Sharding" && spec.mode != "ReplicaSet" && spec.mode != "Single") {
    return BadRequest("DBS.280342", "mode must be Sharding, ReplicaSet or Single");
  }
  auto flavor = body.find("flavor");
  if (flavor == body.end() || !flavor->is_array() || flavor->empty() || flavor->size() > 3) {
    return Param("flavor must be a non-empty array");
  }
  for (const json& f : *flavor) {
    if (!f.is_object()) return Param("flavor entries must be objects");
    FlavorRequest fr;
    DDS_ASSIGN_OR_RETURN(fr.type, RequiredString(f, "type", "DBS.280327"));
    std::optional<int64_t> num = LenientInt(f, "num", &present);
    if (!num) return Param("flavor.num must be an integer");
    fr.num = static_cast<int>(*num);
    if (f.contains("storage") && !f["storage"].is_null()) {
      if (!f["storage"].is_string() || f["storage"] != "ULTRAHIGH") {
        return BadRequest("DBS.280241", "flavor.storage must be ULTRAHIGH");
      }
      fr.storage = "ULTRAHIGH";
    }
    std::optional<int64_t> size = LenientInt(f, "size", &present);
    if (fr.type != "mongos") {
      if (!size) return BadRequest("DBS.280242", "flavor.size is required (GB)");
      if (*size % 10 != 0) return BadRequest("DBS.200302", "flavor.size must be a multiple of 10");
      int max = fr.type == "single" ? 1000 : 2000;
      if (*size < 10 || *size > max || (fr.type == "config" && *size != 20)) {
        return BadRequest("DBS.280242", "flavor.size is out of range");
      }
      fr.size_gb = static_cast<int>(*size);
    }
    DDS_ASSIGN_OR_RETURN(fr.spec_code, RequiredString(f, "spec_code", "DBS.280239"));
    spec.flavor.push_back(fr);
  }
  // Flavor types must fit the mode.
  auto count = [&](const char* t) {
    return std::count_if(spec.flavor.begin(), spec.flavor.end(),
                         [&](const FlavorRequest& f) { return f.type == t; });
  };
  if (spec.mode == "Single") {
    if (spec.flavor.size() != 1 || count("single") != 1) {
      return BadRequest("DBS.280327", "a Single instance needs exactly one flavor of type single");
    }
    if (spec.flavor[0].num != 1) return Param("flavor.num must be 1 for single");
  } else if (spec.mode == "ReplicaSet") {
    if (spec.flavor.size() != 1 || count("replica") != 1) {
      return BadRequest("DBS.280327", "a ReplicaSet instance needs one flavor of type replica");
    }
    int n = spec.flavor[0].num;
    if (n != 1 && n != 3 && n != 5 && n != 7) return Param("replica num must be 3, 5 or 7");
  } else {
    if (spec.flavor.size() != 3 || count("mongos") != 1 || count("shard") != 1 ||
        count("config") != 1) {
      return BadRequest("DBS.280327", "Sharding needs one mongos, one shard and one config flavor");
    }
  }
  if (body.contains("backup_strategy") && !body["backup_strategy"].is_null()) {
    DDS_RETURN_IF_ERROR(ValidateBackupStrategy(body["backup_strategy"], &spec.backup_strategy));
  } else {
    spec.backup_strategy = {{"start_time", "00:00-01:00"}, {"keep_days", 7}};
  }
  if (body.contains("ssl_option") && !body["ssl_option"].is_null()) {
    const json& s = body["ssl_option"];
    if (!s.is_string() || (s != "0" && s != "1")) {
      return BadRequest("DBS.239011", "ssl_option must be \"0\" or \"1\"");
    }
    spec.ssl_option = s;
  }
  if (body.contains("tags") && !body["tags"].is_null()) {
    DDS_RETURN_IF_ERROR(ValidateTags(body["tags"]));
    spec.tags = body["tags"];
  }
  if (body.contains("enterprise_project_id") && body["enterprise_project_id"].is_string()) {
    spec.enterprise_project_id = body["enterprise_project_id"];
  }
  // Semantic fit (422): engine, flavors of this service.
  if (spec.storage_engine != "rocksDB") {
    return Unprocessable("DBS.280122", "storage_engine '" + spec.storage_engine +
                                           "' is not offered by this service; use rocksDB");
  }
  for (const FlavorRequest& fr : spec.flavor) {
    const FlavorSpec* f = FindFlavor(config, fr.spec_code);
    if (f == nullptr) {
      return Unprocessable("DBS.200053", "flavor '" + fr.spec_code + "' does not exist");
    }
    if (f->type != fr.type) {
      return Unprocessable("DBS.200054",
                           "flavor '" + fr.spec_code + "' is not for node type " + fr.type);
    }
  }
  if (body.contains("configurations") && !body["configurations"].is_null()) {
    const json& c = body["configurations"];
    if (!c.is_array()) return Param("configurations must be an array");
    if (!c.empty()) {
      return Unprocessable("DBS.200057", "parameter templates are not available on this service");
    }
  }
  // Cloud-only options and modes that need replication (501).
  for (const char* key : {"disk_encryption_id", "dss_pool_id", "server_group_policies"}) {
    if (body.contains(key) && !body[key].is_null()) {
      return NotImplementedApi(std::string(key) + " is a cloud-only option");
    }
  }
  if (body.contains("charge_info") && body["charge_info"].is_object()) {
    const json& ci = body["charge_info"];
    if (ci.contains("charge_mode") && ci["charge_mode"] == "prePaid") {
      return NotImplementedApi("yearly/monthly billing (prePaid) is cloud-only");
    }
  }
  if (spec.mode != "Single") {
    return NotImplementedApi("mode " + spec.mode +
                             " needs replication, which this service does not run yet; use "
                             "Single");
  }
  return spec;
}

}  // namespace dds::service
