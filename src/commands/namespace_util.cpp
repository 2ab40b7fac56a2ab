#include "commands/namespace_util.h"

#include "bson/bson_types.h"

namespace dds::commands {

std::string MakeNamespace(std::string_view db, std::string_view coll) {
  std::string ns;
  ns.reserve(db.size() + 1 + coll.size());
  ns += db;
  ns += '.';
  ns += coll;
  return ns;
}

void SplitNamespace(std::string_view ns, std::string_view* db, std::string_view* coll) {
  size_t dot = ns.find('.');
  if (dot == std::string_view::npos) {
    *db = ns;
    *coll = std::string_view();
    return;
  }
  *db = ns.substr(0, dot);
  *coll = ns.substr(dot + 1);
}

Status ValidateDatabaseName(std::string_view db) {
  if (db.empty()) return Status(ErrorCode::kInvalidNamespace, "Invalid database name: ''");
  if (db.size() > kMaxDatabaseNameLength) {
    return Status(ErrorCode::kInvalidNamespace,
                  "db name must be at most 63 characters, found: " + std::to_string(db.size()));
  }
  for (char c : db) {
    switch (c) {
      case '/':
      case '\\':
      case '.':
      case '"':
      case '$':
      case '*':
      case '<':
      case '>':
      case ':':
      case '|':
      case '?':
      case ' ':
      case '\0': {
        std::string shown = c == '\0' ? std::string("\\0") : std::string(1, c);
        return Status(ErrorCode::kInvalidNamespace,
                      "'" + shown + "' is an invalid character in a db name: " + std::string(db));
      }
      default: break;
    }
  }
  return Status::OK();
}

Status ValidateCollectionName(std::string_view db, std::string_view coll) {
  if (coll.empty()) return Status(ErrorCode::kInvalidNamespace, "Collection names cannot be empty");
  if (coll.find('\0') != std::string_view::npos) {
    return Status(ErrorCode::kInvalidNamespace, "namespaces cannot have embedded null characters");
  }
  if (coll.front() == '.' || (coll.find('$') != std::string_view::npos && coll != "$cmd" &&
                              !coll.starts_with("$cmd."))) {
    return Status(ErrorCode::kInvalidNamespace, "Invalid collection name: " + std::string(coll));
  }
  if (db.size() + 1 + coll.size() > kMaxNamespaceLength) {
    return Status(ErrorCode::kInvalidNamespace,
                  "Fully qualified namespace is too long. Namespace: " + MakeNamespace(db, coll) +
                      " Max: " + std::to_string(kMaxNamespaceLength));
  }
  return Status::OK();
}

bool IsSystemCollection(std::string_view coll) { return coll.starts_with("system."); }

namespace {

bool IsUserSystemCollection(std::string_view coll) {
  return coll == "system.js" || coll == "system.profile" || coll == "system.views";
}

}  // namespace

Status ValidateUserCreatableCollection(std::string_view db, std::string_view coll) {
  DDS_RETURN_IF_ERROR(ValidateCollectionName(db, coll));
  if (IsSystemCollection(coll) && !IsUserSystemCollection(coll)) {
    return Status(ErrorCode::kInvalidNamespace,
                  "Invalid system namespace: " + MakeNamespace(db, coll));
  }
  return Status::OK();
}

Status ValidateUserWritableCollection(std::string_view db, std::string_view coll) {
  DDS_RETURN_IF_ERROR(ValidateCollectionName(db, coll));
  if (IsSystemCollection(coll) && coll != "system.js") {
    return Status(ErrorCode::kInvalidNamespace,
                  "cannot write to '" + MakeNamespace(db, coll) + "'");
  }
  return Status::OK();
}

StatusWith<std::string> CollectionNameFromCommand(std::string_view db, const bson::BsonView& cmd) {
  bson::BsonElement first = cmd.FirstElement();
  if (first.type() != bson::BsonType::kString) {
    return Status(ErrorCode::kInvalidNamespace,
                  "collection name has invalid type " + std::string(bson::TypeAlias(first.type())));
  }
  std::string_view coll = first.String();
  if (coll.empty() || !ValidateCollectionName(db, coll).ok()) {
    if (!coll.empty() && db.size() + 1 + coll.size() > kMaxNamespaceLength) {
      return ValidateCollectionName(db, coll);
    }
    return Status(ErrorCode::kInvalidNamespace,
                  "Invalid namespace specified '" + MakeNamespace(db, coll) + "'");
  }
  return std::string(coll);
}

Status ValidateFullNamespace(std::string_view ns) {
  std::string_view db, coll;
  SplitNamespace(ns, &db, &coll);
  if (!ValidateDatabaseName(db).ok() || !ValidateCollectionName(db, coll).ok()) {
    return Status(ErrorCode::kInvalidNamespace,
                  "Invalid namespace specified '" + std::string(ns) + "'");
  }
  return Status::OK();
}

}  // namespace dds::commands
