#include "query/projection.h"

#include <cstring>
#include <memory>

#include "query/match_parser.h"
#include "query/projection_internal.h"

namespace dds::query {

using bson::BsonBuilder;
using bson::BsonElement;
using bson::BsonType;
using Child = ProjectionNode::Child;
using Kind = ProjectionNode::Child::Kind;

// Follows mongod's projection_parser.cpp (parseElement / parseInclusion / parseExclusion /
// parseLiteral / parseSubObject) so that the same specs fail with the same codes, in the same order.
class ProjectionParser {
 public:
  // `query` (the find filter) is not needed at parse time: positional projections check the
  // recorded array position when applied (51246), as mongod does.
  ProjectionParser(bool for_aggregation, const bson::BsonView& /*query*/, const bson::BsonView& let_vars)
      : agg_(for_aggregation), let_vars_(let_vars) {}

  StatusWith<Projection> Run(const bson::BsonView& spec) {
    Projection p;
    if (spec.empty()) {
      if (agg_) {
        return Status(51272, "Invalid $project :: caused by :: projection specification must "
                             "have at least one field");
      }
      return p;
    }
    root_ = std::make_shared<ProjectionNode>();
    DDS_RETURN_IF_ERROR(ParseObject(spec, "", true));
    p.identity_ = false;
    p.include_id_ = include_id_;
    p.positional_ = positional_;
    p.positional_path_ = positional_path_;
    // mongod's computeProjectionType for projections without plain inclusions or exclusions.
    if (mode_ == 0) {
      if (has_find_slice_) {
        mode_ = id_included_entirely_ ? 1 : -1;
      } else if (has_elem_match_) {
        mode_ = 1;
      } else {
        mode_ = id_included_entirely_ ? 1 : -1;
      }
    }
    p.type_ = mode_ > 0 ? Projection::Type::kInclusion : Projection::Type::kExclusion;
    p.root_ = root_;
    return p;
  }

