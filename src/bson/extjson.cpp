#include "bson/extjson.h"

#include <charconv>

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "bson/builder.h"
#include "common/base64.h"
#include "common/logging.h"
#include "common/assert.h"

namespace dds::bson {
namespace {

using Json = nlohmann::ordered_json;

// Extended JSON strings are JSON strings.
std::string Quote(std::string_view s) { return JsonQuote(s); }

std::string DoubleToString(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  // The shortest form that round-trips (10.0 -> "10", not "1e+01").
  char buf[40];
  auto res = std::to_chars(buf, buf + sizeof buf, d);
  std::string s(buf, res.ptr);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

std::string IsoDate(int64_t millis) {
  std::time_t secs = static_cast<std::time_t>(millis >= 0 ? millis / 1000 : (millis - 999) / 1000);
  int ms = static_cast<int>(millis - static_cast<int64_t>(secs) * 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

std::string Hex(uint8_t b) {
  char buf[4];
  std::snprintf(buf, sizeof buf, "%02x", b);
  return buf;
}

void AppendValue(std::string& out, const BsonElement& e, ExtJsonMode mode) {
  bool canonical = mode == ExtJsonMode::kCanonical;
  switch (e.type()) {
    case BsonType::kEoo: out += "null"; return;
    case BsonType::kDouble: {
      double d = e.Double();
      if (canonical || !std::isfinite(d)) {
        out += "{\"$numberDouble\":" + Quote(std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 1e16
                                                 ? DoubleToString(d)
                                                 : DoubleToString(d)) + "}";
      } else {
        out += DoubleToString(d);
      }
      return;
    }
    case BsonType::kString: out += Quote(e.String()); return;
    case BsonType::kObject: out += ToExtJson(e.Object(), mode); return;
    case BsonType::kArray: out += ArrayToExtJson(e.Array(), mode); return;
    case BsonType::kBinData:
      out += "{\"$binary\":{\"base64\":" + Quote(Base64Encode(e.BinData())) + ",\"subType\":\"" +
             Hex(e.BinSubtype()) + "\"}}";
      return;
    case BsonType::kUndefined: out += "{\"$undefined\":true}"; return;
    case BsonType::kObjectId: out += "{\"$oid\":\"" + e.Oid().ToHex() + "\"}"; return;
    case BsonType::kBool: out += e.Bool() ? "true" : "false"; return;
    case BsonType::kDate: {
      int64_t ms = e.Date();
      if (!canonical && ms >= 0 && ms <= 253402300799999LL) {
        out += "{\"$date\":\"" + IsoDate(ms) + "\"}";
      } else {
        out += "{\"$date\":{\"$numberLong\":\"" + std::to_string(ms) + "\"}}";
      }
      return;
    }
    case BsonType::kNull: out += "null"; return;
    case BsonType::kRegex:
      out += "{\"$regularExpression\":{\"pattern\":" + Quote(e.RegexPattern()) +
             ",\"options\":" + Quote(e.RegexFlags()) + "}}";
      return;
    case BsonType::kDbPointer:
      out += "{\"$dbPointer\":{\"$ref\":" + Quote(e.DbPointerNamespace()) + ",\"$id\":{\"$oid\":\"" +
             e.DbPointerOid().ToHex() + "\"}}}";
      return;
    case BsonType::kJavaScript: out += "{\"$code\":" + Quote(e.String()) + "}"; return;
    case BsonType::kSymbol: out += "{\"$symbol\":" + Quote(e.String()) + "}"; return;
    case BsonType::kJavaScriptWithScope:
      out += "{\"$code\":" + Quote(e.CodeWScopeCode()) +
             ",\"$scope\":" + ToExtJson(e.CodeWScopeScope(), mode) + "}";
      return;
    case BsonType::kInt32:
      if (canonical) {
        out += "{\"$numberInt\":\"" + std::to_string(e.Int32()) + "\"}";
      } else {
        out += std::to_string(e.Int32());
      }
      return;
    case BsonType::kTimestamp:
      out += "{\"$timestamp\":{\"t\":" + std::to_string(e.TimestampSeconds()) +
             ",\"i\":" + std::to_string(e.TimestampIncrement()) + "}}";
      return;
    case BsonType::kInt64:
      if (canonical) {
        out += "{\"$numberLong\":\"" + std::to_string(e.Int64()) + "\"}";
      } else {
        out += std::to_string(e.Int64());
      }
      return;
    case BsonType::kDecimal128:
      out += "{\"$numberDecimal\":\"" + e.Decimal().ToString() + "\"}";
      return;
    case BsonType::kMinKey: out += "{\"$minKey\":1}"; return;
    case BsonType::kMaxKey: out += "{\"$maxKey\":1}"; return;
  }
}

// ---- parsing ----

Status ParseError(const std::string& what) {
  return Status(ErrorCode::kFailedToParse, "invalid Extended JSON: " + what);
}

Status AppendJson(BsonBuilder& b, std::string_view name, const Json& j);

Status AppendObjectFields(BsonBuilder& b, const Json& j) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    DDS_RETURN_IF_ERROR(AppendJson(b, it.key(), it.value()));
  }
  return Status::OK();
}

StatusWith<int64_t> ParseInt64String(const Json& j) {
  if (!j.is_string()) return ParseError("expected a string number");
  const std::string& s = j.get_ref<const std::string&>();
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || errno != 0) return ParseError("bad integer '" + s + "'");
  return static_cast<int64_t>(v);
}

// Tries to read `j` as an Extended JSON wrapper; returns true if it was one.
StatusWith<bool> AppendWrapper(BsonBuilder& b, std::string_view name, const Json& j) {
  if (j.empty()) return false;
  const std::string& key = j.begin().key();
  if (key.empty() || key[0] != '$') return false;
  const Json& v = j.begin().value();
  size_t n = j.size();
  if (key == "$oid" && n == 1) {
    if (!v.is_string()) return ParseError("$oid must be a string");
    auto oid = ObjectId::FromHex(v.get_ref<const std::string&>());
    if (!oid) return ParseError("bad $oid");
    b.AppendObjectId(name, *oid);
    return true;
  }
  if (key == "$numberInt" && n == 1) {
    DDS_ASSIGN_OR_RETURN(int64_t x, ParseInt64String(v));
    if (x < INT32_MIN || x > INT32_MAX) return ParseError("$numberInt out of range");
    b.AppendInt32(name, static_cast<int32_t>(x));
    return true;
  }
  if (key == "$numberLong" && n == 1) {
    DDS_ASSIGN_OR_RETURN(int64_t x, ParseInt64String(v));
    b.AppendInt64(name, x);
    return true;
  }
  if (key == "$numberDouble" && n == 1) {
    if (!v.is_string()) return ParseError("$numberDouble must be a string");
    const std::string& s = v.get_ref<const std::string&>();
    double d;
    if (s == "Infinity") d = HUGE_VAL;
    else if (s == "-Infinity") d = -HUGE_VAL;
    else if (s == "NaN") d = std::nan("");
    else {
      char* end = nullptr;
      d = std::strtod(s.c_str(), &end);
      if (s.empty() || *end != '\0') return ParseError("bad $numberDouble");
    }
    b.AppendDouble(name, d);
    return true;
  }
  if (key == "$numberDecimal" && n == 1) {
    if (!v.is_string()) return ParseError("$numberDecimal must be a string");
    auto dec = Decimal128::FromString(v.get_ref<const std::string&>());
    if (!dec) return ParseError("bad $numberDecimal");
    b.AppendDecimal(name, *dec);
    return true;
  }
  if (key == "$binary" && n == 1 && v.is_object()) {
    if (!v.contains("base64") || !v.contains("subType")) return ParseError("bad $binary");
    std::optional<std::string> decoded;
    if (v["base64"].is_string()) decoded = Base64Decode(v["base64"].get<std::string>());
    if (!decoded) return ParseError("bad $binary base64");
    const std::string& bytes = *decoded;
    if (!v["subType"].is_string()) return ParseError("bad $binary subType");
    unsigned long sub = std::strtoul(v["subType"].get<std::string>().c_str(), nullptr, 16);
    b.AppendBinary(name, static_cast<uint8_t>(sub), bytes);
    return true;
  }
  if (key == "$uuid" && n == 1 && v.is_string()) {
    std::string hex;
    for (char c : v.get<std::string>()) {
      if (c != '-') hex.push_back(c);
    }
    if (hex.size() != 32) return ParseError("bad $uuid");
    std::string bytes;
    for (size_t i = 0; i < 32; i += 2) {
      bytes.push_back(static_cast<char>(std::strtoul(hex.substr(i, 2).c_str(), nullptr, 16)));
    }
    b.AppendBinary(name, 4, bytes);
    return true;
  }
  if (key == "$date" && n == 1) {
    if (v.is_object()) {
      if (!v.contains("$numberLong")) return ParseError("bad $date");
      DDS_ASSIGN_OR_RETURN(int64_t ms, ParseInt64String(v["$numberLong"]));
      b.AppendDate(name, ms);
      return true;
    }
    if (v.is_number_integer()) {
      b.AppendDate(name, v.get<int64_t>());
      return true;
    }
    if (v.is_string()) {
      std::tm tm{};
      int ms = 0;
      const std::string& s = v.get_ref<const std::string&>();
      int year, mon, day, hour, min, sec;
      char rest[32] = {0};
      if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%d%31s", &year, &mon, &day, &hour, &min, &sec,
                      rest) < 6) {
        return ParseError("bad $date string");
      }
      const char* r = rest;
      if (*r == '.') {
        ++r;
        int digits = 0;
        while (*r >= '0' && *r <= '9') {
          if (digits < 3) ms = ms * 10 + (*r - '0');
          ++digits;
          ++r;
        }
        while (digits < 3) {
          ms *= 10;
          ++digits;
        }
      }
      int offset_minutes = 0;
      if (*r == '+' || *r == '-') {
        int oh = 0, om = 0;
        std::sscanf(r + 1, "%2d:%2d", &oh, &om);
        offset_minutes = (oh * 60 + om) * (*r == '-' ? -1 : 1);
      }
      tm.tm_year = year - 1900;
      tm.tm_mon = mon - 1;
      tm.tm_mday = day;
      tm.tm_hour = hour;
      tm.tm_min = min;
      tm.tm_sec = sec;
      int64_t secs = static_cast<int64_t>(timegm(&tm)) - offset_minutes * 60;
      b.AppendDate(name, secs * 1000 + ms);
      return true;
    }
    return ParseError("bad $date");
  }
  if (key == "$timestamp" && n == 1 && v.is_object()) {
    if (!v.contains("t") || !v.contains("i")) return ParseError("bad $timestamp");
    b.AppendTimestamp(name, v["t"].get<uint32_t>(), v["i"].get<uint32_t>());
    return true;
  }
  if (key == "$regularExpression" && n == 1 && v.is_object()) {
    if (!v.contains("pattern") || !v.contains("options")) return ParseError("bad $regularExpression");
    b.AppendRegex(name, v["pattern"].get<std::string>(), v["options"].get<std::string>());
    return true;
  }
  if (key == "$minKey" && n == 1) {
    b.AppendMinKey(name);
    return true;
  }
  if (key == "$maxKey" && n == 1) {
    b.AppendMaxKey(name);
    return true;
  }
  if (key == "$undefined" && n == 1) {
    b.AppendUndefined(name);
    return true;
  }
  if (key == "$symbol" && n == 1 && v.is_string()) {
    b.AppendSymbol(name, v.get<std::string>());
    return true;
  }
  if (key == "$code" && v.is_string()) {
    if (n == 1) {
      b.AppendCode(name, v.get<std::string>());
      return true;
    }
    if (n == 2 && j.contains("$scope") && j["$scope"].is_object()) {
      BsonBuilder scope;
      DDS_RETURN_IF_ERROR(AppendObjectFields(scope, j["$scope"]));
      BsonDocument scope_doc = scope.Done();
      b.AppendCodeWScope(name, v.get<std::string>(), scope_doc);
      return true;
    }
  }
  if (key == "$dbPointer" && n == 1 && v.is_object() && v.contains("$ref") && v.contains("$id")) {
    const Json& id = v["$id"];
    if (!id.is_object() || !id.contains("$oid")) return ParseError("bad $dbPointer");
    auto oid = ObjectId::FromHex(id["$oid"].get<std::string>());
    if (!oid) return ParseError("bad $dbPointer");
    b.AppendDbPointer(name, v["$ref"].get<std::string>(), *oid);
    return true;
  }
  return false;
}

