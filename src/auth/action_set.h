// ActionType and ActionSet: what a privilege allows on a resource ("find", "insert", ...), as in
// mongod's src/mongo/db/auth/action_set.h.
//
// ActionSet is a fixed-size bitset usable in constant expressions, so the command table can
// declare each command's required actions as constexpr data and the dispatch check stays
// allocation-free. Value types; thread-compatible.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dds::auth {

enum class ActionType : uint16_t {
#define X(id, name) id,
#include "auth/action_types.def"
#undef X
};

// The number of action types.
constexpr size_t kActionTypeCount = 0
#define X(id, name) +1
#include "auth/action_types.def"
#undef X
    ;

// Returns mongod's name of `action` ("find").
std::string_view ActionTypeName(ActionType action);
// Parses a mongod action name (case-sensitive); nullopt when unknown.
std::optional<ActionType> ParseActionType(std::string_view name);

class ActionSet {
 public:
  constexpr ActionSet() = default;
  constexpr ActionSet(std::initializer_list<ActionType> actions) {
    for (ActionType a : actions) Add(a);
  }

  // Returns the set of every action (what `anyAction` grants).
  static constexpr ActionSet All() {
    ActionSet s;
    for (size_t i = 0; i < kActionTypeCount; ++i) s.bits_[i / 64] |= uint64_t{1} << (i % 64);
    return s;
  }

  constexpr void Add(ActionType a) {
    if (a == ActionType::kAnyAction) {
      *this = All();
      return;
    }
    size_t i = static_cast<size_t>(a);
    bits_[i / 64] |= uint64_t{1} << (i % 64);
  }
  constexpr void Add(const ActionSet& other) {
    for (size_t w = 0; w < kWords; ++w) bits_[w] |= other.bits_[w];
  }
  // Removes `a` (removing anyAction removes only the anyAction marker).
  constexpr void Remove(ActionType a) {
    size_t i = static_cast<size_t>(a);
    bits_[i / 64] &= ~(uint64_t{1} << (i % 64));
  }
  constexpr void Remove(const ActionSet& other) {
    for (size_t w = 0; w < kWords; ++w) bits_[w] &= ~other.bits_[w];
  }

  constexpr bool Contains(ActionType a) const {
    size_t i = static_cast<size_t>(a);
    return (bits_[i / 64] >> (i % 64)) & 1;
  }
  // True when every action of `other` is in this set.
  constexpr bool ContainsAll(const ActionSet& other) const {
    for (size_t w = 0; w < kWords; ++w) {
      if ((other.bits_[w] & ~bits_[w]) != 0) return false;
    }
    return true;
  }
  // True when at least one action of `other` is in this set.
  constexpr bool ContainsAny(const ActionSet& other) const {
    for (size_t w = 0; w < kWords; ++w) {
      if ((other.bits_[w] & bits_[w]) != 0) return true;
    }
    return false;
  }
  constexpr bool empty() const {
    for (uint64_t w : bits_) {
      if (w != 0) return false;
    }
    return true;
  }
  constexpr bool IsAll() const { return Contains(ActionType::kAnyAction); }
  constexpr bool operator==(const ActionSet&) const = default;

  // Returns the actions' names sorted as mongod lists them (["anyAction"] for All()).
  std::vector<std::string> ToNames() const;
  // Returns the actions in `*this` but not in `other`.
  ActionSet Minus(const ActionSet& other) const {
    ActionSet s = *this;
    s.Remove(other);
    return s;
  }

 private:
  static constexpr size_t kWords = (kActionTypeCount + 63) / 64;
  std::array<uint64_t, kWords> bits_{};
};

}  // namespace dds::auth
