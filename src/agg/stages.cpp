// Streaming and simple blocking stages: $match $project $addFields/$set $unset $replaceRoot
// $replaceWith $skip $limit $count $sort $unwind $sample, and the stages that answer errors.
#include <algorithm>
#include <map>
#include <random>

#include "agg/document_util.h"
#include "agg/stages_internal.h"
#include "query/match_parser.h"
#include "query/projection.h"
#include "query/sort_pattern.h"

namespace dds::agg {
namespace {

using bson::BsonDocument;
using bson::BsonElement;
using bson::BsonType;

class MatchStage : public StageSpec {
 public:
  MatchStage(BsonDocument filter, std::shared_ptr<const query::MatchExpression> m)
      : filter_(std::move(filter)), matcher_(std::move(m)) {}
  std::string_view name() const override { return "$match"; }
  const BsonDocument* match_filter() const override { return &filter_; }
  std::unique_ptr<DocumentSource> Bind(std::unique_ptr<DocumentSource> input) const override {
    auto m = matcher_;
    return MakeMapSource(std::move(input), [m](BsonDocument d) -> std::optional<BsonDocument> {
      if (m->Matches(d)) return d;
      return std::nullopt;
    });
  }

 private:
  BsonDocument filter_;
  std::shared_ptr<const query::MatchExpression> matcher_;
};

// The tree of $addFields: each node sets computed values or descends into sub-documents.
struct AddFieldsNode {
  struct Child {
    std::string name;
    ExprPtr expr;                          // set when computed
    std::shared_ptr<AddFieldsNode> sub;    // set when nested
  };
  std::vector<Child> children;
  Child* Find(std::string_view n) {
    for (Child& c : children) {
      if (c.name == n) return &c;
    }
    return nullptr;
  }
};

Status AddFieldsPath(AddFieldsNode* root, const std::string& path, ExprPtr expr) {
  AddFieldsNode* node = root;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty()) return Status(15998, "FieldPath field names may not be empty strings.");
    if (part[0] == '$') {
      return Status(16410, "FieldPath field names may not start with '$'. Consider using $getField or $setField.");
    }
    AddFieldsNode::Child* c = node->Find(part);
    if (dot == std::string::npos) {
      if (c != nullptr) return Status(31250, "Path collision at " + path);
      node->children.push_back({part, std::move(expr), nullptr});
      return Status::OK();
    }
    if (c == nullptr) {
      node->children.push_back({part, nullptr, std::make_shared<AddFieldsNode>()});
      c = &node->children.back();
    } else if (!c->sub) {
      return Status(31249, "Path collision at " + path + " remaining portion " + path.substr(dot + 1));
    }
    node = c->sub.get();
    start = dot + 1;
  }
}

Status ParseAddFieldsObject(const bson::BsonView& obj, const std::string& prefix, ParseScope* scope,
                            AddFieldsNode* root) {
  for (const BsonElement& e : obj) {
    std::string path = prefix + std::string(e.field_name());
    if (e.type() == BsonType::kObject && !e.Object().empty()) {
      std::string_view first = e.Object().FirstElement().field_name();
      if (first.empty() || first[0] != '$') {
        DDS_RETURN_IF_ERROR(ParseAddFieldsObject(e.Object(), path + ".", scope, root));
        continue;
      }
    }
    DDS_ASSIGN_OR_RETURN(ExprPtr expr, ParseExpression(e, scope));
    DDS_RETURN_IF_ERROR(AddFieldsPath(root, path, std::move(expr)));
  }
  return Status::OK();
}

void ApplyAddFields(const AddFieldsNode& node, const bson::BsonView& in, Variables* vars, bson::BsonBuilder* out);

void ApplyAddFieldsToArray(const AddFieldsNode& node, const bson::BsonView& arr, Variables* vars,
                           bson::BsonBuilder* out) {
  for (const BsonElement& e : arr) {
    if (e.type() == BsonType::kObject) {
      out->StartDocument(e.field_name());
      ApplyAddFields(node, e.Object(), vars, out);
      out->End();
    } else if (e.type() == BsonType::kArray) {
      out->StartArray(e.field_name());
      ApplyAddFieldsToArray(node, e.Array(), vars, out);
      out->End();
    } else {
      out->StartDocument(e.field_name());
      ApplyAddFields(node, bson::BsonView(), vars, out);
      out->End();
    }
  }
}

