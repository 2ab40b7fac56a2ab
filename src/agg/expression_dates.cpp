// Date expression operators (UTC and fixed offsets): $year $month $dayOfMonth $hour $minute
// $second $millisecond $dayOfWeek $dayOfYear $week $isoWeek $isoWeekYear $isoDayOfWeek
// $dateToString $dateFromString $dateToParts $dateFromParts $dateAdd $dateSubtract $dateDiff
// $dateTrunc. Olson time-zone names answer NotImplemented (docs/known-differences.md).
#include <cmath>
#include <cstdio>

#include "agg/expression_internal.h"
#include "agg/expression_ops.h"

namespace dds::agg {
namespace {

using bson::BsonElement;
using bson::BsonType;

constexpr int64_t kMsPerDay = 86400000;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  int64_t year, month, day, hour, minute, second, millis;
  int64_t day_of_week;  // 1 = Sunday ... 7 = Saturday
  int64_t day_of_year;  // 1-based
};

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int64_t DaysInMonth(int64_t y, int64_t m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

Civil SplitLocal(int64_t local_ms) {
  int64_t days = FloorDiv(local_ms, kMsPerDay);
  int64_t rem = local_ms - days * kMsPerDay;
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  int64_t day_of_year = days - DaysFromCivil(y, 1, 1) + 1;
  int64_t dow = ((days % 7) + 7 + 4) % 7;  // 1970-01-01 was a Thursday; 0 = Sunday
  return Civil{y, m, d, rem / 3600000, (rem / 60000) % 60, (rem / 1000) % 60, rem % 1000, dow + 1, day_of_year};
}

int64_t IsoDayOfWeek(const Civil& c) { return c.day_of_week == 1 ? 7 : c.day_of_week - 1; }

// ISO 8601 week-numbering year and week.
std::pair<int64_t, int64_t> IsoWeek(const Civil& c) {
  int64_t wday = IsoDayOfWeek(c);
  int64_t week = (c.day_of_year - wday + 10) / 7;
  int64_t year = c.year;
  if (week < 1) {
    --year;
    int64_t dec31 = DaysFromCivil(year, 12, 31);
    Civil last = SplitLocal(dec31 * kMsPerDay);
    return {year, (last.day_of_year - IsoDayOfWeek(last) + 10) / 7};
  }
  int64_t days_in_year = IsLeap(year) ? 366 : 365;
  if (week == 53 && (days_in_year - c.day_of_year) < (4 - wday) ) return {year + 1, 1};
  return {year, week};
}

// Parses a time zone ("UTC", "GMT", "Z", "+HH", "+HHMM", "+HH:MM") into minutes east of UTC.
int64_t ParseTimezone(const Value& tz) {
  if (tz.type() != BsonType::kString) {
    ThrowDb(40517, "timezone must evaluate to a string, found " + tz.TypeName());
  }
  std::string_view s = tz.element().String();
  if (s == "UTC" || s == "GMT" || s == "Z" || s == "Etc/UTC" || s == "Etc/GMT") return 0;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    std::string digits;
    for (char c : s.substr(1)) {
      if (c != ':') digits += c;
    }
    bool ok = (digits.size() == 2 || digits.size() == 4);
    for (char c : digits) ok = ok && c >= '0' && c <= '9';
    if (ok) {
      int64_t h = std::stoll(digits.substr(0, 2));
      int64_t m = digits.size() == 4 ? std::stoll(digits.substr(2, 2)) : 0;
      int64_t total = h * 60 + m;
      return s[0] == '-' ? -total : total;
    }
  }
  if (s.find('/') != std::string_view::npos) {
    ThrowDb(ErrorCode::kNotImplemented, "Olson time zone identifiers are not supported yet: \"" + std::string(s) + "\"");
  }
  ThrowDb(40485, "unrecognized time zone identifier: \"" + std::string(s) + "\"");
}

int64_t DateMillis(const Value& v) {
  switch (v.type()) {
    case BsonType::kDate: return v.element().Date();
    case BsonType::kTimestamp: return static_cast<int64_t>(v.element().TimestampSeconds()) * 1000;
    case BsonType::kObjectId: return static_cast<int64_t>(v.element().Oid().TimestampSeconds()) * 1000;
    default: ThrowDb(16006, "can't convert from BSON type " + v.TypeName() + " to Date");
  }
}

// Parses {date, timezone} or a bare date argument.
struct DateArgs {
  ExprPtr date, timezone;
};

StatusWith<DateArgs> ParseDateArgs(const BsonElement& o, ParseScope* s, const char* name) {
  DateArgs a;
  if (o.type() == BsonType::kObject && !o.Object().empty() && o.Object().FirstElement().field_name()[0] != '$') {
    for (const BsonElement& f : o.Object()) {
      if (f.field_name() == "date") {
        DDS_ASSIGN_OR_RETURN(a.date, ParseExpression(f, s));
      } else if (f.field_name() == "timezone") {
        DDS_ASSIGN_OR_RETURN(a.timezone, ParseExpression(f, s));
      } else {
        return Status(40535, "unrecognized option to " + std::string(name) + ": \"" + std::string(f.field_name()) + "\"");
      }
    }
    if (!a.date) return Status(40539, "missing 'date' argument to " + std::string(name) + ", provided: " + bson::ToShellString(o.Object()));
    return a;
  }
  DDS_ASSIGN_OR_RETURN(std::vector<ExprPtr> args, ParseArgs(o, s, 1, 1));
  a.date = args[0];
  return a;
}

// Evaluates date + timezone into local civil time; nullopt when either is nullish.
std::optional<Civil> LocalCivil(const DateArgs& a, Variables* vars, int64_t* offset_out = nullptr) {
  Value d = a.date->Evaluate(vars);
  if (d.nullish()) return std::nullopt;
  int64_t offset = 0;
  if (a.timezone) {
    Value tz = a.timezone->Evaluate(vars);
    if (tz.nullish()) return std::nullopt;
    offset = ParseTimezone(tz);
  }
  if (offset_out) *offset_out = offset;
  return SplitLocal(DateMillis(d) + offset * 60000);
}

class DatePartExpression : public Expression {
 public:
  DatePartExpression(DateArgs a, int part) : args_(std::move(a)), part_(part) {}
  Value Evaluate(Variables* vars) const override {
    std::optional<Civil> c = LocalCivil(args_, vars);
    if (!c) return Value::Null();
    int64_t v = 0;
    switch (part_) {
      case 0: v = c->year; break;
      case 1: v = c->month; break;
      case 2: v = c->day; break;
      case 3: v = c->hour; break;
      case 4: v = c->minute; break;
      case 5: v = c->second; break;
      case 6: v = c->millis; break;
      case 7: v = c->day_of_week; break;
      case 8: v = c->day_of_year; break;
      case 9: v = (c->day_of_year - 1 + 7 - (c->day_of_week - 1)) / 7; break;  // $week (Sunday weeks)
      case 10: v = IsoWeek(*c).second; break;
      case 11: v = IsoWeek(*c).first; break;
      default: v = IsoDayOfWeek(*c); break;
    }
    if (part_ == 11) return Value::Int64(v);
    return Value::Int32(static_cast<int32_t>(v));
  }