 private:
  // mongod's FieldPath checks, in its order.
  static Status ValidateFieldPath(std::string_view path) {
    if (path.empty()) return Status(40352, "FieldPath cannot be constructed with empty string");
    if (path.back() == '.') return Status(40353, "FieldPath must not end with a '.'.");
    size_t start = 0;
    while (start <= path.size()) {
      size_t dot = path.find('.', start);
      std::string_view part =
          path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
      if (part.empty()) return Status(15998, "FieldPath field names may not be empty strings.");
      if (part[0] == '$' && part != "$id" && part != "$ref" && part != "$db") {
        return Status(16410, "FieldPath field names may not start with '$'. Consider using "
                             "$getField or $setField.");
      }
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    return Status::OK();
  }

  // Inserts `child` at the dotted `path`, creating sub-nodes, with mongod's collision errors.
  Status AddAtPath(const std::string& path, Child child) {
    ProjectionNode* node = root_.get();
    size_t start = 0;
    while (true) {
      size_t dot = path.find('.', start);
      std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (part.empty()) return Status(15998, "FieldPath field names may not be empty strings.");
      Child* existing = node->Find(part);
      if (dot == std::string::npos) {
        if (existing != nullptr) return Status(31250, "Path collision at " + path);
        child.name = part;
        node->children.push_back(std::move(child));
        return Status::OK();
      }
      if (existing == nullptr) {
        Child sub;
        sub.name = part;
        sub.kind = Kind::kSub;
        sub.sub = std::make_shared<ProjectionNode>();
        node->children.push_back(std::move(sub));
        existing = &node->children.back();
      } else if (existing->kind != Kind::kSub) {
        return Status(31249, "Path collision at " + path + " remaining portion " + path.substr(dot + 1));
      }
      node = existing->sub.get();
      start = dot + 1;
    }
  }

  StatusWith<std::shared_ptr<const CompiledExpression>> Compile(const BsonElement& e) {
    ExpressionCompiler compiler = GetExpressionCompiler();
    if (compiler == nullptr) {
      return Status(ErrorCode::kNotImplemented, "expressions in projections are not available");
    }
    return compiler(e, let_vars_);
  }

  Status AddCompiled(const std::string& path, std::shared_ptr<const CompiledExpression> expr) {
    Child c;
    c.kind = Kind::kExpr;
    c.expr = std::move(expr);
    return AddAtPath(path, std::move(c));
  }

  // attemptToParseGenericExpression: {path: {$op: ...}} where $op is an expression.
  Status AddGenericExpression(const std::string& path, const BsonElement& e, bool is_top_id) {
    if (mode_ < 0) return Status(31252, "Cannot use expression other than $meta in exclusion projection");
    if (mode_ == 0) mode_ = 1;
    DDS_ASSIGN_OR_RETURN(std::shared_ptr<const CompiledExpression> expr, Compile(e));
    if (is_top_id) include_id_ = false;
    return AddCompiled(path, std::move(expr));
  }

  // parseSubObject for a one-field object whose name starts with '$'.
  Status ParseOperatorObject(const std::string& path, std::string_view name, const BsonElement& e,
                             bool is_root) {
    bson::BsonView sub = e.Object();
    BsonElement op = sub.FirstElement();
    std::string_view op_name = op.field_name();
    bool is_top_id = is_root && name == "_id";
    if (!agg_ && op_name == "$slice") {
      Child c;
      ProjectionOperatorArgs args{path, op, agg_, &c};
      Status find_slice = FindProjectionOperator("$slice")->parse(args);
      if (find_slice.ok()) {
        DDS_RETURN_IF_ERROR(AddAtPath(path, std::move(c)));
        has_find_slice_ = true;
        return Status::OK();
      }
      // Not the find() syntax: mongod tries the aggregation $slice expression next (without an
      // expression engine linked in, the find() syntax error stands).
      if (GetExpressionCompiler() == nullptr) return find_slice;
      return AddGenericExpression(path, e, is_top_id);
    }
    if (op_name == "$elemMatch") {
      if (agg_) return Status(ErrorCode::kInvalidPipelineOperator, "Cannot use $elemMatch in this context");
      if (op.type() != BsonType::kObject) {
        return Status(31274, "elemMatch: Invalid argument, object required, but got " +
                                 std::string(bson::TypeAlias(op.type())));
      }
      if (positional_) return Status(31255, "Cannot specify positional operator and $elemMatch.");
      if (!is_root || name.find('.') != std::string_view::npos) {
        return Status(31275, "Cannot use $elemMatch projection on a nested field.");
      }
      Child c;
      ProjectionOperatorArgs args{path, op, agg_, &c};
      DDS_RETURN_IF_ERROR(FindProjectionOperator("$elemMatch")->parse(args));
      DDS_RETURN_IF_ERROR(AddAtPath(path, std::move(c)));
      has_elem_match_ = true;
      return Status::OK();
    }
    if (!agg_ && op_name == "$meta") {
      Child c;
      ProjectionOperatorArgs args{path, op, agg_, &c};
      return FindProjectionOperator("$meta")->parse(args);
    }
    // A generic expression, if $op names one; otherwise 31325 (a "$x" field path is never valid).
    StatusWith<std::shared_ptr<const CompiledExpression>> probe = Compile(e);
    if (!probe.ok() && probe.status().code() == static_cast<int>(ErrorCode::kInvalidPipelineOperator) &&
        probe.status().reason().find("'" + std::string(op_name) + "'") != std::string::npos) {
      return Status(31325, "Unknown expression " + std::string(op_name));
    }
    return AddGenericExpression(path, e, is_top_id);
  }

  Status ParseObject(const bson::BsonView& obj, const std::string& prefix, bool is_root) {
    for (const BsonElement& e : obj) {
      std::string_view name = e.field_name();
      std::string path = prefix + std::string(name);
      bool has_positional = name.size() >= 2 && name.substr(name.size() - 2) == ".$";
      if (has_positional && agg_) {
        return Status(31324, "Cannot use positional projection in aggregation projection");
      }
      if (name.find(".$.") != std::string_view::npos) {
        return Status(31394, "As of 4.4, it's illegal to specify positional operator in the "
                             "middle of a path.Positional projection may only be used at the "
                             "end, for example: a.b.$. If the query previously used a form "
                             "like a.b.$.d, remove the parts following the '$' and the "
                             "results will be equivalent.");
      }
      bool is_top_id = is_root && name == "_id";
      if (e.type() == BsonType::kObject) {
        if (has_positional) {
          return Status(31271, "positional projection cannot be used with an expression or sub object");
        }
        bson::BsonView sub = e.Object();
        if (sub.empty()) {
          return Status(51270, "Invalid empty sub-projection: " + std::string(name));
        }
        DDS_RETURN_IF_ERROR(ValidateFieldPath(name));
        std::string_view first = sub.FirstElement().field_name();
        auto second = sub.begin();
        ++second;
        bool one_field = second == sub.end();
        if (one_field && !first.empty() && first[0] == '$') {
          DDS_RETURN_IF_ERROR(ParseOperatorObject(path, name, e, is_root));
          continue;
        }
        DDS_RETURN_IF_ERROR(ParseObject(sub, path + ".", false));
        continue;
      }
      if (e.IsNumber() || e.type() == BsonType::kBool) {
        if (e.TrueValue()) {
          if (!has_positional) {
            DDS_RETURN_IF_ERROR(ValidateFieldPath(name));
            if (is_top_id) {
              include_id_ = true;
              id_included_entirely_ = true;
            } else {
              Child c;
              c.kind = Kind::kInclude;
              DDS_RETURN_IF_ERROR(AddAtPath(path, std::move(c)));
            }
          } else {
            if (positional_) {
              return Status(31276, "Cannot specify more than one positional projection per query.");
            }
            if (has_elem_match_) return Status(31256, "Cannot specify positional operator and $elemMatch.");
            if (name == ".$") return Status(5392900, "Projection on field " + std::string(name) + " is invalid");
            std::string base = path.substr(0, path.size() - 2);
            DDS_RETURN_IF_ERROR(ValidateFieldPath(name.substr(0, name.size() - 2)));
            positional_ = true;
            positional_path_ = base;
            Child c;
            c.kind = Kind::kPositional;
            DDS_RETURN_IF_ERROR(AddAtPath(base, std::move(c)));
          }
          if (!is_top_id) {
            if (mode_ < 0) {
              return Status(31253, "Cannot do inclusion on field " + std::string(name) +
                                       " in exclusion projection");
            }
            mode_ = 1;
          }
          continue;
        }
        if (has_positional) return Status(31395, "positional projection cannot be used with exclusion");
        DDS_RETURN_IF_ERROR(ValidateFieldPath(name));
        if (is_top_id) {
          include_id_ = false;
          continue;
        }
        Child c;
        c.kind = Kind::kExclude;
        DDS_RETURN_IF_ERROR(AddAtPath(path, std::move(c)));
        if (mode_ > 0) {
          return Status(31254, "Cannot do exclusion on field " + std::string(name) +
                                   " in inclusion projection");
        }
        mode_ = -1;
        continue;
      }
      // Any other value is a literal or "$field" expression (parseLiteral).
      if (has_positional) return Status(31308, "positional projection cannot be used with a literal");
      DDS_ASSIGN_OR_RETURN(std::shared_ptr<const CompiledExpression> expr, Compile(e));
      DDS_RETURN_IF_ERROR(ValidateFieldPath(name));
      if (is_top_id) include_id_ = false;
      DDS_RETURN_IF_ERROR(AddCompiled(path, std::move(expr)));
      if (mode_ < 0) {
        return Status(31310, "Cannot use an expression { " + std::string(name) + ": " +
                                 bson::ElementValueToShellString(e) + " } in an exclusion projection");
      }
      mode_ = 1;
    }
    return Status::OK();
  }

  bool agg_;
  bson::BsonView let_vars_;
  std::shared_ptr<ProjectionNode> root_;
  int mode_ = 0;  // 1 inclusion, -1 exclusion, 0 undecided
  bool include_id_ = true;
  bool id_included_entirely_ = false;
  bool has_find_slice_ = false;
  bool has_elem_match_ = false;
  bool positional_ = false;
  std::string positional_path_;
};

namespace {

struct ApplyContext {
  bson::BsonView root;
  const MatchDetails* details;
  bool include_id;
};

void AppendSlice(const Child& c, const BsonElement& e, BsonBuilder* out) {
  if (e.type() != BsonType::kArray) {
    out->AppendElement(e);
    return;
  }
  int64_t len = 0;
  for (auto it = e.Array().begin(); it != e.Array().end(); ++it) ++len;
  int64_t start, count;
  if (c.has_skip) {
    start = c.skip >= 0 ? std::min(c.skip, len) : std::max<int64_t>(0, len + c.skip);
    count = c.limit;
  } else if (c.limit >= 0) {
    start = 0;
    count = c.limit;
  } else {
    start = std::max<int64_t>(0, len + c.limit);
    count = len;
  }
  out->StartArray(e.field_name());
  int64_t i = 0, n = 0;
  for (const BsonElement& elt : e.Array()) {
    if (i++ < start) continue;
    if (n >= count) break;
    out->AppendElementAs(bson::IndexName(static_cast<size_t>(n++)), elt);
  }
  out->End();
}

// Writes {<name>: [<elt>]} into `buf` when it fits (no heap allocation); returns its view, or an
// empty view when it does not fit.
bson::BsonView WrapInStackDocument(std::string_view name, const BsonElement& elt, char* buf,
                                   size_t cap) {
  // doc: int32 | 0x04 name\0 | array: int32 | type "0\0" value | 0x00 | 0x00
  size_t value_size = static_cast<size_t>(elt.value_size());
  size_t array_size = 4 + 1 + 2 + value_size + 1;
  size_t doc_size = 4 + 1 + name.size() + 1 + array_size + 1;
  if (doc_size > cap || name.find('\0') != std::string_view::npos) return bson::BsonView();
  auto put32 = [](char* p, size_t v) {
    int32_t n = static_cast<int32_t>(v);
    std::memcpy(p, &n, 4);
  };
  char* p = buf;
  put32(p, doc_size);
  p += 4;
  *p++ = static_cast<char>(BsonType::kArray);
  std::memcpy(p, name.data(), name.size());
  p += name.size();
  *p++ = '\0';
  put32(p, array_size);
  p += 4;
  *p++ = static_cast<char>(elt.type());
  *p++ = '0';
  *p++ = '\0';
  std::memcpy(p, elt.value(), value_size);
  p += value_size;
  *p++ = '\0';
  *p++ = '\0';
  return bson::BsonView(buf);
}

void AppendElemMatch(const Child& c, const BsonElement& e, BsonBuilder* out) {
  if (e.type() != BsonType::kArray) return;
  for (const BsonElement& elt : e.Array()) {
    alignas(8) char buf[512];
    bson::BsonView probe_view = WrapInStackDocument(e.field_name(), elt, buf, sizeof(buf));
    bson::BsonDocument heap_probe;
    if (probe_view.empty()) {
      BsonBuilder probe;
      probe.StartArray(e.field_name());
      probe.AppendElementAs("0", elt);
      probe.End();
      heap_probe = probe.Done();
      probe_view = heap_probe.view();
    }
    if (c.matcher->Matches(probe_view)) {
      out->StartArray(e.field_name());
      out->AppendElementAs("0", elt);
      out->End();
      return;
    }
  }
}

Status AppendPositional(const BsonElement& e, const ApplyContext& ctx, BsonBuilder* out) {
  if (e.type() != BsonType::kArray) {
    out->AppendElement(e);
    return Status::OK();
  }
  if (ctx.details == nullptr || !ctx.details->has_elem_match_key()) {
    return Status(51246, "Executor error during find command :: caused by :: positional "
                         "operator '.$' couldn't find a matching element in the array");
  }
  const std::string& key = ctx.details->elem_match_key();
  BsonElement found;
  for (const BsonElement& elt : e.Array()) {
    if (elt.field_name() == key) {
      found = elt;
      break;
    }
  }
  if (found.eoo()) {
    return Status(51247, "Executor error during find command :: caused by :: positional "
                         "operator '.$' element mismatch");
  }
  out->StartArray(e.field_name());
  out->AppendElementAs("0", found);
  out->End();
  return Status::OK();
}

bool HasComputed(const ProjectionNode& node) {
  for (const Child& c : node.children) {
    if (c.kind == Kind::kExpr) return true;
    if (c.kind == Kind::kSub && HasComputed(*c.sub)) return true;
  }
  return false;
}

Status ApplyInclusion(const ProjectionNode& node, const bson::BsonView& in, bool is_root,
                      const ApplyContext& ctx, BsonBuilder* out);

Status ApplyInclusionArray(const ProjectionNode& node, const bson::BsonView& arr,
                           const ApplyContext& ctx, BsonBuilder* out) {
  size_t n = 0;
  for (const BsonElement& elt : arr) {
    if (elt.type() == BsonType::kObject) {
      out->StartDocument(bson::IndexName(n++));
      DDS_RETURN_IF_ERROR(ApplyInclusion(node, elt.Object(), false, ctx, out));
      out->End();
    } else if (elt.type() == BsonType::kArray) {
      out->StartArray(bson::IndexName(n++));
      DDS_RETURN_IF_ERROR(ApplyInclusionArray(node, elt.Array(), ctx, out));
      out->End();
    } else if (HasComputed(node)) {
      // Computed fields turn scalars into documents holding only the computed fields.
      out->StartDocument(bson::IndexName(n++));
      DDS_RETURN_IF_ERROR(ApplyInclusion(node, bson::BsonView(), false, ctx, out));
      out->End();
    }
  }
  return Status::OK();
}

Status ApplyInclusion(const ProjectionNode& node, const bson::BsonView& in, bool is_root,
                      const ApplyContext& ctx, BsonBuilder* out) {
  // Which children the document had (computed sub-nodes of absent ones are added at the end);
  // on the stack for the usual small projections: Apply runs once per returned document.
  constexpr size_t kSmall = 32;
  bool seen_small[kSmall] = {};
  std::unique_ptr<bool[]> seen_big;
  bool* seen = seen_small;
  if (node.children.size() > kSmall) {
    seen_big = std::make_unique<bool[]>(node.children.size());
    seen = seen_big.get();
  }
  bool id_in_tree = is_root && node.Find("_id") != nullptr;
  for (const BsonElement& e : in) {
    std::string_view name = e.field_name();
    if (is_root && name == "_id" && !id_in_tree) {
      if (ctx.include_id) out->AppendElement(e);
      continue;
    }
    const Child* c = node.Find(name);
    if (c == nullptr) continue;
    seen[static_cast<size_t>(c - node.children.data())] = true;
    switch (c->kind) {
      case Kind::kInclude: out->AppendElement(e); break;
      case Kind::kExclude: break;
      case Kind::kSub:
        if (e.type() == BsonType::kObject) {
          out->StartDocument(name);
          DDS_RETURN_IF_ERROR(ApplyInclusion(*c->sub, e.Object(), false, ctx, out));
          out->End();
        } else if (e.type() == BsonType::kArray) {
          out->StartArray(name);
          DDS_RETURN_IF_ERROR(ApplyInclusionArray(*c->sub, e.Array(), ctx, out));
          out->End();
        } else if (HasComputed(*c->sub)) {
          out->StartDocument(name);
          DDS_RETURN_IF_ERROR(ApplyInclusion(*c->sub, bson::BsonView(), false, ctx, out));
          out->End();
        }
        break;
      case Kind::kSlice: AppendSlice(*c, e, out); break;
      case Kind::kElemMatch: AppendElemMatch(*c, e, out); break;
      case Kind::kPositional: DDS_RETURN_IF_ERROR(AppendPositional(e, ctx, out)); break;
      case Kind::kExpr: seen[static_cast<size_t>(c - node.children.data())] = false; break;
    }
  }
  // Computed fields come after the included ones, in specification order.
  for (size_t i = 0; i < node.children.size(); ++i) {
    const Child& c = node.children[i];
    if (c.kind == Kind::kExpr) {
      bson::BsonDocument v = c.expr->Evaluate(ctx.root);
      BsonElement value = v.view().FirstElement();
      if (!value.eoo()) out->AppendElementAs(c.name, value);
    } else if (c.kind == Kind::kSub && !seen[i] && HasComputed(*c.sub)) {
      out->StartDocument(c.name);
      DDS_RETURN_IF_ERROR(ApplyInclusion(*c.sub, bson::BsonView(), false, ctx, out));
      out->End();
    }
  }
  return Status::OK();
}

Status ApplyExclusion(const ProjectionNode& node, const bson::BsonView& in, bool is_root,
                      const ApplyContext& ctx, BsonBuilder* out);

Status ApplyExclusionArray(const ProjectionNode& node, const bson::BsonView& arr,
                           const ApplyContext& ctx, BsonBuilder* out) {
  for (const BsonElement& elt : arr) {
    if (elt.type() == BsonType::kObject) {
      out->StartDocument(elt.field_name());
      DDS_RETURN_IF_ERROR(ApplyExclusion(node, elt.Object(), false, ctx, out));
      out->End();
    } else if (elt.type() == BsonType::kArray) {
      out->StartArray(elt.field_name());
      DDS_RETURN_IF_ERROR(ApplyExclusionArray(node, elt.Array(), ctx, out));
      out->End();
    } else {
      out->AppendElement(elt);
    }
  }
  return Status::OK();
}

Status ApplyExclusion(const ProjectionNode& node, const bson::BsonView& in, bool is_root,
                      const ApplyContext& ctx, BsonBuilder* out) {
  for (const BsonElement& e : in) {
    std::string_view name = e.field_name();
    const Child* c = node.Find(name);
    if (is_root && name == "_id" && c == nullptr) {
      if (ctx.include_id) out->AppendElement(e);
      continue;
    }
    if (c == nullptr) {
      out->AppendElement(e);
      continue;
    }
    switch (c->kind) {
      case Kind::kExclude: break;
      case Kind::kSub:
        if (e.type() == BsonType::kObject) {
          out->StartDocument(name);
          DDS_RETURN_IF_ERROR(ApplyExclusion(*c->sub, e.Object(), false, ctx, out));
          out->End();
        } else if (e.type() == BsonType::kArray) {
          out->StartArray(name);
          DDS_RETURN_IF_ERROR(ApplyExclusionArray(*c->sub, e.Array(), ctx, out));
          out->End();
        } else {
          out->AppendElement(e);
        }
        break;
      case Kind::kSlice: AppendSlice(*c, e, out); break;
      case Kind::kElemMatch: AppendElemMatch(*c, e, out); break;
      default: out->AppendElement(e); break;
    }
  }
  return Status::OK();
}

}  // namespace

Projection::Projection() = default;
Projection::Projection(Projection&&) noexcept = default;
Projection& Projection::operator=(Projection&&) noexcept = default;
Projection::Projection(const Projection&) = default;
Projection& Projection::operator=(const Projection&) = default;
Projection::~Projection() = default;

StatusWith<Projection> Projection::Parse(const bson::BsonView& spec, const bson::BsonView& query,
                                         const bson::BsonView& let_vars) {
  ProjectionParser parser(false, query, let_vars);
  return parser.Run(spec);
}

StatusWith<Projection> Projection::ParseForAggregation(const bson::BsonView& spec,
                                                       const bson::BsonView& let_vars) {
  ProjectionParser parser(true, bson::BsonView(), let_vars);
  return parser.Run(spec);
}

bool Projection::is_identity() const { return identity_; }
bool Projection::requires_match_details() const { return positional_; }

StatusWith<bson::BsonDocument> Projection::Apply(const bson::BsonView& doc,
                                                 const MatchDetails* details) const {
  if (identity_) return bson::BsonDocument(doc);
  ApplyContext ctx{doc, details, include_id_};
  BsonBuilder out(static_cast<size_t>(doc.size()));
  try {
    if (type_ == Type::kInclusion) {
      DDS_RETURN_IF_ERROR(ApplyInclusion(*root_, doc, true, ctx, &out));
    } else {
      DDS_RETURN_IF_ERROR(ApplyExclusion(*root_, doc, true, ctx, &out));
    }
  } catch (const DbException& ex) {
    return ex.status();
  }
  return out.Done();
}

}  // namespace dds::query