void ApplyChild(const AddFieldsNode::Child& c, const BsonElement* existing, Variables* vars, bson::BsonBuilder* out) {
  if (c.expr) {
    AppendValue(out, c.name, c.expr->Evaluate(vars));
    return;
  }
  if (existing != nullptr && existing->type() == BsonType::kObject) {
    out->StartDocument(c.name);
    ApplyAddFields(*c.sub, existing->Object(), vars, out);
    out->End();
  } else if (existing != nullptr && existing->type() == BsonType::kArray) {
    out->StartArray(c.name);
    ApplyAddFieldsToArray(*c.sub, existing->Array(), vars, out);
    out->End();
  } else {
    out->StartDocument(c.name);
    ApplyAddFields(*c.sub, bson::BsonView(), vars, out);
    out->End();
  }
}

void ApplyAddFields(const AddFieldsNode& node, const bson::BsonView& in, Variables* vars, bson::BsonBuilder* out) {
  std::vector<bool> seen(node.children.size(), false);
  for (const BsonElement& e : in) {
    const AddFieldsNode::Child* c = nullptr;
    for (size_t i = 0; i < node.children.size(); ++i) {
      if (node.children[i].name == e.field_name()) {
        c = &node.children[i];
        seen[i] = true;
      }
    }
    if (c == nullptr) {
      out->AppendElement(e);
      continue;
    }
    ApplyChild(*c, &e, vars, out);
  }
  for (size_t i = 0; i < node.children.size(); ++i) {
    if (!seen[i]) ApplyChild(node.children[i], nullptr, vars, out);
  }
}

}  // namespace

// Applies an $addFields specification (shared with pipeline-style updates).
StatusWith<StagePtr> MakeAddFieldsStage(const bson::BsonView& spec, const StageParseContext& ctx, std::string_view name) {
  auto root = std::make_shared<AddFieldsNode>();
  ParseScope scope = ScopeWithLet(ctx.let_vars);
  DDS_RETURN_IF_ERROR(ParseAddFieldsObject(spec, "", &scope, root.get()));
  BsonDocument let(ctx.let_vars);
  auto let_holder = std::make_shared<const BsonDocument>(std::move(let));
  return MakeStage(name, [root, let_holder](std::unique_ptr<DocumentSource> input) {
    return MakeMapSource(std::move(input), [root, let_holder](BsonDocument d) -> std::optional<BsonDocument> {
      Variables vars(d);
      for (const BsonElement& e : let_holder->view()) vars.Push(std::string(e.field_name()), Value::FromElement(e));
      bson::BsonBuilder b(static_cast<size_t>(d.size()) + 64);
      ApplyAddFields(*root, d, &vars, &b);
      return b.Done();
    });
  });
}

StatusWith<StagePtr> ParseMatchStage(const BsonElement& spec, const StageParseContext& ctx) {
  if (spec.type() != BsonType::kObject) {
    return Status(15959, "the match filter must be an expression in an object");
  }
  query::MatchParseOptions options;
  options.let_vars = ctx.let_vars;
  DDS_ASSIGN_OR_RETURN(std::unique_ptr<query::MatchExpression> m,
                       query::ParseMatchExpression(spec.Object(), options));
  return StagePtr(std::make_shared<MatchStage>(BsonDocument(spec.Object()),
                                               std::shared_ptr<const query::MatchExpression>(std::move(m))));
}

StatusWith<StagePtr> ParseProjectStage(const BsonElement& spec, const StageParseContext& ctx) {
  if (spec.type() != BsonType::kObject) {
    return Status(15969, "$project specification must be an object");
  }
  DDS_ASSIGN_OR_RETURN(query::Projection p, query::Projection::ParseForAggregation(spec.Object(), ctx.let_vars));
  auto proj = std::make_shared<const query::Projection>(std::move(p));
  return MakeStage("$project", [proj](std::unique_ptr<DocumentSource> input) {
    return MakeMapSource(std::move(input), [proj](BsonDocument d) -> std::optional<BsonDocument> {
      StatusWith<BsonDocument> r = proj->Apply(d);
      if (!r.ok()) ThrowDb(r.status());
      return std::move(r).value();
    });
  });
}

