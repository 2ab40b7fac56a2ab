#include "storage/keyspace.h"

#include "storage/key_string.h"

namespace dds::storage {

void AppendBigEndian64(std::string* out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (56 - 8 * i));
  out->append(b, 8);
}

uint64_t ReadBigEndian64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

std::string KeyPrefix(Keyspace keyspace, uint64_t id) {
  std::string key;
  key.reserve(9);
  key.push_back(static_cast<char>(keyspace));
  AppendBigEndian64(&key, id);
  return key;
}

std::string RecordKey(uint64_t collection_id, const bson::BsonElement& id) {
  std::string key = RecordPrefix(collection_id);
  AppendKeyString(&key, id);
  return key;
}

std::string PrefixSuccessor(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty() && static_cast<uint8_t>(s.back()) == 0xff) s.pop_back();
  if (!s.empty()) s.back() = static_cast<char>(static_cast<uint8_t>(s.back()) + 1);
  return s;
}

size_t IndexKeyPrefixSize(std::string_view key) {
  constexpr size_t kHeader = 9;  // [0x04][index id]
  if (key.size() <= kHeader || key[0] != static_cast<char>(Keyspace::kIndex)) return 0;
  size_t first = KeyStringValueSize(key.substr(kHeader));
  return first == 0 ? 0 : kHeader + first;
}

bool RangeSharesIndexKeyPrefix(std::string_view lower, std::string_view upper) {
  size_t n = IndexKeyPrefixSize(lower);
  if (n == 0) return false;
  // Keys >= lower start with the prefix P = lower[0, n) as long as they are < PrefixSuccessor(P).
  return upper <= PrefixSuccessor(lower.substr(0, n));
}

}  // namespace dds::storage
