// Small cryptographic and encoding helpers for the management service, on OpenSSL's libcrypto:
// digests, HMAC, PBKDF2, base64, hex, secure random bytes, UUID v4 and constant-time compare.
//
// All functions are pure (or use OpenSSL's thread-safe RNG) and are safe to call concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dds::service {

// Digest algorithms used by the service.
enum class Digest { kMd5, kSha1, kSha256 };

// Returns the raw digest of `data`.
std::string Hash(Digest digest, std::string_view data);
// Returns the raw HMAC of `data` under `key`.
std::string Hmac(Digest digest, std::string_view key, std::string_view data);
// Returns PBKDF2-HMAC(`password`, `salt`, `iterations`) of `out_len` bytes.
std::string Pbkdf2(Digest digest, std::string_view password, std::string_view salt, int iterations,
                   size_t out_len);

// Returns lowercase hex of `bytes`.
std::string HexEncode(std::string_view bytes);
// Returns standard base64 (with padding) of `bytes`.
std::string Base64Encode(std::string_view bytes);
// Decodes standard base64; returns false on malformed input.
bool Base64Decode(std::string_view text, std::string* out);

// Returns `n` cryptographically secure random bytes.
std::string RandomBytes(size_t n);
// Returns `n_bytes` random bytes as lowercase hex (2 * n_bytes characters).
std::string RandomHex(size_t n_bytes);
// Returns a random UUID v4 in its canonical 36-character form.
std::string UuidV4();

// Compares two strings in time that depends only on their lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace dds::service
