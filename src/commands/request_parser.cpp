#include "commands/request_parser.h"

#include <algorithm>
#include <iterator>
#include <cmath>
#include <limits>

#include "bson/bson_types.h"

namespace dds::commands {

namespace {

using bson::BsonElement;
using bson::BsonType;

// mongod's generic_argument.idl (7.0) plus a few per-command fields every DDS command tolerates.
// Sorted for binary search.
constexpr std::string_view kGenericArguments[] = {
    "$audit",
    "$client",
    "$clusterTime",
    "$configServerState",
    "$configTime",
    "$db",
    "$gleStats",
    "$oplogQueryData",
    "$queryOptions",
    "$readPreference",
    "$replData",
    "$topologyTime",
    "allowImplicitCollectionCreation",
    "apiDeprecationErrors",
    "apiStrict",
    "apiVersion",
    "autocommit",
    "bypassDocumentValidation",
    "clientOperationKey",
    "comment",
    "coordinator",
    "databaseVersion",
    "help",
    "let",
    "lsid",
    "maxTimeMS",
    "maxTimeMSOpOnly",
    "mayBypassWriteBlocking",
    "readConcern",
    "readPreference",
    "recoveryToken",
    "shardVersion",
    "startTransaction",
    "stmtId",
    "stmtIds",
    "tracking_info",
    "txnNumber",
    "txnRetryCounter",
    "usesDefaultMaxTimeMS",
    "versionContext",
    "writeConcern",
};

constexpr std::initializer_list<BsonType> kSafeIntTypes = {BsonType::kInt64, BsonType::kInt32,
                                                            BsonType::kDecimal128,
                                                            BsonType::kDouble};
constexpr std::initializer_list<BsonType> kSafeBoolTypes = {
    BsonType::kBool, BsonType::kInt64, BsonType::kInt32, BsonType::kDecimal128, BsonType::kDouble};

bool TypeIn(BsonType t, std::initializer_list<BsonType> types) {
  return std::find(types.begin(), types.end(), t) != types.end();
}

}  // namespace

bool IsGenericArgument(std::string_view name) {
  return std::binary_search(std::begin(kGenericArguments), std::end(kGenericArguments), name);
}

Status WrongTypeError(std::string_view path, const BsonElement& e, std::string_view expected) {
  std::string msg = "BSON field '";
  msg += path;
  msg += "' is the wrong type '";
  msg += bson::TypeAlias(e.type());
  msg += expected.starts_with('[') ? "', expected types '" : "', expected type '";
  msg += expected;
  msg += "'";
  return Status(ErrorCode::kTypeMismatch, std::move(msg));
}

Status MissingFieldError(std::string_view path) {
  return Status(40414, "BSON field '" + std::string(path) + "' is missing but a required field");
}

Status UnknownFieldError(std::string_view path) {
  return Status(40415, "BSON field '" + std::string(path) + "' is an unknown field.");
}

Status DuplicateFieldError(std::string_view path) {
  return Status(40413, "BSON field '" + std::string(path) + "' is a duplicate field");
}

Status NegativeValueError(std::string_view field, std::string_view value) {
  return Status(51024, "BSON field '" + std::string(field) + "' value must be >= 0, actual value '" +
                           std::string(value) + "'");
}

std::string ExpectedTypes(std::initializer_list<BsonType> types) {
  if (types.size() == 1) return std::string(bson::TypeAlias(*types.begin()));
  std::string out = "[";
  bool first = true;
  for (BsonType t : types) {
    if (!first) out += ", ";
    first = false;
    out += bson::TypeAlias(t);
  }
  out += "]";
  return out;
}

int64_t SafeInt64(const BsonElement& e) {
  switch (e.type()) {
    case BsonType::kInt32: return e.Int32();
    case BsonType::kInt64: return e.Int64();
    default: break;
  }
  double d = e.NumberDouble();
  if (std::isnan(d)) return 0;
  if (d >= 9223372036854775807.0) return std::numeric_limits<int64_t>::max();
  if (d <= -9223372036854775808.0) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(d);
}

FieldParser::FieldParser(std::string context, const bson::BsonView& doc, Level level)
    : context_(std::move(context)), doc_(doc), level_(level) {}

std::string FieldParser::Path(std::string_view name) const {
  std::string p = context_;
  if (!p.empty()) p += '.';
  p += name;
  return p;
}

bool FieldParser::Taken(std::string_view name) const {
  return std::find(taken_.begin(), taken_.end(), name) != taken_.end();
}

BsonElement FieldParser::Take(std::string_view name) {
  BsonElement e = doc_.Get(name);
  if (!e.eoo() && !Taken(name)) taken_.push_back(e.field_name());
  return e;
}

StatusWith<BsonElement> FieldParser::TakeRequired(std::string_view name) {
  BsonElement e = Take(name);
  if (e.eoo()) return MissingFieldError(Path(name));
  return e;
}

namespace {

// Shared shape of every reader: take, handle absence, check type.
template <typename Fn>
Status ReadTyped(FieldParser& p, std::string_view name, std::initializer_list<BsonType> types,
                 Presence presence, Fn&& assign) {
  BsonElement e = p.Take(name);
  if (e.eoo()) {
    if (presence == Presence::kRequired) return MissingFieldError(p.Path(name));
    return Status::OK();
  }
  if (!TypeIn(e.type(), types)) return WrongTypeError(p.Path(name), e, ExpectedTypes(types));
  return assign(e);
}

}  // namespace

Status FieldParser::ReadBool(std::string_view name, bool* out, Presence presence) {
  return ReadTyped(*this, name, {BsonType::kBool}, presence, [&](const BsonElement& e) {
    *out = e.Bool();
    return Status::OK();
  });
}

Status FieldParser::ReadBool(std::string_view name, std::optional<bool>* out) {
  return ReadTyped(*this, name, {BsonType::kBool}, Presence::kOptional, [&](const BsonElement& e) {
    *out = e.Bool();
    return Status::OK();
  });
}

Status FieldParser::ReadSafeBool(std::string_view name, bool* out) {
  return ReadTyped(*this, name, kSafeBoolTypes, Presence::kOptional, [&](const BsonElement& e) {
    *out = e.TrueValue();
    return Status::OK();
  });
}

Status FieldParser::ReadSafeBool(std::string_view name, std::optional<bool>* out) {
  return ReadTyped(*this, name, kSafeBoolTypes, Presence::kOptional, [&](const BsonElement& e) {
    *out = e.TrueValue();
    return Status::OK();
  });
}

Status FieldParser::ReadInt64(std::string_view name, int64_t* out, Presence presence) {
  return ReadTyped(*this, name, kSafeIntTypes, presence, [&](const BsonElement& e) {
    *out = SafeInt64(e);
    return Status::OK();
  });
}

Status FieldParser::ReadInt64(std::string_view name, std::optional<int64_t>* out) {
  return ReadTyped(*this, name, kSafeIntTypes, Presence::kOptional, [&](const BsonElement& e) {
    *out = SafeInt64(e);
    return Status::OK();
  });
}

Status FieldParser::ReadNonNegativeInt64(std::string_view name, int64_t* out, Presence presence) {
  return ReadTyped(*this, name, kSafeIntTypes, presence, [&](const BsonElement& e) {
    int64_t v = SafeInt64(e);
    if (v < 0) return NegativeValueError(name, std::to_string(v));
    *out = v;
    return Status::OK();
  });
}

Status FieldParser::ReadNonNegativeInt64(std::string_view name, std::optional<int64_t>* out) {
  return ReadTyped(*this, name, kSafeIntTypes, Presence::kOptional, [&](const BsonElement& e) {
    int64_t v = SafeInt64(e);
    if (v < 0) return NegativeValueError(name, std::to_string(v));
    *out = v;
    return Status::OK();
  });
}

Status FieldParser::ReadStrictInt64(std::string_view name, int64_t* out, Presence presence) {
  return ReadTyped(*this, name, {BsonType::kInt64}, presence, [&](const BsonElement& e) {
    *out = e.Int64();
    return Status::OK();
  });
}

Status FieldParser::ReadString(std::string_view name, std::string* out, Presence presence) {
  return ReadTyped(*this, name, {BsonType::kString}, presence, [&](const BsonElement& e) {
    *out = std::string(e.String());
    return Status::OK();
  });
}

Status FieldParser::ReadString(std::string_view name, std::optional<std::string>* out) {
  return ReadTyped(*this, name, {BsonType::kString}, Presence::kOptional,
                   [&](const BsonElement& e) {
                     *out = std::string(e.String());
                     return Status::OK();
                   });
}

Status FieldParser::ReadObject(std::string_view name, bson::BsonView* out, Presence presence) {
  return ReadTyped(*this, name, {BsonType::kObject}, presence, [&](const BsonElement& e) {
    *out = e.Object();
    return Status::OK();
  });
}

Status FieldParser::ReadObject(std::string_view name, std::optional<bson::BsonView>* out) {
  return ReadTyped(*this, name, {BsonType::kObject}, Presence::kOptional,
                   [&](const BsonElement& e) {
                     *out = e.Object();
                     return Status::OK();
                   });
}

Status FieldParser::ReadArray(std::string_view name, bson::BsonView* out, Presence presence) {
  return ReadTyped(*this, name, {BsonType::kArray}, presence, [&](const BsonElement& e) {
    *out = e.Array();
    return Status::OK();
  });
}

Status FieldParser::ReadArray(std::string_view name, std::optional<bson::BsonView>* out) {
  return ReadTyped(*this, name, {BsonType::kArray}, Presence::kOptional, [&](const BsonElement& e) {
    *out = e.Array();
    return Status::OK();
  });
}

Status FieldParser::ReadAnyOf(std::string_view name, std::initializer_list<BsonType> types,
                              BsonElement* out, Presence presence) {
  return ReadTyped(*this, name, types, presence, [&](const BsonElement& e) {
    *out = e;
    return Status::OK();
  });
}

Status FieldParser::ReadCursorOption(std::optional<int64_t>* batch_size, bool* present) {
  bson::BsonView cursor;
  bool has = false;
  BsonElement e = doc_.Get("cursor");
  if (!e.eoo()) has = true;
  DDS_RETURN_IF_ERROR(ReadObject("cursor", &cursor));
  if (present) *present = has;
  if (!has) return Status::OK();
  FieldParser sub(Path("cursor"), cursor, kNested);
  DDS_RETURN_IF_ERROR(sub.ReadNonNegativeInt64("batchSize", batch_size));
  return sub.Finish();
}

Status FieldParser::Finish() const {
  std::vector<std::string_view> seen;
  bool first = true;
  for (const BsonElement& e : doc_) {
    std::string_view name = e.field_name();
    if (first && level_ == kCommand) {
      first = false;
      continue;
    }
    first = false;
    if (Taken(name)) {
      if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
        return DuplicateFieldError(Path(name));
      }
      seen.push_back(name);
      continue;
    }
    if (level_ == kCommand && IsGenericArgument(name)) continue;
    return UnknownFieldError(Path(name));
  }
  return Status::OK();
}

}  // namespace dds::commands