StatusWith<StagePtr> ParseAddFieldsStage(const BsonElement& spec, const StageParseContext& ctx) {
  if (spec.type() != BsonType::kObject) {
    return Status(40272, std::string(spec.field_name()) + " specification stage must be an object, got " +
                             std::string(bson::TypeAlias(spec.type())));
  }
  return MakeAddFieldsStage(spec.Object(), ctx, spec.field_name() == "$set" ? "$set" : "$addFields");
}

StatusWith<StagePtr> ParseUnsetStage(const BsonElement& spec, const StageParseContext& ctx) {
  bson::BsonBuilder proj;
  if (spec.type() == BsonType::kString) {
    if (spec.String().empty()) return Status(40352, "Invalid $unset :: caused by :: FieldPath cannot be constructed with empty string");
    proj.AppendInt32(spec.String(), 0);
  } else if (spec.type() == BsonType::kArray) {
    if (spec.Array().empty()) {
      return Status(31119, "$unset specification must be a string or an array with at least one field");
    }
    for (const BsonElement& e : spec.Array()) {
      if (e.type() != BsonType::kString) {
        return Status(31120, "$unset specification must be a string or an array containing only string values");
      }
      proj.AppendInt32(e.String(), 0);
    }
  } else {
    return Status(31002, "$unset specification must be a string or an array");
  }
  BsonDocument spec_doc = proj.Done();
  DDS_ASSIGN_OR_RETURN(query::Projection p, query::Projection::ParseForAggregation(spec_doc, ctx.let_vars));
  auto projection = std::make_shared<const query::Projection>(std::move(p));
  return MakeStage("$unset", [projection](std::unique_ptr<DocumentSource> input) {
    return MakeMapSource(std::move(input), [projection](BsonDocument d) -> std::optional<BsonDocument> {
      StatusWith<BsonDocument> r = projection->Apply(d);
      if (!r.ok()) ThrowDb(r.status());
      return std::move(r).value();
    });
  });
}

namespace {
StatusWith<StagePtr> MakeReplaceRoot(const BsonElement& expr_elem, const StageParseContext& ctx, std::string_view name) {
  ParseScope scope = ScopeWithLet(ctx.let_vars);
  DDS_ASSIGN_OR_RETURN(ExprPtr expr, ParseExpression(expr_elem, &scope));
  auto let_holder = std::make_shared<const BsonDocument>(ctx.let_vars);
  return MakeStage(name, [expr, let_holder](std::unique_ptr<DocumentSource> input) {
    return MakeMapSource(std::move(input), [expr, let_holder](BsonDocument d) -> std::optional<BsonDocument> {
      Value v = EvaluateWithLet(*expr, d, let_holder->view());
      if (!v.IsObject()) {
        ThrowDb(40228, "'newRoot' expression must evaluate to an object, but resulting value was: " +
                           v.ToString() + ". Type of resulting value: '" + v.TypeName() +
                           "'. Input document: " + bson::ToShellString(d));
      }
      return BsonDocument(v.element().Object());
    });
  });
}
}  // namespace

StatusWith<StagePtr> ParseReplaceRootStage(const BsonElement& spec, const StageParseContext& ctx) {
  if (spec.type() != BsonType::kObject) {
    return Status(40229, "expected an object as specification for $replaceRoot stage, got " +
                             std::string(bson::TypeAlias(spec.type())));
  }
  BsonElement new_root;
  for (const BsonElement& e : spec.Object()) {
    if (e.field_name() != "newRoot") {
      return Status(40415, "BSON field '$replaceRoot." + std::string(e.field_name()) + "' is an unknown field.");
    }
    new_root = e;
  }
  if (new_root.eoo()) return Status(40414, "BSON field '$replaceRoot.newRoot' is missing but a required field");
  return MakeReplaceRoot(new_root, ctx, "$replaceRoot");
}

StatusWith<StagePtr> ParseReplaceWithStage(const BsonElement& spec, const StageParseContext& ctx) {
  return MakeReplaceRoot(spec, ctx, "$replaceWith");
}

StatusWith<StagePtr> ParseSkipStage(const BsonElement& spec, const StageParseContext&) {
  if (!spec.IsNumber()) return Status(15972, "Argument to $skip must be a number");
  std::optional<int64_t> n = spec.ExactInt64();
  if (!n) return Status(15972, "Argument to $skip must be a number");
  if (*n < 0) return Status(15956, "Argument to $skip cannot be negative");
  int64_t skip = *n;
  return MakeStage("$skip", [skip](std::unique_ptr<DocumentSource> input) {
    return MakeMapSource(std::move(input), [skip, seen = int64_t{0}](BsonDocument d) mutable -> std::optional<BsonDocument> {
      if (seen++ < skip) return std::nullopt;
      return d;
    });
  });
}

