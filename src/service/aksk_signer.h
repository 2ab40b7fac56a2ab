// AK/SK request signing, SDK-HMAC-SHA256, exactly as the official Huawei Cloud SDKs produce it
// (dds-api.md §2.2): canonical request, string to sign, HMAC-SHA256 signature. The service uses it
// to verify requests; tests use it to sign them.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "service/http_types.h"

namespace dds::service {

constexpr std::string_view kAkskAlgorithm = "SDK-HMAC-SHA256";

// The parsed `Authorization: SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...`.
struct AkskAuthorization {
  std::string access;
  std::string signed_headers;
  std::string signature;
};

// Parses an Authorization header value; anything but SDK-HMAC-SHA256 with all three parts is an
// error (ServiceUnauthenticated).
StatusWith<AkskAuthorization> ParseAkskAuthorization(std::string_view value);

// Returns the canonical URI of `raw_path`: each segment percent-encoded (RFC 3986 unreserved kept)
// and a trailing '/' appended. With `decode_first`, each segment is decoded before encoding.
std::string CanonicalUri(std::string_view raw_path, bool decode_first);

// Returns the canonical query: decoded pairs re-encoded, sorted by key then value, "k=v" joined
// with '&'.
std::string CanonicalQuery(std::string_view raw_query);

// Returns the six-part canonical request for `req` under `signed_headers` (';'-separated,
// lowercase). A listed header that is missing is ServiceUnauthenticated.
StatusWith<std::string> CanonicalRequest(const HttpRequest& req, std::string_view signed_headers,
                                         bool decode_path_first);

// Returns "SDK-HMAC-SHA256\n<date>\n<hex sha256(canonical)>".
std::string StringToSign(std::string_view sdk_date, std::string_view canonical_request);

// Returns hex(HMAC-SHA256(sk, string_to_sign)).
std::string AkskSignature(std::string_view secret_key, std::string_view string_to_sign);

// Verifies the signature of `req` under `secret_key` (both path encodings of §2.2.1 step 4.2 are
// tried). Returns ServiceUnauthenticated on mismatch. The date skew is the caller's check.
Status VerifyAkskSignature(const HttpRequest& req, const AkskAuthorization& auth,
                           std::string_view secret_key);

// Signs `req` (adds nothing): returns the Authorization header value for `signed_headers`.
StatusWith<std::string> SignRequestForTest(const HttpRequest& req, std::string_view access_key,
                                           std::string_view secret_key,
                                           std::string_view signed_headers);

}  // namespace dds::service
