#include "common/logging.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <deque>
#include <mutex>

namespace dds {
namespace {

constexpr size_t kRecentLineCapacity = 1024;

struct LogState {
  std::mutex mu;
  FILE* out = stderr;
  LogSeverity min_severity = LogSeverity::kInfo;
  bool quiet = false;
  std::deque<std::string> recent;
  std::vector<std::string> startup_warnings;
  uint64_t total = 0;
};

LogState& State() {
  static LogState* state = new LogState();  // never destroyed: logging works during exit
  return *state;
}

thread_local std::string tls_context = "main";

const char* SeverityLetter(LogSeverity s) {
  switch (s) {
    case LogSeverity::kDebug: return "D1";
    case LogSeverity::kInfo: return "I";
    case LogSeverity::kWarning: return "W";
    case LogSeverity::kError: return "E";
    case LogSeverity::kFatal: return "F";
  }
  return "I";
}

std::string NowIso() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+00:00", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

std::string FormatLine(LogSeverity severity, std::string_view component, int id,
                       std::string_view msg, std::initializer_list<LogAttr> attrs) {
  std::string line = "{\"t\":{\"$date\":\"" + NowIso() + "\"},\"s\":\"";
  line += SeverityLetter(severity);
  line += "\",\"c\":" + JsonQuote(component) + ",\"id\":" + std::to_string(id);
  line += ",\"ctx\":" + JsonQuote(tls_context) + ",\"msg\":" + JsonQuote(msg);
  if (attrs.size() > 0) {
    line += ",\"attr\":{";
    bool first = true;
    for (const LogAttr& attr : attrs) {
      if (!first) line += ',';
      first = false;
      line += JsonQuote(attr.name) + ":" + attr.json;
    }
    line += '}';
  }
  line += '}';
  return line;
}

void Emit(std::string line, bool startup_warning) {
  LogState& state = State();
  std::lock_guard<std::mutex> lock(state.mu);
  ++state.total;
  if (!state.quiet) {
    std::fputs(line.c_str(), state.out);
    std::fputc('\n', state.out);
    std::fflush(state.out);
  }
  if (startup_warning) state.startup_warnings.push_back(line);
  state.recent.push_back(std::move(line));
  if (state.recent.size() > kRecentLineCapacity) state.recent.pop_front();
}

}  // namespace

std::string JsonQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

LogAttr::LogAttr(std::string_view n, std::string_view value) : name(n), json(JsonQuote(value)) {}
LogAttr::LogAttr(std::string_view n, const char* value) : name(n), json(JsonQuote(value)) {}
LogAttr::LogAttr(std::string_view n, const std::string& value) : name(n), json(JsonQuote(value)) {}
LogAttr::LogAttr(std::string_view n, int64_t value) : name(n), json(std::to_string(value)) {}
LogAttr::LogAttr(std::string_view n, int value) : name(n), json(std::to_string(value)) {}
LogAttr::LogAttr(std::string_view n, uint64_t value) : name(n), json(std::to_string(value)) {}
LogAttr::LogAttr(std::string_view n, double value) : name(n) {
  if (std::isfinite(value)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", value);
    json = buf;
  } else {
    json = JsonQuote(std::isnan(value) ? "NaN" : (value > 0 ? "Infinity" : "-Infinity"));
  }
}
LogAttr::LogAttr(std::string_view n, bool value) : name(n), json(value ? "true" : "false") {}

LogAttr LogAttr::Json(std::string_view name, std::string json) {
  LogAttr attr;
  attr.name = std::string(name);
  attr.json = std::move(json);
  return attr;
}

bool SetLogFile(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "a");
  if (!f) return false;
  LogState& state = State();
  std::lock_guard<std::mutex> lock(state.mu);
  if (state.out != stderr) std::fclose(state.out);
  state.out = f;
  return true;
}

void SetLogContext(std::string ctx) { tls_context = std::move(ctx); }

void SetMinLogSeverity(LogSeverity severity) {
  LogState& state = State();
  std::lock_guard<std::mutex> lock(state.mu);
  state.min_severity = severity;
}

void SetLogQuiet(bool quiet) {
  LogState& state = State();
  std::lock_guard<std::mutex> lock(state.mu);
  state.quiet = quiet;
}

void Log(LogSeverity severity, std::string_view component, int id, std::string_view msg,
         std::initializer_list<LogAttr> attrs) {
  {
    LogState& state = State();
    std::lock_guard<std::mutex> lock(state.mu);
    if (severity < state.min_severity) return;
  }
  Emit(FormatLine(severity, component, id, msg, attrs), false);
}

void LogStartupWarning(std::string_view component, int id, std::string_view msg) {
  Emit(FormatLine(LogSeverity::kWarning, component, id, msg, {}), true);
}

std::vector<std::string> RecentLogLines(uint64_t* total_lines_written) {
  LogState& state = State();
  std::lock_guard<std::mutex> lock(state.mu);
  if (total_lines_written) *total_lines_written = state.total;
  return std::vector<std::string>(state.recent.begin(), state.recent.end());
}

std::vector<std::string> StartupWarningLines() {
  LogState& state = State();
  std::lock_guard<std::mutex> lock(state.mu);
  return state.startup_warnings;
}

}  // namespace dds
