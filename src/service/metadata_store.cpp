#include "service/metadata_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

namespace dds::service {
namespace {

// Migration N (1-based) brings user_version from N-1 to N. Append only; never edit a shipped one.
constexpr const char* kMigrations[] = {
    // 1: identity, instances, nodes, jobs.
    R"sql(
CREATE TABLE domains (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created INTEGER NOT NULL);
CREATE TABLE projects (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, domain_id TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '', created INTEGER NOT NULL);
CREATE TABLE users (id TEXT PRIMARY KEY, name TEXT NOT NULL, domain_id TEXT NOT NULL,
  password_hash TEXT NOT NULL, password_salt TEXT NOT NULL, password_iterations INTEGER NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1, default_project_id TEXT, created INTEGER NOT NULL,
  UNIQUE(domain_id, name));
CREATE TABLE role_assignments (project_id TEXT NOT NULL, user_id TEXT NOT NULL,
  role_id TEXT NOT NULL, PRIMARY KEY (project_id, user_id, role_id));
CREATE TABLE credentials (access TEXT PRIMARY KEY, secret TEXT NOT NULL, user_id TEXT NOT NULL,
  project_id TEXT NOT NULL, description TEXT NOT NULL DEFAULT '', status TEXT NOT NULL,
  created INTEGER NOT NULL);
CREATE TABLE tokens (token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, project_id TEXT NOT NULL,
  methods TEXT NOT NULL, issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
CREATE INDEX tokens_by_user ON tokens(user_id);
CREATE TABLE instances (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, name TEXT NOT NULL,
  status TEXT NOT NULL, mode TEXT NOT NULL, port INTEGER NOT NULL, vpc_id TEXT NOT NULL,
  subnet_id TEXT NOT NULL, actions TEXT NOT NULL DEFAULT '[]', spec TEXT NOT NULL,
  fail_reason TEXT NOT NULL DEFAULT '', created INTEGER NOT NULL, updated INTEGER NOT NULL);
CREATE INDEX instances_by_project ON instances(project_id, created);
CREATE TABLE nodes (id TEXT PRIMARY KEY, instance_id TEXT NOT NULL, name TEXT NOT NULL,
  type TEXT NOT NULL, status TEXT NOT NULL, role TEXT NOT NULL, port INTEGER NOT NULL,
  pid INTEGER NOT NULL DEFAULT 0, dir TEXT NOT NULL, spec_code TEXT NOT NULL,
  last_error TEXT NOT NULL DEFAULT '', restarts INTEGER NOT NULL DEFAULT 0);
CREATE INDEX nodes_by_instance ON nodes(instance_id);
CREATE TABLE jobs (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, name TEXT NOT NULL,
  instance_id TEXT NOT NULL, instance_name TEXT NOT NULL, status TEXT NOT NULL,
  progress TEXT NOT NULL DEFAULT '', fail_reason TEXT NOT NULL DEFAULT '',
  created INTEGER NOT NULL, ended INTEGER NOT NULL DEFAULT 0);
CREATE INDEX jobs_by_project ON jobs(project_id, created);
)sql",
    // 2: covering index for listing (count and page without visiting rows).
    R"sql(
CREATE INDEX instances_page ON instances(project_id, created, id);
)sql",
};

Status SqlError(sqlite3* db, std::string_view what) {
  return Status(ErrorCode::kInternalError,
                std::string("sqlite: ") + std::string(what) + ": " + sqlite3_errmsg(db));
}

Status Bind(sqlite3* db, sqlite3_stmt* stmt, const std::vector<SqlValue>& params) {
  for (size_t i = 0; i < params.size(); ++i) {
    int idx = static_cast<int>(i + 1);
    int rc = SQLITE_OK;
    if (std::holds_alternative<std::nullptr_t>(params[i])) {
      rc = sqlite3_bind_null(stmt, idx);
    } else if (const int64_t* v = std::get_if<int64_t>(&params[i])) {
      rc = sqlite3_bind_int64(stmt, idx, *v);
    } else {
      const std::string& s = std::get<std::string>(params[i]);
      rc = sqlite3_bind_text(stmt, idx, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    }
    if (rc != SQLITE_OK) return SqlError(db, "bind");
  }
  return Status::OK();
}

}  // namespace

std::string SqlRow::Str(size_t i) const {
  if (const std::string* s = std::get_if<std::string>(&cols[i])) return *s;
  if (const int64_t* v = std::get_if<int64_t>(&cols[i])) return std::to_string(*v);
  return "";
}

int64_t SqlRow::Int(size_t i) const {
  if (const int64_t* v = std::get_if<int64_t>(&cols[i])) return *v;
  if (const std::string* s = std::get_if<std::string>(&cols[i])) {
    try {
      return std::stoll(*s);
    } catch (const std::exception&) {
      return 0;
    }
  }
  return 0;
}

StatusWith<std::unique_ptr<MetadataStore>> MetadataStore::Open(const std::string& path) {
  sqlite3* db = nullptr;
  // Tokens' hashes, password hashes and AK/SK secrets live here: owner-only (SQLite gives the
  // -wal and -shm files the database file's mode).
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::fchmod(fd, 0600);
    ::close(fd);
  }
  int rc =
      sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status s = Status(ErrorCode::kInternalError, "cannot open metadata database " + path + ": " +
                                                     (db ? sqlite3_errmsg(db) : "out of memory"));
    if (db) sqlite3_close(db);
    return s;
  }
  sqlite3_busy_timeout(db, 5000);
  std::unique_ptr<MetadataStore> store(new MetadataStore(db));
  DDS_RETURN_IF_ERROR(store->Exec("PRAGMA journal_mode=WAL"));
  DDS_RETURN_IF_ERROR(store->Exec("PRAGMA synchronous=NORMAL"));
  DDS_RETURN_IF_ERROR(store->Exec("PRAGMA foreign_keys=ON"));
  DDS_RETURN_IF_ERROR(store->Migrate());
  return store;
}