namespace {
class LimitSource : public DocumentSource {
 public:
  LimitSource(std::unique_ptr<DocumentSource> input, int64_t limit) : input_(std::move(input)), left_(limit) {}
  std::optional<BsonDocument> GetNext() override {
    if (left_ <= 0) return std::nullopt;
    --left_;
    return input_->GetNext();
  }

 private:
  std::unique_ptr<DocumentSource> input_;
  int64_t left_;
};
}  // namespace

StatusWith<StagePtr> ParseLimitStage(const BsonElement& spec, const StageParseContext&) {
  if (!spec.IsNumber()) return Status(15957, "the limit must be specified as a number");
  std::optional<int64_t> n = spec.ExactInt64();
  if (!n) return Status(15957, "the limit must be specified as a number");
  if (*n <= 0) return Status(15958, "the limit must be positive");
  int64_t limit = *n;
  return MakeStage("$limit", [limit](std::unique_ptr<DocumentSource> input) {
    return std::unique_ptr<DocumentSource>(std::make_unique<LimitSource>(std::move(input), limit));
  });
}

namespace {
// Drains the input into a vector, transforms it once, then streams the result.
template <typename Fn>
class BlockingSource : public DocumentSource {
 public:
  BlockingSource(std::unique_ptr<DocumentSource> input, Fn fn) : input_(std::move(input)), fn_(std::move(fn)) {}
  std::optional<BsonDocument> GetNext() override {
    if (!done_) {
      std::vector<BsonDocument> all;
      while (std::optional<BsonDocument> d = input_->GetNext()) all.push_back(std::move(*d));
      out_ = fn_(std::move(all));
      done_ = true;
    }
    if (pos_ >= out_.size()) return std::nullopt;
    return std::move(out_[pos_++]);
  }

 private:
  std::unique_ptr<DocumentSource> input_;
  Fn fn_;
  bool done_ = false;
  std::vector<BsonDocument> out_;
  size_t pos_ = 0;
};

template <typename Fn>
std::unique_ptr<DocumentSource> MakeBlocking(std::unique_ptr<DocumentSource> input, Fn fn) {
  return std::make_unique<BlockingSource<Fn>>(std::move(input), std::move(fn));
}
}  // namespace

StatusWith<StagePtr> ParseCountStage(const BsonElement& spec, const StageParseContext&) {
  if (spec.type() != BsonType::kString) return Status(40156, "the count field must be a non-empty string");
  std::string name(spec.String());
  if (name.empty()) return Status(40157, "the count field must be a non-empty string");
  if (name[0] == '$') return Status(40158, "the count field cannot be a $-prefixed path");
  if (name.find('.') != std::string::npos) return Status(40160, "the count field cannot contain '.'");
  return MakeStage("$count", [name](std::unique_ptr<DocumentSource> input) {
    return MakeBlocking(std::move(input), [name](std::vector<BsonDocument> all) {
      std::vector<BsonDocument> out;
      if (!all.empty()) {
        bson::BsonBuilder b;
        if (all.size() <= INT32_MAX) b.AppendInt32(name, static_cast<int32_t>(all.size()));
        else b.AppendInt64(name, static_cast<int64_t>(all.size()));
        out.push_back(b.Done());
      }
      return out;
    });
  });
}

std::vector<BsonDocument> SortDocuments(const query::SortPattern& pattern, std::vector<BsonDocument> docs) {
  std::vector<std::pair<BsonDocument, size_t>> keyed;
  keyed.reserve(docs.size());
  for (size_t i = 0; i < docs.size(); ++i) keyed.emplace_back(pattern.ExtractKey(docs[i]), i);
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
    return pattern.CompareKeys(a.first, b.first) < 0;
  });
  std::vector<BsonDocument> out;
  out.reserve(docs.size());
  for (auto& k : keyed) out.push_back(std::move(docs[k.second]));
  return out;
}