Status AppendJson(BsonBuilder& b, std::string_view name, const Json& j) {
  switch (j.type()) {
    case Json::value_t::null: b.AppendNull(name); return Status::OK();
    case Json::value_t::boolean: b.AppendBool(name, j.get<bool>()); return Status::OK();
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: {
      if (j.is_number_unsigned() && j.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
        b.AppendDouble(name, j.get<double>());
        return Status::OK();
      }
      int64_t v = j.get<int64_t>();
      if (v >= INT32_MIN && v <= INT32_MAX) {
        b.AppendInt32(name, static_cast<int32_t>(v));
      } else {
        b.AppendInt64(name, v);
      }
      return Status::OK();
    }
    case Json::value_t::number_float: b.AppendDouble(name, j.get<double>()); return Status::OK();
    case Json::value_t::string: b.AppendString(name, j.get_ref<const std::string&>()); return Status::OK();
    case Json::value_t::array: {
      b.StartArray(name);
      size_t i = 0;
      for (const Json& item : j) DDS_RETURN_IF_ERROR(AppendJson(b, IndexName(i++), item));
      b.End();
      return Status::OK();
    }
    case Json::value_t::object: {
      DDS_ASSIGN_OR_RETURN(bool wrapped, AppendWrapper(b, name, j));
      if (wrapped) return Status::OK();
      b.StartDocument(name);
      DDS_RETURN_IF_ERROR(AppendObjectFields(b, j));
      b.End();
      return Status::OK();
    }
    default: return ParseError("unsupported JSON value");
  }
}

