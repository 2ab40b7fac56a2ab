#include "service/time_util.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace dds::service {
namespace {

std::string Format(int64_t millis, const char* fmt) {
  std::time_t secs = static_cast<std::time_t>(millis / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), fmt, &tm);
  return buf;
}

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

std::optional<int64_t> ToMillis(int y, int mo, int d, int h, int mi, int s) {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

}  // namespace

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string FormatKeystoneTime(int64_t millis) {
  char frac[16];
  std::snprintf(frac, sizeof(frac), ".%03d000Z", static_cast<int>(millis % 1000));
  return Format(millis, "%Y-%m-%dT%H:%M:%S") + frac;
}

std::string FormatIsoSeconds(int64_t millis) { return Format(millis, "%Y-%m-%dT%H:%M:%S"); }
std::string FormatJobTime(int64_t millis) { return Format(millis, "%Y-%m-%dT%H:%M:%S+0000"); }
std::string FormatSpaceTime(int64_t millis) { return Format(millis, "%Y-%m-%d %H:%M:%S"); }

std::optional<int64_t> ParseSdkDate(std::string_view t) {
  int y, mo, d, h, mi, s;
  if (t.size() != 16 || t[8] != 'T' || t[15] != 'Z') return std::nullopt;
  if (!Digits(t, 0, 4, &y) || !Digits(t, 4, 2, &mo) || !Digits(t, 6, 2, &d) ||
      !Digits(t, 9, 2, &h) || !Digits(t, 11, 2, &mi) || !Digits(t, 13, 2, &s)) {
    return std::nullopt;
  }
  return ToMillis(y, mo, d, h, mi, s);
}

std::optional<int64_t> ParseJobQueryTime(std::string_view t) {
  int y, mo, d, h, mi, s;
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':') {
    return std::nullopt;
  }
  if (!Digits(t, 0, 4, &y) || !Digits(t, 5, 2, &mo) || !Digits(t, 8, 2, &d) ||
      !Digits(t, 11, 2, &h) || !Digits(t, 14, 2, &mi) || !Digits(t, 17, 2, &s)) {
    return std::nullopt;
  }
  std::optional<int64_t> base = ToMillis(y, mo, d, h, mi, s);
  if (!base) return std::nullopt;
  std::string_view zone = t.substr(19);
  if (zone == "Z") return base;
  int oh, om;
  // A '+' may arrive decoded from the query as a space.
  if (zone.size() != 5 || (zone[0] != '+' && zone[0] != '-' && zone[0] != ' ') ||
      !Digits(zone, 1, 2, &oh) || !Digits(zone, 3, 2, &om)) {
    return std::nullopt;
  }
  int64_t offset = (oh * 60 + om) * 60000LL;
  return zone[0] == '-' ? *base + offset : *base - offset;
}

}  // namespace dds::service
