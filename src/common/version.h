// Version strings of DDS. ddsd presents itself as a MongoDB 7.0 standalone (compat D1): the
// MongoDB version is what --version, the "Build Info" log line and buildInfo report, and our own
// product version goes under buildInfo.ddsServer.
#pragma once

#include <cstdint>
#include <string_view>

namespace dds {

constexpr std::string_view kMongoVersion = "7.0.14";
constexpr int32_t kMongoVersionArray[] = {7, 0, 14, 0};
constexpr std::string_view kDdsVersion = "0.1.0";
constexpr std::string_view kGitVersion = "dds-0.1.0";

}  // namespace dds