void AppendShell(std::string& out, const BsonElement& e) {
  switch (e.type()) {
    case BsonType::kObject: out += ToShellString(e.Object()); return;
    case BsonType::kArray: {
      out += "[";
      bool first = true;
      for (const BsonElement& item : e.Array()) {
        out += first ? " " : ", ";
        first = false;
        AppendShell(out, item);
      }
      out += first ? "]" : " ]";
      return;
    }
    case BsonType::kObjectId: out += "ObjectId('" + e.Oid().ToHex() + "')"; return;
    case BsonType::kDouble: {
      std::string s = DoubleToString(e.Double());
      if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
      out += s;
      return;
    }
    case BsonType::kInt64: out += std::to_string(e.Int64()); return;
    case BsonType::kDecimal128: out += "Decimal128('" + e.Decimal().ToString() + "')"; return;
    case BsonType::kDate: out += "new Date(" + std::to_string(e.Date()) + ")"; return;
    case BsonType::kRegex:
      out += "/" + std::string(e.RegexPattern()) + "/" + std::string(e.RegexFlags());
      return;
    case BsonType::kMinKey: out += "MinKey"; return;
    case BsonType::kMaxKey: out += "MaxKey"; return;
    case BsonType::kUndefined: out += "undefined"; return;
    default: AppendValue(out, e, ExtJsonMode::kRelaxed); return;
  }
}

}  // namespace

