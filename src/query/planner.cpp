#include "query/planner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <unordered_set>

#include "index/key_generator.h"
#include "index/partial_filter.h"
#include "query/match_nodes.h"
#include "query/match_parser.h"
#include "storage/engine.h"
#include "storage/key_string.h"
#include "storage/keyspace.h"

namespace dds::query {
namespace {

using bson::BsonElement;
using bson::BsonView;

// Trial budget per candidate (works = keys + documents examined) and the result count that
// ends a trial early (mongod: internalQueryPlanEvaluationWorks / MaxResults).
constexpr int64_t kTrialWorks = 10000;
constexpr int64_t kTrialResults = 101;
constexpr size_t kPlanCacheMaxEntries = 5000;
// mongod's internalQueryCacheEvictionRatio: a cached plan may do this many times the works of
// the trial that chose it before producing the trial's result target.
constexpr int64_t kCacheEvictionRatio = 10;

// ---- partial filter hook ----

class MatchFilter : public index::DocumentFilter {
 public:
  explicit MatchFilter(std::unique_ptr<MatchExpression> expr) : expr_(std::move(expr)) {}
  bool Matches(const BsonView& doc) const override {
    try {
      return expr_->Matches(doc, nullptr);
    } catch (const DbException&) {
      return false;
    }
  }

