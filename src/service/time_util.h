// Time helpers for the service: wall-clock milliseconds and the timestamp formats of the DDS and
// Keystone APIs. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dds::service {

// Returns milliseconds since the Unix epoch.
int64_t NowMillis();
// "2024-01-02T09:05:22.701000Z" (Keystone).
std::string FormatKeystoneTime(int64_t millis);
// "2024-01-02T09:05:22" (instance created/updated).
std::string FormatIsoSeconds(int64_t millis);
// "2024-01-02T09:05:22+0000" (jobs).
std::string FormatJobTime(int64_t millis);
// "2024-01-02 09:05:22" (create response).
std::string FormatSpaceTime(int64_t millis);
// Parses "20240101T000000Z" (X-Sdk-Date) into millis.
std::optional<int64_t> ParseSdkDate(std::string_view text);
// Parses "yyyy-mm-ddThh:mm:ssZ" where Z is "+hhmm"/"-hhmm" (or a literal 'Z') into millis.
std::optional<int64_t> ParseJobQueryTime(std::string_view text);

}  // namespace dds::service