 private:
  DateArgs args_;
  int part_;
};

StatusWith<ExprPtr> ParseDatePart(const BsonElement& o, ParseScope* s, int part) {
  DDS_ASSIGN_OR_RETURN(DateArgs a, ParseDateArgs(o, s, o.field_name().data()));
  return ExprPtr(std::make_shared<DatePartExpression>(std::move(a), part));
}

// Named-argument operators: parses {name: expr, ...} accepting only `allowed`.
StatusWith<std::vector<std::pair<std::string, ExprPtr>>> ParseNamed(const BsonElement& o, ParseScope* s,
                                                                    const std::vector<std::string_view>& allowed,
                                                                    int unknown_code) {
  std::string name(o.field_name());
  if (o.type() != BsonType::kObject) {
    return Status(ErrorCode::kFailedToParse, name + " only supports an object as its argument");
  }
  std::vector<std::pair<std::string, ExprPtr>> out;
  for (const BsonElement& f : o.Object()) {
    bool ok = false;
    for (std::string_view a : allowed) ok = ok || a == f.field_name();
    if (!ok) return Status(unknown_code, "Unrecognized argument to " + name + ": " + std::string(f.field_name()));
    DDS_ASSIGN_OR_RETURN(ExprPtr e, ParseExpression(f, s));
    out.emplace_back(std::string(f.field_name()), std::move(e));
  }
  return out;
}

ExprPtr Named(const std::vector<std::pair<std::string, ExprPtr>>& args, std::string_view n) {
  for (const auto& [k, v] : args) {
    if (k == n) return v;
  }
  return nullptr;
}

class DateToStringExpression : public Expression {
 public:
  ExprPtr date, format, timezone, on_null;
  Value Evaluate(Variables* vars) const override {
    Value d = date->Evaluate(vars);
    if (d.nullish()) return on_null ? on_null->Evaluate(vars) : Value::Null();
    std::string fmt = "%Y-%m-%dT%H:%M:%S.%LZ";
    int64_t offset = 0;
    if (timezone) {
      Value tz = timezone->Evaluate(vars);
      if (tz.nullish()) return Value::Null();
      offset = ParseTimezone(tz);
    }
    if (format) {
      Value f = format->Evaluate(vars);
      if (f.nullish()) return Value::Null();
      if (f.type() != BsonType::kString) ThrowDb(18533, "$dateToString requires that 'format' be a string, found: " + f.TypeName());
      fmt = std::string(f.element().String());
    }
    return Value::String(FormatDate(DateMillis(d), fmt, offset));
  }
};

class DateFromStringExpression : public Expression {
 public:
  ExprPtr date_string, timezone, format, on_error, on_null;
  Value Evaluate(Variables* vars) const override {
    Value s = date_string->Evaluate(vars);
    if (s.nullish()) return on_null ? on_null->Evaluate(vars) : Value::Null();
    if (format) {
      Value f = format->Evaluate(vars);
      if (!f.nullish() && !(f.type() == BsonType::kString &&
                            (f.element().String() == "%Y-%m-%dT%H:%M:%S.%LZ" || f.element().String() == "%Y-%m-%d"))) {
        ThrowDb(ErrorCode::kNotImplemented, "$dateFromString with a custom format is not supported yet");
      }
    }
    if (s.type() != BsonType::kString) {
      if (on_error) return on_error->Evaluate(vars);
      ThrowDb(ErrorCode::kConversionFailure, "$dateFromString requires that 'dateString' be a string, found: " + s.TypeName() +
                                                 " with value " + s.ToString());
    }
    std::optional<int64_t> ms = ParseIsoDate(s.element().String());
    if (!ms) {
      if (on_error) return on_error->Evaluate(vars);
      ThrowDb(ErrorCode::kConversionFailure, "Error parsing date string '" + std::string(s.element().String()) + "'");
    }
    std::string_view str = s.element().String();
    bool has_zone = str.back() == 'Z' || (str.size() > 6 && (str[str.size() - 6] == '+' || str[str.size() - 6] == '-' ||
                                                            str[str.size() - 5] == '+' || str[str.size() - 5] == '-'));
    if (timezone && !has_zone) {
      Value tz = timezone->Evaluate(vars);
      if (tz.nullish()) return Value::Null();
      *ms -= ParseTimezone(tz) * 60000;
    }
    return Value::Date(*ms);
  }
};

class DateToPartsExpression : public Expression {
 public:
  DateArgs args;
  bool iso = false;
  Value Evaluate(Variables* vars) const override {
    std::optional<Civil> c = LocalCivil(args, vars);
    if (!c) return Value::Null();
    bson::BsonBuilder b;
    b.StartDocument("");
    if (iso) {
      auto [wy, w] = IsoWeek(*c);
      b.AppendInt32("isoWeekYear", static_cast<int32_t>(wy));
      b.AppendInt32("isoWeek", static_cast<int32_t>(w));
      b.AppendInt32("isoDayOfWeek", static_cast<int32_t>(IsoDayOfWeek(*c)));
    } else {
      b.AppendInt32("year", static_cast<int32_t>(c->year));
      b.AppendInt32("month", static_cast<int32_t>(c->month));
      b.AppendInt32("day", static_cast<int32_t>(c->day));
    }
    b.AppendInt32("hour", static_cast<int32_t>(c->hour));
    b.AppendInt32("minute", static_cast<int32_t>(c->minute));
    b.AppendInt32("second", static_cast<int32_t>(c->second));
    b.AppendInt32("millisecond", static_cast<int32_t>(c->millis));
    b.End();
    return Value::FromHolder(b.Done());
  }
};

class DateFromPartsExpression : public Expression {
 public:
  std::vector<std::pair<std::string, ExprPtr>> args;
  Value Evaluate(Variables* vars) const override {
    int64_t parts[7] = {1970, 1, 1, 0, 0, 0, 0};
    const char* names[7] = {"year", "month", "day", "hour", "minute", "second", "millisecond"};
    for (int i = 0; i < 7; ++i) {
      ExprPtr e = Named(args, names[i]);
      if (!e) continue;
      Value v = e->Evaluate(vars);
      if (v.nullish()) return Value::Null();
      std::optional<int64_t> x = v.IsNumber() ? v.element().ExactInt64() : std::nullopt;
      if (!x) ThrowDb(40515, "'" + std::string(names[i]) + "' must evaluate to an integer, found " + v.TypeName() + " with value " + v.ToString());
      parts[i] = *x;
    }
    if (parts[0] < 1 || parts[0] > 9999) ThrowDb(40523, "'year' must evaluate to an integer in the range 1 to 9999, found " + std::to_string(parts[0]));
    int64_t offset = 0;
    if (ExprPtr tz = Named(args, "timezone")) {
      Value t = tz->Evaluate(vars);
      if (t.nullish()) return Value::Null();
      offset = ParseTimezone(t);
    }
    // Months and smaller units may overflow into the larger ones, as in mongod.
    int64_t month0 = parts[1] - 1;
    int64_t y = parts[0] + FloorDiv(month0, 12);
    int64_t m = month0 - FloorDiv(month0, 12) * 12 + 1;
    int64_t days = DaysFromCivil(y, m, 1) + parts[2] - 1;
    int64_t ms = days * kMsPerDay + parts[3] * 3600000 + parts[4] * 60000 + parts[5] * 1000 + parts[6];
    return Value::Date(ms - offset * 60000);
  }
};

int64_t AddMonths(int64_t local_ms, int64_t months) {
  Civil c = SplitLocal(local_ms);
  int64_t total = c.year * 12 + (c.month - 1) + months;
  int64_t y = FloorDiv(total, 12);
  int64_t m = total - y * 12 + 1;
  int64_t d = std::min(c.day, DaysInMonth(y, m));
  int64_t time = local_ms - FloorDiv(local_ms, kMsPerDay) * kMsPerDay;
  return DaysFromCivil(y, m, d) * kMsPerDay + time;
}

int64_t UnitMillis(std::string_view unit) {
  if (unit == "week") return 7 * kMsPerDay;
  if (unit == "day") return kMsPerDay;
  if (unit == "hour") return 3600000;
  if (unit == "minute") return 60000;
  if (unit == "second") return 1000;
  if (unit == "millisecond") return 1;
  return 0;
}

int64_t MonthsPerUnit(std::string_view unit) {
  if (unit == "year") return 12;
  if (unit == "quarter") return 3;
  if (unit == "month") return 1;
  return 0;
}

std::string UnitOf(const Value& u, const char* op) {
  if (u.type() != BsonType::kString) ThrowDb(5439013, std::string(op) + " requires 'unit' to be a string, but got " + u.TypeName());
  std::string unit(u.element().String());
  if (!MonthsPerUnit(unit) && !UnitMillis(unit)) ThrowDb(ErrorCode::kFailedToParse, "unknown time unit value: " + unit);
  return unit;
}

int64_t StartOfWeekIndex(const Value& v) {
  // 0 = Sunday.
  static const char* kDays[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
  static const char* kShort[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  if (v.type() != BsonType::kString) ThrowDb(ErrorCode::kFailedToParse, "startOfWeek must be a string");
  std::string s(v.element().String());
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (int i = 0; i < 7; ++i) {
    if (s == kDays[i] || s == kShort[i]) return i;
  }
  ThrowDb(ErrorCode::kFailedToParse, "unknown day of week value: " + std::string(v.element().String()));
}

class DateArithmeticExpression : public Expression {
 public:
  std::vector<std::pair<std::string, ExprPtr>> args;
  int kind;  // 0 add, 1 subtract, 2 diff, 3 trunc
  Value Evaluate(Variables* vars) const override {
    static const char* kNames[] = {"$dateAdd", "$dateSubtract", "$dateDiff", "$dateTrunc"};
    const char* op = kNames[kind];
    std::vector<Value> v;
    auto get = [&](std::string_view n) { ExprPtr e = Named(args, n); return e ? e->Evaluate(vars) : Value(); };
    int64_t offset = 0;
    if (ExprPtr tz = Named(args, "timezone")) {
      Value t = tz->Evaluate(vars);
      if (t.nullish()) return Value::Null();
      offset = ParseTimezone(t);
    }
    Value unit_v = get("unit");
    if (unit_v.nullish()) return Value::Null();
    std::string unit = UnitOf(unit_v, op);
    if (kind <= 1) {
      Value start = get("startDate"), amount = get("amount");
      if (start.nullish() || amount.nullish()) return Value::Null();
      std::optional<int64_t> n = amount.IsNumber() ? amount.element().ExactInt64() : std::nullopt;
      if (!n) ThrowDb(5166405, std::string(op) + " expects integer amount of time units");
      int64_t amt = kind == 1 ? -*n : *n;
      int64_t local = DateMillis(start) + offset * 60000;
      int64_t result = MonthsPerUnit(unit) ? AddMonths(local, amt * MonthsPerUnit(unit)) : local + amt * UnitMillis(unit);
      return Value::Date(result - offset * 60000);
    }
    if (kind == 2) {
      Value s = get("startDate"), e = get("endDate");
      if (s.nullish() || e.nullish()) return Value::Null();
      int64_t a = DateMillis(s) + offset * 60000, b = DateMillis(e) + offset * 60000;
      if (int64_t months = MonthsPerUnit(unit)) {
        Civil ca = SplitLocal(a), cb = SplitLocal(b);
        int64_t ma = ca.year * 12 + ca.month - 1, mb = cb.year * 12 + cb.month - 1;
        return Value::Int64(FloorDiv(mb, months) - FloorDiv(ma, months));
      }
      if (unit == "week") {
        Value sow = get("startOfWeek");
        int64_t start_dow = sow.missing() ? 0 : StartOfWeekIndex(sow);
        // 1970-01-04 was a Sunday.
        int64_t da = FloorDiv(a, kMsPerDay) - 3 - start_dow, db = FloorDiv(b, kMsPerDay) - 3 - start_dow;
        return Value::Int64(FloorDiv(db, 7) - FloorDiv(da, 7));
      }
      int64_t u = UnitMillis(unit);
      return Value::Int64(FloorDiv(b, u) - FloorDiv(a, u));
    }
    // $dateTrunc
    Value d = get("date");
    if (d.nullish()) return Value::Null();
    int64_t bin = 1;
    if (ExprPtr bs = Named(args, "binSize")) {
      Value b = bs->Evaluate(vars);
      if (b.nullish()) return Value::Null();
      std::optional<int64_t> n = b.IsNumber() ? b.element().ExactInt64() : std::nullopt;
      if (!n || *n <= 0) ThrowDb(5439017, "$dateTrunc requires 'binSize' to be a positive 64-bit integer");
      bin = *n;
    }
    int64_t local = DateMillis(d) + offset * 60000;
    // Bins are aligned to 2000-01-01T00:00:00 (local time).
    const int64_t ref = DaysFromCivil(2000, 1, 1) * kMsPerDay;
    int64_t out;
    if (int64_t months = MonthsPerUnit(unit)) {
      Civil c = SplitLocal(local);
      int64_t m = (c.year - 2000) * 12 + c.month - 1;
      int64_t step = months * bin;
      int64_t t = FloorDiv(m, step) * step;
      int64_t y = 2000 + FloorDiv(t, 12);
      out = DaysFromCivil(y, t - FloorDiv(t, 12) * 12 + 1, 1) * kMsPerDay;
    } else if (unit == "week") {
      Value sow = get("startOfWeek");
      int64_t start_dow = sow.missing() ? 0 : StartOfWeekIndex(sow);
      // First `start_dow` on or after 2000-01-01 (a Saturday).
      int64_t ref_week = ref + ((start_dow - 6 + 7) % 7) * kMsPerDay;
      int64_t step = 7 * kMsPerDay * bin;
      out = ref_week + FloorDiv(local - ref_week, step) * step;
    } else {
      int64_t step = UnitMillis(unit) * bin;
      out = ref + FloorDiv(local - ref, step) * step;
    }
    return Value::Date(out - offset * 60000);
  }
};

StatusWith<ExprPtr> ParseDateArithmetic(const BsonElement& o, ParseScope* s, int kind) {
  std::vector<std::string_view> allowed =
      kind <= 1 ? std::vector<std::string_view>{"startDate", "unit", "amount", "timezone"}
      : kind == 2 ? std::vector<std::string_view>{"startDate", "endDate", "unit", "timezone", "startOfWeek"}
                  : std::vector<std::string_view>{"date", "unit", "binSize", "timezone", "startOfWeek"};
  DDS_ASSIGN_OR_RETURN(auto args, ParseNamed(o, s, allowed, 5166401));
  auto e = std::make_shared<DateArithmeticExpression>();
  e->kind = kind;
  e->args = std::move(args);
  const char* required[] = {kind == 3 ? "date" : "startDate", "unit"};
  for (const char* r : required) {
    if (!Named(e->args, r)) return Status(5166402, std::string(o.field_name()) + " requires '" + r + "' to be present");
  }
  if (kind <= 1 && !Named(e->args, "amount")) return Status(5166402, std::string(o.field_name()) + " requires 'amount' to be present");
  if (kind == 2 && !Named(e->args, "endDate")) return Status(5166402, "$dateDiff requires 'endDate' to be present");
  return ExprPtr(e);
}

}  // namespace

std::string FormatDate(int64_t ms, std::string_view format, int64_t offset_minutes) {
  Civil p = SplitLocal(ms + offset_minutes * 60000);
  std::string out;
  char buf[32];
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      out += format[i];
      continue;
    }
    if (i + 1 == format.size()) ThrowDb(18535, "Unmatched '%' at end of format string");
    char c = format[++i];
    auto num = [&](const char* f, int64_t v) { std::snprintf(buf, sizeof buf, f, static_cast<long long>(v)); };
    switch (c) {
      case 'Y': num("%04lld", p.year); break;
      case 'm': num("%02lld", p.month); break;
      case 'd': num("%02lld", p.day); break;
      case 'H': num("%02lld", p.hour); break;
      case 'M': num("%02lld", p.minute); break;
      case 'S': num("%02lld", p.second); break;
      case 'L': num("%03lld", p.millis); break;
      case 'j': num("%03lld", p.day_of_year); break;
      case 'w': num("%lld", p.day_of_week); break;
      case 'u': num("%lld", IsoDayOfWeek(p)); break;
      case 'U': num("%02lld", (p.day_of_year - 1 + 7 - (p.day_of_week - 1)) / 7); break;
      case 'V': num("%02lld", IsoWeek(p).second); break;
      case 'G': num("%04lld", IsoWeek(p).first); break;
      case 'z': {
        int64_t a = std::llabs(offset_minutes);
        std::snprintf(buf, sizeof buf, "%c%02lld%02lld", offset_minutes < 0 ? '-' : '+', static_cast<long long>(a / 60),
                      static_cast<long long>(a % 60));
        break;
      }
      case 'Z': num("%lld", offset_minutes); break;
      case '%': std::snprintf(buf, sizeof buf, "%%"); break;
      default: ThrowDb(18536, std::string("Invalid format character '%") + c + "' in format string");
    }
    out += buf;
  }
  return out;
}