 private:
  std::unique_ptr<MatchExpression> expr_;
};

StatusWith<std::shared_ptr<const index::DocumentFilter>> CompileFilter(const BsonView& filter) {
  MatchParseOptions options;
  options.allow_expr = false;
  DDS_ASSIGN_OR_RETURN(std::unique_ptr<MatchExpression> expr,
                       ParseMatchExpression(filter, options));
  return std::shared_ptr<const index::DocumentFilter>(std::make_shared<MatchFilter>(std::move(expr)));
}

const bool kHooksInstalled = [] {
  index::SetFilterCompiler(&CompileFilter);
  return true;
}();

// ---- filter analysis ----

bool IsLeaf(const MatchExpression* e) { return !e->path().empty() && e->num_children() == 0; }

// Flattens nested $and into `leaves`; records a single $or child in *or_node.
void Conjuncts(const MatchExpression* e, std::vector<const MatchExpression*>* leaves,
               std::vector<const MatchExpression*>* ors) {
  if (e == nullptr) return;
  if (e->kind() == MatchKind::kAnd) {
    for (size_t i = 0; i < e->num_children(); ++i) Conjuncts(e->child(i), leaves, ors);
  } else if (e->kind() == MatchKind::kOr) {
    ors->push_back(e);
  } else if (IsLeaf(e)) {
    leaves->push_back(e);
  }
}

const BsonElement* ComparisonOperand(const MatchExpression* e) {
  const auto* cmp = dynamic_cast<const ComparisonMatch*>(e);
  return cmp == nullptr ? nullptr : &cmp->rhs();
}

bool IsNullish(const BsonElement& v) {
  return v.type() == bson::BsonType::kNull || v.type() == bson::BsonType::kUndefined;
}

// Whether `q` can only match documents where its path exists (a sparse index then has them).
bool ImpliesExists(const MatchExpression* q) {
  switch (q->kind()) {
    case MatchKind::kEq:
    case MatchKind::kLt:
    case MatchKind::kLte:
    case MatchKind::kGt:
    case MatchKind::kGte: {
      const BsonElement* v = ComparisonOperand(q);
      return v != nullptr && !IsNullish(*v) && v->type() != bson::BsonType::kMinKey &&
             v->type() != bson::BsonType::kMaxKey;
    }
    case MatchKind::kIn: {
      const auto* in = dynamic_cast<const InMatch*>(q);
      if (in == nullptr) return false;
      for (const BsonElement& v : in->values()) {
        if (IsNullish(v)) return false;
      }
      return true;
    }
    case MatchKind::kRegex:
    case MatchKind::kExists:
    case MatchKind::kSize:
    case MatchKind::kAll:
    case MatchKind::kElemMatchObject:
    case MatchKind::kElemMatchValue:
    case MatchKind::kMod:
    case MatchKind::kBits:
      return true;
    default:
      return false;
  }
}

bool SameBracket(const BsonElement& a, const BsonElement& b) {
  return bson::CanonicalTypeRank(a.type()) == bson::CanonicalTypeRank(b.type());
}

// Whether value `v` satisfies the comparison (kind, c).
bool ValueSatisfies(const BsonElement& v, MatchKind kind, const BsonElement& c) {
  if (!SameBracket(v, c)) return false;
  int cmp = bson::CompareElementValues(v, c);
  switch (kind) {
    case MatchKind::kEq:
      return cmp == 0;
    case MatchKind::kLt:
      return cmp < 0;
    case MatchKind::kLte:
      return cmp <= 0;
    case MatchKind::kGt:
      return cmp > 0;
    case MatchKind::kGte:
      return cmp >= 0;
    default:
      return false;
  }
}

// Whether query predicate `q` implies partial-filter predicate `p` (same path).
bool Implies(const MatchExpression* q, const MatchExpression* p) {
  if (q->DebugString() == p->DebugString()) return true;
  if (p->kind() == MatchKind::kExists) return ImpliesExists(q);
  const BsonElement* c = ComparisonOperand(p);
  if (c == nullptr) return false;
  MatchKind pk = p->kind();
  if (q->kind() == MatchKind::kEq) {
    const BsonElement* v = ComparisonOperand(q);
    return v != nullptr && ValueSatisfies(*v, pk, *c);
  }
  if (q->kind() == MatchKind::kIn) {
    const auto* in = dynamic_cast<const InMatch*>(q);
    if (in == nullptr || in->values().empty()) return false;
    for (const BsonElement& v : in->values()) {
      if (!ValueSatisfies(v, pk, *c)) return false;
    }
    return in->DebugString().find('/') == std::string::npos;  // no regex operands
  }
  const BsonElement* v = ComparisonOperand(q);
  if (v == nullptr || !SameBracket(*v, *c)) return false;
  int cmp = bson::CompareElementValues(*v, *c);
  MatchKind qk = q->kind();
  bool q_lower = qk == MatchKind::kGt || qk == MatchKind::kGte;
  bool p_lower = pk == MatchKind::kGt || pk == MatchKind::kGte;
  bool q_upper = qk == MatchKind::kLt || qk == MatchKind::kLte;
  bool p_upper = pk == MatchKind::kLt || pk == MatchKind::kLte;
  if (q_lower && p_lower) {
    return cmp > 0 || (cmp == 0 && (pk == MatchKind::kGte || qk == MatchKind::kGt));
  }
  if (q_upper && p_upper) {
    return cmp < 0 || (cmp == 0 && (pk == MatchKind::kLte || qk == MatchKind::kLt));
  }
  return false;
}

bool PartialApplies(const BsonView& partial, const std::vector<const MatchExpression*>& leaves) {
  StatusWith<std::unique_ptr<MatchExpression>> parsed = ParseMatchExpression(partial);
  if (!parsed.ok()) return false;
  std::vector<const MatchExpression*> needed, ors;
  Conjuncts(parsed.value().get(), &needed, &ors);
  if (!ors.empty()) return false;
  if (parsed.value()->kind() != MatchKind::kAnd && !IsLeaf(parsed.value().get())) return false;
  for (const MatchExpression* p : needed) {
    bool ok = false;
    for (const MatchExpression* q : leaves) {
      if (q->path() == p->path() && Implies(q, p)) {
        ok = true;
        break;
      }
    }
    if (!ok) return false;
  }
  return true;
}

// Collects every path the filter reads; false if it has nodes without paths (e.g. $expr).
bool CollectFilterPaths(const MatchExpression* e, std::set<std::string>* paths) {
  if (e == nullptr) return true;
  switch (e->kind()) {
    case MatchKind::kAnd:
    case MatchKind::kOr:
    case MatchKind::kNor:
    case MatchKind::kNot:
      for (size_t i = 0; i < e->num_children(); ++i) {
        if (!CollectFilterPaths(e->child(i), paths)) return false;
      }
      return true;
    case MatchKind::kAlwaysTrue:
    case MatchKind::kAlwaysFalse:
      return true;
    default:
      if (e->path().empty()) return false;
      paths->insert(e->path());
      return true;
  }
}

bool HasNumericComponent(std::string_view path) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    std::string_view c = path.substr(start, dot == std::string_view::npos ? path.npos : dot - start);
    if (!c.empty() && std::all_of(c.begin(), c.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
      return true;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return false;
}

std::string_view FirstComponent(std::string_view path) { return path.substr(0, path.find('.')); }

// ---- exact bounds (count / distinct) ----

// Whether an equality (or $in) operand's point bounds hold exactly the keys of matching values.
bool ExactPointValue(const BsonElement& v) {
  switch (v.type()) {
    case bson::BsonType::kInt32:
    case bson::BsonType::kInt64:
    case bson::BsonType::kDouble:
    case bson::BsonType::kDecimal128:
    case bson::BsonType::kString:
    case bson::BsonType::kDate:
    case bson::BsonType::kObjectId:
    case bson::BsonType::kBool:
    case bson::BsonType::kTimestamp:
    case bson::BsonType::kBinData:
      return true;
    default:
      return false;  // null (also matches missing), arrays, objects, regexes, MinKey/MaxKey...
  }
}

// Whether the bounds BoundsForPredicate builds for `leaf` hold exactly the keys whose documents
// match it (mongod's BoundsTightness EXACT), for an index that is `multikey` or not.
bool ExactPredicate(const MatchExpression* leaf, bool multikey) {
  // Multikey dotted paths: keys and the matcher may disagree on nested arrays; stay inexact.
  if (multikey && leaf->path().find('.') != std::string::npos) return false;
  switch (leaf->kind()) {
    case MatchKind::kEq: {
      const BsonElement* v = ComparisonOperand(leaf);
      return v != nullptr && ExactPointValue(*v);
    }
    case MatchKind::kLt:
    case MatchKind::kLte:
    case MatchKind::kGt:
    case MatchKind::kGte: {
      const BsonElement* v = ComparisonOperand(leaf);
      if (v == nullptr) return false;
      if (v->IsNumber()) return !std::isnan(v->NumberDouble());  // NaN is outside ranges
      return v->type() == bson::BsonType::kString || v->type() == bson::BsonType::kDate;
    }
    case MatchKind::kIn: {
      const auto* in = dynamic_cast<const InMatch*>(leaf);
      if (in == nullptr) return false;
      for (const BsonElement& v : in->values()) {
        if (!ExactPointValue(v)) return false;
      }
      return true;  // regex operands make BoundsForPredicate fail: the leaf is then unused
    }
    default:
      return false;
  }
}

// Whether `e` is null or only path predicates joined by $and (what bounds can answer).
bool OnlyLeafConjuncts(const MatchExpression* e) {
  if (e == nullptr) return true;
  if (e->kind() == MatchKind::kAnd) {
    for (size_t i = 0; i < e->num_children(); ++i) {
      if (!OnlyLeafConjuncts(e->child(i))) return false;
    }
    return true;
  }
  return IsLeaf(e);
}

// ---- sort ----

struct SortField {
  std::string path;
  bool ascending;
};

// The fields of a {field: ±1} sort; nullopt for $natural / $meta sorts.
std::optional<std::vector<SortField>> ParseSort(const BsonView& sort) {
  std::vector<SortField> out;
  for (const BsonElement& e : sort) {
    if (!e.IsNumber() || e.field_name() == "$natural") return std::nullopt;
    out.push_back(SortField{std::string(e.field_name()), e.NumberDouble() > 0});
  }
  return out;
}

// Returns +1 (forward) / -1 (backward) if the scan provides the sort, else 0.
int SortDirection(const index::IndexInfo& info, const IndexBounds& bounds,
                  const std::vector<SortField>& sort) {
  if (sort.empty() || info.multikey) return 0;
  size_t points = bounds.SinglePointPrefix();
  for (size_t skip = 0; skip <= points; ++skip) {
    if (skip + sort.size() > info.fields.size()) break;
    int dir = 0;
    bool ok = true;
    for (size_t i = 0; i < sort.size() && ok; ++i) {
      const index::KeyField& f = info.fields[skip + i];
      if (f.path != sort[i].path || f.kind == index::KeyKind::kHashed) {
        ok = false;
        break;
      }
      int d = (f.kind == index::KeyKind::kAscending) == sort[i].ascending ? 1 : -1;
      if (dir == 0) dir = d;
      ok = dir == d;
    }
    if (ok) return dir;
  }
  return 0;
}

// ---- candidates ----

struct Candidate {
  IndexScanNode scan;
  bool bounded = false;  // a predicate bounds the leading field
  int sort_dir = 0;
  int score = 0;         // heuristic (OR branches)
  // Every leaf became bounds of this scan and the bounds are exact (see ExactPredicate).
  bool exact = false;
};

std::optional<Candidate> MakeCandidate(const storage::IndexDescriptor& desc,
                                       const std::vector<const MatchExpression*>& leaves,
                                       const std::optional<std::vector<SortField>>& sort,
                                       bool hinted) {
  if (desc.building) return std::nullopt;
  // An index neither bounded by a predicate on its leading field nor able to provide the sort is
  // never a candidate: rejected before its IndexInfo is copied (every find plans over every index).
  std::shared_ptr<const index::IndexAccessMethod> method;
  if (desc.index_id != 0) {
    StatusWith<std::shared_ptr<const index::IndexAccessMethod>> m = index::GetAccessMethod(desc);
    if (!m.ok()) return std::nullopt;
    method = std::move(m).value();
  }
  if (!hinted && !sort) {
    const std::string_view leading =
        method == nullptr ? std::string_view("_id") : method->info().fields[0].path;
    if (std::none_of(leaves.begin(), leaves.end(),
                     [&](const MatchExpression* leaf) { return leaf->path() == leading; })) {
      return std::nullopt;
    }
  }
  Candidate c;
  if (desc.index_id == 0) {
    c.scan.info.name = desc.name;
    c.scan.info.key_pattern = bson::BsonDocument(desc.spec.view()["key"].Object());
    c.scan.info.fields = {index::KeyField{"_id", index::KeyKind::kAscending}};
    c.scan.info.unique = true;
  } else {
    c.scan.method = std::move(method);
    c.scan.info = c.scan.method->info();
    c.scan.info.multikey = desc.multikey;
  }
  const index::IndexInfo& info = c.scan.info;
  if (info.hidden && !hinted) return std::nullopt;
  if (info.partial_filter && !hinted && !PartialApplies(info.partial_filter->view(), leaves)) {
    return std::nullopt;
  }
  bool exists_implied = false;
  c.scan.bounds.fields.assign(info.fields.size(), FullIntervalList());
  std::vector<bool> set(info.fields.size(), false), points(info.fields.size(), false);
  bool shared_prefix = false;
  for (size_t i = 0; i < info.fields.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (FirstComponent(info.fields[i].path) == FirstComponent(info.fields[j].path)) {
        shared_prefix = true;
      }
    }
  }
  // Leaves whose bounds the scan holds; `lossy` when bounds of a used leaf were replaced.
  std::set<const MatchExpression*> used;
  bool lossy = false;
  for (size_t i = 0; i < info.fields.size(); ++i) {
    const index::KeyField& f = info.fields[i];
    if (HasNumericComponent(f.path)) continue;
    if (info.multikey && shared_prefix && i > 0) continue;  // positional keys: leading field only
    for (const MatchExpression* leaf : leaves) {
      if (leaf->path() != f.path) continue;
      exists_implied = exists_implied || ImpliesExists(leaf);
      std::optional<IntervalList> b =
          BoundsForPredicate(*leaf, f.kind == index::KeyKind::kHashed);
      if (!b) continue;
      bool all_points = std::all_of(b->begin(), b->end(), [](const Interval& x) { return x.point; });
      if (!set[i]) {
        c.scan.bounds.fields[i] = std::move(*b);
      } else if (!info.multikey) {
        c.scan.bounds.fields[i] = IntersectIntervals(c.scan.bounds.fields[i], *b);
      } else if (all_points && !points[i]) {
        // Multikey: bounds of two predicates cannot be intersected; keep the tighter kind.
        c.scan.bounds.fields[i] = std::move(*b);
        lossy = true;
      } else {
        continue;
      }
      used.insert(leaf);
      set[i] = true;
      points[i] = std::all_of(c.scan.bounds.fields[i].begin(), c.scan.bounds.fields[i].end(),
                              [](const Interval& x) { return x.point; });
    }
  }
  if (info.sparse && !exists_implied && !hinted) return std::nullopt;
  c.bounded = set[0];
  if (sort) c.sort_dir = SortDirection(info, c.scan.bounds, *sort);
  if (!c.bounded && c.sort_dir == 0 && !hinted) return std::nullopt;
  c.scan.forward = c.sort_dir >= 0;
  c.scan.ranges = c.scan.bounds.ToKeyRanges(info);
  // Exact: every leaf is an exact predicate whose bounds the scan enforces (fields the key ranges
  // leave unconstrained must carry no predicate), and the index holds every document.
  c.exact = !lossy && used.size() == leaves.size() && (!info.sparse || exists_implied) &&
            (!info.partial_filter || PartialApplies(info.partial_filter->view(), leaves));
  for (const MatchExpression* leaf : leaves) {
    if (!c.exact) break;
    c.exact = ExactPredicate(leaf, info.multikey);
  }
  for (size_t i = 0; c.exact && i < info.fields.size(); ++i) {
    if (set[i] && info.fields[i].kind == index::KeyKind::kHashed) c.exact = false;
  }
  for (size_t i = c.scan.bounds.ConstrainedFields(); c.exact && i < info.fields.size(); ++i) {
    if (!IsFull(c.scan.bounds.fields[i])) c.exact = false;
  }
  size_t prefix = c.scan.bounds.SinglePointPrefix();
  c.score = static_cast<int>(prefix) * 4 + (c.bounded ? 2 : 0) + (info.unique ? 1 : 0);
  for (size_t i = prefix; i < set.size(); ++i) c.score += set[i] ? 1 : 0;
  return c;
}

// ---- covered ----

struct ProjectionNeeds {
  bool coverable = false;
  std::set<std::string> paths;  // fields the projection outputs (incl. _id unless excluded)
};

ProjectionNeeds AnalyzeProjection(const BsonView& projection) {
  ProjectionNeeds needs;
  if (projection.empty()) return needs;  // whole documents
  bool id_excluded = false;
  for (const BsonElement& e : projection) {
    std::string_view name = e.field_name();
    if (name.empty() || name[0] == '$' || name.find(".$") != std::string_view::npos ||
        name.find('$') != std::string_view::npos) {
      return needs;
    }
    bool include;
    if (e.IsNumber()) {
      include = e.NumberDouble() != 0;
    } else if (e.type() == bson::BsonType::kBool) {
      include = e.Bool();
    } else {
      return needs;  // expressions, $slice, $elemMatch, sub-projections
    }
    if (name == "_id") {
      id_excluded = !include;
      continue;
    }
    if (!include) return needs;  // exclusion projections need the whole document
    needs.paths.insert(std::string(name));
  }
  if (needs.paths.empty()) return needs;
  if (!id_excluded) needs.paths.insert("_id");
  needs.coverable = true;
  return needs;
}

bool CanCover(const index::IndexInfo& info, const std::set<std::string>& needed) {
  if (info.multikey) return false;
  std::set<std::string> have;
  for (const index::KeyField& f : info.fields) {
    if (f.kind == index::KeyKind::kHashed) continue;
    have.insert(f.path);
  }
  // A field that is a prefix of another cannot be rebuilt.
  for (const std::string& a : have) {
    for (const std::string& b : have) {
      if (a != b && b.size() > a.size() && b.compare(0, a.size(), a) == 0 && b[a.size()] == '.') {
        return false;
      }
    }
  }
  for (const std::string& p : needed) {
    if (have.count(p) == 0) return false;
  }
  return true;
}

// ---- cursor ----

// Appends `fields` (path -> value) as nested documents.
void AppendNested(bson::BsonBuilder* b, std::vector<std::pair<std::string_view, BsonElement>> fields) {
  std::vector<std::string_view> order;
  std::map<std::string_view, std::vector<std::pair<std::string_view, BsonElement>>> groups;
  for (const auto& [path, value] : fields) {
    std::string_view head = FirstComponent(path);
    if (groups.count(head) == 0) order.push_back(head);
    std::string_view rest = head.size() == path.size() ? std::string_view() : path.substr(head.size() + 1);
    groups[head].emplace_back(rest, value);
  }
  for (std::string_view head : order) {
    auto& g = groups[head];
    if (g.size() == 1 && g[0].first.empty()) {
      b->AppendElementAs(head, g[0].second);
    } else {
      b->StartDocument(head);
      std::vector<std::pair<std::string_view, BsonElement>> sub;
      for (auto& [rest, value] : g) {
        if (!rest.empty()) sub.emplace_back(rest, value);
      }
      AppendNested(b, std::move(sub));
      b->End();
    }
  }
}

class PlanCursor : public storage::RecordCursor {
 public:
  PlanCursor(const QueryPlan& plan, storage::ReadUnit* read, PlanRunStats* stats)
      : plan_(plan), read_(read), stats_(stats) {}

