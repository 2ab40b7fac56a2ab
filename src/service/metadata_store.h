// MetadataStore: the service's embedded SQLite database (accounts, projects, users, AK/SK pairs,
// tokens, instances, nodes, jobs) with versioned migrations (PRAGMA user_version).
//
// One connection guarded by a recursive mutex: every call is thread-safe, and Transaction() runs
// its callback atomically (BEGIN IMMEDIATE ... COMMIT, rolled back on a non-OK Status).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

struct sqlite3;

namespace dds::service {

using SqlValue = std::variant<std::nullptr_t, int64_t, std::string>;

// One result row; columns in SELECT order.
struct SqlRow {
  std::vector<SqlValue> cols;
  // Returns column `i` as text ("" for NULL; integers formatted).
  std::string Str(size_t i) const;
  // Returns column `i` as an integer (0 for NULL or non-numeric text).
  int64_t Int(size_t i) const;
  bool IsNull(size_t i) const { return std::holds_alternative<std::nullptr_t>(cols[i]); }
};

class MetadataStore {
 public:
  // Opens (creating) the database at `path` and applies pending migrations.
  static StatusWith<std::unique_ptr<MetadataStore>> Open(const std::string& path);
  ~MetadataStore();
  MetadataStore(const MetadataStore&) = delete;
  MetadataStore& operator=(const MetadataStore&) = delete;

  // Runs one statement. Returns InternalError on SQLite failures (constraint violations included).
  Status Exec(std::string_view sql, const std::vector<SqlValue>& params = {});
  // Runs one query and returns all rows.
  StatusWith<std::vector<SqlRow>> Query(std::string_view sql,
                                        const std::vector<SqlValue>& params = {});
  // Returns the number of rows changed by the last Exec on this thread's transaction.
  int64_t Changes();
  // Runs `fn` in one transaction; commits when it returns OK, rolls back otherwise.
  Status Transaction(const std::function<Status()>& fn);
  // Returns the schema version after migrations.
  int SchemaVersion();

 private:
  explicit MetadataStore(sqlite3* db) : db_(db) {}
  Status Migrate();

  std::recursive_mutex mu_;
  sqlite3* db_;
};

}  // namespace dds::service