std::optional<int64_t> ParseIsoDate(std::string_view s) {
  auto digits = [&](size_t pos, size_t n, int64_t* out) {
    if (pos + n > s.size()) return false;
    int64_t v = 0;
    for (size_t i = 0; i < n; ++i) {
      char c = s[pos + i];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    *out = v;
    return true;
  };
  int64_t y, mo, d, h = 0, mi = 0, sec = 0, ms = 0;
  if (!digits(0, 4, &y) || s.size() < 10 || s[4] != '-' || !digits(5, 2, &mo) || s[7] != '-' || !digits(8, 2, &d)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo)) return std::nullopt;
  size_t pos = 10;
  int64_t offset = 0;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == ' ')) {
    if (!digits(pos + 1, 2, &h) || pos + 3 >= s.size() || s[pos + 3] != ':' || !digits(pos + 4, 2, &mi)) return std::nullopt;
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!digits(pos + 1, 2, &sec)) return std::nullopt;
      pos += 3;
      if (pos < s.size() && s[pos] == '.') {
        size_t start = ++pos;
        int64_t frac = 0;
        size_t n = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          if (n < 3) frac = frac * 10 + (s[pos] - '0');
          ++n;
          ++pos;
        }
        if (pos == start) return std::nullopt;
        while (n < 3) {
          frac *= 10;
          ++n;
        }
        ms = frac;
      }
    }
    if (h > 23 || mi > 59 || sec > 59) return std::nullopt;
  }
  if (pos < s.size()) {
    if (s[pos] == 'Z' && pos + 1 == s.size()) {
      pos = s.size();
    } else if (s[pos] == '+' || s[pos] == '-') {
      int64_t oh = 0, om = 0;
      size_t p = pos + 1;
      if (!digits(p, 2, &oh)) return std::nullopt;
      p += 2;
      if (p < s.size() && s[p] == ':') ++p;
      if (p < s.size() && !digits(p, 2, &om)) return std::nullopt;
      if (p < s.size()) p += 2;
      if (p != s.size()) return std::nullopt;
      offset = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    } else {
      return std::nullopt;
    }
  }
  return DaysFromCivil(y, mo, d) * kMsPerDay + h * 3600000 + mi * 60000 + sec * 1000 + ms - offset * 60000;
}

