#include "storage/key_string.h"

#include <cmath>
#include <cstdio>
#include <cstring>

// The byte layout is documented in docs/on-disk-format.md ("KeyString"); keep them in sync.
// Every value is [type byte][body]. The type byte is 10 + CanonicalTypeRank, so cross-type order
// is decided by the first byte; bodies are prefix-free and order-preserving within a rank.

namespace dds::storage {
namespace {

using bson::BsonElement;
using bson::BsonType;
using bson::BsonView;

// Ends an object, array or code-with-scope scope: lower than every type byte (fewer fields first).
constexpr char kEndOfDocument = 0x04;

// Number body tags: NaN lowest, then -inf, negatives, zero, positives, +inf.
constexpr char kNumNaN = 0x10;
constexpr char kNumNegInf = 0x20;
constexpr char kNumNegative = 0x30;
constexpr char kNumZero = 0x40;
constexpr char kNumPositive = 0x50;
constexpr char kNumPosInf = 0x60;

char TypeByte(BsonType type) { return static_cast<char>(10 + bson::CanonicalTypeRank(type)); }

void AppendBE32(std::string* out, uint32_t v) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
               static_cast<char>(v)};
  out->append(b, 4);
}

void AppendBE64(std::string* out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (56 - 8 * i));
  out->append(b, 8);
}

// Bytes that may contain NUL: 0x00 -> 00 ff, terminated by 00 00 (prefixes sort first).
void AppendEscaped(std::string* out, std::string_view s) {
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\0') {
      out->append(s.data() + start, i - start);
      out->push_back('\0');
      out->push_back('\xff');
      start = i + 1;
    }
  }
  out->append(s.data() + start, s.size() - start);
  out->push_back('\0');
  out->push_back('\0');
}

// NUL-free bytes (field names, regex parts): the bytes then 00.
void AppendCString(std::string* out, std::string_view s) {
  out->append(s);
  out->push_back('\0');
}

// A finite non-zero number as sign, decimal exponent and significant digits:
// value = (negative ? -1 : 1) * 0.d1d2d3... * 10^exponent, no trailing zero digits.
struct DecimalDigits {
  bool negative = false;
  int exponent = 0;
  char digits[48];
  int count = 0;
};

// Fills d->digits from `magnitude` (> 0) whose last digit has weight 10^exponent_of_last_digit.
void SetDigits(unsigned __int128 magnitude, int exponent_of_last_digit, DecimalDigits* d) {
  while (magnitude % 10 == 0) {
    magnitude /= 10;
    ++exponent_of_last_digit;
  }
  char tmp[48];
  int n = 0;
  while (magnitude != 0) {
    tmp[n++] = static_cast<char>('0' + static_cast<int>(magnitude % 10));
    magnitude /= 10;
  }
  for (int i = 0; i < n; ++i) d->digits[i] = tmp[n - 1 - i];
  d->count = n;
  d->exponent = exponent_of_last_digit + n;
}

// Appends the body of a positive magnitude: exponent + 0x8000 (2 bytes big-endian), then digit
// pairs as 1 + 10*a + b (1..100), an odd count padded with 0, then a 00 terminator.
void AppendMagnitude(std::string* out, int exponent, const char* digits, size_t count) {
  uint16_t biased = static_cast<uint16_t>(exponent + 0x8000);
  out->push_back(static_cast<char>(biased >> 8));
  out->push_back(static_cast<char>(biased));
  for (size_t i = 0; i < count; i += 2) {
    int a = digits[i] - '0';
    int b = i + 1 < count ? digits[i + 1] - '0' : 0;
    out->push_back(static_cast<char>(1 + 10 * a + b));
  }
  out->push_back('\0');
}

void AppendSignedMagnitude(std::string* out, bool negative, int exponent, const char* digits,
                           size_t count) {
  out->push_back(negative ? kNumNegative : kNumPositive);
  size_t start = out->size();
  AppendMagnitude(out, exponent, digits, count);
  // Larger magnitudes sort first among negatives: invert the (prefix-free) magnitude.
  if (negative) {
    for (size_t i = start; i < out->size(); ++i) (*out)[i] = static_cast<char>(~(*out)[i]);
  }
}