std::vector<std::vector<BsonDocument>> SortAndPartition(std::vector<BsonDocument> docs,
                                                        const query::SortPattern* sort_by,
                                                        const ExprPtr& partition_by,
                                                        const bson::BsonView& let_vars) {
  if (sort_by != nullptr) docs = SortDocuments(*sort_by, std::move(docs));
  std::vector<std::vector<BsonDocument>> partitions;
  if (!partition_by) {
    partitions.push_back(std::move(docs));
    return partitions;
  }
  std::map<Value, size_t, bool (*)(const Value&, const Value&)> index(
      [](const Value& a, const Value& b) { return CompareValues(a, b) < 0; });
  for (BsonDocument& d : docs) {
    Value key = EvaluateWithLet(*partition_by, d, let_vars);
    if (key.missing()) key = Value::Null();
    auto it = index.find(key);
    if (it == index.end()) {
      it = index.emplace(key, partitions.size()).first;
      partitions.emplace_back();
    }
    partitions[it->second].push_back(std::move(d));
  }
  return partitions;
}

// $sort keeps its specification so that a leading $sort can move into the query executor.
class SortStage : public StageSpec {
 public:
  SortStage(BsonDocument spec, std::shared_ptr<const query::SortPattern> pattern)
      : spec_(std::move(spec)), pattern_(std::move(pattern)) {}
  std::string_view name() const override { return "$sort"; }
  const BsonDocument* sort_spec() const override { return &spec_; }
  std::unique_ptr<DocumentSource> Bind(std::unique_ptr<DocumentSource> input) const override {
    auto pattern = pattern_;
    return MakeBlocking(std::move(input), [pattern](std::vector<BsonDocument> all) {
      return SortDocuments(*pattern, std::move(all));
    });
  }

 private:
  BsonDocument spec_;
  std::shared_ptr<const query::SortPattern> pattern_;
};

StatusWith<StagePtr> ParseSortStage(const BsonElement& spec, const StageParseContext&) {
  if (spec.type() != BsonType::kObject) return Status(15973, "the $sort key specification must be an object");
  if (spec.Object().empty()) return Status(15976, "$sort stage must have at least one sort key");
  DDS_ASSIGN_OR_RETURN(query::SortPattern p, query::SortPattern::Parse(spec.Object()));
  if (p.natural_direction()) {
    return Status(ErrorCode::kBadValue, "$natural is not supported in a $sort stage");
  }
  return StagePtr(std::make_shared<SortStage>(BsonDocument(spec.Object()),
                                              std::make_shared<const query::SortPattern>(std::move(p))));
}

StatusWith<StagePtr> ParseSampleStage(const BsonElement& spec, const StageParseContext&) {
  if (spec.type() != BsonType::kObject) return Status(28745, "the $sample stage specification must be an object");
  BsonElement size = spec.Object().Get("size");
  for (const BsonElement& e : spec.Object()) {
    if (e.field_name() != "size") return Status(28748, "unrecognized option to $sample: " + std::string(e.field_name()));
  }
  if (size.eoo()) return Status(28749, "$sample stage must specify a size");
  if (!size.IsNumber()) return Status(28746, "size argument to $sample must be a number");
  std::optional<int64_t> n = size.ExactInt64();
  if (!n || *n < 0) return Status(28747, "size argument to $sample must not be negative");
  int64_t k = *n;
  return MakeStage("$sample", [k](std::unique_ptr<DocumentSource> input) {
    return MakeBlocking(std::move(input), [k](std::vector<BsonDocument> all) {
      std::mt19937_64 rng(std::random_device{}());
      std::shuffle(all.begin(), all.end(), rng);
      if (static_cast<int64_t>(all.size()) > k) all.resize(static_cast<size_t>(k));
      return all;
    });
  });
}

