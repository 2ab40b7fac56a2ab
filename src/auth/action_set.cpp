#include "auth/action_set.h"

#include <algorithm>

namespace dds::auth {

namespace {

constexpr std::string_view kActionNames[] = {
#define X(id, name) name,
#include "auth/action_types.def"
#undef X
};
static_assert(std::size(kActionNames) == kActionTypeCount);

}  // namespace

std::string_view ActionTypeName(ActionType action) {
  return kActionNames[static_cast<size_t>(action)];
}

std::optional<ActionType> ParseActionType(std::string_view name) {
  for (size_t i = 0; i < kActionTypeCount; ++i) {
    if (kActionNames[i] == name) return static_cast<ActionType>(i);
  }
  return std::nullopt;
}

std::vector<std::string> ActionSet::ToNames() const {
  if (IsAll()) return {"anyAction"};
  std::vector<std::string> names;
  for (size_t i = 0; i < kActionTypeCount; ++i) {
    if (Contains(static_cast<ActionType>(i))) names.emplace_back(kActionNames[i]);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace dds::auth
