#include "wire/compression.h"

#include <algorithm>
#include <memory>

#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "wire/message.h"

namespace dds::wire {
namespace {

// Output grows from this size towards the declared size, so a lying header cannot make us
// allocate much more than the input can really produce.
constexpr size_t kInitialOutputBytes = 256 * 1024;
// Snappy expands at most ~22x (a 3-byte copy tag yields 64 bytes); anything claiming more is a lie.
constexpr size_t kMaxSnappyRatio = 24;

Status Corrupt(std::string_view what) {
  return Status(ErrorCode::kProtocolError, "could not decompress message: " + std::string(what));
}

Status SizeMismatch(size_t actual, size_t expected) {
  return Status(ErrorCode::kProtocolError, "decompressed message size " + std::to_string(actual) +
                                               " does not match the declared uncompressedSize " +
                                               std::to_string(expected));
}

// Grows `out` (after `prefix`) when `produced` fills it, never beyond expected + 1 bytes.
// Returns false when already at the maximum (the data is longer than declared).
bool Grow(std::string* out, size_t prefix, size_t produced, size_t expected) {
  const size_t capacity = out->size() - prefix;
  if (produced < capacity) return true;
  if (capacity >= expected + 1) return false;
  const size_t next = std::min(expected + 1, std::max(capacity * 2, kInitialOutputBytes));
  out->resize(prefix + next);
  return true;
}

StatusWith<std::string> InflateZlib(const char* data, size_t size, size_t expected, size_t prefix) {
  std::string out(prefix + std::min(expected + 1, kInitialOutputBytes), '\0');
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return Corrupt("zlib init failed");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, &inflateEnd);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
  size_t in_left = size;
  size_t produced = 0;
  for (;;) {
    if (!Grow(&out, prefix, produced, expected)) return SizeMismatch(produced, expected);
    const size_t out_room = out.size() - prefix - produced;
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + prefix + produced);
    zs.avail_out = static_cast<uInt>(std::min<size_t>(out_room, 1u << 30));
    zs.avail_in = static_cast<uInt>(std::min<size_t>(in_left, 1u << 30));
    const uInt avail_in_before = zs.avail_in;
    const uInt avail_out_before = zs.avail_out;
    const int ret = inflate(&zs, Z_NO_FLUSH);
    in_left -= avail_in_before - zs.avail_in;
    produced += avail_out_before - zs.avail_out;
    if (ret == Z_STREAM_END) break;
    if (ret != Z_OK && ret != Z_BUF_ERROR) return Corrupt(zs.msg ? zs.msg : "zlib error");
    if (zs.avail_out > 0 && in_left == 0) return Corrupt("zlib data is truncated");
    if (ret == Z_BUF_ERROR && zs.avail_out > 0) return Corrupt("zlib made no progress");
  }
  if (produced != expected) return SizeMismatch(produced, expected);
  out.resize(prefix + produced);
  return out;
}

StatusWith<std::string> DecompressZstd(const char* data, size_t size, size_t expected,
                                       size_t prefix) {
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(), &ZSTD_freeDCtx);
  if (!dctx) return Corrupt("zstd init failed");
  std::string out(prefix + std::min(expected + 1, kInitialOutputBytes), '\0');
  ZSTD_inBuffer in{data, size, 0};
  size_t produced = 0;
  for (;;) {
    if (!Grow(&out, prefix, produced, expected)) return SizeMismatch(produced, expected);
    ZSTD_outBuffer ob{out.data() + prefix, out.size() - prefix, produced};
    const size_t ret = ZSTD_decompressStream(dctx.get(), &ob, &in);
    if (ZSTD_isError(ret)) return Corrupt(ZSTD_getErrorName(ret));
    produced = ob.pos;
    if (in.pos == in.size && ret == 0) break;
    if (in.pos == in.size && ob.pos < ob.size) return Corrupt("zstd data is truncated");
  }
  if (produced != expected) return SizeMismatch(produced, expected);
  out.resize(prefix + produced);
  return out;
}

StatusWith<std::string> DecompressSnappy(const char* data, size_t size, size_t expected,
                                         size_t prefix) {
  size_t length = 0;
  if (snappy_uncompressed_length(data, size, &length) != SNAPPY_OK) {
    return Corrupt("invalid snappy header");
  }
  if (length != expected) return SizeMismatch(length, expected);
  if (length / kMaxSnappyRatio > size + 64) return Corrupt("snappy length is implausible");
  std::string out(prefix + length, '\0');
  size_t out_len = length;
  if (snappy_uncompress(data, size, out.data() + prefix, &out_len) != SNAPPY_OK) {
    return Corrupt("invalid snappy data");
  }
  if (out_len != expected) return SizeMismatch(out_len, expected);
  return out;
}

}  // namespace