  bool Next() override {
    while (true) {
      if (current_ == nullptr) {
        if (next_scan_ >= plan_.scans.size()) return false;
        OpenScan(plan_.scans[next_scan_++]);
      }
      if (!current_->Next()) {
        status_ = current_->status();
        current_.reset();
        if (!status_.ok()) return false;
        continue;
      }
      ++stats_->keys_examined;
      const IndexScanNode& scan = plan_.scans[next_scan_ - 1];
      BsonView entry = current_->entry();
      BsonElement id = scan.method == nullptr ? entry["_id"] : current_->id();
      if (plan_.dedup) {
        std::string id_ks = storage::EncodeKeyString(id);
        if (!seen_.insert(std::move(id_ks)).second) {
          ++stats_->dups_dropped;
          continue;
        }
      }
      if (scan.method == nullptr) {
        ++stats_->docs_examined;
        doc_ = bson::BsonDocument(entry);  // the _id "index" is the record store itself
        return true;
      }
      if (plan_.covered) {
        bson::BsonBuilder b;
        std::vector<std::pair<std::string_view, BsonElement>> fields;
        for (size_t i = 0; i < scan.info.fields.size(); ++i) {
          BsonElement v = entry[bson::IndexName(i)];
          if (!v.eoo()) fields.emplace_back(scan.info.fields[i].path, v);
        }
        AppendNested(&b, std::move(fields));
        doc_ = b.Done();
        return true;
      }
      StatusWith<std::optional<bson::BsonDocument>> rec = read_->GetRecord(plan_.collection_id, id);
      if (!rec.ok()) {
        status_ = rec.status();
        return false;
      }
      ++stats_->docs_examined;
      if (!rec.value()) continue;
      doc_ = std::move(*rec.value());
      return true;
    }
  }