MetadataStore::~MetadataStore() { sqlite3_close(db_); }

Status MetadataStore::Exec(std::string_view sql, const std::vector<SqlValue>& params) {
  return Query(sql, params).status();
}

StatusWith<std::vector<SqlRow>> MetadataStore::Query(std::string_view sql,
                                                     const std::vector<SqlValue>& params) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
      SQLITE_OK) {
    return SqlError(db_, "prepare");
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> guard(stmt, sqlite3_finalize);
  DDS_RETURN_IF_ERROR(Bind(db_, stmt, params));
  std::vector<SqlRow> rows;
  while (true) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return SqlError(db_, "step");
    SqlRow row;
    int n = sqlite3_column_count(stmt);
    for (int i = 0; i < n; ++i) {
      switch (sqlite3_column_type(stmt, i)) {
        case SQLITE_NULL:
          row.cols.emplace_back(nullptr);
          break;
        case SQLITE_INTEGER:
          row.cols.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, i)));
          break;
        default: {
          const unsigned char* text = sqlite3_column_text(stmt, i);
          int len = sqlite3_column_bytes(stmt, i);
          row.cols.emplace_back(std::string(reinterpret_cast<const char*>(text), len));
        }
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

int64_t MetadataStore::Changes() {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  return sqlite3_changes(db_);
}

Status MetadataStore::Transaction(const std::function<Status()>& fn) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  DDS_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  Status s = fn();
  if (!s.ok()) {
    Exec("ROLLBACK");
    return s;
  }
  Status c = Exec("COMMIT");
  if (!c.ok()) Exec("ROLLBACK");
  return c;
}

int MetadataStore::SchemaVersion() {
  auto rows = Query("PRAGMA user_version");
  return rows.ok() && !rows->empty() ? static_cast<int>(rows->front().Int(0)) : 0;
}

Status MetadataStore::Migrate() {
  int version = SchemaVersion();
  constexpr int kLatest = static_cast<int>(sizeof(kMigrations) / sizeof(kMigrations[0]));
  if (version > kLatest) {
    return Status(ErrorCode::kInternalError, "metadata schema version " + std::to_string(version) +
                                                 " is newer than this dds-service (" +
                                                 std::to_string(kLatest) + ")");
  }
  for (int v = version; v < kLatest; ++v) {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    char* err = nullptr;
    std::string script = std::string("BEGIN;") + kMigrations[v] +
                         "PRAGMA user_version=" + std::to_string(v + 1) + ";COMMIT;";
    if (sqlite3_exec(db_, script.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown";
      sqlite3_free(err);
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return Status(ErrorCode::kInternalError,
                    "metadata migration " + std::to_string(v + 1) + " failed: " + msg);
    }
  }
  return Status::OK();
}

}  // namespace dds::service