std::string_view CompressorName(Compressor c) {
  switch (c) {
    case Compressor::kNoop:
      return "noop";
    case Compressor::kSnappy:
      return "snappy";
    case Compressor::kZlib:
      return "zlib";
    case Compressor::kZstd:
      return "zstd";
  }
  return "unknown";
}

std::optional<Compressor> CompressorFromName(std::string_view name) {
  for (Compressor c :
       {Compressor::kNoop, Compressor::kSnappy, Compressor::kZlib, Compressor::kZstd}) {
    if (CompressorName(c) == name) return c;
  }
  return std::nullopt;
}

std::string Compress(Compressor c, const char* data, size_t size) {
  std::string out;
  switch (c) {
    case Compressor::kNoop:
      out.assign(data, size);
      break;
    case Compressor::kSnappy: {
      size_t len = snappy_max_compressed_length(size);
      out.resize(len);
      snappy_compress(data, size, out.data(), &len);
      out.resize(len);
      break;
    }
    case Compressor::kZlib: {
      uLongf len = compressBound(static_cast<uLong>(size));
      out.resize(len);
      compress2(reinterpret_cast<Bytef*>(out.data()), &len, reinterpret_cast<const Bytef*>(data),
                static_cast<uLong>(size), Z_DEFAULT_COMPRESSION);
      out.resize(len);
      break;
    }
    case Compressor::kZstd: {
      size_t len = ZSTD_compressBound(size);
      out.resize(len);
      len = ZSTD_compress(out.data(), len, data, size, 1);
      out.resize(ZSTD_isError(len) ? 0 : len);
      break;
    }
  }
  return out;
}

StatusWith<std::string> Decompress(uint8_t compressor_id, const char* data, size_t size,
                                   size_t expected_size, size_t prefix) {
  switch (static_cast<Compressor>(compressor_id)) {
    case Compressor::kNoop: {
      if (size != expected_size) return SizeMismatch(size, expected_size);
      std::string out(prefix, '\0');
      out.append(data, size);
      return out;
    }
    case Compressor::kSnappy:
      return DecompressSnappy(data, size, expected_size, prefix);
    case Compressor::kZlib:
      return InflateZlib(data, size, expected_size, prefix);
    case Compressor::kZstd:
      return DecompressZstd(data, size, expected_size, prefix);
  }
  return Status(ErrorCode::kProtocolError,
                "Unknown or unsupported compressor id " + std::to_string(compressor_id));
}

StatusWith<DecompressedMessage> DecompressMessage(const char* message, size_t size) {
  Reader r(message + kHeaderSize, size - kHeaderSize);
  int32_t original_opcode = 0;
  int32_t uncompressed_size = 0;
  uint8_t compressor_id = 0;
  if (!r.Read(&original_opcode) || !r.Read(&uncompressed_size) || !r.Read(&compressor_id)) {
    return Status(ErrorCode::kProtocolError, "OP_COMPRESSED message is truncated");
  }
  if (uncompressed_size < 0 ||
      static_cast<int64_t>(uncompressed_size) + static_cast<int64_t>(kHeaderSize) >
          kMaxMessageSizeBytes) {
    return Status(ErrorCode::kProtocolError,
                  "Decompressed message would be larger than maxMessageSizeBytes (" +
                      std::to_string(uncompressed_size) + ")");
  }
  if (original_opcode == static_cast<int32_t>(OpCode::kCompressed)) {
    return Status(ErrorCode::kProtocolError, "OP_COMPRESSED must not wrap OP_COMPRESSED");
  }
  DecompressedMessage out;
  out.compressor = static_cast<Compressor>(compressor_id);
  DDS_ASSIGN_OR_RETURN(out.message,
                       Decompress(compressor_id, r.pos(), r.remaining(),
                                  static_cast<size_t>(uncompressed_size), kHeaderSize));
  StoreLE<int32_t>(out.message.data(), static_cast<int32_t>(out.message.size()));
  std::memcpy(out.message.data() + 4, message + 4, 8);  // requestID, responseTo
  StoreLE<int32_t>(out.message.data() + 12, original_opcode);
  return out;
}

std::string CompressMessage(const std::string& message, Compressor c) {
  const size_t body_size = message.size() - kHeaderSize;
  std::string payload = Compress(c, message.data() + kHeaderSize, body_size);
  std::string out;
  const size_t len = kHeaderSize + 9 + payload.size();
  out.reserve(len);
  AppendLE<int32_t>(&out, static_cast<int32_t>(len));
  out.append(message.data() + 4, 8);  // requestID, responseTo
  AppendLE<int32_t>(&out, static_cast<int32_t>(OpCode::kCompressed));
  AppendLE<int32_t>(&out, LoadLE<int32_t>(message.data() + 12));  // originalOpcode
  AppendLE<int32_t>(&out, static_cast<int32_t>(body_size));
  out.push_back(static_cast<char>(c));
  out.append(payload);
  return out;
}

}  // namespace dds::wire
