// CursorManager: the registry of open server-side cursors (find, aggregate, listCollections,
// listIndexes ...), their batching rules (compat §2.6), ownership checks and the idle timeout.
//
// A command hands over a DocumentStream; BuildCursorReply() fills the first batch and, if
// documents remain, registers the stream under a random non-zero int64 id for getMore.
// Thread-safe: many connections use it at once; one cursor serves one getMore at a time
// (CursorInUse 143 otherwise).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bson/document.h"
#include "common/status.h"

namespace dds::commands {

struct CommandContext;

// A source of result documents that a cursor drains batch by batch.
class DocumentStream {
 public:
  virtual ~DocumentStream() = default;
  // Sets *out to the next document and returns true, or returns false at the end.
  // A non-OK Status ends the cursor with that error.
  virtual StatusWith<bool> Next(bson::BsonDocument* out) = 0;
};

// A stream over documents held in memory (listCollections, listIndexes, small results).
class VectorDocumentStream : public DocumentStream {
 public:
  explicit VectorDocumentStream(std::vector<bson::BsonDocument> docs) : docs_(std::move(docs)) {}
  StatusWith<bool> Next(bson::BsonDocument* out) override {
    if (pos_ >= docs_.size()) return false;
    *out = std::move(docs_[pos_++]);
    return true;
  }

 private:
  std::vector<bson::BsonDocument> docs_;
  size_t pos_ = 0;
};

struct CursorOptions {
  // Documents in the first batch (default 101); 0 gives an empty first batch.
  std::optional<int64_t> batch_size;
  // Total documents across all batches; 0 = unlimited.
  int64_t limit = 0;
  bool single_batch = false;
  bool no_cursor_timeout = false;
};

class CursorManager {
 public:
  // Cursors idle longer than this are closed (cursorTimeoutMillis). Default: 10 minutes.
  explicit CursorManager(std::chrono::milliseconds idle_timeout = std::chrono::minutes(10));
  ~CursorManager();

  // Returns {cursor: {firstBatch: [...], id: int64, ns}} for `stream`, registering it if more
  // documents remain (and the limit is not reached).
  StatusWith<bson::BsonDocument> BuildCursorReply(CommandContext& ctx, std::string ns,
                                                  std::unique_ptr<DocumentStream> stream,
                                                  const CursorOptions& options);

  // Runs the getMore command (request already parsed by the handler).
  StatusWith<bson::BsonDocument> GetMore(CommandContext& ctx, int64_t cursor_id,
                                         std::string_view collection,
                                         std::optional<int64_t> batch_size);

  // Returns the user ("user@db", "" for none) that created the cursor, or nullopt when there is
  // no such cursor.
  std::optional<std::string> OwnerOf(int64_t cursor_id) const;

  // Kills the given cursor if it belongs to `ns`; returns true if it existed.
  bool Kill(int64_t cursor_id, std::string_view ns);
  // Kills every cursor whose namespace is `ns`, or that is in database `db` (drop/rename).
  void KillForNamespace(std::string_view ns);
  void KillForDatabase(std::string_view db);
  // Kills every cursor created under one of the sessions (raw lsid.id bytes) (killSessions).
  void KillForSessions(const std::vector<std::string>& lsids);
  // Kills every cursor (killAllSessions with no pattern).
  void KillAll();
  // Closes cursors idle longer than the timeout; returns how many. Called periodically.
  int ReapIdle();
  size_t open_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dds::commands