void AppendInt64Body(std::string* out, int64_t v) {
  if (v == 0) {
    out->push_back(kNumZero);
    return;
  }
  DecimalDigits d;
  d.negative = v < 0;
  uint64_t magnitude = d.negative ? static_cast<uint64_t>(-(v + 1)) + 1 : static_cast<uint64_t>(v);
  SetDigits(magnitude, 0, &d);
  AppendSignedMagnitude(out, d.negative, d.exponent, d.digits, static_cast<size_t>(d.count));
}

void AppendExactBody(std::string* out, const bson::ExactDecimal& e) {
  using Kind = bson::ExactDecimal::Kind;
  switch (e.kind) {
    case Kind::kNaN:
      out->push_back(kNumNaN);
      return;
    case Kind::kNegInf:
      out->push_back(kNumNegInf);
      return;
    case Kind::kPosInf:
      out->push_back(kNumPosInf);
      return;
    case Kind::kFinite:
      break;
  }
  if (e.digits.empty()) {
    out->push_back(kNumZero);
    return;
  }
  AppendSignedMagnitude(out, e.negative, e.exponent, e.digits.data(), e.digits.size());
}

// Appends m * 10^-k exactly, computing the digits of m * 5^k in base-1e9 limbs (at most 767
// significant digits for a double).
void AppendLongFractionBody(std::string* out, bool negative, uint64_t m, int k) {
  constexpr uint32_t kBase = 1000000000;
  uint32_t limbs[96];  // little-endian base 1e9
  int n = 0;
  while (m != 0) {
    limbs[n++] = static_cast<uint32_t>(m % kBase);
    m /= kBase;
  }
  for (int remaining = k; remaining > 0;) {
    int step = remaining < 13 ? remaining : 13;
    uint64_t multiplier = 1;
    for (int i = 0; i < step; ++i) multiplier *= 5;  // 5^13 < 2^31
    uint64_t carry = 0;
    for (int i = 0; i < n; ++i) {
      uint64_t cur = static_cast<uint64_t>(limbs[i]) * multiplier + carry;
      limbs[i] = static_cast<uint32_t>(cur % kBase);
      carry = cur / kBase;
    }
    while (carry != 0) {
      limbs[n++] = static_cast<uint32_t>(carry % kBase);
      carry /= kBase;
    }
    remaining -= step;
  }
  char digits[96 * 9 + 1];
  int count = std::snprintf(digits, sizeof digits, "%u", limbs[n - 1]);
  for (int i = n - 2; i >= 0; --i) {
    uint32_t limb = limbs[i];
    for (int j = 8; j >= 0; --j) {
      digits[count + j] = static_cast<char>('0' + limb % 10);
      limb /= 10;
    }
    count += 9;
  }
  int exponent = count - k;  // value = 0.digits * 10^(count - k)
  while (count > 0 && digits[count - 1] == '0') --count;
  AppendSignedMagnitude(out, negative, exponent, digits, static_cast<size_t>(count));
}

void AppendDoubleBody(std::string* out, double v) {
  if (std::isnan(v)) {
    out->push_back(kNumNaN);
    return;
  }
  if (std::isinf(v)) {
    out->push_back(v > 0 ? kNumPosInf : kNumNegInf);
    return;
  }
  if (v >= -9223372036854775808.0 && v < 9223372036854775808.0 && v == std::trunc(v)) {
    AppendInt64Body(out, static_cast<int64_t>(v));  // also -0.0 -> zero
    return;
  }
  // Fast exact path for fractions with few binary digits: v = m * 2^-k = m * 5^k * 10^-k.
  int binary_exponent;
  double fraction = std::frexp(std::fabs(v), &binary_exponent);
  uint64_t m = static_cast<uint64_t>(std::ldexp(fraction, 53));
  int k = 53 - binary_exponent;  // |v| = m * 2^-k
  while (k > 0 && (m & 1) == 0) {
    m >>= 1;
    --k;
  }
  if (k > 0 && k <= 32) {
    unsigned __int128 magnitude = m;
    for (int i = 0; i < k; ++i) magnitude *= 5;
    DecimalDigits d;
    SetDigits(magnitude, -k, &d);
    AppendSignedMagnitude(out, v < 0, d.exponent, d.digits, static_cast<size_t>(d.count));
    return;
  }
  if (k > 32) {
    AppendLongFractionBody(out, v < 0, m, k);
    return;
  }
  AppendExactBody(out, bson::ExactDecimal::FromDouble(v));  // integers >= 2^63
}