StatusWith<ExprPtr> ParseYearExpr(const BsonElement& o, ParseScope* s) { return ParseDatePart(o, s, 0); }
StatusWith<ExprPtr> ParseMonthExpr(const BsonElement& o, ParseScope* s) { return ParseDatePart(o, s, 1); }
StatusWith<ExprPtr> ParseDayOfMonthExpr(const BsonElement& o, ParseScope* s) { return ParseDatePart(o, s, 2); }
StatusWith<ExprPtr> ParseHourExpr(const BsonElement& o, ParseScope* s) { return ParseDatePart(o, s, 3); }
StatusWith<ExprPtr> ParseMinuteExpr(const BsonElement& o, ParseScope* s) { return ParseDatePart(o, s, 4); }
StatusWith<ExprPtr> ParseSecondExpr(const BsonElement& o, ParseScope* s) { return ParseDatePart(o, s, 5); }
StatusWith<ExprPtr> ParseMillisecondExpr(const BsonElement& o, ParseScope* s) { return ParseDatePart(o, s, 6); }
StatusWith<ExprPtr> ParseDayOfWeekExpr(const BsonElement& o, ParseScope* s) { return ParseDatePart(o, s, 7); }
StatusWith<ExprPtr> ParseDayOfYearExpr(const BsonElement& o, ParseScope* s) { return ParseDatePart(o, s, 8); }
StatusWith<ExprPtr> ParseWeekExpr(const BsonElement& o, ParseScope* s) { return ParseDatePart(o, s, 9); }
StatusWith<ExprPtr> ParseIsoWeekExpr(const BsonElement& o, ParseScope* s) { return ParseDatePart(o, s, 10); }
StatusWith<ExprPtr> ParseIsoWeekYearExpr(const BsonElement& o, ParseScope* s) { return ParseDatePart(o, s, 11); }
StatusWith<ExprPtr> ParseIsoDayOfWeekExpr(const BsonElement& o, ParseScope* s) { return ParseDatePart(o, s, 12); }
StatusWith<ExprPtr> ParseDateAddExpr(const BsonElement& o, ParseScope* s) { return ParseDateArithmetic(o, s, 0); }
StatusWith<ExprPtr> ParseDateSubtractExpr(const BsonElement& o, ParseScope* s) { return ParseDateArithmetic(o, s, 1); }
StatusWith<ExprPtr> ParseDateDiffExpr(const BsonElement& o, ParseScope* s) { return ParseDateArithmetic(o, s, 2); }
StatusWith<ExprPtr> ParseDateTruncExpr(const BsonElement& o, ParseScope* s) { return ParseDateArithmetic(o, s, 3); }