  BsonView doc() const override { return doc_.view(); }
  std::string_view record_key() const override {
    record_key_ = storage::EncodeKeyString(doc_.view()["_id"]);
    return record_key_;
  }
  Status status() const override { return status_; }

 private:
  void OpenScan(const IndexScanNode& scan) {
    ++stats_->seeks;
    auto raw = [this](std::string lo, std::string hi, bool fwd) {
      return read_->ScanRaw(std::move(lo), std::move(hi), fwd);
    };
    // Whole-tuple points of stores keyed by tuples alone are point reads (no iterator seek).
    auto get = [this](std::string_view key) { return read_->Get(key); };
    if (scan.method != nullptr) {
      current_ = scan.method->Scan(raw, scan.ranges, scan.forward, get);
    } else {
      current_ = std::make_unique<index::IndexCursor>(
          raw, storage::RecordPrefix(plan_.collection_id), scan.ranges, scan.forward, get);
    }
  }

  const QueryPlan& plan_;
  storage::ReadUnit* read_;
  PlanRunStats* stats_;
  size_t next_scan_ = 0;
  std::unique_ptr<index::IndexCursor> current_;
  std::unordered_set<std::string> seen_;
  bson::BsonDocument doc_;
  mutable std::string record_key_;
  Status status_;
};

class CollScanCursor : public storage::RecordCursor {
 public:
  CollScanCursor(std::unique_ptr<storage::RecordCursor> inner, PlanRunStats* stats)
      : inner_(std::move(inner)), stats_(stats) {}
  bool Next() override {
    if (!inner_->Next()) return false;
    ++stats_->docs_examined;
    return true;
  }
  BsonView doc() const override { return inner_->doc(); }
  std::string_view record_key() const override { return inner_->record_key(); }
  Status status() const override { return inner_->status(); }

