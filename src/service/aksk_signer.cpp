#include "service/aksk_signer.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "service/crypto.h"

namespace dds::service {
namespace {

Status Unauthenticated(std::string msg) {
  return Status(ErrorCode::kServiceUnauthenticated, "[APIG.0301] " + msg);
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

StatusWith<AkskAuthorization> ParseAkskAuthorization(std::string_view value) {
  value = TrimSpaces(value);
  size_t space = value.find(' ');
  if (space == std::string_view::npos || value.substr(0, space) != kAkskAlgorithm) {
    return Unauthenticated("Incorrect IAM authentication information: unsupported algorithm");
  }
  AkskAuthorization auth;
  std::string_view rest = value.substr(space + 1);
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view part = TrimSpaces(rest.substr(0, comma));
    size_t eq = part.find('=');
    if (eq != std::string_view::npos) {
      std::string_view key = part.substr(0, eq);
      std::string_view val = part.substr(eq + 1);
      if (key == "Access") auth.access = std::string(val);
      if (key == "SignedHeaders") auth.signed_headers = std::string(val);
      if (key == "Signature") auth.signature = std::string(val);
    }
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  if (auth.access.empty() || auth.signed_headers.empty() || auth.signature.empty()) {
    return Unauthenticated("Incorrect IAM authentication information: malformed Authorization");
  }
  return auth;
}

std::string CanonicalUri(std::string_view raw_path, bool decode_first) {
  std::string out;
  size_t pos = 0;
  // Encode each '/'-separated segment; separators are kept as they are.
  while (pos <= raw_path.size()) {
    size_t slash = raw_path.find('/', pos);
    std::string_view seg = raw_path.substr(
        pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    std::string decoded;
    if (decode_first && PercentDecode(seg, &decoded)) {
      out += PercentEncodeRfc3986(decoded);
    } else {
      out += PercentEncodeRfc3986(seg);
    }
    if (slash == std::string_view::npos) break;
    out.push_back('/');
    pos = slash + 1;
  }
  if (out.empty() || out.back() != '/') out.push_back('/');
  return out;
}

std::string CanonicalQuery(std::string_view raw_query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  if (!ParseQuery(raw_query, &pairs)) return std::string(raw_query);
  std::vector<std::pair<std::string, std::string>> encoded;
  for (auto& [k, v] : pairs) encoded.emplace_back(PercentEncodeRfc3986(k), PercentEncodeRfc3986(v));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += k + "=" + v;
  }
  return out;
}

StatusWith<std::string> CanonicalRequest(const HttpRequest& req, std::string_view signed_headers,
                                         bool decode_path_first) {
  std::string out;
  out += req.method + "\n";
  out += CanonicalUri(req.path, decode_path_first) + "\n";
  out += CanonicalQuery(req.raw_query) + "\n";
  bool has_content_sha = false;
  std::string content_sha;
  size_t pos = 0;
  while (pos <= signed_headers.size()) {
    size_t semi = signed_headers.find(';', pos);
    std::string name = ToLower(signed_headers.substr(
        pos, semi == std::string_view::npos ? std::string_view::npos : semi - pos));
    std::optional<std::string> value = req.Header(name);
    if (!value) return Unauthenticated("signed header '" + name + "' is missing");
    std::string trimmed(TrimSpaces(*value));
    out += name + ":" + trimmed + "\n";
    if (name == "x-sdk-content-sha256") {
      has_content_sha = true;
      content_sha = trimmed;
    }
    if (semi == std::string_view::npos) break;
    pos = semi + 1;
  }
  out += "\n";
  out += std::string(signed_headers) + "\n";
  out += has_content_sha ? content_sha : HexEncode(Hash(Digest::kSha256, req.body));
  return out;
}

std::string StringToSign(std::string_view sdk_date, std::string_view canonical_request) {
  return std::string(kAkskAlgorithm) + "\n" + std::string(sdk_date) + "\n" +
         HexEncode(Hash(Digest::kSha256, canonical_request));
}

std::string AkskSignature(std::string_view secret_key, std::string_view string_to_sign) {
  return HexEncode(Hmac(Digest::kSha256, secret_key, string_to_sign));
}

Status VerifyAkskSignature(const HttpRequest& req, const AkskAuthorization& auth,
                           std::string_view secret_key) {
  std::optional<std::string> date = req.Header("x-sdk-date");
  if (!date) return Unauthenticated("X-Sdk-Date is required");
  std::string given = ToLower(auth.signature);
  for (bool decode_first : {false, true}) {
    DDS_ASSIGN_OR_RETURN(std::string canonical,
                         CanonicalRequest(req, auth.signed_headers, decode_first));
    std::string expected = AkskSignature(secret_key, StringToSign(TrimSpaces(*date), canonical));
    if (ConstantTimeEquals(expected, given)) return Status::OK();
  }
  return Unauthenticated("Incorrect IAM authentication information: signature mismatch");
}

StatusWith<std::string> SignRequestForTest(const HttpRequest& req, std::string_view access_key,
                                           std::string_view secret_key,
                                           std::string_view signed_headers) {
  std::optional<std::string> date = req.Header("x-sdk-date");
  if (!date) return Unauthenticated("X-Sdk-Date is required");
  DDS_ASSIGN_OR_RETURN(std::string canonical, CanonicalRequest(req, signed_headers, false));
  return std::string(kAkskAlgorithm) + " Access=" + std::string(access_key) +
         ", SignedHeaders=" + std::string(signed_headers) +
         ", Signature=" + AkskSignature(secret_key, StringToSign(*date, canonical));
}

}  // namespace dds::service