StatusWith<ExprPtr> ParseDateToStringExpr(const BsonElement& o, ParseScope* s) {
  if (o.type() != BsonType::kObject) return Status(18629, "$dateToString only supports an object as its argument");
  auto d = std::make_shared<DateToStringExpression>();
  for (const BsonElement& f : o.Object()) {
    std::string_view n = f.field_name();
    if (n == "date") {
      DDS_ASSIGN_OR_RETURN(d->date, ParseExpression(f, s));
    } else if (n == "format") {
      DDS_ASSIGN_OR_RETURN(d->format, ParseExpression(f, s));
    } else if (n == "onNull") {
      DDS_ASSIGN_OR_RETURN(d->on_null, ParseExpression(f, s));
    } else if (n == "timezone") {
      DDS_ASSIGN_OR_RETURN(d->timezone, ParseExpression(f, s));
    } else {
      return Status(18534, "Unrecognized parameter to $dateToString: " + std::string(n));
    }
  }
  if (!d->date) return Status(18628, "Missing 'date' parameter to $dateToString");
  return ExprPtr(d);
}

StatusWith<ExprPtr> ParseDateFromStringExpr(const BsonElement& o, ParseScope* s) {
  DDS_ASSIGN_OR_RETURN(auto args, ParseNamed(o, s, {"dateString", "timezone", "format", "onError", "onNull"}, 40541));
  auto d = std::make_shared<DateFromStringExpression>();
  d->date_string = Named(args, "dateString");
  d->timezone = Named(args, "timezone");
  d->format = Named(args, "format");
  d->on_error = Named(args, "onError");
  d->on_null = Named(args, "onNull");
  if (!d->date_string) return Status(40542, "Missing 'dateString' parameter to $dateFromString");
  return ExprPtr(d);
}

