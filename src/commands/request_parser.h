// Request parsing helpers: read typed fields of a command document with mongod's exact IDL errors
// (compat §2.1), and reject fields nobody read.
//
//   14 TypeMismatch  "BSON field 'find.limit' is the wrong type 'object', expected types
//                     '[long, int, decimal, double]'" (one type: "expected type 'bool'")
//   40414            "BSON field 'delete.deletes.q' is missing but a required field"
//   40415            "BSON field 'find.foo' is an unknown field."
//   40413            "BSON field 'find.limit' is a duplicate field"
//   51024            "BSON field 'limit' value must be >= 0, actual value '-1'"
//
// Typical use in a handler:
//   FieldParser p("find", cmd);                 // command level: first field + generic args ok
//   int64_t limit = 0;
//   DDS_RETURN_IF_ERROR(p.ReadNonNegativeInt64("limit", &limit));
//   bson::BsonView filter;
//   DDS_RETURN_IF_ERROR(p.ReadObject("filter", &filter));
//   DDS_RETURN_IF_ERROR(p.Finish());            // 40415 for anything not read
// Nested documents use a sub-parser with the dotted context ("delete.deletes") and
// FieldParser::kNested. A FieldParser keeps views into `doc`; the caller keeps it alive.
// Not thread-safe (one parser per request); the free functions are stateless.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bson/document.h"
#include "bson/element.h"
#include "common/status.h"

namespace dds::commands {

// Returns true if `name` is an argument every command accepts (and dispatch or the session layer
// handles): $db, lsid, txnNumber, autocommit, startTransaction, $clusterTime, $readPreference,
// readConcern, writeConcern, maxTimeMS, comment, apiVersion, apiStrict, apiDeprecationErrors,
// $audit, $client, stmtId, stmtIds, bypassDocumentValidation, let, ...
bool IsGenericArgument(std::string_view name);

// The error builders, for handlers that check by hand. `path` is the dotted IDL path
// ("find.limit"). `expected` is a type alias ("bool") or a bracketed list ("[long, int]").
Status WrongTypeError(std::string_view path, const bson::BsonElement& e, std::string_view expected);
Status MissingFieldError(std::string_view path);
Status UnknownFieldError(std::string_view path);
Status DuplicateFieldError(std::string_view path);
// 51024 "BSON field '<field>' value must be >= 0, actual value '<value>'".
Status NegativeValueError(std::string_view field, std::string_view value);

// Renders a type list the way mongod's IDL does: "bool" for one type, "[long, int]" for several.
std::string ExpectedTypes(std::initializer_list<bson::BsonType> types);

// mongod's "safeInt64" conversion: any numeric type, doubles/decimals truncated toward zero,
// NaN -> 0, out of range -> clamped. REQUIRES: e.IsNumber().
int64_t SafeInt64(const bson::BsonElement& e);

enum class Presence { kOptional, kRequired };

class FieldParser {
 public:
  enum Level {
    kCommand,  // the first field is the command name; generic arguments are accepted
    kNested,   // a sub-document: every field must be read
  };

  // `context` is the dotted prefix of error paths: "find", "delete.deletes", "createIndexes.indexes".
  FieldParser(std::string context, const bson::BsonView& doc, Level level = kCommand);

  // Returns "<context>.<name>".
  std::string Path(std::string_view name) const;
  const std::string& context() const { return context_; }
  const bson::BsonView& doc() const { return doc_; }

  // Marks `name` as known and returns its element (EOO when absent).
  bson::BsonElement Take(std::string_view name);
  // Marks `name` as known (accepted and ignored).
  void Ignore(std::string_view name) { Take(name); }
  // Marks `name` as known; 40414 when absent.
  StatusWith<bson::BsonElement> TakeRequired(std::string_view name);

  // Typed readers. Absent: *out is left unchanged (optional readers leave nullopt), or 40414 when
  // kRequired. Wrong type: 14 with the exact IDL message.
  // Strict bool: expected type 'bool'.
  Status ReadBool(std::string_view name, bool* out, Presence presence = Presence::kOptional);
  Status ReadBool(std::string_view name, std::optional<bool>* out);
  // IDL "safeBool": bool or any number (truthiness). expected '[bool, long, int, decimal, double]'.
  Status ReadSafeBool(std::string_view name, bool* out);
  Status ReadSafeBool(std::string_view name, std::optional<bool>* out);
  // IDL "safeInt64": any number, truncated. expected '[long, int, decimal, double]'.
  Status ReadInt64(std::string_view name, int64_t* out, Presence presence = Presence::kOptional);
  Status ReadInt64(std::string_view name, std::optional<int64_t>* out);
  // As ReadInt64, plus 51024 when negative.
  Status ReadNonNegativeInt64(std::string_view name, int64_t* out,
                              Presence presence = Presence::kOptional);
  Status ReadNonNegativeInt64(std::string_view name, std::optional<int64_t>* out);
  // Strict int64 (type long only), e.g. getMore's cursor id.
  Status ReadStrictInt64(std::string_view name, int64_t* out, Presence presence = Presence::kOptional);
  Status ReadString(std::string_view name, std::string* out, Presence presence = Presence::kOptional);
  Status ReadString(std::string_view name, std::optional<std::string>* out);
  Status ReadObject(std::string_view name, bson::BsonView* out,
                    Presence presence = Presence::kOptional);
  Status ReadObject(std::string_view name, std::optional<bson::BsonView>* out);
  Status ReadArray(std::string_view name, bson::BsonView* out, Presence presence = Presence::kOptional);
  Status ReadArray(std::string_view name, std::optional<bson::BsonView>* out);
  // Any of the given types; *out is the element (EOO when absent and optional).
  Status ReadAnyOf(std::string_view name, std::initializer_list<bson::BsonType> types,
                   bson::BsonElement* out, Presence presence = Presence::kOptional);

  // Reads the `cursor: {batchSize}` option of aggregate/listCollections/listIndexes: not an
  // object -> 14; negative batchSize -> 51024; other fields -> 40415 "<ctx>.cursor.<name>".
  // *batch_size stays nullopt when absent.
  Status ReadCursorOption(std::optional<int64_t>* batch_size, bool* present = nullptr);

  // Returns 40413 for a known field given twice, else 40415 for the first field that was not
  // read (the command name and generic arguments are fine at kCommand level).
  Status Finish() const;

 private:
  bool Taken(std::string_view name) const;

  std::string context_;
  bson::BsonView doc_;
  Level level_;
  std::vector<std::string_view> taken_;
};

}  // namespace dds::commands
