// ObjectId: the 12-byte BSON object identifier (4-byte big-endian seconds, 5-byte per-process
// random value, 3-byte big-endian counter). Generate() is thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dds::bson {

class ObjectId {
 public:
  static constexpr size_t kSize = 12;

  ObjectId() { bytes_.fill(0); }
  explicit ObjectId(const uint8_t* bytes);

  // Returns a new ObjectId for the current time.
  static ObjectId Generate();
  // Parses 24 hex digits; nullopt when malformed.
  static std::optional<ObjectId> FromHex(std::string_view hex);

  const uint8_t* data() const { return bytes_.data(); }
  std::string ToHex() const;
  // Returns the timestamp part in seconds since the epoch.
  uint32_t TimestampSeconds() const;

  friend bool operator==(const ObjectId& a, const ObjectId& b) { return a.bytes_ == b.bytes_; }
  friend auto operator<=>(const ObjectId& a, const ObjectId& b) { return a.bytes_ <=> b.bytes_; }

 private:
  std::array<uint8_t, kSize> bytes_;
};

}  // namespace dds::bson