StatusWith<ExprPtr> ParseDateToPartsExpr(const BsonElement& o, ParseScope* s) {
  DDS_ASSIGN_OR_RETURN(auto args, ParseNamed(o, s, {"date", "timezone", "iso8601"}, 40520));
  auto d = std::make_shared<DateToPartsExpression>();
  d->args.date = Named(args, "date");
  d->args.timezone = Named(args, "timezone");
  if (!d->args.date) return Status(40522, "Missing 'date' parameter to $dateToParts");
  if (ExprPtr iso = Named(args, "iso8601")) {
    Variables vars{bson::BsonView()};
    d->iso = iso->Evaluate(&vars).TrueValue();
  }
  return ExprPtr(d);
}

StatusWith<ExprPtr> ParseDateFromPartsExpr(const BsonElement& o, ParseScope* s) {
  DDS_ASSIGN_OR_RETURN(auto args, ParseNamed(o, s, {"year", "month", "day", "hour", "minute", "second", "millisecond",
                                                    "timezone", "isoWeekYear", "isoWeek", "isoDayOfWeek"}, 40518));
  if (Named(args, "isoWeekYear")) return Status(ErrorCode::kNotImplemented, "$dateFromParts with ISO week dates is not supported yet");
  if (!Named(args, "year")) return Status(40516, "$dateFromParts requires either 'year' or 'isoWeekYear' to be present");
  auto d = std::make_shared<DateFromPartsExpression>();
  d->args = std::move(args);
  return ExprPtr(d);
}

}  // namespace dds::agg