 private:
  std::unique_ptr<storage::RecordCursor> inner_;
  PlanRunStats* stats_;
};

// ---- plan cache ----

void AppendShape(const BsonView& doc, std::string* out) {
  *out += "{";
  for (const BsonElement& e : doc) {
    *out += e.field_name();
    *out += ":";
    if (e.IsObject()) {
      AppendShape(e.Object(), out);
    } else if (e.IsArray() && !e.field_name().empty() && e.field_name()[0] == '$' &&
               (e.field_name() == "$and" || e.field_name() == "$or" || e.field_name() == "$nor")) {
      *out += "[";
      for (const BsonElement& c : e.Array()) {
        if (c.IsObject()) AppendShape(c.Object(), out);
        *out += ",";
      }
      *out += "]";
    } else {
      *out += std::to_string(bson::CanonicalTypeRank(e.type()));
    }
    *out += ",";
  }
  *out += "}";
}

std::string Hex32(const std::string& s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08X", h);
  return buf;
}

struct CacheEntry {
  std::string summary;  // QueryPlan::Summary() of the winner, with directions
  // What planCacheClear selects by: the collection and the query shape (filter, sort and
  // projection shapes, without the count/limit marks of the key).
  std::string collection_uuid;
  std::string query_shape;
  // IndexSetKey of the collection when the entry was made: an entry made among other indexes is
  // never used again.
  std::string index_set;
  uint64_t id = 0;  // unique per entry made (EvictCachedPlan spares newer entries of the key)
  // What $planCacheStats shows: the query that made the entry and its trial.
  PlanCacheEntryInfo info;
};

// The first part of a plan cache key: the collection and the state of its indexes, so that a
// plan chosen among other indexes (or before one became multikey) is never reused.
std::string IndexSetKey(const storage::CollectionDescriptor& coll) {
  std::string key = coll.uuid + "|";
  for (const storage::IndexDescriptor& d : coll.indexes) {
    key += std::to_string(d.index_id) + (d.building ? "b" : "") + (d.multikey ? "m" : "") +
           (d.spec.view()["hidden"].TrueValue() ? "h" : "") + ",";
  }
  return key;
}

// The shape of a query for the plan cache: operators, field names and value types of the filter,
// sort and projection (values do not matter).
std::string QueryShape(const BsonView& filter, const BsonView& sort, const BsonView& projection) {
  std::string shape;
  AppendShape(filter, &shape);
  shape += "|sort";
  AppendShape(sort, &shape);
  shape += "|proj";
  AppendShape(projection, &shape);
  return shape;
}

std::mutex g_cache_mutex;
std::map<std::string, CacheEntry>* g_cache = new std::map<std::string, CacheEntry>();
uint64_t g_next_entry_id = 1;  // guarded by g_cache_mutex

std::string PlanFingerprint(const QueryPlan& plan) {
  std::string s = plan.Summary();
  for (const IndexScanNode& scan : plan.scans) s += scan.forward ? "+" : "-";
  return s;
}

std::string HintError(const storage::CollectionDescriptor& coll) {
  return "error processing query: ns=" + coll.ns() +
         " planner returned error :: caused by :: hint provided does not correspond to an "
         "existing index";
}

std::shared_ptr<QueryPlan> CollScanPlan(uint64_t collection_id, bool forward) {
  auto plan = std::make_shared<QueryPlan>();
  plan->kind = QueryPlan::Kind::kCollScan;
  plan->collection_id = collection_id;
  plan->collscan_forward = forward;
  return plan;
}

}  // namespace

// ---- QueryPlan ----

std::unique_ptr<storage::RecordCursor> QueryPlan::Open(storage::ReadUnit* read,
                                                       PlanRunStats* stats) const {
  if (kind == Kind::kCollScan) {
    return std::make_unique<CollScanCursor>(read->ScanRecords(collection_id, collscan_forward),
                                            stats);
  }
  return std::make_unique<PlanCursor>(*this, read, stats);
}

std::string QueryPlan::Summary() const {
  if (kind == Kind::kCollScan) return "COLLSCAN";
  std::string s;
  const char* stage = count_scan ? "COUNT_SCAN " : distinct_field >= 0 ? "DISTINCT_SCAN " : "IXSCAN ";
  for (size_t i = 0; i < scans.size(); ++i) {
    if (i > 0) s += ", ";
    s += stage + scans[i].info.name;
  }
  if (kind == Kind::kOr) s = "OR(" + s + ")";
  if (covered) s += " covered";
  return s;
}

void InstallIndexHooks() { index::SetFilterCompiler(&CompileFilter); }

void ClearPlanCache() {
  std::lock_guard lock(g_cache_mutex);
  g_cache->clear();
}

size_t ClearCollectionPlanCache(const storage::CollectionDescriptor& coll,
                                const std::optional<PlanCacheShape>& shape) {
  std::string query_shape;
  if (shape) query_shape = QueryShape(shape->filter, shape->sort, shape->projection);
  std::lock_guard lock(g_cache_mutex);
  size_t removed = 0;
  for (auto it = g_cache->begin(); it != g_cache->end();) {
    const CacheEntry& e = it->second;
    if (e.collection_uuid == coll.uuid && (!shape || e.query_shape == query_shape)) {
      it = g_cache->erase(it);
      ++removed;
    } else {
      ++it;
    }
  }
  return removed;
}

void EvictCachedPlan(const CachedPlanCheck& check) {
  std::lock_guard lock(g_cache_mutex);
  auto it = g_cache->find(check.cache_key);
  if (it != g_cache->end() && it->second.id == check.entry_id) g_cache->erase(it);
}

std::vector<PlanCacheEntryInfo> CollectionPlanCacheEntries(
    const storage::CollectionDescriptor& coll) {
  const std::string current = IndexSetKey(coll);
  std::lock_guard lock(g_cache_mutex);
  std::vector<PlanCacheEntryInfo> out;
  for (auto it = g_cache->begin(); it != g_cache->end();) {
    if (it->second.collection_uuid != coll.uuid) {
      ++it;
    } else if (it->second.index_set != current) {
      it = g_cache->erase(it);  // chosen among other indexes: never used again (mongod drops it)
    } else {
      out.push_back(it->second.info);
      ++it;
    }
  }
  return out;
}

StatusWith<PlannerResult> PlanQuery(storage::Engine& engine, const storage::CollectionPtr& coll,
                                    const PlannerRequest& request) {
  (void)kHooksInstalled;
  PlannerResult result;
  // The shape hashes and the cache key cost a few microseconds: computed only when a plan cache
  // lookup or explain needs them.
  std::string cache_key, query_shape, index_set;
  auto compute_keys = [&]() {
    query_shape = QueryShape(request.filter_doc, request.sort, request.projection);
    std::string shape = query_shape;
    if (request.count_only) shape += "|count";
    if (request.limit > 0) shape += "|limit";
    result.query_hash = Hex32(shape);
    if (coll == nullptr) return;
    index_set = IndexSetKey(*coll);
    cache_key = index_set + shape;
    result.plan_cache_key = Hex32(cache_key.substr(coll->uuid.size()));
  };
  if (request.bypass_cache) compute_keys();
  if (coll == nullptr) {
    result.winner = CollScanPlan(0, true);
    return result;
  }

  std::vector<const MatchExpression*> leaves, ors;
  Conjuncts(request.filter, &leaves, &ors);
  if (request.filter != nullptr && request.filter->kind() != MatchKind::kAnd &&
      request.filter->kind() != MatchKind::kOr && !IsLeaf(request.filter)) {
    leaves.clear();  // $nor / $not / $expr at the top: nothing to bound
    ors.clear();
  }
  std::optional<std::vector<SortField>> sort = ParseSort(request.sort);

  // Hint.
  const storage::IndexDescriptor* hinted = nullptr;
  if (!request.hint.eoo()) {
    BsonElement hint = request.hint;
    bool natural = false;
    int natural_dir = 1;
    if (hint.type() == bson::BsonType::kString) {
      if (!hint.String().empty()) {
        hinted = coll->FindIndex(hint.String());
        if (hinted == nullptr) return Status(ErrorCode::kBadValue, HintError(*coll));
      }
    } else if (hint.IsObject() && !hint.Object().empty()) {
      BsonElement first = hint.Object().FirstElement();
      if (first.field_name() == "$natural") {
        natural = true;
        natural_dir = first.IsNumber() && first.NumberDouble() < 0 ? -1 : 1;
      } else {
        for (const storage::IndexDescriptor& d : coll->indexes) {
          BsonElement key = d.spec.view()["key"];
          if (key.IsObject() && bson::CompareDocuments(key.Object(), hint.Object()) == 0) {
            hinted = &d;
            break;
          }
        }
        if (hinted == nullptr) return Status(ErrorCode::kBadValue, HintError(*coll));
      }
    }
    if (natural) {
      result.winner = CollScanPlan(coll->id, natural_dir > 0);
      return result;
    }
    if (hinted != nullptr && (hinted->building || hinted->spec.view()["hidden"].TrueValue())) {
      return Status(ErrorCode::kBadValue, HintError(*coll));
    }
  }

  const bool filter_simple = ors.empty() && OnlyLeafConjuncts(request.filter);
  if (!request.distinct_key.empty() && leaves.empty() && ors.empty() && request.filter_doc.empty()) {
    // mongod's getExecutorForSimpleDistinct: with no filter, the index with the fewest fields
    // whose key pattern starts with the key (not hashed, not partial, not hidden; with a hint,
    // only the hinted index). Values come from the keys (PROJECTION_COVERED).
    const storage::IndexDescriptor* best = nullptr;
    std::optional<Candidate> best_candidate;
    for (const storage::IndexDescriptor& d : coll->indexes) {
      if (hinted != nullptr && &d != hinted) continue;
      if (d.building || d.index_id == 0) continue;
      std::optional<Candidate> c = MakeCandidate(d, {}, std::nullopt, true);
      if (!c) continue;
      const index::IndexInfo& info = c->scan.info;
      if ((info.hidden && hinted == nullptr) || info.partial_filter || info.fields.empty() ||
          info.fields[0].path != request.distinct_key ||
          info.fields[0].kind == index::KeyKind::kHashed ||
          (info.multikey && request.distinct_key.find('.') != std::string_view::npos)) {
        continue;
      }
      if (best == nullptr || info.fields.size() < best_candidate->scan.info.fields.size()) {
        best = &d;
        best_candidate = std::move(c);
      }
    }
    if (best != nullptr) {
      auto plan = std::make_shared<QueryPlan>();
      plan->kind = QueryPlan::Kind::kIndexScan;
      plan->collection_id = coll->id;
      plan->covered = true;
      plan->exact = true;
      plan->dedup = best_candidate->scan.info.multikey;
      plan->distinct_field = 0;
      best_candidate->scan.forward = true;
      plan->scans.push_back(std::move(best_candidate->scan));
      result.winner = std::move(plan);
      return result;
    }
  }
  // With a filter: the first exact, non-multikey scan of an index holding the key after single
  // points (mongod's turnIxscanIntoDistinctIxscan: no residual filter, the distinct field not
  // multikey).
  auto distinct_field_of = [&](const QueryPlan& plan) {
    if (request.distinct_key.empty() || plan.kind != QueryPlan::Kind::kIndexScan ||
        !plan.exact || plan.scans.size() != 1) {
      return -1;
    }
    const IndexScanNode& scan = plan.scans[0];
    if (scan.method == nullptr || scan.info.multikey || scan.info.partial_filter) return -1;
    for (size_t i = 0; i < scan.info.fields.size(); ++i) {
      if (scan.info.fields[i].path != request.distinct_key) continue;
      if (scan.info.fields[i].kind == index::KeyKind::kHashed ||
          scan.bounds.SinglePointPrefix() < i) {
        return -1;
      }
      return static_cast<int>(i);
    }
    return -1;
  };
  auto make_distinct_scan = [](QueryPlan* plan, int field) {
    plan->distinct_field = field;
    plan->covered = true;
    plan->dedup = false;
    plan->scans[0].forward = true;
  };

  ProjectionNeeds needs = AnalyzeProjection(request.projection);
  // Only a projection or a count can make a plan covered; the filter's paths matter only then.
  const bool may_cover = needs.coverable || request.count_only;
  std::set<std::string> filter_paths;
  const bool filter_coverable = may_cover && CollectFilterPaths(request.filter, &filter_paths);
  auto finish = [&](Candidate c) {
    auto plan = std::make_shared<QueryPlan>();
    plan->kind = QueryPlan::Kind::kIndexScan;
    plan->collection_id = coll->id;
    plan->provides_sort = sort.has_value() && !sort->empty() && c.sort_dir != 0;
    plan->dedup = c.scan.info.multikey;
    if (c.scan.method != nullptr && filter_coverable) {
      std::set<std::string> needed = filter_paths;
      if (!request.count_only) needed.insert(needs.paths.begin(), needs.paths.end());
      if (sort && !plan->provides_sort) {
        for (const SortField& f : *sort) needed.insert(f.path);
      }
      plan->covered = (sort.has_value() || request.sort.empty()) && CanCover(c.scan.info, needed);
    }
    plan->exact = c.exact && filter_simple;
    if (plan->exact && request.count_only) {
      // Counting needs no document (mongod plans COUNT over an IXSCAN without FETCH).
      plan->covered = true;
      bson::BsonDocument start, end;
      bool start_inclusive, end_inclusive;
      plan->count_scan =
          c.scan.bounds.SingleInterval(c.scan.info, &start, &start_inclusive, &end, &end_inclusive);
    }
    plan->scans.push_back(std::move(c.scan));
    return plan;
  };

  std::vector<std::shared_ptr<QueryPlan>> candidates;
  if (hinted != nullptr) {
    std::optional<Candidate> c = MakeCandidate(*hinted, leaves, sort, true);
    if (!c) return Status(ErrorCode::kBadValue, HintError(*coll));
    std::shared_ptr<QueryPlan> plan = finish(std::move(*c));
    int field = plan->count_scan ? -1 : distinct_field_of(*plan);
    if (field >= 0) make_distinct_scan(plan.get(), field);
    result.winner = std::move(plan);
    return result;
  }
  for (const storage::IndexDescriptor& d : coll->indexes) {
    std::optional<Candidate> c = MakeCandidate(d, leaves, sort, false);
    if (c) candidates.push_back(finish(std::move(*c)));
  }
  // mongod takes a COUNT_SCAN or DISTINCT_SCAN solution without multi-planning ("fast count" /
  // "fast distinct" in get_executor.cpp). For distinct, the index with the fewest fields (as
  // without a filter).
  std::shared_ptr<QueryPlan> distinct_scan;
  int distinct_field = -1;
  for (const auto& c : candidates) {
    if (c->count_scan) {
      result.winner = c;
      return result;
    }
    int field = distinct_field_of(*c);
    if (field >= 0 && (distinct_scan == nullptr || c->scans[0].info.fields.size() <
                                                      distinct_scan->scans[0].info.fields.size())) {
      distinct_scan = c;
      distinct_field = field;
    }
  }
  if (distinct_scan != nullptr) {
    make_distinct_scan(distinct_scan.get(), distinct_field);
    result.winner = distinct_scan;
    return result;
  }
  // One $or: an OR plan when every branch can use an index.
  if (ors.size() == 1) {
    const MatchExpression* or_node = ors[0];
    auto plan = std::make_shared<QueryPlan>();
    plan->kind = QueryPlan::Kind::kOr;
    plan->collection_id = coll->id;
    plan->dedup = true;
    bool ok = or_node->num_children() > 0;
    for (size_t i = 0; i < or_node->num_children() && ok; ++i) {
      std::vector<const MatchExpression*> branch_leaves, branch_ors;
      Conjuncts(or_node->child(i), &branch_leaves, &branch_ors);
      std::optional<Candidate> best;
      for (const storage::IndexDescriptor& d : coll->indexes) {
        std::optional<Candidate> c = MakeCandidate(d, branch_leaves, std::nullopt, false);
        if (c && c->bounded && (!best || c->score > best->score)) best = std::move(c);
      }
      if (!best) {
        ok = false;
      } else {
        plan->scans.push_back(std::move(best->scan));
      }
    }
    if (ok) candidates.push_back(plan);
  }
  if (candidates.empty()) {
    bool forward = true;
    if (request.sort["$natural"].IsNumber()) forward = request.sort["$natural"].NumberDouble() >= 0;
    result.winner = CollScanPlan(coll->id, forward);
    return result;
  }
  if (candidates.size() == 1) {
    result.winner = candidates[0];
    return result;
  }

  if (cache_key.empty()) compute_keys();
  if (!request.bypass_cache) {
    std::lock_guard lock(g_cache_mutex);
    auto it = g_cache->find(cache_key);
    if (it != g_cache->end()) {
      for (const auto& c : candidates) {
        if (PlanFingerprint(*c) == it->second.summary) {
          result.winner = c;
          result.from_cache = true;
          CachedPlanCheck check;
          check.cache_key = cache_key;
          check.entry_id = it->second.id;
          check.works_budget = kCacheEvictionRatio * std::max<int64_t>(1, it->second.info.works);
          check.result_target = kTrialResults;
          if (request.limit > 0) {
            check.result_target = std::min<int64_t>(kTrialResults, request.skip + request.limit);
          }
          result.cached_check = std::move(check);
          return result;
        }
      }
    }
  }

  // Trial runs (sequential, each over the same snapshot).
  std::unique_ptr<storage::ReadUnit> read = engine.BeginRead();
  bool wants_sort = sort.has_value() && !sort->empty();
  int64_t target = kTrialResults;
  if (request.limit > 0) target = std::min<int64_t>(target, request.skip + request.limit);
  size_t best = 0;
  for (size_t i = 0; i < candidates.size(); ++i) {
    TrialResult t;
    t.plan = candidates[i];
    std::unique_ptr<storage::RecordCursor> cursor = candidates[i]->Open(read.get(), &t.stats);
    while (t.stats.works() < kTrialWorks) {
      if (!cursor->Next()) {
        DDS_RETURN_IF_ERROR(cursor->status());
        t.eof = true;
        break;
      }
      bool match = true;
      if (request.filter != nullptr) {
        try {
          match = request.filter->Matches(cursor->doc(), nullptr);
        } catch (const DbException&) {
          match = false;
        }
      }
      if (match && ++t.results >= target) break;
    }
    bool blocking = wants_sort && !candidates[i]->provides_sort;
    double counted = blocking && !t.eof ? 0.0 : static_cast<double>(t.results);
    double works = static_cast<double>(t.stats.works() + 1);
    double epsilon = std::min(1.0 / (10 * works), 1e-4);
    t.score = 1 + counted / works + (t.eof ? 1 : 0) + (blocking ? 0 : epsilon) +
              (candidates[i]->covered ? epsilon : 0);
    if (i == 0 || t.score > result.trials[best].score) best = i;
    result.trials.push_back(std::move(t));
  }
  result.winner = candidates[best];
  CacheEntry entry{PlanFingerprint(*result.winner), coll->uuid, query_shape, index_set, 0, {}};
  PlanCacheEntryInfo& info = entry.info;
  info.query_hash = result.query_hash;
  info.plan_cache_key = result.plan_cache_key;
  info.created = std::chrono::system_clock::now();
  info.works = result.trials[best].stats.works();
  info.filter = bson::BsonDocument(request.filter_doc);
  info.sort = bson::BsonDocument(request.sort);
  info.projection = bson::BsonDocument(request.projection);
  info.skip = request.skip;
  info.limit = request.limit;
  info.count_only = request.count_only;
  info.plan = result.winner;
  for (const TrialResult& t : result.trials) info.scores.push_back(t.score);
  std::sort(info.scores.begin(), info.scores.end(), std::greater<>());  // by rank, as mongod
  {
    std::lock_guard lock(g_cache_mutex);
    if (g_cache->size() >= kPlanCacheMaxEntries) g_cache->clear();
    entry.id = g_next_entry_id++;
    (*g_cache)[cache_key] = std::move(entry);
  }
  return result;
}

std::shared_ptr<const QueryPlan> ExpressEqualityPlan(const storage::CollectionPtr& coll,
                                                     const BsonView& filter) {
  if (coll == nullptr) return nullptr;
  auto it = filter.begin();
  if (it == filter.end()) return nullptr;
  const BsonElement value = *it;
  if (++it != filter.end()) return nullptr;
  const std::string_view path = value.field_name();
  if (path.empty() || path[0] == '$' || path == "_id" || path.front() == '.' ||
      path.back() == '.' || path.find("..") != std::string_view::npos ||
      HasNumericComponent(path) || !ExactPointValue(value)) {
    return nullptr;
  }
  // Every index leading with `path` would be a candidate of PlanQuery (hidden ones aside): with
  // more than one, its trial or plan cache decides.
  const storage::IndexDescriptor* chosen = nullptr;
  for (const storage::IndexDescriptor& d : coll->indexes) {
    if (d.building || d.index_id == 0) continue;
    BsonElement key = d.spec.view()["key"];
    if (!key.IsObject() || key.Object().FirstElement().field_name() != path) continue;
    if (chosen != nullptr) return nullptr;
    chosen = &d;
  }
  if (chosen == nullptr || chosen->multikey) return nullptr;
  StatusWith<std::shared_ptr<const index::IndexAccessMethod>> method =
      index::GetAccessMethod(*chosen);
  if (!method.ok()) return nullptr;
  const index::IndexInfo& info = method.value()->info();
  if (info.fields.size() != 1 || info.fields[0].kind == index::KeyKind::kHashed || info.sparse ||
      info.partial_filter || info.hidden) {
    return nullptr;
  }
  auto plan = std::make_shared<QueryPlan>();
  plan->kind = QueryPlan::Kind::kIndexScan;
  plan->collection_id = coll->id;
  plan->exact = true;
  IndexScanNode& scan = plan->scans.emplace_back();
  scan.method = std::move(method).value();
  scan.info = info;
  scan.info.multikey = false;
  scan.bounds.fields.push_back(EqualityBounds(value));
  scan.ranges = scan.bounds.ToKeyRanges(scan.info);
  return plan;
}

}  // namespace dds::query
