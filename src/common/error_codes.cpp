#include "common/error_codes.h"

namespace dds {
namespace {

struct CodeEntry {
  int32_t code;
  std::string_view name;
  int http_status;
};

constexpr CodeEntry kCodes[] = {
#define X(code, name, http) {code, #name, http},
#include "common/error_codes.def"
#undef X
};

const CodeEntry* Find(int32_t code) {
  for (const CodeEntry& entry : kCodes) {
    if (entry.code == code) return &entry;
  }
  return nullptr;
}

}  // namespace

std::string_view KnownErrorCodeName(int32_t code) {
  const CodeEntry* entry = Find(code);
  return entry ? entry->name : std::string_view();
}

std::string ErrorCodeName(int32_t code) {
  const CodeEntry* entry = Find(code);
  if (entry) return std::string(entry->name);
  return "Location" + std::to_string(code);
}

int HttpStatusForCode(int32_t code) {
  const CodeEntry* entry = Find(code);
  return entry ? entry->http_status : 500;
}

}  // namespace dds
