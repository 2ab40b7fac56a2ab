// ErrorCode: MongoDB's numeric error codes and codeNames, generated from error_codes.def.
//
// A code is an int32 on the wire. Codes listed in the table have an enum value and a name;
// any other positive code is a MongoDB "location" code whose codeName is "Location<N>".
// Everything here is constant data and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dds {

enum class ErrorCode : int32_t {
#define X(code, name, http) k##name = code,
#include "common/error_codes.def"
#undef X
};

// Returns the codeName MongoDB uses for `code`: the table's name, or "Location<code>".
std::string ErrorCodeName(int32_t code);

// Returns the table's name for `code`, or an empty view when the code is not in the table.
std::string_view KnownErrorCodeName(int32_t code);

// Returns the HTTP status the management service answers for `code` (500 when unknown).
int HttpStatusForCode(int32_t code);

inline int32_t ToInt(ErrorCode code) { return static_cast<int32_t>(code); }

}  // namespace dds
