// Base64 (RFC 4648) encoding and decoding. Decoding also accepts the URL-safe alphabet and
// missing padding. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dds {

std::string Base64Encode(std::string_view bytes);
// Returns nullopt on a character outside the alphabet.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace dds