StatusWith<StagePtr> ParseUnwindStage(const BsonElement& spec, const StageParseContext&) {
  std::string path, index_field;
  bool preserve = false;
  if (spec.type() == BsonType::kString) {
    path = std::string(spec.String());
  } else if (spec.type() == BsonType::kObject) {
    for (const BsonElement& e : spec.Object()) {
      std::string_view n = e.field_name();
      if (n == "path") {
        if (e.type() != BsonType::kString) return Status(28808, "expected a string as the path for $unwind stage, got " + std::string(bson::TypeAlias(e.type())));
        path = std::string(e.String());
      } else if (n == "includeArrayIndex") {
        if (e.type() != BsonType::kString || e.String().empty()) {
          return Status(28810, "expected a non-empty string for the includeArrayIndex  option to $unwind stage");
        }
        index_field = std::string(e.String());
        if (index_field[0] == '$') {
          return Status(28822, "includeArrayIndex option to $unwind stage should not be prefixed with a '$': " + index_field);
        }
      } else if (n == "preserveNullAndEmptyArrays") {
        if (e.type() != BsonType::kBool) return Status(28809, "expected a boolean for the preserveNullAndEmptyArrays option to $unwind stage");
        preserve = e.Bool();
      } else {
        return Status(28811, "unrecognized option to $unwind stage: " + std::string(n));
      }
    }
    if (path.empty()) return Status(28812, "no path specified to $unwind stage");
  } else {
    return Status(15981, "expected either a string or an object as specification for $unwind stage, got " +
                             std::string(bson::TypeAlias(spec.type())));
  }
  if (path.empty() || path[0] != '$') {
    return Status(28818, "path option to $unwind stage should be prefixed with a '$': " + path);
  }
  path = path.substr(1);
  if (path.empty()) return Status(40352, "FieldPath cannot be constructed with empty string");
  if (path[0] == '$') return Status(16410, "FieldPath field names may not start with '$'. Consider using $getField or $setField.");

  class UnwindSource : public DocumentSource {
   public:
    UnwindSource(std::unique_ptr<DocumentSource> in, std::string p, std::string idx, bool keep)
        : input_(std::move(in)), path_(std::move(p)), index_(std::move(idx)), preserve_(keep) {}
    std::optional<BsonDocument> GetNext() override {
      while (true) {
        if (current_ && pos_ < items_.size()) {
          BsonDocument out = SetPath(*current_, path_, items_[pos_]);
          if (!index_.empty()) out = SetPath(out, index_, Value::Int64(static_cast<int64_t>(pos_)));
          ++pos_;
          return out;
        }
        current_.reset();
        std::optional<BsonDocument> d = input_->GetNext();
        if (!d) return std::nullopt;
        Value v = GetNestedField(*d, path_);
        if (v.IsArray()) {
          items_ = v.ArrayItems();
          pos_ = 0;
          if (items_.empty()) {
            if (!preserve_) continue;
            BsonDocument out = SetPath(*d, path_, Value());
            if (!index_.empty()) out = SetPath(out, index_, Value::Null());
            return out;
          }
          current_ = std::move(*d);
          continue;
        }
        if (v.nullish() && !preserve_) continue;
        if (!index_.empty()) return SetPath(*d, index_, Value::Null());
        return d;
      }
    }

   private:
    std::unique_ptr<DocumentSource> input_;
    std::string path_, index_;
    bool preserve_;
    std::optional<BsonDocument> current_;
    std::vector<Value> items_;
    size_t pos_ = 0;
  };
  return MakeStage("$unwind", [path, index_field, preserve](std::unique_ptr<DocumentSource> input) {
    return std::unique_ptr<DocumentSource>(std::make_unique<UnwindSource>(std::move(input), path, index_field, preserve));
  });
}

StatusWith<StagePtr> ParseChangeStreamStage(const BsonElement&, const StageParseContext&) {
  return Status(40573, "The $changeStream stage is only supported on replica sets");
}

StatusWith<StagePtr> ParseNeedsStorageStage(const BsonElement& spec, const StageParseContext&) {
  return Status(ErrorCode::kNotImplemented,
                std::string(spec.field_name()) + " is not supported yet");
}

// $collStats / $indexStats / $planCacheStats: the aggregate command answers them as the first
// stage of its pipeline (commands/collection_stats.h); reaching the agg parser means the first
// stage of a sub-pipeline ($lookup / $unionWith, which mongod allows) or an explain.
StatusWith<StagePtr> ParseStatsStage(const BsonElement& spec, const StageParseContext&) {
  return Status(ErrorCode::kNotImplemented,
                std::string(spec.field_name()) +
                    " is only supported as the first stage of an aggregate command's pipeline "
                    "(not in sub-pipelines or explain) yet");
}

StatusWith<StagePtr> ParseUnsupportedStage(const BsonElement& spec, const StageParseContext&) {
  return Status(ErrorCode::kNotImplemented, std::string(spec.field_name()) + " is not supported");
}

}  // namespace dds::agg
