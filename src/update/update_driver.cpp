#include "update/update_driver.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>

#include "agg/stage.h"
#include "query/match_parser.h"
#include "update/modifiers_internal.h"

namespace dds::update {

using bson::BsonDocument;
using bson::BsonElement;
using bson::BsonType;

namespace {

bool IsAllPositional(std::string_view c) { return c.size() >= 3 && c[0] == '$' && c[1] == '[' && c.back() == ']'; }
std::string_view FilterId(std::string_view c) { return c.substr(2, c.size() - 3); }

// mongod's field comparator for update ordering: numeric names compare as numbers.
int CompareComponents(std::string_view a, std::string_view b) {
  std::optional<size_t> ia = ParseArrayIndex(a), ib = ParseArrayIndex(b);
  if (ia && ib) return *ia < *ib ? -1 : (*ia > *ib ? 1 : 0);
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    out.emplace_back(path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return out;
}

Status ValidateUpdatePath(std::string_view path, const std::vector<std::string>& comps) {
  if (path.empty()) return Status(ErrorCode::kEmptyFieldName, "An empty update path is not valid.");
  int dollars = 0;
  for (const std::string& c : comps) {
    if (c.empty()) {
      return Status(ErrorCode::kEmptyFieldName, "The update path '" + std::string(path) +
                                                    "' contains an empty field name, which is not allowed.");
    }
    if (c == "$") ++dollars;
  }
  if (dollars > 1) {
    return Status(ErrorCode::kBadValue, "Too many positional (i.e. '$') elements found in path '" + std::string(path) + "'");
  }
  if (comps[0][0] == '$' && comps[0] != "$" && !IsAllPositional(comps[0])) {
    return Status(ErrorCode::kDollarPrefixedFieldName,
                  "The dollar ($) prefixed field '" + comps[0] + "' in '" + std::string(path) + "' is not allowed in the "
                  "context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.");
  }
  return Status::OK();
}

bool IsPrefixPath(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.size() > b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

std::string JoinPath(const std::vector<std::string>& comps, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (i) out += '.';
    out += comps[i];
  }
  return out;
}

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

// Per-document state of one operator-update application.
struct WalkState {
  const query::MatchDetails* details = nullptr;
  // The array elements as they were before this update, by concrete array path: array filters
  // are evaluated against them (mongod's UpdateArrayNode matches all its children's filters on
  // the array before applying any of them).
  std::map<std::string, std::vector<agg::Value>, std::less<>> snapshots;
  // Concrete leaf paths reached, with the index of the entry that reached them (recorded only
  // when the update has positional or array-update paths).
  std::vector<std::pair<size_t, std::string>> leaves;
  size_t entry = 0;
};

class UpdatePlan {
 public:
  enum class Kind { kOperators, kReplacement, kPipeline };
  struct Entry {
    std::string op;
    std::string path;
    std::vector<std::string> comps;
    ModifierPtr mod;
    std::vector<std::string> rename_to;  // $rename target components
    bool dynamic = false;                // has a $ or $[...] component
  };

  Kind kind = Kind::kOperators;
  std::vector<Entry> entries;
  BsonDocument replacement;
  std::vector<agg::StagePtr> stages;
  std::shared_ptr<const BsonDocument> let_vars;
  std::map<std::string, std::shared_ptr<const query::MatchExpression>, std::less<>> filters;
  bool positional = false;
  bool dynamic = false;  // some entry is dynamic

  Status ApplyOperators(MNode* root, const ModifierApplyContext& base, const query::MatchDetails* details) const;
  Status ApplyEntry(MNode* root, const Entry& e, const ModifierApplyContext& base, WalkState* ws) const;
  Status Step(MNode* container, const Entry& e, size_t i, std::string path, const ModifierApplyContext& base,
              WalkState* ws) const;
  Status StepName(MNode* container, std::string_view name, const Entry& e, size_t i, std::string path,
                  const ModifierApplyContext& base, WalkState* ws) const;
  Status ApplyRename(MNode* root, const Entry& e, const ModifierApplyContext& base) const;
  StatusWith<BsonDocument> RunPipeline(const bson::BsonView& doc) const;
};

Status UpdatePlan::ApplyOperators(MNode* root, const ModifierApplyContext& base,
                                  const query::MatchDetails* details) const {
  WalkState ws;
  ws.details = details;
  for (size_t k = 0; k < entries.size(); ++k) {
    ws.entry = k;
    DDS_RETURN_IF_ERROR(ApplyEntry(root, entries[k], base, &ws));
  }
  // Resolved positional / array-update paths may meet another path of the update at run time:
  // mongod's "Update created a conflict at ..." (40).
  for (size_t a = 0; a < ws.leaves.size(); ++a) {
    for (size_t b = a + 1; b < ws.leaves.size(); ++b) {
      if (ws.leaves[a].first == ws.leaves[b].first) continue;
      if (!entries[ws.leaves[a].first].dynamic && !entries[ws.leaves[b].first].dynamic) continue;
      const std::string& x = ws.leaves[a].second;
      const std::string& y = ws.leaves[b].second;
      const std::string& shorter = x.size() <= y.size() ? x : y;
      const std::string& longer = x.size() <= y.size() ? y : x;
      if (longer.compare(0, shorter.size(), shorter) == 0 &&
          (longer.size() == shorter.size() || longer[shorter.size()] == '.')) {
        return Status(ErrorCode::kConflictingUpdateOperators, "Update created a conflict at '" + shorter + "'");
      }
    }
  }
  return Status::OK();
}

Status UpdatePlan::ApplyEntry(MNode* root, const Entry& e, const ModifierApplyContext& base, WalkState* ws) const {
  if (!e.rename_to.empty()) return ApplyRename(root, e, base);
  // $setOnInsert outside an insert does nothing, not even a path check (Context::kInsertOnly).
  if (e.op == "$setOnInsert" && !base.upsert_insert) return Status::OK();
  return Step(root, e, 0, "", base, ws);
}

Status UpdatePlan::Step(MNode* container, const Entry& e, size_t i, std::string path,
                        const ModifierApplyContext& base, WalkState* ws) const {
  const std::string& comp = e.comps[i];
  if (comp == "$") {
    if (ws->details == nullptr || !ws->details->has_elem_match_key()) {
      return Status(ErrorCode::kBadValue, "The positional operator did not find the match needed from the query.");
    }
    return StepName(container, ws->details->elem_match_key(), e, i, std::move(path), base, ws);
  }
  if (IsAllPositional(comp)) {
    if (container->kind() != MNode::Kind::kArray) {
      return Status(ErrorCode::kBadValue, "Cannot apply array updates to non-array element " +
                                              container->ShellString(path.substr(path.rfind('.') == std::string::npos ? 0 : path.rfind('.') + 1)));
    }
    std::string_view id = FilterId(comp);
    const query::MatchExpression* filter = nullptr;
    const std::vector<agg::Value>* before = nullptr;
    // Snapshot at the first visit by any array update (filters may run after a $[] changed it).
    if (!filters.empty()) {
      auto it = ws->snapshots.find(path);
      if (it == ws->snapshots.end()) {
        std::vector<agg::Value> values;
        values.reserve(container->size());
        for (size_t k = 0; k < container->size(); ++k) values.push_back(container->child(k)->ToValue());
        it = ws->snapshots.emplace(path, std::move(values)).first;
      }
      before = &it->second;
    }
    if (!id.empty()) filter = filters.find(id)->second.get();
    for (size_t k = 0; k < container->size(); ++k) {
      if (filter != nullptr) {
        bson::BsonBuilder b;
        b.AppendElementAs(id, k < before->size() ? (*before)[k].element() : container->child(k)->ToValue().element());
        BsonDocument probe = b.Done();
        if (!filter->Matches(probe)) continue;
      }
      DDS_RETURN_IF_ERROR(StepName(container, bson::IndexName(k), e, i, path, base, ws));
    }
    return Status::OK();
  }
  return StepName(container, comp, e, i, std::move(path), base, ws);
}

Status UpdatePlan::StepName(MNode* container, std::string_view name, const Entry& e, size_t i, std::string path,
                            const ModifierApplyContext& base, WalkState* ws) const {
  size_t parent_len = path.size();
  if (!path.empty()) path += '.';
  path += name;
  // mongod's checkViability(): a non-creating modifier other than $unset on a path it could not
  // create is PathNotViable; $unset (allowNonViablePath) treats it as a no-op.
  auto non_viable = [&](const MNode* blocker, std::string_view blocker_name) -> Status {
    if (e.mod->scalar_on_path_is_noop()) return Status::OK();
    return Status(ErrorCode::kPathNotViable, "Cannot use the part (" + std::string(name) + " of " + e.path +
                                                 ") to traverse the element (" + blocker->ShellString(blocker_name) + ")");
  };
  auto container_name = [&]() {
    std::string_view parent = std::string_view(path).substr(0, parent_len);
    size_t dot = parent.rfind('.');
    return dot == std::string_view::npos ? parent : parent.substr(dot + 1);
  };
  bool array_needs_index = container->kind() == MNode::Kind::kArray && !ParseArrayIndex(name);
  if (i + 1 == e.comps.size()) {
    if (dynamic) ws->leaves.emplace_back(ws->entry, path);
    ModifierApplyContext ctx = base;
    ctx.full_path = path;
    if (array_needs_index && !e.mod->creates_path()) return non_viable(container, container_name());
    return e.mod->Apply(container, name, ctx);
  }
  MNode* child = container->Find(name);
  const std::string& next = e.comps[i + 1];
  if (child == nullptr) {
    // Array updates need an existing array, whatever the operator (UpdateArrayNode::apply).
    if (IsAllPositional(next)) {
      return Status(ErrorCode::kBadValue, "The path '" + path + "' must exist in the document in order to apply array updates.");
    }
    if (!e.mod->creates_path()) return array_needs_index ? non_viable(container, container_name()) : Status::OK();
    DDS_RETURN_IF_ERROR(SetChild(container, name, MNode::EmptyObject(), path));
    child = container->Find(name);
  } else if (!child->IsContainer()) {
    if (IsAllPositional(next)) {
      return Status(ErrorCode::kBadValue, "Cannot apply array updates to non-array element " + child->ShellString(name));
    }
    if (e.mod->scalar_on_path_is_noop()) return Status::OK();
    if (!e.mod->creates_path()) {
      return Status(ErrorCode::kPathNotViable, "Cannot use the part (" + next + " of " + e.path +
                                                   ") to traverse the element (" + child->ShellString(name) + ")");
    }
    return Status(ErrorCode::kPathNotViable, "Cannot create field '" + next + "' in element " + child->ShellString(name));
  }
  child->Expand();
  return Step(child, e, i + 1, std::move(path), base, ws);
}

Status UpdatePlan::ApplyRename(MNode* root, const Entry& e, const ModifierApplyContext& base) const {
  // Find the source as mongod's findLongestPrefix() does: a non-numeric component on an array or
  // any component on a scalar is PathNotViable; a missing component makes the rename a no-op.
  MNode* parent = root;
  bool through_array = false;
  std::string array_name;
  for (size_t i = 0; i + 1 < e.comps.size(); ++i) {
    MNode* c = parent->Find(e.comps[i]);
    if (c == nullptr) {
      if (parent->kind() == MNode::Kind::kArray && !ParseArrayIndex(e.comps[i])) break;
      return Status::OK();
    }
    if (!c->IsContainer() || (c->type() == BsonType::kArray && !ParseArrayIndex(e.comps[i + 1]))) {
      return Status(ErrorCode::kPathNotViable, "cannot use the part (" + e.comps[i + 1] + " of " + e.path +
                                                   ") to traverse the element (" + c->ShellString(e.comps[i]) + ")");
    }
    if (c->type() == BsonType::kArray) {
      through_array = true;
      array_name = e.comps[i];
    }
    c->Expand();
    parent = c;
  }
  MNode* source = parent->Find(e.comps.back());
  if (source == nullptr) return Status::OK();
  if (through_array) {
    return Status(ErrorCode::kBadValue, "The source field cannot be an array element, '" + e.path + "' in doc with " +
                                            IdForMessage(base.original) + " has an array field called '" +
                                            array_name + "'");
  }
  // The destination may not be (inside) an array element, and may not traverse a scalar.
  MNode* dest = root;
  for (size_t i = 0; i + 1 < e.rename_to.size(); ++i) {
    MNode* c = dest->Find(e.rename_to[i]);
    if (c == nullptr) break;
    if (c->type() == BsonType::kArray) {
      return Status(ErrorCode::kBadValue, "The destination field cannot be an array element, '" +
                                              JoinPath(e.rename_to, e.rename_to.size()) + "' in doc with " +
                                              IdForMessage(base.original) + " has an array field called '" +
                                              e.rename_to[i] + "'");
    }
    if (!c->IsContainer()) {
      return Status(ErrorCode::kPathNotViable, "Cannot create field '" + e.rename_to[i + 1] + "' in element " +
                                                   c->ShellString(e.rename_to[i]));
    }
    c->Expand();
    dest = c;
  }
  agg::Value value = source->ToValue();
  for (size_t k = 0; k < parent->size(); ++k) {
    if (parent->name(k) == e.comps.back()) {
      parent->Remove(k);
      break;
    }
  }
  dest = root;
  for (size_t i = 0; i + 1 < e.rename_to.size(); ++i) {
    MNode* c = dest->Find(e.rename_to[i]);
    if (c == nullptr) {
      dest->Append(e.rename_to[i], MNode::EmptyObject());
      c = dest->Find(e.rename_to[i]);
    }
    c->Expand();
    dest = c;
  }
  return SetChild(dest, e.rename_to.back(), MNode::FromValue(std::move(value)), JoinPath(e.rename_to, e.rename_to.size()));
}

StatusWith<BsonDocument> UpdatePlan::RunPipeline(const bson::BsonView& doc) const {
  try {
    std::vector<BsonDocument> input;
    input.emplace_back(doc);
    std::unique_ptr<agg::DocumentSource> chain = agg::MakeVectorSource(std::move(input));
    for (const agg::StagePtr& s : stages) chain = s->Bind(std::move(chain));
    std::optional<BsonDocument> out = chain->GetNext();
    if (!out) return Status(ErrorCode::kBadValue, "pipeline-style update produced no document");
    return std::move(*out);
  } catch (const DbException& ex) {
    return ex.status();
  }
}

UpdateDriver::UpdateDriver() = default;
UpdateDriver::~UpdateDriver() = default;
UpdateDriver::UpdateDriver(UpdateDriver&&) noexcept = default;
UpdateDriver& UpdateDriver::operator=(UpdateDriver&&) noexcept = default;

namespace {

Status ParseArrayFilters(const bson::BsonView& array_filters, UpdatePlan* plan) {
  for (const BsonElement& f : array_filters) {
    if (f.type() != BsonType::kObject) {
      return Status(ErrorCode::kTypeMismatch, "BSON field 'update.updates.arrayFilters' is the wrong type '" +
                                                  std::string(bson::TypeAlias(f.type())) + "', expected type 'object'");
    }
    // The identifier is the first component of every top-level field (also inside $and/$or/$nor).
    std::string id;
    std::vector<bson::BsonView> todo = {f.Object()};
    while (!todo.empty()) {
      bson::BsonView obj = todo.back();
      todo.pop_back();
      for (const BsonElement& e : obj) {
        std::string_view n = e.field_name();
        if (n == "$and" || n == "$or" || n == "$nor") {
          if (e.type() == BsonType::kArray) {
            for (const BsonElement& sub : e.Array()) {
              if (sub.type() == BsonType::kObject) todo.push_back(sub.Object());
            }
          }
          continue;
        }
        std::string first(n.substr(0, n.find('.')));
        if (id.empty()) {
          id = first;
        } else if (id != first) {
          return Status(ErrorCode::kFailedToParse, "Error parsing array filter :: caused by :: Expected a single "
                                                   "top-level field name, found '" + id + "' and '" + first + "'");
        }
      }
    }
    if (id.empty()) {
      return Status(ErrorCode::kFailedToParse, "Cannot use an expression without a top-level field name in arrayFilters");
    }
    unsigned char c0 = static_cast<unsigned char>(id[0]);
    bool valid = c0 >= 'a' && c0 <= 'z';
    for (char ch : id) valid = valid && std::isalnum(static_cast<unsigned char>(ch));
    if (!valid) {
      return Status(ErrorCode::kBadValue, "Error parsing array filter :: caused by :: The top-level field name must "
                                          "be an alphanumeric string beginning with a lowercase letter, found '" + id + "'");
    }
    if (plan->filters.count(id)) {
      return Status(ErrorCode::kFailedToParse, "Found multiple array filters with the same top-level field name " + id);
    }
    DDS_ASSIGN_OR_RETURN(std::unique_ptr<query::MatchExpression> m, query::ParseMatchExpression(f.Object()));
    plan->filters.emplace(id, std::shared_ptr<const query::MatchExpression>(std::move(m)));
  }
  return Status::OK();
}

Status ParseOperators(const bson::BsonView& u, UpdatePlan* plan) {
  for (const BsonElement& op : u) {
    std::string_view name = op.field_name();
    const UpdateOperatorEntry* entry = name.empty() || name[0] != '$' ? nullptr : FindUpdateOperator(name);
    if (entry == nullptr) {
      return Status(ErrorCode::kFailedToParse, "Unknown modifier: " + std::string(name) +
                                                   ". Expected a valid update modifier or pipeline-style update "
                                                   "specified as an array");
    }
    if (op.type() != BsonType::kObject) {
      return Status(ErrorCode::kFailedToParse,
                    "Modifiers operate on fields but we found type " + std::string(bson::TypeAlias(op.type())) +
                        " instead. For example: {$mod: {<field>: ...}} not {" + std::string(name) + ": " +
                        bson::ElementValueToShellString(op) + "}");
    }
    for (const BsonElement& field : op.Object()) {
      UpdatePlan::Entry e;
      e.op = std::string(name);
      e.path = std::string(field.field_name());
      e.comps = SplitPath(e.path);
      DDS_RETURN_IF_ERROR(ValidateUpdatePath(e.path, e.comps));
      ModifierParseContext ctx{name};
      DDS_ASSIGN_OR_RETURN(e.mod, entry->parse(field, ctx));
      if (name == "$rename") {
        const auto* rename = static_cast<const RenameModifier*>(e.mod.get());
        e.rename_to = SplitPath(rename->to());
        DDS_RETURN_IF_ERROR(ValidateUpdatePath(rename->to(), e.rename_to));
        if (rename->to() == e.path) {
          return Status(ErrorCode::kBadValue, "The source and target field for $rename must differ: " + e.path);
        }
        for (const std::string& c : e.comps) {
          if (c == "$" || IsAllPositional(c)) {
            return Status(ErrorCode::kBadValue, "The source field for $rename may not be dynamic: " + e.path);
          }
        }
        for (const std::string& c : e.rename_to) {
          if (c == "$" || IsAllPositional(c)) {
            return Status(ErrorCode::kBadValue, "The destination field for $rename may not be dynamic: " + rename->to());
          }
        }
        if (IsPrefixPath(e.comps, e.rename_to) || IsPrefixPath(e.rename_to, e.comps)) {
          return Status(ErrorCode::kBadValue, "The source and target field for $rename must not be on the same "
                                              "path: " + e.path + ": \"" + rename->to() + "\"");
        }
      }
      for (const std::string& c : e.comps) {
        plan->positional = plan->positional || c == "$";
        e.dynamic = e.dynamic || c == "$" || IsAllPositional(c);
      }
      plan->dynamic = plan->dynamic || e.dynamic;
      plan->entries.push_back(std::move(e));
    }
  }
  // Two updates touching the same path or a prefix of each other conflict (40).
  std::vector<std::pair<std::vector<std::string>, std::string>> seen;
  for (const UpdatePlan::Entry& e : plan->entries) {
    std::vector<std::vector<std::string>> mine = {e.comps};
    if (!e.rename_to.empty()) mine.push_back(e.rename_to);
    for (const auto& comps : mine) {
      for (const auto& [other, other_path] : seen) {
        // Through the same array, an array update ($[] / $[<id>]) and a plain component conflict
        // (mongod cannot hold an array node and an object node at one path).
        size_t common = 0;
        while (common < comps.size() && common < other.size() && comps[common] == other[common]) ++common;
        if (common > 0 && common < comps.size() && common < other.size() &&
            IsAllPositional(comps[common]) != IsAllPositional(other[common])) {
          return Status(ErrorCode::kConflictingUpdateOperators,
                        "Updating the path '" + JoinPath(comps, comps.size()) + "' would create a conflict at '" +
                            JoinPath(comps, common) + "'");
        }
        if (IsPrefixPath(other, comps) || IsPrefixPath(comps, other)) {
          const auto& shorter = other.size() <= comps.size() ? other : comps;
          return Status(ErrorCode::kConflictingUpdateOperators,
                        "Updating the path '" + JoinPath(comps, comps.size()) + "' would create a conflict at '" +
                            JoinPath(shorter, shorter.size()) + "'");
        }
      }
      seen.emplace_back(comps, JoinPath(comps, comps.size()));
    }
  }
  // 5.0+: fields are applied in path order (numeric components numerically).
  // A $rename applies at its destination's place in that order (mongod puts the RenameNode at the
  // 'to' path and a conflict placeholder at the 'from' path).
  std::stable_sort(plan->entries.begin(), plan->entries.end(), [](const UpdatePlan::Entry& a, const UpdatePlan::Entry& b) {
    const std::vector<std::string>& ka = a.rename_to.empty() ? a.comps : a.rename_to;
    const std::vector<std::string>& kb = b.rename_to.empty() ? b.comps : b.rename_to;
    size_t n = std::min(ka.size(), kb.size());
    for (size_t i = 0; i < n; ++i) {
      int c = CompareComponents(ka[i], kb[i]);
      if (c != 0) return c < 0;
    }
    return ka.size() < kb.size();
  });
  return Status::OK();
}

Status CheckFiltersUsed(const bson::BsonView& u, UpdatePlan* plan) {
  std::map<std::string, bool, std::less<>> used;
  for (const auto& [id, m] : plan->filters) used[id] = false;
  for (const UpdatePlan::Entry& e : plan->entries) {
    for (const std::string& c : e.comps) {
      if (!IsAllPositional(c)) continue;
      std::string_view id = FilterId(c);
      if (id.empty()) continue;
      auto it = used.find(id);
      if (it == used.end()) {
        return Status(ErrorCode::kBadValue, "No array filter found for identifier '" + std::string(id) +
                                                "' in path '" + e.path + "'");
      }
      it->second = true;
    }
  }
  for (const auto& [id, was_used] : used) {
    if (!was_used) {
      return Status(ErrorCode::kFailedToParse, "The array filter for identifier '" + id +
                                                   "' was not used in the update " + bson::ToShellString(u));
    }
  }
  return Status::OK();
}

Status CheckDocumentSize(const BsonDocument& doc) {
  if (doc.size() > bson::kMaxBsonObjectSize) {
    return Status(17419, "Resulting document after update is larger than " + std::to_string(bson::kMaxBsonObjectSize));
  }
  return Status::OK();
}

// Returns `doc` with `id` as its first field (and no other _id).
BsonDocument WithIdFirst(const bson::BsonView& doc, const BsonElement& id) {
  bson::BsonBuilder b(static_cast<size_t>(doc.size()) + 32);
  b.AppendElementAs("_id", id);
  for (const BsonElement& e : doc) {
    if (e.field_name() != "_id") b.AppendElement(e);
  }
  return b.Done();
}

Status ValidateIdValue(const BsonElement& id) {
  if (id.type() == BsonType::kArray || id.type() == BsonType::kRegex || id.type() == BsonType::kUndefined) {
    return Status(ErrorCode::kInvalidIdField, "The '_id' value cannot be of type " + std::string(bson::TypeAlias(id.type())));
  }
  if (id.type() == BsonType::kObject) {
    for (const BsonElement& f : id.Object()) {
      std::string_view n = f.field_name();
      if (!n.empty() && n[0] == '$') {
        return Status(ErrorCode::kDollarPrefixedFieldName,
                      "_id fields may not contain '$'-prefixed fields: The dollar ($) prefixed field '" +
                          std::string(n) + "' in '_id." + std::string(n) + "' is not allowed in the context of an "
                          "update's replacement document. Consider using an aggregation pipeline with $replaceWith.");
      }
    }
  }
  return Status::OK();
}

bool SameValueBytes(const BsonElement& a, const BsonElement& b) {
  return a.type() == b.type() && a.value_size() == b.value_size() &&
         std::string_view(a.value(), a.value_size()) == std::string_view(b.value(), b.value_size());
}

bool IsDbRefLike(const bson::BsonView& obj) {
  std::string_view fn = obj.FirstElement().field_name();
  return fn == "$ref" || fn == "$id" || fn == "$db";
}

// The equality predicates of a query as mongod extracts them after canonicalization
// (pathsupport::extractEqualityMatches on the CanonicalQuery): top-level fields and $and
// children; a one-clause $or is its clause; {$eq: v}, a one-element $in (not a regex) and each
// $all element count as equalities; plain values except regexes are equalities.
void CollectEqualities(const bson::BsonView& query, std::vector<std::pair<std::string, BsonElement>>* out) {
  for (const BsonElement& e : query) {
    std::string_view name = e.field_name();
    if (name == "$and" || name == "$or") {
      if (e.type() != BsonType::kArray) continue;
      bson::BsonView clauses = e.Array();
      if (name == "$or" && clauses.CountFields() != 1) continue;
      for (const BsonElement& sub : clauses) {
        if (sub.type() == BsonType::kObject) CollectEqualities(sub.Object(), out);
      }
      continue;
    }
    if (!name.empty() && name[0] == '$') continue;
    if (e.type() == BsonType::kRegex) continue;
    if (e.type() == BsonType::kObject && !e.Object().empty() && !IsDbRefLike(e.Object())) {
      std::string_view first = e.Object().FirstElement().field_name();
      if (!first.empty() && first[0] == '$') {
        for (const BsonElement& op : e.Object()) {
          std::string_view on = op.field_name();
          if (on == "$eq") {
            out->emplace_back(std::string(name), op);
          } else if (on == "$in" && op.type() == BsonType::kArray && op.Array().CountFields() == 1) {
            BsonElement v = op.Array().FirstElement();
            if (v.type() != BsonType::kRegex) out->emplace_back(std::string(name), v);
          } else if (on == "$all" && op.type() == BsonType::kArray) {
            for (const BsonElement& v : op.Array()) {
              if (v.type() == BsonType::kRegex) continue;
              if (v.type() == BsonType::kObject && v.Object().FirstElement().field_name() == "$elemMatch") continue;
              out->emplace_back(std::string(name), v);
            }
          }
        }
        continue;
      }
    }
    out->emplace_back(std::string(name), e);
  }
}

// Seeds an upsert document from the query's equalities, in sorted path order (mongod keeps them
// in a std::map). For a replacement only _id is taken ('_id.x' is NotExactValueField).
// Overlapping paths are NotSingleValueField.
Status SeedEqualities(const bson::BsonView& query, bool replacement, MNode* root) {
  std::vector<std::pair<std::string, BsonElement>> eqs;
  CollectEqualities(query, &eqs);
  if (replacement) {
    std::vector<std::pair<std::string, BsonElement>> ids;
    for (auto& [path, v] : eqs) {
      if (path == "_id") {
        ids.emplace_back(path, v);
      } else if (path.rfind("_id.", 0) == 0) {
        return Status(111, "field at '_id' must be exactly specified, field at sub-path '" + path + "'found");
      }
    }
    eqs = std::move(ids);
  }
  std::stable_sort(eqs.begin(), eqs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::vector<std::string>> paths;
  for (const auto& [path, v] : eqs) paths.push_back(SplitPath(path));
  for (size_t i = 0; i < paths.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (!IsPrefixPath(paths[j], paths[i]) && !IsPrefixPath(paths[i], paths[j])) continue;
      const auto& longer = paths[i].size() >= paths[j].size() ? paths[i] : paths[j];
      const auto& shorter = paths[i].size() >= paths[j].size() ? paths[j] : paths[i];
      std::string msg = "cannot infer query fields to set, ";
      if (longer.size() == shorter.size()) {
        msg += "path '" + JoinPath(longer, longer.size()) + "' is matched twice";
      } else {
        msg += "both paths '" + JoinPath(longer, longer.size()) + "' and '" + JoinPath(shorter, shorter.size()) +
               "' are matched";
      }
      return Status(ErrorCode::kNotSingleValueField, msg);
    }
  }
  for (size_t k = 0; k < eqs.size(); ++k) {
    const std::vector<std::string>& comps = paths[k];
    MNode* node = root;
    for (size_t i = 0; i + 1 < comps.size(); ++i) {
      MNode* c = node->Find(comps[i]);
      if (c == nullptr) {
        node->Append(comps[i], MNode::EmptyObject());
        c = node->Find(comps[i]);
      } else if (c->type() != BsonType::kObject) {
        return Status(ErrorCode::kPathNotViable, "Cannot create field '" + comps[i + 1] + "' in element " +
                                                     c->ShellString(comps[i]));
      }
      c->Expand();
      node = c;
    }
    DDS_RETURN_IF_ERROR(SetChild(node, comps.back(), MNode::FromValue(agg::Value::FromElement(eqs[k].second)),
                                 eqs[k].first));
  }
  return Status::OK();
}

}  // namespace

StatusWith<UpdateDriver> UpdateDriver::Parse(const BsonElement& u, const UpdateOptions& options) {
  auto plan = std::make_shared<UpdatePlan>();
  plan->let_vars = std::make_shared<const BsonDocument>(options.let_vars);
  bool has_filters = !options.array_filters.empty();
  if (u.type() == BsonType::kArray) {
    if (has_filters) {
      return Status(ErrorCode::kFailedToParse, "arrayFilters may not be specified for pipeline-style updates");
    }
    plan->kind = UpdatePlan::Kind::kPipeline;
    agg::ExpressionContext ectx{plan->let_vars->view()};
    agg::StageParseContext sctx{ectx, plan->let_vars->view(), 0};
    try {
      DDS_ASSIGN_OR_RETURN(plan->stages, agg::ParseStages(u.Array(), sctx, agg::kStageAllowedInUpdate));
    } catch (const DbException& ex) {
      return ex.status();
    }
  } else if (u.type() == BsonType::kObject) {
    bson::BsonView doc = u.Object();
    std::string_view first = doc.FirstElement().field_name();
    if (!doc.empty() && !first.empty() && first[0] == '$') {
      DDS_RETURN_IF_ERROR(ParseArrayFilters(options.array_filters, plan.get()));
      try {
        DDS_RETURN_IF_ERROR(ParseOperators(doc, plan.get()));
      } catch (const DbException& ex) {
        return ex.status();
      }
      DDS_RETURN_IF_ERROR(CheckFiltersUsed(doc, plan.get()));
    } else {
      plan->kind = UpdatePlan::Kind::kReplacement;
      if (options.multi) {
        return Status(ErrorCode::kFailedToParse, "multi update is not supported for replacement-style update");
      }
      for (const BsonElement& e : doc) {
        std::string_view n = e.field_name();
        if (!n.empty() && n[0] == '$') {
          return Status(ErrorCode::kDollarPrefixedFieldName,
                        "The dollar ($) prefixed field '" + std::string(n) + "' in '" + std::string(n) +
                            "' is not allowed in the context of an update's replacement document. Consider using "
                            "an aggregation pipeline with $replaceWith.");
        }
      }
      // Array filters are parsed (and validated) but a replacement does not use them; mongod does
      // not require them to be used here (update_driver.cpp checks only operator updates).
      if (has_filters) DDS_RETURN_IF_ERROR(ParseArrayFilters(options.array_filters, plan.get()));
      plan->replacement = BsonDocument(doc);
    }
  } else {
    return Status(ErrorCode::kFailedToParse, "Update argument must be either an object or an array");
  }
  UpdateDriver d;
  d.plan_ = std::move(plan);
  return d;
}

bool UpdateDriver::is_replacement() const { return plan_->kind == UpdatePlan::Kind::kReplacement; }
bool UpdateDriver::is_pipeline() const { return plan_->kind == UpdatePlan::Kind::kPipeline; }
bool UpdateDriver::needs_match_details() const { return plan_->positional; }

StatusWith<UpdateOutcome> UpdateDriver::Apply(const bson::BsonView& doc, const query::MatchDetails* details) const {
  BsonElement old_id = doc.Get("_id");
  BsonDocument result;
  // Replacements and pipelines: the document that replaces the stored one (before _id is kept).
  std::optional<std::string> replaced_bytes;
  switch (plan_->kind) {
    case UpdatePlan::Kind::kReplacement: {
      // mongod's ObjectReplaceExecutor: storage validation, then _id compared by value; the
      // stored _id is the replacement's when it has one. A no-op only when byte-identical.
      BsonElement new_id = plan_->replacement.view().Get("_id");
      if (!new_id.eoo()) DDS_RETURN_IF_ERROR(ValidateIdValue(new_id));
      if (!new_id.eoo() && !old_id.eoo() && bson::CompareElementValues(new_id, old_id) != 0) {
        return Status(ErrorCode::kImmutableField,
                      "After applying the update, the (immutable) field '_id' was found to have been altered to _id: " +
                          bson::ElementValueToShellString(new_id));
      }
      replaced_bytes = plan_->replacement.bytes();
      result = !new_id.eoo() ? WithIdFirst(plan_->replacement, new_id)
                             : (old_id.eoo() ? plan_->replacement : WithIdFirst(plan_->replacement, old_id));
      break;
    }
    case UpdatePlan::Kind::kPipeline: {
      DDS_ASSIGN_OR_RETURN(result, plan_->RunPipeline(doc));
      replaced_bytes = std::string(result.bytes());
      BsonElement new_id = result.view().Get("_id");
      if (!new_id.eoo()) DDS_RETURN_IF_ERROR(ValidateIdValue(new_id));
      if (!old_id.eoo()) {
        if (new_id.eoo()) {
          result = WithIdFirst(result, old_id);
        } else if (bson::CompareElementValues(new_id, old_id) != 0) {
          return Status(ErrorCode::kImmutableField,
                        "After applying the update, the (immutable) field '_id' was found to have been altered to _id: " +
                            bson::ElementValueToShellString(new_id));
        } else {
          result = WithIdFirst(result, new_id);
        }
      }
      break;
    }
    case UpdatePlan::Kind::kOperators: {
      MNode root = MNode::FromDocument(doc);
      ModifierApplyContext ctx;
      ctx.original = doc;
      ctx.now_ms = NowMillis();
      try {
        DDS_RETURN_IF_ERROR(plan_->ApplyOperators(&root, ctx, details));
      } catch (const DbException& ex) {
        return ex.status();
      }
      result = root.ToDocument(static_cast<size_t>(doc.size()) + 64);
      BsonElement new_id = result.view().Get("_id");
      if (!old_id.eoo() && (new_id.eoo() || !SameValueBytes(new_id, old_id))) {
        return Status(ErrorCode::kImmutableField,
                      "Performing an update on the path '_id' would modify the immutable field '_id'");
      }
      break;
    }
  }
  DDS_RETURN_IF_ERROR(CheckDocumentSize(result));
  UpdateOutcome out;
  std::string_view stored(doc.data(), static_cast<size_t>(doc.size()));
  out.modified = replaced_bytes ? *replaced_bytes != stored : result.bytes() != stored;
  out.doc = std::move(result);
  return out;
}

StatusWith<BsonDocument> UpdateDriver::BuildUpsertDocument(const bson::BsonView& query) const {
  if (plan_->positional) {
    return Status(ErrorCode::kBadValue, "The positional operator did not find the match needed from the query.");
  }
  MNode seeded = MNode::EmptyObject();
  DDS_RETURN_IF_ERROR(SeedEqualities(query, plan_->kind == UpdatePlan::Kind::kReplacement, &seeded));
  BsonDocument seeded_doc = seeded.ToDocument();
  BsonElement query_id = seeded_doc.view().Get("_id");

  BsonDocument result;
  switch (plan_->kind) {
    case UpdatePlan::Kind::kReplacement: {
      BsonElement rep_id = plan_->replacement.view().Get("_id");
      if (!rep_id.eoo()) DDS_RETURN_IF_ERROR(ValidateIdValue(rep_id));
      if (!query_id.eoo() && !rep_id.eoo() && bson::CompareElementValues(query_id, rep_id) != 0) {
        return Status(ErrorCode::kImmutableField,
                      "After applying the update, the (immutable) field '_id' was found to have been altered to _id: " +
                          bson::ElementValueToShellString(rep_id));
      }
      result = query_id.eoo() || !rep_id.eoo() ? plan_->replacement : WithIdFirst(plan_->replacement, query_id);
      break;
    }
    case UpdatePlan::Kind::kPipeline: {
      DDS_ASSIGN_OR_RETURN(result, plan_->RunPipeline(seeded_doc));
      BsonElement id = result.view().Get("_id");
      if (!query_id.eoo()) {
        if (id.eoo()) {
          result = WithIdFirst(result, query_id);
        } else if (bson::CompareElementValues(id, query_id) != 0) {
          return Status(ErrorCode::kImmutableField,
                        "After applying the update, the (immutable) field '_id' was found to have been altered to _id: " +
                            bson::ElementValueToShellString(id));
        }
      }
      break;
    }
    case UpdatePlan::Kind::kOperators: {
      MNode root = MNode::FromDocument(seeded_doc);
      ModifierApplyContext ctx;
      ctx.upsert_insert = true;
      ctx.original = seeded_doc;
      ctx.now_ms = NowMillis();
      try {
        DDS_RETURN_IF_ERROR(plan_->ApplyOperators(&root, ctx, nullptr));
      } catch (const DbException& ex) {
        return ex.status();
      }
      result = root.ToDocument();
      BsonElement id = result.view().Get("_id");
      if (!query_id.eoo() && (id.eoo() || !SameValueBytes(id, query_id))) {
        return Status(ErrorCode::kImmutableField,
                      "Performing an update on the path '_id' would modify the immutable field '_id'");
      }
      break;
    }
  }
  BsonElement id = result.view().Get("_id");
  if (id.eoo()) {
    bson::BsonBuilder b;
    b.AppendObjectId("_id", bson::ObjectId::Generate());
    BsonDocument gen = b.Done();
    result = WithIdFirst(result, gen.view().Get("_id"));
  } else {
    DDS_RETURN_IF_ERROR(ValidateIdValue(id));
    result = WithIdFirst(result, id);
  }
  DDS_RETURN_IF_ERROR(CheckDocumentSize(result));
  return result;
}

}  // namespace dds::update
