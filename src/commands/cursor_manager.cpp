#include "commands/cursor_manager.h"

#include <algorithm>
#include <mutex>
#include <random>
#include <unordered_map>
#include <vector>

#include "bson/bson.h"
#include "commands/command.h"
#include "commands/namespace_util.h"

namespace dds::commands {

namespace {

using Clock = std::chrono::steady_clock;

// Documents in a first batch when the client gives no batchSize (mongod kInitReplyBatchSize).
constexpr int64_t kDefaultFirstBatchSize = 101;
// Bytes of documents in one batch (mongod kMaxBytesToReturnToClientAtOnce).
constexpr size_t kMaxBatchBytes = static_cast<size_t>(bson::kMaxBsonObjectSize);
// How often BuildCursorReply reaps idle cursors by itself.
constexpr auto kLazyReapInterval = std::chrono::seconds(60);

struct Cursor {
  int64_t id = 0;
  std::string ns;
  std::string lsid;
  // The user authenticated when the cursor was created ("user@db"; "" without one): only that
  // user may getMore/kill it under --auth.
  std::string owner;
  std::unique_ptr<DocumentStream> stream;
  // A document read ahead (to learn whether the stream is exhausted, or that did not fit).
  std::optional<bson::BsonDocument> pending;
  int64_t limit = 0;
  int64_t returned = 0;
  bool no_timeout = false;
  bool in_use = false;
  bool killed = false;
  Clock::time_point last_used = Clock::now();
};

// Appends up to `max_docs` documents (nullopt: no count limit) of `c` into the open array of `b`
// within the byte cap. Returns whether the cursor is exhausted. With `look_ahead`, reads one more
// document so that a batch ending exactly at the end of the stream reports exhaustion.
StatusWith<bool> FillBatch(Cursor& c, std::optional<int64_t> max_docs, bool look_ahead,
                           bson::BsonBuilder& b) {
  int64_t n = 0;
  size_t bytes = 0;
  auto limit_reached = [&c] { return c.limit > 0 && c.returned >= c.limit; };
  while (true) {
    if (limit_reached()) return true;
    if (max_docs && n >= *max_docs) break;
    bson::BsonDocument doc;
    if (c.pending) {
      doc = std::move(*c.pending);
      c.pending.reset();
    } else {
      DDS_ASSIGN_OR_RETURN(bool has, c.stream->Next(&doc));
      if (!has) return true;
    }
    if (n > 0 && bytes + doc.bytes().size() > kMaxBatchBytes) {
      c.pending = std::move(doc);
      return false;
    }
    bytes += doc.bytes().size();
    b.AppendDocument(bson::IndexName(static_cast<size_t>(n)), doc.view());
    ++n;
    ++c.returned;
  }
  if (limit_reached()) return true;
  if (look_ahead && !c.pending) {
    bson::BsonDocument doc;
    DDS_ASSIGN_OR_RETURN(bool has, c.stream->Next(&doc));
    if (!has) return true;
    c.pending = std::move(doc);
  }
  return false;
}

std::string CursorNotFoundMessage(int64_t id) {
  return "cursor id " + std::to_string(id) + " not found";
}

}  // namespace

struct CursorManager::Impl {
  explicit Impl(std::chrono::milliseconds timeout) : idle_timeout(timeout), rng(std::random_device{}()) {}

  int64_t NewIdLocked() {
    while (true) {
      int64_t id = static_cast<int64_t>(rng() & 0x7fffffffffffffffULL);
      if (id != 0 && cursors.find(id) == cursors.end()) return id;
    }
  }

  mutable std::mutex mu;
  std::unordered_map<int64_t, std::shared_ptr<Cursor>> cursors;
  std::chrono::milliseconds idle_timeout;
  std::mt19937_64 rng;
  Clock::time_point last_reap = Clock::now();
};

CursorManager::CursorManager(std::chrono::milliseconds idle_timeout)
    : impl_(std::make_unique<Impl>(idle_timeout)) {}

CursorManager::~CursorManager() = default;

StatusWith<bson::BsonDocument> CursorManager::BuildCursorReply(
    CommandContext& ctx, std::string ns, std::unique_ptr<DocumentStream> stream,
    const CursorOptions& options) {
  bool reap_due;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    reap_due = Clock::now() - impl_->last_reap > kLazyReapInterval;
  }
  if (reap_due) ReapIdle();

  auto cursor = std::make_shared<Cursor>();
  cursor->ns = std::move(ns);
  cursor->lsid = ctx.lsid;
  if (ctx.client.auth.authenticated()) cursor->owner = ctx.client.auth.user()->ToString();
  cursor->stream = std::move(stream);
  cursor->limit = options.limit;
  cursor->no_timeout = options.no_cursor_timeout;

  int64_t first_batch = options.batch_size.value_or(kDefaultFirstBatchSize);
  // batchSize 0: an empty first batch and an open cursor, without touching the stream.
  bool look_ahead = first_batch > 0 && !options.single_batch;

  bson::BsonBuilder b;
  b.StartDocument("cursor");
  b.StartArray("firstBatch");
  DDS_ASSIGN_OR_RETURN(bool exhausted, FillBatch(*cursor, first_batch, look_ahead, b));
  b.End();
  if (options.single_batch) exhausted = true;