void AppendDecimalBody(std::string* out, const bson::Decimal128& dec) {
  if (dec.IsNaN()) {
    out->push_back(kNumNaN);
    return;
  }
  if (dec.IsInfinite()) {
    out->push_back(dec.IsNegative() ? kNumNegInf : kNumPosInf);
    return;
  }
  unsigned __int128 coefficient;
  int exponent;
  dec.Decompose(&coefficient, &exponent);
  if (coefficient == 0) {
    out->push_back(kNumZero);
    return;
  }
  DecimalDigits d;
  SetDigits(coefficient, exponent, &d);
  AppendSignedMagnitude(out, dec.IsNegative(), d.exponent, d.digits, static_cast<size_t>(d.count));
}

void AppendValue(std::string* out, const BsonElement& e);

// Fields of a document: [type byte][name 00][body] each, then kEndOfDocument. Matches
// CompareDocuments: type rank, then name, then value; fewer fields first.
void AppendDocumentBody(std::string* out, const BsonView& doc, bool with_names);

void AppendBody(std::string* out, const BsonElement& e) {
  switch (e.type()) {
    case BsonType::kEoo:
    case BsonType::kUndefined:
    case BsonType::kNull:
    case BsonType::kMinKey:
    case BsonType::kMaxKey:
      return;
    case BsonType::kInt32:
      AppendInt64Body(out, e.Int32());
      return;
    case BsonType::kInt64:
      AppendInt64Body(out, e.Int64());
      return;
    case BsonType::kDouble:
      AppendDoubleBody(out, e.Double());
      return;
    case BsonType::kDecimal128:
      AppendDecimalBody(out, e.Decimal());
      return;
    case BsonType::kString:
    case BsonType::kSymbol:
    case BsonType::kJavaScript:
      AppendEscaped(out, e.String());
      return;
    case BsonType::kObject:
      AppendDocumentBody(out, e.Object(), true);
      return;
    case BsonType::kArray:
      AppendDocumentBody(out, e.Array(), false);
      return;
    case BsonType::kBinData: {
      std::string_view data = e.BinData();
      AppendBE32(out, static_cast<uint32_t>(data.size()));
      out->push_back(static_cast<char>(e.BinSubtype()));
      out->append(data);
      return;
    }
    case BsonType::kObjectId:
      out->append(e.value(), 12);
      return;
    case BsonType::kBool:
      out->push_back(e.Bool() ? 1 : 0);
      return;
    case BsonType::kDate:
      AppendBE64(out, static_cast<uint64_t>(e.Date()) ^ (uint64_t{1} << 63));
      return;
    case BsonType::kTimestamp:
      AppendBE64(out, e.Timestamp());
      return;
    case BsonType::kRegex:
      AppendCString(out, e.RegexPattern());
      AppendCString(out, e.RegexFlags());
      return;
    case BsonType::kDbPointer: {
      // Namespace length first, as CompareElementValues does.
      std::string_view ns = e.DbPointerNamespace();
      AppendBE32(out, static_cast<uint32_t>(ns.size()));
      out->append(ns);
      out->append(reinterpret_cast<const char*>(e.DbPointerOid().data()), 12);
      return;
    }
    case BsonType::kJavaScriptWithScope:
      AppendEscaped(out, e.CodeWScopeCode());
      AppendDocumentBody(out, e.CodeWScopeScope(), true);
      return;
  }
}

void AppendDocumentBody(std::string* out, const BsonView& doc, bool with_names) {
  for (const BsonElement& field : doc) {
    out->push_back(TypeByte(field.type()));
    // Array element names are "0", "1", ... at equal positions: equal, so they are left out.
    if (with_names) AppendCString(out, field.field_name());
    AppendBody(out, field);
  }
  out->push_back(kEndOfDocument);
}

void AppendValue(std::string* out, const BsonElement& e) {
  out->push_back(TypeByte(e.type()));
  AppendBody(out, e);
}


// ---- value size (no decoding: only where a value ends) ----

// Reads the bytes of one value; `mask` is 0xff for a descending (inverted) value.
class SizeParser {
 public:
  SizeParser(std::string_view bytes, uint8_t mask) : bytes_(bytes), mask_(mask) {}

  // Parses [type byte][body]; false if malformed or truncated.
  bool Value() {
    uint8_t type;
    return Byte(&type) && Body(type);
  }
  size_t pos() const { return pos_; }

