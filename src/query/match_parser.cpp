#include "query/match_parser.h"

#include "query/match_parser_internal.h"

namespace dds::query {
namespace {

using bson::BsonElement;
using bson::BsonType;

constexpr int kMaxMatchDepth = 100;

StatusWith<MatchNodePtr> ParseList(const MatchOperatorArgs& a, MatchKind kind) {
  if (a.operand.type() != BsonType::kArray) {
    return Status(ErrorCode::kBadValue, std::string(a.operand.field_name()) + " must be an array");
  }
  auto node = std::make_unique<ListMatch>(kind);
  MatchParseContext sub{a.ctx.options, a.ctx.depth + 1, a.ctx.sub_document};
  for (const BsonElement& e : a.operand.Array()) {
    if (e.type() != BsonType::kObject) {
      return Status(ErrorCode::kBadValue, "$or/$and/$nor entries need to be full objects");
    }
    DDS_ASSIGN_OR_RETURN(std::unique_ptr<ListMatch> child, ParseFilterInto(e.Object(), sub));
    node->Add(std::move(child));
  }
  if (node->num_children() == 0) {
    return Status(ErrorCode::kBadValue, "$and/$or/$nor must be a nonempty array");
  }
  return MatchNodePtr(std::move(node));
}

// Collapses an $and with one child into the child.
MatchNodePtr Simplify(std::unique_ptr<ListMatch> node) {
  if (node->kind() == MatchKind::kAnd && node->num_children() == 1) {
    return std::move(node->mutable_children()[0]);
  }
  return node;
}

}  // namespace

bool IsExpressionDocument(const BsonElement& e) {
  if (e.type() != BsonType::kObject) return false;
  BsonElement first = e.Object().FirstElement();
  if (first.eoo()) return false;
  std::string_view name = first.field_name();
  if (name.empty() || name[0] != '$') return false;
  // DBRef documents ({$ref, $id, $db}) are values, not operators.
  return name != "$ref" && name != "$id" && name != "$db";
}

StatusWith<std::unique_ptr<ListMatch>> ParseFilterInto(const bson::BsonView& filter,
                                                       const MatchParseContext& ctx) {
  if (ctx.depth > kMaxMatchDepth) {
    return Status(ErrorCode::kBadValue, "exceeded maximum query depth of 100");
  }
  auto root = std::make_unique<ListMatch>(MatchKind::kAnd);
  std::vector<MatchNodePtr> nodes;
  for (const BsonElement& e : filter) {
    std::string_view name = e.field_name();
    if (!name.empty() && name[0] == '$') {
      const MatchOperatorEntry* entry = FindMatchOperator(name);
      if (entry == nullptr || !(entry->flags & kMatchTopLevel)) {
        return Status(ErrorCode::kBadValue,
                      "unknown top level operator: " + std::string(name) +
                          ". If you have a field name that starts with a '$' symbol, consider "
                          "using $getField or $setField.");
      }
      MatchOperatorArgs args{"", e, filter, ctx};
      DDS_ASSIGN_OR_RETURN(MatchNodePtr node, entry->parse(args));
      if (node) nodes.push_back(std::move(node));
      continue;
    }
    DDS_RETURN_IF_ERROR(ParseFieldPredicate(name, e, ctx, &nodes));
  }
  for (auto& n : nodes) root->Add(std::move(n));
  return root;
}

Status ParseFieldPredicate(std::string_view path, const BsonElement& value,
                           const MatchParseContext& ctx, std::vector<MatchNodePtr>* out) {
  if (value.type() == BsonType::kRegex) {
    DDS_ASSIGN_OR_RETURN(std::shared_ptr<const Regex> re, CompileRegexElement(value));
    out->push_back(std::make_unique<RegexMatch>(std::string(path), std::move(re)));
    return Status::OK();
  }
  if (IsExpressionDocument(value)) {
    return ParseFieldOperators(path, value.Object(), ctx, out);
  }
  if (value.type() == BsonType::kUndefined) {
    return Status(ErrorCode::kBadValue, "cannot compare to undefined");
  }
  out->push_back(std::make_unique<ComparisonMatch>(MatchKind::kEq, std::string(path), value));
  return Status::OK();
}

Status ParseFieldOperators(std::string_view path, const bson::BsonView& ops,
                           const MatchParseContext& ctx, std::vector<MatchNodePtr>* out) {
  if (ctx.depth > kMaxMatchDepth) {
    return Status(ErrorCode::kBadValue, "exceeded maximum query depth of 100");
  }
  for (const BsonElement& e : ops) {
    std::string_view name = e.field_name();
    const MatchOperatorEntry* entry = FindMatchOperator(name);
    if (entry == nullptr || !(entry->flags & kMatchFieldLevel)) {
      return Status(ErrorCode::kBadValue, "unknown operator: " + std::string(name));
    }
    MatchOperatorArgs args{path, e, ops, ctx};
    DDS_ASSIGN_OR_RETURN(MatchNodePtr node, entry->parse(args));
    if (node) out->push_back(std::move(node));
  }
  return Status::OK();
}

StatusWith<std::unique_ptr<MatchExpression>> ParseMatchExpression(const bson::BsonView& filter,
                                                                   const MatchParseOptions& options) {
  MatchParseContext ctx{options, 0};
  DDS_ASSIGN_OR_RETURN(std::unique_ptr<ListMatch> root, ParseFilterInto(filter, ctx));
  return Simplify(std::move(root));
}

StatusWith<MatchNodePtr> ParseAnd(const MatchOperatorArgs& a) {
  return ParseList(a, MatchKind::kAnd);
}
StatusWith<MatchNodePtr> ParseOr(const MatchOperatorArgs& a) {
  return ParseList(a, MatchKind::kOr);
}
StatusWith<MatchNodePtr> ParseNor(const MatchOperatorArgs& a) {
  return ParseList(a, MatchKind::kNor);
}

StatusWith<MatchNodePtr> ParseComment(const MatchOperatorArgs&) { return MatchNodePtr(); }

StatusWith<MatchNodePtr> ParseAlwaysTrue(const MatchOperatorArgs& a) {
  if (a.operand.ExactInt64() != 1) {
    return Status(ErrorCode::kFailedToParse, "$alwaysTrue must be an integer value of 1");
  }
  return MatchNodePtr(std::make_unique<ConstantMatch>(true));
}

StatusWith<MatchNodePtr> ParseAlwaysFalse(const MatchOperatorArgs& a) {
  if (a.operand.ExactInt64() != 1) {
    return Status(ErrorCode::kFailedToParse, "$alwaysFalse must be an integer value of 1");
  }
  return MatchNodePtr(std::make_unique<ConstantMatch>(false));
}

StatusWith<MatchNodePtr> ParseNot(const MatchOperatorArgs& a) {
  if (a.operand.type() == BsonType::kRegex) {
    DDS_ASSIGN_OR_RETURN(std::shared_ptr<const Regex> re, CompileRegexElement(a.operand));
    return MatchNodePtr(
        std::make_unique<NotMatch>(std::make_unique<RegexMatch>(std::string(a.path), re)));
  }
  if (a.operand.type() != BsonType::kObject) {
    return Status(ErrorCode::kBadValue, "$not needs a regex or a document");
  }
  if (a.operand.Object().empty()) return Status(ErrorCode::kBadValue, "$not cannot be empty");
  std::vector<MatchNodePtr> children;
  MatchParseContext sub{a.ctx.options, a.ctx.depth + 1};
  DDS_RETURN_IF_ERROR(ParseFieldOperators(a.path, a.operand.Object(), sub, &children));
  auto list = std::make_unique<ListMatch>(MatchKind::kAnd);
  for (auto& c : children) list->Add(std::move(c));
  return MatchNodePtr(std::make_unique<NotMatch>(Simplify(std::move(list))));
}

StatusWith<MatchNodePtr> ParseElemMatch(const MatchOperatorArgs& a) {
  if (a.operand.type() != BsonType::kObject) {
    return Status(ErrorCode::kBadValue, "$elemMatch needs an Object");
  }
  bson::BsonView obj = a.operand.Object();
  MatchParseContext sub{a.ctx.options, a.ctx.depth + 1, true};
  bool value_form = false;
  if (IsExpressionDocument(a.operand)) {
    const MatchOperatorEntry* entry = FindMatchOperator(obj.FirstElement().field_name());
    value_form = entry == nullptr || !(entry->flags & kMatchTopLevel);
  }
  if (value_form) {
    std::vector<MatchNodePtr> children;
    DDS_RETURN_IF_ERROR(ParseFieldOperators("", obj, sub, &children));
    return MatchNodePtr(
        std::make_unique<ElemMatchValueMatch>(std::string(a.path), std::move(children)));
  }
  DDS_ASSIGN_OR_RETURN(std::unique_ptr<ListMatch> inner, ParseFilterInto(obj, sub));
  return MatchNodePtr(
      std::make_unique<ElemMatchObjectMatch>(std::string(a.path), Simplify(std::move(inner))));
}

StatusWith<MatchNodePtr> ParseAll(const MatchOperatorArgs& a) {
  if (a.operand.type() != BsonType::kArray) {
    return Status(ErrorCode::kBadValue, "$all needs an array");
  }
  auto list = std::make_unique<ListMatch>(MatchKind::kAnd);
  bson::BsonView arr = a.operand.Array();
  BsonElement first = arr.FirstElement();
  bool elem_match_form = IsExpressionDocument(first) &&
                         first.Object().FirstElement().field_name() == "$elemMatch";
  MatchParseContext sub{a.ctx.options, a.ctx.depth + 1};
  for (const BsonElement& e : arr) {
    if (elem_match_form) {
      if (!IsExpressionDocument(e) || e.Object().FirstElement().field_name() != "$elemMatch") {
        return Status(ErrorCode::kBadValue, "$all/$elemMatch has to be consistent");
      }
      std::vector<MatchNodePtr> nodes;
      DDS_RETURN_IF_ERROR(ParseFieldOperators(a.path, e.Object(), sub, &nodes));
      for (auto& n : nodes) list->Add(std::move(n));
      continue;
    }
    if (e.type() == BsonType::kRegex) {
      DDS_ASSIGN_OR_RETURN(std::shared_ptr<const Regex> re, CompileRegexElement(e));
      list->Add(std::make_unique<RegexMatch>(std::string(a.path), std::move(re)));
    } else if (IsExpressionDocument(e)) {
      return Status(ErrorCode::kBadValue, "no $ expressions in $all");
    } else {
      list->Add(std::make_unique<ComparisonMatch>(MatchKind::kEq, std::string(a.path), e));
    }
  }
  // $all: [] matches nothing.
  if (list->num_children() == 0) return MatchNodePtr(std::make_unique<ConstantMatch>(false));
  return Simplify(std::move(list));
}

static Status TopLevelOnly(const MatchOperatorArgs& a) {
  if (!a.ctx.sub_document) return Status::OK();
  return Status(ErrorCode::kBadValue, std::string(a.operand.field_name()) +
                                          " can only be applied to the top-level document");
}

StatusWith<MatchNodePtr> ParseExpr(const MatchOperatorArgs& a) {
  if (!a.ctx.options.allow_expr) {
    return Status(ErrorCode::kBadValue, "$expr is not allowed in this context");
  }
  DDS_RETURN_IF_ERROR(TopLevelOnly(a));
  ExpressionCompiler compiler = GetExpressionCompiler();
  if (compiler == nullptr) {
    return Status(ErrorCode::kNotImplemented, "$expr is not available in this build");
  }
  DDS_ASSIGN_OR_RETURN(std::shared_ptr<const CompiledExpression> expr,
                       compiler(a.operand, a.ctx.options.let_vars));
  return MatchNodePtr(std::make_unique<ExprMatch>(std::move(expr), a.operand.ValueToJson()));
}

StatusWith<MatchNodePtr> ParseWhere(const MatchOperatorArgs& a) {
  DDS_RETURN_IF_ERROR(TopLevelOnly(a));
  // Server-side JavaScript is not supported (compat §2.5).
  return Status(ErrorCode::kNotImplemented,
                "$where is not supported: server-side JavaScript is disabled");
}

StatusWith<MatchNodePtr> ParseText(const MatchOperatorArgs& a) {
  DDS_RETURN_IF_ERROR(TopLevelOnly(a));
  // There are no text indexes yet, which is exactly mongod's answer without one.
  return Status(ErrorCode::kIndexNotFound, "text index required for $text query");
}

StatusWith<MatchNodePtr> ParseGeoNear(const MatchOperatorArgs&) {
  return Status(ErrorCode::kNoQueryExecutionPlans,
                "error processing query: unable to find index for $geoNear query");
}

StatusWith<MatchNodePtr> ParseGeoUnsupported(const MatchOperatorArgs& a) {
  return Status(ErrorCode::kNotImplemented,
                std::string(a.operand.field_name()) + " is not supported");
}

StatusWith<MatchNodePtr> ParseSampleRate(const MatchOperatorArgs&) {
  return Status(ErrorCode::kNotImplemented, "$sampleRate is not supported");
}

}  // namespace dds::query