  int64_t id = 0;
  if (!exhausted) {
    std::lock_guard<std::mutex> lock(impl_->mu);
    id = impl_->NewIdLocked();
    cursor->id = id;
    cursor->last_used = Clock::now();
    impl_->cursors.emplace(id, cursor);
  }
  b.AppendInt64("id", id);
  b.AppendString("ns", cursor->ns);
  b.End();
  return b.Done();
}

StatusWith<bson::BsonDocument> CursorManager::GetMore(CommandContext& ctx, int64_t cursor_id,
                                                      std::string_view collection,
                                                      std::optional<int64_t> batch_size) {
  std::string requested_ns = MakeNamespace(ctx.db, collection);
  std::shared_ptr<Cursor> cursor;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    auto it = impl_->cursors.find(cursor_id);
    if (it == impl_->cursors.end()) {
      return Status(ErrorCode::kCursorNotFound, CursorNotFoundMessage(cursor_id));
    }
    cursor = it->second;
    if (cursor->ns != requested_ns) {
      return Status(ErrorCode::kUnauthorized,
                    "Requested getMore on namespace '" + requested_ns +
                        "', but cursor belongs to a different namespace " + cursor->ns);
    }
    if (cursor->in_use) {
      return Status(ErrorCode::kCursorInUse, "Cursor already in use (namespace: '" + cursor->ns +
                                                 "', id: " + std::to_string(cursor_id) + ").");
    }
    cursor->in_use = true;
  }

  // Iterate without the lock: other cursors stay usable meanwhile.
  std::optional<int64_t> max_docs;
  if (batch_size && *batch_size > 0) max_docs = batch_size;
  bson::BsonBuilder b;
  b.StartDocument("cursor");
  b.StartArray("nextBatch");
  StatusWith<bool> filled = FillBatch(*cursor, max_docs, /*look_ahead=*/true, b);
  b.End();

  std::shared_ptr<Cursor> to_destroy;
  bool killed = false;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    cursor->in_use = false;
    cursor->last_used = Clock::now();
    killed = cursor->killed;
    if (!filled.ok() || filled.value() || cursor->killed) {
      impl_->cursors.erase(cursor_id);
      to_destroy = std::move(cursor);
    }
  }
  if (!filled.ok()) return filled.status();
  if (killed) return Status(ErrorCode::kCursorNotFound, CursorNotFoundMessage(cursor_id));
  bool exhausted = filled.value();
  b.AppendInt64("id", exhausted ? 0 : cursor_id);
  b.AppendString("ns", to_destroy ? to_destroy->ns : cursor->ns);
  b.End();
  return b.Done();
}

std::optional<std::string> CursorManager::OwnerOf(int64_t cursor_id) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->cursors.find(cursor_id);
  if (it == impl_->cursors.end()) return std::nullopt;
  return it->second->owner;
}

bool CursorManager::Kill(int64_t cursor_id, std::string_view ns) {
  std::shared_ptr<Cursor> victim;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    auto it = impl_->cursors.find(cursor_id);
    if (it == impl_->cursors.end() || it->second->ns != ns) return false;
    if (it->second->in_use) {
      // The running getMore sees the flag and removes the cursor when it finishes.
      it->second->killed = true;
      return true;
    }
    victim = std::move(it->second);
    impl_->cursors.erase(it);
  }
  return true;
}

namespace {

template <typename Pred>
void KillMatching(std::mutex& mu, std::unordered_map<int64_t, std::shared_ptr<Cursor>>& cursors,
                  Pred pred) {
  std::vector<std::shared_ptr<Cursor>> victims;
  {
    std::lock_guard<std::mutex> lock(mu);
    for (auto it = cursors.begin(); it != cursors.end();) {
      if (!pred(*it->second)) {
        ++it;
        continue;
      }
      if (it->second->in_use) {
        it->second->killed = true;
        ++it;
        continue;
      }
      victims.push_back(std::move(it->second));
      it = cursors.erase(it);
    }
  }
  // Streams (and their storage snapshots) are released here, outside the lock.
}

}  // namespace

void CursorManager::KillForNamespace(std::string_view ns) {
  KillMatching(impl_->mu, impl_->cursors, [ns](const Cursor& c) { return c.ns == ns; });
}

void CursorManager::KillForDatabase(std::string_view db) {
  KillMatching(impl_->mu, impl_->cursors, [db](const Cursor& c) {
    return c.ns.size() > db.size() && c.ns.compare(0, db.size(), db) == 0 && c.ns[db.size()] == '.';
  });
}

void CursorManager::KillForSessions(const std::vector<std::string>& lsids) {
  KillMatching(impl_->mu, impl_->cursors, [&lsids](const Cursor& c) {
    return !c.lsid.empty() && std::find(lsids.begin(), lsids.end(), c.lsid) != lsids.end();
  });
}

void CursorManager::KillAll() {
  KillMatching(impl_->mu, impl_->cursors, [](const Cursor&) { return true; });
}

int CursorManager::ReapIdle() {
  Clock::time_point now = Clock::now();
  std::vector<std::shared_ptr<Cursor>> victims;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->last_reap = now;
    for (auto it = impl_->cursors.begin(); it != impl_->cursors.end();) {
      const Cursor& c = *it->second;
      if (!c.in_use && !c.no_timeout && now - c.last_used > impl_->idle_timeout) {
        victims.push_back(std::move(it->second));
        it = impl_->cursors.erase(it);
      } else {
        ++it;
      }
    }
  }
  return static_cast<int>(victims.size());
}

size_t CursorManager::open_count() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->cursors.size();
}

}  // namespace dds::commands
