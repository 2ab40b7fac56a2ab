#include "index/index_spec.h"

#include <cmath>

namespace dds::index {
namespace {

using bson::BsonElement;
using bson::BsonType;

constexpr size_t kMaxKeyFields = 32;
// expireAfterSeconds must lie in [0, 2^31 - 1] (mongod 7.0).
constexpr int64_t kMaxExpireAfterSeconds = 2147483647;

Status KeyValueError(const BsonElement& e) {
  return Status(ErrorCode::kCannotCreateIndex,
                "Values in v:2 index key pattern cannot be of type " +
                    std::string(bson::TypeAlias(e.type())) +
                    ". Only numbers > 0, numbers < 0, and strings are allowed.");
}

}  // namespace

bool IndexInfo::hashed() const {
  for (const KeyField& f : fields) {
    if (f.kind == KeyKind::kHashed) return true;
  }
  return false;
}

StatusWith<IndexInfo> ParseIndexInfo(const storage::IndexDescriptor& index) {
  IndexInfo info;
  info.name = index.name;
  info.index_id = index.index_id;
  info.building = index.building;
  info.multikey = index.multikey;
  info.tuple_keys = index.tuple_keys;
  bson::BsonView spec = index.spec.view();
  BsonElement key = spec["key"];
  if (!key.IsObject()) return Status(ErrorCode::kBadValue, "index spec without a key pattern");
  info.key_pattern = bson::BsonDocument(key.Object());
  for (const BsonElement& e : key.Object()) {
    KeyField f;
    f.path = std::string(e.field_name());
    if (e.IsNumber()) {
      f.kind = e.NumberDouble() < 0 ? KeyKind::kDescending : KeyKind::kAscending;
    } else if (e.IsString() && e.String() == "hashed") {
      f.kind = KeyKind::kHashed;
    } else {
      return Status(ErrorCode::kBadValue, "unsupported index key " + key.Object().ToShellString());
    }
    info.fields.push_back(std::move(f));
  }
  if (info.fields.empty()) return Status(ErrorCode::kBadValue, "empty key pattern");
  info.unique = index.index_id == 0 || spec["unique"].TrueValue();
  info.prepare_unique = spec["prepareUnique"].TrueValue();
  info.sparse = spec["sparse"].TrueValue();
  info.hidden = spec["hidden"].TrueValue();
  BsonElement partial = spec["partialFilterExpression"];
  if (partial.IsObject()) info.partial_filter = bson::BsonDocument(partial.Object());
  BsonElement expire = spec["expireAfterSeconds"];
  if (expire.IsNumber()) {
    double v = expire.NumberDouble();
    if (std::isfinite(v)) info.expire_after_seconds = static_cast<int64_t>(v);
  }
  return info;
}

Status ValidateIndexSpec(const bson::BsonView& spec) {
  bson::BsonView key = spec["key"].Object();
  size_t n = 0, hashed = 0;
  for (const BsonElement& e : key) {
    ++n;
    if (e.field_name().empty()) {
      return Status(ErrorCode::kCannotCreateIndex, "Index keys cannot be an empty field.");
    }
    if (e.IsNumber()) {
      double v = e.NumberDouble();
      if (v == 0 || std::isnan(v)) {
        return Status(ErrorCode::kCannotCreateIndex,
                      "Values in the index key pattern can't be 0 or NaN: " + key.ToShellString());
      }
      if (e.field_name().find("$**") != std::string_view::npos) {
        return Status(ErrorCode::kNotImplemented, "wildcard indexes are not supported yet");
      }
      continue;
    }
    if (!e.IsString()) return KeyValueError(e);
    std::string_view plugin = e.String();
    if (plugin == "hashed") {
      ++hashed;
      continue;
    }
    if (plugin == "text" || plugin == "2dsphere" || plugin == "2d" || plugin == "geoHaystack") {
      return Status(ErrorCode::kNotImplemented,
                    std::string(plugin) + " indexes are not supported yet");
    }
    return Status(ErrorCode::kCannotCreateIndex,
                  "Unknown index plugin '" + std::string(plugin) + "'");
  }
  if (n > kMaxKeyFields) {
    return Status(13103, "too many fields in index key pattern " + key.ToShellString());
  }
  if (hashed > 1) {
    return Status(31303, "A maximum of one index field is allowed to be hashed but found " +
                             std::to_string(hashed) + " for 'key' " + key.ToShellString());
  }
  if (hashed > 0 && spec["unique"].TrueValue()) {
    return Status(16764,
                  "Currently hashed indexes cannot guarantee uniqueness. Use a regular index.");
  }
  BsonElement expire = spec["expireAfterSeconds"];
  if (!expire.eoo()) {
    if (!expire.IsNumber()) {
      return Status(ErrorCode::kCannotCreateIndex,
                    "TTL index 'expireAfterSeconds' option must be numeric, but received a type "
                    "of '" + std::string(bson::TypeAlias(expire.type())) +
                        "'. Index spec: " + spec.ToShellString());
    }
    double v = expire.NumberDouble();
    if (!(v >= 0 && v <= static_cast<double>(kMaxExpireAfterSeconds))) {
      return Status(ErrorCode::kCannotCreateIndex,
                    "TTL index 'expireAfterSeconds' option must be within an acceptable range, "
                    "try a lower number. Index spec: " + spec.ToShellString());
    }
    if (n != 1) {
      return Status(ErrorCode::kCannotCreateIndex,
                    "TTL indexes are single-field indexes, compound indexes do not support TTL. "
                    "Index spec: " + spec.ToShellString());
    }
  }
  BsonElement partial = spec["partialFilterExpression"];
  if (!partial.eoo() && !partial.IsObject()) {
    return Status(ErrorCode::kTypeMismatch, "partialFilterExpression must be a document");
  }
  if (!partial.eoo() && spec["sparse"].TrueValue()) {
    return Status(ErrorCode::kCannotCreateIndex,
                  "cannot mix \"partialFilterExpression\" and \"sparse\" options");
  }
  return Status::OK();
}

std::string DefaultIndexName(const bson::BsonView& key_pattern) {
  std::string name;
  for (const BsonElement& e : key_pattern) {
    if (!name.empty()) name += "_";
    name += e.field_name();
    name += "_";
    if (e.IsString()) {
      name += e.String();
    } else if (e.IsNumber()) {
      double v = e.NumberDouble();
      name += v == std::trunc(v) ? std::to_string(static_cast<int64_t>(v)) : e.ValueToJson();
    } else {
      name += e.ValueToJson();
    }
  }
  return name;
}

}  // namespace dds::index
