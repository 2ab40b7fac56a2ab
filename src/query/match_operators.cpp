// Parse functions of the leaf query operators (comparison, $in, $exists, $type, $regex, $mod,
// $size, $bits*). Messages and codes follow mongod's expression_parser.cpp.
#include <cmath>

#include "query/match_parser_internal.h"

namespace dds::query {
namespace {

using bson::BsonElement;
using bson::BsonType;

StatusWith<MatchNodePtr> ParseComparison(const MatchOperatorArgs& a, MatchKind kind) {
  if (a.operand.type() == BsonType::kUndefined) {
    return Status(ErrorCode::kBadValue, "cannot compare to undefined");
  }
  // {a: {$gt: /b/}} is illegal: only equality takes a regex operand.
  if (kind != MatchKind::kEq && a.operand.type() == BsonType::kRegex) {
    return Status(ErrorCode::kBadValue,
                  "Can't have RegEx as arg to predicate over field '" + std::string(a.path) + "'.");
  }
  return MatchNodePtr(std::make_unique<ComparisonMatch>(kind, std::string(a.path), a.operand));
}

StatusWith<std::unique_ptr<InMatch>> BuildIn(const MatchOperatorArgs& a, const char* op) {
  if (a.operand.type() != BsonType::kArray) {
    return Status(ErrorCode::kBadValue, std::string(op) + " needs an array");
  }
  std::vector<std::shared_ptr<const Regex>> regexes;
  for (const BsonElement& e : a.operand.Array()) {
    if (IsExpressionDocument(e)) {
      return Status(ErrorCode::kBadValue, "cannot nest $ under " + std::string(op));
    }
    if (e.type() == BsonType::kUndefined) {
      return Status(ErrorCode::kBadValue, "InMatchExpression equality cannot be undefined");
    }
    if (e.type() == BsonType::kRegex) {
      DDS_ASSIGN_OR_RETURN(std::shared_ptr<const Regex> re, CompileRegexElement(e));
      regexes.push_back(std::move(re));
    }
  }
  return std::make_unique<InMatch>(std::string(a.path), a.operand.Array(), std::move(regexes));
}

// Parses one $type operand (number code or alias) into `types` / `all_numbers`.
Status ParseTypeValue(const BsonElement& e, std::vector<BsonType>* types, bool* all_numbers) {
  if (e.IsNumber()) {
    std::optional<int32_t> code = e.ExactInt32();
    if (!code || !bson::IsValidBsonType(static_cast<int8_t>(*code)) || *code == 0 ||
        *code < -1 || *code > 127) {
      return Status(ErrorCode::kBadValue,
                    "Invalid numerical type code: " + bson::ElementValueToShellString(e));
    }
    types->push_back(static_cast<BsonType>(*code));
    return Status::OK();
  }
  if (e.type() == BsonType::kString) {
    std::string_view alias = e.String();
    if (alias == "number") {
      *all_numbers = true;
      return Status::OK();
    }
    static constexpr BsonType kAll[] = {
        BsonType::kDouble,    BsonType::kString,    BsonType::kObject,  BsonType::kArray,
        BsonType::kBinData,   BsonType::kUndefined, BsonType::kObjectId, BsonType::kBool,
        BsonType::kDate,      BsonType::kNull,      BsonType::kRegex,   BsonType::kDbPointer,
        BsonType::kJavaScript, BsonType::kSymbol,   BsonType::kJavaScriptWithScope,
        BsonType::kInt32,     BsonType::kTimestamp, BsonType::kInt64,   BsonType::kDecimal128,
        BsonType::kMinKey,    BsonType::kMaxKey};
    for (BsonType t : kAll) {
      if (bson::TypeAlias(t) == alias) {
        types->push_back(t);
        return Status::OK();
      }
    }
    return Status(ErrorCode::kBadValue, "Unknown type name alias: " + std::string(alias));
  }
  return Status(ErrorCode::kTypeMismatch, "type must be represented as a number or a string");
}

// mongod's parseIntegerElementToNonNegativeLong for bit masks.
StatusWith<int64_t> ParseNonNegativeLong(const BsonElement& e, std::string_view op) {
  std::optional<int64_t> v = e.ExactInt64();
  std::string shown = std::string(op) + ": " + bson::ElementValueToShellString(e);
  if (!v) {
    if (e.type() == BsonType::kDouble && std::trunc(e.Double()) == e.Double()) {
      return Status(ErrorCode::kFailedToParse, "Cannot represent as a 64-bit integer: " + shown);
    }
    return Status(ErrorCode::kFailedToParse, "Expected an integer: " + shown);
  }
  if (*v < 0) return Status(ErrorCode::kFailedToParse, "Expected a positive number in: " + shown);
  return *v;
}

StatusWith<MatchNodePtr> ParseBits(const MatchOperatorArgs& a, BitsMatch::Test test) {
  std::string_view op = a.operand.field_name();
  std::vector<uint32_t> positions;
  const BsonElement& e = a.operand;
  if (e.IsNumber()) {
    DDS_ASSIGN_OR_RETURN(int64_t mask, ParseNonNegativeLong(e, op));
    for (uint32_t i = 0; i < 63; ++i) {
      if ((mask >> i) & 1) positions.push_back(i);
    }
  } else if (e.type() == BsonType::kArray) {
    for (const BsonElement& p : e.Array()) {
      if (!p.IsNumber()) {
        return Status(ErrorCode::kBadValue,
                      "bit positions must be an integer but got: " +
                          std::string(p.field_name()) + ": " + bson::ElementValueToShellString(p));
      }
      std::optional<int32_t> v = p.ExactInt32();
      if (!v) {
        return Status(ErrorCode::kBadValue, "bit positions must be an integer but got: " +
                                                std::string(p.field_name()) + ": " +
                                                bson::ElementValueToShellString(p));
      }
      if (*v < 0) {
        return Status(ErrorCode::kBadValue, "bit positions must be >= 0 but got: " +
                                                std::string(p.field_name()) + ": " +
                                                bson::ElementValueToShellString(p));
      }
      positions.push_back(static_cast<uint32_t>(*v));
    }
  } else if (e.type() == BsonType::kBinData) {
    std::string_view bytes = e.BinData();
    for (size_t i = 0; i < bytes.size(); ++i) {
      for (uint32_t b = 0; b < 8; ++b) {
        if ((static_cast<uint8_t>(bytes[i]) >> b) & 1) positions.push_back(static_cast<uint32_t>(i * 8 + b));
      }
    }
  } else {
    return Status(ErrorCode::kBadValue, std::string(op) +
                                            " takes an Array, a number, or a BinData but received: " +
                                            std::string(op) + ": " +
                                            bson::ElementValueToShellString(e));
  }
  return MatchNodePtr(std::make_unique<BitsMatch>(std::string(a.path), test, std::move(positions)));
}

}  // namespace

StatusWith<std::shared_ptr<const Regex>> CompileRegexElement(const BsonElement& e) {
  return Regex::Compile(e.RegexPattern(), e.RegexFlags());
}

StatusWith<MatchNodePtr> ParseEq(const MatchOperatorArgs& a) {
  return ParseComparison(a, MatchKind::kEq);
}
StatusWith<MatchNodePtr> ParseGt(const MatchOperatorArgs& a) {
  return ParseComparison(a, MatchKind::kGt);
}
StatusWith<MatchNodePtr> ParseGte(const MatchOperatorArgs& a) {
  return ParseComparison(a, MatchKind::kGte);
}
StatusWith<MatchNodePtr> ParseLt(const MatchOperatorArgs& a) {
  return ParseComparison(a, MatchKind::kLt);
}
StatusWith<MatchNodePtr> ParseLte(const MatchOperatorArgs& a) {
  return ParseComparison(a, MatchKind::kLte);
}

StatusWith<MatchNodePtr> ParseNe(const MatchOperatorArgs& a) {
  // $ne with a regex operand is BadValue, not a negation (SERVER-1705).
  if (a.operand.type() == BsonType::kRegex) {
    return Status(ErrorCode::kBadValue, "Can't have regex as arg to $ne.");
  }
  DDS_ASSIGN_OR_RETURN(MatchNodePtr eq, ParseComparison(a, MatchKind::kEq));
  return MatchNodePtr(std::make_unique<NotMatch>(std::move(eq)));
}

StatusWith<MatchNodePtr> ParseIn(const MatchOperatorArgs& a) {
  DDS_ASSIGN_OR_RETURN(std::unique_ptr<InMatch> in, BuildIn(a, "$in"));
  return MatchNodePtr(std::move(in));
}

StatusWith<MatchNodePtr> ParseNin(const MatchOperatorArgs& a) {
  DDS_ASSIGN_OR_RETURN(std::unique_ptr<InMatch> in, BuildIn(a, "$nin"));
  return MatchNodePtr(std::make_unique<NotMatch>(std::move(in)));
}

StatusWith<MatchNodePtr> ParseExists(const MatchOperatorArgs& a) {
  auto exists = std::make_unique<ExistsMatch>(std::string(a.path));
  if (a.operand.TrueValue()) return MatchNodePtr(std::move(exists));
  return MatchNodePtr(std::make_unique<NotMatch>(std::move(exists)));
}

StatusWith<MatchNodePtr> ParseType(const MatchOperatorArgs& a) {
  std::vector<BsonType> types;
  bool all_numbers = false;
  if (a.operand.type() == BsonType::kArray) {
    for (const BsonElement& e : a.operand.Array()) {
      DDS_RETURN_IF_ERROR(ParseTypeValue(e, &types, &all_numbers));
    }
    if (types.empty() && !all_numbers) {
      return Status(ErrorCode::kFailedToParse, std::string(a.path) + " must match at least one type");
    }
  } else {
    DDS_RETURN_IF_ERROR(ParseTypeValue(a.operand, &types, &all_numbers));
  }
  return MatchNodePtr(std::make_unique<TypeMatch>(std::string(a.path), std::move(types), all_numbers));
}

StatusWith<MatchNodePtr> ParseRegex(const MatchOperatorArgs& a) {
  BsonElement options = a.siblings.Get("$options");
  std::string_view pattern, flags;
  if (a.operand.type() == BsonType::kRegex) {
    pattern = a.operand.RegexPattern();
    flags = a.operand.RegexFlags();
    if (!options.eoo()) {
      if (!flags.empty()) {
        return Status(ErrorCode::kBadValue, "options set in both $regex and $options");
      }
    }
  } else if (a.operand.type() == BsonType::kString || a.operand.type() == BsonType::kSymbol) {
    pattern = a.operand.String();
  } else {
    return Status(ErrorCode::kBadValue, "$regex has to be a string");
  }
  if (!options.eoo()) {
    if (options.type() != BsonType::kString) {
      return Status(ErrorCode::kBadValue, "$options has to be a string");
    }
    flags = options.String();
  }
  DDS_ASSIGN_OR_RETURN(std::shared_ptr<const Regex> re, Regex::Compile(pattern, flags));
  return MatchNodePtr(std::make_unique<RegexMatch>(std::string(a.path), std::move(re)));
}

StatusWith<MatchNodePtr> ParseOptions(const MatchOperatorArgs& a) {
  if (a.siblings.Get("$regex").eoo()) {
    return Status(ErrorCode::kBadValue, "$options needs a $regex");
  }
  return MatchNodePtr();  // consumed by $regex
}

StatusWith<MatchNodePtr> ParseMod(const MatchOperatorArgs& a) {
  if (a.operand.type() != BsonType::kArray) {
    return Status(ErrorCode::kBadValue, "malformed mod, needs to be an array");
  }
  BsonElement parts[2];
  int n = 0;
  for (const BsonElement& e : a.operand.Array()) {
    if (n == 2) return Status(ErrorCode::kBadValue, "malformed mod, too many elements");
    parts[n++] = e;
  }
  if (n < 2) return Status(ErrorCode::kBadValue, "malformed mod, not enough elements");
  if (!parts[0].IsNumber()) {
    return Status(ErrorCode::kBadValue, "malformed mod, divisor not a number");
  }
  if (!parts[1].IsNumber()) {
    return Status(ErrorCode::kBadValue, "malformed mod, remainder not a number");
  }
  auto to_long = [](const BsonElement& e, const char* what) -> StatusWith<int64_t> {
    double d = e.NumberDouble();
    if (std::isnan(d) || std::isinf(d)) {
      return Status(ErrorCode::kBadValue, std::string("malformed mod, ") + what + " value is invalid");
    }
    if (e.type() == BsonType::kInt32) return static_cast<int64_t>(e.Int32());
    if (e.type() == BsonType::kInt64) return e.Int64();
    if (d >= 9223372036854775807.0 || d < -9223372036854775808.0) {
      return Status(ErrorCode::kBadValue, std::string("malformed mod, ") + what + " value is invalid");
    }
    return static_cast<int64_t>(d);
  };
  DDS_ASSIGN_OR_RETURN(int64_t divisor, to_long(parts[0], "divisor"));
  DDS_ASSIGN_OR_RETURN(int64_t remainder, to_long(parts[1], "remainder"));
  if (divisor == 0) return Status(ErrorCode::kBadValue, "divisor cannot be 0");
  return MatchNodePtr(std::make_unique<ModMatch>(std::string(a.path), divisor, remainder));
}

StatusWith<MatchNodePtr> ParseSize(const MatchOperatorArgs& a) {
  if (!a.operand.IsNumber()) return Status(ErrorCode::kBadValue, "$size needs a number");
  std::optional<int64_t> v = a.operand.ExactInt64();
  if (!v) return Status(ErrorCode::kBadValue, "$size must be a whole number");
  if (*v < 0) return Status(ErrorCode::kBadValue, "$size may not be negative");
  return MatchNodePtr(std::make_unique<SizeMatch>(std::string(a.path), *v));
}

StatusWith<MatchNodePtr> ParseBitsAllSet(const MatchOperatorArgs& a) {
  return ParseBits(a, BitsMatch::Test::kAllSet);
}
StatusWith<MatchNodePtr> ParseBitsAllClear(const MatchOperatorArgs& a) {
  return ParseBits(a, BitsMatch::Test::kAllClear);
}
StatusWith<MatchNodePtr> ParseBitsAnySet(const MatchOperatorArgs& a) {
  return ParseBits(a, BitsMatch::Test::kAnySet);
}
StatusWith<MatchNodePtr> ParseBitsAnyClear(const MatchOperatorArgs& a) {
  return ParseBits(a, BitsMatch::Test::kAnyClear);
}

}  // namespace dds::query
