// Builders for raw wire messages used by the wire unit tests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bson/bson.h"
#include "wire/crc32c.h"
#include "wire/message.h"

namespace dds::wire::testing {

// Starts a message with a placeholder header; Finish() patches the length.
inline std::string StartMessage(OpCode op, int32_t request_id = 7) {
  std::string m;
  AppendHeader(&m, MessageHeader{0, request_id, 0, static_cast<int32_t>(op)});
  return m;
}

inline std::string Finish(std::string m) {
  StoreLE<int32_t>(m.data(), static_cast<int32_t>(m.size()));
  return m;
}

inline void AppendBody(std::string* m, const bson::BsonDocument& doc) {
  m->push_back('\0');
  m->append(doc.bytes());
}

inline void AppendSequence(std::string* m, std::string_view id,
                           const std::vector<bson::BsonDocument>& docs) {
  m->push_back('\1');
  size_t size = 4 + id.size() + 1;
  for (const auto& d : docs) size += d.bytes().size();
  AppendLE<int32_t>(m, static_cast<int32_t>(size));
  m->append(id);
  m->push_back('\0');
  for (const auto& d : docs) m->append(d.bytes());
}

// An OP_MSG with one body section.
inline std::string OpMsg(const bson::BsonDocument& body, uint32_t flags = 0) {
  std::string m = StartMessage(OpCode::kMsg);
  AppendLE<uint32_t>(&m, flags);
  AppendBody(&m, body);
  return Finish(std::move(m));
}

// Appends a valid CRC-32C to a finished OP_MSG whose flags include checksumPresent.
inline std::string WithChecksum(std::string m) {
  m.append(4, '\0');
  StoreLE<int32_t>(m.data(), static_cast<int32_t>(m.size()));
  StoreLE<uint32_t>(m.data() + m.size() - 4, Crc32c(m.data(), m.size() - 4));
  return m;
}

inline std::string OpQuery(std::string_view ns, const bson::BsonDocument& query,
                           int32_t number_to_return = -1, int32_t flags = 0) {
  std::string m = StartMessage(OpCode::kQuery);
  AppendLE<int32_t>(&m, flags);
  m.append(ns);
  m.push_back('\0');
  AppendLE<int32_t>(&m, 0);
  AppendLE<int32_t>(&m, number_to_return);
  m.append(query.bytes());
  return Finish(std::move(m));
}

}  // namespace dds::wire::testing