 private:
  bool Byte(uint8_t* b) {
    if (pos_ >= bytes_.size()) return false;
    *b = static_cast<uint8_t>(bytes_[pos_++]) ^ mask_;
    return true;
  }
  bool Skip(size_t n) {
    if (bytes_.size() - pos_ < n) return false;
    pos_ += n;
    return true;
  }
  bool BE32(uint32_t* v) {
    *v = 0;
    for (int i = 0; i < 4; ++i) {
      uint8_t b;
      if (!Byte(&b)) return false;
      *v = (*v << 8) | b;
    }
    return true;
  }
  // Bytes up to and including a 00 (cstrings; a negative magnitude's terminator is 00 ^ 0xff).
  bool UntilByte(uint8_t end) {
    uint8_t b;
    do {
      if (!Byte(&b)) return false;
    } while (b != end);
    return true;
  }
  bool Escaped() {
    while (true) {
      if (!UntilByte(0)) return false;
      uint8_t next;
      if (!Byte(&next)) return false;
      if (next == 0) return true;
      if (next != 0xff) return false;
    }
  }
  bool Fields(bool with_names) {
    while (true) {
      uint8_t type;
      if (!Byte(&type)) return false;
      if (type == static_cast<uint8_t>(kEndOfDocument)) return true;
      if (with_names && !UntilByte(0)) return false;
      if (!Body(type)) return false;
    }
  }
  bool Body(uint8_t type) {
    switch (type) {
      case 0x09: case 0x0a: case 0x0f: case 0x89:  // MinKey, undefined, null, MaxKey
        return true;
      case 0x14: {  // numbers
        uint8_t cls;
        if (!Byte(&cls)) return false;
        switch (cls) {
          case kNumNaN: case kNumNegInf: case kNumZero: case kNumPosInf:
            return true;
          case kNumPositive:
            return Skip(2) && UntilByte(0);
          case kNumNegative:
            return Skip(2) && UntilByte(0xff);
          default:
            return false;
        }
      }
      case 0x19: case 0x46:  // string/symbol, JavaScript
        return Escaped();
      case 0x1e:
        return Fields(true);
      case 0x23:
        return Fields(false);
      case 0x28: {  // BinData: length, subtype, bytes
        uint32_t n;
        return BE32(&n) && Skip(size_t{n} + 1);
      }
      case 0x2d:
        return Skip(12);
      case 0x32:
        return Skip(1);
      case 0x37: case 0x39:  // Date, Timestamp
        return Skip(8);
      case 0x3c:  // Regex: pattern 00 flags 00
        return UntilByte(0) && UntilByte(0);
      case 0x41: {  // DBPointer: ns length, ns, oid
        uint32_t n;
        return BE32(&n) && Skip(size_t{n} + 12);
      }
      case 0x4b:  // JavaScript with scope
        return Escaped() && Fields(true);
      default:
        return false;
    }
  }

  std::string_view bytes_;
  uint8_t mask_;
  size_t pos_ = 0;
};

bool IsTypeByte(uint8_t b) {
  switch (b) {
    case 0x09: case 0x0a: case 0x0f: case 0x14: case 0x19: case 0x1e: case 0x23: case 0x28:
    case 0x2d: case 0x32: case 0x37: case 0x39: case 0x3c: case 0x41: case 0x46: case 0x4b:
    case 0x89:
      return true;
    default:
      return false;
  }
}

}  // namespace

void AppendKeyString(std::string* out, const bson::BsonElement& value, bool descending) {
  size_t start = out->size();
  AppendValue(out, value);
  if (descending) {
    for (size_t i = start; i < out->size(); ++i) (*out)[i] = static_cast<char>(~(*out)[i]);
  }
}

std::string EncodeKeyString(const bson::BsonElement& value) {
  std::string out;
  AppendKeyString(&out, value);
  return out;
}

size_t KeyStringValueSize(std::string_view bytes) {
  if (bytes.empty()) return 0;
  // Ascending and inverted type bytes are disjoint sets, so the first byte tells the direction.
  uint8_t first = static_cast<uint8_t>(bytes[0]);
  uint8_t mask;
  if (IsTypeByte(first)) {
    mask = 0;
  } else if (IsTypeByte(first ^ 0xff)) {
    mask = 0xff;
  } else {
    return 0;
  }
  SizeParser parser(bytes, mask);
  return parser.Value() ? parser.pos() : 0;
}

}  // namespace dds::storage
