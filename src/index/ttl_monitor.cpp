#include "index/ttl_monitor.h"

#include <limits>
#include <vector>

#include "common/logging.h"
#include "index/index_access_method.h"
#include "index/index_maintenance.h"

namespace dds::index {
namespace {

constexpr size_t kDeleteBatch = 500;

bson::BsonDocument DateHolder(int64_t ms) {
  bson::BsonBuilder b;
  b.AppendDate("", ms);
  return b.Done();
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Returns whether some key of `doc` in the index is a date at or before `cutoff_ms`.
bool Expired(const IndexAccessMethod& method, const bson::BsonView& doc, int64_t cutoff_ms) {
  KeySet keys;
  if (!method.GetKeys(doc, &keys).ok()) return false;
  for (const IndexKey& k : keys.keys) {
    const bson::BsonElement& v = k.values[0];
    if (v.type() == bson::BsonType::kDate && v.Date() <= cutoff_ms) return true;
  }
  return false;
}

StatusWith<int64_t> DeleteExpired(storage::Engine& engine, const storage::CollectionDescriptor& coll,
                                  const storage::IndexDescriptor& index, int64_t now_ms) {
  DDS_ASSIGN_OR_RETURN(std::shared_ptr<const IndexAccessMethod> method, GetAccessMethod(index));
  const IndexInfo& info = method->info();
  if (!info.expire_after_seconds || info.fields.size() != 1 ||
      info.fields[0].kind == KeyKind::kHashed) {
    return int64_t{0};
  }
  int64_t cutoff = now_ms - *info.expire_after_seconds * 1000;
  bson::BsonDocument lo = DateHolder(std::numeric_limits<int64_t>::min());
  bson::BsonDocument hi = DateHolder(cutoff);
  KeyRange range;
  range.low = EncodeKeyTuple(info, {lo.view().FirstElement()});
  range.high = EncodeKeyTuple(info, {hi.view().FirstElement()});
  if (info.fields[0].kind == KeyKind::kDescending) std::swap(range.low, range.high);

  std::vector<bson::BsonDocument> ids;
  {
    std::unique_ptr<storage::ReadUnit> read = engine.BeginRead();
    auto cursor = method->Scan(
        [&](std::string lower, std::string upper, bool forward) {
          return read->ScanRaw(std::move(lower), std::move(upper), forward);
        },
        {range}, true);
    while (cursor->Next()) {
      bson::BsonBuilder b;
      b.AppendElementAs("", cursor->id());
      ids.push_back(b.Done());
    }
    DDS_RETURN_IF_ERROR(cursor->status());
  }
  int64_t deleted = 0;
  for (size_t start = 0; start < ids.size(); start += kDeleteBatch) {
    std::unique_ptr<storage::WriteUnit> unit = engine.BeginWrite();
    int64_t in_batch = 0;
    for (size_t i = start; i < ids.size() && i < start + kDeleteBatch; ++i) {
      bson::BsonElement id = ids[i].view().FirstElement();
      DDS_ASSIGN_OR_RETURN(std::optional<bson::BsonDocument> doc,
                           unit->GetRecordForUpdate(coll.id, id));
      if (!doc || !Expired(*method, doc->view(), cutoff)) continue;  // changed since the scan
      DDS_RETURN_IF_ERROR(OnDelete(unit.get(), coll, id, doc->view()));
      DDS_RETURN_IF_ERROR(unit->DeleteRecord(coll.id, id));
      ++in_batch;
    }
    DDS_RETURN_IF_ERROR(unit->Commit(false));
    deleted += in_batch;
  }
  return deleted;
}

}  // namespace

TtlMonitor::TtlMonitor(storage::Engine& engine, std::chrono::milliseconds interval)
    : engine_(engine), interval_(interval) {}

TtlMonitor::~TtlMonitor() { Stop(); }

void TtlMonitor::Start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void TtlMonitor::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void TtlMonitor::Loop() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    if (cv_.wait_for(lock, interval_, [this] { return stop_; })) break;
    lock.unlock();
    StatusWith<int64_t> n = RunOnce(NowMs());
    if (!n.ok()) {
      DDS_LOG_WARNING("INDEX", 22537, "TTL monitor pass failed",
                      {{"error", n.status().ToString()}});
    }
    lock.lock();
  }
}

StatusWith<int64_t> TtlMonitor::RunOnce(int64_t now_ms) {
  int64_t total = 0;
  storage::Catalog& catalog = engine_.catalog();
  for (const std::string& db : catalog.ListDatabases()) {
    for (const storage::CollectionPtr& coll : catalog.ListCollections(db)) {
      for (const storage::IndexDescriptor& index : coll->indexes) {
        if (index.index_id == 0 || index.building) continue;
        if (!index.spec.view()["expireAfterSeconds"].IsNumber()) continue;
        DDS_ASSIGN_OR_RETURN(int64_t n, DeleteExpired(engine_, *coll, index, now_ms));
        total += n;
      }
    }
  }
  std::lock_guard lock(mutex_);
  deleted_ += total;
  ++passes_;
  return total;
}

int64_t TtlMonitor::deleted_documents() const {
  std::lock_guard lock(mutex_);
  return deleted_;
}

int64_t TtlMonitor::passes() const {
  std::lock_guard lock(mutex_);
  return passes_;
}

}  // namespace dds::index
