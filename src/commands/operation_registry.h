// OperationRegistry: the commands in flight in this process, for currentOp and killOp, plus the
// slow-operation threshold the profile command sets (slowms).
//
// Dispatch registers every command for its duration (an RAII ScopedOperation). Registration keeps
// only a view of the command body, which the caller keeps alive until the operation ends;
// Snapshot() copies what it reports while holding the registry lock, so views stay valid.
// killOp marks an operation and interrupts its OperationControl (common/operation_control.h),
// which the thread running it has installed: index builds and scans stop at their next
// interruption point, and dispatch answers a killed operation with 11601 Interrupted whatever its
// handler returned. currentOp shows the progress the operation reports there.
// Thread-safe; one process-wide instance.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bson/document.h"
#include "common/operation_control.h"

namespace dds::commands {

struct ClientState;

// What currentOp reports about one operation.
struct OperationSnapshot {
  int32_t opid = 0;
  int64_t connection_id = 0;
  std::string client;
  std::string app_name;
  std::string op_type;  // "query", "insert", "update", "remove", "getmore", "command"
  std::string ns;
  bson::BsonDocument command;
  std::string lsid;  // raw UUID bytes or ""
  int64_t micros_running = 0;
  bool killed = false;
  std::optional<OperationControl::Progress> progress;
};

class OperationRegistry {
 public:
  // The process-wide registry.
  static OperationRegistry& Global();

  // Registers an operation; returns its opid, and its control in *control. REQUIRES: `body`
  // outlives the matching End().
  int32_t Begin(const ClientState& client, std::string_view command_name, std::string ns,
                const bson::BsonView& body, std::string lsid,
                std::shared_ptr<OperationControl>* control = nullptr);
  // Unregisters; returns true if the operation was killed meanwhile.
  bool End(int32_t opid);
  // Marks the operation killed; returns false if no such operation is running.
  bool Kill(int32_t opid);
  std::vector<OperationSnapshot> Snapshot() const;

  // Operations slower than this are logged (mongod's slowms). Default: 100.
  static int64_t slow_ms() { return slow_ms_.load(std::memory_order_relaxed); }
  static void set_slow_ms(int64_t ms) { slow_ms_.store(ms, std::memory_order_relaxed); }

 private:
  struct Entry;
  OperationRegistry();
  ~OperationRegistry();

  struct Impl;
  Impl* impl_;
  static std::atomic<int64_t> slow_ms_;
};

struct CommandContext;

// Returns the documents currentOp reports, one per running operation, in opid order (the
// source of the `currentOp` command and of an aggregate's `$currentOp` stage).
std::vector<bson::BsonDocument> CurrentOperationDocuments(const CommandContext& ctx);

// Registers an operation for the lifetime of the object, and installs its control on the
// constructing thread (which runs the operation) until End() or destruction.
class ScopedOperation {
 public:
  ScopedOperation(const ClientState& client, std::string_view command_name, std::string ns,
                  const bson::BsonView& body, std::string lsid)
      : opid_(OperationRegistry::Global().Begin(client, command_name, std::move(ns), body,
                                                std::move(lsid), &control_)) {
    control_scope_.emplace(control_.get());
  }
  ~ScopedOperation() {
    control_scope_.reset();
    if (!ended_) OperationRegistry::Global().End(opid_);
  }
  ScopedOperation(const ScopedOperation&) = delete;
  ScopedOperation& operator=(const ScopedOperation&) = delete;
  // Ends the operation now; returns true if it was killed while running.
  bool End() {
    control_scope_.reset();
    ended_ = true;
    return OperationRegistry::Global().End(opid_);
  }
  int32_t opid() const { return opid_; }

 private:
  std::shared_ptr<OperationControl> control_;
  int32_t opid_;
  bool ended_ = false;
  std::optional<ScopedOperationControl> control_scope_;
};

}  // namespace dds::commands
