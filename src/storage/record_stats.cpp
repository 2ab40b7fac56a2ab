#include <cstring>
#include <mutex>

#include <rocksdb/db.h>
#include <rocksdb/merge_operator.h>

#include "storage/keyspace.h"
#include "storage/record_stats_internal.h"
#include "storage/status_internal.h"

namespace dds::storage {
namespace {

RecordStatsDelta Decode(const rocksdb::Slice& value) {
  RecordStatsDelta d;
  if (value.size() == 16) {
    std::memcpy(&d.count, value.data(), 8);
    std::memcpy(&d.bytes, value.data() + 8, 8);
  }
  return d;
}

class AddStatsOperator : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice& /*key*/, const rocksdb::Slice* existing_value,
             const rocksdb::Slice& value, std::string* new_value,
             rocksdb::Logger* /*logger*/) const override {
    RecordStatsDelta sum = existing_value ? Decode(*existing_value) : RecordStatsDelta();
    RecordStatsDelta add = Decode(value);
    sum.count += add.count;
    sum.bytes += add.bytes;
    *new_value = EncodeRecordStats(sum);
    return true;
  }
  const char* Name() const override { return "dds.RecordStatsAdd"; }
};

}  // namespace

std::shared_ptr<rocksdb::MergeOperator> NewRecordStatsMergeOperator() {
  return std::make_shared<AddStatsOperator>();
}

std::string EncodeRecordStats(const RecordStatsDelta& delta) {
  std::string out(16, '\0');
  std::memcpy(out.data(), &delta.count, 8);
  std::memcpy(out.data() + 8, &delta.bytes, 8);
  return out;
}

Status RecordStats::Load(rocksdb::DB* db) {
  std::unique_lock lock(mutex_);
  stats_.clear();
  std::string lower(1, static_cast<char>(Keyspace::kRecordStats));
  std::string upper(1, static_cast<char>(static_cast<uint8_t>(Keyspace::kRecordStats) + 1));
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = &upper_slice;
  options.total_order_seek = true;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(options));
  for (it->Seek(lower); it->Valid(); it->Next()) {
    if (it->key().size() != 9) continue;
    stats_[ReadBigEndian64(it->key().data() + 1)] = Decode(it->value());
  }
  return FromRocks(it->status());
}

void RecordStats::Apply(const std::map<uint64_t, RecordStatsDelta>& deltas) {
  std::unique_lock lock(mutex_);
  for (const auto& [id, delta] : deltas) {
    RecordStatsDelta& s = stats_[id];
    s.count += delta.count;
    s.bytes += delta.bytes;
  }
}

RecordStatsDelta RecordStats::Get(uint64_t collection_id) const {
  std::shared_lock lock(mutex_);
  auto it = stats_.find(collection_id);
  return it == stats_.end() ? RecordStatsDelta() : it->second;
}

}  // namespace dds::storage
