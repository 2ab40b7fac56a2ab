// The version strings ddsd prints (--version, "Build Info" log line). The persona (compat D1)
// is a MongoDB 7.0 standalone; buildInfo (commands/server_info_commands.cpp) reports the same
// version.
#pragma once

#include <string_view>

namespace dds::server {

constexpr std::string_view kMongoVersion = "7.0.14";
constexpr std::string_view kDdsVersion = "0.1.0";
constexpr std::string_view kGitVersion = "dds-0.1.0";

}  // namespace dds::server
