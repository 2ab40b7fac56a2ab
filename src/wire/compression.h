// OP_COMPRESSED (opcode 2012, compat §1.5): the compressors (noop 0, snappy 1, zlib 2, zstd 3),
// unwrapping a compressed request into the original message, and wrapping a reply.
//
// Decompression never allocates more than the declared uncompressedSize (+1 byte to detect a
// lie) and checks that the actual size equals it. Pure functions; thread-safe; never throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace dds::wire {

enum class Compressor : uint8_t { kNoop = 0, kSnappy = 1, kZlib = 2, kZstd = 3 };

// Returns the name used in hello's `compression` array ("noop", "snappy", "zlib", "zstd").
std::string_view CompressorName(Compressor c);
// Returns the compressor for a handshake name, or nullopt.
std::optional<Compressor> CompressorFromName(std::string_view name);

// Compresses `size` bytes with `c`.
std::string Compress(Compressor c, const char* data, size_t size);

// Decompresses `data` with the compressor whose wire id is `compressor_id` into a string of
// `prefix` zero bytes followed by exactly `expected_size` bytes. Errors (ProtocolError 17):
// unknown compressor, corrupt input, actual size different from `expected_size`.
StatusWith<std::string> Decompress(uint8_t compressor_id, const char* data, size_t size,
                                   size_t expected_size, size_t prefix = 0);

// An OP_COMPRESSED message turned back into the message it wraps.
struct DecompressedMessage {
  // The original message: a rebuilt 16-byte header (messageLength = 16 + uncompressedSize,
  // the outer requestID/responseTo, originalOpcode) followed by the decompressed body.
  std::string message;
  Compressor compressor = Compressor::kNoop;
};

// Unwraps a whole OP_COMPRESSED message (starting with its header). Errors (ProtocolError 17):
// truncated, uncompressedSize < 0 or the whole message > 48,000,000 bytes, nested
// OP_COMPRESSED, unknown compressor, corrupt data, size mismatch. REQUIRES: size >= 16.
StatusWith<DecompressedMessage> DecompressMessage(const char* message, size_t size);

// Wraps the whole encoded `message` (header included) into an OP_COMPRESSED message with the
// same requestID and responseTo.
std::string CompressMessage(const std::string& message, Compressor c);

}  // namespace dds::wire
