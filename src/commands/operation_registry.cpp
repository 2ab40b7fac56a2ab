#include "commands/operation_registry.h"

#include <algorithm>
#include <mutex>
#include <unordered_map>

#include "bson/bson.h"
#include "commands/dispatch.h"

namespace dds::commands {

namespace {

using Clock = std::chrono::steady_clock;

// Commands larger than this are shown as {$truncated: "<json prefix>"}, as mongod does.
constexpr int32_t kMaxReportedCommandBytes = 1024;

std::string_view OpType(std::string_view command_name) {
  if (command_name == "find") return "query";
  if (command_name == "insert") return "insert";
  if (command_name == "update") return "update";
  if (command_name == "delete") return "remove";
  if (command_name == "getMore") return "getmore";
  return "command";
}

}  // namespace

std::atomic<int64_t> OperationRegistry::slow_ms_{100};

struct OperationRegistry::Entry {
  int64_t connection_id;
  std::string client;
  std::string app_name;
  std::string_view op_type;
  std::string ns;
  bson::BsonView body;
  std::string lsid;
  Clock::time_point start;
  std::shared_ptr<OperationControl> control;
  bool killed = false;
};

struct OperationRegistry::Impl {
  mutable std::mutex mu;
  std::unordered_map<int32_t, Entry> ops;
  int32_t next_opid = 1;
};

OperationRegistry::OperationRegistry() : impl_(new Impl) {}
OperationRegistry::~OperationRegistry() { delete impl_; }

OperationRegistry& OperationRegistry::Global() {
  static OperationRegistry* registry = new OperationRegistry();  // never destroyed
  return *registry;
}

int32_t OperationRegistry::Begin(const ClientState& client, std::string_view command_name,
                                 std::string ns, const bson::BsonView& body, std::string lsid,
                                 std::shared_ptr<OperationControl>* control) {
  Entry e{client.connection_id, client.remote, client.app_name, OpType(command_name),
          std::move(ns),        body,          std::move(lsid), Clock::now(),
          std::make_shared<OperationControl>()};
  if (control != nullptr) *control = e.control;
  std::lock_guard<std::mutex> lock(impl_->mu);
  int32_t opid = impl_->next_opid++;
  if (impl_->next_opid <= 0) impl_->next_opid = 1;
  impl_->ops.emplace(opid, std::move(e));
  return opid;
}

bool OperationRegistry::End(int32_t opid) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->ops.find(opid);
  if (it == impl_->ops.end()) return false;
  bool killed = it->second.killed;
  impl_->ops.erase(it);
  return killed;
}

bool OperationRegistry::Kill(int32_t opid) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->ops.find(opid);
  if (it == impl_->ops.end()) return false;
  it->second.killed = true;
  it->second.control->Interrupt();
  return true;
}

std::vector<OperationSnapshot> OperationRegistry::Snapshot() const {
  std::vector<OperationSnapshot> out;
  Clock::time_point now = Clock::now();
  std::lock_guard<std::mutex> lock(impl_->mu);
  out.reserve(impl_->ops.size());
  for (const auto& [opid, e] : impl_->ops) {
    OperationSnapshot s;
    s.opid = opid;
    s.connection_id = e.connection_id;
    s.client = e.client;
    s.app_name = e.app_name;
    s.op_type = std::string(e.op_type);
    s.ns = e.ns;
    s.lsid = e.lsid;
    s.killed = e.killed;
    s.progress = e.control->progress();
    s.micros_running =
        std::chrono::duration_cast<std::chrono::microseconds>(now - e.start).count();
    if (e.body.size() <= kMaxReportedCommandBytes) {
      s.command = bson::BsonDocument(e.body);
    } else {
      std::string json = e.body.ToJson();
      if (json.size() > static_cast<size_t>(kMaxReportedCommandBytes)) {
        json.resize(kMaxReportedCommandBytes);
      }
      bson::BsonBuilder b;
      b.AppendString("$truncated", json);
      s.command = b.Done();
    }
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(),
            [](const OperationSnapshot& a, const OperationSnapshot& b) { return a.opid < b.opid; });
  return out;
}

}  // namespace dds::commands