std::string ElementValueToJson(const BsonElement& e, ExtJsonMode mode) {
  std::string out;
  AppendValue(out, e, mode);
  return out;
}

std::string ToExtJson(const BsonView& doc, ExtJsonMode mode) {
  std::string out = "{";
  bool first = true;
  for (const BsonElement& e : doc) {
    if (!first) out += ",";
    first = false;
    out += Quote(e.field_name()) + ":";
    AppendValue(out, e, mode);
  }
  return out + "}";
}

std::string ArrayToExtJson(const BsonView& array, ExtJsonMode mode) {
  std::string out = "[";
  bool first = true;
  for (const BsonElement& e : array) {
    if (!first) out += ",";
    first = false;
    AppendValue(out, e, mode);
  }
  return out + "]";
}

std::string ElementValueToShellString(const BsonElement& e) {
  std::string out;
  AppendShell(out, e);
  return out;
}

std::string ToShellString(const BsonView& doc) {
  std::string out = "{";
  bool first = true;
  for (const BsonElement& e : doc) {
    out += first ? " " : ", ";
    first = false;
    out += std::string(e.field_name()) + ": ";
    AppendShell(out, e);
  }
  out += first ? "}" : " }";
  return out;
}

StatusWith<BsonDocument> ParseExtJson(std::string_view json) {
  Json j = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return ParseError("malformed JSON");
  if (!j.is_object()) return ParseError("expected an object");
  BsonBuilder b;
  DDS_RETURN_IF_ERROR(AppendObjectFields(b, j));
  return b.Done();
}

BsonDocument FromJson(std::string_view json) {
  StatusWith<BsonDocument> doc = ParseExtJson(json);
  if (!doc.ok()) {
    std::fprintf(stderr, "FromJson(%.*s): %s\n", static_cast<int>(json.size()), json.data(),
                 doc.status().ToString().c_str());
  }
  DDS_INVARIANT(doc.ok());
  return std::move(doc).value();
}

}  // namespace dds::bson
