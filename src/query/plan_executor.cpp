#include "query/plan_executor.h"

#include <algorithm>
#include <utility>

#include "common/operation_control.h"
#include "query/index_usage.h"
#include "storage/engine.h"

namespace dds::query {

namespace {

using bson::BsonDocument;
using bson::BsonElement;
using bson::BsonType;
using bson::BsonView;

// Per-item bookkeeping counted against the sort memory limit (vector slot, key, strings).
constexpr int64_t kSortItemOverheadBytes = 96;
// How often (in examined documents) the deadline and killOp are checked.
constexpr int64_t kDeadlineCheckInterval = 128;

}  // namespace

PlanExecutor::PlanExecutor(storage::Engine& engine, storage::CollectionPtr coll, PlanSpec spec)
    : engine_(engine), coll_(std::move(coll)), spec_(std::move(spec)) {
  if (spec_.projection && spec_.projection->is_identity()) spec_.projection.reset();
  if (spec_.sort && spec_.sort->empty()) spec_.sort.reset();
  details_.Reset();
}

PlanExecutor::~PlanExecutor() = default;

std::optional<BsonElement> PlanExecutor::IdPointLookupValue(const BsonView& filter) {
  auto it = filter.begin();
  if (it == filter.end()) return std::nullopt;
  BsonElement e = *it;
  if (e.field_name() != "_id") return std::nullopt;
  ++it;
  if (it != filter.end()) return std::nullopt;
  switch (e.type()) {
    case BsonType::kObject:     // operators ({$gt: ...}) or embedded-document equality
    case BsonType::kArray:      // matches arrays and elements
    case BsonType::kRegex:      // pattern match
    case BsonType::kNull:       // matches null and undefined
    case BsonType::kUndefined:  // not a valid query value
      return std::nullopt;
    default:
      return e;
  }
}

void PlanExecutor::RecordUse() const {
  if (spec_.id_lookup) {
    RecordIndexUse(coll_->id, 0);  // mongod's IDHACK counts as a use of _id_
  } else if (spec_.plan && spec_.plan->kind != QueryPlan::Kind::kCollScan) {
    RecordPlanUse(*spec_.plan);
  } else {
    RecordCollectionScan(coll_->id);
  }
}

void PlanExecutor::CheckCachedPlan(bool matched) {
  if (!spec_.cached_check) return;
  const CachedPlanCheck& check = *spec_.cached_check;
  if (matched && ++check_results_ >= check.result_target) {
    spec_.cached_check.reset();  // the cached plan did as well as its trial promised
  } else if (plan_stats_.works() > check.works_budget) {
    EvictCachedPlan(check);
    spec_.cached_check.reset();
  }
}

Status PlanExecutor::CheckStop() {
  if (spec_.deadline && std::chrono::steady_clock::now() > *spec_.deadline) {
    return Status(ErrorCode::kMaxTimeMSExpired, "operation exceeded time limit");
  }
  return CheckForInterrupt();
}

Status PlanExecutor::AnnotateError(const Status& s) const {
  if (s.ok() || spec_.error_prefix.empty()) return s;
  return s.WithPrefix(spec_.error_prefix);
}

StatusWith<bool> PlanExecutor::NextMatching(BsonDocument* out) {
  if (done_) return false;
  if (!started_) {
    started_ = true;
    if (coll_ == nullptr) {
      done_ = true;
      return false;
    }
    read_unit_ = engine_.BeginRead();
    RecordUse();
    if (spec_.id_lookup) {
      stats_.point_lookup = true;
      done_ = true;  // at most one document
      DDS_ASSIGN_OR_RETURN(std::optional<BsonDocument> rec,
                           read_unit_->GetRecord(coll_->id, spec_.id_lookup->view().FirstElement()));
      if (!rec) return false;
      ++stats_.docs_examined;
      *out = std::move(*rec);
      return true;
    }
    if (spec_.plan && spec_.plan->kind != QueryPlan::Kind::kCollScan) {
      cursor_ = spec_.plan->Open(read_unit_.get(), &plan_stats_);
    } else {
      bool forward = true;
      if (spec_.sort && spec_.sort->natural_direction()) {
        forward = *spec_.sort->natural_direction() >= 0;
      }
      cursor_ = read_unit_->ScanRecords(coll_->id, forward);
    }
  }
  if (cursor_ == nullptr) {
    done_ = true;
    return false;
  }
  while (cursor_->Next()) {
    ++stats_.docs_examined;
    if (stats_.docs_examined % kDeadlineCheckInterval == 0) {
      DDS_RETURN_IF_ERROR(CheckStop());
    }
    BsonView doc = cursor_->doc();
    if (spec_.filter && !FilterAnsweredByPlan()) {
      bool matches = false;
      try {
        matches = spec_.filter->Matches(doc, nullptr);
      } catch (const DbException& ex) {
        return ex.status();
      }
      if (!matches) {
        CheckCachedPlan(false);
        continue;
      }
    }
    CheckCachedPlan(true);
    *out = BsonDocument(doc);
    return true;
  }
  done_ = true;
  DDS_RETURN_IF_ERROR(cursor_->status());
  CheckCachedPlan(false);  // keys examined after the last document count too
  return false;
}

Status PlanExecutor::RunBlockingSort() {
  stats_.blocking_sort = true;
  const SortPattern& sort = *spec_.sort;
  // With a limit only skip + limit documents are kept (top-k), as mongod's sort+limit does.
  const size_t keep = spec_.limit > 0 ? static_cast<size_t>(spec_.skip + spec_.limit) : 0;
  auto less = [&sort](const SortedItem& a, const SortedItem& b) {
    int c = sort.CompareKeys(a.key, b.key);
    if (c != 0) return c < 0;
    return a.seq < b.seq;  // storage order breaks ties: stable paging with skip/limit
  };
  int64_t bytes = 0;
  uint64_t seq = 0;
  BsonDocument doc;
  while (true) {
    StatusWith<bool> more = NextMatching(&doc);
    if (!more.ok()) return more.status();
    if (!*more) break;
    SortedItem item;
    try {
      item.key = sort.ExtractKey(doc);
    } catch (const DbException& ex) {
      return ex.status();
    }
    bytes += item.key.size() + doc.size() + kSortItemOverheadBytes;
    item.doc = std::move(doc);
    item.seq = seq++;
    sorted_.push_back(std::move(item));
    if (keep > 0 && sorted_.size() >= 2 * keep + 64) {
      // Trim to the best `keep` items and recount.
      std::nth_element(sorted_.begin(), sorted_.begin() + keep, sorted_.end(), less);
      sorted_.resize(keep);
      bytes = 0;
      for (const SortedItem& it : sorted_) {
        bytes += it.key.size() + it.doc.size() + kSortItemOverheadBytes;
      }
    }
    if (bytes > spec_.max_sort_bytes) {
      if (!spec_.allow_disk_use) {
        sorted_.clear();
        return Status(ErrorCode::kQueryExceededMemoryLimitNoDiskUseAllowed,
                      "Sort exceeded memory limit of " + std::to_string(spec_.max_sort_bytes) +
                          " bytes, but did not opt in to external sorting. Aborting operation. "
                          "Pass allowDiskUse:true to opt in.");
      }
      // External sort: this sorted run goes to disk; the runs are merged when the input ends.
      if (spill_ == nullptr) spill_ = std::make_unique<SortSpill>(engine_.db_path() + "/_tmp", less);
      std::sort(sorted_.begin(), sorted_.end(), less);
      if (keep > 0 && sorted_.size() > keep) sorted_.resize(keep);
      DDS_RETURN_IF_ERROR(spill_->WriteRun(&sorted_));
      ++stats_.sort_spills;
      bytes = 0;
    }
  }
  if (spill_ != nullptr) {
    std::sort(sorted_.begin(), sorted_.end(), less);
    if (!sorted_.empty()) DDS_RETURN_IF_ERROR(spill_->WriteRun(&sorted_));
    stats_.sort_spilled_bytes = spill_->bytes_written();
    DDS_RETURN_IF_ERROR(spill_->StartMerge());
    sorted_ready_ = true;
    return Status::OK();
  }
  if (keep > 0 && sorted_.size() > keep) {
    std::partial_sort(sorted_.begin(), sorted_.begin() + keep, sorted_.end(), less);
    sorted_.resize(keep);
  } else {
    std::sort(sorted_.begin(), sorted_.end(), less);
  }
  sorted_ready_ = true;
  sorted_pos_ = 0;
  return Status::OK();
}

Status PlanExecutor::ForEachMatching(const std::function<bool(const BsonView&)>& fn) {
  if (coll_ == nullptr) return Status::OK();
  started_ = true;
  done_ = true;
  read_unit_ = engine_.BeginRead();
  RecordUse();
  try {
    if (spec_.id_lookup) {
      stats_.point_lookup = true;
      DDS_ASSIGN_OR_RETURN(std::optional<BsonDocument> rec,
                           read_unit_->GetRecord(coll_->id, spec_.id_lookup->view().FirstElement()));
      if (rec) {
        ++stats_.docs_examined;
        fn(rec->view());
      }
      return Status::OK();
    }
    if (spec_.plan && spec_.plan->kind != QueryPlan::Kind::kCollScan) {
      cursor_ = spec_.plan->Open(read_unit_.get(), &plan_stats_);
    } else {
      cursor_ = read_unit_->ScanRecords(coll_->id, true);
    }
    while (cursor_->Next()) {
      ++stats_.docs_examined;
      if (stats_.docs_examined % kDeadlineCheckInterval == 0) {
        Status s = CheckStop();
        if (!s.ok()) return AnnotateError(s);
      }
      BsonView doc = cursor_->doc();
      if (spec_.filter && !FilterAnsweredByPlan() && !spec_.filter->Matches(doc, nullptr)) {
        continue;
      }
      if (!fn(doc)) return Status::OK();
    }
  } catch (const DbException& ex) {
    return AnnotateError(ex.status());
  }
  return AnnotateError(cursor_->status());
}

StatusWith<BsonDocument> PlanExecutor::Project(BsonDocument doc) {
  if (!spec_.projection) return doc;
  try {
    if (spec_.projection->requires_match_details()) {
      // Positional projection: recompute the matched array offset for this document.
      MatchDetails details;
      details.RequestElemMatchKey();
      if (spec_.filter) spec_.filter->Matches(doc, &details);
      return spec_.projection->Apply(doc, &details);
    }
    return spec_.projection->Apply(doc, nullptr);
  } catch (const DbException& ex) {
    return ex.status();
  }
}

StatusWith<bool> PlanExecutor::Next(BsonDocument* out) {
  if (spec_.limit > 0 && stats_.returned >= spec_.limit) return false;
  BsonDocument doc;
  while (true) {
    if (spec_.sort && !spec_.sort->natural_direction()) {
      if (!sorted_ready_) {
        Status s = RunBlockingSort();
        if (!s.ok()) return AnnotateError(s);
      }
      if (spill_ != nullptr) {
        SortedItem item;
        StatusWith<bool> more = spill_->Next(&item);
        if (!more.ok()) return AnnotateError(more.status());
        if (!*more) return false;
        doc = std::move(item.doc);
      } else {
        if (sorted_pos_ >= sorted_.size()) {
          sorted_.clear();
          return false;
        }
        doc = std::move(sorted_[sorted_pos_++].doc);
      }
    } else {
      StatusWith<bool> more = NextMatching(&doc);
      if (!more.ok()) return AnnotateError(more.status());
      if (!*more) return false;
    }
    if (skipped_ < spec_.skip) {
      ++skipped_;
      continue;
    }
    break;
  }
  StatusWith<BsonDocument> projected = Project(std::move(doc));
  if (!projected.ok()) return AnnotateError(projected.status());
  *out = std::move(projected).value();
  ++stats_.returned;
  return true;
}

}  // namespace dds::query
