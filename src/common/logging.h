// Structured JSON logging in mongod's format:
//   {"t":{"$date":"2026-01-01T00:00:00.000+00:00"},"s":"I","c":"NETWORK","id":22943,
//    "ctx":"conn12","msg":"Connection accepted","attr":{"remote":"127.0.0.1:5000"}}
//
// Lines go to stderr or to the file set by SetLogFile; the most recent lines are kept in memory
// for getLog. All functions are thread-safe.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace dds {

enum class LogSeverity { kDebug, kInfo, kWarning, kError, kFatal };

// One attribute: a name and its value already encoded as JSON.
struct LogAttr {
  LogAttr(std::string_view name, std::string_view value);
  LogAttr(std::string_view name, const char* value);
  LogAttr(std::string_view name, const std::string& value);
  LogAttr(std::string_view name, int64_t value);
  LogAttr(std::string_view name, int value);
  LogAttr(std::string_view name, uint64_t value);
  LogAttr(std::string_view name, double value);
  LogAttr(std::string_view name, bool value);
  // Returns an attribute whose value is the given JSON text, unquoted.
  static LogAttr Json(std::string_view name, std::string json);

  std::string name;
  std::string json;

 private:
  LogAttr() = default;
};

// Returns `s` as a quoted JSON string (also used for Extended JSON output).
std::string JsonQuote(std::string_view s);

// Sends log lines to `path` (appending). Returns false if it cannot be opened.
bool SetLogFile(const std::string& path);
// Sets the thread's context name ("listener", "conn12", ...). Default: "main".
void SetLogContext(std::string ctx);
// Lines below `severity` are dropped. Default: kInfo.
void SetMinLogSeverity(LogSeverity severity);
// Suppresses all output (tests and fuzzers).
void SetLogQuiet(bool quiet);

void Log(LogSeverity severity, std::string_view component, int id, std::string_view msg,
         std::initializer_list<LogAttr> attrs = {});

// Returns the most recent log lines (at most 1024) and the total count written.
std::vector<std::string> RecentLogLines(uint64_t* total_lines_written);
// Records a line that getLog("startupWarnings") reports; it is logged too.
void LogStartupWarning(std::string_view component, int id, std::string_view msg);
std::vector<std::string> StartupWarningLines();

}  // namespace dds

#define DDS_LOG_INFO(component, id, msg, ...) \
  ::dds::Log(::dds::LogSeverity::kInfo, component, id, msg, ##__VA_ARGS__)
#define DDS_LOG_WARNING(component, id, msg, ...) \
  ::dds::Log(::dds::LogSeverity::kWarning, component, id, msg, ##__VA_ARGS__)
#define DDS_LOG_ERROR(component, id, msg, ...) \
  ::dds::Log(::dds::LogSeverity::kError, component, id, msg, ##__VA_ARGS__)
#define DDS_LOG_DEBUG(component, id, msg, ...) \
  ::dds::Log(::dds::LogSeverity::kDebug, component, id, msg, ##__VA_ARGS__)
