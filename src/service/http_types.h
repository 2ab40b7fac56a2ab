// HttpRequest / HttpResponse: the transport-neutral request and response the service's pipeline
// works on, so routing, authentication and handlers are testable without sockets. Also the URL
// helpers (percent-decoding, query parsing) shared by the router and the AK/SK verifier.
//
// Plain values; not synchronized.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dds::service {

struct HttpRequest {
  std::string method;     // uppercase, e.g. "GET"
  std::string path;       // raw path as received, without the query
  std::string raw_query;  // raw query string without '?', "" when none
  // Header names lowercased, values as received (trimmed by the parser).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote;  // "ip:port" of the peer, for logs

  // Returns the first value of header `lower_name`, or nullopt.
  std::optional<std::string> Header(std::string_view lower_name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Percent-decodes `s` ('+' stays '+'); returns false on a malformed escape.
bool PercentDecode(std::string_view s, std::string* out);
// Encodes everything but A-Z a-z 0-9 - _ . ~ as %XX (uppercase hex).
std::string PercentEncodeRfc3986(std::string_view s);

// Parses a raw query into decoded (key, value) pairs; a key without '=' has value "".
// Returns false on a malformed escape.
bool ParseQuery(std::string_view raw_query, std::vector<std::pair<std::string, std::string>>* out);

// Splits a raw path into its segments ("/a/b/" -> {"a", "b", ""}); the leading '/' is dropped.
std::vector<std::string> SplitPath(std::string_view path);

// Trims ASCII spaces and tabs on both ends.
std::string_view TrimSpaces(std::string_view s);

}  // namespace dds::service
