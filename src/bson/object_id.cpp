#include "bson/object_id.h"

#include <atomic>
#include <chrono>
#include <cstring>
#include <random>

namespace dds::bson {
namespace {

struct ProcessUnique {
  uint8_t random[5];
  std::atomic<uint32_t> counter;
  ProcessUnique() {
    std::random_device rd;
    for (uint8_t& b : random) b = static_cast<uint8_t>(rd());
    counter.store(rd() & 0xFFFFFF);
  }
};

ProcessUnique& Unique() {
  static ProcessUnique unique;
  return unique;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

ObjectId::ObjectId(const uint8_t* bytes) { std::memcpy(bytes_.data(), bytes, kSize); }

ObjectId ObjectId::Generate() {
  ProcessUnique& unique = Unique();
  uint32_t secs = static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count());
  uint32_t count = unique.counter.fetch_add(1) & 0xFFFFFF;
  uint8_t b[kSize];
  b[0] = secs >> 24;
  b[1] = secs >> 16;
  b[2] = secs >> 8;
  b[3] = secs;
  std::memcpy(b + 4, unique.random, 5);
  b[9] = count >> 16;
  b[10] = count >> 8;
  b[11] = count;
  return ObjectId(b);
}

std::optional<ObjectId> ObjectId::FromHex(std::string_view hex) {
  if (hex.size() != 2 * kSize) return std::nullopt;
  uint8_t b[kSize];
  for (size_t i = 0; i < kSize; ++i) {
    int hi = HexValue(hex[2 * i]), lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    b[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return ObjectId(b);
}

std::string ObjectId::ToHex() const {
  static const char kDigits[] = "0123456789abcdef";
  std::string out(2 * kSize, '0');
  for (size_t i = 0; i < kSize; ++i) {
    out[2 * i] = kDigits[bytes_[i] >> 4];
    out[2 * i + 1] = kDigits[bytes_[i] & 15];
  }
  return out;
}

uint32_t ObjectId::TimestampSeconds() const {
  return uint32_t(bytes_[0]) << 24 | uint32_t(bytes_[1]) << 16 | uint32_t(bytes_[2]) << 8 |
         bytes_[3];
}

}  // namespace dds::bson
